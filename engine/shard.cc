// Shard: dispatch of commands to local, remote and multi-shard execution; reply ordering;
// task batching; cron.
#include "engine/shard.h"

#include <string.h>
#include <time.h>

#include "engine/owned_args.h"
#include "persist/aof_rewrite.h"
#include "resp/errors.h"

namespace kevy {

std::atomic<double> CommandClock::ticks_per_us_{0};

void CommandClock::Calibrate() {
  timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  uint64_t t0 = Now();
  timespec nap{0, 20 * 1000 * 1000};
  nanosleep(&nap, nullptr);
  clock_gettime(CLOCK_MONOTONIC, &b);
  uint64_t t1 = Now();
  double us = static_cast<double>(b.tv_sec - a.tv_sec) * 1e6 +
              static_cast<double>(b.tv_nsec - a.tv_nsec) / 1e3;
  if (us > 0 && t1 > t0) ticks_per_us_.store(static_cast<double>(t1 - t0) / us);
}

namespace {

// A single-shard command executed on another shard. Carries an owned copy of its arguments
// there and its encoded reply back.
class RemoteCommand final : public Task {
 public:
  RemoteCommand(const ArgList& args, const CommandSpec* spec, ReplySlot slot, int db,
                uint32_t client_flags)
      : args_(args), spec_(spec), slot_(slot), db_(db), client_flags_(client_flags) {}

  void RunOnTarget(Shard& target) override {
    ArgList view;
    args_.View(&view);
    ReplyBuilder rb(&reply_, slot_.proto);
    CmdContext ctx{target, target.db(db_), db_, view, rb, nullptr, client_flags_, *spec_};
    target.RunHandler(ctx, reply_, 0);
  }
  void CompleteOnOrigin(Shard& origin) override {
    origin.CountReply(*spec_, reply_, 0);
    if (!slot_.client->closed) slot_.client->pending.Buffer(slot_.seq) = std::move(reply_);
    origin.CompleteSlot(slot_);
  }

 private:
  OwnedArgs args_;
  const CommandSpec* spec_;
  ReplySlot slot_;
  int db_;
  uint32_t client_flags_;
  std::string reply_;
};

}  // namespace

ReplySlot CoordContext::Defer(bool barrier) {
  deferred = true;
  slot.client = &client;
  slot.seq = client.pending.Reserve();
  slot.proto = client.proto;
  ++client.inflight;
  if (barrier) {
    client.barrier = true;
    client.barrier_seq = slot.seq;
  }
  return slot;
}

Shard::Shard(uint16_t id, ServerState* server)
    : id_(id), server_(server), rng_(0x9E3779B97F4A7C15ULL * (id + 1) ^ WallMs()) {
  int n = server_->config.databases.load(std::memory_order_relaxed);
  for (int i = 0; i < n; ++i) {
    dbs_.push_back(std::make_unique<Db>(&stats_));
    Db* d = dbs_.back().get();
    d->set_index(i);
    // A key deleted by expiry (lazy or active) is logged as DEL, as Redis propagates it.
    d->on_expire = [this, d](const Entry& e) {
      if (aof_) aof_->Append(d->index(), {"DEL", e.key});  // not a change for save points, as Redis
    };
  }
  outbox_.resize(server_->num_shards() ? server_->num_shards() : 1);
  cmdstats_.resize(server_->commands.num_ids());
  now_ms_ = WallMs();
}

Shard::~Shard() = default;

int64_t Shard::WallMs() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return int64_t{ts.tv_sec} * 1000 + ts.tv_nsec / 1000000;
}

int64_t Shard::MonoUs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1000000 + ts.tv_nsec / 1000;
}

uint64_t Shard::Rand() {
  uint64_t x = rng_;
  x ^= x << 13;
  x ^= x >> 7;
  x ^= x << 17;
  rng_ = x;
  return x * 0x2545F4914F6CDD1DULL;
}

void Shard::ReplyError(ClientState& c, std::string_view msg) {
  ++stats_.total_error_replies;
  if (c.pending.empty()) {
    ReplyBuilder(&c.out, c.proto).Error(msg);
  } else {
    uint64_t seq = c.pending.Reserve();
    ReplyBuilder(&c.pending.Buffer(seq), c.proto).Error(msg);
    c.pending.Complete(seq);
    c.pending.Drain([&](std::string& b) { c.out.append(b); });
  }
}

bool Shard::CheckArity(ClientState& c, const CommandSpec& spec, const ArgList& args) {
  int n = static_cast<int>(args.size());
  if ((spec.arity > 0 && n != spec.arity) || (spec.arity < 0 && n < -spec.arity)) {
    ++cmdstats_[spec.id].rejected_calls;
    ReplyError(c, errors::WrongArgs(spec.name));
    return false;
  }
  return true;
}

void Shard::Dispatch(ClientState& c, const ArgList& args) {
  if (args.empty()) return;
  ++stats_.total_commands_processed;
  c.last_interaction_ms = now_ms_;
  const CommandSpec* spec = server_->commands.Find(args[0]);
  if (!spec) {
    std::string preview;
    for (size_t i = 1; i < args.size() && preview.size() < 128; ++i) {
      preview += '\'';
      preview.append(args[i].substr(0, 128 - preview.size()));
      preview += "' ";
    }
    ReplyError(c, errors::UnknownCommand(args[0], preview));
    c.last_cmd = "NULL";
    return;
  }
  if (!spec->subcommands.empty()) {
    if (!CheckArity(c, *spec, args)) return;
    const CommandSpec* sub = server_->commands.FindSub(*spec, args[1]);
    if (!sub) {
      std::string upper(args[0]);
      for (auto& ch : upper) ch = static_cast<char>(toupper(static_cast<unsigned char>(ch)));
      ReplyError(c, errors::UnknownSubcommand(args[1], upper));
      return;
    }
    spec = sub;
  }
  if (!CheckArity(c, *spec, args)) return;
  if (!c.authenticated && !(spec->flags & kCmdNoAuth) && !config().requirepass().empty()) {
    ++cmdstats_[spec->id].rejected_calls;
    ReplyError(c, "NOAUTH Authentication required.");
    if (!c.out.empty()) MarkDirty(&c);
    return;
  }
  if ((spec->flags & kCmdWrite) &&
      server_->persist.deny_writes_rdb.load(std::memory_order_relaxed)) {
    ++cmdstats_[spec->id].rejected_calls;
    ReplyError(c, "MISCONF Redis is configured to save RDB snapshots, but it's currently unable "
                  "to persist to disk. Commands that may modify the data set are disabled, "
                  "because this instance is configured to report errors during writes if RDB "
                  "snapshotting fails (stop-writes-on-bgsave-error option). Please check the "
                  "Redis logs for details about the RDB error.");
    if (!c.out.empty()) MarkDirty(&c);
    return;
  }
  if ((spec->flags & kCmdWrite) &&
      server_->aof_failing_shards.load(std::memory_order_relaxed) > 0) {
    // Redis's writeCommandsDeniedByDiskError: while the AOF cannot be written, writes are
    // refused (nothing is acknowledged that the log does not hold); reads go on.
    ++cmdstats_[spec->id].rejected_calls;
    ReplyError(c, std::string("MISCONF Errors writing to the AOF file: ") +
                      strerror(server_->aof_last_errno.load(std::memory_order_relaxed)));
    if (!c.out.empty()) MarkDirty(&c);
    return;
  }
  c.last_cmd = spec->name;
  ++cmdstats_[spec->id].calls;

  if (spec->has_keys() && spec->on_shard) {
    key_pos_.clear();
    bool keys_ok;
    if (spec->first_key == spec->last_key && !spec->get_keys) {
      // One key at a fixed position (GET, SET, INCR, ...): the common case, no range walk.
      keys_ok = static_cast<size_t>(spec->first_key) < args.size();
      if (keys_ok) key_pos_.push_back(spec->first_key);
    } else {
      keys_ok = CommandRegistry::KeyPositions(*spec, args, &key_pos_);
    }
    if (keys_ok && !key_pos_.empty()) {
      uint16_t nshards = server_->num_shards();
      uint16_t target = nshards <= 1 ? 0 : server_->slots.ShardOf(args[key_pos_[0]]);
      bool single = true;
      for (size_t i = 1; i < key_pos_.size() && nshards > 1; ++i) {
        if (server_->slots.ShardOf(args[key_pos_[i]]) != target) {
          single = false;
          break;
        }
      }
      if (single) {
        if (target == id_ && lock_tx_ != 0)
          DeferLocal(c, *spec, args);
        else if (target == id_)
          RunLocal(c, *spec, args);
        else
          SendRemote(c, *spec, args, target);
      } else if (spec->on_origin) {
        RunOrigin(c, *spec, args);
      } else {
        ReplyError(c, "CROSSSLOT Keys in request don't hash to the same slot");
      }
      if (!c.out.empty()) MarkDirty(&c);
      return;
    }
  }
  if (spec->on_origin)
    RunOrigin(c, *spec, args);
  else if (lock_tx_ != 0 && spec->has_keys())
    DeferLocal(c, *spec, args);
  else
    RunLocal(c, *spec, args);
  if (!c.out.empty()) MarkDirty(&c);
}

void Shard::DeferLocal(ClientState& c, const CommandSpec& spec, const ArgList& args) {
  // Same as a remote command to ourselves: it waits in deferred_ with its reply slot reserved.
  ReplySlot slot{&c, c.pending.Reserve(), c.proto};
  ++c.inflight;
  auto* t = new RemoteCommand(args, &spec, slot, c.db, c.flags);
  t->origin = id_;
  t->target = id_;
  Post(t);
}

void Shard::CountReply(const CommandSpec& spec, const std::string& buf, size_t from) {
  // An error reply (a top-level '-') counts as a failed call, as Redis's afterErrorReply.
  if (from < buf.size() && buf[from] == '-') {
    ++stats_.total_error_replies;
    ++cmdstats_[spec.id].failed_calls;
  }
}

void Shard::RunLocal(ClientState& c, const CommandSpec& spec, const ArgList& args) {
  if (c.pending.empty()) {
    size_t from = c.out.size();
    ReplyBuilder rb(&c.out, c.proto);
    CmdContext ctx{*this, *dbs_[c.db], c.db, args, rb, &c, c.flags, spec};
    RunHandler(ctx, c.out, from);
    CountReply(spec, c.out, from);
    return;
  }
  uint64_t seq = c.pending.Reserve();
  std::string& buf = c.pending.Buffer(seq);
  ReplyBuilder rb(&buf, c.proto);
  CmdContext ctx{*this, *dbs_[c.db], c.db, args, rb, &c, c.flags, spec};
  RunHandler(ctx, buf, 0);
  CountReply(spec, buf, 0);
  c.pending.Complete(seq);
  c.pending.Drain([&](std::string& b) { c.out.append(b); });
}

void Shard::RunOrigin(ClientState& c, const CommandSpec& spec, const ArgList& args) {
  if (c.pending.empty()) {
    size_t from = c.out.size();
    ReplyBuilder rb(&c.out, c.proto);
    CoordContext ctx{*this, c, args, spec, rb};
    uint64_t t0 = CommandClock::Now();
    spec.on_origin(ctx);
    cmdstats_[spec.id].ticks += CommandClock::Now() - t0;
    if (!ctx.deferred) CountReply(spec, c.out, from);
    return;
  }
  std::string scratch;
  ReplyBuilder rb(&scratch, c.proto);
  CoordContext ctx{*this, c, args, spec, rb};
  spec.on_origin(ctx);
  if (ctx.deferred) return;
  CountReply(spec, scratch, 0);
  uint64_t seq = c.pending.Reserve();
  c.pending.Buffer(seq) = std::move(scratch);
  c.pending.Complete(seq);
  c.pending.Drain([&](std::string& b) { c.out.append(b); });
}

void Shard::SendRemote(ClientState& c, const CommandSpec& spec, const ArgList& args,
                       uint16_t target) {
  ReplySlot slot{&c, c.pending.Reserve(), c.proto};
  ++c.inflight;
  auto* t = new RemoteCommand(args, &spec, slot, c.db, c.flags);
  t->origin = id_;
  t->target = target;
  Post(t);
}

void Shard::CompleteSlot(ReplySlot slot) {
  ClientState* c = slot.client;
  --c->inflight;
  if (c->barrier && c->barrier_seq == slot.seq) {
    c->barrier = false;
    MarkDirty(c);  // the network layer resumes parsing the client's buffered requests
  }
  if (c->closed) {
    if (c->inflight == 0 && net_) net_->ReleaseClient(c);
    return;
  }
  c->pending.Complete(slot.seq);
  c->pending.Drain([&](std::string& b) { c->out.append(b); });
  if (!c->out.empty()) MarkDirty(c);
}

void Shard::Post(Task* t) {
  if (t->target == id_) {
    RunTask(t);
    return;
  }
  outbox_[t->target].Push(t);
  ++outbox_pending_;
}

TaskList Shard::TakeOutbox(uint16_t target) {
  TaskList l = outbox_[target];
  outbox_[target].Clear();
  outbox_pending_ -= l.count;
  if (l.count) {
    ++stats_.cross_shard_batches;
    stats_.cross_shard_tasks += l.count;
  }
  return l;
}

void Shard::Receive(Task* head) {
  while (head) {
    Task* t = head;
    head = head->next;
    if (!t->returning) {
      RunTask(t);
    } else {
      t->CompleteOnOrigin(*this);
      delete t;
    }
  }
}

void Shard::RunTask(Task* t) {
  if (MustDefer(t->tx) || (!deferred_.empty() && t->tx != lock_tx_)) {
    deferred_.push_back(t);  // keeps arrival order behind what already waits
    return;
  }
  Execute(t);
}

void Shard::Execute(Task* t) {
  uint64_t appended = aof_ ? aof_->appended_bytes() : 0;
  t->RunOnTarget(*this);
  if (t->kept) return;  // whoever kept it calls ReturnTask (never from inside RunOnTarget)
  t->returning = true;
  if (t->origin == id_) {
    t->CompleteOnOrigin(*this);
    delete t;
  } else if (aof_ && aof_->latest_undurable() != 0 &&
             !(aof_->write_error != 0 && aof_->appended_bytes() == appended)) {
    // With the AOF on, the result (a reply, a lock, a part) goes home only once this shard's
    // log holds what the task did (written; fsynced under always) -- the origin cannot see
    // this shard's log. While the disk fails, a task that logged nothing (a read, a lock)
    // goes home at once, as local replies do: reads keep working, writes get -MISCONF.
    parked_.push_back({aof_->latest_undurable(), t});
  } else {
    SendHome(t);
  }
}

void Shard::LogTo(int fd, std::string name, uint64_t size) {
  if (!aof_) {
    aof_ = std::make_unique<aof::ShardLog>();
    aof_->set_policy(aof::ParseFsyncPolicy(config().GetValueOr("appendfsync")));
  }
  aof_->SwitchFile(fd, std::move(name), size);
}

void Shard::SendHome(Task* t) {
  outbox_[t->origin].Push(t);
  ++outbox_pending_;
}

void Shard::ReturnTask(Task* t) {
  t->kept = false;
  t->returning = true;
  if (t->origin == id_) {
    t->CompleteOnOrigin(*this);
    delete t;
    return;
  }
  SendHome(t);
}

void Shard::ReleaseParked(uint64_t durable_id) {
  while (!parked_.empty() && parked_.front().first <= durable_id) {
    Task* t = parked_.front().second;
    parked_.pop_front();
    SendHome(t);
  }
}

void Shard::ReleaseLock(uint64_t tx) {
  if (lock_tx_ != tx) return;
  lock_tx_ = 0;
  while (!deferred_.empty() && !MustDefer(deferred_.front()->tx)) {
    Task* t = deferred_.front();
    deferred_.pop_front();
    Execute(t);  // may be a lock task that takes the shard for its operation
  }
}

uint64_t Shard::NewTxId() {
  // Unique across shards: shard id in the low bits.
  return (++tx_counter_ << 12) | id_ | (uint64_t{1} << 63);
}

void Shard::PropagateValue(int db, std::string_view key, const Value& v, int64_t expire_ms,
                           bool replace) {
  ++stats_.dirty;
  if (!aof_) return;
  aof::EmitValue(key, v, expire_ms, replace,
                 [&](const std::vector<std::string_view>& args) { aof_->Append(db, args); });
}

void Shard::PropagateKeyState(int db, std::string_view key) {
  if (Entry* e = dbs_[db]->FindRaw(key))
    PropagateValue(db, key, e->value, e->expire_at_ms, /*replace=*/true);
  else
    Propagate(db, {"DEL", key});
}

void Shard::StartSnapshot(std::shared_ptr<SnapshotJob> job) {
  snapshot_ = std::make_shared<ShardSnapshot>(*this, std::move(job));
  uint64_t keys = 0;
  for (auto& d : dbs_) {
    d->set_snapshot(snapshot_.get());
    keys += d->size();
  }
  server_->persist.save_keys_total.fetch_add(keys, std::memory_order_relaxed);
  stats_.dirty_at_cut = stats_.dirty;
}

bool Shard::SnapshotStep(size_t budget) {
  // Held here: shipping to ourselves (the coordinator) completes the chunk inline, and the
  // acknowledgement may drop snapshot_.
  std::shared_ptr<ShardSnapshot> snap = snapshot_;
  if (!snap) return false;
  bool did = snap->Step(budget);
  if (snap->scan_done())  // every entry is covered: the hooks have nothing left to do
    for (auto& d : dbs_)
      if (d->snapshot() == snap.get()) d->set_snapshot(nullptr);
  if (snap->finished() && snapshot_ == snap) snapshot_.reset();
  return did;
}

void Shard::SnapshotAcked() {
  if (snapshot_ && snapshot_->finished()) snapshot_.reset();
}

void Shard::AddClient(ClientState* c) { clients_[c->id] = c; }
void Shard::RemoveClient(ClientState* c) { clients_.erase(c->id); }

void Shard::Cron() {
  if (id_ == 0) PersistenceCron(*this);
  // Active expiry, Redis's slow cycle: up to 25% of a cron period, sampling 20 keys per loop
  // (more with active-expire-effort), stopping a db when <= 10% of the sample had expired.
  int effort = config().active_expire_effort.load(std::memory_order_relaxed) - 1;
  int hz = config().hz.load(std::memory_order_relaxed);
  if (hz <= 0) hz = 10;
  int keys_per_loop = 20 + 20 / 4 * effort;
  int stale = 10 - effort;
  int64_t budget_us = 1000000LL * (25 + 2 * effort) / hz / 100;
  int64_t deadline = MonoUs() + budget_us;
  int n = num_dbs();
  for (int i = 0; i < n; ++i) {
    Db& d = *dbs_[(expire_db_cursor_ + i) % n];
    d.Maintain();
    if (d.expires() == 0) continue;
    d.ActiveExpire(now_ms_, keys_per_loop, stale, deadline, &Shard::RandFn, this, &Shard::MonoUs);
    if (MonoUs() > deadline) {
      expire_db_cursor_ = (expire_db_cursor_ + i + 1) % n;
      break;
    }
  }
  // Idle clients (`timeout`).
  int timeout = config().timeout.load(std::memory_order_relaxed);
  if (timeout > 0 && net_) {
    std::vector<ClientState*> idle;
    for (auto& [id, c] : clients_)
      if (now_ms_ - c->last_interaction_ms > int64_t{timeout} * 1000 && c->pending.empty())
        idle.push_back(c);
    for (ClientState* c : idle) net_->CloseClient(c);
  }
}

}  // namespace kevy
