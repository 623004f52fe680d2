// Tests of SORT and SORT_RO (engine/commands/sort_family.cc) on the in-process engine with 2
// and 4 shards: every option and their combinations as Redis 7.0 answers them, the errors,
// BY/GET patterns whose keys (and the STORE destination) sit on shards other than the sorted
// key's, the number of cross-shard hops, the destination replaced in one step, and a
// randomized check that 1 shard and 4 shards give the same replies.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "engine/shard.h"
#include "tests/support/test_engine.h"

namespace kevy::test {
namespace {

const char* const kNotDouble = "(error) ERR One or more scores can't be converted into double";

std::vector<std::string> Cmd(std::vector<std::string> head, const std::vector<std::string>& tail) {
  head.insert(head.end(), tail.begin(), tail.end());
  return head;
}

// The first number n >= *next such that prefix + n hashes to `shard`; advances *next past it.
std::string ElemFor(TestEngine& e, const std::string& prefix, int shard, int* next) {
  for (;; ++*next) {
    std::string el = std::to_string(*next);
    if (e.server().slots.ShardOf(prefix + el) == shard) {
      ++*next;
      return el;
    }
  }
}

uint64_t CrossTasks(TestEngine& e) {
  uint64_t n = 0;
  for (int i = 0; i < e.num_shards(); ++i) n += e.shard(i).stats().cross_shard_tasks;
  return n;
}

TEST_CASE("SORT numeric and ALPHA, ASC and DESC, on lists sets and sorted sets", "[sort]") {
  TestEngine e(GENERATE(2, 4));
  REQUIRE(S(e.Run({"RPUSH", "l", "3", "1", "2", "10", "-5", "1.5"})) == Int(6));
  CHECK(S(e.Run({"SORT", "l"})) == R"(["-5", "1", "1.5", "2", "3", "10"])");
  CHECK(S(e.Run({"SORT", "l", "DESC"})) == R"(["10", "3", "2", "1.5", "1", "-5"])");
  CHECK(S(e.Run({"SORT", "l", "ALPHA"})) == R"(["-5", "1", "1.5", "10", "2", "3"])");
  CHECK(S(e.Run({"SORT", "l", "alpha", "desc"})) == R"(["3", "2", "10", "1.5", "1", "-5"])");
  // The last of ASC/DESC wins; options are case-insensitive.
  CHECK(S(e.Run({"sort", "l", "DESC", "asc"})) == R"(["-5", "1", "1.5", "2", "3", "10"])");
  // SORT_RO answers the same.
  CHECK(S(e.Run({"SORT_RO", "l", "DESC"})) == R"(["10", "3", "2", "1.5", "1", "-5"])");
  // Equal scores fall back to comparing the elements as bytes.
  REQUIRE(S(e.Run({"RPUSH", "eq", "1.0", "1", "01", "1e0"})) == Int(4));
  CHECK(S(e.Run({"SORT", "eq"})) == R"(["01", "1", "1.0", "1e0"])");
  CHECK(S(e.Run({"SORT", "eq", "DESC"})) == R"(["1e0", "1.0", "1", "01"])");

  REQUIRE(S(e.Run({"SADD", "s", "5", "30", "1", "-2"})) == Int(4));
  CHECK(S(e.Run({"SORT", "s"})) == R"(["-2", "1", "5", "30"])");
  CHECK(S(e.Run({"SORT", "s", "ALPHA", "DESC"})) == R"(["5", "30", "1", "-2"])");
  REQUIRE(S(e.Run({"SADD", "w", "pear", "apple", "fig"})) == Int(3));
  CHECK(S(e.Run({"SORT", "w", "ALPHA"})) == R"(["apple", "fig", "pear"])");

  REQUIRE(S(e.Run({"ZADD", "z", "1", "c", "2", "a", "3", "b"})) == Int(3));
  CHECK(S(e.Run({"SORT", "z", "ALPHA"})) == R"(["a", "b", "c"])");
  CHECK(S(e.Run({"OBJECT", "ENCODING", "z"})) == R"("skiplist")");  // as Redis converts it
  REQUIRE(S(e.Run({"ZADD", "zn", "1", "30", "2", "4", "3", "100"})) == Int(3));
  CHECK(S(e.Run({"SORT", "zn"})) == R"(["4", "30", "100"])");

  // A missing key sorts as an empty list.
  CHECK(S(e.Run({"SORT", "nokey"})) == "[]");
  CHECK(S(e.Run({"SORT_RO", "nokey", "BY", "nosort", "GET", "#"})) == "[]");
}

TEST_CASE("SORT number parsing follows strtod", "[sort]") {
  TestEngine e(2);
  // Empty, leading spaces, hex and infinities are numbers to strtod.
  REQUIRE(S(e.Run({"RPUSH", "ok", "", " 7", "0x10", "inf", "-inf", "1e3"})) == Int(6));
  CHECK(S(e.Run({"SORT", "ok"})) == R"(["-inf", "", " 7", "0x10", "1e3", "inf"])");
  for (const char* bad : {"nan", "1e400", "1 ", "x", "1x"}) {
    INFO(bad);
    e.Run({"DEL", "bad"});
    REQUIRE(S(e.Run({"RPUSH", "bad", "1", bad})) == Int(2));
    CHECK(S(e.Run({"SORT", "bad"})) == kNotDouble);
  }
  // ALPHA does not parse numbers at all.
  CHECK(S(e.Run({"SORT", "bad", "ALPHA"})) == R"(["1", "1x"])");
  // A failed SORT ... STORE leaves the destination alone.
  REQUIRE(S(e.Run({"SET", "dst", "keep"})) == "OK");
  CHECK(S(e.Run({"SORT", "bad", "STORE", "dst"})) == kNotDouble);
  CHECK(S(e.Run({"GET", "dst"})) == R"("keep")");
}

TEST_CASE("SORT LIMIT clamps offsets and counts as Redis", "[sort]") {
  TestEngine e(GENERATE(2, 4));
  REQUIRE(S(e.Run({"RPUSH", "l", "5", "4", "3", "2", "1"})) == Int(5));
  auto lim = [&](const std::string& off, const std::string& cnt,
                 std::vector<std::string> more = {}) {
    return S(e.Run(Cmd({"SORT", "l", "LIMIT", off, cnt}, more)));
  };
  CHECK(lim("0", "2") == R"(["1", "2"])");
  CHECK(lim("1", "3") == R"(["2", "3", "4"])");
  CHECK(lim("3", "10") == R"(["4", "5"])");
  CHECK(lim("-3", "2") == R"(["1", "2"])");       // negative offset counts as 0
  CHECK(lim("2", "-1") == R"(["3", "4", "5"])");  // negative count: to the end
  CHECK(lim("2", "-100") == R"(["3", "4", "5"])");
  CHECK(lim("2", "0") == "[]");
  CHECK(lim("5", "1") == "[]");
  CHECK(lim("9223372036854775807", "9223372036854775807") == "[]");
  CHECK(lim("-9223372036854775808", "9223372036854775807") == R"(["1", "2", "3", "4", "5"])");
  CHECK(lim("1", "2", {"DESC"}) == R"(["4", "3"])");
  // The last LIMIT wins.
  CHECK(lim("0", "1", {"LIMIT", "3", "1"}) == R"(["4"])");
  CHECK(S(e.Run({"SORT", "l", "LIMIT", "x", "1"})) == kNotInt);
  CHECK(S(e.Run({"SORT", "l", "LIMIT", "1", "1.5"})) == kNotInt);
  CHECK(S(e.Run({"SORT", "l", "LIMIT", "1"})) == kSyntax);
}

TEST_CASE("SORT BY nosort keeps the native order of lists and sorted sets", "[sort]") {
  TestEngine e(GENERATE(2, 4));
  REQUIRE(S(e.Run({"RPUSH", "l", "c", "a", "d", "b", "e"})) == Int(5));
  CHECK(S(e.Run({"SORT", "l", "BY", "nosort"})) == R"(["c", "a", "d", "b", "e"])");
  CHECK(S(e.Run({"SORT", "l", "BY", "nosort", "DESC"})) == R"(["e", "b", "d", "a", "c"])");
  CHECK(S(e.Run({"SORT", "l", "BY", "nosort", "LIMIT", "1", "2"})) == R"(["a", "d"])");
  CHECK(S(e.Run({"SORT", "l", "BY", "nosort", "DESC", "LIMIT", "1", "2"})) == R"(["b", "d"])");
  CHECK(S(e.Run({"SORT", "l", "BY", "nosort", "DESC", "LIMIT", "3", "9"})) == R"(["a", "c"])");
  CHECK(S(e.Run({"SORT", "l", "BY", "nosort", "LIMIT", "5", "1"})) == "[]");
  CHECK(S(e.Run({"SORT", "l", "BY", "nosort", "LIMIT", "0", "0"})) == "[]");
  // ALPHA is irrelevant without sorting; a BY without '*' anywhere disables sorting.
  CHECK(S(e.Run({"SORT", "l", "BY", "nosort", "ALPHA"})) == R"(["c", "a", "d", "b", "e"])");
  CHECK(S(e.Run({"SORT", "l", "BY", "nosort", "BY", "w_*", "ALPHA"})) ==
        R"(["c", "a", "d", "b", "e"])");
  CHECK(S(e.Run({"SORT", "l", "BY", "w_*", "BY", "const", "ALPHA"})) ==
        R"(["c", "a", "d", "b", "e"])");

  REQUIRE(S(e.Run({"ZADD", "z", "3", "a", "1", "b", "2", "c", "5", "d"})) == Int(4));
  CHECK(S(e.Run({"SORT", "z", "BY", "nosort"})) == R"(["b", "c", "a", "d"])");
  CHECK(S(e.Run({"SORT", "z", "BY", "nosort", "DESC"})) == R"(["d", "a", "c", "b"])");
  CHECK(S(e.Run({"SORT", "z", "BY", "nosort", "LIMIT", "1", "2"})) == R"(["c", "a"])");
  CHECK(S(e.Run({"SORT", "z", "BY", "nosort", "DESC", "LIMIT", "1", "2"})) == R"(["a", "c"])");
  CHECK(S(e.Run({"SORT", "z", "BY", "nosort", "DESC", "LIMIT", "10", "2"})) == "[]");

  // A set has no order: BY nosort into STORE sorts it ALPHA instead (binary order).
  REQUIRE(S(e.Run({"SADD", "s", "b", "10", "a", "9", "C"})) == Int(5));
  CHECK(S(e.Run({"SORT", "s", "BY", "nosort", "STORE", "dst"})) == Int(5));
  CHECK(S(e.Run({"LRANGE", "dst", "0", "-1"})) == R"(["10", "9", "C", "a", "b"])");
  CHECK(S(e.Run({"SORT", "s", "BY", "nosort", "DESC", "LIMIT", "1", "2", "STORE", "dst"})) ==
        Int(2));
  CHECK(S(e.Run({"LRANGE", "dst", "0", "-1"})) == R"(["a", "C"])");
  // Without STORE: every member, in whatever order.
  CHECK(e.Run({"SORT", "s", "BY", "nosort"}).elems.size() == 5);
  // An intset replies in its ascending order, as Redis.
  REQUIRE(S(e.Run({"SADD", "is", "3", "-1", "2"})) == Int(3));
  CHECK(S(e.Run({"SORT", "is", "BY", "nosort"})) == R"(["-1", "2", "3"])");
}

TEST_CASE("SORT BY and GET patterns: strings, hash fields, #, missing keys", "[sort]") {
  TestEngine e(GENERATE(2, 4));
  REQUIRE(S(e.Run({"RPUSH", "l", "a", "b", "c", "d"})) == Int(4));
  REQUIRE(S(e.Run({"MSET", "w_a", "3", "w_b", "1", "w_c", "2", "o_a", "A", "o_c", "C"})) == "OK");
  // d has no weight: it scores 0.
  CHECK(S(e.Run({"SORT", "l", "BY", "w_*"})) == R"(["d", "b", "c", "a"])");
  CHECK(S(e.Run({"SORT", "l", "BY", "w_*", "DESC"})) == R"(["a", "c", "b", "d"])");
  CHECK(S(e.Run({"SORT", "l", "BY", "w_*", "GET", "o_*"})) == R"([(nil), (nil), "C", "A"])");
  CHECK(S(e.Run({"SORT", "l", "BY", "w_*", "GET", "#", "GET", "w_*", "LIMIT", "1", "2"})) ==
        R"(["b", "1", "c", "2"])");
  // A GET pattern without '*' names no key: always nil (even when such a key exists).
  REQUIRE(S(e.Run({"SET", "fixed", "x"})) == "OK");
  CHECK(S(e.Run({"SORT", "l", "ALPHA", "GET", "fixed", "LIMIT", "0", "2"})) == "[(nil), (nil)]");
  // Keys of another type are nil for GET and missing for BY.
  REQUIRE(S(e.Run({"RPUSH", "o_b", "x"})) == Int(1));
  CHECK(S(e.Run({"SORT", "l", "ALPHA", "GET", "o_*"})) == R"(["A", (nil), "C", (nil)])");
  // ALPHA BY: missing values first, ties keep the list order.
  REQUIRE(S(e.Run({"MSET", "n_a", "x", "n_b", "y", "n_c", "x"})) == "OK");
  CHECK(S(e.Run({"SORT", "l", "BY", "n_*", "ALPHA"})) == R"(["d", "a", "c", "b"])");
  CHECK(S(e.Run({"SORT", "l", "BY", "n_*", "ALPHA", "DESC"})) == R"(["b", "a", "c", "d"])");

  // Hash fields: key->field; "->" with nothing after it is part of the key name.
  REQUIRE(S(e.Run({"HSET", "h_a", "f", "2", "g", "ga"})) == Int(2));
  REQUIRE(S(e.Run({"HSET", "h_b", "f", "1"})) == Int(1));
  REQUIRE(S(e.Run({"HSET", "h_c", "f", "3", "g", "gc"})) == Int(2));
  CHECK(S(e.Run({"SORT", "l", "BY", "h_*->f", "GET", "#", "GET", "h_*->g"})) ==
        R"(["d", (nil), "b", (nil), "a", "ga", "c", "gc"])");
  CHECK(S(e.Run({"SORT", "l", "ALPHA", "GET", "h_*->f"})) == R"(["2", "1", "3", (nil)])");
  CHECK(S(e.Run({"SORT", "l", "ALPHA", "GET", "w_*->f"})) == "[(nil), (nil), (nil), (nil)]");
  REQUIRE(S(e.Run({"SET", "h_a->", "arrow"})) == "OK");
  CHECK(S(e.Run({"SORT", "l", "ALPHA", "GET", "h_*->", "LIMIT", "0", "1"})) == R"(["arrow"])");
  // "->" before the '*' belongs to the key name; only the first '*' is replaced.
  REQUIRE(S(e.Run({"SET", "x->a*", "star"})) == "OK");
  CHECK(S(e.Run({"SORT", "l", "ALPHA", "GET", "x->**", "LIMIT", "0", "1"})) == R"(["star"])");
  // Non-numeric BY values are an error, not a missing value.
  REQUIRE(S(e.Run({"SET", "w_d", "heavy"})) == "OK");
  CHECK(S(e.Run({"SORT", "l", "BY", "w_*"})) == kNotDouble);
  CHECK(S(e.Run({"SORT", "l", "BY", "w_*", "ALPHA"})) == R"(["b", "c", "a", "d"])");

  // RESP3: missing GET targets are nulls.
  e.Run({"HELLO", "3"});
  CHECK(e.Run({"SORT", "l", "ALPHA", "GET", "o_*"}).elems[1].type == RespValue::kNull);
}

TEST_CASE("SORT STORE writes a list, replaces any value, deletes on empty", "[sort]") {
  TestEngine e(GENERATE(2, 4));
  REQUIRE(S(e.Run({"RPUSH", "l", "3", "1", "2"})) == Int(3));
  REQUIRE(S(e.Run({"SET", "dst", "old"})) == "OK");
  REQUIRE(S(e.Run({"EXPIRE", "dst", "100"})) == Int(1));
  CHECK(S(e.Run({"SORT", "l", "STORE", "dst"})) == Int(3));
  CHECK(S(e.Run({"TYPE", "dst"})) == "list");
  CHECK(S(e.Run({"TTL", "dst"})) == Int(-1));
  CHECK(S(e.Run({"LRANGE", "dst", "0", "-1"})) == R"(["1", "2", "3"])");
  CHECK(S(e.Run({"OBJECT", "ENCODING", "dst"})) == R"("quicklist")");
  // With GET, one entry per GET and element; a missing value is stored as "".
  REQUIRE(S(e.Run({"MSET", "w_1", "one", "w_3", "three"})) == "OK");
  CHECK(S(e.Run({"SORT", "l", "DESC", "GET", "#", "GET", "w_*", "STORE", "dst"})) == Int(6));
  CHECK(S(e.Run({"LRANGE", "dst", "0", "-1"})) == R"(["3", "three", "2", "", "1", "one"])");
  // The last STORE wins; an earlier one is untouched.
  CHECK(S(e.Run({"SORT", "l", "STORE", "d1", "STORE", "d2", "LIMIT", "0", "1"})) == Int(1));
  CHECK(S(e.Run({"EXISTS", "d1"})) == Int(0));
  CHECK(S(e.Run({"LRANGE", "d2", "0", "-1"})) == R"(["1"])");
  // Empty results delete the destination.
  CHECK(S(e.Run({"SORT", "l", "LIMIT", "0", "0", "STORE", "dst"})) == Int(0));
  CHECK(S(e.Run({"EXISTS", "dst"})) == Int(0));
  CHECK(S(e.Run({"SET", "dst", "x"})) == "OK");
  CHECK(S(e.Run({"SORT", "nokey", "STORE", "dst"})) == Int(0));
  CHECK(S(e.Run({"EXISTS", "dst"})) == Int(0));
  // The source can be its own destination.
  CHECK(S(e.Run({"SORT", "l", "DESC", "STORE", "l"})) == Int(3));
  CHECK(S(e.Run({"LRANGE", "l", "0", "-1"})) == R"(["3", "2", "1"])");
  // Pipelined after SORT ... STORE, a read sees the stored list (SORT is a barrier).
  auto replies = e.Pipeline({{"SORT", "l", "STORE", "dst"}, {"LRANGE", "dst", "0", "-1"}});
  CHECK(S(replies[0]) == Int(3));
  CHECK(S(replies[1]) == R"(["1", "2", "3"])");
}

TEST_CASE("SORT errors", "[sort]") {
  TestEngine e(2);
  REQUIRE(S(e.Run({"RPUSH", "l", "1", "2"})) == Int(2));
  REQUIRE(S(e.Run({"SET", "str", "x"})) == "OK");
  REQUIRE(S(e.Run({"HSET", "h", "f", "v"})) == Int(1));
  CHECK(S(e.Run({"SORT", "str"})) == kWrongType);
  CHECK(S(e.Run({"SORT", "h", "BY", "nosort"})) == kWrongType);
  CHECK(S(e.Run({"SORT_RO", "str"})) == kWrongType);
  CHECK(S(e.Run({"SORT", "str", "STORE", "dst"})) == kWrongType);
  CHECK(S(e.Run({"EXISTS", "dst"})) == Int(0));
  CHECK(S(e.Run({"SORT"})) == "(error) ERR wrong number of arguments for 'sort' command");
  CHECK(S(e.Run({"SORT_RO"})) == "(error) ERR wrong number of arguments for 'sort_ro' command");
  for (auto tail : std::vector<std::vector<std::string>>{
           {"foo"}, {"GET"}, {"BY"}, {"STORE"}, {"LIMIT", "0"}, {"ALPHA", "x"}}) {
    CHECK(S(e.Run(Cmd({"SORT", "l"}, tail))) == kSyntax);
  }
  // Syntax is checked before the key's type.
  CHECK(S(e.Run({"SORT", "str", "foo"})) == kSyntax);
  CHECK(S(e.Run({"SORT", "str", "LIMIT", "a", "b"})) == kNotInt);
  // SORT_RO knows no STORE.
  CHECK(S(e.Run({"SORT_RO", "l", "STORE", "dst"})) == kSyntax);
  CHECK(S(e.Run({"EXISTS", "dst"})) == Int(0));
  // Options are parsed left to right: the first bad one answers.
  CHECK(S(e.Run({"SORT", "l", "LIMIT", "x", "0", "foo"})) == kNotInt);
  CHECK(S(e.Run({"SORT", "l", "foo", "LIMIT", "x", "0"})) == kSyntax);
}

TEST_CASE("SORT COMMAND GETKEYS and INFO", "[sort]") {
  TestEngine e(2);
  CHECK(S(e.Run({"COMMAND", "GETKEYS", "SORT", "k", "STORE", "d", "GET", "x", "STORE", "d2"})) ==
        R"(["k", "d2"])");
  CHECK(S(e.Run({"COMMAND", "GETKEYS", "SORT", "k", "LIMIT", "store", "x"})) == R"(["k"])");
  CHECK(S(e.Run({"COMMAND", "GETKEYS", "SORT_RO", "k", "GET", "x"})) == R"(["k"])");
  RespValue info = e.Run({"COMMAND", "INFO", "sort"});
  REQUIRE(info.elems.size() == 1);
  CHECK(S(info.elems[0].elems[2]) == "[write, denyoom, movablekeys]");
}

// Keys placed deliberately: the sorted list on shard `src`, the BY weights, the GET values
// and the destination on shards chosen per section, the client on shard 0.
TEST_CASE("SORT with pattern keys and destination on other shards", "[sort]") {
  const int shards = GENERATE(2, 4);
  TestEngine e(shards);
  const int src = shards - 1;
  const std::string list = e.KeyOnShard(src, "list");
  // Five elements whose w_ keys rotate over the shards and whose o_ keys all sit on shard 0.
  int next = 0;
  std::vector<std::string> elems;
  for (int i = 0; i < 5; ++i) elems.push_back(ElemFor(e, "w_", i % shards, &next));
  REQUIRE(S(e.Run(Cmd({"RPUSH", list}, elems))) == Int(5));
  // Weights descend with the position, so BY w_* reverses the list.
  std::vector<std::string> wset{"MSET"};
  for (int i = 0; i < 5; ++i) {
    wset.push_back("w_" + elems[i]);
    wset.push_back(std::to_string(50 - i));
    wset.push_back("o_" + elems[i]);
    wset.push_back("obj" + std::to_string(i));
  }
  REQUIRE(S(e.Run(wset)) == "OK");
  for (int i = 0; i < 5; ++i) {
    REQUIRE(S(e.Run({"HSET", "h_" + elems[i], "f", std::to_string(i % 2), "g", "hg" + elems[i]})) ==
            Int(1 + 1));
  }
  auto quoted = [](const std::vector<std::string>& v) {
    std::string s = "[";
    for (size_t i = 0; i < v.size(); ++i) s += (i ? ", \"" : "\"") + v[i] + "\"";
    return s + "]";
  };
  std::vector<std::string> rev(elems.rbegin(), elems.rend());

  SECTION("BY and GET read the keys on their shards") {
    CHECK(S(e.Run({"SORT", list, "BY", "w_*"})) == quoted(rev));
    CHECK(S(e.Run({"SORT", list, "BY", "w_*", "DESC"})) == quoted(elems));
    CHECK(S(e.Run({"SORT", list, "BY", "w_*", "GET", "o_*", "LIMIT", "0", "2"})) ==
          R"(["obj4", "obj3"])");
    CHECK(S(e.Run({"SORT", list, "BY", "w_*", "GET", "#", "GET", "w_*", "LIMIT", "4", "1"})) ==
          quoted({elems[0], "50"}));
    // Hash fields: f = i % 2, ties broken by the element.
    std::vector<std::string> by_f{elems[0], elems[2], elems[4], elems[1], elems[3]};
    std::sort(by_f.begin(), by_f.begin() + 3);
    std::sort(by_f.begin() + 3, by_f.end());
    std::vector<std::string> by_f_g;
    for (const auto& el : by_f) by_f_g.push_back("hg" + el);
    CHECK(S(e.Run({"SORT", list, "BY", "h_*->f", "GET", "h_*->g"})) == quoted(by_f_g));
    CHECK(S(e.Run({"SORT_RO", list, "BY", "h_*->f"})) == quoted(by_f));
    // A non-numeric weight on some other shard is still an error.
    REQUIRE(S(e.Run({"SET", "w_" + elems[1], "heavy"})) == "OK");
    CHECK(S(e.Run({"SORT", list, "BY", "w_*"})) == kNotDouble);
  }

  SECTION("STORE to every shard") {
    for (int d = 0; d < shards; ++d) {
      std::string dst = e.KeyOnShard(d, "dst");
      REQUIRE(S(e.Run({"SET", dst, "old"})) == "OK");
      CHECK(S(e.Run({"SORT", list, "BY", "w_*", "GET", "o_*", "STORE", dst})) == Int(5));
      CHECK(S(e.Run({"LRANGE", dst, "0", "-1"})) == R"(["obj4", "obj3", "obj2", "obj1", "obj0"])");
      CHECK(S(e.Run({"SORT", list, "BY", "nosort", "LIMIT", "1", "2", "STORE", dst})) == Int(2));
      CHECK(S(e.Run({"LRANGE", dst, "0", "-1"})) == quoted({elems[1], elems[2]}));
      CHECK(S(e.Run({"SORT", list, "LIMIT", "9", "1", "STORE", dst})) == Int(0));
      CHECK(S(e.Run({"EXISTS", dst})) == Int(0));
      auto replies = e.Pipeline({{"SORT", list, "BY", "w_*", "STORE", dst}, {"LINDEX", dst, "0"}});
      CHECK(S(replies[0]) == Int(5));
      CHECK(S(replies[1]) == "\"" + elems[4] + "\"");
    }
  }

  SECTION("from a client on each shard") {
    for (int c = 0; c < shards; ++c) {
      int client = c == 0 ? 0 : e.NewClient(c);
      CHECK(S(e.Run({"SORT", list, "BY", "w_*", "GET", "o_*", "LIMIT", "0", "1"}, client)) ==
            R"(["obj4"])");
    }
  }
}

TEST_CASE("SORT whose keys share the source's shard finishes there in one hop", "[sort]") {
  TestEngine e(4);
  // Hash tags keep the list, its pattern keys and the destination together on one shard.
  const std::string list = "{t}list", dst = "{t}dst";
  const uint16_t home = e.server().slots.ShardOf(list);
  const int client = e.NewClient((home + 1) % 4);
  REQUIRE(S(e.Run({"RPUSH", list, "1", "2", "3"})) == Int(3));
  REQUIRE(S(e.Run({"MSET", "{t}w1", "3", "{t}w2", "2", "{t}w3", "1"})) == "OK");
  // One round trip to another shard, as the counters see it:
  uint64_t before = CrossTasks(e);
  REQUIRE(S(e.Run({"LLEN", list}, client)) == Int(3));
  const uint64_t hop = CrossTasks(e) - before;
  REQUIRE(hop > 0);
  before = CrossTasks(e);
  CHECK(S(e.Run({"SORT", list, "BY", "{t}w*", "GET", "{t}w*", "STORE", dst}, client)) == Int(3));
  CHECK(CrossTasks(e) - before == hop);
  CHECK(S(e.Run({"LRANGE", dst, "0", "-1"})) == R"(["1", "2", "3"])");
  // Without the tag the weights spread over the shards: more hops, same answer.
  REQUIRE(S(e.Run({"MSET", "w1", "3", "w2", "2", "w3", "1"})) == "OK");
  before = CrossTasks(e);
  CHECK(S(e.Run({"SORT", list, "BY", "w*", "GET", "#"}, client)) == R"(["3", "2", "1"])");
  CHECK(CrossTasks(e) - before > hop);
}

TEST_CASE("SORT STORE across shards replaces the destination in one step", "[sort]") {
  TestEngine e(2);
  const std::string src = e.KeyOnShard(0, "src"), dst = e.KeyOnShard(1, "dst");
  REQUIRE(S(e.Run({"RPUSH", src, "3", "1", "2"})) == Int(3));
  REQUIRE(S(e.Run({"RPUSH", dst, "old"})) == Int(1));
  int other = e.NewClient(1);
  Send(e, 0, {"SORT", src, "STORE", dst});
  // Another client reads the destination at every hop: the old list, then the whole new one.
  std::vector<std::string> seen;
  for (int i = 0; i < 6; ++i) {
    Send(e, other, {"LRANGE", dst, "0", "-1"});
    for (auto& r : Replies(e, other)) seen.push_back(r);
    Step(e);
  }
  e.Pump();
  for (auto& r : Replies(e, other)) seen.push_back(r);
  CHECK(Replies(e, 0) == std::vector<std::string>{Int(3)});
  REQUIRE(!seen.empty());
  CHECK(seen.front() == R"(["old"])");
  CHECK(seen.back() == R"(["1", "2", "3"])");
  for (const auto& r : seen) CHECK((r == R"(["old"])" || r == R"(["1", "2", "3"])"));
}

TEST_CASE("SORT with patterns across shards runs as one step under shard locks", "[sort]") {
  TestEngine e(4);
  const std::string list = e.KeyOnShard(0, "iso");
  int next = 0;
  std::vector<std::string> elems;
  for (int i = 0; i < 4; ++i) elems.push_back(ElemFor(e, "w_", i, &next));
  REQUIRE(S(e.Run(Cmd({"RPUSH", list}, elems))) == Int(4));
  std::vector<std::string> up{"MSET"}, down{"MSET"};
  for (int i = 0; i < 4; ++i) {
    up.insert(up.end(), {"w_" + elems[i], std::to_string(i)});
    down.insert(down.end(), {"w_" + elems[i], std::to_string(-i)});
  }
  REQUIRE(S(e.Run(up)) == "OK");
  const std::string in_order = S(e.Run({"SORT", list, "BY", "w_*"}));
  REQUIRE(in_order == S(e.Run({"SORT", list, "BY", "nosort"})));
  const std::string reversed = S(e.Run({"SORT", list, "BY", "nosort", "DESC"}));

  int other = e.NewClient(2);
  Send(e, 0, {"SORT", list, "BY", "w_*", "STORE", e.KeyOnShard(1, "dst")});
  for (int i = 0; i < 20 && e.shard(3).lock_tx() == 0; ++i) Step(e);
  REQUIRE(e.shard(3).lock_tx() != 0);
  // A cross-shard MSET reversing the weights waits until the SORT is done.
  Send(e, other, down);
  Send(e, other, {"SORT", list, "BY", "w_*"});
  CHECK(Replies(e, other).empty());
  e.Pump();
  CHECK(Replies(e, 0) == std::vector<std::string>{Int(4)});
  CHECK(S(e.Run({"LRANGE", e.KeyOnShard(1, "dst"), "0", "-1"})) == in_order);
  CHECK(Replies(e, other) == std::vector<std::string>{"OK", reversed});
  for (int i = 0; i < 4; ++i) CHECK(e.shard(i).lock_tx() == 0);
}

TEST_CASE("SORT gives the same replies on 1 and 4 shards for random data and options", "[sort]") {
  TestEngine one(1), four(4);
  std::mt19937 rng(20260707);
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  auto both = [&](const std::vector<std::string>& cmd) {
    RespValue a = one.Run(cmd), b = four.Run(cmd);
    INFO(cmd.size());
    REQUIRE(S(a) == S(b));
    return a;
  };
  auto elem = [&]() {
    switch (pick(3)) {
      case 0:
        return std::to_string(pick(30) - 10);
      case 1:
        return std::string(1, static_cast<char>('a' + pick(8)));
      default:
        return std::to_string(pick(20)) + "." + std::to_string(pick(10));
    }
  };
  for (int round = 0; round < 300; ++round) {
    if (round % 50 == 0) {
      both({"FLUSHALL"});
      for (int i = 0; i < 15; ++i) {
        std::string el = elem();
        both({"RPUSH", "l", el});
        both({"SADD", "s", el});
        both({"ZADD", "z", std::to_string(pick(5)), el});
        if (pick(4)) both({"SET", "w_" + el, std::to_string(pick(7))});
        if (pick(4)) both({"SET", "o_" + el, "v" + el});
        if (pick(2)) both({"HSET", "h_" + el, "f", std::to_string(pick(9)), "g", "g" + el});
      }
    }
    std::vector<std::string> cmd{pick(4) ? "SORT" : "SORT_RO", pick(3) == 0   ? "s"
                                                               : pick(2) == 0 ? "z"
                                                                              : "l"};
    switch (pick(5)) {
      case 0:
        cmd.insert(cmd.end(), {"BY", "w_*"});
        break;
      case 1:
        cmd.insert(cmd.end(), {"BY", "h_*->f"});
        break;
      case 2:
        cmd.insert(cmd.end(), {"BY", "nosort"});
        break;
      default:
        break;
    }
    if (pick(3) == 0)
      cmd.insert(cmd.end(), {"LIMIT", std::to_string(pick(20) - 3), std::to_string(pick(20) - 3)});
    for (int g = pick(4); g > 0; --g) {
      const char* pats[] = {"#", "o_*", "w_*", "h_*->g", "h_*->f", "nothing"};
      cmd.insert(cmd.end(), {"GET", pats[pick(6)]});
    }
    if (pick(2)) cmd.push_back("DESC");
    if (pick(2)) cmd.push_back("ALPHA");
    bool store = cmd[0] == "SORT" && pick(3) == 0;
    if (store) cmd.insert(cmd.end(), {"STORE", "dst" + std::to_string(pick(3))});
    both(cmd);
    if (store) both({"LRANGE", cmd.back(), "0", "-1"});
  }
}

TEST_CASE("SORT is a barrier only when it may take several rounds", "[sort]") {
  TestEngine e(4);
  const std::string list = "{t}l", dst = "{t}d";
  const int client = e.NewClient((e.server().slots.ShardOf(list) + 1) % 4);
  REQUIRE(S(e.Run({"RPUSH", list, "2", "3", "1"})) == Int(3));
  auto barrier_after = [&](std::vector<std::string> cmd) {
    Send(e, client, std::move(cmd));
    bool b = e.client(client).barrier;
    e.Pump();
    Replies(e, client);
    return b;
  };
  CHECK_FALSE(barrier_after({"SORT", list, "LIMIT", "0", "2", "GET", "#", "GET", "const"}));
  CHECK_FALSE(barrier_after({"SORT", list, "BY", "nosort", "STORE", dst}));
  CHECK(barrier_after({"SORT", list, "BY", "w_*"}));
  CHECK(barrier_after({"SORT", list, "GET", "o_*"}));
  CHECK(barrier_after({"SORT", list, "STORE", "elsewhere"}) ==
        (e.server().slots.ShardOf("elsewhere") != e.server().slots.ShardOf(list)));
  // Without a barrier, the client's next commands still see the stored list: they follow
  // the SORT to the same shard.
  auto replies = e.Pipeline({{"SORT", list, "STORE", dst},
                             {"LRANGE", dst, "0", "-1"},
                             {"SORT", list, "DESC", "STORE", dst},
                             {"LRANGE", dst, "0", "-1"}},
                            client);
  CHECK(S(replies[1]) == R"(["1", "2", "3"])");
  CHECK(S(replies[3]) == R"(["3", "2", "1"])");
}

TEST_CASE("SORT reads and stores in the client's database on every shard", "[sort]") {
  TestEngine e(4);
  REQUIRE(S(e.Run({"SELECT", "1"})) == "OK");
  REQUIRE(S(e.Run({"RPUSH", "l", "3", "1", "2"})) == Int(3));
  REQUIRE(S(e.Run({"MSET", "w_1", "3", "w_2", "2", "w_3", "1"})) == "OK");
  CHECK(S(e.Run({"SORT", "l", "BY", "w_*", "GET", "w_*", "STORE", "d"})) == Int(3));
  CHECK(S(e.Run({"LRANGE", "d", "0", "-1"})) == R"(["1", "2", "3"])");
  REQUIRE(S(e.Run({"SELECT", "0"})) == "OK");
  CHECK(S(e.Run({"EXISTS", "l", "d"})) == Int(0));
  REQUIRE(S(e.Run({"RPUSH", "l", "5", "4"})) == Int(2));
  CHECK(S(e.Run({"SORT", "l", "BY", "w_*", "GET", "w_*"})) == "[(nil), (nil)]");
}

}  // namespace
}  // namespace kevy::test
