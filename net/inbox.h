// Inbox: a shard's multi-producer single-consumer queue of cross-shard tasks, and its wake-up.
//
// Producers (other shards, at the end of their loop iteration) push a whole batch of tasks
// with one CAS (PushBatch). The consumer takes everything at once (TakeAll) in FIFO order per
// producer. Waking: the consumer announces it is about to sleep (PrepareSleep) and only then
// does a producer pay for a write(2) to the consumer's eventfd -- a busy consumer costs its
// producers no syscall. The consumer's ring keeps a read armed on the eventfd, so a wake-up
// ends its io_uring_enter wait like any other completion.
//
// The queue is a Treiber stack of tasks: producers link their batch reversed, so reversing
// the stack on the consumer side restores the order of each producer's tasks.
#pragma once

#include <atomic>
#include <cstdint>

#include "engine/task.h"

namespace kevy {

class Inbox {
 public:
  Inbox();
  ~Inbox();
  Inbox(const Inbox&) = delete;
  Inbox& operator=(const Inbox&) = delete;

  // Any thread. Takes ownership of the tasks in `batch`; wakes the consumer if it sleeps.
  void PushBatch(TaskList batch);
  // Consumer thread. Returns every queued task in FIFO order (per producer), or nullptr.
  Task* TakeAll();
  bool Empty() const { return top_.load(std::memory_order_acquire) == nullptr; }

  // Consumer thread: call before blocking. Returns false if work arrived meanwhile (then do
  // not sleep). After waking, call Awake().
  bool PrepareSleep();
  void Awake() { sleeping_.store(false, std::memory_order_relaxed); }
  // Any thread: wake the consumer unconditionally (shutdown).
  void Wake();

  int eventfd() const { return efd_; }

 private:
  std::atomic<Task*> top_{nullptr};
  alignas(64) std::atomic<bool> sleeping_{false};
  int efd_;
};

}  // namespace kevy
