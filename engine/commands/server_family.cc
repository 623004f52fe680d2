// Server commands: INFO, CONFIG, COMMAND, TIME, WAIT, DEBUG, SHUTDOWN.
//
// INFO and CONFIG RESETSTAT see every shard: a FanOut collects (or zeroes) each shard's
// ShardStats, command statistics and database sizes, and the origin formats the sum with
// Redis 7's section and field names. COMMAND describes the command table from its rows (the
// same rows the dispatcher uses), so COMMAND INFO/DOCS/LIST/GETKEYS and redis-cli's hints
// always agree with what kevy runs.
#include <absl/container/flat_hash_map.h>
#include <absl/strings/str_format.h>
#include <malloc.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "engine/client.h"
#include "engine/command.h"
#include "engine/fanout.h"
#include "engine/server_state.h"
#include "engine/commands/family_util.h"
#include "persist/aof_manager.h"
#include "persist/rdb.h"
#include "engine/shard.h"
#include "engine/shard_stats.h"
#include "engine/util.h"
#include "resp/errors.h"
#include "resp/reply.h"

#ifndef KEVY_VERSION
#define KEVY_VERSION "unknown"
#endif

namespace kevy {

namespace {

void ReplyHelp(ReplyBuilder& rb, std::string_view cmd,
               std::initializer_list<std::string_view> lines) {
  rb.ArrayHeader(lines.size() + 3);
  rb.SimpleString(StrCat(cmd, " <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"));
  for (std::string_view l : lines) rb.SimpleString(l);
  rb.SimpleString("HELP");
  rb.SimpleString("    Prints this help.");
}

// ---------------------------------------------------------------------------------------------
// Process-wide memory and rate figures. They describe the process, not one ServerState, so
// they live here rather than in ServerState; every access is atomic or under the mutex.

uint64_t UsedMemory() {
  struct mallinfo2 mi = mallinfo2();
  return mi.uordblks + mi.hblkhd;
}

uint64_t ActiveMemory() {
  struct mallinfo2 mi = mallinfo2();
  return mi.arena + mi.hblkhd;
}

uint64_t RssMemory() {
  FILE* f = fopen("/proc/self/statm", "r");
  if (!f) return 0;
  unsigned long size = 0, resident = 0;
  int n = fscanf(f, "%lu %lu", &size, &resident);
  fclose(f);
  return n == 2 ? resident * static_cast<uint64_t>(sysconf(_SC_PAGESIZE)) : 0;
}

uint64_t TotalSystemMemory() {
  long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
  return pages > 0 && page > 0 ? static_cast<uint64_t>(pages) * static_cast<uint64_t>(page) : 0;
}

std::atomic<uint64_t> g_startup_memory{0};  // used memory when the command table was built
std::atomic<uint64_t> g_peak_memory{0};  // highest used memory INFO has seen (or since RESETSTAT)

uint64_t UpdatePeak(uint64_t used) {
  uint64_t peak = g_peak_memory.load(std::memory_order_relaxed);
  while (used > peak && !g_peak_memory.compare_exchange_weak(peak, used)) {
  }
  return std::max(peak, used);
}

// instantaneous_* of INFO stats. Redis samples ten times a second in its cron; kevy takes a
// sample at each INFO and reports the rate over the interval since the previous sample (at
// least 100 ms, else the previous rate stands), which is what a dashboard polling INFO sees.
struct RateSampler {
  std::mutex mu;
  int64_t last_us = 0;
  uint64_t cmds = 0, in = 0, out = 0;
  double ops = 0, in_kbps = 0, out_kbps = 0;

  void Sample(const ShardStats& t, double* ops_out, double* in_out, double* out_out) {
    std::lock_guard<std::mutex> l(mu);
    int64_t now = Shard::MonoUs();
    bool went_back = t.total_commands_processed < cmds || t.net_input_bytes < in ||
                     t.net_output_bytes < out;  // RESETSTAT
    if (last_us == 0 || went_back) {
      ops = in_kbps = out_kbps = 0;
      last_us = now;
      cmds = t.total_commands_processed;
      in = t.net_input_bytes;
      out = t.net_output_bytes;
    } else if (now - last_us >= 100000) {
      double secs = static_cast<double>(now - last_us) / 1e6;
      ops = static_cast<double>(t.total_commands_processed - cmds) / secs;
      in_kbps = static_cast<double>(t.net_input_bytes - in) / secs / 1024;
      out_kbps = static_cast<double>(t.net_output_bytes - out) / secs / 1024;
      last_us = now;
      cmds = t.total_commands_processed;
      in = t.net_input_bytes;
      out = t.net_output_bytes;
    }
    *ops_out = ops;
    *in_out = in_kbps;
    *out_out = out_kbps;
  }
  void Reset() {
    std::lock_guard<std::mutex> l(mu);
    last_us = 0;
    ops = in_kbps = out_kbps = 0;
  }
};

RateSampler& Sampler() {
  static RateSampler s;
  return s;
}

// The replication id INFO shows: 40 hex chars, fixed for the life of the process.
const std::string& MasterReplId() {
  static const std::string id = [] {
    std::string s;
    uint64_t x = static_cast<uint64_t>(Shard::MonoUs()) ^ (static_cast<uint64_t>(getpid()) << 32) ^
                 static_cast<uint64_t>(Shard::WallMs());
    for (int i = 0; i < 40; ++i) {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      s.push_back("0123456789abcdef"[(x >> 11) & 15]);
    }
    return s;
  }();
  return id;
}

// Redis's bytesToHuman.
std::string BytesToHuman(uint64_t n) {
  const double d = static_cast<double>(n);
  if (n < 1024) return StrCat(n, "B");
  if (n < (1ULL << 20)) return absl::StrFormat("%.2fK", d / (1ULL << 10));
  if (n < (1ULL << 30)) return absl::StrFormat("%.2fM", d / (1ULL << 20));
  if (n < (1ULL << 40)) return absl::StrFormat("%.2fG", d / (1ULL << 30));
  if (n < (1ULL << 50)) return absl::StrFormat("%.2fT", d / (1ULL << 40));
  if (n < (1ULL << 60)) return absl::StrFormat("%.2fP", d / (1ULL << 50));
  return StrCat(n, "B");
}

// ---------------------------------------------------------------------------------------------
// INFO

enum InfoSection : uint32_t {
  kSecServer = 1u << 0,
  kSecClients = 1u << 1,
  kSecMemory = 1u << 2,
  kSecPersistence = 1u << 3,
  kSecStats = 1u << 4,
  kSecReplication = 1u << 5,
  kSecCpu = 1u << 6,
  kSecModules = 1u << 7,
  kSecCommandstats = 1u << 8,
  kSecErrorstats = 1u << 9,
  kSecLatencystats = 1u << 10,
  kSecCluster = 1u << 11,
  kSecKeyspace = 1u << 12,
};
constexpr uint32_t kSecDefault = kSecServer | kSecClients | kSecMemory | kSecPersistence |
                                 kSecStats | kSecReplication | kSecCpu | kSecModules |
                                 kSecErrorstats | kSecCluster | kSecKeyspace;
constexpr uint32_t kSecAll = kSecDefault | kSecCommandstats | kSecLatencystats;

constexpr std::pair<std::string_view, uint32_t> kSectionNames[] = {
    {"server", kSecServer},
    {"clients", kSecClients},
    {"memory", kSecMemory},
    {"persistence", kSecPersistence},
    {"stats", kSecStats},
    {"replication", kSecReplication},
    {"cpu", kSecCpu},
    {"modules", kSecModules},
    {"commandstats", kSecCommandstats},
    {"errorstats", kSecErrorstats},
    {"latencystats", kSecLatencystats},
    {"cluster", kSecCluster},
    {"keyspace", kSecKeyspace},
};

struct DbPart {
  uint64_t keys = 0, expires = 0;
  int64_t avg_ttl = 0;
};

// One shard's contribution to INFO.
struct InfoPart {
  ShardStats stats;
  std::vector<CommandStat> cmdstats;  // only with commandstats
  std::vector<DbPart> dbs;            // only with keyspace
  uint64_t clients = 0, max_qbuf = 0, max_out = 0, client_mem = 0;
};

void CollectInfo(Shard& s, uint32_t sections, InfoPart& part) {
  part.stats = s.stats();
  if (sections & kSecCommandstats) part.cmdstats = s.cmdstats();
  if (sections & kSecKeyspace) {
    part.dbs.resize(static_cast<size_t>(s.num_dbs()));
    for (int i = 0; i < s.num_dbs(); ++i) {
      Db& db = s.db(i);
      part.dbs[i].keys = db.size();
      part.dbs[i].expires = db.expires();
      part.dbs[i].avg_ttl = db.AvgTtlMs(s.now_ms());
    }
  }
  for (const auto& [id, c] : s.clients()) {
    if (c->closed) continue;
    ++part.clients;
    part.max_qbuf = std::max<uint64_t>(part.max_qbuf, c->qbuf_cap);
    part.max_out = std::max<uint64_t>(part.max_out, c->out.capacity());
    part.client_mem += sizeof(ClientState) + c->qbuf_cap + c->out.capacity();
  }
}

std::string Timeval(const timeval& tv) {
  return absl::StrFormat("%d.%06d", static_cast<long>(tv.tv_sec), static_cast<long>(tv.tv_usec));
}

// Appends "key:value\r\n" for each pair.
template <class... Args>
void Line(std::string* s, std::string_view key, const Args&... value) {
  Cat(s, key, ":", value..., "\r\n");
}

std::string FormatInfo(Shard& origin, uint32_t sections, std::vector<InfoPart>& parts) {
  ServerState& srv = origin.server();
  Config& cfg = srv.config;
  ShardStats st;
  uint64_t clients = 0, max_qbuf = 0, max_out = 0, client_mem = 0;
  for (auto& p : parts) {
    st += p.stats;
    clients += p.clients;
    max_qbuf = std::max(max_qbuf, p.max_qbuf);
    max_out = std::max(max_out, p.max_out);
    client_mem += p.client_mem;
  }
  int64_t now_ms = origin.now_ms();
  std::vector<std::string> out;

  if (sections & kSecServer) {
    std::string s = "# Server\r\n";
    struct utsname un;
    uname(&un);
    int64_t uptime = std::max<int64_t>(0, (now_ms - srv.start_ms) / 1000);
    Line(&s, "redis_version", kRedisVersion);
    Line(&s, "kevy_version", KEVY_VERSION);
    Line(&s, "redis_git_sha1", "00000000");
    Line(&s, "redis_git_dirty", 0);
    Line(&s, "redis_build_id", "0");
    Line(&s, "redis_mode", "standalone");
    Line(&s, "os", un.sysname, " ", un.release, " ", un.machine);
    Line(&s, "arch_bits", sizeof(long) * 8);
    Line(&s, "monotonic_clock", "POSIX clock_gettime");
    Line(&s, "multiplexing_api", "io_uring");
    Line(&s, "atomicvar_api", "c11-builtin");
    Line(&s, "gcc_version", __GNUC__, ".", __GNUC_MINOR__, ".", __GNUC_PATCHLEVEL__);
    Line(&s, "process_id", getpid());
    Line(&s, "process_supervised", "no");
    Line(&s, "run_id", srv.run_id);
    Line(&s, "tcp_port", cfg.port.load(std::memory_order_relaxed));
    Line(&s, "server_time_usec", now_ms * 1000);
    Line(&s, "uptime_in_seconds", uptime);
    Line(&s, "uptime_in_days", uptime / 86400);
    Line(&s, "hz", cfg.hz.load(std::memory_order_relaxed));
    Line(&s, "configured_hz", cfg.hz.load(std::memory_order_relaxed));
    Line(&s, "lru_clock", (now_ms / 1000) & ((1 << 24) - 1));
    Line(&s, "executable", srv.executable);
    Line(&s, "config_file", cfg.config_file());
    Line(&s, "io_threads_active", 0);
    Line(&s, "kevy_shards", srv.num_shards());
    out.push_back(std::move(s));
  }

  if (sections & kSecClients) {
    std::string s = "# Clients\r\n";
    Line(&s, "connected_clients", clients);
    Line(&s, "cluster_connections", 0);
    Line(&s, "maxclients", cfg.maxclients.load(std::memory_order_relaxed));
    Line(&s, "client_recent_max_input_buffer", max_qbuf);
    Line(&s, "client_recent_max_output_buffer", max_out);
    Line(&s, "blocked_clients", 0);
    Line(&s, "tracking_clients", 0);
    Line(&s, "clients_in_timeout_table", 0);
    out.push_back(std::move(s));
  }

  if (sections & kSecMemory) {
    std::string s = "# Memory\r\n";
    uint64_t used = UsedMemory(), active = ActiveMemory(), rss = RssMemory();
    uint64_t peak = UpdatePeak(used);
    uint64_t startup = std::min(g_startup_memory.load(std::memory_order_relaxed), used);
    uint64_t overhead = std::min(used, startup + client_mem);
    uint64_t dataset = used - overhead;
    uint64_t net = used > startup ? used - startup : 0;
    int64_t maxmem = cfg.maxmemory.load(std::memory_order_relaxed);
    uint64_t sysmem = TotalSystemMemory();
    auto ratio = [](uint64_t a, uint64_t b) {
      return absl::StrFormat("%.2f", b ? static_cast<double>(a) / static_cast<double>(b) : 0.0);
    };
    auto diff = [](uint64_t a, uint64_t b) {
      return static_cast<int64_t>(a) - static_cast<int64_t>(b);
    };
    Line(&s, "used_memory", used);
    Line(&s, "used_memory_human", BytesToHuman(used));
    Line(&s, "used_memory_rss", rss);
    Line(&s, "used_memory_rss_human", BytesToHuman(rss));
    Line(&s, "used_memory_peak", peak);
    Line(&s, "used_memory_peak_human", BytesToHuman(peak));
    Line(&s, "used_memory_peak_perc",
         absl::StrFormat(
             "%.2f%%", peak ? 100.0 * static_cast<double>(used) / static_cast<double>(peak) : 0.0));
    Line(&s, "used_memory_overhead", overhead);
    Line(&s, "used_memory_startup", startup);
    Line(&s, "used_memory_dataset", dataset);
    Line(
        &s, "used_memory_dataset_perc",
        absl::StrFormat(
            "%.2f%%", net ? 100.0 * static_cast<double>(dataset) / static_cast<double>(net) : 0.0));
    Line(&s, "allocator_allocated", used);
    Line(&s, "allocator_active", active);
    Line(&s, "allocator_resident", rss);
    Line(&s, "total_system_memory", sysmem);
    Line(&s, "total_system_memory_human", BytesToHuman(sysmem));
    // No scripting engine: the Lua and function figures are zero.
    Line(&s, "used_memory_lua", 0);
    Line(&s, "used_memory_vm_eval", 0);
    Line(&s, "used_memory_lua_human", "0B");
    Line(&s, "used_memory_scripts_eval", 0);
    Line(&s, "number_of_cached_scripts", 0);
    Line(&s, "number_of_functions", 0);
    Line(&s, "number_of_libraries", 0);
    Line(&s, "used_memory_vm_functions", 0);
    Line(&s, "used_memory_vm_total", 0);
    Line(&s, "used_memory_vm_total_human", "0B");
    Line(&s, "used_memory_functions", 0);
    Line(&s, "used_memory_scripts", 0);
    Line(&s, "used_memory_scripts_human", "0B");
    Line(&s, "maxmemory", maxmem);
    Line(&s, "maxmemory_human", BytesToHuman(static_cast<uint64_t>(std::max<int64_t>(0, maxmem))));
    Line(&s, "maxmemory_policy", cfg.GetValueOr("maxmemory-policy", "noeviction"));
    Line(&s, "allocator_frag_ratio", ratio(active, used));
    Line(&s, "allocator_frag_bytes", diff(active, used));
    Line(&s, "allocator_rss_ratio", ratio(rss, active));
    Line(&s, "allocator_rss_bytes", diff(rss, active));
    Line(&s, "rss_overhead_ratio", ratio(rss, rss));
    Line(&s, "rss_overhead_bytes", 0);
    Line(&s, "mem_fragmentation_ratio", ratio(rss, used));
    Line(&s, "mem_fragmentation_bytes", diff(rss, used));
    Line(&s, "mem_not_counted_for_evict", 0);
    Line(&s, "mem_replication_backlog", 0);
    Line(&s, "mem_total_replication_buffers", 0);
    Line(&s, "mem_clients_slaves", 0);
    Line(&s, "mem_clients_normal", client_mem);
    Line(&s, "mem_cluster_links", 0);
    Line(&s, "mem_aof_buffer", 0);
    Line(&s, "mem_allocator", "libc");
    Line(&s, "active_defrag_running", 0);
    Line(&s, "lazyfree_pending_objects", 0);
    Line(&s, "lazyfreed_objects", 0);
    out.push_back(std::move(s));
  }

  if (sections & kSecPersistence) {
    // Redis's fields. The fork fields stay 0: snapshots here are fork-less.
    std::string s = "# Persistence\r\n";
    const auto& p = srv.persist;
    int64_t lastsave = srv.lastsave_s.load(std::memory_order_relaxed);
    if (lastsave == 0) lastsave = srv.start_ms / 1000;
    int64_t now_ms = Shard::WallMs();
    bool bgsave = p.bgsave_in_progress.load(), rewrite = p.rewrite_in_progress.load();
    // aof_enabled as Redis's: appendonly is yes, even while the rewrite that turns it on runs.
    bool aof_on = srv.config.GetValueOr("appendonly") == "yes";
    aof::AofManager* mgr = aof_on ? &srv.AofDir() : nullptr;
    Line(&s, "loading", srv.loading.load() ? 1 : 0);
    Line(&s, "async_loading", 0);
    Line(&s, "current_cow_peak", 0);
    Line(&s, "current_cow_size", 0);
    Line(&s, "current_cow_size_age", 0);
    Line(&s, "current_fork_perc", "0.00");
    Line(&s, "current_save_keys_processed",
         static_cast<int64_t>(bgsave || rewrite ? p.save_keys_processed.load() : 0));
    Line(&s, "current_save_keys_total",
         static_cast<int64_t>(bgsave || rewrite ? p.save_keys_total.load() : 0));
    Line(&s, "rdb_changes_since_last_save", static_cast<int64_t>(st.dirty - st.dirty_saved));
    Line(&s, "rdb_bgsave_in_progress", bgsave ? 1 : 0);
    Line(&s, "rdb_last_save_time", lastsave);
    Line(&s, "rdb_last_bgsave_status", p.last_bgsave_ok.load() ? "ok" : "err");
    Line(&s, "rdb_last_bgsave_time_sec", p.last_bgsave_time_sec.load());
    Line(&s, "rdb_current_bgsave_time_sec",
         bgsave ? (now_ms - p.bgsave_start_ms.load()) / 1000 : int64_t{-1});
    Line(&s, "rdb_saves", static_cast<int64_t>(p.rdb_saves.load()));
    Line(&s, "rdb_last_cow_size", 0);
    Line(&s, "rdb_last_load_keys_expired", 0);
    Line(&s, "rdb_last_load_keys_loaded", static_cast<int64_t>(p.loaded_keys.load()));
    Line(&s, "aof_enabled", aof_on ? 1 : 0);
    Line(&s, "aof_rewrite_in_progress", rewrite ? 1 : 0);
    Line(&s, "aof_rewrite_scheduled", p.rewrite_scheduled.load() ? 1 : 0);
    Line(&s, "aof_last_rewrite_time_sec", p.last_rewrite_time_sec.load());
    Line(&s, "aof_current_rewrite_time_sec",
         rewrite ? (now_ms - p.rewrite_start_ms.load()) / 1000 : int64_t{-1});
    Line(&s, "aof_last_bgrewrite_status", p.last_rewrite_ok.load() ? "ok" : "err");
    Line(&s, "aof_rewrites", static_cast<int64_t>(p.aof_rewrites.load()));
    Line(&s, "aof_rewrites_consecutive_failures", static_cast<int64_t>(p.rewrite_failures.load()));
    Line(&s, "aof_last_write_status", srv.aof_failing_shards.load() > 0 ? "err" : "ok");
    Line(&s, "aof_last_cow_size", 0);
    Line(&s, "module_fork_in_progress", 0);
    Line(&s, "module_fork_last_cow_size", 0);
    if (mgr) {
      // aof_current_size: every file the manifest lists; kevy also counts the torn tails it cut.
      Line(&s, "aof_current_size", static_cast<int64_t>(mgr->CurrentSize()));
      Line(&s, "aof_base_size", static_cast<int64_t>(mgr->base_size()));
      Line(&s, "aof_pending_rewrite", p.rewrite_scheduled.load() ? 1 : 0);
      Line(&s, "aof_buffer_length", 0);
      Line(&s, "aof_pending_bio_fsync", 0);
      Line(&s, "aof_delayed_fsync", 0);
      Line(&s, "aof_truncated_files", static_cast<int64_t>(p.truncated_files.load()));
    }
    out.push_back(std::move(s));
  }

  if (sections & kSecStats) {
    std::string s = "# Stats\r\n";
    double ops, in_kbps, out_kbps;
    Sampler().Sample(st, &ops, &in_kbps, &out_kbps);
    uint16_t nshards = std::max<uint16_t>(1, srv.num_shards());
    Line(&s, "total_connections_received", st.total_connections_received);
    Line(&s, "total_commands_processed", st.total_commands_processed);
    Line(&s, "instantaneous_ops_per_sec", static_cast<int64_t>(ops));
    Line(&s, "total_net_input_bytes", st.net_input_bytes);
    Line(&s, "total_net_output_bytes", st.net_output_bytes);
    Line(&s, "total_net_repl_input_bytes", 0);
    Line(&s, "total_net_repl_output_bytes", 0);
    Line(&s, "instantaneous_input_kbps", absl::StrFormat("%.2f", in_kbps));
    Line(&s, "instantaneous_output_kbps", absl::StrFormat("%.2f", out_kbps));
    Line(&s, "instantaneous_input_repl_kbps", "0.00");
    Line(&s, "instantaneous_output_repl_kbps", "0.00");
    Line(&s, "rejected_connections", st.rejected_connections);
    Line(&s, "sync_full", 0);
    Line(&s, "sync_partial_ok", 0);
    Line(&s, "sync_partial_err", 0);
    Line(&s, "expired_keys", st.expired_keys);
    Line(
        &s, "expired_stale_perc",
        absl::StrFormat("%.2f", static_cast<double>(st.expired_stale_perc_x100) / 100.0 / nshards));
    Line(&s, "expired_time_cap_reached_count", 0);
    Line(&s, "expire_cycle_cpu_milliseconds", 0);
    Line(&s, "evicted_keys", st.evicted_keys);
    Line(&s, "evicted_clients", 0);
    Line(&s, "total_eviction_exceeded_time", 0);
    Line(&s, "current_eviction_exceeded_time", 0);
    Line(&s, "keyspace_hits", st.keyspace_hits);
    Line(&s, "keyspace_misses", st.keyspace_misses);
    Line(&s, "pubsub_channels", 0);
    Line(&s, "pubsub_patterns", 0);
    Line(&s, "pubsubshard_channels", 0);
    Line(&s, "latest_fork_usec", 0);
    Line(&s, "total_forks", 0);
    Line(&s, "migrate_cached_sockets", 0);
    Line(&s, "slave_expires_tracked_keys", 0);
    Line(&s, "active_defrag_hits", 0);
    Line(&s, "active_defrag_misses", 0);
    Line(&s, "active_defrag_key_hits", 0);
    Line(&s, "active_defrag_key_misses", 0);
    Line(&s, "total_active_defrag_time", 0);
    Line(&s, "current_active_defrag_time", 0);
    Line(&s, "tracking_total_keys", 0);
    Line(&s, "tracking_total_items", 0);
    Line(&s, "tracking_total_prefixes", 0);
    Line(&s, "unexpected_error_replies", st.unexpected_error_replies);
    Line(&s, "total_error_replies", st.total_error_replies);
    Line(&s, "dump_payload_sanitizations", 0);
    Line(&s, "io_threaded_reads_processed", 0);
    Line(&s, "io_threaded_writes_processed", 0);
    // kevy's own: cross-shard traffic (inbox messages and the tasks they carried).
    Line(&s, "kevy_cross_shard_batches", st.cross_shard_batches);
    Line(&s, "kevy_cross_shard_tasks", st.cross_shard_tasks);
    out.push_back(std::move(s));
  }

  if (sections & kSecReplication) {
    std::string s = "# Replication\r\n";
    Line(&s, "role", "master");
    Line(&s, "connected_slaves", 0);
    Line(&s, "master_failover_state", "no-failover");
    Line(&s, "master_replid", MasterReplId());
    Line(&s, "master_replid2", std::string(40, '0'));
    Line(&s, "master_repl_offset", 0);
    Line(&s, "second_repl_offset", -1);
    Line(&s, "repl_backlog_active", 0);
    Line(&s, "repl_backlog_size", 1048576);
    Line(&s, "repl_backlog_first_byte_offset", 0);
    Line(&s, "repl_backlog_histlen", 0);
    out.push_back(std::move(s));
  }

  if (sections & kSecCpu) {
    std::string s = "# CPU\r\n";
    rusage self{}, children{}, thread{};
    getrusage(RUSAGE_SELF, &self);
    getrusage(RUSAGE_CHILDREN, &children);
    getrusage(RUSAGE_THREAD, &thread);
    Line(&s, "used_cpu_sys", Timeval(self.ru_stime));
    Line(&s, "used_cpu_user", Timeval(self.ru_utime));
    Line(&s, "used_cpu_sys_children", Timeval(children.ru_stime));
    Line(&s, "used_cpu_user_children", Timeval(children.ru_utime));
    // Redis's "main thread" is, here, the shard thread that answered.
    Line(&s, "used_cpu_sys_main_thread", Timeval(thread.ru_stime));
    Line(&s, "used_cpu_user_main_thread", Timeval(thread.ru_utime));
    out.push_back(std::move(s));
  }

  if (sections & kSecModules) out.push_back("# Modules\r\n");

  if (sections & kSecCommandstats) {
    std::string s = "# Commandstats\r\n";
    std::vector<CommandStat> total(static_cast<size_t>(srv.commands.num_ids()));
    for (auto& p : parts)
      for (size_t i = 0; i < p.cmdstats.size() && i < total.size(); ++i) {
        total[i].calls += p.cmdstats[i].calls;
        total[i].usec += p.cmdstats[i].total_usec();
        total[i].rejected_calls += p.cmdstats[i].rejected_calls;
        total[i].failed_calls += p.cmdstats[i].failed_calls;
      }
    auto add = [&](const CommandSpec& c) {
      if (c.id < 0 || static_cast<size_t>(c.id) >= total.size()) return;
      const CommandStat& cs = total[static_cast<size_t>(c.id)];
      if (!cs.calls && !cs.rejected_calls && !cs.failed_calls) return;
      double per = cs.calls ? static_cast<double>(cs.usec) / static_cast<double>(cs.calls) : 0;
      Cat(&s, "cmdstat_", c.name, ":calls=", cs.calls, ",usec=", cs.usec,
          ",usec_per_call=", absl::StrFormat("%.2f", per), ",rejected_calls=", cs.rejected_calls,
          ",failed_calls=", cs.failed_calls, "\r\n");
    };
    for (const CommandSpec& c : srv.commands.all()) {
      add(c);
      for (const CommandSpec& sub : c.subcommands) add(sub);
    }
    out.push_back(std::move(s));
  }

  // Errors are not yet counted per error code, and latency is not tracked per command.
  if (sections & kSecErrorstats) out.push_back("# Errorstats\r\n");
  if (sections & kSecLatencystats) out.push_back("# Latencystats\r\n");

  if (sections & kSecCluster) out.push_back("# Cluster\r\ncluster_enabled:0\r\n");

  if (sections & kSecKeyspace) {
    std::string s = "# Keyspace\r\n";
    size_t ndb = 0;
    for (auto& p : parts) ndb = std::max(ndb, p.dbs.size());
    for (size_t i = 0; i < ndb; ++i) {
      uint64_t keys = 0, expires = 0;
      double ttl_weighted = 0;
      for (auto& p : parts) {
        if (i >= p.dbs.size()) continue;
        keys += p.dbs[i].keys;
        expires += p.dbs[i].expires;
        ttl_weighted +=
            static_cast<double>(p.dbs[i].avg_ttl) * static_cast<double>(p.dbs[i].expires);
      }
      if (keys == 0) continue;
      int64_t avg_ttl =
          expires ? static_cast<int64_t>(ttl_weighted / static_cast<double>(expires)) : 0;
      Cat(&s, "db", i, ":keys=", keys, ",expires=", expires, ",avg_ttl=", avg_ttl, "\r\n");
    }
    out.push_back(std::move(s));
  }

  std::string text;
  for (size_t i = 0; i < out.size(); ++i) {
    if (i) text.append("\r\n");
    text.append(out[i]);
  }
  return text;
}

void CmdInfo(CoordContext& ctx) {
  uint32_t sections = 0;
  if (ctx.args.size() == 1) {
    sections = kSecDefault;
  } else {
    for (size_t i = 1; i < ctx.args.size(); ++i) {
      std::string_view a = ctx.args[i];
      if (EqualsNoCase(a, "default")) {
        sections |= kSecDefault;
      } else if (EqualsNoCase(a, "all") || EqualsNoCase(a, "everything")) {
        sections |= kSecAll;
      } else {
        for (const auto& [name, bit] : kSectionNames)
          if (EqualsNoCase(a, name)) sections |= bit;
      }
    }
  }
  ReplySlot slot = ctx.Defer();
  FanOut<InfoPart>(
      ctx.shard, AllShards(ctx.shard),
      [sections](Shard& s, size_t, InfoPart& part) { CollectInfo(s, sections, part); },
      [slot, sections](Shard& origin, std::vector<InfoPart>& parts) {
        std::string text = FormatInfo(origin, sections, parts);
        origin.Finish(slot, [&](ReplyBuilder& rb) { rb.Verbatim(text); });
      });
}

// ---------------------------------------------------------------------------------------------
// CONFIG

void CmdConfigGet(CoordContext& ctx) {
  std::vector<std::string> patterns;
  for (size_t i = 2; i < ctx.args.size(); ++i) patterns.emplace_back(ctx.args[i]);
  auto pairs = ctx.shard.config().Get(patterns);
  ctx.reply.MapHeader(pairs.size());
  for (const auto& [k, v] : pairs) {
    ctx.reply.Bulk(k);
    ctx.reply.Bulk(v);
  }
}

void CmdConfigSet(CoordContext& ctx) {
  if (ctx.args.size() % 2 != 0) {  // name/value pairs after CONFIG SET
    ctx.reply.Error(errors::kSyntax);
    return;
  }
  std::vector<std::pair<std::string, std::string>> pairs;
  for (size_t i = 2; i + 1 < ctx.args.size(); i += 2)
    pairs.emplace_back(std::string(ctx.args[i]), std::string(ctx.args[i + 1]));
  absl::Status st = ctx.shard.config().Set(pairs);
  if (!st.ok()) {
    ctx.reply.Error(std::string_view(st.message().data(), st.message().size()));
    return;
  }
  ctx.reply.Ok();
}

void CmdConfigResetStat(CoordContext& ctx) {
  ReplySlot slot = ctx.Defer();
  FanOut<char>(
      ctx.shard, AllShards(ctx.shard),
      [](Shard& s, size_t, char&) {
        s.stats() = ShardStats{};
        for (CommandStat& c : s.cmdstats()) c = CommandStat{};
      },
      [slot](Shard& origin, std::vector<char>&) {
        g_peak_memory.store(0, std::memory_order_relaxed);
        Sampler().Reset();
        origin.Finish(slot, [](ReplyBuilder& rb) { rb.Ok(); });
      });
}

void CmdConfigRewrite(CoordContext& ctx) {
  absl::Status st = ctx.shard.config().Rewrite();
  if (!st.ok()) {
    ctx.reply.Error(std::string_view(st.message().data(), st.message().size()));
    return;
  }
  ctx.reply.Ok();
}

void CmdConfigHelp(CoordContext& ctx) {
  ReplyHelp(
      ctx.reply, "CONFIG",
      {"GET <pattern>", "    Return parameters matching the glob-like <pattern> and their values.",
       "SET <directive> <value>", "    Set the configuration <directive> to <value>.", "RESETSTAT",
       "    Reset statistics reported by the INFO command.", "REWRITE",
       "    Rewrite the configuration file."});
}

// ---------------------------------------------------------------------------------------------
// TIME, WAIT, DEBUG, SHUTDOWN

void CmdTime(CoordContext& ctx) {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  ctx.reply.ArrayHeader(2);
  ctx.reply.Bulk(StrCat(ts.tv_sec));
  ctx.reply.Bulk(StrCat(ts.tv_nsec / 1000));
}

void CmdWait(CoordContext& ctx) {
  int64_t replicas, timeout;
  if (!ParseInt64(ctx.args[1], &replicas)) {
    ctx.reply.Error(errors::kNotInteger);
    return;
  }
  if (!ParseInt64(ctx.args[2], &timeout)) {
    ctx.reply.Error(errors::kTimeoutNotInteger);
    return;
  }
  if (timeout < 0) {
    ctx.reply.Error(errors::kTimeoutNegative);
    return;
  }
  // There are no replicas, so none can acknowledge; Redis would block until the timeout
  // for numreplicas > 0 and then answer the same 0.
  ctx.reply.Integer(0);
}

void CmdDebug(CoordContext& ctx) {
  const ArgList& a = ctx.args;
  if (EqualsNoCase(a[1], "help") && a.size() == 2) {
    ReplyHelp(ctx.reply, "DEBUG",
              {"RELOAD", "    Save the RDB on disk and reload it back to memory.",
               "OBJECT <key>",
               "    Show low level info about the <key> and associated value.",
               "SLEEP <seconds>", "    Stop the server for <seconds>. Decimals allowed."});
    return;
  }
  if (EqualsNoCase(a[1], "sleep") && a.size() == 3) {
    // Blocks this shard's thread on purpose: tests use it to hold a shard busy.
    double secs = strtod(std::string(a[2]).c_str(), nullptr);
    // NaN, negative and absurd values (beyond ~31 years) do not overflow the conversion.
    int64_t us = secs > 0 && secs < 1e9 ? static_cast<int64_t>(secs * 1e6) : 0;
    if (us > 0) {
      timespec ts{static_cast<time_t>(us / 1000000), static_cast<long>((us % 1000000) * 1000)};
      while (nanosleep(&ts, &ts) != 0) {
      }
    }
    ctx.reply.Ok();
    return;
  }
  if (EqualsNoCase(a[1], "reload") && a.size() == 2) return DebugReload(ctx);
  if (EqualsNoCase(a[1], "object") && a.size() == 3) {
    // Redis's DEBUG OBJECT line, built on the key's shard (no access-time update).
    auto key = std::make_shared<const std::string>(a[2]);
    int db = ctx.client.db;
    ReplySlot slot = ctx.Defer();
    FanOut<std::string>(
        ctx.shard, {ctx.shard.server().slots.ShardOf(*key)},
        [key, db](Shard& s, size_t, std::string& line) {
          Entry* e = s.db(db).Find(*key, s.now_ms(), /*touch=*/false);
          if (!e) return;
          const int64_t now_s = s.now_ms() / 1000;
          line = absl::StrFormat(
              "Value at:%p refcount:%d encoding:%s serializedlength:%zu lru:%u "
              "lru_seconds_idle:%lld",
              static_cast<const void*>(e), RefCount(s, e->value), EncodingOf(e->value),
              RdbSerializedLength(e->value, RdbOptions::FromConfig(s.config())),
              e->access_s & ((1u << 24) - 1),
              static_cast<long long>(now_s > e->access_s ? now_s - e->access_s : 0));
        },
        [slot](Shard& o, std::vector<std::string>& lines) {
          o.Finish(slot, [&](ReplyBuilder& rb) {
            if (lines[0].empty())
              rb.Error(errors::kNoSuchKey);
            else
              rb.SimpleString(lines[0]);
          });
        });
    return;
  }
  std::string upper(a[0]);
  for (char& ch : upper) ch = static_cast<char>(toupper(static_cast<unsigned char>(ch)));
  ctx.reply.Error(errors::SubcommandSyntax(a[1], upper));
}

void CmdShutdown(CoordContext& ctx) {
  uint32_t flags = 0;
  bool abort = false;
  for (size_t i = 1; i < ctx.args.size(); ++i) {
    std::string_view a = ctx.args[i];
    if (EqualsNoCase(a, "nosave")) {
      flags |= kShutdownNoSave;
    } else if (EqualsNoCase(a, "save")) {
      flags |= kShutdownSave;
    } else if (EqualsNoCase(a, "now")) {
      flags |= kShutdownNow;
    } else if (EqualsNoCase(a, "force")) {
      flags |= kShutdownForce;
    } else if (EqualsNoCase(a, "abort")) {
      abort = true;
    } else {
      ctx.reply.Error(errors::kSyntax);
      return;
    }
  }
  if ((abort && flags) || ((flags & kShutdownNoSave) && (flags & kShutdownSave))) {
    ctx.reply.Error(errors::kSyntax);
    return;
  }
  if (abort) {
    // kevy's shutdown does not wait for lagging replicas, so there is never one to abort.
    ctx.reply.Error(errors::kNoShutdownInProgress);
    return;
  }
  // No reply on success: the server goes away and the connection with it.
  ServerState& srv = ctx.shard.server();
  srv.shutdown_flags.store(flags);
  if (ctx.shard.net()) ctx.shard.net()->RequestShutdown(0);
}

// ---------------------------------------------------------------------------------------------
// COMMAND
//
// COMMAND parses its own subcommands instead of being a container row: the dispatcher resolves
// a container's subcommand only when one is given, and a bare COMMAND must list every command.
// Its subcommand rows live here and are described as Redis describes COMMAND's.

std::vector<CommandSpec>& CommandSubs() {
  static std::vector<CommandSpec> subs;
  return subs;
}

const std::vector<CommandSpec>& SubsOf(const CommandSpec& c) {
  return c.name == "command" ? CommandSubs() : c.subcommands;
}

std::string_view SubName(const CommandSpec& c) {
  std::string_view n = c.name;
  size_t bar = n.find('|');
  return bar == std::string_view::npos ? n : n.substr(bar + 1);
}

const CommandSpec* FindSub(const CommandSpec& parent, std::string_view sub) {
  for (const CommandSpec& s : SubsOf(parent))
    if (EqualsNoCase(SubName(s), sub)) return &s;
  return nullptr;
}

// "get" or "client|list" (Redis's lookupCommandBySds).
const CommandSpec* LookupByFullName(const CommandRegistry& r, std::string_view name) {
  size_t bar = name.find('|');
  if (bar == std::string_view::npos) return r.Find(name);
  const CommandSpec* parent = r.Find(name.substr(0, bar));
  std::string_view sub = name.substr(bar + 1);
  if (!parent || sub.find('|') != std::string_view::npos) return nullptr;
  return FindSub(*parent, sub);
}

// Flag names in Redis's reply order.
constexpr std::pair<uint32_t, std::string_view> kFlagNames[] = {
    {kCmdWrite, "write"},
    {kCmdReadonly, "readonly"},
    {kCmdDenyOom, "denyoom"},
    {kCmdAdmin, "admin"},
    {kCmdPubsub, "pubsub"},
    {kCmdNoscript, "noscript"},
    {kCmdBlocking, "blocking"},
    {kCmdLoading, "loading"},
    {kCmdStale, "stale"},
    {kCmdSkipMonitor, "skip_monitor"},
    {kCmdSkipSlowlog, "skip_slowlog"},
    {kCmdFast, "fast"},
    {kCmdNoAuth, "no_auth"},
    {kCmdMayReplicate, "may_replicate"},
    {kCmdNoAsyncLoading, "no_async_loading"},
    {kCmdNoMulti, "no_multi"},
};

// ACL categories in Redis's order (ACLCommandCategories).
constexpr std::string_view kAclCategories[] = {
    "keyspace", "read",   "write",       "set",       "sortedset",  "list",        "hash",
    "string",   "bitmap", "hyperloglog", "geo",       "stream",     "pubsub",      "admin",
    "fast",     "slow",   "blocking",    "dangerous", "connection", "transaction", "scripting",
};
constexpr size_t kNumAclCategories = sizeof(kAclCategories) / sizeof(kAclCategories[0]);

int AclIndex(std::string_view name) {
  for (size_t i = 0; i < kNumAclCategories; ++i)
    if (EqualsNoCase(kAclCategories[i], name)) return static_cast<int>(i);
  return -1;
}

// The row's categories plus the ones Redis implies from its flags (setImplicitACLCategories).
uint32_t AclBits(const CommandSpec& c) {
  uint32_t bits = 0;
  std::string_view acl = c.acl;
  while (!acl.empty()) {
    size_t sp = acl.find_first_of(" ,");
    std::string_view w = acl.substr(0, sp);
    acl = sp == std::string_view::npos ? std::string_view() : acl.substr(sp + 1);
    if (!w.empty() && w[0] == '@') w.remove_prefix(1);
    int i = AclIndex(w);
    if (i >= 0) bits |= 1u << i;
  }
  auto bit = [](std::string_view n) { return 1u << AclIndex(n); };
  if (c.flags & kCmdWrite) bits |= bit("write");
  if ((c.flags & kCmdReadonly) && !(bits & bit("scripting"))) bits |= bit("read");
  if (c.flags & kCmdAdmin) bits |= bit("admin") | bit("dangerous");
  if (c.flags & kCmdPubsub) bits |= bit("pubsub");
  if (c.flags & kCmdFast) bits |= bit("fast");
  if (c.flags & kCmdBlocking) bits |= bit("blocking");
  if (!(bits & bit("fast"))) bits |= bit("slow");
  return bits;
}

// Metadata beyond the rows (see the format in command_meta.inc).
struct CommandMeta {
  std::string_view name, args, tips, key_specs, doc_flags, deprecated_since, replaced_by, history;
};
constexpr CommandMeta kCommandMeta[] = {
#include "engine/commands/command_meta.inc"
};

const CommandMeta* MetaOf(std::string_view full_name) {
  static const absl::flat_hash_map<std::string, const CommandMeta*> index = [] {
    absl::flat_hash_map<std::string, const CommandMeta*> m;
    for (const CommandMeta& c : kCommandMeta) m.emplace(std::string(c.name), &c);
    return m;
  }();
  auto it = index.find(std::string(full_name));
  return it == index.end() ? nullptr : it->second;
}

// Splits `s` at `sep` (nothing for an empty string).
std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  while (!s.empty()) {
    size_t at = s.find(sep);
    out.push_back(s.substr(0, at));
    s = at == std::string_view::npos ? std::string_view() : s.substr(at + 1);
  }
  return out;
}

void ReplyTips(ReplyBuilder& rb, const CommandMeta* meta) {
  std::vector<std::string_view> tips =
      meta ? Split(meta->tips, ',') : std::vector<std::string_view>();
  rb.SetHeader(tips.size());
  for (std::string_view t : tips) rb.Bulk(t);
}

int64_t ToInt(std::string_view s) {
  int64_t v = 0;
  return ParseInt64(s, &v) ? v : 0;
}

// Redis's addReplyCommandKeySpecs.
void ReplyKeySpecs(ReplyBuilder& rb, const CommandMeta* meta) {
  std::vector<std::string_view> specs =
      meta ? Split(meta->key_specs, ';') : std::vector<std::string_view>();
  rb.SetHeader(specs.size());
  for (std::string_view spec : specs) {
    std::vector<std::string_view> f = Split(spec, '|');
    f.resize(std::max<size_t>(f.size(), 3));
    bool notes = f.size() > 3;
    rb.MapHeader(3 + notes);
    if (notes) {
      rb.Bulk("notes");
      rb.Bulk(f[3]);
    }
    rb.Bulk("flags");
    std::vector<std::string_view> flags = Split(f[0], ' ');
    rb.SetHeader(flags.size());
    for (std::string_view fl : flags) rb.SimpleString(fl);
    std::vector<std::string_view> bs = Split(f[1], ' ');
    bs.resize(std::max<size_t>(bs.size(), 1));
    rb.Bulk("begin_search");
    rb.MapHeader(2);
    rb.Bulk("type");
    rb.Bulk(bs[0]);
    rb.Bulk("spec");
    if (bs[0] == "index" && bs.size() == 2) {
      rb.MapHeader(1);
      rb.Bulk("index");
      rb.Integer(ToInt(bs[1]));
    } else if (bs[0] == "keyword" && bs.size() == 3) {
      rb.MapHeader(2);
      rb.Bulk("keyword");
      rb.Bulk(bs[1]);
      rb.Bulk("startfrom");
      rb.Integer(ToInt(bs[2]));
    } else {
      rb.MapHeader(0);
    }
    std::vector<std::string_view> fk = Split(f[2], ' ');
    fk.resize(std::max<size_t>(fk.size(), 1));
    rb.Bulk("find_keys");
    rb.MapHeader(2);
    rb.Bulk("type");
    rb.Bulk(fk[0]);
    rb.Bulk("spec");
    if ((fk[0] == "range" || fk[0] == "keynum") && fk.size() == 4) {
      bool range = fk[0] == "range";
      rb.MapHeader(3);
      rb.Bulk(range ? "lastkey" : "keynumidx");
      rb.Integer(ToInt(fk[1]));
      rb.Bulk(range ? "keystep" : "firstkey");
      rb.Integer(ToInt(fk[2]));
      rb.Bulk(range ? "limit" : "keystep");
      rb.Integer(ToInt(fk[3]));
    } else {
      rb.MapHeader(0);
    }
  }
}

struct DocArg {
  std::string_view name, type, key_spec_index, token, since, flags, deprecated;
  std::vector<DocArg> args;
};

// Parses `args` (see command_meta.inc) from the front of `s`, up to an unmatched ')'.
std::vector<DocArg> ParseDocArgs(std::string_view& s) {
  std::vector<DocArg> out;
  while (!s.empty() && s[0] != ')') {
    size_t end = s.find_first_of(",()");
    std::string_view fields = s.substr(0, end);
    s.remove_prefix(end == std::string_view::npos ? s.size() : end);
    DocArg a;
    std::string_view* slots[] = {&a.name,  &a.type,  &a.key_spec_index, &a.token,
                                 &a.since, &a.flags, &a.deprecated};
    for (std::string_view* slot : slots) {
      size_t bar = fields.find('|');
      *slot = fields.substr(0, bar);
      fields = bar == std::string_view::npos ? std::string_view() : fields.substr(bar + 1);
    }
    if (!s.empty() && s[0] == '(') {
      s.remove_prefix(1);
      a.args = ParseDocArgs(s);
      if (!s.empty() && s[0] == ')') s.remove_prefix(1);
    }
    out.push_back(std::move(a));
    if (!s.empty() && s[0] == ',') s.remove_prefix(1);
  }
  return out;
}

// Redis's addReplyCommandArgList.
void ReplyDocArgs(ReplyBuilder& rb, const std::vector<DocArg>& args) {
  rb.ArrayHeader(args.size());
  for (const DocArg& a : args) {
    bool nested = a.type == "oneof" || a.type == "block";
    rb.MapHeader(2 + !a.key_spec_index.empty() + !a.token.empty() + !a.since.empty() +
                 !a.deprecated.empty() + !a.flags.empty() + nested);
    rb.Bulk("name");
    rb.Bulk(a.name);
    rb.Bulk("type");
    rb.Bulk(a.type);
    if (!a.key_spec_index.empty()) {
      rb.Bulk("key_spec_index");
      rb.Integer(ToInt(a.key_spec_index));
    }
    if (!a.token.empty()) {
      rb.Bulk("token");
      rb.Bulk(a.token);
    }
    if (!a.since.empty()) {
      rb.Bulk("since");
      rb.Bulk(a.since);
    }
    if (!a.deprecated.empty()) {
      rb.Bulk("deprecated_since");
      rb.Bulk(a.deprecated);
    }
    if (!a.flags.empty()) {
      rb.Bulk("flags");
      rb.SetHeader(a.flags.size());
      for (char f : a.flags)
        rb.SimpleString(f == 'o' ? "optional" : f == 'm' ? "multiple" : "multiple_token");
    }
    if (nested) {
      rb.Bulk("arguments");
      ReplyDocArgs(rb, a.args);
    }
  }
}

void ReplyCommandInfo(ReplyBuilder& rb, const CommandSpec& c) {
  rb.ArrayHeader(10);
  rb.Bulk(c.name);
  rb.Integer(c.arity);
  std::vector<std::string_view> flags;
  for (const auto& [bit, name] : kFlagNames)
    if (c.flags & bit) flags.push_back(name);
  if (c.get_keys) flags.push_back("movablekeys");
  if (c.flags & kCmdAllowBusy) flags.push_back("allow_busy");
  rb.SetHeader(flags.size());
  for (std::string_view f : flags) rb.SimpleString(f);
  int first = c.first_key > 0 ? c.first_key : 0;
  rb.Integer(first);
  rb.Integer(first ? c.last_key : 0);
  rb.Integer(first ? (c.key_step > 0 ? c.key_step : 1) : 0);
  uint32_t acl = AclBits(c);
  rb.SetHeader(static_cast<size_t>(__builtin_popcount(acl)));
  for (size_t i = 0; i < kNumAclCategories; ++i)
    if (acl & (1u << i)) rb.SimpleString(StrCat("@", kAclCategories[i]));
  const CommandMeta* meta = MetaOf(c.name);
  ReplyTips(rb, meta);
  ReplyKeySpecs(rb, meta);
  const auto& subs = SubsOf(c);
  if (subs.empty()) {
    rb.SetHeader(0);
  } else {
    rb.ArrayHeader(subs.size());
    for (const CommandSpec& s : subs) ReplyCommandInfo(rb, s);
  }
}

void ReplyCommandDocs(ReplyBuilder& rb, const CommandSpec& c, std::string_view parent_group) {
  std::string_view group = !c.group.empty()        ? c.group
                           : !parent_group.empty() ? parent_group
                                                   : "generic";
  const auto& subs = SubsOf(c);
  const CommandMeta* meta = MetaOf(c.name);
  static constexpr CommandMeta kNone{};
  const CommandMeta& m = meta ? *meta : kNone;
  std::string_view args = m.args;
  size_t n = 1 + !c.summary.empty() + !c.since.empty() + !c.complexity.empty() +
             !m.doc_flags.empty() + !m.deprecated_since.empty() + !m.replaced_by.empty() +
             !m.history.empty() + !args.empty() + !subs.empty();
  rb.MapHeader(n);
  if (!c.summary.empty()) {
    rb.Bulk("summary");
    rb.Bulk(c.summary);
  }
  if (!c.since.empty()) {
    rb.Bulk("since");
    rb.Bulk(c.since);
  }
  rb.Bulk("group");
  rb.Bulk(group);
  if (!c.complexity.empty()) {
    rb.Bulk("complexity");
    rb.Bulk(c.complexity);
  }
  if (!m.doc_flags.empty()) {
    rb.Bulk("doc_flags");
    std::vector<std::string_view> flags = Split(m.doc_flags, ' ');
    rb.SetHeader(flags.size());
    for (std::string_view f : flags) rb.SimpleString(f);
  }
  if (!m.deprecated_since.empty()) {
    rb.Bulk("deprecated_since");
    rb.Bulk(m.deprecated_since);
  }
  if (!m.replaced_by.empty()) {
    rb.Bulk("replaced_by");
    rb.Bulk(m.replaced_by);
  }
  if (!m.history.empty()) {
    rb.Bulk("history");
    std::vector<std::string_view> entries = Split(m.history, '#');
    rb.SetHeader(entries.size());
    for (std::string_view e : entries) {
      size_t caret = e.find('^');
      rb.ArrayHeader(2);
      rb.Bulk(e.substr(0, caret));
      rb.Bulk(caret == std::string_view::npos ? std::string_view() : e.substr(caret + 1));
    }
  }
  if (!args.empty()) {
    rb.Bulk("arguments");
    ReplyDocArgs(rb, ParseDocArgs(args));
  }
  if (!subs.empty()) {
    rb.Bulk("subcommands");
    rb.MapHeader(subs.size());
    for (const CommandSpec& s : subs) {
      rb.Bulk(s.name);
      ReplyCommandDocs(rb, s, group);
    }
  }
}

void CmdCommandCount(CoordContext& ctx) {
  ctx.reply.Integer(static_cast<int64_t>(ctx.shard.server().commands.size()));
}

void CmdCommandInfo(CoordContext& ctx) {
  const CommandRegistry& r = ctx.shard.server().commands;
  if (ctx.args.size() <= 2) {
    ctx.reply.ArrayHeader(r.size());
    for (const CommandSpec& c : r.all()) ReplyCommandInfo(ctx.reply, c);
    return;
  }
  ctx.reply.ArrayHeader(ctx.args.size() - 2);
  for (size_t i = 2; i < ctx.args.size(); ++i) {
    const CommandSpec* c = LookupByFullName(r, ctx.args[i]);
    if (c)
      ReplyCommandInfo(ctx.reply, *c);
    else
      ctx.reply.Null();
  }
}

void CmdCommandDocs(CoordContext& ctx) {
  const CommandRegistry& r = ctx.shard.server().commands;
  if (ctx.args.size() == 2) {
    ctx.reply.MapHeader(r.size());
    for (const CommandSpec& c : r.all()) {
      ctx.reply.Bulk(c.name);
      ReplyCommandDocs(ctx.reply, c, "");
    }
    return;
  }
  std::vector<const CommandSpec*> found;
  for (size_t i = 2; i < ctx.args.size(); ++i)
    if (const CommandSpec* c = LookupByFullName(r, ctx.args[i])) found.push_back(c);
  ctx.reply.MapHeader(found.size());
  for (const CommandSpec* c : found) {
    ctx.reply.Bulk(c->name);
    std::string_view parent_group;
    size_t bar = c->name.find('|');
    if (bar != std::string::npos)
      if (const CommandSpec* p = r.Find(std::string_view(c->name).substr(0, bar)))
        parent_group = p->group;
    ReplyCommandDocs(ctx.reply, *c, parent_group);
  }
}

void CmdCommandList(CoordContext& ctx) {
  const ArgList& a = ctx.args;
  enum { kNone, kModule, kAclcat, kPattern } filter = kNone;
  std::string_view arg;
  for (size_t i = 2; i < a.size(); ++i) {
    size_t more = a.size() - 1 - i;
    if (EqualsNoCase(a[i], "filterby") && more == 2) {
      if (EqualsNoCase(a[i + 1], "module"))
        filter = kModule;
      else if (EqualsNoCase(a[i + 1], "aclcat"))
        filter = kAclcat;
      else if (EqualsNoCase(a[i + 1], "pattern"))
        filter = kPattern;
      else {
        ctx.reply.Error(errors::kSyntax);
        return;
      }
      arg = a[i + 2];
      i += 2;
    } else {
      ctx.reply.Error(errors::kSyntax);
      return;
    }
  }
  int cat = filter == kAclcat ? AclIndex(arg) : -1;
  std::vector<std::string_view> names;
  auto consider = [&](const CommandSpec& c) {
    switch (filter) {
      case kNone:
        break;
      case kModule:
        return;  // no modules
      case kAclcat:
        if (cat < 0 || !(AclBits(c) & (1u << cat))) return;
        break;
      case kPattern:
        if (!StringMatch(arg, c.name, true)) return;
        break;
    }
    names.push_back(c.name);
  };
  for (const CommandSpec& c : ctx.shard.server().commands.all()) {
    consider(c);
    for (const CommandSpec& s : SubsOf(c)) consider(s);
  }
  ctx.reply.ArrayHeader(names.size());
  for (std::string_view n : names) ctx.reply.Bulk(n);
}

void CmdCommandGetKeys(CoordContext& ctx) {
  const CommandRegistry& r = ctx.shard.server().commands;
  ArgList sub;  // the command whose keys are asked for
  for (size_t i = 2; i < ctx.args.size(); ++i) sub.push_back(ctx.args[i]);
  const CommandSpec* c = r.Find(sub[0]);
  if (c && sub.size() >= 2 && !SubsOf(*c).empty()) c = FindSub(*c, sub[1]);
  if (!c) {
    ctx.reply.Error(errors::kInvalidCommandSpecified);
    return;
  }
  if (!c->has_keys()) {
    ctx.reply.Error(errors::kCommandNoKeys);
    return;
  }
  int n = static_cast<int>(sub.size());
  if ((c->arity > 0 && c->arity != n) || n < -c->arity) {
    ctx.reply.Error(errors::kInvalidArgCountForCommand);
    return;
  }
  std::vector<int> pos;
  (void)CommandRegistry::KeyPositions(*c, sub, &pos);
  // Like Redis's key-spec walk, keep the positions that exist even when a key/value step
  // does not divide the arguments (MSET a b c -> a, c).
  pos.erase(std::remove_if(pos.begin(), pos.end(), [n](int p) { return p <= 0 || p >= n; }),
            pos.end());
  if (pos.empty()) {
    ctx.reply.Error(errors::kInvalidArgsForCommand);
    return;
  }
  ctx.reply.ArrayHeader(pos.size());
  for (int p : pos) ctx.reply.Bulk(sub[static_cast<size_t>(p)]);
}

void CmdCommandHelp(CoordContext& ctx) {
  ReplyHelp(ctx.reply, "COMMAND",
            {"(no subcommand)", "    Return details about all Redis commands.", "COUNT",
             "    Return the total number of commands in this Redis server.", "LIST",
             "    Return a list of all commands in this Redis server.", "INFO [<command-name> ...]",
             "    Return details about multiple Redis commands.",
             "    If no command names are given, documentation details for all",
             "    commands are returned.", "DOCS [<command-name> ...]",
             "    Return documentation details about multiple Redis commands.",
             "    If no command names are given, documentation details for all",
             "    commands are returned.", "GETKEYS <full-command>",
             "    Return the keys from a full Redis command."});
}

void CmdCommand(CoordContext& ctx) {
  if (ctx.args.size() == 1) {
    const CommandRegistry& r = ctx.shard.server().commands;
    ctx.reply.ArrayHeader(r.size());
    for (const CommandSpec& c : r.all()) ReplyCommandInfo(ctx.reply, c);
    return;
  }
  const CommandSpec* sub = FindSub(ctx.spec, ctx.args[1]);
  if (!sub) {
    ctx.reply.Error(errors::UnknownSubcommand(ctx.args[1], "COMMAND"));
    return;
  }
  int n = static_cast<int>(ctx.args.size());
  if ((sub->arity > 0 && n != sub->arity) || (sub->arity < 0 && n < -sub->arity)) {
    ctx.reply.Error(errors::WrongArgs(sub->name));
    return;
  }
  sub->on_origin(ctx);
}

// ---------------------------------------------------------------------------------------------

CommandSpec Row(std::string name, int arity, uint32_t flags, OriginHandler h, std::string acl,
                std::string summary, std::string since, std::string complexity = "O(1)",
                std::string group = "server") {
  CommandSpec s = KeyedRow(std::move(name), arity, flags, 0, 0, 0, std::move(group),
                           std::move(since), std::move(summary), std::move(complexity),
                           std::move(acl));
  s.on_origin = h;
  return s;
}

}  // namespace

void RegisterServerFamily(CommandRegistry& r) {
  uint64_t zero = 0;
  g_startup_memory.compare_exchange_strong(zero, UsedMemory());

  constexpr uint32_t kLS = kCmdLoading | kCmdStale;
  constexpr uint32_t kAdmin = kCmdAdmin | kCmdNoscript | kLS;
  r.Add(Row("info", -1, kLS, CmdInfo, "dangerous",
            "Get information and statistics about the server", "1.0.0"));
  r.Add(Row("time", 1, kLS | kCmdFast, CmdTime, "", "Return the current server time", "2.6.0"));
  r.Add(Row("wait", 3, kCmdNoscript, CmdWait, "connection",
            "Wait for the synchronous replication of all the write commands sent in the context "
            "of the current connection",
            "3.0.0", "O(1)", "generic"));
  r.Add(Row("debug", -2, kAdmin, CmdDebug, "", "A container for debugging commands", "1.0.0",
            "Depends on subcommand."));
  r.Add(Row("shutdown", -1, kAdmin | kCmdNoMulti | kCmdAllowBusy, CmdShutdown, "",
            "Synchronously save the dataset to disk and then shut down the server", "1.0.0",
            "O(N) when saving, where N is the total number of keys in all databases when saving "
            "data, otherwise O(1)"));

  CommandSpec config =
      Row("config", -2, 0, nullptr, "", "A container for server configuration commands", "2.0.0",
          "Depends on subcommand.");
  config.subcommands.push_back(Row("config|get", -3, kAdmin, CmdConfigGet, "",
                                   "Get the values of configuration parameters", "2.0.0",
                                   "O(N) when N is the number of configuration parameters "
                                   "provided"));
  config.subcommands.push_back(Row("config|set", -4, kAdmin, CmdConfigSet, "",
                                   "Set configuration parameters to the given values", "2.0.0",
                                   "O(N) when N is the number of configuration parameters "
                                   "provided"));
  config.subcommands.push_back(Row("config|resetstat", 2, kAdmin, CmdConfigResetStat, "",
                                   "Reset the stats returned by INFO", "2.0.0"));
  config.subcommands.push_back(Row("config|rewrite", 2, kAdmin, CmdConfigRewrite, "",
                                   "Rewrite the configuration file with the in memory "
                                   "configuration",
                                   "2.8.0"));
  config.subcommands.push_back(Row("config|help", 2, kLS, CmdConfigHelp, "",
                                   "Show helpful text about the different subcommands", "5.0.0"));
  r.Add(std::move(config));

  std::vector<CommandSpec>& subs = CommandSubs();
  if (subs.empty()) {
    subs.push_back(Row("command|count", 2, kLS, CmdCommandCount, "connection",
                       "Get total number of Redis commands", "2.8.13"));
    subs.push_back(Row("command|docs", -2, kLS, CmdCommandDocs, "connection",
                       "Get array of specific Redis command documentation", "7.0.0",
                       "O(N) where N is the number of commands to look up"));
    subs.push_back(Row("command|getkeys", -4, kLS, CmdCommandGetKeys, "connection",
                       "Extract keys given a full Redis command", "2.8.13",
                       "O(N) where N is the number of arguments to the command"));
    subs.push_back(Row("command|info", -2, kLS, CmdCommandInfo, "connection",
                       "Get array of specific Redis command details, or all when no argument is "
                       "given.",
                       "2.8.13", "O(N) where N is the number of commands to look up"));
    subs.push_back(Row("command|list", -2, kLS, CmdCommandList, "connection",
                       "Get an array of Redis command names", "7.0.0",
                       "O(N) where N is the total number of Redis commands"));
    subs.push_back(Row("command|help", 2, kLS, CmdCommandHelp, "connection",
                       "Show helpful text about the different subcommands", "5.0.0"));
  }
  r.Add(Row("command", -1, kLS, CmdCommand, "connection", "Get array of Redis command details",
            "2.8.13", "O(N) where N is the total number of Redis commands"));
}

}  // namespace kevy
