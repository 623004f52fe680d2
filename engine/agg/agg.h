// engine/agg: the reducers of multi-shard commands. Header-only, generic, no engine types.
//
// A multi-shard command splits its keys by owning shard, runs one op per shard and reduces
// the per-shard parts on the origin shard. The pieces here are that reduction:
//   Agg<T>        counts outstanding parts and folds each into an accumulator with +=.
//   SumInt        integer sum (DEL, EXISTS, UNLINK, TOUCH, DBSIZE).
//   AllOk         conjunction with the first error kept (MSET, FLUSHALL, SWAPDB).
//   Gather<T>     places per-shard results back at the positions of the request (MGET).
//   KeyCollect    concatenates key lists (KEYS), with an optional limit.
//   ShardSplit    the split itself: which argument positions go to which shard.
// All of them are single-threaded: parts are merged on the origin shard's thread after the
// part came back through the inbox.
#pragma once

#include <cassert>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace kevy::agg {

// Folds `expected` parts into `acc` with operator+=; Done() once all arrived.
template <class T>
class Agg {
 public:
  explicit Agg(size_t expected, T init = T{}) : acc_(std::move(init)), pending_(expected) {}

  // Merges one part. Returns true when it was the last one.
  bool Add(const T& part) {
    assert(pending_ > 0);
    acc_ += part;
    return --pending_ == 0;
  }
  bool Add(T&& part) {
    assert(pending_ > 0);
    acc_ += std::move(part);
    return --pending_ == 0;
  }
  bool Done() const { return pending_ == 0; }
  size_t pending() const { return pending_; }
  const T& value() const { return acc_; }
  T& value() { return acc_; }

 private:
  T acc_;
  size_t pending_;
};

struct SumInt {
  int64_t value = 0;
  SumInt& operator+=(const SumInt& o) {
    value += o.value;
    return *this;
  }
};

// True unless some part failed; keeps the first error message.
struct AllOk {
  bool ok = true;
  std::string error;
  AllOk& operator+=(const AllOk& o) {
    if (ok && !o.ok) {
      ok = false;
      error = o.error;
    }
    return *this;
  }
  static AllOk Fail(std::string msg) { return AllOk{false, std::move(msg)}; }
};

// Which request positions (e.g. key indexes) each shard handles, in request order.
class ShardSplit {
 public:
  explicit ShardSplit(size_t num_shards) : positions_(num_shards) {}

  void Add(size_t shard, size_t position) { positions_[shard].push_back(position); }
  const std::vector<size_t>& Positions(size_t shard) const { return positions_[shard]; }
  // Shards with at least one position, ascending.
  std::vector<size_t> Shards() const {
    std::vector<size_t> out;
    for (size_t s = 0; s < positions_.size(); ++s)
      if (!positions_[s].empty()) out.push_back(s);
    return out;
  }
  size_t NumShardsUsed() const {
    size_t n = 0;
    for (const auto& p : positions_) n += !p.empty();
    return n;
  }

 private:
  std::vector<std::vector<size_t>> positions_;
};

// Gathers results into request order: a shard's part is the list of results for the
// positions ShardSplit gave it, in the same order.
template <class T>
class Gather {
 public:
  explicit Gather(size_t n) : out_(n) {}
  void Place(const std::vector<size_t>& positions, std::vector<T>&& results) {
    assert(positions.size() == results.size());
    for (size_t i = 0; i < positions.size(); ++i) out_[positions[i]] = std::move(results[i]);
  }
  std::vector<T>& results() { return out_; }

 private:
  std::vector<T> out_;
};

// Concatenates key lists from every shard, up to `limit` keys (0 = unlimited).
struct KeyCollect {
  std::vector<std::string> keys;
  size_t limit = 0;
  KeyCollect& operator+=(KeyCollect&& o) {
    for (auto& k : o.keys) {
      if (limit && keys.size() >= limit) break;
      keys.push_back(std::move(k));
    }
    return *this;
  }
  KeyCollect& operator+=(const KeyCollect& o) {
    for (const auto& k : o.keys) {
      if (limit && keys.size() >= limit) break;
      keys.push_back(k);
    }
    return *this;
  }
};

}  // namespace kevy::agg
