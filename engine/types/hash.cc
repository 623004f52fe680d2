// Hash: the two forms of the hash type and the conversion between them (see hash.h).
#include "engine/types/hash.h"

#include <absl/container/flat_hash_set.h>

#include <algorithm>

namespace kevy {

namespace {

Entry* NewEntry(std::string_view field, uint64_t hash, std::string_view value) {
  auto* e = new Entry;
  e->key.assign(field);
  e->hash = hash;
  e->value.str.assign(value);
  return e;
}

}  // namespace

std::unique_ptr<Collection> Hash::Clone() const {
  auto h = std::make_unique<Hash>();
  if (!table_) {
    h->lp_ = Listpack(lp_);
  } else {
    h->table_ = std::make_unique<Table>();
    table_->ForEach([&](const Entry* e) {
      h->table_->Insert(NewEntry(e->key, e->hash, e->value.str));
    });
  }
  return h;
}

size_t Hash::HeapBytes() const {
  if (!table_) return lp_.bytes();
  size_t n = sizeof(Table);
  table_->ForEach([&](const Entry* e) {
    n += sizeof(Entry) + sizeof(Entry*);
    if (e->key.size() > 15) n += e->key.capacity() + 1;
    if (e->value.str.size() > 15) n += e->value.str.capacity() + 1;
  });
  return n;
}

size_t Hash::LpFind(std::string_view field) const {
  size_t e = lp_.end();
  for (size_t p = lp_.begin(); p != e; p = lp_.Next(lp_.Next(p)))
    if (lp_.Str(p) == field) return p;
  return e;
}

std::optional<std::string_view> Hash::Find(std::string_view field) const {
  if (!table_) {
    size_t p = LpFind(field);
    if (p == lp_.end()) return std::nullopt;
    return lp_.Str(lp_.Next(p));
  }
  Entry* e = table_->Find(field);
  if (!e) return std::nullopt;
  return std::string_view(e->value.str);
}

void Hash::ConvertToTable() {
  auto t = std::make_unique<Table>();
  ForEach([&](std::string_view f, std::string_view v) { t->Insert(NewEntry(f, HashKey(f), v)); });
  lp_.clear();
  table_ = std::move(t);
}

bool Hash::Set(std::string_view field, std::string_view value, const Limits& lim) {
  if (!table_ && (field.size() > lim.max_value || value.size() > lim.max_value ||
                  !lp_.SafeToAdd(field.size() + value.size())))
    ConvertToTable();
  if (!table_) {
    std::string enc;
    size_t p = LpFind(field);
    if (p != lp_.end()) {
      size_t v = lp_.Next(p);
      Listpack::EncodeStr(&enc, value);
      lp_.Splice(v, lp_.Next(v), enc, 0);
      return false;
    }
    if (lp_.size() / 2 + 1 > lim.max_entries) {
      ConvertToTable();  // as Redis: convert first, then add to the table
    } else {
      Listpack::EncodeStr(&enc, field);
      Listpack::EncodeStr(&enc, value);
      lp_.Splice(lp_.end(), lp_.end(), enc, 2);
      return true;
    }
  }
  uint64_t h = HashKey(field);
  if (Entry* e = table_->Find(field, h)) {
    e->value.str.assign(value);
    return false;
  }
  table_->Insert(NewEntry(field, h, value));
  return true;
}

bool Hash::Erase(std::string_view field) {
  if (!table_) {
    size_t p = LpFind(field);
    if (p == lp_.end()) return false;
    lp_.Splice(p, lp_.Next(lp_.Next(p)), {}, -2);  // keeps insertion order, as Redis
    return true;
  }
  Entry* e = table_->Unlink(field, HashKey(field));
  if (!e) return false;
  delete e;
  table_->MaybeShrink();
  return true;
}

std::pair<std::string_view, std::string_view> Hash::Random(uint64_t (*rng)(void*), void* state) {
  if (!table_) {
    size_t i = rng(state) % Size();
    size_t p = lp_.begin();
    while (i--) p = lp_.Next(lp_.Next(p));
    return {lp_.Str(p), lp_.Str(lp_.Next(p))};
  }
  Entry* e = table_->Random(rng, state);
  return {e->key, e->value.str};
}

std::vector<std::pair<std::string_view, std::string_view>> Hash::RandomDistinct(
    size_t count, uint64_t (*rng)(void*), void* state) {
  std::vector<std::pair<std::string_view, std::string_view>> out;
  out.reserve(count);
  size_t n = Size();
  if (table_ && count * 3 <= n) {
    // Few against many: random picks until `count` distinct ones (Redis's case 4).
    absl::flat_hash_set<const Entry*> seen;
    while (out.size() < count) {
      Entry* e = table_->Random(rng, state);
      if (seen.insert(e).second) out.emplace_back(e->key, e->value.str);
    }
    return out;
  }
  // Otherwise a partial Fisher-Yates shuffle over all pairs.
  std::vector<std::pair<std::string_view, std::string_view>> all;
  all.reserve(n);
  ForEach([&](std::string_view f, std::string_view v) { all.emplace_back(f, v); });
  for (size_t i = 0; i < count; ++i) {
    size_t j = i + rng(state) % (n - i);
    std::swap(all[i], all[j]);
    out.push_back(all[i]);
  }
  return out;
}

}  // namespace kevy
