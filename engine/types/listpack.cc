// Listpack (engine/types/listpack.h): entry encoding and the one splice primitive.
#include "engine/types/listpack.h"

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <new>

namespace kevy {

namespace {

constexpr uint8_t kStrLong = 0x80;
constexpr uint8_t kInt8 = 0x81, kInt16 = 0x82, kInt32 = 0x83, kInt64 = 0x84, kDouble = 0x85;
constexpr uint8_t kSmallInt = 0xC0;

int64_t LoadInt(const char* p, int n) {
  switch (n) {
    case 1: { int8_t v; std::memcpy(&v, p, 1); return v; }
    case 2: { int16_t v; std::memcpy(&v, p, 2); return v; }
    case 4: { int32_t v; std::memcpy(&v, p, 4); return v; }
    default: { int64_t v; std::memcpy(&v, p, 8); return v; }
  }
}

}  // namespace

uint32_t Listpack::Load32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

void Listpack::Store32(char* p, uint32_t v) { std::memcpy(p, &v, 4); }

Listpack::~Listpack() { std::free(buf_); }

Listpack::Listpack(const Listpack& o) {
  if (o.buf_) {
    size_t n = o.bytes();
    buf_ = static_cast<char*>(std::malloc(n));
    if (!buf_) throw std::bad_alloc();
    std::memcpy(buf_, o.buf_, n);
  }
}

Listpack& Listpack::operator=(Listpack&& o) noexcept {
  if (this != &o) {
    std::free(buf_);
    buf_ = o.buf_;
    o.buf_ = nullptr;
  }
  return *this;
}

void Listpack::clear() {
  std::free(buf_);
  buf_ = nullptr;
}

size_t Listpack::Next(size_t pos) const {
  uint8_t t = static_cast<uint8_t>(buf_[pos]);
  if (t < kStrLong) return pos + 1 + t;
  if (t == kStrLong) {
    uint64_t len = 0;
    int shift = 0;
    size_t p = pos + 1;
    for (;;) {
      uint8_t b = static_cast<uint8_t>(buf_[p++]);
      len |= static_cast<uint64_t>(b & 0x7F) << shift;
      if (!(b & 0x80)) break;
      shift += 7;
    }
    return p + len;
  }
  switch (t) {
    case kInt8: return pos + 2;
    case kInt16: return pos + 3;
    case kInt32: return pos + 5;
    case kInt64:
    case kDouble: return pos + 9;
    default: return pos + 1;  // small int
  }
}

std::string_view Listpack::Str(size_t pos) const {
  uint8_t t = static_cast<uint8_t>(buf_[pos]);
  if (t < kStrLong) return std::string_view(buf_ + pos + 1, t);
  size_t end = Next(pos);
  size_t p = pos + 1;
  while (static_cast<uint8_t>(buf_[p]) & 0x80) ++p;
  ++p;  // past the last length byte
  return std::string_view(buf_ + p, end - p);
}

double Listpack::Num(size_t pos) const {
  uint8_t t = static_cast<uint8_t>(buf_[pos]);
  const char* p = buf_ + pos + 1;
  switch (t) {
    case kInt8: return static_cast<double>(LoadInt(p, 1));
    case kInt16: return static_cast<double>(LoadInt(p, 2));
    case kInt32: return static_cast<double>(LoadInt(p, 4));
    case kInt64: return static_cast<double>(LoadInt(p, 8));
    case kDouble: {
      double d;
      std::memcpy(&d, p, 8);
      return d;
    }
    default: return static_cast<double>(t - kSmallInt);
  }
}

void Listpack::EncodeStr(std::string* out, std::string_view s) {
  if (s.size() < kStrLong) {
    out->push_back(static_cast<char>(s.size()));
  } else {
    out->push_back(static_cast<char>(kStrLong));
    uint64_t len = s.size();
    do {
      uint8_t b = len & 0x7F;
      len >>= 7;
      if (len) b |= 0x80;
      out->push_back(static_cast<char>(b));
    } while (len);
  }
  out->append(s);
}

void Listpack::EncodeNum(std::string* out, double d) {
  // Integral values that a double holds exactly (|d| <= 2^53) take the smallest integer
  // form; -0.0 stays a double so its sign survives.
  if (std::trunc(d) == d && std::fabs(d) <= 9007199254740992.0 && !(d == 0 && std::signbit(d))) {
    auto v = static_cast<int64_t>(d);
    if (v >= 0 && v < 64) {
      out->push_back(static_cast<char>(kSmallInt + v));
      return;
    }
    char b[8];
    int n;
    uint8_t tag;
    if (v >= INT8_MIN && v <= INT8_MAX) {
      auto x = static_cast<int8_t>(v); std::memcpy(b, &x, 1); n = 1; tag = kInt8;
    } else if (v >= INT16_MIN && v <= INT16_MAX) {
      auto x = static_cast<int16_t>(v); std::memcpy(b, &x, 2); n = 2; tag = kInt16;
    } else if (v >= INT32_MIN && v <= INT32_MAX) {
      auto x = static_cast<int32_t>(v); std::memcpy(b, &x, 4); n = 4; tag = kInt32;
    } else {
      std::memcpy(b, &v, 8); n = 8; tag = kInt64;
    }
    out->push_back(static_cast<char>(tag));
    out->append(b, n);
    return;
  }
  char b[8];
  std::memcpy(b, &d, 8);
  out->push_back(static_cast<char>(kDouble));
  out->append(b, 8);
}

void Listpack::Splice(size_t pos, size_t old_end, std::string_view encoded,
                      int64_t entries_delta) {
  size_t total = end();
  size_t count = size();
  size_t removed = old_end - pos;
  size_t new_total = total - removed + encoded.size();
  size_t new_count = static_cast<size_t>(static_cast<int64_t>(count) + entries_delta);
  if (new_count == 0) {
    clear();
    return;
  }
  size_t tail = total - old_end;
  if (new_total > total || !buf_) {
    char* nb = static_cast<char*>(std::realloc(buf_, new_total));
    if (!nb) throw std::bad_alloc();
    if (!buf_) total = kHeader;
    buf_ = nb;
    std::memmove(buf_ + pos + encoded.size(), buf_ + old_end, tail);
  } else {
    std::memmove(buf_ + pos + encoded.size(), buf_ + old_end, tail);
    if (new_total < total) {
      char* nb = static_cast<char*>(std::realloc(buf_, new_total));
      if (nb) buf_ = nb;
    }
  }
  if (!encoded.empty()) std::memcpy(buf_ + pos, encoded.data(), encoded.size());
  Store32(buf_, static_cast<uint32_t>(new_total));
  Store32(buf_ + 4, static_cast<uint32_t>(new_count));
}

}  // namespace kevy
