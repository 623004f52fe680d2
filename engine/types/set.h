// Set: the collection behind Redis's set type (SADD, SINTER, ...).
//
// Members live as the keys of a node-based hash map (stable addresses) and, for O(1) random
// access (SPOP, SRANDMEMBER), as a dense vector of pointers to those keys; the map holds each
// member's index in the vector and removal swaps the last member into the hole. Both
// encodings Redis uses for sets in 7.0 -- "intset" while every member is a canonical integer
// and the count never passed set-max-intset-entries, "hashtable" after -- share this
// container; only the reported name (and the sorted order an intset replies in) differ.
// Like Redis, a set never converts back to intset. Single-threaded: the owning shard's.
#pragma once

#include <absl/container/node_hash_map.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/value.h"

namespace kevy {

class Set final : public Collection {
 public:
  Set() = default;

  // True if `s` is what Redis stores in an intset: a canonical int64 ("12", "-3"; not "012",
  // "+1", "-0" or "1.0").
  static bool IsIntsetMember(std::string_view s);

  // Adds a member; returns false if it was already present. `max_intset` is the current
  // set-max-intset-entries: an intset becomes a hashtable when a non-integer joins or the
  // count exceeds it.
  bool Add(std::string_view member, int64_t max_intset);
  // Removes a member; returns false if it was absent.
  bool Remove(std::string_view member);
  bool Contains(std::string_view member) const;

  // Random access for SPOP/SRANDMEMBER/SSCAN: members in an unspecified order, index < Size().
  const std::string& At(size_t i) const { return *members_[i]; }
  // Removes and returns the member at index i (the last member takes its place).
  std::string TakeAt(size_t i);

  // Every member, in the order Redis replies with them: ascending numeric for an intset
  // (an intset is sorted), storage order otherwise.
  std::vector<std::string_view> Members() const;

  bool is_intset() const { return intset_; }

  // Collection
  std::unique_ptr<Collection> Clone() const override;
  size_t Size() const override { return members_.size(); }
  std::string_view Encoding() const override { return intset_ ? "intset" : "hashtable"; }
  size_t HeapBytes() const override { return heap_bytes_; }

 private:
  absl::node_hash_map<std::string, uint32_t> index_;
  std::vector<const std::string*> members_;
  bool intset_ = true;
  size_t heap_bytes_ = 0;
};

}  // namespace kevy
