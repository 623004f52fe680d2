// Tests of the bitmap commands (engine/commands/bitmap_family.cc) on the in-process engine:
// SETBIT/GETBIT/BITCOUNT/BITPOS/BITOP replies and errors as redis-server 7.0 gives them
// (the expected values were taken from a real redis-server), and BITOP with its keys on one
// shard and spread over several.
#include <catch2/catch.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/shard.h"
#include "engine/value.h"
#include "tests/support/test_engine.h"

namespace kevy::test {
namespace {


void PutList(TestEngine& e, const std::string& key) {
  Value v;
  v.type = ObjType::kList;
  e.shard(e.server().slots.ShardOf(key)).db(0).Insert(key, std::move(v));
}

Entry* Raw(TestEngine& e, const std::string& key) {
  return e.shard(e.server().slots.ShardOf(key)).db(0).FindRaw(key);
}

}  // namespace

TEST_CASE("SETBIT and GETBIT", "[bitmap]") {
  TestEngine e(2);
  CHECK(S(e.Run({"SETBIT", "b", "10", "1"})) == Int(0));
  CHECK(S(e.Run({"SETBIT", "b", "10", "1"})) == Int(1));
  CHECK(S(e.Run({"STRLEN", "b"})) == Int(2));
  CHECK(S(e.Run({"GETBIT", "b", "10"})) == Int(1));
  CHECK(S(e.Run({"GETBIT", "b", "11"})) == Int(0));
  CHECK(S(e.Run({"GETBIT", "b", "100000"})) == Int(0));
  CHECK(S(e.Run({"GETBIT", "missing", "3"})) == Int(0));
  CHECK(S(e.Run({"SETBIT", "b", "10", "0"})) == Int(1));
  CHECK(S(e.Run({"GETBIT", "b", "10"})) == Int(0));
  CHECK(S(e.Run({"OBJECT", "ENCODING", "b"})) == "\"raw\"");
  // Bit 0 is the most significant bit of the first byte.
  e.Run({"SETBIT", "c", "1", "1"});
  e.Run({"SETBIT", "c", "7", "1"});
  CHECK(S(e.Run({"GET", "c"})) == "\"A\"");
  e.Run({"SET", "s", "12"});
  CHECK(S(e.Run({"SETBIT", "s", "6", "1"})) == Int(0));
  CHECK(S(e.Run({"GET", "s"})) == "\"32\"");
  CHECK(S(e.Run({"OBJECT", "ENCODING", "s"})) == "\"raw\"");

  const std::string off_err = "(error) ERR bit offset is not an integer or out of range";
  const std::string bit_err = "(error) ERR bit is not an integer or out of range";
  CHECK(S(e.Run({"SETBIT", "x", "-1", "1"})) == off_err);
  CHECK(S(e.Run({"SETBIT", "x", "4294967296", "1"})) == off_err);
  CHECK(S(e.Run({"SETBIT", "x", "abc", "1"})) == off_err);
  CHECK(S(e.Run({"GETBIT", "x", "-1"})) == off_err);
  CHECK(S(e.Run({"SETBIT", "x", "1", "2"})) == bit_err);
  CHECK(S(e.Run({"SETBIT", "x", "1", "01"})) == bit_err);
  CHECK(S(e.Run({"SETBIT", "x", "1", "-1"})) == bit_err);
  CHECK(S(e.Run({"EXISTS", "x"})) == Int(0));
  // The limit follows proto-max-bulk-len.
  e.Run({"CONFIG", "SET", "proto-max-bulk-len", "1mb"});
  CHECK(S(e.Run({"SETBIT", "x", "8388608", "1"})) == off_err);
  CHECK(S(e.Run({"SETBIT", "x", "8388607", "1"})) == Int(0));
  CHECK(S(e.Run({"STRLEN", "x"})) == Int(1048576));

  PutList(e, "l");
  CHECK(S(e.Run({"SETBIT", "l", "1", "1"})) == kWrongType);
  CHECK(S(e.Run({"GETBIT", "l", "1"})) == kWrongType);
}

TEST_CASE("BITCOUNT with byte and bit ranges", "[bitmap]") {
  TestEngine e(2);
  e.Run({"SET", "s", "foobar"});
  CHECK(S(e.Run({"BITCOUNT", "s"})) == Int(26));
  CHECK(S(e.Run({"BITCOUNT", "s", "1", "1"})) == Int(6));
  CHECK(S(e.Run({"BITCOUNT", "s", "0", "-1"})) == Int(26));
  CHECK(S(e.Run({"BITCOUNT", "s", "5", "30", "BIT"})) == Int(17));
  CHECK(S(e.Run({"BITCOUNT", "s", "-3", "-1", "bit"})) == Int(1));
  CHECK(S(e.Run({"BITCOUNT", "s", "1", "1", "byte"})) == Int(6));
  CHECK(S(e.Run({"BITCOUNT", "s", "-1", "-3"})) == Int(0));
  CHECK(S(e.Run({"BITCOUNT", "s", "4", "2"})) == Int(0));
  CHECK(S(e.Run({"BITCOUNT", "s", "-100", "100"})) == Int(26));
  CHECK(S(e.Run({"BITCOUNT", "s", "2"})) == kSyntax);
  CHECK(S(e.Run({"BITCOUNT", "s", "0", "-1", "xx"})) == kSyntax);
  CHECK(S(e.Run({"BITCOUNT", "s", "a", "1"})) == kNotInt);
  CHECK(S(e.Run({"BITCOUNT", "missing"})) == Int(0));
  CHECK(S(e.Run({"BITCOUNT", "missing", "0", "-1"})) == Int(0));
  e.Run({"SET", "empty", ""});
  CHECK(S(e.Run({"BITCOUNT", "empty", "0", "-1"})) == Int(0));
  // A long value counts through the word loop.
  std::string big(1000, '\xff');
  e.Run({"SET", "big", big});
  CHECK(S(e.Run({"BITCOUNT", "big"})) == Int(8000));
  CHECK(S(e.Run({"BITCOUNT", "big", "3", "7996", "BIT"})) == Int(7994));
  PutList(e, "l");
  CHECK(S(e.Run({"BITCOUNT", "l"})) == kWrongType);
}

TEST_CASE("BITPOS and its not-found rules", "[bitmap]") {
  TestEngine e(2);
  e.Run({"SET", "s", "foobar"});
  CHECK(S(e.Run({"BITPOS", "s", "0"})) == Int(0));
  CHECK(S(e.Run({"BITPOS", "s", "1"})) == Int(1));
  CHECK(S(e.Run({"BITPOS", "s", "1", "2"})) == Int(17));
  CHECK(S(e.Run({"BITPOS", "s", "0", "1", "1"})) == Int(8));
  CHECK(S(e.Run({"BITPOS", "s", "1", "7", "15", "BIT"})) == Int(9));
  CHECK(S(e.Run({"BITPOS", "s", "0", "-1", "-1", "bit"})) == Int(47));
  CHECK(S(e.Run({"BITPOS", "missing", "0"})) == Int(0));
  CHECK(S(e.Run({"BITPOS", "missing", "1"})) == Int(-1));
  CHECK(S(e.Run({"BITPOS", "s", "2"})) == "(error) ERR The bit argument must be 1 or 0.");
  CHECK(S(e.Run({"BITPOS", "s", "x"})) == kNotInt);
  CHECK(S(e.Run({"BITPOS", "s", "1", "0", "1", "words"})) == kSyntax);
  CHECK(S(e.Run({"BITPOS", "s", "1", "0", "bit"})) == kNotInt);

  // All ones: a 0 is found right after the string unless an end was given.
  e.Run({"SET", "ff", "\xff\xff"});
  CHECK(S(e.Run({"BITPOS", "ff", "0"})) == Int(16));
  CHECK(S(e.Run({"BITPOS", "ff", "0", "1"})) == Int(16));
  CHECK(S(e.Run({"BITPOS", "ff", "0", "0", "-1"})) == Int(-1));
  CHECK(S(e.Run({"BITPOS", "ff", "0", "0", "12", "BIT"})) == Int(-1));
  CHECK(S(e.Run({"BITPOS", "ff", "0", "3"})) == Int(-1));  // empty range
  CHECK(S(e.Run({"BITPOS", "ff", "1", "7", "3"})) == Int(-1));
  e.Run({"SET", "empty", ""});
  CHECK(S(e.Run({"BITPOS", "empty", "0"})) == Int(-1));
  CHECK(S(e.Run({"BITPOS", "empty", "1"})) == Int(-1));

  // Far into a long value (the word loop).
  e.Run({"SETBIT", "b", "10000", "1"});
  CHECK(S(e.Run({"BITPOS", "b", "1"})) == Int(10000));
  CHECK(S(e.Run({"BITPOS", "b", "1", "20", "-1", "bit"})) == Int(10000));
  CHECK(S(e.Run({"BITPOS", "b", "0"})) == Int(0));
  e.Run({"SET", "ones", std::string(100, '\xff')});
  e.Run({"SETBIT", "ones", "777", "0"});
  CHECK(S(e.Run({"BITPOS", "ones", "0"})) == Int(777));
  PutList(e, "l");
  CHECK(S(e.Run({"BITPOS", "l", "1"})) == kWrongType);
}

TEST_CASE("BITOP on one shard", "[bitmap]") {
  TestEngine e(2);
  e.Run({"SET", "{t}a", "foobar"});
  e.Run({"SET", "{t}b", "abcdef"});
  e.Run({"SET", "{t}c", "\x01"});
  CHECK(S(e.Run({"BITOP", "AND", "{t}d", "{t}a", "{t}b"})) == Int(6));
  CHECK(S(e.Run({"GET", "{t}d"})) == "\"`bc`ab\"");
  CHECK(S(e.Run({"BITOP", "or", "{t}d", "{t}a", "{t}b"})) == Int(6));
  CHECK(S(e.Run({"GET", "{t}d"})) == "\"goofev\"");
  CHECK(S(e.Run({"BITOP", "XOR", "{t}d", "{t}a", "{t}c"})) == Int(6));
  CHECK(S(e.Run({"GET", "{t}d"})) == "\"goobar\"");
  // Shorter sources are zero-padded: AND with a short key clears the tail.
  CHECK(S(e.Run({"BITOP", "AND", "{t}d", "{t}a", "{t}c"})) == Int(6));
  CHECK(S(e.Run({"GET", "{t}d"})) == "\"" + std::string(6, '\0') + "\"");
  CHECK(S(e.Run({"BITOP", "NOT", "{t}d", "{t}c"})) == Int(1));
  CHECK(S(e.Run({"GET", "{t}d"})) == "\"\xfe\"");
  CHECK(S(e.Run({"OBJECT", "ENCODING", "{t}d"})) == "\"raw\"");
  CHECK(S(e.Run({"BITOP", "NOT", "{t}d", "{t}a", "{t}b"})) ==
        "(error) ERR BITOP NOT must be called with a single source key.");
  CHECK(S(e.Run({"BITOP", "FOO", "{t}d", "{t}a"})) == kSyntax);
  // All sources missing: the destination is deleted.
  e.Run({"EXPIRE", "{t}d", "100"});
  CHECK(S(e.Run({"BITOP", "OR", "{t}d", "{t}nope"})) == Int(0));
  CHECK(S(e.Run({"EXISTS", "{t}d"})) == Int(0));
  // The result replaces a value of another type and drops the TTL.
  PutList(e, "{t}l");
  e.Run({"SET", "{t}d", "x", "EX", "100"});
  CHECK(S(e.Run({"BITOP", "OR", "{t}d", "{t}a"})) == Int(6));
  CHECK(S(e.Run({"TTL", "{t}d"})) == Int(-1));
  CHECK(S(e.Run({"BITOP", "OR", "{t}l", "{t}a"})) == Int(6));
  CHECK(S(e.Run({"GET", "{t}l"})) == "\"foobar\"");
  PutList(e, "{t}l2");
  CHECK(S(e.Run({"BITOP", "OR", "{t}d", "{t}a", "{t}l2"})) == kWrongType);
  CHECK(S(e.Run({"GET", "{t}d"})) == "\"foobar\"");
}

TEST_CASE("BITOP with keys on several shards", "[bitmap]") {
  for (int shards : {2, 4}) {
    TestEngine e(shards);
    std::vector<std::string> k;
    for (int i = 0; i < 4; ++i) k.push_back(e.KeyOnShard(i % shards, "src" + std::to_string(i)));
    const std::string dest = e.KeyOnShard(1, "dest");
    e.Run({"SET", k[0], "foobar"});
    e.Run({"SET", k[1], "abcdef"});
    e.Run({"SET", k[2], "\x01"});
    CHECK(S(e.Run({"BITOP", "AND", dest, k[0], k[1]})) == Int(6));
    CHECK(S(e.Run({"GET", dest})) == "\"`bc`ab\"");
    CHECK(S(e.Run({"BITOP", "XOR", dest, k[0], k[2], k[3]})) == Int(6));
    CHECK(S(e.Run({"GET", dest})) == "\"goobar\"");
    CHECK(S(e.Run({"BITOP", "NOT", dest, k[2]})) == Int(1));
    CHECK(S(e.Run({"GET", dest})) == "\"\xfe\"");
    CHECK(Raw(e, dest)->value.raw);
    // From a client on another shard, with the destination elsewhere too.
    int c = e.NewClient(shards - 1);
    CHECK(S(e.Run({"BITOP", "OR", dest, k[0], k[1]}, c)) == Int(6));
    CHECK(S(e.Run({"GET", dest}, c)) == "\"goofev\"");
    CHECK(S(e.Run({"BITOP", "OR", dest, k[3]}, c)) == Int(0));
    CHECK(S(e.Run({"EXISTS", dest})) == Int(0));
    PutList(e, k[3]);
    e.Run({"SET", dest, "keep"});
    CHECK(S(e.Run({"BITOP", "OR", dest, k[0], k[3]}, c)) == kWrongType);
    CHECK(S(e.Run({"GET", dest})) == "\"keep\"");
    // A command pipelined after BITOP sees its result (the barrier).
    auto r = e.Pipeline({{"BITOP", "AND", dest, k[0], k[1]}, {"GET", dest}}, c);
    CHECK(S(r[0]) == Int(6));
    CHECK(S(r[1]) == "\"`bc`ab\"");
  }
}

TEST_CASE("BITFIELD and BITFIELD_RO", "[bitmap]") {
  TestEngine e(2);
  // Expected replies from redis-server 7.0 for the same commands.
  CHECK(S(e.Run({"BITFIELD", "bf", "SET", "i8", "#1", "-100", "INCRBY", "i8", "#1", "-100",
                 "OVERFLOW", "SAT", "INCRBY", "i8", "#1", "-100", "OVERFLOW", "FAIL", "INCRBY",
                 "u4", "0", "100", "GET", "u16", "0"})) ==
        "[(integer) 0, (integer) 56, (integer) -44, (nil), (integer) 212]");
  CHECK(S(e.Run({"BITFIELD", "bf", "overflow", "wrap", "incrby", "u2", "100", "1", "incrby", "u2",
                 "100", "1", "incrby", "u2", "100", "1", "incrby", "u2", "100", "1", "set", "u8",
                 "200", "300"})) ==
        "[(integer) 1, (integer) 2, (integer) 3, (integer) 0, (integer) 0]");
  std::string want(26, '\0');
  want[1] = '\xd4';
  want[25] = ',';
  CHECK(Raw(e, "bf")->value.str == want);
  CHECK(Raw(e, "bf")->value.raw);
  CHECK(S(e.Run({"BITFIELD", "bf", "get", "i64", "0", "set", "i64", "0", "-1", "incrby", "i64",
                 "0", "9223372036854775807"})) ==
        "[(integer) 59672695062659072, (integer) 59672695062659072, "
        "(integer) 9223372036854775806]");
  CHECK(S(e.Run({"BITFIELD", "bf"})) == "[]");
  CHECK(S(e.Run({"BITFIELD_RO", "bf", "GET", "u8", "#1"})) == "[(integer) 255]");
  CHECK(S(e.Run({"BITFIELD_RO", "nokey", "get", "i8", "0"})) == "[(integer) 0]");
  CHECK(S(e.Run({"BITFIELD", "nk", "get", "u8", "0"})) == "[(integer) 0]");
  CHECK(S(e.Run({"EXISTS", "nk"})) == Int(0));
  // SAT and FAIL on unsigned fields, reads past the end are zeros.
  CHECK(S(e.Run({"BITFIELD", "u", "OVERFLOW", "SAT", "SET", "u8", "0", "300", "INCRBY", "u8",
                 "0", "-1000", "OVERFLOW", "FAIL", "INCRBY", "u8", "0", "-1", "GET", "u8",
                 "1000"})) == "[(integer) 0, (integer) 0, (nil), (integer) 0]");
  CHECK(S(e.Run({"STRLEN", "u"})) == Int(1));

  const std::string type_err =
      "(error) ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not "
      "supported but i64 is.";
  CHECK(S(e.Run({"BITFIELD", "bf", "get", "u64", "0"})) == type_err);
  CHECK(S(e.Run({"BITFIELD", "bf", "get", "x8", "0"})) == type_err);
  CHECK(S(e.Run({"BITFIELD", "bf", "get", "i0", "0"})) == type_err);
  CHECK(S(e.Run({"BITFIELD", "bf", "get", "u8", "-1"})) ==
        "(error) ERR bit offset is not an integer or out of range");
  CHECK(S(e.Run({"BITFIELD", "bf", "get", "u8", "#x"})) ==
        "(error) ERR bit offset is not an integer or out of range");
  CHECK(S(e.Run({"BITFIELD", "bf", "overflow", "foo", "get", "u8", "0"})) ==
        "(error) ERR Invalid OVERFLOW type specified");
  CHECK(S(e.Run({"BITFIELD", "bf", "set", "u8", "0", "abc"})) == kNotInt);
  CHECK(S(e.Run({"BITFIELD", "bf", "bad"})) == kSyntax);
  CHECK(S(e.Run({"BITFIELD", "bf", "get", "u8"})) == kSyntax);
  CHECK(S(e.Run({"BITFIELD_RO", "bf", "set", "u8", "0", "1"})) ==
        "(error) ERR BITFIELD_RO only supports the GET subcommand");
  PutList(e, "bl");
  CHECK(S(e.Run({"BITFIELD", "bl", "get", "u8", "0"})) == kWrongType);
  CHECK(S(e.Run({"BITFIELD_RO", "bl", "get", "u8", "0"})) == kWrongType);
}

}  // namespace kevy::test
