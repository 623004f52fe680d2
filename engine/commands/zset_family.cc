// The sorted-set commands (ZADD, ZRANGE and friends) over engine/types/zset.h, with Redis 7.0's
// argument rules, error texts and reply shapes (RESP3 score pairs), and its listpack/skiplist
// encoding names driven by zset-max-listpack-entries / zset-max-listpack-value.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/commands/family_util.h"
#include "engine/config.h"
#include "engine/fanout.h"
#include "engine/shard_lock.h"
#include "engine/slot.h"
#include "engine/types/set.h"
#include "engine/types/zset.h"

namespace kevy {
namespace {

// Redis 7.0's error texts for sorted sets. Kept here rather than in resp/errors.h so this
// family commits independently of the other families' pending edits to that header.
constexpr std::string_view kZaddXxNx = "ERR XX and NX options at the same time are not compatible";
constexpr std::string_view kZaddGtLtNx =
    "ERR GT, LT, and/or NX options at the same time are not compatible";
constexpr std::string_view kZaddIncrPair = "ERR INCR option supports a single increment-element pair";
constexpr std::string_view kScoreNan = "ERR resulting score is not a number (NaN)";
constexpr std::string_view kMinMaxFloat = "ERR min or max is not a float";
constexpr std::string_view kMinMaxLex = "ERR min or max not valid string range item";
constexpr std::string_view kLimitRank =
    "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX";
constexpr std::string_view kWithscoresLex =
    "ERR syntax error, WITHSCORES not supported in combination with BYLEX";
constexpr std::string_view kMustBePositive = "ERR value is out of range, must be positive";
constexpr std::string_view kZrandCountRange =
    "ERR value is out of range, value must between -9223372036854775807 and "
    "9223372036854775807";


struct ZLimits {
  size_t entries = 128;
  size_t value = 64;
};

ZLimits Limits(Shard& shard) {
  ZLimits l;
  if (auto v = shard.config().GetValue("zset-max-listpack-entries")) {
    int64_t n;
    if (ParseInt64(*v, &n) && n >= 0) l.entries = static_cast<size_t>(n);
  }
  if (auto v = shard.config().GetValue("zset-max-listpack-value")) {
    int64_t n;
    if (ParseInt64(*v, &n) && n >= 0) l.value = static_cast<size_t>(n);
  }
  return l;
}

// strtod over the whole argument, as Redis's getDoubleFromObject (string2d) does: no leading
// space, NaN refused, and an overflow to +-inf or an underflow to 0 refused (ERANGE; a
// denormal such as 5e-324 is kept).
bool StrToDouble(std::string_view s, double* out) {
  if (s.empty() || s.size() > 256) return false;
  char buf[260];
  s.copy(buf, s.size());
  buf[s.size()] = '\0';
  char* end;
  errno = 0;
  double d = std::strtod(buf, &end);
  if (end != buf + s.size() || std::isnan(d)) return false;
  if (std::isspace(static_cast<unsigned char>(buf[0]))) return false;
  if (errno == ERANGE && (std::isinf(d) || d == 0)) return false;
  *out = d;
  return true;
}

bool ParseScoreItem(std::string_view s, double* v, bool* ex) {
  *ex = false;
  if (!s.empty() && s[0] == '(') {
    *ex = true;
    s.remove_prefix(1);
  }
  // An empty item is strtod's 0 to Redis ("(" is an exclusive 0).
  if (s.size() > 256) return false;
  char buf[260];
  s.copy(buf, s.size());
  buf[s.size()] = '\0';
  char* end;
  double d = std::strtod(buf, &end);
  if (*end != '\0' || std::isnan(d)) return false;
  *v = d;
  return true;
}

bool ParseScoreRange(std::string_view min, std::string_view max, ZScoreRange* r) {
  return ParseScoreItem(min, &r->min, &r->minex) && ParseScoreItem(max, &r->max, &r->maxex);
}

bool ParseLexItem(std::string_view s, std::string* v, bool* ex, int* kind) {
  if (s.empty()) return false;
  *kind = 0;
  *ex = false;
  switch (s[0]) {
    case '+':
      if (s.size() != 1) return false;
      *kind = 1;
      return true;
    case '-':
      if (s.size() != 1) return false;
      *kind = -1;
      return true;
    case '(':
      *ex = true;
      v->assign(s.substr(1));
      return true;
    case '[':
      v->assign(s.substr(1));
      return true;
    default:
      return false;
  }
}

bool ParseLexRange(std::string_view min, std::string_view max, ZLexRange* r) {
  return ParseLexItem(min, &r->min, &r->minex, &r->min_kind) &&
         ParseLexItem(max, &r->max, &r->maxex, &r->max_kind);
}

// The zset under key for reading: nullptr with *wrong set on a type mismatch.
ZSet* ReadZSet(CmdContext& ctx, std::string_view key, bool* wrong) {
  *wrong = false;
  Entry* e = LookupRead(ctx, key);
  if (!e) return nullptr;
  if (e->value.type != ObjType::kZSet) {
    *wrong = true;
    return nullptr;
  }
  return e->value.As<ZSet>();
}

// A lookup for writing (no hit/miss accounting, as Redis's lookupKeyWrite).
Entry* WriteEntry(CmdContext& ctx, std::string_view key) {
  return ctx.db.Find(key, ctx.now_ms());
}

void ReplyScore(ReplyBuilder& rb, double d) { rb.Double(d); }

// Scores as elements of a flat RESP2 array are bulk strings; Double() does that in RESP2.
void EmitItems(ReplyBuilder& rb, const std::vector<ZItem>& items, bool withscores) {
  if (withscores && rb.proto() >= 3) {
    rb.ArrayHeader(items.size());
    for (const ZItem& n : items) {
      rb.ArrayHeader(2);
      rb.Bulk(n.member);
      rb.Double(n.score);
    }
    return;
  }
  rb.ArrayHeader(items.size() * (withscores ? 2 : 1));
  for (const ZItem& n : items) {
    rb.Bulk(n.member);
    if (withscores) rb.Double(n.score);
  }
}

// ---------------------------------------------------------------------------------------
// ZADD / ZINCRBY

enum ZaddFlags : unsigned { kNx = 1, kXx = 2, kGt = 4, kLt = 8, kCh = 16, kIncr = 32 };

void ZaddGeneric(CmdContext& ctx, unsigned flags, size_t scoreidx) {
  const ArgList& a = ctx.args;
  size_t j = scoreidx;
  for (; j < a.size(); ++j) {
    std::string_view o = a[j];
    if (EqualsNoCase(o, "nx"))
      flags |= kNx;
    else if (EqualsNoCase(o, "xx"))
      flags |= kXx;
    else if (EqualsNoCase(o, "ch"))
      flags |= kCh;
    else if (EqualsNoCase(o, "incr"))
      flags |= kIncr;
    else if (EqualsNoCase(o, "gt"))
      flags |= kGt;
    else if (EqualsNoCase(o, "lt"))
      flags |= kLt;
    else
      break;
  }
  scoreidx = j;
  size_t elements = a.size() - scoreidx;
  if (elements % 2 || elements == 0) {
    ctx.reply.Error(errors::kSyntax);
    return;
  }
  elements /= 2;
  bool nx = flags & kNx, xx = flags & kXx, gt = flags & kGt, lt = flags & kLt;
  bool incr = flags & kIncr;
  if (nx && xx) {
    ctx.reply.Error(kZaddXxNx);
    return;
  }
  if ((gt && nx) || (lt && nx) || (gt && lt)) {
    ctx.reply.Error(kZaddGtLtNx);
    return;
  }
  if (incr && elements > 1) {
    ctx.reply.Error(kZaddIncrPair);
    return;
  }
  std::vector<double> scores(elements);
  for (size_t i = 0; i < elements; ++i) {
    if (!StrToDouble(a[scoreidx + i * 2], &scores[i])) {
      ctx.reply.Error(errors::kNotFloat);
      return;
    }
  }
  Entry* e = WriteEntry(ctx, a[1]);
  if (e && e->value.type != ObjType::kZSet) {
    ctx.reply.Error(errors::kWrongType);
    return;
  }
  size_t added = 0, updated = 0, processed = 0;
  double score = 0;
  ZLimits lim = Limits(ctx.shard);
  if (!e) {
    if (xx) {
      if (incr)
        ctx.reply.Null();
      else
        ctx.reply.Integer(0);
      return;
    }
    auto z = std::make_unique<ZSet>();
    if (lim.entries == 0 || lim.value < a[scoreidx + 1].size()) z->ConvertToSkiplist();
    e = ctx.db.Insert(a[1], Value(ObjType::kZSet, std::move(z)));
  }
  ZSet* z = e->value.As<ZSet>();
  for (size_t i = 0; i < elements; ++i) {
    std::string_view member = a[scoreidx + i * 2 + 1];
    score = scores[i];
    double cur;
    if (z->Score(member, &cur)) {
      if (nx) continue;
      if (incr) {
        score += cur;
        if (std::isnan(score)) {
          ctx.reply.Error(kScoreNan);
          if (z->Size() == 0) ctx.db.Erase(e);
          return;
        }
      }
      if ((lt && score >= cur) || (gt && score <= cur)) continue;
      ++processed;
      if (score != cur) {
        z->Set(member, score);
        ++updated;
      }
    } else {
      if (xx) continue;
      // As Redis's zsetAdd: convert before an insert that would pass the thresholds.
      if (z->listpack() && (z->Size() + 1 > lim.entries || member.size() > lim.value))
        z->ConvertToSkiplist();
      z->Insert(member, score);
      ++added;
      ++processed;
    }
  }
  z->ConvertIfNeeded(lim.entries, lim.value);
  if (z->Size() == 0) ctx.db.Erase(e);
  if (incr) {
    if (processed)
      ctx.reply.Double(score);
    else
      ctx.reply.Null();
  } else {
    ctx.reply.Integer(static_cast<int64_t>((flags & kCh) ? added + updated : added));
  }
}

void CmdZadd(CmdContext& ctx) { ZaddGeneric(ctx, 0, 2); }
void CmdZincrby(CmdContext& ctx) { ZaddGeneric(ctx, kIncr, 2); }

// ---------------------------------------------------------------------------------------
// Point reads

void CmdZscore(CmdContext& ctx) {
  bool wrong;
  ZSet* z = ReadZSet(ctx, ctx.args[1], &wrong);
  if (wrong) return ctx.reply.Error(errors::kWrongType);
  double s;
  if (!z || !z->Score(ctx.args[2], &s)) return ctx.reply.Null();
  ReplyScore(ctx.reply, s);
}

void CmdZmscore(CmdContext& ctx) {
  bool wrong;
  ZSet* z = ReadZSet(ctx, ctx.args[1], &wrong);
  if (wrong) return ctx.reply.Error(errors::kWrongType);
  ctx.reply.ArrayHeader(ctx.args.size() - 2);
  for (size_t i = 2; i < ctx.args.size(); ++i) {
    double s;
    if (z && z->Score(ctx.args[i], &s))
      ctx.reply.Double(s);
    else
      ctx.reply.Null();
  }
}

void CmdZcard(CmdContext& ctx) {
  bool wrong;
  ZSet* z = ReadZSet(ctx, ctx.args[1], &wrong);
  if (wrong) return ctx.reply.Error(errors::kWrongType);
  ctx.reply.Integer(z ? static_cast<int64_t>(z->Size()) : 0);
}

void CmdZcount(CmdContext& ctx) {
  ZScoreRange r;
  if (!ParseScoreRange(ctx.args[2], ctx.args[3], &r)) return ctx.reply.Error(kMinMaxFloat);
  bool wrong;
  ZSet* z = ReadZSet(ctx, ctx.args[1], &wrong);
  if (wrong) return ctx.reply.Error(errors::kWrongType);
  ctx.reply.Integer(z ? static_cast<int64_t>(z->CountInRange(r)) : 0);
}

void CmdZlexcount(CmdContext& ctx) {
  ZLexRange r;
  if (!ParseLexRange(ctx.args[2], ctx.args[3], &r)) return ctx.reply.Error(kMinMaxLex);
  bool wrong;
  ZSet* z = ReadZSet(ctx, ctx.args[1], &wrong);
  if (wrong) return ctx.reply.Error(errors::kWrongType);
  ctx.reply.Integer(z ? static_cast<int64_t>(z->CountInLex(r)) : 0);
}

template <bool kRev>
void CmdZrank(CmdContext& ctx) {
  bool wrong;
  ZSet* z = ReadZSet(ctx, ctx.args[1], &wrong);
  if (wrong) return ctx.reply.Error(errors::kWrongType);
  int64_t r = z ? z->Rank(ctx.args[2]) : -1;
  if (r < 0) return ctx.reply.Null();
  ctx.reply.Integer(kRev ? static_cast<int64_t>(z->Size()) - 1 - r : r);
}

void CmdZrem(CmdContext& ctx) {
  Entry* e = WriteOrReply(ctx, ctx.args[1], ObjType::kZSet, [](ReplyBuilder& r) { r.Integer(0); });
  if (!e) return;
  ZSet* z = e->value.As<ZSet>();
  int64_t n = 0;
  for (size_t i = 2; i < ctx.args.size(); ++i) n += z->Erase(ctx.args[i]);
  if (z->Size() == 0) ctx.db.Erase(e);
  ctx.reply.Integer(n);
}

// ---------------------------------------------------------------------------------------
// Ranges

enum class RangeType { kAuto, kRank, kScore, kLex };
enum class Dir { kAuto, kForward, kReverse };

struct RangeSpec {
  RangeType type = RangeType::kAuto;
  Dir dir = Dir::kAuto;
  bool withscores = false;
  int64_t offset = 0, limit = -1;
  int64_t start = 0, end = 0;
  ZScoreRange score;
  ZLexRange lex;
};

// Redis's zrangeGenericCommand argument rules: options from argv[first_opt]; the range
// itself at argv[minidx], argv[minidx+1]. Replies with the error and returns false on failure.
bool ParseRange(const ArgList& a, size_t minidx, size_t first_opt, RangeSpec* s,
                ReplyBuilder& rb, bool store = false) {
  for (size_t j = first_opt; j < a.size(); ++j) {
    size_t left = a.size() - j - 1;
    std::string_view o = a[j];
    if (!store && EqualsNoCase(o, "withscores")) {
      s->withscores = true;
    } else if (EqualsNoCase(o, "limit") && left >= 2) {
      if (!ParseInt64(a[j + 1], &s->offset) || !ParseInt64(a[j + 2], &s->limit)) {
        rb.Error(errors::kNotInteger);
        return false;
      }
      j += 2;
    } else if (s->dir == Dir::kAuto && EqualsNoCase(o, "rev")) {
      s->dir = Dir::kReverse;
    } else if (s->type == RangeType::kAuto && EqualsNoCase(o, "bylex")) {
      s->type = RangeType::kLex;
    } else if (s->type == RangeType::kAuto && EqualsNoCase(o, "byscore")) {
      s->type = RangeType::kScore;
    } else {
      rb.Error(errors::kSyntax);
      return false;
    }
  }
  if (s->dir == Dir::kAuto) s->dir = Dir::kForward;
  if (s->type == RangeType::kAuto) s->type = RangeType::kRank;
  if (s->limit != -1 && s->type == RangeType::kRank) {
    rb.Error(kLimitRank);
    return false;
  }
  if (s->withscores && s->type == RangeType::kLex) {
    rb.Error(kWithscoresLex);
    return false;
  }
  size_t lo = minidx, hi = minidx + 1;
  if (s->dir == Dir::kReverse && s->type != RangeType::kRank) std::swap(lo, hi);
  switch (s->type) {
    case RangeType::kAuto:
    case RangeType::kRank:
      if (!ParseInt64(a[lo], &s->start) || !ParseInt64(a[hi], &s->end)) {
        rb.Error(errors::kNotInteger);
        return false;
      }
      break;
    case RangeType::kScore:
      if (!ParseScoreRange(a[lo], a[hi], &s->score)) {
        rb.Error(kMinMaxFloat);
        return false;
      }
      break;
    case RangeType::kLex:
      if (!ParseLexRange(a[lo], a[hi], &s->lex)) {
        rb.Error(kMinMaxLex);
        return false;
      }
      break;
  }
  return true;
}

// The items a parsed range selects, in reply order.
void Select(const ZSet& z, const RangeSpec& s, std::vector<ZItem>* out) {
  bool rev = s.dir == Dir::kReverse;
  if (s.type == RangeType::kRank) {
    int64_t len = static_cast<int64_t>(z.Size());
    int64_t start = s.start, end = s.end;
    if (start < 0) start += len;
    if (end < 0) end += len;
    if (start < 0) start = 0;
    if (start > end || start >= len) return;
    if (end >= len) end = len - 1;
    out->reserve(static_cast<size_t>(end - start + 1));
    if (rev)
      z.Range(static_cast<size_t>(len - 1 - end), static_cast<size_t>(len - 1 - start), true, out);
    else
      z.Range(static_cast<size_t>(start), static_cast<size_t>(end), false, out);
    return;
  }
  size_t first, last;
  bool any = s.type == RangeType::kScore ? z.ScoreRanks(s.score, &first, &last)
                                         : z.LexRanks(s.lex, &first, &last);
  // A negative offset skips everything, as in Redis (its `while (offset--)`).
  if (!any || s.offset < 0) return;
  size_t n = last - first + 1;
  auto off = static_cast<uint64_t>(s.offset);
  if (off >= n) return;
  n -= off;
  if (s.limit >= 0) n = std::min<size_t>(n, static_cast<size_t>(s.limit));
  if (n == 0) return;
  out->reserve(n);
  if (rev)
    z.Range(last - off - (n - 1), last - off, true, out);
  else
    z.Range(first + off, first + off + n - 1, false, out);
}

void RangeReply(CmdContext& ctx, RangeSpec& s, size_t minidx, size_t first_opt) {
  if (!ParseRange(ctx.args, minidx, first_opt, &s, ctx.reply)) return;
  bool wrong;
  ZSet* z = ReadZSet(ctx, ctx.args[1], &wrong);
  if (wrong) return ctx.reply.Error(errors::kWrongType);
  std::vector<ZItem> items;
  if (z) Select(*z, s, &items);
  EmitItems(ctx.reply, items, s.withscores);
}

void CmdZrange(CmdContext& ctx) {
  RangeSpec s;
  RangeReply(ctx, s, 2, 4);
}

template <RangeType kType, Dir kDir>
void CmdZrangeFixed(CmdContext& ctx) {
  RangeSpec s;
  s.type = kType;
  s.dir = kDir;
  RangeReply(ctx, s, 2, 4);
}

// ---------------------------------------------------------------------------------------
// ZREMRANGEBY*

template <RangeType kType>
void CmdZremrange(CmdContext& ctx) {
  RangeSpec s;
  s.type = kType;
  s.dir = Dir::kForward;
  const ArgList& a = ctx.args;
  if (kType == RangeType::kRank) {
    if (!ParseInt64(a[2], &s.start) || !ParseInt64(a[3], &s.end))
      return ctx.reply.Error(errors::kNotInteger);
  } else if (kType == RangeType::kScore) {
    if (!ParseScoreRange(a[2], a[3], &s.score)) return ctx.reply.Error(kMinMaxFloat);
  } else {
    if (!ParseLexRange(a[2], a[3], &s.lex)) return ctx.reply.Error(kMinMaxLex);
  }
  Entry* e = WriteOrReply(ctx, a[1], ObjType::kZSet, [](ReplyBuilder& r) { r.Integer(0); });
  if (!e) return;
  ZSet* z = e->value.As<ZSet>();
  size_t removed = 0;
  if (kType == RangeType::kRank) {
    int64_t len = static_cast<int64_t>(z->Size());
    int64_t start = s.start, end = s.end;
    if (start < 0) start += len;
    if (end < 0) end += len;
    if (start < 0) start = 0;
    if (!(start > end || start >= len)) {
      if (end >= len) end = len - 1;
      removed = z->EraseRanks(static_cast<size_t>(start), static_cast<size_t>(end));
    }
  } else {
    size_t first, last;
    if (kType == RangeType::kScore ? z->ScoreRanks(s.score, &first, &last)
                                   : z->LexRanks(s.lex, &first, &last))
      removed = z->EraseRanks(first, last);
  }
  if (z->Size() == 0) ctx.db.Erase(e);
  ctx.reply.Integer(static_cast<int64_t>(removed));
}

// ---------------------------------------------------------------------------------------
// ZPOPMIN / ZPOPMAX

template <bool kMax>
void CmdZpop(CmdContext& ctx) {
  const ArgList& a = ctx.args;
  if (a.size() > 3) return ctx.reply.Error(errors::kSyntax);
  int64_t count = 1;
  bool has_count = a.size() == 3;
  if (has_count) {
    // Redis's getPositiveLongFromObjectOrReply: one message for "not a number" and "< 0".
    if (!ParseInt64(a[2], &count) || count < 0) return ctx.reply.Error(kMustBePositive);
  }
  Entry* e = WriteOrReply(ctx, a[1], ObjType::kZSet, [](ReplyBuilder& r) { r.ArrayHeader(0); });
  if (!e) return;
  if (count == 0) return ctx.reply.ArrayHeader(0);
  ZSet* z = e->value.As<ZSet>();
  size_t n = std::min<size_t>(static_cast<size_t>(count), z->Size());
  bool pairs = has_count && ctx.reply.proto() >= 3;
  ctx.reply.ArrayHeader(pairs ? n : n * 2);
  for (size_t i = 0; i < n; ++i) {
    size_t r = kMax ? z->Size() - 1 : 0;
    ZItem x = z->AtRank(r);
    if (pairs) ctx.reply.ArrayHeader(2);
    ctx.reply.Bulk(x.member);
    ctx.reply.Double(x.score);
    z->EraseRanks(r, r);
  }
  if (z->Size() == 0) ctx.db.Erase(e);
}

// ---------------------------------------------------------------------------------------
// ZRANDMEMBER

uint64_t NextRandom(uint64_t* s) {
  *s ^= *s >> 12;
  *s ^= *s << 25;
  *s ^= *s >> 27;
  return *s * 2685821657736338717ull;
}

uint64_t& RandState() {
  thread_local uint64_t state = 0x853c49e6748fea9bull ^ reinterpret_cast<uintptr_t>(&state);
  return state;
}

void CmdZrandmember(CmdContext& ctx) {
  const ArgList& a = ctx.args;
  bool withscores = false;
  int64_t count = 0;
  bool has_count = a.size() >= 3;
  if (has_count) {  // as Redis: the count is parsed before the trailing arguments
    if (!ParseInt64(a[2], &count)) return ctx.reply.Error(errors::kNotInteger);
    if (count < -INT64_MAX) return ctx.reply.Error(kZrandCountRange);
  }
  if (a.size() > 4 || (a.size() == 4 && !EqualsNoCase(a[3], "withscores")))
    return ctx.reply.Error(errors::kSyntax);
  if (a.size() == 4) withscores = true;
  if (withscores && (count < -INT64_MAX / 2 || count > INT64_MAX / 2))
    return ctx.reply.Error(errors::kValueOutOfRange);
  if (!RandomPicksInRange(count)) return ctx.reply.Error(errors::kValueOutOfRange);
  bool wrong;
  ZSet* z = ReadZSet(ctx, a[1], &wrong);
  if (wrong) return ctx.reply.Error(errors::kWrongType);
  uint64_t& rs = RandState();
  if (!has_count) {
    if (!z) return ctx.reply.Null();
    return ctx.reply.Bulk(z->AtRank(NextRandom(&rs) % z->Size()).member);
  }
  if (!z || count == 0) return ctx.reply.ArrayHeader(0);
  size_t size = z->Size();
  std::vector<ZItem> picked;
  if (count < 0) {
    // Repetitions allowed: |count| independent draws (a listpack is walked once, not per
    // draw).
    uint64_t n = static_cast<uint64_t>(-count);
    picked.reserve(std::min<uint64_t>(n, 1 << 20));
    std::vector<ZItem> all;
    if (z->listpack()) z->Range(0, size - 1, false, &all);
    for (uint64_t i = 0; i < n; ++i) {
      size_t r = NextRandom(&rs) % size;
      picked.push_back(all.empty() ? z->AtRank(r) : all[r]);
    }
  } else if (static_cast<uint64_t>(count) >= size) {
    z->Range(0, size - 1, false, &picked);
  } else {
    // Distinct: a partial Fisher-Yates over the ranks.
    std::vector<ZItem> all;
    all.reserve(size);
    z->Range(0, size - 1, false, &all);
    for (size_t i = 0; i < static_cast<size_t>(count); ++i) {
      size_t j = i + NextRandom(&rs) % (size - i);
      std::swap(all[i], all[j]);
      picked.push_back(all[i]);
    }
  }
  EmitItems(ctx.reply, picked, withscores);
}

// ---------------------------------------------------------------------------------------
// ZSCAN: a listpack-encoded set is returned whole with cursor 0 (as Redis does); a skiplist
// is scanned through its member dict with the reverse-binary cursor (Redis's dictScan), so
// every member present for the whole scan is returned at least once however the set
// changes between calls. As Redis, a call visits buckets until COUNT members were collected
// or 10*COUNT buckets were visited.

void CmdZscan(CmdContext& ctx) {
  const ArgList& a = ctx.args;
  uint64_t cursor = 0;
  if (!ParseScanCursorArg(a[2], &cursor)) return ctx.reply.Error(errors::kInvalidCursor);
  // As Redis: the key is looked up before the options are parsed.
  Entry* e = ReadOrReply(ctx, a[1], ObjType::kZSet, ReplyEmptyScan);
  if (!e) return;
  ZSet* z = e->value.As<ZSet>();
  ScanOptions opts;
  if (std::string_view err = ParseScanOptions(a, 3, /*allow_type=*/false, &opts); !err.empty())
    return ctx.reply.Error(err);
  const int64_t count = opts.count;
  std::vector<ZItem> items;
  uint64_t next = 0;
  if (z) {
    if (z->listpack()) {
      z->ForEachMember([&](std::string_view m, double sc) { items.push_back({m, sc}); });
    } else {
      int64_t budget = opts.MaxSteps();
      auto take = [&](std::string_view m, double sc) { items.push_back({m, sc}); };
      next = cursor;
      do {
        next = z->ScanSkiplist(next, take);
      } while (next && --budget > 0 && static_cast<int64_t>(items.size()) < count);
    }
  }
  std::vector<ZItem> kept;
  for (const ZItem& x : items)
    if (!opts.use_pattern || StringMatch(opts.pattern, x.member)) kept.push_back(x);
  ctx.reply.ArrayHeader(2);
  ctx.reply.Bulk(std::to_string(next));
  ctx.reply.ArrayHeader(kept.size() * 2);
  char buf[32];
  for (const ZItem& x : kept) {
    ctx.reply.Bulk(x.member);
    ctx.reply.Bulk(std::string_view(buf, FormatDouble(x.score, buf)));
  }
}

// ---------------------------------------------------------------------------------------
// ZUNION / ZINTER / ZDIFF / ZINTERCARD: the sources are copied out of their shards (a
// FanOut when they span shards, a local read otherwise) and combined on one thread.

enum class SetOp { kUnion, kInter, kDiff, kInterCard };
enum class Agg { kSum, kMin, kMax };

struct MultiSpec {
  SetOp op = SetOp::kUnion;
  std::vector<std::string> keys;
  std::vector<double> weights;
  Agg agg = Agg::kSum;
  bool withscores = false;
  int64_t limit = 0;  // ZINTERCARD, 0 = none
  // The first bad option's error. Redis looks the keys up before it parses the options, so
  // this is replied only when no key holds a wrong type (WRONGTYPE wins).
  std::string option_error;
};

struct Source {
  enum State : uint8_t { kMissing, kZSet, kOther };
  State state = kMissing;
  std::vector<std::pair<std::string, double>> items;
};

std::string_view OpName(SetOp op) {
  switch (op) {
    case SetOp::kUnion: return "zunion";
    case SetOp::kInter: return "zinter";
    case SetOp::kDiff: return "zdiff";
    case SetOp::kInterCard: return "zintercard";
  }
  return "";
}

void ParseMultiOptions(const ArgList& a, size_t first, bool withscores_ok, MultiSpec* m,
                       std::string* err);

// Redis's zunionInterDiffGenericCommand / zinterCardCommand argument rules. A bad numkeys
// fails here (false, *err); a bad option only sets m->option_error, which is replied after
// the sources were read (see SourcesError).
bool ParseMulti(const ArgList& a, SetOp op, MultiSpec* m, std::string* err, size_t base = 1) {
  m->op = op;
  size_t n;
  switch (ParseNumKeys(a, base, 0, &n)) {
    case NumKeys::kOk:
      break;
    case NumKeys::kNotInteger:
      *err = errors::kNotInteger;
      return false;
    case NumKeys::kBelowOne:
      *err = StrCat("ERR at least 1 input key is needed for '", OpName(op),
                    base == 2 ? "store" : "", "' command");
      return false;
    case NumKeys::kTooMany:
      *err = errors::kSyntax;
      return false;
  }
  for (size_t i = 0; i < n; ++i) m->keys.emplace_back(a[base + 1 + i]);
  m->weights.assign(n, 1.0);
  ParseMultiOptions(a, base + 1 + n, base == 1, m, &m->option_error);
  return true;
}

// The options after the keys of ZUNION/ZINTER/ZDIFF(STORE) and ZINTERCARD; sets *err at
// the first bad one. WITHSCORES only where `withscores_ok` (not the *STORE forms).
void ParseMultiOptions(const ArgList& a, size_t first, bool withscores_ok, MultiSpec* m,
                       std::string* err) {
  const SetOp op = m->op;
  const size_t n = m->keys.size();
  for (size_t j = first; j < a.size(); ++j) {
    size_t remaining = a.size() - j;
    if (op == SetOp::kInterCard) {
      if (EqualsNoCase(a[j], "limit") && remaining >= 2) {
        if (!ParseInt64(a[j + 1], &m->limit) || m->limit < 0) {
          *err = "ERR LIMIT can't be negative";
          return;
        }
        ++j;
        continue;
      }
      *err = errors::kSyntax;
      return;
    }
    if (op != SetOp::kDiff && remaining > n && EqualsNoCase(a[j], "weights")) {
      for (size_t i = 0; i < n; ++i) {
        if (!StrToDouble(a[j + 1 + i], &m->weights[i])) {
          *err = "ERR weight value is not a float";
          return;
        }
      }
      j += n;
    } else if (op != SetOp::kDiff && remaining > 1 && EqualsNoCase(a[j], "aggregate")) {
      std::string_view v = a[j + 1];
      if (EqualsNoCase(v, "sum"))
        m->agg = Agg::kSum;
      else if (EqualsNoCase(v, "min"))
        m->agg = Agg::kMin;
      else if (EqualsNoCase(v, "max"))
        m->agg = Agg::kMax;
      else {
        *err = errors::kSyntax;
        return;
      }
      ++j;
    } else if (withscores_ok && EqualsNoCase(a[j], "withscores")) {
      m->withscores = true;
    } else {
      *err = errors::kSyntax;
      return;
    }
  }
}

// Key positions for the dispatcher: the numkeys keys after argv[1].
void MultiKeys(const ArgList& a, std::vector<int>* pos) { NumKeysPositions(a, 1, pos); }

void ReadSource(Shard& s, Db& d, std::string_view key, Source* src) {
  Entry* e = LookupRead(s, d, key);
  if (!e) return;
  if (e->value.type == ObjType::kSet) {
    // Redis takes plain sets as inputs too, every member scoring 1.
    src->state = Source::kZSet;
    for (std::string_view m : e->value.As<Set>()->Members()) src->items.emplace_back(m, 1.0);
    return;
  }
  if (e->value.type != ObjType::kZSet) {
    src->state = Source::kOther;
    return;
  }
  src->state = Source::kZSet;
  ZSet* z = e->value.As<ZSet>();
  src->items.reserve(z->Size());
  z->ForEachMember([&](std::string_view m, double sc) { src->items.emplace_back(m, sc); });
}

void Aggregate(double* acc, double v, Agg agg) {
  if (agg == Agg::kSum) {
    *acc += v;
    if (std::isnan(*acc)) *acc = 0;  // inf + -inf, as Redis
  } else if (agg == Agg::kMin) {
    if (v < *acc) *acc = v;
  } else if (v > *acc) {
    *acc = v;
  }
}

double Weighted(double s, double w) {
  double v = s * w;
  return std::isnan(v) ? 0 : v;  // inf * 0
}

// The error a request with these sources gets, empty when none: WRONGTYPE when a source
// holds another type, else the first bad option (Redis checks the key types first).
std::string_view SourcesError(const MultiSpec& m, const std::vector<Source>& src) {
  for (const Source& s : src)
    if (s.state == Source::kOther) return errors::kWrongType;
  return m.option_error;
}

// Combines the sources (none of another type: SourcesError first) into `out`, sorted by
// (score, member). ZINTERCARD only counts (*count).
void ComputeMulti(const MultiSpec& m, const std::vector<Source>& src,
                  std::vector<std::pair<std::string_view, double>>& out, int64_t* count_out) {
  // Redis sorts the sources of a union or intersection by size (smallest first) and folds
  // them in that order; with inf/-inf (and float rounding) the order changes the sums.
  std::vector<size_t> ord(src.size());
  for (size_t i = 0; i < ord.size(); ++i) ord[i] = i;
  std::stable_sort(ord.begin(), ord.end(), [&](size_t x, size_t y) {
    return src[x].items.size() < src[y].items.size();
  });
  if (m.op == SetOp::kUnion) {
    std::unordered_map<std::string_view, double> acc;
    for (size_t i : ord)
      for (const auto& [mem, sc] : src[i].items) {
        double v = Weighted(sc, m.weights[i]);
        auto [it, fresh] = acc.emplace(mem, v);
        if (!fresh) Aggregate(&it->second, v, m.agg);
      }
    out.assign(acc.begin(), acc.end());
  } else if (m.op == SetOp::kDiff) {
    std::unordered_map<std::string_view, bool> drop;
    for (size_t i = 1; i < src.size(); ++i)
      for (const auto& it : src[i].items) drop.emplace(it.first, true);
    for (const auto& [mem, sc] : src[0].items)
      if (!drop.count(mem)) out.emplace_back(mem, sc);
  } else {
    std::vector<std::unordered_map<std::string_view, double>> idx(src.size());
    for (size_t i = 1; i < src.size(); ++i)
      for (const auto& [mem, sc] : src[ord[i]].items) idx[i].emplace(mem, sc);
    int64_t count = 0;
    for (const auto& [mem, sc] : src[ord[0]].items) {
      double acc = Weighted(sc, m.weights[ord[0]]);
      bool all = true;
      for (size_t i = 1; i < src.size() && all; ++i) {
        auto it = idx[i].find(mem);
        if (it == idx[i].end())
          all = false;
        else  // as Redis: only the first source's inf * 0 becomes 0; a later one is NaN,
              // which turns a SUM into 0 and is ignored by MIN/MAX
          Aggregate(&acc, it->second * m.weights[ord[i]], m.agg);
      }
      if (!all) continue;
      ++count;
      if (m.op == SetOp::kInterCard && m.limit && count >= m.limit) break;
      out.emplace_back(mem, acc);
    }
    *count_out = count;
    if (m.op == SetOp::kInterCard) return;
  }
  std::sort(out.begin(), out.end(), [](const auto& x, const auto& y) {
    return ZLess(x.second, x.first, y.second, y.first);
  });
}

// Combines the sources and writes the reply (or WRONGTYPE).
void ReplyMulti(ReplyBuilder& rb, const MultiSpec& m, const std::vector<Source>& src) {
  std::vector<std::pair<std::string_view, double>> out;
  int64_t count = 0;
  if (std::string_view err = SourcesError(m, src); !err.empty()) return rb.Error(err);
  ComputeMulti(m, src, out, &count);
  if (m.op == SetOp::kInterCard) return rb.Integer(count);
  if (m.withscores && rb.proto() >= 3) {
    rb.ArrayHeader(out.size());
    for (const auto& [mem, sc] : out) {
      rb.ArrayHeader(2);
      rb.Bulk(mem);
      rb.Double(sc);
    }
    return;
  }
  rb.ArrayHeader(out.size() * (m.withscores ? 2 : 1));
  for (const auto& [mem, sc] : out) {
    rb.Bulk(mem);
    if (m.withscores) rb.Double(sc);
  }
}

template <SetOp kOp>
void CmdMulti(CmdContext& ctx) {
  MultiSpec m;
  std::string err;
  if (!ParseMulti(ctx.args, kOp, &m, &err)) return ctx.reply.Error(err);
  std::vector<Source> src(m.keys.size());
  for (size_t i = 0; i < m.keys.size(); ++i) ReadSource(ctx.shard, ctx.db, m.keys[i], &src[i]);
  ReplyMulti(ctx.reply, m, src);
}

template <SetOp kOp>
void CmdMultiOrigin(CoordContext& ctx) {
  auto m = std::make_shared<MultiSpec>();
  std::string err;
  if (!ParseMulti(ctx.args, kOp, m.get(), &err)) return ctx.reply.Error(err);
  const SlotTable& slots = ctx.shard.server().slots;
  // One part per key, each read on its owner (a key's part is written by one shard only).
  std::vector<uint16_t> shards;
  for (const std::string& k : m->keys) shards.push_back(static_cast<uint16_t>(slots.ShardOf(k)));
  ReplySlot slot = ctx.Defer();
  int db = ctx.client.db;
  FanOut<Source>(
      ctx.shard, shards,
      [m, db](Shard& s, size_t i, Source& part) { ReadSource(s, s.db(db), m->keys[i], &part); },
      [m, slot](Shard& o, std::vector<Source>& parts) {
        o.Finish(slot, [&](ReplyBuilder& rb) { ReplyMulti(rb, *m, parts); });
      });
}

// *STORE: replaces dest with the result (deleting it when empty); the new set's encoding
// follows its final contents, as Redis's zsetConvertToListpackIfNeeded does.
// `one_by_one` (ZRANGESTORE): the elements are added in order as by ZADD, so the listpack
// turns into a skiplist at the element crossing a threshold (only a -0 score can tell).
int64_t StoreResult(Shard& shard, Db& db, std::string_view dest,
                    const std::vector<std::pair<std::string, double>>& items,
                    bool one_by_one = false) {
  db.Erase(dest, shard.now_ms());
  if (items.empty()) return 0;
  auto z = std::make_unique<ZSet>();
  ZLimits lim = Limits(shard);
  size_t maxlen = 0;
  for (const auto& it : items) maxlen = std::max(maxlen, it.first.size());
  if (one_by_one) {
    // As ZADD: the listpack turns into a skiplist at the element crossing a threshold.
    for (const auto& [mem, sc] : items) {
      if (z->listpack() && (z->Size() + 1 > lim.entries || mem.size() > lim.value))
        z->ConvertToSkiplist();
      z->Insert(mem, sc);
    }
  } else {
    if (items.size() > lim.entries || maxlen > lim.value) z->ConvertToSkiplist();
    for (const auto& [mem, sc] : items) z->Insert(mem, sc);
  }
  int64_t n = static_cast<int64_t>(z->Size());
  db.Insert(dest, Value(ObjType::kZSet, std::move(z)));
  return n;
}

// Copies the computed result so that it outlives the sources.
void ComputeOwned(const MultiSpec& m, const std::vector<Source>& src,
                  std::vector<std::pair<std::string, double>>* owned) {
  std::vector<std::pair<std::string_view, double>> out;
  int64_t count = 0;
  ComputeMulti(m, src, out, &count);
  owned->reserve(out.size());
  for (const auto& [mem, sc] : out) owned->emplace_back(std::string(mem), sc);
}

template <SetOp kOp>
void CmdMultiStore(CmdContext& ctx) {
  MultiSpec m;
  std::string err;
  if (!ParseMulti(ctx.args, kOp, &m, &err, 2)) return ctx.reply.Error(err);
  std::vector<Source> src(m.keys.size());
  for (size_t i = 0; i < m.keys.size(); ++i) ReadSource(ctx.shard, ctx.db, m.keys[i], &src[i]);
  if (std::string_view err = SourcesError(m, src); !err.empty()) return ctx.reply.Error(err);
  std::vector<std::pair<std::string, double>> owned;
  ComputeOwned(m, src, &owned);
  ctx.reply.Integer(StoreResult(ctx.shard, ctx.db, ctx.args[1], owned));
}

struct StorePlan {
  MultiSpec m;
  std::string dest;
  uint16_t dest_shard = 0;
  std::vector<uint16_t> src_shards;  // one per source key
  std::vector<uint16_t> shards;      // to lock: ascending, unique
  int db = 0;
};

template <SetOp kOp>
void CmdMultiStoreOrigin(CoordContext& ctx) {
  auto plan = std::make_shared<StorePlan>();
  std::string err;
  if (!ParseMulti(ctx.args, kOp, &plan->m, &err, 2)) return ctx.reply.Error(err);
  const SlotTable& slots = ctx.shard.server().slots;
  plan->dest = std::string(ctx.args[1]);
  plan->dest_shard = slots.ShardOf(plan->dest);
  plan->db = ctx.client.db;
  for (const std::string& k : plan->m.keys) plan->src_shards.push_back(slots.ShardOf(k));
  plan->shards = plan->src_shards;
  plan->shards.push_back(plan->dest_shard);
  std::sort(plan->shards.begin(), plan->shards.end());
  plan->shards.erase(std::unique(plan->shards.begin(), plan->shards.end()), plan->shards.end());
  std::shared_ptr<const StorePlan> p = plan;
  ReplySlot slot = ctx.Defer(/*barrier=*/true);
  LockShards(ctx.shard, p->shards, [p, slot](Shard& origin, uint64_t tx) {
    FanOut<Source>(
        origin, p->src_shards,
        [p](Shard& s, size_t i, Source& part) { ReadSource(s, s.db(p->db), p->m.keys[i], &part); },
        [p, slot, tx](Shard& o, std::vector<Source>& parts) {
          if (std::string_view err = SourcesError(p->m, parts); !err.empty()) {
            UnlockShards(o, p->shards, tx);
            o.Finish(slot, [e = std::string(err)](ReplyBuilder& rb) { rb.Error(e); });
            return;
          }
          auto owned = std::make_shared<std::vector<std::pair<std::string, double>>>();
          ComputeOwned(p->m, parts, owned.get());
          FanOut<int64_t>(
              o, {p->dest_shard},
              [p, owned](Shard& s, size_t, int64_t& n) {
                n = StoreResult(s, s.db(p->db), p->dest, *owned);
                s.PropagateKeyState(p->db, p->dest);
              },
              [p, slot, tx](Shard& o2, std::vector<int64_t>& n) {
                UnlockShards(o2, p->shards, tx);
                int64_t v = n[0];
                o2.Finish(slot, [v](ReplyBuilder& rb) { rb.Integer(v); });
              },
              tx);
        },
        tx);
  });
}

// Keys of the *STORE forms: dest, then numkeys keys after argv[2].
void StoreKeys(const ArgList& a, std::vector<int>* pos) { NumKeysPositions(a, 2, pos, {1}); }

// ZRANGESTORE dst src min max [BYSCORE|BYLEX] [REV] [LIMIT offset count]

struct RangeStorePart {
  bool wrong = false;
  std::vector<std::pair<std::string, double>> items;
};

void SelectOwned(Shard& s, Db& d, std::string_view key, const RangeSpec& spec,
                 RangeStorePart* part) {
  Entry* e = LookupRead(s, d, key);
  if (!e) return;
  if (e->value.type != ObjType::kZSet) {
    part->wrong = true;
    return;
  }
  std::vector<ZItem> items;
  Select(*e->value.As<ZSet>(), spec, &items);
  part->items.reserve(items.size());
  for (const ZItem& n : items) part->items.emplace_back(n.member, n.score);
}

void CmdZrangestore(CmdContext& ctx) {
  RangeSpec spec;
  if (!ParseRange(ctx.args, 3, 5, &spec, ctx.reply, /*store=*/true)) return;
  RangeStorePart part;
  SelectOwned(ctx.shard, ctx.db, ctx.args[2], spec, &part);
  if (part.wrong) return ctx.reply.Error(errors::kWrongType);
  ctx.reply.Integer(StoreResult(ctx.shard, ctx.db, ctx.args[1], part.items, true));
}

void CmdZrangestoreOrigin(CoordContext& ctx) {
  auto spec = std::make_shared<RangeSpec>();
  if (!ParseRange(ctx.args, 3, 5, spec.get(), ctx.reply, /*store=*/true)) return;
  const SlotTable& slots = ctx.shard.server().slots;
  auto dest = std::make_shared<std::string>(ctx.args[1]);
  auto src = std::make_shared<std::string>(ctx.args[2]);
  uint16_t dst_shard = slots.ShardOf(*dest), src_shard = slots.ShardOf(*src);
  std::vector<uint16_t> shards{std::min(dst_shard, src_shard), std::max(dst_shard, src_shard)};
  if (shards[0] == shards[1]) shards.pop_back();
  int db = ctx.client.db;
  ReplySlot slot = ctx.Defer(/*barrier=*/true);
  LockShards(ctx.shard, shards, [=](Shard& origin, uint64_t tx) {
    FanOut<RangeStorePart>(
        origin, {src_shard},
        [=](Shard& s, size_t, RangeStorePart& part) {
          SelectOwned(s, s.db(db), *src, *spec, &part);
        },
        [=](Shard& o, std::vector<RangeStorePart>& parts) {
          if (parts[0].wrong) {
            UnlockShards(o, shards, tx);
            o.Finish(slot, [](ReplyBuilder& rb) { rb.Error(errors::kWrongType); });
            return;
          }
          auto items = std::make_shared<std::vector<std::pair<std::string, double>>>(
              std::move(parts[0].items));
          FanOut<int64_t>(
              o, {dst_shard},
              [=](Shard& s, size_t, int64_t& n) {
                n = StoreResult(s, s.db(db), *dest, *items, /*one_by_one=*/true);
                s.PropagateKeyState(db, *dest);
              },
              [=](Shard& o2, std::vector<int64_t>& n) {
                UnlockShards(o2, shards, tx);
                int64_t v = n[0];
                o2.Finish(slot, [v](ReplyBuilder& rb) { rb.Integer(v); });
              },
              tx);
        },
        tx);
  });
}

// ZMPOP numkeys key [key ...] MIN|MAX [COUNT count]: pops from the first key that holds a
// non-empty sorted set (a key of another type met before it is WRONGTYPE).

struct MpopSpec {
  std::vector<std::string> keys;
  bool max = false;
  int64_t count = 1;
};

bool ParseMpop(const ArgList& a, MpopSpec* m, std::string* err) {
  MPopRequest req;
  if (std::string_view e = ParseMPop(a, 1, "min", "max", &req); !e.empty()) {
    *err = e;
    return false;
  }
  for (size_t i = 0; i < req.num_keys; ++i) m->keys.emplace_back(a[req.first_key + i]);
  m->max = req.word1;
  m->count = req.count;
  return true;
}

// Pops from key's zset (known non-empty) and writes the reply into `out`.
void PopInto(Db& db, Entry* e, std::string_view key, const MpopSpec& m, ReplyBuilder& rb) {
  ZSet* z = e->value.As<ZSet>();
  size_t n = std::min<size_t>(static_cast<size_t>(m.count), z->Size());
  rb.ArrayHeader(2);
  rb.Bulk(key);
  rb.ArrayHeader(n);
  for (size_t i = 0; i < n; ++i) {
    size_t r = m.max ? z->Size() - 1 : 0;
    ZItem x = z->AtRank(r);
    rb.ArrayHeader(2);
    rb.Bulk(x.member);
    rb.Double(x.score);
    z->EraseRanks(r, r);
  }
  if (z->Size() == 0) db.Erase(e);
}

void CmdZmpop(CmdContext& ctx) {
  MpopSpec m;
  std::string err;
  if (!ParseMpop(ctx.args, &m, &err)) return ctx.reply.Error(err);
  for (const std::string& k : m.keys) {
    Entry* e = WriteEntry(ctx, k);
    if (!e) continue;
    if (e->value.type != ObjType::kZSet) return ctx.reply.Error(errors::kWrongType);
    return PopInto(ctx.db, e, k, m, ctx.reply);
  }
  ctx.reply.NullArray();
}

void ZmpopKeys(const ArgList& a, std::vector<int>* pos) { NumKeysPositions(a, 1, pos); }

void CmdZmpopOrigin(CoordContext& ctx) {
  auto m = std::make_shared<MpopSpec>();
  std::string err;
  if (!ParseMpop(ctx.args, m.get(), &err)) return ctx.reply.Error(err);
  const SlotTable& slots = ctx.shard.server().slots;
  std::vector<uint16_t> key_shards;
  for (const std::string& k : m->keys) key_shards.push_back(slots.ShardOf(k));
  std::vector<uint16_t> shards = key_shards;
  std::sort(shards.begin(), shards.end());
  shards.erase(std::unique(shards.begin(), shards.end()), shards.end());
  int db = ctx.client.db;
  ReplySlot slot = ctx.Defer(/*barrier=*/true);
  // Locked, the keys' states cannot change between the probe and the pop.
  LockShards(ctx.shard, shards, [=](Shard& origin, uint64_t tx) {
    FanOut<int>(
        origin, key_shards,
        [=](Shard& s, size_t i, int& state) {  // 0 missing, 1 zset, 2 other type
          Entry* e = s.db(db).Find(m->keys[i], s.now_ms());
          state = !e ? 0 : e->value.type == ObjType::kZSet ? 1 : 2;
        },
        [=](Shard& o, std::vector<int>& states) {
          size_t i = 0;
          while (i < states.size() && states[i] == 0) ++i;
          if (i == states.size() || states[i] == 2) {
            bool wrong = i < states.size();
            UnlockShards(o, shards, tx);
            o.Finish(slot, [wrong](ReplyBuilder& rb) {
              if (wrong)
                rb.Error(errors::kWrongType);
              else
                rb.NullArray();
            });
            return;
          }
          // The reply is built on the key's shard, in the client's protocol.
          FanOut<std::string>(
              o, {key_shards[i]},
              [=](Shard& s, size_t, std::string& out) {
                Db& d = s.db(db);
                Entry* e = d.Find(m->keys[i], s.now_ms());
                ReplyBuilder rb(&out, slot.proto);
                size_t before = e->value.obj->Size();
                PopInto(d, e, m->keys[i], *m, rb);
                Entry* after = d.FindRaw(m->keys[i]);
                std::string n = std::to_string(before - (after ? after->value.obj->Size() : 0));
                // Logged as Redis 7 logs ZMPOP: ZPOPMIN/ZPOPMAX key count.
                s.Propagate(db, {m->max ? "ZPOPMAX" : "ZPOPMIN", m->keys[i], n});
              },
              [=](Shard& o2, std::vector<std::string>& out) {
                UnlockShards(o2, shards, tx);
                std::string bytes = std::move(out[0]);
                o2.Finish(slot, [&bytes](ReplyBuilder& rb) { rb.Raw(bytes); });
              },
              tx);
        },
        tx);
  });
}

// ---------------------------------------------------------------------------------------
// The table

constexpr RowMaker Row{"sorted_set"};  // rows of this family (family_util.h)

}  // namespace

void RegisterZsetFamily(CommandRegistry& r) {
  constexpr uint32_t W = kCmdWrite, R = kCmdReadonly, M = kCmdDenyOom, F = kCmdFast;
  const std::string logn = "O(log(N))";
  const std::string range_cx =
      "O(log(N)+M) with N being the number of elements in the sorted set and M the number of "
      "elements returned.";
  r.Add(Row("zadd", -4, W | M | F, 1, 1, 1, CmdZadd, "1.2.0",
            "Add one or more members to a sorted set, or update its score if it already exists",
            "O(log(N)) for each item added, where N is the number of elements in the sorted set.",
            "write sortedset fast"));
  r.Add(Row("zincrby", 4, W | M | F, 1, 1, 1, CmdZincrby, "1.2.0",
            "Increment the score of a member in a sorted set", logn, "write sortedset fast"));
  r.Add(Row("zscore", 3, R | F, 1, 1, 1, CmdZscore, "1.2.0",
            "Get the score associated with the given member in a sorted set", "O(1)",
            "read sortedset fast"));
  r.Add(Row("zmscore", -3, R | F, 1, 1, 1, CmdZmscore, "6.2.0",
            "Get the score associated with the given members in a sorted set",
            "O(N) where N is the number of members being requested.", "read sortedset fast"));
  r.Add(Row("zcard", 2, R | F, 1, 1, 1, CmdZcard, "1.2.0",
            "Get the number of members in a sorted set", "O(1)", "read sortedset fast"));
  r.Add(Row("zcount", 4, R | F, 1, 1, 1, CmdZcount, "2.0.0",
            "Count the members in a sorted set with scores within the given values", logn,
            "read sortedset fast"));
  r.Add(Row("zlexcount", 4, R | F, 1, 1, 1, CmdZlexcount, "2.8.9",
            "Count the number of members in a sorted set between a given lexicographical range",
            logn, "read sortedset fast"));
  r.Add(Row("zrank", 3, R | F, 1, 1, 1, CmdZrank<false>, "2.0.0",
            "Determine the index of a member in a sorted set", logn, "read sortedset fast"));
  r.Add(Row("zrevrank", 3, R | F, 1, 1, 1, CmdZrank<true>, "2.0.0",
            "Determine the index of a member in a sorted set, with scores ordered from high to "
            "low",
            logn, "read sortedset fast"));
  r.Add(Row("zrem", -3, W | F, 1, 1, 1, CmdZrem, "1.2.0",
            "Remove one or more members from a sorted set",
            "O(M*log(N)) with N being the number of elements in the sorted set and M the number "
            "of elements to be removed.",
            "write sortedset fast"));
  r.Add(Row("zrange", -4, R, 1, 1, 1, CmdZrange, "1.2.0",
            "Return a range of members in a sorted set", range_cx, "read sortedset slow"));
  r.Add(Row("zrevrange", -4, R, 1, 1, 1, CmdZrangeFixed<RangeType::kRank, Dir::kReverse>,
            "1.2.0", "Return a range of members in a sorted set, by index, with scores ordered "
            "from high to low", range_cx, "read sortedset slow"));
  r.Add(Row("zrangebyscore", -4, R, 1, 1, 1, CmdZrangeFixed<RangeType::kScore, Dir::kForward>,
            "1.0.5", "Return a range of members in a sorted set, by score", range_cx,
            "read sortedset slow"));
  r.Add(Row("zrevrangebyscore", -4, R, 1, 1, 1,
            CmdZrangeFixed<RangeType::kScore, Dir::kReverse>, "2.2.0",
            "Return a range of members in a sorted set, by score, with scores ordered from high "
            "to low", range_cx, "read sortedset slow"));
  r.Add(Row("zrangebylex", -4, R, 1, 1, 1, CmdZrangeFixed<RangeType::kLex, Dir::kForward>,
            "2.8.9", "Return a range of members in a sorted set, by lexicographical range",
            range_cx, "read sortedset slow"));
  r.Add(Row("zrevrangebylex", -4, R, 1, 1, 1, CmdZrangeFixed<RangeType::kLex, Dir::kReverse>,
            "2.8.9", "Return a range of members in a sorted set, by lexicographical range, "
            "ordered from higher to lower strings", range_cx, "read sortedset slow"));
  r.Add(Row("zremrangebyrank", 4, W, 1, 1, 1, CmdZremrange<RangeType::kRank>, "2.0.0",
            "Remove all members in a sorted set within the given indexes", range_cx,
            "write sortedset slow"));
  r.Add(Row("zremrangebyscore", 4, W, 1, 1, 1, CmdZremrange<RangeType::kScore>, "1.2.0",
            "Remove all members in a sorted set within the given scores", range_cx,
            "write sortedset slow"));
  r.Add(Row("zremrangebylex", 4, W, 1, 1, 1, CmdZremrange<RangeType::kLex>, "2.8.9",
            "Remove all members in a sorted set between the given lexicographical range",
            range_cx, "write sortedset slow"));
  r.Add(Row("zpopmin", -2, W | F, 1, 1, 1, CmdZpop<false>, "5.0.0",
            "Remove and return members with the lowest scores in a sorted set",
            "O(log(N)*M) with N being the number of elements in the sorted set, and M being the "
            "number of elements popped.", "write sortedset fast"));
  r.Add(Row("zpopmax", -2, W | F, 1, 1, 1, CmdZpop<true>, "5.0.0",
            "Remove and return members with the highest scores in a sorted set",
            "O(log(N)*M) with N being the number of elements in the sorted set, and M being the "
            "number of elements popped.", "write sortedset fast"));
  r.Add(Row("zrandmember", -2, R, 1, 1, 1, CmdZrandmember, "6.2.0",
            "Get one or multiple random elements from a sorted set",
            "O(N) where N is the number of elements returned", "read sortedset slow"));
  r.Add(Row("zscan", -3, R, 1, 1, 1, CmdZscan, "2.8.0",
            "Incrementally iterate sorted sets elements and associated scores",
            "O(1) for every call. O(N) for a complete iteration, including enough command calls "
            "for the cursor to return back to 0. N is the number of elements inside the "
            "collection.", "read sortedset slow"));
  auto multi = [&](std::string name, ShardHandler sh, OriginHandler oh, std::string since,
                   std::string summary) {
    CommandSpec s = Row(std::move(name), -3, R, 0, 0, 0, sh, std::move(since), std::move(summary),
                        "O(N)+O(M*log(M)) with N being the sum of the sizes of the input sorted "
                        "sets, and M being the number of elements in the resulting sorted set.",
                        "read sortedset slow");
    s.get_keys = MultiKeys;
    s.on_origin = oh;
    r.Add(std::move(s));
  };
  multi("zunion", CmdMulti<SetOp::kUnion>, CmdMultiOrigin<SetOp::kUnion>, "6.2.0",
        "Add multiple sorted sets");
  multi("zinter", CmdMulti<SetOp::kInter>, CmdMultiOrigin<SetOp::kInter>, "6.2.0",
        "Intersect multiple sorted sets");
  multi("zdiff", CmdMulti<SetOp::kDiff>, CmdMultiOrigin<SetOp::kDiff>, "6.2.0",
        "Subtract multiple sorted sets");
  multi("zintercard", CmdMulti<SetOp::kInterCard>, CmdMultiOrigin<SetOp::kInterCard>, "7.0.0",
        "Intersect multiple sorted sets and return the cardinality of the result");
  auto store = [&](std::string name, ShardHandler sh, OriginHandler oh, std::string since,
                   std::string summary) {
    CommandSpec s = Row(std::move(name), -4, W | M, 0, 0, 0, sh, std::move(since),
                        std::move(summary),
                        "O(N)+O(M log(M)) with N being the sum of the sizes of the input sorted "
                        "sets, and M being the number of elements in the resulting sorted set.",
                        "write sortedset slow");
    s.get_keys = StoreKeys;
    s.on_origin = oh;
    r.Add(std::move(s));
  };
  store("zunionstore", CmdMultiStore<SetOp::kUnion>, CmdMultiStoreOrigin<SetOp::kUnion>, "2.0.0",
        "Add multiple sorted sets and store the resulting sorted set in a new key");
  store("zinterstore", CmdMultiStore<SetOp::kInter>, CmdMultiStoreOrigin<SetOp::kInter>, "2.0.0",
        "Intersect multiple sorted sets and store the resulting sorted set in a new key");
  store("zdiffstore", CmdMultiStore<SetOp::kDiff>, CmdMultiStoreOrigin<SetOp::kDiff>, "6.2.0",
        "Subtract multiple sorted sets and store the resulting sorted set in a new key");
  {
    CommandSpec s = Row("zrangestore", -5, W | M, 1, 2, 1, CmdZrangestore, "6.2.0",
                        "Store a range of members from sorted set into another key",
                        "O(log(N)+M) with N being the number of elements in the sorted set and M "
                        "the number of elements stored into the destination key.",
                        "write sortedset slow");
    s.on_origin = CmdZrangestoreOrigin;
    r.Add(std::move(s));
  }
  {
    CommandSpec s = Row("zmpop", -4, W, 0, 0, 0, CmdZmpop, "7.0.0",
                        "Remove and return members with scores in a sorted set",
                        "O(K) + O(N*log(M)) where K is the number of provided keys, N being the "
                        "number of elements in the sorted set, and M being the number of elements "
                        "popped.",
                        "write sortedset slow");
    s.get_keys = ZmpopKeys;
    s.on_origin = CmdZmpopOrigin;
    r.Add(std::move(s));
  }
}

}  // namespace kevy
