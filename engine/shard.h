// Shard: one core's slice of the server -- its databases, statistics, clients, and the
// queues of cross-shard tasks. Everything here is touched only by the shard's own thread.
//
// How a command runs (details in docs/architecture.md, "Life of a command"):
//   Dispatch() looks the command up, checks arity, and finds the shards of its keys.
//   - all keys here (or keyless on_shard): run inline, the reply straight into client.out
//     when nothing is pending, else into a reply slot;
//   - all keys on one other shard: a RemoteCommand task goes to that shard in this loop's
//     batch; its reply comes back into the reserved slot;
//   - keyless or spanning shards: the on_origin handler runs here and fans out.
// The network layer drives it: it feeds parsed requests to Dispatch(), moves outboxes to
// other shards' inboxes at the end of each loop iteration (TakeOutbox), hands arriving tasks
// to Receive(), and sends the output of clients on the dirty list.
#pragma once

#include <absl/container/flat_hash_map.h>

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "engine/client.h"
#include "engine/command.h"
#include "engine/db.h"
#include "engine/server_state.h"
#include "engine/shard_stats.h"
#include "engine/snapshot.h"
#include "engine/task.h"
#include "persist/aof_log.h"

namespace kevy {

class Shard {
 public:
  Shard(uint16_t id, ServerState* server);
  ~Shard();
  Shard(const Shard&) = delete;
  Shard& operator=(const Shard&) = delete;

  uint16_t id() const { return id_; }
  ServerState& server() const { return *server_; }
  Config& config() const { return server_->config; }
  int num_dbs() const { return static_cast<int>(dbs_.size()); }
  Db& db(int i) { return *dbs_[i]; }
  void SwapDbs(int a, int b) {
    dbs_[a]->CoverAll();  // a snapshot in progress keeps each database's contents at the cut
    dbs_[b]->CoverAll();
    std::swap(dbs_[a], dbs_[b]);
    dbs_[a]->set_index(a);
    dbs_[b]->set_index(b);
  }

  // --- snapshots (engine/snapshot.h) ---
  // Starts this shard's part of `job` (called with every shard locked: the cut).
  void StartSnapshot(std::shared_ptr<SnapshotJob> job);
  // One budgeted step of the snapshot scan (the loop calls it every iteration).
  bool SnapshotStep(size_t budget);
  bool SnapshotHasWork() const { return snapshot_ && snapshot_->HasWork(); }
  bool snapshot_active() const { return snapshot_ != nullptr; }
  // A chunk came back from the coordinator.
  void SnapshotAcked();
  // AOF batch `durable_id` is on disk: tasks that waited for it go home (appendfsync always).
  void ReleaseParked(uint64_t durable_id);

  // --- persistence ---
  // This shard's incr file of the AOF, or null when appendonly is off.
  aof::ShardLog* aof() const { return aof_.get(); }
  void set_aof(std::unique_ptr<aof::ShardLog> log) { aof_ = std::move(log); }
  // Appends from now on to the incr file `fd` (already listed, or pending, in the manifest),
  // opening the log with the configured appendfsync policy if this shard has none yet.
  void LogTo(int fd, std::string name, uint64_t size);
  // Logs one effect in database `db` (no-op without an AOF). Counts a change either way.
  void Propagate(int db, const std::vector<std::string_view>& args) {
    ++stats_.dirty;
    if (aof_) aof_->Append(db, args);
  }
  // Logs the commands that rebuild `key` as `v` (persist/aof_rewrite.h): a whole value that
  // arrived from another shard (RENAME, COPY, *STORE) has no command of its own to replay.
  void PropagateValue(int db, std::string_view key, const Value& v, int64_t expire_ms,
                      bool replace);
  // Logs `key`'s state as it is now: the rebuild of its value (with its TTL), or DEL when it
  // does not exist. For a destination written wholesale (*STORE, BITOP, PFMERGE across shards).
  void PropagateKeyState(int db, std::string_view key);
  // Runs an on_shard handler: timing, then the AOF entry of a write (the command verbatim
  // unless the handler propagated its effects itself) if it did not reply with an error --
  // `reply` from offset `from` is what the handler wrote.
  void RunHandler(CmdContext& ctx, const std::string& reply, size_t from);

  // The shard's clock: unix ms, refreshed by the loop once per iteration (Redis caches it
  // per command the same way). Tests set it to move time without sleeping.
  int64_t now_ms() const { return now_ms_; }
  void set_now_ms(int64_t ms) { now_ms_ = ms; }
  static int64_t WallMs();
  static int64_t MonoUs();

  ShardStats& stats() { return stats_; }
  std::vector<CommandStat>& cmdstats() { return cmdstats_; }
  uint64_t Rand();  // xorshift, per shard
  static uint64_t RandFn(void* shard) { return static_cast<Shard*>(shard)->Rand(); }

  NetHooks* net() const { return net_; }
  void set_net(NetHooks* n) { net_ = n; }

  // --- commands ---
  // Executes (or routes) one request of client `c`, which belongs to this shard.
  void Dispatch(ClientState& c, const ArgList& args);

  // --- replies ---
  // Writes the reply of a deferred command and sends whatever is now in order.
  template <class Fn>
  void Finish(ReplySlot slot, Fn&& write) {
    std::string& buf = slot.client->pending.Buffer(slot.seq);
    ReplyBuilder rb(&buf, slot.proto);
    write(rb);
    if (!buf.empty() && buf[0] == '-') ++stats_.total_error_replies;
    CompleteSlot(slot);
  }
  void CompleteSlot(ReplySlot slot);
  // Counts an error reply starting at buf[from] in the stats (total_error_replies,
  // failed_calls of the command).
  void CountReply(const CommandSpec& spec, const std::string& buf, size_t from);
  // Clients with new output since the network layer last looked.
  std::vector<ClientState*>& dirty() { return dirty_; }
  void MarkDirty(ClientState* c) {
    if (!c->dirty) {
      c->dirty = true;
      dirty_.push_back(c);
    }
  }

  // --- cross-shard tasks ---
  // Queues a task for t->target (set by the caller) in this iteration's batch. A task for
  // this very shard runs at once.
  void Post(Task* t);
  // The batch for `target` collected so far (the network layer delivers it).
  TaskList TakeOutbox(uint16_t target);
  bool HasOutbox() const { return outbox_pending_ > 0; }
  // Handles a batch that arrived in the inbox: runs tasks bound here and queues them back,
  // completes tasks that came home.
  void Receive(Task* head);
  // Sends home a task whose RunOnTarget kept it (Task::kept) here: completes it at once if
  // it is our own, else queues it for its origin.
  void ReturnTask(Task* t);

  // --- shard locks (engine/shard_lock.h) ---
  // The atomic operation holding this shard, or 0.
  uint64_t lock_tx() const { return lock_tx_; }
  // True if work of operation `tx` must wait (another operation holds the shard).
  bool MustDefer(uint64_t tx) const { return lock_tx_ != 0 && lock_tx_ != tx; }
  // Called by the lock tasks: take the lock (the shard is free or already ours) / release it
  // and run what waited, in arrival order, until another operation takes the lock.
  void TakeLock(uint64_t tx) { lock_tx_ = tx; }
  void ReleaseLock(uint64_t tx);
  uint64_t NewTxId();

  // --- clients ---
  void AddClient(ClientState* c);
  void RemoveClient(ClientState* c);
  const absl::flat_hash_map<uint64_t, ClientState*>& clients() const { return clients_; }

  // --- periodic work, hz times a second ---
  void Cron();

 private:
  void RunLocal(ClientState& c, const CommandSpec& spec, const ArgList& args);
  void DeferLocal(ClientState& c, const CommandSpec& spec, const ArgList& args);
  void RunTask(Task* t);  // an arriving task: run it (or defer it while locked)
  void Execute(Task* t);  // runs it here and completes it or sends it home
  void SendHome(Task* t);  // into this iteration's batch for its origin
  void RunOrigin(ClientState& c, const CommandSpec& spec, const ArgList& args);
  void SendRemote(ClientState& c, const CommandSpec& spec, const ArgList& args, uint16_t target);
  bool CheckArity(ClientState& c, const CommandSpec& spec, const ArgList& args);
  void ReplyError(ClientState& c, std::string_view msg);

  uint16_t id_;
  ServerState* server_;
  NetHooks* net_ = nullptr;
  std::vector<std::unique_ptr<Db>> dbs_;
  std::unique_ptr<aof::ShardLog> aof_;
  std::shared_ptr<ShardSnapshot> snapshot_;
  int64_t now_ms_ = 0;
  uint64_t rng_;
  ShardStats stats_;
  std::vector<CommandStat> cmdstats_;
  std::vector<ClientState*> dirty_;
  std::vector<TaskList> outbox_;
  uint32_t outbox_pending_ = 0;
  absl::flat_hash_map<uint64_t, ClientState*> clients_;
  std::vector<int> key_pos_;  // scratch
  int expire_db_cursor_ = 0;
  uint64_t lock_tx_ = 0;
  uint64_t tx_counter_ = 0;
  std::deque<Task*> deferred_;
  // Finished tasks waiting for an AOF batch to be durable before going home: (batch, task).
  std::deque<std::pair<uint64_t, Task*>> parked_;  // work that arrived while another operation held the lock
};

// The on_shard handler's clock.
inline int64_t CmdContext::now_ms() const { return shard.now_ms(); }

inline void CmdContext::Propagate(const std::vector<std::string_view>& args) {
  propagated = true;
  if (!(client_flags & kClientNoPropagate)) shard.Propagate(db_index, args);
}

inline void Shard::RunHandler(CmdContext& ctx, const std::string& reply, size_t from) {
  const CommandSpec& spec = ctx.spec;
  uint64_t t0 = CommandClock::Now();
  spec.on_shard(ctx);
  cmdstats_[spec.id].ticks += CommandClock::Now() - t0;
  if ((spec.flags & kCmdWrite) && !ctx.propagated && !(from < reply.size() && reply[from] == '-') &&
      !(ctx.client_flags & kClientNoPropagate))
    Propagate(ctx.db_index, ctx.args.views());
}

}  // namespace kevy
