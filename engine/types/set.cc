// Set (engine/types/set.h): the intset array, and the hashtable form's membership map +
// dense member vector with swap-remove.
#include "engine/types/set.h"

#include <absl/hash/hash.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>
#include <utility>

#include "engine/util.h"

namespace kevy {

namespace {


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

// Positions into `members`, hashed and compared by the member they point at; lookups by
// string_view go through the same hasher (heterogeneous lookup).
struct Set::Table {
  struct Hash {
    using is_transparent = void;
    const std::vector<std::string>* m;
    size_t operator()(uint32_t i) const { return absl::Hash<std::string_view>()((*m)[i]); }
    size_t operator()(std::string_view s) const { return absl::Hash<std::string_view>()(s); }
  };
  struct Eq {
    using is_transparent = void;
    const std::vector<std::string>* m;
    std::string_view V(uint32_t i) const { return (*m)[i]; }
    static std::string_view V(std::string_view s) { return s; }
    template <class A, class B>
    bool operator()(const A& a, const B& b) const {
      return V(a) == V(b);
    }
  };

  Table() : index(0, Hash{&members}, Eq{&members}) {}
  Table(const Table&) = delete;
  Table& operator=(const Table&) = delete;

  bool Add(std::string_view member) {
    if (index.contains(member)) return false;
    // Growth by 1.5x rather than 2x: member strings are 32 bytes each.
    if (members.size() == members.capacity()) members.reserve(members.size() * 3 / 2 + 1);
    members.emplace_back(member);
    index.insert(static_cast<uint32_t>(members.size() - 1));
    return true;
  }
  std::string TakeAt(size_t i) {
    auto last = static_cast<uint32_t>(members.size() - 1);
    index.erase(static_cast<uint32_t>(i));
    std::string out = std::move(members[i]);
    if (i != last) {
      index.erase(last);
      members[i] = std::move(members[last]);
      members.pop_back();
      index.insert(static_cast<uint32_t>(i));
    } else {
      members.pop_back();
    }
    return out;
  }

  std::vector<std::string> members;
  absl::flat_hash_set<uint32_t, Hash, Eq> index;
};

Set::Set() = default;
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
  table_ = std::make_unique<Table>();
  table_->members.reserve(n + 1);
  table_->index.reserve(n + 1);
  char buf[24];
  for (size_t i = 0; i < n; ++i) {
    int len = FormatInt64(IntAt(i), buf);
    table_->Add(std::string_view(buf, static_cast<size_t>(len)));
  }
  std::free(ints_);
  ints_ = nullptr;
}

// --- both forms ---

size_t Set::Size() const { return table_ ? table_->members.size() : IntCount(); }

bool Set::Add(std::string_view member, int64_t max_intset) {
  if (!table_) {
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
  return table_->Add(member);
}

bool Set::Remove(std::string_view member) {
  if (!table_) {
    int64_t v;
    if (!IsIntsetMember(member) || !ParseInt64(member, &v)) return false;
    bool found;
    size_t pos = IntLowerBound(v, &found);
    if (!found) return false;
    IntErase(pos);
    return true;
  }
  auto it = table_->index.find(member);
  if (it == table_->index.end()) return false;
  table_->TakeAt(*it);
  return true;
}

bool Set::Contains(std::string_view member) const {
  if (!table_) {
    int64_t v;
    if (!IsIntsetMember(member) || !ParseInt64(member, &v)) return false;
    bool found;
    IntLowerBound(v, &found);
    return found;
  }
  return table_->index.contains(member);
}

std::string_view Set::At(size_t i, NumBuf* buf) const {
  if (!table_) {
    int n = FormatInt64(IntAt(i), buf->b);
    return std::string_view(buf->b, static_cast<size_t>(n));
  }
  return table_->members[i];
}

std::string Set::TakeAt(size_t i) {
  if (!table_) {
    NumBuf b;
    std::string out(At(i, &b));
    IntErase(i);
    return out;
  }
  return table_->TakeAt(i);
}

Set::MemberList Set::Members() const {
  MemberList out;
  if (!table_) {
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
  out.views_.reserve(table_->members.size());
  for (const std::string& m : table_->members) out.views_.emplace_back(m);
  return out;
}

std::unique_ptr<Collection> Set::Clone() const {
  auto c = std::make_unique<Set>();
  if (!table_) {
    if (ints_) {
      size_t bytes = kIntHeader + IntCount() * Load32(ints_ + 4);
      c->ints_ = static_cast<char*>(std::malloc(bytes));
      if (!c->ints_) throw std::bad_alloc();
      std::memcpy(c->ints_, ints_, bytes);
    }
    return c;
  }
  c->table_ = std::make_unique<Table>();
  c->table_->members.reserve(table_->members.size());
  c->table_->index.reserve(table_->members.size());
  for (const std::string& m : table_->members) c->table_->Add(m);
  return c;
}

size_t Set::HeapBytes() const {
  if (!table_) return ints_ ? kIntHeader + IntCount() * Load32(ints_ + 4) : 0;
  // The vector of strings, the index's slots and control bytes, long strings' buffers.
  const Table& t = *table_;
  size_t n = sizeof(Table) + t.members.capacity() * sizeof(std::string) +
             t.index.capacity() * (sizeof(uint32_t) + 1);
  for (const std::string& m : t.members)
    if (m.size() > 15) n += m.capacity() + 1;
  return n;
}

}  // namespace kevy
