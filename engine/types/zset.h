// ZSet: the sorted set held by a Value of type kZSet, in one of Redis's two encodings:
//   "listpack"  a Listpack (engine/types/listpack.h) of member, score, member, score, ...
//               sorted by (score, member): one allocation, integral scores stored as small
//               integers. Every operation is a linear walk, bounded by
//               zset-max-listpack-entries.
//   "skiplist"  a ZSkiplist: a skiplist with spans (as Redis's zskiplist: per-level forward
//               pointer and span, one backward pointer) ordered by (score, member), plus a
//               chained member -> node dict, so that scores are O(1) and ranks and ranges
//               O(log n). The dict is scanned with the reverse-binary cursor (as Redis's
//               dictScan), which gives ZSCAN the SCAN guarantee.
// A set converts to "skiplist" past the thresholds (more than max_entries members, or a
// member longer than max_value bytes) and never back, as Redis. Items handed out
// (ZItem::member) point into the set and are valid until it is next modified.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/types/listpack.h"
#include "engine/value.h"

namespace kevy {

// A score interval: [min, max] with either end exclusive.
struct ZScoreRange {
  double min = 0, max = 0;
  bool minex = false, maxex = false;
  bool GteMin(double v) const { return minex ? v > min : v >= min; }
  bool LteMax(double v) const { return maxex ? v < max : v <= max; }
};

// A lexicographic interval over members; `min_inf` is "-" and `max_inf` is "+" (either may
// also be set on the other end: "+" as min, "-" as max give empty ranges).
struct ZLexRange {
  std::string min, max;
  bool minex = false, maxex = false;
  int min_kind = 0;  // -1 = "-", +1 = "+", 0 = the string min
  int max_kind = 0;
  bool GteMin(std::string_view v) const;
  bool LteMax(std::string_view v) const;
};

// (score, member) ordering of the skiplist.
inline bool ZLess(double s1, std::string_view m1, double s2, std::string_view m2) {
  return s1 < s2 || (s1 == s2 && m1 < m2);
}

struct ZItem {
  std::string_view member;
  double score;
};

// The "skiplist" form: skiplist + scannable member dict.
class ZSkiplist {
 public:
  static constexpr int kMaxLevel = 32;

  struct Node {
    std::string member;
    double score;
    Node* backward = nullptr;
    Node* hnext = nullptr;  // dict chain
    struct Level {
      Node* forward = nullptr;
      size_t span = 0;
    };
    std::vector<Level> level;
    Node* next() const { return level[0].forward; }
    Node* prev() const { return backward; }
  };

  ZSkiplist();
  ~ZSkiplist();
  ZSkiplist(const ZSkiplist&) = delete;
  ZSkiplist& operator=(const ZSkiplist&) = delete;

  size_t size() const { return length_; }
  size_t heap_bytes() const { return heap_bytes_ + buckets_.capacity() * sizeof(Node*); }

  Node* Find(std::string_view member) const;
  // Adds a new member (must be absent).
  void Insert(std::string_view member, double score);
  // Sets the score of an existing or new member; returns true if it was new.
  bool Set(std::string_view member, double score);
  bool Erase(std::string_view member);

  size_t RankOf(const Node* n) const;
  Node* ByRank(size_t rank) const;
  Node* First() const { return header_->level[0].forward; }
  Node* Last() const { return tail_; }
  Node* FirstInRange(const ZScoreRange& r) const;
  Node* LastInRange(const ZScoreRange& r) const;
  Node* FirstInLex(const ZLexRange& r) const;
  Node* LastInLex(const ZLexRange& r) const;
  size_t EraseRanks(size_t start, size_t end);
  void EraseNode(Node* n);

  // One ZSCAN step over the dict: calls fn(member, score) for the bucket at `cursor` and
  // returns the next cursor (0 when done). Every member present for the whole scan is
  // visited at least once, across inserts, deletes and dict resizes between steps.
  template <class Fn>
  uint64_t Scan(uint64_t cursor, Fn&& fn) const;

 private:
  int RandomLevel();
  Node* NewNode(int level, std::string_view member, double score);
  void Unlink(Node* n, Node** update);
  Node* FindUpdate(double score, std::string_view member, Node** update) const;
  // Dict: power-of-two buckets chained through Node::hnext, resized all at once.
  size_t Bucket(std::string_view member) const;
  void DictAdd(Node* n);
  void DictRemove(Node* n);
  void DictResize(size_t buckets);

  Node* header_;
  Node* tail_ = nullptr;
  size_t length_ = 0;
  int level_ = 1;
  uint64_t rng_;
  size_t heap_bytes_ = 0;
  std::vector<Node*> buckets_;
};

class ZSet : public Collection {
 public:
  ZSet() = default;
  ~ZSet() override = default;
  ZSet(const ZSet&) = delete;
  ZSet& operator=(const ZSet&) = delete;

  std::unique_ptr<Collection> Clone() const override;
  size_t Size() const override { return sl_ ? sl_->size() : lp_.size() / 2; }
  std::string_view Encoding() const override { return sl_ ? "skiplist" : "listpack"; }
  size_t HeapBytes() const override;

  // Whether this set is a listpack (Redis's encoding for the same history).
  bool listpack() const { return !sl_; }
  // To "skiplist" now (one way).
  void ConvertToSkiplist();
  // Redis's zsetTypeMaybeConvert: to skiplist when more than max_entries members or a
  // member longer than max_value bytes. Loaders that know the final size up front should
  // call it (or ConvertToSkiplist) before inserting many members: listpack inserts are
  // O(size) each.
  void ConvertIfNeeded(size_t max_entries, size_t max_value);

  // Score of member, or false.
  bool Score(std::string_view member, double* score) const;
  // Adds a new member (must be absent).
  void Insert(std::string_view member, double score);
  // Sets the score of an existing or new member; returns true if it was new.
  bool Set(std::string_view member, double score);
  // Removes member; returns false if absent.
  bool Erase(std::string_view member);

  // 0-based rank of a member by ascending order, or -1 when absent.
  int64_t Rank(std::string_view member) const;
  // The item at a 0-based rank (< Size()).
  ZItem AtRank(size_t rank) const;
  // The ranks [*first, *last] of the items whose score / member is in range; false if none.
  bool ScoreRanks(const ZScoreRange& r, size_t* first, size_t* last) const;
  bool LexRanks(const ZLexRange& r, size_t* first, size_t* last) const;
  size_t CountInRange(const ZScoreRange& r) const;
  size_t CountInLex(const ZLexRange& r) const;
  // Appends the items of ranks [start, end] (inclusive, end < Size()) to *out, in
  // ascending order, or descending (from end down to start) when rev.
  void Range(size_t start, size_t end, bool rev, std::vector<ZItem>* out) const;
  // Removes ranks [start, end] (0-based, inclusive, valid). Returns the number removed.
  size_t EraseRanks(size_t start, size_t end);

  // Visits every (member, score) in ascending order -- the encoding-independent view the
  // persistence code (RDB, DUMP, AOF rewrite) uses.
  template <class Fn>
  void ForEachMember(Fn&& fn) const {
    if (sl_) {
      for (auto* n = sl_->First(); n; n = n->next()) fn(std::string_view(n->member), n->score);
      return;
    }
    for (size_t p = lp_.begin(), e = lp_.end(); p != e;) {
      size_t s = lp_.Next(p);
      size_t next = lp_.Next(s);
      fn(lp_.Str(p), lp_.Num(s));
      p = next;
    }
  }

  // One ZSCAN step of the skiplist form (see ZSkiplist::Scan). Only when !listpack().
  template <class Fn>
  uint64_t ScanSkiplist(uint64_t cursor, Fn&& fn) const {
    return sl_->Scan(cursor, fn);
  }

 private:
  // Listpack helpers: position of member's entry (or lp_.end()).
  size_t LpFind(std::string_view member) const;
  void LpInsert(std::string_view member, double score);

  Listpack lp_;                       // listpack form (empty once converted)
  std::unique_ptr<ZSkiplist> sl_;     // skiplist form; null while a listpack
};

// --- inline template definitions ---

template <class Fn>
uint64_t ZSkiplist::Scan(uint64_t v, Fn&& fn) const {
  if (length_ == 0 || buckets_.empty()) return 0;
  auto rev = [](uint64_t x) {
    x = ((x >> 1) & 0x5555555555555555ULL) | ((x & 0x5555555555555555ULL) << 1);
    x = ((x >> 2) & 0x3333333333333333ULL) | ((x & 0x3333333333333333ULL) << 2);
    x = ((x >> 4) & 0x0F0F0F0F0F0F0F0FULL) | ((x & 0x0F0F0F0F0F0F0F0FULL) << 4);
    x = ((x >> 8) & 0x00FF00FF00FF00FFULL) | ((x & 0x00FF00FF00FF00FFULL) << 8);
    x = ((x >> 16) & 0x0000FFFF0000FFFFULL) | ((x & 0x0000FFFF0000FFFFULL) << 16);
    return (x >> 32) | (x << 32);
  };
  uint64_t m = buckets_.size() - 1;
  for (Node* n = buckets_[v & m]; n; n = n->hnext) fn(std::string_view(n->member), n->score);
  v |= ~m;
  v = rev(v);
  v++;
  return rev(v);
}

}  // namespace kevy
