// Table: the keyspace hash table of one database on one shard.
//
// A chained hash table with power-of-two bucket arrays and incremental rehashing, as Redis's
// dict: while growing or shrinking, two arrays coexist and every operation moves a few
// buckets. Its reason to exist over absl::flat_hash_map is SCAN: the reverse-binary cursor
// (Pieter Noordhuis's algorithm, dictScan) visits every entry that is present for the whole
// scan at least once, even across resizes -- a guarantee an open-addressing table whose
// order changes on rehash cannot give. Entries are nodes owned by the table; pointers to
// them stay valid until the entry is erased.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "engine/value.h"

namespace kevy {

inline constexpr int64_t kNoExpire = -1;

struct Entry {
  Entry* next = nullptr;
  uint64_t hash = 0;
  int64_t expire_at_ms = kNoExpire;  // absolute unix ms, kNoExpire when persistent
  uint32_t volatile_idx = 0;         // position in Db's volatile index while expire_at_ms set
  uint32_t access_s = 0;             // LRU clock (seconds) of the last access
  uint32_t snap_epoch = 0;           // the last snapshot that covered it (engine/snapshot.h)
  std::string key;
  Value value;
};

uint64_t HashKey(std::string_view key);

class Table {
 public:
  Table() = default;
  ~Table();
  Table(const Table&) = delete;
  Table& operator=(const Table&) = delete;
  Table(Table&& o) noexcept;
  Table& operator=(Table&& o) noexcept;

  size_t size() const { return used_[0] + used_[1]; }
  bool empty() const { return size() == 0; }

  Entry* Find(std::string_view key, uint64_t hash);
  Entry* Find(std::string_view key) { return Find(key, HashKey(key)); }
  // Links a new entry (its key must not be present; hash must be HashKey(key)). Owns it.
  void Insert(Entry* e);
  // Links e unless an entry with its key is present (hash must be HashKey(e->key)): returns
  // that entry and leaves e alone, else takes e and returns nullptr. One walk of the chain
  // for both the check and the insert (start-up loading).
  Entry* InsertIfAbsent(Entry* e);
  // Sizes an empty table for n entries up front, so filling it never rehashes (the RDB's
  // RESIZEDB hint). No effect on a table that has entries.
  void Reserve(size_t n);
  // Starts fetching the bucket `hash` falls in, ahead of an InsertIfAbsent/Find with it;
  // PrefetchChain, later, the first entry of its chain (reading the bucket: call it once the
  // bucket had time to arrive). Hints only -- no effect on the contents.
  void Prefetch(uint64_t hash) const {
    const int t = rehashing() ? 1 : 0;
    if (buckets_[t]) __builtin_prefetch(&buckets_[t][hash & Mask(exp_[t])], 1);
  }
  void PrefetchChain(uint64_t hash) const {
    const int t = rehashing() ? 1 : 0;
    if (!buckets_[t]) return;
    if (const Entry* e = buckets_[t][hash & Mask(exp_[t])]) __builtin_prefetch(e);
  }
  // Unlinks the entry with this key and returns it (caller deletes), or nullptr.
  Entry* Unlink(std::string_view key, uint64_t hash);
  // Deletes every entry.
  void Clear();

  // One SCAN step: calls fn(Entry*) for the entries of the bucket(s) at `cursor` and
  // returns the next cursor (0 when the scan is complete). fn must not modify the table.
  template <class Fn>
  uint64_t Scan(uint64_t cursor, Fn&& fn);

  // A uniformly chosen bucket's random entry (Redis's dictGetFairRandomKey-lite), or nullptr.
  Entry* Random(uint64_t (*rng)(void*), void* rng_state);

  // Moves up to n buckets of an ongoing rehash. Returns true if more work remains.
  bool RehashStep(int n);
  // Completes an ongoing rehash at once, prefetching ahead (a bulk load, which would
  // otherwise pay a cache miss per moved entry, one bucket per insert).
  void RehashAll();
  bool rehashing() const { return rehash_idx_ >= 0; }
  // Shrinks the table if it is very sparse (called from the shard's cron).
  void MaybeShrink();

  // Calls fn(Entry*) for every entry; fn may not modify the table.
  template <class Fn>
  void ForEach(Fn&& fn) const;

 private:
  // Every entry is in the new table: it becomes the only one.
  void FinishRehash();
  // Puts `e` at the head of its bucket (in the new table while rehashing), growing first.
  void Link(Entry* e);
  void Expand(size_t size);
  void MaybeExpand();
  static size_t Mask(size_t exp) { return (size_t{1} << exp) - 1; }
  size_t Buckets(int t) const { return buckets_[t] ? size_t{1} << exp_[t] : 0; }
  void RehashIfNeeded() {
    if (rehash_idx_ >= 0) RehashStep(1);
  }

  Entry** buckets_[2] = {nullptr, nullptr};
  uint8_t exp_[2] = {0, 0};
  size_t used_[2] = {0, 0};
  int64_t rehash_idx_ = -1;
};

// --- inline template definitions ---

template <class Fn>
uint64_t Table::Scan(uint64_t v, Fn&& fn) {
  if (size() == 0) return 0;
  auto rev = [](uint64_t x) {
    x = ((x >> 1) & 0x5555555555555555ULL) | ((x & 0x5555555555555555ULL) << 1);
    x = ((x >> 2) & 0x3333333333333333ULL) | ((x & 0x3333333333333333ULL) << 2);
    x = ((x >> 4) & 0x0F0F0F0F0F0F0F0FULL) | ((x & 0x0F0F0F0F0F0F0F0FULL) << 4);
    x = ((x >> 8) & 0x00FF00FF00FF00FFULL) | ((x & 0x00FF00FF00FF00FFULL) << 8);
    x = ((x >> 16) & 0x0000FFFF0000FFFFULL) | ((x & 0x0000FFFF0000FFFFULL) << 16);
    return (x >> 32) | (x << 32);
  };
  auto emit_bucket = [&](int t, uint64_t idx) {
    for (Entry* e = buckets_[t][idx]; e; e = e->next) fn(e);
  };
  if (!rehashing()) {
    uint64_t m0 = Mask(exp_[0]);
    emit_bucket(0, v & m0);
    v |= ~m0;
    v = rev(v);
    v++;
    v = rev(v);
  } else {
    int t0 = 0, t1 = 1;
    if (Buckets(t0) > Buckets(t1)) std::swap(t0, t1);  // t0 is the smaller table
    uint64_t m0 = Mask(exp_[t0]), m1 = Mask(exp_[t1]);
    emit_bucket(t0, v & m0);
    do {
      emit_bucket(t1, v & m1);
      v |= ~m1;
      v = rev(v);
      v++;
      v = rev(v);
    } while (v & (m0 ^ m1));
  }
  return v;
}

template <class Fn>
void Table::ForEach(Fn&& fn) const {
  for (int t = 0; t < 2; ++t) {
    size_t n = Buckets(t);
    for (size_t i = 0; i < n; ++i)
      for (Entry* e = buckets_[t][i]; e;) {
        Entry* next = e->next;
        fn(e);
        e = next;
      }
  }
}

}  // namespace kevy
