// RESP reply writer (see reply.h). Every reply is composed in a small stack buffer where
// possible and appended to the output in as few appends as possible: these functions run
// once or more per request, so they avoid allocation beyond the output buffer's own growth.
#include "resp/reply.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>

namespace kevy {

namespace {

constexpr char kDigitPairs[] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

// Writes the decimal digits of v so that they end just before `end`; returns their start.
inline char* WriteDigitsBackward(uint64_t v, char* end) {
  while (v >= 100) {
    unsigned pair = static_cast<unsigned>(v % 100) * 2;
    v /= 100;
    end -= 2;
    memcpy(end, kDigitPairs + pair, 2);
  }
  if (v >= 10) {
    end -= 2;
    memcpy(end, kDigitPairs + v * 2, 2);
  } else {
    *--end = static_cast<char>('0' + v);
  }
  return end;
}

// "<prefix><n>\r\n" ending at buf + kLineBuf; returns the start. Fits: 1 + 20 + 2 bytes.
constexpr size_t kLineBuf = 24;
inline char* FormatLine(char prefix, int64_t n, char* buf) {
  char* end = buf + kLineBuf;
  end[-2] = '\r';
  end[-1] = '\n';
  char* p;
  if (n < 0) {
    p = WriteDigitsBackward(0 - static_cast<uint64_t>(n), end - 2);
    *--p = '-';
  } else {
    p = WriteDigitsBackward(static_cast<uint64_t>(n), end - 2);
  }
  *--p = prefix;
  return p;
}

// Appends s with CR and LF replaced by spaces (simple strings and errors are one line).
void AppendOneLine(std::string* out, std::string_view s) {
  size_t start = out->size();
  out->append(s);
  for (char *p = out->data() + start, *e = out->data() + out->size(); p != e; ++p) {
    if (*p == '\r' || *p == '\n') *p = ' ';
  }
}

}  // namespace

void ReplyBuilder::Header(char prefix, int64_t n) {
  char buf[kLineBuf];
  char* p = FormatLine(prefix, n, buf);
  out_->append(p, static_cast<size_t>(buf + kLineBuf - p));
}

void ReplyBuilder::SimpleString(std::string_view s) {
  out_->push_back('+');
  AppendOneLine(out_, s);
  out_->append("\r\n", 2);
}

void ReplyBuilder::Error(std::string_view msg) {
  if (!msg.empty() && msg[0] == '-') msg.remove_prefix(1);
  if (msg.empty()) msg = "ERR";
  out_->push_back('-');
  AppendOneLine(out_, msg);
  out_->append("\r\n", 2);
}

void ReplyBuilder::Integer(int64_t v) { Header(':', v); }

void ReplyBuilder::Bulk(std::string_view s) {
  char buf[kLineBuf];
  char* p = FormatLine('$', static_cast<int64_t>(s.size()), buf);
  size_t hlen = static_cast<size_t>(buf + kLineBuf - p);
  out_->reserve(out_->size() + hlen + s.size() + 2);
  out_->append(p, hlen);
  out_->append(s);
  out_->append("\r\n", 2);
}

void ReplyBuilder::Verbatim(std::string_view s, std::string_view fmt) {
  if (proto_ < 3) {
    Bulk(s);
    return;
  }
  // "=<len>\r\nxxx:<s>\r\n": the format is always 3 chars, padded with spaces (Redis).
  char buf[kLineBuf + 4];
  char* p = FormatLine('=', static_cast<int64_t>(s.size() + 4), buf);
  char* ext = buf + kLineBuf;
  for (size_t i = 0; i < 3; ++i) ext[i] = i < fmt.size() ? fmt[i] : ' ';
  ext[3] = ':';
  size_t hlen = static_cast<size_t>(ext + 4 - p);
  out_->reserve(out_->size() + hlen + s.size() + 2);
  out_->append(p, hlen);
  out_->append(s);
  out_->append("\r\n", 2);
}

void ReplyBuilder::Null() {
  if (proto_ >= 3) {
    out_->append("_\r\n", 3);
  } else {
    out_->append("$-1\r\n", 5);
  }
}

void ReplyBuilder::NullArray() {
  if (proto_ >= 3) {
    out_->append("_\r\n", 3);
  } else {
    out_->append("*-1\r\n", 5);
  }
}

void ReplyBuilder::Double(double d) {
  char num[32];
  int n = FormatDouble(d, num);
  if (proto_ >= 3) {
    char buf[40];
    buf[0] = ',';
    memcpy(buf + 1, num, static_cast<size_t>(n));
    buf[n + 1] = '\r';
    buf[n + 2] = '\n';
    out_->append(buf, static_cast<size_t>(n) + 3);
  } else {
    Bulk(std::string_view(num, static_cast<size_t>(n)));
  }
}

void ReplyBuilder::Bool(bool b) {
  if (proto_ >= 3) {
    out_->append(b ? "#t\r\n" : "#f\r\n", 4);
  } else {
    out_->append(b ? ":1\r\n" : ":0\r\n", 4);
  }
}

void ReplyBuilder::ArrayHeader(size_t n) { Header('*', static_cast<int64_t>(n)); }

void ReplyBuilder::MapHeader(size_t n) {
  if (proto_ >= 3) {
    Header('%', static_cast<int64_t>(n));
  } else {
    Header('*', static_cast<int64_t>(2 * n));
  }
}

void ReplyBuilder::SetHeader(size_t n) { Header(proto_ >= 3 ? '~' : '*', static_cast<int64_t>(n)); }

void ReplyBuilder::PushHeader(size_t n) {
  Header(proto_ >= 3 ? '>' : '*', static_cast<int64_t>(n));
}

void ReplyBuilder::BulkArray(std::initializer_list<std::string_view> items) {
  size_t total = kLineBuf;
  for (std::string_view s : items) total += s.size() + kLineBuf;
  out_->reserve(out_->size() + total);
  ArrayHeader(items.size());
  for (std::string_view s : items) Bulk(s);
}

int FormatDouble(double d, char* buf) {
  if (std::isnan(d)) {
    memcpy(buf, "nan", 3);
    return 3;
  }
  if (std::isinf(d)) {
    if (d > 0) {
      memcpy(buf, "inf", 3);
      return 3;
    }
    memcpy(buf, "-inf", 4);
    return 4;
  }
  // Shortest round-trip digits in scientific form: "[-]D[.DDD]e(+|-)XX[X]". Its exponent
  // part already has C's shape (sign, at least two digits).
  char sci[32];
  char* sci_end = std::to_chars(sci, sci + sizeof(sci), d, std::chars_format::scientific).ptr;
  const char* p = sci;
  char* out = buf;
  if (*p == '-') *out++ = *p++;
  char digits[20];
  int ndigits = 0;
  digits[ndigits++] = *p++;
  if (*p == '.') {
    for (++p; *p != 'e'; ++p) digits[ndigits++] = *p;
  }
  bool exp_neg = p[1] == '-';
  int exp = 0;
  for (const char* q = p + 2; q < sci_end; ++q) exp = exp * 10 + (*q - '0');
  if (exp_neg) exp = -exp;

  if (exp < -4 || exp >= 17) {  // %.17g keeps the exponent form
    size_t n = static_cast<size_t>(sci_end - sci);
    memcpy(buf, sci, n);
    return static_cast<int>(n);
  }
  if (exp < 0) {  // 0.000ddd
    *out++ = '0';
    *out++ = '.';
    for (int i = -1; i > exp; --i) *out++ = '0';
    memcpy(out, digits, static_cast<size_t>(ndigits));
    out += ndigits;
  } else {  // ddd[000] or ddd.ddd
    int int_digits = exp + 1;
    for (int i = 0; i < int_digits; ++i) *out++ = i < ndigits ? digits[i] : '0';
    if (ndigits > int_digits) {
      *out++ = '.';
      memcpy(out, digits + int_digits, static_cast<size_t>(ndigits - int_digits));
      out += ndigits - int_digits;
    }
  }
  return static_cast<int>(out - buf);
}

std::string FormatLongDouble(long double v) {
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  if (std::isnan(v)) return "nan";
  // Large enough for any finite 80-bit long double in %.17Lf (about 4950 chars), which is
  // also Redis's MAX_LONG_DOUBLE_CHARS.
  char buf[5 * 1024];
  int n = snprintf(buf, sizeof(buf), "%.17Lf", v);
  if (n <= 0 || static_cast<size_t>(n) >= sizeof(buf)) return std::string();
  size_t len = static_cast<size_t>(n);
  if (memchr(buf, '.', len) != nullptr) {
    while (buf[len - 1] == '0') --len;
    if (buf[len - 1] == '.') --len;
  }
  if (len == 2 && buf[0] == '-' && buf[1] == '0') return "0";
  return std::string(buf, len);
}

}  // namespace kevy
