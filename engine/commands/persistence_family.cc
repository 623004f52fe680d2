// SAVE BGSAVE BGREWRITEAOF LASTSAVE, and the schedulers behind them: `save` points,
// auto-aof-rewrite-percentage / -min-size, BGSAVE SCHEDULE and a rewrite scheduled while a
// save runs. Both kinds of job are fork-less snapshots (engine/snapshot.h) taken at one cut
// across every shard; one runs at a time.
#include <unistd.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "engine/commands/family_util.h"
#include "engine/fanout.h"
#include "engine/log.h"
#include "engine/shard_lock.h"
#include "engine/snapshot.h"
#include "persist/aof_manager.h"

namespace kevy {

namespace {

struct Nothing {};

ServerState::Persistence& P(Shard& s) { return s.server().persist; }

bool JobRunning(Shard& s) {
  return P(s).bgsave_in_progress.load() || P(s).rewrite_in_progress.load();
}

using Waiter = std::function<void(Shard& coordinator, bool ok, const std::string& error)>;

// Every shard's `dirty` as of the cut becomes its saved mark (rdb_changes_since_last_save).
// `then(o)` runs once every shard has its mark.
template <class Then>
void MarkSaved(Shard& o, Then then) {
  FanOut<Nothing>(
      o, AllShards(o), [](Shard& s, size_t, Nothing&) { s.stats().dirty_saved = s.stats().dirty_at_cut; },
      [then](Shard& o2, std::vector<Nothing>&) { then(o2); });
}

// appendonly as configured: yes means the shards should be logging (Redis's aof_state is ON
// or WAIT_REWRITE).
bool AofWanted(const Shard& s) { return s.config().GetValueOr("appendonly") == "yes"; }

void StartShards(Shard& o, std::shared_ptr<SnapshotJob> job,
                 std::shared_ptr<std::vector<aof::NewFile>> files,
                 const std::vector<uint16_t>& shards, uint64_t tx);

// Locks every shard, starts the job on each at the same cut, unlocks. A rewrite with
// appendonly yes first moves every shard to new incr files (opening the logs when the AOF is
// being turned on), whose first sequence number it records.
void StartJob(Shard& origin, std::shared_ptr<SnapshotJob> job) {
  std::vector<uint16_t> shards = AllShards(origin);
  LockShards(origin, shards, [job, shards](Shard& o, uint64_t tx) {
    std::shared_ptr<std::vector<aof::NewFile>> files;
    if (job->kind == SnapshotJob::Kind::kRewrite && job->rewrite_logging) {
      auto got = o.server().AofDir().NewEpoch(static_cast<int>(shards.size()), "");
      if (!got.ok()) {
        Log(LogLevel::kWarning, "Can't rewrite the append only file: %s", got.status().message());
        UnlockShards(o, shards, tx);
        job->Fail(std::string(got.status().message()));
        job->on_done(o, false, job->error);
        return;
      }
      job->rewrite_first_incr = (*got)[0].seq;
      files = std::make_shared<std::vector<aof::NewFile>>(std::move(*got));
    }
    // The databases' sizes at the cut head the RDB (SELECTDB + RESIZEDB, as Redis writes),
    // so that a loader -- kevy's or Redis's -- sizes its tables once.
    using Sizes = std::vector<std::pair<uint64_t, uint64_t>>;  // per db: keys, keys with a TTL
    FanOut<Sizes>(
        o, shards,
        [](Shard& s, size_t, Sizes& out) {
          for (int d = 0; d < s.num_dbs(); ++d) out.emplace_back(s.db(d).size(), s.db(d).expires());
        },
        [job, files, shards, tx](Shard& o2, std::vector<Sizes>& parts) {
          if (job->format == SnapshotFormat::kRdb && !parts.empty()) {
            for (size_t d = 0; d < parts[0].size(); ++d) {
              uint64_t keys = 0, expires = 0;
              for (const Sizes& p : parts) {
                keys += p[d].first;
                expires += p[d].second;
              }
              if (keys) job->writer.SelectDb(static_cast<int>(d), keys, expires);
            }
          }
          StartShards(o2, job, files, shards, tx);
        },
        tx);
  });
}

void StartShards(Shard& o, std::shared_ptr<SnapshotJob> job,
                 std::shared_ptr<std::vector<aof::NewFile>> files,
                 const std::vector<uint16_t>& shards, uint64_t tx) {
  FanOut<Nothing>(
      o, shards,
      [job, files](Shard& s, size_t i, Nothing&) {
        if (files) s.LogTo((*files)[i].fd, (*files)[i].name, (*files)[i].size);
        s.StartSnapshot(job);
      },
      [shards, tx, files](Shard& o2, std::vector<Nothing>&) {
        if (files) o2.server().aof.store(&o2.server().AofDir());  // logging from the cut on
        UnlockShards(o2, shards, tx);
      },
      tx);
}

// CONFIG SET appendonly no: every shard stops appending at one cut; what was appended is
// still written, fsynced and closed (Redis's stopAppendOnly). The directory keeps the files
// as they are then.
void StopAof(Shard& origin) {
  if (P(origin).aof_stopping) return;
  P(origin).aof_stopping = true;
  std::vector<uint16_t> shards = AllShards(origin);
  LockShards(origin, shards, [shards](Shard& o, uint64_t tx) {
    FanOut<Nothing>(
        o, shards,
        [](Shard& s, size_t, Nothing&) {
          if (s.aof()) s.aof()->Close();
        },
        [shards, tx](Shard& o2, std::vector<Nothing>&) {
          ServerState& srv = o2.server();
          aof::AofManager* mgr = srv.aof.exchange(nullptr);
          // Pending files (turned on, then off before a base existed) are dropped -- by the
          // rewrite when one runs, else here.
          if (mgr && mgr->pending() && !srv.persist.rewrite_in_progress.load()) mgr->AbandonPending();
          srv.persist.rewrite_scheduled = false;
          UnlockShards(o2, shards, tx);
          Log(LogLevel::kNotice, "Append only file turned off");
          srv.persist.aof_stopping = false;
        },
        tx);
  });
}

std::shared_ptr<SnapshotJob> NewJob(Shard& o, SnapshotJob::Kind kind) {
  auto job = std::make_shared<SnapshotJob>();
  job->kind = kind;
  job->epoch = P(o).next_epoch.fetch_add(1);
  job->coordinator = o.id();
  job->nshards = o.server().num_shards();
  job->rdb = RdbOptions::FromConfig(o.config());
  job->start_ms = Shard::WallMs();
  P(o).save_keys_total = 0;  // each shard adds its keys at the cut
  P(o).save_keys_processed = 0;
  return job;
}

// BGSAVE / SAVE. `waiter` (SAVE) hears the outcome.
bool StartSave(Shard& o, Waiter waiter, std::string* err) {
  auto job = NewJob(o, SnapshotJob::Kind::kSave);
  job->format = SnapshotFormat::kRdb;
  job->final_path = o.config().GetValueOr("dbfilename");
  job->tmp_path = "temp-" + std::to_string(getpid()) + "-" + std::to_string(job->epoch) + ".rdb";
  if (!job->Open()) {
    *err = job->error;
    Log(LogLevel::kWarning, "%s", job->error);
    P(o).last_bgsave_ok = false;
    return false;
  }
  P(o).bgsave_in_progress = true;
  P(o).bgsave_start_ms = job->start_ms;
  P(o).last_bgsave_try_ms = job->start_ms;
  Log(LogLevel::kNotice, "Background saving started");
  job->on_done = [waiter](Shard& c, bool ok, const std::string& error) {
    // The save counts as finished (INFO rdb_bgsave_in_progress:0, SAVE's reply) only once
    // every shard's changes-since-save mark moved to the cut.
    auto finish = [waiter, ok, error](Shard& c2) {
      P(c2).bgsave_in_progress = false;
      if (waiter) waiter(c2, ok, error);
    };
    auto& p = P(c);
    int64_t now = Shard::WallMs();
    p.last_bgsave_time_sec = (now - p.bgsave_start_ms.load()) / 1000;
    p.last_bgsave_ok = ok;
    if (ok) {
      ++p.rdb_saves;
      c.server().lastsave_s = now / 1000;
      Log(LogLevel::kNotice, "Background saving terminated with success");
      MarkSaved(c, finish);
    } else {
      Log(LogLevel::kWarning, "Background saving error: %s", error);
      finish(c);
    }
  };
  StartJob(o, job);
  return true;
}

// BGREWRITEAOF: a new base (RDB, or AOF commands without the preamble) of the keyspace at the
// cut, then the manifest swaps the old base and incr files for it. With appendonly no the
// manifest lists the base alone (as Redis's); with appendonly yes but the AOF not logging yet
// (just turned on) the rewrite also starts the logging, and its base makes the AOF whole.
bool StartRewrite(Shard& o, std::string* err) {
  ServerState& srv = o.server();
  aof::AofManager& mgr = srv.AofDir();
  if (absl::Status st = mgr.EnsureOpen(); !st.ok()) {
    *err = std::string(st.message());
    Log(LogLevel::kWarning, "Can't rewrite the append only file: %s", *err);
    P(o).last_rewrite_ok = false;
    return false;
  }
  auto job = NewJob(o, SnapshotJob::Kind::kRewrite);
  job->rewrite_logging = AofWanted(o);
  if (!job->rewrite_logging) job->rewrite_first_incr = aof::AofManager::kNoIncr;
  if (job->rewrite_logging && !srv.aof.load()) mgr.BeginPending();
  bool rdb = o.config().GetValueOr("aof-use-rdb-preamble") != "no";
  job->format = rdb ? SnapshotFormat::kRdb : SnapshotFormat::kAof;
  std::string base = mgr.NextBaseName(rdb);
  job->final_path = mgr.PathOf(base);
  job->tmp_path = mgr.PathOf("temp-rewriteaof-bg-" + std::to_string(getpid()) + ".aof");
  if (!job->Open()) {
    *err = job->error;
    P(o).last_rewrite_ok = false;
    return false;
  }
  P(o).rewrite_in_progress = true;
  P(o).rewrite_scheduled = false;
  P(o).rewrite_start_ms = job->start_ms;
  Log(LogLevel::kNotice, "Background append only file rewriting started");
  job->on_done = [&mgr, base, job_ptr = job.get()](Shard& c, bool ok, const std::string& error) {
    auto& p = P(c);
    std::string why = error;
    if (job_ptr->rewrite_logging && !c.server().aof.load()) {
      // appendonly was turned off meanwhile: the rewrite is dropped, as Redis kills its child.
      if (ok) unlink(mgr.PathOf(base).c_str());
      if (mgr.pending()) mgr.AbandonPending();
      p.rewrite_in_progress = false;
      Log(LogLevel::kNotice, "Background AOF rewrite dropped: appendonly was turned off");
      return;
    }
    if (ok) {
      absl::Status st = mgr.FinishRewrite(base, job_ptr->rewrite_first_incr);
      if (!st.ok()) {
        ok = false;
        why = std::string(st.message());
        unlink(mgr.PathOf(base).c_str());
      }
    }
    int64_t now = Shard::WallMs();
    p.last_rewrite_time_sec = (now - p.rewrite_start_ms.load()) / 1000;
    p.last_rewrite_ok = ok;
    p.rewrite_in_progress = false;
    if (ok) {
      ++p.aof_rewrites;
      p.rewrite_failures = 0;
      Log(LogLevel::kNotice, "Background AOF rewrite finished successfully");
    } else {
      uint64_t failures = ++p.rewrite_failures;
      Log(LogLevel::kWarning, "Background AOF rewrite failed: %s", why);
      if (mgr.pending()) {
        // The AOF being turned on has no base yet: try again, backing off after three
        // failures in a row as Redis's aofRewriteLimited (1 minute, doubling, up to an hour).
        int64_t delay_s =
            failures < 3 ? 0 : std::min<int64_t>(60LL << std::min<uint64_t>(failures - 3, 6), 3600);
        p.rewrite_retry_at_ms = now + delay_s * 1000;
        p.rewrite_scheduled = true;
      }
    }
  };
  StartJob(o, job);
  return true;
}

void CmdBgSave(CoordContext& ctx) {
  bool schedule = false;
  if (ctx.args.size() > 1) {
    if (ctx.args.size() == 2 && EqualsNoCase(ctx.args[1], "schedule"))
      schedule = true;
    else
      return ctx.reply.Error(errors::kSyntax);
  }
  auto& p = P(ctx.shard);
  if (p.bgsave_in_progress) return ctx.reply.Error("ERR Background save already in progress");
  if (p.rewrite_in_progress) {
    if (!schedule)
      return ctx.reply.Error(
          "ERR An AOF log rewriting in progress: can't BGSAVE right now. Use BGSAVE SCHEDULE in "
          "order to schedule a BGSAVE whenever possible.");
    p.bgsave_scheduled = true;
    return ctx.reply.SimpleString("Background saving scheduled");
  }
  std::string err;
  if (!StartSave(ctx.shard, nullptr, &err)) return ctx.reply.Error("ERR " + err);
  ctx.reply.SimpleString("Background saving started");
}

void CmdSave(CoordContext& ctx) {
  auto& p = P(ctx.shard);
  if (p.bgsave_in_progress) return ctx.reply.Error("ERR Background save already in progress");
  if (p.rewrite_in_progress)
    return ctx.reply.Error("ERR Background append only file rewriting in progress");
  ReplySlot slot = ctx.Defer(/*barrier=*/true);
  std::string err;
  bool started = StartSave(
      ctx.shard,
      [slot](Shard& c, bool ok, const std::string&) {
        // The coordinator is the client's shard (the job started there).
        c.Finish(slot, [ok](ReplyBuilder& rb) {
          if (ok)
            rb.Ok();
          else
            rb.Error("ERR");
        });
      },
      &err);
  if (!started) ctx.shard.Finish(slot, [&](ReplyBuilder& rb) { rb.Error("ERR " + err); });
}

void CmdBgRewriteAof(CoordContext& ctx) {
  auto& p = P(ctx.shard);
  if (p.rewrite_in_progress)
    return ctx.reply.Error("ERR Background append only file rewriting already in progress");
  if (p.bgsave_in_progress) {
    p.rewrite_scheduled = true;
    return ctx.reply.SimpleString("Background append only file rewriting scheduled");
  }
  std::string err;
  if (!StartRewrite(ctx.shard, &err)) return ctx.reply.Error("ERR " + err);
  ctx.reply.SimpleString("Background append only file rewriting started");
}

void CmdLastSave(CoordContext& ctx) {
  int64_t t = ctx.shard.server().lastsave_s.load();
  if (t == 0) t = ctx.shard.server().start_ms / 1000;
  ctx.reply.Integer(t);
}

// `save` points: "seconds changes" pairs.
std::vector<std::pair<int64_t, int64_t>> SavePoints(const Config& c) {
  std::vector<std::pair<int64_t, int64_t>> out;
  auto words = SplitArgs(c.GetValueOr("save"));
  if (!words) return out;
  for (size_t i = 0; i + 1 < words->size(); i += 2) {
    int64_t s, n;
    if (ParseInt64((*words)[i], &s) && ParseInt64((*words)[i + 1], &n)) out.emplace_back(s, n);
  }
  return out;
}

int64_t last_check_ms = 0;  // shard 0's thread only

}  // namespace

// DEBUG RELOAD, as Redis's: save dump.rdb, empty every database, load the file back.
// The file is parsed on this (the coordinator's) thread into one batch per shard; the shards
// then swap their contents for it with all of them locked.
void DebugReload(CoordContext& ctx) {
  if (JobRunning(ctx.shard)) return ctx.reply.Error("ERR Background save already in progress");
  ReplySlot slot = ctx.Defer(/*barrier=*/true);
  std::string err;
  bool started = StartSave(
      ctx.shard,
      [slot](Shard& c, bool ok, const std::string& error) {
        if (!ok) return c.Finish(slot, [&](ReplyBuilder& rb) { rb.Error("ERR " + error); });
        using Batch = std::vector<RdbLoadedKey>;
        auto batches = std::make_shared<std::vector<Batch>>(c.server().num_shards());
        RdbLoader loader(RdbOptions::FromConfig(c.config()));
        const ServerState& srv = c.server();
        absl::Status st = loader.LoadFile(
            c.config().GetValueOr("dbfilename"), [&](RdbLoadedKey&& k) -> absl::Status {
              if (k.db < 0 || k.db >= c.num_dbs()) return absl::OutOfRangeError("bad db");
              (*batches)[srv.slots.ShardOf(k.key)].push_back(std::move(k));
              return absl::OkStatus();
            });
        if (!st.ok())
          return c.Finish(slot, [&](ReplyBuilder& rb) {
            rb.Error("ERR Error trying to load the RDB dump: " + std::string(st.message()));
          });
        std::vector<uint16_t> shards = AllShards(c);
        LockShards(c, shards, [batches, shards, slot](Shard& o, uint64_t tx) {
          FanOut<Nothing>(
              o, shards,
              [batches](Shard& s, size_t i, Nothing&) {
                for (int d = 0; d < s.num_dbs(); ++d) s.db(d).Clear();
                for (RdbLoadedKey& k : (*batches)[i])
                  s.db(k.db).InsertLoaded(k.key, std::move(k.value), k.expire_ms, k.lru_idle,
                                          s.now_ms());
                (*batches)[i].clear();
              },
              [shards, slot, tx](Shard& o2, std::vector<Nothing>&) {
                UnlockShards(o2, shards, tx);
                o2.Finish(slot, [](ReplyBuilder& rb) { rb.Ok(); });
              },
              tx);
        });
      },
      &err);
  if (!started) ctx.shard.Finish(slot, [&](ReplyBuilder& rb) { rb.Error("ERR " + err); });
}

// Called by shard 0's cron.
void PersistenceCron(Shard& s) {
  if (s.server().loading.load(std::memory_order_relaxed)) return;
  auto& p = P(s);
  int64_t now = s.now_ms();
  p.deny_writes_rdb = !p.last_bgsave_ok.load() &&
                      s.config().GetValueOr("stop-writes-on-bgsave-error") == "yes" &&
                      !SavePoints(s.config()).empty();
  // appendonly as configured against what the shards do (CONFIG SET appendonly).
  bool want = AofWanted(s);
  aof::AofManager* logging = s.server().aof.load();
  if (!want && logging) return StopAof(s);
  if (want && !logging && !p.rewrite_in_progress) p.rewrite_scheduled = true;
  if (!JobRunning(s)) {
    std::string err;
    if (p.rewrite_scheduled && now >= p.rewrite_retry_at_ms.load()) {
      StartRewrite(s, &err);
      return;
    }
    if (p.bgsave_scheduled) {
      p.bgsave_scheduled = false;
      StartSave(s, nullptr, &err);
      return;
    }
  }
  if (now - last_check_ms < 1000 || JobRunning(s)) return;
  last_check_ms = now;
  // auto-aof-rewrite-percentage / -min-size, as Redis's serverCron.
  if (aof::AofManager* mgr = logging; mgr && !mgr->pending()) {
    int64_t perc = 0, min = 0;
    ParseInt64(s.config().GetValueOr("auto-aof-rewrite-percentage"), &perc);
    ParseInt64(s.config().GetValueOr("auto-aof-rewrite-min-size"), &min);
    uint64_t cur = mgr->CurrentSize();
    uint64_t base = std::max<uint64_t>(1, mgr->rewrite_base_size());
    if (perc > 0 && static_cast<int64_t>(cur) > min &&
        static_cast<int64_t>((cur * 100 / base) - 100) >= perc) {
      Log(LogLevel::kNotice, "Starting automatic rewriting of AOF on %lld%% growth",
          static_cast<long long>((cur * 100 / base) - 100));
      std::string err;
      StartRewrite(s, &err);
      return;
    }
  }
  // save points: the changes since the last save are summed over the shards first.
  auto points = SavePoints(s.config());
  if (points.empty()) return;
  FanOut<uint64_t>(
      s, AllShards(s),
      [](Shard& t, size_t, uint64_t& changes) { changes = t.stats().dirty - t.stats().dirty_saved; },
      [points](Shard& o, std::vector<uint64_t>& parts) {
        uint64_t changes = 0;
        for (uint64_t c : parts) changes += c;
        auto& pp = P(o);
        if (JobRunning(o)) return;
        int64_t now_ms = Shard::WallMs();
        int64_t lastsave = o.server().lastsave_s.load();
        if (lastsave == 0) lastsave = o.server().start_ms / 1000;
        // After a failed save, retry only every 5 seconds (CONFIG_BGSAVE_RETRY_DELAY).
        if (!pp.last_bgsave_ok && now_ms - pp.last_bgsave_try_ms.load() < 5000) return;
        for (auto [secs, n] : points) {
          if (changes >= static_cast<uint64_t>(n) && now_ms / 1000 - lastsave > secs) {
            Log(LogLevel::kNotice, "%lld changes in %lld seconds. Saving...",
                static_cast<long long>(n), static_cast<long long>(secs));
            std::string err;
            StartSave(o, nullptr, &err);
            return;
          }
        }
      });
}

void RegisterPersistenceFamily(CommandRegistry& r) {
  auto row = [](std::string name, int arity, uint32_t flags, OriginHandler h, std::string since,
                std::string summary, std::string complexity, std::string acl) {
    CommandSpec s = KeyedRow(std::move(name), arity, flags, 0, 0, 0, "server", std::move(since),
                             std::move(summary), std::move(complexity), std::move(acl));
    s.on_origin = h;
    return s;
  };
  constexpr uint32_t A = kCmdAdmin, N = kCmdNoscript | kCmdNoAsyncLoading, Nm = kCmdNoMulti;
  r.Add(row("save", 1, A | N | Nm, CmdSave, "1.0.0", "Synchronously save the dataset to disk",
            "O(N) where N is the total number of keys in all databases", "admin slow dangerous"));
  r.Add(row("bgsave", -1, A | N, CmdBgSave, "1.0.0", "Asynchronously save the dataset to disk",
            "O(1)", "admin slow dangerous"));
  r.Add(row("bgrewriteaof", 1, A | N, CmdBgRewriteAof, "1.0.0",
            "Asynchronously rewrite the append-only file", "O(1)", "admin slow dangerous"));
  r.Add(row("lastsave", 1, kCmdLoading | kCmdStale | kCmdFast, CmdLastSave, "1.0.0",
            "Get the UNIX time stamp of the last successful save to disk", "O(1)",
            "admin fast dangerous"));
}

}  // namespace kevy
