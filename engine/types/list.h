// List: the collection behind Redis lists (LPUSH, LRANGE, LMOVE, ...).
//
// Elements live in a std::deque<std::string>: O(1) push and pop at both ends and O(1)
// access by index (LINDEX, LSET, LRANGE's start), as Redis's quicklist offers for the ends.
// Redis 7.0 encodes every list as a quicklist (the single-listpack encoding for small lists
// arrived in 7.2), so Encoding() always answers "quicklist", whatever the size.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>

#include "engine/value.h"

namespace kevy {

class List final : public Collection {
 public:
  List() = default;

  std::unique_ptr<Collection> Clone() const override { return std::make_unique<List>(*this); }
  size_t Size() const override { return items_.size(); }
  std::string_view Encoding() const override { return "quicklist"; }
  size_t HeapBytes() const override;

  // The elements, head first. Callers (the list family, loaders) edit them directly.
  std::deque<std::string>& items() { return items_; }
  const std::deque<std::string>& items() const { return items_; }

  // Redis's index rule: a negative index counts from the tail (-1 = last). Returns the
  // position in [0, Size()) or -1 when out of range.
  int64_t Resolve(int64_t index) const {
    const int64_t n = static_cast<int64_t>(items_.size());
    if (index < 0) index += n;
    return index < 0 || index >= n ? -1 : index;
  }

 private:
  std::deque<std::string> items_;
};

}  // namespace kevy
