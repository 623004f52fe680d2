// Small helpers shared by the command families: keyspace lookups counted the way Redis
// counts them (and typed: ReadOrReply/WriteOrReply), the option parsers that several
// commands share in Redis (SCAN-family options, numkeys forms, LMPOP/ZMPOP), the bound on
// random picks, and the expire-argument rules of SET/SETEX/PSETEX/GETEX. Header-only so the
// hot paths that use them inline.
#pragma once

#include <cctype>
#include <cerrno>
#include <climits>
#include <cstdint>
#include <cstdlib>
#include <initializer_list>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "engine/client.h"
#include "engine/command.h"
#include "engine/db.h"
#include "engine/shard.h"
#include "engine/util.h"
#include "resp/errors.h"
#include "resp/reply.h"

namespace kevy {

// The Redis release whose behaviour kevy matches (INFO redis_version, HELLO's version).
inline constexpr std::string_view kRedisVersion = "7.0.15";

// String building for replies such as INFO and CLIENT LIST. (absl::StrCat does not take
// std::string_view here: Debian's abseil has its own string_view type.)
inline void AppendPiece(std::string* s, std::string_view v) { s->append(v); }
template <class T>
requires std::is_integral_v<T>
void AppendPiece(std::string* s, T v) { s->append(std::to_string(v)); }
template <class... Args>
void Cat(std::string* s, const Args&... args) {
  (AppendPiece(s, args), ...);
}
template <class... Args>
std::string StrCat(const Args&... args) {
  std::string s;
  Cat(&s, args...);
  return s;
}

// A command row with keys at first..last every `step` (0 = keyless) and its COMMAND DOCS
// texts; the caller sets the handlers.
inline CommandSpec KeyedRow(std::string name, int arity, uint32_t flags, int first, int last,
                            int step, std::string group, std::string since, std::string summary,
                            std::string complexity, std::string acl) {
  CommandSpec s;
  s.name = std::move(name);
  s.arity = arity;
  s.flags = flags;
  s.first_key = first;
  s.last_key = last;
  s.key_step = step;
  s.group = std::move(group);
  s.since = std::move(since);
  s.summary = std::move(summary);
  s.complexity = std::move(complexity);
  s.acl = std::move(acl);
  return s;
}

// Makes the rows of one family (its COMMAND DOCS group) whose commands run on_shard where
// their keys live, with an on_origin handler for keys spanning shards where needed:
//   constexpr RowMaker Row{"list"};
//   r.Add(Row("lpush", -3, W | M | F, 1, 1, 1, CmdLPush, "1.0.0", summary, complexity, acl));
struct RowMaker {
  const char* group;
  CommandSpec operator()(std::string name, int arity, uint32_t flags, int first, int last,
                         int step, ShardHandler on_shard, std::string since,
                         std::string summary, std::string complexity, std::string acl,
                         OriginHandler on_origin = nullptr) const {
    CommandSpec s = KeyedRow(std::move(name), arity, flags, first, last, step, group,
                             std::move(since), std::move(summary), std::move(complexity),
                             std::move(acl));
    s.on_shard = on_shard;
    s.on_origin = on_origin;
    return s;
  }
};

inline bool IsString(const Entry* e) { return e->value.type == ObjType::kString; }

// Redis's lookupKeyRead: a lookup with lazy expiry that counts a keyspace hit when the key
// exists (whatever its type) and a miss otherwise. Runs on `shard`'s thread; `db` is one of
// its databases.
inline Entry* LookupRead(Shard& shard, Db& db, std::string_view key, bool touch = true) {
  Entry* e = db.Find(key, shard.now_ms(), touch);
  if (e)
    ++shard.stats().keyspace_hits;
  else
    ++shard.stats().keyspace_misses;
  return e;
}
inline Entry* LookupRead(CmdContext& ctx, std::string_view key) {
  return LookupRead(ctx.shard, ctx.db, key, !(ctx.client_flags & kClientNoTouch));
}

// `e` (a lookup's result) when it holds `type`; else nullptr, after replying (on_missing, or
// WRONGTYPE).
template <class OnMissing>
Entry* TypedOrReply(CmdContext& ctx, Entry* e, ObjType type, OnMissing&& on_missing) {
  if (!e) {
    on_missing(ctx.reply);
  } else if (e->value.type != type) {
    ctx.reply.Error(errors::kWrongType);
    e = nullptr;
  }
  return e;
}

// Redis's lookupKeyReadOrReply + checkType: the entry under `key` when it holds `type`.
// Otherwise nullptr, after replying: on_missing(ctx.reply) when the key is absent, WRONGTYPE
// when it holds another type. Counts a keyspace hit or miss (LookupRead).
//   Entry* e = ReadOrReply(ctx, ctx.args[1], ObjType::kList, [](ReplyBuilder& r) { r.Null(); });
//   if (!e) return;
template <class OnMissing>
Entry* ReadOrReply(CmdContext& ctx, std::string_view key, ObjType type, OnMissing&& on_missing) {
  return TypedOrReply(ctx, LookupRead(ctx, key), type, on_missing);
}

// Redis's lookupKeyWriteOrReply + checkType: as ReadOrReply, for a command that may change
// the key (lazy expiry, no keyspace hit/miss counting).
template <class OnMissing>
Entry* WriteOrReply(CmdContext& ctx, std::string_view key, ObjType type, OnMissing&& on_missing) {
  return TypedOrReply(ctx, ctx.db.Find(key, ctx.now_ms()), type, on_missing);
}

// Redis's shared.emptyscan: a finished scan with nothing in it (HSCAN/SSCAN/ZSCAN of a
// missing key, answered before the options are parsed).
inline void ReplyEmptyScan(ReplyBuilder& rb) {
  rb.ArrayHeader(2);
  rb.Bulk("0");
  rb.ArrayHeader(0);
}

// Redis's parseScanCursorOrReply: strtoul over the whole argument (so "-1" wraps around and
// "" is 0, as in Redis), no leading space, no overflow.
[[nodiscard]] inline bool ParseScanCursorArg(std::string_view arg, uint64_t* cursor) {
  std::string s(arg);
  if (!s.empty() && isspace(static_cast<unsigned char>(s[0]))) return false;
  errno = 0;
  char* end;
  unsigned long long v = strtoull(s.c_str(), &end, 10);
  if (*end != '\0' || errno == ERANGE) return false;
  *cursor = v;
  return true;
}

// The options of SCAN, HSCAN, SSCAN and ZSCAN after the cursor.
struct ScanOptions {
  int64_t count = 10;
  std::string_view pattern;  // meaningful when use_pattern
  bool use_pattern = false;  // false for no MATCH and for MATCH "*" (Redis skips it then)
  std::string_view type;     // SCAN's TYPE; meaningful when use_type
  bool use_type = false;

  // Redis's bound on the table steps of one call: 10 * COUNT (saturating).
  int64_t MaxSteps() const { return count > INT64_MAX / 10 ? INT64_MAX : count * 10; }
};

// Redis's option loop of scanGenericCommand over args[first..]: COUNT n (an integer, else
// "not an integer"; below 1 is a syntax error), MATCH pattern, TYPE name (only when
// allow_type, i.e. SCAN), each taking one value and repeatable (the last wins); anything
// else, or an option without its value, is a syntax error. Returns the error text of the
// first bad option (checked left to right, as Redis), empty when all are valid. The views
// in *opts point into args.
[[nodiscard]] inline std::string_view ParseScanOptions(const ArgList& args, size_t first,
                                                       bool allow_type, ScanOptions* opts) {
  for (size_t i = first; i < args.size(); i += 2) {
    std::string_view opt = args[i];
    if (i + 1 >= args.size()) return errors::kSyntax;
    if (EqualsNoCase(opt, "count")) {
      if (!ParseInt64(args[i + 1], &opts->count)) return errors::kNotInteger;
      if (opts->count < 1) return errors::kSyntax;
    } else if (EqualsNoCase(opt, "match")) {
      opts->pattern = args[i + 1];
      opts->use_pattern = opts->pattern != "*";
    } else if (allow_type && EqualsNoCase(opt, "type")) {
      opts->type = args[i + 1];
      opts->use_type = true;
    } else {
      return errors::kSyntax;
    }
  }
  return {};
}

// --- "numkeys key [key ...] options" commands (LMPOP, ZMPOP, SINTERCARD, ZINTERCARD,
// ZUNION/ZINTER/ZDIFF and their *STORE forms). Redis words the numkeys errors per command,
// so the parser says what is wrong and each command picks its text.

enum class NumKeys : uint8_t { kOk, kNotInteger, kBelowOne, kTooMany };

// The numkeys argument args[idx] (idx < args.size()): an integer >= 1 with that many keys
// after it and at least `after` more arguments after the keys (LMPOP's LEFT|RIGHT). On kOk,
// *n is the number of keys, which are args[idx + 1 .. idx + n].
[[nodiscard]] inline NumKeys ParseNumKeys(const ArgList& args, size_t idx, size_t after,
                                          size_t* n) {
  int64_t v;
  if (!ParseInt64(args[idx], &v)) return NumKeys::kNotInteger;
  if (v < 1) return NumKeys::kBelowOne;
  uint64_t room = args.size() - idx - 1;
  if (static_cast<uint64_t>(v) > room || room - static_cast<uint64_t>(v) < after)
    return NumKeys::kTooMany;
  *n = static_cast<size_t>(v);
  return NumKeys::kOk;
}

// A CommandSpec::get_keys for these commands, as Redis's genericGetKeys and
// zunionInterDiff(Store)GetKeys: the positions in `fixed` (ZUNIONSTORE's destination), then
// the numkeys keys after args[idx]; nothing at all when numkeys is bad (the handler answers
// the error).
inline void NumKeysPositions(const ArgList& args, size_t idx, std::vector<int>* pos,
                             std::initializer_list<int> fixed = {}) {
  size_t n;
  if (args.size() <= idx || ParseNumKeys(args, idx, 0, &n) != NumKeys::kOk) return;
  pos->insert(pos->end(), fixed.begin(), fixed.end());
  for (size_t i = 1; i <= n; ++i) pos->push_back(static_cast<int>(idx + i));
}

// LMPOP and ZMPOP: numkeys key [key ...] <word0|word1> [COUNT count].
struct MPopRequest {
  size_t first_key = 0;
  size_t num_keys = 0;
  bool word1 = false;  // the second word (RIGHT, MAX) was given
  int64_t count = 1;
};

// Redis's lmpopGenericCommand / zmpopGenericCommand checks, in their order, with numkeys at
// args[idx]: numkeys (>= 1, else "numkeys should be greater than 0"), a missing or unknown
// direction word (syntax error), then one optional COUNT >= 1 ("count should be greater
// than 0"); anything else is a syntax error. Returns the error text, empty when valid.
[[nodiscard]] inline std::string_view ParseMPop(const ArgList& args, size_t idx,
                                                std::string_view word0, std::string_view word1,
                                                MPopRequest* out) {
  size_t n;
  switch (ParseNumKeys(args, idx, 1, &n)) {
    case NumKeys::kOk:
      break;
    case NumKeys::kNotInteger:
    case NumKeys::kBelowOne:
      return errors::kNumkeysNotPositive;
    case NumKeys::kTooMany:
      return errors::kSyntax;
  }
  out->first_key = idx + 1;
  out->num_keys = n;
  size_t where = idx + 1 + n;
  if (EqualsNoCase(args[where], word0))
    out->word1 = false;
  else if (EqualsNoCase(args[where], word1))
    out->word1 = true;
  else
    return errors::kSyntax;
  bool has_count = false;
  for (size_t j = where + 1; j < args.size(); ++j) {
    if (has_count || !EqualsNoCase(args[j], "count") || j + 1 >= args.size())
      return errors::kSyntax;
    ++j;
    if (!ParseInt64(args[j], &out->count) || out->count < 1) return errors::kCountNotPositive;
    has_count = true;
  }
  return {};
}

// A deliberate difference from Redis (docs/commands.md): SRANDMEMBER, HRANDFIELD and
// ZRANDMEMBER with a negative count reply |count| independent picks, and Redis (7.0 and 7.2
// alike) accepts any count down to -LONG_MAX (-LONG_MAX/2 with WITHVALUES/WITHSCORES),
// building the reply until memory runs out. kevy answers "ERR value is out of range" for a
// negative count below -kMaxRandomPicks instead: at >= 6 bytes a pick, the largest reply
// allowed is already > 1.5 GB.
inline constexpr int64_t kMaxRandomPicks = int64_t{1} << 28;

// False for a negative count past kevy's bound; checked once the count's syntax and Redis's
// own range checks passed, before the key is looked up (where Redis checks its ranges).
[[nodiscard]] inline bool RandomPicksInRange(int64_t count) { return count >= -kMaxRandomPicks; }

enum class ExpireArg : uint8_t { kOk, kNotInteger, kInvalid };

// Redis's rules for the expire argument of SET EX/PX/EXAT/PXAT, SETEX, PSETEX and GETEX:
// it must be an integer > 0; `seconds` scales it to ms, `relative` (EX/PX) adds now_ms; an
// overflow of either is kInvalid. On kOk, *at_ms is the absolute unix time in ms.
[[nodiscard]] inline ExpireArg ParseExpireArg(std::string_view arg, bool seconds, bool relative,
                                              int64_t now_ms, int64_t* at_ms) {
  int64_t v;
  if (!ParseInt64(arg, &v)) return ExpireArg::kNotInteger;
  if (v <= 0) return ExpireArg::kInvalid;
  if (seconds && __builtin_mul_overflow(v, int64_t{1000}, &v)) return ExpireArg::kInvalid;
  if (relative && __builtin_add_overflow(v, now_ms, &v)) return ExpireArg::kInvalid;
  *at_ms = v;
  return ExpireArg::kOk;
}

// The error reply for a failed ParseExpireArg; `cmd` is the lower-case command name.
inline void ReplyExpireArgError(ReplyBuilder& rb, ExpireArg r, std::string_view cmd) {
  if (r == ExpireArg::kNotInteger)
    rb.Error(errors::kNotInteger);
  else
    rb.Error(errors::InvalidExpireTime(cmd));
}

inline std::string MaxmemoryPolicy(const Shard& s) {
  auto kv = s.config().Get({"maxmemory-policy"});
  return kv.empty() ? std::string("noeviction") : kv[0].second;
}
inline bool PolicyIsLfu(const std::string& p) { return p.find("lfu") != std::string::npos; }
inline bool PolicyIsLru(const std::string& p) { return p.find("lru") != std::string::npos; }

// OBJECT REFCOUNT: Redis shares the objects of the integers 0..9999 (refcount INT_MAX)
// unless maxmemory is set with an LRU/LFU policy, where each key needs its own clock.
inline int64_t RefCount(const Shard& s, const Value& v) {
  if (v.type != ObjType::kString || StringEncoding(v) != "int") return 1;
  int64_t n;
  if (!ParseInt64(v.str, &n) || n < 0 || n >= 10000) return 1;
  if (s.config().maxmemory.load(std::memory_order_relaxed) != 0) {
    std::string p = MaxmemoryPolicy(s);
    if (PolicyIsLfu(p) || PolicyIsLru(p)) return 1;
  }
  return INT_MAX;
}


}  // namespace kevy
