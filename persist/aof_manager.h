// AofManager: the append-only directory (appendonlydir/) and its manifest, shared by every
// shard. Manifest changes are rare (start-up, FLUSHALL/FLUSHDB/SWAPDB, rewrites) and take a
// mutex; appends never do (each shard writes its own incr file, persist/aof_log.h).
//
// Turning the AOF on at run time (CONFIG SET appendonly yes) or after it was off: until the
// first rewrite finishes, the manifest on disk does not describe the dataset, so the incr files
// opened meanwhile are kept out of it ("pending", like Redis's temp incr file) and the rewrite
// adopts them with its new base. Until then a crash leaves the directory as it was.
//
// Epochs: NewEpoch() gives every shard a fresh incr file, all listed after every existing
// file, and writes the manifest durably before returning -- so a global operation logged at
// the head of the epoch's first file replays after all earlier writes of every shard and
// before all later ones, whichever order Redis (or kevy) replays the per-shard files in.
#pragma once

#include <absl/status/statusor.h>

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "persist/aof_manifest.h"

namespace kevy::aof {

struct NewFile {
  int fd = -1;
  std::string name;
  int64_t seq = 0;
  uint64_t size = 0;  // bytes already in it (the prelude)
};

class AofManager {
 public:
  // `dir`: the append-only directory (dir + "/" + appenddirname); `prefix`: appendfilename.
  AofManager(std::string dir, std::string prefix);

  const std::string& dir() const { return dir_; }
  const std::string& prefix() const { return prefix_; }
  std::string manifest_name() const { return ManifestFileName(prefix_); }

  // Reads the manifest. NotFound when there is no AOF yet (the directory is created).
  absl::Status Open();
  // Open() once, for a directory first used after start-up (BGREWRITEAOF with appendonly no,
  // CONFIG SET appendonly yes): OK when it was opened before or has no manifest yet.
  absl::Status EnsureOpen();

  // The AOF starts logging again with no base for it yet: new incr files stay pending.
  void BeginPending();
  bool pending() const;
  // The AOF was turned off before a rewrite gave the pending files a base: they are deleted.
  void AbandonPending();
  Manifest manifest() const;
  std::string PathOf(const std::string& name) const { return dir_ + "/" + name; }

  // Creates `n` incr files (one per shard, ascending sequence numbers), writes `prelude`
  // (AOF frames, e.g. "SELECT 0" "FLUSHALL") into the first one and fsyncs it, appends them
  // to the manifest and writes the manifest durably (or, while pending, keeps them out of it).
  // The caller owns the descriptors.
  absl::StatusOr<std::vector<NewFile>> NewEpoch(int n, const std::string& prelude);

  // BGREWRITEAOF: the name of the next base file (sequence after the current base's).
  std::string NextBaseName(bool rdb) const;
  // A rewrite's new base `base_name` (written and fsynced in the directory) replaces the old
  // base and every incr file before `first_incr_seq` (the files opened at the rewrite's cut):
  // the manifest is replaced durably first, then the old files are deleted. Pending incr
  // files from `first_incr_seq` on join the manifest. kNoIncr (BGREWRITEAOF with appendonly
  // no): the manifest lists the base alone, as Redis's does.
  static constexpr int64_t kNoIncr = INT64_MAX;
  absl::Status FinishRewrite(const std::string& base_name, int64_t first_incr_seq);
  // Bytes in the files the manifest lists now (INFO aof_current_size, auto-rewrite).
  uint64_t CurrentSize();
  // aof_current_size right after the last rewrite (or at start-up): auto-aof-rewrite's base.
  uint64_t rewrite_base_size() const { return rewrite_base_size_.load(std::memory_order_relaxed); }

  // Sum of the sizes of the files listed in the manifest when the current epoch started
  // (INFO's aof_base_size / auto-rewrite use it with the shards' appended bytes).
  uint64_t epoch_start_size() const { return epoch_start_size_.load(std::memory_order_relaxed); }
  uint64_t base_size() const { return base_size_.load(std::memory_order_relaxed); }

 private:
  uint64_t SizeOfListed();  // mu_ held

  std::string dir_, prefix_;
  mutable std::mutex mu_;
  Manifest manifest_;
  bool opened_ = false;
  bool pending_mode_ = false;
  std::vector<FileInfo> pending_;  // incr files not in the manifest yet (pending_mode_)
  std::atomic<uint64_t> epoch_start_size_{0};
  std::atomic<uint64_t> base_size_{0};
  std::atomic<uint64_t> rewrite_base_size_{0};
};

}  // namespace kevy::aof
