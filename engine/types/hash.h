// Hash: the collection behind Redis's hash type (HSET, HGET, ...).
//
// Two forms, reported as Redis's OBJECT ENCODING names them:
//   "listpack"  a vector of (field, value) pairs in insertion order -- the order Redis's
//               listpack gives HGETALL/HKEYS/HSCAN for small hashes, so replies match
//               byte for byte. Lookups are linear, bounded by hash-max-listpack-entries.
//   "hashtable" engine/table.h's Table of Entry nodes (Entry::key is the field,
//               Entry::value.str the value). Reusing the keyspace table gives HSCAN the same
//               reverse-binary cursor guarantee as SCAN (every field present for the whole
//               scan is returned at least once, across inserts, deletes and resizes), and
//               incremental rehashing instead of a latency spike on growth.
// A hash converts to "hashtable" when it would exceed hash-max-listpack-entries entries or
// when a field or value longer than hash-max-listpack-value bytes is stored, and never
// converts back (as Redis). Single-threaded: owned by one shard's Db.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/table.h"
#include "engine/value.h"

namespace kevy {

class Hash : public Collection {
 public:
  // The conversion thresholds (hash-max-listpack-entries / -value), read per command.
  struct Limits {
    size_t max_entries = 512;
    size_t max_value = 64;
  };

  Hash() = default;
  ~Hash() override = default;

  std::unique_ptr<Collection> Clone() const override;
  size_t Size() const override { return listpack_ ? pairs_.size() : table_.size(); }
  std::string_view Encoding() const override { return listpack_ ? "listpack" : "hashtable"; }
  size_t HeapBytes() const override;

  bool is_listpack() const { return listpack_; }

  // The value of `field`, or nullptr. Valid until the hash is next modified.
  std::string* Find(std::string_view field);
  // Sets field to value; returns true when the field is new. Converts to "hashtable" first
  // when the new contents would exceed `lim`.
  bool Set(std::string_view field, std::string_view value, const Limits& lim);
  // Removes field; returns true if it was present.
  bool Erase(std::string_view field);

  // Calls fn(field, value) for every pair: insertion order for listpack, table order else.
  // fn must not modify the hash.
  template <class Fn>
  void ForEach(Fn&& fn) const {
    if (listpack_) {
      for (const auto& p : pairs_) fn(std::string_view(p.first), std::string_view(p.second));
    } else {
      table_.ForEach(
          [&](const Entry* e) { fn(std::string_view(e->key), std::string_view(e->value.str)); });
    }
  }

  // One HSCAN step over the "hashtable" form (see Table::Scan): calls fn(field, value) for
  // the fields at `cursor`, returns the next cursor (0 when done). Only for !is_listpack().
  template <class Fn>
  uint64_t ScanTable(uint64_t cursor, Fn&& fn) {
    return table_.Scan(cursor, [&](const Entry* e) {
      fn(std::string_view(e->key), std::string_view(e->value.str));
    });
  }

  // A random (field, value) pair of a non-empty hash (uniform for listpack; for the table,
  // a random bucket's random entry as Redis's dictGetFairRandomKey).
  std::pair<std::string_view, std::string_view> Random(uint64_t (*rng)(void*), void* state);
  // `count` distinct random pairs, 0 < count < Size(); O(count) for a large table when
  // count is small against Size(), O(Size()) otherwise.
  std::vector<std::pair<std::string_view, std::string_view>> RandomDistinct(size_t count,
                                                                            uint64_t (*rng)(void*),
                                                                            void* state);

 private:
  void ConvertToTable();

  bool listpack_ = true;
  std::vector<std::pair<std::string, std::string>> pairs_;  // listpack form
  Table table_;                                             // hashtable form
};

}  // namespace kevy
