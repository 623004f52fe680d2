// Tests of the string commands (engine/commands/string_family.cc) on the in-process engine
// with 2 and 4 shards: replies and error texts as Redis 7 gives them, options and their
// conflicts, expiry on the injectable clock, keyspace statistics, and the multi-key commands
// with their keys on one shard and spread over several (the fan-out path).
#include <catch2/catch.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/shard.h"
#include "tests/support/test_engine.h"

namespace kevy::test {
namespace {

std::string Err(const std::string& msg) { return "(error) " + msg; }
std::string Bulk(const std::string& s) { return "\"" + s + "\""; }
// The rendering without "(integer) " markers, for nested replies such as LCS IDX.
std::string Compact(const RespValue& v) {
  std::string s = v.ToString();
  const std::string mark = "(integer) ";
  for (size_t p; (p = s.find(mark)) != std::string::npos;) s.erase(p, mark.size());
  return s;
}
const char* const kNil = "(nil)";
const char* const kNotFloat = "(error) ERR value is not a valid float";

// The entry for `key` in db 0 of its owning shard, ignoring expiry, or nullptr.
Entry* Raw(TestEngine& e, const std::string& key) {
  return e.shard(e.server().slots.ShardOf(key)).db(0).FindRaw(key);
}

// Absolute expire time of key in ms (kNoExpire when persistent, -2 when absent).
int64_t ExpireAt(TestEngine& e, const std::string& key) {
  Entry* en = Raw(e, key);
  return en ? en->expire_at_ms : -2;
}

// Stores a value of another type than string under key (no such commands exist yet).
void PutList(TestEngine& e, const std::string& key) {
  Value v;
  v.type = ObjType::kList;
  e.shard(e.server().slots.ShardOf(key)).db(0).Insert(key, std::move(v));
}

uint64_t Hits(TestEngine& e) {
  uint64_t n = 0;
  for (int i = 0; i < e.num_shards(); ++i) n += e.shard(i).stats().keyspace_hits;
  return n;
}

uint64_t Misses(TestEngine& e) {
  uint64_t n = 0;
  for (int i = 0; i < e.num_shards(); ++i) n += e.shard(i).stats().keyspace_misses;
  return n;
}

}  // namespace

TEST_CASE("string commands are registered as Redis describes them", "[string]") {
  TestEngine e(2);
  struct Row {
    const char* name;
    int arity;
    uint32_t flags;
    int first, last, step;
    bool origin;
  };
  const uint32_t W = kCmdWrite, R = kCmdReadonly, M = kCmdDenyOom, F = kCmdFast;
  const Row rows[] = {
      {"get", 2, R | F, 1, 1, 1, false},        {"set", -3, W | M, 1, 1, 1, false},
      {"setnx", 3, W | M | F, 1, 1, 1, false},  {"setex", 4, W | M, 1, 1, 1, false},
      {"psetex", 4, W | M, 1, 1, 1, false},     {"getset", 3, W | M | F, 1, 1, 1, false},
      {"getdel", 2, W | F, 1, 1, 1, false},     {"getex", -2, W | F, 1, 1, 1, false},
      {"mget", -2, R | F, 1, -1, 1, true},      {"mset", -3, W | M, 1, -1, 2, true},
      {"msetnx", -3, W | M, 1, -1, 2, true},    {"incr", 2, W | M | F, 1, 1, 1, false},
      {"decr", 2, W | M | F, 1, 1, 1, false},   {"incrby", 3, W | M | F, 1, 1, 1, false},
      {"decrby", 3, W | M | F, 1, 1, 1, false}, {"incrbyfloat", 3, W | M | F, 1, 1, 1, false},
      {"append", 3, W | M | F, 1, 1, 1, false}, {"strlen", 2, R | F, 1, 1, 1, false},
      {"getrange", 4, R, 1, 1, 1, false},       {"substr", 4, R, 1, 1, 1, false},
      {"setrange", 4, W | M, 1, 1, 1, false},   {"lcs", -3, R, 1, 2, 1, true},
  };
  for (const auto& row : rows) {
    INFO(row.name);
    const CommandSpec* spec = e.server().commands.Find(row.name);
    REQUIRE(spec);
    CHECK(spec->arity == row.arity);
    CHECK(spec->flags == row.flags);
    CHECK(spec->first_key == row.first);
    CHECK(spec->last_key == row.last);
    CHECK(spec->key_step == row.step);
    CHECK(spec->group == "string");
    CHECK(spec->on_shard);
    CHECK((spec->on_origin != nullptr) == row.origin);
    CHECK(!spec->summary.empty());
    CHECK(!spec->since.empty());
    CHECK(!spec->complexity.empty());
    CHECK(spec->acl.find("string") != std::string::npos);
  }
  CHECK(e.server().commands.Find("GeT") == e.server().commands.Find("get"));
}

TEST_CASE("GET and SET", "[string]") {
  int shards = GENERATE(2, 4);
  INFO("shards=" << shards);
  TestEngine e(shards);
  for (int s = 0; s < shards; ++s) {
    std::string k = e.KeyOnShard(s, "gs");
    CHECK(S(e.Run({"GET", k})) == kNil);
    CHECK(S(e.Run({"SET", k, "v" + k})) == "OK");
    CHECK(S(e.Run({"GET", k})) == Bulk("v" + k));
    // Overwrite with a longer, then a much shorter value (the buffer is reused or shrunk).
    std::string big(5000, 'x');
    CHECK(S(e.Run({"SET", k, big})) == "OK");
    CHECK(S(e.Run({"GET", k})) == Bulk(big));
    CHECK(S(e.Run({"SET", k, "s"})) == "OK");
    CHECK(S(e.Run({"GET", k})) == Bulk("s"));
    CHECK(Raw(e, k)->value.str.capacity() < 5000);
    CHECK_FALSE(Raw(e, k)->value.raw);
  }
  // Binary-safe values and empty values.
  std::string bin("a\0b\r\nc", 6);
  CHECK(S(e.Run({"SET", "bin", bin})) == "OK");
  RespValue r = e.Run({"GET", "bin"});
  CHECK(r.type == RespValue::kBulk);
  CHECK(r.str == bin);
  CHECK(S(e.Run({"SET", "empty", ""})) == "OK");
  r = e.Run({"GET", "empty"});
  CHECK(r.type == RespValue::kBulk);
  CHECK(r.str.empty());

  // Arity comes from the dispatcher, with Redis's text.
  CHECK(S(e.Run({"GET"})) == Err("ERR wrong number of arguments for 'get' command"));
  CHECK(S(e.Run({"GET", "a", "b"})) == Err("ERR wrong number of arguments for 'get' command"));
  CHECK(S(e.Run({"SET", "a"})) == Err("ERR wrong number of arguments for 'set' command"));

  // Another type: GET is WRONGTYPE, SET replaces it.
  PutList(e, "lst");
  CHECK(S(e.Run({"GET", "lst"})) == kWrongType);
  CHECK(S(e.Run({"SET", "lst", "now a string"})) == "OK");
  CHECK(S(e.Run({"GET", "lst"})) == Bulk("now a string"));
}

TEST_CASE("GET counts keyspace hits and misses on the owning shard", "[string]") {
  TestEngine e(2);
  std::string k0 = e.KeyOnShard(0, "h"), k1 = e.KeyOnShard(1, "h");
  e.Run({"SET", k1, "v"});
  uint64_t h = Hits(e), m = Misses(e);
  e.Run({"GET", k1});
  e.Run({"GET", k0});
  e.Run({"GET", k0});
  CHECK(Hits(e) == h + 1);
  CHECK(Misses(e) == m + 2);
  CHECK(e.shard(1).stats().keyspace_hits == 1);
  // Writes do not count.
  e.Run({"SET", k0, "v"});
  e.Run({"INCR", "ctr"});
  CHECK(Hits(e) == h + 1);
  CHECK(Misses(e) == m + 2);
  // MGET counts each key where it lives.
  e.Run({"MGET", k0, k1, "nokey"});
  CHECK(Hits(e) == h + 3);
  CHECK(Misses(e) == m + 3);
}

TEST_CASE("SET NX XX GET", "[string]") {
  int shards = GENERATE(2, 4);
  INFO("shards=" << shards);
  TestEngine e(shards);
  CHECK(S(e.Run({"SET", "k", "a", "XX"})) == kNil);
  CHECK(S(e.Run({"GET", "k"})) == kNil);
  CHECK(S(e.Run({"SET", "k", "a", "NX"})) == "OK");
  CHECK(S(e.Run({"SET", "k", "b", "nx"})) == kNil);
  CHECK(S(e.Run({"GET", "k"})) == Bulk("a"));
  CHECK(S(e.Run({"SET", "k", "c", "xx"})) == "OK");
  CHECK(S(e.Run({"GET", "k"})) == Bulk("c"));
  // Repeating an option is fine; NX with XX is not.
  CHECK(S(e.Run({"SET", "k", "d", "XX", "XX"})) == "OK");
  CHECK(S(e.Run({"SET", "k", "d", "NX", "XX"})) == kSyntax);
  CHECK(S(e.Run({"SET", "k", "d", "XX", "NX"})) == kSyntax);

  // GET returns the old value (nil when absent) instead of OK.
  CHECK(S(e.Run({"SET", "g", "1", "GET"})) == kNil);
  CHECK(S(e.Run({"GET", "g"})) == Bulk("1"));
  CHECK(S(e.Run({"SET", "g", "2", "GET"})) == Bulk("1"));
  CHECK(S(e.Run({"GET", "g"})) == Bulk("2"));
  // NX GET (allowed since 7.0): the old value, and no write when it exists.
  CHECK(S(e.Run({"SET", "g", "3", "NX", "GET"})) == Bulk("2"));
  CHECK(S(e.Run({"GET", "g"})) == Bulk("2"));
  CHECK(S(e.Run({"SET", "g2", "3", "NX", "GET"})) == kNil);
  CHECK(S(e.Run({"GET", "g2"})) == Bulk("3"));
  // XX GET on a missing key: nil, nothing written.
  CHECK(S(e.Run({"SET", "g3", "x", "XX", "GET"})) == kNil);
  CHECK(S(e.Run({"GET", "g3"})) == kNil);
  // GET on another type: WRONGTYPE and the value stays.
  PutList(e, "lst");
  CHECK(S(e.Run({"SET", "lst", "x", "GET"})) == kWrongType);
  CHECK(Raw(e, "lst")->value.type == ObjType::kList);
  // Unknown options and PERSIST (a GETEX option) are syntax errors.
  CHECK(S(e.Run({"SET", "k", "v", "FOO"})) == kSyntax);
  CHECK(S(e.Run({"SET", "k", "v", "PERSIST"})) == kSyntax);
  CHECK(S(e.Run({"GET", "k"})) == Bulk("d"));
}

TEST_CASE("SET with expiry options", "[string]") {
  int shards = GENERATE(2, 4);
  INFO("shards=" << shards);
  TestEngine e(shards);
  const int64_t t0 = e.now_ms();

  CHECK(S(e.Run({"SET", "ex", "v", "EX", "10"})) == "OK");
  CHECK(ExpireAt(e, "ex") == t0 + 10000);
  CHECK(S(e.Run({"SET", "px", "v", "PX", "1500"})) == "OK");
  CHECK(ExpireAt(e, "px") == t0 + 1500);
  CHECK(S(e.Run({"SET", "exat", "v", "EXAT", std::to_string(t0 / 1000 + 20)})) == "OK");
  CHECK(ExpireAt(e, "exat") == (t0 / 1000 + 20) * 1000);
  CHECK(S(e.Run({"SET", "pxat", "v", "pxat", std::to_string(t0 + 30000)})) == "OK");
  CHECK(ExpireAt(e, "pxat") == t0 + 30000);
  // The same expire option twice: the last wins.
  CHECK(S(e.Run({"SET", "twice", "v", "EX", "10", "EX", "20"})) == "OK");
  CHECK(ExpireAt(e, "twice") == t0 + 20000);

  // Keys vanish when their time comes.
  e.AdvanceMs(1499);
  CHECK(S(e.Run({"GET", "px"})) == Bulk("v"));
  e.AdvanceMs(1);
  CHECK(S(e.Run({"GET", "px"})) == kNil);
  e.AdvanceMs(10000 - 1500);
  CHECK(S(e.Run({"GET", "ex"})) == kNil);
  CHECK(S(e.Run({"GET", "pxat"})) == Bulk("v"));

  // A plain SET drops the TTL; KEEPTTL keeps it; SET EX replaces it.
  CHECK(S(e.Run({"SET", "pxat", "w", "KEEPTTL"})) == "OK");
  CHECK(ExpireAt(e, "pxat") == t0 + 30000);
  CHECK(S(e.Run({"GET", "pxat"})) == Bulk("w"));
  CHECK(S(e.Run({"SET", "pxat", "x", "EX", "100"})) == "OK");
  CHECK(ExpireAt(e, "pxat") == e.now_ms() + 100000);
  CHECK(S(e.Run({"SET", "pxat", "y"})) == "OK");
  CHECK(ExpireAt(e, "pxat") == kNoExpire);
  e.AdvanceMs(200000);
  CHECK(S(e.Run({"GET", "pxat"})) == Bulk("y"));
  // KEEPTTL on a new key: no TTL.
  CHECK(S(e.Run({"SET", "kt", "v", "KEEPTTL"})) == "OK");
  CHECK(ExpireAt(e, "kt") == kNoExpire);

  // An absolute time in the past: OK, and the key is gone.
  CHECK(S(e.Run({"SET", "past", "v", "EXAT", "1"})) == "OK");
  CHECK(S(e.Run({"GET", "past"})) == kNil);
  CHECK(S(e.Run({"SET", "past", "v", "PXAT", std::to_string(e.now_ms())})) == "OK");
  CHECK(S(e.Run({"GET", "past"})) == kNil);

  // Conflicts and missing arguments.
  CHECK(S(e.Run({"SET", "k", "v", "EX"})) == kSyntax);
  CHECK(S(e.Run({"SET", "k", "v", "EX", "10", "PX", "10"})) == kSyntax);
  CHECK(S(e.Run({"SET", "k", "v", "PXAT", "10", "EXAT", "10"})) == kSyntax);
  CHECK(S(e.Run({"SET", "k", "v", "KEEPTTL", "EX", "10"})) == kSyntax);
  CHECK(S(e.Run({"SET", "k", "v", "EX", "10", "KEEPTTL"})) == kSyntax);
  // Bad expire values.
  const std::string inv = Err("ERR invalid expire time in 'set' command");
  CHECK(S(e.Run({"SET", "k", "v", "EX", "0"})) == inv);
  CHECK(S(e.Run({"SET", "k", "v", "PX", "-1"})) == inv);
  CHECK(S(e.Run({"SET", "k", "v", "EX", "9223372036854775807"})) == inv);  // *1000 overflows
  CHECK(S(e.Run({"SET", "k", "v", "PX", "9223372036854775807"})) == inv);  // +now overflows
  CHECK(S(e.Run({"SET", "k", "v", "EXAT", "9223372036854776"})) == inv);
  CHECK(S(e.Run({"SET", "k", "v", "EX", "abc"})) == kNotInt);
  CHECK(S(e.Run({"SET", "k", "v", "EX", "1.5"})) == kNotInt);
  CHECK(S(e.Run({"GET", "k"})) == kNil);  // none of them wrote
  // Largest accepted values.
  CHECK(S(e.Run({"SET", "k", "v", "EXAT", "9223372036854775"})) == "OK");
  CHECK(ExpireAt(e, "k") == 9223372036854775000LL);
  CHECK(S(e.Run({"SET", "k", "v", "PXAT", "9223372036854775807"})) == "OK");
  CHECK(ExpireAt(e, "k") == INT64_MAX);
  // The expire value is checked before GET's type check.
  PutList(e, "lst");
  CHECK(S(e.Run({"SET", "lst", "v", "GET", "EX", "0"})) == inv);
}

TEST_CASE("SETNX SETEX PSETEX", "[string]") {
  int shards = GENERATE(2, 4);
  INFO("shards=" << shards);
  TestEngine e(shards);
  const int64_t t0 = e.now_ms();
  CHECK(S(e.Run({"SETNX", "k", "a"})) == Int(1));
  CHECK(S(e.Run({"SETNX", "k", "b"})) == Int(0));
  CHECK(S(e.Run({"GET", "k"})) == Bulk("a"));
  PutList(e, "lst");
  CHECK(S(e.Run({"SETNX", "lst", "b"})) == Int(0));

  CHECK(S(e.Run({"SETEX", "k", "5", "b"})) == "OK");
  CHECK(S(e.Run({"GET", "k"})) == Bulk("b"));
  CHECK(ExpireAt(e, "k") == t0 + 5000);
  CHECK(S(e.Run({"PSETEX", "p", "250", "c"})) == "OK");
  CHECK(ExpireAt(e, "p") == t0 + 250);
  e.AdvanceMs(250);
  CHECK(S(e.Run({"GET", "p"})) == kNil);
  CHECK(S(e.Run({"GET", "k"})) == Bulk("b"));
  e.AdvanceMs(4750);
  CHECK(S(e.Run({"GET", "k"})) == kNil);

  CHECK(S(e.Run({"SETEX", "k", "0", "b"})) == Err("ERR invalid expire time in 'setex' command"));
  CHECK(S(e.Run({"PSETEX", "k", "-5", "b"})) == Err("ERR invalid expire time in 'psetex' command"));
  CHECK(S(e.Run({"SETEX", "k", "x", "b"})) == kNotInt);
  CHECK(S(e.Run({"SETEX", "k", "10"})) == Err("ERR wrong number of arguments for 'setex' command"));
  CHECK(S(e.Run({"GET", "k"})) == kNil);
  // SETEX replaces another type.
  CHECK(S(e.Run({"SETEX", "lst", "10", "s"})) == "OK");
  CHECK(S(e.Run({"GET", "lst"})) == Bulk("s"));
}

TEST_CASE("GETSET GETDEL", "[string]") {
  int shards = GENERATE(2, 4);
  INFO("shards=" << shards);
  TestEngine e(shards);
  CHECK(S(e.Run({"GETSET", "k", "a"})) == kNil);
  CHECK(S(e.Run({"GETSET", "k", "b"})) == Bulk("a"));
  CHECK(S(e.Run({"GET", "k"})) == Bulk("b"));
  // GETSET drops the TTL.
  e.Run({"SET", "t", "1", "EX", "10"});
  CHECK(S(e.Run({"GETSET", "t", "2"})) == Bulk("1"));
  CHECK(ExpireAt(e, "t") == kNoExpire);
  PutList(e, "lst");
  CHECK(S(e.Run({"GETSET", "lst", "x"})) == kWrongType);
  CHECK(Raw(e, "lst")->value.type == ObjType::kList);

  CHECK(S(e.Run({"GETDEL", "k"})) == Bulk("b"));
  CHECK(S(e.Run({"GETDEL", "k"})) == kNil);
  CHECK(Raw(e, "k") == nullptr);
  CHECK(S(e.Run({"GETDEL", "lst"})) == kWrongType);
  CHECK(Raw(e, "lst") != nullptr);
  // An expired key is not returned.
  e.Run({"SET", "x", "1", "PX", "10"});
  e.AdvanceMs(10);
  CHECK(S(e.Run({"GETDEL", "x"})) == kNil);
}

TEST_CASE("GETEX", "[string]") {
  int shards = GENERATE(2, 4);
  INFO("shards=" << shards);
  TestEngine e(shards);
  const int64_t t0 = e.now_ms();
  e.Run({"SET", "k", "v"});
  CHECK(S(e.Run({"GETEX", "k"})) == Bulk("v"));
  CHECK(ExpireAt(e, "k") == kNoExpire);
  CHECK(S(e.Run({"GETEX", "k", "EX", "10"})) == Bulk("v"));
  CHECK(ExpireAt(e, "k") == t0 + 10000);
  CHECK(S(e.Run({"GETEX", "k", "PX", "500"})) == Bulk("v"));
  CHECK(ExpireAt(e, "k") == t0 + 500);
  CHECK(S(e.Run({"GETEX", "k", "EXAT", std::to_string(t0 / 1000 + 100)})) == Bulk("v"));
  CHECK(ExpireAt(e, "k") == (t0 / 1000 + 100) * 1000);
  CHECK(S(e.Run({"GETEX", "k", "PXAT", std::to_string(t0 + 700)})) == Bulk("v"));
  CHECK(ExpireAt(e, "k") == t0 + 700);
  CHECK(S(e.Run({"GETEX", "k", "PERSIST"})) == Bulk("v"));
  CHECK(ExpireAt(e, "k") == kNoExpire);
  // Without options the TTL is untouched.
  e.Run({"GETEX", "k", "PX", "100"});
  CHECK(S(e.Run({"GETEX", "k"})) == Bulk("v"));
  CHECK(ExpireAt(e, "k") == t0 + 100);
  e.AdvanceMs(100);
  CHECK(S(e.Run({"GETEX", "k"})) == kNil);

  // An absolute time already past: the value is returned and the key deleted.
  e.Run({"SET", "p", "v"});
  CHECK(S(e.Run({"GETEX", "p", "PXAT", "1"})) == Bulk("v"));
  CHECK(Raw(e, "p") == nullptr);
  e.Run({"SET", "p", "v"});
  CHECK(S(e.Run({"GETEX", "p", "EXAT", std::to_string(e.now_ms() / 1000)})) == Bulk("v"));
  CHECK(Raw(e, "p") == nullptr);

  // Syntax: SET-only options, conflicts, missing arguments.
  e.Run({"SET", "k", "v"});
  CHECK(S(e.Run({"GETEX", "k", "NX"})) == kSyntax);
  CHECK(S(e.Run({"GETEX", "k", "GET"})) == kSyntax);
  CHECK(S(e.Run({"GETEX", "k", "KEEPTTL"})) == kSyntax);
  CHECK(S(e.Run({"GETEX", "k", "EX"})) == kSyntax);
  CHECK(S(e.Run({"GETEX", "k", "EX", "10", "PERSIST"})) == kSyntax);
  CHECK(S(e.Run({"GETEX", "k", "PERSIST", "PX", "10"})) == kSyntax);
  CHECK(S(e.Run({"GETEX", "k", "EX", "1", "PX", "1"})) == kSyntax);
  // Bad values: checked only when the key exists.
  CHECK(S(e.Run({"GETEX", "k", "EX", "-1"})) == Err("ERR invalid expire time in 'getex' command"));
  CHECK(S(e.Run({"GETEX", "k", "EX", "abc"})) == kNotInt);
  CHECK(S(e.Run({"GETEX", "missing", "EX", "-1"})) == kNil);
  CHECK(ExpireAt(e, "k") == kNoExpire);
  PutList(e, "lst");
  CHECK(S(e.Run({"GETEX", "lst", "PERSIST"})) == kWrongType);
  CHECK(S(e.Run({"GETEX"})) == Err("ERR wrong number of arguments for 'getex' command"));
}

TEST_CASE("INCR DECR INCRBY DECRBY", "[string]") {
  int shards = GENERATE(2, 4);
  INFO("shards=" << shards);
  TestEngine e(shards);
  CHECK(S(e.Run({"INCR", "n"})) == Int(1));
  CHECK(S(e.Run({"INCR", "n"})) == Int(2));
  CHECK(S(e.Run({"DECR", "n"})) == Int(1));
  CHECK(S(e.Run({"INCRBY", "n", "100"})) == Int(101));
  CHECK(S(e.Run({"DECRBY", "n", "-9"})) == Int(110));
  CHECK(S(e.Run({"DECRBY", "n", "120"})) == Int(-10));
  CHECK(S(e.Run({"GET", "n"})) == Bulk("-10"));
  CHECK(S(e.Run({"DECR", "fresh"})) == Int(-1));
  CHECK(S(e.Run({"INCRBY", "fresh2", "-7"})) == Int(-7));

  // Overflow in both directions leaves the value alone.
  e.Run({"SET", "max", "9223372036854775807"});
  CHECK(S(e.Run({"INCR", "max"})) == Err("ERR increment or decrement would overflow"));
  CHECK(S(e.Run({"GET", "max"})) == Bulk("9223372036854775807"));
  CHECK(S(e.Run({"DECRBY", "max", "1"})) == Int(9223372036854775806LL));
  e.Run({"SET", "min", "-9223372036854775808"});
  CHECK(S(e.Run({"DECR", "min"})) == Err("ERR increment or decrement would overflow"));
  CHECK(S(e.Run({"INCRBY", "min", "-1"})) == Err("ERR increment or decrement would overflow"));
  CHECK(S(e.Run({"INCRBY", "min", "9223372036854775807"})) == Int(-1));
  CHECK(S(e.Run({"DECRBY", "n", "-9223372036854775808"})) == Err("ERR decrement would overflow"));
  CHECK(S(e.Run({"DECRBY", "nokey", "-9223372036854775808"})) ==
        Err("ERR decrement would overflow"));

  // Values that are not canonical integers.
  for (const char* bad :
       {"abc", "", " 1", "1 ", "007", "+1", "-0", "1.0", "99999999999999999999"}) {
    INFO("value=" << bad);
    e.Run({"SET", "bad", bad});
    CHECK(S(e.Run({"INCR", "bad"})) == kNotInt);
    CHECK(S(e.Run({"GET", "bad"})) == Bulk(bad));
  }
  CHECK(S(e.Run({"INCRBY", "n", "1.5"})) == kNotInt);
  CHECK(S(e.Run({"INCRBY", "n", "x"})) == kNotInt);
  CHECK(S(e.Run({"DECRBY", "n", ""})) == kNotInt);
  PutList(e, "lst");
  CHECK(S(e.Run({"INCR", "lst"})) == kWrongType);
  CHECK(S(e.Run({"INCRBY", "lst", "x"})) == kNotInt);  // the increment is parsed first

  // The TTL is kept; the value is no longer "raw".
  e.Run({"SET", "t", "5", "EX", "10"});
  CHECK(S(e.Run({"INCR", "t"})) == Int(6));
  CHECK(ExpireAt(e, "t") == e.now_ms() + 10000);
  e.Run({"APPEND", "r", "1"});
  e.Run({"APPEND", "r", "2"});
  REQUIRE(Raw(e, "r")->value.raw);
  CHECK(S(e.Run({"INCR", "r"})) == Int(13));
  CHECK_FALSE(Raw(e, "r")->value.raw);
  // An expired counter starts again from 0.
  e.AdvanceMs(10000);
  CHECK(S(e.Run({"INCR", "t"})) == Int(1));
  CHECK(ExpireAt(e, "t") == kNoExpire);
}

TEST_CASE("INCRBYFLOAT", "[string]") {
  int shards = GENERATE(2, 4);
  INFO("shards=" << shards);
  TestEngine e(shards);
  CHECK(S(e.Run({"INCRBYFLOAT", "f", "10.50"})) == Bulk("10.5"));
  CHECK(S(e.Run({"INCRBYFLOAT", "f", "0.1"})) == Bulk("10.6"));
  CHECK(S(e.Run({"INCRBYFLOAT", "f", "-5"})) == Bulk("5.6"));
  // Redis shows the long double's error too (%.17Lf): 5005.60000000000000009.
  CHECK(S(e.Run({"INCRBYFLOAT", "f", "5.0e3"})) == Bulk("5005.60000000000000009"));
  CHECK(S(e.Run({"GET", "f"})) == Bulk("5005.60000000000000009"));
  e.Run({"SET", "i", "5"});
  CHECK(S(e.Run({"INCRBYFLOAT", "i", "0"})) == Bulk("5"));
  CHECK(S(e.Run({"INCRBYFLOAT", "i", "-5"})) == Bulk("0"));
  CHECK(S(e.Run({"INCRBYFLOAT", "i", "0x10"})) == Bulk("16"));

  // Errors leave the value alone.
  CHECK(S(e.Run({"INCRBYFLOAT", "f", "abc"})) == kNotFloat);
  CHECK(S(e.Run({"INCRBYFLOAT", "f", " 1"})) == kNotFloat);
  CHECK(S(e.Run({"INCRBYFLOAT", "f", ""})) == kNotFloat);
  CHECK(S(e.Run({"INCRBYFLOAT", "f", "nan"})) == kNotFloat);
  CHECK(S(e.Run({"INCRBYFLOAT", "f", "inf"})) ==
        Err("ERR increment would produce NaN or Infinity"));
  CHECK(S(e.Run({"INCRBYFLOAT", "f", "-inf"})) ==
        Err("ERR increment would produce NaN or Infinity"));
  CHECK(S(e.Run({"GET", "f"})) == Bulk("5005.60000000000000009"));
  e.Run({"SET", "s", "hello"});
  CHECK(S(e.Run({"INCRBYFLOAT", "s", "1"})) == kNotFloat);
  e.Run({"SET", "sp", " 1"});
  CHECK(S(e.Run({"INCRBYFLOAT", "sp", "1"})) == kNotFloat);
  e.Run({"SET", "empty", ""});
  CHECK(S(e.Run({"INCRBYFLOAT", "empty", "1"})) == kNotFloat);
  // An embedded NUL: strtold would stop there, Redis refuses the whole string.
  e.Run({"SET", "nul", std::string("1\0\0x", 4)});
  CHECK(S(e.Run({"INCRBYFLOAT", "nul", "1"})) == kNotFloat);
  CHECK(S(e.Run({"INCRBYFLOAT", "f", std::string("1\0", 2)})) == kNotFloat);
  CHECK(S(e.Run({"INCRBYFLOAT", "nokey", "x"})) == kNotFloat);
  CHECK(Raw(e, "nokey") == nullptr);
  PutList(e, "lst");
  CHECK(S(e.Run({"INCRBYFLOAT", "lst", "1"})) == kWrongType);

  // The TTL is kept.
  e.Run({"SET", "t", "1.5", "PX", "5000"});
  CHECK(S(e.Run({"INCRBYFLOAT", "t", "1"})) == Bulk("2.5"));
  CHECK(ExpireAt(e, "t") == e.now_ms() + 5000);
}

TEST_CASE("APPEND and STRLEN", "[string]") {
  int shards = GENERATE(2, 4);
  INFO("shards=" << shards);
  TestEngine e(shards);
  CHECK(S(e.Run({"STRLEN", "a"})) == Int(0));
  CHECK(S(e.Run({"APPEND", "a", "123"})) == Int(3));
  CHECK_FALSE(Raw(e, "a")->value.raw);  // a new key holds the argument as SET stores it
  CHECK(S(e.Run({"APPEND", "a", "45"})) == Int(5));
  CHECK(Raw(e, "a")->value.raw);
  CHECK(S(e.Run({"GET", "a"})) == Bulk("12345"));
  CHECK(S(e.Run({"APPEND", "a", ""})) == Int(5));
  CHECK(S(e.Run({"STRLEN", "a"})) == Int(5));
  CHECK(S(e.Run({"APPEND", "e", ""})) == Int(0));
  CHECK(Raw(e, "e") != nullptr);  // APPEND of nothing still creates the key
  // The TTL is kept.
  e.Run({"SET", "t", "x", "EX", "10"});
  CHECK(S(e.Run({"APPEND", "t", "y"})) == Int(2));
  CHECK(ExpireAt(e, "t") == e.now_ms() + 10000);
  PutList(e, "lst");
  CHECK(S(e.Run({"APPEND", "lst", "x"})) == kWrongType);
  CHECK(S(e.Run({"STRLEN", "lst"})) == kWrongType);

  // proto-max-bulk-len bounds the result.
  e.server().config.proto_max_bulk_len.store(10);
  e.Run({"SET", "b", "12345678"});
  CHECK(S(e.Run({"APPEND", "b", "abc"})) ==
        Err("ERR string exceeds maximum allowed size (proto-max-bulk-len)"));
  CHECK(S(e.Run({"GET", "b"})) == Bulk("12345678"));
  CHECK(S(e.Run({"APPEND", "b", "ab"})) == Int(10));
}

TEST_CASE("GETRANGE and SUBSTR", "[string]") {
  int shards = GENERATE(2, 4);
  INFO("shards=" << shards);
  TestEngine e(shards);
  e.Run({"SET", "k", "Hello World"});
  struct Case {
    const char* start;
    const char* end;
    const char* want;
  };
  const Case cases[] = {
      {"0", "4", "Hello"},
      {"0", "-1", "Hello World"},
      {"-5", "-1", "World"},
      {"-3", "-5", ""},
      {"5", "3", ""},
      {"0", "100", "Hello World"},
      {"-100", "2", "Hel"},
      {"-100", "-100", "H"},
      {"20", "30", ""},
      {"10", "10", "d"},
      {"-1", "-1", "d"},
      {"3", "-100", ""},
      {"-9223372036854775808", "9223372036854775807", "Hello World"},
  };
  for (const auto& c : cases) {
    INFO(c.start << " " << c.end);
    RespValue r = e.Run({"GETRANGE", "k", c.start, c.end});
    CHECK(r.type == RespValue::kBulk);
    CHECK(r.str == c.want);
    CHECK(S(e.Run({"SUBSTR", "k", c.start, c.end})) == S(r));
  }
  // A missing key is an empty string, not nil; an empty value too.
  RespValue r = e.Run({"GETRANGE", "nokey", "0", "-1"});
  CHECK(r.type == RespValue::kBulk);
  CHECK(r.str.empty());
  e.Run({"SET", "empty", ""});
  r = e.Run({"GETRANGE", "empty", "0", "-1"});
  CHECK(r.type == RespValue::kBulk);
  CHECK(r.str.empty());
  // Range arguments are checked first, even for a missing key.
  CHECK(S(e.Run({"GETRANGE", "nokey", "a", "1"})) == kNotInt);
  CHECK(S(e.Run({"GETRANGE", "k", "0", "1.5"})) == kNotInt);
  PutList(e, "lst");
  CHECK(S(e.Run({"GETRANGE", "lst", "0", "1"})) == kWrongType);
  CHECK(S(e.Run({"GETRANGE", "k", "0"})) ==
        Err("ERR wrong number of arguments for 'getrange' command"));
}

TEST_CASE("SETRANGE", "[string]") {
  int shards = GENERATE(2, 4);
  INFO("shards=" << shards);
  TestEngine e(shards);
  e.Run({"SET", "k", "Hello World"});
  CHECK(S(e.Run({"SETRANGE", "k", "6", "Redis"})) == Int(11));
  CHECK(S(e.Run({"GET", "k"})) == Bulk("Hello Redis"));
  CHECK(Raw(e, "k")->value.raw);
  CHECK(S(e.Run({"SETRANGE", "k", "11", "!"})) == Int(12));
  CHECK(S(e.Run({"GET", "k"})) == Bulk("Hello Redis!"));
  // Past the end: zero padding; on a new key too.
  CHECK(S(e.Run({"SETRANGE", "z", "3", "ab"})) == Int(5));
  RespValue r = e.Run({"GET", "z"});
  CHECK(r.str == std::string("\0\0\0ab", 5));
  CHECK(Raw(e, "z")->value.raw);
  // An empty value writes nothing: the length, and no key created.
  CHECK(S(e.Run({"SETRANGE", "k", "100", ""})) == Int(12));
  CHECK(S(e.Run({"SETRANGE", "none", "5", ""})) == Int(0));
  CHECK(Raw(e, "none") == nullptr);
  CHECK(S(e.Run({"SETRANGE", "none", "536870912", ""})) == Int(0));
  // Limits.
  const std::string too_big = Err("ERR string exceeds maximum allowed size (proto-max-bulk-len)");
  CHECK(S(e.Run({"SETRANGE", "k", "-1", "x"})) == Err("ERR offset is out of range"));
  CHECK(S(e.Run({"SETRANGE", "k", "x", "x"})) == kNotInt);
  CHECK(S(e.Run({"SETRANGE", "k", "536870912", "x"})) == too_big);
  CHECK(S(e.Run({"SETRANGE", "big", "536870912", "x"})) == too_big);
  CHECK(Raw(e, "big") == nullptr);
  CHECK(S(e.Run({"SETRANGE", "big", "9223372036854775807", "xy"})) == too_big);
  CHECK(Raw(e, "big") == nullptr);
  e.server().config.proto_max_bulk_len.store(16);
  CHECK(S(e.Run({"SETRANGE", "k", "15", "x"})) == Int(16));
  CHECK(S(e.Run({"SETRANGE", "k", "15", "xy"})) == too_big);
  PutList(e, "lst");
  CHECK(S(e.Run({"SETRANGE", "lst", "0", "x"})) == kWrongType);
  CHECK(S(e.Run({"SETRANGE", "lst", "0", ""})) == kWrongType);
  // The TTL is kept.
  e.Run({"SET", "t", "abc", "EX", "10"});
  CHECK(S(e.Run({"SETRANGE", "t", "1", "X"})) == Int(3));
  CHECK(ExpireAt(e, "t") == e.now_ms() + 10000);
}

TEST_CASE("MGET on one shard and across shards", "[string]") {
  int shards = GENERATE(2, 4);
  INFO("shards=" << shards);
  TestEngine e(shards);
  // Co-located keys (hash tag): the single-shard path.
  e.Run({"SET", "{t}a", "1"});
  e.Run({"SET", "{t}b", "2"});
  CHECK(S(e.Run({"MGET", "{t}a", "{t}nope", "{t}b", "{t}a"})) ==
        "[" + Bulk("1") + ", (nil), " + Bulk("2") + ", " + Bulk("1") + "]");
  // One key per shard, in an order that is not the shards' order.
  std::vector<std::string> keys;
  for (int s = shards - 1; s >= 0; --s) keys.push_back(e.KeyOnShard(s, "mg"));
  for (size_t i = 0; i < keys.size(); ++i) e.Run({"SET", keys[i], "v" + std::to_string(i)});
  std::vector<std::string> cmd = {"MGET"};
  std::string want = "[";
  for (size_t i = 0; i < keys.size(); ++i) {
    cmd.push_back(keys[i]);
    cmd.push_back(e.KeyOnShard(static_cast<int>(i) % shards, "missing"));
    want += Bulk("v" + std::to_string(i)) + ", (nil), ";
  }
  cmd.push_back(keys[0]);
  want += Bulk("v0") + "]";
  CHECK(S(e.Run(cmd)) == want);
  // Other types and expired keys are nil, wherever they live.
  std::string lst = e.KeyOnShard(1, "lst");
  PutList(e, lst);
  e.Run({"SET", keys[0], "x", "PX", "5"});
  e.AdvanceMs(5);
  RespValue r = e.Run({"MGET", keys[0], lst, keys[1]});
  REQUIRE(r.type == RespValue::kArray);
  REQUIRE(r.elems.size() == 3);
  CHECK(r.elems[0].type == RespValue::kNull);
  CHECK(r.elems[1].type == RespValue::kNull);
  CHECK(r.elems[2].str == "v1");
  CHECK(S(e.Run({"MGET"})) == Err("ERR wrong number of arguments for 'mget' command"));
}

TEST_CASE("MSET on one shard and across shards", "[string]") {
  int shards = GENERATE(2, 4);
  INFO("shards=" << shards);
  TestEngine e(shards);
  CHECK(S(e.Run({"MSET", "{t}a", "1", "{t}b", "2"})) == "OK");
  CHECK(S(e.Run({"MGET", "{t}a", "{t}b"})) == "[" + Bulk("1") + ", " + Bulk("2") + "]");
  std::vector<std::string> keys;
  for (int s = 0; s < shards; ++s) keys.push_back(e.KeyOnShard(s, "ms"));
  // A TTL on one of them is dropped by MSET.
  e.Run({"SET", keys[1], "old", "EX", "100"});
  std::vector<std::string> cmd = {"MSET"};
  for (size_t i = 0; i < keys.size(); ++i) {
    cmd.push_back(keys[i]);
    cmd.push_back("v" + std::to_string(i));
  }
  // A repeated key takes its last value.
  cmd.push_back(keys[0]);
  cmd.push_back("last");
  CHECK(S(e.Run(cmd)) == "OK");
  CHECK(S(e.Run({"GET", keys[0]})) == Bulk("last"));
  for (size_t i = 1; i < keys.size(); ++i)
    CHECK(S(e.Run({"GET", keys[i]})) == Bulk("v" + std::to_string(i)));
  CHECK(ExpireAt(e, keys[1]) == kNoExpire);
  // An odd number of arguments is an arity error, on one shard or several.
  const std::string arity = Err("ERR wrong number of arguments for 'mset' command");
  CHECK(S(e.Run({"MSET", "{t}a", "1", "{t}b"})) == arity);
  CHECK(S(e.Run({"MSET", keys[0], "1", keys[1]})) == arity);
  CHECK(S(e.Run({"MSET", keys[0]})) == arity);
  CHECK(S(e.Run({"GET", "{t}a"})) == Bulk("1"));
  CHECK(S(e.Run({"GET", keys[0]})) == Bulk("last"));
}

TEST_CASE("MSETNX is all or nothing across shards", "[string]") {
  int shards = GENERATE(2, 4);
  INFO("shards=" << shards);
  TestEngine e(shards);
  CHECK(S(e.Run({"MSETNX", "{t}a", "1", "{t}b", "2"})) == Int(1));
  CHECK(S(e.Run({"MSETNX", "{t}b", "x", "{t}c", "3"})) == Int(0));
  CHECK(S(e.Run({"GET", "{t}c"})) == kNil);
  CHECK(S(e.Run({"GET", "{t}b"})) == Bulk("2"));

  std::vector<std::string> keys;
  for (int s = 0; s < shards; ++s) keys.push_back(e.KeyOnShard(s, "nx"));
  std::vector<std::string> cmd = {"MSETNX"};
  for (size_t i = 0; i < keys.size(); ++i) {
    cmd.push_back(keys[i]);
    cmd.push_back("v" + std::to_string(i));
  }
  // One existing key on the last shard blocks every write on the others.
  e.Run({"SET", keys.back(), "there"});
  CHECK(S(e.Run(cmd)) == Int(0));
  for (size_t i = 0; i + 1 < keys.size(); ++i) CHECK(S(e.Run({"GET", keys[i]})) == kNil);
  CHECK(S(e.Run({"GET", keys.back()})) == Bulk("there"));
  // Once it is gone (expired), all are written.
  e.Run({"SET", keys.back(), "there", "PX", "1"});
  e.AdvanceMs(1);
  CHECK(S(e.Run(cmd)) == Int(1));
  for (size_t i = 0; i < keys.size(); ++i)
    CHECK(S(e.Run({"GET", keys[i]})) == Bulk("v" + std::to_string(i)));
  CHECK(S(e.Run(cmd)) == Int(0));
  // Another type counts as existing.
  std::string lst = e.KeyOnShard(shards - 1, "lst");
  PutList(e, lst);
  std::string fresh = e.KeyOnShard(0, "fresh");
  CHECK(S(e.Run({"MSETNX", fresh, "1", lst, "2"})) == Int(0));
  CHECK(S(e.Run({"GET", fresh})) == kNil);
  // A repeated new key: set, with its last value.
  CHECK(S(e.Run({"MSETNX", fresh, "1", e.KeyOnShard(1, "other"), "2", fresh, "3"})) == Int(1));
  CHECK(S(e.Run({"GET", fresh})) == Bulk("3"));
  CHECK(S(e.Run({"MSETNX", keys[0], "1", keys[1]})) ==
        Err("ERR wrong number of arguments for 'msetnx' command"));
}

TEST_CASE("MSETNX across shards holds off writes to its shards until it is done", "[string]") {
  TestEngine e(2);
  std::string a = e.KeyOnShard(0, "iso"), b = e.KeyOnShard(1, "iso");
  int other = e.NewClient(1);
  Send(e, 0, {"MSETNX", a, "1", b, "2"});
  // Let the operation make progress until it holds shard 1, then write one of its keys there.
  for (int i = 0; i < 10 && e.shard(1).lock_tx() == 0; ++i) Step(e);
  REQUIRE(e.shard(1).lock_tx() != 0);
  Send(e, other, {"SET", b, "other"});
  Send(e, other, {"GET", a});
  CHECK(Replies(e, other).empty());  // waiting behind the lock
  e.Pump();
  // MSETNX saw b absent and set both; the SET came after it, as if run in that order.
  CHECK(Replies(e, 0) == std::vector<std::string>{Int(1)});
  CHECK(Replies(e, other) == std::vector<std::string>{"OK", Bulk("1")});
  CHECK(S(e.Run({"GET", b})) == Bulk("other"));
  CHECK(e.shard(0).lock_tx() == 0);
  CHECK(e.shard(1).lock_tx() == 0);
}

TEST_CASE("LCS", "[string]") {
  int shards = GENERATE(2, 4);
  INFO("shards=" << shards);
  TestEngine e(shards);
  // Once with both keys on one shard, once with them on two.
  std::string same_a = "{l}1", same_b = "{l}2";
  std::string far_a = e.KeyOnShard(0, "la"), far_b = e.KeyOnShard(1, "lb");
  for (auto [a, b] : {std::pair{same_a, same_b}, std::pair{far_a, far_b}}) {
    INFO(a << " " << b);
    e.Run({"SET", a, "ohmytext"});
    e.Run({"SET", b, "mynewtext"});
    CHECK(S(e.Run({"LCS", a, b})) == Bulk("mytext"));
    CHECK(S(e.Run({"LCS", a, b, "LEN"})) == Int(6));
    CHECK(Compact(e.Run({"LCS", a, b, "IDX"})) ==
          "[\"matches\", [[[4, 7], [5, 8]], [[2, 3], [0, 1]]], \"len\", 6]");
    CHECK(Compact(e.Run({"LCS", a, b, "idx", "minmatchlen", "4", "withmatchlen"})) ==
          "[\"matches\", [[[4, 7], [5, 8], 4]], \"len\", 6]");
    CHECK(Compact(e.Run({"LCS", a, b, "IDX", "MINMATCHLEN", "-5", "WITHMATCHLEN"})) ==
          "[\"matches\", [[[4, 7], [5, 8], 4], [[2, 3], [0, 1], 2]], "
          "\"len\", 6]");
    CHECK(S(e.Run({"LCS", a, b, "LEN", "IDX"})) ==
          Err("ERR If you want both the length and indexes, please just use IDX."));
    CHECK(S(e.Run({"LCS", a, b, "MINMATCHLEN"})) == kSyntax);
    CHECK(S(e.Run({"LCS", a, b, "MINMATCHLEN", "x"})) == kNotInt);
    CHECK(S(e.Run({"LCS", a, b, "bogus"})) == kSyntax);

    e.Run({"SET", a, "ABCBDAB"});
    e.Run({"SET", b, "BDCABA"});
    CHECK(S(e.Run({"LCS", a, b})) == Bulk("BDAB"));
    CHECK(Compact(e.Run({"LCS", a, b, "IDX", "WITHMATCHLEN"})) ==
          "[\"matches\", [[[5, 6], [3, 4], 2], [[3, 4], [0, 1], 2]], "
          "\"len\", 4]");
    // A missing key is an empty string.
    e.Run({"GETDEL", a});
    std::string gone = a + "gone";
    CHECK(S(e.Run({"LCS", gone, b})) == Bulk(""));
    CHECK(Compact(e.Run({"LCS", b, gone, "IDX"})) == "[\"matches\", [], \"len\", 0]");
  }
  // Another type: the error comes before option checks.
  std::string lst = e.KeyOnShard(1, "lst");
  PutList(e, lst);
  const std::string not_strings = Err("ERR The specified keys must contain string values");
  CHECK(S(e.Run({"LCS", far_a, lst})) == not_strings);
  CHECK(S(e.Run({"LCS", lst, far_a, "bogus"})) == not_strings);
  CHECK(S(e.Run({"LCS", "{l}1", "{l}x", "bogus"})) == kSyntax);
  // RESP3: IDX answers a map.
  e.client(0).proto = 3;
  e.Run({"SET", "{r}a", "ohmytext"});
  e.Run({"SET", "{r}b", "mynewtext"});
  CHECK(Compact(e.Run({"LCS", "{r}a", "{r}b", "IDX"})) ==
        "{\"matches\": [[[4, 7], [5, 8]], [[2, 3], [0, 1]]], \"len\": 6}");
  e.client(0).proto = 2;
  // The DP table is bounded by proto-max-bulk-len.
  e.server().config.proto_max_bulk_len.store(1000);
  e.Run({"SET", "{m}a", std::string(20, 'a')});
  e.Run({"SET", "{m}b", std::string(20, 'a')});
  CHECK(S(e.Run({"LCS", "{m}a", "{m}b", "LEN"})) ==
        Err("ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len"));
  e.Run({"SET", "{m}b", std::string(10, 'a')});
  CHECK(S(e.Run({"LCS", "{m}a", "{m}b", "LEN"})) == Int(10));  // 21*11*4 = 924 bytes
}

TEST_CASE("Replies keep request order in a pipeline that mixes shards", "[string]") {
  int shards = GENERATE(2, 4);
  INFO("shards=" << shards);
  TestEngine e(shards);
  std::vector<std::string> k;
  for (int s = 0; s < shards; ++s) k.push_back(e.KeyOnShard(s, "p"));
  std::string last = k.back();
  std::vector<std::vector<std::string>> cmds = {
      {"SET", last, "1"},     {"SET", k[0], "a"},
      {"INCR", last},         {"MGET", k[0], last, "nokey"},
      {"GET", last},          {"MSET", k[0], "b", last, "c"},
      {"GET", k[0]},          {"MSETNX", k[0], "x", last, "y"},
      {"APPEND", last, "d"},  {"LCS", k[0], last},
      {"GET", "{zz}" + last}, {"GET"},
      {"STRLEN", last},
  };
  // From a client on shard 0 and from one on the last shard.
  for (int client : {0, e.NewClient(shards - 1)}) {
    INFO("client=" << client);
    e.Run({"GETDEL", k[0]});
    std::vector<RespValue> r = e.Pipeline(cmds, client);
    REQUIRE(r.size() == cmds.size());
    CHECK(S(r[0]) == "OK");
    CHECK(S(r[1]) == "OK");
    CHECK(S(r[2]) == Int(2));
    CHECK(S(r[3]) == "[" + Bulk("a") + ", " + Bulk("2") + ", (nil)]");
    CHECK(S(r[4]) == Bulk("2"));
    CHECK(S(r[5]) == "OK");
    CHECK(S(r[6]) == Bulk("b"));
    CHECK(S(r[7]) == Int(0));
    CHECK(S(r[8]) == Int(2));
    CHECK(S(r[9]) == Bulk(""));
    CHECK(S(r[10]) == kNil);
    CHECK(S(r[11]) == Err("ERR wrong number of arguments for 'get' command"));
    CHECK(S(r[12]) == Int(2));
  }
}

TEST_CASE("String commands honour SELECT'd databases across shards", "[string]") {
  TestEngine e(2);
  std::string a = e.KeyOnShard(0, "db"), b = e.KeyOnShard(1, "db");
  e.client(0).db = 3;
  CHECK(S(e.Run({"MSET", a, "1", b, "2"})) == "OK");
  CHECK(S(e.Run({"MGET", a, b})) == "[" + Bulk("1") + ", " + Bulk("2") + "]");
  CHECK(S(e.Run({"GET", b})) == Bulk("2"));
  CHECK(e.shard(1).db(3).FindRaw(b) != nullptr);
  e.client(0).db = 0;
  CHECK(S(e.Run({"MGET", a, b})) == "[(nil), (nil)]");
  CHECK(S(e.Run({"MSETNX", a, "x", b, "y"})) == Int(1));
  CHECK(e.shard(1).db(3).FindRaw(b)->value.str == "2");
}

}  // namespace kevy::test

namespace kevy::test {
namespace {

TEST_CASE("MSET across shards is atomic for other clients", "[string]") {
  TestEngine e(4);
  std::string k0 = e.KeyOnShard(0, "m"), k3 = e.KeyOnShard(3, "m");
  int a = e.NewClient(1), b = e.NewClient(2);
  for (int round = 0; round < 20; ++round) {
    // Two MSETs of the same keys in opposite order from clients on other shards, dispatched
    // before any batch moves: whichever wins, both keys must hold the same client's values.
    Send(e, a, {"MSET", k0, "a" + std::to_string(round), k3, "a" + std::to_string(round)});
    Send(e, b, {"MSET", k3, "b" + std::to_string(round), k0, "b" + std::to_string(round)});
    // Deliver in the order that would interleave unlocked writes: b's part to shard 3 first,
    // then a's parts, then b's part to shard 0 (alternating which client goes first).
    auto deliver = [&](int from, int to) {
      TaskList l = e.shard(from).TakeOutbox(static_cast<uint16_t>(to));
      if (!l.empty()) e.shard(to).Receive(l.head);
    };
    int first = round % 2 ? 1 : 2, second = round % 2 ? 2 : 1;
    deliver(first, 3);
    deliver(second, 0);
    deliver(second, 3);
    deliver(first, 0);
    e.Pump();
    CHECK(Replies(e, a) == std::vector<std::string>{"OK"});
    CHECK(Replies(e, b) == std::vector<std::string>{"OK"});
    RespValue v0 = e.Run({"GET", k0}), v3 = e.Run({"GET", k3});
    INFO("round " << round);
    CHECK(v0.str == v3.str);
  }
  // A client's own next command sees its MSET (MSET is a barrier).
  auto r = e.Pipeline({{"MSET", k0, "x", k3, "y"}, {"GET", k3}, {"GET", k0}});
  CHECK(r[1].str == "y");
  CHECK(r[2].str == "x");
}

}  // namespace
}  // namespace kevy::test
