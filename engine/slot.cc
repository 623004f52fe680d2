// CRC16 (XMODEM: poly 0x1021, init 0) and the slot table, as Redis Cluster defines them.
#include "engine/slot.h"

#include <array>

namespace kevy {

namespace {
constexpr std::array<uint16_t, 256> MakeCrcTable() {
  std::array<uint16_t, 256> t{};
  for (int i = 0; i < 256; ++i) {
    uint16_t crc = static_cast<uint16_t>(i << 8);
    for (int b = 0; b < 8; ++b)
      crc = static_cast<uint16_t>((crc & 0x8000) ? (crc << 1) ^ 0x1021 : crc << 1);
    t[i] = crc;
  }
  return t;
}
constexpr auto kCrcTable = MakeCrcTable();
}  // namespace

uint16_t Crc16(const char* buf, size_t len) {
  uint16_t crc = 0;
  for (size_t i = 0; i < len; ++i)
    crc = static_cast<uint16_t>((crc << 8) ^
                                kCrcTable[((crc >> 8) ^ static_cast<uint8_t>(buf[i])) & 0xff]);
  return crc;
}

uint16_t KeySlot(std::string_view key) {
  size_t open = key.find('{');
  if (open != std::string_view::npos) {
    size_t close = key.find('}', open + 1);
    if (close != std::string_view::npos && close != open + 1)
      return Crc16(key.data() + open + 1, close - open - 1) & (kNumSlots - 1);
  }
  return Crc16(key.data(), key.size()) & (kNumSlots - 1);
}

SlotTable::SlotTable(uint16_t num_shards) : num_shards_(num_shards ? num_shards : 1) {
  owner_.resize(kNumSlots);
  // Contiguous ranges, as a cluster would assign them: shard i owns [i*N/S, (i+1)*N/S).
  for (uint32_t s = 0; s < kNumSlots; ++s)
    owner_[s] = static_cast<uint16_t>(s * num_shards_ / kNumSlots);
}

}  // namespace kevy
