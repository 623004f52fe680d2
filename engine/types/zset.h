// ZSet: the sorted set held by a Value of type kZSet. A skiplist with spans (as Redis's
// zskiplist: per-level forward pointer and span, one backward pointer) ordered by
// (score, member), plus a hash map member -> node, so that scores are O(1) and ranks and
// ranges O(log n). Both of Redis's encodings use this container; `listpack_` only tracks
// which name Redis would report (it converts to "skiplist" past the thresholds, never back).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

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

class ZSet : public Collection {
 public:
  static constexpr int kMaxLevel = 32;

  struct Node {
    std::string member;
    double score;
    Node* backward = nullptr;
    struct Level {
      Node* forward = nullptr;
      size_t span = 0;
    };
    std::vector<Level> level;
    Node* next() const { return level[0].forward; }
    Node* prev() const { return backward; }
  };

  ZSet();
  ~ZSet() override;
  ZSet(const ZSet&) = delete;
  ZSet& operator=(const ZSet&) = delete;

  std::unique_ptr<Collection> Clone() const override;
  size_t Size() const override { return length_; }
  std::string_view Encoding() const override { return listpack_ ? "listpack" : "skiplist"; }
  size_t HeapBytes() const override { return heap_bytes_; }

  // Whether Redis would hold this set as a listpack; ConvertIfNeeded flips it (one way).
  bool listpack() const { return listpack_; }
  void set_listpack(bool v) { listpack_ = v; }
  // Redis's zsetTypeMaybeConvert / the checks of zsetAdd: to skiplist once more than
  // max_entries entries or a member longer than max_value bytes.
  void ConvertIfNeeded(size_t max_entries, size_t max_value) {
    if (listpack_ && (length_ > max_entries || max_member_len_ > max_value)) listpack_ = false;
  }

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
  // Node at a 0-based rank (< Size()), O(log n).
  Node* ByRank(size_t rank) const;
  Node* First() const { return header_->level[0].forward; }
  Node* Last() const { return tail_; }

  // First / last node whose score is in range, or nullptr.
  Node* FirstInRange(const ZScoreRange& r) const;
  Node* LastInRange(const ZScoreRange& r) const;
  // First / last node whose member is in the lex range (Redis assumes equal scores).
  Node* FirstInLex(const ZLexRange& r) const;
  Node* LastInLex(const ZLexRange& r) const;
  // Count of nodes in the range: O(log n) through ranks.
  size_t CountInRange(const ZScoreRange& r) const;
  size_t CountInLex(const ZLexRange& r) const;
  // 0-based rank of a node known to be in the list, O(log n).
  size_t RankOf(const Node* n) const;

  // Removes ranks [start, end] (0-based, inclusive, valid). Returns the number removed.
  size_t EraseRanks(size_t start, size_t end);
  void EraseNode(Node* n);

  // Visits every node in ascending order.
  template <class Fn>
  void ForEach(Fn&& fn) const {
    for (Node* n = First(); n; n = n->next()) fn(*n);
  }
  // Visits every (member, score) in ascending order -- the encoding-independent view the
  // persistence code (RDB, DUMP, AOF rewrite) uses.
  template <class Fn>
  void ForEachMember(Fn&& fn) const {
    for (Node* n = First(); n; n = n->next()) fn(std::string_view(n->member), n->score);
  }

 private:
  int RandomLevel();
  Node* NewNode(int level, std::string_view member, double score);
  // Unlinks n given update[] (the rightmost node before n on each level).
  void Unlink(Node* n, Node** update);
  // Finds update[] for (score, member); returns the node at level 0 after update[0].
  Node* FindUpdate(double score, std::string_view member, Node** update) const;

  Node* header_;
  Node* tail_ = nullptr;
  size_t length_ = 0;
  int level_ = 1;
  uint64_t rng_;
  bool listpack_ = true;
  size_t max_member_len_ = 0;  // longest member ever added (Redis checks at each add)
  size_t heap_bytes_ = 0;
  std::unordered_map<std::string_view, Node*> dict_;
};

// (score, member) ordering of the skiplist.
inline bool ZLess(double s1, std::string_view m1, double s2, std::string_view m2) {
  return s1 < s2 || (s1 == s2 && m1 < m2);
}

}  // namespace kevy
