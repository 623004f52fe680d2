// LoadSink: where start-up loading puts the keys RdbLoader decodes -- each shard's Dbs.
//
// Two costs dominate a load once decoding is cheap: the allocator touching fresh memory
// (a page fault per 4 KiB -- tens of microseconds each in a virtual machine) and the cache
// misses of the hash table (the bucket, then the chain's first entry, both cold in a table
// of millions). So:
//   - the threads that load (LoadRdbBuffer's own thread, the workers) allocate from glibc
//     arenas whose heaps they turn to transparent huge pages (2 MiB a fault) when the
//     kernel allows it on request -- see load_sink.cc;
//   - keys are inserted a few behind their arrival: each key's bucket is prefetched when it
//     comes, its chain's first entry halfway, and it is linked last (PipelinedInserter);
//   - with workers > 0, decoding (the caller's thread) and inserting overlap: the keys go in
//     batches to worker threads, each of which owns a fixed set of shards (shard i belongs
//     to worker i % workers) -- so every Db is touched by one thread only, in file order.
//     The shards' own threads must leave their Dbs alone meanwhile (they answer -LOADING).
//
// Errors keep their file order: a duplicate key found by a worker stops the load (Add
// returns false from then on), and Finish() reports the duplicate that comes first in the
// file; the caller's own errors (a bad DB index, a corrupt file) come after every key it
// had handed over, so a duplicate among those wins -- as when everything ran inline.
#pragma once

#include <absl/status/status.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "persist/rdb.h"

namespace kevy {

class Db;
class Shard;
class SlotTable;

class LoadSink {
 public:
  // `shards`: every shard, indexed by id; `slots` routes a key to its shard. `now_ms` sets the
  // loaded keys' access clocks (with their IDLE). workers == 0: everything on the caller's
  // thread.
  LoadSink(const std::vector<Shard*>& shards, const SlotTable& slots, int64_t now_ms,
           int workers);
  ~LoadSink();  // stops the workers if Finish() was not called
  LoadSink(const LoadSink&) = delete;
  LoadSink& operator=(const LoadSink&) = delete;

  // The RESIZEDB hint for database `db` (a valid index): every shard's table is sized for its
  // share of `keys` before that database's keys arrive.
  void Reserve(int db, uint64_t keys);
  // Hands over one key (k.db a valid index). False once an earlier key failed: stop feeding,
  // Finish() says why.
  bool Add(RdbLoadedKey&& k);
  // Inserts everything still queued and stops the workers. Returns the error of the first
  // failing key in file order (AlreadyExists "RDB has duplicated key ..."), or OK.
  absl::Status Finish();
  // Keys inserted (after Finish()).
  uint64_t keys_loaded() const { return keys_loaded_; }

  // The workers worth starting for `nshards` shards: none when the calling thread may run on
  // one CPU only (threads would just take turns), else one per shard up to that CPU count.
  static int DefaultWorkers(size_t nshards);

 private:
  struct Worker;
  class Inserter;

  void Send(size_t w);

  std::vector<Shard*> shards_;
  const SlotTable& slots_;
  int64_t now_ms_;
  uint64_t seq_ = 0;  // file order of the keys handed over
  uint64_t keys_loaded_ = 0;
  bool finished_ = false;
  absl::Status status_;                        // Finish()'s answer
  std::unique_ptr<std::atomic<bool>> failed_;  // set by a worker that met an error
  std::unique_ptr<Inserter> inline_;  // workers == 0
  std::vector<std::unique_ptr<Worker>> workers_;
};

}  // namespace kevy
