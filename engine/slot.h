// Key -> hash slot -> shard. A key's slot is CRC16(key) mod 16384 (XMODEM CRC16, as Redis
// Cluster), hashing only the part inside the first non-empty {...} when there is one. A
// SlotTable maps the 16384 slots to shards; the default spreads them evenly.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace kevy {

inline constexpr uint16_t kNumSlots = 16384;

uint16_t Crc16(const char* buf, size_t len);
uint16_t KeySlot(std::string_view key);

class SlotTable {
 public:
  explicit SlotTable(uint16_t num_shards = 1);
  uint16_t ShardOfSlot(uint16_t slot) const { return owner_[slot]; }
  uint16_t ShardOf(std::string_view key) const { return owner_[KeySlot(key)]; }
  uint16_t num_shards() const { return num_shards_; }

 private:
  uint16_t num_shards_;
  std::vector<uint16_t> owner_;
};

}  // namespace kevy
