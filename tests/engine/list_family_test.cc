// Tests of the list commands (engine/commands/list_family.cc) on the in-process engine with 2
// and 4 shards: replies and error texts as Redis 7.0 gives them (checked against
// redis-server 7.0.15), including the order in which Redis checks arguments, existence and
// type; RESP2/RESP3 null forms; the encoding; LMOVE/RPOPLPUSH/LMPOP with keys on different
// shards; and a randomized differential test against a std::deque model.
#include <catch2/catch.hpp>
#include <cstdint>
#include <deque>
#include <random>
#include <string>
#include <vector>

#include "engine/shard.h"
#include "tests/support/test_engine.h"

namespace kevy::test {
namespace {

const char* const kNil = "(nil)";
const char* const kMustBePositive = "(error) ERR value is out of range, must be positive";

// The whole list as LRANGE 0 -1 renders it.
std::string All(TestEngine& e, const std::string& key) { return S(e.Run({"LRANGE", key, "0", "-1"})); }

bool Exists(TestEngine& e, const std::string& key) {
  return e.shard(e.server().slots.ShardOf(key)).db(0).FindRaw(key) != nullptr;
}

TEST_CASE("LPUSH RPUSH LPUSHX RPUSHX", "[list]") {
  TestEngine e(2);
  CHECK(S(e.Run({"LPUSHX", "l", "a"})) == Int(0));
  CHECK_FALSE(Exists(e, "l"));
  CHECK(S(e.Run({"RPUSH", "l", "a", "b"})) == Int(2));
  CHECK(S(e.Run({"LPUSH", "l", "x", "y"})) == Int(4));
  CHECK(All(e, "l") == R"(["y", "x", "a", "b"])");
  CHECK(S(e.Run({"RPUSHX", "l", "z"})) == Int(5));
  CHECK(S(e.Run({"LPUSHX", "l", "w", "v"})) == Int(7));
  CHECK(All(e, "l") == R"(["v", "w", "y", "x", "a", "b", "z"])");
  CHECK(S(e.Run({"TYPE", "l"})) == "list");
  e.Run({"SET", "s", "x"});
  for (const char* cmd : {"LPUSH", "RPUSH", "LPUSHX", "RPUSHX"})
    CHECK(S(e.Run({cmd, "s", "a"})) == kWrongType);
  CHECK(S(e.Run({"LPUSH", "l"})) == "(error) ERR wrong number of arguments for 'lpush' command");
}

TEST_CASE("LPOP RPOP with and without count, RESP2 and RESP3 nulls", "[list]") {
  TestEngine e(2);
  e.Run({"RPUSH", "l", "a", "b", "c", "d", "e"});
  CHECK(S(e.Run({"LPOP", "l"})) == "\"a\"");
  CHECK(S(e.Run({"RPOP", "l"})) == "\"e\"");
  CHECK(S(e.Run({"LPOP", "l", "2"})) == R"(["b", "c"])");
  CHECK(S(e.Run({"LPOP", "l", "0"})) == "[]");
  CHECK(S(e.Run({"RPOP", "l", "10"})) == R"(["d"])");
  CHECK_FALSE(Exists(e, "l"));  // emptied: deleted
  RespValue r = e.Run({"LPOP", "l"});
  CHECK(r.type == RespValue::kNull);
  r = e.Run({"LPOP", "l", "0"});
  CHECK(r.type == RespValue::kNullArray);
  r = e.Run({"RPOP", "l", "3"});
  CHECK(r.type == RespValue::kNullArray);
  CHECK(S(e.Run({"LPOP", "l", "-1"})) == kMustBePositive);
  CHECK(S(e.Run({"LPOP", "l", "abc"})) == kMustBePositive);
  CHECK(S(e.Run({"LPOP", "l", "1", "2"})) ==
        "(error) ERR wrong number of arguments for 'lpop' command");
  e.Run({"SET", "s", "x"});
  CHECK(S(e.Run({"RPOP", "s"})) == kWrongType);
  CHECK(S(e.Run({"RPOP", "s", "abc"})) == kMustBePositive);  // count is checked first

  // RESP3: both nulls are the one null type `_` (parsed as kNull, not kNullArray).
  e.Run({"HELLO", "3"});
  CHECK(e.Run({"LPOP", "nx"}).type == RespValue::kNull);
  CHECK(e.Run({"LPOP", "nx", "2"}).type == RespValue::kNull);
  CHECK(e.Run({"LMPOP", "1", "nx", "LEFT"}).type == RespValue::kNull);
  e.Run({"RPUSH", "l3", "a"});
  CHECK(S(e.Run({"RPOP", "l3", "0"})) == "[]");
}

TEST_CASE("LLEN LINDEX LRANGE", "[list]") {
  TestEngine e(2);
  CHECK(S(e.Run({"LLEN", "l"})) == Int(0));
  CHECK(S(e.Run({"LRANGE", "l", "0", "-1"})) == "[]");
  CHECK(S(e.Run({"LINDEX", "l", "0"})) == kNil);
  CHECK(S(e.Run({"LINDEX", "l", "abc"})) == kNil);  // key looked up before the index
  CHECK(S(e.Run({"LRANGE", "l", "a", "1"})) == kNotInt);  // index parsed before the key
  e.Run({"RPUSH", "l", "a", "b", "c", "d"});
  CHECK(S(e.Run({"LLEN", "l"})) == Int(4));
  CHECK(S(e.Run({"LINDEX", "l", "0"})) == "\"a\"");
  CHECK(S(e.Run({"LINDEX", "l", "-1"})) == "\"d\"");
  CHECK(S(e.Run({"LINDEX", "l", "-4"})) == "\"a\"");
  CHECK(S(e.Run({"LINDEX", "l", "-5"})) == kNil);
  CHECK(S(e.Run({"LINDEX", "l", "4"})) == kNil);
  CHECK(S(e.Run({"LINDEX", "l", "x"})) == kNotInt);
  CHECK(S(e.Run({"LRANGE", "l", "1", "2"})) == R"(["b", "c"])");
  CHECK(S(e.Run({"LRANGE", "l", "-2", "100"})) == R"(["c", "d"])");
  CHECK(S(e.Run({"LRANGE", "l", "-100", "0"})) == R"(["a"])");
  CHECK(S(e.Run({"LRANGE", "l", "2", "1"})) == "[]");
  CHECK(S(e.Run({"LRANGE", "l", "4", "10"})) == "[]");
  CHECK(S(e.Run({"LRANGE", "l", "0", "-5"})) == "[]");
  e.Run({"SET", "s", "x"});
  CHECK(S(e.Run({"LLEN", "s"})) == kWrongType);
  CHECK(S(e.Run({"LINDEX", "s", "0"})) == kWrongType);
  CHECK(S(e.Run({"LRANGE", "s", "0", "1"})) == kWrongType);
}

TEST_CASE("LSET LTRIM", "[list]") {
  TestEngine e(2);
  CHECK(S(e.Run({"LSET", "l", "abc", "x"})) == "(error) ERR no such key");
  CHECK(S(e.Run({"LTRIM", "l", "0", "1"})) == "OK");
  CHECK(S(e.Run({"LTRIM", "l", "a", "1"})) == kNotInt);
  e.Run({"RPUSH", "l", "a", "b", "c", "d", "e"});
  CHECK(S(e.Run({"LSET", "l", "0", "A"})) == "OK");
  CHECK(S(e.Run({"LSET", "l", "-1", "E"})) == "OK");
  CHECK(S(e.Run({"LSET", "l", "5", "x"})) == "(error) ERR index out of range");
  CHECK(S(e.Run({"LSET", "l", "-6", "x"})) == "(error) ERR index out of range");
  CHECK(S(e.Run({"LSET", "l", "x", "x"})) == kNotInt);
  CHECK(All(e, "l") == R"(["A", "b", "c", "d", "E"])");
  CHECK(S(e.Run({"LTRIM", "l", "1", "-2"})) == "OK");
  CHECK(All(e, "l") == R"(["b", "c", "d"])");
  CHECK(S(e.Run({"LTRIM", "l", "-100", "100"})) == "OK");
  CHECK(All(e, "l") == R"(["b", "c", "d"])");
  CHECK(S(e.Run({"LTRIM", "l", "2", "1"})) == "OK");
  CHECK_FALSE(Exists(e, "l"));
  e.Run({"SET", "s", "x"});
  CHECK(S(e.Run({"LSET", "s", "0", "x"})) == kWrongType);
  CHECK(S(e.Run({"LTRIM", "s", "0", "1"})) == kWrongType);
}

TEST_CASE("LREM LINSERT", "[list]") {
  TestEngine e(2);
  CHECK(S(e.Run({"LREM", "l", "abc", "x"})) == kNotInt);
  CHECK(S(e.Run({"LREM", "l", "0", "x"})) == Int(0));
  CHECK(S(e.Run({"LINSERT", "l", "middle", "a", "b"})) == kSyntax);
  CHECK(S(e.Run({"LINSERT", "l", "before", "a", "b"})) == Int(0));
  CHECK_FALSE(Exists(e, "l"));
  e.Run({"RPUSH", "l", "x", "a", "x", "b", "x", "c", "x"});
  CHECK(S(e.Run({"LREM", "l", "2", "x"})) == Int(2));
  CHECK(All(e, "l") == R"(["a", "b", "x", "c", "x"])");
  CHECK(S(e.Run({"LREM", "l", "-1", "x"})) == Int(1));
  CHECK(All(e, "l") == R"(["a", "b", "x", "c"])");
  CHECK(S(e.Run({"LREM", "l", "0", "zz"})) == Int(0));
  CHECK(S(e.Run({"LINSERT", "l", "BEFORE", "a", "0"})) == Int(5));
  CHECK(S(e.Run({"LINSERT", "l", "after", "c", "d"})) == Int(6));
  CHECK(S(e.Run({"LINSERT", "l", "After", "b", "bb"})) == Int(7));
  CHECK(S(e.Run({"LINSERT", "l", "before", "zz", "q"})) == Int(-1));
  CHECK(All(e, "l") == R"(["0", "a", "b", "bb", "x", "c", "d"])");
  e.Run({"DEL", "l"});
  e.Run({"RPUSH", "l", "x", "x", "x"});
  CHECK(S(e.Run({"LREM", "l", "0", "x"})) == Int(3));
  CHECK_FALSE(Exists(e, "l"));
  e.Run({"SET", "s", "x"});
  CHECK(S(e.Run({"LREM", "s", "0", "x"})) == kWrongType);
  CHECK(S(e.Run({"LINSERT", "s", "before", "a", "b"})) == kWrongType);
}

TEST_CASE("LPOS RANK COUNT MAXLEN", "[list]") {
  TestEngine e(2);
  CHECK(S(e.Run({"LPOS", "l", "a"})) == kNil);
  CHECK(S(e.Run({"LPOS", "l", "a", "COUNT", "2"})) == "[]");
  e.Run({"RPUSH", "l", "a", "b", "c", "1", "2", "3", "c", "c"});
  CHECK(S(e.Run({"LPOS", "l", "c"})) == Int(2));
  CHECK(S(e.Run({"LPOS", "l", "zz"})) == kNil);
  CHECK(S(e.Run({"LPOS", "l", "c", "RANK", "2"})) == Int(6));
  CHECK(S(e.Run({"LPOS", "l", "c", "RANK", "-1"})) == Int(7));
  CHECK(S(e.Run({"LPOS", "l", "c", "RANK", "4"})) == kNil);
  CHECK(S(e.Run({"LPOS", "l", "c", "COUNT", "0"})) == "[(integer) 2, (integer) 6, (integer) 7]");
  CHECK(S(e.Run({"LPOS", "l", "c", "COUNT", "2"})) == "[(integer) 2, (integer) 6]");
  CHECK(S(e.Run({"LPOS", "l", "c", "RANK", "-1", "COUNT", "2"})) ==
        "[(integer) 7, (integer) 6]");
  CHECK(S(e.Run({"LPOS", "l", "c", "RANK", "2", "COUNT", "0"})) ==
        "[(integer) 6, (integer) 7]");
  CHECK(S(e.Run({"LPOS", "l", "c", "COUNT", "0", "MAXLEN", "3"})) == "[(integer) 2]");
  CHECK(S(e.Run({"LPOS", "l", "c", "MAXLEN", "2"})) == kNil);
  CHECK(S(e.Run({"LPOS", "l", "zz", "COUNT", "0"})) == "[]");
  CHECK(S(e.Run({"LPOS", "l", "a", "RANK", "-9223372036854775808"})) == Int(0));
  CHECK(S(e.Run({"LPOS", "l", "a", "RANK", "0"})) ==
        "(error) ERR RANK can't be zero: use 1 to start from the first match, 2 from the "
        "second ... or use negative to start from the end of the list");
  CHECK(S(e.Run({"LPOS", "l", "a", "RANK", "x"})) == kNotInt);
  CHECK(S(e.Run({"LPOS", "l", "a", "COUNT", "-1"})) == "(error) ERR COUNT can't be negative");
  CHECK(S(e.Run({"LPOS", "l", "a", "COUNT", "x"})) == "(error) ERR COUNT can't be negative");
  CHECK(S(e.Run({"LPOS", "l", "a", "MAXLEN", "-1"})) == "(error) ERR MAXLEN can't be negative");
  CHECK(S(e.Run({"LPOS", "l", "a", "RANK"})) == kSyntax);
  CHECK(S(e.Run({"LPOS", "l", "a", "FOO", "1"})) == kSyntax);
  e.Run({"SET", "s", "x"});
  CHECK(S(e.Run({"LPOS", "s", "a"})) == kWrongType);
  CHECK(S(e.Run({"LPOS", "s", "a", "COUNT", "-1"})) ==
        "(error) ERR COUNT can't be negative");  // options checked before the key
}

TEST_CASE("OBJECT ENCODING of a list is quicklist as in Redis 7.0", "[list]") {
  // Redis 7.0 stores every list as a quicklist (listpack-encoded small lists came in 7.2).
  TestEngine e(2);
  e.Run({"RPUSH", "l", "a"});
  CHECK(S(e.Run({"OBJECT", "ENCODING", "l"})) == "\"quicklist\"");
  for (int i = 0; i < 1000; ++i) e.Run({"RPUSH", "l", std::string(100, 'x')});
  CHECK(S(e.Run({"OBJECT", "ENCODING", "l"})) == "\"quicklist\"");
  e.Run({"LTRIM", "l", "0", "0"});
  CHECK(S(e.Run({"OBJECT", "ENCODING", "l"})) == "\"quicklist\"");
}

// LMOVE and RPOPLPUSH with the two keys on the same shard and on different shards: the same
// semantics either way.
TEST_CASE("LMOVE and RPOPLPUSH, same shard and across shards", "[list]") {
  for (int shards : {2, 4}) {
    TestEngine e(shards);
    for (bool across : {false, true}) {
      INFO("shards " << shards << " across " << across);
      const std::string a = e.KeyOnShard(0, across ? "srcx" : "src");
      const std::string b = e.KeyOnShard(across ? shards - 1 : 0, across ? "dstx" : "dst");
      const std::string s = e.KeyOnShard(across ? 1 : 0, across ? "strx" : "str");
      e.Run({"SET", s, "x"});
      CHECK(S(e.Run({"LMOVE", a, b, "LEFT", "RIGHT"})) == kNil);
      CHECK(S(e.Run({"LMOVE", a, s, "LEFT", "RIGHT"})) == kNil);  // missing source first
      CHECK(S(e.Run({"LMOVE", a, b, "UP", "RIGHT"})) == kSyntax);
      CHECK(S(e.Run({"RPOPLPUSH", a, b})) == kNil);
      e.Run({"RPUSH", a, "1", "2", "3"});
      CHECK(S(e.Run({"LMOVE", a, s, "LEFT", "RIGHT"})) == kWrongType);
      CHECK(S(e.Run({"LMOVE", s, a, "LEFT", "RIGHT"})) == kWrongType);
      CHECK(All(e, a) == R"(["1", "2", "3"])");
      CHECK(S(e.Run({"LMOVE", a, b, "LEFT", "RIGHT"})) == "\"1\"");
      CHECK(S(e.Run({"LMOVE", a, b, "right", "left"})) == "\"3\"");
      CHECK(S(e.Run({"RPOPLPUSH", a, b})) == "\"2\"");
      CHECK_FALSE(Exists(e, a));
      CHECK(All(e, b) == R"(["2", "3", "1"])");
      CHECK(S(e.Run({"LMOVE", b, b, "LEFT", "RIGHT"})) == "\"2\"");  // rotation
      CHECK(All(e, b) == R"(["3", "1", "2"])");
      CHECK(S(e.Run({"RPOPLPUSH", b, a})) == "\"2\"");
      CHECK(All(e, a) == R"(["2"])");
      // A pipeline: the commands after a cross-shard move see its result.
      auto r = e.Pipeline({{"LMOVE", b, a, "LEFT", "LEFT"}, {"LRANGE", a, "0", "-1"},
                           {"LLEN", b}});
      CHECK(S(r[0]) == "\"3\"");
      CHECK(S(r[1]) == R"(["3", "2"])");
      CHECK(S(r[2]) == Int(1));
      e.Run({"DEL", a, b, s});
    }
  }
}

TEST_CASE("LMPOP arguments and errors", "[list]") {
  TestEngine e(2);
  CHECK(S(e.Run({"LMPOP", "0", "l", "LEFT"})) == "(error) ERR numkeys should be greater than 0");
  CHECK(S(e.Run({"LMPOP", "abc", "l", "LEFT"})) ==
        "(error) ERR numkeys should be greater than 0");
  CHECK(S(e.Run({"LMPOP", "-1", "l", "LEFT"})) == "(error) ERR numkeys should be greater than 0");
  CHECK(S(e.Run({"LMPOP", "1", "l", "MIDDLE"})) == kSyntax);
  CHECK(S(e.Run({"LMPOP", "5", "l", "LEFT"})) == kSyntax);
  CHECK(S(e.Run({"LMPOP", "1", "l", "LEFT", "COUNT", "0"})) ==
        "(error) ERR count should be greater than 0");
  CHECK(S(e.Run({"LMPOP", "1", "l", "LEFT", "COUNT", "x"})) ==
        "(error) ERR count should be greater than 0");
  CHECK(S(e.Run({"LMPOP", "1", "l", "LEFT", "COUNT"})) == kSyntax);
  CHECK(S(e.Run({"LMPOP", "1", "l", "LEFT", "COUNT", "1", "COUNT", "2"})) == kSyntax);
  CHECK(S(e.Run({"LMPOP", "1", "l", "LEFT", "FOO", "1"})) == kSyntax);
  CHECK(S(e.Run({"LMPOP", "2", "l"})) ==
        "(error) ERR wrong number of arguments for 'lmpop' command");
  RespValue r = e.Run({"LMPOP", "1", "l", "LEFT"});
  CHECK(r.type == RespValue::kNullArray);
  e.Run({"RPUSH", "l", "a", "b", "c"});
  CHECK(S(e.Run({"LMPOP", "1", "l", "LEFT"})) == R"(["l", ["a"]])");
  CHECK(S(e.Run({"LMPOP", "1", "l", "RIGHT", "COUNT", "10"})) == R"(["l", ["c", "b"]])");
  CHECK_FALSE(Exists(e, "l"));
}

TEST_CASE("LMPOP picks the first non-empty key in order, keys on several shards", "[list]") {
  for (int shards : {2, 4}) {
    TestEngine e(shards);
    INFO("shards " << shards);
    const std::string k0 = e.KeyOnShard(0, "a");
    const std::string k1 = e.KeyOnShard(shards - 1, "b");
    const std::string k2 = e.KeyOnShard(1, "c");
    const std::string str = e.KeyOnShard(shards - 1, "s");
    CHECK(S(e.Run({"LMPOP", "3", k0, k1, k2, "LEFT"})) == kNil);
    e.Run({"RPUSH", k2, "c1", "c2"});
    e.Run({"RPUSH", k1, "b1", "b2", "b3"});
    CHECK(S(e.Run({"LMPOP", "3", k0, k1, k2, "LEFT", "COUNT", "2"})) ==
          "[\"" + k1 + "\", [\"b1\", \"b2\"]]");
    CHECK(S(e.Run({"LMPOP", "3", k0, k1, k2, "RIGHT", "COUNT", "2"})) ==
          "[\"" + k1 + "\", [\"b3\"]]");
    CHECK_FALSE(Exists(e, k1));
    CHECK(S(e.Run({"LMPOP", "3", k0, k1, k2, "RIGHT"})) == "[\"" + k2 + "\", [\"c2\"]]");
    // A key of another type before the first list: WRONGTYPE, nothing popped.
    e.Run({"SET", str, "x"});
    CHECK(S(e.Run({"LMPOP", "3", k0, str, k2, "LEFT"})) == kWrongType);
    CHECK(All(e, k2) == R"(["c1"])");
    // ... after it: never looked at.
    CHECK(S(e.Run({"LMPOP", "3", k0, k2, str, "LEFT"})) == "[\"" + k2 + "\", [\"c1\"]]");
    CHECK(S(e.Run({"LMPOP", "2", k0, k2, "LEFT"})) == kNil);
    CHECK(S(e.Run({"LMPOP", "2", k0, k2, "LEFT", "COUNT", "0"})) ==
          "(error) ERR count should be greater than 0");
    // Pipelined after a cross-shard LMPOP, the next commands see its effect (barrier).
    e.Run({"RPUSH", k1, "x", "y"});
    auto r = e.Pipeline({{"LMPOP", "2", k0, k1, "LEFT"}, {"LRANGE", k1, "0", "-1"},
                         {"LMPOP", "2", k0, k1, "LEFT"}, {"EXISTS", k1}});
    CHECK(S(r[0]) == "[\"" + k1 + "\", [\"x\"]]");
    CHECK(S(r[1]) == R"(["y"])");
    CHECK(S(r[2]) == "[\"" + k1 + "\", [\"y\"]]");
    CHECK(S(r[3]) == Int(0));
  }
}

// A few thousand random operations on a handful of keys (spread over the shards) against a
// std::deque model, comparing replies and full contents.
TEST_CASE("randomized differential test against a deque model", "[list]") {
  TestEngine e(3);
  std::mt19937 rng(12345);
  std::vector<std::string> keys = {e.KeyOnShard(0, "r"), e.KeyOnShard(1, "q"),
                                   e.KeyOnShard(2, "p")};
  std::vector<std::deque<std::string>> model(keys.size());
  auto rnd = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  auto render = [](const std::deque<std::string>& d) {
    std::string s = "[";
    for (size_t i = 0; i < d.size(); ++i) s += (i ? ", \"" : "\"") + d[i] + "\"";
    return s + "]";
  };
  for (int step = 0; step < 4000; ++step) {
    size_t k = rnd(0, 2);
    auto& m = model[k];
    const std::string& key = keys[k];
    const std::string v = std::to_string(rnd(0, 9));
    const int n = static_cast<int>(m.size());
    INFO("step " << step << " key " << key);
    switch (rnd(0, 9)) {
      case 0:
        CHECK(S(e.Run({"LPUSH", key, v})) == Int(n + 1));
        m.push_front(v);
        break;
      case 1:
        CHECK(S(e.Run({"RPUSH", key, v, v + "x"})) == Int(n + 2));
        m.push_back(v);
        m.push_back(v + "x");
        break;
      case 2: {
        int c = rnd(0, 3);
        RespValue r = e.Run({"LPOP", key, std::to_string(c)});
        if (n == 0) {
          CHECK(r.type == RespValue::kNullArray);
        } else {
          std::deque<std::string> want;
          for (int i = 0; i < c && !m.empty(); ++i) {
            want.push_back(m.front());
            m.pop_front();
          }
          CHECK(S(r) == render(want));
        }
        break;
      }
      case 3: {
        RespValue r = e.Run({"RPOP", key});
        if (n == 0) {
          CHECK(r.type == RespValue::kNull);
        } else {
          CHECK(S(r) == "\"" + m.back() + "\"");
          m.pop_back();
        }
        break;
      }
      case 4: {
        int idx = rnd(-n - 2, n + 1);
        int p = idx < 0 ? idx + n : idx;
        RespValue r = e.Run({"LSET", key, std::to_string(idx), v});
        if (n == 0)
          CHECK(S(r) == "(error) ERR no such key");
        else if (p < 0 || p >= n)
          CHECK(S(r) == "(error) ERR index out of range");
        else {
          CHECK(S(r) == "OK");
          m[p] = v;
        }
        break;
      }
      case 5: {
        int c = rnd(-2, 2);
        int removed = 0;
        std::deque<std::string> out;
        if (c >= 0) {
          for (auto& x : m)
            if (x == v && (c == 0 || removed < c))
              ++removed;
            else
              out.push_back(x);
        } else {
          for (auto it = m.rbegin(); it != m.rend(); ++it)
            if (*it == v && removed < -c)
              ++removed;
            else
              out.push_front(*it);
        }
        CHECK(S(e.Run({"LREM", key, std::to_string(c), v})) == Int(removed));
        m = out;
        break;
      }
      case 6: {
        int a = rnd(-n - 2, n + 2), b = rnd(-n - 2, n + 2);
        CHECK(S(e.Run({"LTRIM", key, std::to_string(a), std::to_string(b)})) == "OK");
        int s = a < 0 ? a + n : a, t = b < 0 ? b + n : b;
        if (s < 0) s = 0;
        if (s > t || s >= n) {
          m.clear();
        } else {
          if (t >= n) t = n - 1;
          m = std::deque<std::string>(m.begin() + s, m.begin() + t + 1);
        }
        break;
      }
      case 7: {
        std::string pivot = std::to_string(rnd(0, 9));
        bool after = rnd(0, 1);
        auto it = std::find(m.begin(), m.end(), pivot);
        int64_t want = n == 0 ? 0 : it == m.end() ? -1 : n + 1;
        CHECK(S(e.Run({"LINSERT", key, after ? "AFTER" : "BEFORE", pivot, v})) == Int(want));
        if (want > 0) m.insert(after ? it + 1 : it, v);
        break;
      }
      case 8: {
        size_t k2 = rnd(0, 2);
        bool left_from = rnd(0, 1), left_to = rnd(0, 1);
        RespValue r = e.Run({"LMOVE", key, keys[k2], left_from ? "LEFT" : "RIGHT",
                             left_to ? "LEFT" : "RIGHT"});
        if (n == 0) {
          CHECK(r.type == RespValue::kNull);
        } else {
          std::string x = left_from ? m.front() : m.back();
          if (left_from)
            m.pop_front();
          else
            m.pop_back();
          if (left_to)
            model[k2].push_front(x);
          else
            model[k2].push_back(x);
          CHECK(S(r) == "\"" + x + "\"");
        }
        break;
      }
      case 9: {
        int c = rnd(1, 3);
        RespValue r = e.Run({"LMPOP", "3", keys[k], keys[(k + 1) % 3], keys[(k + 2) % 3],
                             "RIGHT", "COUNT", std::to_string(c)});
        size_t pick = 3;
        for (size_t j = 0; j < 3 && pick == 3; ++j)
          if (!model[(k + j) % 3].empty()) pick = (k + j) % 3;
        if (pick == 3) {
          CHECK(r.type == RespValue::kNullArray);
        } else {
          std::deque<std::string> want;
          for (int i = 0; i < c && !model[pick].empty(); ++i) {
            want.push_back(model[pick].back());
            model[pick].pop_back();
          }
          CHECK(S(r) == "[\"" + keys[pick] + "\", " + render(want) + "]");
        }
        break;
      }
    }
    for (size_t j = 0; j < keys.size(); ++j) {
      REQUIRE(All(e, keys[j]) == render(model[j]));
      REQUIRE(Exists(e, keys[j]) == !model[j].empty());
    }
  }
}

}  // namespace
}  // namespace kevy::test
