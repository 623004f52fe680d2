// Tests of the sorted-set commands (engine/commands/zset_family.cc) and their container
// (engine/types/zset.h) on the in-process engine: replies and error texts as Redis 7.0 gives
// them (checked against redis-server), range parsing edge cases, negative indexes, exclusive
// bounds, infinite scores, RESP3 shapes, encodings and their conversion boundaries, ZSCAN's
// guarantee across changes, and a randomized differential test of the listpack and skiplist
// forms (ranks, ranges, ordered contents) against a std::map/std::set model.
#include <catch2/catch.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "engine/shard.h"
#include "engine/types/zset.h"
#include "tests/support/test_engine.h"

namespace kevy::test {
namespace {

std::string Err(const std::string& msg) { return "(error) " + msg; }
const char* const kNil = "(nil)";
const char* const kNotFloat = "(error) ERR value is not a valid float";
const char* const kMinMaxFloat = "(error) ERR min or max is not a float";
const char* const kMinMaxLex = "(error) ERR min or max not valid string range item";

std::string Enc(TestEngine& e, const std::string& key) {
  return S(e.Run({"OBJECT", "ENCODING", key}));
}

TEST_CASE("ZADD options, errors and replies", "[zset]") {
  TestEngine e(2);
  CHECK(S(e.Run({"ZADD", "z", "1", "a", "2", "b", "3", "c"})) == Int(3));
  CHECK(S(e.Run({"ZADD", "z", "1", "a", "5", "d"})) == Int(1));
  CHECK(S(e.Run({"ZADD", "z", "CH", "10", "a", "5", "d", "6", "e"})) == Int(2));
  CHECK(S(e.Run({"ZADD", "z", "NX", "100", "a", "7", "f"})) == Int(1));
  CHECK(S(e.Run({"ZSCORE", "z", "a"})) == "\"10\"");
  CHECK(S(e.Run({"ZADD", "z", "XX", "CH", "11", "a", "8", "nope"})) == Int(1));
  CHECK(S(e.Run({"ZSCORE", "z", "nope"})) == kNil);
  CHECK(S(e.Run({"ZADD", "z", "GT", "CH", "1", "a", "12", "b"})) == Int(1));
  CHECK(S(e.Run({"ZSCORE", "z", "a"})) == "\"11\"");
  CHECK(S(e.Run({"ZSCORE", "z", "b"})) == "\"12\"");
  CHECK(S(e.Run({"ZADD", "z", "LT", "CH", "20", "a", "0", "b", "1", "new"})) == Int(2));
  CHECK(S(e.Run({"ZSCORE", "z", "a"})) == "\"11\"");
  CHECK(S(e.Run({"ZSCORE", "z", "b"})) == "\"0\"");

  // INCR: the new score, or nil when a condition blocked it.
  CHECK(S(e.Run({"ZADD", "z", "INCR", "1.5", "a"})) == "\"12.5\"");
  CHECK(S(e.Run({"ZADD", "z", "NX", "INCR", "1", "a"})) == kNil);
  CHECK(S(e.Run({"ZADD", "z", "GT", "INCR", "-1", "a"})) == kNil);
  CHECK(S(e.Run({"ZADD", "z", "XX", "INCR", "1", "missing"})) == kNil);
  CHECK(S(e.Run({"ZINCRBY", "z", "2", "a"})) == "\"14.5\"");
  CHECK(S(e.Run({"ZINCRBY", "z", "x", "a"})) == kNotFloat);
  CHECK(S(e.Run({"ZADD", "z", "INCR", "inf", "a"})) == "\"inf\"");
  CHECK(S(e.Run({"ZADD", "z", "INCR", "-inf", "a"})) ==
        Err("ERR resulting score is not a number (NaN)"));

  CHECK(S(e.Run({"ZADD", "z", "XX", "NX", "1", "a"})) ==
        Err("ERR XX and NX options at the same time are not compatible"));
  CHECK(S(e.Run({"ZADD", "z", "NX", "GT", "1", "a"})) ==
        Err("ERR GT, LT, and/or NX options at the same time are not compatible"));
  CHECK(S(e.Run({"ZADD", "z", "GT", "LT", "1", "a"})) ==
        Err("ERR GT, LT, and/or NX options at the same time are not compatible"));
  CHECK(S(e.Run({"ZADD", "z", "INCR", "1", "a", "2", "b"})) ==
        Err("ERR INCR option supports a single increment-element pair"));
  CHECK(S(e.Run({"ZADD", "z", "1", "a", "2"})) == kSyntax);
  CHECK(S(e.Run({"ZADD", "z", "NX", "XX"})) == kSyntax);
  CHECK(S(e.Run({"ZADD", "z", "nan", "a"})) == kNotFloat);
  CHECK(S(e.Run({"ZADD", "z", " 1", "a"})) == kNotFloat);
  CHECK(S(e.Run({"ZADD", "z", "1x", "a"})) == kNotFloat);
  CHECK(S(e.Run({"ZADD", "z2", "1", "a", "bad", "b"})) == kNotFloat);
  CHECK(S(e.Run({"EXISTS", "z2"})) == Int(0));  // nothing created on a parse error
  CHECK(S(e.Run({"ZADD", "z", "1"})) ==
        Err("ERR wrong number of arguments for 'zadd' command"));
  CHECK(S(e.Run({"ZADD", "z3", "XX", "1", "a"})) == Int(0));
  CHECK(S(e.Run({"EXISTS", "z3"})) == Int(0));
  CHECK(S(e.Run({"ZADD", "z", "0x10", "hex"})) == Int(1));
  CHECK(S(e.Run({"ZSCORE", "z", "hex"})) == "\"16\"");

  e.Run({"SET", "s", "v"});
  CHECK(S(e.Run({"ZADD", "s", "1", "a"})) == kWrongType);
  CHECK(S(e.Run({"ZSCORE", "s", "a"})) == kWrongType);
  CHECK(S(e.Run({"ZRANGE", "s", "0", "-1"})) == kWrongType);
  CHECK(S(e.Run({"ZCARD", "s"})) == kWrongType);
  CHECK(S(e.Run({"TYPE", "z"})) == "zset");
}

TEST_CASE("ZSCORE ZMSCORE ZCARD ZRANK ZREVRANK ZREM", "[zset]") {
  TestEngine e(2);
  e.Run({"ZADD", "z", "1", "a", "2", "b", "2", "c", "-inf", "m", "+inf", "p"});
  CHECK(S(e.Run({"ZCARD", "z"})) == Int(5));
  CHECK(S(e.Run({"ZCARD", "none"})) == Int(0));
  CHECK(S(e.Run({"ZSCORE", "z", "m"})) == "\"-inf\"");
  CHECK(S(e.Run({"ZMSCORE", "z", "a", "x", "p"})) == "[\"1\", (nil), \"inf\"]");
  CHECK(S(e.Run({"ZMSCORE", "none", "a"})) == "[(nil)]");
  CHECK(S(e.Run({"ZRANK", "z", "m"})) == Int(0));
  CHECK(S(e.Run({"ZRANK", "z", "c"})) == Int(3));
  CHECK(S(e.Run({"ZREVRANK", "z", "c"})) == Int(1));
  CHECK(S(e.Run({"ZRANK", "z", "zz"})) == kNil);
  CHECK(S(e.Run({"ZRANK", "none", "zz"})) == kNil);
  CHECK(S(e.Run({"ZREM", "z", "a", "zz", "b"})) == Int(2));
  CHECK(S(e.Run({"ZREM", "z", "m", "p", "c"})) == Int(3));
  CHECK(S(e.Run({"EXISTS", "z"})) == Int(0));  // emptied key deleted
  CHECK(S(e.Run({"ZREM", "z", "a"})) == Int(0));
}

TEST_CASE("ZRANGE by rank, score and lex; old forms; errors", "[zset]") {
  TestEngine e(2);
  e.Run({"ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e"});
  CHECK(S(e.Run({"ZRANGE", "z", "0", "-1"})) == "[\"a\", \"b\", \"c\", \"d\", \"e\"]");
  CHECK(S(e.Run({"ZRANGE", "z", "-2", "-1"})) == "[\"d\", \"e\"]");
  CHECK(S(e.Run({"ZRANGE", "z", "-100", "1"})) == "[\"a\", \"b\"]");
  CHECK(S(e.Run({"ZRANGE", "z", "3", "100"})) == "[\"d\", \"e\"]");
  CHECK(S(e.Run({"ZRANGE", "z", "3", "2"})) == "[]");
  CHECK(S(e.Run({"ZRANGE", "z", "5", "10"})) == "[]");
  CHECK(S(e.Run({"ZRANGE", "z", "0", "1", "REV", "WITHSCORES"})) ==
        "[\"e\", \"5\", \"d\", \"4\"]");
  CHECK(S(e.Run({"ZREVRANGE", "z", "-2", "-1"})) == "[\"b\", \"a\"]");
  CHECK(S(e.Run({"ZRANGE", "none", "0", "-1"})) == "[]");

  CHECK(S(e.Run({"ZRANGE", "z", "(1", "3", "BYSCORE"})) == "[\"b\", \"c\"]");
  CHECK(S(e.Run({"ZRANGE", "z", "(1", "(3", "BYSCORE"})) == "[\"b\"]");
  CHECK(S(e.Run({"ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", "1", "2"})) ==
        "[\"b\", \"c\"]");
  CHECK(S(e.Run({"ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", "-1", "2"})) == "[]");
  CHECK(S(e.Run({"ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", "3", "-1"})) ==
        "[\"d\", \"e\"]");
  CHECK(S(e.Run({"ZRANGE", "z", "4", "(2", "BYSCORE", "REV"})) == "[\"d\", \"c\"]");
  CHECK(S(e.Run({"ZRANGEBYSCORE", "z", "2", "4", "WITHSCORES", "LIMIT", "1", "1"})) ==
        "[\"c\", \"3\"]");
  CHECK(S(e.Run({"ZREVRANGEBYSCORE", "z", "+inf", "4.5"})) == "[\"e\"]");
  CHECK(S(e.Run({"ZRANGEBYSCORE", "z", "(1.5", "2.5"})) == "[\"b\"]");
  CHECK(S(e.Run({"ZRANGEBYSCORE", "z", "3", "3"})) == "[\"c\"]");
  CHECK(S(e.Run({"ZRANGEBYSCORE", "z", "(3", "3"})) == "[]");
  CHECK(S(e.Run({"ZRANGEBYSCORE", "z", "5", "1"})) == "[]");
  CHECK(S(e.Run({"ZRANGEBYSCORE", "z", "x", "1"})) == kMinMaxFloat);
  CHECK(S(e.Run({"ZRANGEBYSCORE", "z", "(", "1"})) == "[\"a\"]");  // "(" is Redis's "(0"
  CHECK(S(e.Run({"ZRANGEBYSCORE", "z", "", "(2"})) == "[\"a\"]");
  CHECK(S(e.Run({"ZRANGEBYSCORE", "z", "1", "nan"})) == kMinMaxFloat);
  CHECK(S(e.Run({"ZCOUNT", "z", "(1", "+inf"})) == Int(4));
  CHECK(S(e.Run({"ZCOUNT", "z", " 1", "2"})) == Int(2));  // strtod takes leading spaces here
  CHECK(S(e.Run({"ZCOUNT", "z", "-inf", "(1"})) == Int(0));
  CHECK(S(e.Run({"ZCOUNT", "z", "a", "1"})) == kMinMaxFloat);
  CHECK(S(e.Run({"ZCOUNT", "none", "1", "2"})) == Int(0));

  CHECK(S(e.Run({"ZRANGE", "z", "0", "1", "LIMIT", "0", "1"})) ==
        Err("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or "
            "BYLEX"));
  CHECK(S(e.Run({"ZRANGE", "z", "-", "+", "BYLEX", "WITHSCORES"})) ==
        Err("ERR syntax error, WITHSCORES not supported in combination with BYLEX"));
  CHECK(S(e.Run({"ZRANGE", "z", "0", "1", "BYSCORE", "BYLEX"})) == kSyntax);
  CHECK(S(e.Run({"ZRANGE", "z", "0", "1", "REV", "REV"})) == kSyntax);
  CHECK(S(e.Run({"ZRANGE", "z", "0", "1", "LIMIT", "1"})) == kSyntax);
  CHECK(S(e.Run({"ZRANGEBYSCORE", "z", "0", "1", "REV"})) == kSyntax);
  CHECK(S(e.Run({"ZRANGE", "z", "a", "1"})) == kNotInt);
  CHECK(S(e.Run({"ZRANGE", "z", "0", "1", "BYSCORE", "LIMIT", "x", "1"})) == kNotInt);

  TestEngine f(2);
  f.Run({"ZADD", "l", "0", "a", "0", "b", "0", "c", "0", "d", "0", "e"});
  CHECK(S(f.Run({"ZRANGEBYLEX", "l", "-", "+"})) == "[\"a\", \"b\", \"c\", \"d\", \"e\"]");
  CHECK(S(f.Run({"ZRANGEBYLEX", "l", "[b", "(d"})) == "[\"b\", \"c\"]");
  CHECK(S(f.Run({"ZRANGEBYLEX", "l", "(b", "[d"})) == "[\"c\", \"d\"]");
  CHECK(S(f.Run({"ZRANGEBYLEX", "l", "-", "[c", "LIMIT", "1", "5"})) == "[\"b\", \"c\"]");
  CHECK(S(f.Run({"ZREVRANGEBYLEX", "l", "+", "(c"})) == "[\"e\", \"d\"]");
  CHECK(S(f.Run({"ZRANGE", "l", "[d", "-", "BYLEX", "REV"})) == "[\"d\", \"c\", \"b\", \"a\"]");
  CHECK(S(f.Run({"ZRANGEBYLEX", "l", "+", "-"})) == "[]");
  CHECK(S(f.Run({"ZRANGEBYLEX", "l", "[d", "[b"})) == "[]");
  CHECK(S(f.Run({"ZRANGEBYLEX", "l", "b", "[d"})) == kMinMaxLex);
  CHECK(S(f.Run({"ZRANGEBYLEX", "l", "[b", "++"})) == kMinMaxLex);
  CHECK(S(f.Run({"ZRANGEBYLEX", "l", "", "+"})) == kMinMaxLex);
  CHECK(S(f.Run({"ZLEXCOUNT", "l", "[b", "[d"})) == Int(3));
  CHECK(S(f.Run({"ZLEXCOUNT", "l", "(a", "+"})) == Int(4));
  CHECK(S(f.Run({"ZLEXCOUNT", "l", "(e", "+"})) == Int(0));
  CHECK(S(f.Run({"ZLEXCOUNT", "l", "x", "+"})) == kMinMaxLex);
  CHECK(S(f.Run({"ZLEXCOUNT", "none", "-", "+"})) == Int(0));
}

TEST_CASE("RESP3 shapes of scores and pairs", "[zset]") {
  TestEngine e(2);
  e.Run({"HELLO", "3"});
  e.Run({"ZADD", "z", "1", "a", "2.5", "b", "3", "c", "4", "d"});
  CHECK(S(e.Run({"ZSCORE", "z", "b"})) == "(double) 2.5");
  CHECK(S(e.Run({"ZRANGE", "z", "0", "1", "WITHSCORES"})) ==
        "[[\"a\", (double) 1], [\"b\", (double) 2.5]]");
  CHECK(S(e.Run({"ZPOPMIN", "z"})) == "[\"a\", (double) 1]");
  CHECK(S(e.Run({"ZPOPMIN", "z", "1"})) == "[[\"b\", (double) 2.5]]");
  CHECK(S(e.Run({"ZRANDMEMBER", "z", "-1", "WITHSCORES"})).rfind("[[\"", 0) == 0);
  CHECK(S(e.Run({"ZMSCORE", "z", "c", "x"})) == "[(double) 3, (nil)]");
  CHECK(S(e.Run({"ZINCRBY", "z", "1", "c"})) == "(double) 4");
}

TEST_CASE("ZREMRANGEBY*, ZPOPMIN/MAX, ZRANDMEMBER, ZSCAN", "[zset]") {
  TestEngine e(2);
  e.Run({"ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e"});
  CHECK(S(e.Run({"ZREMRANGEBYRANK", "z", "-2", "-1"})) == Int(2));
  CHECK(S(e.Run({"ZRANGE", "z", "0", "-1"})) == "[\"a\", \"b\", \"c\"]");
  CHECK(S(e.Run({"ZREMRANGEBYRANK", "z", "5", "9"})) == Int(0));
  CHECK(S(e.Run({"ZREMRANGEBYRANK", "z", "x", "9"})) == kNotInt);
  CHECK(S(e.Run({"ZREMRANGEBYSCORE", "z", "(1", "2"})) == Int(1));
  CHECK(S(e.Run({"ZREMRANGEBYSCORE", "z", "x", "2"})) == kMinMaxFloat);
  CHECK(S(e.Run({"ZREMRANGEBYSCORE", "z", "-inf", "+inf"})) == Int(2));
  CHECK(S(e.Run({"EXISTS", "z"})) == Int(0));

  e.Run({"ZADD", "l", "0", "a", "0", "b", "0", "c", "0", "d"});
  CHECK(S(e.Run({"ZREMRANGEBYLEX", "l", "(a", "[c"})) == Int(2));
  CHECK(S(e.Run({"ZREMRANGEBYLEX", "l", "a", "[c"})) == kMinMaxLex);
  CHECK(S(e.Run({"ZRANGE", "l", "0", "-1"})) == "[\"a\", \"d\"]");

  e.Run({"ZADD", "p", "1", "a", "2", "b", "3", "c", "4", "d"});
  CHECK(S(e.Run({"ZPOPMIN", "p"})) == "[\"a\", \"1\"]");
  CHECK(S(e.Run({"ZPOPMAX", "p", "2"})) == "[\"d\", \"4\", \"c\", \"3\"]");
  CHECK(S(e.Run({"ZPOPMAX", "p", "0"})) == "[]");
  CHECK(S(e.Run({"ZPOPMAX", "p", "-1"})) == Err("ERR value is out of range, must be positive"));
  CHECK(S(e.Run({"ZPOPMAX", "p", "1", "x"})) == kSyntax);
  CHECK(S(e.Run({"ZPOPMIN", "p", "10"})) == "[\"b\", \"2\"]");
  CHECK(S(e.Run({"EXISTS", "p"})) == Int(0));
  CHECK(S(e.Run({"ZPOPMIN", "p"})) == "[]");

  e.Run({"ZADD", "r", "1", "a", "2", "b", "3", "c"});
  CHECK(S(e.Run({"ZRANDMEMBER", "none"})) == kNil);
  CHECK(S(e.Run({"ZRANDMEMBER", "none", "3"})) == "[]");
  CHECK(S(e.Run({"ZRANDMEMBER", "r", "0"})) == "[]");
  CHECK(S(e.Run({"ZRANDMEMBER", "r", "10", "WITHSCORES"})) ==
        "[\"a\", \"1\", \"b\", \"2\", \"c\", \"3\"]");
  CHECK(e.Run({"ZRANDMEMBER", "r", "-7"}).elems.size() == 7);
  RespValue two = e.Run({"ZRANDMEMBER", "r", "2"});
  REQUIRE(two.elems.size() == 2);
  CHECK(two.elems[0].str != two.elems[1].str);
  CHECK(S(e.Run({"ZRANDMEMBER", "r", "1", "2"})) == kSyntax);
  CHECK(S(e.Run({"ZRANDMEMBER", "r", "-9223372036854775808"})) ==
        Err("ERR value is out of range, value must between -9223372036854775807 and "
            "9223372036854775807"));
  CHECK(S(e.Run({"ZRANDMEMBER", "r", "-9223372036854775807", "WITHSCORES"})) ==
        Err("ERR value is out of range"));

  CHECK(S(e.Run({"ZSCAN", "r", "0"})) == "[\"0\", [\"a\", \"1\", \"b\", \"2\", \"c\", \"3\"]]");
  CHECK(S(e.Run({"ZSCAN", "r", "0", "MATCH", "b*"})) == "[\"0\", [\"b\", \"2\"]]");
  CHECK(S(e.Run({"ZSCAN", "r", "0", "COUNT", "0"})) == kSyntax);
  CHECK(S(e.Run({"ZSCAN", "r", "x"})) == Err("ERR invalid cursor"));
  // The key is looked up before the options are parsed; a missing key is an empty scan.
  CHECK(S(e.Run({"ZSCAN", "nokey", "0", "COUNT"})) == "[\"0\", []]");
  CHECK(S(e.Run({"ZSCAN", "nokey", "-1"})) == "[\"0\", []]");
  CHECK(S(e.Run({"ZPOPMIN", "r", "x"})) == Err("ERR value is out of range, must be positive"));
  // A skiplist is scanned in steps; every member comes back once over a full iteration.
  for (int i = 0; i < 300; ++i) e.Run({"ZADD", "big", std::to_string(i), "m" + std::to_string(i)});
  std::set<std::string> seen;
  std::string cursor = "0";
  int calls = 0;
  do {
    RespValue r = e.Run({"ZSCAN", "big", cursor, "COUNT", "50"});
    cursor = r.elems[0].str;
    for (size_t i = 0; i < r.elems[1].elems.size(); i += 2) seen.insert(r.elems[1].elems[i].str);
    ++calls;
  } while (cursor != "0" && calls < 100);
  CHECK(seen.size() == 300);
  CHECK(calls > 1);
}

TEST_CASE("encodings follow zset-max-listpack-entries/value, no conversion back", "[zset]") {
  TestEngine e(2);
  for (int i = 0; i < 128; ++i) e.Run({"ZADD", "z", std::to_string(i), "m" + std::to_string(i)});
  CHECK(Enc(e, "z") == "\"listpack\"");
  e.Run({"ZADD", "z", "1000", "one-more"});
  CHECK(Enc(e, "z") == "\"skiplist\"");
  e.Run({"ZREMRANGEBYRANK", "z", "0", "-3"});
  CHECK(S(e.Run({"ZCARD", "z"})) == Int(2));
  CHECK(Enc(e, "z") == "\"skiplist\"");

  e.Run({"ZADD", "v", "1", std::string(64, 'x')});
  CHECK(Enc(e, "v") == "\"listpack\"");
  e.Run({"ZADD", "v", "2", std::string(65, 'y')});
  CHECK(Enc(e, "v") == "\"skiplist\"");
  e.Run({"ZADD", "w", "2", std::string(65, 'y')});
  CHECK(Enc(e, "w") == "\"skiplist\"");

  e.Run({"CONFIG", "SET", "zset-max-listpack-entries", "0"});
  e.Run({"ZADD", "q", "1", "a"});
  CHECK(Enc(e, "q") == "\"skiplist\"");
}

// One whole ZSCAN (COUNT `count`), calling between() after every call; returns the members
// seen and the number of calls.
std::set<std::string> ZScanAll(TestEngine& e, const std::string& key, const std::string& count,
                               int* calls, const std::function<void(int)>& between) {
  std::set<std::string> got;
  std::string cursor = "0";
  *calls = 0;
  do {
    RespValue r = e.Run({"ZSCAN", key, cursor, "COUNT", count});
    REQUIRE(r.elems.size() == 2);
    cursor = r.elems[0].str;
    for (size_t i = 0; i < r.elems[1].elems.size(); i += 2) got.insert(r.elems[1].elems[i].str);
    between((*calls)++);
    REQUIRE(*calls < 100000);
  } while (cursor != "0");
  return got;
}

TEST_CASE("ZSCAN on a skiplist returns every member present for the whole scan", "[zset]") {
  TestEngine e(2);
  std::set<std::string> stable;
  for (int i = 0; i < 500; ++i) {
    std::string m = "s" + std::to_string(i);
    e.Run({"ZADD", "z", std::to_string(i % 7), m});
    stable.insert(m);
  }
  for (int i = 0; i < 300; ++i) e.Run({"ZADD", "z", "1", "v" + std::to_string(i)});
  REQUIRE(Enc(e, "z") == "\"skiplist\"");
  int calls = 0;
  // Unmodified: exactly the members, incrementally.
  auto all = ZScanAll(e, "z", "10", &calls, [](int) {});
  CHECK(all.size() == 800);
  CHECK(calls > 10);

  // Growth between calls (the dict doubles several times) plus removals of other members,
  // and score changes of stable ones (which move them in the skiplist, not in the dict).
  auto got = ZScanAll(e, "z", "5", &calls, [&](int step) {
    for (int j = 0; j < 40; ++j)
      e.Run({"ZADD", "z", "3", "g" + std::to_string(step) + ":" + std::to_string(j)});
    if (step < 300) e.Run({"ZREM", "z", "v" + std::to_string(step)});
    e.Run({"ZINCRBY", "z", "1", "s" + std::to_string(step % 500)});
  });
  for (const auto& m : stable) {
    INFO(m);
    CHECK(got.count(m) == 1);
  }

  // Shrinking between calls: nearly everything but the stable members goes.
  got = ZScanAll(e, "z", "20", &calls, [&](int step) {
    if (step == 1) {
      e.Run({"ZREMRANGEBYSCORE", "z", "-inf", "+inf"});
      for (const auto& m : stable) e.Run({"ZADD", "z", "0", m});
    }
    if (step == 2) {
      RespValue r = e.Run({"ZRANGE", "z", "0", "-1"});
      for (const auto& el : r.elems)
        if (!stable.count(el.str)) e.Run({"ZREM", "z", el.str});
    }
  });
  for (const auto& m : stable) {
    INFO(m);
    CHECK(got.count(m) == 1);
  }
  CHECK(S(e.Run({"ZCARD", "z"})) == Int(500));

  // A listpack is answered whole, with cursor 0.
  e.Run({"ZADD", "small", "1", "a", "2", "b"});
  CHECK(S(e.Run({"ZSCAN", "small", "0", "COUNT", "1"})) ==
        "[\"0\", [\"a\", \"1\", \"b\", \"2\"]]");
}

TEST_CASE("zset conversion boundaries: in one command, empty and binary members, *STORE",
          "[zset]") {
  TestEngine e(2);
  CHECK(S(e.Run({"CONFIG", "SET", "zset-max-listpack-entries", "4"})) == "OK");
  CHECK(S(e.Run({"CONFIG", "SET", "zset-max-listpack-value", "8"})) == "OK");
  // Exactly 4 in one ZADD stays; 5 in one ZADD converts.
  e.Run({"ZADD", "a", "1", "m1", "2", "m2", "3", "m3", "4", "m4"});
  CHECK(Enc(e, "a") == "\"listpack\"");
  e.Run({"ZADD", "b", "1", "m1", "2", "m2", "3", "m3", "4", "m4", "5", "m5"});
  CHECK(Enc(e, "b") == "\"skiplist\"");
  CHECK(S(e.Run({"ZRANGE", "b", "0", "-1"})) == "[\"m1\", \"m2\", \"m3\", \"m4\", \"m5\"]");
  // Updating scores of existing members adds nothing.
  e.Run({"ZADD", "a", "10", "m1", "20", "m2"});
  CHECK(Enc(e, "a") == "\"listpack\"");
  CHECK(S(e.Run({"ZRANGE", "a", "0", "-1", "WITHSCORES"})) ==
        "[\"m3\", \"3\", \"m4\", \"4\", \"m1\", \"10\", \"m2\", \"20\"]");
  // Member length: exactly 8 stays, 9 converts, also through ZINCRBY.
  e.Run({"ZADD", "c", "1", std::string(8, 'x')});
  CHECK(Enc(e, "c") == "\"listpack\"");
  e.Run({"ZINCRBY", "c", "1", std::string(9, 'y')});
  CHECK(Enc(e, "c") == "\"skiplist\"");
  // Empty and binary members, and scores of every stored width, in a listpack.
  std::string bin("b\0n", 3);
  e.Run({"ZADD", "d", "0", "", "-1.5", bin, "1e300", "big", "-70000", "neg"});
  CHECK(Enc(e, "d") == "\"listpack\"");
  CHECK(S(e.Run({"ZRANGE", "d", "0", "-1", "WITHSCORES"})) ==
        std::string("[\"neg\", \"-70000\", \"b") + '\0' +
            "n\", \"-1.5\", \"\", \"0\", \"big\", \"1e+300\"]");
  CHECK(S(e.Run({"ZSCORE", "d", ""})) == "\"0\"");
  CHECK(S(e.Run({"ZRANK", "d", bin})) == Int(1));
  CHECK(S(e.Run({"ZREM", "d", bin, ""})) == Int(2));
  CHECK(S(e.Run({"ZRANGE", "d", "0", "-1"})) == "[\"neg\", \"big\"]");
  // *STORE: the result's encoding follows its size and longest member.
  e.Run({"ZADD", "s1", "1", "a", "2", "b", "3", "c"});
  e.Run({"ZADD", "s2", "4", "d", "5", "e"});
  CHECK(S(e.Run({"ZUNIONSTORE", "u", "2", "s1", "s2"})) == Int(5));
  CHECK(Enc(e, "u") == "\"skiplist\"");
  CHECK(S(e.Run({"ZUNIONSTORE", "u2", "1", "s1"})) == Int(3));
  CHECK(Enc(e, "u2") == "\"listpack\"");
  CHECK(S(e.Run({"ZRANGESTORE", "r", "u", "0", "3"})) == Int(4));
  CHECK(Enc(e, "r") == "\"listpack\"");
  CHECK(S(e.Run({"ZRANGE", "r", "0", "-1"})) == "[\"a\", \"b\", \"c\", \"d\"]");
  // Pops, rank/score/lex removals and reverse ranges on a listpack.
  CHECK(S(e.Run({"ZPOPMAX", "r"})) == "[\"d\", \"4\"]");
  CHECK(S(e.Run({"ZPOPMIN", "r"})) == "[\"a\", \"1\"]");
  CHECK(S(e.Run({"ZREVRANGE", "r", "0", "-1"})) == "[\"c\", \"b\"]");
  CHECK(S(e.Run({"ZREVRANGEBYSCORE", "u", "+inf", "2", "LIMIT", "1", "2"})) ==
        "[\"d\", \"c\"]");
  CHECK(S(e.Run({"ZREMRANGEBYSCORE", "u2", "2", "3"})) == Int(2));
  CHECK(S(e.Run({"ZRANGE", "u2", "0", "-1"})) == "[\"a\"]");
}

// Collection level: ConvertIfNeeded exactly at / one past each threshold.
TEST_CASE("ZSet::ConvertIfNeeded boundaries", "[zset]") {
  ZSet z;
  for (int i = 0; i < 4; ++i) z.Insert("m" + std::to_string(i), i);
  z.ConvertIfNeeded(4, 2);
  CHECK(z.listpack());
  z.Insert("m4", 4);
  z.ConvertIfNeeded(5, 2);
  CHECK(z.listpack());
  z.Insert("abc", 9);
  z.ConvertIfNeeded(6, 3);
  CHECK(z.listpack());
  z.ConvertIfNeeded(6, 2);  // "abc" is one byte over
  CHECK_FALSE(z.listpack());
  CHECK(z.Encoding() == "skiplist");
  CHECK(z.Size() == 6);
  CHECK(z.Rank("abc") == 5);
  ZSet y;
  for (int i = 0; i < 3; ++i) y.Insert("m" + std::to_string(i), i);
  y.ConvertIfNeeded(2, 64);
  CHECK_FALSE(y.listpack());
  CHECK(y.Size() == 3);
}

// The container against a model, in both forms at once: a listpack that is never
// converted and a skiplist get the same random inserts, score updates, deletes and
// rank-range deletes; full ordered contents, every rank, AtRank, counts and ranges are
// compared with a std::set model.
TEST_CASE("ZSet listpack and skiplist forms match a std::set model (randomized)", "[zset]") {
  std::mt19937_64 rng(12345);
  ZSet lp, sl;
  sl.ConvertToSkiplist();
  REQUIRE(lp.listpack());
  REQUIRE_FALSE(sl.listpack());
  ZSet* both[2] = {&lp, &sl};
  std::map<std::string, double> scores;
  std::set<std::pair<double, std::string>> order;
  auto member = [&] {
    // Mostly short members, some long ones (> 127 bytes: the long string header) and some
    // with NUL bytes.
    int k = static_cast<int>(rng() % 20);
    std::string m = "m" + std::to_string(rng() % 300);
    if (k == 0) m += std::string(130 + rng() % 200, 'x');
    if (k == 1) m += std::string("\0z", 2);
    return m;
  };
  auto score = [&] {
    switch (rng() % 4) {
      case 0: return static_cast<double>(static_cast<int64_t>(rng() % 2000000) - 1000000) * 4096;
      case 1: return static_cast<double>(static_cast<int>(rng() % 50) - 25) / 2;
      default: return static_cast<double>(static_cast<int>(rng() % 300) - 150);
    }
  };
  for (int op = 0; op < 5000; ++op) {
    int kind = static_cast<int>(rng() % 10);
    std::string m = member();
    if (kind < 5) {
      double s = score();
      auto it = scores.find(m);
      bool was_new = it == scores.end();
      if (!was_new) order.erase({it->second, m});
      scores[m] = s;
      order.insert({s, m});
      for (ZSet* z : both) CHECK(z->Set(m, s) == was_new);
    } else if (kind < 8) {
      bool had = scores.erase(m) > 0;
      if (had) {
        for (auto it = order.begin(); it != order.end(); ++it)
          if (it->second == m) {
            order.erase(it);
            break;
          }
      }
      for (ZSet* z : both) CHECK(z->Erase(m) == had);
    } else if (kind == 8 && !order.empty()) {
      size_t a = rng() % order.size(), b = a + rng() % 3;
      if (b >= order.size()) b = order.size() - 1;
      auto it = std::next(order.begin(), static_cast<long>(a));
      for (size_t i = a; i <= b; ++i) {
        scores.erase(it->second);
        it = order.erase(it);
      }
      for (ZSet* z : both) CHECK(z->EraseRanks(a, b) == b - a + 1);
    } else {
      // Range queries against the model.
      ZScoreRange r;
      r.min = score();
      r.max = score();
      r.minex = rng() % 2;
      r.maxex = rng() % 2;
      size_t expect = 0, rank = 0, first = 0, last = 0;
      for (auto& [s, mm] : order) {
        if (r.GteMin(s) && r.LteMax(s)) {
          if (expect++ == 0) first = rank;
          last = rank;
        }
        ++rank;
      }
      for (ZSet* z : both) {
        CHECK(z->CountInRange(r) == expect);
        size_t f = 99, l = 99;
        CHECK(z->ScoreRanks(r, &f, &l) == (expect > 0));
        if (expect) {
          CHECK(f == first);
          CHECK(l == last);
        }
      }
    }
    for (ZSet* z : both) REQUIRE(z->Size() == order.size());
    if (op % 100 == 0 || op == 4999) {
      std::vector<std::pair<double, std::string>> want(order.begin(), order.end());
      for (ZSet* z : both) {
        std::vector<std::pair<double, std::string>> got;
        z->ForEachMember([&](std::string_view mm, double s) { got.emplace_back(s, std::string(mm)); });
        REQUIRE(got == want);
        for (size_t i = 0; i < want.size(); ++i) {
          const auto& [s, mm] = want[i];
          CHECK(z->Rank(mm) == static_cast<int64_t>(i));
          ZItem it = z->AtRank(i);
          CHECK(it.member == mm);
          CHECK(it.score == s);
          double got_s;
          CHECK(z->Score(mm, &got_s));
          CHECK(got_s == s);
        }
        if (!want.empty()) {
          std::vector<ZItem> fwd, rev;
          size_t a = want.size() / 3, b = want.size() - 1;
          z->Range(a, b, false, &fwd);
          z->Range(a, b, true, &rev);
          REQUIRE(fwd.size() == b - a + 1);
          REQUIRE(rev.size() == b - a + 1);
          for (size_t i = 0; i <= b - a; ++i) {
            CHECK(fwd[i].member == want[a + i].second);
            CHECK(rev[i].member == want[b - i].second);
          }
        }
      }
      CHECK(lp.HeapBytes() < sl.HeapBytes());
    }
  }
  REQUIRE(lp.listpack());
  // A clone is deep and equal, in the same form.
  for (ZSet* z : both) {
    auto c = z->Clone();
    auto* cz = static_cast<ZSet*>(c.get());
    CHECK(cz->listpack() == z->listpack());
    std::vector<std::pair<std::string, double>> x, y;
    z->ForEachMember([&](std::string_view mm, double s) { x.emplace_back(mm, s); });
    cz->ForEachMember([&](std::string_view mm, double s) { y.emplace_back(mm, s); });
    CHECK(x == y);
  }
}

// The same kind of differential check through the commands, on a set with equal scores for
// the lex commands: ZRANGE BYLEX and ZLEXCOUNT against std::set.
TEST_CASE("lex ranges through the commands match a std::set model", "[zset]") {
  TestEngine e(2);
  std::mt19937_64 rng(7);
  std::set<std::string> model;
  for (int i = 0; i < 200; ++i) {
    std::string m(1 + rng() % 3, 'a');
    for (char& ch : m) ch = static_cast<char>('a' + rng() % 5);
    model.insert(m);
    e.Run({"ZADD", "lx", "0", m});
  }
  for (int q = 0; q < 200; ++q) {
    std::string lo(1, static_cast<char>('a' + rng() % 5)), hi(1, static_cast<char>('a' + rng() % 5));
    bool loex = rng() % 2, hiex = rng() % 2;
    std::vector<std::string> want;
    for (const auto& m : model) {
      bool ok_lo = loex ? m > lo : m >= lo;
      bool ok_hi = hiex ? m < hi : m <= hi;
      if (ok_lo && ok_hi) want.push_back(m);
    }
    std::string a = (loex ? "(" : "[") + lo, b = (hiex ? "(" : "[") + hi;
    RespValue got = e.Run({"ZRANGEBYLEX", "lx", a, b});
    REQUIRE(got.elems.size() == want.size());
    for (size_t i = 0; i < want.size(); ++i) CHECK(got.elems[i].str == want[i]);
    CHECK(S(e.Run({"ZLEXCOUNT", "lx", a, b})) == Int(static_cast<int64_t>(want.size())));
  }
}

}  // namespace
}  // namespace kevy::test

namespace kevy::test {
namespace {

TEST_CASE("ZUNION ZINTER ZDIFF ZINTERCARD on one shard and across shards", "[zset]") {
  for (int shards : {2, 4}) {
    TestEngine e(shards);
    // Same shard (hash tags) and spread over shards: the same answers.
    for (bool spread : {false, true}) {
      std::string a = spread ? e.KeyOnShard(0, "a") : "{t}a";
      std::string b = spread ? e.KeyOnShard(1, "b") : "{t}b";
      std::string c = spread ? e.KeyOnShard(shards - 1, "c") : "{t}c";
      e.Run({"ZADD", a, "1", "x", "2", "y", "3", "z"});
      e.Run({"ZADD", b, "10", "y", "20", "z", "30", "w"});
      CHECK(S(e.Run({"ZUNION", "2", a, b, "WITHSCORES"})) ==
            "[\"x\", \"1\", \"y\", \"12\", \"z\", \"23\", \"w\", \"30\"]");
      CHECK(S(e.Run({"ZUNION", "2", a, b, "WEIGHTS", "2", "0.5", "AGGREGATE", "MAX",
                     "WITHSCORES"})) ==
            "[\"x\", \"2\", \"y\", \"5\", \"z\", \"10\", \"w\", \"15\"]");
      CHECK(S(e.Run({"ZINTER", "2", a, b, "AGGREGATE", "MIN", "WITHSCORES"})) ==
            "[\"y\", \"2\", \"z\", \"3\"]");
      CHECK(S(e.Run({"ZINTER", "2", a, b})) == "[\"y\", \"z\"]");
      CHECK(S(e.Run({"ZINTER", "3", a, b, c})) == "[]");
      CHECK(S(e.Run({"ZDIFF", "2", a, b, "WITHSCORES"})) == "[\"x\", \"1\"]");
      CHECK(S(e.Run({"ZDIFF", "2", a, c})) == "[\"x\", \"y\", \"z\"]");
      CHECK(S(e.Run({"ZINTERCARD", "2", a, b})) == Int(2));
      CHECK(S(e.Run({"ZINTERCARD", "2", a, b, "LIMIT", "1"})) == Int(1));
      CHECK(S(e.Run({"ZINTERCARD", "2", a, b, "LIMIT", "-1"})) ==
            Err("ERR LIMIT can't be negative"));
      CHECK(S(e.Run({"ZUNION", "2", a, c})) == "[\"x\", \"y\", \"z\"]");
      e.Run({"SET", c, "str"});
      CHECK(S(e.Run({"ZUNION", "2", a, c})) == kWrongType);
      CHECK(S(e.Run({"ZINTERCARD", "2", a, c})) == kWrongType);
      e.Run({"DEL", a, b, c});
    }
    CHECK(S(e.Run({"ZUNION", "0", "a"})) ==
          Err("ERR at least 1 input key is needed for 'zunion' command"));
    CHECK(S(e.Run({"ZINTERCARD", "0", "a"})) ==
          Err("ERR at least 1 input key is needed for 'zintercard' command"));
    CHECK(S(e.Run({"ZUNION", "x", "a"})) == kNotInt);
    CHECK(S(e.Run({"ZUNION", "3", "a"})) == kSyntax);
    CHECK(S(e.Run({"ZDIFF", "1", "a", "WEIGHTS", "1"})) == kSyntax);
    CHECK(S(e.Run({"ZUNION", "1", "a", "WEIGHTS", "x"})) == Err("ERR weight value is not a float"));
    CHECK(S(e.Run({"ZUNION", "1", "a", "AGGREGATE", "foo"})) == kSyntax);
    // Plain sets are inputs with score 1.
    e.Run({"SADD", "{p}s", "x", "q"});
    e.Run({"ZADD", "{p}z", "5", "x"});
    CHECK(S(e.Run({"ZUNION", "2", "{p}s", "{p}z", "WITHSCORES"})) ==
          "[\"q\", \"1\", \"x\", \"6\"]");
    CHECK(S(e.Run({"ZINTERCARD", "2", "{p}s", "{p}z"})) == Int(1));
    // inf + -inf sums to 0, as in Redis.
    e.Run({"ZADD", "{i}1", "inf", "m"});
    e.Run({"ZADD", "{i}2", "-inf", "m"});
    CHECK(S(e.Run({"ZUNION", "2", "{i}1", "{i}2", "WITHSCORES"})) == "[\"m\", \"0\"]");
  }
}

}  // namespace
}  // namespace kevy::test

namespace kevy::test {
namespace {

TEST_CASE("ZUNIONSTORE ZINTERSTORE ZDIFFSTORE on one shard and across shards", "[zset]") {
  for (int shards : {2, 4}) {
    TestEngine e(shards);
    for (bool spread : {false, true}) {
      std::string a = spread ? e.KeyOnShard(0, "a") : "{t}a";
      std::string b = spread ? e.KeyOnShard(1, "b") : "{t}b";
      std::string d = spread ? e.KeyOnShard(shards - 1, "d") : "{t}d";
      e.Run({"ZADD", a, "1", "x", "2", "y", "3", "z"});
      e.Run({"ZADD", b, "10", "y", "20", "z", "30", "w"});
      e.Run({"SET", d, "old"});  // the destination is replaced whatever its type
      CHECK(S(e.Run({"ZUNIONSTORE", d, "2", a, b, "WEIGHTS", "1", "2"})) == Int(4));
      CHECK(S(e.Run({"ZRANGE", d, "0", "-1", "WITHSCORES"})) ==
            "[\"x\", \"1\", \"y\", \"22\", \"z\", \"43\", \"w\", \"60\"]");
      CHECK(Enc(e, d) == "\"listpack\"");
      CHECK(S(e.Run({"ZINTERSTORE", d, "2", a, b, "AGGREGATE", "MAX"})) == Int(2));
      CHECK(S(e.Run({"ZRANGE", d, "0", "-1", "WITHSCORES"})) == "[\"y\", \"10\", \"z\", \"20\"]");
      CHECK(S(e.Run({"ZDIFFSTORE", d, "2", a, b})) == Int(1));
      CHECK(S(e.Run({"ZRANGE", d, "0", "-1"})) == "[\"x\"]");
      CHECK(S(e.Run({"ZDIFFSTORE", d, "2", a, a})) == Int(0));
      CHECK(S(e.Run({"EXISTS", d})) == Int(0));  // empty result deletes the destination
      CHECK(S(e.Run({"ZUNIONSTORE", d, "1", a, "WITHSCORES"})) == kSyntax);
      e.Run({"SET", b, "str"});
      CHECK(S(e.Run({"ZUNIONSTORE", d, "2", a, b})) == kWrongType);
      CHECK(S(e.Run({"EXISTS", d})) == Int(0));
      // The source may be the destination.
      CHECK(S(e.Run({"ZUNIONSTORE", a, "1", a, "WEIGHTS", "2"})) == Int(3));
      CHECK(S(e.Run({"ZSCORE", a, "z"})) == "\"6\"");
      e.Run({"DEL", a, b, d});
    }
    CHECK(S(e.Run({"ZUNIONSTORE", "d", "0", "a"})) ==
          Err("ERR at least 1 input key is needed for 'zunionstore' command"));
    // The stored set's encoding follows its final contents (Redis converts back down).
    for (int i = 0; i < 130; ++i)
      e.Run({"ZADD", "{e}big", std::to_string(i), "m" + std::to_string(i)});
    CHECK(Enc(e, "{e}big") == "\"skiplist\"");
    e.Run({"ZREMRANGEBYRANK", "{e}big", "0", "-3"});
    CHECK(Enc(e, "{e}big") == "\"skiplist\"");
    CHECK(S(e.Run({"ZUNIONSTORE", "{e}small", "1", "{e}big"})) == Int(2));
    CHECK(Enc(e, "{e}small") == "\"listpack\"");
  }
}

}  // namespace
}  // namespace kevy::test

namespace kevy::test {
namespace {

// Redis 7.0 looks every source key up before it parses the options after the keys: a key
// of another type answers WRONGTYPE even when an option is bad; with no such key the first
// bad option's error comes back, and a *STORE leaves its destination alone. numkeys errors
// come before both. Checked against redis-server 7.0.15 with resp-diff (4 shards).
TEST_CASE("ZUNION ZINTER ZDIFF ZINTERCARD and *STORE: WRONGTYPE before option errors", "[zset]") {
  TestEngine e(4);
  const std::string kFloat = Err("ERR weight value is not a float");
  const std::string kLimit = Err("ERR LIMIT can't be negative");
  for (bool spread : {false, true}) {
    INFO("spread " << spread);
    std::string z = spread ? e.KeyOnShard(0, "z") : "{t}z";
    std::string str = spread ? e.KeyOnShard(1, "str") : "{t}str";
    std::string none = spread ? e.KeyOnShard(2, "none") : "{t}none";
    std::string d = spread ? e.KeyOnShard(3, "d") : "{t}d";
    e.Run({"ZADD", z, "1", "a", "2", "b"});
    e.Run({"SET", str, "x"});
    e.Run({"ZADD", d, "7", "old"});
    struct Case {
      std::vector<std::string> opts;
      std::string error;  // with no source of another type
    };
    const std::vector<Case> bad = {{{"WEIGHTS", "1"}, kSyntax},
                                   {{"WEIGHTS", "1", "x"}, kFloat},
                                   {{"AGGREGATE", "foo"}, kSyntax},
                                   {{"AGGREGATE"}, kSyntax},
                                   {{"FOO"}, kSyntax}};
    for (const char* cmd : {"ZUNION", "ZINTER", "ZDIFF"}) {
      for (const Case& c : bad) {
        INFO(cmd << " " << c.opts[0]);
        std::vector<std::string> wrong = {cmd, "2", z, str}, fine = {cmd, "2", z, none};
        wrong.insert(wrong.end(), c.opts.begin(), c.opts.end());
        fine.insert(fine.end(), c.opts.begin(), c.opts.end());
        CHECK(S(e.Run(wrong)) == kWrongType);
        // ZDIFF takes neither WEIGHTS nor AGGREGATE: a syntax error whatever follows.
        CHECK(S(e.Run(fine)) == (std::string(cmd) == "ZDIFF" ? kSyntax : c.error));
        std::string store = std::string(cmd) + "STORE";
        std::vector<std::string> swrong = {store, d, "2", str, z};
        std::vector<std::string> sfine = {store, d, "2", z, none};
        swrong.insert(swrong.end(), c.opts.begin(), c.opts.end());
        sfine.insert(sfine.end(), c.opts.begin(), c.opts.end());
        CHECK(S(e.Run(swrong)) == kWrongType);
        CHECK(S(e.Run(sfine)) == (std::string(cmd) == "ZDIFF" ? kSyntax : c.error));
      }
      // WITHSCORES is an option error for the *STORE forms only.
      CHECK(S(e.Run({std::string(cmd) + "STORE", d, "2", z, str, "WITHSCORES"})) == kWrongType);
      CHECK(S(e.Run({std::string(cmd) + "STORE", d, "2", z, none, "WITHSCORES"})) == kSyntax);
      CHECK(S(e.Run({cmd, "2", z, str, "WITHSCORES"})) == kWrongType);
    }
    // The destination was never written.
    CHECK(S(e.Run({"ZRANGE", d, "0", "-1", "WITHSCORES"})) == "[\"old\", \"7\"]");
    CHECK(S(e.Run({"ZINTERCARD", "2", z, str, "LIMIT", "-1"})) == kWrongType);
    CHECK(S(e.Run({"ZINTERCARD", "2", z, none, "LIMIT", "-1"})) == kLimit);
    CHECK(S(e.Run({"ZINTERCARD", "2", str, z, "LIMIT"})) == kWrongType);
    CHECK(S(e.Run({"ZINTERCARD", "2", z, none, "LIMIT"})) == kSyntax);
    CHECK(S(e.Run({"ZINTERCARD", "2", z, str, "WEIGHTS", "1", "1"})) == kWrongType);
    CHECK(S(e.Run({"ZINTERCARD", "2", z, none, "WEIGHTS", "1", "1"})) == kSyntax);
    // numkeys is checked before any key.
    CHECK(S(e.Run({"ZUNION", "0", str})) ==
          Err("ERR at least 1 input key is needed for 'zunion' command"));
    CHECK(S(e.Run({"ZINTERSTORE", d, "3", str, z})) == kSyntax);
    CHECK(S(e.Run({"ZINTERCARD", "x", str})) == kNotInt);
    e.Run({"DEL", z, str, d});
  }
}

// The numkeys commands of several families share ParseNumKeys/ParseMPop/NumKeysPositions
// (family_util.h) and keep each command's own error texts (Redis 7.0.15's, checked with
// resp-diff).
TEST_CASE("numkeys forms: per-command errors and COMMAND GETKEYS", "[zset]") {
  TestEngine e(4);
  const std::string kNumkeys = Err("ERR numkeys should be greater than 0");
  const std::string kCount = Err("ERR count should be greater than 0");
  for (const char* cmd : {"LMPOP", "ZMPOP"}) {
    INFO(cmd);
    const char* dir = std::string(cmd) == "LMPOP" ? "LEFT" : "MIN";
    CHECK(S(e.Run({cmd, "0", "k", dir})) == kNumkeys);
    CHECK(S(e.Run({cmd, "abc", "k", dir})) == kNumkeys);
    CHECK(S(e.Run({cmd, "2", "k", dir})) == kSyntax);  // no direction after 2 keys
    CHECK(S(e.Run({cmd, "9223372036854775807", "k", dir})) == kSyntax);
    CHECK(S(e.Run({cmd, "1", "k", "UP"})) == kSyntax);
    CHECK(S(e.Run({cmd, "1", "k", dir, "COUNT"})) == kSyntax);
    CHECK(S(e.Run({cmd, "1", "k", dir, "COUNT", "0"})) == kCount);
    CHECK(S(e.Run({cmd, "1", "k", dir, "COUNT", "x"})) == kCount);
    CHECK(S(e.Run({cmd, "1", "k", dir, "COUNT", "1", "COUNT", "1"})) == kSyntax);
    CHECK(S(e.Run({cmd, "1", "k", dir, "COUNT", "1"})) == "(nil)");
    CHECK(S(e.Run({"COMMAND", "GETKEYS", cmd, "2", "a", "b", dir})) == "[\"a\", \"b\"]");
  }
  CHECK(S(e.Run({"SINTERCARD", "0", "k"})) == kNumkeys);
  CHECK(S(e.Run({"SINTERCARD", "x", "k"})) == kNumkeys);
  CHECK(S(e.Run({"SINTERCARD", "2", "k"})) ==
        Err("ERR Number of keys can't be greater than number of args"));
  CHECK(S(e.Run({"SINTERCARD", "1", "k", "LIMIT", "-1"})) == Err("ERR LIMIT can't be negative"));
  CHECK(S(e.Run({"ZINTERCARD", "2", "k"})) == kSyntax);
  CHECK(S(e.Run({"ZINTERCARD", "x", "k"})) == kNotInt);
  CHECK(S(e.Run({"ZINTERSTORE", "d", "0", "k"})) ==
        Err("ERR at least 1 input key is needed for 'zinterstore' command"));
  CHECK(S(e.Run({"ZDIFF", "0", "k"})) ==
        Err("ERR at least 1 input key is needed for 'zdiff' command"));
  // Key positions, as Redis's getkeys procs: none when numkeys is bad, so the handler
  // answers the error; ZMPOP's and LMPOP's direction word is not needed for them.
  CHECK(S(e.Run({"COMMAND", "GETKEYS", "ZMPOP", "2", "a", "b"})) == "[\"a\", \"b\"]");
  CHECK(S(e.Run({"COMMAND", "GETKEYS", "SINTERCARD", "2", "a", "b", "LIMIT", "1"})) ==
        "[\"a\", \"b\"]");
  CHECK(S(e.Run({"COMMAND", "GETKEYS", "ZUNIONSTORE", "d", "2", "a", "b", "WEIGHTS", "1", "2"})) ==
        "[\"d\", \"a\", \"b\"]");
  CHECK(S(e.Run({"COMMAND", "GETKEYS", "ZINTERCARD", "2", "a", "b"})) == "[\"a\", \"b\"]");
  CHECK(S(e.Run({"COMMAND", "GETKEYS", "ZUNIONSTORE", "d", "3", "a", "b"})) ==
        Err("ERR Invalid arguments specified for command"));
  CHECK(S(e.Run({"COMMAND", "GETKEYS", "SINTERCARD", "0", "a"})) ==
        Err("ERR Invalid arguments specified for command"));
}

TEST_CASE("ZRANGESTORE on one shard and across shards", "[zset]") {
  for (int shards : {2, 4}) {
    TestEngine e(shards);
    for (bool spread : {false, true}) {
      std::string src = spread ? e.KeyOnShard(0, "s") : "{t}s";
      std::string dst = spread ? e.KeyOnShard(shards - 1, "d") : "{t}d";
      e.Run({"ZADD", src, "1", "a", "2", "b", "3", "c", "4", "d"});
      CHECK(S(e.Run({"ZRANGESTORE", dst, src, "1", "-1"})) == Int(3));
      CHECK(S(e.Run({"ZRANGE", dst, "0", "-1", "WITHSCORES"})) ==
            "[\"b\", \"2\", \"c\", \"3\", \"d\", \"4\"]");
      CHECK(S(e.Run({"ZRANGESTORE", dst, src, "(4", "2", "BYSCORE", "REV", "LIMIT", "0", "1"})) ==
            Int(1));
      CHECK(S(e.Run({"ZRANGE", dst, "0", "-1"})) == "[\"c\"]");
      CHECK(S(e.Run({"ZRANGESTORE", dst, src, "0", "-1", "WITHSCORES"})) == kSyntax);
      CHECK(S(e.Run({"ZRANGESTORE", dst, src, "5", "9"})) == Int(0));
      CHECK(S(e.Run({"EXISTS", dst})) == Int(0));
      CHECK(S(e.Run({"ZRANGESTORE", dst, "nosuch", "0", "-1"})) == Int(0));
      e.Run({"SET", dst, "x"});
      CHECK(S(e.Run({"ZRANGESTORE", dst, dst, "0", "-1"})) == kWrongType);
      e.Run({"DEL", src, dst});
    }
  }
}

}  // namespace
}  // namespace kevy::test

namespace kevy::test {
namespace {

TEST_CASE("ZMPOP on one shard and across shards", "[zset]") {
  for (int shards : {2, 4}) {
    TestEngine e(shards);
    for (bool spread : {false, true}) {
      std::string a = spread ? e.KeyOnShard(0, "a") : "{t}a";
      std::string b = spread ? e.KeyOnShard(1, "b") : "{t}b";
      std::string c = spread ? e.KeyOnShard(shards - 1, "c") : "{t}c";
      e.Run({"ZADD", b, "1", "x", "2", "y", "3", "z"});
      CHECK(S(e.Run({"ZMPOP", "2", a, b, "MIN"})) == "[\"" + b + "\", [[\"x\", \"1\"]]]");
      CHECK(S(e.Run({"ZMPOP", "2", a, b, "MAX", "COUNT", "5"})) ==
            "[\"" + b + "\", [[\"z\", \"3\"], [\"y\", \"2\"]]]");
      CHECK(S(e.Run({"EXISTS", b})) == Int(0));
      CHECK(S(e.Run({"ZMPOP", "2", a, b, "MIN"})) == "(nil)");
      e.Run({"SET", c, "s"});
      e.Run({"ZADD", b, "1", "x"});
      CHECK(S(e.Run({"ZMPOP", "2", c, b, "MIN"})) == kWrongType);
      CHECK(S(e.Run({"ZMPOP", "2", b, c, "MIN"})) == "[\"" + b + "\", [[\"x\", \"1\"]]]");
      e.Run({"DEL", a, b, c});
    }
    CHECK(S(e.Run({"ZMPOP", "0", "a", "MIN"})) == Err("ERR numkeys should be greater than 0"));
    CHECK(S(e.Run({"ZMPOP", "2", "a", "MIN"})) == kSyntax);
    CHECK(S(e.Run({"ZMPOP", "1", "a", "UP"})) == kSyntax);
    CHECK(S(e.Run({"ZMPOP", "1", "a", "MIN", "COUNT", "0"})) ==
          Err("ERR count should be greater than 0"));
    CHECK(S(e.Run({"ZMPOP", "1", "a", "MIN", "COUNT", "1", "COUNT", "2"})) == kSyntax);
  }
}

}  // namespace
}  // namespace kevy::test

namespace kevy::test {
namespace {

// Cases found by tests/integration/datatypes_test.py's differential runs against redis-server.
TEST_CASE("Redis quirks: -0 scores, out-of-range floats, NaN in ZINTER, ZRANDMEMBER arg order",
          "[zset]") {
  TestEngine e(1);
  // A listpack stores -0 as "0"; a skiplist keeps -0 (Redis writes listpack scores as text).
  CHECK(S(e.Run({"ZADD", "lp", "-0", "x"})) == Int(1));
  CHECK(S(e.Run({"ZSCORE", "lp", "x"})) == "\"0\"");
  std::vector<std::string> big = {"ZADD", "sk"};
  for (int i = 0; i < 130; ++i) {
    big.push_back(std::to_string(i + 1));
    big.push_back("m" + std::to_string(i));
  }
  big.push_back("-0");
  big.push_back("x");
  e.Run(big);
  CHECK(Enc(e, "sk") == "\"skiplist\"");
  CHECK(S(e.Run({"ZSCORE", "sk", "x"})) == "\"-0\"");
  CHECK(S(e.Run({"COPY", "sk", "sk2"})) == Int(1));
  CHECK(S(e.Run({"ZSCORE", "sk2", "x"})) == "\"-0\"");
  // strtod's ERANGE: overflow to inf and underflow to 0 are refused, a denormal is kept.
  CHECK(S(e.Run({"ZADD", "f", "1e400", "a"})) == kNotFloat);
  CHECK(S(e.Run({"ZADD", "f", "1e-400", "a"})) == kNotFloat);
  CHECK(S(e.Run({"ZINCRBY", "f", "-1e400", "a"})) == kNotFloat);
  CHECK(S(e.Run({"ZADD", "f", "5e-324", "a"})) == Int(1));
  CHECK(S(e.Run({"ZUNION", "1", "f", "WEIGHTS", "1e400"})) ==
        Err("ERR weight value is not a float"));
  // ZINTER: the smallest source goes first; only its inf*0 becomes 0, a later one is NaN,
  // which turns SUM into 0 and is ignored by MIN.
  e.Run({"ZADD", "i1", "inf", "x", "1", "y"});
  e.Run({"ZADD", "i2", "-inf", "x", "5", "y", "6", "z"});
  CHECK(S(e.Run({"ZINTER", "2", "i2", "i1", "WEIGHTS", "1", "0", "WITHSCORES"})) ==
        "[\"x\", \"-inf\", \"y\", \"5\"]");
  CHECK(S(e.Run({"ZINTER", "2", "i1", "i2", "WEIGHTS", "0", "1", "WITHSCORES"})) ==
        "[\"x\", \"-inf\", \"y\", \"5\"]");
  CHECK(S(e.Run({"ZINTER", "2", "i2", "i1", "WEIGHTS", "0", "1", "WITHSCORES"})) ==
        "[\"x\", \"0\", \"y\", \"1\"]");
  CHECK(S(e.Run({"ZINTER", "2", "i1", "i2", "WITHSCORES"})) == "[\"x\", \"0\", \"y\", \"6\"]");
  // ZRANDMEMBER: the count is parsed before the trailing arguments.
  CHECK(S(e.Run({"ZRANDMEMBER", "i1", "x", "y", "z"})) == kNotInt);
  CHECK(S(e.Run({"ZRANDMEMBER", "i1", "1", "y"})) == kSyntax);
}

}  // namespace
}  // namespace kevy::test
