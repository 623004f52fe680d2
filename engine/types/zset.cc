// The sorted-set container: listpack form, skiplist form and the conversion (see zset.h).
#include "engine/types/zset.h"

#include <algorithm>
#include <cassert>

#include "engine/table.h"

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

ZSkiplist::ZSkiplist() : rng_(0x9e3779b97f4a7c15ull ^ reinterpret_cast<uintptr_t>(this)) {
  header_ = new Node();
  header_->level.resize(kMaxLevel);
}

ZSkiplist::~ZSkiplist() {
  Node* n = header_->level[0].forward;
  while (n) {
    Node* next = n->level[0].forward;
    delete n;
    n = next;
  }
  delete header_;
}

int ZSkiplist::RandomLevel() {
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

ZSkiplist::Node* ZSkiplist::NewNode(int level, std::string_view member, double score) {
  Node* n = new Node();
  n->member.assign(member);
  n->score = score;
  n->level.resize(level);
  return n;
}

size_t ZSkiplist::Bucket(std::string_view member) const {
  return HashKey(member) & (buckets_.size() - 1);
}

ZSkiplist::Node* ZSkiplist::Find(std::string_view member) const {
  if (buckets_.empty()) return nullptr;
  for (Node* n = buckets_[Bucket(member)]; n; n = n->hnext)
    if (n->member == member) return n;
  return nullptr;
}

void ZSkiplist::DictResize(size_t nb) {
  std::vector<Node*> old;
  old.swap(buckets_);
  buckets_.assign(nb, nullptr);
  for (Node* head : old) {
    for (Node* n = head; n;) {
      Node* next = n->hnext;
      size_t b = Bucket(n->member);
      n->hnext = buckets_[b];
      buckets_[b] = n;
      n = next;
    }
  }
}

void ZSkiplist::DictAdd(Node* n) {
  // length_ already counts n: grow at load factor 1, as Redis's dict.
  if (length_ > buckets_.size()) DictResize(buckets_.empty() ? 4 : buckets_.size() * 2);
  size_t b = Bucket(n->member);
  n->hnext = buckets_[b];
  buckets_[b] = n;
}

void ZSkiplist::DictRemove(Node* n) {
  Node** pp = &buckets_[Bucket(n->member)];
  while (*pp != n) pp = &(*pp)->hnext;
  *pp = n->hnext;
  // Shrink below 10% fill, as Redis's htNeedsResize.
  if (buckets_.size() > 4 && length_ * 10 < buckets_.size()) {
    size_t nb = 4;
    while (nb < length_) nb *= 2;
    DictResize(nb);
  }
}

void ZSkiplist::Insert(std::string_view member, double score) {
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
  DictAdd(x);
  heap_bytes_ += sizeof(Node) + level * sizeof(Node::Level) + x->member.capacity() + 32;
}

ZSkiplist::Node* ZSkiplist::FindUpdate(double score, std::string_view member, Node** update) const {
  Node* x = header_;
  for (int i = level_ - 1; i >= 0; --i) {
    while (x->level[i].forward &&
           ZLess(x->level[i].forward->score, x->level[i].forward->member, score, member))
      x = x->level[i].forward;
    update[i] = x;
  }
  return x->level[0].forward;
}

void ZSkiplist::Unlink(Node* x, Node** update) {
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
  DictRemove(x);
  heap_bytes_ -= sizeof(Node) + x->level.size() * sizeof(Node::Level) + x->member.capacity() + 32;
}

void ZSkiplist::EraseNode(Node* n) {
  Node* update[kMaxLevel];
  Node* x = FindUpdate(n->score, n->member, update);
  assert(x == n);
  (void)x;
  Unlink(n, update);
  delete n;
}

bool ZSkiplist::Erase(std::string_view member) {
  Node* n = Find(member);
  if (!n) return false;
  EraseNode(n);
  return true;
}

bool ZSkiplist::Set(std::string_view member, double score) {
  Node* n = Find(member);
  if (!n) {
    Insert(member, score);
    return true;
  }
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

size_t ZSkiplist::RankOf(const Node* n) const {
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

ZSkiplist::Node* ZSkiplist::ByRank(size_t rank) const {
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

ZSkiplist::Node* ZSkiplist::FirstInRange(const ZScoreRange& r) const {
  if (EmptyRange(r) || !tail_ || !r.GteMin(tail_->score) || !r.LteMax(First()->score))
    return nullptr;
  Node* x = header_;
  for (int i = level_ - 1; i >= 0; --i)
    while (x->level[i].forward && !r.GteMin(x->level[i].forward->score))
      x = x->level[i].forward;
  x = x->level[0].forward;
  return x && r.LteMax(x->score) ? x : nullptr;
}

ZSkiplist::Node* ZSkiplist::LastInRange(const ZScoreRange& r) const {
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

ZSkiplist::Node* ZSkiplist::FirstInLex(const ZLexRange& r) const {
  if (EmptyLex(r) || !tail_) return nullptr;
  Node* x = header_;
  for (int i = level_ - 1; i >= 0; --i)
    while (x->level[i].forward && !r.GteMin(x->level[i].forward->member))
      x = x->level[i].forward;
  x = x->level[0].forward;
  return x && r.LteMax(x->member) ? x : nullptr;
}

ZSkiplist::Node* ZSkiplist::LastInLex(const ZLexRange& r) const {
  if (EmptyLex(r) || !tail_) return nullptr;
  Node* x = header_;
  for (int i = level_ - 1; i >= 0; --i)
    while (x->level[i].forward && r.LteMax(x->level[i].forward->member))
      x = x->level[i].forward;
  return x != header_ && r.GteMin(x->member) ? x : nullptr;
}

size_t ZSkiplist::EraseRanks(size_t start, size_t end) {
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


// --- ZSet: the two forms behind one interface ---

std::unique_ptr<Collection> ZSet::Clone() const {
  auto c = std::make_unique<ZSet>();
  if (!sl_) {
    c->lp_ = Listpack(lp_);
  } else {
    c->sl_ = std::make_unique<ZSkiplist>();
    // Appending in order: each insert lands at the tail, still O(log n) each.
    for (auto* n = sl_->First(); n; n = n->next()) c->sl_->Insert(n->member, n->score);
  }
  return c;
}

size_t ZSet::HeapBytes() const {
  return sl_ ? sizeof(ZSkiplist) + sl_->heap_bytes() : lp_.bytes();
}

void ZSet::ConvertToSkiplist() {
  if (sl_) return;
  auto sl = std::make_unique<ZSkiplist>();
  ForEachMember([&](std::string_view m, double s) { sl->Insert(m, s); });
  lp_.clear();
  sl_ = std::move(sl);
}

void ZSet::ConvertIfNeeded(size_t max_entries, size_t max_value) {
  if (sl_) return;
  bool convert = Size() > max_entries;
  if (!convert)
    ForEachMember([&](std::string_view m, double) { convert = convert || m.size() > max_value; });
  if (convert) ConvertToSkiplist();
}

size_t ZSet::LpFind(std::string_view member) const {
  size_t e = lp_.end();
  for (size_t p = lp_.begin(); p != e; p = lp_.Next(lp_.Next(p)))
    if (lp_.Str(p) == member) return p;
  return e;
}

void ZSet::LpInsert(std::string_view member, double score) {
  // Redis's listpack keeps a score as text written by d2string, which prints -0 as "0".
  if (score == 0) score = 0.0;
  size_t p = lp_.begin(), e = lp_.end();
  while (p != e) {
    size_t s = lp_.Next(p);
    if (ZLess(score, member, lp_.Num(s), lp_.Str(p))) break;
    p = lp_.Next(s);
  }
  std::string enc;
  Listpack::EncodeStr(&enc, member);
  Listpack::EncodeNum(&enc, score);
  lp_.Splice(p, p, enc, 2);
}

bool ZSet::Score(std::string_view member, double* score) const {
  if (sl_) {
    auto* n = sl_->Find(member);
    if (!n) return false;
    *score = n->score;
    return true;
  }
  size_t p = LpFind(member);
  if (p == lp_.end()) return false;
  *score = lp_.Num(lp_.Next(p));
  return true;
}

void ZSet::Insert(std::string_view member, double score) {
  if (!sl_ && !lp_.SafeToAdd(member.size())) ConvertToSkiplist();
  if (sl_)
    sl_->Insert(member, score);
  else
    LpInsert(member, score);
}

bool ZSet::Set(std::string_view member, double score) {
  if (!sl_ && !lp_.SafeToAdd(member.size())) ConvertToSkiplist();
  if (sl_) return sl_->Set(member, score);
  size_t p = LpFind(member);
  if (p == lp_.end()) {
    LpInsert(member, score);
    return true;
  }
  size_t s = lp_.Next(p);
  if (lp_.Num(s) == score) return false;
  std::string m(member);  // member may point into the buffer about to change
  lp_.Splice(p, lp_.Next(s), {}, -2);
  LpInsert(m, score);
  return false;
}

bool ZSet::Erase(std::string_view member) {
  if (sl_) return sl_->Erase(member);
  size_t p = LpFind(member);
  if (p == lp_.end()) return false;
  lp_.Splice(p, lp_.Next(lp_.Next(p)), {}, -2);
  return true;
}

int64_t ZSet::Rank(std::string_view member) const {
  if (sl_) {
    auto* n = sl_->Find(member);
    return n ? static_cast<int64_t>(sl_->RankOf(n)) : -1;
  }
  int64_t i = 0;
  for (size_t p = lp_.begin(), e = lp_.end(); p != e; p = lp_.Next(lp_.Next(p)), ++i)
    if (lp_.Str(p) == member) return i;
  return -1;
}

ZItem ZSet::AtRank(size_t rank) const {
  if (sl_) {
    auto* n = sl_->ByRank(rank);
    return {n->member, n->score};
  }
  size_t p = lp_.begin();
  while (rank--) p = lp_.Next(lp_.Next(p));
  return {lp_.Str(p), lp_.Num(lp_.Next(p))};
}

bool ZSet::ScoreRanks(const ZScoreRange& r, size_t* first, size_t* last) const {
  if (sl_) {
    auto* f = sl_->FirstInRange(r);
    if (!f) return false;
    auto* l = sl_->LastInRange(r);
    if (!l) return false;
    *first = sl_->RankOf(f);
    *last = sl_->RankOf(l);
    return *last >= *first;
  }
  // Sorted by score: the items in range are one run.
  bool found = false;
  size_t i = 0;
  for (size_t p = lp_.begin(), e = lp_.end(); p != e; ++i) {
    size_t s = lp_.Next(p);
    double sc = lp_.Num(s);
    if (r.GteMin(sc) && r.LteMax(sc)) {
      if (!found) *first = i;
      *last = i;
      found = true;
    } else if (found) {
      break;
    }
    p = lp_.Next(s);
  }
  return found;
}

bool ZSet::LexRanks(const ZLexRange& r, size_t* first, size_t* last) const {
  if (sl_) {
    auto* f = sl_->FirstInLex(r);
    if (!f) return false;
    auto* l = sl_->LastInLex(r);
    if (!l) return false;
    *first = sl_->RankOf(f);
    *last = sl_->RankOf(l);
    return *last >= *first;
  }
  // As Redis's zzlFirstInLexRange: the first member >= min starts the run, which goes on
  // while members are <= max (members are sorted when scores are equal, as the lex
  // commands assume).
  bool found = false;
  size_t i = 0;
  for (size_t p = lp_.begin(), e = lp_.end(); p != e; p = lp_.Next(lp_.Next(p)), ++i) {
    std::string_view m = lp_.Str(p);
    if (!found) {
      if (!r.GteMin(m)) continue;
      if (!r.LteMax(m)) return false;
      *first = *last = i;
      found = true;
    } else if (r.LteMax(m)) {
      *last = i;
    } else {
      break;
    }
  }
  return found;
}

size_t ZSet::CountInRange(const ZScoreRange& r) const {
  size_t f, l;
  return ScoreRanks(r, &f, &l) ? l - f + 1 : 0;
}

size_t ZSet::CountInLex(const ZLexRange& r) const {
  size_t f, l;
  return LexRanks(r, &f, &l) ? l - f + 1 : 0;
}

void ZSet::Range(size_t start, size_t end, bool rev, std::vector<ZItem>* out) const {
  size_t base = out->size();
  if (sl_) {
    if (rev) {
      auto* n = sl_->ByRank(end);
      for (size_t i = start; i <= end; ++i, n = n->prev()) out->push_back({n->member, n->score});
    } else {
      auto* n = sl_->ByRank(start);
      for (size_t i = start; i <= end; ++i, n = n->next()) out->push_back({n->member, n->score});
    }
    return;
  }
  size_t p = lp_.begin();
  for (size_t i = 0; i < start; ++i) p = lp_.Next(lp_.Next(p));
  for (size_t i = start; i <= end; ++i) {
    size_t s = lp_.Next(p);
    out->push_back({lp_.Str(p), lp_.Num(s)});
    p = lp_.Next(s);
  }
  if (rev) std::reverse(out->begin() + static_cast<std::ptrdiff_t>(base), out->end());
}

size_t ZSet::EraseRanks(size_t start, size_t end) {
  if (sl_) return sl_->EraseRanks(start, end);
  size_t p = lp_.begin();
  for (size_t i = 0; i < start; ++i) p = lp_.Next(lp_.Next(p));
  size_t q = p;
  for (size_t i = start; i <= end; ++i) q = lp_.Next(lp_.Next(q));
  lp_.Splice(p, q, {}, -2 * static_cast<int64_t>(end - start + 1));
  return end - start + 1;
}

}  // namespace kevy
