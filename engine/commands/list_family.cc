// The list command family: pushes and pops at both ends, index and range access, LREM,
// LINSERT, LPOS, and the two-key LMOVE/RPOPLPUSH and many-key LMPOP, with Redis 7.0's
// replies and errors (the order in which Redis checks arguments, key existence and type is
// kept, since it decides which error a bad request gets).
//
// Every command has an on_shard handler with the full semantics. LMOVE, RPOPLPUSH and LMPOP
// also have an on_origin handler for keys on different shards: they lock the shards
// involved (engine/shard_lock.h), check the keys' types in one round, then pop and push in
// later rounds, so no other client sees the element in neither list or in both.
#include <algorithm>
#include <climits>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/command.h"
#include "engine/commands/family_util.h"
#include "engine/db.h"
#include "engine/fanout.h"
#include "engine/shard.h"
#include "engine/shard_lock.h"
#include "engine/types/list.h"
#include "engine/util.h"
#include "engine/value.h"
#include "resp/errors.h"
#include "resp/reply.h"

namespace kevy {

namespace {

enum class End : uint8_t { kLeft, kRight };

bool ParseEnd(std::string_view s, End* end) {
  if (EqualsNoCase(s, "left")) {
    *end = End::kLeft;
  } else if (EqualsNoCase(s, "right")) {
    *end = End::kRight;
  } else {
    return false;
  }
  return true;
}

inline bool IsList(const Entry* e) { return e->value.type == ObjType::kList; }
inline std::deque<std::string>& Items(Entry* e) { return e->value.As<List>()->items(); }

// What a key holds, for the checks done before a multi-key write.
enum KeyState : uint8_t { kMissing = 0, kIsList = 1, kOtherType = 2 };

KeyState StateOf(const Entry* e) {
  if (!e) return kMissing;
  return IsList(e) ? kIsList : kOtherType;
}

// Redis's lookupKeyWrite: lazy expiry, no keyspace hit/miss counting.
inline Entry* FindWrite(Db& db, std::string_view key, int64_t now_ms) {
  return db.Find(key, now_ms);
}

Entry* CreateList(Db& db, std::string_view key) {
  return db.Insert(key, Value(ObjType::kList, std::make_unique<List>()));
}

std::string PopEnd(std::deque<std::string>& d, End end) {
  std::string v;
  if (end == End::kLeft) {
    v = std::move(d.front());
    d.pop_front();
  } else {
    v = std::move(d.back());
    d.pop_back();
  }
  return v;
}

void PushEnd(std::deque<std::string>& d, End end, std::string v) {
  if (end == End::kLeft)
    d.push_front(std::move(v));
  else
    d.push_back(std::move(v));
}

// Pops up to `count` elements from `end` of the list at e, deleting the key when emptied.
std::vector<std::string> PopMany(Db& db, Entry* e, End end, int64_t count) {
  auto& d = Items(e);
  const size_t n = std::min<uint64_t>(static_cast<uint64_t>(count), d.size());
  std::vector<std::string> out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) out.push_back(PopEnd(d, end));
  if (d.empty()) db.Erase(e);
  return out;
}

// ---------------------------------------------------------------------------------------
// LPUSH RPUSH LPUSHX RPUSHX

template <End kEnd, bool kOnlyExisting>
void CmdPush(CmdContext& ctx) {
  Entry* e = FindWrite(ctx.db, ctx.args[1], ctx.now_ms());
  if (e && !IsList(e)) {
    ctx.reply.Error(errors::kWrongType);
    return;
  }
  if (!e) {
    if (kOnlyExisting) {
      ctx.reply.Integer(0);
      return;
    }
    e = CreateList(ctx.db, ctx.args[1]);
  }
  auto& d = Items(e);
  for (size_t i = 2; i < ctx.args.size(); ++i) PushEnd(d, kEnd, std::string(ctx.args[i]));
  ctx.reply.Integer(static_cast<int64_t>(d.size()));
}

// ---------------------------------------------------------------------------------------
// LPOP RPOP

template <End kEnd>
void CmdPop(CmdContext& ctx) {
  if (ctx.args.size() > 3) {
    ctx.reply.Error(errors::WrongArgs(ctx.spec.name));
    return;
  }
  const bool has_count = ctx.args.size() == 3;
  int64_t count = 1;
  if (has_count && (!ParseInt64(ctx.args[2], &count) || count < 0)) {
    ctx.reply.Error(errors::kMustBePositive);
    return;
  }
  Entry* e = WriteOrReply(ctx, ctx.args[1], ObjType::kList, [&](ReplyBuilder& r) {
    if (has_count)
      r.NullArray();
    else
      r.Null();
  });
  if (!e) return;
  std::vector<std::string> got = PopMany(ctx.db, e, kEnd, count);
  if (!has_count) {
    ctx.reply.Bulk(got[0]);
    return;
  }
  ctx.reply.ArrayHeader(got.size());
  for (const std::string& v : got) ctx.reply.Bulk(v);
}

// ---------------------------------------------------------------------------------------
// LLEN LINDEX LRANGE LSET LTRIM LREM LINSERT

void CmdLLen(CmdContext& ctx) {
  Entry* e = ReadOrReply(ctx, ctx.args[1], ObjType::kList, [](ReplyBuilder& r) { r.Integer(0); });
  if (e) ctx.reply.Integer(static_cast<int64_t>(Items(e).size()));
}

void CmdLIndex(CmdContext& ctx) {
  // Redis looks the key up before parsing the index: a missing key answers nil even for a
  // bad index.
  Entry* e = ReadOrReply(ctx, ctx.args[1], ObjType::kList, [](ReplyBuilder& r) { r.Null(); });
  if (!e) return;
  int64_t index;
  if (!ParseInt64(ctx.args[2], &index)) {
    ctx.reply.Error(errors::kNotInteger);
    return;
  }
  const List* l = e->value.As<List>();
  int64_t pos = l->Resolve(index);
  if (pos < 0)
    ctx.reply.Null();
  else
    ctx.reply.Bulk(l->items()[pos]);
}

// Redis's range rule (LRANGE, LTRIM): negative bounds count from the tail, start is clamped
// at 0 and end at n-1. Returns false when the range is empty.
bool ClampRange(int64_t n, int64_t* start, int64_t* end) {
  if (*start < 0) *start += n;
  if (*end < 0) *end += n;
  if (*start < 0) *start = 0;
  if (*start > *end || *start >= n) return false;
  if (*end >= n) *end = n - 1;
  return true;
}

void CmdLRange(CmdContext& ctx) {
  int64_t start, end;
  if (!ParseInt64(ctx.args[2], &start) || !ParseInt64(ctx.args[3], &end)) {
    ctx.reply.Error(errors::kNotInteger);
    return;
  }
  Entry* e =
      ReadOrReply(ctx, ctx.args[1], ObjType::kList, [](ReplyBuilder& r) { r.ArrayHeader(0); });
  if (!e) return;
  const auto& d = Items(e);
  if (!ClampRange(static_cast<int64_t>(d.size()), &start, &end)) {
    ctx.reply.ArrayHeader(0);
    return;
  }
  ctx.reply.ArrayHeader(static_cast<size_t>(end - start + 1));
  for (auto it = d.begin() + start, last = d.begin() + end + 1; it != last; ++it)
    ctx.reply.Bulk(*it);
}

void CmdLSet(CmdContext& ctx) {
  Entry* e = WriteOrReply(ctx, ctx.args[1], ObjType::kList,
                          [](ReplyBuilder& r) { r.Error(errors::kNoSuchKey); });
  if (!e) return;
  int64_t index;
  if (!ParseInt64(ctx.args[2], &index)) {
    ctx.reply.Error(errors::kNotInteger);
    return;
  }
  List* l = e->value.As<List>();
  int64_t pos = l->Resolve(index);
  if (pos < 0) {
    ctx.reply.Error(errors::kIndexOutOfRange);
    return;
  }
  l->items()[pos].assign(ctx.args[3].data(), ctx.args[3].size());
  ctx.reply.Ok();
}

void CmdLTrim(CmdContext& ctx) {
  int64_t start, end;
  if (!ParseInt64(ctx.args[2], &start) || !ParseInt64(ctx.args[3], &end)) {
    ctx.reply.Error(errors::kNotInteger);
    return;
  }
  Entry* e = WriteOrReply(ctx, ctx.args[1], ObjType::kList, [](ReplyBuilder& r) { r.Ok(); });
  if (!e) return;
  auto& d = Items(e);
  const int64_t n = static_cast<int64_t>(d.size());
  if (!ClampRange(n, &start, &end)) {
    ctx.db.Erase(e);
  } else {
    d.erase(d.begin() + end + 1, d.end());
    d.erase(d.begin(), d.begin() + start);
  }
  ctx.reply.Ok();
}

void CmdLRem(CmdContext& ctx) {
  int64_t count;
  if (!ParseInt64(ctx.args[2], &count)) {
    ctx.reply.Error(errors::kNotInteger);
    return;
  }
  Entry* e = WriteOrReply(ctx, ctx.args[1], ObjType::kList, [](ReplyBuilder& r) { r.Integer(0); });
  if (!e) return;
  auto& d = Items(e);
  const std::string_view elem = ctx.args[3];
  const size_t n = d.size();
  // Which positions go: the first |count| matches from the head (count > 0) or the tail
  // (count < 0), or all (0). Then one compaction pass, so LREM stays O(n).
  std::vector<bool> drop(n, false);
  uint64_t limit = count == 0 ? UINT64_MAX
                   : count > 0 ? static_cast<uint64_t>(count)
                               : static_cast<uint64_t>(-(count + 1)) + 1;
  uint64_t removed = 0;
  for (size_t k = 0; k < n && removed < limit; ++k) {
    size_t i = count >= 0 ? k : n - 1 - k;
    if (d[i] == elem) {
      drop[i] = true;
      ++removed;
    }
  }
  if (removed > 0) {
    size_t w = 0;
    for (size_t i = 0; i < n; ++i) {
      if (drop[i]) continue;
      if (w != i) d[w] = std::move(d[i]);
      ++w;
    }
    d.erase(d.begin() + w, d.end());
    if (d.empty()) ctx.db.Erase(e);
  }
  ctx.reply.Integer(static_cast<int64_t>(removed));
}

void CmdLInsert(CmdContext& ctx) {
  bool after;
  if (EqualsNoCase(ctx.args[2], "after")) {
    after = true;
  } else if (EqualsNoCase(ctx.args[2], "before")) {
    after = false;
  } else {
    ctx.reply.Error(errors::kSyntax);
    return;
  }
  Entry* e = WriteOrReply(ctx, ctx.args[1], ObjType::kList, [](ReplyBuilder& r) { r.Integer(0); });
  if (!e) return;
  auto& d = Items(e);
  auto it = std::find(d.begin(), d.end(), ctx.args[3]);
  if (it == d.end()) {
    ctx.reply.Integer(-1);
    return;
  }
  if (after) ++it;
  d.insert(it, std::string(ctx.args[4]));
  ctx.reply.Integer(static_cast<int64_t>(d.size()));
}

// ---------------------------------------------------------------------------------------
// LPOS

void CmdLPos(CmdContext& ctx) {
  int64_t rank = 1, count = 0, maxlen = 0;
  bool has_count = false;
  const auto& args = ctx.args;
  for (size_t j = 3; j < args.size(); j += 2) {
    if (j + 1 >= args.size()) {
      ctx.reply.Error(errors::kSyntax);
      return;
    }
    std::string_view opt = args[j];
    if (EqualsNoCase(opt, "rank")) {
      if (!ParseInt64(args[j + 1], &rank)) {
        ctx.reply.Error(errors::kNotInteger);
        return;
      }
      if (rank == 0) {
        ctx.reply.Error(errors::kLposRankZero);
        return;
      }
    } else if (EqualsNoCase(opt, "count")) {
      if (!ParseInt64(args[j + 1], &count) || count < 0) {
        ctx.reply.Error(errors::kLposCountNegative);
        return;
      }
      has_count = true;
    } else if (EqualsNoCase(opt, "maxlen")) {
      if (!ParseInt64(args[j + 1], &maxlen) || maxlen < 0) {
        ctx.reply.Error(errors::kLposMaxlenNegative);
        return;
      }
    } else {
      ctx.reply.Error(errors::kSyntax);
      return;
    }
  }
  Entry* e = ReadOrReply(ctx, args[1], ObjType::kList, [&](ReplyBuilder& r) {
    if (has_count)
      r.ArrayHeader(0);
    else
      r.Null();
  });
  if (!e) return;
  const auto& d = Items(e);
  const bool from_tail = rank < 0;
  // Redis 7.0 negates the rank without an overflow check: RANK LLONG_MIN stays negative,
  // so every match qualifies -- the same as rank 1 from the tail.
  uint64_t want = rank == INT64_MIN ? 1 : static_cast<uint64_t>(rank < 0 ? -rank : rank);
  const size_t n = d.size();
  const size_t scan = maxlen == 0 ? n : std::min<uint64_t>(n, static_cast<uint64_t>(maxlen));
  const uint64_t limit = has_count ? (count == 0 ? UINT64_MAX : static_cast<uint64_t>(count)) : 1;
  std::vector<int64_t> found;
  uint64_t matches = 0;
  const std::string_view elem = args[2];
  for (size_t k = 0; k < scan && found.size() < limit; ++k) {
    size_t i = from_tail ? n - 1 - k : k;
    if (d[i] == elem && ++matches >= want) found.push_back(static_cast<int64_t>(i));
  }
  if (!has_count) {
    if (found.empty())
      ctx.reply.Null();
    else
      ctx.reply.Integer(found[0]);
    return;
  }
  ctx.reply.ArrayHeader(found.size());
  for (int64_t i : found) ctx.reply.Integer(i);
}

// ---------------------------------------------------------------------------------------
// LMOVE RPOPLPUSH

// Both keys on this shard. Redis's order: a missing source answers nil (whatever the
// destination holds), then the source's type, then the destination's.
void Move(CmdContext& ctx, std::string_view src, std::string_view dst, End from, End to) {
  const int64_t now = ctx.now_ms();
  Entry* s = WriteOrReply(ctx, src, ObjType::kList, [](ReplyBuilder& r) { r.Null(); });
  if (!s) return;
  Entry* t = FindWrite(ctx.db, dst, now);
  if (t && !IsList(t)) {
    ctx.reply.Error(errors::kWrongType);
    return;
  }
  auto& sd = Items(s);
  std::string v = PopEnd(sd, from);
  ctx.reply.Bulk(v);
  if (s == t) {  // rotation: the list is never empty in between
    PushEnd(sd, to, std::move(v));
    return;
  }
  if (sd.empty()) ctx.db.Erase(s);
  // Looked up again: erasing the source may have moved entries.
  t = FindWrite(ctx.db, dst, now);
  if (!t) t = CreateList(ctx.db, dst);
  PushEnd(Items(t), to, std::move(v));
}

void CmdLMove(CmdContext& ctx) {
  End from, to;
  if (!ParseEnd(ctx.args[3], &from) || !ParseEnd(ctx.args[4], &to)) {
    ctx.reply.Error(errors::kSyntax);
    return;
  }
  Move(ctx, ctx.args[1], ctx.args[2], from, to);
}

void CmdRPopLPush(CmdContext& ctx) { Move(ctx, ctx.args[1], ctx.args[2], End::kRight, End::kLeft); }

struct MoveOp {
  std::string src, dst;
  int db = 0;
  End from = End::kRight, to = End::kLeft;
  uint16_t src_shard = 0, dst_shard = 0;
  std::vector<uint16_t> shards;  // {src_shard, dst_shard}, distinct
};

struct MoveCheck {
  uint8_t src = kMissing;
  uint8_t dst = kMissing;
};

// Source and destination on different shards, in three rounds under the locks of both:
// check both types, pop at the source, push at the destination.
void MoveAcross(CoordContext& ctx, End from, End to) {
  auto op = std::make_shared<MoveOp>();
  op->src = std::string(ctx.args[1]);
  op->dst = std::string(ctx.args[2]);
  op->db = ctx.client.db;
  op->from = from;
  op->to = to;
  const SlotTable& slots = ctx.shard.server().slots;
  op->src_shard = slots.ShardOf(op->src);
  op->dst_shard = slots.ShardOf(op->dst);
  op->shards = {op->src_shard};
  if (op->dst_shard != op->src_shard) op->shards.push_back(op->dst_shard);
  ReplySlot slot = ctx.Defer(/*barrier=*/true);
  std::shared_ptr<const MoveOp> cop = op;
  LockShards(ctx.shard, cop->shards, [cop, slot](Shard& origin, uint64_t tx) {
    auto check = [cop](Shard& s, size_t, MoveCheck& part) {
      Db& d = s.db(cop->db);
      const int64_t now = s.now_ms();
      if (s.id() == cop->src_shard) part.src = StateOf(FindWrite(d, cop->src, now));
      if (s.id() == cop->dst_shard) part.dst = StateOf(FindWrite(d, cop->dst, now));
    };
    auto checked = [cop, slot, tx](Shard& o, std::vector<MoveCheck>& parts) {
      uint8_t src = kMissing, dst = kMissing;
      for (size_t i = 0; i < parts.size(); ++i) {
        if (cop->shards[i] == cop->src_shard) src = parts[i].src;
        if (cop->shards[i] == cop->dst_shard) dst = parts[i].dst;
      }
      if (src != kIsList || dst == kOtherType) {
        UnlockShards(o, cop->shards, tx);
        o.Finish(slot, [src](ReplyBuilder& rb) {
          if (src == kMissing)
            rb.Null();
          else
            rb.Error(errors::kWrongType);
        });
        return;
      }
      auto pop = [cop](Shard& s, size_t, std::string& v) {
        Db& d = s.db(cop->db);
        Entry* e = FindWrite(d, cop->src, s.now_ms());
        auto& items = Items(e);
        v = PopEnd(items, cop->from);
        if (items.empty()) d.Erase(e);
        s.Propagate(cop->db, {cop->from == End::kLeft ? "LPOP" : "RPOP", cop->src});
      };
      auto popped = [cop, slot, tx](Shard& o2, std::vector<std::string>& vals) {
        auto v = std::make_shared<const std::string>(std::move(vals[0]));
        auto push = [cop, v](Shard& s, size_t, char&) {
          Db& d = s.db(cop->db);
          Entry* e = FindWrite(d, cop->dst, s.now_ms());
          if (!e) e = CreateList(d, cop->dst);
          PushEnd(Items(e), cop->to, *v);
          s.Propagate(cop->db, {cop->to == End::kLeft ? "LPUSH" : "RPUSH", cop->dst, *v});
        };
        FanOut<char>(
            o2, {cop->dst_shard}, push,
            [cop, slot, tx, v](Shard& o3, std::vector<char>&) {
              UnlockShards(o3, cop->shards, tx);
              o3.Finish(slot, [v](ReplyBuilder& rb) { rb.Bulk(*v); });
            },
            tx);
      };
      FanOut<std::string>(o, {cop->src_shard}, pop, popped, tx);
    };
    FanOut<MoveCheck>(origin, cop->shards, check, checked, tx);
  });
}

void CmdLMoveOrigin(CoordContext& ctx) {
  End from, to;
  if (!ParseEnd(ctx.args[3], &from) || !ParseEnd(ctx.args[4], &to)) {
    ctx.reply.Error(errors::kSyntax);
    return;
  }
  MoveAcross(ctx, from, to);
}

void CmdRPopLPushOrigin(CoordContext& ctx) { MoveAcross(ctx, End::kRight, End::kLeft); }

// ---------------------------------------------------------------------------------------
// LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count]

struct MPopArgs {
  size_t first_key = 2;
  size_t num_keys = 0;
  End end = End::kLeft;
  int64_t count = 1;
};

// Redis's checks in Redis's order (ParseMPop); replies the error and returns false on a bad
// request.
bool ParseLMPop(const ArgList& args, ReplyBuilder& rb, MPopArgs* out) {
  MPopRequest req;
  if (std::string_view err = ParseMPop(args, 1, "left", "right", &req); !err.empty()) {
    rb.Error(err);
    return false;
  }
  out->first_key = req.first_key;
  out->num_keys = req.num_keys;
  out->end = req.word1 ? End::kRight : End::kLeft;
  out->count = req.count;
  return true;
}

// Keys of LMPOP: numkeys of them after the count.
void LMPopKeys(const ArgList& args, std::vector<int>* positions) {
  NumKeysPositions(args, 1, positions);
}

void ReplyMPop(ReplyBuilder& rb, std::string_view key, const std::vector<std::string>& vals) {
  rb.ArrayHeader(2);
  rb.Bulk(key);
  rb.ArrayHeader(vals.size());
  for (const std::string& v : vals) rb.Bulk(v);
}

void CmdLMPop(CmdContext& ctx) {
  MPopArgs a;
  if (!ParseLMPop(ctx.args, ctx.reply, &a)) return;
  const int64_t now = ctx.now_ms();
  for (size_t i = 0; i < a.num_keys; ++i) {
    std::string_view key = ctx.args[a.first_key + i];
    Entry* e = FindWrite(ctx.db, key, now);
    if (!e) continue;
    if (!IsList(e)) {
      ctx.reply.Error(errors::kWrongType);
      return;
    }
    ReplyMPop(ctx.reply, key, PopMany(ctx.db, e, a.end, a.count));
    return;
  }
  ctx.reply.NullArray();
}

struct MPopOp {
  std::vector<std::string> keys;
  std::vector<uint16_t> key_shard;  // parallel to keys
  std::vector<uint16_t> shards;     // distinct owners
  int db = 0;
  End end = End::kLeft;
  int64_t count = 1;
};

// Keys on several shards, under the locks of all of them: every shard reports what its keys
// hold, then the first key in request order that exists is popped (or the request fails with
// WRONGTYPE if that key holds another type) -- the same key a single Redis would pick.
void CmdLMPopOrigin(CoordContext& ctx) {
  MPopArgs a;
  if (!ParseLMPop(ctx.args, ctx.reply, &a)) return;
  auto op = std::make_shared<MPopOp>();
  op->db = ctx.client.db;
  op->end = a.end;
  op->count = a.count;
  const SlotTable& slots = ctx.shard.server().slots;
  for (size_t i = 0; i < a.num_keys; ++i) {
    op->keys.emplace_back(ctx.args[a.first_key + i]);
    uint16_t s = slots.ShardOf(op->keys.back());
    op->key_shard.push_back(s);
    if (std::find(op->shards.begin(), op->shards.end(), s) == op->shards.end())
      op->shards.push_back(s);
  }
  ReplySlot slot = ctx.Defer(/*barrier=*/true);
  std::shared_ptr<const MPopOp> cop = op;
  LockShards(ctx.shard, cop->shards, [cop, slot](Shard& origin, uint64_t tx) {
    auto check = [cop](Shard& s, size_t, std::vector<uint8_t>& states) {
      Db& d = s.db(cop->db);
      const int64_t now = s.now_ms();
      states.assign(cop->keys.size(), kMissing);
      for (size_t k = 0; k < cop->keys.size(); ++k)
        if (cop->key_shard[k] == s.id()) states[k] = StateOf(FindWrite(d, cop->keys[k], now));
    };
    auto checked = [cop, slot, tx](Shard& o, std::vector<std::vector<uint8_t>>& parts) {
      for (size_t k = 0; k < cop->keys.size(); ++k) {
        size_t part = std::find(cop->shards.begin(), cop->shards.end(), cop->key_shard[k]) -
                      cop->shards.begin();
        uint8_t st = parts[part][k];
        if (st == kMissing) continue;
        if (st == kOtherType) {
          UnlockShards(o, cop->shards, tx);
          o.Finish(slot, [](ReplyBuilder& rb) { rb.Error(errors::kWrongType); });
          return;
        }
        auto pop = [cop, k](Shard& s, size_t, std::vector<std::string>& vals) {
          Db& d = s.db(cop->db);
          vals = PopMany(d, FindWrite(d, cop->keys[k], s.now_ms()), cop->end, cop->count);
          std::string n = std::to_string(vals.size());  // logged as Redis 7 does: LPOP key count
          s.Propagate(cop->db, {cop->end == End::kLeft ? "LPOP" : "RPOP", cop->keys[k], n});
        };
        FanOut<std::vector<std::string>>(
            o, {cop->key_shard[k]}, pop,
            [cop, slot, tx, k](Shard& o2, std::vector<std::vector<std::string>>& vals) {
              UnlockShards(o2, cop->shards, tx);
              o2.Finish(slot, [&](ReplyBuilder& rb) { ReplyMPop(rb, cop->keys[k], vals[0]); });
            },
            tx);
        return;
      }
      UnlockShards(o, cop->shards, tx);
      o.Finish(slot, [](ReplyBuilder& rb) { rb.NullArray(); });
    };
    FanOut<std::vector<uint8_t>>(origin, cop->shards, check, checked, tx);
  });
}

// ---------------------------------------------------------------------------------------
// Registration

constexpr RowMaker Row{"list"};  // rows of this family (family_util.h)

}  // namespace

void RegisterListFamily(CommandRegistry& r) {
  constexpr uint32_t W = kCmdWrite, R = kCmdReadonly, F = kCmdFast, M = kCmdDenyOom;
  const std::string o1 = "O(1)";
  const std::string push_c =
      "O(1) for each element added, so O(N) to add N elements when the command is called with "
      "multiple arguments.";
  const std::string pop_c = "O(N) where N is the number of elements returned";
  r.Add(Row("lpush", -3, W | M | F, 1, 1, 1, CmdPush<End::kLeft, false>, "1.0.0",
            "Prepend one or multiple elements to a list", push_c, "write list fast"));
  r.Add(Row("rpush", -3, W | M | F, 1, 1, 1, CmdPush<End::kRight, false>, "1.0.0",
            "Append one or multiple elements to a list", push_c, "write list fast"));
  r.Add(Row("lpushx", -3, W | M | F, 1, 1, 1, CmdPush<End::kLeft, true>, "2.2.0",
            "Prepend an element to a list, only if the list exists", push_c, "write list fast"));
  r.Add(Row("rpushx", -3, W | M | F, 1, 1, 1, CmdPush<End::kRight, true>, "2.2.0",
            "Append an element to a list, only if the list exists", push_c, "write list fast"));
  r.Add(Row("lpop", -2, W | F, 1, 1, 1, CmdPop<End::kLeft>, "1.0.0",
            "Remove and get the first elements in a list", pop_c, "write list fast"));
  r.Add(Row("rpop", -2, W | F, 1, 1, 1, CmdPop<End::kRight>, "1.0.0",
            "Remove and get the last elements in a list", pop_c, "write list fast"));
  r.Add(Row("llen", 2, R | F, 1, 1, 1, CmdLLen, "1.0.0", "Get the length of a list", o1,
            "read list fast"));
  r.Add(Row("lindex", 3, R, 1, 1, 1, CmdLIndex, "1.0.0", "Get an element from a list by its index",
            "O(N) where N is the number of elements to traverse to get to the element at index. "
            "This makes asking for the first or the last element of the list O(1).",
            "read list slow"));
  r.Add(Row("lrange", 4, R, 1, 1, 1, CmdLRange, "1.0.0", "Get a range of elements from a list",
            "O(S+N) where S is the distance of start offset from HEAD for small lists, from "
            "nearest end (HEAD or TAIL) for large lists; and N is the number of elements in the "
            "specified range.",
            "read list slow"));
  r.Add(Row("lset", 4, W | M, 1, 1, 1, CmdLSet, "1.0.0",
            "Set the value of an element in a list by its index",
            "O(N) where N is the length of the list. Setting either the first or the last "
            "element of the list is O(1).",
            "write list slow"));
  r.Add(Row("ltrim", 4, W, 1, 1, 1, CmdLTrim, "1.0.0", "Trim a list to the specified range",
            "O(N) where N is the number of elements to be removed by the operation.",
            "write list slow"));
  r.Add(Row("lrem", 4, W, 1, 1, 1, CmdLRem, "1.0.0", "Remove elements from a list",
            "O(N+M) where N is the length of the list and M is the number of elements removed.",
            "write list slow"));
  r.Add(Row("linsert", 5, W | M, 1, 1, 1, CmdLInsert, "2.2.0",
            "Insert an element before or after another element in a list",
            "O(N) where N is the number of elements to traverse before seeing the value pivot. "
            "This means that inserting somewhere on the left end on the list (head) can be "
            "considered O(1) and inserting somewhere on the right end (tail) is O(N).",
            "write list slow"));
  r.Add(Row("lpos", -3, R, 1, 1, 1, CmdLPos, "6.0.6", "Return the index of matching elements on a list",
            "O(N) where N is the number of elements in the list, for the average case. When "
            "searching for elements near the head or the tail of the list, or when the MAXLEN "
            "option is provided, the command may run in constant time.",
            "read list slow"));
  r.Add(Row("lmove", 5, W | M, 1, 2, 1, CmdLMove, "6.2.0",
            "Pop an element from a list, push it to another list and return it", o1,
            "write list slow", CmdLMoveOrigin));
  r.Add(Row("rpoplpush", 3, W | M, 1, 2, 1, CmdRPopLPush, "1.2.0",
            "Remove the last element in a list, prepend it to another list and return it", o1,
            "write list slow", CmdRPopLPushOrigin));
  CommandSpec lmpop = Row("lmpop", -4, W, 0, 0, 0, CmdLMPop, "7.0.0",
                          "Pop elements from a list",
                          "O(N+M) where N is the number of provided keys and M is the number of "
                          "elements returned.",
                          "write list slow", CmdLMPopOrigin);
  lmpop.get_keys = LMPopKeys;
  r.Add(std::move(lmpop));
}

}  // namespace kevy
