// Config implementation: the directive table, redis.conf and argv parsing, CONFIG GET/SET
// and CONFIG REWRITE, each following redis-server 7.0's rules and error texts.
//
// Every directive Redis 7.0 knows has a row in kDirectives: name, alias, type, flags, bounds
// and default. The current value of every directive is kept as text, in the form CONFIG GET
// shows it; the directives kevy implements also mirror their value into the typed atomics
// of Config (the `field` column says which), which is what the shards read. Parsing a value
// produces that canonical text, so GET, SET and REWRITE share one representation.
#include "engine/config.h"

#include <absl/container/flat_hash_map.h>
#include <absl/strings/ascii.h>
#include <absl/strings/str_cat.h>
#include <absl/strings/str_format.h>
#include <absl/strings/str_join.h>
#include <fcntl.h>
#include <glob.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <set>

#include "engine/log.h"
#include "engine/util.h"

namespace kevy {

namespace {

// The Redis version kevy answers for, as Redis prints it in its fatal config error.
constexpr char kRedisVersion[] = "7.0.15";

enum class Kind : uint8_t { kBool, kInt, kEnum, kString, kSpecial };

enum Flag : uint32_t {
  kMutable = 0,
  kImmutable = 1u << 0,    // CONFIG SET refuses it
  kProtected = 1u << 1,    // CONFIG SET only with enable-protected-configs
  kMultiArg = 1u << 2,     // takes several words (save, bind, ...)
  kHidden = 1u << 3,       // not listed by glob patterns, only by its exact name
  kMemory = 1u << 4,       // accepts 1k, 5mb, 2gb ...
  kPercent = 1u << 5,      // accepts "N%" (stored negative, as Redis does)
  kOctal = 1u << 6,        // parsed and shown in octal
  kUnsigned = 1u << 7,     // bounds compared as unsigned (Redis's uint, size_t, ull types)
  kNullable = 1u << 8,     // string whose "" means "unset": not written by REWRITE
  kImplemented = 1u << 9,  // kevy acts on it (otherwise stored, with a warning at load)
};

enum class Special : uint8_t {
  kNone,
  kDir,
  kSave,
  kClientOutputBufferLimit,
  kOomScoreAdjValues,
  kNotifyKeyspaceEvents,
  kBind,
  kReplicaOf,
  kLatencyPercentiles,
  kShutdownOnSig,
};

// Which typed field of Config mirrors the directive.
enum class Field : uint8_t {
  kNone,
  kPort,
  kDatabases,
  kHz,
  kMaxclients,
  kTimeout,
  kTcpKeepalive,
  kTcpBacklog,
  kProtectedMode,
  kDaemonize,
  kShards,
  kProtoMaxBulkLen,
  kClientQueryBufferLimit,
  kLoglevel,
  kActiveExpireEffort,
  kLazyfreeLazyUserFlush,
  kMaxmemory,
};

// Extra validation of string directives.
enum class Check : uint8_t { kNone, kDbFilename, kAofFilename, kAofDirname, kHostname, kTitle };

struct Directive {
  const char* name;
  const char* alias;
  Kind kind;
  uint32_t flags;
  const char* def;  // default value, in CONFIG GET form
  int64_t lo;
  uint64_t hi;
  const char* const* choices;  // enums: nullptr-terminated names
  Special special;
  Field field;
  Check check;
};

constexpr int64_t kIntMin = INT_MIN;
constexpr uint64_t kIntMax = INT_MAX;
constexpr uint64_t kUintMax = UINT_MAX;
constexpr uint64_t kLongMax = INT64_MAX;
constexpr uint64_t kULongLongMax = UINT64_MAX;

constexpr Directive Bool(const char* name, const char* alias, uint32_t flags, const char* def,
                         Field field = Field::kNone) {
  return {name, alias, Kind::kBool, flags, def, 0, 0, nullptr, Special::kNone, field, Check::kNone};
}
constexpr Directive Int(const char* name, const char* alias, uint32_t flags, int64_t lo,
                        uint64_t hi, const char* def, Field field = Field::kNone) {
  return {name, alias,   Kind::kInt,     flags, def,         lo,
          hi,   nullptr, Special::kNone, field, Check::kNone};
}
constexpr Directive Enum(const char* name, uint32_t flags, const char* const* choices,
                         const char* def, Field field = Field::kNone) {
  return {name, nullptr, Kind::kEnum,    flags, def,         0,
          0,    choices, Special::kNone, field, Check::kNone};
}
constexpr Directive Str(const char* name, const char* alias, uint32_t flags, const char* def,
                        Check check = Check::kNone) {
  return {name, alias,   Kind::kString,  flags,        def,  0,
          0,    nullptr, Special::kNone, Field::kNone, check};
}
constexpr Directive Spec(const char* name, const char* alias, uint32_t flags, Special special,
                         const char* def) {
  return {name, alias,   Kind::kSpecial, flags,        def,         0,
          0,    nullptr, special,        Field::kNone, Check::kNone};
}

constexpr const char* kSupervised[] = {"upstart", "systemd", "auto", "no", nullptr};
constexpr const char* kSyslogFacility[] = {"user",   "local0", "local1", "local2", "local3",
                                           "local4", "local5", "local6", "local7", nullptr};
constexpr const char* kReplDisklessLoad[] = {"disabled", "on-empty-db", "swapdb", nullptr};
// "nothing" is Redis 7.2's; accepting it is harmless and lets 7.2 configs load.
constexpr const char* kLoglevel[] = {"debug", "verbose", "notice", "warning", "nothing", nullptr};
constexpr const char* kMaxmemoryPolicy[] = {"volatile-lru",   "volatile-lfu", "volatile-random",
                                            "volatile-ttl",   "allkeys-lru",  "allkeys-lfu",
                                            "allkeys-random", "noeviction",   nullptr};
constexpr const char* kAppendfsync[] = {"everysec", "always", "no", nullptr};
constexpr const char* kOomScoreAdj[] = {"no", "yes", "relative", "absolute", nullptr};
constexpr const char* kAclPubsubDefault[] = {"allchannels", "resetchannels", nullptr};
constexpr const char* kSanitizeDumpPayload[] = {"no", "yes", "clients", nullptr};
constexpr const char* kProtectedAction[] = {"no", "yes", "local", nullptr};
constexpr const char* kEndpointType[] = {"ip", "hostname", "unknown-endpoint", nullptr};
constexpr const char* kPropagationError[] = {"ignore", "panic", "panic-on-replicas", nullptr};
constexpr const char* kTlsAuthClients[] = {"no", "yes", "optional", nullptr};
constexpr const char* kShutdownFlags[] = {"default", "save", "nosave", "now", "force", nullptr};

constexpr uint32_t kI = kImplemented;

// Redis 7.0.15's directives (CONFIG GET * on redis-server 7.0.15, TLS build), plus kevy's
// own `shards`. Bounds, flags and defaults as Redis's config.c declares them.
const Directive kDirectives[] = {
    // --- booleans ---
    Bool("rdbchecksum", nullptr, kImmutable, "yes"),
    Bool("daemonize", nullptr, kImmutable | kI, "no", Field::kDaemonize),
    Bool("io-threads-do-reads", nullptr, kImmutable, "no"),
    Bool("always-show-logo", nullptr, kImmutable, "no"),
    Bool("protected-mode", nullptr, kI, "yes", Field::kProtectedMode),
    Bool("rdbcompression", nullptr, kMutable | kI, "yes"),
    Bool("rdb-del-sync-files", nullptr, kMutable, "no"),
    Bool("activerehashing", nullptr, kMutable, "yes"),
    Bool("stop-writes-on-bgsave-error", nullptr, kMutable | kI, "yes"),
    Bool("set-proc-title", nullptr, kImmutable, "yes"),
    Bool("dynamic-hz", nullptr, kMutable, "yes"),
    Bool("lazyfree-lazy-eviction", nullptr, kMutable, "no"),
    Bool("lazyfree-lazy-expire", nullptr, kMutable, "no"),
    Bool("lazyfree-lazy-server-del", nullptr, kMutable, "no"),
    Bool("lazyfree-lazy-user-del", nullptr, kMutable, "no"),
    Bool("lazyfree-lazy-user-flush", nullptr, kI, "no", Field::kLazyfreeLazyUserFlush),
    Bool("repl-disable-tcp-nodelay", nullptr, kMutable, "no"),
    Bool("repl-diskless-sync", nullptr, kMutable, "yes"),
    Bool("aof-rewrite-incremental-fsync", nullptr, kMutable, "yes"),
    Bool("no-appendfsync-on-rewrite", nullptr, kMutable, "no"),
    Bool("cluster-require-full-coverage", nullptr, kMutable, "yes"),
    Bool("rdb-save-incremental-fsync", nullptr, kMutable, "yes"),
    Bool("aof-load-truncated", nullptr, kMutable | kI, "yes"),
    Bool("aof-use-rdb-preamble", nullptr, kMutable | kI, "yes"),
    Bool("aof-timestamp-enabled", nullptr, kMutable, "no"),
    Bool("cluster-replica-no-failover", "cluster-slave-no-failover", kMutable, "no"),
    Bool("replica-lazy-flush", "slave-lazy-flush", kMutable, "no"),
    Bool("replica-serve-stale-data", "slave-serve-stale-data", kMutable, "yes"),
    Bool("replica-read-only", "slave-read-only", kMutable, "yes"),
    Bool("replica-ignore-maxmemory", "slave-ignore-maxmemory", kMutable, "yes"),
    Bool("jemalloc-bg-thread", nullptr, kMutable, "yes"),
    Bool("activedefrag", nullptr, kMutable, "no"),
    Bool("syslog-enabled", nullptr, kImmutable, "no"),
    Bool("cluster-enabled", nullptr, kImmutable, "no"),
    Bool("appendonly", nullptr, kMutable | kI, "no"),
    Bool("cluster-allow-reads-when-down", nullptr, kMutable, "no"),
    Bool("cluster-allow-pubsubshard-when-down", nullptr, kMutable, "yes"),
    Bool("crash-log-enabled", nullptr, kMutable, "yes"),
    Bool("crash-memcheck-enabled", nullptr, kMutable, "yes"),
    Bool("use-exit-on-panic", nullptr, kHidden, "no"),
    Bool("disable-thp", nullptr, kImmutable, "yes"),
    Bool("cluster-allow-replica-migration", nullptr, kMutable, "yes"),
    Bool("replica-announced", nullptr, kMutable, "yes"),
    Bool("latency-tracking", nullptr, kMutable, "yes"),
    Bool("aof-disable-auto-gc", nullptr, kMutable, "no"),
    Bool("replica-ignore-disk-write-errors", nullptr, kMutable, "no"),
    Bool("tls-cluster", nullptr, kMutable, "no"),
    Bool("tls-replication", nullptr, kMutable, "no"),
    Bool("tls-prefer-server-ciphers", nullptr, kMutable, "no"),
    Bool("tls-session-caching", nullptr, kMutable, "yes"),

    // --- strings ---
    Str("aclfile", nullptr, kImmutable, ""),
    Str("unixsocket", nullptr, kImmutable | kNullable, ""),
    Str("pidfile", nullptr, kImmutable | kNullable | kI, ""),
    Str("replica-announce-ip", "slave-announce-ip", kNullable, ""),
    Str("masteruser", nullptr, kNullable, ""),
    Str("cluster-announce-ip", nullptr, kNullable, ""),
    Str("cluster-config-file", nullptr, kImmutable, "nodes.conf"),
    Str("cluster-announce-hostname", nullptr, kNullable, "", Check::kHostname),
    Str("syslog-ident", nullptr, kImmutable, "redis"),
    Str("dbfilename", nullptr, kProtected | kI, "dump.rdb", Check::kDbFilename),
    Str("appendfilename", nullptr, kImmutable | kI, "appendonly.aof", Check::kAofFilename),
    Str("appenddirname", nullptr, kImmutable | kI, "appendonlydir", Check::kAofDirname),
    Str("server_cpulist", nullptr, kImmutable | kNullable, ""),
    Str("bio_cpulist", nullptr, kImmutable | kNullable, ""),
    Str("aof_rewrite_cpulist", nullptr, kImmutable | kNullable, ""),
    Str("bgsave_cpulist", nullptr, kImmutable | kNullable, ""),
    Str("ignore-warnings", nullptr, kMutable, ""),
    Str("proc-title-template", nullptr, kMutable, "{title} {listen-addr} {server-mode}",
        Check::kTitle),
    Str("bind-source-addr", nullptr, kNullable, ""),
    Str("logfile", nullptr, kImmutable | kI, ""),
    Str("masterauth", nullptr, kNullable, ""),
    Str("requirepass", nullptr, kNullable | kI, ""),
    Str("tls-cert-file", nullptr, kNullable, ""),
    Str("tls-key-file", nullptr, kNullable, ""),
    Str("tls-key-file-pass", nullptr, kNullable, ""),
    Str("tls-client-cert-file", nullptr, kNullable, ""),
    Str("tls-client-key-file", nullptr, kNullable, ""),
    Str("tls-client-key-file-pass", nullptr, kNullable, ""),
    Str("tls-dh-params-file", nullptr, kNullable, ""),
    Str("tls-ca-cert-file", nullptr, kNullable, ""),
    Str("tls-ca-cert-dir", nullptr, kNullable, ""),
    Str("tls-protocols", nullptr, kNullable, ""),
    Str("tls-ciphers", nullptr, kNullable, ""),
    Str("tls-ciphersuites", nullptr, kNullable, ""),

    // --- enums ---
    Enum("supervised", kImmutable, kSupervised, "no"),
    Enum("syslog-facility", kImmutable, kSyslogFacility, "local0"),
    Enum("repl-diskless-load", kMutable, kReplDisklessLoad, "disabled"),
    Enum("loglevel", kI, kLoglevel, "notice", Field::kLoglevel),
    Enum("maxmemory-policy", kMutable, kMaxmemoryPolicy, "noeviction"),
    Enum("appendfsync", kMutable | kI, kAppendfsync, "everysec"),
    Enum("oom-score-adj", kMutable, kOomScoreAdj, "no"),
    Enum("acl-pubsub-default", kMutable, kAclPubsubDefault, "resetchannels"),
    Enum("sanitize-dump-payload", kMutable, kSanitizeDumpPayload, "no"),
    Enum("enable-protected-configs", kImmutable, kProtectedAction, "no"),
    Enum("enable-debug-command", kImmutable, kProtectedAction, "no"),
    Enum("enable-module-command", kImmutable, kProtectedAction, "no"),
    Enum("cluster-preferred-endpoint-type", kMutable, kEndpointType, "ip"),
    Enum("propagation-error-behavior", kMutable, kPropagationError, "ignore"),
    Enum("tls-auth-clients", kMutable, kTlsAuthClients, "yes"),

    // --- integers ---
    Int("databases", nullptr, kImmutable | kI, 1, kIntMax, "16", Field::kDatabases),
    Int("port", nullptr, kI, 0, 65535, "6379", Field::kPort),
    Int("io-threads", nullptr, kImmutable, 1, 128, "1"),
    Int("auto-aof-rewrite-percentage", nullptr, kMutable | kI, 0, kIntMax, "100"),
    Int("cluster-replica-validity-factor", "cluster-slave-validity-factor", kMutable, 0, kIntMax,
        "10"),
    Int("list-max-listpack-size", "list-max-ziplist-size", kMutable, kIntMin, kIntMax, "-2"),
    Int("tcp-keepalive", nullptr, kI, 0, kIntMax, "300", Field::kTcpKeepalive),
    Int("cluster-migration-barrier", nullptr, kMutable, 0, kIntMax, "1"),
    Int("active-defrag-cycle-min", nullptr, kMutable, 1, 99, "1"),
    Int("active-defrag-cycle-max", nullptr, kMutable, 1, 99, "25"),
    Int("active-defrag-threshold-lower", nullptr, kMutable, 0, 1000, "10"),
    Int("active-defrag-threshold-upper", nullptr, kMutable, 0, 1000, "100"),
    Int("lfu-log-factor", nullptr, kMutable, 0, kIntMax, "10"),
    Int("lfu-decay-time", nullptr, kMutable, 0, kIntMax, "1"),
    Int("replica-priority", "slave-priority", kMutable, 0, kIntMax, "100"),
    Int("repl-diskless-sync-delay", nullptr, kMutable, 0, kIntMax, "5"),
    Int("maxmemory-samples", nullptr, kMutable, 1, kIntMax, "5"),
    Int("maxmemory-eviction-tenacity", nullptr, kMutable, 0, 100, "10"),
    Int("timeout", nullptr, kI, 0, kIntMax, "0", Field::kTimeout),
    Int("replica-announce-port", "slave-announce-port", kMutable, 0, 65535, "0"),
    Int("tcp-backlog", nullptr, kImmutable | kI, 0, kIntMax, "511", Field::kTcpBacklog),
    Int("cluster-port", nullptr, kImmutable, 0, 65535, "0"),
    Int("cluster-announce-bus-port", nullptr, kMutable, 0, 65535, "0"),
    Int("cluster-announce-port", nullptr, kMutable, 0, 65535, "0"),
    Int("cluster-announce-tls-port", nullptr, kMutable, 0, 65535, "0"),
    Int("repl-timeout", nullptr, kMutable, 1, kIntMax, "60"),
    Int("repl-ping-replica-period", "repl-ping-slave-period", kMutable, 1, kIntMax, "10"),
    Int("list-compress-depth", nullptr, kMutable, 0, kIntMax, "0"),
    Int("rdb-key-save-delay", nullptr, kHidden, kIntMin, kIntMax, "0"),
    Int("key-load-delay", nullptr, kHidden, kIntMin, kIntMax, "0"),
    Int("active-expire-effort", nullptr, kI, 1, 10, "1", Field::kActiveExpireEffort),
    Int("hz", nullptr, kI, 0, kIntMax, "10", Field::kHz),
    Int("min-replicas-to-write", "min-slaves-to-write", kMutable, 0, kIntMax, "0"),
    Int("min-replicas-max-lag", "min-slaves-max-lag", kMutable, 0, kIntMax, "10"),
    Int("watchdog-period", nullptr, kHidden, 0, kIntMax, "0"),
    Int("shutdown-timeout", nullptr, kMutable, 0, kIntMax, "10"),
    Int("repl-diskless-sync-max-replicas", nullptr, kMutable, 0, kIntMax, "0"),
    Int("tls-port", nullptr, kMutable, 0, 65535, "0"),
    Int("tls-session-cache-size", nullptr, kMutable, 0, kIntMax, "20480"),
    Int("tls-session-cache-timeout", nullptr, kMutable, 0, kIntMax, "300"),
    Int("maxclients", nullptr, kUnsigned | kI, 1, kUintMax, "10000", Field::kMaxclients),
    Int("unixsocketperm", nullptr, kImmutable | kUnsigned | kOctal, 0, 0777, "0"),
    Int("socket-mark-id", nullptr, kImmutable | kUnsigned, 0, kUintMax, "0"),
    Int("active-defrag-max-scan-fields", nullptr, kMutable, 1, kLongMax, "1000"),
    Int("slowlog-max-len", nullptr, kMutable, 0, kLongMax, "128"),
    Int("acllog-max-len", nullptr, kMutable, 0, kLongMax, "128"),
    Int("busy-reply-threshold", "lua-time-limit", kMutable, 0, kLongMax, "5000"),
    Int("cluster-node-timeout", nullptr, kMutable, 0, kLongMax, "15000"),
    Int("slowlog-log-slower-than", nullptr, kMutable, -1, kLongMax, "10000"),
    Int("latency-monitor-threshold", nullptr, kMutable, 0, kLongMax, "0"),
    Int("proto-max-bulk-len", nullptr, kMemory | kI, 1024 * 1024, kLongMax, "536870912",
        Field::kProtoMaxBulkLen),
    Int("stream-node-max-entries", nullptr, kMutable, 0, kLongMax, "100"),
    Int("repl-backlog-size", nullptr, kMemory, 1, kLongMax, "1048576"),
    Int("maxmemory", nullptr, kMemory | kUnsigned | kI, 0, kULongLongMax, "0", Field::kMaxmemory),
    Int("cluster-link-sendbuf-limit", nullptr, kMemory | kUnsigned, 0, kULongLongMax, "0"),
    Int("hash-max-listpack-entries", "hash-max-ziplist-entries", kUnsigned | kI, 0, kLongMax, "512"),
    Int("set-max-intset-entries", nullptr, kUnsigned | kI, 0, kLongMax, "512"),
    Int("zset-max-listpack-entries", "zset-max-ziplist-entries", kUnsigned | kI, 0, kLongMax, "128"),
    Int("active-defrag-ignore-bytes", nullptr, kMemory | kUnsigned, 1, kLongMax, "104857600"),
    Int("hash-max-listpack-value", "hash-max-ziplist-value", kMemory | kUnsigned | kI, 0, kLongMax,
        "64"),
    Int("stream-node-max-bytes", nullptr, kMemory | kUnsigned, 0, kLongMax, "4096"),
    Int("zset-max-listpack-value", "zset-max-ziplist-value", kMemory | kUnsigned | kI, 0, kLongMax,
        "64"),
    Int("hll-sparse-max-bytes", nullptr, kMemory | kUnsigned, 0, kLongMax, "3000"),
    Int("tracking-table-max-keys", nullptr, kUnsigned, 0, kLongMax, "1000000"),
    Int("client-query-buffer-limit", nullptr, kMemory | kUnsigned | kI, 1024 * 1024, kLongMax,
        "1073741824", Field::kClientQueryBufferLimit),
    Int("maxmemory-clients", nullptr, kMemory | kPercent, -100, kLongMax, "0"),
    Int("repl-backlog-ttl", nullptr, kMutable, 0, kLongMax, "3600"),
    Int("auto-aof-rewrite-min-size", nullptr, kMemory | kI, 0, kLongMax, "67108864"),
    Int("loading-process-events-interval-bytes", nullptr, kHidden, 1024, kIntMax, "2097152"),
    // kevy's own: shard threads (0 = one per online CPU).
    Int("shards", nullptr, kImmutable | kI, 0, 1024, "0", Field::kShards),

    // --- special ---
    Spec("dir", nullptr, kProtected | kI, Special::kDir, ""),
    Spec("save", nullptr, kMultiArg | kI, Special::kSave, "3600 1 300 100 60 10000"),
    Spec("client-output-buffer-limit", nullptr, kMultiArg, Special::kClientOutputBufferLimit,
         "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"),
    Spec("oom-score-adj-values", nullptr, kMultiArg, Special::kOomScoreAdjValues, "0 200 800"),
    Spec("notify-keyspace-events", nullptr, kMutable, Special::kNotifyKeyspaceEvents, ""),
    Spec("bind", nullptr, kMultiArg | kI, Special::kBind, "* -::*"),
    Spec("replicaof", "slaveof", kImmutable | kMultiArg, Special::kReplicaOf, ""),
    Spec("latency-tracking-info-percentiles", nullptr, kMultiArg, Special::kLatencyPercentiles,
         "50 99 99.9"),
    Spec("shutdown-on-sigint", nullptr, kMultiArg, Special::kShutdownOnSig, "default"),
    Spec("shutdown-on-sigterm", nullptr, kMultiArg, Special::kShutdownOnSig, "default"),
};

constexpr size_t kNumDirectives = sizeof(kDirectives) / sizeof(kDirectives[0]);

struct NameRef {
  size_t idx;
  bool alias;
};

// Lower-case name or alias -> directive.
const absl::flat_hash_map<std::string, NameRef>& NameIndex() {
  static const auto* index = [] {
    auto* m = new absl::flat_hash_map<std::string, NameRef>();
    for (size_t i = 0; i < kNumDirectives; ++i) {
      (*m)[kDirectives[i].name] = NameRef{i, false};
      if (kDirectives[i].alias) (*m)[kDirectives[i].alias] = NameRef{i, true};
    }
    return m;
  }();
  return *index;
}

std::optional<NameRef> Lookup(std::string_view name) {
  const auto& index = NameIndex();
  auto it = index.find(absl::AsciiStrToLower(std::string(name)));
  if (it == index.end()) return std::nullopt;
  return it->second;
}

// --- lexical helpers -------------------------------------------------------------------------


std::string_view Trim(std::string_view s) {
  const char* kWs = " \t\r\n";
  size_t b = s.find_first_not_of(kWs);
  if (b == std::string_view::npos) return {};
  size_t e = s.find_last_not_of(kWs);
  return s.substr(b, e - b + 1);
}

// Splits on '\n' keeping a trailing empty piece, as sdssplitlen does (but "" gives nothing).
std::vector<std::string_view> SplitLines(std::string_view text) {
  std::vector<std::string_view> out;
  if (text.empty()) return out;
  size_t start = 0;
  while (true) {
    size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) {
      out.push_back(text.substr(start));
      return out;
    }
    out.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
}

// CONFIG SET's split of a multi-word value: on every single space (sdssplitlen), so "a  b"
// has an empty word in the middle and "" has no word at all.
std::vector<std::string> SplitSpaces(std::string_view v) {
  std::vector<std::string> out;
  if (v.empty()) return out;
  size_t start = 0;
  while (true) {
    size_t sp = v.find(' ', start);
    if (sp == std::string_view::npos) {
      out.emplace_back(v.substr(start));
      return out;
    }
    out.emplace_back(v.substr(start, sp - start));
    start = sp + 1;
  }
}

// strtoll over the whole (NUL-free) string, as Redis's special-config parsers use it: leading
// spaces and '+' are accepted, trailing junk is not, "" is 0.
bool StrToLL(const std::string& s, long long* out) {
  char* end;
  errno = 0;
  *out = strtoll(s.c_str(), &end, 10);
  return *end == '\0';
}

// Redis's memtoull: digits with an optional unit b, k (1000), kb (1024), m, mb, g, gb, any
// case. "" and a bare unit are 0; digits overflowing saturate and a unit that overflows wraps,
// both as Redis 7.0 does.
bool ParseMemory(std::string_view s, uint64_t* out) {
  size_t digits = 0;
  while (digits < s.size() && isdigit(static_cast<unsigned char>(s[digits]))) ++digits;
  std::string_view unit = s.substr(digits);
  uint64_t mul;
  if (unit.empty() || EqualsNoCase(unit, "b"))
    mul = 1;
  else if (EqualsNoCase(unit, "k"))
    mul = 1000;
  else if (EqualsNoCase(unit, "kb"))
    mul = 1024;
  else if (EqualsNoCase(unit, "m"))
    mul = 1000 * 1000;
  else if (EqualsNoCase(unit, "mb"))
    mul = 1024 * 1024;
  else if (EqualsNoCase(unit, "g"))
    mul = 1000ULL * 1000 * 1000;
  else if (EqualsNoCase(unit, "gb"))
    mul = 1024ULL * 1024 * 1024;
  else
    return false;
  if (digits >= 128) return false;
  uint64_t v = 0;
  for (size_t i = 0; i < digits; ++i) {
    uint64_t d = static_cast<uint64_t>(s[i] - '0');
    if (v > (UINT64_MAX - d) / 10) {
      v = UINT64_MAX;
      break;
    }
    v = v * 10 + d;
  }
  *out = v * mul;
  return true;
}

// How CONFIG REWRITE writes a byte count: the largest of gb/mb/kb that divides it.
std::string FormatMemory(uint64_t bytes) {
  constexpr uint64_t kGb = 1ULL << 30, kMb = 1ULL << 20, kKb = 1ULL << 10;
  if (bytes && bytes % kGb == 0) return absl::StrCat(bytes / kGb, "gb");
  if (bytes && bytes % kMb == 0) return absl::StrCat(bytes / kMb, "mb");
  if (bytes && bytes % kKb == 0) return absl::StrCat(bytes / kKb, "kb");
  return absl::StrCat(bytes);
}

// --- value parsing ---------------------------------------------------------------------------

struct Parsed {
  std::string text;  // CONFIG GET form
  int64_t num = 0;   // bools 0/1, enums the choice index, integers the value's bits
};

std::string EnumError(const char* const* choices) {
  std::string s = "argument(s) must be one of the following: ";
  for (size_t i = 0; choices[i]; ++i) {
    if (i) s += ", ";
    s += choices[i];
  }
  return s;
}

bool ParseInteger(const Directive& d, const std::string& v, int64_t* out, std::string* err) {
  bool ok = false;
  uint64_t u;
  if ((d.flags & kMemory) && ParseMemory(v, &u)) {
    *out = static_cast<int64_t>(u);
    ok = true;
  }
  int64_t p;
  if (!ok && (d.flags & kPercent) && v.size() > 1 && v.back() == '%' &&
      ParseInt64(std::string_view(v).substr(0, v.size() - 1), &p) && p >= 0) {
    *out = -p;
    ok = true;
  }
  if (!ok && (d.flags & kOctal)) {
    char* end;
    errno = 0;
    long long o = strtoll(v.c_str(), &end, 8);
    if (errno == 0 && *end == '\0') {
      *out = o;
      ok = true;
    }
  }
  if (!ok && !(d.flags & (kMemory | kPercent | kOctal)) && ParseInt64(v, out)) ok = true;
  if (!ok) {
    if ((d.flags & kMemory) && (d.flags & kPercent))
      *err = "argument must be a memory or percent value";
    else if (d.flags & kMemory)
      *err = "argument must be a memory value";
    else if (d.flags & kOctal)
      *err = "argument couldn't be parsed as an octal number";
    else
      *err = "argument couldn't be parsed into an integer";
    return false;
  }
  int64_t x = *out;
  if (d.flags & kUnsigned) {
    uint64_t ux = static_cast<uint64_t>(x), lo = static_cast<uint64_t>(d.lo);
    if (ux < lo || ux > d.hi) {
      *err = (d.flags & kOctal)
                 ? absl::StrFormat("argument must be between %o and %o inclusive", lo, d.hi)
                 : absl::StrFormat("argument must be between %u and %u inclusive", lo, d.hi);
      return false;
    }
  } else if ((d.flags & kPercent) && x < 0) {
    if (x < d.lo) {
      *err = absl::StrFormat("percentage argument must be less or equal to %d", -d.lo);
      return false;
    }
  } else if (x < d.lo || x > static_cast<int64_t>(d.hi)) {
    *err = absl::StrFormat("argument must be between %d and %d inclusive", d.lo,
                           static_cast<int64_t>(d.hi));
    return false;
  }
  return true;
}

std::string FormatInteger(const Directive& d, int64_t x) {
  if ((d.flags & kPercent) && x < 0) return absl::StrCat(-x, "%");
  if (d.flags & kOctal) return absl::StrFormat("%o", static_cast<uint64_t>(x));
  if (d.flags & (kMemory | kUnsigned)) return absl::StrCat(static_cast<uint64_t>(x));
  return absl::StrCat(x);
}

// The three output-buffer classes, as Redis lists them in CONFIG GET.
struct ObufLimit {
  uint64_t hard = 0, soft = 0;
  long long seconds = 0;
};
constexpr const char* kObufClasses[3] = {"normal", "slave", "pubsub"};

bool ParseObufText(const std::string& text, ObufLimit out[3]) {
  std::vector<std::string> w = SplitSpaces(text);
  if (w.size() != 12) return false;
  for (int c = 0; c < 3; ++c) {
    if (!ParseMemory(w[c * 4 + 1], &out[c].hard) || !ParseMemory(w[c * 4 + 2], &out[c].soft) ||
        !StrToLL(w[c * 4 + 3], &out[c].seconds))
      return false;
  }
  return true;
}

std::string FormatObuf(const ObufLimit l[3]) {
  std::string s;
  for (int c = 0; c < 3; ++c) {
    if (c) s += ' ';
    absl::StrAppend(&s, kObufClasses[c], " ", l[c].hard, " ", l[c].soft, " ", l[c].seconds);
  }
  return s;
}

// notify-keyspace-events flag bits, in the order Redis prints them.
enum : int {
  kNotifyKeyspace = 1 << 0,  // K
  kNotifyKeyevent = 1 << 1,  // E
  kNotifyGeneric = 1 << 2,   // g
  kNotifyString = 1 << 3,    // $
  kNotifyList = 1 << 4,      // l
  kNotifySet = 1 << 5,       // s
  kNotifyHash = 1 << 6,      // h
  kNotifyZset = 1 << 7,      // z
  kNotifyExpired = 1 << 8,   // x
  kNotifyEvicted = 1 << 9,   // e
  kNotifyStream = 1 << 10,   // t
  kNotifyKeyMiss = 1 << 11,  // m (not part of A)
  kNotifyLoaded = 1 << 12,   // module-only, no letter
  kNotifyModule = 1 << 13,   // d
  kNotifyNew = 1 << 14,      // n (not part of A)
  kNotifyAll = kNotifyGeneric | kNotifyString | kNotifyList | kNotifySet | kNotifyHash |
               kNotifyZset | kNotifyExpired | kNotifyEvicted | kNotifyStream | kNotifyModule,
};

int NotifyFlags(std::string_view s) {
  int flags = 0;
  for (char c : s) {
    switch (c) {
      case 'A':
        flags |= kNotifyAll;
        break;
      case 'g':
        flags |= kNotifyGeneric;
        break;
      case '$':
        flags |= kNotifyString;
        break;
      case 'l':
        flags |= kNotifyList;
        break;
      case 's':
        flags |= kNotifySet;
        break;
      case 'h':
        flags |= kNotifyHash;
        break;
      case 'z':
        flags |= kNotifyZset;
        break;
      case 'x':
        flags |= kNotifyExpired;
        break;
      case 'e':
        flags |= kNotifyEvicted;
        break;
      case 'K':
        flags |= kNotifyKeyspace;
        break;
      case 'E':
        flags |= kNotifyKeyevent;
        break;
      case 't':
        flags |= kNotifyStream;
        break;
      case 'm':
        flags |= kNotifyKeyMiss;
        break;
      case 'd':
        flags |= kNotifyModule;
        break;
      case 'n':
        flags |= kNotifyNew;
        break;
      default:
        return -1;
    }
  }
  return flags;
}

std::string NotifyString(int flags) {
  std::string s;
  if ((flags & kNotifyAll) == kNotifyAll) {
    s += 'A';
  } else {
    static const std::pair<int, char> kLetters[] = {
        {kNotifyGeneric, 'g'}, {kNotifyString, '$'}, {kNotifyList, 'l'},    {kNotifySet, 's'},
        {kNotifyHash, 'h'},    {kNotifyZset, 'z'},   {kNotifyExpired, 'x'}, {kNotifyEvicted, 'e'},
        {kNotifyStream, 't'},  {kNotifyModule, 'd'}, {kNotifyNew, 'n'}};
    for (auto [bit, letter] : kLetters)
      if (flags & bit) s += letter;
  }
  if (flags & kNotifyKeyspace) s += 'K';
  if (flags & kNotifyKeyevent) s += 'E';
  if (flags & kNotifyKeyMiss) s += 'm';
  return s;
}

// Redis's trimDoubleString over "%f": 99.900000 -> 99.9, 50.000000 -> 50.
std::string FormatPercentile(double v) {
  std::string s = absl::StrFormat("%f", v);
  if (s.find('.') != std::string::npos) {
    while (!s.empty() && s.back() == '0') s.pop_back();
    if (!s.empty() && s.back() == '.') s.pop_back();
  }
  return s;
}

bool PathIsBaseName(const std::string& s) {
  return s.find('/') == std::string::npos && s.find('\\') == std::string::npos;
}

bool ValidTitleTemplate(const std::string& t) {
  static const char* kVars[] = {"{title}",    "{listen-addr}", "{server-mode}", "{port}",
                                "{tls-port}", "{unixsocket}",  "{config-file}"};
  size_t i = 0;
  bool produces = false;  // a template that expands to nothing (e.g. "{title}" alone) is invalid
  while (i < t.size()) {
    if (t[i] == '{') {
      size_t close = t.find('}', i);
      if (close == std::string::npos) return false;
      std::string_view var(t.data() + i, close - i + 1);
      bool known = false;
      for (const char* k : kVars) known |= var == k;
      if (!known) return false;
      if (var != "{title}") produces = true;
      i = close + 1;
    } else if (t[i] == '}') {
      return false;
    } else {
      produces = true;
      ++i;
    }
  }
  return produces;
}

bool CheckString(Check check, const std::string& v, std::string* err) {
  switch (check) {
    case Check::kNone:
      return true;
    case Check::kDbFilename:
      if (PathIsBaseName(v)) return true;
      *err = "dbfilename can't be a path, just a filename";
      return false;
    case Check::kAofFilename:
      if (v.empty()) {
        *err = "appendfilename can't be empty";
        return false;
      }
      if (PathIsBaseName(v)) return true;
      *err = "appendfilename can't be a path, just a filename";
      return false;
    case Check::kAofDirname:
      if (v.empty()) {
        *err = "appenddirname can't be empty";
        return false;
      }
      if (PathIsBaseName(v)) return true;
      *err = "appenddirname can't be a path, just a dirname";
      return false;
    case Check::kHostname:
      if (v.size() >= 256) {
        *err = "Hostnames must be less than 256 characters";
        return false;
      }
      for (char c : v) {
        if (!isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.') {
          *err = "Hostnames may only contain alphanumeric characters, hyphens or dots";
          return false;
        }
      }
      return true;
    case Check::kTitle:
      if (ValidTitleTemplate(v)) return true;
      *err = "template format is invalid or contains unknown variables";
      return false;
  }
  return true;
}

bool ParseSpecial(const Directive& d, std::vector<std::string> args, const std::string& current,
                  Parsed* out, std::string* err) {
  switch (d.special) {
    case Special::kNone:
      break;
    case Special::kDir:
      if (args.size() != 1) {
        *err = "wrong number of arguments";
        return false;
      }
      out->text = args[0];
      return true;
    case Special::kSave: {
      if (args.size() == 1 && args[0].empty()) args.clear();
      if (args.size() % 2) {
        *err = "Invalid save parameters";
        return false;
      }
      std::vector<std::string> words;
      for (size_t j = 0; j < args.size(); ++j) {
        long long v;
        if (!StrToLL(args[j], &v) || (j % 2 == 0 && v < 1) || (j % 2 == 1 && v < 0)) {
          *err = "Invalid save parameters";
          return false;
        }
        words.push_back(j % 2 == 0 ? absl::StrCat(v) : absl::StrCat(static_cast<int>(v)));
      }
      out->text = absl::StrJoin(words, " ");
      return true;
    }
    case Special::kClientOutputBufferLimit: {
      if (args.size() % 4) {
        *err = "Wrong number of arguments in buffer limit configuration.";
        return false;
      }
      ObufLimit limits[3];
      if (!ParseObufText(current, limits)) ParseObufText(d.def, limits);
      ObufLimit updated[3] = {limits[0], limits[1], limits[2]};
      for (size_t j = 0; j < args.size(); j += 4) {
        int cls = -1;
        if (EqualsNoCase(args[j], "normal"))
          cls = 0;
        else if (EqualsNoCase(args[j], "slave") || EqualsNoCase(args[j], "replica"))
          cls = 1;
        else if (EqualsNoCase(args[j], "pubsub"))
          cls = 2;
        if (cls < 0) {
          *err = "Invalid client class specified in buffer limit configuration.";
          return false;
        }
        ObufLimit l;
        if (!ParseMemory(args[j + 1], &l.hard) || !ParseMemory(args[j + 2], &l.soft) ||
            !StrToLL(args[j + 3], &l.seconds) || l.seconds < 0) {
          *err = "Error in hard, soft or soft_seconds setting in buffer limit configuration.";
          return false;
        }
        updated[cls] = l;
      }
      out->text = FormatObuf(updated);
      return true;
    }
    case Special::kOomScoreAdjValues: {
      if (args.size() != 3) {
        *err = "wrong number of arguments";
        return false;
      }
      std::vector<std::string> words;
      for (const std::string& a : args) {
        long long v;
        if (!StrToLL(a, &v) || v < -2000 || v > 2000) {
          *err = "Invalid oom-score-adj-values, elements must be between -2000 and 2000.";
          return false;
        }
        words.push_back(absl::StrCat(v));
      }
      out->text = absl::StrJoin(words, " ");
      return true;
    }
    case Special::kNotifyKeyspaceEvents: {
      if (args.size() != 1) {
        *err = "wrong number of arguments";
        return false;
      }
      int flags = NotifyFlags(args[0]);
      if (flags < 0) {
        *err = "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.";
        return false;
      }
      out->num = flags;
      out->text = NotifyString(flags);
      return true;
    }
    case Special::kBind:
      if (args.size() > 16) {
        *err = "Too many bind addresses specified.";
        return false;
      }
      if (args.size() == 1 && args[0].empty()) args.clear();
      out->text = absl::StrJoin(args, " ");
      return true;
    case Special::kReplicaOf: {
      if (args.size() != 2) {
        *err = "wrong number of arguments";
        return false;
      }
      if (EqualsNoCase(args[0], "no") && EqualsNoCase(args[1], "one")) {
        out->text.clear();
        return true;
      }
      long long port;
      if (!StrToLL(args[1], &port) || port < 0 || port > 65535) {
        *err = "Invalid master port";
        return false;
      }
      out->text = absl::StrCat(args[0], " ", port);
      return true;
    }
    case Special::kLatencyPercentiles: {
      if (args.size() == 1 && args[0].empty()) args.clear();
      std::vector<std::string> words;
      for (const std::string& a : args) {
        double v;
        if (!ParseDouble(a, &v)) {
          *err = "Invalid latency-tracking-info-percentiles parameters";
          return false;
        }
        if (v > 100.0 || v < 0.0) {
          *err = "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]";
          return false;
        }
        words.push_back(FormatPercentile(v));
      }
      out->text = absl::StrJoin(words, " ");
      return true;
    }
    case Special::kShutdownOnSig: {
      int flags = 0;  // bit i-1 for kShutdownFlags[i]; "default" is no bit
      if (args.empty()) {
        *err = EnumError(kShutdownFlags);
        return false;
      }
      for (const std::string& a : args) {
        int found = -1;
        for (int i = 0; kShutdownFlags[i]; ++i)
          if (EqualsNoCase(a, kShutdownFlags[i])) found = i;
        if (found < 0) {
          *err = EnumError(kShutdownFlags);
          return false;
        }
        if (found > 0) flags |= 1 << (found - 1);
      }
      if ((flags & 1) && (flags & 2)) {
        *err = "shutdown options SAVE and NOSAVE can't be used simultaneously";
        return false;
      }
      std::vector<std::string> words;
      for (int i = 1; kShutdownFlags[i]; ++i)
        if (flags & (1 << (i - 1))) words.emplace_back(kShutdownFlags[i]);
      out->text = words.empty() ? "default" : absl::StrJoin(words, " ");
      out->num = flags;
      return true;
    }
  }
  *err = "unsupported directive";
  return false;
}

// Parses the arguments of directive d into its canonical value. `current` is the value before
// (client-output-buffer-limit only updates the classes it names).
bool ParseValue(const Directive& d, const std::vector<std::string>& args,
                const std::string& current, Parsed* out, std::string* err) {
  if (d.kind == Kind::kSpecial) return ParseSpecial(d, args, current, out, err);
  if (args.size() != 1) {
    *err = "wrong number of arguments";
    return false;
  }
  const std::string& v = args[0];
  switch (d.kind) {
    case Kind::kBool:
      if (EqualsNoCase(v, "yes")) {
        out->num = 1;
      } else if (EqualsNoCase(v, "no")) {
        out->num = 0;
      } else {
        *err = "argument must be 'yes' or 'no'";
        return false;
      }
      out->text = out->num ? "yes" : "no";
      return true;
    case Kind::kInt: {
      int64_t x;
      if (!ParseInteger(d, v, &x, err)) return false;
      // hz is a hint: out-of-range values are accepted and capped, as Redis does.
      if (d.field == Field::kHz) x = x < 1 ? 1 : (x > 500 ? 500 : x);
      out->num = x;
      out->text = FormatInteger(d, x);
      return true;
    }
    case Kind::kEnum:
      for (int i = 0; d.choices[i]; ++i) {
        if (EqualsNoCase(v, d.choices[i])) {
          out->num = i;
          out->text = d.choices[i];
          // Synonyms show under the first name of their value, as Redis's enum table does.
          if (d.choices == kOomScoreAdj && out->text == "relative") out->text = "yes";
          return true;
        }
      }
      *err = EnumError(d.choices);
      return false;
    case Kind::kString:
      if (!CheckString(d.check, v, err)) return false;
      out->text = v;
      return true;
    case Kind::kSpecial:
      break;
  }
  return false;
}

std::string FatalHeader() {
  return absl::StrCat("\n*** FATAL CONFIG FILE ERROR (Redis ", kRedisVersion, ") ***\n");
}

std::string FatalAt(int line, std::string_view text, std::string_view err) {
  return absl::StrCat(FatalHeader(), "Reading the configuration file, at line ", line, "\n>>> '",
                      std::string(text), "'\n", std::string(err));
}

bool ReadWholeFile(const std::string& path, std::string* out, int* err) {
  FILE* f = fopen(path.c_str(), "r");
  if (!f) {
    *err = errno;
    return false;
  }
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), f)) > 0) out->append(buf, n);
  bool ok = !ferror(f);
  *err = errno;
  fclose(f);
  return ok;
}

std::string Cwd() {
  char buf[4096];
  if (!getcwd(buf, sizeof(buf))) return "";
  return buf;
}

}  // namespace

struct Config::Impl {
  mutable std::mutex mu;            // guards `values` (readers: the getters, Get)
  std::mutex write_mu;              // serializes writers: loading, Set, Rewrite
  std::vector<std::string> values;  // per directive, CONFIG GET form
  std::string file;                 // absolute path of the config file, "" if none
  int file_newlines = 0;            // '\n's in the main file: argv lines are numbered after them
  bool save_loaded = false;         // at load the first `save` replaces the default, later ones add
  std::vector<std::string> warnings;
  std::set<std::string> warned;
  // Directives seen while loading that kevy does not implement (npos: not a config at all,
  // like rename-command), with the name as written; warned about once loading ends.
  std::vector<std::pair<size_t, std::string>> unimplemented_seen;
  std::vector<std::string> module_configs;  // "module.name value" lines without a module
  std::vector<std::pair<std::string, std::function<absl::Status()>>> hooks;
  mode_t umask = 022;
};

// Loading, setting and rewriting; a friend of Config so it reaches impl_ and the fields.
struct ConfigTable {
  static void Store(Config& c, size_t idx, const Parsed& p, bool side_effects) {
    const Directive& d = kDirectives[idx];
    {
      std::lock_guard lock(c.impl_->mu);
      c.impl_->values[idx] = p.text;
    }
    constexpr auto kRelaxed = std::memory_order_relaxed;
    auto to_int = [](int64_t v) { return static_cast<int>(v > INT_MAX ? INT_MAX : v); };
    switch (d.field) {
      case Field::kNone:
        break;
      case Field::kPort:
        c.port.store(to_int(p.num), kRelaxed);
        break;
      case Field::kDatabases:
        c.databases.store(to_int(p.num), kRelaxed);
        break;
      case Field::kHz:
        c.hz.store(to_int(p.num), kRelaxed);
        break;
      case Field::kMaxclients:
        c.maxclients.store(to_int(static_cast<int64_t>(static_cast<uint32_t>(p.num))), kRelaxed);
        break;
      case Field::kTimeout:
        c.timeout.store(to_int(p.num), kRelaxed);
        break;
      case Field::kTcpKeepalive:
        c.tcp_keepalive.store(to_int(p.num), kRelaxed);
        break;
      case Field::kTcpBacklog:
        c.tcp_backlog.store(to_int(p.num), kRelaxed);
        break;
      case Field::kProtectedMode:
        c.protected_mode.store(p.num != 0, kRelaxed);
        break;
      case Field::kDaemonize:
        c.daemonize.store(p.num != 0, kRelaxed);
        break;
      case Field::kShards:
        c.shards.store(to_int(p.num), kRelaxed);
        break;
      case Field::kProtoMaxBulkLen:
        c.proto_max_bulk_len.store(p.num, kRelaxed);
        break;
      case Field::kClientQueryBufferLimit:
        c.client_query_buffer_limit.store(p.num, kRelaxed);
        break;
      case Field::kLoglevel:
        c.loglevel.store(to_int(p.num), kRelaxed);
        if (side_effects) SetLogLevel(static_cast<int>(p.num));
        break;
      case Field::kActiveExpireEffort:
        c.active_expire_effort.store(to_int(p.num), kRelaxed);
        break;
      case Field::kLazyfreeLazyUserFlush:
        c.lazyfree_lazy_user_flush.store(p.num != 0, kRelaxed);
        break;
      case Field::kMaxmemory:
        // Redis's maxmemory is unsigned; values past INT64_MAX (absurd budgets) are capped.
        c.maxmemory.store(p.num < 0 ? INT64_MAX : p.num, kRelaxed);
        break;
    }
  }

  static std::string ValueOf(const Config& c, size_t idx) {
    if (kDirectives[idx].special == Special::kDir) return Cwd();
    std::lock_guard lock(c.impl_->mu);
    return c.impl_->values[idx];
  }

  // Warns about the unimplemented directives the load just read, once each. A config
  // directive set to its default changes nothing, so it earns no warning (judged on the final
  // value: three `save` lines may add up to the default).
  static void EmitWarnings(Config& c) {
    for (const auto& [idx, shown] : c.impl_->unimplemented_seen) {
      if (idx != kNpos) {
        std::string value = ValueOf(c, idx);
        if (value == kDirectives[idx].def) continue;
        // `save ""` asks for no snapshots, which is what kevy does until persistence lands.
        if (kDirectives[idx].special == Special::kSave && value.empty()) continue;
      }
      std::string key = idx == kNpos ? shown : kDirectives[idx].name;
      if (!c.impl_->warned.insert(key).second) continue;
      c.impl_->warnings.push_back(
          absl::StrCat("directive '", shown, "' is not implemented by kevy yet; ignored"));
    }
    c.impl_->unimplemented_seen.clear();
  }
  static constexpr size_t kNpos = static_cast<size_t>(-1);

  // Applies one parsed line while loading (file, include or argv). Returns "" or the error
  // text Redis prints under the offending line.
  static std::string ApplyLoading(Config& c, const std::vector<std::string>& argv) {
    const std::string& name = argv[0];
    std::optional<NameRef> ref = Lookup(name);
    if (!ref) {
      size_t argc = argv.size();
      if ((name == "list-max-ziplist-entries" || name == "list-max-ziplist-value" ||
           name == "lua-replicate-commands") &&
          argc == 2)
        return "";  // deprecated directives Redis 7 still swallows silently
      if ((name == "rename-command" && argc == 3) ||
          ((name == "user" || name == "loadmodule") && argc >= 2)) {
        c.impl_->unimplemented_seen.emplace_back(kNpos, name);
        return "";
      }
      if (name.find('.') != std::string::npos) {
        if (argc != 2) return "Module config specified without value";
        c.impl_->module_configs.push_back(name);
        return "";
      }
      if (name == "sentinel") return "Unrecognized sentinel configuration statement.";
      return "Bad directive or wrong number of arguments";
    }
    const Directive& d = kDirectives[ref->idx];
    if (!(d.flags & kMultiArg) && argv.size() != 2) return "wrong number of arguments";
    std::vector<std::string> args(argv.begin() + 1, argv.end());
    Parsed p;
    std::string err;
    if (!ParseValue(d, args, ValueOf(c, ref->idx), &p, &err)) return err;
    if (d.special == Special::kDir) {
      // As Redis: the process moves into `dir` while loading, so later relative paths
      // (include, logfile) resolve inside it.
      if (chdir(p.text.c_str()) != 0) return strerror(errno);
    }
    if (d.special == Special::kSave) {
      // The first `save` line replaces the default points; further lines add to them.
      if (c.impl_->save_loaded) {
        std::string cur = ValueOf(c, ref->idx);
        if (!cur.empty() && !p.text.empty())
          p.text = absl::StrCat(cur, " ", p.text);
        else if (p.text.empty())
          p.text = cur;
      }
      c.impl_->save_loaded = true;
    }
    Store(c, ref->idx, p, /*side_effects=*/true);
    if (!(d.flags & kImplemented)) c.impl_->unimplemented_seen.emplace_back(ref->idx, name);
    return "";
  }

  // Loads config text whose first line is numbered `first_line`.
  static absl::Status LoadText(Config& c, std::string_view text, int first_line, int depth) {
    std::vector<std::string_view> lines = SplitLines(text);
    for (size_t i = 0; i < lines.size(); ++i) {
      int linenum = first_line + static_cast<int>(i);
      std::string_view line = Trim(lines[i]);
      if (line.empty() || line[0] == '#') continue;
      auto argv = SplitArgs(line);
      if (!argv)
        return absl::InvalidArgumentError(
            FatalAt(linenum, line, "Unbalanced quotes in configuration line"));
      if (argv->empty()) continue;
      (*argv)[0] = absl::AsciiStrToLower((*argv)[0]);
      if ((*argv)[0] == "include" && argv->size() == 2) {
        absl::Status st = LoadInclude(c, (*argv)[1], depth + 1);
        if (!st.ok()) return st;
        continue;
      }
      std::string err = ApplyLoading(c, *argv);
      if (!err.empty()) return absl::InvalidArgumentError(FatalAt(linenum, line, err));
    }
    return absl::OkStatus();
  }

  static absl::Status CantOpen(const std::string& path, int err) {
    return absl::InvalidArgumentError(
        absl::StrCat("Fatal error, can't open config file '", path, "': ", strerror(err)));
  }

  // `include path`: a glob pattern may match nothing (an empty conf.d is fine); a plain path
  // must open.
  static absl::Status LoadInclude(Config& c, const std::string& path, int depth) {
    if (depth > 32)
      return absl::InvalidArgumentError(
          absl::StrCat("Fatal error, include nesting too deep at '", path, "'"));
    std::vector<std::string> files;
    if (path.find_first_of("*?[") != std::string::npos) {
      glob_t g;
      if (glob(path.c_str(), 0, nullptr, &g) == 0) {
        for (size_t i = 0; i < g.gl_pathc; ++i) files.emplace_back(g.gl_pathv[i]);
        globfree(&g);
      }
    } else {
      files.push_back(path);
    }
    for (const std::string& f : files) {
      std::string text;
      int err;
      if (!ReadWholeFile(f, &text, &err)) return CantOpen(f, err);
      absl::Status st = LoadText(c, text, 1, depth);
      if (!st.ok()) return st;
    }
    return absl::OkStatus();
  }

  // Checks Redis makes once the whole configuration is read.
  static absl::Status FinishLoading(Config& c) {
    EmitWarnings(c);
    std::string logfile = c.logfile();
    if (!logfile.empty() && !OpenLogFile(logfile))
      return absl::InvalidArgumentError(
          absl::StrCat(FatalHeader(), "Can't open the log file: ", strerror(errno)));
    if (!c.impl_->module_configs.empty())
      return absl::InvalidArgumentError(
          "Module Configuration detected without loadmodule directive or no ApplyConfig call: "
          "aborting");
    return absl::OkStatus();
  }

  // Turns argv into config lines exactly as Redis's main() does: each --name starts a line,
  // the words after it are quoted onto that line; the word right after a bare --name is
  // always its value (so `--bind --weird` works), and a `--save` with no value means "".
  static std::string ArgsToText(const std::vector<std::string>& args, bool* read_stdin) {
    std::string options;
    bool handled_last = true;
    const size_t n = args.size();
    for (size_t j = 0; j < n; ++j) {
      const std::string& a = args[j];
      if (a == "-" && (j == 0 || j == n - 1)) {
        *read_stdin = true;
      } else if (handled_last && a.size() >= 2 && a[0] == '-' && a[1] == '-') {
        if (!options.empty()) options += '\n';
        options.append(a, 2, std::string::npos);
        options += ' ';
        auto words = SplitArgs(a);
        if (words && words->size() == 1) {
          handled_last = false;
          bool next_is_option = j + 1 < n && args[j + 1].size() >= 2 && args[j + 1][0] == '-' &&
                                args[j + 1][1] == '-';
          if (EqualsNoCase(a, "--save") && (next_is_option || j + 1 == n)) {
            options += "\"\"";
            handled_last = next_is_option;
          }
        } else {
          handled_last = true;
        }
      } else {
        options += Repr(a);
        options += ' ';
        handled_last = true;
      }
    }
    return options;
  }

  struct SetItem {
    std::string given;  // name as the client typed it
    size_t idx;
    bool alias;
    std::string value;
    Parsed parsed;
  };

  static absl::Status SetError(const std::string& name, const std::string& msg) {
    return absl::InvalidArgumentError(
        absl::StrCat("ERR CONFIG SET failed (possibly related to argument '", name, "') - ", msg));
  }

  static absl::Status Set(Config& c, const std::vector<std::pair<std::string, std::string>>& pairs,
                          bool local_client) {
    std::lock_guard wlock(c.impl_->write_mu);
    std::vector<SetItem> items;
    std::string unknown, err, err_name;
    bool invalid = false, has_unknown = false;
    std::string protected_mode = ValueOf(c, Lookup("enable-protected-configs")->idx);
    bool protected_ok = protected_mode == "yes" || (protected_mode == "local" && local_client);
    for (const auto& [name, value] : pairs) {
      std::optional<NameRef> ref = Lookup(name);
      if (!ref) {
        if (!invalid) {
          unknown = name;
          has_unknown = invalid = true;
        }
        continue;
      }
      if (invalid) continue;
      const Directive& d = kDirectives[ref->idx];
      if ((d.flags & kImmutable) || ((d.flags & kProtected) && !protected_ok)) {
        err = (d.flags & kImmutable) ? "can't set immutable config" : "can't set protected config";
        err_name = name;
        invalid = true;
        continue;
      }
      for (const SetItem& it : items) {
        if (it.idx == ref->idx) {
          err = "duplicate parameter";
          err_name = name;
          invalid = true;
        }
      }
      items.push_back(SetItem{name, ref->idx, ref->alias, value, {}});
    }
    if (has_unknown)
      return absl::InvalidArgumentError(absl::StrCat(
          "ERR Unknown option or number of arguments for CONFIG SET - '", unknown, "'"));
    if (invalid) return SetError(err_name, err);

    // Validate everything before changing anything: all or nothing.
    for (SetItem& it : items) {
      const Directive& d = kDirectives[it.idx];
      std::vector<std::string> args =
          (d.flags & kMultiArg) ? SplitSpaces(it.value) : std::vector<std::string>{it.value};
      if (!ParseValue(d, args, ValueOf(c, it.idx), &it.parsed, &err))
        return SetError(it.alias ? d.alias : d.name, err);
    }
    std::vector<std::string> old(items.size());
    for (size_t i = 0; i < items.size(); ++i) old[i] = ValueOf(c, items[i].idx);
    // dir is the one value whose effect can fail at apply time (chdir): do it first, so a
    // failure leaves nothing changed.
    std::string old_cwd;
    for (const SetItem& it : items) {
      if (kDirectives[it.idx].special != Special::kDir) continue;
      old_cwd = Cwd();
      if (chdir(it.parsed.text.c_str()) != 0)
        return SetError(kDirectives[it.idx].name, strerror(errno));
    }
    for (const SetItem& it : items) Store(c, it.idx, it.parsed, /*side_effects=*/true);

    for (const SetItem& it : items) {
      const Directive& d = kDirectives[it.idx];
      if (it.parsed.text == old[&it - items.data()]) continue;
      for (const auto& [hook_name, fn] : c.impl_->hooks) {
        if (hook_name != d.name) continue;
        absl::Status st = fn();
        if (st.ok()) continue;
        Log(LogLevel::kWarning,
            "Failed applying new configuration. Possibly related to new %s setting. Restoring "
            "previous settings.",
            d.name);
        if (!old_cwd.empty() && chdir(old_cwd.c_str()) != 0) {
          // The old directory vanished meanwhile; nothing better to do than stay.
        }
        for (size_t i = 0; i < items.size(); ++i) {
          Parsed back;
          std::string ignored;
          const Directive& bd = kDirectives[items[i].idx];
          std::vector<std::string> args =
              (bd.flags & kMultiArg) ? SplitSpaces(old[i]) : std::vector<std::string>{old[i]};
          if (bd.special == Special::kDir) continue;
          if (ParseValue(bd, args, old[i], &back, &ignored)) Store(c, items[i].idx, back, true);
        }
        return SetError(d.name, std::string(st.message()));
      }
    }
    return absl::OkStatus();
  }

  // --- CONFIG REWRITE ---

  struct RewriteState {
    std::vector<std::string> lines;
    absl::flat_hash_map<std::string, std::vector<size_t>> option_lines;  // option -> line idx
    std::set<std::string> rewritten;
    bool needs_signature = true;
  };

  static constexpr const char* kSignature = "# Generated by CONFIG REWRITE";

  static void RewriteLine(RewriteState& st, const std::string& option, std::string line,
                          bool force) {
    st.rewritten.insert(option);
    auto it = st.option_lines.find(option);
    if (it == st.option_lines.end()) {
      if (!force) return;
      if (st.needs_signature) {
        st.lines.emplace_back(kSignature);
        st.needs_signature = false;
      }
      st.lines.push_back(std::move(line));
      return;
    }
    size_t at = it->second.front();
    it->second.erase(it->second.begin());
    if (it->second.empty()) st.option_lines.erase(it);
    st.lines[at] = std::move(line);
  }

  static void RewriteDirective(RewriteState& st, const Directive& d, const std::string& value,
                               const std::string& cwd) {
    const std::string name = d.name;
    switch (d.kind) {
      case Kind::kBool:
      case Kind::kEnum:
        RewriteLine(st, name, absl::StrCat(name, " ", value), value != d.def);
        return;
      case Kind::kInt: {
        int64_t v = 0, def = 0;
        std::string ignored;
        ParseInteger(d, value, &v, &ignored);
        ParseInteger(d, d.def, &def, &ignored);
        std::string shown;
        if ((d.flags & kPercent) && v < 0)
          shown = absl::StrCat(-v, "%");
        else if (d.flags & kMemory)
          shown = FormatMemory(static_cast<uint64_t>(v));
        else
          shown = FormatInteger(d, v);
        RewriteLine(st, name, absl::StrCat(name, " ", shown), v != def);
        return;
      }
      case Kind::kString:
        if ((d.flags & kNullable) && value.empty()) {
          st.rewritten.insert(name);  // unset: drop its lines so it stays unset on restart
          return;
        }
        RewriteLine(st, name, absl::StrCat(name, " ", Repr(value)), value != d.def);
        return;
      case Kind::kSpecial:
        break;
    }
    switch (d.special) {
      case Special::kNone:
        return;
      case Special::kDir:
        if (cwd.empty()) {
          st.rewritten.insert(name);
          return;
        }
        RewriteLine(st, name, absl::StrCat(name, " ", Repr(cwd)), true);
        return;
      case Special::kSave: {
        std::vector<std::string> w = SplitSpaces(value);
        if (w.empty()) RewriteLine(st, name, "save \"\"", true);
        for (size_t i = 0; i + 1 < w.size(); i += 2)
          RewriteLine(st, name, absl::StrCat("save ", w[i], " ", w[i + 1]), true);
        st.rewritten.insert(name);
        return;
      }
      case Special::kClientOutputBufferLimit: {
        ObufLimit cur[3], def[3];
        if (!ParseObufText(value, cur)) return;
        ParseObufText(d.def, def);
        for (int k = 0; k < 3; ++k) {
          bool force = cur[k].hard != def[k].hard || cur[k].soft != def[k].soft ||
                       cur[k].seconds != def[k].seconds;
          const char* cls = k == 1 ? "replica" : kObufClasses[k];
          RewriteLine(st, name,
                      absl::StrCat(name, " ", cls, " ", FormatMemory(cur[k].hard), " ",
                                   FormatMemory(cur[k].soft), " ", cur[k].seconds),
                      force);
        }
        return;
      }
      case Special::kOomScoreAdjValues:
        RewriteLine(st, name, absl::StrCat(name, " ", value), value != d.def);
        return;
      case Special::kNotifyKeyspaceEvents:
        RewriteLine(st, name, absl::StrCat(name, " ", Repr(value)), !value.empty());
        return;
      case Special::kBind:
        if (value == d.def) {
          st.rewritten.insert(name);
          return;
        }
        RewriteLine(st, name, absl::StrCat(name, " ", value.empty() ? "\"\"" : value), true);
        return;
      case Special::kReplicaOf:
        if (value.empty()) {
          st.rewritten.insert(name);
          return;
        }
        RewriteLine(st, name, absl::StrCat(name, " ", value), true);
        return;
      case Special::kLatencyPercentiles:
        RewriteLine(st, name, absl::StrCat(name, " ", value.empty() ? "\"\"" : value), true);
        return;
      case Special::kShutdownOnSig:
        RewriteLine(st, name, absl::StrCat(name, " ", value), value != d.def);
        return;
    }
  }

  // Writes `content` over `path` atomically: a temporary file beside it, fsync, rename.
  static bool OverwriteFile(const std::string& path, const std::string& content, mode_t umask) {
    std::string tmp = path + ".XXXXXX";
    int fd = mkostemp(tmp.data(), O_CLOEXEC);
    if (fd < 0) return false;
    size_t off = 0;
    bool ok = true;
    while (off < content.size()) {
      ssize_t w = write(fd, content.data() + off, content.size() - off);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) {
        ok = false;
        break;
      }
      off += static_cast<size_t>(w);
    }
    if (ok)
      ok = fsync(fd) == 0 && fchmod(fd, 0644 & ~umask) == 0 &&
           rename(tmp.c_str(), path.c_str()) == 0;
    int saved = errno;
    close(fd);
    if (!ok) unlink(tmp.c_str());
    errno = saved;
    return ok;
  }

  static absl::Status Rewrite(const Config& c) {
    std::lock_guard wlock(c.impl_->write_mu);
    const std::string& path = c.impl_->file;
    if (path.empty())
      return absl::FailedPreconditionError("ERR The server is running without a config file");
    auto fail = [](int err) {
      Log(LogLevel::kWarning, "CONFIG REWRITE failed: %s", strerror(err));
      return absl::InternalError(absl::StrCat("ERR Rewriting config file: ", strerror(err)));
    };

    RewriteState st;
    std::string old;
    int err = 0;
    if (!ReadWholeFile(path, &old, &err) && err != ENOENT) return fail(err);
    for (std::string_view raw : SplitLines(old)) {
      std::string line(Trim(raw));
      if (line.empty() || line[0] == '#') {
        if (line == kSignature) st.needs_signature = false;
        st.lines.push_back(std::move(line));
        continue;
      }
      auto argv = SplitArgs(line);
      if (!argv || argv->empty()) {
        st.lines.push_back("# ??? " + line);
        continue;
      }
      std::string option = absl::AsciiStrToLower((*argv)[0]);
      // Old "slave" spellings and aliases count as their directive, so they get replaced.
      size_t slave = option.find("slave");
      if (slave != std::string::npos) option.replace(slave, 5, "replica");
      if (auto ref = Lookup(option)) option = kDirectives[ref->idx].name;
      st.option_lines[option].push_back(st.lines.size());
      st.lines.push_back(std::move(line));
    }

    std::string cwd = Cwd();
    for (size_t i = 0; i < kNumDirectives; ++i)
      RewriteDirective(st, kDirectives[i], ValueOf(c, i), cwd);

    // Lines of rewritten directives that no longer have a value (an extra `save`, a
    // duplicate) are blanked; lines of directives we do not rewrite stay as they were.
    for (auto& [option, idxs] : st.option_lines) {
      if (!st.rewritten.count(option)) continue;
      for (size_t at : idxs) st.lines[at].clear();
    }

    std::string content;
    bool was_empty = false;
    for (const std::string& l : st.lines) {
      if (l.empty()) {
        if (was_empty) continue;  // runs of blank lines collapse to one
        was_empty = true;
      } else {
        was_empty = false;
      }
      content += l;
      content += '\n';
    }
    if (!OverwriteFile(path, content, c.impl_->umask)) return fail(errno);
    Log(LogLevel::kWarning, "CONFIG REWRITE executed with success.");
    return absl::OkStatus();
  }
};

Config::Config() : impl_(new Impl) {
  impl_->values.reserve(kNumDirectives);
  for (size_t i = 0; i < kNumDirectives; ++i) impl_->values.emplace_back(kDirectives[i].def);
  // The process umask, read once while still single-threaded, for the rewritten file's mode.
  mode_t m = ::umask(0);
  ::umask(m);
  impl_->umask = m;
}

Config::~Config() { delete impl_; }

absl::Status Config::LoadFile(const std::string& path) {
  std::lock_guard wlock(impl_->write_mu);
  std::string abs = path;
  if (!abs.empty() && abs[0] != '/') abs = Cwd() + "/" + abs;
  std::string text;
  int err;
  if (!ReadWholeFile(abs, &text, &err)) return ConfigTable::CantOpen(abs, err);
  // Reading from stdin ("-") leaves the server without a file to rewrite, as in Redis.
  if (abs != "/dev/stdin") impl_->file = abs;
  impl_->file_newlines += static_cast<int>(std::count(text.begin(), text.end(), '\n'));
  absl::Status st = ConfigTable::LoadText(*this, text, 1, 0);
  if (!st.ok()) return st;
  return ConfigTable::FinishLoading(*this);
}

absl::Status Config::ApplyArgs(const std::vector<std::string>& args) {
  std::lock_guard wlock(impl_->write_mu);
  bool read_stdin = false;
  std::string options = ConfigTable::ArgsToText(args, &read_stdin);
  if (read_stdin) {
    std::string text;
    int err;
    if (!ReadWholeFile("/dev/stdin", &text, &err)) return ConfigTable::CantOpen("/dev/stdin", err);
    absl::Status st = ConfigTable::LoadText(*this, text, impl_->file_newlines + 2, 0);
    if (!st.ok()) return st;
    impl_->file_newlines += 1 + static_cast<int>(std::count(text.begin(), text.end(), '\n'));
  }
  // Redis appends the argv lines after the file's text and a newline, so they are numbered
  // from the file's last line + 2.
  absl::Status st = ConfigTable::LoadText(*this, options, impl_->file_newlines + 2, 0);
  if (!st.ok()) return st;
  return ConfigTable::FinishLoading(*this);
}

absl::Status Config::Apply(const std::string& name, const std::vector<std::string>& args,
                           bool startup) {
  if (!startup) {
    std::string value = absl::StrJoin(args, " ");
    absl::Status st = ConfigTable::Set(*this, {{name, value}}, /*local_client=*/true);
    return st;
  }
  std::lock_guard wlock(impl_->write_mu);
  std::vector<std::string> argv;
  argv.push_back(absl::AsciiStrToLower(name));
  argv.insert(argv.end(), args.begin(), args.end());
  if (argv[0] == "include" && args.size() == 1) return ConfigTable::LoadInclude(*this, args[0], 1);
  std::string err = ConfigTable::ApplyLoading(*this, argv);
  ConfigTable::EmitWarnings(*this);
  if (!err.empty()) return absl::InvalidArgumentError(err);
  return absl::OkStatus();
}

absl::Status Config::Set(const std::vector<std::pair<std::string, std::string>>& pairs) {
  return ConfigTable::Set(*this, pairs, /*local_client=*/false);
}

absl::Status Config::Set(const std::vector<std::pair<std::string, std::string>>& pairs,
                         bool local_client) {
  return ConfigTable::Set(*this, pairs, local_client);
}

std::vector<std::pair<std::string, std::string>> Config::Get(
    const std::vector<std::string>& patterns) const {
  std::vector<std::pair<std::string, std::string>> out;
  std::set<std::string> seen;  // lower-case names already in the reply
  for (const std::string& pattern : patterns) {
    if (pattern.find_first_of("[*?") == std::string::npos) {
      // An exact name, hidden ones included, is answered under the name as given.
      std::optional<NameRef> ref = Lookup(pattern);
      if (!ref || !seen.insert(absl::AsciiStrToLower(pattern)).second) continue;
      out.emplace_back(pattern, ConfigTable::ValueOf(*this, ref->idx));
      continue;
    }
    for (size_t i = 0; i < kNumDirectives; ++i) {
      const Directive& d = kDirectives[i];
      if (d.flags & kHidden) continue;
      for (const char* name : {d.name, d.alias}) {
        if (!name || !StringMatch(pattern, name, /*nocase=*/true)) continue;
        if (!seen.insert(name).second) continue;
        out.emplace_back(name, ConfigTable::ValueOf(*this, i));
      }
    }
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> Config::Entries() const {
  std::vector<std::pair<std::string, std::string>> out;
  for (size_t i = 0; i < kNumDirectives; ++i) {
    if (kDirectives[i].flags & kHidden) continue;
    out.emplace_back(kDirectives[i].name, ConfigTable::ValueOf(*this, i));
  }
  return out;
}

std::optional<std::string> Config::GetValue(std::string_view name) const {
  std::optional<NameRef> ref = Lookup(name);
  if (!ref) return std::nullopt;
  return ConfigTable::ValueOf(*this, ref->idx);
}

void Config::OnSet(const std::string& name, std::function<absl::Status()> apply) {
  std::lock_guard wlock(impl_->write_mu);
  std::optional<NameRef> ref = Lookup(name);
  impl_->hooks.emplace_back(ref ? kDirectives[ref->idx].name : name, std::move(apply));
}

absl::Status Config::Rewrite() const { return ConfigTable::Rewrite(*this); }

std::string Config::config_file() const {
  std::lock_guard lock(impl_->mu);
  return impl_->file;
}

std::vector<std::string> Config::TakeWarnings() {
  std::lock_guard wlock(impl_->write_mu);
  std::vector<std::string> out;
  out.swap(impl_->warnings);
  return out;
}

// The getters run on hot paths (requirepass on every command of an unauthenticated
// client): their table positions are looked up once.
std::string Config::bind() const {
  static const size_t idx = Lookup("bind")->idx;
  return ConfigTable::ValueOf(*this, idx);
}
std::string Config::dir() const { return Cwd(); }
std::string Config::logfile() const {
  static const size_t idx = Lookup("logfile")->idx;
  return ConfigTable::ValueOf(*this, idx);
}
std::string Config::pidfile() const {
  static const size_t idx = Lookup("pidfile")->idx;
  return ConfigTable::ValueOf(*this, idx);
}
std::string Config::requirepass() const {
  static const size_t idx = Lookup("requirepass")->idx;
  return ConfigTable::ValueOf(*this, idx);
}

}  // namespace kevy
