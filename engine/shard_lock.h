// Shard locks: isolation for operations that must be atomic across shards (MSETNX, RENAME and
// COPY between shards, later MULTI/EXEC and *STORE).
//
// An operation gets an id (Shard::NewTxId) and locks the shards it touches one after
// another in ascending shard id -- every operation acquires in the same order, so two
// operations can never wait for each other in a cycle. A locked shard keeps running its loop,
// but any work that is not the lock holder's (commands on its keys, other operations' tasks,
// lock requests) waits in arrival order until the holder unlocks it. The holder then runs its
// phases with FanOut(..., tx) and finally UnlockShards(). With no operation in progress the
// cost is one branch per command.
//
//   LockShards(origin, shards, [=](Shard& o, uint64_t tx) {
//     FanOut<Part>(o, shards, phase1, [=](Shard& o, auto& parts) {
//       ... FanOut<Part2>(o, shards, phase2, [=](Shard& o, auto&) {
//             UnlockShards(o, shards, tx);
//             o.Finish(slot, ...);
//           }, tx);
//     }, tx);
//   });
#pragma once

#include <algorithm>
#include <memory>
#include <utility>
#include <vector>

#include "engine/shard.h"
#include "engine/task.h"

namespace kevy {

namespace detail {

template <class Then>
struct LockChain {
  std::vector<uint16_t> shards;  // ascending, unique
  size_t next = 0;
  uint64_t tx = 0;
  Then then;
};

template <class Then>
void LockNext(Shard& origin, LockChain<Then>* chain);

template <class Then>
class LockTask final : public Task {
 public:
  explicit LockTask(LockChain<Then>* chain) : chain_(chain) {}
  void RunOnTarget(Shard& target) override { target.TakeLock(tx); }
  void CompleteOnOrigin(Shard& origin) override { LockNext(origin, chain_); }

 private:
  LockChain<Then>* chain_;
};

template <class Then>
void LockNext(Shard& origin, LockChain<Then>* chain) {
  if (chain->next == chain->shards.size()) {
    std::unique_ptr<LockChain<Then>> own(chain);
    own->then(origin, own->tx);
    return;
  }
  auto* t = new LockTask<Then>(chain);
  t->origin = origin.id();
  t->target = chain->shards[chain->next++];
  t->tx = chain->tx;
  origin.Post(t);  // to itself: runs now, or waits in its deferred queue
}

class UnlockTask final : public Task {
 public:
  void RunOnTarget(Shard& target) override { target.ReleaseLock(tx); }
  void CompleteOnOrigin(Shard&) override {}
};

}  // namespace detail

// Locks `shards` for a new operation, then calls then(Shard& origin, uint64_t tx) on the origin.
template <class Then>
void LockShards(Shard& origin, std::vector<uint16_t> shards, Then then) {
  std::sort(shards.begin(), shards.end());
  shards.erase(std::unique(shards.begin(), shards.end()), shards.end());
  auto* chain = new detail::LockChain<Then>{std::move(shards), 0, origin.NewTxId(), std::move(then)};
  detail::LockNext(origin, chain);
}

// Releases the locks of operation `tx` (fire and forget; runs at once for the origin itself).
inline void UnlockShards(Shard& origin, const std::vector<uint16_t>& shards, uint64_t tx) {
  for (uint16_t s : shards) {
    auto* t = new detail::UnlockTask;
    t->origin = origin.id();
    t->target = s;
    t->tx = tx;
    origin.Post(t);
  }
}

}  // namespace kevy
