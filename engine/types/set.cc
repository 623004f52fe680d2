// Set (engine/types/set.h): membership map + dense member vector, swap-remove.
#include "engine/types/set.h"

#include <absl/strings/string_view.h>

#include <algorithm>
#include <utility>

#include "engine/util.h"

namespace kevy {

namespace {

absl::string_view Absl(std::string_view s) { return absl::string_view(s.data(), s.size()); }

// Rough per-member cost: the map node (key string + index) and the vector slot.
size_t MemberBytes(std::string_view m) {
  return sizeof(std::string) + sizeof(uint32_t) + sizeof(void*) * 2 +
         (m.size() > 15 ? m.size() + 1 : 0);
}

}  // namespace

bool Set::IsIntsetMember(std::string_view s) {
  if (s.empty() || s.size() > 20) return false;
  int64_t v;
  if (!ParseInt64(s, &v)) return false;
  char buf[24];
  int n = FormatInt64(v, buf);
  return std::string_view(buf, static_cast<size_t>(n)) == s;
}

bool Set::Add(std::string_view member, int64_t max_intset) {
  auto [it, inserted] = index_.try_emplace(Absl(member), static_cast<uint32_t>(members_.size()));
  if (!inserted) return false;
  members_.push_back(&it->first);
  heap_bytes_ += MemberBytes(member);
  if (intset_ && (!IsIntsetMember(member) || static_cast<int64_t>(members_.size()) > max_intset))
    intset_ = false;
  return true;
}

bool Set::Remove(std::string_view member) {
  auto it = index_.find(Absl(member));
  if (it == index_.end()) return false;
  TakeAt(it->second);
  return true;
}

bool Set::Contains(std::string_view member) const { return index_.contains(Absl(member)); }

std::string Set::TakeAt(size_t i) {
  auto it = index_.find(Absl(*members_[i]));
  std::string out = std::move(index_.extract(it).key());
  heap_bytes_ -= MemberBytes(out);
  const std::string* last = members_.back();
  members_.pop_back();
  if (i < members_.size()) {
    members_[i] = last;
    index_.find(Absl(*last))->second = static_cast<uint32_t>(i);
  }
  return out;
}

std::vector<std::string_view> Set::Members() const {
  std::vector<std::string_view> out;
  out.reserve(members_.size());
  for (const std::string* m : members_) out.emplace_back(*m);
  if (intset_) {
    std::vector<std::pair<int64_t, std::string_view>> nums;
    nums.reserve(out.size());
    for (std::string_view m : out) {
      int64_t v = 0;
      (void)ParseInt64(m, &v);
      nums.emplace_back(v, m);
    }
    std::sort(nums.begin(), nums.end());
    for (size_t i = 0; i < nums.size(); ++i) out[i] = nums[i].second;
  }
  return out;
}

std::unique_ptr<Collection> Set::Clone() const {
  auto c = std::make_unique<Set>();
  c->index_.reserve(members_.size());
  c->members_.reserve(members_.size());
  for (const std::string* m : members_) {
    auto [it, ok] = c->index_.try_emplace(*m, static_cast<uint32_t>(c->members_.size()));
    (void)ok;
    c->members_.push_back(&it->first);
  }
  c->intset_ = intset_;
  c->heap_bytes_ = heap_bytes_;
  return c;
}

}  // namespace kevy
