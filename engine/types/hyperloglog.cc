// HyperLogLog in Redis's representation: see hyperloglog.h for the format. The sparse
// update follows Redis's hllSparseSet step by step (split the covering opcode into at most
// five, then merge equal neighbouring VAL opcodes) because the bytes, not only the counts,
// must come out identical to Redis's.
#include "engine/types/hyperloglog.h"

#include <cmath>
#include <cstring>
#include <vector>

namespace kevy::hll {

namespace {

constexpr int kP = 14;
constexpr int kQ = 64 - kP;
constexpr uint64_t kPMask = kRegisters - 1;
constexpr int kRegisterMax = 63;
constexpr uint8_t kDense = 0, kSparse = 1;
constexpr int kValMaxValue = 32, kValMaxLen = 4, kZeroMaxLen = 64, kXZeroMaxLen = 16384;

inline bool IsZero(uint8_t b) { return (b & 0xc0) == 0; }
inline bool IsXZero(uint8_t b) { return (b & 0xc0) == 0x40; }
inline bool IsVal(uint8_t b) { return b & 0x80; }
inline int ZeroLen(uint8_t b) { return (b & 0x3f) + 1; }
inline int XZeroLen(const uint8_t* p) { return (((p[0] & 0x3f) << 8) | p[1]) + 1; }
inline int ValValue(uint8_t b) { return ((b >> 2) & 0x1f) + 1; }
inline int ValLen(uint8_t b) { return (b & 0x3) + 1; }
inline uint8_t ValByte(int val, int len) {
  return static_cast<uint8_t>((((val - 1) << 2) | (len - 1)) | 0x80);
}
// Appends a ZERO or XZERO run of `len` at n; returns the bytes written.
inline int PutZeros(uint8_t* n, int len) {
  if (len > kZeroMaxLen) {
    const int l = len - 1;
    n[0] = static_cast<uint8_t>((l >> 8) | 0x40);
    n[1] = static_cast<uint8_t>(l & 0xff);
    return 2;
  }
  n[0] = static_cast<uint8_t>(len - 1);
  return 1;
}

uint8_t* Bytes(std::string* s) { return reinterpret_cast<uint8_t*>(s->data()); }
const uint8_t* Bytes(std::string_view s) { return reinterpret_cast<const uint8_t*>(s.data()); }

// Dense registers: 6 bits each, packed from the least significant bit of each byte.
inline int DenseGet(const uint8_t* regs, int i) {
  const unsigned byte = static_cast<unsigned>(i) * 6 / 8;
  const unsigned fb = static_cast<unsigned>(i) * 6 & 7;
  const unsigned b0 = regs[byte];
  // The last register never reaches into byte+1 (fb is then 2), which lies past the end.
  const unsigned b1 = (fb > 2) ? regs[byte + 1] : 0;
  return static_cast<int>(((b0 >> fb) | (b1 << (8 - fb))) & kRegisterMax);
}
inline void DenseSetRaw(uint8_t* regs, int i, int val) {
  const unsigned byte = static_cast<unsigned>(i) * 6 / 8;
  const unsigned fb = static_cast<unsigned>(i) * 6 & 7;
  const unsigned v = static_cast<unsigned>(val);
  regs[byte] = static_cast<uint8_t>((regs[byte] & ~(kRegisterMax << fb)) | (v << fb));
  if (fb > 2) {
    const unsigned fb8 = 8 - fb;
    regs[byte + 1] =
        static_cast<uint8_t>((regs[byte + 1] & ~(kRegisterMax >> fb8)) | (v >> fb8));
  }
}
inline int DenseSet(uint8_t* regs, int i, int count) {
  if (count > DenseGet(regs, i)) {
    DenseSetRaw(regs, i, count);
    return 1;
  }
  return 0;
}

// Redis's hllPatLen: the register of `elem` and the length of its 0...1 pattern.
int PatLen(std::string_view elem, int* reg) {
  uint64_t hash = MurmurHash64A(elem.data(), static_cast<int>(elem.size()), 0xadc83b19ULL);
  *reg = static_cast<int>(hash & kPMask);
  hash >>= kP;
  hash |= uint64_t{1} << kQ;  // the loop ends, count <= Q+1
  uint64_t bit = 1;
  int count = 1;
  while ((hash & bit) == 0) {
    ++count;
    bit <<= 1;
  }
  return count;
}

// Calls fn(first_register, run_length, value) for each opcode of a sparse body; false when
// the runs do not add up to exactly kRegisters.
template <class Fn>
bool ForEachRun(const uint8_t* p, const uint8_t* end, Fn fn) {
  int idx = 0;
  while (p < end) {
    int len, val = 0;
    if (IsZero(*p)) {
      len = ZeroLen(*p);
      ++p;
    } else if (IsXZero(*p)) {
      if (p + 1 >= end) return false;
      len = XZeroLen(p);
      p += 2;
    } else {
      len = ValLen(*p);
      val = ValValue(*p);
      ++p;
    }
    if (idx + len > kRegisters) return false;
    fn(idx, len, val);
    idx += len;
  }
  return idx == kRegisters;
}

double Sigma(double x) {
  if (x == 1.) return INFINITY;
  double z_prime;
  double y = 1;
  double z = x;
  do {
    x *= x;
    z_prime = z;
    z += x * y;
    y += y;
  } while (z_prime != z);
  return z;
}

double Tau(double x) {
  if (x == 0. || x == 1.) return 0.;
  double z_prime;
  double y = 1.0;
  double z = 1 - x;
  do {
    x = std::sqrt(x);
    z_prime = z;
    y *= 0.5;
    z -= std::pow(1 - x, 2) * y;
  } while (z_prime != z);
  return z / 3;
}

// Redis's hllCount from the register histogram.
uint64_t EstimateHisto(const int* histo) {
  const double m = kRegisters;
  double z = m * Tau((m - histo[kQ + 1]) / m);
  for (int j = kQ; j >= 1; --j) {
    z += histo[j];
    z *= 0.5;
  }
  z += m * Sigma(histo[0] / m);
  constexpr double kAlphaInf = 0.721347520444481703680;  // 0.5/ln(2)
  return static_cast<uint64_t>(std::llround(kAlphaInf * m * m / z));
}

}  // namespace

uint64_t MurmurHash64A(const void* key, int len, uint64_t seed) {
  const uint64_t m = 0xc6a4a7935bd1e995ULL;
  const int r = 47;
  uint64_t h = seed ^ (static_cast<uint64_t>(len) * m);
  const uint8_t* data = static_cast<const uint8_t*>(key);
  const uint8_t* end = data + (len - (len & 7));
  while (data != end) {
    uint64_t k;
    memcpy(&k, data, 8);  // x86 and the usual ARM are little-endian, as Redis assumes here
    k *= m;
    k ^= k >> r;
    k *= m;
    h ^= k;
    h *= m;
    data += 8;
  }
  switch (len & 7) {
    case 7:
      h ^= static_cast<uint64_t>(data[6]) << 48;
      [[fallthrough]];
    case 6:
      h ^= static_cast<uint64_t>(data[5]) << 40;
      [[fallthrough]];
    case 5:
      h ^= static_cast<uint64_t>(data[4]) << 32;
      [[fallthrough]];
    case 4:
      h ^= static_cast<uint64_t>(data[3]) << 24;
      [[fallthrough]];
    case 3:
      h ^= static_cast<uint64_t>(data[2]) << 16;
      [[fallthrough]];
    case 2:
      h ^= static_cast<uint64_t>(data[1]) << 8;
      [[fallthrough]];
    case 1:
      h ^= static_cast<uint64_t>(data[0]);
      h *= m;
  }
  h ^= h >> r;
  h *= m;
  h ^= h >> r;
  return h;
}

std::string NewSparse() {
  std::string s(kHeaderSize, '\0');
  memcpy(s.data(), "HYLL", 4);
  s[4] = static_cast<char>(kSparse);
  // All registers zero: one XZERO run of the maximal length covers them.
  uint8_t op[2];
  PutZeros(op, kXZeroMaxLen);
  s.append(reinterpret_cast<const char*>(op), 2);
  return s;
}

bool IsValid(std::string_view s) {
  if (s.size() < kHeaderSize) return false;
  if (memcmp(s.data(), "HYLL", 4) != 0) return false;
  const uint8_t enc = static_cast<uint8_t>(s[4]);
  if (enc > kSparse) return false;
  if (enc == kDense && s.size() != kDenseSize) return false;
  return true;
}

bool IsDense(std::string_view s) { return static_cast<uint8_t>(s[4]) == kDense; }

void InvalidateCache(std::string* s) { (*s)[15] = static_cast<char>((*s)[15] | 0x80); }

bool SparseToDense(std::string* s) {
  if (IsDense(*s)) return true;
  std::string dense(kDenseSize, '\0');
  memcpy(dense.data(), s->data(), kHeaderSize);  // magic and cached cardinality
  dense[4] = static_cast<char>(kDense);
  uint8_t* regs = Bytes(&dense) + kHeaderSize;
  const uint8_t* p = Bytes(*s) + kHeaderSize;
  bool ok = ForEachRun(p, Bytes(*s) + s->size(), [&](int first, int len, int val) {
    if (val == 0) return;
    for (int i = 0; i < len; ++i) DenseSetRaw(regs, first + i, val);
  });
  if (!ok) return false;
  s->swap(dense);
  return true;
}

int SetRegister(std::string* s, int index, uint8_t count, size_t sparse_max_bytes) {
  if (IsDense(*s)) return DenseSet(Bytes(s) + kHeaderSize, index, count);
  if (count > kValMaxValue) {
    if (!SparseToDense(s)) return -1;
    return DenseSet(Bytes(s) + kHeaderSize, index, count);
  }
  // Step 1: the opcode covering `index`.
  uint8_t* sparse = Bytes(s) + kHeaderSize;
  uint8_t* end = Bytes(s) + s->size();
  uint8_t* p = sparse;
  uint8_t* prev = nullptr;
  int first = 0, span = 0, oplen = 1;
  while (p < end) {
    oplen = 1;
    if (IsZero(*p)) {
      span = ZeroLen(*p);
    } else if (IsVal(*p)) {
      span = ValLen(*p);
    } else {
      if (p + 1 >= end) return -1;
      span = XZeroLen(p);
      oplen = 2;
    }
    if (index <= first + span - 1) break;
    prev = p;
    p += oplen;
    first += span;
  }
  if (span == 0 || p >= end) return -1;
  const bool is_zero = IsZero(*p), is_xzero = IsXZero(*p), is_val = IsVal(*p);
  const int runlen = is_zero ? ZeroLen(*p) : is_xzero ? XZeroLen(p) : ValLen(*p);

  // Step 2: a change in place when possible.
  bool in_place = false;
  if (is_val) {
    if (ValValue(*p) >= count) return 0;
    if (runlen == 1) in_place = true;
  }
  if (is_zero && runlen == 1) in_place = true;
  if (in_place) {
    *p = ValByte(count, 1);
  } else {
    // Step 3: replace the opcode by up to five covering the same registers.
    uint8_t seq[5];
    uint8_t* n = seq;
    const int last = first + span - 1;
    if (is_zero || is_xzero) {
      if (index != first) n += PutZeros(n, index - first);
      *n++ = ValByte(count, 1);
      if (index != last) n += PutZeros(n, last - index);
    } else {
      const int curval = ValValue(*p);
      if (index != first) *n++ = ValByte(curval, index - first);
      *n++ = ValByte(count, 1);
      if (index != last) *n++ = ValByte(curval, last - index);
    }
    const int seqlen = static_cast<int>(n - seq);
    const int oldlen = is_xzero ? 2 : 1;
    const int delta = seqlen - oldlen;
    if (delta > 0 && s->size() + static_cast<size_t>(delta) > sparse_max_bytes) {
      if (!SparseToDense(s)) return -1;
      return DenseSet(Bytes(s) + kHeaderSize, index, count);
    }
    const size_t pos = static_cast<size_t>(p - Bytes(s));
    const size_t prev_pos = prev ? static_cast<size_t>(prev - Bytes(s)) : 0;
    s->replace(pos, static_cast<size_t>(oldlen), reinterpret_cast<const char*>(seq),
               static_cast<size_t>(seqlen));
    sparse = Bytes(s) + kHeaderSize;
    end = Bytes(s) + s->size();
    prev = prev ? Bytes(s) + prev_pos : nullptr;
  }

  // Step 4: merge neighbouring VAL opcodes of equal value, scanning up to five opcodes from
  // the one before the change.
  p = prev ? prev : sparse;
  int scanlen = 5;
  while (p < end && scanlen--) {
    if (IsXZero(*p)) {
      p += 2;
      continue;
    }
    if (IsZero(*p)) {
      ++p;
      continue;
    }
    if (p + 1 < end && IsVal(p[1])) {
      const int v1 = ValValue(p[0]), v2 = ValValue(p[1]);
      if (v1 == v2) {
        const int len = ValLen(p[0]) + ValLen(p[1]);
        if (len <= kValMaxLen) {
          p[1] = ValByte(v1, len);
          const size_t pos = static_cast<size_t>(p - Bytes(s));
          s->erase(pos, 1);
          p = Bytes(s) + pos;
          end = Bytes(s) + s->size();
          continue;  // try to merge the merged opcode with its right neighbour too
        }
      }
    }
    ++p;
  }
  return 1;
}

int Add(std::string* s, std::string_view elem, size_t sparse_max_bytes) {
  int reg;
  const int count = PatLen(elem, &reg);
  const int r = SetRegister(s, reg, static_cast<uint8_t>(count), sparse_max_bytes);
  if (r == 1) InvalidateCache(s);
  return r;
}

bool MergeInto(std::string_view s, uint8_t* max) {
  if (IsDense(s)) {
    const uint8_t* regs = Bytes(s) + kHeaderSize;
    for (int i = 0; i < kRegisters; ++i) {
      const uint8_t v = static_cast<uint8_t>(DenseGet(regs, i));
      if (v > max[i]) max[i] = v;
    }
    return true;
  }
  return ForEachRun(Bytes(s) + kHeaderSize, Bytes(s) + s.size(), [&](int first, int len, int val) {
    if (val == 0) return;
    for (int i = first; i < first + len; ++i)
      if (val > max[i]) max[i] = static_cast<uint8_t>(val);
  });
}

uint64_t EstimateRegisters(const uint8_t* regs) {
  int histo[64] = {0};
  for (int i = 0; i < kRegisters; ++i) ++histo[regs[i]];
  return EstimateHisto(histo);
}

bool Estimate(std::string_view s, uint64_t* card) {
  int histo[64] = {0};
  if (IsDense(s)) {
    const uint8_t* regs = Bytes(s) + kHeaderSize;
    for (int i = 0; i < kRegisters; ++i) ++histo[DenseGet(regs, i)];
  } else if (!ForEachRun(Bytes(s) + kHeaderSize, Bytes(s) + s.size(),
                         [&](int, int len, int val) { histo[val] += len; })) {
    return false;
  }
  *card = EstimateHisto(histo);
  return true;
}

bool Count(std::string* s, uint64_t* card, bool* cached_now) {
  *cached_now = false;
  const uint8_t* h = Bytes(*s) + 8;
  if ((h[7] & 0x80) == 0) {
    uint64_t c = 0;
    for (int i = 7; i >= 0; --i) c = (c << 8) | h[i];
    *card = c;
    return true;
  }
  if (!Estimate(*s, card)) return false;
  uint8_t* w = Bytes(s) + 8;
  for (int i = 0; i < 8; ++i) w[i] = static_cast<uint8_t>((*card >> (8 * i)) & 0xff);
  *cached_now = true;
  return true;
}

}  // namespace kevy::hll
