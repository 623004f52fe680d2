// RDB codec, writer and loader (see rdb.h and docs/persistence.md).
//
// Layout of this file: byte helpers; the blob formats nested inside RDB strings (listpack,
// ziplist, intset, zipmap); the object encoder; the object decoder; DUMP payloads; the
// whole-file writer and loader. The decoder reads through a Reader that checks every
// length against the bytes that remain before it allocates or copies, so no input can make
// it read out of bounds or reserve more memory than the input's own size.
#include "persist/rdb.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <limits>
#include <memory>

#include "engine/config.h"
#include "engine/types/hash.h"
#include "engine/types/list.h"
#include "engine/types/set.h"
#include "engine/types/zset.h"
#include "engine/util.h"
#include "persist/crc64.h"
#include "persist/lzf.h"

namespace kevy {
namespace {

// ---- byte helpers --------------------------------------------------------------------------

void PutLE(std::string* out, uint64_t v, int n) {
  for (int i = 0; i < n; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

uint64_t GetLE(const unsigned char* p, int n) {
  uint64_t v = 0;
  for (int i = 0; i < n; ++i) v |= static_cast<uint64_t>(p[i]) << (8 * i);
  return v;
}

// Redis's string2ll + ll2string round trip: the canonical decimal form of an int64.
bool CanonicalInt(std::string_view s, int64_t* v) {
  if (s.empty() || s.size() > 20) return false;
  return ParseInt64(s, v);
}

// Redis 7.0's d2string for a zset score stored as text in a listpack ("%.17g", integers
// in (-2^52, 2^52) without a fraction, "inf", "-inf", "-0").
std::string ScoreText(double d) {
  char buf[64];
  int n;
  if (std::isnan(d)) {
    n = snprintf(buf, sizeof buf, "nan");
  } else if (std::isinf(d)) {
    n = snprintf(buf, sizeof buf, d < 0 ? "-inf" : "inf");
  } else if (d == 0) {
    n = snprintf(buf, sizeof buf, std::signbit(d) ? "-0" : "0");
  } else if (d > -4503599627370495.0 && d < 4503599627370496.0 &&
             d == static_cast<double>(static_cast<long long>(d))) {
    n = snprintf(buf, sizeof buf, "%lld", static_cast<long long>(d));
  } else {
    n = snprintf(buf, sizeof buf, "%.17g", d);
  }
  return std::string(buf, static_cast<size_t>(n));
}

// ---- listpack (Redis 7 listpack.c byte format) ---------------------------------------------

class ListpackBuilder {
 public:
  ListpackBuilder() { buf_.assign(6, '\0'); }

  void Add(std::string_view s) {
    int64_t v;
    if (CanonicalInt(s, &v)) {
      AddInt(v);
    } else {
      AddString(s);
    }
  }
  void AddInt(int64_t v) {
    const size_t start = buf_.size();
    if (v >= 0 && v <= 127) {
      buf_.push_back(static_cast<char>(v));
    } else if (v >= -4096 && v <= 4095) {
      uint64_t u = v < 0 ? (uint64_t{1} << 13) + v : v;
      buf_.push_back(static_cast<char>((u >> 8) | 0xC0));
      buf_.push_back(static_cast<char>(u & 0xff));
    } else if (v >= -32768 && v <= 32767) {
      buf_.push_back(static_cast<char>(0xF1));
      PutLE(&buf_, static_cast<uint64_t>(v), 2);
    } else if (v >= -8388608 && v <= 8388607) {
      buf_.push_back(static_cast<char>(0xF2));
      PutLE(&buf_, static_cast<uint64_t>(v), 3);
    } else if (v >= -2147483648LL && v <= 2147483647LL) {
      buf_.push_back(static_cast<char>(0xF3));
      PutLE(&buf_, static_cast<uint64_t>(v), 4);
    } else {
      buf_.push_back(static_cast<char>(0xF4));
      PutLE(&buf_, static_cast<uint64_t>(v), 8);
    }
    Backlen(buf_.size() - start);
  }
  void AddString(std::string_view s) {
    const size_t start = buf_.size();
    const size_t len = s.size();
    if (len < 64) {
      buf_.push_back(static_cast<char>(0x80 | len));
    } else if (len < 4096) {
      buf_.push_back(static_cast<char>(0xE0 | (len >> 8)));
      buf_.push_back(static_cast<char>(len & 0xff));
    } else {
      buf_.push_back(static_cast<char>(0xF0));
      PutLE(&buf_, len, 4);
    }
    buf_.append(s);
    Backlen(buf_.size() - start);
  }
  size_t count() const { return count_; }
  // Bytes the finished listpack will take.
  size_t bytes() const { return buf_.size() + 1; }

  std::string Finish() {
    buf_.push_back(static_cast<char>(0xFF));
    std::string h;
    PutLE(&h, buf_.size(), 4);
    PutLE(&h, count_ < 65535 ? count_ : 65535, 2);
    buf_.replace(0, 6, h);
    return std::move(buf_);
  }

 private:
  void Backlen(size_t l) {
    ++count_;
    if (l <= 127) {
      buf_.push_back(static_cast<char>(l));
    } else if (l < 16383) {
      buf_.push_back(static_cast<char>(l >> 7));
      buf_.push_back(static_cast<char>((l & 127) | 128));
    } else if (l < 2097151) {
      buf_.push_back(static_cast<char>(l >> 14));
      buf_.push_back(static_cast<char>(((l >> 7) & 127) | 128));
      buf_.push_back(static_cast<char>((l & 127) | 128));
    } else if (l < 268435455) {
      buf_.push_back(static_cast<char>(l >> 21));
      buf_.push_back(static_cast<char>(((l >> 14) & 127) | 128));
      buf_.push_back(static_cast<char>(((l >> 7) & 127) | 128));
      buf_.push_back(static_cast<char>((l & 127) | 128));
    } else {
      buf_.push_back(static_cast<char>(l >> 28));
      buf_.push_back(static_cast<char>(((l >> 21) & 127) | 128));
      buf_.push_back(static_cast<char>(((l >> 14) & 127) | 128));
      buf_.push_back(static_cast<char>(((l >> 7) & 127) | 128));
      buf_.push_back(static_cast<char>((l & 127) | 128));
    }
  }

  std::string buf_;
  size_t count_ = 0;
};

// Size of the backlen field for an entry of l bytes.
size_t BacklenSize(size_t l) {
  return l <= 127 ? 1 : l < 16383 ? 2 : l < 2097151 ? 3 : l < 268435455 ? 4 : 5;
}

// One element of a decoded listpack/ziplist: a string, or an integer when is_int.
struct Elem {
  bool is_int = false;
  int64_t i = 0;
  std::string_view s;
  std::string Str() const { return is_int ? Int64ToString(i) : std::string(s); }
};

using ElemFn = std::function<bool(const Elem&)>;  // false = stop with an error

int64_t SignExtend(uint64_t u, int bits) {
  const uint64_t m = uint64_t{1} << (bits - 1);
  return static_cast<int64_t>((u ^ m) - m);
}

// Walks a listpack blob; validates header, every entry and backlen, the terminator.
absl::Status DecodeListpack(std::string_view blob, const ElemFn& fn) {
  const auto* p = reinterpret_cast<const unsigned char*>(blob.data());
  const size_t n = blob.size();
  if (n < 7) return absl::DataLossError("listpack too short");
  if (GetLE(p, 4) != n) return absl::DataLossError("listpack size mismatch");
  const uint64_t hdr_count = GetLE(p + 4, 2);
  size_t pos = 6, count = 0;
  while (true) {
    if (pos >= n) return absl::DataLossError("listpack without terminator");
    const unsigned char b = p[pos];
    if (b == 0xFF) {
      if (pos + 1 != n) return absl::DataLossError("listpack data after terminator");
      break;
    }
    Elem e;
    size_t enc_len;  // header + data
    auto need = [&](size_t k) { return pos + k <= n; };
    if ((b & 0x80) == 0) {
      e.is_int = true;
      e.i = b & 0x7f;
      enc_len = 1;
    } else if ((b & 0xC0) == 0x80) {
      size_t len = b & 0x3f;
      if (!need(1 + len)) return absl::DataLossError("listpack string past end");
      e.s = blob.substr(pos + 1, len);
      enc_len = 1 + len;
    } else if ((b & 0xE0) == 0xC0) {
      if (!need(2)) return absl::DataLossError("listpack int past end");
      e.is_int = true;
      e.i = SignExtend((uint64_t{b & 0x1fu} << 8) | p[pos + 1], 13);
      enc_len = 2;
    } else if ((b & 0xF0) == 0xE0) {
      if (!need(2)) return absl::DataLossError("listpack string past end");
      size_t len = (size_t{b & 0x0fu} << 8) | p[pos + 1];
      if (!need(2 + len)) return absl::DataLossError("listpack string past end");
      e.s = blob.substr(pos + 2, len);
      enc_len = 2 + len;
    } else if (b == 0xF0) {
      if (!need(5)) return absl::DataLossError("listpack string past end");
      uint64_t len = GetLE(p + pos + 1, 4);
      if (len > n || !need(5 + len)) return absl::DataLossError("listpack string past end");
      e.s = blob.substr(pos + 5, len);
      enc_len = 5 + len;
    } else if (b >= 0xF1 && b <= 0xF4) {
      const int w = b == 0xF1 ? 2 : b == 0xF2 ? 3 : b == 0xF3 ? 4 : 8;
      if (!need(1 + w)) return absl::DataLossError("listpack int past end");
      e.is_int = true;
      e.i = SignExtend(GetLE(p + pos + 1, w), w * 8);
      enc_len = 1 + w;
    } else {
      return absl::DataLossError("listpack bad encoding byte");
    }
    const size_t bl = BacklenSize(enc_len);
    if (!need(enc_len + bl)) return absl::DataLossError("listpack backlen past end");
    // Decode the backlen (big-endian groups of 7 bits read from its last byte backwards).
    uint64_t v = 0;
    const unsigned char* q = p + pos + enc_len + bl - 1;
    for (size_t k = 0; k < bl; ++k, --q) {
      v |= static_cast<uint64_t>(*q & 127) << (7 * k);
      if (((*q & 128) != 0) != (k + 1 < bl)) return absl::DataLossError("listpack bad backlen");
    }
    if (v != enc_len) return absl::DataLossError("listpack bad backlen");
    pos += enc_len + bl;
    ++count;
    if (!fn(e)) return absl::DataLossError("listpack bad element");
  }
  if (hdr_count != 65535 && hdr_count != count)
    return absl::DataLossError("listpack count mismatch");
  return absl::OkStatus();
}

// Walks a ziplist blob (Redis <= 6.2 small encodings).
absl::Status DecodeZiplist(std::string_view blob, const ElemFn& fn) {
  const auto* p = reinterpret_cast<const unsigned char*>(blob.data());
  const size_t n = blob.size();
  if (n < 11) return absl::DataLossError("ziplist too short");
  if (GetLE(p, 4) != n) return absl::DataLossError("ziplist size mismatch");
  const uint64_t tail = GetLE(p + 4, 4);
  const uint64_t hdr_count = GetLE(p + 8, 2);
  if (tail >= n) return absl::DataLossError("ziplist bad tail offset");
  size_t pos = 10, count = 0, prev_len = 0, last = 10;
  while (true) {
    if (pos >= n) return absl::DataLossError("ziplist without terminator");
    if (p[pos] == 0xFF) {
      if (pos + 1 != n) return absl::DataLossError("ziplist data after terminator");
      break;
    }
    const size_t start = pos;
    size_t prevlen;
    if (p[pos] < 254) {
      prevlen = p[pos];
      pos += 1;
    } else {
      if (p[pos] == 255 || pos + 5 > n) return absl::DataLossError("ziplist bad prevlen");
      prevlen = GetLE(p + pos + 1, 4);
      pos += 5;
    }
    if (prevlen != prev_len) return absl::DataLossError("ziplist prevlen mismatch");
    if (pos >= n) return absl::DataLossError("ziplist entry past end");
    const unsigned char b = p[pos];
    Elem e;
    size_t hdr, dlen = 0;
    switch (b >> 6) {
      case 0:
        hdr = 1;
        dlen = b & 0x3f;
        break;
      case 1:
        if (pos + 2 > n) return absl::DataLossError("ziplist entry past end");
        hdr = 2;
        dlen = (size_t{b & 0x3fu} << 8) | p[pos + 1];
        break;
      case 2:
        if (b != 0x80 || pos + 5 > n) return absl::DataLossError("ziplist bad string header");
        hdr = 5;
        dlen = (size_t{p[pos + 1]} << 24) | (size_t{p[pos + 2]} << 16) |
               (size_t{p[pos + 3]} << 8) | p[pos + 4];
        break;
      default: {
        hdr = 1;
        e.is_int = true;
        int w;
        if (b == 0xC0) w = 2;
        else if (b == 0xD0) w = 4;
        else if (b == 0xE0) w = 8;
        else if (b == 0xF0) w = 3;
        else if (b == 0xFE) w = 1;
        else if (b >= 0xF1 && b <= 0xFD) w = 0;
        else return absl::DataLossError("ziplist bad encoding byte");
        if (pos + 1 + w > n) return absl::DataLossError("ziplist entry past end");
        e.i = w == 0 ? (b & 0x0f) - 1 : SignExtend(GetLE(p + pos + 1, w), w * 8);
        dlen = w;
      }
    }
    if (dlen > n || pos + hdr + dlen > n) return absl::DataLossError("ziplist entry past end");
    if (!e.is_int) e.s = blob.substr(pos + hdr, dlen);
    pos += hdr + dlen;
    prev_len = pos - start;
    last = start;
    ++count;
    if (!fn(e)) return absl::DataLossError("ziplist bad element");
  }
  if (count > 0 && tail != last) return absl::DataLossError("ziplist bad tail offset");
  if (hdr_count != 65535 && hdr_count != count) return absl::DataLossError("ziplist count mismatch");
  return absl::OkStatus();
}

// Intset blob: encoding (2/4/8) and length as uint32 LE, then sorted LE integers.
absl::Status DecodeIntset(std::string_view blob, const std::function<void(int64_t)>& fn) {
  const auto* p = reinterpret_cast<const unsigned char*>(blob.data());
  if (blob.size() < 8) return absl::DataLossError("intset too short");
  const uint64_t enc = GetLE(p, 4), len = GetLE(p + 4, 4);
  if (enc != 2 && enc != 4 && enc != 8) return absl::DataLossError("intset bad encoding");
  if (len == 0 || len * enc + 8 != blob.size()) return absl::DataLossError("intset size mismatch");
  int64_t prev = 0;
  for (uint64_t i = 0; i < len; ++i) {
    const int64_t v = SignExtend(GetLE(p + 8 + i * enc, static_cast<int>(enc)), int(enc * 8));
    if (i > 0 && v <= prev) return absl::DataLossError("intset not sorted or duplicate");
    prev = v;
    fn(v);
  }
  return absl::OkStatus();
}

// Zipmap blob (Redis < 2.6 small hashes).
absl::Status DecodeZipmap(std::string_view blob,
                          const std::function<bool(std::string_view, std::string_view)>& fn) {
  const auto* p = reinterpret_cast<const unsigned char*>(blob.data());
  const size_t n = blob.size();
  if (n < 2) return absl::DataLossError("zipmap too short");
  size_t pos = 1;
  auto read_len = [&](uint64_t* len) {
    if (pos >= n) return false;
    if (p[pos] < 254) {
      *len = p[pos++];
      return true;
    }
    if (p[pos] == 255 || pos + 5 > n) return false;
    *len = GetLE(p + pos + 1, 4);
    pos += 5;
    return true;
  };
  while (true) {
    if (pos >= n) return absl::DataLossError("zipmap without terminator");
    if (p[pos] == 0xFF) {
      if (pos + 1 != n) return absl::DataLossError("zipmap data after terminator");
      return absl::OkStatus();
    }
    uint64_t klen, vlen;
    if (!read_len(&klen) || klen > n - pos) return absl::DataLossError("zipmap bad key");
    std::string_view key = blob.substr(pos, klen);
    pos += klen;
    if (!read_len(&vlen) || pos >= n) return absl::DataLossError("zipmap bad value");
    const size_t free = p[pos++];
    if (vlen > n - pos || free > n - pos - vlen) return absl::DataLossError("zipmap bad value");
    std::string_view val = blob.substr(pos, vlen);
    pos += vlen + free;
    if (!fn(key, val)) return absl::DataLossError("zipmap duplicate field");
  }
}

// ---- object encoder ------------------------------------------------------------------------

void AppendRawString(std::string_view s, bool compress, std::string* out) {
  const size_t len = s.size();
  int64_t v;
  if (len <= 11 && CanonicalInt(s, &v)) {
    if (v >= -128 && v <= 127) {
      out->push_back(static_cast<char>(0xC0));
      PutLE(out, static_cast<uint64_t>(v), 1);
      return;
    }
    if (v >= -32768 && v <= 32767) {
      out->push_back(static_cast<char>(0xC1));
      PutLE(out, static_cast<uint64_t>(v), 2);
      return;
    }
    if (v >= -2147483648LL && v <= 2147483647LL) {
      out->push_back(static_cast<char>(0xC2));
      PutLE(out, static_cast<uint64_t>(v), 4);
      return;
    }
  }
  if (compress && len > 20) {
    thread_local std::string c;  // keeps its capacity across strings
    if (LzfCompress(s, len - 4, &c)) {
      out->push_back(static_cast<char>(0xC3));
      RdbAppendLength(c.size(), out);
      RdbAppendLength(len, out);
      out->append(c);
      return;
    }
  }
  RdbAppendLength(len, out);
  out->append(s);
}

void AppendBinaryDouble(double d, std::string* out) {
  uint64_t u;
  std::memcpy(&u, &d, 8);
  PutLE(out, u, 8);
}

// Quicklist node sizing as Redis 7.0's _quicklistNodeAllowInsert for tail pushes: a node
// takes one more element while its listpack stays within the fill's size class (estimated
// with 8 bytes of entry overhead), or, for a positive fill, within 8 KiB and `fill` entries.
bool NodeAllowsInsert(size_t node_bytes, size_t node_count, size_t sz, int fill) {
  static constexpr size_t kOptLevel[] = {4096, 8192, 16384, 32768, 65536};
  const size_t new_sz = node_bytes + sz + 8;
  if (fill < 0) {
    const size_t off = static_cast<size_t>(-static_cast<int64_t>(fill)) - 1;
    if (off < 5 && new_sz <= kOptLevel[off]) return true;
  }
  if (new_sz > 8192) return false;
  return static_cast<int64_t>(node_count) < fill;
}

void AppendListPayload(const List& l, const RdbOptions& opts, std::string* out) {
  std::vector<std::string> nodes;
  ListpackBuilder lp;
  for (const std::string& s : l.items()) {
    if (lp.count() > 0 && !NodeAllowsInsert(lp.bytes(), lp.count(), s.size(),
                                            opts.list_max_listpack_size)) {
      nodes.push_back(lp.Finish());
      lp = ListpackBuilder();
    }
    lp.Add(s);
  }
  if (lp.count() > 0) nodes.push_back(lp.Finish());
  RdbAppendLength(nodes.size(), out);
  for (const std::string& n : nodes) {
    RdbAppendLength(2, out);  // QUICKLIST_NODE_CONTAINER_PACKED
    AppendRawString(n, opts.compression, out);
  }
}

int64_t IntsetWidth(int64_t v) {
  if (v >= INT16_MIN && v <= INT16_MAX) return 2;
  if (v >= INT32_MIN && v <= INT32_MAX) return 4;
  return 8;
}

void AppendSetPayload(const Set& s, const RdbOptions& opts, std::string* out) {
  auto members = s.Members();
  if (s.is_intset()) {
    std::vector<int64_t> vals;
    vals.reserve(members.size());
    int64_t width = 2;
    for (std::string_view m : members) {
      int64_t v = 0;
      ParseInt64(m, &v);
      vals.push_back(v);
      width = std::max(width, IntsetWidth(v));
    }
    std::sort(vals.begin(), vals.end());
    std::string blob;
    PutLE(&blob, static_cast<uint64_t>(width), 4);
    PutLE(&blob, vals.size(), 4);
    for (int64_t v : vals) PutLE(&blob, static_cast<uint64_t>(v), static_cast<int>(width));
    AppendRawString(blob, opts.compression, out);
    return;
  }
  RdbAppendLength(members.size(), out);
  for (std::string_view m : members) AppendRawString(m, opts.compression, out);
}

void AppendZSetPayload(const ZSet& z, const RdbOptions& opts, std::string* out) {
  if (z.listpack()) {
    ListpackBuilder lp;
    z.ForEachMember([&](std::string_view m, double score) {
      lp.Add(m);
      lp.Add(ScoreText(score));
    });
    AppendRawString(lp.Finish(), opts.compression, out);
    return;
  }
  // ZSET_2 from the greatest element to the smallest, as Redis saves its skiplist.
  std::vector<std::pair<std::string_view, double>> items;
  items.reserve(z.Size());
  z.ForEachMember([&](std::string_view m, double score) { items.emplace_back(m, score); });
  RdbAppendLength(items.size(), out);
  for (auto it = items.rbegin(); it != items.rend(); ++it) {
    AppendRawString(it->first, opts.compression, out);
    AppendBinaryDouble(it->second, out);
  }
}

void AppendHashPayload(const Hash& h, const RdbOptions& opts, std::string* out) {
  if (h.is_listpack()) {
    ListpackBuilder lp;
    h.ForEach([&](std::string_view f, std::string_view v) {
      lp.Add(f);
      lp.Add(v);
    });
    AppendRawString(lp.Finish(), opts.compression, out);
    return;
  }
  RdbAppendLength(h.Size(), out);
  h.ForEach([&](std::string_view f, std::string_view v) {
    AppendRawString(f, opts.compression, out);
    AppendRawString(v, opts.compression, out);
  });
}

// ---- object decoder ------------------------------------------------------------------------

// Bounds-checked cursor over an RDB byte range.
class Reader {
 public:
  Reader(std::string_view d, size_t* pos) : d_(d), pos_(pos) {}

  size_t remaining() const { return d_.size() - *pos_; }
  size_t pos() const { return *pos_; }

  bool Byte(uint8_t* b) {
    if (remaining() < 1) return false;
    *b = static_cast<uint8_t>(d_[(*pos_)++]);
    return true;
  }
  bool Bytes(size_t n, std::string_view* out) {
    if (remaining() < n) return false;
    *out = d_.substr(*pos_, n);
    *pos_ += n;
    return true;
  }
  bool LE(int n, uint64_t* v) {
    std::string_view s;
    if (!Bytes(n, &s)) return false;
    *v = GetLE(reinterpret_cast<const unsigned char*>(s.data()), n);
    return true;
  }
  // RDB length; *encoded set when it is a special string encoding (value in *len).
  bool Length(uint64_t* len, bool* encoded = nullptr) {
    uint8_t b;
    if (!Byte(&b)) return false;
    if (encoded) *encoded = false;
    switch (b >> 6) {
      case 0:
        *len = b & 0x3f;
        return true;
      case 1: {
        uint8_t c;
        if (!Byte(&c)) return false;
        *len = (uint64_t{b & 0x3fu} << 8) | c;
        return true;
      }
      case 2: {
        std::string_view s;
        int n;
        if (b == 0x80) n = 4;
        else if (b == 0x81) n = 8;
        else return false;
        if (!Bytes(n, &s)) return false;
        uint64_t v = 0;
        for (char c : s) v = (v << 8) | static_cast<unsigned char>(c);
        *len = v;
        return true;
      }
      default:
        if (!encoded) return false;
        *encoded = true;
        *len = b & 0x3f;
        return true;
    }
  }
  // A length bounded by what is left (each element takes at least `min_bytes` bytes).
  bool Count(uint64_t* n, size_t min_bytes = 1) {
    return Length(n) && *n <= remaining() / min_bytes;
  }
  bool String(std::string* out) {
    uint64_t len;
    bool enc;
    if (!Length(&len, &enc)) return false;
    if (enc) {
      uint64_t v;
      switch (len) {
        case 0:
          if (!LE(1, &v)) return false;
          *out = Int64ToString(SignExtend(v, 8));
          return true;
        case 1:
          if (!LE(2, &v)) return false;
          *out = Int64ToString(SignExtend(v, 16));
          return true;
        case 2:
          if (!LE(4, &v)) return false;
          *out = Int64ToString(SignExtend(v, 32));
          return true;
        case 3: {
          uint64_t clen, ulen;
          std::string_view c;
          if (!Length(&clen) || !Length(&ulen) || !Bytes(clen, &c)) return false;
          // LZF expands at most ~ 264/2 per 2 input bytes: bound the allocation by that.
          if (ulen == 0 || ulen > clen * 133 + 64) return false;
          return LzfDecompress(c, ulen, out);
        }
        default:
          return false;
      }
    }
    std::string_view s;
    if (!Bytes(len, &s)) return false;
    out->assign(s);
    return true;
  }
  bool BinaryDouble(double* d) {
    uint64_t u;
    if (!LE(8, &u)) return false;
    std::memcpy(d, &u, 8);
    return true;
  }
  // RDB_TYPE_ZSET's text double: 253 nan, 254 +inf, 255 -inf, else length + ASCII.
  bool TextDouble(double* d) {
    uint8_t len;
    if (!Byte(&len)) return false;
    if (len == 253) *d = std::numeric_limits<double>::quiet_NaN();
    else if (len == 254) *d = std::numeric_limits<double>::infinity();
    else if (len == 255) *d = -std::numeric_limits<double>::infinity();
    else {
      std::string_view s;
      if (!Bytes(len, &s)) return false;
      std::string buf(s);
      char* end = nullptr;
      *d = strtod(buf.c_str(), &end);
      if (end != buf.c_str() + buf.size()) return false;
    }
    return true;
  }

 private:
  std::string_view d_;
  size_t* pos_;
};

absl::Status Bad(const char* what) { return absl::DataLossError(what); }

Hash::Limits HashLimits(const RdbOptions& o) {
  Hash::Limits l;
  l.max_entries = o.hash_max_listpack_entries;
  l.max_value = o.hash_max_listpack_value;
  return l;
}

bool ScoreFromElem(const Elem& e, double* d) {
  if (e.is_int) {
    *d = static_cast<double>(e.i);
    return true;
  }
  if (e.s.empty() || e.s.size() > 128) return false;
  std::string buf(e.s);
  char* end = nullptr;
  *d = strtod(buf.c_str(), &end);
  return end == buf.c_str() + buf.size() && !std::isnan(*d);
}

// Pairs of elements (hash field/value, zset member/score) from a listpack or ziplist walk.
template <class Walk, class PairFn>
absl::Status DecodePairs(Walk walk, std::string_view blob, PairFn pair_fn) {
  std::string first;
  bool have_first = false;
  auto st = walk(blob, [&](const Elem& e) {
    if (!have_first) {
      first = e.Str();
      have_first = true;
      return true;
    }
    have_first = false;
    return pair_fn(first, e);
  });
  if (!st.ok()) return st;
  if (have_first) return Bad("odd number of elements in a pair encoding");
  return absl::OkStatus();
}

absl::StatusOr<Value> DecodeObjectImpl(uint8_t type, Reader& r, const RdbOptions& opts) {
  switch (type) {
    case kRdbTypeString: {
      std::string s;
      if (!r.String(&s)) return Bad("bad string");
      return Value(std::move(s));
    }
    case kRdbTypeList: {
      uint64_t n;
      if (!r.Count(&n)) return Bad("bad list length");
      auto l = std::make_unique<List>();
      for (uint64_t i = 0; i < n; ++i) {
        std::string s;
        if (!r.String(&s)) return Bad("bad list element");
        l->items().push_back(std::move(s));
      }
      return Value(ObjType::kList, std::move(l));
    }
    case kRdbTypeSet: {
      uint64_t n;
      if (!r.Count(&n)) return Bad("bad set length");
      auto s = std::make_unique<Set>();
      for (uint64_t i = 0; i < n; ++i) {
        std::string m;
        if (!r.String(&m)) return Bad("bad set member");
        if (!s->Add(m, opts.set_max_intset_entries)) return Bad("duplicate set member");
      }
      return Value(ObjType::kSet, std::move(s));
    }
    case kRdbTypeZSet:
    case kRdbTypeZSet2: {
      uint64_t n;
      if (!r.Count(&n, 2)) return Bad("bad zset length");
      auto z = std::make_unique<ZSet>();
      // A set that will be a skiplist becomes one first: inserting into the listpack form is
      // O(size) per member (Redis's zsetTypeCreate does the same).
      if (n > opts.zset_max_listpack_entries) z->ConvertToSkiplist();
      for (uint64_t i = 0; i < n; ++i) {
        std::string m;
        double d;
        if (!r.String(&m)) return Bad("bad zset member");
        if (!(type == kRdbTypeZSet2 ? r.BinaryDouble(&d) : r.TextDouble(&d)))
          return Bad("bad zset score");
        if (std::isnan(d)) return Bad("zset NaN score");
        if (!z->Set(m, d)) return Bad("duplicate zset member");
      }
      z->ConvertIfNeeded(opts.zset_max_listpack_entries, opts.zset_max_listpack_value);
      return Value(ObjType::kZSet, std::move(z));
    }
    case kRdbTypeHash: {
      uint64_t n;
      if (!r.Count(&n, 2)) return Bad("bad hash length");
      auto h = std::make_unique<Hash>();
      const Hash::Limits lim = HashLimits(opts);
      for (uint64_t i = 0; i < n; ++i) {
        std::string f, v;
        if (!r.String(&f) || !r.String(&v)) return Bad("bad hash field");
        if (!h->Set(f, v, lim)) return Bad("duplicate hash field");
      }
      return Value(ObjType::kHash, std::move(h));
    }
    case kRdbTypeHashZipmap: {
      std::string blob;
      if (!r.String(&blob)) return Bad("bad zipmap");
      auto h = std::make_unique<Hash>();
      const Hash::Limits lim = HashLimits(opts);
      auto st = DecodeZipmap(blob, [&](std::string_view f, std::string_view v) {
        return h->Set(f, v, lim);
      });
      if (!st.ok()) return st;
      return Value(ObjType::kHash, std::move(h));
    }
    case kRdbTypeHashZiplist:
    case kRdbTypeHashListpack: {
      std::string blob;
      if (!r.String(&blob)) return Bad("bad hash blob");
      auto h = std::make_unique<Hash>();
      const Hash::Limits lim = HashLimits(opts);
      auto pair = [&](const std::string& f, const Elem& v) { return h->Set(f, v.Str(), lim); };
      auto st = type == kRdbTypeHashListpack ? DecodePairs(DecodeListpack, blob, pair)
                                             : DecodePairs(DecodeZiplist, blob, pair);
      if (!st.ok()) return st;
      return Value(ObjType::kHash, std::move(h));
    }
    case kRdbTypeZSetZiplist:
    case kRdbTypeZSetListpack: {
      std::string blob;
      if (!r.String(&blob)) return Bad("bad zset blob");
      auto z = std::make_unique<ZSet>();
      auto pair = [&](const std::string& m, const Elem& e) {
        double d;
        return ScoreFromElem(e, &d) && z->Set(m, d);  // Set is false for a duplicate
      };
      auto st = type == kRdbTypeZSetListpack ? DecodePairs(DecodeListpack, blob, pair)
                                             : DecodePairs(DecodeZiplist, blob, pair);
      if (!st.ok()) return st;
      z->ConvertIfNeeded(opts.zset_max_listpack_entries, opts.zset_max_listpack_value);
      return Value(ObjType::kZSet, std::move(z));
    }
    case kRdbTypeSetIntset: {
      std::string blob;
      if (!r.String(&blob)) return Bad("bad intset");
      auto s = std::make_unique<Set>();
      auto st = DecodeIntset(blob, [&](int64_t v) {
        s->Add(Int64ToString(v), opts.set_max_intset_entries);
      });
      if (!st.ok()) return st;
      return Value(ObjType::kSet, std::move(s));
    }
    case kRdbTypeSetListpack: {
      std::string blob;
      if (!r.String(&blob)) return Bad("bad set listpack");
      auto s = std::make_unique<Set>();
      auto st = DecodeListpack(blob, [&](const Elem& e) {
        return s->Add(e.Str(), opts.set_max_intset_entries);
      });
      if (!st.ok()) return st;
      return Value(ObjType::kSet, std::move(s));
    }
    case kRdbTypeListZiplist: {
      std::string blob;
      if (!r.String(&blob)) return Bad("bad list ziplist");
      auto l = std::make_unique<List>();
      auto st = DecodeZiplist(blob, [&](const Elem& e) {
        l->items().push_back(e.Str());
        return true;
      });
      if (!st.ok()) return st;
      return Value(ObjType::kList, std::move(l));
    }
    case kRdbTypeListQuicklist:
    case kRdbTypeListQuicklist2: {
      uint64_t n;
      if (!r.Count(&n)) return Bad("bad quicklist length");
      auto l = std::make_unique<List>();
      for (uint64_t i = 0; i < n; ++i) {
        uint64_t container = 2;
        if (type == kRdbTypeListQuicklist2) {
          if (!r.Length(&container) || (container != 1 && container != 2))
            return Bad("bad quicklist node container");
        }
        std::string blob;
        if (!r.String(&blob)) return Bad("bad quicklist node");
        if (container == 1) {
          l->items().push_back(std::move(blob));
          continue;
        }
        auto push = [&](const Elem& e) {
          l->items().push_back(e.Str());
          return true;
        };
        auto st = type == kRdbTypeListQuicklist2 ? DecodeListpack(blob, push)
                                                 : DecodeZiplist(blob, push);
        if (!st.ok()) return st;
      }
      return Value(ObjType::kList, std::move(l));
    }
    case kRdbTypeModule:
    case kRdbTypeModule2:
      return absl::UnimplementedError("module values are not supported");
    case kRdbTypeStreamListpacks:
    case kRdbTypeStreamListpacks2:
    case kRdbTypeStreamListpacks3:
      return absl::UnimplementedError("stream values are not supported");
    default:
      return absl::DataLossError("unknown object type " + std::to_string(type));
  }
}

std::string AtOffset(size_t off, std::string_view msg) {
  return "Bad RDB at offset " + std::to_string(off) + ": " + std::string(msg);
}

}  // namespace

// ---- public: options -----------------------------------------------------------------------

RdbOptions RdbOptions::FromConfig(const Config& config) {
  RdbOptions o;
  auto num = [&](std::string_view name, auto* field) {
    auto v = config.GetValue(name);
    int64_t x;
    if (v && ParseInt64(*v, &x)) *field = static_cast<std::remove_pointer_t<decltype(field)>>(x);
  };
  num("hash-max-listpack-entries", &o.hash_max_listpack_entries);
  num("hash-max-listpack-value", &o.hash_max_listpack_value);
  num("set-max-intset-entries", &o.set_max_intset_entries);
  num("zset-max-listpack-entries", &o.zset_max_listpack_entries);
  num("zset-max-listpack-value", &o.zset_max_listpack_value);
  num("list-max-listpack-size", &o.list_max_listpack_size);
  if (auto v = config.GetValue("rdbcompression")) o.compression = *v != "no";
  return o;
}

// ---- public: codec -------------------------------------------------------------------------

void RdbAppendLength(uint64_t len, std::string* out) {
  if (len < (1 << 6)) {
    out->push_back(static_cast<char>(len));
  } else if (len < (1 << 14)) {
    out->push_back(static_cast<char>(0x40 | (len >> 8)));
    out->push_back(static_cast<char>(len & 0xff));
  } else if (len <= UINT32_MAX) {
    out->push_back(static_cast<char>(0x80));
    for (int i = 3; i >= 0; --i) out->push_back(static_cast<char>((len >> (8 * i)) & 0xff));
  } else {
    out->push_back(static_cast<char>(0x81));
    for (int i = 7; i >= 0; --i) out->push_back(static_cast<char>((len >> (8 * i)) & 0xff));
  }
}

void RdbAppendString(std::string_view s, bool compress, std::string* out) {
  AppendRawString(s, compress, out);
}

uint8_t RdbObjectType(const Value& v) {
  switch (v.type) {
    case ObjType::kString:
      return kRdbTypeString;
    case ObjType::kList:
      return kRdbTypeListQuicklist2;
    case ObjType::kSet:
      return v.As<Set>()->is_intset() ? kRdbTypeSetIntset : kRdbTypeSet;
    case ObjType::kZSet:
      return v.As<ZSet>()->listpack() ? kRdbTypeZSetListpack : kRdbTypeZSet2;
    case ObjType::kHash:
      return v.As<Hash>()->is_listpack() ? kRdbTypeHashListpack : kRdbTypeHash;
    case ObjType::kStream:
      break;
  }
  return kRdbTypeStreamListpacks2;
}

void RdbAppendObjectPayload(const Value& v, const RdbOptions& opts, std::string* out) {
  switch (v.type) {
    case ObjType::kString:
      AppendRawString(v.str, opts.compression, out);
      return;
    case ObjType::kList:
      AppendListPayload(*v.As<List>(), opts, out);
      return;
    case ObjType::kSet:
      AppendSetPayload(*v.As<Set>(), opts, out);
      return;
    case ObjType::kZSet:
      AppendZSetPayload(*v.As<ZSet>(), opts, out);
      return;
    case ObjType::kHash:
      AppendHashPayload(*v.As<Hash>(), opts, out);
      return;
    case ObjType::kStream:
      return;  // kevy has no stream values to save
  }
}

void RdbAppendEntry(std::string_view key, const Value& v, int64_t expire_ms,
                    const RdbOptions& opts, std::string* out) {
  if (expire_ms >= 0) {
    out->push_back(static_cast<char>(kRdbOpExpireTimeMs));
    PutLE(out, static_cast<uint64_t>(expire_ms), 8);
  }
  out->push_back(static_cast<char>(RdbObjectType(v)));
  AppendRawString(key, opts.compression, out);
  RdbAppendObjectPayload(v, opts, out);
}

absl::StatusOr<Value> RdbDecodeObject(uint8_t type, std::string_view data, size_t* pos,
                                      const RdbOptions& opts) {
  Reader r(data, pos);
  return DecodeObjectImpl(type, r, opts);
}

// ---- public: DUMP payloads -----------------------------------------------------------------

std::string RdbDumpPayload(const Value& v, const RdbOptions& opts) {
  std::string out;
  out.push_back(static_cast<char>(RdbObjectType(v)));
  RdbAppendObjectPayload(v, opts, &out);
  PutLE(&out, kRdbVersion, 2);
  PutLE(&out, Crc64(0, out), 8);
  return out;
}

bool RdbVerifyDumpPayload(std::string_view payload) {
  if (payload.size() < 10) return false;
  const auto* f = reinterpret_cast<const unsigned char*>(payload.data()) + payload.size() - 10;
  if (GetLE(f, 2) > kRdbVersion) return false;
  return Crc64(0, payload.substr(0, payload.size() - 8)) == GetLE(f + 2, 8);
}

absl::StatusOr<Value> RdbLoadDumpPayload(std::string_view payload, const RdbOptions& opts) {
  if (payload.size() < 11) return Bad("payload too short");
  std::string_view body = payload.substr(0, payload.size() - 10);
  size_t pos = 1;
  auto v = RdbDecodeObject(static_cast<uint8_t>(body[0]), body, &pos, opts);
  if (!v.ok()) return v.status();
  if (pos != body.size()) return Bad("trailing bytes in payload");
  if (v->type != ObjType::kString && v->obj->Size() == 0) return Bad("empty collection");
  return v;
}

size_t RdbSerializedLength(const Value& v, const RdbOptions& opts) {
  std::string out;
  RdbAppendObjectPayload(v, opts, &out);
  return out.size();
}

// ---- public: writer ------------------------------------------------------------------------

void RdbWriter::Begin(const RdbAux& aux) {
  char magic[16];
  snprintf(magic, sizeof magic, "REDIS%04d", kRdbVersion);
  buf_.append(magic);
  auto field = [&](std::string_view k, std::string_view v) {
    buf_.push_back(static_cast<char>(kRdbOpAux));
    AppendRawString(k, false, &buf_);
    AppendRawString(v, false, &buf_);
  };
  field("redis-ver", aux.redis_ver);
  field("redis-bits", std::to_string(aux.redis_bits));
  field("ctime", std::to_string(aux.ctime ? aux.ctime : static_cast<int64_t>(time(nullptr))));
  field("used-mem", std::to_string(aux.used_mem));
  for (const auto& [k, v] : aux.extra) field(k, v);
  field("aof-base", aux.aof_base ? "1" : "0");
}

void RdbWriter::SelectDb(int db, uint64_t db_size, uint64_t expires_size) {
  buf_.push_back(static_cast<char>(kRdbOpSelectDb));
  RdbAppendLength(static_cast<uint64_t>(db), &buf_);
  buf_.push_back(static_cast<char>(kRdbOpResizeDb));
  RdbAppendLength(db_size, &buf_);
  RdbAppendLength(expires_size, &buf_);
}

void RdbWriter::WriteEntry(std::string_view key, const Value& v, int64_t expire_ms) {
  RdbAppendEntry(key, v, expire_ms, opts_, &buf_);
}

void RdbWriter::AppendEncoded(std::string_view entries) { buf_.append(entries); }

void RdbWriter::Finish() {
  buf_.push_back(static_cast<char>(kRdbOpEof));
  const uint64_t crc = Crc64(crc_, buf_);
  PutLE(&buf_, crc, 8);
  finished_ = true;  // everything checksummed: draining no longer feeds the CRC
}

void RdbWriter::Drain(std::string* out) { Take(buf_.size(), out); }

void RdbWriter::Consume(size_t n) { Take(n, nullptr); }

void RdbWriter::Take(size_t n, std::string* out) {
  if (n > buf_.size()) n = buf_.size();
  if (!finished_) crc_ = Crc64(crc_, buf_.data(), n);
  if (out) out->append(buf_, 0, n);
  buf_.erase(0, n);
  drained_ += n;
}

// ---- public: loader ------------------------------------------------------------------------

absl::Status RdbLoader::LoadBuffer(std::string_view data, const KeyFn& on_key, size_t* consumed) {
  version_ = 0;
  aux_.clear();
  keys_loaded_ = 0;
  size_t pos = 0;
  Reader r(data, &pos);
  std::string_view magic;
  if (!r.Bytes(9, &magic) || magic.substr(0, 5) != "REDIS")
    return absl::DataLossError(AtOffset(0, "wrong signature trying to load DB from file"));
  int version = 0;
  for (char c : magic.substr(5)) {
    if (c < '0' || c > '9')
      return absl::DataLossError(AtOffset(5, "bad RDB version digits"));
    version = version * 10 + (c - '0');
  }
  if (version < 1 || version > kRdbMaxLoadVersion)
    return absl::DataLossError(AtOffset(5, "Can't handle RDB format version " +
                                               std::to_string(version)));
  version_ = version;
  int db = 0;
  int64_t expire_ms = -1, idle = -1;
  int freq = -1;
  while (true) {
    const size_t op_off = pos;
    uint8_t type;
    if (!r.Byte(&type)) return absl::DataLossError(AtOffset(pos, "unexpected end of file"));
    switch (type) {
      case kRdbOpExpireTime: {
        uint64_t s;
        if (!r.LE(4, &s)) return absl::DataLossError(AtOffset(op_off, "truncated EXPIRETIME"));
        expire_ms = static_cast<int64_t>(static_cast<int32_t>(s)) * 1000;
        continue;
      }
      case kRdbOpExpireTimeMs: {
        uint64_t ms;
        if (!r.LE(8, &ms)) return absl::DataLossError(AtOffset(op_off, "truncated EXPIRETIME_MS"));
        expire_ms = static_cast<int64_t>(ms);
        continue;
      }
      case kRdbOpIdle: {
        uint64_t v;
        if (!r.Length(&v)) return absl::DataLossError(AtOffset(op_off, "bad IDLE"));
        idle = static_cast<int64_t>(v & INT64_MAX);
        continue;
      }
      case kRdbOpFreq: {
        uint8_t f;
        if (!r.Byte(&f)) return absl::DataLossError(AtOffset(op_off, "truncated FREQ"));
        freq = f;
        continue;
      }
      case kRdbOpSelectDb: {
        uint64_t v;
        if (!r.Length(&v) || v > INT32_MAX)
          return absl::DataLossError(AtOffset(op_off, "bad SELECTDB"));
        db = static_cast<int>(v);
        continue;
      }
      case kRdbOpResizeDb: {
        uint64_t a, b;
        if (!r.Length(&a) || !r.Length(&b))
          return absl::DataLossError(AtOffset(op_off, "bad RESIZEDB"));
        if (on_resize_) {
          const uint64_t most = r.remaining() / 3;
          on_resize_(db, std::min(a, most), std::min(b, most));
        }
        continue;
      }
      case kRdbOpAux: {
        std::string k, v;
        if (!r.String(&k) || !r.String(&v))
          return absl::DataLossError(AtOffset(op_off, "bad AUX field"));
        aux_.emplace_back(std::move(k), std::move(v));
        continue;
      }
      case kRdbOpModuleAux:
        return absl::UnimplementedError(
            AtOffset(op_off, "module data (MODULE_AUX) is not supported"));
      case kRdbOpFunction:
      case kRdbOpFunctionPreGa:
        return absl::UnimplementedError(
            AtOffset(op_off, "functions (FUNCTION) in RDB files are not supported"));
      case kRdbOpEof: {
        if (version >= 5) {
          const uint64_t expected = Crc64(0, data.data(), pos);
          uint64_t crc;
          if (!r.LE(8, &crc)) return absl::DataLossError(AtOffset(pos, "truncated checksum"));
          if (crc != 0 && crc != expected)
            return absl::DataLossError(AtOffset(pos - 8, "RDB CRC error"));
        }
        if (consumed) *consumed = pos;
        return absl::OkStatus();
      }
      default:
        break;
    }
    std::string key;
    if (!r.String(&key)) return absl::DataLossError(AtOffset(op_off + 1, "bad key"));
    const size_t obj_off = pos;
    auto v = DecodeObjectImpl(type, r, opts_);
    if (!v.ok()) {
      const std::string msg = AtOffset(obj_off, std::string(v.status().message()));
      return v.status().code() == absl::StatusCode::kUnimplemented
                 ? absl::UnimplementedError(msg)
                 : absl::DataLossError(msg);
    }
    RdbLoadedKey k;
    k.db = db;
    k.key = std::move(key);
    k.value = std::move(*v);
    k.expire_ms = expire_ms;
    k.lru_idle = idle;
    k.lfu_freq = freq;
    expire_ms = -1;
    idle = -1;
    freq = -1;
    // Redis skips empty collections when loading (RDB_LOAD_ERR_EMPTY_KEY).
    if (k.value.type != ObjType::kString && k.value.obj->Size() == 0) continue;
    ++keys_loaded_;
    if (auto st = on_key(std::move(k)); !st.ok()) return st;
  }
}

absl::Status RdbLoader::LoadFile(const std::string& path, const KeyFn& on_key, size_t* consumed) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return absl::NotFoundError(path + ": no such file");
    return absl::InternalError(path + ": " + strerror(errno));
  }
  struct stat st;
  if (fstat(fd, &st) != 0) {
    const int e = errno;
    ::close(fd);
    return absl::InternalError(path + ": " + strerror(e));
  }
  const size_t size = static_cast<size_t>(st.st_size);
  if (size == 0) {
    ::close(fd);
    return LoadBuffer(std::string_view(), on_key, consumed);
  }
  void* map = mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  ::close(fd);
  if (map == MAP_FAILED) return absl::InternalError(path + ": mmap: " + strerror(errno));
  madvise(map, size, MADV_SEQUENTIAL);
  auto status = LoadBuffer(std::string_view(static_cast<const char*>(map), size), on_key, consumed);
  munmap(map, size);
  return status;
}

}  // namespace kevy
