// Set (engine/types/set.h): the intset array, and the hashtable form's membership map +
// dense member vector with swap-remove.
#include "engine/types/set.h"

#include <absl/strings/string_view.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>
#include <utility>

#include "engine/util.h"

namespace kevy {

namespace {

absl::string_view Absl(std::string_view s) { return absl::string_view(s.data(), s.size()); }

constexpr size_t kIntHeader = 8;

uint32_t Load32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

void Store32(char* p, uint32_t v) { std::memcpy(p, &v, 4); }

size_t WidthFor(int64_t v) {
  if (v >= INT16_MIN && v <= INT16_MAX) return 2;
  if (v >= INT32_MIN && v <= INT32_MAX) return 4;
  return 8;
}

int64_t LoadWidth(const char* p, size_t w) {
  if (w == 2) {
    int16_t x;
    std::memcpy(&x, p, 2);
    return x;
  }
  if (w == 4) {
    int32_t x;
    std::memcpy(&x, p, 4);
    return x;
  }
  int64_t x;
  std::memcpy(&x, p, 8);
  return x;
}

void StoreWidth(char* p, size_t w, int64_t v) {
  if (w == 2) {
    auto x = static_cast<int16_t>(v);
    std::memcpy(p, &x, 2);
  } else if (w == 4) {
    auto x = static_cast<int32_t>(v);
    std::memcpy(p, &x, 4);
  } else {
    std::memcpy(p, &v, 8);
  }
}

}  // namespace

Set::~Set() { std::free(ints_); }

bool Set::IsIntsetMember(std::string_view s) {
  if (s.empty() || s.size() > 20) return false;
  int64_t v;
  if (!ParseInt64(s, &v)) return false;
  char buf[24];
  int n = FormatInt64(v, buf);
  return std::string_view(buf, static_cast<size_t>(n)) == s;
}

// --- intset form ---

size_t Set::IntCount() const { return ints_ ? Load32(ints_) : 0; }

int64_t Set::IntAt(size_t i) const {
  size_t w = Load32(ints_ + 4);
  return LoadWidth(ints_ + kIntHeader + i * w, w);
}

size_t Set::IntLowerBound(int64_t v, bool* found) const {
  size_t lo = 0, hi = IntCount();
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (IntAt(mid) < v)
      lo = mid + 1;
    else
      hi = mid;
  }
  *found = lo < IntCount() && IntAt(lo) == v;
  return lo;
}

void Set::IntInsert(size_t pos, int64_t v) {
  size_t n = IntCount();
  size_t w = ints_ ? Load32(ints_ + 4) : 2;
  size_t nw = std::max(w, WidthFor(v));
  char* nb = static_cast<char*>(std::malloc(kIntHeader + (n + 1) * nw));
  if (!nb) throw std::bad_alloc();
  if (nw == w) {
    if (n) {
      std::memcpy(nb + kIntHeader, ints_ + kIntHeader, pos * w);
      std::memcpy(nb + kIntHeader + (pos + 1) * w, ints_ + kIntHeader + pos * w, (n - pos) * w);
    }
  } else {
    // Upgrade: every element widens (as Redis's intsetUpgradeAndAdd).
    for (size_t i = 0; i < n; ++i)
      StoreWidth(nb + kIntHeader + (i < pos ? i : i + 1) * nw, nw, IntAt(i));
  }
  StoreWidth(nb + kIntHeader + pos * nw, nw, v);
  Store32(nb, static_cast<uint32_t>(n + 1));
  Store32(nb + 4, static_cast<uint32_t>(nw));
  std::free(ints_);
  ints_ = nb;
}

void Set::IntErase(size_t pos) {
  size_t n = IntCount();
  if (n == 1) {
    std::free(ints_);
    ints_ = nullptr;
    return;
  }
  size_t w = Load32(ints_ + 4);
  std::memmove(ints_ + kIntHeader + pos * w, ints_ + kIntHeader + (pos + 1) * w, (n - pos - 1) * w);
  Store32(ints_, static_cast<uint32_t>(n - 1));
  if (char* nb = static_cast<char*>(std::realloc(ints_, kIntHeader + (n - 1) * w))) ints_ = nb;
}

void Set::ConvertToTable() {
  size_t n = IntCount();
  index_.reserve(n);
  members_.reserve(n);
  char buf[24];
  for (size_t i = 0; i < n; ++i) {
    int len = FormatInt64(IntAt(i), buf);
    TableAdd(std::string_view(buf, static_cast<size_t>(len)));
  }
  std::free(ints_);
  ints_ = nullptr;
  intset_ = false;
}

// --- both forms ---

bool Set::TableAdd(std::string_view member) {
  auto [it, inserted] = index_.try_emplace(Absl(member), static_cast<uint32_t>(members_.size()));
  if (!inserted) return false;
  members_.push_back(&it->first);
  return true;
}

size_t Set::Size() const { return intset_ ? IntCount() : members_.size(); }

bool Set::Add(std::string_view member, int64_t max_intset) {
  if (intset_) {
    int64_t v;
    if (IsIntsetMember(member) && ParseInt64(member, &v)) {
      bool found;
      size_t pos = IntLowerBound(v, &found);
      if (found) return false;
      if (static_cast<int64_t>(IntCount()) + 1 <= max_intset) {
        IntInsert(pos, v);
        return true;
      }
    }
    ConvertToTable();
  }
  return TableAdd(member);
}

bool Set::Remove(std::string_view member) {
  if (intset_) {
    int64_t v;
    if (!IsIntsetMember(member) || !ParseInt64(member, &v)) return false;
    bool found;
    size_t pos = IntLowerBound(v, &found);
    if (!found) return false;
    IntErase(pos);
    return true;
  }
  auto it = index_.find(Absl(member));
  if (it == index_.end()) return false;
  TakeAt(it->second);
  return true;
}

bool Set::Contains(std::string_view member) const {
  if (intset_) {
    int64_t v;
    if (!IsIntsetMember(member) || !ParseInt64(member, &v)) return false;
    bool found;
    IntLowerBound(v, &found);
    return found;
  }
  return index_.contains(Absl(member));
}

std::string_view Set::At(size_t i, NumBuf* buf) const {
  if (intset_) {
    int n = FormatInt64(IntAt(i), buf->b);
    return std::string_view(buf->b, static_cast<size_t>(n));
  }
  return *members_[i];
}

std::string Set::TakeAt(size_t i) {
  if (intset_) {
    NumBuf b;
    std::string out(At(i, &b));
    IntErase(i);
    return out;
  }
  auto it = index_.find(Absl(*members_[i]));
  std::string out = std::move(index_.extract(it).key());
  const std::string* last = members_.back();
  members_.pop_back();
  if (i < members_.size()) {
    members_[i] = last;
    index_.find(Absl(*last))->second = static_cast<uint32_t>(i);
  }
  return out;
}

Set::MemberList Set::Members() const {
  MemberList out;
  if (intset_) {
    size_t n = IntCount();
    out.store_ = std::make_unique<char[]>(n * 21 + 1);
    out.views_.reserve(n);
    char* p = out.store_.get();
    for (size_t i = 0; i < n; ++i) {
      int len = FormatInt64(IntAt(i), p);
      out.views_.emplace_back(p, static_cast<size_t>(len));
      p += len;
    }
    return out;
  }
  out.views_.reserve(members_.size());
  for (const std::string* m : members_) out.views_.emplace_back(*m);
  return out;
}

std::unique_ptr<Collection> Set::Clone() const {
  auto c = std::make_unique<Set>();
  c->intset_ = intset_;
  if (intset_) {
    if (ints_) {
      size_t bytes = kIntHeader + IntCount() * Load32(ints_ + 4);
      c->ints_ = static_cast<char*>(std::malloc(bytes));
      if (!c->ints_) throw std::bad_alloc();
      std::memcpy(c->ints_, ints_, bytes);
    }
    return c;
  }
  c->index_.reserve(members_.size());
  c->members_.reserve(members_.size());
  for (const std::string* m : members_) c->TableAdd(*m);
  return c;
}

size_t Set::HeapBytes() const {
  if (intset_) return ints_ ? kIntHeader + IntCount() * Load32(ints_ + 4) : 0;
  // Per member: the map node (key string + index), its slot, and the vector slot.
  size_t n = index_.capacity() * (sizeof(void*) + 1) + members_.capacity() * sizeof(void*);
  for (const std::string* m : members_)
    n += sizeof(std::string) + sizeof(uint32_t) + (m->size() > 15 ? m->capacity() + 1 : 0);
  return n;
}

}  // namespace kevy
