// Hash: the two forms of the hash type and the conversion between them (see hash.h).
#include "engine/types/hash.h"

#include <absl/container/flat_hash_set.h>

#include <algorithm>

namespace kevy {

std::unique_ptr<Collection> Hash::Clone() const {
  auto h = std::make_unique<Hash>();
  h->listpack_ = listpack_;
  if (listpack_) {
    h->pairs_ = pairs_;
  } else {
    table_.ForEach([&](const Entry* e) {
      auto* n = new Entry;
      n->key = e->key;
      n->hash = e->hash;
      n->value.str = e->value.str;
      h->table_.Insert(n);
    });
  }
  return h;
}

size_t Hash::HeapBytes() const {
  size_t n = 0;
  if (listpack_) {
    n += pairs_.capacity() * sizeof(pairs_[0]);
    for (const auto& p : pairs_) {
      // Short strings live inside std::string (SSO); only longer ones allocate.
      if (p.first.size() > 15) n += p.first.capacity() + 1;
      if (p.second.size() > 15) n += p.second.capacity() + 1;
    }
  } else {
    table_.ForEach([&](const Entry* e) {
      n += sizeof(Entry) + sizeof(Entry*);
      if (e->key.size() > 15) n += e->key.capacity() + 1;
      if (e->value.str.size() > 15) n += e->value.str.capacity() + 1;
    });
  }
  return n;
}

std::string* Hash::Find(std::string_view field) {
  if (listpack_) {
    for (auto& p : pairs_)
      if (p.first == field) return &p.second;
    return nullptr;
  }
  Entry* e = table_.Find(field);
  return e ? &e->value.str : nullptr;
}

void Hash::ConvertToTable() {
  Table t;
  for (auto& p : pairs_) {
    auto* e = new Entry;
    e->key = std::move(p.first);
    e->hash = HashKey(e->key);
    e->value.str = std::move(p.second);
    t.Insert(e);
  }
  pairs_.clear();
  pairs_.shrink_to_fit();
  table_ = std::move(t);
  listpack_ = false;
}

bool Hash::Set(std::string_view field, std::string_view value, const Limits& lim) {
  if (listpack_ && (field.size() > lim.max_value || value.size() > lim.max_value)) ConvertToTable();
  if (listpack_) {
    for (auto& p : pairs_) {
      if (p.first == field) {
        p.second.assign(value);
        return false;
      }
    }
    pairs_.emplace_back(std::string(field), std::string(value));
    if (pairs_.size() > lim.max_entries) ConvertToTable();
    return true;
  }
  uint64_t h = HashKey(field);
  if (Entry* e = table_.Find(field, h)) {
    e->value.str.assign(value);
    return false;
  }
  auto* e = new Entry;
  e->key.assign(field);
  e->hash = h;
  e->value.str.assign(value);
  table_.Insert(e);
  return true;
}

bool Hash::Erase(std::string_view field) {
  if (listpack_) {
    for (auto it = pairs_.begin(); it != pairs_.end(); ++it) {
      if (it->first == field) {
        pairs_.erase(it);  // keeps insertion order, as deleting from a listpack does
        return true;
      }
    }
    return false;
  }
  Entry* e = table_.Unlink(field, HashKey(field));
  if (!e) return false;
  delete e;
  table_.MaybeShrink();
  return true;
}

std::pair<std::string_view, std::string_view> Hash::Random(uint64_t (*rng)(void*), void* state) {
  if (listpack_) {
    const auto& p = pairs_[rng(state) % pairs_.size()];
    return {p.first, p.second};
  }
  Entry* e = table_.Random(rng, state);
  return {e->key, e->value.str};
}

std::vector<std::pair<std::string_view, std::string_view>> Hash::RandomDistinct(
    size_t count, uint64_t (*rng)(void*), void* state) {
  std::vector<std::pair<std::string_view, std::string_view>> out;
  out.reserve(count);
  size_t n = Size();
  if (!listpack_ && count * 3 <= n) {
    // Few against many: random picks until `count` distinct ones (Redis's case 4).
    absl::flat_hash_set<const Entry*> seen;
    while (out.size() < count) {
      Entry* e = table_.Random(rng, state);
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
