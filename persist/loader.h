// Start-up loading, as Redis's loadDataFromDisk: with appendonly yes, the multi-part AOF
// (manifest, base, incr files); otherwise dump.rdb. Runs on the main thread before the
// shards serve (the network answers -LOADING meanwhile): AOF commands are dispatched by an
// internal client on shard 0 and the cross-shard batches pumped in this thread
// (engine/local_driver.h), so replay takes the same code paths as live commands.
//
// Then, with appendonly yes, every shard gets a fresh incr file of its own (a new epoch in the
// manifest) -- the files that were loaded are never appended to again.
#pragma once

#include <absl/status/status.h>

#include <memory>
#include <string>

#include "engine/server_state.h"
#include "persist/aof_manager.h"

namespace kevy {

struct LoadReport {
  uint64_t keys_loaded = 0;
  uint64_t commands_replayed = 0;
  uint64_t truncated_files = 0;  // torn tails cut (aof-load-truncated yes)
  double seconds = 0;
};

// Loads the dataset into st.shards (whose threads must not run commands yet) and, with
// appendonly yes, opens the AOF for appending. An error is fatal: its message says which
// file and offset, as Redis's do.
absl::Status LoadAtStartup(ServerState& st, LoadReport* report);

// Every shard starts appending to a new incr file of its own (a new epoch of st.AofDir()),
// and st.aof is set. Start-up only (no shard thread runs commands).
absl::Status StartAofLogging(ServerState& st);

// Loads an RDB image (dump.rdb, an RDB base or preamble) straight into the shards' Dbs.
// `consumed`: where the RDB ends (an AOF preamble's commands follow). `workers`: insert
// threads (persist/load_sink.h); -1 = as many as the CPUs allow, 0 = this thread only.
absl::Status LoadRdbBuffer(ServerState& st, std::string_view data, const std::string& name,
                           bool drop_expired, LoadReport* report, size_t* consumed,
                           int workers = -1);

// Replays AOF bytes (one file) into the shards; `name` is for messages. On a torn tail with
// aof-load-truncated yes, cuts the file at `path` to its last whole command.
absl::Status ReplayAofFile(ServerState& st, const std::string& path, const std::string& name,
                           LoadReport* report);

}  // namespace kevy
