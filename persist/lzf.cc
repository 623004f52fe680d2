// LZF block format. The compressor makes the same choices as liblzf 3.6 as Redis builds it
// (HLOG 16, VERY_FAST, a zeroed hash table, the same output-bound checks), so that kevy's
// RDB strings and DUMP payloads match redis-server's byte for byte; the decompressor checks
// every run against both buffers. (Redis builds liblzf with INIT_HTAB 0, so its table starts
// with whatever the stack held; a stale slot can only add a match in the rare case where it
// points at bytes that repeat inside an earlier match. Outputs agreed on every test input.)
#include "persist/lzf.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

namespace kevy {
namespace {

constexpr unsigned kHlog = 16;
constexpr unsigned kHsize = 1u << kHlog;
constexpr unsigned kMaxLit = 1u << 5;
constexpr unsigned kMaxOff = 1u << 13;
constexpr unsigned kMaxRef = (1u << 8) + (1u << 3);

inline uint32_t First(const uint8_t* p) { return (uint32_t{p[0]} << 8) | p[1]; }
inline uint32_t Next(uint32_t v, const uint8_t* p) { return (v << 8) | p[2]; }
inline uint32_t Idx(uint32_t h) { return ((h >> (3 * 8 - kHlog)) - h * 5) & (kHsize - 1); }

// liblzf's hash table of earlier positions, as if zeroed at every call but without clearing
// 2 x 256 KiB per string: a slot counts only when stamped with the current call's generation.
// One per thread (shards compress in parallel).
struct PositionTable {
  std::vector<uint32_t> pos, gen;
  uint32_t cur = 0;

  void NewCall() {
    if (pos.empty()) {
      pos.assign(kHsize, 0);
      gen.assign(kHsize, 0);
    }
    if (++cur == 0) {  // generations wrapped: really clear once
      std::fill(gen.begin(), gen.end(), 0);
      cur = 1;
    }
  }
  uint32_t Get(uint32_t i) const { return gen[i] == cur ? pos[i] : 0; }
  void Put(uint32_t i, size_t p) {
    pos[i] = static_cast<uint32_t>(p);
    gen[i] = cur;
  }
};

}  // namespace

bool LzfCompress(std::string_view input, size_t max_out, std::string* out) {
  const size_t in_len = input.size();
  if (in_len == 0 || max_out == 0 || in_len > UINT32_MAX) return false;
  // Positions as liblzf's offsets from the input start; 0 = empty slot: liblzf never
  // matches against position 0 (`ref > in_data`), and neither does a slot holding 0 here.
  thread_local PositionTable htab;
  htab.NewCall();
  const auto* in = reinterpret_cast<const uint8_t*>(input.data());
  out->assign(max_out, '\0');
  auto* o = reinterpret_cast<uint8_t*>(out->data());
  const size_t out_end = max_out;
  size_t ip = 0, op = 0;
  size_t lit = 0;
  op++;  // start run
  uint32_t hval = in_len >= 2 ? First(in) : 0;
  while (in_len > 2 && ip < in_len - 2) {
    hval = Next(hval, in + ip);
    const uint32_t slot = Idx(hval);
    const size_t ref = htab.Get(slot);  // position of an earlier occurrence; 0 = none
    htab.Put(slot, ip);
    size_t off;
    if (ref < ip && (off = ip - ref - 1) < kMaxOff && ref > 0 && in[ref + 2] == in[ip + 2] &&
        in[ref] == in[ip] && in[ref + 1] == in[ip + 1]) {
      size_t len = 2;
      size_t maxlen = in_len - ip - len;
      if (maxlen > kMaxRef) maxlen = kMaxRef;
      if (op + 3 + 1 >= out_end && op - (lit == 0) + 3 + 1 >= out_end) return false;
      o[op - lit - 1] = static_cast<uint8_t>(lit - 1);  // stop run
      op -= (lit == 0);                                 // undo an empty run
      do {
        len++;
      } while (len < maxlen && in[ref + len] == in[ip + len]);
      len -= 2;
      ip++;
      if (len < 7) {
        o[op++] = static_cast<uint8_t>((off >> 8) + (len << 5));
      } else {
        o[op++] = static_cast<uint8_t>((off >> 8) + (7 << 5));
        o[op++] = static_cast<uint8_t>(len - 7);
      }
      o[op++] = static_cast<uint8_t>(off);
      lit = 0;
      op++;  // start run
      ip += len + 1;
      if (ip >= in_len - 2) break;
      ip -= 2;
      hval = First(in + ip);
      hval = Next(hval, in + ip);
      htab.Put(Idx(hval), ip);
      ip++;
      hval = Next(hval, in + ip);
      htab.Put(Idx(hval), ip);
      ip++;
    } else {
      if (op >= out_end) return false;
      lit++;
      o[op++] = in[ip++];
      if (lit == kMaxLit) {
        o[op - lit - 1] = static_cast<uint8_t>(lit - 1);
        lit = 0;
        op++;
      }
    }
  }
  if (op + 3 > out_end) return false;
  while (ip < in_len) {
    lit++;
    o[op++] = in[ip++];
    if (lit == kMaxLit) {
      o[op - lit - 1] = static_cast<uint8_t>(lit - 1);
      lit = 0;
      op++;
    }
  }
  o[op - lit - 1] = static_cast<uint8_t>(lit - 1);  // end run
  op -= (lit == 0);
  out->resize(op);
  return true;
}

bool LzfDecompress(std::string_view input, size_t out_len, std::string* out) {
  const auto* in = reinterpret_cast<const uint8_t*>(input.data());
  const size_t in_len = input.size();
  out->assign(out_len, '\0');
  auto* o = reinterpret_cast<uint8_t*>(out->data());
  size_t ip = 0, op = 0;
  while (ip < in_len) {
    size_t ctrl = in[ip++];
    if (ctrl < (1 << 5)) {  // literal run of ctrl + 1 bytes
      ctrl++;
      if (op + ctrl > out_len || ip + ctrl > in_len) return false;
      memcpy(o + op, in + ip, ctrl);
      op += ctrl;
      ip += ctrl;
    } else {  // back reference
      size_t len = ctrl >> 5;
      if (len == 7) {
        if (ip >= in_len) return false;
        len += in[ip++];
      }
      if (ip >= in_len) return false;
      const size_t back = ((ctrl & 0x1f) << 8) + in[ip++] + 1;
      len += 2;
      if (back > op || op + len > out_len) return false;
      size_t ref = op - back;
      if (back >= len) {  // no overlap: one copy
        memcpy(o + op, o + ref, len);
        op += len;
      } else if (back == 1) {  // a run of one byte
        memset(o + op, o[ref], len);
        op += len;
      } else {  // repeats its own output: byte by byte, as LZF defines it
        for (size_t i = 0; i < len; ++i) o[op++] = o[ref++];
      }
    }
  }
  return op == out_len;
}

}  // namespace kevy
