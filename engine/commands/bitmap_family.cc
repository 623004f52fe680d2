// The bitmap command family: SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP and BITFIELD(_RO) over
// string values, with Redis 7's replies, index rules (BYTE|BIT ranges, negative indexes) and
// errors.
//
// Bit 0 is the most significant bit of byte 0, as in Redis. BITOP has an on_origin handler
// for keys on several shards: it locks the shards of the sources and the destination, fetches
// the sources with FanOut, computes the result on the origin and stores it on the
// destination's shard before unlocking, so other clients see the destination replaced
// atomically.
#include <algorithm>
#include <cstdint>
#include <cstring>
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
#include "engine/util.h"
#include "engine/value.h"
#include "resp/errors.h"
#include "resp/reply.h"

namespace kevy {

namespace {

// Redis's getBitOffsetFromArgument: a non-negative integer whose byte index stays below
// proto-max-bulk-len. False after replying with the error.
bool ParseBitOffset(CmdContext& ctx, std::string_view arg, uint64_t* out) {
  int64_t v;
  const int64_t max = ctx.shard.config().proto_max_bulk_len.load(std::memory_order_relaxed);
  if (!ParseInt64(arg, &v) || v < 0 || (v >> 3) >= max) {
    ctx.reply.Error(errors::kBitOffset);
    return false;
  }
  *out = static_cast<uint64_t>(v);
  return true;
}

// Ones in p[0, n).
uint64_t PopCount(const unsigned char* p, size_t n) {
  uint64_t count = 0;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    memcpy(&w, p + i, 8);
    count += static_cast<uint64_t>(__builtin_popcountll(w));
  }
  for (; i < n; ++i) count += static_cast<uint64_t>(__builtin_popcount(p[i]));
  return count;
}

// The first bit equal to `bit` in bits [from, to] (inclusive) of p, or -1.
int64_t FindBit(const unsigned char* p, int64_t from, int64_t to, int bit) {
  const unsigned char skip = bit ? 0x00 : 0xff;  // a byte with no bit of interest
  int64_t b = from;
  // Leading bits up to a byte boundary.
  for (; b <= to && (b & 7); ++b)
    if (((p[b >> 3] >> (7 - (b & 7))) & 1) == bit) return b;
  // Whole bytes: skip 8 at a time while whole words hold nothing of interest.
  const uint64_t skip_word = bit ? 0 : ~uint64_t{0};
  while (b + 63 <= to) {
    uint64_t w;
    memcpy(&w, p + (b >> 3), 8);
    if (w != skip_word) break;
    b += 64;
  }
  for (; b + 7 <= to; b += 8) {
    unsigned char c = p[b >> 3];
    if (c != skip) {
      unsigned char x = bit ? c : static_cast<unsigned char>(~c);
      return b + (__builtin_clz(static_cast<unsigned>(x)) - 24);
    }
  }
  for (; b <= to; ++b)
    if (((p[b >> 3] >> (7 - (b & 7))) & 1) == bit) return b;
  return -1;
}

// Parses the BYTE|BIT unit argument; false on a syntax error.
bool ParseUnit(std::string_view arg, bool* is_bit) {
  if (EqualsNoCase(arg, "bit")) {
    *is_bit = true;
  } else if (EqualsNoCase(arg, "byte")) {
    *is_bit = false;
  } else {
    return false;
  }
  return true;
}

// The string at `key` for a bitmap read: nullptr when missing; *wrong when another type.
Entry* LookupBitmap(CmdContext& ctx, std::string_view key, bool* wrong) {
  Entry* e = LookupRead(ctx, key);
  *wrong = e && !IsString(e);
  return e;
}

// ---------------------------------------------------------------------------------------
// SETBIT, GETBIT

void CmdSetBit(CmdContext& ctx) {
  uint64_t offset;
  if (!ParseBitOffset(ctx, ctx.args[2], &offset)) return;
  int64_t on;
  if (!ParseInt64(ctx.args[3], &on) || (on & ~int64_t{1})) {
    ctx.reply.Error(errors::kBitNotInt);
    return;
  }
  bool created;
  Entry* e = ctx.db.Find(ctx.args[1], ctx.now_ms());
  if (e && !IsString(e)) {
    ctx.reply.Error(errors::kWrongType);
    return;
  }
  if (!e) e = ctx.db.FindOrCreate(ctx.args[1], ctx.now_ms(), &created);
  std::string& s = e->value.str;
  const size_t byte = offset >> 3;
  if (s.size() <= byte) s.resize(byte + 1, '\0');
  const unsigned char mask = static_cast<unsigned char>(1u << (7 - (offset & 7)));
  unsigned char& c = reinterpret_cast<unsigned char&>(s[byte]);
  const int old = (c & mask) ? 1 : 0;
  if (on)
    c |= mask;
  else
    c &= static_cast<unsigned char>(~mask);
  e->value.raw = true;  // Redis unshares the value: it is "raw" from now on
  ctx.reply.Integer(old);
}

void CmdGetBit(CmdContext& ctx) {
  uint64_t offset;
  if (!ParseBitOffset(ctx, ctx.args[2], &offset)) return;
  bool wrong;
  Entry* e = LookupBitmap(ctx, ctx.args[1], &wrong);
  if (wrong) {
    ctx.reply.Error(errors::kWrongType);
    return;
  }
  if (!e || (offset >> 3) >= e->value.str.size()) {
    ctx.reply.Integer(0);
    return;
  }
  const unsigned char c = static_cast<unsigned char>(e->value.str[offset >> 3]);
  ctx.reply.Integer((c >> (7 - (offset & 7))) & 1);
}

// ---------------------------------------------------------------------------------------
// BITCOUNT, BITPOS

// Clamps [start, end] (negative = from the end) to a string of `total` units, as Redis does.
void ClampRange(int64_t total, int64_t* start, int64_t* end) {
  if (*start < 0) *start += total;
  if (*end < 0) *end += total;
  if (*start < 0) *start = 0;
  if (*end < 0) *end = 0;
  if (*end >= total) *end = total - 1;
}

void CmdBitCount(CmdContext& ctx) {
  const size_t argc = ctx.args.size();
  int64_t start = 0, end = 0;
  bool is_bit = false;
  // Redis's order: the key first (a missing key is 0 whatever the arguments), then the range,
  // then (unless both ends are negative and crossed, which is 0) the unit.
  bool wrong;
  Entry* e = LookupBitmap(ctx, ctx.args[1], &wrong);
  if (wrong) {
    ctx.reply.Error(errors::kWrongType);
    return;
  }
  if (!e) {
    ctx.reply.Integer(0);
    return;
  }
  if (argc == 4 || argc == 5) {
    if (!ParseInt64(ctx.args[2], &start) || !ParseInt64(ctx.args[3], &end)) {
      ctx.reply.Error(errors::kNotInteger);
      return;
    }
    if (start < 0 && end < 0 && start > end) {
      ctx.reply.Integer(0);
      return;
    }
    if (argc == 5 && !ParseUnit(ctx.args[4], &is_bit)) {
      ctx.reply.Error(errors::kSyntax);
      return;
    }
  } else if (argc != 2) {
    ctx.reply.Error(errors::kSyntax);
    return;
  }
  const std::string& s = e->value.str;
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const int64_t len = static_cast<int64_t>(s.size());
  if (argc == 2) {
    ctx.reply.Integer(static_cast<int64_t>(PopCount(p, s.size())));
    return;
  }
  if (start < 0 && end < 0 && start > end) {
    ctx.reply.Integer(0);
    return;
  }
  ClampRange(is_bit ? len * 8 : len, &start, &end);
  if (start > end) {
    ctx.reply.Integer(0);
    return;
  }
  if (!is_bit) {
    const size_t n = static_cast<size_t>(end - start + 1);
    ctx.reply.Integer(static_cast<int64_t>(PopCount(p + start, n)));
    return;
  }
  // Bit range: count the whole bytes, then drop the bits of the edge bytes outside it.
  const int64_t first = start >> 3, last = end >> 3;
  uint64_t count = PopCount(p + first, static_cast<size_t>(last - first + 1));
  const unsigned head_out = p[first] & ~((1u << (8 - (start & 7))) - 1) & 0xff;
  const unsigned tail_out = p[last] & ((1u << (7 - (end & 7))) - 1);
  count -= static_cast<uint64_t>(__builtin_popcount(head_out) + __builtin_popcount(tail_out));
  ctx.reply.Integer(static_cast<int64_t>(count));
}

void CmdBitPos(CmdContext& ctx) {
  const size_t argc = ctx.args.size();
  int64_t bit;
  if (!ParseInt64(ctx.args[2], &bit)) {
    ctx.reply.Error(errors::kNotInteger);
    return;
  }
  if (bit != 0 && bit != 1) {
    ctx.reply.Error(errors::kBitposBit);
    return;
  }
  bool wrong;
  Entry* e = LookupBitmap(ctx, ctx.args[1], &wrong);
  if (!e) {
    // A missing key is an infinite run of zeros.
    ctx.reply.Integer(bit ? -1 : 0);
    return;
  }
  if (wrong) {
    ctx.reply.Error(errors::kWrongType);
    return;
  }
  const std::string& s = e->value.str;
  const int64_t len = static_cast<int64_t>(s.size());
  int64_t start = 0, end = len - 1;
  bool is_bit = false, end_given = false;
  if (argc >= 4 && argc <= 6) {
    if (!ParseInt64(ctx.args[3], &start)) {
      ctx.reply.Error(errors::kNotInteger);
      return;
    }
    if (argc == 6 && !ParseUnit(ctx.args[5], &is_bit)) {
      ctx.reply.Error(errors::kSyntax);
      return;
    }
    if (argc >= 5) {
      if (!ParseInt64(ctx.args[4], &end)) {
        ctx.reply.Error(errors::kNotInteger);
        return;
      }
      end_given = true;
    } else {
      end = is_bit ? len * 8 + 7 : len - 1;
    }
    ClampRange(is_bit ? len * 8 : len, &start, &end);
  } else if (argc != 3) {
    ctx.reply.Error(errors::kSyntax);
    return;
  }
  if (start > end) {
    ctx.reply.Integer(-1);  // an empty range holds neither a 0 nor a 1
    return;
  }
  int64_t from = is_bit ? start : start * 8;
  int64_t to = is_bit ? end : end * 8 + 7;
  int64_t pos = FindBit(reinterpret_cast<const unsigned char*>(s.data()), from, to,
                        static_cast<int>(bit));
  // Looking for a 0 without an explicit end: the string continues with zeros past its end.
  if (pos < 0 && bit == 0 && !end_given) pos = to + 1;
  ctx.reply.Integer(pos);
}

// ---------------------------------------------------------------------------------------
// BITOP

enum class BitOp : uint8_t { kAnd, kOr, kXor, kNot };

bool ParseBitOp(std::string_view s, BitOp* op) {
  if (EqualsNoCase(s, "and"))
    *op = BitOp::kAnd;
  else if (EqualsNoCase(s, "or"))
    *op = BitOp::kOr;
  else if (EqualsNoCase(s, "xor"))
    *op = BitOp::kXor;
  else if (EqualsNoCase(s, "not"))
    *op = BitOp::kNot;
  else
    return false;
  return true;
}

// Redis's BITOP on `srcs` (missing keys are empty strings): the result is as long as the
// longest source, shorter sources are padded with zero bytes.
std::string ComputeBitOp(BitOp op, const std::vector<std::string_view>& srcs) {
  size_t maxlen = 0;
  for (std::string_view v : srcs) maxlen = std::max(maxlen, v.size());
  std::string out(maxlen, '\0');
  if (maxlen == 0) return out;
  auto* o = reinterpret_cast<unsigned char*>(out.data());
  if (op == BitOp::kNot) {
    const auto* p = reinterpret_cast<const unsigned char*>(srcs[0].data());
    for (size_t i = 0; i < maxlen; ++i) o[i] = static_cast<unsigned char>(~p[i]);
    return out;
  }
  memcpy(o, srcs[0].data(), srcs[0].size());  // the rest already zero
  for (size_t k = 1; k < srcs.size(); ++k) {
    const auto* p = reinterpret_cast<const unsigned char*>(srcs[k].data());
    const size_t n = srcs[k].size();
    switch (op) {
      case BitOp::kAnd:
        for (size_t i = 0; i < n; ++i) o[i] &= p[i];
        memset(o + n, 0, maxlen - n);
        break;
      case BitOp::kOr:
        for (size_t i = 0; i < n; ++i) o[i] |= p[i];
        break;
      case BitOp::kXor:
        for (size_t i = 0; i < n; ++i) o[i] ^= p[i];
        break;
      case BitOp::kNot:
        break;
    }
  }
  return out;
}

// Stores a BITOP result at `key` (replacing any value and its TTL), or deletes the key when
// the result is empty, as Redis does.
void StoreBitOpResult(Db& db, std::string_view key, std::string result, int64_t now_ms) {
  if (result.empty()) {
    db.Erase(key, now_ms);
    return;
  }
  bool created;
  Entry* e = db.FindOrCreate(key, now_ms, &created);
  if (!created && e->expire_at_ms != kNoExpire) db.ClearExpire(e);
  e->value = Value(std::move(result));
  e->value.raw = true;
}

// Checks the operation and source count; false after replying with the error.
bool ParseBitOpArgs(const ArgList& args, ReplyBuilder& rb, BitOp* op) {
  if (!ParseBitOp(args[1], op)) {
    rb.Error(errors::kSyntax);
    return false;
  }
  if (*op == BitOp::kNot && args.size() != 4) {
    rb.Error(errors::kBitopNotSingle);
    return false;
  }
  return true;
}

void CmdBitOp(CmdContext& ctx) {
  BitOp op;
  if (!ParseBitOpArgs(ctx.args, ctx.reply, &op)) return;
  std::vector<std::string_view> srcs;
  for (size_t i = 3; i < ctx.args.size(); ++i) {
    Entry* e = LookupRead(ctx, ctx.args[i]);
    if (e && !IsString(e)) {
      ctx.reply.Error(errors::kWrongType);
      return;
    }
    srcs.push_back(e ? std::string_view(e->value.str) : std::string_view());
  }
  std::string result = ComputeBitOp(op, srcs);
  const int64_t n = static_cast<int64_t>(result.size());
  StoreBitOpResult(ctx.db, ctx.args[2], std::move(result), ctx.now_ms());
  ctx.reply.Integer(n);
}

// A source value fetched from its shard.
struct Source {
  enum State : uint8_t { kMissing, kString, kOtherType };
  State state = kMissing;
  std::string value;
};

struct BitOpPlan {
  BitOp op;
  int db = 0;
  std::string dest;
  uint16_t dest_shard = 0;
  std::vector<uint16_t> shards;                   // every shard touched, ascending
  std::vector<uint16_t> src_shards;               // shards owning sources
  std::vector<std::vector<std::string>> src_keys;  // parallel to src_shards
  std::vector<std::vector<size_t>> src_pos;        // their positions among the sources
  size_t nsrc = 0;
};

void CmdBitOpOrigin(CoordContext& ctx) {
  auto plan = std::make_shared<BitOpPlan>();
  if (!ParseBitOpArgs(ctx.args, ctx.reply, &plan->op)) return;
  const SlotTable& slots = ctx.shard.server().slots;
  plan->db = ctx.client.db;
  plan->dest = std::string(ctx.args[2]);
  plan->dest_shard = slots.ShardOf(ctx.args[2]);
  plan->nsrc = ctx.args.size() - 3;
  std::vector<int> index(ctx.shard.server().num_shards(), -1);
  for (size_t i = 3; i < ctx.args.size(); ++i) {
    const uint16_t s = slots.ShardOf(ctx.args[i]);
    if (index[s] < 0) {
      index[s] = static_cast<int>(plan->src_shards.size());
      plan->src_shards.push_back(s);
      plan->src_keys.emplace_back();
      plan->src_pos.emplace_back();
    }
    plan->src_keys[index[s]].emplace_back(ctx.args[i]);
    plan->src_pos[index[s]].push_back(i - 3);
  }
  plan->shards = plan->src_shards;
  plan->shards.push_back(plan->dest_shard);
  std::sort(plan->shards.begin(), plan->shards.end());
  plan->shards.erase(std::unique(plan->shards.begin(), plan->shards.end()), plan->shards.end());

  std::shared_ptr<const BitOpPlan> p = plan;
  ReplySlot slot = ctx.Defer(/*barrier=*/true);
  LockShards(ctx.shard, p->shards, [p, slot](Shard& origin, uint64_t tx) {
    auto fetch = [p](Shard& s, size_t i, std::vector<Source>& part) {
      Db& d = s.db(p->db);
      const auto& keys = p->src_keys[i];
      part.resize(keys.size());
      for (size_t k = 0; k < keys.size(); ++k) {
        Entry* e = LookupRead(s, d, keys[k]);
        if (!e) continue;
        if (!IsString(e)) {
          part[k].state = Source::kOtherType;
          continue;
        }
        part[k].state = Source::kString;
        part[k].value = e->value.str;
      }
    };
    auto fetched = [p, slot, tx](Shard& o, std::vector<std::vector<Source>>& parts) {
      std::vector<std::string_view> srcs(p->nsrc);
      for (size_t j = 0; j < parts.size(); ++j) {
        for (size_t k = 0; k < parts[j].size(); ++k) {
          if (parts[j][k].state == Source::kOtherType) {
            UnlockShards(o, p->shards, tx);
            o.Finish(slot, [](ReplyBuilder& rb) { rb.Error(errors::kWrongType); });
            return;
          }
          srcs[p->src_pos[j][k]] = parts[j][k].value;
        }
      }
      auto result = std::make_shared<std::string>(ComputeBitOp(p->op, srcs));
      const int64_t n = static_cast<int64_t>(result->size());
      FanOut<char>(
          o, {p->dest_shard},
          [p, result](Shard& s, size_t, char&) {
            StoreBitOpResult(s.db(p->db), p->dest, std::move(*result), s.now_ms());
            s.PropagateKeyState(p->db, p->dest);
          },
          [p, slot, tx, n](Shard& o2, std::vector<char>&) {
            UnlockShards(o2, p->shards, tx);
            o2.Finish(slot, [n](ReplyBuilder& rb) { rb.Integer(n); });
          },
          tx);
    };
    FanOut<std::vector<Source>>(origin, p->src_shards, fetch, fetched, tx);
  });
}

// ---------------------------------------------------------------------------------------
// BITFIELD, BITFIELD_RO

enum class Overflow : uint8_t { kWrap, kSat, kFail };
enum class FieldOp : uint8_t { kGet, kSet, kIncrBy };

struct FieldCmd {
  FieldOp op;
  Overflow overflow;
  bool is_signed;
  int bits;
  uint64_t offset;
  int64_t arg;  // SET value or INCRBY increment
};

// Parses "i<1..64>" or "u<1..63>".
bool ParseFieldType(std::string_view t, bool* is_signed, int* bits) {
  if (t.size() < 2 || (t[0] != 'i' && t[0] != 'I' && t[0] != 'u' && t[0] != 'U')) return false;
  *is_signed = t[0] == 'i' || t[0] == 'I';
  int64_t b;
  if (!ParseInt64(t.substr(1), &b)) return false;
  if (b < 1 || (*is_signed && b > 64) || (!*is_signed && b > 63)) return false;
  *bits = static_cast<int>(b);
  return true;
}

// A field offset: a bit offset, or "#N" meaning N * bits (Redis's getBitOffsetFromArgument
// with hash support).
bool ParseFieldOffset(CmdContext& ctx, std::string_view arg, int bits, uint64_t* out) {
  const bool hash = !arg.empty() && arg[0] == '#';
  int64_t v;
  const int64_t max = ctx.shard.config().proto_max_bulk_len.load(std::memory_order_relaxed);
  if (!ParseInt64(hash ? arg.substr(1) : arg, &v) ||
      (hash && __builtin_mul_overflow(v, int64_t{bits}, &v)) || v < 0 || (v >> 3) >= max) {
    ctx.reply.Error(errors::kBitOffset);
    return false;
  }
  *out = static_cast<uint64_t>(v);
  return true;
}

uint64_t GetField(std::string_view s, uint64_t offset, int bits) {
  uint64_t value = 0;
  for (int j = 0; j < bits; ++j, ++offset) {
    const uint64_t byte = offset >> 3;
    const unsigned bit = 7 - (offset & 7);
    const uint64_t bitval =
        byte < s.size() ? (static_cast<unsigned char>(s[byte]) >> bit) & 1u : 0;
    value = (value << 1) | bitval;
  }
  return value;
}

int64_t GetSignedField(std::string_view s, uint64_t offset, int bits) {
  uint64_t v = GetField(s, offset, bits);
  if (bits < 64 && (v & (uint64_t{1} << (bits - 1)))) v |= ~uint64_t{0} << bits;
  return static_cast<int64_t>(v);
}

void SetField(std::string* s, uint64_t offset, int bits, uint64_t value) {
  for (int j = 0; j < bits; ++j, ++offset) {
    const uint64_t bitval = (value >> (bits - 1 - j)) & 1;
    const uint64_t byte = offset >> 3;
    const unsigned bit = 7 - (offset & 7);
    unsigned char& c = reinterpret_cast<unsigned char&>((*s)[byte]);
    c = static_cast<unsigned char>((c & ~(1u << bit)) | (bitval << bit));
  }
}

// Redis's checkUnsignedBitfieldOverflow: nonzero on overflow, *limit = the value to store
// under WRAP/SAT.
int UnsignedOverflow(uint64_t value, int64_t incr, int bits, Overflow ow, uint64_t* limit) {
  const uint64_t max = (bits == 64) ? UINT64_MAX : ((uint64_t{1} << bits) - 1);
  const int64_t maxincr = static_cast<int64_t>(max - value);
  const int64_t minincr = -static_cast<int64_t>(value);
  int r = 0;
  if (value > max || (incr > 0 && incr > maxincr))
    r = 1;
  else if (incr < 0 && incr < minincr)
    r = -1;
  if (r == 0) return 0;
  if (ow == Overflow::kWrap)
    *limit = (value + static_cast<uint64_t>(incr)) & ~(~uint64_t{0} << bits);
  else if (ow == Overflow::kSat)
    *limit = r > 0 ? max : 0;
  return r;
}

// Redis's checkSignedBitfieldOverflow.
int SignedOverflow(int64_t value, int64_t incr, int bits, Overflow ow, int64_t* limit) {
  const int64_t max = (bits == 64) ? INT64_MAX : ((int64_t{1} << (bits - 1)) - 1);
  const int64_t min = -max - 1;
  // max - value and min - value may overflow only when bits == 64, where they are not used
  // except in the same-sign cases below, which keep them in range.
  const uint64_t uvalue = static_cast<uint64_t>(value);
  const int64_t maxincr = static_cast<int64_t>(static_cast<uint64_t>(max) - uvalue);
  const int64_t minincr = static_cast<int64_t>(static_cast<uint64_t>(min) - uvalue);
  int r = 0;
  if (value > max || (bits != 64 && incr > maxincr) || (value >= 0 && incr > 0 && incr > maxincr))
    r = 1;
  else if (value < min || (bits != 64 && incr < minincr) ||
           (value < 0 && incr < 0 && incr < minincr))
    r = -1;
  if (r == 0) return 0;
  if (ow == Overflow::kWrap) {
    uint64_t c = static_cast<uint64_t>(value) + static_cast<uint64_t>(incr);
    if (bits < 64) {
      const uint64_t mask = ~uint64_t{0} << bits;
      if (c & (uint64_t{1} << (bits - 1)))
        c |= mask;
      else
        c &= ~mask;
    }
    *limit = static_cast<int64_t>(c);
  } else if (ow == Overflow::kSat) {
    *limit = r > 0 ? max : min;
  }
  return r;
}

void BitFieldGeneric(CmdContext& ctx, bool read_only) {
  std::vector<FieldCmd> ops;
  Overflow ow = Overflow::kWrap;
  bool any_write = false;
  uint64_t highest_bit = 0;
  for (size_t j = 2; j < ctx.args.size(); ++j) {
    std::string_view sub = ctx.args[j];
    const size_t remaining = ctx.args.size() - j - 1;
    FieldCmd f{};
    if (EqualsNoCase(sub, "get") && remaining >= 2) {
      f.op = FieldOp::kGet;
    } else if (EqualsNoCase(sub, "set") && remaining >= 3) {
      f.op = FieldOp::kSet;
    } else if (EqualsNoCase(sub, "incrby") && remaining >= 3) {
      f.op = FieldOp::kIncrBy;
    } else if (EqualsNoCase(sub, "overflow") && remaining >= 1) {
      std::string_view o = ctx.args[++j];
      if (EqualsNoCase(o, "wrap")) {
        ow = Overflow::kWrap;
      } else if (EqualsNoCase(o, "sat")) {
        ow = Overflow::kSat;
      } else if (EqualsNoCase(o, "fail")) {
        ow = Overflow::kFail;
      } else {
        ctx.reply.Error(errors::kBitfieldOverflowType);
        return;
      }
      continue;
    } else {
      ctx.reply.Error(errors::kSyntax);
      return;
    }
    if (!ParseFieldType(ctx.args[j + 1], &f.is_signed, &f.bits)) {
      ctx.reply.Error(errors::kBitfieldType);
      return;
    }
    if (!ParseFieldOffset(ctx, ctx.args[j + 2], f.bits, &f.offset)) return;
    if (f.op != FieldOp::kGet) {
      if (!ParseInt64(ctx.args[j + 3], &f.arg)) {
        ctx.reply.Error(errors::kNotInteger);
        return;
      }
      any_write = true;
      highest_bit = std::max(highest_bit, f.offset + static_cast<uint64_t>(f.bits) - 1);
      j += 3;
    } else {
      j += 2;
    }
    f.overflow = ow;
    ops.push_back(f);
  }
  if (read_only && any_write) {
    ctx.reply.Error(errors::kBitfieldRoGetOnly);
    return;
  }
  Entry* e;
  if (any_write) {
    e = ctx.db.Find(ctx.args[1], ctx.now_ms());
    if (e && !IsString(e)) {
      ctx.reply.Error(errors::kWrongType);
      return;
    }
    bool created;
    if (!e) e = ctx.db.FindOrCreate(ctx.args[1], ctx.now_ms(), &created);
    if (e->value.str.size() < (highest_bit >> 3) + 1) e->value.str.resize((highest_bit >> 3) + 1);
    e->value.raw = true;
  } else {
    e = LookupRead(ctx, ctx.args[1]);
    if (e && !IsString(e)) {
      ctx.reply.Error(errors::kWrongType);
      return;
    }
  }
  ctx.reply.ArrayHeader(ops.size());
  for (const FieldCmd& f : ops) {
    std::string_view cur = e ? std::string_view(e->value.str) : std::string_view();
    if (f.op == FieldOp::kGet) {
      if (f.is_signed)
        ctx.reply.Integer(GetSignedField(cur, f.offset, f.bits));
      else
        ctx.reply.Integer(static_cast<int64_t>(GetField(cur, f.offset, f.bits)));
      continue;
    }
    const int64_t incr = f.op == FieldOp::kIncrBy ? f.arg : 0;
    if (f.is_signed) {
      const int64_t old = GetSignedField(cur, f.offset, f.bits);
      int64_t newval, limit = 0;
      int over;
      if (f.op == FieldOp::kIncrBy) {
        newval = static_cast<int64_t>(static_cast<uint64_t>(old) + static_cast<uint64_t>(incr));
        over = SignedOverflow(old, incr, f.bits, f.overflow, &limit);
      } else {
        newval = f.arg;
        over = SignedOverflow(f.arg, 0, f.bits, f.overflow, &limit);
      }
      if (over && f.overflow == Overflow::kFail) {
        ctx.reply.Null();
        continue;
      }
      if (over) newval = limit;
      SetField(&e->value.str, f.offset, f.bits, static_cast<uint64_t>(newval));
      ctx.reply.Integer(f.op == FieldOp::kSet ? old : newval);
    } else {
      const uint64_t old = GetField(cur, f.offset, f.bits);
      uint64_t newval, limit = 0;
      int over;
      if (f.op == FieldOp::kIncrBy) {
        newval = old + static_cast<uint64_t>(incr);
        over = UnsignedOverflow(old, incr, f.bits, f.overflow, &limit);
      } else {
        newval = static_cast<uint64_t>(f.arg);
        over = UnsignedOverflow(newval, 0, f.bits, f.overflow, &limit);
      }
      if (over && f.overflow == Overflow::kFail) {
        ctx.reply.Null();
        continue;
      }
      if (over) newval = limit;
      SetField(&e->value.str, f.offset, f.bits, newval);
      ctx.reply.Integer(static_cast<int64_t>(f.op == FieldOp::kSet ? old : newval));
    }
  }
}

void CmdBitField(CmdContext& ctx) { BitFieldGeneric(ctx, false); }
void CmdBitFieldRo(CmdContext& ctx) { BitFieldGeneric(ctx, true); }

// ---------------------------------------------------------------------------------------
// The table

constexpr RowMaker Row{"bitmap"};  // rows of this family (family_util.h)

}  // namespace

void RegisterBitmapFamily(CommandRegistry& r) {
  constexpr uint32_t W = kCmdWrite, R = kCmdReadonly, M = kCmdDenyOom;
  r.Add(Row("setbit", 4, W | M, 1, 1, 1, CmdSetBit, "2.2.0",
            "Sets or clears the bit at offset in the string value stored at key", "O(1)",
            "write bitmap slow"));
  r.Add(Row("getbit", 3, R | kCmdFast, 1, 1, 1, CmdGetBit, "2.2.0",
            "Returns the bit value at offset in the string value stored at key", "O(1)",
            "read bitmap fast"));
  r.Add(Row("bitcount", -2, R, 1, 1, 1, CmdBitCount, "2.6.0", "Count set bits in a string",
            "O(N)", "read bitmap slow"));
  r.Add(Row("bitpos", -3, R, 1, 1, 1, CmdBitPos, "2.8.7", "Find first bit set or clear in a string",
            "O(N)", "read bitmap slow"));
  r.Add(Row("bitop", -4, W | M, 2, -1, 1, CmdBitOp, "2.6.0",
            "Perform bitwise operations between strings", "O(N)", "write bitmap slow",
            CmdBitOpOrigin));
  r.Add(Row("bitfield", -2, W | M, 1, 1, 1, CmdBitField, "3.2.0",
            "Perform arbitrary bitfield integer operations on strings",
            "O(1) for each subcommand specified", "write bitmap slow"));
  r.Add(Row("bitfield_ro", -2, R | kCmdFast, 1, 1, 1, CmdBitFieldRo, "6.0.0",
            "Perform arbitrary bitfield integer operations on strings. Read-only variant of "
            "BITFIELD",
            "O(1) for each subcommand specified", "read bitmap fast"));
}

}  // namespace kevy
