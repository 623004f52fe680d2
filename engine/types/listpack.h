// Listpack: the compact form of small hashes and sorted sets -- a sequence of entries
// packed into one heap allocation, as Redis's listpack (the layout is kevy's own).
//
//   [u32 total bytes][u32 entry count][entry]...
//   entry = tag byte, then payload:
//     0x00-0x7F  string of that length (0..127 bytes), bytes follow
//     0x80       string, LEB128 length follows (>= 128), then the bytes
//     0x81-0x84  integer in 1 / 2 / 4 / 8 little-endian two's-complement bytes
//     0x85       double, 8 bytes (IEEE 754, host order)
//     0xC0-0xFF  integer 0..63 held in the tag itself
// Strings are stored verbatim (binary safe, NULs included) so readers get a string_view
// into the buffer; numbers (sorted-set scores) are stored as the smallest integer that
// holds them exactly, else as a double. An empty listpack owns no memory. The buffer is
// resized to its exact size on every change (as Redis does), so a listpack is meant for
// the small sizes the *-max-listpack-* thresholds allow: edits are O(bytes).
// Positions are byte offsets, valid until the next modification.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace kevy {

class Listpack {
 public:
  static constexpr size_t kHeader = 8;
  // Largest buffer a listpack may grow to (Redis's LISTPACK_MAX_SAFETY_SIZE): callers
  // convert to their large form rather than pass it, so the u32 header never overflows.
  static constexpr size_t kMaxSafeBytes = size_t{1} << 30;

  Listpack() = default;
  ~Listpack();
  Listpack(const Listpack& o);
  Listpack& operator=(const Listpack&) = delete;
  Listpack(Listpack&& o) noexcept : buf_(o.buf_) { o.buf_ = nullptr; }
  Listpack& operator=(Listpack&& o) noexcept;

  size_t size() const { return buf_ ? Load32(buf_ + 4) : 0; }  // number of entries
  bool empty() const { return buf_ == nullptr; }
  size_t bytes() const { return buf_ ? Load32(buf_) : 0; }  // heap bytes held
  // Whether `add` more payload bytes (plus their entry headers) keep it under the cap.
  bool SafeToAdd(size_t add) const { return end() + add + 32 <= kMaxSafeBytes; }
  void clear();

  size_t begin() const { return kHeader; }
  size_t end() const { return buf_ ? Load32(buf_) : kHeader; }
  // The position after the entry at pos.
  size_t Next(size_t pos) const;
  bool IsString(size_t pos) const { return static_cast<uint8_t>(buf_[pos]) <= 0x80; }
  // The string at pos (must be a string entry); valid until the next modification.
  std::string_view Str(size_t pos) const;
  // The number at pos (must be a number entry).
  double Num(size_t pos) const;

  // Appends the encoding of an entry to *out (to build what Splice inserts).
  static void EncodeStr(std::string* out, std::string_view s);
  static void EncodeNum(std::string* out, double d);

  // Replaces the bytes [pos, old_end) -- whole entries -- by `encoded`, which holds
  // `entries_delta` more entries than the replaced range did.
  void Splice(size_t pos, size_t old_end, std::string_view encoded, int64_t entries_delta);

 private:
  static uint32_t Load32(const char* p);
  static void Store32(char* p, uint32_t v);

  char* buf_ = nullptr;
};

}  // namespace kevy
