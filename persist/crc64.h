// CRC-64 as Redis computes it for RDB files and DUMP payloads: the Jones polynomial
// (0xad93d23594c935a9), reflected input and output, initial value 0, no final xor
// (Redis's src/crc64.c). Crc64(0, "123456789") == 0xe9c6d914c4b8d9ca.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace kevy {

// Continues a CRC over `len` more bytes: Crc64(Crc64(0, a), b) == Crc64(0, a + b).
// Pure function, any thread.
uint64_t Crc64(uint64_t crc, const void* data, size_t len);
inline uint64_t Crc64(uint64_t crc, std::string_view data) {
  return Crc64(crc, data.data(), data.size());
}

}  // namespace kevy
