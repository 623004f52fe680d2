// ReplyRing: per-connection pending reply slots that complete out of order and leave in
// request order.
//
// Every command that cannot answer at once (it went to another shard, or waits for several)
// reserves the next sequence number. Parts complete in any order; Drain() hands the longest
// ready prefix to the sink (the connection's output buffer) and frees those slots. A command
// that answers at once while earlier ones are pending also takes a slot, completed
// immediately, so order is kept without special cases. Single-threaded (the connection's shard).
#pragma once

#include <cassert>
#include <cstdint>
#include <deque>
#include <string>

namespace kevy::agg {

class ReplyRing {
 public:
  bool empty() const { return slots_.empty(); }
  size_t size() const { return slots_.size(); }
  uint64_t next_seq() const { return base_ + slots_.size(); }

  // Reserves the next slot; returns its sequence number.
  uint64_t Reserve() {
    slots_.emplace_back();
    return base_ + slots_.size() - 1;
  }
  // The buffer of a reserved, not yet drained slot.
  std::string& Buffer(uint64_t seq) {
    assert(seq >= base_ && seq < base_ + slots_.size());
    return slots_[seq - base_].bytes;
  }
  void Complete(uint64_t seq) {
    assert(seq >= base_ && seq < base_ + slots_.size());
    slots_[seq - base_].ready = true;
  }
  bool IsReady(uint64_t seq) const { return seq < base_ || slots_[seq - base_].ready; }

  // Passes each ready slot at the front to sink(std::string&) and drops it.
  // Returns the number of slots drained.
  template <class Sink>
  size_t Drain(Sink&& sink) {
    size_t n = 0;
    while (!slots_.empty() && slots_.front().ready) {
      sink(slots_.front().bytes);
      slots_.pop_front();
      ++base_;
      ++n;
    }
    return n;
  }

 private:
  struct Slot {
    std::string bytes;
    bool ready = false;
  };
  std::deque<Slot> slots_;
  uint64_t base_ = 0;
};

}  // namespace kevy::agg
