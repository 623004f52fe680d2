// Unit tests for the RESP request parser: multibulk and inline requests fed whole and in
// every possible split, every protocol error with Redis 7's exact text, the limits, the
// inline quoting rules of sdssplitargs(), and the ownership rules of ArgList.
#include "resp/parser.h"

#include <catch2/catch.hpp>
#include <string>
#include <utility>
#include <vector>

#include "resp/errors.h"

namespace kevy {
namespace {

using Args = std::vector<std::string>;

Args ToVector(const ArgList& args) { return Args(args.begin(), args.end()); }

struct Parsed {
  ParseResult result;
  Args args;
};

Parsed Parse(std::string_view in, const ParserLimits& limits = {}) {
  ArgList args;
  Parsed p;
  p.result = ParseRequest(in, limits, &args);
  p.args = ToVector(args);
  return p;
}

void RequireError(std::string_view in, std::string_view text, const ParserLimits& limits = {}) {
  INFO("input: " << std::string(in.substr(0, 80)));
  Parsed p = Parse(in, limits);
  REQUIRE(p.result.status == ParseStatus::kError);
  CHECK(p.result.error == text);
  CHECK(p.args.empty());
}

void RequireIncomplete(std::string_view in, const ParserLimits& limits = {}) {
  INFO("input: " << std::string(in.substr(0, 80)));
  Parsed p = Parse(in, limits);
  REQUIRE(p.result.status == ParseStatus::kIncomplete);
  CHECK(p.args.empty());
}

void RequireOk(std::string_view in, const Args& expected, size_t consumed,
               const ParserLimits& limits = {}) {
  INFO("input: " << std::string(in.substr(0, 80)));
  Parsed p = Parse(in, limits);
  REQUIRE(p.result.status == ParseStatus::kOk);
  CHECK(p.result.consumed == consumed);
  CHECK(p.args == expected);
}

std::string Multibulk(const Args& args) {
  // append() rather than operator+ chains: g++ 12 warns falsely (-Wrestrict) on those.
  std::string s("*");
  s.append(std::to_string(args.size())).append("\r\n");
  for (const auto& a : args) {
    s.append("$").append(std::to_string(a.size())).append("\r\n").append(a).append("\r\n");
  }
  return s;
}

bool PointsInto(std::string_view part, std::string_view whole) {
  return part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size();
}

TEST_CASE("multibulk requests parse into views of the input", "[resp]") {
  std::string in = "*2\r\n$3\r\nGET\r\n$10\r\nkey:000123\r\n";
  ArgList args;
  ParseResult r = ParseRequest(in, {}, &args);
  REQUIRE(r.status == ParseStatus::kOk);
  CHECK(r.consumed == in.size());
  REQUIRE(ToVector(args) == Args{"GET", "key:000123"});
  for (std::string_view a : args) CHECK(PointsInto(a, in));

  // Only the first request of a buffer is parsed; the rest is left for the next call.
  std::string two = in + "*1\r\n$4\r\nPING\r\n";
  r = ParseRequest(two, {}, &args);
  REQUIRE(r.status == ParseStatus::kOk);
  CHECK(r.consumed == in.size());
  r = ParseRequest(std::string_view(two).substr(r.consumed), {}, &args);
  REQUIRE(r.status == ParseStatus::kOk);
  CHECK(ToVector(args) == Args{"PING"});
}

TEST_CASE("empty requests parse as kOk with no arguments", "[resp]") {
  RequireOk("*0\r\n", {}, 4);
  RequireOk("*-1\r\n", {}, 5);
  RequireOk("*-5\r\n*1\r\n$4\r\nPING\r\n", {}, 5);  // any negative count, as Redis
  RequireOk("\r\n", {}, 2);
  RequireOk("\n", {}, 1);
  RequireOk("   \t \r\nPING\r\n", {}, 7);
  RequireIncomplete("");
}

TEST_CASE("bulk payloads are binary safe", "[resp]") {
  std::string payload("a\r\nb\0c*2\r\n$3\r\n", 14);
  std::string in = Multibulk({"SET", "k", payload});
  RequireOk(in, {"SET", "k", payload}, in.size());
  RequireOk(Multibulk({"SET", "", ""}), {"SET", "", ""}, Multibulk({"SET", "", ""}).size());
}

TEST_CASE("Redis's lenient multibulk framing is kept", "[resp]") {
  // The byte after '\r' in a header is not checked to be '\n', and the two bytes after a
  // payload are skipped unchecked (Redis 7.0 accepts both).
  RequireOk("*1\rX$4\r\nPING\r\n", {"PING"}, 14);
  RequireOk("*1\r\n$4\r\nPINGXY*1\r\n", {"PING"}, 14);
  RequireOk("*1\r\n$4\rzPING\r\n", {"PING"}, 14);
}

// Feeds every prefix of a pipeline and checks that exactly the requests it contains whole
// are parsed, that the rest is incomplete (never an error), and that `need` is a true lower
// bound of the next request's size.
TEST_CASE("a pipeline parses identically at every split point", "[resp]") {
  const std::vector<Args> requests = {
      {"SET", "key:000123", std::string(64, 'v')},
      {"GET", "key:000123"},
      {"ECHO", std::string("bin\r\n\0ary", 10)},
      {"PING"},
      {"MSET", "a", "1", "b", std::string(300, 'x'), "c", ""},
  };
  std::string pipeline;
  std::vector<size_t> ends;
  std::vector<Args> expected;
  for (const auto& r : requests) {
    pipeline += Multibulk(r);
    ends.push_back(pipeline.size());
    expected.push_back(r);
  }
  // Inline requests and skipped empty lines in the same stream.
  pipeline += "SET k \"a b\\n\" 'c\\'d'\r\n";
  ends.push_back(pipeline.size());
  expected.push_back({"SET", "k", "a b\n", "c'd"});
  pipeline += "\r\n";
  ends.push_back(pipeline.size());
  expected.push_back({});
  pipeline += "*0\r\n";
  ends.push_back(pipeline.size());
  expected.push_back({});
  pipeline += "  PING  \n";
  ends.push_back(pipeline.size());
  expected.push_back({"PING"});
  pipeline += Multibulk({"GET", "last"});
  ends.push_back(pipeline.size());
  expected.push_back({"GET", "last"});

  ArgList args;  // reused across every call, as a connection does
  for (size_t k = 0; k <= pipeline.size(); ++k) {
    INFO("prefix length " << k);
    std::string_view avail(pipeline.data(), k);
    size_t pos = 0, idx = 0;
    while (true) {
      ParseResult r = ParseRequest(avail.substr(pos), {}, &args);
      if (r.status != ParseStatus::kOk) {
        REQUIRE(r.status == ParseStatus::kIncomplete);
        REQUIRE(idx < expected.size());
        CHECK(k < ends[idx]);
        if (r.need != 0) {
          CHECK(pos + r.need > k);
          CHECK(pos + r.need <= ends[idx]);
        }
        break;
      }
      REQUIRE(idx < expected.size());
      CHECK(ToVector(args) == expected[idx]);
      pos += r.consumed;
      CHECK(pos == ends[idx]);
      ++idx;
      if (pos == k) break;
    }
    // Every request that ends within the prefix was returned, and none beyond.
    size_t whole = 0;
    while (whole < ends.size() && ends[whole] <= k) ++whole;
    CHECK(idx == whole);
  }
}

TEST_CASE("a pipeline fed in chunks of every size yields the same requests", "[resp]") {
  std::string pipeline;
  std::vector<Args> expected;
  for (int i = 0; i < 20; ++i) {
    Args r = {"SET", "key:" + std::to_string(i), std::string(static_cast<size_t>(i * 7), 'a' + i)};
    pipeline += Multibulk(r);
    expected.push_back(r);
  }
  for (size_t chunk = 1; chunk <= 64; ++chunk) {
    INFO("chunk " << chunk);
    std::string buffer;  // what a connection holds: the unparsed tail plus new bytes
    std::vector<Args> got;
    ArgList args;
    for (size_t off = 0; off < pipeline.size(); off += chunk) {
      buffer.append(pipeline, off, chunk);
      size_t pos = 0;
      while (pos < buffer.size()) {
        ParseResult r = ParseRequest(std::string_view(buffer).substr(pos), {}, &args);
        REQUIRE(r.status != ParseStatus::kError);
        if (r.status == ParseStatus::kIncomplete) break;
        got.push_back(ToVector(args));
        pos += r.consumed;
      }
      buffer.erase(0, pos);
    }
    CHECK(buffer.empty());
    CHECK(got == expected);
  }
}

TEST_CASE("invalid multibulk counts", "[resp]") {
  const auto kErr = errors::kProtoInvalidMultibulk;
  RequireError("*abc\r\n", kErr);
  RequireError("*\r\n", kErr);
  RequireError("*+1\r\n$4\r\nPING\r\n", kErr);
  RequireError("*01\r\n", kErr);
  RequireError("*-0\r\n", kErr);
  RequireError("*-\r\n", kErr);
  RequireError("*1 \r\n", kErr);
  RequireError("* 1\r\n", kErr);
  RequireError("*99999999999999999999\r\n", kErr);    // overflows int64
  RequireError("*-9999999999999999999\r\n", kErr);    // below INT64_MIN
  RequireOk("*-9223372036854775808\r\n", {}, 23);     // INT64_MIN itself is a number
  RequireError("*1234567890123456789012\r\n", kErr);  // longer than string2ll reads
  RequireError("*2147483648\r\n", kErr);              // Redis 7: above INT_MAX
  RequireIncomplete("*2147483647\r\n");
  // The error is only known once the line is whole, as in Redis.
  RequireIncomplete("*abc");
  RequireIncomplete("*abc\r");

  ParserLimits limits;
  limits.max_multibulk_len = 1024 * 1024;
  RequireError("*1048577\r\n", kErr, limits);
  RequireIncomplete("*1048576\r\n", limits);
}

TEST_CASE("bulk headers must start with '$'", "[resp]") {
  RequireError("*1\r\n:4\r\nPING\r\n", "ERR Protocol error: expected '$', got ':'");
  RequireError("*2\r\n$4\r\nECHO\r\n+hi\r\n", "ERR Protocol error: expected '$', got '+'");
  RequireError("*1\r\nPING\r\n", "ERR Protocol error: expected '$', got 'P'");
  // An empty line: the char found is the '\r', which Redis prints as a space.
  RequireError("*1\r\n\r\n", "ERR Protocol error: expected '$', got ' '");
  RequireError("*1\r\n\n\r\n", "ERR Protocol error: expected '$', got ' '");
  RequireError("*1\r\n\xff\r\n", "ERR Protocol error: expected '$', got '\xff'");
  // Not reported before the header line is whole.
  RequireIncomplete("*1\r\n:");
  RequireIncomplete("*1\r\n:4\r");
}

TEST_CASE("invalid bulk lengths", "[resp]") {
  const auto kErr = errors::kProtoInvalidBulk;
  for (const char* len : {"-1", "-0", "+4", "04", "abc", "", "4 ", " 4", "1.5", "-",
                          "99999999999999999999", "123456789012345678901234567890"}) {
    RequireError(std::string("*1\r\n$") + len + "\r\nPING\r\n", kErr);
  }
  RequireError("*1\r\n$536870913\r\n", kErr);  // proto-max-bulk-len + 1
  std::string head = "*1\r\n$536870912\r\n";
  Parsed p = Parse(head);
  REQUIRE(p.result.status == ParseStatus::kIncomplete);
  CHECK(p.result.need == head.size() + 536870912 + 2);

  ParserLimits limits;
  limits.max_bulk_len = 10;
  RequireError(Multibulk({"SET", "k", std::string(11, 'x')}), kErr, limits);
  std::string ok = Multibulk({"SET", "k", std::string(10, 'x')});
  RequireOk(ok, {"SET", "k", std::string(10, 'x')}, ok.size(), limits);
  // The second argument's error is found after the first parsed fine.
  RequireError("*2\r\n$3\r\nGET\r\n$x\r\n", kErr);
}

TEST_CASE("header lines longer than 64KB without CR are refused", "[resp]") {
  // Redis's test: more than PROTO_INLINE_MAX_SIZE bytes from the line's start, no '\r'.
  std::string count = std::string("*").append(64 * 1024, '1');  // 65537 bytes
  RequireError(count, errors::kProtoTooBigMbulk);
  RequireIncomplete(count.substr(0, 64 * 1024));  // exactly 64KB: still waiting
  std::string bulk = "*1\r\n$" + std::string(64 * 1024, '1');
  RequireError(bulk, errors::kProtoTooBigBulk);
  RequireIncomplete(bulk.substr(0, bulk.size() - 1));
  // With the CR present the line is just an invalid number.
  RequireError(count + "\r\n", errors::kProtoInvalidMultibulk);
  RequireError(bulk + "\r\n", errors::kProtoInvalidBulk);

  ParserLimits limits;
  limits.max_inline_len = 16;
  RequireError("*1\r\n$11111111111111111", errors::kProtoTooBigBulk, limits);
}

TEST_CASE("unauthenticated connections get Redis 7's small limits", "[resp]") {
  ParserLimits limits;
  limits.auth_required = true;
  RequireError("*11\r\n", errors::kProtoUnauthMultibulk, limits);
  RequireIncomplete("*10\r\n", limits);
  RequireError("*1\r\n$16385\r\n", errors::kProtoUnauthBulk, limits);
  RequireIncomplete("*1\r\n$16384\r\n", limits);
  std::string auth = Multibulk({"AUTH", "secret"});
  RequireOk(auth, {"AUTH", "secret"}, auth.size(), limits);
  // The general limits still come first, with their own texts.
  RequireError("*1\r\n$536870913\r\n", errors::kProtoInvalidBulk, limits);
  RequireError("*2147483648\r\n", errors::kProtoInvalidMultibulk, limits);
}

TEST_CASE("a 20 MB bulk reports what it needs and parses without a copy", "[resp]") {
  const size_t kLen = 20 * 1024 * 1024;
  std::string head = "*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$" + std::to_string(kLen) + "\r\n";
  std::string in = head;
  in.append(kLen, 'z');
  in[head.size() + 12345] = '\r';  // binary content inside the payload
  in[head.size() + 12346] = '\n';
  in += "\r\n";
  for (size_t k : {head.size() - 1, head.size(), head.size() + 1, head.size() + 65536,
                   in.size() - 2, in.size() - 1}) {
    INFO("prefix " << k);
    Parsed p = Parse(std::string_view(in).substr(0, k));
    REQUIRE(p.result.status == ParseStatus::kIncomplete);
    if (k >= head.size()) CHECK(p.result.need == head.size() + kLen + 2);
  }
  ArgList args;
  ParseResult r = ParseRequest(in, {}, &args);
  REQUIRE(r.status == ParseStatus::kOk);
  CHECK(r.consumed == in.size());
  REQUIRE(args.size() == 3);
  CHECK(args[2].size() == kLen);
  CHECK(args[2].data() == in.data() + head.size());
}

TEST_CASE("inline requests split on blanks", "[resp]") {
  RequireOk("PING\r\n", {"PING"}, 6);
  RequireOk("PING\n", {"PING"}, 5);
  RequireOk("SET a b\r\nGET a\r\n", {"SET", "a", "b"}, 9);
  RequireOk("  SET \t a   b  \r\n", {"SET", "a", "b"}, 17);
  RequireOk("ECHO a\r\r\n", {"ECHO", "a"}, 9);  // only one '\r' is part of the terminator
  RequireOk("PING\rX\n", {"PING", "X"}, 7);     // a lone '\r' separates arguments
  // isspace() skips \v and \f between arguments, but only ' ', \t, \r, \n end one.
  RequireOk("ECHO \vx\r\n", {"ECHO", "x"}, 9);
  RequireOk("ECHO x\vy\fz\r\n", {"ECHO", "x\vy\fz"}, 12);
  RequireIncomplete("PIN");
  RequireIncomplete("SET a b\r");

  std::string in = "GET key:1\r\n";
  ArgList args;
  REQUIRE(ParseRequest(in, {}, &args).status == ParseStatus::kOk);
  for (std::string_view a : args) CHECK(PointsInto(a, in));  // no copy without quotes
}

TEST_CASE("inline quoting and escapes follow sdssplitargs", "[resp]") {
  RequireOk("ECHO \"a\\x41\\x4g\\z\\\"\"\r\n", {"ECHO", "aAx4gz\""}, 22);
  RequireOk("ECHO \"\\n\\r\\t\\b\\a\\\\\"\n", {"ECHO", "\n\r\t\b\a\\"}, 20);
  RequireOk("ECHO \"\\x00\\xfF\\x\"\n",
            {"ECHO", std::string("\0\xff"
                                 "x",
                                 3)},
            18);
  RequireOk("ECHO 'b\\'c\\n'\r\n", {"ECHO", "b'c\\n"}, 15);  // only \' in single quotes
  RequireOk("ECHO 'a\"b' \"c'd\"\n", {"ECHO", "a\"b", "c'd"}, 17);
  RequireOk("ECHO d\"e f\"\r\n", {"ECHO", "de f"}, 13);  // quote opens mid-argument
  RequireOk("ECHO x'y z'\n", {"ECHO", "xy z"}, 12);
  RequireOk("ECHO \"\" ''\n", {"ECHO", "", ""}, 11);
  RequireOk("ECHO \"a\"\v\r\n", {"ECHO", "a"}, 11);  // any isspace() may follow
  RequireOk("ECHO 'a'\f\r\n", {"ECHO", "a"}, 11);
  RequireOk("ECHO \"a b\"\tc\n", {"ECHO", "a b", "c"}, 13);
  RequireOk("\"SET\" \"k\" \"v\"\n", {"SET", "k", "v"}, 14);
  RequireOk("ECHO \"a\\\\\"\n", {"ECHO", "a\\"}, 11);

  const auto kErr = errors::kProtoUnbalancedQuotes;
  RequireError("ECHO \"ab\"c\r\n", kErr);
  RequireError("ECHO 'ab'c\r\n", kErr);
  RequireError("ECHO \"ab\r\n", kErr);
  RequireError("ECHO 'ab\r\n", kErr);
  RequireError("ECHO \"a\\\"\r\n", kErr);  // the escaped quote does not close
  RequireError("ECHO \"a\\\r\n", kErr);    // a backslash at the end of the line
  RequireError("ECHO \"\n", kErr);
}

TEST_CASE("a NUL byte ends an inline line as it ends sdssplitargs' C string", "[resp]") {
  RequireOk(std::string("ECHO a\0b c\r\nPING\r\n", 18), {"ECHO", "a"}, 12);
  RequireError(std::string("ECHO \"a\0b\"\r\n", 12), errors::kProtoUnbalancedQuotes);
}

TEST_CASE("inline lines longer than 64KB without a newline are refused", "[resp]") {
  std::string line(64 * 1024, 'a');
  RequireIncomplete(line);
  line += 'a';
  RequireError(line, errors::kProtoTooBigInline);
  // A longer line that is whole is accepted, as Redis only checks while waiting for '\n'.
  std::string whole = "ECHO " + std::string(100000, 'b') + "\r\n";
  RequireOk(whole, {"ECHO", std::string(100000, 'b')}, whole.size());
}

TEST_CASE("unescaped inline arguments keep stable addresses", "[resp]") {
  // Many short quoted arguments (small-string sized) and a long one: every view must still
  // read its own bytes after the whole line was split.
  std::string line = "MSET";
  Args expected = {"MSET"};
  for (int i = 0; i < 200; ++i) {
    line += " \"k" + std::to_string(i) + "\\n\" plain" + std::to_string(i);
    expected.push_back(std::string("k").append(std::to_string(i)).append("\n"));
    expected.push_back("plain" + std::to_string(i));
  }
  line += " '" + std::string(5000, 'q') + "'\r\n";
  expected.push_back(std::string(5000, 'q'));
  ArgList args;
  // Parse a short quoted line first so the owned buffer must grow for the second.
  REQUIRE(ParseRequest("ECHO \"x\"\n", {}, &args).status == ParseStatus::kOk);
  ParseResult r = ParseRequest(line, {}, &args);
  REQUIRE(r.status == ParseStatus::kOk);
  CHECK(ToVector(args) == expected);

  // The list survives a move, and is reusable for multibulk afterwards.
  ArgList moved = std::move(args);
  CHECK(ToVector(moved) == expected);
  std::string mb = Multibulk({"GET", "x"});
  REQUIRE(ParseRequest(mb, {}, &moved).status == ParseStatus::kOk);
  CHECK(ToVector(moved) == Args{"GET", "x"});
}

TEST_CASE("ArgList owned arguments keep stable addresses", "[resp]") {
  ArgList args;
  std::vector<std::string> expected;
  for (int i = 0; i < 1000; ++i) {
    if (i % 2) {
      std::string s = std::string("v").append(std::to_string(i));  // short: held inline
      args.push_back_owned(s);
      expected.push_back(s);
    } else {
      args.push_back("lit");
      expected.push_back("lit");
    }
  }
  CHECK(ToVector(args) == expected);
  ArgList moved = std::move(args);
  CHECK(ToVector(moved) == expected);
  moved.clear();
  CHECK(moved.empty());
}

TEST_CASE("a failed parse leaves the argument list empty", "[resp]") {
  ArgList args;
  args.push_back("stale");
  REQUIRE(ParseRequest("*2\r\n$3\r\nGET\r\n$1\r", {}, &args).status == ParseStatus::kIncomplete);
  CHECK(args.empty());
  REQUIRE(ParseRequest("*2\r\n$3\r\nGET\r\n:1\r\n", {}, &args).status == ParseStatus::kError);
  CHECK(args.empty());
}

}  // namespace
}  // namespace kevy
