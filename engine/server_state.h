// ServerState: what all shards share, read-mostly -- the config, the command table, the
// slot table, the shards themselves (for posting tasks), and process-wide facts (start
// time, run id, client id counter, shutdown request). Created once by main() (or a test
// fixture) before the shard threads start.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "engine/command.h"
#include "engine/config.h"
#include "engine/slot.h"

namespace kevy {

class Shard;
namespace aof {
class AofManager;
}

// What the engine asks of the network layer. Implemented by net/ (and by the in-process
// test engine). Called on the shard's own thread.
class NetHooks {
 public:
  virtual ~NetHooks() = default;
  // Close a client of this shard (CLIENT KILL, QUIT after reply). Safe to call twice.
  virtual void CloseClient(ClientState* c) = 0;
  // A closed client's last in-flight task came home: the network layer may free it now.
  virtual void ReleaseClient(ClientState* c) = 0;
  // Ask every shard to stop (SHUTDOWN); `exit_code` for the process.
  virtual void RequestShutdown(int exit_code) = 0;

  // File I/O that must not block the loop (snapshot writes, fsyncs, renames): submitted to
  // the shard's ring, never performed inside the call. `done(res)` runs later on this shard's
  // thread, exactly once, with the operation's result: bytes written (possibly fewer than
  // asked: the caller writes the rest), 0, or -errno. The caller keeps the buffer and the path
  // strings alive and unchanged until `done` ran. If the loop stops first, `done` never runs.
  using FileDone = std::function<void(int res)>;
  // pwrite(fd, data, len, offset).
  virtual void SubmitFileWrite(int fd, const char* data, size_t len, uint64_t offset,
                               FileDone done) = 0;
  // fdatasync(fd), or fsync(fd) when !datasync (a directory's, to make a rename durable).
  virtual void SubmitFileSync(int fd, bool datasync, FileDone done) = 0;
  // rename(from, to).
  virtual void SubmitRename(const char* from, const char* to, FileDone done) = 0;
};

enum ShutdownFlag : uint32_t {
  kShutdownNoSave = 1u << 0,
  kShutdownSave = 1u << 1,
  kShutdownNow = 1u << 2,
  kShutdownForce = 1u << 3,
};

struct ServerState {
  Config config;
  CommandRegistry commands;
  SlotTable slots;
  std::vector<Shard*> shards;

  std::string run_id;             // 40 hex chars
  std::string executable;         // absolute path of the binary
  int64_t start_ms = 0;
  std::atomic<uint64_t> next_client_id{1};
  std::atomic<int> connected_clients{0};
  std::atomic<bool> shutdown_requested{false};
  std::atomic<int> exit_code{0};
  std::atomic<int64_t> lastsave_s{0};
  std::atomic<int> clients_paused{0};
  // SHUTDOWN's options (ShutdownFlag bits), set before RequestShutdown so that whoever
  // performs the shutdown knows whether to save.
  std::atomic<uint32_t> shutdown_flags{0};

  // --- persistence ---
  // The append-only directory (appenddirname), made on first use: at start-up with appendonly
  // yes, or later by BGREWRITEAOF or CONFIG SET appendonly yes. Lives as long as the server.
  aof::AofManager& AofDir();
  // The append-only directory while the shards log to it (appendonly on), else null. Changed
  // only while every shard is locked (start-up, CONFIG SET appendonly, a rewrite's cut).
  std::atomic<aof::AofManager*> aof{nullptr};
  // True while start-up loads the dataset: the network answers -LOADING and leaves the
  // shards to the loader (release/acquire publishes the loaded data).
  std::atomic<bool> loading{false};
  // Number of shards whose last AOF write failed, and the errno of the latest failure:
  // write commands get -MISCONF while it is non-zero.
  std::atomic<int> aof_failing_shards{0};
  std::atomic<int> aof_last_errno{0};
  // Snapshots (BGSAVE, BGREWRITEAOF) and loading, for INFO persistence and the schedulers.
  struct Persistence {
    std::atomic<bool> bgsave_in_progress{false};
    std::atomic<bool> bgsave_scheduled{false};
    std::atomic<bool> last_bgsave_ok{true};
    std::atomic<int64_t> bgsave_start_ms{0};
    std::atomic<int64_t> last_bgsave_time_sec{-1};
    std::atomic<int64_t> last_bgsave_try_ms{0};
    std::atomic<uint64_t> rdb_saves{0};
    std::atomic<bool> rewrite_in_progress{false};
    std::atomic<bool> rewrite_scheduled{false};
    std::atomic<bool> last_rewrite_ok{true};
    std::atomic<int64_t> rewrite_start_ms{0};
    std::atomic<int64_t> last_rewrite_time_sec{-1};
    std::atomic<uint64_t> aof_rewrites{0};
    std::atomic<uint64_t> rewrite_failures{0};
    std::atomic<int64_t> rewrite_retry_at_ms{0};  // a failed rewrite of a pending AOF retries then
    bool aof_stopping = false;  // CONFIG SET appendonly no in progress (shard 0's cron only)
    std::atomic<uint32_t> next_epoch{1};  // snapshot epochs (Entry::snap_epoch marks)
    std::atomic<uint64_t> loaded_keys{0};
    // stop-writes-on-bgsave-error yes, save points set and the last BGSAVE failed: writes get
    // -MISCONF (Redis's writeCommandsDeniedByDiskError). Kept by the persistence cron.
    std::atomic<bool> deny_writes_rdb{false};
    std::atomic<uint64_t> truncated_files{0};
    // The running snapshot's progress (INFO current_save_keys_total / _processed): keys at
    // the cut, and keys serialized so far (added by each shard per chunk).
    std::atomic<uint64_t> save_keys_total{0};
    std::atomic<uint64_t> save_keys_processed{0};
  } persist;

 private:
  std::mutex aof_dir_mu_;
  std::shared_ptr<aof::AofManager> aof_dir_;  // shared_ptr: its deleter is set where it is made
 public:

  uint16_t num_shards() const { return static_cast<uint16_t>(shards.size()); }
};

}  // namespace kevy
