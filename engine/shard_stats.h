// Per-shard counters, summed over shards for INFO with the agg reducers.
#pragma once

#include <time.h>

#include <atomic>
#include <cstdint>

namespace kevy {

struct ShardStats {
  uint64_t total_commands_processed = 0;
  uint64_t total_connections_received = 0;
  uint64_t rejected_connections = 0;
  uint64_t net_input_bytes = 0;
  uint64_t net_output_bytes = 0;
  uint64_t expired_keys = 0;
  uint64_t expired_stale_perc_x100 = 0;  // unused until the cron reports it
  uint64_t evicted_keys = 0;
  uint64_t keyspace_hits = 0;
  uint64_t keyspace_misses = 0;
  uint64_t total_error_replies = 0;
  uint64_t unexpected_error_replies = 0;
  uint64_t instantaneous_ops_sample = 0;  // unused: ops/sec is sampled in the server
  uint64_t cross_shard_batches = 0;       // inbox messages sent by this shard
  uint64_t cross_shard_tasks = 0;         // tasks carried in them
  uint64_t dirty = 0;                     // changes (logged effects) since start, as Redis's server.dirty
  uint64_t dirty_at_cut = 0;              // `dirty` when the last snapshot started here
  uint64_t dirty_saved = 0;               // `dirty` covered by the last successful save

  ShardStats& operator+=(const ShardStats& o) {
    static_assert(sizeof(ShardStats) == 18 * sizeof(uint64_t),
                  "a new ShardStats field must be added to operator+=");
    total_commands_processed += o.total_commands_processed;
    total_connections_received += o.total_connections_received;
    dirty += o.dirty;
    dirty_at_cut += o.dirty_at_cut;
    dirty_saved += o.dirty_saved;
    rejected_connections += o.rejected_connections;
    net_input_bytes += o.net_input_bytes;
    net_output_bytes += o.net_output_bytes;
    expired_keys += o.expired_keys;
    expired_stale_perc_x100 += o.expired_stale_perc_x100;
    evicted_keys += o.evicted_keys;
    keyspace_hits += o.keyspace_hits;
    keyspace_misses += o.keyspace_misses;
    total_error_replies += o.total_error_replies;
    unexpected_error_replies += o.unexpected_error_replies;
    instantaneous_ops_sample += o.instantaneous_ops_sample;
    cross_shard_batches += o.cross_shard_batches;
    cross_shard_tasks += o.cross_shard_tasks;
    return *this;
  }
};

// A cheap clock for timing every command: the CPU's invariant time-stamp counter (a few ns
// to read, where clock_gettime costs tens), converted to microseconds with a rate measured
// once at start-up (Calibrate). Uncalibrated, ticks count as 0 us.
class CommandClock {
 public:
  static uint64_t Now() {
#if defined(__x86_64__) || defined(__i386__)
    return __builtin_ia32_rdtsc();
#else
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<uint64_t>(ts.tv_sec) * 1000000000ULL + ts.tv_nsec;
#endif
  }
  // Measures ticks per microsecond over ~20 ms. Call once, before the shards start.
  static void Calibrate();
  static uint64_t ToUsec(uint64_t ticks) {
    double per_us = ticks_per_us_.load(std::memory_order_relaxed);
    return per_us > 0 ? static_cast<uint64_t>(static_cast<double>(ticks) / per_us) : 0;
  }

 private:
  static std::atomic<double> ticks_per_us_;
};

// Per-command counters for INFO commandstats (indexed by the command's id).
struct CommandStat {
  uint64_t calls = 0;
  uint64_t usec = 0;   // time in microseconds, as Redis's; see CommandClock for `ticks`
  uint64_t ticks = 0;  // CPU time-stamp ticks spent executing (converted at INFO time)
  uint64_t rejected_calls = 0;
  uint64_t failed_calls = 0;

  uint64_t total_usec() const { return usec + CommandClock::ToUsec(ticks); }
};

}  // namespace kevy
