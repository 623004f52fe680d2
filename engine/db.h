// Db: one logical database (SELECT index) on one shard -- its slice of the keyspace.
//
// Holds the key table and an index of the keys that have a TTL (a dense vector, so active
// expiry samples volatile keys uniformly in O(1) as Redis samples its expires dict). Expiry
// is lazy on every lookup and active through ActiveExpireCycle(), which the shard's cron
// calls with a time budget. Single-threaded: only the owning shard's thread touches a Db.
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

#include "engine/table.h"

namespace kevy {

struct ShardStats;
class ShardSnapshot;

class Db {
 public:
  explicit Db(ShardStats* stats = nullptr) : stats_(stats) {}
  Db(Db&&) = default;
  Db& operator=(Db&&) = default;

  size_t size() const { return table_.size(); }
  // This Db's SELECT index on its shard (kept right across SWAPDB).
  int index() const { return index_; }
  void set_index(int i) { index_ = i; }
  size_t expires() const { return volatile_.size(); }
  // Sum of avg_ttl-relevant data for INFO keyspace: sum of remaining TTLs in ms of a sample.
  int64_t AvgTtlMs(int64_t now_ms) const;

  // Lookup with lazy expiry: a key whose time has come is deleted and nullptr returned.
  // Updates the access clock unless `touch` is false.
  Entry* Find(std::string_view key, int64_t now_ms, bool touch = true);
  // Lookup that ignores (and does not remove) expiry.
  Entry* FindRaw(std::string_view key) {
    Entry* e = table_.Find(key);
    if (e) Cover(e);
    return e;
  }

  // Returns the live entry for key, creating an empty string entry when absent (or
  // expired). `*created` tells which.
  Entry* FindOrCreate(std::string_view key, int64_t now_ms, bool* created);
  // Inserts a new entry that must not exist (use after Find returned nullptr).
  Entry* Insert(std::string_view key, Value v);
  // Inserts a loaded key (RDB, DEBUG RELOAD): TTL as given (-1 none), access clock `idle_s`
  // seconds before `now_ms` (the file's IDLE, else 0).
  Entry* InsertLoaded(std::string_view key, Value v, int64_t expire_ms, int64_t idle_s,
                      int64_t now_ms);
  // The start-up loader's InsertLoaded: takes the key (hash = HashKey(key)) and the value
  // into a new entry, unless the key is present -- then returns nullptr and leaves both
  // alone. One chain walk.
  Entry* InsertLoadedIfAbsent(std::string& key, uint64_t hash, Value& v, int64_t expire_ms,
                              int64_t idle_s, int64_t now_ms);
  // Sizes an empty Db for n keys (the RDB's RESIZEDB hint); see Table::Reserve.
  void Reserve(size_t n) { table_.Reserve(n); }
  // Completes a rehash the table started (a loader without a size hint grows it as it goes).
  void FinishRehash() { table_.RehashAll(); }
  // Start fetching the bucket of `hash`, then its chain's first entry (a loader pipelines
  // its inserts with these; see Table::Prefetch).
  void Prefetch(uint64_t hash) const { table_.Prefetch(hash); }
  void PrefetchChain(uint64_t hash) const { table_.PrefetchChain(hash); }

  // Removes the key if present (expired or not). Returns true if it was present and live.
  bool Erase(std::string_view key, int64_t now_ms);
  // Removes a known entry.
  void Erase(Entry* e);
  // Detaches an entry without deleting it (RENAME/MOVE hand it to another Db).
  Entry* Detach(Entry* e);
  // Adopts a detached entry (its key must not exist here); keeps its TTL.
  void Adopt(Entry* e);

  void SetExpire(Entry* e, int64_t at_ms);
  void ClearExpire(Entry* e);  // PERSIST

  bool IsExpired(const Entry* e, int64_t now_ms) const {
    return e->expire_at_ms != kNoExpire && e->expire_at_ms <= now_ms;
  }

  void Clear();
  void Swap(Db& other);

  // A snapshot in progress on this shard (engine/snapshot.h), or null: every entry handed out
  // for possible change is covered by it first, every new entry is marked as after the cut.
  void set_snapshot(ShardSnapshot* s) { snap_ = s; }
  ShardSnapshot* snapshot() const { return snap_; }
  void Cover(Entry* e) {
    if (snap_) [[unlikely]]
      CoverSlow(e);
  }
  void CoverAll();

  // SCAN step over this Db (see Table::Scan). Expired keys are skipped by the caller.
  template <class Fn>
  uint64_t Scan(uint64_t cursor, Fn&& fn) {
    return table_.Scan(cursor, std::forward<Fn>(fn));
  }
  template <class Fn>
  void ForEach(Fn&& fn) const {
    table_.ForEach(std::forward<Fn>(fn));
  }
  // A random live key, or nullptr (deletes expired keys it meets, as Redis does).
  Entry* RandomEntry(int64_t now_ms, uint64_t (*rng)(void*), void* rng_state);

  // One active-expiry pass as Redis's activeExpireCycle: samples up to `keys_per_loop`
  // volatile keys, deletes the expired ones, repeats while more than `acceptable_stale`
  // percent were expired and time remains. Returns the number of keys expired.
  size_t ActiveExpire(int64_t now_ms, int keys_per_loop, int acceptable_stale_pct,
                      int64_t deadline_us, uint64_t (*rng)(void*), void* rng_state,
                      int64_t (*clock_us)());

  // Advances incremental rehashing / shrinking (cron).
  void Maintain() {
    if (!table_.RehashStep(100)) table_.MaybeShrink();
  }

  // Called for every key deleted by expiry (lazy or active), before the entry is freed.
  // The shard sets it to count stats and, later, to propagate DEL to the AOF.
  std::function<void(const Entry&)> on_expire;

 private:
  // A loaded key's TTL and LRU clock (its idle time as of `now_ms`).
  void SetLoadedMeta(Entry* e, int64_t expire_ms, int64_t idle_s, int64_t now_ms);
  void IndexVolatile(Entry* e);
  void UnindexVolatile(Entry* e);
  void ExpireEntry(Entry* e);

  Table table_;
  std::vector<Entry*> volatile_;
  void CoverSlow(Entry* e);
  void MarkNew(Entry* e);

  ShardStats* stats_;
  int index_ = 0;
  ShardSnapshot* snap_ = nullptr;
};

}  // namespace kevy
