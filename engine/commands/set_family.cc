// The set commands: SADD SREM SCARD SISMEMBER SMISMEMBER SMEMBERS SPOP SRANDMEMBER SSCAN, and
// the multi-key SINTER SUNION SDIFF SINTERCARD SINTERSTORE SUNIONSTORE SDIFFSTORE SMOVE.
//
// Multi-key commands whose keys live on one shard run there (on_shard). When the keys span
// shards, the origin gathers a snapshot of every source set with one FanOut op per shard and
// computes the result itself; the *STORE commands and SMOVE do so under LockShards over every
// shard involved, so that other clients see the destination replaced (or the member moved)
// in one step, and set a barrier so the client's next request waits for the write.
#include <absl/container/flat_hash_set.h>
#include <absl/strings/string_view.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/commands/family_util.h"
#include "engine/fanout.h"
#include "engine/shard_lock.h"
#include "engine/types/set.h"

namespace kevy {

namespace {

bool MayTouch(uint32_t client_flags) { return !(client_flags & kClientNoTouch); }

absl::string_view Absl(std::string_view s) { return absl::string_view(s.data(), s.size()); }

// set-max-intset-entries, read per command so CONFIG SET takes effect at once.
int64_t MaxIntset(const Shard& s) {
  int64_t v = 512;
  if (auto str = s.config().GetValue("set-max-intset-entries")) (void)ParseInt64(*str, &v);
  return v;
}

Set* AsSet(Entry* e) { return e->value.As<Set>(); }

// The set under key for a write, or nullptr when absent; *wrong when another type is there.
Entry* FindSet(Shard& shard, Db& db, std::string_view key, uint32_t flags, bool* wrong) {
  Entry* e = db.Find(key, shard.now_ms(), MayTouch(flags));
  *wrong = e && e->value.type != ObjType::kSet;
  return *wrong ? nullptr : e;
}

// The set under key for a write, created (empty) when absent.
Entry* FindOrCreateSet(Shard& shard, Db& db, std::string_view key, bool* wrong) {
  bool created;
  Entry* e = db.FindOrCreate(key, shard.now_ms(), &created);
  if (created) {
    e->value = Value(ObjType::kSet, std::make_unique<Set>());
  } else if (e->value.type != ObjType::kSet) {
    *wrong = true;
    return nullptr;
  }
  *wrong = false;
  return e;
}

template <class List>
void WriteMembers(ReplyBuilder& rb, const List& m) {
  rb.SetHeader(m.size());
  for (std::string_view s : m) rb.Bulk(s);
}

// --- single-key commands ---

void CmdSAdd(CmdContext& ctx) {
  bool wrong;
  Entry* e = FindOrCreateSet(ctx.shard, ctx.db, ctx.args[1], &wrong);
  if (wrong) return ctx.reply.Error(errors::kWrongType);
  int64_t max = MaxIntset(ctx.shard);
  int64_t added = 0;
  for (size_t i = 2; i < ctx.args.size(); ++i) added += AsSet(e)->Add(ctx.args[i], max);
  ctx.reply.Integer(added);
}

void CmdSRem(CmdContext& ctx) {
  bool wrong;
  Entry* e = FindSet(ctx.shard, ctx.db, ctx.args[1], ctx.client_flags, &wrong);
  if (wrong) return ctx.reply.Error(errors::kWrongType);
  int64_t removed = 0;
  if (e) {
    for (size_t i = 2; i < ctx.args.size() && AsSet(e)->Size() > 0; ++i)
      removed += AsSet(e)->Remove(ctx.args[i]);
    if (AsSet(e)->Size() == 0) ctx.db.Erase(e);
  }
  ctx.reply.Integer(removed);
}

// A read lookup: the set, nullptr when absent; *wrong when another type is there.
Entry* ReadSet(CmdContext& ctx, std::string_view key, bool* wrong) {
  Entry* e = LookupRead(ctx, key);
  *wrong = e && e->value.type != ObjType::kSet;
  return *wrong ? nullptr : e;
}

void CmdSCard(CmdContext& ctx) {
  bool wrong;
  Entry* e = ReadSet(ctx, ctx.args[1], &wrong);
  if (wrong) return ctx.reply.Error(errors::kWrongType);
  ctx.reply.Integer(e ? static_cast<int64_t>(AsSet(e)->Size()) : 0);
}

void CmdSIsMember(CmdContext& ctx) {
  bool wrong;
  Entry* e = ReadSet(ctx, ctx.args[1], &wrong);
  if (wrong) return ctx.reply.Error(errors::kWrongType);
  ctx.reply.Integer(e && AsSet(e)->Contains(ctx.args[2]) ? 1 : 0);
}

void CmdSMIsMember(CmdContext& ctx) {
  bool wrong;
  Entry* e = ReadSet(ctx, ctx.args[1], &wrong);
  if (wrong) return ctx.reply.Error(errors::kWrongType);
  ctx.reply.ArrayHeader(ctx.args.size() - 2);
  for (size_t i = 2; i < ctx.args.size(); ++i)
    ctx.reply.Integer(e && AsSet(e)->Contains(ctx.args[i]) ? 1 : 0);
}

void CmdSMembers(CmdContext& ctx) {
  Entry* e = ReadOrReply(ctx, ctx.args[1], ObjType::kSet, [](ReplyBuilder& r) { r.SetHeader(0); });
  if (!e) return;
  WriteMembers(ctx.reply, AsSet(e)->Members());
}

void CmdSPop(CmdContext& ctx) {
  if (ctx.args.size() > 3) return ctx.reply.Error(errors::kSyntax);
  int64_t count = 1;
  bool with_count = ctx.args.size() == 3;
  if (with_count) {
    // Redis's getPositiveLongFromObjectOrReply: one message for "not a number" and "< 0".
    if (!ParseInt64(ctx.args[2], &count) || count < 0)
      return ctx.reply.Error(errors::kMustBePositive);
  }
  bool wrong;
  Entry* e = FindSet(ctx.shard, ctx.db, ctx.args[1], ctx.client_flags, &wrong);
  if (wrong) return ctx.reply.Error(errors::kWrongType);
  if (!e) {
    if (with_count) return ctx.reply.SetHeader(0);
    return ctx.reply.Null();
  }
  Set* set = AsSet(e);
  // The AOF gets what was popped (SREM, or DEL for the whole set), not the random choice.
  std::vector<std::string> popped;
  if (!with_count) {
    popped.push_back(set->TakeAt(ctx.shard.Rand() % set->Size()));
    ctx.reply.Bulk(popped.back());
  } else if (static_cast<uint64_t>(count) >= set->Size()) {
    WriteMembers(ctx.reply, set->Members());
    ctx.db.Erase(e);
    ctx.Propagate({"DEL", ctx.args[1]});
    return;
  } else {
    ctx.reply.SetHeader(static_cast<size_t>(count));
    for (int64_t i = 0; i < count; ++i) {
      popped.push_back(set->TakeAt(ctx.shard.Rand() % set->Size()));
      ctx.reply.Bulk(popped.back());
    }
  }
  if (set->Size() == 0) ctx.db.Erase(e);
  if (popped.empty()) return ctx.NoPropagate();
  std::vector<std::string_view> effect{"SREM", ctx.args[1]};
  for (const std::string& m : popped) effect.push_back(m);
  ctx.Propagate(effect);
}

void CmdSRandMember(CmdContext& ctx) {
  if (ctx.args.size() > 3) return ctx.reply.Error(errors::kSyntax);
  bool with_count = ctx.args.size() == 3;
  int64_t count = 1;
  if (with_count) {
    if (!ParseInt64(ctx.args[2], &count)) return ctx.reply.Error(errors::kNotInteger);
    if (count == std::numeric_limits<int64_t>::min())
      return ctx.reply.Error(errors::kSRandMemberCountRange);
    if (!RandomPicksInRange(count)) return ctx.reply.Error(errors::kValueOutOfRange);
  }
  Entry* e = ReadOrReply(ctx, ctx.args[1], ObjType::kSet, [&](ReplyBuilder& r) {
    if (with_count)
      r.ArrayHeader(0);
    else
      r.Null();
  });
  if (!e) return;
  Set* set = AsSet(e);
  Set::NumBuf nb;
  size_t n = set->Size();
  if (!with_count) return ctx.reply.Bulk(set->At(ctx.shard.Rand() % n, &nb));
  if (count < 0) {
    // Repetitions allowed: independent picks.
    uint64_t m = static_cast<uint64_t>(-count);
    ctx.reply.ArrayHeader(m);
    for (uint64_t i = 0; i < m; ++i) ctx.reply.Bulk(set->At(ctx.shard.Rand() % n, &nb));
    return;
  }
  if (static_cast<uint64_t>(count) >= n) {
    ctx.reply.ArrayHeader(n);
    for (std::string_view m : set->Members()) ctx.reply.Bulk(m);
    return;
  }
  size_t want = static_cast<size_t>(count);
  ctx.reply.ArrayHeader(want);
  if (want * 3 > n) {
    // Many of the members: a partial Fisher-Yates shuffle of the indices.
    std::vector<uint32_t> idx(n);
    for (size_t i = 0; i < n; ++i) idx[i] = static_cast<uint32_t>(i);
    for (size_t i = 0; i < want; ++i) {
      size_t j = i + ctx.shard.Rand() % (n - i);
      std::swap(idx[i], idx[j]);
      ctx.reply.Bulk(set->At(idx[i], &nb));
    }
    return;
  }
  // Few of many: draw until `want` distinct indices came up (expected < 1.5 draws each).
  absl::flat_hash_set<uint32_t> seen;
  while (seen.size() < want) {
    uint32_t i = static_cast<uint32_t>(ctx.shard.Rand() % n);
    if (seen.insert(i).second) ctx.reply.Bulk(set->At(i, &nb));
  }
}

// SSCAN key cursor [MATCH pattern] [COUNT count]. The cursor is a position in the member
// vector; an intset (small) set is returned whole in one call, as Redis does.
void CmdSScan(CmdContext& ctx) {
  uint64_t cursor = 0;
  if (!ParseScanCursorArg(ctx.args[2], &cursor)) return ctx.reply.Error(errors::kInvalidCursor);
  Entry* e = ReadOrReply(ctx, ctx.args[1], ObjType::kSet, ReplyEmptyScan);
  if (!e) return;
  ScanOptions opts;
  if (std::string_view err = ParseScanOptions(ctx.args, 3, /*allow_type=*/false, &opts);
      !err.empty())
    return ctx.reply.Error(err);
  Set* set = AsSet(e);
  std::vector<std::string_view> out;
  uint64_t next = 0;
  auto keep = [&](std::string_view m) {
    if (!opts.use_pattern || StringMatch(opts.pattern, m)) out.push_back(m);
  };
  Set::NumBuf nb;
  Set::MemberList all;  // holds an intset's formatted members while `out` points at them
  if (set->is_intset()) {
    all = set->Members();
    for (std::string_view m : all) keep(m);
  } else {
    // Walk the member vector downwards: cursor c (> 0) means positions [0, c) are still to
    // visit, 0 starts at the top. Removal only moves the last member into the hole, so a
    // member not yet visited never moves into the visited range: every member present for
    // the whole scan is returned, as SCAN promises (added ones may or may not be).
    uint64_t n = set->Size();
    uint64_t top = cursor == 0 || cursor > n ? n : cursor;
    uint64_t c = static_cast<uint64_t>(opts.count);
    uint64_t bottom = top > c ? top - c : 0;
    for (uint64_t i = top; i > bottom; --i) keep(set->At(i - 1, &nb));
    next = bottom;
  }
  ctx.reply.ArrayHeader(2);
  ctx.reply.Bulk(Int64ToString(static_cast<int64_t>(next)));
  ctx.reply.ArrayHeader(out.size());
  for (std::string_view m : out) ctx.reply.Bulk(m);
}

// --- multi-key: snapshots of the sources, and the algebra on them ---

// One source key as seen on its shard.
struct SetSnap {
  bool wrong = false;  // holds another type
  bool exists = false;
  std::vector<std::string> members;
};

SetSnap Snapshot(Shard& s, Db& db, std::string_view key, uint32_t flags) {
  SetSnap snap;
  Entry* e = LookupRead(s, db, key, MayTouch(flags));
  if (!e) return snap;
  if (e->value.type != ObjType::kSet) {
    snap.wrong = true;
    return snap;
  }
  snap.exists = true;
  Set* set = AsSet(e);
  snap.members.reserve(set->Size());
  Set::NumBuf nb;
  for (size_t i = 0; i < set->Size(); ++i) snap.members.emplace_back(set->At(i, &nb));
  return snap;
}

enum class SetOp : uint8_t { kInter, kUnion, kDiff };

// The result of `op` over the sources in key order (none of wrong type), distinct members.
// `limit` (SINTERCARD) stops an intersection once it has that many (0 = no limit).
std::vector<std::string_view> Compute(SetOp op, const std::vector<const SetSnap*>& srcs,
                                      size_t limit = 0) {
  std::vector<std::string_view> out;
  if (op == SetOp::kInter) {
    for (const SetSnap* s : srcs)
      if (!s->exists) return out;
    // Walk the smallest source, probing the others.
    std::vector<const SetSnap*> order(srcs.begin(), srcs.end());
    std::sort(order.begin(), order.end(), [](const SetSnap* a, const SetSnap* b) {
      return a->members.size() < b->members.size();
    });
    std::vector<absl::flat_hash_set<absl::string_view>> others(order.size() - 1);
    for (size_t k = 1; k < order.size(); ++k) {
      others[k - 1].reserve(order[k]->members.size());
      for (const std::string& m : order[k]->members) others[k - 1].insert(m);
    }
    for (const std::string& m : order[0]->members) {
      bool all = true;
      for (auto& o : others)
        if (!o.contains(m)) {
          all = false;
          break;
        }
      if (all) {
        out.push_back(m);
        if (limit && out.size() >= limit) break;
      }
    }
    return out;
  }
  if (op == SetOp::kUnion) {
    absl::flat_hash_set<absl::string_view> seen;
    for (const SetSnap* s : srcs)
      for (const std::string& m : s->members)
        if (seen.insert(m).second) out.push_back(m);
    return out;
  }
  // Diff: the first minus the others.
  if (srcs.empty() || !srcs[0]->exists) return out;
  absl::flat_hash_set<absl::string_view> minus;
  for (size_t k = 1; k < srcs.size(); ++k)
    for (const std::string& m : srcs[k]->members) minus.insert(m);
  for (const std::string& m : srcs[0]->members)
    if (!minus.contains(Absl(m))) out.push_back(m);
  return out;
}

bool AnyWrong(const std::vector<const SetSnap*>& srcs) {
  for (const SetSnap* s : srcs)
    if (s->wrong) return true;
  return false;
}

// A new set holding `members`, its encoding decided as Redis builds a *STORE result: an
// intset grown member by member.
std::unique_ptr<Set> BuildSet(const std::vector<std::string_view>& members, int64_t max) {
  auto set = std::make_unique<Set>();
  for (std::string_view m : members) set->Add(m, max);
  return set;
}

// Replaces dst with `set` (deletes dst when empty), keeping no TTL, as Redis's setKey does.
void StoreSet(Shard& s, Db& db, std::string_view dst, std::unique_ptr<Set> set) {
  db.Erase(dst, s.now_ms());
  if (set->Size() == 0) return;
  db.Insert(dst, Value(ObjType::kSet, std::move(set)));
}

// Where each key of a multi-key command lives: the shards (ascending, unique), the keys sent
// to each, and for key k its (shard index, position) in those lists.
struct KeyPlan {
  std::vector<uint16_t> shards;
  std::vector<std::vector<std::string>> keys;
  std::vector<std::pair<uint32_t, uint32_t>> where;
};

KeyPlan PlanKeys(const Shard& s, const std::vector<std::string_view>& keys) {
  KeyPlan p;
  std::vector<int> slot_of(s.server().num_shards(), -1);
  for (std::string_view k : keys) {
    uint16_t sh = s.server().slots.ShardOf(k);
    if (slot_of[sh] < 0) {
      slot_of[sh] = static_cast<int>(p.shards.size());
      p.shards.push_back(sh);
      p.keys.emplace_back();
    }
    auto& list = p.keys[static_cast<size_t>(slot_of[sh])];
    p.where.emplace_back(static_cast<uint32_t>(slot_of[sh]), static_cast<uint32_t>(list.size()));
    list.emplace_back(k);
  }
  return p;
}

using SnapParts = std::vector<std::vector<SetSnap>>;

// Gathers snapshots of `keys` over their shards and calls done(origin, srcs) with them in
// key order (pointers into parts that live until done returns). `tx`: the lock operation
// this is a phase of, or 0.
template <class Done>
void GatherSets(Shard& origin, std::shared_ptr<const KeyPlan> plan, int db, uint32_t flags,
                uint64_t tx, Done done) {
  FanOut<std::vector<SetSnap>>(
      origin, plan->shards,
      [plan, db, flags](Shard& s, size_t i, std::vector<SetSnap>& part) {
        for (const std::string& k : plan->keys[i]) part.push_back(Snapshot(s, s.db(db), k, flags));
      },
      [plan, done = std::move(done)](Shard& o, SnapParts& parts) mutable {
        std::vector<const SetSnap*> srcs;
        srcs.reserve(plan->where.size());
        for (auto [si, pos] : plan->where) srcs.push_back(&parts[si][pos]);
        done(o, srcs);
      },
      tx);
}

// Snapshots of keys all on this shard.
std::vector<SetSnap> LocalSnaps(CmdContext& ctx, size_t first, size_t end) {
  std::vector<SetSnap> snaps;
  snaps.reserve(end - first);
  for (size_t i = first; i < end; ++i)
    snaps.push_back(Snapshot(ctx.shard, ctx.db, ctx.args[i], ctx.client_flags));
  return snaps;
}

std::vector<const SetSnap*> Ptrs(const std::vector<SetSnap>& v) {
  std::vector<const SetSnap*> p;
  for (const SetSnap& s : v) p.push_back(&s);
  return p;
}

std::vector<std::string_view> ArgKeys(const ArgList& args, size_t first, size_t end) {
  std::vector<std::string_view> k;
  for (size_t i = first; i < end; ++i) k.push_back(args[i]);
  return k;
}

// --- SINTER SUNION SDIFF ---

template <SetOp kOp>
void CmdSetOp(CmdContext& ctx) {
  auto snaps = LocalSnaps(ctx, 1, ctx.args.size());
  auto srcs = Ptrs(snaps);
  if (AnyWrong(srcs)) return ctx.reply.Error(errors::kWrongType);
  WriteMembers(ctx.reply, Compute(kOp, srcs));
}

template <SetOp kOp>
void CmdSetOpOrigin(CoordContext& ctx) {
  auto plan =
      std::make_shared<const KeyPlan>(PlanKeys(ctx.shard, ArgKeys(ctx.args, 1, ctx.args.size())));
  ReplySlot slot = ctx.Defer();
  GatherSets(ctx.shard, plan, ctx.client.db, ctx.client.flags, 0,
             [slot](Shard& o, const std::vector<const SetSnap*>& srcs) {
               o.Finish(slot, [&](ReplyBuilder& rb) {
                 if (AnyWrong(srcs)) return rb.Error(errors::kWrongType);
                 WriteMembers(rb, Compute(kOp, srcs));
               });
             });
}

// --- SINTERCARD numkeys key [key ...] [LIMIT limit] ---

bool ParseSInterCard(const ArgList& args, size_t* numkeys, int64_t* limit, std::string_view* err) {
  switch (ParseNumKeys(args, 1, 0, numkeys)) {
    case NumKeys::kOk:
      break;
    case NumKeys::kNotInteger:
    case NumKeys::kBelowOne:
      *err = errors::kNumkeysNotPositive;
      return false;
    case NumKeys::kTooMany:
      *err = errors::kNumkeysTooMany;
      return false;
  }
  *limit = 0;
  for (size_t j = 2 + *numkeys; j < args.size(); j += 2) {
    if (EqualsNoCase(args[j], "limit") && j + 1 < args.size()) {
      if (!ParseInt64(args[j + 1], limit) || *limit < 0) {
        *err = errors::kLimitNegative;
        return false;
      }
    } else {
      *err = errors::kSyntax;
      return false;
    }
  }
  return true;
}

void SInterCardKeys(const ArgList& args, std::vector<int>* pos) { NumKeysPositions(args, 1, pos); }

void CmdSInterCard(CmdContext& ctx) {
  size_t numkeys;
  int64_t limit;
  std::string_view err;
  if (!ParseSInterCard(ctx.args, &numkeys, &limit, &err)) return ctx.reply.Error(err);
  auto snaps = LocalSnaps(ctx, 2, 2 + numkeys);
  auto srcs = Ptrs(snaps);
  if (AnyWrong(srcs)) return ctx.reply.Error(errors::kWrongType);
  ctx.reply.Integer(
      static_cast<int64_t>(Compute(SetOp::kInter, srcs, static_cast<size_t>(limit)).size()));
}

void CmdSInterCardOrigin(CoordContext& ctx) {
  size_t numkeys;
  int64_t limit;
  std::string_view err;
  if (!ParseSInterCard(ctx.args, &numkeys, &limit, &err)) return ctx.reply.Error(err);
  auto plan =
      std::make_shared<const KeyPlan>(PlanKeys(ctx.shard, ArgKeys(ctx.args, 2, 2 + numkeys)));
  ReplySlot slot = ctx.Defer();
  GatherSets(ctx.shard, plan, ctx.client.db, ctx.client.flags, 0,
             [slot, limit](Shard& o, const std::vector<const SetSnap*>& srcs) {
               o.Finish(slot, [&](ReplyBuilder& rb) {
                 if (AnyWrong(srcs)) return rb.Error(errors::kWrongType);
                 rb.Integer(static_cast<int64_t>(
                     Compute(SetOp::kInter, srcs, static_cast<size_t>(limit)).size()));
               });
             });
}

// --- SINTERSTORE SUNIONSTORE SDIFFSTORE destination key [key ...] ---

template <SetOp kOp>
void CmdSetOpStore(CmdContext& ctx) {
  auto snaps = LocalSnaps(ctx, 2, ctx.args.size());
  auto srcs = Ptrs(snaps);
  if (AnyWrong(srcs)) return ctx.reply.Error(errors::kWrongType);
  auto set = BuildSet(Compute(kOp, srcs), MaxIntset(ctx.shard));
  int64_t n = static_cast<int64_t>(set->Size());
  StoreSet(ctx.shard, ctx.db, ctx.args[1], std::move(set));
  ctx.reply.Integer(n);
}

// Across shards: lock the sources' and the destination's shards, gather the sources, compute
// here, install the result on the destination's shard, unlock, reply.
template <SetOp kOp>
void CmdSetOpStoreOrigin(CoordContext& ctx) {
  auto plan =
      std::make_shared<const KeyPlan>(PlanKeys(ctx.shard, ArgKeys(ctx.args, 2, ctx.args.size())));
  auto dst = std::make_shared<const std::string>(ctx.args[1]);
  uint16_t dst_shard = ctx.shard.server().slots.ShardOf(*dst);
  std::vector<uint16_t> locked = plan->shards;
  locked.push_back(dst_shard);
  std::sort(locked.begin(), locked.end());
  locked.erase(std::unique(locked.begin(), locked.end()), locked.end());
  int db = ctx.client.db;
  uint32_t flags = ctx.client.flags;
  ReplySlot slot = ctx.Defer(/*barrier=*/true);
  LockShards(ctx.shard, locked, [=](Shard& o, uint64_t tx) {
    GatherSets(o, plan, db, flags, tx, [=](Shard& o2, const std::vector<const SetSnap*>& srcs) {
      if (AnyWrong(srcs)) {
        UnlockShards(o2, locked, tx);
        return o2.Finish(slot, [](ReplyBuilder& rb) { rb.Error(errors::kWrongType); });
      }
      std::shared_ptr<Set> set = BuildSet(Compute(kOp, srcs), MaxIntset(o2));
      int64_t n = static_cast<int64_t>(set->Size());
      struct Nothing {};
      FanOut<Nothing>(
          o2, {dst_shard},
          [set, dst, db](Shard& s, size_t, Nothing&) {
            auto own = std::make_unique<Set>();
            own.reset(static_cast<Set*>(set->Clone().release()));
            StoreSet(s, s.db(db), *dst, std::move(own));
            s.PropagateKeyState(db, *dst);
          },
          [=](Shard& o3, std::vector<Nothing>&) {
            UnlockShards(o3, locked, tx);
            o3.Finish(slot, [n](ReplyBuilder& rb) { rb.Integer(n); });
          },
          tx);
    });
  });
}

// --- SMOVE source destination member ---

void CmdSMove(CmdContext& ctx) {
  std::string_view src = ctx.args[1], dst = ctx.args[2], member = ctx.args[3];
  bool wrong;
  // Redis's order: a missing source answers 0 before the destination's type is looked at.
  Entry* se = FindSet(ctx.shard, ctx.db, src, ctx.client_flags, &wrong);
  if (wrong) return ctx.reply.Error(errors::kWrongType);
  if (!se) return ctx.reply.Integer(0);
  Entry* de = FindSet(ctx.shard, ctx.db, dst, ctx.client_flags, &wrong);
  if (wrong) return ctx.reply.Error(errors::kWrongType);
  if (src == dst) return ctx.reply.Integer(AsSet(se)->Contains(member) ? 1 : 0);
  if (!AsSet(se)->Remove(member)) return ctx.reply.Integer(0);
  if (AsSet(se)->Size() == 0) ctx.db.Erase(se);
  if (!de) de = FindOrCreateSet(ctx.shard, ctx.db, dst, &wrong);
  AsSet(de)->Add(member, MaxIntset(ctx.shard));
  ctx.reply.Integer(1);
}

// What SMOVE's first phase finds on one of its two shards.
struct MoveCheck {
  bool wrong = false;
  bool exists = false;
  bool has_member = false;
};

// src and dst on different shards: lock both; check types and the member (phase 1); remove
// from src and add to dst (phase 2); unlock; reply.
void CmdSMoveOrigin(CoordContext& ctx) {
  auto keys = std::make_shared<const std::vector<std::string>>(std::vector<std::string>{
      std::string(ctx.args[1]), std::string(ctx.args[2]), std::string(ctx.args[3])});
  uint16_t src_shard = ctx.shard.server().slots.ShardOf((*keys)[0]);
  uint16_t dst_shard = ctx.shard.server().slots.ShardOf((*keys)[1]);
  std::vector<uint16_t> both{src_shard, dst_shard};
  int db = ctx.client.db;
  uint32_t flags = ctx.client.flags;
  ReplySlot slot = ctx.Defer(/*barrier=*/true);
  LockShards(ctx.shard, both, [=](Shard& o, uint64_t tx) {
    FanOut<MoveCheck>(
        o, both,
        [keys, db, flags](Shard& s, size_t i, MoveCheck& c) {
          Entry* e = FindSet(s, s.db(db), (*keys)[i], flags, &c.wrong);
          c.exists = e != nullptr;
          c.has_member = i == 0 && e && AsSet(e)->Contains((*keys)[2]);
        },
        [=](Shard& o2, std::vector<MoveCheck>& checks) {
          auto finish = [&](auto write) {
            UnlockShards(o2, both, tx);
            o2.Finish(slot, write);
          };
          if (checks[0].wrong || (checks[0].exists && checks[1].wrong))
            return finish([](ReplyBuilder& rb) { rb.Error(errors::kWrongType); });
          if (!checks[0].has_member) return finish([](ReplyBuilder& rb) { rb.Integer(0); });
          struct Nothing {};
          FanOut<Nothing>(
              o2, both,
              [keys, db](Shard& s, size_t i, Nothing&) {
                Db& d = s.db(db);
                bool wrong;
                if (i == 0) {
                  Entry* e = FindSet(s, d, (*keys)[0], 0, &wrong);
                  AsSet(e)->Remove((*keys)[2]);  // present: checked under the lock
                  if (AsSet(e)->Size() == 0) d.Erase(e);
                  s.Propagate(db, {"SREM", (*keys)[0], (*keys)[2]});
                } else {
                  Entry* e = FindOrCreateSet(s, d, (*keys)[1], &wrong);
                  AsSet(e)->Add((*keys)[2], MaxIntset(s));
                  s.Propagate(db, {"SADD", (*keys)[1], (*keys)[2]});
                }
              },
              [=](Shard& o3, std::vector<Nothing>&) {
                UnlockShards(o3, both, tx);
                o3.Finish(slot, [](ReplyBuilder& rb) { rb.Integer(1); });
              },
              tx);
        },
        tx);
  });
}

// ---------------------------------------------------------------------------------------
// The table

constexpr RowMaker Row{"set"};  // rows of this family (family_util.h)

}  // namespace

void RegisterSetFamily(CommandRegistry& r) {
  constexpr uint32_t W = kCmdWrite, R = kCmdReadonly, M = kCmdDenyOom, F = kCmdFast;
  const std::string o1 = "O(1)";
  r.Add(Row("sadd", -3, W | M | F, 1, 1, 1, CmdSAdd, "1.0.0", "Add one or more members to a set",
            "O(1) for each element added, so O(N) to add N elements when the command is called "
            "with multiple arguments.",
            "write set fast"));
  r.Add(Row("srem", -3, W | F, 1, 1, 1, CmdSRem, "1.0.0", "Remove one or more members from a set",
            "O(N) where N is the number of members to be removed.", "write set fast"));
  r.Add(Row("scard", 2, R | F, 1, 1, 1, CmdSCard, "1.0.0", "Get the number of members in a set", o1,
            "read set fast"));
  r.Add(Row("sismember", 3, R | F, 1, 1, 1, CmdSIsMember, "1.0.0",
            "Determine if a given value is a member of a set", o1, "read set fast"));
  r.Add(Row("smismember", -3, R | F, 1, 1, 1, CmdSMIsMember, "6.2.0",
            "Returns the membership associated with the given elements for a set",
            "O(N) where N is the number of elements being checked for membership",
            "read set fast"));
  r.Add(Row("smembers", 2, R, 1, 1, 1, CmdSMembers, "1.0.0", "Get all the members in a set",
            "O(N) where N is the set cardinality.", "read set slow"));
  r.Add(Row("spop", -2, W | F, 1, 1, 1, CmdSPop, "1.0.0",
            "Remove and return one or multiple random members from a set",
            "Without the count argument O(1), otherwise O(N) where N is the value of the passed "
            "count.",
            "write set fast"));
  r.Add(Row("srandmember", -2, R, 1, 1, 1, CmdSRandMember, "1.0.0",
            "Get one or multiple random members from a set",
            "Without the count argument O(1), otherwise O(N) where N is the absolute value of "
            "the passed count.",
            "read set slow"));
  r.Add(Row("sscan", -3, R, 1, 1, 1, CmdSScan, "2.8.0", "Incrementally iterate Set elements",
            "O(1) for every call. O(N) for a complete iteration, including enough command calls "
            "for the cursor to return back to 0. N is the number of elements inside the "
            "collection..",
            "read set slow"));
  r.Add(Row("sinter", -2, R, 1, -1, 1, CmdSetOp<SetOp::kInter>, "1.0.0", "Intersect multiple sets",
            "O(N*M) worst case where N is the cardinality of the smallest set and M is the "
            "number of sets.",
            "read set slow", CmdSetOpOrigin<SetOp::kInter>));
  r.Add(Row("sunion", -2, R, 1, -1, 1, CmdSetOp<SetOp::kUnion>, "1.0.0", "Add multiple sets",
            "O(N) where N is the total number of elements in all given sets.", "read set slow",
            CmdSetOpOrigin<SetOp::kUnion>));
  r.Add(Row("sdiff", -2, R, 1, -1, 1, CmdSetOp<SetOp::kDiff>, "1.0.0", "Subtract multiple sets",
            "O(N) where N is the total number of elements in all given sets.", "read set slow",
            CmdSetOpOrigin<SetOp::kDiff>));
  CommandSpec card = Row("sintercard", -3, R, 0, 0, 0, CmdSInterCard, "7.0.0",
                         "Intersect multiple sets and return the cardinality of the result",
                         "O(N*M) worst case where N is the cardinality of the smallest set and M "
                         "is the number of sets.",
                         "read set slow", CmdSInterCardOrigin);
  card.get_keys = SInterCardKeys;
  r.Add(std::move(card));
  r.Add(Row("sinterstore", -3, W | M, 1, -1, 1, CmdSetOpStore<SetOp::kInter>, "1.0.0",
            "Intersect multiple sets and store the resulting set in a key",
            "O(N*M) worst case where N is the cardinality of the smallest set and M is the "
            "number of sets.",
            "write set slow", CmdSetOpStoreOrigin<SetOp::kInter>));
  r.Add(Row("sunionstore", -3, W | M, 1, -1, 1, CmdSetOpStore<SetOp::kUnion>, "1.0.0",
            "Add multiple sets and store the resulting set in a key",
            "O(N) where N is the total number of elements in all given sets.", "write set slow",
            CmdSetOpStoreOrigin<SetOp::kUnion>));
  r.Add(Row("sdiffstore", -3, W | M, 1, -1, 1, CmdSetOpStore<SetOp::kDiff>, "1.0.0",
            "Subtract multiple sets and store the resulting set in a key",
            "O(N) where N is the total number of elements in all given sets.", "write set slow",
            CmdSetOpStoreOrigin<SetOp::kDiff>));
  r.Add(Row("smove", 4, W | F, 1, 2, 1, CmdSMove, "1.0.0", "Move a member from one set to another",
            o1, "write set fast", CmdSMoveOrigin));
}

}  // namespace kevy
