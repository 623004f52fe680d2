// Tests of the hash commands (engine/commands/hash_family.cc) and the Hash collection
// (engine/types/hash.h) on the in-process engine with 2 and 4 shards: replies and error
// texts as redis-server 7.0 gives them, RESP3 forms, the listpack -> hashtable conversion by
// entry count and by field/value size, HSCAN's cursor on the large form, and a randomized
// differential test against a std::map model.
#include <catch2/catch.hpp>
#include <algorithm>
#include <cstdint>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "engine/shard.h"
#include "engine/types/hash.h"
#include "tests/support/test_engine.h"

namespace kevy::test {
namespace {

const char* const kNil = "(nil)";

Entry* Raw(TestEngine& e, const std::string& key) {
  return e.shard(e.server().slots.ShardOf(key)).db(0).FindRaw(key);
}

std::string Encoding(TestEngine& e, const std::string& key) {
  return S(e.Run({"OBJECT", "ENCODING", key}));
}

// The hash's full contents as a map, read through HGETALL (RESP2 flat array).
std::map<std::string, std::string> Contents(TestEngine& e, const std::string& key) {
  RespValue r = e.Run({"HGETALL", key});
  std::map<std::string, std::string> m;
  REQUIRE(r.type == RespValue::kArray);
  REQUIRE(r.elems.size() % 2 == 0);
  for (size_t i = 0; i + 1 < r.elems.size(); i += 2) m[r.elems[i].str] = r.elems[i + 1].str;
  return m;
}

// All (field, value) pairs a full HSCAN iteration returns (with duplicates removed).
std::map<std::string, std::string> ScanAll(TestEngine& e, const std::string& key,
                                           const std::string& count, int* calls = nullptr) {
  std::map<std::string, std::string> m;
  std::string cursor = "0";
  int n = 0;
  do {
    RespValue r = e.Run({"HSCAN", key, cursor, "COUNT", count});
    REQUIRE(r.type == RespValue::kArray);
    REQUIRE(r.elems.size() == 2);
    cursor = r.elems[0].str;
    const auto& items = r.elems[1].elems;
    REQUIRE(items.size() % 2 == 0);
    for (size_t i = 0; i + 1 < items.size(); i += 2) m[items[i].str] = items[i + 1].str;
    ++n;
    REQUIRE(n < 100000);
  } while (cursor != "0");
  if (calls) *calls = n;
  return m;
}

}  // namespace

TEST_CASE("HSET HGET HMGET HSETNX HMSET", "[hash]") {
  for (int shards : {2, 4}) {
    TestEngine e(shards);
    std::string k = e.KeyOnShard(shards - 1, "h");
    CHECK(S(e.Run({"HSET", k, "a", "1", "b", "2"})) == Int(2));
    CHECK(S(e.Run({"HSET", k, "a", "10", "c", "3"})) == Int(1));
    CHECK(S(e.Run({"HGET", k, "a"})) == "\"10\"");
    CHECK(S(e.Run({"HGET", k, "zz"})) == kNil);
    CHECK(S(e.Run({"HGET", "nokey", "a"})) == kNil);
    CHECK(S(e.Run({"HMGET", k, "a", "zz", "c"})) == "[\"10\", (nil), \"3\"]");
    CHECK(S(e.Run({"HMGET", "nokey", "a", "b"})) == "[(nil), (nil)]");
    CHECK(S(e.Run({"HSETNX", k, "a", "x"})) == Int(0));
    CHECK(S(e.Run({"HGET", k, "a"})) == "\"10\"");
    CHECK(S(e.Run({"HSETNX", k, "d", "4"})) == Int(1));
    CHECK(S(e.Run({"HSETNX", "newkey", "f", "v"})) == Int(1));
    CHECK(S(e.Run({"TYPE", "newkey"})) == "hash");
    CHECK(S(e.Run({"HMSET", k, "e", "5", "a", "11"})) == "OK");
    CHECK(S(e.Run({"HGET", k, "a"})) == "\"11\"");
    CHECK(S(e.Run({"HLEN", k})) == Int(5));
    // Odd pair counts: arity passes, the pair check does not.
    CHECK(S(e.Run({"HSET", k, "a", "1", "b"})) ==
          "(error) ERR wrong number of arguments for 'hset' command");
    CHECK(S(e.Run({"HMSET", k, "a", "1", "b"})) ==
          "(error) ERR wrong number of arguments for 'hmset' command");
    CHECK(S(e.Run({"HSET", k, "a"})) == "(error) ERR wrong number of arguments for 'hset' command");
    CHECK(S(e.Run({"HSET", "fresh", "a", "1", "b"})).find("wrong number") != std::string::npos);
    CHECK(S(e.Run({"EXISTS", "fresh"})) == Int(0));  // a refused HSET creates nothing
    // Empty field names and values are fine.
    CHECK(S(e.Run({"HSET", k, "", ""})) == Int(1));
    CHECK(S(e.Run({"HGET", k, ""})) == "\"\"");
  }
}

TEST_CASE("hash commands on a key of another type answer WRONGTYPE", "[hash]") {
  TestEngine e(2);
  e.Run({"SET", "s", "x"});
  for (const std::vector<std::string>& cmd :
       std::vector<std::vector<std::string>>{{"HSET", "s", "a", "1"},
                                             {"HSETNX", "s", "a", "1"},
                                             {"HMSET", "s", "a", "1"},
                                             {"HGET", "s", "a"},
                                             {"HMGET", "s", "a"},
                                             {"HDEL", "s", "a"},
                                             {"HLEN", "s"},
                                             {"HSTRLEN", "s", "a"},
                                             {"HEXISTS", "s", "a"},
                                             {"HKEYS", "s"},
                                             {"HVALS", "s"},
                                             {"HGETALL", "s"},
                                             {"HINCRBY", "s", "a", "1"},
                                             {"HINCRBYFLOAT", "s", "a", "1"},
                                             {"HRANDFIELD", "s"},
                                             {"HRANDFIELD", "s", "2"},
                                             {"HSCAN", "s", "0"}}) {
    INFO(cmd[0]);
    CHECK(S(e.Run(cmd)) == kWrongType);
  }
  CHECK(S(e.Run({"GET", "s"})) == "\"x\"");
  e.Run({"HSET", "h", "a", "1"});
  CHECK(S(e.Run({"GET", "h"})) == kWrongType);
}

TEST_CASE("HDEL HLEN HSTRLEN HEXISTS and the deletion of an emptied hash", "[hash]") {
  TestEngine e(2);
  e.Run({"HSET", "h", "a", "hello", "b", "2", "c", "3"});
  CHECK(S(e.Run({"HSTRLEN", "h", "a"})) == Int(5));
  CHECK(S(e.Run({"HSTRLEN", "h", "zz"})) == Int(0));
  CHECK(S(e.Run({"HSTRLEN", "nokey", "a"})) == Int(0));
  CHECK(S(e.Run({"HEXISTS", "h", "a"})) == Int(1));
  CHECK(S(e.Run({"HEXISTS", "h", "zz"})) == Int(0));
  CHECK(S(e.Run({"HEXISTS", "nokey", "a"})) == Int(0));
  CHECK(S(e.Run({"HLEN", "nokey"})) == Int(0));
  CHECK(S(e.Run({"HDEL", "h", "a", "a", "zz"})) == Int(1));
  CHECK(S(e.Run({"HDEL", "nokey", "a"})) == Int(0));
  CHECK(S(e.Run({"HLEN", "h"})) == Int(2));
  CHECK(S(e.Run({"HDEL", "h", "b", "c", "d"})) == Int(2));
  CHECK(S(e.Run({"EXISTS", "h"})) == Int(0));
  CHECK(Raw(e, "h") == nullptr);
}

TEST_CASE("HKEYS HVALS HGETALL keep insertion order, RESP3 map", "[hash]") {
  TestEngine e(2);
  e.Run({"HSET", "h", "z", "1", "a", "2", "m", "3"});
  e.Run({"HDEL", "h", "a"});
  e.Run({"HSET", "h", "a", "4"});
  CHECK(S(e.Run({"HKEYS", "h"})) == "[\"z\", \"m\", \"a\"]");
  CHECK(S(e.Run({"HVALS", "h"})) == "[\"1\", \"3\", \"4\"]");
  CHECK(S(e.Run({"HGETALL", "h"})) == "[\"z\", \"1\", \"m\", \"3\", \"a\", \"4\"]");
  CHECK(S(e.Run({"HKEYS", "nokey"})) == "[]");
  CHECK(S(e.Run({"HGETALL", "nokey"})) == "[]");
  e.Run({"HELLO", "3"});
  RespValue m = e.Run({"HGETALL", "h"});
  CHECK(m.type == RespValue::kMap);
  CHECK(S(m) == "{\"z\": \"1\", \"m\": \"3\", \"a\": \"4\"}");
  CHECK(e.Run({"HGETALL", "nokey"}).type == RespValue::kMap);
  CHECK(e.Run({"HKEYS", "h"}).type == RespValue::kArray);
  CHECK(e.Run({"HGET", "h", "nope"}).type == RespValue::kNull);
}

TEST_CASE("HINCRBY", "[hash]") {
  TestEngine e(2);
  CHECK(S(e.Run({"HINCRBY", "h", "n", "5"})) == Int(5));
  CHECK(S(e.Run({"HINCRBY", "h", "n", "-7"})) == Int(-2));
  CHECK(S(e.Run({"HGET", "h", "n"})) == "\"-2\"");
  e.Run({"HSET", "h", "s", "abc", "sp", " 1", "big", "9223372036854775807"});
  CHECK(S(e.Run({"HINCRBY", "h", "s", "1"})) == "(error) ERR hash value is not an integer");
  CHECK(S(e.Run({"HINCRBY", "h", "sp", "1"})) == "(error) ERR hash value is not an integer");
  CHECK(S(e.Run({"HINCRBY", "h", "n", "x"})) == kNotInt);
  CHECK(S(e.Run({"HINCRBY", "h", "n", "1.5"})) == kNotInt);
  CHECK(S(e.Run({"HINCRBY", "h", "big", "1"})) ==
        "(error) ERR increment or decrement would overflow");
  CHECK(S(e.Run({"HGET", "h", "big"})) == "\"9223372036854775807\"");
  // A refused increment on a missing key creates nothing.
  CHECK(S(e.Run({"HINCRBY", "fresh", "n", "x"})) == kNotInt);
  CHECK(S(e.Run({"EXISTS", "fresh"})) == Int(0));
}

TEST_CASE("HINCRBYFLOAT", "[hash]") {
  TestEngine e(2);
  CHECK(S(e.Run({"HINCRBYFLOAT", "h", "f", "10.5"})) == "\"10.5\"");
  CHECK(S(e.Run({"HINCRBYFLOAT", "h", "f", "0.1"})) == "\"10.6\"");
  CHECK(S(e.Run({"HINCRBYFLOAT", "h", "f", "-5"})) == "\"5.6\"");
  CHECK(S(e.Run({"HINCRBYFLOAT", "h", "f", "5.0e3"})) == "\"5005.60000000000000009\"");  // as Redis
  e.Run({"HSET", "h", "i", "3", "s", "abc", "hex", "0x10", "sp", " 1.5"});
  CHECK(S(e.Run({"HINCRBYFLOAT", "h", "i", "1"})) == "\"4\"");
  CHECK(S(e.Run({"HINCRBYFLOAT", "h", "hex", "1"})) == "\"17\"");  // strtold reads hex
  CHECK(S(e.Run({"HINCRBYFLOAT", "h", "s", "1"})) == "(error) ERR hash value is not a float");
  CHECK(S(e.Run({"HINCRBYFLOAT", "h", "sp", "1"})) == "(error) ERR hash value is not a float");
  CHECK(S(e.Run({"HINCRBYFLOAT", "h", "f", "x"})) == "(error) ERR value is not a valid float");
  CHECK(S(e.Run({"HINCRBYFLOAT", "h", "f", "inf"})) == "(error) ERR value is NaN or Infinity");
  // Long double range: 1e400 is finite.
  e.Run({"HSET", "h", "g", "1"});
  RespValue big = e.Run({"HINCRBYFLOAT", "h", "g", "1e400"});
  CHECK(big.type == RespValue::kBulk);
  CHECK(big.str.size() == 401);
  CHECK(S(e.Run({"HINCRBYFLOAT", "fresh", "f", "nan"})) ==
        "(error) ERR value is not a valid float");
  CHECK(S(e.Run({"EXISTS", "fresh"})) == Int(0));
}

TEST_CASE("HRANDFIELD", "[hash]") {
  TestEngine e(2);
  CHECK(S(e.Run({"HRANDFIELD", "nokey"})) == kNil);
  CHECK(S(e.Run({"HRANDFIELD", "nokey", "3"})) == "[]");
  CHECK(S(e.Run({"HRANDFIELD", "nokey", "-3", "WITHVALUES"})) == "[]");
  std::map<std::string, std::string> model;
  for (int i = 0; i < 10; ++i) {
    std::string f = "f" + std::to_string(i), v = "v" + std::to_string(i);
    e.Run({"HSET", "h", f, v});
    model[f] = v;
  }
  CHECK(S(e.Run({"HRANDFIELD", "h", "x"})) == kNotInt);
  CHECK(S(e.Run({"HRANDFIELD", "h", "x", "foo"})) == kNotInt);
  CHECK(S(e.Run({"HRANDFIELD", "h", "1", "withvalue"})) == kSyntax);
  CHECK(S(e.Run({"HRANDFIELD", "h", "1", "withvalues", "x"})) == kSyntax);
  CHECK(S(e.Run({"HRANDFIELD", "h", "-9223372036854775808"})) ==
        "(error) ERR value is out of range, value must between -9223372036854775807 and "
        "9223372036854775807");
  CHECK(S(e.Run({"HRANDFIELD", "h", "-4611686018427387904", "WITHVALUES"})) ==
        "(error) ERR value is out of range");
  CHECK(S(e.Run({"HRANDFIELD", "h", "4611686018427387904", "WITHVALUES"})) ==
        "(error) ERR value is out of range");
  CHECK(S(e.Run({"HRANDFIELD", "h", "0"})) == "[]");
  CHECK(S(e.Run({"HRANDFIELD", "h", "0", "WITHVALUES"})) == "[]");

  RespValue one = e.Run({"HRANDFIELD", "h"});
  CHECK(model.count(one.str) == 1);
  // count >= size: the whole hash, each field once.
  RespValue all = e.Run({"HRANDFIELD", "h", "100", "WITHVALUES"});
  REQUIRE(all.elems.size() == 20);
  std::map<std::string, std::string> got;
  for (size_t i = 0; i < all.elems.size(); i += 2) got[all.elems[i].str] = all.elems[i + 1].str;
  CHECK(got == model);
  // 0 < count < size: distinct fields.
  for (int round = 0; round < 20; ++round) {
    RespValue r = e.Run({"HRANDFIELD", "h", "7"});
    REQUIRE(r.elems.size() == 7);
    std::set<std::string> seen;
    for (const auto& x : r.elems) {
      CHECK(model.count(x.str) == 1);
      seen.insert(x.str);
    }
    CHECK(seen.size() == 7);
  }
  // Negative count: exactly |count| picks, repetitions allowed, pairs consistent.
  RespValue neg = e.Run({"HRANDFIELD", "h", "-50", "WITHVALUES"});
  REQUIRE(neg.elems.size() == 100);
  std::set<std::string> distinct;
  for (size_t i = 0; i < neg.elems.size(); i += 2) {
    CHECK(model[neg.elems[i].str] == neg.elems[i + 1].str);
    distinct.insert(neg.elems[i].str);
  }
  CHECK(distinct.size() < 50);  // 50 picks from 10 fields must repeat
  // RESP3: WITHVALUES gives an array of [field, value] pairs.
  e.Run({"HELLO", "3"});
  RespValue r3 = e.Run({"HRANDFIELD", "h", "-3", "WITHVALUES"});
  REQUIRE(r3.type == RespValue::kArray);
  REQUIRE(r3.elems.size() == 3);
  for (const auto& p : r3.elems) {
    REQUIRE(p.type == RespValue::kArray);
    REQUIRE(p.elems.size() == 2);
    CHECK(model[p.elems[0].str] == p.elems[1].str);
  }
  CHECK(e.Run({"HRANDFIELD", "h", "3"}).elems.size() == 3);
  CHECK(e.Run({"HRANDFIELD", "h", "3"}).elems[0].type == RespValue::kBulk);
}

TEST_CASE("HRANDFIELD on a large (hashtable) hash", "[hash]") {
  TestEngine e(2);
  std::map<std::string, std::string> model;
  for (int i = 0; i < 1000; ++i) {
    std::string f = "field:" + std::to_string(i);
    e.Run({"HSET", "h", f, std::to_string(i)});
    model[f] = std::to_string(i);
  }
  REQUIRE(Encoding(e, "h") == "\"hashtable\"");
  for (const char* n : {"5", "400", "999"}) {
    RespValue r = e.Run({"HRANDFIELD", "h", n, "WITHVALUES"});
    size_t want = std::stoul(std::string(n));
    REQUIRE(r.elems.size() == 2 * want);
    std::set<std::string> seen;
    for (size_t i = 0; i < r.elems.size(); i += 2) {
      CHECK(model[r.elems[i].str] == r.elems[i + 1].str);
      seen.insert(r.elems[i].str);
    }
    CHECK(seen.size() == want);
  }
  CHECK(e.Run({"HRANDFIELD", "h", "-2000"}).elems.size() == 2000);
}

TEST_CASE("HSCAN", "[hash]") {
  TestEngine e(2);
  CHECK(S(e.Run({"HSCAN", "nokey", "0"})) == "[\"0\", []]");
  // Options are only looked at when the key exists, as Redis does.
  CHECK(S(e.Run({"HSCAN", "nokey", "0", "COUNT", "0"})) == "[\"0\", []]");
  CHECK(S(e.Run({"HSCAN", "nokey", "x"})) == "(error) ERR invalid cursor");
  e.Run({"HSET", "h", "b", "1", "a", "2", "ab", "3"});
  CHECK(S(e.Run({"HSCAN", "h", "x"})) == "(error) ERR invalid cursor");
  CHECK(S(e.Run({"HSCAN", "h", " 1"})) == "(error) ERR invalid cursor");
  CHECK(S(e.Run({"HSCAN", "h", "0", "COUNT", "0"})) == kSyntax);
  CHECK(S(e.Run({"HSCAN", "h", "0", "COUNT", "x"})) == kNotInt);
  CHECK(S(e.Run({"HSCAN", "h", "0", "NOVALUES"})) == kSyntax);
  CHECK(S(e.Run({"HSCAN", "h", "0", "MATCH"})) == kSyntax);
  // A listpack hash comes whole, in insertion order, with cursor 0, whatever the cursor.
  CHECK(S(e.Run({"HSCAN", "h", "0", "COUNT", "1"})) ==
        "[\"0\", [\"b\", \"1\", \"a\", \"2\", \"ab\", \"3\"]]");
  CHECK(S(e.Run({"HSCAN", "h", "12345"})) ==
        "[\"0\", [\"b\", \"1\", \"a\", \"2\", \"ab\", \"3\"]]");
  CHECK(S(e.Run({"HSCAN", "h", "0", "MATCH", "a*"})) == "[\"0\", [\"a\", \"2\", \"ab\", \"3\"]]");
  CHECK(S(e.Run({"HSCAN", "h", "0", "match", "*", "count", "5"})) ==
        "[\"0\", [\"b\", \"1\", \"a\", \"2\", \"ab\", \"3\"]]");
  e.Run({"HELLO", "3"});
  CHECK(S(e.Run({"HSCAN", "h", "0", "MATCH", "b"})) == "[\"0\", [\"b\", \"1\"]]");
}

TEST_CASE("HSCAN over a hashtable visits every field, across modifications", "[hash]") {
  TestEngine e(2);
  std::map<std::string, std::string> model;
  for (int i = 0; i < 2000; ++i) {
    std::string f = "f" + std::to_string(i);
    e.Run({"HSET", "h", f, "v" + std::to_string(i)});
    model[f] = "v" + std::to_string(i);
  }
  REQUIRE(Encoding(e, "h") == "\"hashtable\"");
  int calls = 0;
  CHECK(ScanAll(e, "h", "10", &calls) == model);
  CHECK(calls > 10);  // really incremental
  CHECK(ScanAll(e, "h", "100000") == model);

  // MATCH filters fields.
  {
    std::string cursor = "0";
    std::set<std::string> got;
    do {
      RespValue r = e.Run({"HSCAN", "h", cursor, "MATCH", "f1?"});
      cursor = r.elems[0].str;
      for (size_t i = 0; i < r.elems[1].elems.size(); i += 2) got.insert(r.elems[1].elems[i].str);
    } while (cursor != "0");
    std::set<std::string> want;
    for (int i = 10; i < 20; ++i) want.insert("f" + std::to_string(i));
    CHECK(got == want);
  }

  // Fields present for the whole scan are all returned even while others are added (the
  // table grows) and removed.
  std::set<std::string> stable;
  for (int i = 0; i < 1000; ++i) stable.insert("f" + std::to_string(i));
  std::set<std::string> got;
  std::string cursor = "0";
  int step = 0;
  do {
    RespValue r = e.Run({"HSCAN", "h", cursor, "COUNT", "20"});
    cursor = r.elems[0].str;
    for (size_t i = 0; i < r.elems[1].elems.size(); i += 2) got.insert(r.elems[1].elems[i].str);
    // Grow by many fields, and delete some of the non-stable ones.
    for (int j = 0; j < 100; ++j)
      e.Run({"HSET", "h", "new" + std::to_string(step) + ":" + std::to_string(j), "x"});
    e.Run({"HDEL", "h", "f" + std::to_string(1000 + step)});
    ++step;
  } while (cursor != "0");
  for (const auto& f : stable) {
    INFO(f);
    CHECK(got.count(f) == 1);
  }
}

TEST_CASE("encoding: listpack until the entry count or a value size passes the limit", "[hash]") {
  TestEngine e(2);
  CHECK(S(e.Run({"CONFIG", "SET", "hash-max-listpack-entries", "4"})) == "OK");
  CHECK(S(e.Run({"CONFIG", "SET", "hash-max-listpack-value", "8"})) == "OK");
  e.Run({"HSET", "h", "a", "1", "b", "2", "c", "3", "d", "4"});
  CHECK(Encoding(e, "h") == "\"listpack\"");
  e.Run({"HSET", "h", "a", "changed"});  // overwriting adds no entry
  CHECK(Encoding(e, "h") == "\"listpack\"");
  e.Run({"HSET", "h", "e", "5"});
  CHECK(Encoding(e, "h") == "\"hashtable\"");
  // Never back to listpack, even when emptied down to one field.
  e.Run({"HDEL", "h", "a", "b", "c", "d"});
  CHECK(S(e.Run({"HLEN", "h"})) == Int(1));
  CHECK(Encoding(e, "h") == "\"hashtable\"");
  CHECK(S(e.Run({"HGETALL", "h"})) == "[\"e\", \"5\"]");

  // By value size: exactly the limit stays, one more byte converts.
  e.Run({"HSET", "v", "f", "12345678"});
  CHECK(Encoding(e, "v") == "\"listpack\"");
  e.Run({"HSET", "v", "g", "123456789"});
  CHECK(Encoding(e, "v") == "\"hashtable\"");
  CHECK(S(e.Run({"HGET", "v", "f"})) == "\"12345678\"");
  // By field size.
  e.Run({"HSET", "w", "123456789", "x"});
  CHECK(Encoding(e, "w") == "\"hashtable\"");
  // HSETNX, HINCRBY and HINCRBYFLOAT convert too (Redis's hashTypeSet checks lengths).
  e.Run({"HSETNX", "n", "123456789", "1"});
  CHECK(Encoding(e, "n") == "\"hashtable\"");
  e.Run({"HINCRBY", "i", "123456789", "1"});
  CHECK(Encoding(e, "i") == "\"hashtable\"");
  e.Run({"HSET", "fl", "x", "1"});
  e.Run({"HINCRBYFLOAT", "fl", "x", "1e20"});
  CHECK(Encoding(e, "fl") == "\"hashtable\"");
  CHECK(S(e.Run({"HGET", "fl", "x"})) == "\"100000000000000000000\"");

  // Default limits: 512 entries, 64 bytes.
  TestEngine d(2);
  for (int i = 0; i < 512; ++i) d.Run({"HSET", "h", "f" + std::to_string(i), "v"});
  CHECK(Encoding(d, "h") == "\"listpack\"");
  d.Run({"HSET", "h", "one-more", "v"});
  CHECK(Encoding(d, "h") == "\"hashtable\"");
  CHECK(S(d.Run({"HLEN", "h"})) == Int(513));
  d.Run({"HSET", "s", "f", std::string(64, 'x')});
  CHECK(Encoding(d, "s") == "\"listpack\"");
  d.Run({"HSET", "s", "g", std::string(65, 'x')});
  CHECK(Encoding(d, "s") == "\"hashtable\"");
}

TEST_CASE("COPY of a hash is a deep copy", "[hash]") {
  TestEngine e(2);
  e.Run({"HSET", "h", "a", "1", "b", "2"});
  CHECK(S(e.Run({"COPY", "h", "h2"})) == Int(1));
  e.Run({"HSET", "h", "a", "changed"});
  CHECK(S(e.Run({"HGET", "h2", "a"})) == "\"1\"");
  for (int i = 0; i < 600; ++i) e.Run({"HSET", "big", "f" + std::to_string(i), "v"});
  CHECK(S(e.Run({"COPY", "big", "big2"})) == Int(1));
  CHECK(Encoding(e, "big2") == "\"hashtable\"");
  CHECK(Contents(e, "big2") == Contents(e, "big"));
}

TEST_CASE("randomized differential test against a std::map model", "[hash]") {
  for (int shards : {2, 4}) {
    TestEngine e(shards);
    // Small thresholds so the run crosses the conversion many times.
    e.Run({"CONFIG", "SET", "hash-max-listpack-entries", "16"});
    e.Run({"CONFIG", "SET", "hash-max-listpack-value", "6"});
    std::mt19937_64 rng(1234 + shards);
    std::map<std::string, std::map<std::string, std::string>> model;
    // Keys whose hash must have converted to "hashtable" (sticky until the key is deleted).
    std::set<std::string> converted;
    auto note = [&](const std::string& k, const std::string& f, const std::string& v) {
      if (f.size() > 6 || v.size() > 6 || model[k].size() > 16) converted.insert(k);
    };
    std::vector<std::string> keys = {"k0", "k1", "k2", e.KeyOnShard(shards - 1, "x")};
    auto pick = [&](int n) { return static_cast<int>(rng() % n); };
    auto field = [&] { return "f" + std::to_string(pick(40)); };
    auto value = [&] { return std::string(1 + pick(8), static_cast<char>('a' + pick(26))); };
    for (int op = 0; op < 4000; ++op) {
      const std::string& k = keys[pick(keys.size())];
      auto& m = model[k];
      int kind = pick(7);
      INFO("op " << op << " kind " << kind << " key " << k);
      if (kind <= 1) {
        std::vector<std::string> cmd = {"HSET", k};
        int pairs = 1 + pick(3);
        int64_t added = 0;
        std::map<std::string, std::string> tmp = m;
        for (int i = 0; i < pairs; ++i) {
          std::string f = field(), v = value();
          cmd.push_back(f);
          cmd.push_back(v);
          if (!tmp.count(f)) ++added;
          tmp[f] = v;
        }
        CHECK(S(e.Run(cmd)) == Int(added));
        m = tmp;
        for (size_t i = 2; i + 1 < cmd.size(); i += 2) note(k, cmd[i], cmd[i + 1]);
      } else if (kind == 2) {
        std::string f1 = field(), f2 = field();
        int64_t n = m.erase(f1) + m.erase(f2);
        CHECK(S(e.Run({"HDEL", k, f1, f2})) == Int(n));
      } else if (kind == 3) {
        std::string f = field(), v = value();
        bool fresh = !m.count(f);
        if (fresh) {
          m[f] = v;
          note(k, f, v);
        }
        CHECK(S(e.Run({"HSETNX", k, f, v})) == Int(fresh ? 1 : 0));
      } else if (kind == 4) {
        std::string f = "n" + std::to_string(pick(5));
        int64_t by = pick(21) - 10;
        int64_t cur = m.count(f) ? std::stoll(m[f]) : 0;
        m[f] = std::to_string(cur + by);
        note(k, f, m[f]);
        CHECK(S(e.Run({"HINCRBY", k, f, std::to_string(by)})) == Int(cur + by));
      } else if (kind == 5) {
        std::string f = field();
        RespValue r = e.Run({"HGET", k, f});
        if (m.count(f))
          CHECK(r.str == m[f]);
        else
          CHECK(r.is_null());
      } else {
        CHECK(S(e.Run({"HLEN", k})) == Int(static_cast<int64_t>(m.size())));
      }
      if (m.empty()) {
        model.erase(k);
        converted.erase(k);
      }
      if (op % 100 == 99) {
        for (const auto& key : keys) {
          INFO("check " << key);
          auto it = model.find(key);
          if (it == model.end()) {
            CHECK(S(e.Run({"EXISTS", key})) == Int(0));
            continue;
          }
          CHECK(Contents(e, key) == it->second);
          CHECK(ScanAll(e, key, "3") == it->second);
          // Encoding follows Redis's rules: hashtable once past a limit, listpack before.
          Entry* en = Raw(e, key);
          REQUIRE(en);
          CHECK(en->value.As<Hash>()->Size() == it->second.size());
          CHECK(Encoding(e, key) == (converted.count(key) ? "\"hashtable\"" : "\"listpack\""));
        }
      }
    }
  }
}

TEST_CASE("Hash collection: conversion rules and clone", "[hash]") {
  Hash h;
  Hash::Limits lim{3, 4};
  CHECK(h.Set("a", "1", lim));
  CHECK_FALSE(h.Set("a", "2", lim));
  CHECK(h.Set("b", "1", lim));
  CHECK(h.Set("c", "1", lim));
  CHECK(h.Encoding() == "listpack");
  CHECK(h.Set("d", "1", lim));
  CHECK(h.Encoding() == "hashtable");
  CHECK(*h.Find("a") == "2");
  CHECK(h.Erase("a"));
  CHECK_FALSE(h.Erase("a"));
  CHECK_FALSE(h.Find("a").has_value());
  auto c = h.Clone();
  CHECK(c->Size() == 3);
  CHECK(c->Encoding() == "hashtable");
  CHECK(static_cast<Hash*>(c.get())->Find("d").has_value());
  CHECK(h.HeapBytes() > 0);
  Hash s;
  s.Set("f", "12345", lim);
  CHECK(s.Encoding() == "hashtable");
}

}  // namespace kevy::test

namespace kevy::test {
namespace {

// Collection-level boundaries of each conversion rule.
TEST_CASE("Hash: conversion exactly at and one past each threshold", "[hash]") {
  Hash::Limits lim{4, 8};
  Hash h;
  for (int i = 0; i < 4; ++i) CHECK(h.Set("f" + std::to_string(i), "v", lim));
  CHECK(h.is_listpack());  // exactly max_entries
  CHECK_FALSE(h.Set("f0", "changed", lim));
  CHECK(h.is_listpack());  // an overwrite adds nothing
  CHECK(h.Set("f4", "v", lim));
  CHECK_FALSE(h.is_listpack());  // one past
  CHECK(h.Size() == 5);
  CHECK(*h.Find("f0") == "changed");

  // Field and value length: exactly max_value stays, one more byte converts.
  for (bool field : {false, true}) {
    Hash a, b;
    std::string at(8, 'x'), past(9, 'x');
    a.Set(field ? at : "f", field ? "v" : at, lim);
    CHECK(a.is_listpack());
    b.Set(field ? past : "f", field ? "v" : past, lim);
    CHECK_FALSE(b.is_listpack());
    CHECK(b.Find(field ? past : "f").has_value());
  }
  // A long value replacing a short one converts too (and keeps the other fields).
  Hash r;
  r.Set("a", "1", lim);
  r.Set("b", "2", lim);
  CHECK_FALSE(r.Set("a", std::string(100, 'y'), lim));
  CHECK_FALSE(r.is_listpack());
  CHECK(*r.Find("a") == std::string(100, 'y'));
  CHECK(*r.Find("b") == "2");

  // Empty strings and binary data with NULs are ordinary fields and values.
  Hash e;
  std::string bin("a\0b\0", 4), bin2("\0", 1);
  CHECK(e.Set("", "", lim));
  CHECK(e.Set(bin, bin2, lim));
  CHECK(e.Set(bin2, "", lim));
  CHECK(e.is_listpack());
  CHECK(e.Size() == 3);
  CHECK(*e.Find("") == "");
  CHECK(*e.Find(bin) == bin2);
  CHECK(*e.Find(bin2) == "");
  CHECK_FALSE(e.Find(std::string("a\0b", 3)).has_value());
  CHECK_FALSE(e.Find("a").has_value());
  CHECK(e.Erase(bin));
  CHECK(e.Size() == 2);
  CHECK(e.HeapBytes() > 0);
  CHECK(e.Erase(""));
  CHECK(e.Erase(bin2));
  CHECK(e.Size() == 0);
  CHECK(e.HeapBytes() == 0);  // an emptied listpack frees its buffer
}

// The listpack form (limits never reached), the hashtable form (converted at once) and a
// model (insertion-ordered vector) get the same random operations; the listpack must
// reproduce the model's order exactly, the hashtable its contents.
TEST_CASE("Hash: listpack, hashtable and a model agree on random operations", "[hash]") {
  std::mt19937_64 rng(99);
  Hash::Limits big{1000000, 1000000};
  Hash lp, ht;
  ht.Set("x", std::string(10, 'x'), Hash::Limits{1000000, 1});
  ht.Erase("x");
  REQUIRE(lp.is_listpack());
  REQUIRE_FALSE(ht.is_listpack());
  std::vector<std::pair<std::string, std::string>> model;
  auto rnd = [&] {
    switch (rng() % 6) {
      case 0: return std::string();
      case 1: return std::string(rng() % 300, static_cast<char>('a' + rng() % 3));
      case 2: return std::string("n\0l", 3) + std::to_string(rng() % 20);
      default: return "k" + std::to_string(rng() % 150);
    }
  };
  for (int op = 0; op < 4000; ++op) {
    std::string f = rnd();
    auto it = std::find_if(model.begin(), model.end(), [&](const auto& p) { return p.first == f; });
    if (rng() % 3) {
      std::string v = rnd();
      bool is_new = it == model.end();
      if (is_new)
        model.emplace_back(f, v);
      else
        it->second = v;
      CHECK(lp.Set(f, v, big) == is_new);
      CHECK(ht.Set(f, v, big) == is_new);
    } else {
      bool had = it != model.end();
      if (had) model.erase(it);
      CHECK(lp.Erase(f) == had);
      CHECK(ht.Erase(f) == had);
    }
    REQUIRE(lp.Size() == model.size());
    REQUIRE(ht.Size() == model.size());
    if (op % 100 == 0 || op == 3999) {
      std::vector<std::pair<std::string, std::string>> got_lp, got_ht;
      lp.ForEach([&](std::string_view a, std::string_view b) { got_lp.emplace_back(a, b); });
      ht.ForEach([&](std::string_view a, std::string_view b) { got_ht.emplace_back(a, b); });
      REQUIRE(got_lp == model);  // insertion order
      auto sorted = model;
      std::sort(sorted.begin(), sorted.end());
      std::sort(got_ht.begin(), got_ht.end());
      REQUIRE(got_ht == sorted);
      for (const auto& [k, v] : model) {
        CHECK(*lp.Find(k) == v);
        CHECK(*ht.Find(k) == v);
      }
    }
  }
  CHECK(lp.is_listpack());
  auto c = lp.Clone();
  std::vector<std::pair<std::string, std::string>> got;
  static_cast<Hash*>(c.get())->ForEach(
      [&](std::string_view a, std::string_view b) { got.emplace_back(a, b); });
  CHECK(got == model);
}

}  // namespace
}  // namespace kevy::test
