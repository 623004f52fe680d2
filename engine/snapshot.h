// Fork-less snapshots (BGSAVE, SAVE, BGREWRITEAOF): a point-in-time image of every shard's
// keyspace, serialized incrementally between requests while clients keep being served.
//
// The cut: all shards are locked at once (engine/shard_lock.h) and each starts a
// ShardSnapshot with the same epoch, so no command runs between the shards' cuts. From then
// on every keyspace Entry is "covered" exactly once:
//   - the shard's loop scans its Dbs a budget at a time (the reverse-binary SCAN cursor visits
//     every entry present for the whole scan, even across rehashing) and serializes each
//     entry whose mark (Entry::snap_epoch) is not the epoch, then marks it;
//   - before anything can change an entry that is not covered yet -- a lookup that may lead to
//     a write, a delete, an expiry, a rename -- Db calls Cover() on it, which serializes its
//     old value first (copy-before-write at key granularity: no fork, no page copies);
//   - entries created after the cut are marked at creation and never serialized;
//   - FLUSHALL/FLUSHDB/SWAPDB cover a whole Db first.
// Memory overhead is the serialized bytes in flight (a few chunks per shard), not a copy of the
// dataset.
//
// Serialized chunks go to one shard, the job's coordinator, which appends them to the file
// (RDB: header, chunks, EOF + CRC-64; or AOF commands for an AOF base without the RDB
// preamble), fsyncs it and renames it into place when every shard is done. None of that file
// I/O blocks the coordinator's loop: positioned writes, the fdatasync, the rename and the
// directory's fsync all go through its ring (NetHooks::SubmitFile*). A chunk is acknowledged
// to its shard -- which keeps at most two unacknowledged -- only once its write completed, so
// the memory in flight stays a few chunks per shard however slow the disk.
#pragma once

#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <string>

#include <absl/status/status.h>

#include "engine/command.h"
#include "engine/task.h"
#include "persist/rdb.h"

namespace kevy {

class Shard;
struct ServerState;
class Db;
struct Entry;

enum class SnapshotFormat : uint8_t { kRdb, kAof };

// One snapshot across all shards; lives on the coordinator (touched only by its thread,
// except the immutable fields, which shards read).
//
// On the coordinator the file goes through these steps, each submitted to its ring and
// continued from the completion:
//   writes   every chunk (and the header before the first, the trailer after the last) is
//            encoded at the next offset and written there; several writes may be in flight;
//            a short write continues with the rest; the chunk's task goes home when its
//            bytes are written;
//   fsync    once every shard shipped its last chunk and no write is in flight;
//   rename   tmp_path -> final_path;
//   dir sync fsync of the directory (the rename is durable);
// then on_done(ok). A failure at any step (the first error's text is kept) waits for the
// writes in flight, removes the temp file and calls on_done(false).
struct SnapshotJob : std::enable_shared_from_this<SnapshotJob> {
  enum class Kind : uint8_t { kSave, kRewrite };
  Kind kind = Kind::kSave;
  SnapshotFormat format = SnapshotFormat::kRdb;
  uint32_t epoch = 0;
  uint16_t coordinator = 0;
  int nshards = 0;
  RdbOptions rdb;
  std::string tmp_path, final_path;
  int64_t start_ms = 0;
  int64_t rewrite_first_incr = 0;  // BGREWRITEAOF: first incr seq after the cut
  bool rewrite_logging = false;    // BGREWRITEAOF with appendonly yes (new incr files at the cut)

  // Coordinator-only state.
  int fd = -1;
  RdbWriter writer;
  uint64_t bytes = 0;  // bytes handed to the file so far (the next write's offset)
  int shards_done = 0;
  bool failed = false;
  std::string error;
  // Called on the coordinator when the file is in place (ok) or abandoned.
  std::function<void(Shard& coordinator, bool ok, const std::string& error)> on_done;

  SnapshotJob() = default;
  SnapshotJob(const SnapshotJob&) = delete;
  SnapshotJob& operator=(const SnapshotJob&) = delete;
  // Closes what is still open; a job dropped before it finished removes its temp file.
  ~SnapshotJob();

  // Opens tmp_path and prepares the RDB header, which goes out with the first write
  // (coordinator; only the open() itself is synchronous). False (with `error`) if it failed.
  bool Open();
  // Encodes a chunk and submits its write (coordinator). `ack`, if given, is the chunk's task:
  // it is kept (Task::kept) and sent home when the write completed. Returns whether it kept it.
  bool Write(Shard& coordinator, std::string data, Task* ack);
  // A shard shipped its last chunk; after the last shard: trailer, fsync, rename (coordinator).
  void Finish(Shard& coordinator);
  void Fail(const std::string& why);

  // Writes, syncs and renames in flight (tests).
  int io_in_flight() const { return io_in_flight_; }

 private:
  struct PendingWrite {
    std::string data;
    uint64_t offset = 0;
    size_t written = 0;
    int stalls = 0;  // completions in a row that wrote nothing
    Task* ack = nullptr;
  };
  enum class Stage : uint8_t { kWriting, kSyncing, kRenaming, kSyncingDir, kDone };

  void SubmitWrite(Shard& c, PendingWrite* w);
  void OnWritten(Shard& c, PendingWrite* w, int res);
  // Moves to the next step when nothing is in flight.
  void Advance(Shard& c);
  void Done(Shard& c);

  Stage stage_ = Stage::kWriting;
  bool finishing_ = false;  // every shard shipped its last chunk
  int io_in_flight_ = 0;
  int dir_fd_ = -1;
  std::list<PendingWrite> writes_;  // stable addresses for the completions
};

// One shard's part of a snapshot.
class ShardSnapshot : public std::enable_shared_from_this<ShardSnapshot> {
 public:
  ShardSnapshot(Shard& shard, std::shared_ptr<SnapshotJob> job);

  uint32_t epoch() const { return job_->epoch; }
  bool scan_done() const { return scan_done_; }
  // Serializes `e` (in db `db`) unless the cut already covers it; marks it.
  void Cover(Db& db, Entry* e);
  // Covers every entry of `db` (before FLUSHDB / SWAPDB touch it wholesale).
  void CoverAll(Db& db);
  // Marks an entry created after the cut.
  void MarkNew(Entry* e) const;
  // One step of the scan: serializes up to about `budget` bytes and ships full chunks to
  // the coordinator (at most two in flight). Returns false when there is nothing to do now.
  bool Step(size_t budget);
  // Whether Step() has work it may do now.
  bool HasWork() const { return !finished_ && in_flight_ < 2; }
  bool finished() const { return finished_ && in_flight_ == 0; }
  void ChunkAcked() { --in_flight_; }
  const std::shared_ptr<SnapshotJob>& job() const { return job_; }

 private:
  void Emit(int db_index, const Entry& e);
  void Ship(bool last);

  Shard& shard_;
  std::shared_ptr<SnapshotJob> job_;
  std::string buf_;
  int last_db_ = -1;
  int db_ = 0;
  uint64_t cursor_ = 0;
  bool scan_done_ = false;
  bool finished_ = false;  // the last chunk was shipped
  int in_flight_ = 0;
  uint64_t emitted_ = 0;  // entries serialized since the last chunk (INFO's progress)
};

// SAVE on shutdown: the whole keyspace into `path` (via a temp file, fsynced, renamed), from
// the calling thread. Only when no shard thread runs (after they stopped).
absl::Status SaveSnapshotSync(ServerState& st, const std::string& path);

}  // namespace kevy
