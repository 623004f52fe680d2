// Unit tests for the RESP reply writer: every method byte for byte in RESP2 and RESP3, and
// the number formats Redis uses for doubles (replies) and long doubles (INCRBYFLOAT).
#include "resp/reply.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cfloat>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace kevy {
namespace {

template <typename F>
std::string Write(int proto, F&& f) {
  std::string out;
  ReplyBuilder rb(&out, proto);
  f(rb);
  return out;
}

std::string Fmt(double d) {
  char buf[32];
  int n = FormatDouble(d, buf);
  REQUIRE(n > 0);
  REQUIRE(n <= 32);
  return std::string(buf, static_cast<size_t>(n));
}

TEST_CASE("simple strings, errors and integers", "[resp]") {
  for (int proto : {2, 3}) {
    INFO("proto " << proto);
    CHECK(Write(proto, [](ReplyBuilder& r) { r.SimpleString("PONG"); }) == "+PONG\r\n");
    CHECK(Write(proto, [](ReplyBuilder& r) { r.SimpleString(""); }) == "+\r\n");
    CHECK(Write(proto, [](ReplyBuilder& r) { r.SimpleString("a\r\nb"); }) == "+a  b\r\n");
    CHECK(Write(proto, [](ReplyBuilder& r) { r.Ok(); }) == "+OK\r\n");
    CHECK(Write(proto, [](ReplyBuilder& r) { r.Error("ERR syntax error"); }) ==
          "-ERR syntax error\r\n");
    CHECK(Write(proto, [](ReplyBuilder& r) {
            r.Error("WRONGTYPE Operation against a key holding the wrong kind of value");
          }) == "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    CHECK(Write(proto, [](ReplyBuilder& r) { r.Error("-NOSCRIPT x"); }) == "-NOSCRIPT x\r\n");
    CHECK(Write(proto, [](ReplyBuilder& r) { r.Error(""); }) == "-ERR\r\n");
    CHECK(Write(proto, [](ReplyBuilder& r) { r.Error("ERR bad\r\nline\n"); }) ==
          "-ERR bad  line \r\n");
    CHECK(Write(proto, [](ReplyBuilder& r) { r.Integer(0); }) == ":0\r\n");
    CHECK(Write(proto, [](ReplyBuilder& r) { r.Integer(-1); }) == ":-1\r\n");
    CHECK(Write(proto, [](ReplyBuilder& r) { r.Integer(INT64_MAX); }) ==
          ":9223372036854775807\r\n");
    CHECK(Write(proto, [](ReplyBuilder& r) { r.Integer(INT64_MIN); }) ==
          ":-9223372036854775808\r\n");
  }
}

TEST_CASE("integers match printf for every digit count and sign", "[resp]") {
  std::mt19937_64 rng(42);
  std::vector<int64_t> values = {INT64_MIN, INT64_MIN + 1, INT64_MAX, INT64_MAX - 1};
  int64_t p = 1;
  for (int i = 0; i < 19; ++i, p *= 10) {
    for (int64_t v : {p - 1, p, p + 1, 2 * p, 9 * p}) {
      values.push_back(v);
      values.push_back(-v);
    }
  }
  for (int i = 0; i < 2000; ++i) {
    int64_t v = static_cast<int64_t>(rng() >> (rng() % 64));
    values.push_back(v);
    values.push_back(-v);
  }
  std::string out;
  ReplyBuilder rb(&out);
  std::string expected;
  for (int64_t v : values) {
    rb.Integer(v);
    char buf[32];
    snprintf(buf, sizeof(buf), ":%" PRId64 "\r\n", v);
    expected += buf;
  }
  CHECK(out == expected);
}

TEST_CASE("bulk strings and verbatim strings", "[resp]") {
  for (int proto : {2, 3}) {
    INFO("proto " << proto);
    CHECK(Write(proto, [](ReplyBuilder& r) { r.Bulk("hello"); }) == "$5\r\nhello\r\n");
    CHECK(Write(proto, [](ReplyBuilder& r) { r.Bulk(""); }) == "$0\r\n\r\n");
    std::string bin("a\r\n\0b", 5);
    CHECK(Write(proto, [&](ReplyBuilder& r) { r.Bulk(bin); }) == "$5\r\n" + bin + "\r\n");
    std::string big(123456, 'x');
    CHECK(Write(proto, [&](ReplyBuilder& r) { r.Bulk(big); }) == "$123456\r\n" + big + "\r\n");
  }
  CHECK(Write(2, [](ReplyBuilder& r) { r.Verbatim("hello"); }) == "$5\r\nhello\r\n");
  CHECK(Write(2, [](ReplyBuilder& r) { r.Verbatim("hi", "mkd"); }) == "$2\r\nhi\r\n");
  CHECK(Write(3, [](ReplyBuilder& r) { r.Verbatim("hello"); }) == "=9\r\ntxt:hello\r\n");
  CHECK(Write(3, [](ReplyBuilder& r) { r.Verbatim("", "mkd"); }) == "=4\r\nmkd:\r\n");
  // The format is always three chars: short ones are padded with spaces, long ones cut.
  CHECK(Write(3, [](ReplyBuilder& r) { r.Verbatim("x", "md"); }) == "=5\r\nmd :x\r\n");
  CHECK(Write(3, [](ReplyBuilder& r) { r.Verbatim("x", ""); }) == "=5\r\n   :x\r\n");
  CHECK(Write(3, [](ReplyBuilder& r) { r.Verbatim("x", "text"); }) == "=5\r\ntex:x\r\n");
}

TEST_CASE("nulls, booleans and doubles depend on the protocol", "[resp]") {
  CHECK(Write(2, [](ReplyBuilder& r) { r.Null(); }) == "$-1\r\n");
  CHECK(Write(3, [](ReplyBuilder& r) { r.Null(); }) == "_\r\n");
  CHECK(Write(2, [](ReplyBuilder& r) { r.NullArray(); }) == "*-1\r\n");
  CHECK(Write(3, [](ReplyBuilder& r) { r.NullArray(); }) == "_\r\n");
  CHECK(Write(2, [](ReplyBuilder& r) { r.Bool(true); }) == ":1\r\n");
  CHECK(Write(2, [](ReplyBuilder& r) { r.Bool(false); }) == ":0\r\n");
  CHECK(Write(3, [](ReplyBuilder& r) { r.Bool(true); }) == "#t\r\n");
  CHECK(Write(3, [](ReplyBuilder& r) { r.Bool(false); }) == "#f\r\n");
  CHECK(Write(2, [](ReplyBuilder& r) { r.Double(1.5); }) == "$3\r\n1.5\r\n");
  CHECK(Write(3, [](ReplyBuilder& r) { r.Double(1.5); }) == ",1.5\r\n");
  CHECK(Write(2, [](ReplyBuilder& r) { r.Double(3.0); }) == "$1\r\n3\r\n");
  CHECK(Write(3, [](ReplyBuilder& r) { r.Double(-0.25); }) == ",-0.25\r\n");
  CHECK(Write(2, [](ReplyBuilder& r) { r.Double(HUGE_VAL); }) == "$3\r\ninf\r\n");
  CHECK(Write(2, [](ReplyBuilder& r) { r.Double(-HUGE_VAL); }) == "$4\r\n-inf\r\n");
  CHECK(Write(3, [](ReplyBuilder& r) { r.Double(HUGE_VAL); }) == ",inf\r\n");
  CHECK(Write(3, [](ReplyBuilder& r) { r.Double(-HUGE_VAL); }) == ",-inf\r\n");
  CHECK(Write(2, [](ReplyBuilder& r) { r.Double(0.1 + 0.2); }) == "$19\r\n0.30000000000000004\r\n");
  CHECK(Write(3, [](ReplyBuilder& r) { r.Double(1e300); }) == ",1e+300\r\n");
}

TEST_CASE("aggregate headers", "[resp]") {
  CHECK(Write(2, [](ReplyBuilder& r) { r.ArrayHeader(0); }) == "*0\r\n");
  CHECK(Write(3, [](ReplyBuilder& r) { r.ArrayHeader(12); }) == "*12\r\n");
  CHECK(Write(2, [](ReplyBuilder& r) { r.MapHeader(2); }) == "*4\r\n");
  CHECK(Write(3, [](ReplyBuilder& r) { r.MapHeader(2); }) == "%2\r\n");
  CHECK(Write(2, [](ReplyBuilder& r) { r.MapHeader(0); }) == "*0\r\n");
  CHECK(Write(3, [](ReplyBuilder& r) { r.MapHeader(0); }) == "%0\r\n");
  CHECK(Write(2, [](ReplyBuilder& r) { r.SetHeader(3); }) == "*3\r\n");
  CHECK(Write(3, [](ReplyBuilder& r) { r.SetHeader(3); }) == "~3\r\n");
  CHECK(Write(2, [](ReplyBuilder& r) { r.PushHeader(3); }) == "*3\r\n");
  CHECK(Write(3, [](ReplyBuilder& r) { r.PushHeader(3); }) == ">3\r\n");
  CHECK(Write(2, [](ReplyBuilder& r) {
          r.BulkArray({"a", "", "bc"});
        }) == "*3\r\n$1\r\na\r\n$0\r\n\r\n$2\r\nbc\r\n");
  CHECK(Write(3, [](ReplyBuilder& r) { r.BulkArray({}); }) == "*0\r\n");
}

TEST_CASE("replies append to what the buffer holds and follow set_proto", "[resp]") {
  std::string out = "+EARLIER\r\n";
  ReplyBuilder rb(&out);
  rb.Raw(":7\r\n");
  rb.Null();
  rb.set_proto(3);
  CHECK(rb.proto() == 3);
  rb.Null();
  rb.MapHeader(1);
  rb.Bulk("k");
  rb.Double(2.5);
  std::string other;
  rb.set_buffer(&other);
  CHECK(rb.buffer() == &other);
  rb.Integer(1);
  CHECK(out == "+EARLIER\r\n:7\r\n$-1\r\n_\r\n%1\r\n$1\r\nk\r\n,2.5\r\n");
  CHECK(other == ":1\r\n");
}

TEST_CASE("FormatDouble table", "[resp]") {
  struct Case {
    double d;
    const char* text;
  };
  const Case cases[] = {
      {1.1, "1.1"},
      {3.0, "3"},
      {1e300, "1e+300"},
      {HUGE_VAL, "inf"},
      {-HUGE_VAL, "-inf"},
      {0.1 + 0.2, "0.30000000000000004"},
      {0.0, "0"},
      {-0.0, "-0"},
      {-2.5, "-2.5"},
      {100.0, "100"},
      {1234.5678, "1234.5678"},
      {12345678.9, "12345678.9"},
      {0.5, "0.5"},
      {0.0001, "0.0001"},  // exponent -4: still plain, as %g
      {0.000123, "0.000123"},
      {1e-5, "1e-05"},  // exponent -5: exponent form, two exponent digits
      {0.00001234, "1.234e-05"},
      {1.5e-7, "1.5e-07"},
      {-1e-300, "-1e-300"},
      {1e16, "10000000000000000"},  // exponent 16 < 17: plain
      {12345678901234567.0, "12345678901234568"},
      {1e17, "1e+17"},  // exponent 17: exponent form, as %.17g
      {1.2345678901234568e17, "1.2345678901234568e+17"},
      {1e21, "1e+21"},
      {1e22, "1e+22"},
      {9007199254740992.0, "9007199254740992"},
      {DBL_MAX, "1.7976931348623157e+308"},
      {-DBL_MAX, "-1.7976931348623157e+308"},
      {DBL_MIN, "2.2250738585072014e-308"},
      {5e-324, "5e-324"},
      {1.0 / 3, "0.3333333333333333"},
      {2.0 / 3, "0.6666666666666666"},
      {9.5367431640625e-07, "9.5367431640625e-07"},
      {0.0001220703125, "0.0001220703125"},
      {123.456, "123.456"},
  };
  for (const Case& c : cases) {
    INFO("expected " << c.text);
    CHECK(Fmt(c.d) == c.text);
  }
  CHECK(Fmt(std::nan("")) == "nan");
  CHECK(Fmt(-std::nan("")) == "nan");
}

// Every output reads back as the same double, has no more significant digits than the
// shortest %.Ne form that does, and uses %.17g's choice between plain and exponent form.
TEST_CASE("FormatDouble round-trips with the fewest digits", "[resp]") {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> unit(-1.0, 1.0);
  for (int i = 0; i < 20000; ++i) {
    double d;
    if (i % 2) {
      uint64_t bits = rng();
      memcpy(&d, &bits, sizeof(d));
      if (!std::isfinite(d)) continue;
    } else {
      d = unit(rng) * std::pow(10.0, static_cast<int>(rng() % 44) - 22);
    }
    std::string s = Fmt(d);
    INFO(s);
    REQUIRE(std::strtod(s.c_str(), nullptr) == d);
    int shortest = 1;
    char buf[64];
    for (; shortest <= 17; ++shortest) {
      snprintf(buf, sizeof(buf), "%.*e", shortest - 1, d);
      if (std::strtod(buf, nullptr) == d) break;
    }
    size_t digits = 0;
    bool leading = true;
    for (char ch : s) {
      if (ch == 'e') break;
      if (ch < '0' || ch > '9') continue;
      if (ch == '0' && leading) continue;
      leading = false;
      ++digits;
    }
    // Plain integers may carry trailing zeros that are not significant.
    if (s.find_first_of(".e") == std::string::npos) {
      size_t trailing = s.size() - 1 - s.find_last_not_of('0');
      digits -= std::min(digits, trailing);
    }
    CHECK(static_cast<int>(digits) <= shortest);
    int exp10 = static_cast<int>(std::floor(std::log10(std::fabs(d))));
    bool exponent_form = s.find('e') != std::string::npos;
    // Near a power of ten log10 may round either way; only check clear cases.
    double lg = std::log10(std::fabs(d));
    if (d != 0 && std::fabs(lg - std::round(lg)) > 1e-9) {
      CHECK(exponent_form == (exp10 < -4 || exp10 >= 17));
    }
  }
}

// Where "%.17g" (what Redis 7.0 prints) is already the shortest form, the outputs are equal:
// short binary fractions, small integers, and doubles that need all 17 digits.
TEST_CASE("FormatDouble equals %.17g whenever that is already shortest", "[resp]") {
  std::mt19937_64 rng(11);
  int compared = 0;
  for (int i = 0; i < 20000; ++i) {
    double d;
    switch (i % 3) {
      case 0:  // k / 2^m: finite decimal expansions
        d = static_cast<double>(static_cast<int64_t>(rng() % 2000001) - 1000000) /
            std::ldexp(1.0, static_cast<int>(rng() % 30));
        break;
      case 1: {
        uint64_t bits = rng();
        memcpy(&d, &bits, sizeof(d));
        if (!std::isfinite(d)) continue;
        break;
      }
      default:
        d = static_cast<double>(static_cast<int64_t>(rng() >> (rng() % 64)));
        break;
    }
    char c17[64];
    snprintf(c17, sizeof(c17), "%.17g", d);
    if (std::strtod(c17, nullptr) != d) continue;
    // Shortest digit count, found with %.Ne.
    int shortest = 1;
    char buf[64];
    for (; shortest < 17; ++shortest) {
      snprintf(buf, sizeof(buf), "%.*e", shortest - 1, d);
      if (std::strtod(buf, nullptr) == d) break;
    }
    snprintf(buf, sizeof(buf), "%.*e", shortest - 1, d);
    snprintf(c17 + 32, 32, "%.16e", d);  // the 17 digits %.17g starts from
    // %.17g is shortest when its 17 digits are the shortest digits padded with zeros.
    auto digits_of = [](const char* e_form) {
      std::string m;
      for (const char* p = e_form; *p != 'e'; ++p)
        if (*p >= '0' && *p <= '9') m += *p;
      return m;
    };
    std::string mant17 = digits_of(c17 + 32);
    std::string mant = digits_of(buf);
    if (mant17.compare(0, mant.size(), mant) != 0) continue;
    if (mant17.find_first_not_of("0", mant.size()) != std::string::npos) continue;
    INFO(c17);
    CHECK(Fmt(d) == std::string(c17));
    ++compared;
  }
  CHECK(compared > 10000);
}

TEST_CASE("FormatLongDouble table (INCRBYFLOAT)", "[resp]") {
  auto ld = [](const char* s) { return std::strtold(s, nullptr); };
  // Values checked against redis-server 7.0 with SET/INCRBYFLOAT.
  CHECK(FormatLongDouble(ld("10.5") + ld("0.1")) == "10.6");
  CHECK(FormatLongDouble(ld("5e3")) == "5000");
  CHECK(FormatLongDouble(ld("0")) == "0");
  CHECK(FormatLongDouble(-0.0L) == "0");
  CHECK(FormatLongDouble(ld("1.5")) == "1.5");
  CHECK(FormatLongDouble(ld("-1.5")) == "-1.5");
  CHECK(FormatLongDouble(ld("0.1")) == "0.1");
  CHECK(FormatLongDouble(ld("3.0")) == "3");
  CHECK(FormatLongDouble(ld("-7")) == "-7");
  CHECK(FormatLongDouble(ld("1e20")) == "100000000000000000000");
  CHECK(FormatLongDouble(ld("1e-18")) == "0");
  CHECK(FormatLongDouble(ld("-1e-18")) == "0");
  CHECK(FormatLongDouble(ld("1e-17")) == "0.00000000000000001");
  CHECK(FormatLongDouble(ld("1") / ld("3")) == "0.33333333333333333");
  CHECK(FormatLongDouble(ld("0.1") + ld("0.2")) == "0.3");
  CHECK(FormatLongDouble(ld("1.23456789012345678")) == "1.23456789012345678");
  CHECK(FormatLongDouble(ld("1e300")).size() == 301);
  CHECK(FormatLongDouble(std::numeric_limits<long double>::max()).size() == 4933);
  CHECK(FormatLongDouble(std::numeric_limits<long double>::infinity()) == "inf");
  CHECK(FormatLongDouble(-std::numeric_limits<long double>::infinity()) == "-inf");
  CHECK(FormatLongDouble(std::numeric_limits<long double>::quiet_NaN()) == "nan");
}

}  // namespace
}  // namespace kevy
