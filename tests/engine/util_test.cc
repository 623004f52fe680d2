// Unit tests for engine/util: Redis's number parsing rules (string2ll, string2ld, strtod as
// getDoubleFromObject uses it), integer formatting, and stringmatchlen's glob semantics,
// including its quirks (an unterminated class, "*" against the empty string) and its
// protection against exponential patterns.
#include "engine/util.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

namespace kevy {
namespace {

using namespace std::string_literals;

bool Int(std::string_view s, int64_t* v) { return ParseInt64(s, v); }

TEST_CASE("util: ParseInt64 accepts exactly Redis's canonical integers", "[util]") {
  int64_t v = 7;
  struct Good {
    const char* in;
    int64_t out;
  };
  const Good good[] = {
      {"0", 0},
      {"1", 1},
      {"-1", -1},
      {"42", 42},
      {"1234567890", 1234567890},
      {"9223372036854775807", INT64_MAX},
      {"-9223372036854775808", INT64_MIN},
      {"-9223372036854775807", -INT64_MAX},
  };
  for (const Good& g : good) {
    INFO(g.in);
    REQUIRE(Int(g.in, &v));
    CHECK(v == g.out);
  }
  const char* bad[] = {
      "",
      "-",
      "+1",  // no plus sign
      "01",  // no leading zeros
      "00",
      "-0",  // string2ll refuses negative zero
      "-01",
      " 1",  // no spaces anywhere
      "1 ",
      "1 2",
      "\t1",
      "1a",
      "a1",
      "0x10",
      "1.0",
      "1e3",
      "9223372036854775808",   // INT64_MAX + 1
      "-9223372036854775809",  // INT64_MIN - 1
      "18446744073709551615",  // UINT64_MAX
      "18446744073709551616",
      "99999999999999999999",
      "123456789012345678901",  // 21 characters
  };
  for (const char* b : bad) {
    INFO("'" << b << "'");
    v = 7;
    CHECK_FALSE(Int(b, &v));
    CHECK(v == 7);  // untouched on failure
  }
  CHECK_FALSE(Int("1\0"s, &v));  // an embedded NUL is not the end of the number
  CHECK_FALSE(Int("\0"s, &v));
}

TEST_CASE("util: ParseInt64Range checks bounds inclusively", "[util]") {
  int64_t v = 0;
  CHECK(ParseInt64Range("5", 0, 5, &v));
  CHECK(v == 5);
  CHECK(ParseInt64Range("0", 0, 5, &v));
  CHECK(v == 0);
  v = 9;
  CHECK_FALSE(ParseInt64Range("6", 0, 5, &v));
  CHECK_FALSE(ParseInt64Range("-1", 0, 5, &v));
  CHECK_FALSE(ParseInt64Range("x", 0, 5, &v));
  CHECK(v == 9);
  CHECK(ParseInt64Range("-9223372036854775808", INT64_MIN, INT64_MAX, &v));
  CHECK(v == INT64_MIN);
}

TEST_CASE("util: ParseLongDouble follows string2ld", "[util]") {
  long double v = 0;
  REQUIRE(ParseLongDouble("1.5", &v));
  CHECK(v == 1.5L);
  REQUIRE(ParseLongDouble("-0.25", &v));
  CHECK(v == -0.25L);
  REQUIRE(ParseLongDouble("+3", &v));  // strtold's syntax: a plus sign is fine here
  CHECK(v == 3.0L);
  REQUIRE(ParseLongDouble("1e3", &v));
  CHECK(v == 1000.0L);
  REQUIRE(ParseLongDouble("0x10", &v));  // hex floats, as strtold reads them
  CHECK(v == 16.0L);
  REQUIRE(ParseLongDouble("10.", &v));
  CHECK(v == 10.0L);
  REQUIRE(ParseLongDouble(".5", &v));
  CHECK(v == 0.5L);
  REQUIRE(ParseLongDouble("inf", &v));  // INCRBYFLOAT rejects the infinite result later
  CHECK(std::isinf(v));
  REQUIRE(ParseLongDouble("1e4000", &v));  // fits a long double
  CHECK(v > 1e300L);

  for (const char* bad : {"", " 1", "1 ", "\t1", "abc", "1.5x", "nan", "-nan", "NaN", "1e99999",
                          "-1e99999", "1e-99999", "--1", "."}) {
    INFO("'" << bad << "'");
    v = 7;
    CHECK_FALSE(ParseLongDouble(bad, &v));
    CHECK(v == 7);
  }
  CHECK_FALSE(ParseLongDouble("1\0x"s, &v));  // redis-server: INCRBYFLOAT on "1\0x" fails
  CHECK_FALSE(ParseLongDouble("1\0"s, &v));
  CHECK_FALSE(ParseLongDouble(std::string(5120, '1'), &v));  // longer than Redis's buffer
  CHECK(ParseLongDouble(std::string(300, '1'), &v));
}

TEST_CASE("util: ParseDouble follows getDoubleFromObject", "[util]") {
  double v = 0;
  REQUIRE(ParseDouble("3.25", &v));
  CHECK(v == 3.25);
  REQUIRE(ParseDouble("-1e-3", &v));
  CHECK(v == -1e-3);
  REQUIRE(ParseDouble("inf", &v));
  CHECK((std::isinf(v) && v > 0));
  REQUIRE(ParseDouble("+inf", &v));
  CHECK((std::isinf(v) && v > 0));
  REQUIRE(ParseDouble("-inf", &v));
  CHECK((std::isinf(v) && v < 0));
  REQUIRE(ParseDouble("1.7976931348623157e308", &v));
  CHECK(v == std::numeric_limits<double>::max());

  for (const char* bad : {"", " 1", "1 ", "x", "1x", "nan", "1e400", "-1e400", "1e-400"}) {
    INFO("'" << bad << "'");
    v = 7;
    CHECK_FALSE(ParseDouble(bad, &v));
    CHECK(v == 7);
  }
  // Redis compares the parsed length with the string's: bytes after a NUL are junk.
  CHECK_FALSE(ParseDouble("1\0x"s, &v));
  CHECK_FALSE(ParseDouble("1\0"s, &v));
}

TEST_CASE("util: FormatInt64 and Int64ToString", "[util]") {
  char buf[24];
  CHECK(std::string(buf, FormatInt64(0, buf)) == "0");
  CHECK(std::string(buf, FormatInt64(-7, buf)) == "-7");
  CHECK(std::string(buf, FormatInt64(INT64_MAX, buf)) == "9223372036854775807");
  CHECK(std::string(buf, FormatInt64(INT64_MIN, buf)) == "-9223372036854775808");
  CHECK(Int64ToString(1234567890123LL) == "1234567890123");
  // Round trip through the parser over a spread of values.
  for (int64_t x : {INT64_MIN, INT64_MIN + 1, int64_t{-1000000}, int64_t{-1}, int64_t{0},
                    int64_t{9}, int64_t{10}, INT64_MAX - 1, INT64_MAX}) {
    int64_t back = 0;
    REQUIRE(ParseInt64(Int64ToString(x), &back));
    CHECK(back == x);
  }
}

TEST_CASE("util: StringMatch globs as Redis's stringmatchlen", "[util]") {
  struct Case {
    std::string pattern, str;
    bool match;
  };
  const Case cases[] = {
      // literals and *
      {"hello", "hello", true},
      {"hello", "hell", false},
      {"hello", "helloo", false},
      {"*", "anything", true},
      {"*", "", false},  // Redis's loop never runs on an empty string: no match
      {"**", "", false},
      {"", "", true},
      {"", "a", false},
      {"h*o", "hello", true},
      {"h*o", "ho", true},
      {"h*o", "hellox", false},
      {"*llo", "hello", true},
      {"hel*", "hel", true},
      {"hel**", "hel", true},
      {"a*b*c", "aXXbYYc", true},
      {"a*b*c", "aXXbYY", false},
      {"*a*", "bab", true},
      // ?
      {"h?llo", "hello", true},
      {"h?llo", "hllo", false},
      {"h?llo", "heello", false},
      {"???", "abc", true},
      {"?", "", false},
      // classes
      {"h[ae]llo", "hello", true},
      {"h[ae]llo", "hallo", true},
      {"h[ae]llo", "hillo", false},
      {"h[^e]llo", "hallo", true},
      {"h[^e]llo", "hello", false},
      {"h[a-c]llo", "hbllo", true},
      {"h[a-c]llo", "hdllo", false},
      {"h[c-a]llo", "hbllo", true},  // reversed ranges are swapped
      {"h[^a-c]llo", "hdllo", true},
      {"h[^a-c]llo", "hbllo", false},
      {"[a-]", "a", true},  // "a-]" reads as the range a..']' (swapped: ']'..a), then the
      {"[a-]", "^", true},  // class is unterminated -- Redis's quirk, kept
      {"[a-]", "-", false},
      {"[]]", "]", false},  // an empty class closes at once, then ']' is literal...
      {"[]]", "]]", false},
      {"[\\]]", "]", true},  // ...so escape a ']' to put it in a class
      {"[\\-]", "-", true},
      {"[abc", "b", true},  // an unterminated class ends at the pattern's end
      {"[abc", "d", false},
      {"x[", "x", false},
      // escapes
      {"h\\*llo", "h*llo", true},
      {"h\\*llo", "hello", false},
      {"h\\?llo", "h?llo", true},
      {"h\\?llo", "hello", false},
      {"\\[a]", "[a]", true},
      {"a\\", "a\\", true},  // a trailing backslash is literal
      {"a\\", "a", false},
      // bytes
      {"a\0b"s, "a\0b"s, true},
      {"a?b", "a\0b"s, true},
      {"a*", "a\0\xff"s, true},
  };
  for (const Case& c : cases) {
    INFO("pattern '" << c.pattern << "' string '" << c.str << "'");
    CHECK(StringMatch(c.pattern, c.str) == c.match);
  }
}

TEST_CASE("util: StringMatch nocase", "[util]") {
  CHECK(StringMatch("HELLO", "hello", true));
  CHECK_FALSE(StringMatch("HELLO", "hello", false));
  CHECK(StringMatch("h*O", "HellO", true));
  CHECK(StringMatch("[A-C]x", "bX", true));
  CHECK_FALSE(StringMatch("[A-C]x", "bX", false));
  CHECK(StringMatch("[^A]", "b", true));
  CHECK_FALSE(StringMatch("[^A]", "a", true));
  CHECK(StringMatch("[XY]", "y", true));
  CHECK(StringMatch("\\A", "a", true));
}

TEST_CASE("util: StringMatch ranges compare signed chars, as Redis does", "[util]") {
  // Redis reads range ends through a plain (signed) char: "[a-\xff]" is the range -1..'a',
  // which holds no byte >= 0x80 and every byte up to 'a'.
  CHECK_FALSE(StringMatch("[a-\xff]b"s,
                          "\xc3"
                          "b"s));
  CHECK(StringMatch("[a-\xff]b"s, "Ab"s));
  CHECK(StringMatch("[\x80-\xff]b"s,
                    "\xc3"
                    "b"s));
  CHECK_FALSE(StringMatch("[\x80-\xff]b"s, "ab"s));
}

TEST_CASE("util: StringMatch gives up early on patterns that cannot match", "[util]") {
  // Without Redis's skip-longer-matches rule this pattern takes exponential time
  // (CVE-2022-36021); with it, the answer is immediate.
  std::string pattern;
  for (int i = 0; i < 40; ++i) pattern += "*a";
  pattern += "*b";
  std::string str(200, 'a');
  CHECK_FALSE(StringMatch(pattern, str));
  CHECK(StringMatch(pattern, str + "b"));
  // Deeply nested stars stop at Redis's nesting limit instead of exhausting the stack.
  std::string deep;
  for (int i = 0; i < 5000; ++i) deep += "*x";
  CHECK_FALSE(StringMatch(deep, std::string(6000, 'x') + "y"));
}

TEST_CASE("util: EqualsNoCase", "[util]") {
  CHECK(EqualsNoCase("GeT", "get"));
  CHECK(EqualsNoCase("", ""));
  CHECK_FALSE(EqualsNoCase("get", "gets"));
  CHECK_FALSE(EqualsNoCase("get", "gex"));
}

}  // namespace
}  // namespace kevy
