// Set: the collection behind Redis's set type (SADD, SINTER, ...), in Redis 7.0's two
// encodings:
//   "intset"     while every member is a canonical integer and the count never passed
//                set-max-intset-entries: a sorted array of integers in one allocation, each
//                2, 4 or 8 bytes wide (the narrowest that holds every member; the width only
//                grows, as Redis's intset upgrade). Members come out ascending, as Redis.
//   "hashtable"  (behind a pointer, so an intset costs only a small object) members in a
//                dense vector -- O(1) random access for SPOP, SRANDMEMBER and SSCAN -- plus
//                an open-addressing index of their positions (4 bytes a slot) hashed by the
//                member they point at; removal swaps the last member into the hole.
// Like Redis, a set never converts back to intset. Single-threaded: the owning shard's.
#pragma once

#include <absl/container/flat_hash_set.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/value.h"

namespace kevy {

class Set final : public Collection {
 public:
  // Scratch space that At() formats an intset member into.
  struct NumBuf {
    char b[24];
  };

  // Members() result: views in Redis's reply order, with the storage for formatted
  // intset members; valid until the set is next modified (and while this list lives).
  class MemberList {
   public:
    using const_iterator = std::vector<std::string_view>::const_iterator;
    const_iterator begin() const { return views_.begin(); }
    const_iterator end() const { return views_.end(); }
    size_t size() const { return views_.size(); }
    bool empty() const { return views_.empty(); }
    std::string_view operator[](size_t i) const { return views_[i]; }

   private:
    friend class Set;
    std::vector<std::string_view> views_;
    std::unique_ptr<char[]> store_;
  };

  Set();
  ~Set() override;
  Set(const Set&) = delete;
  Set& operator=(const Set&) = delete;

  // True if `s` is what Redis stores in an intset: a canonical int64 ("12", "-3"; not "012",
  // "+1", "-0" or "1.0").
  static bool IsIntsetMember(std::string_view s);

  // Adds a member; returns false if it was already present. `max_intset` is the current
  // set-max-intset-entries: an intset becomes a hashtable when a non-integer joins or the
  // count would exceed it.
  bool Add(std::string_view member, int64_t max_intset);
  // Removes a member; returns false if it was absent.
  bool Remove(std::string_view member);
  bool Contains(std::string_view member) const;

  // Random access for SPOP/SRANDMEMBER/SSCAN, index < Size(): the i-th smallest integer of
  // an intset (formatted into *buf), a position in the member vector otherwise. Valid until
  // the set is next modified.
  std::string_view At(size_t i, NumBuf* buf) const;
  // Removes and returns the member at index i (for a hashtable the last member takes its
  // place).
  std::string TakeAt(size_t i);

  // Every member, in the order Redis replies with them: ascending numeric for an intset,
  // storage order otherwise.
  MemberList Members() const;

  bool is_intset() const { return !table_; }

  // Collection
  std::unique_ptr<Collection> Clone() const override;
  size_t Size() const override;
  std::string_view Encoding() const override { return table_ ? "hashtable" : "intset"; }
  size_t HeapBytes() const override;

 private:
  // Intset buffer: [u32 count][u32 width in bytes][count sorted integers of that width].
  size_t IntCount() const;
  int64_t IntAt(size_t i) const;
  // Index of the first element >= v; *found tells whether it equals v.
  size_t IntLowerBound(int64_t v, bool* found) const;
  void IntInsert(size_t pos, int64_t v);
  void IntErase(size_t pos);
  void ConvertToTable();

  // The hashtable form. Not movable: the index's hasher points at `members`.
  struct Table;

  std::unique_ptr<Table> table_;  // hashtable form; null while an intset
  char* ints_ = nullptr;          // intset form (null when empty)
};

}  // namespace kevy
