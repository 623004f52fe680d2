// Task: one unit of cross-shard work. It travels origin -> target (RunOnTarget on the
// target's thread) and back target -> origin (CompleteOnOrigin on the origin's thread), in
// per-loop batches through the shards' inboxes. Whoever holds a task owns it; the origin
// deletes it after completion. Tasks form intrusive singly-linked lists (TaskList) so a
// whole batch moves with one atomic exchange in the MPSC inbox.
#pragma once

#include <cstdint>

namespace kevy {

class Shard;

class Task {
 public:
  virtual ~Task() = default;
  // On the target shard's thread. Must not touch origin-owned state.
  virtual void RunOnTarget(Shard& target) = 0;
  // Back on the origin shard's thread. The task is deleted right after.
  virtual void CompleteOnOrigin(Shard& origin) = 0;

  Task* next = nullptr;  // list link; owned by whoever holds the task now
  uint16_t origin = 0;
  uint16_t target = 0;
  bool returning = false;  // false: on the way to target; true: on the way back
  // Set by RunOnTarget when the task cannot go home yet (its work waits for I/O): the target
  // keeps it and sends it home later with Shard::ReturnTask. Cleared by ReturnTask.
  bool kept = false;
  // The atomic operation this task belongs to (engine/shard_lock.h), 0 for none. A shard
  // locked by operation X runs only X's tasks and defers the rest until X unlocks it.
  uint64_t tx = 0;
};

// Intrusive FIFO of tasks.
struct TaskList {
  Task* head = nullptr;
  Task* tail = nullptr;
  uint32_t count = 0;

  bool empty() const { return head == nullptr; }
  void Push(Task* t) {
    t->next = nullptr;
    if (tail)
      tail->next = t;
    else
      head = t;
    tail = t;
    ++count;
  }
  void Clear() {
    head = tail = nullptr;
    count = 0;
  }
};

}  // namespace kevy
