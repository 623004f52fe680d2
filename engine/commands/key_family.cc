// The keyspace and expiry commands (Redis's "generic" group, plus DBSIZE/FLUSH*/SWAPDB):
// DEL UNLINK EXISTS TOUCH TYPE KEYS SCAN RANDOMKEY DBSIZE FLUSHDB FLUSHALL RENAME RENAMENX
// COPY MOVE SWAPDB OBJECT EXPIRE PEXPIRE EXPIREAT PEXPIREAT TTL PTTL EXPIRETIME PEXPIRETIME
// PERSIST.
//
// Commands whose keys all live on one shard run there (on_shard). Multi-key commands whose
// keys span shards, and keyless commands that see the whole keyspace, run on the client's
// shard (on_origin) and fan out: one op per shard, reduced with engine/agg. RENAME and COPY
// across shards move an Entry (or a fresh copy of one) from the source shard to the
// destination shard with both shards locked (engine/shard_lock.h); see RenameAcross and
// CmdCopyAcross.
#include <cctype>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/agg/agg.h"
#include "engine/client.h"
#include "engine/command.h"
#include "engine/commands/family_util.h"
#include "engine/db.h"
#include "engine/fanout.h"
#include "engine/shard.h"
#include "engine/shard_lock.h"
#include "engine/util.h"
#include "engine/value.h"
#include "engine/log.h"
#include "persist/aof_manager.h"
#include "persist/aof_reader.h"
#include "resp/errors.h"

namespace kevy {

namespace {

// --- lookups, as Redis's lookupKey* ---

// The LRU clock in seconds, as Db keeps Entry::access_s.
uint32_t LruSeconds(int64_t now_ms) { return static_cast<uint32_t>(now_ms / 1000); }

bool MayTouch(uint32_t client_flags) { return !(client_flags & kClientNoTouch); }

// Read lookups (lazy expiry, hit/miss statistics) are family_util.h's LookupRead.

// A write lookup: lazy expiry, no statistics (Redis's lookupKeyWrite).
Entry* LookupWrite(Shard& shard, Db& db, std::string_view key, uint32_t client_flags) {
  return db.Find(key, shard.now_ms(), MayTouch(client_flags));
}

// Redis's getIntFromObjectOrReply: an int64 in string2ll form that must fit an int.
// `not_int` replaces the default "not an integer" text when given (SWAPDB does).
bool ParseIntArg(std::string_view s, int* out, std::string_view* err,
                 std::string_view not_int = errors::kNotInteger) {
  int64_t v;
  if (!ParseInt64(s, &v)) {
    *err = not_int;
    return false;
  }
  if (v < INT_MIN || v > INT_MAX) {
    *err = not_int == errors::kNotInteger ? errors::kIntOutOfRange : not_int;
    return false;
  }
  *out = static_cast<int>(v);
  return true;
}

// Redis's selectDb range check.
bool ValidDb(const Shard& shard, int db) { return db >= 0 && db < shard.num_dbs(); }

// The part of a FanOut that carries nothing but completion.
struct Nothing {};
// A yes/no part. Not a plain bool: std::vector<bool> packs bits, and parts are written by
// different shard threads at the same time.
struct Flag {
  bool set = false;
};

// One shard for the key.
uint16_t OwnerOf(const Shard& s, std::string_view key) { return s.server().slots.ShardOf(key); }

// --- DEL UNLINK EXISTS TOUCH ---

enum class KeysOp : uint8_t { kDel, kExists, kTouch };

// Applies `op` to one key on its owning shard; returns what it adds to the reply's count.
int64_t ApplyKeysOp(Shard& shard, Db& db, KeysOp op, std::string_view key) {
  switch (op) {
    case KeysOp::kDel:
      return db.Erase(key, shard.now_ms()) ? 1 : 0;
    case KeysOp::kExists:
      return LookupRead(shard, db, key, false) ? 1 : 0;
    case KeysOp::kTouch:
      // TOUCH touches even for a CLIENT NO-TOUCH client: that is its whole point.
      return LookupRead(shard, db, key, true) ? 1 : 0;
  }
  return 0;
}

template <KeysOp kOp>
void KeysOnShard(CmdContext& ctx) {
  int64_t n = 0;
  for (size_t i = 1; i < ctx.args.size(); ++i)
    n += ApplyKeysOp(ctx.shard, ctx.db, kOp, ctx.args[i]);
  ctx.reply.Integer(n);
}

// The keys span shards: one op per shard with that shard's keys (duplicates included, so
// EXISTS counts them twice as Redis does), summed on the origin.
template <KeysOp kOp>
void KeysOnOrigin(CoordContext& ctx) {
  Shard& origin = ctx.shard;
  agg::ShardSplit split(origin.server().num_shards());
  for (size_t i = 1; i < ctx.args.size(); ++i) split.Add(OwnerOf(origin, ctx.args[i]), i);
  std::vector<uint16_t> targets;
  std::vector<std::vector<std::string>> keys;
  for (size_t s : split.Shards()) {
    targets.push_back(static_cast<uint16_t>(s));
    auto& part_keys = keys.emplace_back();
    for (size_t pos : split.Positions(s)) part_keys.emplace_back(ctx.args[pos]);
  }
  int db = ctx.client.db;
  ReplySlot slot = ctx.Defer();
  FanOut<agg::SumInt>(
      origin, targets,
      [keys = std::move(keys), db](Shard& s, size_t i, agg::SumInt& part) {
        std::vector<std::string_view> deleted{"DEL"};
        for (const auto& k : keys[i]) {
          int64_t n = ApplyKeysOp(s, s.db(db), kOp, k);
          part.value += n;
          if (kOp == KeysOp::kDel && n) deleted.push_back(k);
        }
        if (deleted.size() > 1) s.Propagate(db, deleted);  // this shard's part of DEL/UNLINK
      },
      [slot](Shard& o, std::vector<agg::SumInt>& parts) {
        agg::Agg<agg::SumInt> sum(parts.size());
        for (auto& p : parts) sum.Add(p);
        o.Finish(slot, [&](ReplyBuilder& rb) { rb.Integer(sum.value().value); });
      });
}

// --- TYPE ---

void CmdType(CmdContext& ctx) {
  Entry* e = LookupRead(ctx.shard, ctx.db, ctx.args[1], false);
  ctx.reply.SimpleString(e ? TypeName(e->value.type) : "none");
}

// --- KEYS ---

void CmdKeys(CoordContext& ctx) {
  std::string pattern(ctx.args[1]);
  int db = ctx.client.db;
  ReplySlot slot = ctx.Defer();
  FanOut<agg::KeyCollect>(
      ctx.shard, AllShards(ctx.shard),
      [pattern, db](Shard& s, size_t, agg::KeyCollect& part) {
        bool all = pattern == "*";
        int64_t now = s.now_ms();
        Db& d = s.db(db);
        d.ForEach([&](const Entry* e) {
          if (d.IsExpired(e, now)) return;
          if (all || StringMatch(pattern, e->key)) part.keys.push_back(e->key);
        });
      },
      [slot](Shard& o, std::vector<agg::KeyCollect>& parts) {
        agg::Agg<agg::KeyCollect> all(parts.size());
        for (auto& p : parts) all.Add(std::move(p));
        o.Finish(slot, [&](ReplyBuilder& rb) {
          rb.ArrayHeader(all.value().keys.size());
          for (const auto& k : all.value().keys) rb.Bulk(k);
        });
      });
}

// --- SCAN ---
//
// The cursor is (table_cursor << shard_bits) | shard: each call scans one shard's table from
// its cursor; when that table's scan ends the cursor moves to the next shard at table cursor
// 0, and reads 0 once the last shard is done. Every key present for the whole iteration is
// returned at least once, as Redis promises, because each table keeps dictScan's guarantee.

int ShardBits(size_t num_shards) {
  int bits = 0;
  while ((size_t{1} << bits) < num_shards) ++bits;
  return bits;
}

struct ScanPart {
  uint64_t next = 0;  // the shard's table cursor after this step
  std::vector<std::string> keys;
};

void CmdScan(CoordContext& ctx) {
  uint64_t cursor;
  if (!ParseScanCursorArg(ctx.args[1], &cursor)) {
    ctx.reply.Error(errors::kInvalidCursor);
    return;
  }
  ScanOptions opts;
  if (std::string_view err = ParseScanOptions(ctx.args, 2, /*allow_type=*/true, &opts);
      !err.empty()) {
    ctx.reply.Error(err);
    return;
  }
  // Copies: the scan runs on another shard after this call's arguments are gone.
  const int64_t count = opts.count, max_steps_all = opts.MaxSteps();
  const std::string pattern(opts.pattern), type(opts.type);
  const bool use_pattern = opts.use_pattern, use_type = opts.use_type;

  size_t nshards = ctx.shard.server().num_shards();
  int bits = ShardBits(nshards);
  uint64_t shard = bits ? cursor & ((uint64_t{1} << bits) - 1) : 0;
  uint64_t table_cursor = cursor >> bits;
  if (shard >= nshards) {
    // Not a cursor we handed out: an empty, finished iteration.
    ctx.reply.ArrayHeader(2);
    ctx.reply.Bulk("0");
    ctx.reply.ArrayHeader(0);
    return;
  }
  int db = ctx.client.db;
  ReplySlot slot = ctx.Defer();
  FanOut<ScanPart>(
      ctx.shard, {static_cast<uint16_t>(shard)},
      [=](Shard& s, size_t, ScanPart& part) {
        Db& d = s.db(db);
        int64_t now = s.now_ms();
        // As Redis: step until COUNT keys were visited (before filtering) or the table ends,
        // with a bound on steps over empty buckets.
        int64_t visited = 0;
        int64_t max_steps = max_steps_all;
        uint64_t c = table_cursor;
        do {
          c = d.Scan(c, [&](const Entry* e) {
            ++visited;
            // Expired keys are skipped, not deleted: the table must not change under Scan.
            if (d.IsExpired(e, now)) return;
            if (use_pattern && !StringMatch(pattern, e->key)) return;
            if (use_type && !EqualsNoCase(type, TypeName(e->value.type))) return;
            part.keys.push_back(e->key);
          });
        } while (c && max_steps-- && visited < count);
        part.next = c;
      },
      [slot, shard, bits, nshards](Shard& o, std::vector<ScanPart>& parts) {
        ScanPart& p = parts[0];
        uint64_t next = 0;
        if (p.next != 0)
          next = (p.next << bits) | shard;
        else if (shard + 1 < nshards)
          next = shard + 1;  // table cursor 0 of the next shard
        o.Finish(slot, [&](ReplyBuilder& rb) {
          rb.ArrayHeader(2);
          rb.Bulk(std::to_string(next));
          rb.ArrayHeader(p.keys.size());
          for (const auto& k : p.keys) rb.Bulk(k);
        });
      });
}

// --- RANDOMKEY ---
//
// Phase 1 asks every shard for its key count; phase 2 takes a random key from a shard chosen
// with probability proportional to that count, so every key is equally likely. If that shard
// turned out empty (its keys expired meanwhile), start over a few times.

void RandomKeyRound(Shard& origin, ReplySlot slot, int db, int attempts_left);

void RandomKeyPick(Shard& origin, ReplySlot slot, int db, int attempts_left, uint16_t target) {
  FanOut<std::optional<std::string>>(
      origin, {target},
      [db](Shard& s, size_t, std::optional<std::string>& part) {
        Entry* e = s.db(db).RandomEntry(s.now_ms(), &Shard::RandFn, &s);
        if (e) part = e->key;
      },
      [slot, db, attempts_left](Shard& o, std::vector<std::optional<std::string>>& parts) {
        if (!parts[0] && attempts_left > 0) {
          RandomKeyRound(o, slot, db, attempts_left - 1);
          return;
        }
        o.Finish(slot, [&](ReplyBuilder& rb) {
          if (parts[0])
            rb.Bulk(*parts[0]);
          else
            rb.Null();
        });
      });
}

void RandomKeyRound(Shard& origin, ReplySlot slot, int db, int attempts_left) {
  FanOut<agg::SumInt>(
      origin, AllShards(origin),
      [db](Shard& s, size_t, agg::SumInt& part) {
        part.value = static_cast<int64_t>(s.db(db).size());
      },
      [slot, db, attempts_left](Shard& o, std::vector<agg::SumInt>& parts) {
        uint64_t total = 0;
        for (const auto& p : parts) total += static_cast<uint64_t>(p.value);
        if (total == 0) {
          o.Finish(slot, [](ReplyBuilder& rb) { rb.Null(); });
          return;
        }
        uint64_t pick = o.Rand() % total;
        uint16_t target = 0;
        for (size_t i = 0; i < parts.size(); ++i) {
          uint64_t n = static_cast<uint64_t>(parts[i].value);
          if (pick < n) {
            target = static_cast<uint16_t>(i);
            break;
          }
          pick -= n;
        }
        RandomKeyPick(o, slot, db, attempts_left, target);
      });
}

void CmdRandomKey(CoordContext& ctx) {
  int db = ctx.client.db;
  RandomKeyRound(ctx.shard, ctx.Defer(), db, 3);
}

// --- DBSIZE FLUSHDB FLUSHALL SWAPDB ---

void CmdDbSize(CoordContext& ctx) {
  int db = ctx.client.db;
  ReplySlot slot = ctx.Defer();
  FanOut<agg::SumInt>(
      ctx.shard, AllShards(ctx.shard),
      [db](Shard& s, size_t, agg::SumInt& part) {
        part.value = static_cast<int64_t>(s.db(db).size());
      },
      [slot](Shard& o, std::vector<agg::SumInt>& parts) {
        agg::Agg<agg::SumInt> sum(parts.size());
        for (auto& p : parts) sum.Add(p);
        o.Finish(slot, [&](ReplyBuilder& rb) { rb.Integer(sum.value().value); });
      });
}

// FLUSHDB/FLUSHALL [ASYNC|SYNC]. Both forms free synchronously here; the reply is the same.
bool ParseFlushFlags(CoordContext& ctx) {
  if (ctx.args.size() > 2 || (ctx.args.size() == 2 && !EqualsNoCase(ctx.args[1], "sync") &&
                              !EqualsNoCase(ctx.args[1], "async"))) {
    ctx.reply.Error(errors::kSyntax);
    return false;
  }
  return true;
}

// FLUSHALL, FLUSHDB and SWAPDB act on every shard's slice of the keyspace. They run with every
// shard locked, so no command lands between the shards' parts; with the AOF on they are also
// an epoch barrier (persist/aof_manager.h): every shard switches to a new incr file and the
// operation's own frame heads the first of them, so replaying the per-shard files one after
// another -- as kevy and Redis do -- applies it after every earlier write and before every
// later one.
template <class Op>
void GlobalOp(CoordContext& ctx, Op op, std::vector<std::string> frame) {
  std::vector<uint16_t> shards = AllShards(ctx.shard);
  int db = ctx.client.db;
  ReplySlot slot = ctx.Defer(/*barrier=*/true);
  LockShards(ctx.shard, shards, [=](Shard& o, uint64_t tx) {
    FanOut<Nothing>(
        o, shards, [op](Shard& s, size_t, Nothing&) { op(s); },
        [=](Shard& o2, std::vector<Nothing>&) {
          auto finish = [=](Shard& o3) {
            UnlockShards(o3, shards, tx);
            o3.Finish(slot, [](ReplyBuilder& rb) { rb.Ok(); });
          };
          aof::AofManager* mgr = o2.server().aof.load();
          if (!mgr) return finish(o2);
          std::string prelude;
          std::string dbs = std::to_string(db);
          aof::AppendFrame(&prelude, {"SELECT", dbs});
          aof::AppendFrame(&prelude, std::vector<std::string_view>(frame.begin(), frame.end()));
          auto files = mgr->NewEpoch(static_cast<int>(shards.size()), prelude);
          if (!files.ok()) {
            // The operation is done in memory but could not be logged: refuse writes
            // (MISCONF) until the AOF is rewritten, rather than diverge silently.
            Log(LogLevel::kWarning, "Can't switch the AOF to new files: %s",
                files.status().message());
            o2.server().aof_failing_shards.fetch_add(1, std::memory_order_relaxed);
            o2.server().aof_last_errno.store(EIO, std::memory_order_relaxed);
            return finish(o2);
          }
          auto shared = std::make_shared<std::vector<aof::NewFile>>(std::move(*files));
          FanOut<Nothing>(
              o2, shards,
              [shared](Shard& s, size_t i, Nothing&) {
                const aof::NewFile& f = (*shared)[i];
                s.aof()->SwitchFile(f.fd, f.name, f.size);
              },
              [finish](Shard& o3, std::vector<Nothing>&) { finish(o3); }, tx);
        },
        tx);
  });
}

void CmdFlushDb(CoordContext& ctx) {
  if (!ParseFlushFlags(ctx)) return;
  int db = ctx.client.db;
  GlobalOp(ctx, [db](Shard& s) { s.db(db).Clear(); }, {"FLUSHDB"});
}

void CmdFlushAll(CoordContext& ctx) {
  if (!ParseFlushFlags(ctx)) return;
  GlobalOp(
      ctx,
      [](Shard& s) {
        for (int i = 0; i < s.num_dbs(); ++i) s.db(i).Clear();
      },
      {"FLUSHALL"});
}

void CmdSwapDb(CoordContext& ctx) {
  int a, b;
  std::string_view err;
  if (!ParseIntArg(ctx.args[1], &a, &err, errors::kInvalidFirstDb) ||
      !ParseIntArg(ctx.args[2], &b, &err, errors::kInvalidSecondDb)) {
    ctx.reply.Error(err);
    return;
  }
  if (!ValidDb(ctx.shard, a) || !ValidDb(ctx.shard, b)) {
    ctx.reply.Error(errors::kOutOfRangeDb);
    return;
  }
  GlobalOp(
      ctx,
      [a, b](Shard& s) {
        if (a != b) s.SwapDbs(a, b);
      },
      {"SWAPDB", std::string(ctx.args[1]), std::string(ctx.args[2])});
}

// --- RENAME RENAMENX ---

// Gives a detached entry a new key (before Adopt()).
void Rekey(Entry* e, std::string_view key) {
  e->key.assign(key);
  e->hash = HashKey(key);
}

template <bool kNx>
void RenameOnShard(CmdContext& ctx) {
  std::string_view src = ctx.args[1], dst = ctx.args[2];
  Entry* e = LookupWrite(ctx.shard, ctx.db, src, ctx.client_flags);
  if (!e) {
    ctx.reply.Error(errors::kNoSuchKey);
    return;
  }
  if (src == dst) {
    if (kNx)
      ctx.reply.Integer(0);
    else
      ctx.reply.Ok();
    return;
  }
  if (Entry* old = LookupWrite(ctx.shard, ctx.db, dst, ctx.client_flags)) {
    if (kNx) {
      ctx.reply.Integer(0);
      return;
    }
    ctx.db.Erase(old);
  }
  // The entry moves whole: value, TTL and access clock (Redis re-adds the same object).
  ctx.db.Detach(e);
  Rekey(e, dst);
  ctx.db.Adopt(e);
  if (kNx)
    ctx.reply.Integer(1);
  else
    ctx.reply.Ok();
}

// What a cross-shard RENAME needs on every shard it visits; immutable once built.
struct RenamePlan {
  std::string src, dst;
  int db;
  bool nx;
  uint32_t client_flags;
  uint16_t src_shard, dst_shard;
};
using RenamePlanPtr = std::shared_ptr<const RenamePlan>;

void RenameReply(Shard& o, ReplySlot slot, const RenamePlan& plan, bool done) {
  o.Finish(slot, [&](ReplyBuilder& rb) {
    if (plan.nx)
      rb.Integer(done ? 1 : 0);
    else
      rb.Ok();
  });
}

// RENAME/RENAMENX with src and dst on different shards. Both shards are locked for the
// operation (engine/shard_lock.h), so no other client sees the key on neither shard or on
// both, nor writes dst between the check and the install:
//   1. check src (and dst, for NX) on their shards;
//   2. detach src's entry (value, TTL and access clock go with it);
//   3. install it under dst, replacing an old dst;
// then unlock and reply. The client's later requests wait for the reply (a barrier).
void RenameInstall(Shard& o, RenamePlanPtr plan, ReplySlot slot, uint64_t tx, Entry* e) {
  FanOut<Nothing>(
      o, {plan->dst_shard},
      [plan, e](Shard& s, size_t, Nothing&) {
        Db& d = s.db(plan->db);
        if (Entry* old = LookupWrite(s, d, plan->dst, plan->client_flags)) d.Erase(old);
        Rekey(e, plan->dst);
        d.Adopt(e);
        s.PropagateValue(plan->db, plan->dst, e->value, e->expire_at_ms, /*replace=*/true);
      },
      [plan, slot, tx](Shard& o2, std::vector<Nothing>&) {
        UnlockShards(o2, {plan->src_shard, plan->dst_shard}, tx);
        RenameReply(o2, slot, *plan, true);
      },
      tx);
}

template <bool kNx>
void RenameAcross(CoordContext& ctx) {
  auto plan = std::make_shared<RenamePlan>();
  plan->src.assign(ctx.args[1]);
  plan->dst.assign(ctx.args[2]);
  plan->db = ctx.client.db;
  plan->nx = kNx;
  plan->client_flags = ctx.client.flags;
  plan->src_shard = OwnerOf(ctx.shard, plan->src);
  plan->dst_shard = OwnerOf(ctx.shard, plan->dst);
  RenamePlanPtr cplan = std::move(plan);
  ReplySlot slot = ctx.Defer(/*barrier=*/true);
  LockShards(ctx.shard, {cplan->src_shard, cplan->dst_shard}, [cplan, slot](Shard& o,
                                                                            uint64_t tx) {
    auto fail = [cplan, slot, tx](Shard& o2, bool no_such_key) {
      UnlockShards(o2, {cplan->src_shard, cplan->dst_shard}, tx);
      o2.Finish(slot, [&](ReplyBuilder& rb) {
        if (no_such_key)
          rb.Error(errors::kNoSuchKey);
        else
          rb.Integer(0);
      });
    };
    FanOut<Flag>(
        o, {cplan->src_shard, cplan->dst_shard},
        [cplan](Shard& s, size_t i, Flag& exists) {
          if (i == 1 && !cplan->nx) return;  // RENAME replaces dst: no need to look
          exists.set = LookupWrite(s, s.db(cplan->db), i == 0 ? cplan->src : cplan->dst,
                                   cplan->client_flags) != nullptr;
        },
        [cplan, slot, tx, fail](Shard& o2, std::vector<Flag>& parts) {
          if (!parts[0].set) return fail(o2, true);
          if (cplan->nx && parts[1].set) return fail(o2, false);
          FanOut<Entry*>(
              o2, {cplan->src_shard},
              [cplan](Shard& s, size_t, Entry*& part) {
                Db& d = s.db(cplan->db);
                part = d.Detach(d.FindRaw(cplan->src));  // present: checked under the lock
                s.Propagate(cplan->db, {"DEL", cplan->src});
              },
              [cplan, slot, tx](Shard& o3, std::vector<Entry*>& got) {
                RenameInstall(o3, cplan, slot, tx, got[0]);
              },
              tx);
        },
        tx);
  });
}

// --- COPY ---

struct CopyOptions {
  int dst_db;
  bool replace = false;
};

// COPY src dst [DB n] [REPLACE], errors in Redis's order.
bool ParseCopyOptions(const ArgList& args, const Shard& shard, int client_db, CopyOptions* o,
                      std::string_view* err) {
  o->dst_db = client_db;
  for (size_t j = 3; j < args.size(); ++j) {
    size_t additional = args.size() - j - 1;
    if (EqualsNoCase(args[j], "replace")) {
      o->replace = true;
    } else if (EqualsNoCase(args[j], "db") && additional >= 1) {
      int db;
      if (!ParseIntArg(args[j + 1], &db, err)) return false;
      if (!ValidDb(shard, db)) {
        *err = errors::kOutOfRangeDb;
        return false;
      }
      o->dst_db = db;
      ++j;
    } else {
      *err = errors::kSyntax;
      return false;
    }
  }
  if (o->dst_db == client_db && args[1] == args[2]) {
    *err = errors::kSameObject;
    return false;
  }
  return true;
}

// A new entry with `src`'s value and TTL under `key`, not yet in any table.
Entry* CloneEntry(const Entry& src, std::string_view key, int64_t now_ms) {
  auto* e = new Entry;
  Rekey(e, key);
  e->value = src.value;
  e->expire_at_ms = src.expire_at_ms;
  e->access_s = LruSeconds(now_ms);
  return e;
}

// Installs a detached entry under its key in `d`: replaces an existing key when `replace`,
// else refuses (returns false, `e` still the caller's).
bool InstallEntry(Shard& s, Db& d, Entry* e, bool replace, uint32_t client_flags) {
  if (Entry* old = LookupWrite(s, d, e->key, client_flags)) {
    if (!replace) return false;
    d.Erase(old);
  }
  d.Adopt(e);
  return true;
}

void CmdCopyOnShard(CmdContext& ctx) {
  CopyOptions opt;
  std::string_view err;
  if (!ParseCopyOptions(ctx.args, ctx.shard, ctx.db_index, &opt, &err)) {
    ctx.reply.Error(err);
    return;
  }
  Entry* src = LookupRead(ctx.shard, ctx.db, ctx.args[1], MayTouch(ctx.client_flags));
  if (!src) {
    ctx.reply.Integer(0);
    return;
  }
  Entry* e = CloneEntry(*src, ctx.args[2], ctx.now_ms());
  if (!InstallEntry(ctx.shard, ctx.shard.db(opt.dst_db), e, opt.replace, ctx.client_flags)) {
    delete e;
    ctx.reply.Integer(0);
    return;
  }
  ctx.reply.Integer(1);
}

// COPY with src and dst on different shards, with both shards locked for the operation: a
// copy of the entry is made on the source shard (phase 1) and installed on the destination
// shard (phase 2), or dropped if refused; then unlock and reply.
void CmdCopyAcross(CoordContext& ctx) {
  CopyOptions opt;
  std::string_view err;
  if (!ParseCopyOptions(ctx.args, ctx.shard, ctx.client.db, &opt, &err)) {
    ctx.reply.Error(err);
    return;
  }
  auto src = std::make_shared<const std::string>(ctx.args[1]);
  auto dst = std::make_shared<const std::string>(ctx.args[2]);
  int db = ctx.client.db;
  uint32_t flags = ctx.client.flags;
  uint16_t src_shard = OwnerOf(ctx.shard, *src), dst_shard = OwnerOf(ctx.shard, *dst);
  ReplySlot slot = ctx.Defer(/*barrier=*/true);
  LockShards(ctx.shard, {src_shard, dst_shard}, [=](Shard& o, uint64_t tx) {
    FanOut<Entry*>(
        o, {src_shard},
        [src, dst, db, flags](Shard& s, size_t, Entry*& part) {
          Entry* e = LookupRead(s, s.db(db), *src, MayTouch(flags));
          part = e ? CloneEntry(*e, *dst, s.now_ms()) : nullptr;
        },
        [=](Shard& o2, std::vector<Entry*>& parts) {
          Entry* e = parts[0];
          if (!e) {
            UnlockShards(o2, {src_shard, dst_shard}, tx);
            o2.Finish(slot, [](ReplyBuilder& rb) { rb.Integer(0); });
            return;
          }
          FanOut<Flag>(
              o2, {dst_shard},
              [e, opt, flags](Shard& s, size_t, Flag& installed) {
                installed.set = InstallEntry(s, s.db(opt.dst_db), e, opt.replace, flags);
                if (installed.set)
                  s.PropagateValue(opt.dst_db, e->key, e->value, e->expire_at_ms, opt.replace);
              },
              [=](Shard& o3, std::vector<Flag>& done) {
                if (!done[0].set) delete e;
                UnlockShards(o3, {src_shard, dst_shard}, tx);
                o3.Finish(slot, [&](ReplyBuilder& rb) { rb.Integer(done[0].set ? 1 : 0); });
              },
              tx);
        },
        tx);
  });
}

// --- MOVE ---

void CmdMove(CmdContext& ctx) {
  int dst_db;
  std::string_view err;
  if (!ParseIntArg(ctx.args[2], &dst_db, &err)) {
    ctx.reply.Error(err);
    return;
  }
  if (!ValidDb(ctx.shard, dst_db)) {
    ctx.reply.Error(errors::kOutOfRangeDb);
    return;
  }
  if (dst_db == ctx.db_index) {
    ctx.reply.Error(errors::kSameObject);
    return;
  }
  Entry* e = LookupWrite(ctx.shard, ctx.db, ctx.args[1], ctx.client_flags);
  if (!e) {
    ctx.reply.Integer(0);
    return;
  }
  Db& dst = ctx.shard.db(dst_db);
  if (LookupWrite(ctx.shard, dst, ctx.args[1], ctx.client_flags)) {
    ctx.reply.Integer(0);
    return;
  }
  dst.Adopt(ctx.db.Detach(e));
  ctx.reply.Integer(1);
}

// --- OBJECT ---

enum class ObjectField : uint8_t { kEncoding, kRefCount, kIdleTime, kFreq };

template <ObjectField kField>
void CmdObject(CmdContext& ctx) {
  Entry* e = LookupRead(ctx.shard, ctx.db, ctx.args[2], false);
  if (!e) {
    ctx.reply.Null();
    return;
  }
  switch (kField) {
    case ObjectField::kEncoding:
      ctx.reply.Bulk(EncodingOf(e->value));
      break;
    case ObjectField::kRefCount:
      ctx.reply.Integer(RefCount(ctx.shard, e->value));
      break;
    case ObjectField::kIdleTime: {
      if (PolicyIsLfu(MaxmemoryPolicy(ctx.shard))) {
        ctx.reply.Error(errors::kLfuSelected);
        break;
      }
      int64_t idle = static_cast<int64_t>(LruSeconds(ctx.now_ms())) - e->access_s;
      ctx.reply.Integer(idle < 0 ? 0 : idle);
      break;
    }
    case ObjectField::kFreq:
      if (!PolicyIsLfu(MaxmemoryPolicy(ctx.shard))) {
        ctx.reply.Error(errors::kLfuNotSelected);
        break;
      }
      // No LFU counter is kept per entry yet; report the minimum frequency.
      ctx.reply.Integer(0);
      break;
  }
}

void CmdObjectHelp(CmdContext& ctx) {
  static constexpr std::string_view kLines[] = {
      "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "ENCODING <key>",
      "    Return the kind of internal representation used in order to store the value",
      "    associated with a <key>.",
      "FREQ <key>",
      "    Return the access frequency index of the <key>. The returned integer is",
      "    proportional to the logarithm of the recent access frequency of the key.",
      "IDLETIME <key>",
      "    Return the idle time of the <key>, that is the approximated number of",
      "    seconds elapsed since the last access to the key.",
      "REFCOUNT <key>",
      "    Return the number of references of the value associated with the specified",
      "    <key>.",
      "HELP",
      "    Prints this help.",
  };
  ctx.reply.ArrayHeader(std::size(kLines));
  for (auto line : kLines) ctx.reply.SimpleString(line);
}

// --- EXPIRE PEXPIRE EXPIREAT PEXPIREAT ---

enum ExpireFlag : int { kExpNx = 1, kExpXx = 2, kExpGt = 4, kExpLt = 8 };

// `relative`: the time is added to now (EXPIRE, PEXPIRE); `seconds`: it is in seconds.
template <bool kRelative, bool kSeconds>
void CmdExpire(CmdContext& ctx) {
  int flags = 0;
  for (size_t j = 3; j < ctx.args.size(); ++j) {
    std::string_view opt = ctx.args[j];
    if (EqualsNoCase(opt, "nx"))
      flags |= kExpNx;
    else if (EqualsNoCase(opt, "xx"))
      flags |= kExpXx;
    else if (EqualsNoCase(opt, "gt"))
      flags |= kExpGt;
    else if (EqualsNoCase(opt, "lt"))
      flags |= kExpLt;
    else {
      ctx.reply.Error(errors::UnsupportedOption(opt));
      return;
    }
  }
  if ((flags & kExpNx) && (flags & (kExpXx | kExpGt | kExpLt))) {
    ctx.reply.Error(errors::kExpireNxIncompatible);
    return;
  }
  if ((flags & kExpGt) && (flags & kExpLt)) {
    ctx.reply.Error(errors::kExpireGtLtIncompatible);
    return;
  }
  int64_t when;
  if (!ParseInt64(ctx.args[2], &when)) {
    ctx.reply.Error(errors::kNotInteger);
    return;
  }
  // Negative times are allowed (they delete the key); only overflow is an error.
  if (kSeconds) {
    if (when > INT64_MAX / 1000 || when < INT64_MIN / 1000) {
      ctx.reply.Error(errors::InvalidExpireTime(ctx.spec.name));
      return;
    }
    when *= 1000;
  }
  int64_t now = ctx.now_ms();
  int64_t base = kRelative ? now : 0;
  if (when > INT64_MAX - base) {
    ctx.reply.Error(errors::InvalidExpireTime(ctx.spec.name));
    return;
  }
  when += base;

  Entry* e = LookupWrite(ctx.shard, ctx.db, ctx.args[1], ctx.client_flags);
  if (!e) {
    ctx.reply.Integer(0);
    return;
  }
  int64_t current = e->expire_at_ms;  // kNoExpire (-1) counts as an infinite TTL
  if (((flags & kExpNx) && current != kNoExpire) || ((flags & kExpXx) && current == kNoExpire) ||
      ((flags & kExpGt) && (current == kNoExpire || when <= current)) ||
      ((flags & kExpLt) && current != kNoExpire && when >= current)) {
    ctx.reply.Integer(0);
    return;
  }
  std::string key(ctx.args[1]);
  if (when <= now) {
    ctx.db.Erase(e);  // a time in the past deletes the key, as Redis does
    ctx.Propagate({"DEL", key});
  } else {
    ctx.db.SetExpire(e, when);
    std::string ms = Int64ToString(when);  // relative times are logged absolute
    ctx.Propagate({"PEXPIREAT", key, ms});
  }
  ctx.reply.Integer(1);
}

// --- TTL PTTL EXPIRETIME PEXPIRETIME PERSIST ---

template <bool kMs, bool kAbsolute>
void CmdTtl(CmdContext& ctx) {
  Entry* e = LookupRead(ctx.shard, ctx.db, ctx.args[1], false);
  if (!e) {
    ctx.reply.Integer(-2);
    return;
  }
  if (e->expire_at_ms == kNoExpire) {
    ctx.reply.Integer(-1);
    return;
  }
  int64_t t = kAbsolute ? e->expire_at_ms : e->expire_at_ms - ctx.now_ms();
  if (t < 0) t = 0;
  // Rounded to the nearest second; unsigned so that a PEXPIREAT near INT64_MAX does not
  // overflow (Redis prints 9223372036854776 for EXPIRETIME there).
  ctx.reply.Integer(kMs ? t : static_cast<int64_t>((static_cast<uint64_t>(t) + 500) / 1000));
}

void CmdPersist(CmdContext& ctx) {
  Entry* e = LookupWrite(ctx.shard, ctx.db, ctx.args[1], ctx.client_flags);
  if (!e || e->expire_at_ms == kNoExpire) {
    ctx.reply.Integer(0);
    return;
  }
  ctx.db.ClearExpire(e);
  ctx.reply.Integer(1);
}

// --- the table ---

// Rows of this family: KeyedRow (family_util.h); the handlers are set where each is added.
constexpr auto Row = KeyedRow;

CommandSpec Keyed(CommandSpec s, ShardHandler on_shard, OriginHandler on_origin = nullptr) {
  s.on_shard = on_shard;
  s.on_origin = on_origin;
  return s;
}

CommandSpec Global(CommandSpec s, OriginHandler on_origin) {
  s.on_origin = on_origin;
  return s;
}

}  // namespace

void RegisterKeyFamily(CommandRegistry& r) {
  constexpr uint32_t W = kCmdWrite, R = kCmdReadonly, F = kCmdFast;
  const std::string g = "generic";

  r.Add(
      Keyed(Row("del", -2, W, 1, -1, 1, g, "1.0.0", "Delete a key",
                "O(N) where N is the number of keys that will be removed.", "keyspace write slow"),
            KeysOnShard<KeysOp::kDel>, KeysOnOrigin<KeysOp::kDel>));
  r.Add(Keyed(Row("unlink", -2, W | F, 1, -1, 1, g, "4.0.0",
                  "Delete a key asynchronously in another thread. Otherwise it is just as DEL, "
                  "but non blocking.",
                  "O(1) for each key removed regardless of its size.", "keyspace write fast"),
              KeysOnShard<KeysOp::kDel>, KeysOnOrigin<KeysOp::kDel>));
  r.Add(Keyed(Row("exists", -2, R | F, 1, -1, 1, g, "1.0.0", "Determine if a key exists",
                  "O(N) where N is the number of keys to check.", "keyspace read fast"),
              KeysOnShard<KeysOp::kExists>, KeysOnOrigin<KeysOp::kExists>));
  r.Add(Keyed(Row("touch", -2, R | F, 1, -1, 1, g, "3.2.1",
                  "Alters the last access time of a key(s). Returns the number of existing "
                  "keys specified.",
                  "O(N) where N is the number of keys that will be touched.", "keyspace read fast"),
              KeysOnShard<KeysOp::kTouch>, KeysOnOrigin<KeysOp::kTouch>));
  r.Add(Keyed(Row("type", 2, R | F, 1, 1, 1, g, "1.0.0", "Determine the type stored at key", "O(1)",
                  "keyspace read fast"),
              CmdType));
  r.Add(Global(
      Row("keys", 2, R, 0, 0, 0, g, "1.0.0", "Find all keys matching the given pattern",
          "O(N) with N being the number of keys in the database", "keyspace read slow dangerous"),
      CmdKeys));
  r.Add(Global(Row("scan", -2, R, 0, 0, 0, g, "2.8.0", "Incrementally iterate the keys space",
                   "O(1) for every call. O(N) for a complete iteration.", "keyspace read slow"),
               CmdScan));
  r.Add(Global(Row("randomkey", 1, R, 0, 0, 0, g, "1.0.0", "Return a random key from the keyspace",
                   "O(1)", "keyspace read slow"),
               CmdRandomKey));
  // DBSIZE, FLUSHDB, FLUSHALL and SWAPDB belong to Redis's "server" group.
  r.Add(Global(
      Row("dbsize", 1, R | F, 0, 0, 0, "server", "1.0.0",
          "Return the number of keys in the selected database", "O(1)", "keyspace read fast"),
      CmdDbSize));
  r.Add(Global(
      Row("flushdb", -1, W, 0, 0, 0, "server", "1.0.0", "Remove all keys from the current database",
          "O(N) where N is the number of keys in the selected database",
          "keyspace write slow dangerous"),
      CmdFlushDb));
  r.Add(Global(
      Row("flushall", -1, W, 0, 0, 0, "server", "1.0.0", "Remove all keys from all databases",
          "O(N) where N is the total number of keys in all databases",
          "keyspace write slow dangerous"),
      CmdFlushAll));
  r.Add(Global(Row("swapdb", 3, W | F, 0, 0, 0, "server", "4.0.0", "Swaps two Redis databases",
                   "O(N) where N is the count of clients watching or blocking on keys from "
                   "both databases.",
                   "keyspace write fast dangerous"),
               CmdSwapDb));
  r.Add(
      Keyed(Row("rename", 3, W, 1, 2, 1, g, "1.0.0", "Rename a key", "O(1)", "keyspace write slow"),
            RenameOnShard<false>, RenameAcross<false>));
  r.Add(
      Keyed(Row("renamenx", 3, W | F, 1, 2, 1, g, "1.0.0",
                "Rename a key, only if the new key does not exist", "O(1)", "keyspace write fast"),
            RenameOnShard<true>, RenameAcross<true>));
  r.Add(Keyed(Row("copy", -3, W | kCmdDenyOom, 1, 2, 1, g, "6.2.0", "Copy a key",
                  "O(N) worst case for collections, where N is the number of nested items. "
                  "O(1) for string values.",
                  "keyspace write slow"),
              CmdCopyOnShard, CmdCopyAcross));
  r.Add(Keyed(Row("move", 3, W | F, 1, 1, 1, g, "1.0.0", "Move a key to another database", "O(1)",
                  "keyspace write fast"),
              CmdMove));

  CommandSpec object =
      Row("object", -2, 0, 0, 0, 0, g, "2.2.3", "A container for object introspection commands",
          "Depends on subcommand.", "slow");
  object.subcommands.push_back(
      Keyed(Row("object|encoding", 3, R, 2, 2, 1, g, "2.2.3",
                "Inspect the internal encoding of a Redis object", "O(1)", "keyspace read slow"),
            CmdObject<ObjectField::kEncoding>));
  object.subcommands.push_back(
      Keyed(Row("object|freq", 3, R, 2, 2, 1, g, "4.0.0",
                "Get the logarithmic access frequency counter of a Redis object", "O(1)",
                "keyspace read slow"),
            CmdObject<ObjectField::kFreq>));
  object.subcommands.push_back(Keyed(
      Row("object|idletime", 3, R, 2, 2, 1, g, "2.2.3",
          "Get the time since a Redis object was last accessed", "O(1)", "keyspace read slow"),
      CmdObject<ObjectField::kIdleTime>));
  object.subcommands.push_back(
      Keyed(Row("object|help", 2, kCmdLoading | kCmdStale, 0, 0, 0, g, "6.2.0",
                "Show helpful text about the different subcommands", "O(1)", "keyspace slow"),
            CmdObjectHelp));
  object.subcommands.push_back(Keyed(
      Row("object|refcount", 3, R, 2, 2, 1, g, "2.2.3",
          "Get the number of references to the value of the key", "O(1)", "keyspace read slow"),
      CmdObject<ObjectField::kRefCount>));
  r.Add(std::move(object));

  r.Add(Keyed(Row("expire", -3, W | F, 1, 1, 1, g, "1.0.0", "Set a key's time to live in seconds",
                  "O(1)", "keyspace write fast"),
              CmdExpire<true, true>));
  r.Add(Keyed(Row("pexpire", -3, W | F, 1, 1, 1, g, "2.6.0",
                  "Set a key's time to live in milliseconds", "O(1)", "keyspace write fast"),
              CmdExpire<true, false>));
  r.Add(
      Keyed(Row("expireat", -3, W | F, 1, 1, 1, g, "1.2.0",
                "Set the expiration for a key as a UNIX timestamp", "O(1)", "keyspace write fast"),
            CmdExpire<false, true>));
  r.Add(Keyed(Row("pexpireat", -3, W | F, 1, 1, 1, g, "2.6.0",
                  "Set the expiration for a key as a UNIX timestamp specified in milliseconds",
                  "O(1)", "keyspace write fast"),
              CmdExpire<false, false>));
  r.Add(Keyed(Row("ttl", 2, R | F, 1, 1, 1, g, "1.0.0", "Get the time to live for a key in seconds",
                  "O(1)", "keyspace read fast"),
              CmdTtl<false, false>));
  r.Add(Keyed(Row("pttl", 2, R | F, 1, 1, 1, g, "2.6.0",
                  "Get the time to live for a key in milliseconds", "O(1)", "keyspace read fast"),
              CmdTtl<true, false>));
  r.Add(Keyed(Row("expiretime", 2, R | F, 1, 1, 1, g, "7.0.0",
                  "Get the expiration Unix timestamp for a key", "O(1)", "keyspace read fast"),
              CmdTtl<false, true>));
  r.Add(Keyed(Row("pexpiretime", 2, R | F, 1, 1, 1, g, "7.0.0",
                  "Get the expiration Unix timestamp for a key in milliseconds", "O(1)",
                  "keyspace read fast"),
              CmdTtl<true, true>));
  r.Add(Keyed(Row("persist", 2, W | F, 1, 1, 1, g, "2.2.0", "Remove the expiration from a key",
                  "O(1)", "keyspace write fast"),
              CmdPersist));
}

}  // namespace kevy
