// The sorted-set container: skiplist with spans + member index (see zset.h).
#include "engine/types/zset.h"

#include <cassert>

namespace kevy {

bool ZLexRange::GteMin(std::string_view v) const {
  if (min_kind == -1) return true;
  if (min_kind == 1) return false;
  int c = v.compare(min);
  return minex ? c > 0 : c >= 0;
}

bool ZLexRange::LteMax(std::string_view v) const {
  if (max_kind == 1) return true;
  if (max_kind == -1) return false;
  int c = v.compare(max);
  return maxex ? c < 0 : c <= 0;
}

ZSet::ZSet() : rng_(0x9e3779b97f4a7c15ull ^ reinterpret_cast<uintptr_t>(this)) {
  header_ = new Node();
  header_->level.resize(kMaxLevel);
}

ZSet::~ZSet() {
  Node* n = header_->level[0].forward;
  while (n) {
    Node* next = n->level[0].forward;
    delete n;
    n = next;
  }
  delete header_;
}

std::unique_ptr<Collection> ZSet::Clone() const {
  auto c = std::make_unique<ZSet>();
  c->listpack_ = listpack_;  // first: Insert reads it (a skiplist's -0 stays -0)
  // Appending in order: each insert lands at the tail, still O(log n) each.
  for (Node* n = First(); n; n = n->next()) c->Insert(n->member, n->score);
  c->max_member_len_ = max_member_len_;
  return c;
}

int ZSet::RandomLevel() {
  // xorshift64*, 1/4 chance to go up a level as in Redis.
  int level = 1;
  while (level < kMaxLevel) {
    rng_ ^= rng_ >> 12;
    rng_ ^= rng_ << 25;
    rng_ ^= rng_ >> 27;
    uint64_t r = rng_ * 2685821657736338717ull;
    if ((r >> 32 & 0xFFFF) >= 0xFFFF / 4) break;
    ++level;
  }
  return level;
}

ZSet::Node* ZSet::NewNode(int level, std::string_view member, double score) {
  Node* n = new Node();
  n->member.assign(member);
  n->score = score;
  n->level.resize(level);
  return n;
}

bool ZSet::Score(std::string_view member, double* score) const {
  auto it = dict_.find(member);
  if (it == dict_.end()) return false;
  *score = it->second->score;
  return true;
}

void ZSet::Insert(std::string_view member, double score) {
  // Redis's listpack keeps a score as text written by d2string, which prints -0 as "0".
  if (listpack_ && score == 0) score = 0.0;
  Node* update[kMaxLevel];
  size_t rank[kMaxLevel];
  Node* x = header_;
  for (int i = level_ - 1; i >= 0; --i) {
    rank[i] = i == level_ - 1 ? 0 : rank[i + 1];
    while (x->level[i].forward &&
           ZLess(x->level[i].forward->score, x->level[i].forward->member, score, member)) {
      rank[i] += x->level[i].span;
      x = x->level[i].forward;
    }
    update[i] = x;
  }
  int level = RandomLevel();
  if (level > level_) {
    for (int i = level_; i < level; ++i) {
      rank[i] = 0;
      update[i] = header_;
      update[i]->level[i].span = length_;
    }
    level_ = level;
  }
  x = NewNode(level, member, score);
  for (int i = 0; i < level; ++i) {
    x->level[i].forward = update[i]->level[i].forward;
    update[i]->level[i].forward = x;
    x->level[i].span = update[i]->level[i].span - (rank[0] - rank[i]);
    update[i]->level[i].span = (rank[0] - rank[i]) + 1;
  }
  for (int i = level; i < level_; ++i) update[i]->level[i].span++;
  x->backward = update[0] == header_ ? nullptr : update[0];
  if (x->level[0].forward)
    x->level[0].forward->backward = x;
  else
    tail_ = x;
  ++length_;
  dict_.emplace(std::string_view(x->member), x);
  if (member.size() > max_member_len_) max_member_len_ = member.size();
  heap_bytes_ += sizeof(Node) + level * sizeof(Node::Level) + x->member.capacity() + 32;
}

ZSet::Node* ZSet::FindUpdate(double score, std::string_view member, Node** update) const {
  Node* x = header_;
  for (int i = level_ - 1; i >= 0; --i) {
    while (x->level[i].forward &&
           ZLess(x->level[i].forward->score, x->level[i].forward->member, score, member))
      x = x->level[i].forward;
    update[i] = x;
  }
  return x->level[0].forward;
}

void ZSet::Unlink(Node* x, Node** update) {
  for (int i = 0; i < level_; ++i) {
    if (update[i]->level[i].forward == x) {
      update[i]->level[i].span += x->level[i].span - 1;
      update[i]->level[i].forward = x->level[i].forward;
    } else {
      update[i]->level[i].span -= 1;
    }
  }
  if (x->level[0].forward)
    x->level[0].forward->backward = x->backward;
  else
    tail_ = x->backward;
  while (level_ > 1 && header_->level[level_ - 1].forward == nullptr) --level_;
  --length_;
  dict_.erase(std::string_view(x->member));
  heap_bytes_ -= sizeof(Node) + x->level.size() * sizeof(Node::Level) + x->member.capacity() + 32;
}

void ZSet::EraseNode(Node* n) {
  Node* update[kMaxLevel];
  Node* x = FindUpdate(n->score, n->member, update);
  assert(x == n);
  (void)x;
  Unlink(n, update);
  delete n;
}

bool ZSet::Erase(std::string_view member) {
  auto it = dict_.find(member);
  if (it == dict_.end()) return false;
  EraseNode(it->second);
  return true;
}

bool ZSet::Set(std::string_view member, double score) {
  if (listpack_ && score == 0) score = 0.0;  // as in Insert
  auto it = dict_.find(member);
  if (it == dict_.end()) {
    Insert(member, score);
    return true;
  }
  Node* n = it->second;
  if (n->score == score) return false;
  // In place when the order does not change (as Redis's zslUpdateScore).
  Node* prev = n->backward;
  Node* next = n->level[0].forward;
  if ((!prev || prev->score < score) && (!next || next->score > score)) {
    n->score = score;
    return false;
  }
  std::string m = n->member;
  EraseNode(n);
  Insert(m, score);
  return false;
}

int64_t ZSet::Rank(std::string_view member) const {
  auto it = dict_.find(member);
  if (it == dict_.end()) return -1;
  return static_cast<int64_t>(RankOf(it->second));
}

size_t ZSet::RankOf(const Node* n) const {
  size_t rank = 0;
  Node* x = header_;
  for (int i = level_ - 1; i >= 0; --i) {
    while (x->level[i].forward &&
           (x->level[i].forward == n ||
            ZLess(x->level[i].forward->score, x->level[i].forward->member, n->score,
                  n->member))) {
      rank += x->level[i].span;
      x = x->level[i].forward;
      if (x == n) return rank - 1;
    }
  }
  return rank - 1;  // not reached for a node of this list
}

ZSet::Node* ZSet::ByRank(size_t rank) const {
  size_t target = rank + 1, traversed = 0;
  Node* x = header_;
  for (int i = level_ - 1; i >= 0; --i) {
    while (x->level[i].forward && traversed + x->level[i].span <= target) {
      traversed += x->level[i].span;
      x = x->level[i].forward;
    }
    if (traversed == target) return x;
  }
  return nullptr;
}

static bool EmptyRange(const ZScoreRange& r) {
  return r.min > r.max || (r.min == r.max && (r.minex || r.maxex));
}

ZSet::Node* ZSet::FirstInRange(const ZScoreRange& r) const {
  if (EmptyRange(r) || !tail_ || !r.GteMin(tail_->score) || !r.LteMax(First()->score))
    return nullptr;
  Node* x = header_;
  for (int i = level_ - 1; i >= 0; --i)
    while (x->level[i].forward && !r.GteMin(x->level[i].forward->score))
      x = x->level[i].forward;
  x = x->level[0].forward;
  return x && r.LteMax(x->score) ? x : nullptr;
}

ZSet::Node* ZSet::LastInRange(const ZScoreRange& r) const {
  if (EmptyRange(r) || !tail_ || !r.GteMin(tail_->score) || !r.LteMax(First()->score))
    return nullptr;
  Node* x = header_;
  for (int i = level_ - 1; i >= 0; --i)
    while (x->level[i].forward && r.LteMax(x->level[i].forward->score))
      x = x->level[i].forward;
  return x != header_ && r.GteMin(x->score) ? x : nullptr;
}

static bool EmptyLex(const ZLexRange& r) {
  if (r.min_kind == 1 || r.max_kind == -1) return true;
  if (r.min_kind == -1 || r.max_kind == 1) return false;
  int c = r.min.compare(r.max);
  return c > 0 || (c == 0 && (r.minex || r.maxex));
}

ZSet::Node* ZSet::FirstInLex(const ZLexRange& r) const {
  if (EmptyLex(r) || !tail_) return nullptr;
  Node* x = header_;
  for (int i = level_ - 1; i >= 0; --i)
    while (x->level[i].forward && !r.GteMin(x->level[i].forward->member))
      x = x->level[i].forward;
  x = x->level[0].forward;
  return x && r.LteMax(x->member) ? x : nullptr;
}

ZSet::Node* ZSet::LastInLex(const ZLexRange& r) const {
  if (EmptyLex(r) || !tail_) return nullptr;
  Node* x = header_;
  for (int i = level_ - 1; i >= 0; --i)
    while (x->level[i].forward && r.LteMax(x->level[i].forward->member))
      x = x->level[i].forward;
  return x != header_ && r.GteMin(x->member) ? x : nullptr;
}

size_t ZSet::CountInRange(const ZScoreRange& r) const {
  Node* f = FirstInRange(r);
  if (!f) return 0;
  Node* l = LastInRange(r);
  return RankOf(l) - RankOf(f) + 1;
}

size_t ZSet::CountInLex(const ZLexRange& r) const {
  Node* f = FirstInLex(r);
  if (!f) return 0;
  Node* l = LastInLex(r);
  if (!l) return 0;
  size_t a = RankOf(f), b = RankOf(l);
  return b >= a ? b - a + 1 : 0;
}

size_t ZSet::EraseRanks(size_t start, size_t end) {
  size_t removed = 0;
  Node* n = ByRank(start);
  while (n && removed < end - start + 1) {
    Node* next = n->next();
    EraseNode(n);
    n = next;
    ++removed;
  }
  return removed;
}

}  // namespace kevy
