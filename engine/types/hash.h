// Hash: the collection behind Redis's hash type (HSET, HGET, ...).
//
// Two forms, reported as Redis's OBJECT ENCODING names them:
//   "listpack"  a Listpack (engine/types/listpack.h) of field, value, field, value, ... in
//               insertion order -- the order Redis's listpack gives HGETALL/HKEYS/HSCAN for
//               small hashes, so replies match byte for byte. One allocation for the whole
//               hash; lookups are linear, bounded by hash-max-listpack-entries.
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
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/table.h"
#include "engine/types/listpack.h"
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
  size_t Size() const override { return table_ ? table_->size() : lp_.size() / 2; }
  std::string_view Encoding() const override { return table_ ? "hashtable" : "listpack"; }
  size_t HeapBytes() const override;

  bool is_listpack() const { return !table_; }

  // The value of `field`, or nullopt. Valid until the hash is next modified.
  std::optional<std::string_view> Find(std::string_view field) const;
  // Sets field to value; returns true when the field is new. Converts to "hashtable" first
  // when the new contents would exceed `lim`.
  bool Set(std::string_view field, std::string_view value, const Limits& lim);
  // Removes field; returns true if it was present.
  bool Erase(std::string_view field);

  // Calls fn(field, value) for every pair: insertion order for listpack, table order else.
  // fn must not modify the hash.
  template <class Fn>
  void ForEach(Fn&& fn) const {
    if (!table_) {
      for (size_t p = lp_.begin(), e = lp_.end(); p != e;) {
        size_t v = lp_.Next(p);
        size_t next = lp_.Next(v);
        fn(lp_.Str(p), lp_.Str(v));
        p = next;
      }
    } else {
      table_->ForEach(
          [&](const Entry* e) { fn(std::string_view(e->key), std::string_view(e->value.str)); });
    }
  }

  // One HSCAN step over the "hashtable" form (see Table::Scan): calls fn(field, value) for
  // the fields at `cursor`, returns the next cursor (0 when done). Only for !is_listpack().
  template <class Fn>
  uint64_t ScanTable(uint64_t cursor, Fn&& fn) {
    return table_->Scan(cursor, [&](const Entry* e) {
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
  // Position of field's entry in lp_, or lp_.end().
  size_t LpFind(std::string_view field) const;

  Listpack lp_;                   // listpack form (empty once converted)
  std::unique_ptr<Table> table_;  // hashtable form; null while a listpack
};

}  // namespace kevy
