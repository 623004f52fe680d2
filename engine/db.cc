// Db implementation: lookup with lazy expiry, the volatile-key index, active expiry.
#include "engine/db.h"

#include "engine/snapshot.h"

#include "engine/shard_stats.h"

namespace kevy {

namespace {
uint32_t LruClock(int64_t now_ms) { return static_cast<uint32_t>(now_ms / 1000); }
}  // namespace

void Db::IndexVolatile(Entry* e) {
  e->volatile_idx = static_cast<uint32_t>(volatile_.size());
  volatile_.push_back(e);
}

void Db::UnindexVolatile(Entry* e) {
  uint32_t i = e->volatile_idx;
  Entry* last = volatile_.back();
  volatile_[i] = last;
  last->volatile_idx = i;
  volatile_.pop_back();
  e->expire_at_ms = kNoExpire;
}

void Db::ExpireEntry(Entry* e) {
  if (stats_) ++stats_->expired_keys;
  if (on_expire) on_expire(*e);
  Erase(e);
}

Entry* Db::Find(std::string_view key, int64_t now_ms, bool touch) {
  Entry* e = table_.Find(key);
  if (!e) return nullptr;
  if (IsExpired(e, now_ms)) {
    ExpireEntry(e);
    return nullptr;
  }
  if (touch) e->access_s = LruClock(now_ms);
  Cover(e);
  return e;
}

Entry* Db::Insert(std::string_view key, Value v) {
  auto* e = new Entry;
  e->key.assign(key);
  e->hash = HashKey(key);
  e->value = std::move(v);
  table_.Insert(e);
  if (snap_) MarkNew(e);
  return e;
}

Entry* Db::InsertLoaded(std::string_view key, Value v, int64_t expire_ms, int64_t idle_s,
                        int64_t now_ms) {
  Entry* e = Insert(key, std::move(v));
  SetLoadedMeta(e, expire_ms, idle_s, now_ms);
  return e;
}

void Db::SetLoadedMeta(Entry* e, int64_t expire_ms, int64_t idle_s, int64_t now_ms) {
  if (expire_ms >= 0) SetExpire(e, expire_ms);
  int64_t at = now_ms / 1000 - (idle_s > 0 ? idle_s : 0);
  e->access_s = static_cast<uint32_t>(at > 0 ? at : 0);
}

Entry* Db::InsertLoadedIfAbsent(std::string& key, uint64_t hash, Value& v, int64_t expire_ms,
                                int64_t idle_s, int64_t now_ms) {
  auto* e = new Entry;
  e->key.swap(key);
  e->hash = hash;
  if (table_.InsertIfAbsent(e)) {
    e->key.swap(key);
    delete e;
    return nullptr;
  }
  e->value = std::move(v);
  if (snap_) MarkNew(e);
  SetLoadedMeta(e, expire_ms, idle_s, now_ms);
  return e;
}

Entry* Db::FindOrCreate(std::string_view key, int64_t now_ms, bool* created) {
  uint64_t hash = HashKey(key);  // once, for the lookup and the insert
  Entry* e = table_.Find(key, hash);
  if (e && IsExpired(e, now_ms)) {
    ExpireEntry(e);
    e = nullptr;
  }
  *created = e == nullptr;
  if (!e) {
    e = new Entry;
    e->key.assign(key);
    e->hash = hash;
    table_.Insert(e);
    if (snap_) MarkNew(e);
  } else {
    Cover(e);
  }
  e->access_s = LruClock(now_ms);
  return e;
}

bool Db::Erase(std::string_view key, int64_t now_ms) {
  Entry* e = table_.Find(key);
  if (!e) return false;
  bool live = !IsExpired(e, now_ms);
  if (!live) {
    ExpireEntry(e);
    return false;
  }
  Erase(e);
  return true;
}

void Db::Erase(Entry* e) { delete Detach(e); }

Entry* Db::Detach(Entry* e) {
  Cover(e);  // its value at the cut goes into a snapshot in progress before it leaves
  if (e->expire_at_ms != kNoExpire) {
    int64_t keep = e->expire_at_ms;
    UnindexVolatile(e);
    e->expire_at_ms = keep;  // a detached entry keeps its TTL for Adopt()
  }
  Entry* got = table_.Unlink(e->key, e->hash);
  (void)got;
  return e;
}

void Db::Adopt(Entry* e) {
  if (snap_) MarkNew(e);  // new to this Db since the cut
  e->next = nullptr;
  table_.Insert(e);
  if (e->expire_at_ms != kNoExpire) IndexVolatile(e);
}

void Db::SetExpire(Entry* e, int64_t at_ms) {
  if (e->expire_at_ms == kNoExpire) IndexVolatile(e);
  e->expire_at_ms = at_ms;
}

void Db::ClearExpire(Entry* e) {
  if (e->expire_at_ms != kNoExpire) UnindexVolatile(e);
}

void Db::Clear() {
  CoverAll();
  volatile_.clear();
  table_.Clear();
}

void Db::Swap(Db& other) {
  std::swap(table_, other.table_);
  std::swap(volatile_, other.volatile_);
}

int64_t Db::AvgTtlMs(int64_t now_ms) const {
  if (volatile_.empty()) return 0;
  // Average over up to 64 evenly spaced volatile keys: an estimate, as Redis's is.
  size_t n = volatile_.size(), step = n > 64 ? n / 64 : 1;
  int64_t sum = 0, cnt = 0;
  for (size_t i = 0; i < n; i += step) {
    int64_t ttl = volatile_[i]->expire_at_ms - now_ms;
    if (ttl > 0) {
      sum += ttl;
      ++cnt;
    }
  }
  return cnt ? sum / cnt : 0;
}

Entry* Db::RandomEntry(int64_t now_ms, uint64_t (*rng)(void*), void* st) {
  // If every key is volatile and expired we could loop long: bound the attempts as Redis does.
  for (int tries = 0; tries < 100 && table_.size() > 0; ++tries) {
    Entry* e = table_.Random(rng, st);
    if (!e) return nullptr;
    if (!IsExpired(e, now_ms)) {
      Cover(e);
      return e;
    }
    ExpireEntry(e);
  }
  return table_.size() ? table_.Random(rng, st) : nullptr;
}

size_t Db::ActiveExpire(int64_t now_ms, int keys_per_loop, int acceptable_stale_pct,
                        int64_t deadline_us, uint64_t (*rng)(void*), void* st,
                        int64_t (*clock_us)()) {
  size_t expired_total = 0;
  for (int iteration = 0; !volatile_.empty(); ++iteration) {
    int sampled = 0, expired = 0;
    int n = keys_per_loop;
    if (static_cast<size_t>(n) > volatile_.size()) n = static_cast<int>(volatile_.size());
    for (int i = 0; i < n && !volatile_.empty(); ++i) {
      Entry* e = volatile_[rng(st) % volatile_.size()];
      ++sampled;
      if (e->expire_at_ms <= now_ms) {
        ExpireEntry(e);
        ++expired;
      }
    }
    expired_total += expired;
    if (sampled == 0 || expired * 100 <= sampled * acceptable_stale_pct) break;
    if ((iteration & 15) == 15 && clock_us() > deadline_us) break;
  }
  return expired_total;
}

void Db::CoverSlow(Entry* e) { snap_->Cover(*this, e); }
void Db::MarkNew(Entry* e) { snap_->MarkNew(e); }
void Db::CoverAll() {
  if (snap_) snap_->CoverAll(*this);
}

}  // namespace kevy
