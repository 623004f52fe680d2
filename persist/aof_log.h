// ShardLog: one shard's part of the append-only file -- its own incr file, written through
// the shard's io_uring ring (net/reactor drives the I/O; this class only keeps the state).
//
// Effects are appended as AOF frames (Redis's RESP arrays, with SELECT whenever the database
// changes) into the open batch during a loop iteration. At the end of the iteration the
// reactor submits the oldest unsubmitted batch as a positioned write -- and, under
// `appendfsync always`, an fsync linked after it. One batch is in flight at a time, so the
// batch that collects while an fsync runs is covered by the next fsync (group commit).
// Batch ids grow by one; durable_id() is the newest batch that is on disk (written, and
// fsynced under `always`). The reactor holds the replies of every command whose effect is in
// a batch that is not durable yet.
//
// A global operation (FLUSHALL, SWAPDB, a rewrite) switches every shard to a new incr file:
// batches keep the file descriptor they were opened for, so bytes appended before the switch
// still land in the old file.
#pragma once

#include <cstdint>
#include <deque>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace kevy::aof {

enum class FsyncPolicy { kAlways, kEverysec, kNo };

// The `appendfsync` directive's value ("always", "everysec", "no"; config checks it).
inline FsyncPolicy ParseFsyncPolicy(std::string_view v) {
  return v == "always" ? FsyncPolicy::kAlways : v == "no" ? FsyncPolicy::kNo : FsyncPolicy::kEverysec;
}

class ShardLog {
 public:
  struct Batch {
    int fd = -1;
    uint64_t file_gen = 0;  // which SwitchFile() it belongs to
    uint64_t offset = 0;    // file offset of data[0]
    std::string data;
    uint64_t id = 0;
    size_t written = 0;      // bytes of data the kernel has taken
    bool submitted = false;  // a write (or its retry) is in flight
    bool synced = false;     // the fsync that covers it completed (always)
  };

  ShardLog() = default;
  ~ShardLog();
  ShardLog(const ShardLog&) = delete;
  ShardLog& operator=(const ShardLog&) = delete;

  // --- appending (the shard's commands) ---
  void Append(int db, const std::vector<std::string_view>& args);
  void Append(int db, std::initializer_list<std::string_view> args);
  // A transaction block that replay applies whole (MULTI ... EXEC in the file), for when
  // kevy gets MULTI/EXEC: everything appended between the two calls is one block.
  void BeginBlock(int db);
  void EndBlock();

  // --- files ---
  // Starts appending to a new file (already created and listed in the manifest); the next
  // frame starts with SELECT. The old descriptor is closed once its batches are written.
  void SwitchFile(int fd, std::string name, uint64_t size);
  // Stops appending (appendonly turned off): what was appended is still written, then the
  // file is fsynced and closed; Append() does nothing until the next SwitchFile().
  void Close() { SwitchFile(-1, "", 0); }
  bool closed() const { return fd_ < 0; }
  int fd() const { return fd_; }
  const std::string& file_name() const { return file_name_; }
  uint64_t file_size() const { return offset_; }  // bytes appended to the current file

  // --- I/O state (the reactor) ---
  FsyncPolicy policy() const { return policy_; }
  void set_policy(FsyncPolicy p) { policy_ = p; }
  std::deque<Batch>& batches() { return batches_; }
  // The newest batch holding effects that are not durable yet, or 0.
  uint64_t latest_undurable() const { return batches_.empty() ? 0 : batches_.back().id; }
  uint64_t durable_id() const { return durable_id_; }
  // A batch became durable: pops it, closes file descriptors nothing refers to any more.
  void CompleteFront();
  // Descriptors whose batches are done and that still need an fsync (everysec / no) before
  // they are closed; the reactor syncs and closes them.
  std::vector<int>& retired_fds() { return retired_; }

  // everysec: whether bytes were written since the last fsync started.
  bool unsynced = false;
  bool fsync_in_flight = false;
  int64_t last_fsync_ms = 0;

  // Write errors (MISCONF): errno of the failed write, 0 when the last write succeeded.
  int write_error = 0;
  int64_t retry_at_ms = 0;

  uint64_t appended_bytes() const { return appended_bytes_; }

 private:
  std::string& OpenBatch();
  void AppendSelect(std::string& out, int db);

  int fd_ = -1;
  uint64_t file_gen_ = 0;
  std::string file_name_;
  uint64_t offset_ = 0;
  int selected_db_ = -1;
  FsyncPolicy policy_ = FsyncPolicy::kEverysec;
  std::deque<Batch> batches_;
  uint64_t next_id_ = 1;
  uint64_t durable_id_ = 0;
  uint64_t appended_bytes_ = 0;
  std::vector<int> retired_;
  std::vector<int> old_fds_;  // switched away from, waiting for their batches
  bool in_block_ = false;
};

}  // namespace kevy::aof
