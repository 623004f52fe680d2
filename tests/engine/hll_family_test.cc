// Tests of the HyperLogLog commands (engine/commands/hll_family.cc, engine/types/hyperloglog.*):
// the values must be byte for byte what redis-server 7.0 stores for the same PFADDs, so the
// fixtures below (hex strings, or FNV-1a hashes of the 12304-byte dense values, and counts)
// were captured from a real redis-server with the elements named in each case.
#include <catch2/catch.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/shard.h"
#include "engine/types/hyperloglog.h"
#include "engine/value.h"
#include "tests/support/test_engine.h"

namespace kevy::test {
namespace {

const char* const kNotHll = "(error) WRONGTYPE Key is not a valid HyperLogLog string value.";

Entry* Raw(TestEngine& e, const std::string& key) {
  return e.shard(e.server().slots.ShardOf(key)).db(0).FindRaw(key);
}
std::string Hex(const std::string& s) {
  static const char* d = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out += d[c >> 4];
    out += d[c & 15];
  }
  return out;
}
uint64_t Fnv(const std::string& s) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}
std::string Value(TestEngine& e, const std::string& key) { return Raw(e, key)->value.str; }

// PFADD key e<from> .. e<to-1>, in batches.
void AddRange(TestEngine& e, const std::string& key, int from, int to, const char* prefix = "e") {
  for (int i = from; i < to; i += 1000) {
    std::vector<std::string> cmd{"PFADD", key};
    for (int j = i; j < to && j < i + 1000; ++j) cmd.push_back(prefix + std::to_string(j));
    e.Run(cmd);
  }
}

const char* const kS100 =
    "48594c4c01000000000000000000008036843c8040a9a40e88409084406c9c048840e28041358840d380411d88"
    "40898041168c419080098040e08040948041578440a280408384405d8440e1844199844081803c844047840780"
    "404e80408f840984405184268441258440d38042638040a280404b8c406f80420b8c41798041478041638040668440"
    "f98c0184218811804182844062803088407984228040de8440d3884045800a88420090118440c184018041138440"
    "848c1684228040a88440e180422a84410384168041178441658c414e802680058040598040ec882e88413c880380"
    "405b841b803f80409b802184412e88408f90407e80408480415f8033844079844193844058902e80406a840d8039"
    "801380409a882880408c";

}  // namespace

TEST_CASE("MurmurHash64A and the empty HLL match Redis", "[hll]") {
  CHECK(Hex(hll::NewSparse()) == "48594c4c0100000000000000000000007fff");
}

TEST_CASE("PFADD builds Redis's sparse bytes", "[hll]") {
  TestEngine e(2);
  CHECK(S(e.Run({"PFADD", "empty"})) == Int(1));
  CHECK(S(e.Run({"PFADD", "empty"})) == Int(0));
  CHECK(Hex(Value(e, "empty")) == "48594c4c0100000000000000000000807fff");
  CHECK(S(e.Run({"PFADD", "s3", "a", "b", "c"})) == Int(1));
  CHECK(Hex(Value(e, "s3")) == "48594c4c01000000000000000000008060f38050b1844bfb80425a");
  CHECK(S(e.Run({"PFADD", "s3", "a", "c"})) == Int(0));
  CHECK(S(e.Run({"PFCOUNT", "s3"})) == Int(3));
  // The count is now cached in the header.
  CHECK(Hex(Value(e, "s3")) == "48594c4c01000000030000000000000060f38050b1844bfb80425a");
  CHECK(S(e.Run({"PFCOUNT", "s3"})) == Int(3));
  CHECK(S(e.Run({"OBJECT", "ENCODING", "s3"})) == "\"raw\"");

  AddRange(e, "s100", 0, 100);
  CHECK(Value(e, "s100").size() == 285);
  CHECK(Hex(Value(e, "s100")) == kS100);
  CHECK(S(e.Run({"PFCOUNT", "s100"})) == Int(100));

  AddRange(e, "s1000", 0, 1000);
  CHECK(Value(e, "s1000").size() == 1906);
  CHECK(Value(e, "s1000")[4] == 1);
  CHECK(Fnv(Value(e, "s1000")) == 0x5935de0232806824ULL);
  CHECK(S(e.Run({"PFCOUNT", "s1000"})) == Int(1008));
  // A value set with SET (as moved from Redis) is read the same way.
  e.Run({"SET", "copy", Value(e, "s100")});
  CHECK(S(e.Run({"PFCOUNT", "copy"})) == Int(100));
}

TEST_CASE("PFADD turns dense past hll-sparse-max-bytes as Redis does", "[hll]") {
  TestEngine e(2);
  AddRange(e, "d", 0, 100000);
  const std::string v = Value(e, "d");
  CHECK(v.size() == hll::kDenseSize);
  CHECK(v[4] == 0);
  CHECK(Fnv(v) == 0xafbf1713dc5ba3c8ULL);
  CHECK(S(e.Run({"PFCOUNT", "d"})) == Int(100853));
  CHECK(Fnv(Value(e, "d")) == 0xfd1fc23694773e63ULL);
  // A lower threshold converts sooner: 1000 elements no longer fit in 1000 bytes.
  e.Run({"CONFIG", "SET", "hll-sparse-max-bytes", "1000"});
  AddRange(e, "d2", 0, 1000);
  CHECK(Value(e, "d2").size() == hll::kDenseSize);
  CHECK(S(e.Run({"PFCOUNT", "d2"})) == Int(1008));
}

TEST_CASE("PFCOUNT and PFMERGE over several keys", "[hll]") {
  for (int shards : {2, 4}) {
    TestEngine e(shards);
    const std::string d = e.KeyOnShard(0, "d"), o = e.KeyOnShard(1 % shards, "o");
    const std::string s3 = e.KeyOnShard(shards - 1, "s3"), s100 = e.KeyOnShard(1, "s100");
    AddRange(e, d, 0, 100000);
    AddRange(e, o, 0, 5000, "o");
    e.Run({"PFADD", s3, "a", "b", "c"});
    AddRange(e, s100, 0, 100);
    CHECK(S(e.Run({"PFCOUNT", d, o, s3})) == Int(105924));
    CHECK(S(e.Run({"PFCOUNT", d, "{x}missing", o, s3})) == Int(105924));
    const std::string m = e.KeyOnShard(0, "m"), m2 = e.KeyOnShard(shards - 1, "m2");
    CHECK(S(e.Run({"PFMERGE", m, s3, s100})) == "OK");
    CHECK(Hex(Value(e, m)) ==
          "48594c4c01000000000000000000008036843c8040a9a40e88409084406c9c048840e28041358840d38041"
          "1d8840898041168c419080098040e08040948041578440a280408384405d8440e1844199844081803c8440"
          "47840780404e80408f840984405184268441258440d38042638040a280404b8c406f80420b8c4179804147"
          "8041638040668440f98c01842188118040878040f9844062803088407984228040de8440d3884045800a88"
          "420090118440c184018041138440848c1684228040a88440e180422a84410384168041178441658c407184"
          "40db802680058040598040ec882e88413c880380405b841b803f80409b802184412e88408f90407e804084"
          "80415f803384407984419384404b800b902e80406a840d8039801380409a882880408c");
    CHECK(S(e.Run({"PFCOUNT", m})) == Int(103));
    int c = e.NewClient(shards - 1);
    CHECK(S(e.Run({"PFMERGE", m2, d, s3}, c)) == "OK");
    CHECK(Fnv(Value(e, m2)) == 0xafbf1713dc5ba3c8ULL);
    CHECK(S(e.Run({"PFCOUNT", m2}, c)) == Int(100853));
    // Errors: another type, a string that is not an HLL; nothing is written.
    const std::string bad = e.KeyOnShard(1 % shards, "bad");
    e.Run({"SET", bad, "HYLLx"});
    CHECK(S(e.Run({"PFCOUNT", d, bad})) == kNotHll);
    CHECK(S(e.Run({"PFMERGE", m, bad}, c)) == kNotHll);
    CHECK(S(e.Run({"PFCOUNT", m})) == Int(103));
    const std::string lst = e.KeyOnShard(1 % shards, "lst");
    e.Run({"LPUSH", lst, "x"});
    CHECK(S(e.Run({"PFMERGE", m, s3, lst})) == kWrongType);
    // A pipelined read after PFMERGE sees its result (the barrier).
    const std::string m3 = e.KeyOnShard(1 % shards, "m3");
    auto r = e.Pipeline({{"PFMERGE", m3, s100, s3}, {"PFCOUNT", m3}}, c);
    CHECK(S(r[0]) == "OK");
    CHECK(S(r[1]) == Int(103));
  }
}

TEST_CASE("HLL errors and corner cases", "[hll]") {
  TestEngine e(2);
  e.Run({"SET", "str", "hello"});
  CHECK(S(e.Run({"PFADD", "str", "a"})) == kNotHll);
  CHECK(S(e.Run({"PFCOUNT", "str"})) == kNotHll);
  CHECK(S(e.Run({"PFMERGE", "str", "str"})) == kNotHll);
  e.Run({"LPUSH", "l", "x"});
  CHECK(S(e.Run({"PFADD", "l", "a"})) == kWrongType);
  CHECK(S(e.Run({"PFCOUNT", "l"})) == kWrongType);
  CHECK(S(e.Run({"PFCOUNT", "missing"})) == Int(0));
  // A dense header with the wrong length is not an HLL.
  std::string v = hll::NewSparse();
  v[4] = 0;
  e.Run({"SET", "baddense", v});
  CHECK(S(e.Run({"PFCOUNT", "baddense"})) == kNotHll);
  // A corrupt sparse body (runs not adding up to 16384 registers).
  std::string c = hll::NewSparse();
  c.back() = '\x00';
  e.Run({"SET", "corrupt", c});
  // As in Redis, PFADD only walks the runs up to the register it sets, so it still succeeds
  // (the bytes are Redis's), while PFCOUNT reads every run and reports the corruption.
  CHECK(S(e.Run({"PFADD", "corrupt", "a"})) == Int(1));
  CHECK(S(e.Run({"PFCOUNT", "corrupt"})) == "(error) INVALIDOBJ Corrupted HLL object detected");
  CHECK(S(e.Run({"PFADD", "corrupt", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k",
                 "l"})) == Int(1));
  CHECK(Hex(Value(e, "corrupt")) ==
        "48594c4c010000000000000000000080466d8049e88040c4844b5c80443c843880423d804b838042ed8441fc"
        "8c478e80426d80415b");
  CHECK(S(e.Run({"PFCOUNT", "corrupt", "s"})) ==
        "(error) INVALIDOBJ Corrupted HLL object detected");
  // PFMERGE into a missing key creates an empty HLL.
  CHECK(S(e.Run({"PFMERGE", "new"})) == "OK");
  CHECK(Hex(Value(e, "new")) == "48594c4c0100000000000000000000807fff");
}

}  // namespace kevy::test
