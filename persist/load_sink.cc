// LoadSink (see load_sink.h): pipelined inserts, optionally on worker threads.
#include "persist/load_sink.h"

#include <pthread.h>
#include <sched.h>
#include <sys/mman.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>

#include "engine/db.h"
#include "engine/shard.h"
#include "engine/slot.h"

namespace kevy {

namespace {

constexpr size_t kBatch = 512;      // keys per batch handed to a worker
constexpr size_t kMaxQueued = 8;    // batches queued per worker before the decoder waits

// ---- huge pages under the loader's malloc arenas ---------------------------------------------
//
// Faulting in fresh memory is most of a load's cost (tens of microseconds a 4 KiB page in a
// virtual machine; a million keys take ~50k pages). glibc gives each thread but the main
// one an arena of "heaps": anonymous mappings of 64 MiB, aligned to 64 MiB, read-write up
// to where glibc has grown them (128 KiB at a time) and PROT_NONE beyond. When a loading
// thread sees its allocations land in such a heap, it makes the whole heap read-write
// (glibc only ever widens that part, so it does not mind) and advises huge pages for it:
// then a fault maps 2 MiB at once -- a 2 MiB page needs its whole range writable, which
// the frontier of a heap grown 128 KiB at a time never is. Only a hint: where the layout is
// not the expected one (another allocator, the main thread's brk heap), nothing is done.

constexpr uintptr_t kArenaHeap = uintptr_t{64} << 20;  // glibc's HEAP_MAX_SIZE on 64-bit
constexpr int kMadvCollapse = 25;                      // MADV_COLLAPSE (Linux 6.1)

bool HugePagesAvailable() {
  static const bool available = [] {
    FILE* f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
    if (!f) return false;
    char buf[128] = {};
    const size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    const std::string_view mode(buf, n);
    return mode.find("[madvise]") != std::string_view::npos ||
           mode.find("[always]") != std::string_view::npos;
  }();
  return available;
}

// True when [base, base + kArenaHeap) is exactly covered by anonymous mappings, the first
// of which starts at base and is read-write: a glibc arena heap.
bool IsArenaHeap(uintptr_t base) {
  FILE* f = fopen("/proc/self/maps", "r");
  if (!f) return false;
  const uintptr_t end = base + kArenaHeap;
  uintptr_t covered = base;  // the window is covered up to here
  bool ok = true, first = true;
  char line[512];
  while (ok && covered < end && fgets(line, sizeof(line), f)) {
    unsigned long lo, hi, off, inode;
    char perms[8], dev[16], path[256] = {};
    const int n = sscanf(line, "%lx-%lx %7s %lx %15s %lu %255s", &lo, &hi, perms, &off, dev,
                         &inode, path);
    if (n < 6 || hi <= base) continue;
    if (lo >= end) break;
    if (lo != covered || inode != 0 || path[0] != '\0') ok = false;  // a hole or a file
    if (first && (lo != base || perms[0] != 'r' || perms[1] != 'w')) ok = false;
    first = false;
    covered = hi;
  }
  fclose(f);
  return ok && covered >= end;
}

// Per loading thread: the arena heaps it already saw.
class ArenaHugePages {
 public:
  // p: a small block (well below 128 KiB: not a mapping of its own) this thread allocated.
  void Note(const void* p) {
    const uintptr_t base = reinterpret_cast<uintptr_t>(p) & ~(kArenaHeap - 1);
    if (base == last_) return;
    last_ = base;
    if (!HugePagesAvailable()) return;
    for (uintptr_t b : seen_)
      if (b == base) return;
    seen_.push_back(base);
    if (!IsArenaHeap(base)) return;
    void* heap = reinterpret_cast<void*>(base);
    if (mprotect(heap, kArenaHeap, PROT_READ | PROT_WRITE) != 0) return;
    madvise(heap, kArenaHeap, MADV_HUGEPAGE);
    // The first 2 MiB already has small pages (glibc's header, the first blocks): one huge
    // page for them now, rather than 4 KiB faults for the rest of that range (kernels
    // without MADV_COLLAPSE just say no).
    madvise(heap, size_t{2} << 20, kMadvCollapse);
  }

 private:
  uintptr_t last_ = 0;
  std::vector<uintptr_t> seen_;
};

thread_local ArenaHugePages t_huge_pages;

void NoteAllocation(const Value& v) {
  if (v.type != ObjType::kString)
    t_huge_pages.Note(v.obj.get());
  else if (v.str.capacity() > 15 && v.str.capacity() < 4096)  // on the heap, and small
    t_huge_pages.Note(v.str.data());
}

struct Item {
  Db* db;
  uint64_t seq;
  RdbLoadedKey k;
};

struct Batch {
  std::vector<std::pair<Db*, uint64_t>> reserves;  // applied before the items
  std::vector<Item> items;
  bool empty() const { return reserves.empty() && items.empty(); }
};

}  // namespace

// Links keys kDepth behind their arrival, prefetching on the way (see load_sink.h).
class LoadSink::Inserter {
 public:
  explicit Inserter(int64_t now_ms) : now_ms_(now_ms) {}

  // False when this key cannot be taken because an earlier one failed (or one failed now).
  bool Add(Db* db, uint64_t seq, RdbLoadedKey&& k) {
    if (failed_) return false;
    Slot& s = ring_[(head_ + count_) % kDepth];
    s.db = db;
    s.seq = seq;
    s.k = std::move(k);
    s.hash = HashKey(s.k.key);
    db->Prefetch(s.hash);
    if (count_ >= kDepth / 2) {
      const Slot& mid = ring_[(head_ + count_ - kDepth / 2) % kDepth];
      mid.db->PrefetchChain(mid.hash);
    }
    if (++count_ == kDepth) return LinkOldest();
    return true;
  }
  bool Flush() {
    while (count_ > 0)
      if (!LinkOldest()) return false;
    return true;
  }

  bool failed() const { return failed_; }
  const absl::Status& error() const { return error_; }
  uint64_t error_seq() const { return error_seq_; }
  uint64_t inserted() const { return inserted_; }

 private:
  static constexpr size_t kDepth = 16;
  struct Slot {
    Db* db = nullptr;
    uint64_t hash = 0;
    uint64_t seq = 0;
    RdbLoadedKey k;
  };

  bool LinkOldest() {
    Slot& s = ring_[head_];
    head_ = (head_ + 1) % kDepth;
    --count_;
    Entry* e = s.db->InsertLoadedIfAbsent(s.k.key, s.hash, s.k.value, s.k.expire_ms,
                                          s.k.lru_idle, now_ms_);
    if (e) {
      t_huge_pages.Note(e);
      // A file without RESIZEDB (kevy's own snapshots) grows the table as it loads: finish
      // each rehash at once instead of a cold bucket per later insert.
      s.db->FinishRehash();
    } else {
      failed_ = true;
      error_ = absl::AlreadyExistsError("RDB has duplicated key '" + s.k.key + "' in DB " +
                                        std::to_string(s.k.db));
      error_seq_ = s.seq;
      return false;
    }
    ++inserted_;
    return true;
  }

  Slot ring_[kDepth];
  size_t head_ = 0, count_ = 0;
  int64_t now_ms_;
  bool failed_ = false;
  absl::Status error_;
  uint64_t error_seq_ = UINT64_MAX;
  uint64_t inserted_ = 0;
};

struct LoadSink::Worker {
  Worker(int64_t now_ms, std::atomic<bool>* failed) : ins(now_ms), any_failed(failed) {}

  void Run() {
    for (;;) {
      Batch b;
      {
        std::unique_lock<std::mutex> l(mu);
        work.wait(l, [&] { return !queue.empty() || done; });
        if (queue.empty()) break;
        b = std::move(queue.front());
        queue.pop_front();
      }
      space.notify_one();
      for (auto& [db, n] : b.reserves) db->Reserve(n);
      // After a failure the batches are still taken (and dropped), so the decoder never
      // waits on a full queue.
      for (Item& it : b.items)
        if (!ins.Add(it.db, it.seq, std::move(it.k))) {
          any_failed->store(true, std::memory_order_relaxed);
          break;
        }
      b.reserves.clear();
      b.items.clear();
      std::lock_guard<std::mutex> l(mu);
      spare.push_back(std::move(b));
    }
    if (!ins.Flush()) any_failed->store(true, std::memory_order_relaxed);
  }

  Inserter ins;
  std::atomic<bool>* any_failed;
  std::thread thread;
  std::mutex mu;
  std::condition_variable work;   // a batch arrived, or done
  std::condition_variable space;  // a batch was taken
  std::deque<Batch> queue;
  std::vector<Batch> spare;  // emptied batches (their capacity) for the decoder to reuse
  bool done = false;
  Batch cur;  // being filled by the decoder's thread
};

LoadSink::LoadSink(const std::vector<Shard*>& shards, const SlotTable& slots, int64_t now_ms,
                   int workers)
    : shards_(shards), slots_(slots), now_ms_(now_ms) {
  if (workers <= 0) {
    inline_ = std::make_unique<Inserter>(now_ms);
    return;
  }
  failed_ = std::make_unique<std::atomic<bool>>(false);
  for (int w = 0; w < workers; ++w) {
    workers_.push_back(std::make_unique<Worker>(now_ms, failed_.get()));
    Worker* wk = workers_.back().get();
    wk->cur.items.reserve(kBatch);
    wk->thread = std::thread([wk, w] {
      char name[16];
      snprintf(name, sizeof(name), "kevy-load-%d", w);
      pthread_setname_np(pthread_self(), name);
      wk->Run();
    });
  }
}

LoadSink::~LoadSink() {
  if (!finished_) (void)Finish();
}

void LoadSink::Reserve(int db, uint64_t keys) {
  const uint64_t n = shards_.size();
  // Each shard's share, with slack for an uneven spread over the shards.
  const uint64_t per = n == 1 ? keys : keys / n + keys / (n * 16) + 16;
  for (size_t i = 0; i < n; ++i) {
    Db* d = &shards_[i]->db(db);
    if (inline_)
      d->Reserve(per);
    else
      workers_[i % workers_.size()]->cur.reserves.emplace_back(d, per);
  }
}

bool LoadSink::Add(RdbLoadedKey&& k) {
  const size_t shard = shards_.size() == 1 ? 0 : slots_.ShardOf(k.key);
  Db* db = &shards_[shard]->db(k.db);
  const uint64_t seq = seq_++;
  NoteAllocation(k.value);
  if (inline_) return inline_->Add(db, seq, std::move(k));
  if (failed_->load(std::memory_order_relaxed)) return false;
  const size_t w = shard % workers_.size();
  Worker& wk = *workers_[w];
  wk.cur.items.push_back(Item{db, seq, std::move(k)});
  if (wk.cur.items.size() >= kBatch) Send(w);
  return true;
}

void LoadSink::Send(size_t w) {
  Worker& wk = *workers_[w];
  Batch next;
  {
    std::unique_lock<std::mutex> l(wk.mu);
    wk.space.wait(l, [&] { return wk.queue.size() < kMaxQueued; });
    wk.queue.push_back(std::move(wk.cur));
    if (!wk.spare.empty()) {
      next = std::move(wk.spare.back());
      wk.spare.pop_back();
    }
  }
  wk.work.notify_one();
  wk.cur = std::move(next);
  if (wk.cur.items.capacity() == 0) wk.cur.items.reserve(kBatch);
}

absl::Status LoadSink::Finish() {
  if (finished_) return status_;
  finished_ = true;
  if (inline_) {
    inline_->Flush();
    keys_loaded_ = inline_->inserted();
    status_ = inline_->error();
    return status_;
  }
  for (size_t w = 0; w < workers_.size(); ++w) {
    if (!workers_[w]->cur.empty()) Send(w);
    {
      std::lock_guard<std::mutex> l(workers_[w]->mu);
      workers_[w]->done = true;
    }
    workers_[w]->work.notify_one();
  }
  uint64_t first = UINT64_MAX;
  for (auto& wk : workers_) {
    wk->thread.join();
    keys_loaded_ += wk->ins.inserted();
    if (wk->ins.failed() && wk->ins.error_seq() < first) {
      first = wk->ins.error_seq();
      status_ = wk->ins.error();
    }
  }
  return status_;
}

int LoadSink::DefaultWorkers(size_t nshards) {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) != 0) return 0;
  const int cpus = CPU_COUNT(&set);
  if (cpus < 2) return 0;
  return static_cast<int>(std::min<size_t>(nshards, static_cast<size_t>(cpus)));
}

}  // namespace kevy
