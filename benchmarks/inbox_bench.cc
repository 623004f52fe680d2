// Micro-benchmark of a cross-shard round trip through the MPSC inbox: a task posted by one
// thread, run by another, and returned -- batched as the reactor batches per loop.
#include <benchmark/benchmark.h>

#include <atomic>
#include <thread>

#include "net/inbox.h"

namespace {

class Noop final : public kevy::Task {
 public:
  void RunOnTarget(kevy::Shard&) override {}
  void CompleteOnOrigin(kevy::Shard&) override {}
};

void BM_InboxRoundTrip(benchmark::State& state) {
  const int batch = static_cast<int>(state.range(0));
  kevy::Inbox to_target, to_origin;
  std::atomic<bool> stop{false};
  std::thread target([&] {
    while (!stop.load(std::memory_order_relaxed)) {
      kevy::Task* t = to_target.TakeAll();
      if (!t) continue;
      kevy::TaskList back;
      while (t) {
        kevy::Task* next = t->next;
        back.Push(t);
        t = next;
      }
      to_origin.PushBatch(back);
    }
  });
  std::vector<Noop> tasks(static_cast<size_t>(batch));
  for (auto _ : state) {
    kevy::TaskList l;
    for (auto& t : tasks) l.Push(&t);
    to_target.PushBatch(l);
    int got = 0;
    while (got < batch) {
      for (kevy::Task* t = to_origin.TakeAll(); t; t = t->next) ++got;
    }
  }
  stop = true;
  target.join();
  state.SetItemsProcessed(state.iterations() * batch);
}
BENCHMARK(BM_InboxRoundTrip)->Arg(1)->Arg(16)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
