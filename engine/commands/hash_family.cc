// Hash family: HSET HSETNX HMSET HGET HMGET HDEL HLEN HSTRLEN HEXISTS HKEYS HVALS HGETALL
// HINCRBY HINCRBYFLOAT HRANDFIELD HSCAN, with Redis 7.0's replies and error texts. Every
// command has one key, so every handler runs on the shard that owns it (on_shard). The
// collection itself and its listpack/hashtable encodings live in engine/types/hash.h.
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/commands/family_util.h"
#include "engine/config.h"
#include "engine/types/hash.h"

namespace kevy {

namespace {

constexpr std::string_view kHashNotInteger = "ERR hash value is not an integer";
constexpr std::string_view kHashNotFloat = "ERR hash value is not a float";
constexpr std::string_view kNanOrInf = "ERR value is NaN or Infinity";
constexpr std::string_view kRandCountRange =
    "ERR value is out of range, value must between -9223372036854775807 and "
    "9223372036854775807";

bool IsHash(const Entry* e) { return e->value.type == ObjType::kHash; }

size_t ConfigSize(CmdContext& ctx, std::string_view name, size_t dflt) {
  std::optional<std::string> v = ctx.shard.config().GetValue(name);
  int64_t n;
  if (!v || !ParseInt64(*v, &n) || n < 0) return dflt;
  return static_cast<size_t>(n);
}

Hash::Limits LimitsOf(CmdContext& ctx) {
  Hash::Limits lim;
  lim.max_entries = ConfigSize(ctx, "hash-max-listpack-entries", 512);
  lim.max_value = ConfigSize(ctx, "hash-max-listpack-value", 64);
  return lim;
}

// The hash under args[1] for reading: nullptr when absent (nothing replied) or when it holds
// another type (WRONGTYPE replied, *wrong set).
Hash* ReadHash(CmdContext& ctx, bool* wrong) {
  *wrong = false;
  Entry* e = LookupRead(ctx, ctx.args[1]);
  if (!e) return nullptr;
  if (!IsHash(e)) {
    ctx.reply.Error(errors::kWrongType);
    *wrong = true;
    return nullptr;
  }
  return e->value.As<Hash>();
}

// The hash under args[1] for writing, created empty when absent; nullptr after replying
// WRONGTYPE. Call only once the arguments are known valid, so that no error leaves an
// empty key behind.
Hash* WriteHash(CmdContext& ctx) {
  bool created;
  Entry* e = ctx.db.FindOrCreate(ctx.args[1], ctx.now_ms(), &created);
  if (created) {
    e->value = Value(ObjType::kHash, std::make_unique<Hash>());
  } else if (!IsHash(e)) {
    ctx.reply.Error(errors::kWrongType);
    return nullptr;
  }
  return e->value.As<Hash>();
}

// The hash may have become empty through a failed-then-created path; Redis never leaves an
// empty hash, so neither do we.
void DropIfEmpty(CmdContext& ctx, Hash* h) {
  if (h->Size() == 0) ctx.db.Erase(ctx.args[1], ctx.now_ms());
}

// HSET and HMSET (same semantics, HMSET replies +OK).
template <bool kMset>
void CmdHSet(CmdContext& ctx) {
  if (ctx.args.size() % 2 != 0) {
    ctx.reply.Error(errors::WrongArgs(kMset ? "hmset" : "hset"));
    return;
  }
  Hash* h = WriteHash(ctx);
  if (!h) return;
  Hash::Limits lim = LimitsOf(ctx);
  int64_t added = 0;
  for (size_t i = 2; i + 1 < ctx.args.size(); i += 2)
    added += h->Set(ctx.args[i], ctx.args[i + 1], lim) ? 1 : 0;
  if (kMset)
    ctx.reply.Ok();
  else
    ctx.reply.Integer(added);
}

void CmdHSetNx(CmdContext& ctx) {
  Hash* h = WriteHash(ctx);
  if (!h) return;
  if (h->Find(ctx.args[2])) {
    ctx.reply.Integer(0);
    return;
  }
  h->Set(ctx.args[2], ctx.args[3], LimitsOf(ctx));
  ctx.reply.Integer(1);
}

void CmdHGet(CmdContext& ctx) {
  bool wrong;
  Hash* h = ReadHash(ctx, &wrong);
  if (wrong) return;
  auto v = h ? h->Find(ctx.args[2]) : std::nullopt;
  if (v)
    ctx.reply.Bulk(*v);
  else
    ctx.reply.Null();
}

void CmdHMGet(CmdContext& ctx) {
  bool wrong;
  Hash* h = ReadHash(ctx, &wrong);
  if (wrong) return;
  ctx.reply.ArrayHeader(ctx.args.size() - 2);
  for (size_t i = 2; i < ctx.args.size(); ++i) {
    auto v = h ? h->Find(ctx.args[i]) : std::nullopt;
    if (v)
      ctx.reply.Bulk(*v);
    else
      ctx.reply.Null();
  }
}

void CmdHDel(CmdContext& ctx) {
  Entry* e = ctx.db.Find(ctx.args[1], ctx.now_ms());
  if (!e) {
    ctx.reply.Integer(0);
    return;
  }
  if (!IsHash(e)) {
    ctx.reply.Error(errors::kWrongType);
    return;
  }
  Hash* h = e->value.As<Hash>();
  int64_t n = 0;
  for (size_t i = 2; i < ctx.args.size(); ++i) {
    if (h->Erase(ctx.args[i])) ++n;
    if (h->Size() == 0) break;
  }
  if (h->Size() == 0) ctx.db.Erase(e);
  ctx.reply.Integer(n);
}

void CmdHLen(CmdContext& ctx) {
  bool wrong;
  Hash* h = ReadHash(ctx, &wrong);
  if (wrong) return;
  ctx.reply.Integer(h ? static_cast<int64_t>(h->Size()) : 0);
}

void CmdHStrLen(CmdContext& ctx) {
  bool wrong;
  Hash* h = ReadHash(ctx, &wrong);
  if (wrong) return;
  auto v = h ? h->Find(ctx.args[2]) : std::nullopt;
  ctx.reply.Integer(v ? static_cast<int64_t>(v->size()) : 0);
}

void CmdHExists(CmdContext& ctx) {
  bool wrong;
  Hash* h = ReadHash(ctx, &wrong);
  if (wrong) return;
  ctx.reply.Integer(h && h->Find(ctx.args[2]) ? 1 : 0);
}

enum class Part { kKeys, kVals, kAll };

template <Part kPart>
void CmdHGetAllLike(CmdContext& ctx) {
  bool wrong;
  Hash* h = ReadHash(ctx, &wrong);
  if (wrong) return;
  size_t n = h ? h->Size() : 0;
  if (kPart == Part::kAll)
    ctx.reply.MapHeader(n);
  else
    ctx.reply.ArrayHeader(n);
  if (!h) return;
  h->ForEach([&](std::string_view f, std::string_view v) {
    if (kPart != Part::kVals) ctx.reply.Bulk(f);
    if (kPart != Part::kKeys) ctx.reply.Bulk(v);
  });
}

void CmdHIncrBy(CmdContext& ctx) {
  int64_t incr;
  if (!ParseInt64(ctx.args[3], &incr)) {
    ctx.reply.Error(errors::kNotInteger);
    return;
  }
  Hash* h = WriteHash(ctx);
  if (!h) return;
  int64_t v = 0;
  if (auto old = h->Find(ctx.args[2])) {
    if (!ParseInt64(*old, &v)) {
      ctx.reply.Error(kHashNotInteger);
      return;
    }
  }
  if (__builtin_add_overflow(v, incr, &v)) {
    ctx.reply.Error(errors::kOverflow);
    DropIfEmpty(ctx, h);
    return;
  }
  h->Set(ctx.args[2], Int64ToString(v), LimitsOf(ctx));
  ctx.reply.Integer(v);
}

// Redis's string2ld, refusing an embedded NUL (getLongDoubleFromObject).
bool ParseLongDoubleArg(std::string_view s, long double* out) {
  return s.find('\0') == std::string_view::npos && ParseLongDouble(s, out);
}

void CmdHIncrByFloat(CmdContext& ctx) {
  long double incr;
  if (!ParseLongDoubleArg(ctx.args[3], &incr)) {
    ctx.reply.Error(errors::kNotFloat);
    return;
  }
  if (std::isnan(incr) || std::isinf(incr)) {
    ctx.reply.Error(kNanOrInf);
    return;
  }
  Hash* h = WriteHash(ctx);
  if (!h) return;
  long double v = 0;
  if (auto old = h->Find(ctx.args[2])) {
    if (!ParseLongDoubleArg(*old, &v)) {
      ctx.reply.Error(kHashNotFloat);
      return;
    }
  }
  v += incr;
  if (std::isnan(v) || std::isinf(v)) {
    ctx.reply.Error(errors::kIncrNanOrInf);
    DropIfEmpty(ctx, h);
    return;
  }
  std::string s = FormatLongDouble(v);
  h->Set(ctx.args[2], s, LimitsOf(ctx));
  ctx.reply.Bulk(s);
  ctx.Propagate({"HSET", ctx.args[1], ctx.args[2], s});  // the result, not the arithmetic
}

// HRANDFIELD key [count [WITHVALUES]]
void CmdHRandField(CmdContext& ctx) {
  size_t argc = ctx.args.size();
  bool withvalues = false;
  int64_t count = 0;
  // Redis's order: the count, then the WITHVALUES syntax, then its range.
  if (argc >= 3) {
    if (!ParseInt64(ctx.args[2], &count)) {
      ctx.reply.Error(errors::kNotInteger);
      return;
    }
    if (count == INT64_MIN) {  // Redis accepts -LONG_MAX..LONG_MAX
      ctx.reply.Error(kRandCountRange);
      return;
    }
    if (argc > 4 || (argc == 4 && !EqualsNoCase(ctx.args[3], "withvalues"))) {
      ctx.reply.Error(errors::kSyntax);
      return;
    }
    withvalues = argc == 4;
    // The reply has 2 * |count| elements: Redis refuses counts where that would overflow.
    if (withvalues && (count < -INT64_MAX / 2 || count > INT64_MAX / 2)) {
      ctx.reply.Error(errors::kValueOutOfRange);
      return;
    }
    if (!RandomPicksInRange(count)) {
      ctx.reply.Error(errors::kValueOutOfRange);
      return;
    }
  }
  bool wrong;
  Hash* h = ReadHash(ctx, &wrong);
  if (wrong) return;
  if (argc == 2) {
    if (!h) {
      ctx.reply.Null();
      return;
    }
    ctx.reply.Bulk(h->Random(&Shard::RandFn, &ctx.shard).first);
    return;
  }
  if (!h || count == 0) {
    ctx.reply.ArrayHeader(0);
    return;
  }
  bool resp3 = ctx.reply.proto() >= 3;
  auto emit = [&](std::string_view f, std::string_view v) {
    if (withvalues && resp3) ctx.reply.ArrayHeader(2);
    ctx.reply.Bulk(f);
    if (withvalues) ctx.reply.Bulk(v);
  };
  auto header = [&](size_t n) { ctx.reply.ArrayHeader(withvalues && !resp3 ? 2 * n : n); };
  size_t size = h->Size();
  if (count < 0) {
    // Repetitions allowed: |count| independent picks (a listpack is walked once, not per
    // pick).
    size_t n = static_cast<size_t>(-count);
    header(n);
    if (h->is_listpack()) {
      std::vector<std::pair<std::string_view, std::string_view>> all;
      all.reserve(size);
      h->ForEach([&](std::string_view f, std::string_view v) { all.emplace_back(f, v); });
      for (size_t i = 0; i < n; ++i) {
        const auto& [f, v] = all[Shard::RandFn(&ctx.shard) % size];
        emit(f, v);
      }
      return;
    }
    for (size_t i = 0; i < n; ++i) {
      auto [f, v] = h->Random(&Shard::RandFn, &ctx.shard);
      emit(f, v);
    }
    return;
  }
  if (static_cast<uint64_t>(count) >= size) {
    header(size);
    h->ForEach(emit);
    return;
  }
  auto picks = h->RandomDistinct(static_cast<size_t>(count), &Shard::RandFn, &ctx.shard);
  header(picks.size());
  for (const auto& [f, v] : picks) emit(f, v);
}

// HSCAN key cursor [MATCH pattern] [COUNT count]
void CmdHScan(CmdContext& ctx) {
  uint64_t cursor;
  if (!ParseScanCursorArg(ctx.args[2], &cursor)) {
    ctx.reply.Error(errors::kInvalidCursor);
    return;
  }
  // Redis answers an empty scan for a missing key before looking at the options.
  Entry* e = ReadOrReply(ctx, ctx.args[1], ObjType::kHash, ReplyEmptyScan);
  if (!e) return;
  Hash* h = e->value.As<Hash>();
  ScanOptions opts;
  if (std::string_view err = ParseScanOptions(ctx.args, 3, /*allow_type=*/false, &opts);
      !err.empty()) {
    ctx.reply.Error(err);
    return;
  }
  const int64_t count = opts.count;
  std::vector<std::pair<std::string_view, std::string_view>> found;
  auto take = [&](std::string_view f, std::string_view v) {
    if (!opts.use_pattern || StringMatch(opts.pattern, f)) found.emplace_back(f, v);
  };
  uint64_t next = 0;
  if (h->is_listpack()) {
    // A listpack is returned whole in one call whatever the cursor, as Redis does.
    h->ForEach(take);
  } else {
    // As Redis: stop once COUNT fields were gathered (before filtering), or after 10*COUNT
    // buckets so a sparse table does not make one call arbitrarily long.
    int64_t max_iter = opts.MaxSteps();
    size_t gathered = 0;
    next = cursor;
    do {
      next = h->ScanTable(next, [&](std::string_view f, std::string_view v) {
        ++gathered;
        take(f, v);
      });
    } while (next != 0 && --max_iter > 0 && gathered < static_cast<size_t>(count));
  }
  ctx.reply.ArrayHeader(2);
  ctx.reply.Bulk(Int64ToString(static_cast<int64_t>(next)));
  ctx.reply.ArrayHeader(found.size() * 2);
  for (const auto& [f, v] : found) {
    ctx.reply.Bulk(f);
    ctx.reply.Bulk(v);
  }
}

CommandSpec Row(std::string name, int arity, uint32_t flags, ShardHandler on_shard,
                std::string since, std::string summary, std::string complexity, std::string acl) {
  CommandSpec s = KeyedRow(std::move(name), arity, flags, 1, 1, 1, "hash", std::move(since),
                           std::move(summary), std::move(complexity), std::move(acl));
  s.on_shard = on_shard;
  return s;
}

}  // namespace

void RegisterHashFamily(CommandRegistry& r) {
  constexpr uint32_t W = kCmdWrite, R = kCmdReadonly, M = kCmdDenyOom, F = kCmdFast;
  const std::string o1 = "O(1)";
  const std::string on_size = "O(N) where N is the size of the hash.";
  r.Add(Row("hset", -4, W | M | F, CmdHSet<false>, "2.0.0", "Set the value of a field in a hash",
            "O(1) for each field/value pair added, so O(N) to add N field/value pairs when the "
            "command is called with multiple field/value pairs.",
            "write hash fast"));
  r.Add(Row("hsetnx", 4, W | M | F, CmdHSetNx, "2.0.0",
            "Set the value of a field in a hash, only if the field does not exist", o1,
            "write hash fast"));
  r.Add(Row("hmset", -4, W | M | F, CmdHSet<true>, "2.0.0",
            "Set the values of multiple fields in a hash",
            "O(N) where N is the number of fields "
            "being set.",
            "write hash fast"));
  r.Add(Row("hget", 3, R | F, CmdHGet, "2.0.0", "Get the value of a field in a hash", o1,
            "read hash fast"));
  r.Add(Row("hmget", -3, R | F, CmdHMGet, "2.0.0", "Get the values of all the given hash fields",
            "O(N) where N is the number of fields being requested.", "read hash fast"));
  r.Add(Row("hdel", -3, W | F, CmdHDel, "2.0.0", "Delete one or more hash fields",
            "O(N) where N is the number of fields to be removed.", "write hash fast"));
  r.Add(Row("hlen", 2, R | F, CmdHLen, "2.0.0", "Get the number of fields in a hash", o1,
            "read hash fast"));
  r.Add(Row("hstrlen", 3, R | F, CmdHStrLen, "3.2.0", "Get the length of the value of a hash field",
            o1, "read hash fast"));
  r.Add(Row("hexists", 3, R | F, CmdHExists, "2.0.0", "Determine if a hash field exists", o1,
            "read hash fast"));
  r.Add(Row("hkeys", 2, R, CmdHGetAllLike<Part::kKeys>, "2.0.0", "Get all the fields in a hash",
            on_size, "read hash slow"));
  r.Add(Row("hvals", 2, R, CmdHGetAllLike<Part::kVals>, "2.0.0", "Get all the values in a hash",
            on_size, "read hash slow"));
  r.Add(Row("hgetall", 2, R, CmdHGetAllLike<Part::kAll>, "2.0.0",
            "Get all the fields and values in a hash", on_size, "read hash slow"));
  r.Add(Row("hincrby", 4, W | M | F, CmdHIncrBy, "2.0.0",
            "Increment the integer value of a hash field by the given number", o1,
            "write hash fast"));
  r.Add(Row("hincrbyfloat", 4, W | M | F, CmdHIncrByFloat, "2.6.0",
            "Increment the float value of a hash field by the given amount", o1,
            "write hash fast"));
  r.Add(Row("hrandfield", -2, R, CmdHRandField, "6.2.0",
            "Get one or multiple random fields from a hash",
            "O(N) where N is the number of fields returned", "read hash slow"));
  r.Add(Row("hscan", -3, R, CmdHScan, "2.8.0",
            "Incrementally iterate hash fields and associated "
            "values",
            "O(1) for every call. O(N) for a complete iteration, including enough "
            "command calls for the cursor to return back to 0. N is the size of the collection "
            "inside the cursor.",
            "read hash slow"));
}

}  // namespace kevy
