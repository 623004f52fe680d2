// Inbox implementation (see inbox.h for the protocol).
#include "net/inbox.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

namespace kevy {

Inbox::Inbox() : efd_(::eventfd(0, EFD_CLOEXEC)) {
  if (efd_ < 0) {
    perror("eventfd");
    abort();
  }
}

Inbox::~Inbox() { close(efd_); }

void Inbox::PushBatch(TaskList batch) {
  if (batch.empty()) return;
  // Reverse the batch so that the consumer's final reversal restores its order.
  Task* prev = nullptr;
  Task* cur = batch.head;
  while (cur) {
    Task* next = cur->next;
    cur->next = prev;
    prev = cur;
    cur = next;
  }
  Task* first = prev;       // was the tail
  Task* last = batch.head;  // now the end of the reversed chain
  Task* old = top_.load(std::memory_order_relaxed);
  do {
    last->next = old;
  } while (!top_.compare_exchange_weak(old, first, std::memory_order_seq_cst,
                                       std::memory_order_relaxed));
  if (sleeping_.load(std::memory_order_seq_cst) &&
      sleeping_.exchange(false, std::memory_order_seq_cst))
    Wake();
}

Task* Inbox::TakeAll() {
  Task* t = top_.exchange(nullptr, std::memory_order_acquire);
  Task* prev = nullptr;
  while (t) {
    Task* next = t->next;
    t->next = prev;
    prev = t;
    t = next;
  }
  return prev;
}

bool Inbox::PrepareSleep() {
  sleeping_.store(true, std::memory_order_seq_cst);
  if (top_.load(std::memory_order_seq_cst) != nullptr) {
    sleeping_.store(false, std::memory_order_relaxed);
    return false;
  }
  return true;
}

void Inbox::Wake() {
  uint64_t one = 1;
  ssize_t w = write(efd_, &one, sizeof(one));
  (void)w;
}

}  // namespace kevy
