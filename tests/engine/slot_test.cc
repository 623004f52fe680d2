// Unit tests for engine/slot: CRC16 (XMODEM), key -> hash slot with Redis Cluster's hash-tag
// rules (expected slots taken from `redis-cli cluster keyslot` on redis-server 7.0.15), and
// the slot table's even, contiguous split of the slots over shards.
#include "engine/slot.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <string>
#include <vector>

namespace kevy {
namespace {

using namespace std::string_literals;

TEST_CASE("slot: CRC16 is XMODEM", "[slot]") {
  CHECK(Crc16("123456789", 9) == 0x31C3);  // the standard check value
  CHECK(Crc16("", 0) == 0);
  CHECK(Crc16("a", 1) == 0x7C87);
}

TEST_CASE("slot: KeySlot matches redis-server's CLUSTER KEYSLOT", "[slot]") {
  struct Case {
    std::string key;
    uint16_t slot;
  };
  const Case cases[] = {
      {"foo", 12182},
      {"bar", 5061},
      {"{user1000}.following", 3443},
      {"{user1000}.followers", 3443},
      {"foo{}{bar}", 8363},     // an empty tag: the whole key is hashed
      {"foo{{bar}}zap", 4015},  // the tag is "{bar"
      {"{bar", 4015},
      {"foo{bar}{zap}", 5061},  // only the first tag counts: "bar"
      {"", 0},
      {"{}", 15257},
      {"a{b}c", 3300},
      {"123456789", 12739},
      {"key:000000000042", 7803},
      {"}{", 12793},
      {"{a}{b}", 15495},
  };
  for (const Case& c : cases) {
    INFO(c.key);
    CHECK(KeySlot(c.key) == c.slot);
  }
  // The spec's rules restated through CRC16 itself.
  CHECK(KeySlot("foo{}{bar}") == (Crc16("foo{}{bar}", 10) & 16383));
  CHECK(KeySlot("foo{{bar}}zap") == (Crc16("{bar", 4) & 16383));
  CHECK(KeySlot("foo{bar}{zap}") == KeySlot("bar"));
  CHECK(KeySlot("x{tag}y") == KeySlot("{tag}"));
  CHECK(KeySlot("a\0{b}"s) == KeySlot("b"));  // binary keys are hashed byte for byte
  for (int i = 0; i < 1000; ++i) CHECK(KeySlot("key:" + std::to_string(i)) < kNumSlots);
}

TEST_CASE("slot: SlotTable spreads slots evenly and contiguously", "[slot]") {
  for (uint16_t shards : {1, 2, 3, 4, 5, 7, 8, 16, 64, 1000}) {
    INFO("shards " << shards);
    SlotTable t(shards);
    REQUIRE(t.num_shards() == shards);
    std::vector<int> count(shards, 0);
    uint16_t prev = 0;
    for (uint32_t s = 0; s < kNumSlots; ++s) {
      uint16_t owner = t.ShardOfSlot(static_cast<uint16_t>(s));
      REQUIRE(owner < shards);
      // Contiguous: owners never decrease and never skip a shard.
      REQUIRE(owner >= prev);
      REQUIRE(owner - prev <= 1);
      prev = owner;
      ++count[owner];
    }
    CHECK(t.ShardOfSlot(0) == 0);
    CHECK(t.ShardOfSlot(kNumSlots - 1) == shards - 1);
    int lo = kNumSlots, hi = 0;
    for (int c : count) {
      lo = std::min(lo, c);
      hi = std::max(hi, c);
    }
    CHECK(hi - lo <= 1);  // even
    for (const char* key : {"foo", "bar", "{user1000}.following"})
      CHECK(t.ShardOf(key) == t.ShardOfSlot(KeySlot(key)));
  }
  SlotTable zero(0);  // treated as one shard
  CHECK(zero.num_shards() == 1);
  CHECK(zero.ShardOf("foo") == 0);
  SlotTable two(2);
  CHECK(two.ShardOfSlot(8191) == 0);
  CHECK(two.ShardOfSlot(8192) == 1);
}

}  // namespace
}  // namespace kevy
