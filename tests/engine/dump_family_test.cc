// Tests of DUMP and RESTORE (engine/commands/dump_family.cc) on the in-process engine with 2
// and 4 shards: payloads equal redis-server 7.0.15's for the same contents, every type
// survives DUMP + RESTORE, the options and TTL rules, and the exact error texts.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "engine/shard.h"
#include "persist/crc64.h"
#include "tests/support/test_engine.h"

namespace kevy::test {
namespace {


std::string Unhex(std::string_view h) {
  std::string out;
  for (size_t i = 0; i + 1 < h.size(); i += 2)
    out.push_back(static_cast<char>(std::stoi(std::string(h.substr(i, 2)), nullptr, 16)));
  return out;
}

std::string Dump(TestEngine& e, const std::string& key) {
  RespValue r = e.Run({"DUMP", key});
  REQUIRE(r.type == RespValue::kBulk);
  return r.str;
}

// DUMP replies of redis-server 7.0.15 for the same commands.
constexpr const char* kRedisHelloWorld = "000b68656c6c6f20776f726c640a000bfc49b9a6c7a034";
constexpr const char* kRedisHash =  // HSET h f1 v1 n 12 neg -200
    "101c1c00000006008266310382763103816e020c01836e656704df3802ff0a0048dd6941dcee27d7";
constexpr const char* kRedisIntset = "0b100200000004000000fbff0100020003000a00c8e4dfb66f7396f0";

}  // namespace

TEST_CASE("DUMP gives redis-server's payloads", "[dump]") {
  for (int shards : {2, 4}) {
    TestEngine e(shards);
    CHECK(S(e.Run({"DUMP", "nokey"})) == "(nil)");
    e.Run({"SET", "s", "hello world"});
    CHECK(Dump(e, "s") == Unhex(kRedisHelloWorld));
    e.Run({"HSET", "h", "f1", "v1", "n", "12", "neg", "-200"});
    CHECK(Dump(e, "h") == Unhex(kRedisHash));
    e.Run({"SADD", "set", "1", "2", "3", "-5"});
    CHECK(Dump(e, "set") == Unhex(kRedisIntset));
    CHECK(S(e.Run({"DUMP"})) == "(error) ERR wrong number of arguments for 'dump' command");
  }
}

TEST_CASE("RESTORE recreates every type", "[restore]") {
  TestEngine e(4);
  e.Run({"SET", "str", "value"});
  e.Run({"SET", "int", "-123456"});
  e.Run({"RPUSH", "list", "a", "", "3", std::string(100, 'x')});
  e.Run({"HSET", "hash", "f", "v", "empty", ""});
  std::vector<std::string> big_hash{"HSET", "bighash"};
  for (int i = 0; i < 600; ++i) {
    big_hash.push_back("f" + std::to_string(i));
    big_hash.push_back(std::string(i % 7, 'v'));
  }
  e.Run(big_hash);
  e.Run({"SADD", "iset", "1", "2", "-70000"});
  e.Run({"SADD", "sset", "a", "b"});
  e.Run({"ZADD", "zset", "1.5", "a", "2", "b", "-inf", "c"});
  std::vector<std::string> big_zset{"ZADD", "bigzset"};
  for (int i = 0; i < 300; ++i) {
    big_zset.push_back(std::to_string(i * 0.25));
    big_zset.push_back("m" + std::to_string(i));
  }
  e.Run(big_zset);
  for (const char* key : {"str", "int", "list", "hash", "bighash", "iset", "sset", "zset", "bigzset"}) {
    INFO(key);
    const std::string payload = Dump(e, key);
    const std::string copy = std::string(key) + ":copy";
    CHECK(S(e.Run({"RESTORE", copy, "0", payload})) == "OK");
    CHECK(S(e.Run({"TYPE", copy})) == S(e.Run({"TYPE", key})));
    CHECK(S(e.Run({"OBJECT", "ENCODING", copy})) == S(e.Run({"OBJECT", "ENCODING", key})));
    // Hash tables iterate in an order of their own history; the rest must be byte-equal.
    if (std::string(key) != "bighash" && std::string(key) != "sset") CHECK(Dump(e, copy) == payload);
    CHECK(S(e.Run({"TTL", copy})) == "(integer) -1");
  }
  CHECK(S(e.Run({"LRANGE", "list:copy", "0", "-1"})) == S(e.Run({"LRANGE", "list", "0", "-1"})));
  CHECK(S(e.Run({"HGETALL", "hash:copy"})) == S(e.Run({"HGETALL", "hash"})));
  CHECK(S(e.Run({"ZRANGE", "bigzset:copy", "0", "-1", "WITHSCORES"})) ==
        S(e.Run({"ZRANGE", "bigzset", "0", "-1", "WITHSCORES"})));
  CHECK(S(e.Run({"HLEN", "bighash:copy"})) == "(integer) 600");
}

TEST_CASE("RESTORE options, TTLs and errors as Redis", "[restore]") {
  TestEngine e(2);
  e.Run({"SET", "src", "v"});
  const std::string p = Dump(e, "src");

  // BUSYKEY, then REPLACE.
  CHECK(S(e.Run({"RESTORE", "src", "0", p})) == "(error) BUSYKEY Target key name already exists.");
  CHECK(S(e.Run({"RESTORE", "src", "0", p, "REPLACE"})) == "OK");

  // Relative and absolute TTLs.
  CHECK(S(e.Run({"RESTORE", "k1", "5000", p})) == "OK");
  CHECK(S(e.Run({"PTTL", "k1"})) == "(integer) 5000");
  const int64_t at = e.now_ms() + 10000;
  CHECK(S(e.Run({"RESTORE", "k2", std::to_string(at), p, "ABSTTL"})) == "OK");
  CHECK(S(e.Run({"PTTL", "k2"})) == "(integer) 10000");
  // ABSTTL in the past: OK, and no key (an existing one is replaced by nothing).
  CHECK(S(e.Run({"RESTORE", "k3", "1000", p, "ABSTTL"})) == "OK");
  CHECK(S(e.Run({"EXISTS", "k3"})) == "(integer) 0");
  CHECK(S(e.Run({"RESTORE", "k2", "1000", p, "ABSTTL", "REPLACE"})) == "OK");
  CHECK(S(e.Run({"EXISTS", "k2"})) == "(integer) 0");
  // An expired key does not count as busy.
  e.AdvanceMs(6000);
  CHECK(S(e.Run({"RESTORE", "k1", "0", p})) == "OK");
  CHECK(S(e.Run({"PTTL", "k1"})) == "(integer) -1");

  // IDLETIME and FREQ.
  CHECK(S(e.Run({"RESTORE", "k4", "0", p, "IDLETIME", "100"})) == "OK");
  CHECK(S(e.Run({"OBJECT", "IDLETIME", "k4"})) == "(integer) 100");
  CHECK(S(e.Run({"RESTORE", "k5", "0", p, "FREQ", "5"})) == "OK");

  // Errors, in Redis's order of checks.
  CHECK(S(e.Run({"RESTORE", "k6", "-1", p})) == "(error) ERR Invalid TTL value, must be >= 0");
  CHECK(S(e.Run({"RESTORE", "k6", "x", p})) ==
        "(error) ERR value is not an integer or out of range");
  CHECK(S(e.Run({"RESTORE", "src", "-1", p})) == "(error) BUSYKEY Target key name already exists.");
  CHECK(S(e.Run({"RESTORE", "k6", "0", p, "BOGUS"})) == "(error) ERR syntax error");
  CHECK(S(e.Run({"RESTORE", "k6", "0", p, "IDLETIME"})) == "(error) ERR syntax error");
  CHECK(S(e.Run({"RESTORE", "k6", "0", p, "IDLETIME", "-1"})) ==
        "(error) ERR Invalid IDLETIME value, must be >= 0");
  CHECK(S(e.Run({"RESTORE", "k6", "0", p, "FREQ", "256"})) ==
        "(error) ERR Invalid FREQ value, must be >= 0 and <= 255");
  CHECK(S(e.Run({"RESTORE", "k6", "0", p, "FREQ", "1", "IDLETIME", "1"})) ==
        "(error) ERR syntax error");
  CHECK(S(e.Run({"RESTORE", "k6", "0", "garbage"})) ==
        "(error) ERR DUMP payload version or checksum are wrong");
  std::string bad_crc = p;
  bad_crc.back() ^= 1;
  CHECK(S(e.Run({"RESTORE", "k6", "0", bad_crc})) ==
        "(error) ERR DUMP payload version or checksum are wrong");
  // A valid footer around a body that is not an object: "Bad data format".
  for (std::string body : {Unhex("63"), Unhex("0005616263"), Unhex("0100"), Unhex("00016100")}) {
    body += Unhex("0a00");
    const uint64_t crc = Crc64(0, body);
    for (int i = 0; i < 8; ++i) body.push_back(static_cast<char>((crc >> (8 * i)) & 0xff));
    CHECK(S(e.Run({"RESTORE", "k6", "0", body})) == "(error) ERR Bad data format");
  }
  // A newer RDB version in the footer.
  std::string v11 = p.substr(0, p.size() - 10) + Unhex("0b00");
  const uint64_t crc = Crc64(0, v11);
  for (int i = 0; i < 8; ++i) v11.push_back(static_cast<char>((crc >> (8 * i)) & 0xff));
  CHECK(S(e.Run({"RESTORE", "k6", "0", v11})) ==
        "(error) ERR DUMP payload version or checksum are wrong");
  CHECK(S(e.Run({"EXISTS", "k6"})) == "(integer) 0");
  CHECK(S(e.Run({"RESTORE", "k6"})) == "(error) ERR wrong number of arguments for 'restore' command");
}

}  // namespace kevy::test
