// Table implementation: chained hashing with Redis-style incremental rehash.
#include "engine/table.h"

#include <absl/hash/hash.h>
#include <sys/mman.h>

#include <cstdlib>
#include <utility>

namespace kevy {

uint64_t HashKey(std::string_view key) { return absl::Hash<std::string_view>{}(key); }

namespace {

// A zeroed bucket array. A large one is a fresh mapping of its own (glibc maps big blocks)
// that inserts will touch all over: huge pages for it where the kernel gives them on
// request (transparent_hugepage=madvise), instead of a page fault per 4 KiB as it fills.
Entry** AllocBuckets(size_t n) {
  auto** b = static_cast<Entry**>(calloc(n, sizeof(Entry*)));
  if (!b) abort();
  constexpr uintptr_t kHuge = uintptr_t{2} << 20;
  const size_t bytes = n * sizeof(Entry*);
  if (bytes >= 2 * kHuge) {
    const uintptr_t lo = (reinterpret_cast<uintptr_t>(b) + kHuge - 1) & ~(kHuge - 1);
    const uintptr_t hi = (reinterpret_cast<uintptr_t>(b) + bytes) & ~(kHuge - 1);
    if (hi > lo) madvise(reinterpret_cast<void*>(lo), hi - lo, MADV_HUGEPAGE);
  }
  return b;
}

}  // namespace

Table::~Table() {
  Clear();
}

Table::Table(Table&& o) noexcept { *this = std::move(o); }

Table& Table::operator=(Table&& o) noexcept {
  if (this == &o) return *this;
  Clear();
  for (int t = 0; t < 2; ++t) {
    buckets_[t] = std::exchange(o.buckets_[t], nullptr);
    exp_[t] = std::exchange(o.exp_[t], 0);
    used_[t] = std::exchange(o.used_[t], 0);
  }
  rehash_idx_ = std::exchange(o.rehash_idx_, -1);
  return *this;
}

void Table::Clear() {
  for (int t = 0; t < 2; ++t) {
    size_t n = Buckets(t);
    for (size_t i = 0; i < n; ++i) {
      Entry* e = buckets_[t][i];
      while (e) {
        Entry* next = e->next;
        delete e;
        e = next;
      }
    }
    free(buckets_[t]);
    buckets_[t] = nullptr;
    exp_[t] = 0;
    used_[t] = 0;
  }
  rehash_idx_ = -1;
}

Entry* Table::Find(std::string_view key, uint64_t hash) {
  if (size() == 0) return nullptr;
  RehashIfNeeded();
  for (int t = 0; t < 2; ++t) {
    if (!buckets_[t]) continue;
    for (Entry* e = buckets_[t][hash & Mask(exp_[t])]; e; e = e->next)
      if (e->hash == hash && e->key == key) return e;
    if (!rehashing()) break;
  }
  return nullptr;
}

void Table::Expand(size_t size) {
  uint8_t exp = 2;
  while ((size_t{1} << exp) < size) ++exp;
  Entry** b = AllocBuckets(size_t{1} << exp);
  if (!buckets_[0]) {
    buckets_[0] = b;
    exp_[0] = exp;
    return;
  }
  buckets_[1] = b;
  exp_[1] = exp;
  rehash_idx_ = 0;
}

void Table::MaybeExpand() {
  if (rehashing()) return;
  if (!buckets_[0]) {
    Expand(4);
    return;
  }
  if (used_[0] >= Buckets(0)) Expand(used_[0] + 1 > Buckets(0) * 2 ? used_[0] + 1 : Buckets(0) * 2);
}

void Table::MaybeShrink() {
  if (rehashing() || !buckets_[0]) return;
  size_t n = Buckets(0);
  if (n > 4 && used_[0] * 8 < n) Expand(used_[0] < 4 ? 4 : used_[0]);
}

bool Table::RehashStep(int n) {
  if (!rehashing()) return false;
  int empty_visits = n * 10;
  size_t n0 = Buckets(0);
  while (n-- > 0 && used_[0] != 0) {
    while (buckets_[0][rehash_idx_] == nullptr) {
      ++rehash_idx_;
      if (--empty_visits == 0) return true;
    }
    Entry* e = buckets_[0][rehash_idx_];
    size_t m1 = Mask(exp_[1]);
    while (e) {
      Entry* next = e->next;
      size_t idx = e->hash & m1;
      e->next = buckets_[1][idx];
      buckets_[1][idx] = e;
      --used_[0];
      ++used_[1];
      e = next;
    }
    buckets_[0][rehash_idx_] = nullptr;
    ++rehash_idx_;
  }
  (void)n0;
  if (used_[0] == 0) {
    FinishRehash();
    return false;
  }
  return true;
}

void Table::FinishRehash() {
  free(buckets_[0]);
  buckets_[0] = buckets_[1];
  exp_[0] = exp_[1];
  used_[0] = used_[1];
  buckets_[1] = nullptr;
  exp_[1] = 0;
  used_[1] = 0;
  rehash_idx_ = -1;
}

void Table::RehashAll() {
  if (!rehashing()) return;
  const size_t n0 = Buckets(0), m1 = Mask(exp_[1]);
  constexpr size_t kAhead = 16;  // buckets: entries fetched at +16, their new bucket at +8
  for (size_t i = static_cast<size_t>(rehash_idx_); i < n0; ++i) {
    if (i + kAhead < n0)
      if (const Entry* p = buckets_[0][i + kAhead]) __builtin_prefetch(p);
    if (i + kAhead / 2 < n0)
      if (const Entry* p = buckets_[0][i + kAhead / 2])
        __builtin_prefetch(&buckets_[1][p->hash & m1], 1);
    for (Entry* e = buckets_[0][i]; e;) {
      Entry* next = e->next;
      const size_t idx = e->hash & m1;
      e->next = buckets_[1][idx];
      buckets_[1][idx] = e;
      --used_[0];
      ++used_[1];
      e = next;
    }
    buckets_[0][i] = nullptr;
  }
  FinishRehash();
}

void Table::Insert(Entry* e) {
  RehashIfNeeded();
  Link(e);
}

Entry* Table::InsertIfAbsent(Entry* e) {
  if (Entry* x = Find(e->key, e->hash)) return x;  // (Find takes the rehash step)
  Link(e);
  return nullptr;
}

void Table::Link(Entry* e) {
  MaybeExpand();
  int t = rehashing() ? 1 : 0;
  size_t idx = e->hash & Mask(exp_[t]);
  e->next = buckets_[t][idx];
  buckets_[t][idx] = e;
  ++used_[t];
}

void Table::Reserve(size_t n) {
  if (size() != 0 || n <= Buckets(0)) return;
  // Past 2^31 buckets a hint is not believable (each key takes bytes of the file anyway).
  if (n > (size_t{1} << 31)) n = size_t{1} << 31;
  Clear();
  Expand(n);
}

Entry* Table::Unlink(std::string_view key, uint64_t hash) {
  if (size() == 0) return nullptr;
  RehashIfNeeded();
  for (int t = 0; t < 2; ++t) {
    if (!buckets_[t]) continue;
    Entry** pp = &buckets_[t][hash & Mask(exp_[t])];
    for (Entry* e = *pp; e; pp = &e->next, e = e->next) {
      if (e->hash == hash && e->key == key) {
        *pp = e->next;
        e->next = nullptr;
        --used_[t];
        return e;
      }
    }
    if (!rehashing()) break;
  }
  return nullptr;
}

Entry* Table::Random(uint64_t (*rng)(void*), void* st) {
  if (size() == 0) return nullptr;
  RehashIfNeeded();
  // Pick non-empty buckets at random (both tables while rehashing), then a random chain element.
  for (int tries = 0;; ++tries) {
    Entry* head;
    if (rehashing()) {
      size_t n0 = Buckets(0), n1 = Buckets(1);
      size_t span = n0 - static_cast<size_t>(rehash_idx_) + n1;
      size_t h = rehash_idx_ + rng(st) % span;
      head = h >= n0 ? buckets_[1][h - n0] : buckets_[0][h];
    } else {
      head = buckets_[0][rng(st) & Mask(exp_[0])];
    }
    if (!head) continue;
    size_t len = 0;
    for (Entry* e = head; e; e = e->next) ++len;
    size_t k = rng(st) % len;
    Entry* e = head;
    while (k--) e = e->next;
    return e;
  }
}

}  // namespace kevy
