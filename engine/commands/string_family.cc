// The string command family: GET/SET and their variants, counters, ranges, LCS, and the
// multi-key MGET/MSET/MSETNX, with Redis 7's replies and errors.
//
// Every command has an on_shard handler with the full semantics; the dispatcher uses it
// whenever all keys of a request live on one shard. MGET, MSET, MSETNX and LCS also have an
// on_origin handler for keys that span shards: it copies what the per-shard ops need (the
// request's buffer is gone by the time they run), fans out with FanOut, and writes the reply
// from the parts on the origin shard.
//
// GET and SET are the hot path of the benchmark: a plain SET never parses options and
// overwrites the value in place (one hash lookup, no allocation when the new value fits in
// the old buffer).
#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <new>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/agg/agg.h"
#include "engine/command.h"
#include "engine/commands/family_util.h"
#include "engine/db.h"
#include "engine/fanout.h"
#include "engine/shard.h"
#include "engine/shard_lock.h"
#include "engine/util.h"
#include "engine/value.h"
#include "resp/errors.h"
#include "resp/reply.h"

namespace kevy {

namespace {

// ---------------------------------------------------------------------------------------
// Storing values

// Makes e hold the plain string `v` (what Redis's setKey stores), whatever it held before.
// The TTL is left alone. The old buffer is reused unless it is far larger than `v`, so a key
// that once held a big value does not keep that memory.
inline void StoreString(Entry* e, std::string_view v) {
  Value& val = e->value;
  if (val.type != ObjType::kString) val = Value();
  if (val.str.capacity() > 2 * v.size() + 64) {
    std::string fresh(v);  // swap, not move-assign: the latter keeps the old buffer for short v
    val.str.swap(fresh);
  } else {
    val.str.assign(v.data(), v.size());
  }
  val.raw = false;
}

// Redis's setKey: stores `v` at `key`, creating it or replacing a value of any type, and
// drops the TTL.
Entry* SetKey(Db& db, std::string_view key, std::string_view v, int64_t now_ms) {
  bool created;
  Entry* e = db.FindOrCreate(key, now_ms, &created);
  if (!created && e->expire_at_ms != kNoExpire) db.ClearExpire(e);
  StoreString(e, v);
  return e;
}

// Redis's checkStringLength: may a string of `size` bytes grow by `append` bytes?
bool CheckStringLength(CmdContext& ctx, uint64_t size, uint64_t append) {
  uint64_t total;
  int64_t max = ctx.shard.config().proto_max_bulk_len.load(std::memory_order_relaxed);
  if (__builtin_add_overflow(size, append, &total) || total > static_cast<uint64_t>(max)) {
    ctx.reply.Error(errors::kStringTooLong);
    return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------
// GET, SET and their variants

void CmdGet(CmdContext& ctx) {
  Entry* e = LookupRead(ctx, ctx.args[1]);
  if (!e) {
    ctx.reply.Null();
    return;
  }
  if (!IsString(e)) {
    ctx.reply.Error(errors::kWrongType);
    return;
  }
  ctx.reply.Bulk(e->value.str);
}

enum SetFlag : uint32_t {
  kSetNx = 1u << 0,
  kSetXx = 1u << 1,
  kSetGet = 1u << 2,
  kSetKeepTtl = 1u << 3,
  kSetPersist = 1u << 4,  // GETEX only
  kSetEx = 1u << 5,
  kSetPx = 1u << 6,
  kSetExAt = 1u << 7,
  kSetPxAt = 1u << 8,
};
constexpr uint32_t kSetAnyExpire = kSetEx | kSetPx | kSetExAt | kSetPxAt;

struct StringOptions {
  uint32_t flags = 0;
  std::string_view expire;  // the argument of EX/PX/EXAT/PXAT
};

// The options of SET (`for_set`, from args[3]) or GETEX (from args[2]), by Redis's rules:
// an option that conflicts with one already given, an option the command does not know, or
// an expire option without its argument is a syntax error (returns false). Repeating an
// option is allowed; the last expire argument wins. The expire argument is checked later.
bool ParseStringOptions(const ArgList& args, size_t from, bool for_set, StringOptions* o) {
  for (size_t j = from; j < args.size(); ++j) {
    std::string_view opt = args[j];
    const uint32_t f = o->flags;
    uint32_t expire_flag = 0;
    if (for_set && EqualsNoCase(opt, "nx") && !(f & kSetXx)) {
      o->flags |= kSetNx;
    } else if (for_set && EqualsNoCase(opt, "xx") && !(f & kSetNx)) {
      o->flags |= kSetXx;
    } else if (for_set && EqualsNoCase(opt, "get")) {
      o->flags |= kSetGet;
    } else if (for_set && EqualsNoCase(opt, "keepttl") && !(f & (kSetPersist | kSetAnyExpire))) {
      o->flags |= kSetKeepTtl;
    } else if (!for_set && EqualsNoCase(opt, "persist") && !(f & (kSetKeepTtl | kSetAnyExpire))) {
      o->flags |= kSetPersist;
    } else if (EqualsNoCase(opt, "ex")) {
      expire_flag = kSetEx;
    } else if (EqualsNoCase(opt, "px")) {
      expire_flag = kSetPx;
    } else if (EqualsNoCase(opt, "exat")) {
      expire_flag = kSetExAt;
    } else if (EqualsNoCase(opt, "pxat")) {
      expire_flag = kSetPxAt;
    } else {
      return false;
    }
    if (expire_flag) {
      // A different expire option, KEEPTTL or PERSIST conflicts; the same one again does not.
      if ((f & (kSetKeepTtl | kSetPersist | (kSetAnyExpire & ~expire_flag))) ||
          j + 1 >= args.size())
        return false;
      o->flags |= expire_flag;
      o->expire = args[++j];
    }
  }
  return true;
}

// How SET-like commands answer: SET/SETEX/PSETEX with OK or nil, SETNX with 1 or 0.
enum class SetReply : uint8_t { kOk, kInt };

// Redis's setGenericCommand: SET with options, SETNX, SETEX, PSETEX.
void SetGeneric(CmdContext& ctx, std::string_view key, std::string_view val, const StringOptions& o,
                SetReply kind) {
  const int64_t now = ctx.now_ms();
  const uint32_t f = o.flags;
  int64_t at = 0;
  if (f & kSetAnyExpire) {
    ExpireArg r =
        ParseExpireArg(o.expire, f & (kSetEx | kSetExAt), f & (kSetEx | kSetPx), now, &at);
    if (r != ExpireArg::kOk) {
      ReplyExpireArgError(ctx.reply, r, ctx.spec.name);
      return;
    }
  }
  auto abort_reply = [&] {
    ctx.NoPropagate();
    if (f & kSetGet) return;  // the old value was the reply
    if (kind == SetReply::kOk)
      ctx.reply.Null();
    else
      ctx.reply.Integer(0);
  };
  Entry* e = nullptr;
  bool created = false;
  if (f & (kSetGet | kSetXx)) {
    if (f & kSetGet) {
      e = LookupRead(ctx, key);
      if (e && !IsString(e)) {
        ctx.reply.Error(errors::kWrongType);
        return;
      }
      if (e)
        ctx.reply.Bulk(e->value.str);
      else
        ctx.reply.Null();
    } else {
      e = ctx.db.Find(key, now);
    }
    if (((f & kSetNx) && e) || ((f & kSetXx) && !e)) {
      abort_reply();
      return;
    }
    if (!e) e = ctx.db.FindOrCreate(key, now, &created);
  } else {
    // One lookup for the common forms (SETEX, SETNX, SET EX ...).
    e = ctx.db.FindOrCreate(key, now, &created);
    if ((f & kSetNx) && !created) {
      abort_reply();
      return;
    }
  }
  StoreString(e, val);
  if (f & kSetAnyExpire) {
    ctx.db.SetExpire(e, at);  // a time in the past is kept: the key expires on next access
    // Relative times are logged absolute (Redis 7: SET key value PXAT ms).
    std::string ms = Int64ToString(at);
    ctx.Propagate({"SET", key, val, "PXAT", ms});
  } else if (!created && !(f & kSetKeepTtl) && e->expire_at_ms != kNoExpire)
    ctx.db.ClearExpire(e);
  if (f & kSetGet) return;
  if (kind == SetReply::kOk)
    ctx.reply.Ok();
  else
    ctx.reply.Integer(1);
}

void CmdSet(CmdContext& ctx) {
  if (ctx.args.size() == 3) {
    bool created;
    Entry* e = ctx.db.FindOrCreate(ctx.args[1], ctx.now_ms(), &created);
    if (!created && e->expire_at_ms != kNoExpire) ctx.db.ClearExpire(e);
    StoreString(e, ctx.args[2]);
    ctx.reply.Ok();
    return;
  }
  StringOptions o;
  if (!ParseStringOptions(ctx.args, 3, /*for_set=*/true, &o)) {
    ctx.reply.Error(errors::kSyntax);
    return;
  }
  SetGeneric(ctx, ctx.args[1], ctx.args[2], o, SetReply::kOk);
}

void CmdSetNx(CmdContext& ctx) {
  SetGeneric(ctx, ctx.args[1], ctx.args[2], StringOptions{kSetNx, {}}, SetReply::kInt);
}

template <uint32_t kUnit>  // kSetEx (SETEX) or kSetPx (PSETEX)
void CmdSetEx(CmdContext& ctx) {
  SetGeneric(ctx, ctx.args[1], ctx.args[3], StringOptions{kUnit, ctx.args[2]}, SetReply::kOk);
}

void CmdGetSet(CmdContext& ctx) {
  Entry* e = LookupRead(ctx, ctx.args[1]);
  if (!e) {
    ctx.reply.Null();
    bool created;
    e = ctx.db.FindOrCreate(ctx.args[1], ctx.now_ms(), &created);
  } else {
    if (!IsString(e)) {
      ctx.reply.Error(errors::kWrongType);
      return;
    }
    ctx.reply.Bulk(e->value.str);
    if (e->expire_at_ms != kNoExpire) ctx.db.ClearExpire(e);
  }
  StoreString(e, ctx.args[2]);
}

void CmdGetDel(CmdContext& ctx) {
  Entry* e = LookupRead(ctx, ctx.args[1]);
  if (!e) {
    ctx.reply.Null();
    return;
  }
  if (!IsString(e)) {
    ctx.reply.Error(errors::kWrongType);
    return;
  }
  ctx.reply.Bulk(e->value.str);
  ctx.db.Erase(e);
}

void CmdGetEx(CmdContext& ctx) {
  StringOptions o;
  if (!ParseStringOptions(ctx.args, 2, /*for_set=*/false, &o)) {
    ctx.reply.Error(errors::kSyntax);
    return;
  }
  Entry* e = LookupRead(ctx, ctx.args[1]);
  if (!e) {
    ctx.reply.Null();
    return;
  }
  if (!IsString(e)) {
    ctx.reply.Error(errors::kWrongType);
    return;
  }
  const uint32_t f = o.flags;
  const int64_t now = ctx.now_ms();
  int64_t at = 0;
  if (f & kSetAnyExpire) {
    ExpireArg r =
        ParseExpireArg(o.expire, f & (kSetEx | kSetExAt), f & (kSetEx | kSetPx), now, &at);
    if (r != ExpireArg::kOk) {
      ReplyExpireArgError(ctx.reply, r, ctx.spec.name);
      return;
    }
  }
  ctx.reply.Bulk(e->value.str);
  std::string key(ctx.args[1]);
  if ((f & (kSetExAt | kSetPxAt)) && at <= now) {
    ctx.db.Erase(e);  // an absolute time already past deletes the key at once, as Redis does
    ctx.Propagate({"DEL", key});
  } else if (f & kSetAnyExpire) {
    ctx.db.SetExpire(e, at);
    std::string ms = Int64ToString(at);
    ctx.Propagate({"PEXPIREAT", key, ms});
  } else if ((f & kSetPersist) && e->expire_at_ms != kNoExpire) {
    ctx.db.ClearExpire(e);
    ctx.Propagate({"PERSIST", key});
  } else {
    ctx.NoPropagate();
  }
}

// ---------------------------------------------------------------------------------------
// Counters

// Redis's string2ld: ParseLongDouble, and the whole string must be the number -- strtold
// stops at an embedded NUL, which Redis rejects ("1\0junk" is not a float).
bool ParseLongDoubleExact(std::string_view s, long double* out) {
  return s.find('\0') == std::string_view::npos && ParseLongDouble(s, out);
}

// Redis's incrDecrCommand. The TTL is kept.
void IncrBy(CmdContext& ctx, int64_t incr) {
  bool created;
  Entry* e = ctx.db.FindOrCreate(ctx.args[1], ctx.now_ms(), &created);
  int64_t v = incr;
  if (!created) {
    if (!IsString(e)) {
      ctx.reply.Error(errors::kWrongType);
      return;
    }
    int64_t old;
    if (!ParseInt64(e->value.str, &old)) {
      ctx.reply.Error(errors::kNotInteger);
      return;
    }
    if (__builtin_add_overflow(old, incr, &v)) {
      ctx.reply.Error(errors::kOverflow);
      return;
    }
  }
  char buf[24];
  e->value.str.assign(buf, static_cast<size_t>(FormatInt64(v, buf)));
  e->value.raw = false;
  ctx.reply.Integer(v);
}

void CmdIncr(CmdContext& ctx) { IncrBy(ctx, 1); }
void CmdDecr(CmdContext& ctx) { IncrBy(ctx, -1); }

void CmdIncrBy(CmdContext& ctx) {
  int64_t incr;
  if (!ParseInt64(ctx.args[2], &incr)) {
    ctx.reply.Error(errors::kNotInteger);
    return;
  }
  IncrBy(ctx, incr);
}

void CmdDecrBy(CmdContext& ctx) {
  int64_t decr;
  if (!ParseInt64(ctx.args[2], &decr)) {
    ctx.reply.Error(errors::kNotInteger);
    return;
  }
  if (decr == INT64_MIN) {  // its negation does not exist
    ctx.reply.Error(errors::kDecrementOverflow);
    return;
  }
  IncrBy(ctx, -decr);
}

void CmdIncrByFloat(CmdContext& ctx) {
  Entry* e = ctx.db.Find(ctx.args[1], ctx.now_ms());
  long double v = 0, incr;
  if (e) {
    if (!IsString(e)) {
      ctx.reply.Error(errors::kWrongType);
      return;
    }
    if (!ParseLongDoubleExact(e->value.str, &v)) {
      ctx.reply.Error(errors::kNotFloat);
      return;
    }
  }
  if (!ParseLongDoubleExact(ctx.args[2], &incr)) {
    ctx.reply.Error(errors::kNotFloat);
    return;
  }
  v += incr;
  if (std::isnan(v) || std::isinf(v)) {
    ctx.reply.Error(errors::kIncrNanOrInf);
    return;
  }
  std::string s = FormatLongDouble(v);
  if (!e) {
    bool created;
    e = ctx.db.FindOrCreate(ctx.args[1], ctx.now_ms(), &created);
  }
  StoreString(e, s);  // keeps the TTL
  ctx.reply.Bulk(s);
  // Logged as the value it produced, so replay does not depend on float arithmetic.
  ctx.Propagate({"SET", ctx.args[1], s, "KEEPTTL"});
}

// ---------------------------------------------------------------------------------------
// Lengths and ranges

void CmdAppend(CmdContext& ctx) {
  std::string_view add = ctx.args[2];
  bool created;
  Entry* e = ctx.db.FindOrCreate(ctx.args[1], ctx.now_ms(), &created);
  if (created) {
    // A new key holds the argument as SET would store it (so it may encode as int).
    StoreString(e, add);
  } else {
    if (!IsString(e)) {
      ctx.reply.Error(errors::kWrongType);
      return;
    }
    if (!CheckStringLength(ctx, e->value.str.size(), add.size())) return;
    e->value.str.append(add);
    e->value.raw = true;
  }
  ctx.reply.Integer(static_cast<int64_t>(e->value.str.size()));
}

void CmdStrLen(CmdContext& ctx) {
  Entry* e = LookupRead(ctx, ctx.args[1]);
  if (!e) {
    ctx.reply.Integer(0);
    return;
  }
  if (!IsString(e)) {
    ctx.reply.Error(errors::kWrongType);
    return;
  }
  ctx.reply.Integer(static_cast<int64_t>(e->value.str.size()));
}

// GETRANGE and SUBSTR.
void CmdGetRange(CmdContext& ctx) {
  int64_t start, end;
  if (!ParseInt64(ctx.args[2], &start) || !ParseInt64(ctx.args[3], &end)) {
    ctx.reply.Error(errors::kNotInteger);
    return;
  }
  Entry* e = LookupRead(ctx, ctx.args[1]);
  if (!e) {
    ctx.reply.Bulk("");
    return;
  }
  if (!IsString(e)) {
    ctx.reply.Error(errors::kWrongType);
    return;
  }
  std::string_view s = e->value.str;
  const int64_t len = static_cast<int64_t>(s.size());
  if (start < 0 && end < 0 && start > end) {
    ctx.reply.Bulk("");
    return;
  }
  if (start < 0) start += len;  // cannot overflow: start < 0 <= len
  if (end < 0) end += len;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= len) end = len - 1;
  if (len == 0 || start > end) {
    ctx.reply.Bulk("");
    return;
  }
  ctx.reply.Bulk(s.substr(static_cast<size_t>(start), static_cast<size_t>(end - start + 1)));
}

void CmdSetRange(CmdContext& ctx) {
  int64_t offset;
  if (!ParseInt64(ctx.args[2], &offset)) {
    ctx.reply.Error(errors::kNotInteger);
    return;
  }
  if (offset < 0) {
    ctx.reply.Error(errors::kOffsetOutOfRange);
    return;
  }
  std::string_view v = ctx.args[3];
  if (v.empty()) {
    // Nothing to write: the current length, and no key is created.
    Entry* e = ctx.db.Find(ctx.args[1], ctx.now_ms());
    if (e && !IsString(e)) {
      ctx.reply.Error(errors::kWrongType);
      return;
    }
    ctx.reply.Integer(e ? static_cast<int64_t>(e->value.str.size()) : 0);
    return;
  }
  bool created;
  Entry* e = ctx.db.FindOrCreate(ctx.args[1], ctx.now_ms(), &created);
  if (!created && !IsString(e)) {
    ctx.reply.Error(errors::kWrongType);
    return;
  }
  if (!CheckStringLength(ctx, static_cast<uint64_t>(offset), v.size())) {
    if (created) ctx.db.Erase(e);
    return;
  }
  std::string& s = e->value.str;
  const size_t need = static_cast<size_t>(offset) + v.size();
  if (s.size() < need) s.resize(need, '\0');
  memcpy(s.data() + offset, v.data(), v.size());
  e->value.raw = true;
  ctx.reply.Integer(static_cast<int64_t>(s.size()));
}

// ---------------------------------------------------------------------------------------
// Values fetched from other shards (MGET, LCS)

struct Fetched {
  enum State : uint8_t { kMissing, kString, kOtherType };
  State state = kMissing;
  std::string value;  // kString only
};
using FetchPart = std::vector<Fetched>;

// Looks `keys` up on the shards that own them (counting keyspace hits and misses there, as
// Redis's lookupKeyRead) and calls done(origin, fetched) on the origin shard with the
// results in the order of `keys`. May call `done` before returning.
template <class Done>
void FetchStrings(Shard& origin, int db, const std::vector<std::string_view>& keys, Done done) {
  const SlotTable& slots = origin.server().slots;
  agg::ShardSplit split(origin.server().num_shards());
  for (size_t i = 0; i < keys.size(); ++i) split.Add(slots.ShardOf(keys[i]), i);
  std::vector<uint16_t> shards;
  std::vector<std::vector<std::string>> shard_keys;
  for (size_t s : split.Shards()) {
    shards.push_back(static_cast<uint16_t>(s));
    auto& mine = shard_keys.emplace_back();
    for (size_t pos : split.Positions(s)) mine.emplace_back(keys[pos]);
  }
  const size_t n = keys.size();
  FanOut<FetchPart>(
      origin, shards,
      [shard_keys = std::move(shard_keys), db](Shard& s, size_t i, FetchPart& part) {
        Db& d = s.db(db);
        const auto& mine = shard_keys[i];
        part.resize(mine.size());
        for (size_t k = 0; k < mine.size(); ++k) {
          Entry* e = LookupRead(s, d, mine[k]);
          if (!e) continue;
          if (!IsString(e)) {
            part[k].state = Fetched::kOtherType;
            continue;
          }
          part[k].state = Fetched::kString;
          part[k].value = e->value.str;
        }
      },
      [split = std::move(split), shards, n, done = std::move(done)](
          Shard& o, std::vector<FetchPart>& parts) mutable {
        agg::Gather<Fetched> gather(n);
        for (size_t j = 0; j < shards.size(); ++j)
          gather.Place(split.Positions(shards[j]), std::move(parts[j]));
        done(o, gather.results());
      });
}

// ---------------------------------------------------------------------------------------
// MGET, MSET, MSETNX

void CmdMGet(CmdContext& ctx) {
  const size_t n = ctx.args.size() - 1;
  ctx.reply.ArrayHeader(n);
  for (size_t i = 1; i <= n; ++i) {
    Entry* e = LookupRead(ctx, ctx.args[i]);
    if (e && IsString(e))
      ctx.reply.Bulk(e->value.str);
    else
      ctx.reply.Null();
  }
}

void CmdMGetOrigin(CoordContext& ctx) {
  std::vector<std::string_view> keys(ctx.args.begin() + 1, ctx.args.end());
  ReplySlot slot = ctx.Defer();
  FetchStrings(ctx.shard, ctx.client.db, keys, [slot](Shard& o, std::vector<Fetched>& got) {
    o.Finish(slot, [&](ReplyBuilder& rb) {
      rb.ArrayHeader(got.size());
      for (const Fetched& f : got) {
        if (f.state == Fetched::kString)
          rb.Bulk(f.value);
        else
          rb.Null();
      }
    });
  });
}

// MSET/MSETNX take key value pairs: an even argument count is an arity error.
bool CheckPairs(const ArgList& args, const CommandSpec& spec, ReplyBuilder& rb) {
  if (args.size() % 2 == 0) {
    rb.Error(errors::WrongArgs(spec.name));
    return false;
  }
  return true;
}

void CmdMSet(CmdContext& ctx) {
  if (!CheckPairs(ctx.args, ctx.spec, ctx.reply)) return;
  const int64_t now = ctx.now_ms();
  for (size_t i = 1; i < ctx.args.size(); i += 2) SetKey(ctx.db, ctx.args[i], ctx.args[i + 1], now);
  ctx.reply.Ok();
}

void CmdMSetNx(CmdContext& ctx) {
  if (!CheckPairs(ctx.args, ctx.spec, ctx.reply)) return;
  const int64_t now = ctx.now_ms();
  for (size_t i = 1; i < ctx.args.size(); i += 2) {
    if (ctx.db.Find(ctx.args[i], now)) {
      ctx.reply.Integer(0);
      return;
    }
  }
  for (size_t i = 1; i < ctx.args.size(); i += 2) SetKey(ctx.db, ctx.args[i], ctx.args[i + 1], now);
  ctx.reply.Integer(1);
}

// Key/value pairs of an MSET-like request grouped by owning shard, copied, request order
// kept within each shard (so a repeated key ends with its last value, as in Redis).
struct PairsByShard {
  std::vector<uint16_t> shards;
  std::vector<std::vector<std::pair<std::string, std::string>>> pairs;  // parallel to shards
  int db = 0;
};

std::shared_ptr<const PairsByShard> SplitPairs(const CoordContext& ctx) {
  const SlotTable& slots = ctx.shard.server().slots;
  auto out = std::make_shared<PairsByShard>();
  out->db = ctx.client.db;
  std::vector<int> index(ctx.shard.server().num_shards(), -1);  // shard -> position in out
  for (size_t i = 1; i + 1 < ctx.args.size(); i += 2) {
    uint16_t s = slots.ShardOf(ctx.args[i]);
    if (index[s] < 0) {
      index[s] = static_cast<int>(out->shards.size());
      out->shards.push_back(s);
      out->pairs.emplace_back();
    }
    out->pairs[index[s]].emplace_back(ctx.args[i], ctx.args[i + 1]);
  }
  return out;
}

void SetPairs(Shard& s, const PairsByShard& kv, size_t i) {
  Db& d = s.db(kv.db);
  const int64_t now = s.now_ms();
  std::vector<std::string_view> effect{"MSET"};
  for (const auto& [k, v] : kv.pairs[i]) {
    SetKey(d, k, v, now);
    effect.push_back(k);
    effect.push_back(v);
  }
  s.Propagate(kv.db, effect);  // this shard's part of the MSET
}

// MSET across shards is atomic as Redis documents it ("not possible for clients to see that
// some of the keys were updated while others are unchanged"): every involved shard is locked
// before any sets its keys. The lock round trips make it a barrier for the client's next
// commands.
void CmdMSetOrigin(CoordContext& ctx) {
  if (!CheckPairs(ctx.args, ctx.spec, ctx.reply)) return;
  std::shared_ptr<const PairsByShard> kv = SplitPairs(ctx);
  ReplySlot slot = ctx.Defer(/*barrier=*/true);
  LockShards(ctx.shard, kv->shards, [kv, slot](Shard& origin, uint64_t tx) {
    FanOut<char>(
        origin, kv->shards, [kv](Shard& s, size_t i, char&) { SetPairs(s, *kv, i); },
        [kv, slot, tx](Shard& o, std::vector<char>&) {
          UnlockShards(o, kv->shards, tx);
          o.Finish(slot, [](ReplyBuilder& rb) { rb.Ok(); });
        },
        tx);
  });
}

// MSETNX across shards, all or nothing, in two phases under shard locks
// (engine/shard_lock.h): (1) every shard reports whether one of its keys exists; (2) only if
// none does, every shard sets its keys. The locks keep other clients' commands on these
// shards waiting from before phase 1 until after phase 2, so no write can land between the
// check and the set.
void CmdMSetNxOrigin(CoordContext& ctx) {
  if (!CheckPairs(ctx.args, ctx.spec, ctx.reply)) return;
  std::shared_ptr<const PairsByShard> kv = SplitPairs(ctx);
  ReplySlot slot = ctx.Defer(/*barrier=*/true);
  LockShards(ctx.shard, kv->shards, [kv, slot](Shard& origin, uint64_t tx) {
    auto check = [kv](Shard& s, size_t i, uint8_t& any_exists) {
      Db& d = s.db(kv->db);
      const int64_t now = s.now_ms();
      any_exists = 0;
      for (const auto& kvp : kv->pairs[i]) {
        if (d.Find(kvp.first, now)) {
          any_exists = 1;
          break;
        }
      }
    };
    auto checked = [kv, slot, tx](Shard& o, std::vector<uint8_t>& exists) {
      for (uint8_t x : exists) {
        if (x) {
          UnlockShards(o, kv->shards, tx);
          o.Finish(slot, [](ReplyBuilder& rb) { rb.Integer(0); });
          return;
        }
      }
      FanOut<char>(
          o, kv->shards, [kv](Shard& s, size_t i, char&) { SetPairs(s, *kv, i); },
          [kv, slot, tx](Shard& o2, std::vector<char>&) {
            UnlockShards(o2, kv->shards, tx);
            o2.Finish(slot, [](ReplyBuilder& rb) { rb.Integer(1); });
          },
          tx);
    };
    FanOut<uint8_t>(origin, kv->shards, check, checked, tx);
  });
}

// ---------------------------------------------------------------------------------------
// LCS

// Writes the reply of LCS for strings a and b with the options `opts` (arguments after the
// two keys), by Redis's rules: the classic dynamic-programming table of LCS lengths, then a
// walk back from its corner that collects the common subsequence and its matching ranges
// (last ones first). The table is refused when larger than `max_table_bytes`
// (proto-max-bulk-len).
void LcsReply(ReplyBuilder& rb, std::string_view a, std::string_view b,
              const std::string_view* opts, size_t nopts, int64_t max_table_bytes) {
  bool want_idx = false, want_len = false, with_match_len = false;
  int64_t min_match_len = 0;
  for (size_t j = 0; j < nopts; ++j) {
    std::string_view o = opts[j];
    if (EqualsNoCase(o, "idx")) {
      want_idx = true;
    } else if (EqualsNoCase(o, "len")) {
      want_len = true;
    } else if (EqualsNoCase(o, "withmatchlen")) {
      with_match_len = true;
    } else if (EqualsNoCase(o, "minmatchlen") && j + 1 < nopts) {
      if (!ParseInt64(opts[++j], &min_match_len)) {
        rb.Error(errors::kNotInteger);
        return;
      }
      if (min_match_len < 0) min_match_len = 0;
    } else {
      rb.Error(errors::kSyntax);
      return;
    }
  }
  if (want_idx && want_len) {
    rb.Error(errors::kLcsLenAndIdx);
    return;
  }
  if (a.size() >= UINT32_MAX - 1 || b.size() >= UINT32_MAX - 1) {
    rb.Error(errors::kLcsTooLong);
    return;
  }
  const uint64_t alen = a.size(), blen = b.size();
  const uint64_t cells = (alen + 1) * (blen + 1);  // < 2^64: both factors < 2^32
  if (cells > SIZE_MAX / sizeof(uint32_t)) {
    rb.Error(errors::kLcsAllocFailed);
    return;
  }
  if (cells * sizeof(uint32_t) > static_cast<uint64_t>(max_table_bytes)) {
    rb.Error(errors::kLcsTableTooBig);
    return;
  }
  std::unique_ptr<uint32_t[]> table(new (std::nothrow) uint32_t[cells]);
  if (!table) {
    rb.Error(errors::kLcsAllocFailed);
    return;
  }
  const uint64_t stride = blen + 1;
  auto at = [&](uint64_t i, uint64_t j) -> uint32_t& { return table[i * stride + j]; };
  for (uint64_t j = 0; j <= blen; ++j) at(0, j) = 0;
  for (uint64_t i = 1; i <= alen; ++i) {
    at(i, 0) = 0;
    for (uint64_t j = 1; j <= blen; ++j) {
      if (a[i - 1] == b[j - 1]) {
        at(i, j) = at(i - 1, j - 1) + 1;
      } else {
        uint32_t up = at(i - 1, j), left = at(i, j - 1);
        at(i, j) = up > left ? up : left;
      }
    }
  }
  const uint32_t total = at(alen, blen);

  struct Range {
    uint64_t a_start, a_end, b_start, b_end;
  };
  std::vector<Range> ranges;
  std::string common;
  const bool walk = want_idx || !want_len;
  if (walk) common.resize(total);
  uint64_t i = alen, j = blen, k = total;
  bool open = false;  // a range is being extended backwards
  Range cur{};
  while (walk && i > 0 && j > 0) {
    bool close = false;
    if (a[i - 1] == b[j - 1]) {
      common[--k] = a[i - 1];
      // Matches are taken diagonally, so a match right after a match always extends the
      // open range by one position in both strings.
      if (!open) {
        cur = Range{i - 1, i - 1, j - 1, j - 1};
        open = true;
      } else {
        cur.a_start = i - 1;
        cur.b_start = j - 1;
      }
      if (cur.a_start == 0 || cur.b_start == 0) close = true;
      --i;
      --j;
    } else {
      if (at(i - 1, j) > at(i, j - 1))
        --i;
      else
        --j;
      close = open;
    }
    if (close) {
      uint64_t len = cur.a_end - cur.a_start + 1;
      if (want_idx && (min_match_len == 0 || len >= static_cast<uint64_t>(min_match_len)))
        ranges.push_back(cur);
      open = false;
    }
  }

  if (want_idx) {
    rb.MapHeader(2);
    rb.Bulk("matches");
    rb.ArrayHeader(ranges.size());
    for (const Range& r : ranges) {
      rb.ArrayHeader(with_match_len ? 3 : 2);
      rb.ArrayHeader(2);
      rb.Integer(static_cast<int64_t>(r.a_start));
      rb.Integer(static_cast<int64_t>(r.a_end));
      rb.ArrayHeader(2);
      rb.Integer(static_cast<int64_t>(r.b_start));
      rb.Integer(static_cast<int64_t>(r.b_end));
      if (with_match_len) rb.Integer(static_cast<int64_t>(r.a_end - r.a_start + 1));
    }
    rb.Bulk("len");
    rb.Integer(total);
  } else if (want_len) {
    rb.Integer(total);
  } else {
    rb.Bulk(common);
  }
}

void CmdLcs(CmdContext& ctx) {
  Entry* a = LookupRead(ctx, ctx.args[1]);
  Entry* b = LookupRead(ctx, ctx.args[2]);
  if ((a && !IsString(a)) || (b && !IsString(b))) {
    ctx.reply.Error(errors::kLcsNotStrings);
    return;
  }
  const auto& views = ctx.args.views();
  LcsReply(ctx.reply, a ? std::string_view(a->value.str) : std::string_view(),
           b ? std::string_view(b->value.str) : std::string_view(), views.data() + 3,
           views.size() - 3, ctx.shard.config().proto_max_bulk_len.load(std::memory_order_relaxed));
}

void CmdLcsOrigin(CoordContext& ctx) {
  std::vector<std::string> opts(ctx.args.begin() + 3, ctx.args.end());
  std::vector<std::string_view> keys{ctx.args[1], ctx.args[2]};
  ReplySlot slot = ctx.Defer();
  FetchStrings(ctx.shard, ctx.client.db, keys,
               [slot, opts = std::move(opts)](Shard& o, std::vector<Fetched>& got) {
                 o.Finish(slot, [&](ReplyBuilder& rb) {
                   if (got[0].state == Fetched::kOtherType || got[1].state == Fetched::kOtherType) {
                     rb.Error(errors::kLcsNotStrings);
                     return;
                   }
                   std::vector<std::string_view> views(opts.begin(), opts.end());
                   LcsReply(rb, got[0].value, got[1].value, views.data(), views.size(),
                            o.config().proto_max_bulk_len.load(std::memory_order_relaxed));
                 });
               });
}

// ---------------------------------------------------------------------------------------
// The table

constexpr RowMaker Row{"string"};  // rows of this family (family_util.h)

}  // namespace

void RegisterStringFamily(CommandRegistry& r) {
  constexpr uint32_t W = kCmdWrite, R = kCmdReadonly, M = kCmdDenyOom, F = kCmdFast;
  const std::string o1 = "O(1)";
  const std::string range_cx =
      "O(N) where N is the length of the returned string. The complexity is ultimately "
      "determined by the returned length, but because creating a substring from an existing "
      "string is very cheap, it can be considered O(1) for small strings.";

  r.Add(Row("get", 2, R | F, 1, 1, 1, CmdGet, "1.0.0", "Get the value of a key", o1,
            "read string fast"));
  r.Add(Row("set", -3, W | M, 1, 1, 1, CmdSet, "1.0.0", "Set the string value of a key", o1,
            "write string slow"));
  r.Add(Row("setnx", 3, W | M | F, 1, 1, 1, CmdSetNx, "1.0.0",
            "Set the value of a key, only if the key does not exist", o1, "write string fast"));
  r.Add(Row("setex", 4, W | M, 1, 1, 1, CmdSetEx<kSetEx>, "2.0.0",
            "Set the value and expiration of a key", o1, "write string slow"));
  r.Add(Row("psetex", 4, W | M, 1, 1, 1, CmdSetEx<kSetPx>, "2.6.0",
            "Set the value and expiration in milliseconds of a key", o1, "write string slow"));
  r.Add(Row("getset", 3, W | M | F, 1, 1, 1, CmdGetSet, "1.0.0",
            "Set the string value of a key and return its old value", o1, "write string fast"));
  r.Add(Row("getdel", 2, W | F, 1, 1, 1, CmdGetDel, "6.2.0",
            "Get the value of a key and delete the key", o1, "write string fast"));
  r.Add(Row("getex", -2, W | F, 1, 1, 1, CmdGetEx, "6.2.0",
            "Get the value of a key and optionally set its expiration", o1, "write string fast"));
  r.Add(Row("mget", -2, R | F, 1, -1, 1, CmdMGet, "1.0.0", "Get the values of all the given keys",
            "O(N) where N is the number of keys to retrieve.", "read string fast", CmdMGetOrigin));
  r.Add(Row("mset", -3, W | M, 1, -1, 2, CmdMSet, "1.0.1", "Set multiple keys to multiple values",
            "O(N) where N is the number of keys to set.", "write string slow", CmdMSetOrigin));
  r.Add(Row("msetnx", -3, W | M, 1, -1, 2, CmdMSetNx, "1.0.1",
            "Set multiple keys to multiple values, only if none of the keys exist",
            "O(N) where N is the number of keys to set.", "write string slow", CmdMSetNxOrigin));
  r.Add(Row("incr", 2, W | M | F, 1, 1, 1, CmdIncr, "1.0.0",
            "Increment the integer value of a key by one", o1, "write string fast"));
  r.Add(Row("decr", 2, W | M | F, 1, 1, 1, CmdDecr, "1.0.0",
            "Decrement the integer value of a key by one", o1, "write string fast"));
  r.Add(Row("incrby", 3, W | M | F, 1, 1, 1, CmdIncrBy, "1.0.0",
            "Increment the integer value of a key by the given amount", o1, "write string fast"));
  r.Add(Row("decrby", 3, W | M | F, 1, 1, 1, CmdDecrBy, "1.0.0",
            "Decrement the integer value of a key by the given number", o1, "write string fast"));
  r.Add(Row("incrbyfloat", 3, W | M | F, 1, 1, 1, CmdIncrByFloat, "2.6.0",
            "Increment the float value of a key by the given amount", o1, "write string fast"));
  r.Add(Row("append", 3, W | M | F, 1, 1, 1, CmdAppend, "2.0.0", "Append a value to a key",
            "O(1). The amortized time complexity is O(1) assuming the appended value is small "
            "and the already present value is of any size, since the dynamic string library "
            "used by Redis will double the free space available on every reallocation.",
            "write string fast"));
  r.Add(Row("strlen", 2, R | F, 1, 1, 1, CmdStrLen, "2.2.0",
            "Get the length of the value stored in a key", o1, "read string fast"));
  r.Add(Row("getrange", 4, R, 1, 1, 1, CmdGetRange, "2.4.0",
            "Get a substring of the string stored at a key", range_cx, "read string slow"));
  r.Add(Row("substr", 4, R, 1, 1, 1, CmdGetRange, "1.0.0",
            "Get a substring of the string stored at a key", range_cx, "read string slow"));
  r.Add(Row("setrange", 4, W | M, 1, 1, 1, CmdSetRange, "2.2.0",
            "Overwrite part of a string at key starting at the specified offset",
            "O(1), not counting the time taken to copy the new string in place. Usually, this "
            "string is very small so the amortized complexity is O(1). Otherwise, complexity "
            "is O(M) with M being the length of the value argument.",
            "write string slow"));
  r.Add(Row("lcs", -3, R, 1, 2, 1, CmdLcs, "7.0.0", "Find longest common substring",
            "O(N*M) where N and M are the lengths of s1 and s2, respectively", "read string slow",
            CmdLcsOrigin));
}

}  // namespace kevy
