// Tests of the keyspace and expiry commands (engine/commands/key_family.cc) on the in-process
// engine with 2 and 4 shards: replies and error texts as Redis 7 gives them, multi-shard
// commands with their keys on one shard and spread over several, SCAN's cursor, expiry on
// the injectable clock.
#include <catch2/catch.hpp>
#include <climits>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "engine/client.h"
#include "engine/shard.h"
#include "tests/support/test_engine.h"

namespace kevy::test {
namespace {

std::string Err(const std::string& msg) { return "(error) " + msg; }

// Creates key=value in `db`. Uses SET when the string family provides it, else inserts on
// the owning shard directly (the same state SET would leave).
void Put(TestEngine& e, const std::string& key, const std::string& value, int db = 0) {
  if (e.server().commands.Find("set")) {
    int saved = e.client(0).db;
    e.client(0).db = db;
    RespValue r = e.Run({"SET", key, value});
    e.client(0).db = saved;
    REQUIRE(S(r) == "OK");
    return;
  }
  Shard& s = e.shard(e.server().slots.ShardOf(key));
  Db& d = s.db(db);
  if (Entry* old = d.FindRaw(key)) d.Erase(old);
  Entry* en = d.Insert(key, Value(value));
  en->access_s = static_cast<uint32_t>(e.now_ms() / 1000);
}

// Every key's string in `db` (bypassing commands), for checking state after a command.
std::string Peek(TestEngine& e, const std::string& key, int db = 0) {
  Shard& s = e.shard(e.server().slots.ShardOf(key));
  Entry* en = s.db(db).Find(key, e.now_ms(), false);
  return en ? en->value.str : "<none>";
}

std::set<std::string> Elems(const RespValue& v) {
  std::set<std::string> out;
  for (const auto& x : v.elems) out.insert(x.str);
  return out;
}

// Runs a full SCAN iteration and returns every key returned with its multiplicity.
std::map<std::string, int> ScanAll(TestEngine& e, std::vector<std::string> extra,
                                   int* calls = nullptr) {
  std::map<std::string, int> seen;
  std::string cursor = "0";
  int n = 0;
  do {
    std::vector<std::string> cmd = {"SCAN", cursor};
    cmd.insert(cmd.end(), extra.begin(), extra.end());
    RespValue r = e.Run(cmd);
    REQUIRE(r.type == RespValue::kArray);
    REQUIRE(r.elems.size() == 2);
    REQUIRE(r.elems[0].type == RespValue::kBulk);
    REQUIRE(r.elems[1].type == RespValue::kArray);
    cursor = r.elems[0].str;
    for (const auto& k : r.elems[1].elems) ++seen[k.str];
    ++n;
    REQUIRE(n < 100000);
  } while (cursor != "0");
  if (calls) *calls = n;
  return seen;
}

}  // namespace

TEST_CASE("key commands are registered as Redis describes them", "[keys]") {
  TestEngine e(2);
  struct Row {
    const char* name;
    int arity;
    int first, last, step;
    const char* group;
  };
  const Row rows[] = {
      {"del", -2, 1, -1, 1, "generic"},       {"unlink", -2, 1, -1, 1, "generic"},
      {"exists", -2, 1, -1, 1, "generic"},    {"touch", -2, 1, -1, 1, "generic"},
      {"type", 2, 1, 1, 1, "generic"},        {"keys", 2, 0, 0, 0, "generic"},
      {"scan", -2, 0, 0, 0, "generic"},       {"randomkey", 1, 0, 0, 0, "generic"},
      {"dbsize", 1, 0, 0, 0, "server"},       {"flushdb", -1, 0, 0, 0, "server"},
      {"flushall", -1, 0, 0, 0, "server"},    {"swapdb", 3, 0, 0, 0, "server"},
      {"rename", 3, 1, 2, 1, "generic"},      {"renamenx", 3, 1, 2, 1, "generic"},
      {"copy", -3, 1, 2, 1, "generic"},       {"move", 3, 1, 1, 1, "generic"},
      {"object", -2, 0, 0, 0, "generic"},     {"expire", -3, 1, 1, 1, "generic"},
      {"pexpire", -3, 1, 1, 1, "generic"},    {"expireat", -3, 1, 1, 1, "generic"},
      {"pexpireat", -3, 1, 1, 1, "generic"},  {"ttl", 2, 1, 1, 1, "generic"},
      {"pttl", 2, 1, 1, 1, "generic"},        {"expiretime", 2, 1, 1, 1, "generic"},
      {"pexpiretime", 2, 1, 1, 1, "generic"}, {"persist", 2, 1, 1, 1, "generic"},
  };
  for (const auto& row : rows) {
    INFO(row.name);
    const CommandSpec* spec = e.server().commands.Find(row.name);
    REQUIRE(spec);
    CHECK(spec->arity == row.arity);
    CHECK(spec->first_key == row.first);
    CHECK(spec->last_key == row.last);
    CHECK(spec->key_step == row.step);
    CHECK(spec->group == row.group);
    CHECK(!spec->summary.empty());
    CHECK(!spec->since.empty());
    // Keyed commands run on the owning shard; keyless ones only on the origin.
    if (row.first > 0)
      CHECK(spec->on_shard);
    else if (std::string(row.name) != "object")
      CHECK((spec->on_origin && !spec->on_shard));
  }
  const CommandSpec* object = e.server().commands.Find("OBJECT");
  REQUIRE(object->subcommands.size() == 5);
  CHECK(e.server().commands.FindSub(*object, "encoding")->first_key == 2);
  CHECK((e.server().commands.Find("unlink")->flags & kCmdFast));
  CHECK_FALSE((e.server().commands.Find("del")->flags & kCmdFast));
  CHECK((e.server().commands.Find("copy")->flags & kCmdDenyOom));
}

TEST_CASE("DEL UNLINK EXISTS TOUCH count keys on one shard and across shards", "[keys]") {
  int shards = GENERATE(2, 4);
  TestEngine e(shards);
  INFO("shards=" << shards);
  // Co-located by hash tag, and one key per shard.
  std::vector<std::string> spread;
  for (int i = 0; i < shards; ++i) spread.push_back(e.KeyOnShard(i, "sp" + std::to_string(i)));
  for (const auto& k : spread) Put(e, k, "v");
  Put(e, "{t}a", "1");
  Put(e, "{t}b", "2");

  // EXISTS counts duplicates; missing keys count 0.
  CHECK(S(e.Run({"EXISTS", "{t}a", "{t}b", "{t}a", "{t}zz"})) == Int(3));
  std::vector<std::string> ex = {"EXISTS"};
  ex.insert(ex.end(), spread.begin(), spread.end());
  ex.push_back(spread[0]);
  ex.push_back("nope");
  CHECK(S(e.Run(ex)) == Int(shards + 1));
  CHECK(S(e.Run({"EXISTS", "nope"})) == Int(0));

  std::vector<std::string> touch = {"TOUCH"};
  touch.insert(touch.end(), spread.begin(), spread.end());
  touch.push_back("nope");
  CHECK(S(e.Run(touch)) == Int(shards));

  // DEL across shards deletes each once, even when named twice.
  std::vector<std::string> del = {"DEL", spread[0], spread[0]};
  for (size_t i = 1; i < spread.size(); ++i) del.push_back(spread[i]);
  del.push_back("missing");
  CHECK(S(e.Run(del)) == Int(shards));
  for (const auto& k : spread) CHECK(Peek(e, k) == "<none>");
  CHECK(S(e.Run(ex)) == Int(0));

  CHECK(S(e.Run({"UNLINK", "{t}a", "{t}b", "{t}c"})) == Int(2));
  CHECK(S(e.Run({"DEL", "{t}a"})) == Int(0));

  // UNLINK across shards, from a client on the last shard.
  int c = e.NewClient(shards - 1);
  for (const auto& k : spread) Put(e, k, "v");
  std::vector<std::string> unlink = {"UNLINK"};
  unlink.insert(unlink.end(), spread.begin(), spread.end());
  CHECK(S(e.Run(unlink, c)) == Int(shards));
  CHECK(S(e.Run({"DBSIZE"})) == Int(0));

  CHECK(S(e.Run({"DEL"})) == Err("ERR wrong number of arguments for 'del' command"));
  CHECK(S(e.Run({"exists"})) == Err("ERR wrong number of arguments for 'exists' command"));
}

TEST_CASE("multi-shard replies keep pipeline order", "[keys]") {
  TestEngine e(4);
  std::string a = e.KeyOnShard(1, "a"), b = e.KeyOnShard(2, "b"), c = e.KeyOnShard(3, "c");
  Put(e, a, "1");
  Put(e, b, "2");
  Put(e, c, "3");
  auto replies = e.Pipeline({{"EXISTS", a, b, c},
                             {"DEL", a, b},
                             {"EXISTS", c},
                             {"DBSIZE"},
                             {"TYPE", c},
                             {"EXISTS", a, b, c}});
  REQUIRE(replies.size() == 6);
  CHECK(S(replies[0]) == Int(3));
  CHECK(S(replies[1]) == Int(2));
  CHECK(S(replies[2]) == Int(1));
  CHECK(S(replies[3]) == Int(1));
  CHECK(S(replies[4]) == "string");
  CHECK(S(replies[5]) == Int(1));
}

TEST_CASE("TYPE", "[keys]") {
  TestEngine e(2);
  Put(e, "k", "v");
  CHECK(S(e.Run({"TYPE", "k"})) == "string");
  CHECK(e.Run({"TYPE", "k"}).type == RespValue::kSimple);
  CHECK(S(e.Run({"TYPE", "nokey"})) == "none");
  CHECK(S(e.Run({"TYPE"})) == Err("ERR wrong number of arguments for 'type' command"));
  CHECK(S(e.Run({"TYPE", "a", "b"})) == Err("ERR wrong number of arguments for 'type' command"));
}

TEST_CASE("KEYS matches across every shard of the client's db", "[keys]") {
  int shards = GENERATE(2, 4);
  TestEngine e(shards);
  std::set<std::string> users, all;
  for (int i = 0; i < 40; ++i) {
    std::string k = "user:" + std::to_string(i);
    Put(e, k, "x");
    users.insert(k);
    all.insert(k);
  }
  for (int i = 0; i < 10; ++i) {
    std::string k = "other" + std::to_string(i);
    Put(e, k, "y");
    all.insert(k);
  }
  Put(e, "user:indb1", "z", 1);
  // The keys are really spread over every shard.
  for (int s = 0; s < shards; ++s) CHECK(e.shard(s).db(0).size() > 0);

  RespValue r = e.Run({"KEYS", "user:*"});
  REQUIRE(r.type == RespValue::kArray);
  CHECK(r.elems.size() == 40);
  CHECK(Elems(r) == users);
  CHECK(Elems(e.Run({"KEYS", "*"})) == all);
  CHECK(Elems(e.Run({"KEYS", "other[0-2]"})) ==
        std::set<std::string>{"other0", "other1", "other2"});
  CHECK(S(e.Run({"KEYS", "nomatch*"})) == "[]");

  // An expired key is not listed even before anything deleted it.
  REQUIRE(S(e.Run({"PEXPIRE", "user:3", "100"})) == Int(1));
  e.AdvanceMs(100);
  CHECK(e.Run({"KEYS", "user:*"}).elems.size() == 39);

  e.client(0).db = 1;
  CHECK(S(e.Run({"KEYS", "*"})) == "[\"user:indb1\"]");
  CHECK(S(e.Run({"KEYS"})) == Err("ERR wrong number of arguments for 'keys' command"));
}

TEST_CASE("SCAN visits every key exactly once across shards", "[keys]") {
  int shards = GENERATE(2, 4);
  TestEngine e(shards);
  INFO("shards=" << shards);
  for (int i = 0; i < 1000; ++i) Put(e, "key:" + std::to_string(i), "v");
  int calls = 0;
  auto seen = ScanAll(e, {"COUNT", "10"}, &calls);
  CHECK(seen.size() == 1000);
  for (const auto& [k, n] : seen) {
    INFO(k);
    CHECK(n == 1);
  }
  // COUNT bounds each step, so the iteration needs many calls (each covers one shard).
  CHECK(calls >= 1000 / 10 / 2);

  // Default COUNT, and a huge COUNT that takes each shard in one call.
  CHECK(ScanAll(e, {}).size() == 1000);
  int big_calls = 0;
  CHECK(ScanAll(e, {"COUNT", "100000"}, &big_calls).size() == 1000);
  CHECK(big_calls == shards);
}

TEST_CASE("SCAN MATCH, TYPE, expired keys and the other db", "[keys]") {
  int shards = GENERATE(2, 4);
  TestEngine e(shards);
  for (int i = 0; i < 200; ++i) Put(e, (i % 2 ? "odd:" : "even:") + std::to_string(i), "v");
  Put(e, "elsewhere", "v", 3);

  auto even = ScanAll(e, {"MATCH", "even:*", "COUNT", "7"});
  CHECK(even.size() == 100);
  for (const auto& [k, n] : even) {
    CHECK(k.rfind("even:", 0) == 0);
    CHECK(n == 1);
  }
  CHECK(ScanAll(e, {"MATCH", "*"}).size() == 200);
  CHECK(ScanAll(e, {"match", "odd:1?", "count", "3"}).size() == 5);  // odd:11 .. odd:19
  CHECK(ScanAll(e, {"TYPE", "string"}).size() == 200);
  CHECK(ScanAll(e, {"TYPE", "STRING"}).size() == 200);  // Redis compares case-insensitively
  CHECK(ScanAll(e, {"TYPE", "list"}).empty());
  CHECK(ScanAll(e, {"TYPE", "nosuchtype"}).empty());

  // Expired keys are not returned.
  for (int i = 0; i < 10; ++i)
    REQUIRE(S(e.Run({"PEXPIRE", "even:" + std::to_string(i * 2), "10"})) == Int(1));
  e.AdvanceMs(10);
  CHECK(ScanAll(e, {"MATCH", "even:*"}).size() == 90);

  e.client(0).db = 3;
  auto other = ScanAll(e, {});
  CHECK(other.size() == 1);
  CHECK(other.count("elsewhere") == 1);
}

TEST_CASE("SCAN errors and cursors it never gave out", "[keys]") {
  TestEngine e(2);
  Put(e, "k", "v");
  CHECK(S(e.Run({"SCAN", "x"})) == Err("ERR invalid cursor"));
  CHECK(S(e.Run({"SCAN", " 5"})) == Err("ERR invalid cursor"));
  CHECK(S(e.Run({"SCAN", "5x"})) == Err("ERR invalid cursor"));
  CHECK(S(e.Run({"SCAN", "18446744073709551616"})) == Err("ERR invalid cursor"));
  CHECK(S(e.Run({"SCAN", "0", "COUNT", "0"})) == Err("ERR syntax error"));
  CHECK(S(e.Run({"SCAN", "0", "COUNT", "-1"})) == Err("ERR syntax error"));
  CHECK(S(e.Run({"SCAN", "0", "COUNT", "x"})) ==
        Err("ERR value is not an integer or out of range"));
  CHECK(S(e.Run({"SCAN", "0", "MATCH"})) == Err("ERR syntax error"));
  CHECK(S(e.Run({"SCAN", "0", "FOO", "bar"})) == Err("ERR syntax error"));
  CHECK(S(e.Run({"SCAN"})) == Err("ERR wrong number of arguments for 'scan' command"));
  // strtoul accepts these, as Redis does; a cursor past the table simply finishes.
  RespValue r = e.Run({"SCAN", "18446744073709551615"});
  REQUIRE(r.type == RespValue::kArray);
  CHECK(r.elems.size() == 2);
  CHECK(r.elems[0].type == RespValue::kBulk);
  CHECK(r.elems[0].str == "0");
  CHECK(e.Run({"SCAN", "+0"}).elems.size() == 2);
}

// SCAN, HSCAN, SSCAN and ZSCAN share one option parser (ParseScanOptions): the same
// options, errors and order of checks as Redis 7.0.15 (checked with resp-diff), with TYPE
// known to SCAN only. The collection commands answer an empty scan for a missing key before
// they look at the options, and WRONGTYPE for a key of another type.
TEST_CASE("SCAN HSCAN SSCAN ZSCAN options: errors in Redis's order", "[keys]") {
  TestEngine e(2);
  Put(e, "str", "v");
  CHECK(S(e.Run({"HSET", "h", "f", "v"})) == Int(1));
  CHECK(S(e.Run({"SADD", "s", "f"})) == Int(1));
  CHECK(S(e.Run({"ZADD", "z", "1", "f"})) == Int(1));
  const std::string kNotInteger = Err("ERR value is not an integer or out of range");
  const std::string kSyntaxErr = Err("ERR syntax error");
  const std::vector<std::vector<std::string>> prefixes = {
      {"SCAN", "0"}, {"HSCAN", "h", "0"}, {"SSCAN", "s", "0"}, {"ZSCAN", "z", "0"}};
  for (const auto& pre : prefixes) {
    INFO(pre[0]);
    auto with = [&](std::vector<std::string> opts) {
      std::vector<std::string> cmd = pre;
      cmd.insert(cmd.end(), opts.begin(), opts.end());
      return cmd;
    };
    auto run = [&](std::vector<std::string> opts) { return S(e.Run(with(std::move(opts)))); };
    CHECK(run({"COUNT", "0"}) == kSyntaxErr);
    CHECK(run({"COUNT", "-5"}) == kSyntaxErr);
    CHECK(run({"COUNT", "abc"}) == kNotInteger);
    CHECK(run({"COUNT", "99999999999999999999"}) == kNotInteger);
    CHECK(run({"COUNT"}) == kSyntaxErr);
    CHECK(run({"MATCH"}) == kSyntaxErr);
    CHECK(run({"NOPE", "x"}) == kSyntaxErr);
    CHECK(run({"NOPE"}) == kSyntaxErr);
    // Left to right: the first bad option decides.
    CHECK(run({"COUNT", "abc", "MATCH"}) == kNotInteger);
    CHECK(run({"MATCH", "*", "COUNT"}) == kSyntaxErr);
    CHECK(run({"COUNT", "5", "COUNT", "abc"}) == kNotInteger);
    // A huge COUNT is valid (its 10 * COUNT step bound saturates).
    RespValue big = e.Run(with({"COUNT", "9223372036854775807"}));
    REQUIRE(big.type == RespValue::kArray);
    CHECK(big.elems.size() == 2);
    // MATCH filters; the last MATCH wins; "*" matches everything.
    RespValue none = e.Run(with({"MATCH", "f", "MATCH", "zz*", "COUNT", "1000"}));
    REQUIRE(none.type == RespValue::kArray);
    CHECK(none.elems[1].elems.empty());
    if (pre[0] == "SCAN") {
      CHECK(run({"TYPE"}) == kSyntaxErr);
      CHECK(run({"TYPE", "string", "COUNT", "0"}) == kSyntaxErr);
    } else {
      CHECK(run({"TYPE", "hash"}) == kSyntaxErr);
      RespValue all = e.Run(with({"MATCH", "*"}));
      REQUIRE(all.type == RespValue::kArray);
      CHECK(all.elems[1].elems.size() == (pre[0] == "SSCAN" ? 1u : 2u));
    }
  }
  // The key is looked up before the options are parsed.
  for (const char* cmd : {"HSCAN", "SSCAN", "ZSCAN"}) {
    INFO(cmd);
    RespValue r = e.Run({cmd, "missing", "0", "COUNT", "0"});
    REQUIRE(r.type == RespValue::kArray);
    CHECK(r.elems[0].str == "0");
    CHECK(r.elems[1].elems.empty());
    CHECK(S(e.Run({cmd, "str", "0", "COUNT", "0"})) == kWrongType);
    // ...but after the cursor.
    CHECK(S(e.Run({cmd, "missing", "x", "COUNT", "0"})) == Err("ERR invalid cursor"));
  }
}

TEST_CASE("SCAN cursor on a 3-shard engine skips no shard and rejects none", "[keys]") {
  TestEngine e(3);
  for (int i = 0; i < 300; ++i) Put(e, "k" + std::to_string(i), "v");
  auto seen = ScanAll(e, {"COUNT", "5"});
  CHECK(seen.size() == 300);
  // Shard index 3 does not exist with 2 shard bits: an empty finished scan.
  CHECK(S(e.Run({"SCAN", "3"})) == "[\"0\", []]");
}

TEST_CASE("RANDOMKEY is random over all shards", "[keys]") {
  int shards = GENERATE(2, 4);
  TestEngine e(shards);
  CHECK(S(e.Run({"RANDOMKEY"})) == "(nil)");
  std::set<std::string> keys;
  for (int s = 0; s < shards; ++s) {
    for (int j = 0; j < 3; ++j) {
      std::string k = e.KeyOnShard(s, "r" + std::to_string(s) + "_" + std::to_string(j) + "_");
      Put(e, k, "v");
      keys.insert(k);
    }
  }
  std::set<int> shards_seen;
  std::set<std::string> got;
  for (int i = 0; i < 400; ++i) {
    RespValue r = e.Run({"RANDOMKEY"});
    REQUIRE(r.type == RespValue::kBulk);
    REQUIRE(keys.count(r.str) == 1);
    got.insert(r.str);
    shards_seen.insert(e.server().slots.ShardOf(r.str));
  }
  // 400 draws over 3*shards equally likely keys: missing one has odds below 1e-20.
  CHECK(static_cast<int>(shards_seen.size()) == shards);
  CHECK(got == keys);

  // Keys that all expired are never returned; RANDOMKEY then finds an empty keyspace.
  for (const auto& k : keys) REQUIRE(S(e.Run({"PEXPIRE", k, "5"})) == Int(1));
  e.AdvanceMs(5);
  CHECK(S(e.Run({"RANDOMKEY"})) == "(nil)");
  CHECK(S(e.Run({"RANDOMKEY", "x"})) ==
        Err("ERR wrong number of arguments for 'randomkey' command"));
}

TEST_CASE("DBSIZE FLUSHDB FLUSHALL across shards and dbs", "[keys]") {
  int shards = GENERATE(2, 4);
  TestEngine e(shards);
  for (int i = 0; i < 50; ++i) Put(e, "a" + std::to_string(i), "v");
  for (int i = 0; i < 20; ++i) Put(e, "b" + std::to_string(i), "v", 1);
  CHECK(S(e.Run({"DBSIZE"})) == Int(50));
  e.client(0).db = 1;
  CHECK(S(e.Run({"DBSIZE"})) == Int(20));

  CHECK(S(e.Run({"FLUSHDB", "foo"})) == Err("ERR syntax error"));
  CHECK(S(e.Run({"FLUSHDB", "ASYNC", "SYNC"})) == Err("ERR syntax error"));
  CHECK(S(e.Run({"DBSIZE"})) == Int(20));
  CHECK(S(e.Run({"FLUSHDB"})) == "OK");
  CHECK(S(e.Run({"DBSIZE"})) == Int(0));
  e.client(0).db = 0;
  CHECK(S(e.Run({"DBSIZE"})) == Int(50));  // db 0 untouched
  CHECK(S(e.Run({"FLUSHDB", "async"})) == "OK");
  CHECK(S(e.Run({"DBSIZE"})) == Int(0));

  for (int i = 0; i < 30; ++i) Put(e, "c" + std::to_string(i), "v", i % 3);
  CHECK(S(e.Run({"FLUSHALL", "bogus"})) == Err("ERR syntax error"));
  CHECK(S(e.Run({"DBSIZE"})) == Int(10));
  // From a client on another shard, so the origin is not shard 0.
  int c = e.NewClient(shards - 1);
  CHECK(S(e.Run({"FLUSHALL", "SYNC"}, c)) == "OK");
  for (int s = 0; s < shards; ++s)
    for (int d = 0; d < 3; ++d) CHECK(e.shard(s).db(d).size() == 0);
  CHECK(S(e.Run({"FLUSHALL", "ASYNC"})) == "OK");
  CHECK(S(e.Run({"FLUSHALL"})) == "OK");
  CHECK(S(e.Run({"DBSIZE", "x"})) == Err("ERR wrong number of arguments for 'dbsize' command"));
}

TEST_CASE("SWAPDB swaps on every shard", "[keys]") {
  int shards = GENERATE(2, 4);
  TestEngine e(shards);
  for (int i = 0; i < 20; ++i) Put(e, "zero" + std::to_string(i), "0");
  for (int i = 0; i < 5; ++i) Put(e, "one" + std::to_string(i), "1", 1);
  REQUIRE(S(e.Run({"EXPIRE", "zero0", "100"})) == Int(1));

  CHECK(S(e.Run({"SWAPDB", "0", "1"})) == "OK");
  CHECK(S(e.Run({"DBSIZE"})) == Int(5));
  CHECK(S(e.Run({"EXISTS", "one0", "one4", "zero1"})) == Int(2));
  e.client(0).db = 1;  // as SELECT 1
  CHECK(S(e.Run({"DBSIZE"})) == Int(20));
  CHECK(S(e.Run({"TTL", "zero0"})) == Int(100));  // volatile index went with its db
  CHECK(S(e.Run({"SWAPDB", "1", "1"})) == "OK");
  CHECK(S(e.Run({"DBSIZE"})) == Int(20));

  CHECK(S(e.Run({"SWAPDB", "0", "16"})) == Err("ERR DB index is out of range"));
  CHECK(S(e.Run({"SWAPDB", "-1", "0"})) == Err("ERR DB index is out of range"));
  CHECK(S(e.Run({"SWAPDB", "x", "0"})) == Err("ERR invalid first DB index"));
  CHECK(S(e.Run({"SWAPDB", "0", "x"})) == Err("ERR invalid second DB index"));
  CHECK(S(e.Run({"SWAPDB", "99999999999", "0"})) == Err("ERR invalid first DB index"));
  CHECK(S(e.Run({"SWAPDB", "0"})) == Err("ERR wrong number of arguments for 'swapdb' command"));
  CHECK(S(e.Run({"DBSIZE"})) == Int(20));
}

TEST_CASE("RENAME and RENAMENX on one shard", "[keys]") {
  TestEngine e(2);
  Put(e, "{r}src", "hello");
  REQUIRE(S(e.Run({"PEXPIRE", "{r}src", "50000"})) == Int(1));
  CHECK(S(e.Run({"RENAME", "{r}src", "{r}dst"})) == "OK");
  CHECK(Peek(e, "{r}src") == "<none>");
  CHECK(Peek(e, "{r}dst") == "hello");
  CHECK(S(e.Run({"PTTL", "{r}dst"})) == Int(50000));

  CHECK(S(e.Run({"RENAME", "{r}src", "{r}x"})) == Err("ERR no such key"));
  CHECK(S(e.Run({"RENAMENX", "{r}src", "{r}x"})) == Err("ERR no such key"));
  CHECK(S(e.Run({"RENAME", "{r}src", "{r}src"})) == Err("ERR no such key"));
  CHECK(S(e.Run({"RENAME", "{r}dst", "{r}dst"})) == "OK");
  CHECK(S(e.Run({"RENAMENX", "{r}dst", "{r}dst"})) == Int(0));

  // Overwrite: the old dst (and its TTL) is gone.
  Put(e, "{r}other", "world");
  REQUIRE(S(e.Run({"PERSIST", "{r}dst"})) == Int(1));
  REQUIRE(S(e.Run({"EXPIRE", "{r}other", "10"})) == Int(1));
  CHECK(S(e.Run({"RENAME", "{r}dst", "{r}other"})) == "OK");
  CHECK(Peek(e, "{r}other") == "hello");
  CHECK(S(e.Run({"TTL", "{r}other"})) == Int(-1));

  Put(e, "{r}taken", "t");
  CHECK(S(e.Run({"RENAMENX", "{r}other", "{r}taken"})) == Int(0));
  CHECK(Peek(e, "{r}other") == "hello");
  CHECK(Peek(e, "{r}taken") == "t");
  CHECK(S(e.Run({"RENAMENX", "{r}other", "{r}free"})) == Int(1));
  CHECK(Peek(e, "{r}free") == "hello");
  CHECK(Peek(e, "{r}other") == "<none>");

  // An expired source does not exist.
  REQUIRE(S(e.Run({"PEXPIRE", "{r}free", "1"})) == Int(1));
  e.AdvanceMs(1);
  CHECK(S(e.Run({"RENAME", "{r}free", "{r}y"})) == Err("ERR no such key"));
  CHECK(S(e.Run({"RENAME", "a"})) == Err("ERR wrong number of arguments for 'rename' command"));
}

TEST_CASE("RENAME and RENAMENX across shards", "[keys]") {
  int shards = GENERATE(2, 4);
  TestEngine e(shards);
  INFO("shards=" << shards);
  std::string s0 = e.KeyOnShard(0, "src"), s1 = e.KeyOnShard(shards - 1, "dst");
  std::string s2 = e.KeyOnShard(1, "third");
  int far = e.NewClient(shards - 1);
  REQUIRE(e.server().slots.ShardOf(s0) != e.server().slots.ShardOf(s1));

  Put(e, s0, "payload");
  REQUIRE(S(e.Run({"PEXPIRE", s0, "70000"})) == Int(1));
  e.AdvanceMs(2000);
  // A no-touch client's RENAME leaves the access clock alone: it must travel with the entry.
  e.client(0).flags |= kClientNoTouch;
  CHECK(S(e.Run({"RENAME", s0, s1})) == "OK");
  e.client(0).flags &= ~kClientNoTouch;
  CHECK(Peek(e, s0) == "<none>");
  CHECK(Peek(e, s1) == "payload");
  CHECK(S(e.Run({"PTTL", s1})) == Int(68000));
  CHECK(S(e.Run({"OBJECT", "IDLETIME", s1})) == Int(2));
  CHECK(S(e.Run({"DBSIZE"})) == Int(1));

  // Back again from a client on another shard, overwriting an existing dst.
  Put(e, s0, "old");
  CHECK(S(e.Run({"RENAME", s1, s0}, far)) == "OK");
  CHECK(Peek(e, s0) == "payload");
  CHECK(Peek(e, s1) == "<none>");
  CHECK(S(e.Run({"PTTL", s0})) == Int(68000));

  CHECK(S(e.Run({"RENAME", s1, s0})) == Err("ERR no such key"));
  CHECK(S(e.Run({"RENAMENX", s1, s0})) == Err("ERR no such key"));
  CHECK(Peek(e, s0) == "payload");

  // RENAMENX refused: the source stays, with its TTL, and dst is unchanged.
  Put(e, s2, "taken");
  CHECK(S(e.Run({"RENAMENX", s0, s2})) == Int(0));
  CHECK(Peek(e, s0) == "payload");
  CHECK(Peek(e, s2) == "taken");
  CHECK(S(e.Run({"PTTL", s0})) == Int(68000));
  // Missing source wins over existing destination, as Redis checks the source first.
  CHECK(S(e.Run({"RENAMENX", s1, s2})) == Err("ERR no such key"));

  CHECK(S(e.Run({"RENAMENX", s0, s1}, far)) == Int(1));
  CHECK(Peek(e, s0) == "<none>");
  CHECK(Peek(e, s1) == "payload");
  CHECK(S(e.Run({"PTTL", s1})) == Int(68000));

  // A dst that expired counts as free.
  REQUIRE(S(e.Run({"PEXPIRE", s2, "10"})) == Int(1));
  e.AdvanceMs(10);
  CHECK(S(e.Run({"RENAMENX", s1, s2})) == Int(1));
  CHECK(Peek(e, s2) == "payload");
  CHECK(S(e.Run({"DBSIZE"})) == Int(1));

  // In another db.
  e.client(0).db = 5;
  Put(e, s0, "five", 5);
  CHECK(S(e.Run({"RENAME", s0, s1})) == "OK");
  CHECK(Peek(e, s1, 5) == "five");
  CHECK(Peek(e, s1, 0) == "<none>");
}

TEST_CASE("RENAME across shards: the client's next commands see its result", "[keys]") {
  TestEngine e(2);
  std::string src = e.KeyOnShard(0, "src"), dst = e.KeyOnShard(1, "dst");
  Put(e, src, "mine");
  REQUIRE(S(e.Run({"PEXPIRE", src, "80000"})) == Int(1));
  // Pipelined after a multi-round RENAMENX, GET/EXISTS must not overtake its second round.
  auto r = e.Pipeline({{"RENAMENX", src, dst}, {"GET", dst}, {"EXISTS", src}, {"PTTL", dst}});
  CHECK(S(r[0]) == Int(1));
  CHECK(S(r[1]) == "\"mine\"");
  CHECK(S(r[2]) == Int(0));
  CHECK(S(r[3]) == Int(80000));
  r = e.Pipeline({{"RENAME", dst, src}, {"GET", src}, {"COPY", src, dst}, {"GET", dst}});
  CHECK(S(r[0]) == "OK");
  CHECK(S(r[1]) == "\"mine\"");
  CHECK(S(r[2]) == Int(1));
  CHECK(S(r[3]) == "\"mine\"");
}

TEST_CASE("RENAMENX across shards is isolated from another client's write to dst", "[keys]") {
  TestEngine e(2);
  std::string src = e.KeyOnShard(0, "src"), dst = e.KeyOnShard(1, "dst");
  std::string other = e.KeyOnShard(1, "other");
  Put(e, src, "mine");
  Put(e, other, "theirs");
  int b = e.NewClient(1);
  // Both dispatched before any cross-shard batch moves: the shard locks decide the order.
  Send(e, 0, {"RENAMENX", src, dst});
  Send(e, b, {"COPY", other, dst});
  e.Pump();
  std::vector<std::string> r0 = Replies(e, 0), r1 = Replies(e, b);
  REQUIRE(r0.size() == 1);
  REQUIRE(r1.size() == 1);
  bool renamed = r0[0] == Int(1);
  INFO(r0[0] << " " << r1[0]);
  CHECK(r1[0] == Int(renamed ? 0 : 1));  // exactly one of them got dst
  CHECK(Peek(e, dst) == (renamed ? "mine" : "theirs"));
  CHECK(Peek(e, src) == (renamed ? "<none>" : "mine"));
  CHECK(S(e.Run({"DBSIZE"})) == Int(renamed ? 2 : 3));
}

TEST_CASE("COPY on one shard and across shards", "[keys]") {
  int shards = GENERATE(2, 4);
  TestEngine e(shards);
  INFO("shards=" << shards);
  std::string a = e.KeyOnShard(0, "a"), b = e.KeyOnShard(shards - 1, "b");

  SECTION("same shard") {
    Put(e, "{c}src", "value");
    REQUIRE(S(e.Run({"PEXPIRE", "{c}src", "9000"})) == Int(1));
    CHECK(S(e.Run({"COPY", "{c}src", "{c}dst"})) == Int(1));
    CHECK(Peek(e, "{c}dst") == "value");
    CHECK(Peek(e, "{c}src") == "value");
    CHECK(S(e.Run({"PTTL", "{c}dst"})) == Int(9000));
    CHECK(S(e.Run({"COPY", "{c}src", "{c}dst"})) == Int(0));
    Put(e, "{c}src", "newer");
    CHECK(S(e.Run({"COPY", "{c}src", "{c}dst", "REPLACE"})) == Int(1));
    CHECK(Peek(e, "{c}dst") == "newer");
    CHECK(S(e.Run({"PTTL", "{c}dst"})) == Int(-1));  // the copy has the source's (no) TTL
    CHECK(S(e.Run({"COPY", "{c}nope", "{c}dst"})) == Int(0));
    CHECK(S(e.Run({"COPY", "{c}src", "{c}src"})) ==
          Err("ERR source and destination objects are the same"));
    // Same key into another db is fine.
    CHECK(S(e.Run({"COPY", "{c}src", "{c}src", "DB", "2"})) == Int(1));
    CHECK(Peek(e, "{c}src", 2) == "newer");
    CHECK(S(e.Run({"COPY", "{c}src", "{c}src", "db", "2"})) == Int(0));
    CHECK(S(e.Run({"COPY", "{c}src", "{c}src", "REPLACE", "DB", "2"})) == Int(1));
  }
  SECTION("across shards") {
    Put(e, a, "value");
    REQUIRE(S(e.Run({"PEXPIRE", a, "9000"})) == Int(1));
    CHECK(S(e.Run({"COPY", a, b})) == Int(1));
    CHECK(Peek(e, a) == "value");
    CHECK(Peek(e, b) == "value");
    CHECK(S(e.Run({"PTTL", b})) == Int(9000));
    CHECK(S(e.Run({"COPY", a, b})) == Int(0));
    Put(e, a, "newer");
    CHECK(S(e.Run({"COPY", a, b})) == Int(0));
    CHECK(Peek(e, b) == "value");
    CHECK(S(e.Run({"COPY", a, b, "replace"})) == Int(1));
    CHECK(Peek(e, b) == "newer");
    CHECK(S(e.Run({"PTTL", b})) == Int(-1));
    CHECK(S(e.Run({"COPY", b, a, "DB", "7"})) == Int(1));
    CHECK(Peek(e, a, 7) == "newer");
    CHECK(Peek(e, a, 0) == "newer");
    CHECK(S(e.Run({"COPY", "nope", b, "REPLACE"})) == Int(0));
    CHECK(Peek(e, b) == "newer");
    // A client of another db copies from its own db.
    int c = e.NewClient(1);
    e.client(c).db = 7;
    CHECK(S(e.Run({"COPY", a, b}, c)) == Int(1));
    CHECK(Peek(e, b, 7) == "newer");
    CHECK(S(e.Run({"DBSIZE"}, c)) == Int(2));
  }
  SECTION("errors") {
    Put(e, a, "v");
    CHECK(S(e.Run({"COPY", a, b, "DB"})) == Err("ERR syntax error"));
    CHECK(S(e.Run({"COPY", a, b, "FOO"})) == Err("ERR syntax error"));
    CHECK(S(e.Run({"COPY", a, b, "DB", "x"})) ==
          Err("ERR value is not an integer or out of range"));
    CHECK(S(e.Run({"COPY", a, b, "DB", "16"})) == Err("ERR DB index is out of range"));
    CHECK(S(e.Run({"COPY", a, b, "DB", "-1"})) == Err("ERR DB index is out of range"));
    CHECK(S(e.Run({"COPY", a, a, "DB", "0"})) ==
          Err("ERR source and destination objects are the same"));
    CHECK(S(e.Run({"COPY", a})) == Err("ERR wrong number of arguments for 'copy' command"));
    CHECK(Peek(e, b) == "<none>");
  }
}

TEST_CASE("MOVE between dbs", "[keys]") {
  TestEngine e(2);
  Put(e, "k", "v");
  REQUIRE(S(e.Run({"EXPIRE", "k", "100"})) == Int(1));
  CHECK(S(e.Run({"MOVE", "k", "0"})) == Err("ERR source and destination objects are the same"));
  CHECK(S(e.Run({"MOVE", "k", "16"})) == Err("ERR DB index is out of range"));
  CHECK(S(e.Run({"MOVE", "k", "-1"})) == Err("ERR DB index is out of range"));
  CHECK(S(e.Run({"MOVE", "k", "x"})) == Err("ERR value is not an integer or out of range"));
  CHECK(S(e.Run({"MOVE", "k", "99999999999"})) ==
        Err("ERR value is out of range, value must between -2147483648 and 2147483647"));
  CHECK(S(e.Run({"MOVE", "nokey", "1"})) == Int(0));
  CHECK(S(e.Run({"MOVE", "k", "1"})) == Int(1));
  CHECK(Peek(e, "k", 0) == "<none>");
  CHECK(Peek(e, "k", 1) == "v");
  e.client(0).db = 1;
  CHECK(S(e.Run({"TTL", "k"})) == Int(100));
  Put(e, "k", "zero", 0);
  CHECK(S(e.Run({"MOVE", "k", "0"})) == Int(0));  // taken in db 0
  CHECK(Peek(e, "k", 0) == "zero");
  CHECK(Peek(e, "k", 1) == "v");
  CHECK(S(e.Run({"MOVE", "k"})) == Err("ERR wrong number of arguments for 'move' command"));
}

TEST_CASE("OBJECT subcommands", "[keys]") {
  TestEngine e(2);
  Put(e, "int", "12345");
  Put(e, "small", "5");
  Put(e, "short", "hello");
  Put(e, "long", std::string(45, 'x'));
  CHECK(S(e.Run({"OBJECT", "ENCODING", "int"})) == "\"int\"");
  CHECK(S(e.Run({"object", "encoding", "short"})) == "\"embstr\"");
  CHECK(S(e.Run({"OBJECT", "ENCODING", "long"})) == "\"raw\"");
  CHECK(S(e.Run({"OBJECT", "ENCODING", "nokey"})) == "(nil)");
  // Redis 7.0 shares the integers 0..9999.
  CHECK(S(e.Run({"OBJECT", "REFCOUNT", "small"})) == Int(2147483647));
  CHECK(S(e.Run({"OBJECT", "REFCOUNT", "int"})) == Int(1));
  CHECK(S(e.Run({"OBJECT", "REFCOUNT", "short"})) == Int(1));
  CHECK(S(e.Run({"OBJECT", "REFCOUNT", "nokey"})) == "(nil)");
  CHECK(S(e.Run({"OBJECT", "FREQ", "short"})) ==
        Err("ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please "
            "note that when switching between policies at runtime LRU and LFU data will take "
            "some time to adjust."));
  CHECK(S(e.Run({"OBJECT", "FREQ", "nokey"})) == "(nil)");

  // IDLETIME: introspection (TTL, TYPE, EXISTS, OBJECT) does not touch; TOUCH does.
  CHECK(S(e.Run({"OBJECT", "IDLETIME", "short"})) == Int(0));
  e.AdvanceMs(7000);
  CHECK(S(e.Run({"TTL", "short"})) == Int(-1));
  CHECK(S(e.Run({"TYPE", "short"})) == "string");
  CHECK(S(e.Run({"EXISTS", "short"})) == Int(1));
  CHECK(S(e.Run({"OBJECT", "IDLETIME", "short"})) == Int(7));
  CHECK(S(e.Run({"TOUCH", "short"})) == Int(1));
  CHECK(S(e.Run({"OBJECT", "IDLETIME", "short"})) == Int(0));
  CHECK(S(e.Run({"OBJECT", "IDLETIME", "nokey"})) == "(nil)");
  // A no-touch client leaves the clock alone, except for TOUCH itself.
  e.AdvanceMs(3000);
  e.client(0).flags |= kClientNoTouch;
  CHECK(S(e.Run({"EXPIRE", "short", "1000"})) == Int(1));
  CHECK(S(e.Run({"OBJECT", "IDLETIME", "short"})) == Int(3));
  CHECK(S(e.Run({"TOUCH", "short"})) == Int(1));
  CHECK(S(e.Run({"OBJECT", "IDLETIME", "short"})) == Int(0));
  e.client(0).flags &= ~kClientNoTouch;
  e.AdvanceMs(2000);
  CHECK(S(e.Run({"PERSIST", "short"})) == Int(1));  // a write lookup touches
  CHECK(S(e.Run({"OBJECT", "IDLETIME", "short"})) == Int(0));

  RespValue help = e.Run({"OBJECT", "HELP"});
  REQUIRE(help.type == RespValue::kArray);
  REQUIRE(help.elems.size() == 15);
  CHECK(help.elems[0].type == RespValue::kSimple);
  CHECK(help.elems[0].str == "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
  CHECK(help.elems[14].str == "    Prints this help.");

  CHECK(S(e.Run({"OBJECT", "foo", "short"})) ==
        Err("ERR unknown subcommand 'foo'. Try OBJECT HELP."));
  CHECK(S(e.Run({"OBJECT"})) == Err("ERR wrong number of arguments for 'object' command"));
  CHECK(S(e.Run({"OBJECT", "ENCODING"})) ==
        Err("ERR wrong number of arguments for 'object|encoding' command"));
  CHECK(S(e.Run({"OBJECT", "ENCODING", "a", "b"})) ==
        Err("ERR wrong number of arguments for 'object|encoding' command"));
  CHECK(S(e.Run({"OBJECT", "HELP", "x"})) ==
        Err("ERR wrong number of arguments for 'object|help' command"));
}

TEST_CASE("EXPIRE family options and errors", "[keys]") {
  TestEngine e(2);
  Put(e, "k", "v");
  for (const char* cmd : {"EXPIRE", "PEXPIRE", "EXPIREAT", "PEXPIREAT"}) {
    INFO(cmd);
    CHECK(S(e.Run({cmd, "k", "100", "NX", "XX"})) ==
          Err("ERR NX and XX, GT or LT options at the same time are not compatible"));
    CHECK(S(e.Run({cmd, "k", "100", "nx", "gt"})) ==
          Err("ERR NX and XX, GT or LT options at the same time are not compatible"));
    CHECK(S(e.Run({cmd, "k", "100", "NX", "LT"})) ==
          Err("ERR NX and XX, GT or LT options at the same time are not compatible"));
    CHECK(S(e.Run({cmd, "k", "100", "GT", "LT"})) ==
          Err("ERR GT and LT options at the same time are not compatible"));
    CHECK(S(e.Run({cmd, "k", "100", "foo"})) == Err("ERR Unsupported option foo"));
    // Options are checked before the number.
    CHECK(S(e.Run({cmd, "k", "abc", "foo"})) == Err("ERR Unsupported option foo"));
    CHECK(S(e.Run({cmd, "k", "abc"})) == Err("ERR value is not an integer or out of range"));
    CHECK(S(e.Run({cmd, "k", "1.5"})) == Err("ERR value is not an integer or out of range"));
    CHECK(S(e.Run({cmd, "k"})) == Err("ERR wrong number of arguments for '" +
                                      std::string(cmd == std::string("EXPIRE")     ? "expire"
                                                  : cmd == std::string("PEXPIRE")  ? "pexpire"
                                                  : cmd == std::string("EXPIREAT") ? "expireat"
                                                                                   : "pexpireat") +
                                      "' command"));
  }
  CHECK(S(e.Run({"TTL", "k"})) == Int(-1));  // none of the errors changed anything

  // Overflow, with the command's own name in the text.
  CHECK(S(e.Run({"EXPIRE", "k", "9223372036854775807"})) ==
        Err("ERR invalid expire time in 'expire' command"));
  CHECK(S(e.Run({"EXPIRE", "k", "9223372036854775"})) ==
        Err("ERR invalid expire time in 'expire' command"));  // fits *1000, not + now
  CHECK(S(e.Run({"EXPIRE", "k", "-9223372036854775808"})) ==
        Err("ERR invalid expire time in 'expire' command"));
  CHECK(S(e.Run({"PEXPIRE", "k", "9223372036854775807"})) ==
        Err("ERR invalid expire time in 'pexpire' command"));
  CHECK(S(e.Run({"EXPIREAT", "k", "9223372036854775807"})) ==
        Err("ERR invalid expire time in 'expireat' command"));
  CHECK(S(e.Run({"EXPIRE", "nokey", "9223372036854775807"})) ==
        Err("ERR invalid expire time in 'expire' command"));
  CHECK(S(e.Run({"TTL", "k"})) == Int(-1));

  // PEXPIREAT INT64_MAX is accepted; EXPIRETIME rounds it without overflowing.
  CHECK(S(e.Run({"PEXPIREAT", "k", "9223372036854775807"})) == Int(1));
  CHECK(S(e.Run({"PEXPIRETIME", "k"})) == Int(INT64_MAX));
  CHECK(S(e.Run({"EXPIRETIME", "k"})) == Int(9223372036854776));
  CHECK(S(e.Run({"PTTL", "k"})) == Int(INT64_MAX - e.now_ms()));
  CHECK(S(e.Run({"PEXPIREAT", "k", "-9223372036854775808"})) == Int(1));  // past: deleted
  CHECK(S(e.Run({"EXISTS", "k"})) == Int(0));

  CHECK(S(e.Run({"EXPIRE", "nokey", "100"})) == Int(0));
  CHECK(S(e.Run({"PEXPIREAT", "nokey", "100"})) == Int(0));
}

TEST_CASE("EXPIRE NX XX GT LT semantics", "[keys]") {
  TestEngine e(2);
  Put(e, "k", "v");
  // No TTL: XX and GT refuse (no TTL is an infinite one), NX and LT set.
  CHECK(S(e.Run({"EXPIRE", "k", "100", "XX"})) == Int(0));
  CHECK(S(e.Run({"EXPIRE", "k", "100", "GT"})) == Int(0));
  CHECK(S(e.Run({"EXPIRE", "k", "100", "XX", "GT"})) == Int(0));
  CHECK(S(e.Run({"TTL", "k"})) == Int(-1));
  CHECK(S(e.Run({"EXPIRE", "k", "100", "LT"})) == Int(1));
  CHECK(S(e.Run({"TTL", "k"})) == Int(100));
  CHECK(S(e.Run({"PERSIST", "k"})) == Int(1));
  CHECK(S(e.Run({"EXPIRE", "k", "100", "NX"})) == Int(1));
  CHECK(S(e.Run({"EXPIRE", "k", "200", "NX"})) == Int(0));
  CHECK(S(e.Run({"TTL", "k"})) == Int(100));
  CHECK(S(e.Run({"EXPIRE", "k", "50", "GT"})) == Int(0));
  CHECK(S(e.Run({"EXPIRE", "k", "100", "GT"})) == Int(0));  // equal is not greater
  CHECK(S(e.Run({"EXPIRE", "k", "150", "gt"})) == Int(1));
  CHECK(S(e.Run({"TTL", "k"})) == Int(150));
  CHECK(S(e.Run({"EXPIRE", "k", "150", "LT"})) == Int(0));
  CHECK(S(e.Run({"EXPIRE", "k", "200", "LT"})) == Int(0));
  CHECK(S(e.Run({"EXPIRE", "k", "20", "XX", "LT"})) == Int(1));
  CHECK(S(e.Run({"TTL", "k"})) == Int(20));
  CHECK(S(e.Run({"PEXPIRE", "k", "30000", "XX"})) == Int(1));
  CHECK(S(e.Run({"PTTL", "k"})) == Int(30000));
  int64_t at = e.now_ms() + 45000;
  CHECK(S(e.Run({"PEXPIREAT", "k", std::to_string(at)})) == Int(1));
  CHECK(S(e.Run({"PEXPIRETIME", "k"})) == Int(at));
  CHECK(S(e.Run({"EXPIREAT", "k", std::to_string(at / 1000 + 10), "GT"})) == Int(1));
  CHECK(S(e.Run({"EXPIRETIME", "k"})) == Int(at / 1000 + 10));
  CHECK(S(e.Run({"PEXPIRETIME", "k"})) == Int((at / 1000 + 10) * 1000));
  // A negative time with LT is less than any TTL: the key is deleted.
  CHECK(S(e.Run({"EXPIRE", "k", "-5", "LT"})) == Int(1));
  CHECK(S(e.Run({"EXISTS", "k"})) == Int(0));
  Put(e, "k", "v");
  CHECK(S(e.Run({"EXPIRE", "k", "0"})) == Int(1));
  CHECK(S(e.Run({"EXISTS", "k"})) == Int(0));
  Put(e, "k", "v");
  CHECK(S(e.Run({"EXPIREAT", "k", std::to_string(e.now_ms() / 1000)})) == Int(1));  // now
  CHECK(S(e.Run({"EXISTS", "k"})) == Int(0));
}

TEST_CASE("TTL PTTL EXPIRETIME PEXPIRETIME PERSIST", "[keys]") {
  TestEngine e(2);
  for (const char* cmd : {"TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME"})
    CHECK(S(e.Run({cmd, "nokey"})) == Int(-2));
  Put(e, "k", "v");
  for (const char* cmd : {"TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME"})
    CHECK(S(e.Run({cmd, "k"})) == Int(-1));
  CHECK(S(e.Run({"PERSIST", "k"})) == Int(0));
  CHECK(S(e.Run({"PERSIST", "nokey"})) == Int(0));

  // TTL rounds to the nearest second, as (ttl+500)/1000.
  CHECK(S(e.Run({"PEXPIRE", "k", "1500"})) == Int(1));
  CHECK(S(e.Run({"TTL", "k"})) == Int(2));
  CHECK(S(e.Run({"PEXPIRE", "k", "1499"})) == Int(1));
  CHECK(S(e.Run({"TTL", "k"})) == Int(1));
  CHECK(S(e.Run({"PEXPIRE", "k", "400"})) == Int(1));
  CHECK(S(e.Run({"TTL", "k"})) == Int(0));
  CHECK(S(e.Run({"PTTL", "k"})) == Int(400));
  CHECK(S(e.Run({"PEXPIRETIME", "k"})) == Int(e.now_ms() + 400));
  CHECK(S(e.Run({"EXPIRETIME", "k"})) == Int((e.now_ms() + 400 + 500) / 1000));
  e.AdvanceMs(399);
  CHECK(S(e.Run({"PTTL", "k"})) == Int(1));
  CHECK(S(e.Run({"PERSIST", "k"})) == Int(1));
  CHECK(S(e.Run({"PTTL", "k"})) == Int(-1));
  e.AdvanceMs(100000);
  CHECK(S(e.Run({"EXISTS", "k"})) == Int(1));
  CHECK(S(e.Run({"TTL"})) == Err("ERR wrong number of arguments for 'ttl' command"));
  CHECK(S(e.Run({"PERSIST", "a", "b"})) ==
        Err("ERR wrong number of arguments for 'persist' command"));
}

TEST_CASE("expiry: lazy on access, active in cron", "[keys]") {
  int shards = GENERATE(2, 4);
  TestEngine e(shards);
  INFO("shards=" << shards);

  SECTION("lazy") {
    Put(e, "k", "v");
    Put(e, "keep", "v");
    REQUIRE(S(e.Run({"PEXPIRE", "k", "1000"})) == Int(1));
    e.AdvanceMs(999);
    CHECK(S(e.Run({"EXISTS", "k"})) == Int(1));
    e.AdvanceMs(1);
    CHECK(S(e.Run({"DBSIZE"})) == Int(2));  // still stored: nothing has looked at it
    if (e.server().commands.Find("get")) CHECK(S(e.Run({"GET", "k"})) == "(nil)");
    CHECK(S(e.Run({"EXISTS", "k"})) == Int(0));
    CHECK(S(e.Run({"DBSIZE"})) == Int(1));  // the lookup deleted it
    CHECK(S(e.Run({"TTL", "k"})) == Int(-2));
    CHECK(S(e.Run({"TYPE", "k"})) == "none");
    CHECK(S(e.Run({"EXPIRE", "k", "100"})) == Int(0));
  }
  SECTION("active") {
    for (int i = 0; i < 100; ++i) {
      std::string k = "vol" + std::to_string(i);
      Put(e, k, "v");
      REQUIRE(S(e.Run({"PEXPIRE", k, std::to_string(100 + i)})) == Int(1));
    }
    for (int i = 0; i < 10; ++i) Put(e, "perm" + std::to_string(i), "v");
    e.AdvanceMs(50);
    e.Cron();
    CHECK(S(e.Run({"DBSIZE"})) == Int(110));
    e.AdvanceMs(1000);
    CHECK(S(e.Run({"DBSIZE"})) == Int(110));  // no access: still there
    // A cron pass keeps sampling while most samples are expired; with all expired it
    // empties the volatile set. Run a few passes in case a pass ends early.
    for (int i = 0; i < 20; ++i) {
      size_t vol = 0;
      for (int s = 0; s < shards; ++s) vol += e.shard(s).db(0).expires();
      if (vol == 0) break;
      e.Cron();
    }
    CHECK(S(e.Run({"DBSIZE"})) == Int(10));
    uint64_t expired = 0;
    for (int s = 0; s < shards; ++s) expired += e.shard(s).stats().expired_keys;
    CHECK(expired == 100);
  }
}

TEST_CASE("keyspace hits and misses count read lookups", "[keys]") {
  TestEngine e(2);
  Put(e, "k", "v");
  auto hits = [&] {
    uint64_t n = 0;
    for (int s = 0; s < 2; ++s) n += e.shard(s).stats().keyspace_hits;
    return n;
  };
  auto misses = [&] {
    uint64_t n = 0;
    for (int s = 0; s < 2; ++s) n += e.shard(s).stats().keyspace_misses;
    return n;
  };
  uint64_t h = hits(), m = misses();
  e.Run({"EXISTS", "k", "nope"});
  e.Run({"TTL", "k"});
  CHECK(hits() == h + 2);
  CHECK(misses() == m + 1);
  e.Run({"DEL", "k"});  // a write: no statistics
  CHECK(hits() == h + 2);
  CHECK(misses() == m + 1);
}

}  // namespace kevy::test
