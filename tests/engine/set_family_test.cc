// Tests of the set commands (engine/commands/set_family.cc) on the in-process engine with 2
// and 4 shards: replies and error texts as Redis 7.0 gives them, the intset/hashtable
// encodings, SPOP/SRANDMEMBER sanity, every multi-key command with its keys on one shard and
// spread over shards (the FanOut and LockShards paths), and a randomized comparison with
// std::set.
#include <catch2/catch.hpp>
#include <algorithm>
#include <cstdint>
#include <map>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/commands/family_util.h"
#include "engine/shard.h"
#include "engine/types/set.h"
#include "tests/support/test_engine.h"

namespace kevy::test {
namespace {


// The members of an array/set reply, as a sorted set (order is unspecified for hashtables).
std::set<std::string> M(const RespValue& v) {
  std::set<std::string> out;
  for (const auto& e : v.elems) out.insert(e.str);
  return out;
}
std::set<std::string> Of(std::initializer_list<std::string> l) { return {l}; }

void Add(TestEngine& e, const std::string& key, std::vector<std::string> members) {
  std::vector<std::string> cmd{"SADD", key};
  cmd.insert(cmd.end(), members.begin(), members.end());
  REQUIRE(e.Run(cmd).type == RespValue::kInt);
}


TEST_CASE("SADD SREM SCARD SISMEMBER SMISMEMBER SMEMBERS", "[set]") {
  TestEngine e(2);
  CHECK(S(e.Run({"SADD", "s", "a", "b", "a", "c"})) == Int(3));
  CHECK(S(e.Run({"SADD", "s", "a", "d"})) == Int(1));
  CHECK(S(e.Run({"SCARD", "s"})) == Int(4));
  CHECK(S(e.Run({"SCARD", "nokey"})) == Int(0));
  CHECK(S(e.Run({"SISMEMBER", "s", "a"})) == Int(1));
  CHECK(S(e.Run({"SISMEMBER", "s", "z"})) == Int(0));
  CHECK(S(e.Run({"SISMEMBER", "nokey", "z"})) == Int(0));
  CHECK(S(e.Run({"SMISMEMBER", "s", "a", "z", "d"})) == "[(integer) 1, (integer) 0, (integer) 1]");
  CHECK(S(e.Run({"SMISMEMBER", "nokey", "a"})) == "[(integer) 0]");
  CHECK(M(e.Run({"SMEMBERS", "s"})) == Of({"a", "b", "c", "d"}));
  CHECK(S(e.Run({"SMEMBERS", "nokey"})) == "[]");
  CHECK(S(e.Run({"TYPE", "s"})) == "set");
  CHECK(S(e.Run({"SREM", "s", "a", "z", "a"})) == Int(1));
  CHECK(S(e.Run({"SREM", "nokey", "a"})) == Int(0));
  CHECK(S(e.Run({"SREM", "s", "b", "c", "d"})) == Int(3));
  // The emptied set's key is gone.
  CHECK(S(e.Run({"EXISTS", "s"})) == Int(0));

  e.Run({"SET", "str", "v"});
  for (auto cmd : std::vector<std::vector<std::string>>{{"SADD", "str", "a"},
                                                        {"SREM", "str", "a"},
                                                        {"SCARD", "str"},
                                                        {"SISMEMBER", "str", "a"},
                                                        {"SMISMEMBER", "str", "a"},
                                                        {"SMEMBERS", "str"},
                                                        {"SPOP", "str"},
                                                        {"SPOP", "str", "2"},
                                                        {"SRANDMEMBER", "str"},
                                                        {"SRANDMEMBER", "str", "2"},
                                                        {"SSCAN", "str", "0"}})
    CHECK(S(e.Run(cmd)) == kWrongType);
  CHECK(S(e.Run({"GET", "str"})) == "\"v\"");
  CHECK(S(e.Run({"SADD", "s"})) == "(error) ERR wrong number of arguments for 'sadd' command");
  CHECK(S(e.Run({"SMISMEMBER", "s"})) ==
        "(error) ERR wrong number of arguments for 'smismember' command");
}

TEST_CASE("RESP3 set replies", "[set]") {
  TestEngine e(2);
  e.Run({"HELLO", "3"});
  Add(e, "s", {"a", "b"});
  CHECK(e.Run({"SMEMBERS", "s"}).type == RespValue::kSet);
  CHECK(e.Run({"SMEMBERS", "nokey"}).type == RespValue::kSet);
  CHECK(e.Run({"SINTER", "s", "s"}).type == RespValue::kSet);
  CHECK(e.Run({"SPOP", "s", "1"}).type == RespValue::kSet);
  CHECK(e.Run({"SPOP", "nokey", "1"}).type == RespValue::kSet);
  CHECK(e.Run({"SRANDMEMBER", "s", "1"}).type == RespValue::kArray);
  CHECK(e.Run({"SPOP", "nokey"}).type == RespValue::kNull);
  CHECK(e.Run({"SMISMEMBER", "s", "a"}).type == RespValue::kArray);
}

TEST_CASE("set encodings: intset until a non-integer or past set-max-intset-entries", "[set]") {
  TestEngine e(2);
  Add(e, "i", {"10", "-3", "5", "0"});
  CHECK(S(e.Run({"OBJECT", "ENCODING", "i"})) == "\"intset\"");
  // An intset replies in ascending numeric order, as Redis's sorted intset does.
  CHECK(S(e.Run({"SMEMBERS", "i"})) == "[\"-3\", \"0\", \"5\", \"10\"]");
  // Not canonical integers: a hashtable from the start.
  for (std::string m : {"012", "+1", "-0", "1.5", "a", "99999999999999999999"}) {
    e.Run({"DEL", "h"});
    Add(e, "h", {m});
    CHECK(S(e.Run({"OBJECT", "ENCODING", "h"})) == "\"hashtable\"");
  }
  Add(e, "i", {"x"});
  CHECK(S(e.Run({"OBJECT", "ENCODING", "i"})) == "\"hashtable\"");
  // No conversion back.
  e.Run({"SREM", "i", "x"});
  CHECK(S(e.Run({"OBJECT", "ENCODING", "i"})) == "\"hashtable\"");

  std::vector<std::string> many;
  for (int i = 0; i < 512; ++i) many.push_back(std::to_string(i));
  Add(e, "big", many);
  CHECK(S(e.Run({"OBJECT", "ENCODING", "big"})) == "\"intset\"");
  Add(e, "big", {"512"});
  CHECK(S(e.Run({"OBJECT", "ENCODING", "big"})) == "\"hashtable\"");

  // The threshold is read from the config.
  CHECK(S(e.Run({"CONFIG", "SET", "set-max-intset-entries", "2"})) == "OK");
  Add(e, "small", {"1", "2"});
  CHECK(S(e.Run({"OBJECT", "ENCODING", "small"})) == "\"intset\"");
  Add(e, "small", {"3"});
  CHECK(S(e.Run({"OBJECT", "ENCODING", "small"})) == "\"hashtable\"");

  // *STORE results follow the same rule, on one shard and across shards.
  e.Run({"CONFIG", "SET", "set-max-intset-entries", "512"});
  for (int dst_shard = 0; dst_shard < 2; ++dst_shard) {
    std::string a = e.KeyOnShard(0, "ea"), d = e.KeyOnShard(dst_shard, "ed");
    Add(e, a, {"1", "2", "3"});
    CHECK(S(e.Run({"SUNIONSTORE", d, a})) == Int(3));
    CHECK(S(e.Run({"OBJECT", "ENCODING", d})) == "\"intset\"");
    Add(e, a, {"z"});
    CHECK(S(e.Run({"SUNIONSTORE", d, a})) == Int(4));
    CHECK(S(e.Run({"OBJECT", "ENCODING", d})) == "\"hashtable\"");
    e.Run({"DEL", a, d});
  }
}

TEST_CASE("SPOP", "[set]") {
  TestEngine e(2);
  CHECK(S(e.Run({"SPOP", "nokey"})) == "(nil)");
  CHECK(S(e.Run({"SPOP", "nokey", "3"})) == "[]");
  Add(e, "s", {"a", "b", "c", "d", "e"});
  CHECK(S(e.Run({"SPOP", "s", "-1"})) == "(error) ERR value is out of range, must be positive");
  CHECK(S(e.Run({"SPOP", "s", "x"})) == "(error) ERR value is out of range, must be positive");
  CHECK(S(e.Run({"SPOP", "s", "1", "2"})) == kSyntax);
  CHECK(S(e.Run({"SPOP", "s", "0"})) == "[]");
  std::set<std::string> all = Of({"a", "b", "c", "d", "e"}), popped;
  RespValue one = e.Run({"SPOP", "s"});
  REQUIRE(one.type == RespValue::kBulk);
  CHECK(all.count(one.str) == 1);
  popped.insert(one.str);
  RespValue two = e.Run({"SPOP", "s", "2"});
  REQUIRE(two.elems.size() == 2);
  for (const auto& m : two.elems) {
    CHECK(all.count(m.str) == 1);
    CHECK(popped.insert(m.str).second);  // distinct, never popped before
  }
  CHECK(S(e.Run({"SCARD", "s"})) == Int(2));
  RespValue rest = e.Run({"SPOP", "s", "10"});
  REQUIRE(rest.elems.size() == 2);
  for (const auto& m : rest.elems) CHECK(popped.insert(m.str).second);
  CHECK(popped == all);
  CHECK(S(e.Run({"EXISTS", "s"})) == Int(0));
  // Popping the last member one by one deletes the key too.
  Add(e, "t", {"x"});
  CHECK(S(e.Run({"SPOP", "t"})) == "\"x\"");
  CHECK(S(e.Run({"EXISTS", "t"})) == Int(0));
}

TEST_CASE("SRANDMEMBER", "[set]") {
  TestEngine e(2);
  CHECK(S(e.Run({"SRANDMEMBER", "nokey"})) == "(nil)");
  CHECK(S(e.Run({"SRANDMEMBER", "nokey", "3"})) == "[]");
  CHECK(S(e.Run({"SRANDMEMBER", "nokey", "-3"})) == "[]");
  std::vector<std::string> members;
  std::set<std::string> all;
  for (int i = 0; i < 100; ++i) {
    members.push_back("m" + std::to_string(i));
    all.insert(members.back());
  }
  Add(e, "s", members);
  CHECK(S(e.Run({"SRANDMEMBER", "s", "x"})) == kNotInt);
  CHECK(S(e.Run({"SRANDMEMBER", "s", "1", "2"})) == kSyntax);
  CHECK(S(e.Run({"SRANDMEMBER", "s", "-9223372036854775808"})) ==
        "(error) ERR value is out of range, value must between -9223372036854775807 and "
        "9223372036854775807");
  CHECK(S(e.Run({"SRANDMEMBER", "s", "0"})) == "[]");
  RespValue one = e.Run({"SRANDMEMBER", "s"});
  CHECK(all.count(one.str) == 1);
  // Positive counts: distinct members, both for few (random draws) and many (shuffle).
  for (int count : {1, 5, 33, 34, 60, 99, 100, 150}) {
    RespValue r = e.Run({"SRANDMEMBER", "s", std::to_string(count)});
    REQUIRE(r.elems.size() == static_cast<size_t>(std::min(count, 100)));
    std::set<std::string> got = M(r);
    CHECK(got.size() == r.elems.size());
    for (const auto& m : got) CHECK(all.count(m) == 1);
  }
  // Negative counts: exactly |count| members, repetitions allowed.
  RespValue neg = e.Run({"SRANDMEMBER", "s", "-500"});
  REQUIRE(neg.elems.size() == 500);
  std::map<std::string, int> freq;
  for (const auto& m : neg.elems) {
    CHECK(all.count(m.str) == 1);
    ++freq[m.str];
  }
  // 500 draws over 100 members must repeat some and cover more than a handful.
  CHECK(freq.size() < 500);
  CHECK(freq.size() > 20);
  // Over many calls every member shows up: the choice is not stuck on a few.
  std::set<std::string> seen;
  for (int i = 0; i < 50; ++i)
    for (const auto& m : e.Run({"SRANDMEMBER", "s", "10"}).elems) seen.insert(m.str);
  CHECK(seen.size() > 90);
  CHECK(S(e.Run({"SCARD", "s"})) == Int(100));  // nothing removed
}

TEST_CASE("SSCAN", "[set]") {
  TestEngine e(2);
  CHECK(S(e.Run({"SSCAN", "nokey", "0"})) == "[\"0\", []]");
  CHECK(S(e.Run({"SSCAN", "nokey", "abc"})) == "(error) ERR invalid cursor");
  Add(e, "i", {"3", "1", "2", "10"});
  CHECK(S(e.Run({"SSCAN", "i", "0"})) == "[\"0\", [\"1\", \"2\", \"3\", \"10\"]]");
  CHECK(S(e.Run({"SSCAN", "i", "0", "MATCH", "1*"})) == "[\"0\", [\"1\", \"10\"]]");
  CHECK(S(e.Run({"SSCAN", "i", "0", "COUNT", "0"})) == kSyntax);
  CHECK(S(e.Run({"SSCAN", "i", "0", "COUNT", "x"})) == kNotInt);
  CHECK(S(e.Run({"SSCAN", "i", "0", "MATCH"})) == kSyntax);
  CHECK(S(e.Run({"SSCAN", "i", "0", "FOO", "1"})) == kSyntax);
  // Redis parses the cursor with strtoul: "-1" wraps around; a small set comes back whole.
  CHECK(S(e.Run({"SSCAN", "i", "-1"})) == "[\"0\", [\"1\", \"2\", \"3\", \"10\"]]");
  CHECK(S(e.Run({"SSCAN", "i", " 1"})) == "(error) ERR invalid cursor");
  CHECK(S(e.Run({"SPOP", "i", "x"})) == "(error) ERR value is out of range, must be positive");
  CHECK(S(e.Run({"SINTERCARD", "x", "i"})) == "(error) ERR numkeys should be greater than 0");
  CHECK(S(e.Run({"SINTERCARD", "1", "i", "LIMIT", "x"})) == "(error) ERR LIMIT can't be negative");

  std::set<std::string> all;
  std::vector<std::string> members;
  for (int i = 0; i < 1000; ++i) {
    members.push_back("m" + std::to_string(i));
    all.insert(members.back());
  }
  Add(e, "h", members);
  for (std::string count : {"1", "7", "10", "100", "5000"}) {
    std::set<std::string> got;
    std::string cursor = "0";
    int calls = 0;
    do {
      RespValue r = e.Run({"SSCAN", "h", cursor, "COUNT", count});
      REQUIRE(r.elems.size() == 2);
      cursor = r.elems[0].str;
      for (const auto& m : r.elems[1].elems) got.insert(m.str);
      REQUIRE(++calls <= 1001);
    } while (cursor != "0");
    CHECK(got == all);
  }
  // Members removed and added mid-scan: every member present throughout is still returned.
  {
    std::set<std::string> got;
    std::string cursor = "0";
    int round = 0;
    do {
      RespValue r = e.Run({"SSCAN", "h", cursor, "COUNT", "25"});
      cursor = r.elems[0].str;
      for (const auto& m : r.elems[1].elems) got.insert(m.str);
      // Remove members both from the scanned part and ahead of the cursor, and add new ones.
      e.Run({"SREM", "h", "m" + std::to_string(round * 7 % 1000), "m" + std::to_string(round)});
      e.Run({"SADD", "h", "new" + std::to_string(round)});
      ++round;
    } while (cursor != "0");
    for (int i = 0; i < 1000; ++i) {
      std::string m = "m" + std::to_string(i);
      bool removed = false;
      for (int r = 0; r < round; ++r)
        removed =
            removed || m == "m" + std::to_string(r * 7 % 1000) || m == "m" + std::to_string(r);
      if (!removed) CHECK(got.count(m) == 1);
    }
    for (int r = 0; r < round; ++r) {
      e.Run({"SADD", "h", "m" + std::to_string(r * 7 % 1000), "m" + std::to_string(r)});
      e.Run({"SREM", "h", "new" + std::to_string(r)});
    }
  }
  std::set<std::string> matched;
  std::string cursor = "0";
  do {
    RespValue r = e.Run({"SSCAN", "h", cursor, "MATCH", "m9?", "COUNT", "50"});
    cursor = r.elems[0].str;
    for (const auto& m : r.elems[1].elems) matched.insert(m.str);
  } while (cursor != "0");
  CHECK(matched.size() == 10);
  CHECK(matched.count("m95") == 1);
}

// Keys for a multi-key test: on one shard (`spread` false) or on shards 0,1,2,... in turn.
std::vector<std::string> Keys(TestEngine& e, int n, bool spread, const std::string& prefix) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i)
    out.push_back(e.KeyOnShard(spread ? i % e.num_shards() : 0, prefix + std::to_string(i) + "_"));
  return out;
}

TEST_CASE("SINTER SUNION SDIFF SINTERCARD on one shard and across shards", "[set]") {
  for (int shards : {2, 4}) {
    for (bool spread : {false, true}) {
      TestEngine e(shards);
      auto k = Keys(e, 4, spread, "r");
      Add(e, k[0], {"a", "b", "c", "d"});
      Add(e, k[1], {"b", "c", "e"});
      Add(e, k[2], {"c", "b", "x"});
      std::string none = k[3];
      CHECK(M(e.Run({"SINTER", k[0], k[1], k[2]})) == Of({"b", "c"}));
      CHECK(M(e.Run({"SINTER", k[0]})) == Of({"a", "b", "c", "d"}));
      CHECK(S(e.Run({"SINTER", k[0], none})) == "[]");
      CHECK(M(e.Run({"SUNION", k[0], k[1], k[2], none})) == Of({"a", "b", "c", "d", "e", "x"}));
      CHECK(M(e.Run({"SDIFF", k[0], k[1], none})) == Of({"a", "d"}));
      CHECK(M(e.Run({"SDIFF", k[0], k[1], k[2]})) == Of({"a", "d"}));
      CHECK(S(e.Run({"SDIFF", none, k[0]})) == "[]");
      CHECK(S(e.Run({"SINTERCARD", "3", k[0], k[1], k[2]})) == Int(2));
      CHECK(S(e.Run({"SINTERCARD", "3", k[0], k[1], k[2], "LIMIT", "1"})) == Int(1));
      CHECK(S(e.Run({"SINTERCARD", "3", k[0], k[1], k[2], "limit", "0"})) == Int(2));
      CHECK(S(e.Run({"SINTERCARD", "2", k[0], none})) == Int(0));
      CHECK(S(e.Run({"SINTERCARD", "0", k[0]})) == "(error) ERR numkeys should be greater than 0");
      CHECK(S(e.Run({"SINTERCARD", "3", k[0], k[1]})) ==
            "(error) ERR Number of keys can't be greater than number of args");
      CHECK(S(e.Run({"SINTERCARD", "x", k[0]})) == "(error) ERR numkeys should be greater than 0");
      CHECK(S(e.Run({"SINTERCARD", "2", k[0], k[1], "LIMIT", "-1"})) ==
            "(error) ERR LIMIT can't be negative");
      CHECK(S(e.Run({"SINTERCARD", "2", k[0], k[1], "LIMIT"})) == kSyntax);
      CHECK(S(e.Run({"SINTERCARD", "2", k[0], k[1], "FOO", "1"})) == kSyntax);
      // A key of another type is an error wherever it is, even after a missing key.
      std::string str = Keys(e, 2, spread, "str")[1];
      e.Run({"SET", str, "v"});
      CHECK(S(e.Run({"SINTER", none, str})) == kWrongType);
      CHECK(S(e.Run({"SUNION", k[0], str})) == kWrongType);
      CHECK(S(e.Run({"SDIFF", none, str})) == kWrongType);
      CHECK(S(e.Run({"SINTERCARD", "2", none, str})) == kWrongType);
    }
  }
}

TEST_CASE("SINTERSTORE SUNIONSTORE SDIFFSTORE on one shard and across shards", "[set]") {
  for (int shards : {2, 4}) {
    for (bool spread : {false, true}) {
      TestEngine e(shards);
      auto k = Keys(e, 5, spread, "w");
      std::string dst = k[4], none = k[3];
      Add(e, k[0], {"a", "b", "c", "d"});
      Add(e, k[1], {"b", "c", "e"});
      Add(e, k[2], {"c", "b", "x"});
      CHECK(S(e.Run({"SINTERSTORE", dst, k[0], k[1], k[2]})) == Int(2));
      CHECK(M(e.Run({"SMEMBERS", dst})) == Of({"b", "c"}));
      CHECK(S(e.Run({"SUNIONSTORE", dst, k[0], k[1], k[2]})) == Int(6));
      CHECK(M(e.Run({"SMEMBERS", dst})) == Of({"a", "b", "c", "d", "e", "x"}));
      CHECK(S(e.Run({"SDIFFSTORE", dst, k[0], k[1]})) == Int(2));
      CHECK(M(e.Run({"SMEMBERS", dst})) == Of({"a", "d"}));
      // The destination may be a source.
      CHECK(S(e.Run({"SUNIONSTORE", dst, dst, k[1]})) == Int(5));
      CHECK(M(e.Run({"SMEMBERS", dst})) == Of({"a", "b", "c", "d", "e"}));
      // An empty result deletes the destination, whatever it held (and its TTL).
      e.Run({"EXPIRE", dst, "100"});
      CHECK(S(e.Run({"SINTERSTORE", dst, k[0], none})) == Int(0));
      CHECK(S(e.Run({"EXISTS", dst})) == Int(0));
      // A destination of another type is replaced; a stored result has no TTL.
      e.Run({"SET", dst, "v"});
      e.Run({"EXPIRE", dst, "100"});
      CHECK(S(e.Run({"SDIFFSTORE", dst, k[0]})) == Int(4));
      CHECK(S(e.Run({"TYPE", dst})) == "set");
      CHECK(S(e.Run({"TTL", dst})) == Int(-1));
      // A source of another type: error, destination untouched.
      std::string str = Keys(e, 2, spread, "str")[1];
      e.Run({"SET", str, "v"});
      CHECK(S(e.Run({"SUNIONSTORE", dst, k[1], str})) == kWrongType);
      CHECK(S(e.Run({"SINTERSTORE", dst, none, str})) == kWrongType);
      CHECK(S(e.Run({"SCARD", dst})) == Int(4));
      // Pipelined after a cross-shard store, a read sees the stored set.
      auto replies = e.Pipeline({{"SUNIONSTORE", dst, k[1], k[2]}, {"SCARD", dst}});
      CHECK(S(replies[0]) == Int(4));
      CHECK(S(replies[1]) == Int(4));
    }
  }
}

TEST_CASE("SMOVE on one shard and across shards", "[set]") {
  for (int shards : {2, 4}) {
    for (bool spread : {false, true}) {
      TestEngine e(shards);
      auto k = Keys(e, 3, spread, "mv");
      std::string src = k[0], dst = k[1], none = k[2];
      Add(e, src, {"a", "b"});
      CHECK(S(e.Run({"SMOVE", src, dst, "a"})) == Int(1));
      CHECK(M(e.Run({"SMEMBERS", src})) == Of({"b"}));
      CHECK(M(e.Run({"SMEMBERS", dst})) == Of({"a"}));
      CHECK(S(e.Run({"SMOVE", src, dst, "zz"})) == Int(0));
      CHECK(S(e.Run({"SMOVE", none, dst, "a"})) == Int(0));
      CHECK(S(e.Run({"SMOVE", src, src, "b"})) == Int(1));
      CHECK(S(e.Run({"SMOVE", src, src, "zz"})) == Int(0));
      // Moving a member the destination already has.
      Add(e, dst, {"b"});
      CHECK(S(e.Run({"SMOVE", src, dst, "b"})) == Int(1));
      CHECK(S(e.Run({"EXISTS", src})) == Int(0));  // emptied source deleted
      CHECK(M(e.Run({"SMEMBERS", dst})) == Of({"a", "b"}));
      // Types: a missing source answers 0 even with a bad destination.
      std::string str = Keys(e, 2, spread, "str")[1];
      e.Run({"SET", str, "v"});
      CHECK(S(e.Run({"SMOVE", none, str, "a"})) == Int(0));
      CHECK(S(e.Run({"SMOVE", dst, str, "a"})) == kWrongType);
      CHECK(S(e.Run({"SMOVE", dst, str, "nope"})) == kWrongType);
      CHECK(S(e.Run({"SMOVE", str, dst, "a"})) == kWrongType);
      CHECK(M(e.Run({"SMEMBERS", dst})) == Of({"a", "b"}));
      // The moved member keeps the intset rule at the destination.
      Add(e, src, {"7"});
      CHECK(S(e.Run({"SMOVE", src, none, "7"})) == Int(1));
      CHECK(S(e.Run({"OBJECT", "ENCODING", none})) == "\"intset\"");
      auto replies = e.Pipeline({{"SMOVE", dst, none, "a"}, {"SISMEMBER", none, "a"}});
      CHECK(S(replies[0]) == Int(1));
      CHECK(S(replies[1]) == Int(1));
    }
  }
}

TEST_CASE("SUNIONSTORE and SMOVE across shards hold off other clients until done", "[set]") {
  TestEngine e(2);
  std::string src = e.KeyOnShard(0, "iso"), dst = e.KeyOnShard(1, "iso");
  Add(e, src, {"a", "b"});
  int other = e.NewClient(1);
  Send(e, 0, {"SUNIONSTORE", dst, src});
  for (int i = 0; i < 10 && e.shard(1).lock_tx() == 0; ++i) Step(e);
  REQUIRE(e.shard(1).lock_tx() != 0);
  Send(e, other, {"SADD", src, "c"});
  Send(e, other, {"SCARD", dst});
  CHECK(Replies(e, other).empty());  // waiting behind the lock
  e.Pump();
  CHECK(Replies(e, 0) == std::vector<std::string>{Int(2)});
  CHECK(Replies(e, other) == std::vector<std::string>{Int(1), Int(2)});
  CHECK(e.shard(0).lock_tx() == 0);
  CHECK(e.shard(1).lock_tx() == 0);

  Send(e, 0, {"SMOVE", src, dst, "c"});
  for (int i = 0; i < 10 && e.shard(1).lock_tx() == 0; ++i) Step(e);
  REQUIRE(e.shard(1).lock_tx() != 0);
  Send(e, other, {"SISMEMBER", dst, "c"});
  CHECK(Replies(e, other).empty());
  e.Pump();
  CHECK(Replies(e, 0) == std::vector<std::string>{Int(1)});
  CHECK(Replies(e, other) == std::vector<std::string>{Int(1)});
  CHECK(S(e.Run({"SISMEMBER", src, "c"})) == Int(0));
}

TEST_CASE("set commands agree with std::set on random operations", "[set]") {
  TestEngine e(4);
  std::mt19937 rng(12345);
  const std::vector<std::string> keys = {e.KeyOnShard(0, "d"), e.KeyOnShard(1, "d"),
                                         e.KeyOnShard(2, "d"), e.KeyOnShard(3, "d"),
                                         e.KeyOnShard(0, "dd")};
  std::map<std::string, std::set<std::string>> model;
  auto member = [&] {
    int v = static_cast<int>(rng() % 40);
    // Mix integers and strings so both encodings are exercised.
    return rng() % 3 ? std::to_string(v) : "s" + std::to_string(v);
  };
  auto key = [&] { return keys[rng() % keys.size()]; };
  auto set_of = [&](const std::string& k) {
    return model.count(k) ? model[k] : std::set<std::string>{};
  };
  for (int step = 0; step < 3000; ++step) {
    int op = static_cast<int>(rng() % 9);
    std::string k = key();
    INFO("step " << step << " op " << op);
    switch (op) {
      case 0:
      case 1: {
        std::string m1 = member(), m2 = member();
        int64_t want = model[k].insert(m1).second + model[k].insert(m2).second;
        CHECK(S(e.Run({"SADD", k, m1, m2})) == Int(want));
        break;
      }
      case 2: {
        std::string m = member();
        int64_t want = model.count(k) ? static_cast<int64_t>(model[k].erase(m)) : 0;
        if (model.count(k) && model[k].empty()) model.erase(k);
        CHECK(S(e.Run({"SREM", k, m})) == Int(want));
        break;
      }
      case 3: {
        std::string a = key(), b = key();
        std::set<std::string> sa = set_of(a), sb = set_of(b), r;
        for (const auto& m : sa)
          if (sb.count(m)) r.insert(m);
        CHECK(M(e.Run({"SINTER", a, b})) == r);
        CHECK(S(e.Run({"SINTERCARD", "2", a, b})) == Int(static_cast<int64_t>(r.size())));
        break;
      }
      case 4: {
        std::string a = key(), b = key(), c = key();
        std::set<std::string> r = set_of(a);
        for (const auto& m : set_of(b)) r.erase(m);
        std::set<std::string> u = set_of(a);
        for (const auto& m : set_of(c)) u.insert(m);
        CHECK(M(e.Run({"SDIFF", a, b})) == r);
        CHECK(M(e.Run({"SUNION", a, c})) == u);
        break;
      }
      case 5: {
        std::string a = key(), b = key();
        int which = static_cast<int>(rng() % 3);
        std::set<std::string> sa = set_of(a), sb = set_of(b), r;
        const char* cmd = which == 0 ? "SINTERSTORE" : which == 1 ? "SUNIONSTORE" : "SDIFFSTORE";
        for (const auto& m : sa)
          if (which == 1 || (which == 0) == (sb.count(m) > 0)) r.insert(m);
        if (which == 1) r.insert(sb.begin(), sb.end());
        CHECK(S(e.Run({cmd, k, a, b})) == Int(static_cast<int64_t>(r.size())));
        if (r.empty())
          model.erase(k);
        else
          model[k] = r;
        break;
      }
      case 6: {
        std::string d = key(), m = member();
        std::set<std::string> src = set_of(k);
        int64_t want = src.count(m) ? 1 : 0;
        if (want && d != k) {
          model[k].erase(m);
          if (model[k].empty()) model.erase(k);
          model[d].insert(m);
        }
        CHECK(S(e.Run({"SMOVE", k, d, m})) == Int(want));
        break;
      }
      case 7: {
        RespValue r = e.Run({"SPOP", k, "2"});
        for (const auto& m : r.elems) {
          CHECK(model[k].erase(m.str) == 1);
        }
        CHECK(r.elems.size() == std::min<size_t>(2, set_of(k).size() + r.elems.size()));
        if (model[k].empty()) model.erase(k);
        break;
      }
      default: {
        CHECK(M(e.Run({"SMEMBERS", k})) == set_of(k));
        CHECK(S(e.Run({"SCARD", k})) == Int(static_cast<int64_t>(set_of(k).size())));
        // Encoding: intset iff every member is an integer (the sets stay under 512).
        if (model.count(k)) {
          bool ints = true;
          for (const auto& m : model[k]) ints = ints && m[0] != 's';
          RespValue enc = e.Run({"OBJECT", "ENCODING", k});
          if (!ints) CHECK(enc.str == "hashtable");
        }
        break;
      }
    }
  }
  for (const auto& k : keys) CHECK(M(e.Run({"SMEMBERS", k})) == set_of(k));
}

}  // namespace
}  // namespace kevy::test

namespace kevy::test {
namespace {

std::vector<std::string> Strs(const Set& s) {
  std::vector<std::string> out;
  for (std::string_view m : s.Members()) out.emplace_back(m);
  return out;
}

TEST_CASE("Set: intset widths, integer forms and conversion boundaries", "[set]") {
  Set s;
  CHECK(s.is_intset());
  // 16-bit, then upgrades to 32 and 64 bits; ascending order throughout.
  for (const char* m : {"5", "-32768", "32767"}) CHECK(s.Add(m, 512));
  size_t b16 = s.HeapBytes();
  CHECK(s.Add("32768", 512));
  size_t b32 = s.HeapBytes();
  CHECK(b32 > b16);
  CHECK(s.Add("-2147483649", 512));
  CHECK(s.Add("9223372036854775807", 512));
  CHECK(s.Add("-9223372036854775808", 512));
  CHECK_FALSE(s.Add("5", 512));
  CHECK(s.is_intset());
  CHECK(s.HeapBytes() == 8 + 7 * 8);
  CHECK(Strs(s) == std::vector<std::string>{"-9223372036854775808", "-2147483649", "-32768",
                                            "5", "32767", "32768", "9223372036854775807"});
  Set::NumBuf nb;
  CHECK(s.At(0, &nb) == "-9223372036854775808");
  CHECK(s.At(6, &nb) == "9223372036854775807");
  CHECK(s.Contains("32768"));
  CHECK_FALSE(s.Contains("32769"));
  CHECK_FALSE(s.Contains("05"));  // not canonical: never an intset member
  CHECK_FALSE(s.Remove("+5"));
  CHECK(s.Remove("5"));
  CHECK(s.TakeAt(0) == "-9223372036854775808");
  CHECK(s.Size() == 5);
  CHECK(s.is_intset());

  // Non-integers: "", "1\0" (binary), "-0", "1.0", out of int64 range -> hashtable.
  for (std::string m : {std::string(), std::string("1\0", 2), std::string("-0"),
                        std::string("1.0"), std::string("9223372036854775808"),
                        std::string(" 1")}) {
    INFO(m);
    Set t;
    CHECK(t.Add("1", 512));
    CHECK(t.Add(m, 512));
    CHECK_FALSE(t.is_intset());
    CHECK(t.Contains(m));
    CHECK(t.Contains("1"));
    CHECK(t.Size() == 2);
  }

  // Exactly set-max-intset-entries stays an intset; one more converts, keeping members.
  Set c;
  for (int i = 0; i < 4; ++i) CHECK(c.Add(std::to_string(i * 1000), 4));
  CHECK(c.is_intset());
  CHECK_FALSE(c.Add("0", 4));  // a duplicate adds nothing, converts nothing
  CHECK(c.is_intset());
  CHECK(c.Add("-1", 4));
  CHECK_FALSE(c.is_intset());
  CHECK(c.Size() == 5);
  for (const char* m : {"-1", "0", "1000", "2000", "3000"}) CHECK(c.Contains(m));
  // Never back, even when only integers remain and few of them.
  CHECK(c.Remove("-1"));
  CHECK(c.Remove("0"));
  CHECK_FALSE(c.is_intset());
  // Zero limit: the first member already converts (Redis adds, then converts).
  Set z;
  CHECK(z.Add("1", 0));
  CHECK_FALSE(z.is_intset());
}

// An intset (integers only, no limit reached), a hashtable (converted by a non-integer
// that is then removed) and a std::set model get the same random operations.
TEST_CASE("Set: intset, hashtable and a model agree on random operations", "[set]") {
  std::mt19937_64 rng(2024);
  Set is, ht;
  ht.Add("x", 1 << 30);
  ht.Remove("x");
  REQUIRE(is.is_intset());
  REQUIRE_FALSE(ht.is_intset());
  std::set<int64_t> model;
  auto rnd = [&]() -> int64_t {
    switch (rng() % 4) {
      case 0: return static_cast<int64_t>(rng());  // any width
      case 1: return static_cast<int64_t>(rng() % 100000) - 50000;
      default: return static_cast<int64_t>(rng() % 200) - 100;
    }
  };
  for (int op = 0; op < 5000; ++op) {
    int64_t v = rnd();
    std::string m = std::to_string(v);
    int kind = static_cast<int>(rng() % 4);
    if (kind < 2) {
      bool is_new = model.insert(v).second;
      CHECK(is.Add(m, 1 << 30) == is_new);
      CHECK(ht.Add(m, 1 << 30) == is_new);
    } else if (kind == 2) {
      bool had = model.erase(v) > 0;
      CHECK(is.Remove(m) == had);
      CHECK(ht.Remove(m) == had);
    } else if (!model.empty()) {
      size_t i = rng() % model.size();
      std::string got = is.TakeAt(i);  // the i-th smallest
      auto it = std::next(model.begin(), static_cast<long>(i));
      CHECK(got == std::to_string(*it));
      model.erase(it);
      CHECK(ht.Remove(got));
    }
    REQUIRE(is.Size() == model.size());
    REQUIRE(ht.Size() == model.size());
    if (op % 100 == 0 || op == 4999) {
      std::vector<std::string> want;
      for (int64_t x : model) want.push_back(std::to_string(x));
      REQUIRE(Strs(is) == want);  // ascending, as Redis's intset
      auto got = Strs(ht);
      std::vector<std::string> a(got.begin(), got.end()), b(want.begin(), want.end());
      std::sort(a.begin(), a.end());
      std::sort(b.begin(), b.end());
      REQUIRE(a == b);
      for (const auto& w : want) CHECK(is.Contains(w));
    }
  }
  REQUIRE(is.is_intset());
  auto c = is.Clone();
  CHECK(c->Encoding() == "intset");
  CHECK(Strs(*static_cast<Set*>(c.get())) == Strs(is));
}

// A deliberate difference from Redis 7.0.15 (docs/commands.md): a negative count (|count|
// picks with repetitions) below -kMaxRandomPicks is refused with "ERR value is out of range"
// instead of building a reply until memory runs out. The count is checked before the key
// (missing keys too), after the syntax and Redis's own range checks, whose texts stay.
TEST_CASE("SRANDMEMBER HRANDFIELD ZRANDMEMBER refuse huge negative counts", "[set]") {
  TestEngine e(2);
  const std::string kRange = "(error) ERR value is out of range";
  const std::string kLongRange =
      "(error) ERR value is out of range, value must between -9223372036854775807 and "
      "9223372036854775807";
  CHECK(S(e.Run({"SADD", "s", "a"})) == Int(1));
  CHECK(S(e.Run({"HSET", "h", "f", "v"})) == Int(1));
  CHECK(S(e.Run({"ZADD", "z", "1", "a"})) == Int(1));
  const std::string past = std::to_string(-kMaxRandomPicks - 1);
  for (const std::string& n :
       {std::string("-9223372036854775807"), std::string("-4611686018427387904"),
        std::string("-4611686018427387903"), past}) {
    INFO(n);
    for (const char* key : {"s", "nokey"}) CHECK(S(e.Run({"SRANDMEMBER", key, n})) == kRange);
    for (const char* key : {"h", "nokey"}) {
      CHECK(S(e.Run({"HRANDFIELD", key, n})) == kRange);
      CHECK(S(e.Run({"HRANDFIELD", key, n, "WITHVALUES"})) == kRange);
    }
    for (const char* key : {"z", "nokey"}) {
      CHECK(S(e.Run({"ZRANDMEMBER", key, n})) == kRange);
      CHECK(S(e.Run({"ZRANDMEMBER", key, n, "WITHSCORES"})) == kRange);
    }
    // Redis's earlier checks keep their order and texts.
    CHECK(S(e.Run({"HRANDFIELD", "h", n, "FOO"})) == kSyntax);
    CHECK(S(e.Run({"ZRANDMEMBER", "z", n, "FOO"})) == kSyntax);
  }
  CHECK(S(e.Run({"SRANDMEMBER", "s", "-9223372036854775808"})) == kLongRange);
  CHECK(S(e.Run({"HRANDFIELD", "h", "-9223372036854775808"})) == kLongRange);
  CHECK(S(e.Run({"ZRANDMEMBER", "z", "-9223372036854775808"})) == kLongRange);
  // Positive counts are bounded by the collection; past LONG_MAX/2 WITHSCORES/WITHVALUES
  // would overflow Redis's reply length, so Redis refuses them.
  CHECK(S(e.Run({"SRANDMEMBER", "s", "9223372036854775807"})) == "[\"a\"]");
  CHECK(S(e.Run({"ZRANDMEMBER", "z", "4611686018427387904", "WITHSCORES"})) == kRange);
  CHECK(S(e.Run({"HRANDFIELD", "h", "4611686018427387904", "WITHVALUES"})) == kRange);
  CHECK(S(e.Run({"ZRANDMEMBER", "z", "4611686018427387903"})) == "[\"a\"]");
  // Up to the bound, repetitions work as before.
  RespValue r = e.Run({"SRANDMEMBER", "s", "-1000"});
  REQUIRE(r.type == RespValue::kArray);
  CHECK(r.elems.size() == 1000u);
  CHECK(e.Run({"HRANDFIELD", "h", "-1000", "WITHVALUES"}).elems.size() == 2000u);
  CHECK(e.Run({"ZRANDMEMBER", "z", "-1000"}).elems.size() == 1000u);
  CHECK(e.Run({"SRANDMEMBER", "nokey", "-1000"}).elems.empty());
}

}  // namespace
}  // namespace kevy::test
