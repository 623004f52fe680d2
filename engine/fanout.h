// FanOut: run one op on each of several shards and reduce the parts on the origin.
//
//   FanOut<Part>(origin, shards, op, done)
//     op(Shard& target, size_t i, Part& part)   runs on shards[i]'s thread; fills parts[i].
//     done(Shard& origin, std::vector<Part>& parts)   runs on the origin's thread once all
//                                                 parts are in.
// The op runs inline for the origin shard itself and through the inbox for the others (in
// this loop iteration's batch). `op` is shared by the target threads, which may run it at
// the same time: capture only what is immutable (copied keys, positions), never references
// to the client or its input buffer. `done` typically calls Shard::Finish on a ReplySlot,
// or starts another FanOut (a second phase) with the same slot.
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <utility>
#include <vector>

#include "engine/shard.h"
#include "engine/task.h"

namespace kevy {

namespace detail {

template <class Part, class Op, class Done>
struct FanOutState {
  FanOutState(Op&& o, Done&& d, size_t n) : op(std::move(o)), done(std::move(d)), parts(n) {}
  Op op;
  Done done;
  std::vector<Part> parts;
  size_t pending = 0;  // touched only on the origin
};

template <class State>
class FanOutTask final : public Task {
 public:
  FanOutTask(State* st, size_t i) : st_(st), i_(i) {}
  void RunOnTarget(Shard& target) override { st_->op(target, i_, st_->parts[i_]); }
  void CompleteOnOrigin(Shard& origin) override {
    if (--st_->pending == 0) {
      st_->done(origin, st_->parts);
      delete st_;
    }
  }

 private:
  State* st_;
  size_t i_;
};

}  // namespace detail

// `tx`: the atomic operation (engine/shard_lock.h) this fan-out is a phase of, or 0.
template <class Part, class Op, class Done>
void FanOut(Shard& origin, const std::vector<uint16_t>& shards, Op op, Done done,
            uint64_t tx = 0) {
  using State = detail::FanOutState<Part, Op, Done>;
  auto* st = new State(std::move(op), std::move(done), shards.size());
  if (shards.empty()) {
    st->done(origin, st->parts);
    delete st;
    return;
  }
  st->pending = shards.size() + 1;  // +1 guards against completing while posting
  for (size_t i = 0; i < shards.size(); ++i) {
    if (shards[i] == origin.id() && !origin.MustDefer(tx)) {
      st->op(origin, i, st->parts[i]);
      --st->pending;
    } else {
      auto* t = new detail::FanOutTask<State>(st, i);
      t->origin = origin.id();
      t->target = shards[i];
      t->tx = tx;
      origin.Post(t);
    }
  }
  if (--st->pending == 0) {
    st->done(origin, st->parts);
    delete st;
  }
}

// All shard ids, 0..n-1.
inline std::vector<uint16_t> AllShards(const Shard& s) {
  std::vector<uint16_t> v(s.server().num_shards());
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<uint16_t>(i);
  return v;
}

}  // namespace kevy
