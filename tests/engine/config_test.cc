// Unit tests for engine/config: defaults against redis-server 7.0.15's CONFIG GET *, redis.conf
// and argv parsing (quotes, comments, include, save accumulation, line numbers of errors),
// Redis's error texts, CONFIG GET globs, CONFIG SET atomicity / immutables / protected
// configs, memory units, and a CONFIG REWRITE round trip through a temporary file.
#include "engine/config.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "engine/log.h"

namespace kevy {
namespace {

namespace fs = std::filesystem;
using Pairs = std::vector<std::pair<std::string, std::string>>;

// redis-server 7.0.15's `CONFIG GET *` on a fresh server (port and save at their defaults,
// dir left out: it is the working directory). enable-debug-command shows Redis's upstream
// default "no" (Debian's build answers "yes").
const std::pair<const char*, const char*> kRedisDefaults[] = {
    {"acl-pubsub-default", "resetchannels"},
    {"aclfile", ""},
    {"acllog-max-len", "128"},
    {"active-defrag-cycle-max", "25"},
    {"active-defrag-cycle-min", "1"},
    {"active-defrag-ignore-bytes", "104857600"},
    {"active-defrag-max-scan-fields", "1000"},
    {"active-defrag-threshold-lower", "10"},
    {"active-defrag-threshold-upper", "100"},
    {"active-expire-effort", "1"},
    {"activedefrag", "no"},
    {"activerehashing", "yes"},
    {"always-show-logo", "no"},
    {"aof-disable-auto-gc", "no"},
    {"aof-load-truncated", "yes"},
    {"aof-rewrite-incremental-fsync", "yes"},
    {"aof-timestamp-enabled", "no"},
    {"aof-use-rdb-preamble", "yes"},
    {"aof_rewrite_cpulist", ""},
    {"appenddirname", "appendonlydir"},
    {"appendfilename", "appendonly.aof"},
    {"appendfsync", "everysec"},
    {"appendonly", "no"},
    {"auto-aof-rewrite-min-size", "67108864"},
    {"auto-aof-rewrite-percentage", "100"},
    {"bgsave_cpulist", ""},
    {"bind", "* -::*"},
    {"bind-source-addr", ""},
    {"bio_cpulist", ""},
    {"busy-reply-threshold", "5000"},
    {"client-output-buffer-limit",
     "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"},
    {"client-query-buffer-limit", "1073741824"},
    {"cluster-allow-pubsubshard-when-down", "yes"},
    {"cluster-allow-reads-when-down", "no"},
    {"cluster-allow-replica-migration", "yes"},
    {"cluster-announce-bus-port", "0"},
    {"cluster-announce-hostname", ""},
    {"cluster-announce-ip", ""},
    {"cluster-announce-port", "0"},
    {"cluster-announce-tls-port", "0"},
    {"cluster-config-file", "nodes.conf"},
    {"cluster-enabled", "no"},
    {"cluster-link-sendbuf-limit", "0"},
    {"cluster-migration-barrier", "1"},
    {"cluster-node-timeout", "15000"},
    {"cluster-port", "0"},
    {"cluster-preferred-endpoint-type", "ip"},
    {"cluster-replica-no-failover", "no"},
    {"cluster-replica-validity-factor", "10"},
    {"cluster-require-full-coverage", "yes"},
    {"cluster-slave-no-failover", "no"},
    {"cluster-slave-validity-factor", "10"},
    {"crash-log-enabled", "yes"},
    {"crash-memcheck-enabled", "yes"},
    {"daemonize", "no"},
    {"databases", "16"},
    {"dbfilename", "dump.rdb"},
    {"disable-thp", "yes"},
    {"dynamic-hz", "yes"},
    {"enable-debug-command", "no"},
    {"enable-module-command", "no"},
    {"enable-protected-configs", "no"},
    {"hash-max-listpack-entries", "512"},
    {"hash-max-listpack-value", "64"},
    {"hash-max-ziplist-entries", "512"},
    {"hash-max-ziplist-value", "64"},
    {"hll-sparse-max-bytes", "3000"},
    {"hz", "10"},
    {"ignore-warnings", ""},
    {"io-threads", "1"},
    {"io-threads-do-reads", "no"},
    {"jemalloc-bg-thread", "yes"},
    {"latency-monitor-threshold", "0"},
    {"latency-tracking", "yes"},
    {"latency-tracking-info-percentiles", "50 99 99.9"},
    {"lazyfree-lazy-eviction", "no"},
    {"lazyfree-lazy-expire", "no"},
    {"lazyfree-lazy-server-del", "no"},
    {"lazyfree-lazy-user-del", "no"},
    {"lazyfree-lazy-user-flush", "no"},
    {"lfu-decay-time", "1"},
    {"lfu-log-factor", "10"},
    {"list-compress-depth", "0"},
    {"list-max-listpack-size", "-2"},
    {"list-max-ziplist-size", "-2"},
    {"logfile", ""},
    {"loglevel", "notice"},
    {"lua-time-limit", "5000"},
    {"masterauth", ""},
    {"masteruser", ""},
    {"maxclients", "10000"},
    {"maxmemory", "0"},
    {"maxmemory-clients", "0"},
    {"maxmemory-eviction-tenacity", "10"},
    {"maxmemory-policy", "noeviction"},
    {"maxmemory-samples", "5"},
    {"min-replicas-max-lag", "10"},
    {"min-replicas-to-write", "0"},
    {"min-slaves-max-lag", "10"},
    {"min-slaves-to-write", "0"},
    {"no-appendfsync-on-rewrite", "no"},
    {"notify-keyspace-events", ""},
    {"oom-score-adj", "no"},
    {"oom-score-adj-values", "0 200 800"},
    {"pidfile", ""},
    {"port", "6379"},
    {"proc-title-template", "{title} {listen-addr} {server-mode}"},
    {"propagation-error-behavior", "ignore"},
    {"protected-mode", "yes"},
    {"proto-max-bulk-len", "536870912"},
    {"rdb-del-sync-files", "no"},
    {"rdb-save-incremental-fsync", "yes"},
    {"rdbchecksum", "yes"},
    {"rdbcompression", "yes"},
    {"repl-backlog-size", "1048576"},
    {"repl-backlog-ttl", "3600"},
    {"repl-disable-tcp-nodelay", "no"},
    {"repl-diskless-load", "disabled"},
    {"repl-diskless-sync", "yes"},
    {"repl-diskless-sync-delay", "5"},
    {"repl-diskless-sync-max-replicas", "0"},
    {"repl-ping-replica-period", "10"},
    {"repl-ping-slave-period", "10"},
    {"repl-timeout", "60"},
    {"replica-announce-ip", ""},
    {"replica-announce-port", "0"},
    {"replica-announced", "yes"},
    {"replica-ignore-disk-write-errors", "no"},
    {"replica-ignore-maxmemory", "yes"},
    {"replica-lazy-flush", "no"},
    {"replica-priority", "100"},
    {"replica-read-only", "yes"},
    {"replica-serve-stale-data", "yes"},
    {"replicaof", ""},
    {"requirepass", ""},
    {"sanitize-dump-payload", "no"},
    {"save", "3600 1 300 100 60 10000"},
    {"server_cpulist", ""},
    {"set-max-intset-entries", "512"},
    {"set-proc-title", "yes"},
    {"shutdown-on-sigint", "default"},
    {"shutdown-on-sigterm", "default"},
    {"shutdown-timeout", "10"},
    {"slave-announce-ip", ""},
    {"slave-announce-port", "0"},
    {"slave-ignore-maxmemory", "yes"},
    {"slave-lazy-flush", "no"},
    {"slave-priority", "100"},
    {"slave-read-only", "yes"},
    {"slave-serve-stale-data", "yes"},
    {"slaveof", ""},
    {"slowlog-log-slower-than", "10000"},
    {"slowlog-max-len", "128"},
    {"socket-mark-id", "0"},
    {"stop-writes-on-bgsave-error", "yes"},
    {"stream-node-max-bytes", "4096"},
    {"stream-node-max-entries", "100"},
    {"supervised", "no"},
    {"syslog-enabled", "no"},
    {"syslog-facility", "local0"},
    {"syslog-ident", "redis"},
    {"tcp-backlog", "511"},
    {"tcp-keepalive", "300"},
    {"timeout", "0"},
    {"tls-auth-clients", "yes"},
    {"tls-ca-cert-dir", ""},
    {"tls-ca-cert-file", ""},
    {"tls-cert-file", ""},
    {"tls-ciphers", ""},
    {"tls-ciphersuites", ""},
    {"tls-client-cert-file", ""},
    {"tls-client-key-file", ""},
    {"tls-client-key-file-pass", ""},
    {"tls-cluster", "no"},
    {"tls-dh-params-file", ""},
    {"tls-key-file", ""},
    {"tls-key-file-pass", ""},
    {"tls-port", "0"},
    {"tls-prefer-server-ciphers", "no"},
    {"tls-protocols", ""},
    {"tls-replication", "no"},
    {"tls-session-cache-size", "20480"},
    {"tls-session-cache-timeout", "300"},
    {"tls-session-caching", "yes"},
    {"tracking-table-max-keys", "1000000"},
    {"unixsocket", ""},
    {"unixsocketperm", "0"},
    {"zset-max-listpack-entries", "128"},
    {"zset-max-listpack-value", "64"},
    {"zset-max-ziplist-entries", "128"},
    {"zset-max-ziplist-value", "64"},
};

// A scratch directory removed at the end of the test; also restores the working directory,
// which `dir` changes.
class TempDir {
 public:
  TempDir() : cwd_(fs::current_path()) {
    char tmpl[] = "/tmp/kevy-config-test-XXXXXX";
    REQUIRE(mkdtemp(tmpl) != nullptr);
    path_ = tmpl;
  }
  ~TempDir() {
    fs::current_path(cwd_);
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  std::string Write(const std::string& name, const std::string& text) const {
    std::string p = path_ + "/" + name;
    std::ofstream(p, std::ios::binary) << text;
    return p;
  }
  std::string Read(const std::string& name) const {
    std::ifstream in(path_ + "/" + name, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  const std::string& path() const { return path_; }

 private:
  fs::path cwd_;
  std::string path_;
};

std::string Value(const Config& c, const std::string& name) {
  auto v = c.GetValue(name);
  REQUIRE(v.has_value());
  return *v;
}

std::string Msg(const absl::Status& st) { return std::string(st.message()); }

std::string Fatal(int line, const std::string& text, const std::string& err) {
  return "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at "
         "line " +
         std::to_string(line) + "\n>>> '" + text + "'\n" + err;
}

std::string SetFailed(const std::string& name, const std::string& err) {
  return "ERR CONFIG SET failed (possibly related to argument '" + name + "') - " + err;
}

// The engine's log is global: keep these tests quiet and put the level back afterwards.
struct QuietLog {
  QuietLog() { OpenLogFile("/dev/null"); }
  ~QuietLog() {
    SetLogLevel(2);
    OpenLogFile("");
  }
};

TEST_CASE("config: defaults match redis-server 7.0.15 and the typed fields", "[config]") {
  Config c;
  std::map<std::string, std::string> all;
  for (auto& [k, v] : c.Get({"*"})) all[k] = v;
  std::set<std::string> expected_names = {"dir", "shards"};
  for (auto [name, value] : kRedisDefaults) {
    INFO(name);
    expected_names.insert(name);
    REQUIRE(all.count(name) == 1);
    CHECK(all[name] == value);
  }
  std::set<std::string> got_names;
  for (auto& [k, v] : all) got_names.insert(k);
  CHECK(got_names == expected_names);
  CHECK(all["dir"] == fs::current_path().string());
  CHECK(all["shards"] == "0");

  CHECK(c.port.load() == 6379);
  CHECK(c.databases.load() == 16);
  CHECK(c.hz.load() == 10);
  CHECK(c.maxclients.load() == 10000);
  CHECK(c.timeout.load() == 0);
  CHECK(c.tcp_keepalive.load() == 300);
  CHECK(c.tcp_backlog.load() == 511);
  CHECK(c.protected_mode.load());
  CHECK_FALSE(c.daemonize.load());
  CHECK(c.shards.load() == 0);
  CHECK(c.proto_max_bulk_len.load() == 512LL * 1024 * 1024);
  CHECK(c.client_query_buffer_limit.load() == 1024LL * 1024 * 1024);
  CHECK(c.loglevel.load() == 2);
  CHECK(c.active_expire_effort.load() == 1);
  CHECK_FALSE(c.lazyfree_lazy_user_flush.load());
  CHECK(c.maxmemory.load() == 0);
  CHECK(c.bind() == "* -::*");
  CHECK(c.logfile().empty());
  CHECK(c.pidfile().empty());
  CHECK(c.requirepass().empty());
  CHECK(c.config_file().empty());
  CHECK(c.TakeWarnings().empty());

  // Entries(): primary names only, no hidden ones.
  std::set<std::string> entry_names;
  for (auto& [k, v] : c.Entries()) entry_names.insert(k);
  CHECK(entry_names.count("hash-max-listpack-entries") == 1);
  CHECK(entry_names.count("hash-max-ziplist-entries") == 0);
  CHECK(entry_names.count("watchdog-period") == 0);
  CHECK(entry_names.count("shards") == 1);
}

TEST_CASE("config: redis.conf parsing with quotes, comments, include and units", "[config]") {
  QuietLog quiet;
  TempDir tmp;
  tmp.Write("inc1.conf", "maxclients 500\n");
  std::string conf =
      "# a comment\n"
      "\n"
      "   # indented comment\n"
      "PORT 7000\r\n"
      "  bind 127.0.0.1 \"::1\"  \n"
      "requirepass \"p w\\x41\\n\"\n"
      "pidfile '/tmp/it\\'s.pid'\n"
      "maxmemory 1gb\n"
      "proto-max-bulk-len 2MB\n"
      "client-query-buffer-limit 1048576\n"
      "save 900 1\n"
      "save 300 10 60 10000\n"
      "hz 1000\n"
      "active-expire-effort 7\n"
      "protected-mode no\n"
      "lazyfree-lazy-user-flush YES\n"
      "loglevel warning\n"
      "timeout 30\n"
      "tcp-keepalive 60\n"
      "databases 4\n"
      "shards 3\n"
      "include " +
      tmp.path() +
      "/inc1.conf\n"
      "include " +
      tmp.path() + "/conf.d/*.conf\n";  // a glob matching nothing is fine
  std::string path = tmp.Write("redis.conf", conf);
  Config c;
  REQUIRE(c.LoadFile(path).ok());
  CHECK(c.config_file() == path);
  CHECK(c.port.load() == 7000);
  CHECK(c.bind() == "127.0.0.1 ::1");
  CHECK(c.requirepass() == "p wA\n");
  CHECK(c.pidfile() == "/tmp/it's.pid");
  CHECK(c.maxmemory.load() == 1073741824);
  CHECK(Value(c, "maxmemory") == "1073741824");
  CHECK(c.proto_max_bulk_len.load() == 2 * 1024 * 1024);
  CHECK(c.client_query_buffer_limit.load() == 1048576);
  CHECK(Value(c, "save") == "900 1 300 10 60 10000");  // first line replaced the default
  CHECK(c.hz.load() == 500);                           // capped, as Redis does
  CHECK(Value(c, "hz") == "500");
  CHECK(c.active_expire_effort.load() == 7);
  CHECK_FALSE(c.protected_mode.load());
  CHECK(c.lazyfree_lazy_user_flush.load());
  CHECK(c.loglevel.load() == 3);
  CHECK(Value(c, "loglevel") == "warning");
  CHECK(c.timeout.load() == 30);
  CHECK(c.tcp_keepalive.load() == 60);
  CHECK(c.databases.load() == 4);
  CHECK(c.shards.load() == 3);
  CHECK(c.maxclients.load() == 500);  // from the include
  // Everything above is implemented.
  CHECK(c.TakeWarnings().empty());
}

TEST_CASE("config: memory units", "[config]") {
  struct Case {
    const char* in;
    const char* out;
  };
  const Case cases[] = {
      {"1", "1"},
      {"1b", "1"},
      {"1k", "1000"},
      {"1K", "1000"},
      {"1kb", "1024"},
      {"1kB", "1024"},
      {"1m", "1000000"},
      {"1mb", "1048576"},
      {"1Mb", "1048576"},
      {"1g", "1000000000"},
      {"1gb", "1073741824"},
      {"3GB", "3221225472"},
      {"01mb", "1048576"},
      {"", "0"},
      {"gb", "0"},
      {"18446744073709551615", "18446744073709551615"},
      {"18446744073709551616", "18446744073709551615"},  // saturates, as Redis 7.0
  };
  for (const Case& k : cases) {
    INFO(k.in);
    Config c;
    REQUIRE(c.Set({{"maxmemory", k.in}}).ok());
    CHECK(Value(c, "maxmemory") == k.out);
  }
  for (const char* bad : {" 1gb", "+1gb", "1 gb", "1.5gb", "1t", "0x10", "-1", "-0"}) {
    INFO(bad);
    Config c;
    CHECK(Msg(c.Set({{"maxmemory", bad}})) ==
          SetFailed("maxmemory", "argument must be a memory value"));
  }
  Config c;
  REQUIRE(c.Set({{"maxmemory", "100mb"}}).ok());
  CHECK(c.maxmemory.load() == 100LL * 1024 * 1024);
  // Memory-typed limits still obey their bounds.
  CHECK(Msg(c.Set({{"proto-max-bulk-len", "1000"}})) ==
        SetFailed("proto-max-bulk-len",
                  "argument must be between 1048576 and 9223372036854775807 inclusive"));
  CHECK(Msg(c.Set({{"proto-max-bulk-len", "99999999999999999999"}})) ==
        SetFailed("proto-max-bulk-len",
                  "argument must be between 1048576 and 9223372036854775807 inclusive"));
  // Percent values, stored and shown as Redis does.
  REQUIRE(c.Set({{"maxmemory-clients", "10%"}}).ok());
  CHECK(Value(c, "maxmemory-clients") == "10%");
  CHECK(Msg(c.Set({{"maxmemory-clients", "101%"}})) ==
        SetFailed("maxmemory-clients", "percentage argument must be less or equal to 100"));
  CHECK(Msg(c.Set({{"maxmemory-clients", "x"}})) ==
        SetFailed("maxmemory-clients", "argument must be a memory or percent value"));
}

TEST_CASE("config: command-line arguments as redis-server's main() reads them", "[config]") {
  QuietLog quiet;
  {
    Config c;
    REQUIRE(c.ApplyArgs({"--port", "7001", "--save", "", "--bind", "127.0.0.1", "::1",
                         "--maxmemory", "512mb"})
                .ok());
    CHECK(c.port.load() == 7001);
    CHECK(Value(c, "save").empty());
    CHECK(c.bind() == "127.0.0.1 ::1");
    CHECK(c.maxmemory.load() == 512LL * 1024 * 1024);
  }
  {
    // `--save` followed by another option (or last) means `save ""`; "--port 7002" as one
    // word is split; repeated --save lines accumulate after the first.
    Config c;
    REQUIRE(c.ApplyArgs({"--save", "--port 7002"}).ok());
    CHECK(Value(c, "save").empty());
    CHECK(c.port.load() == 7002);
    Config d;
    REQUIRE(d.ApplyArgs({"--save", "100", "1", "--save", "200", "2"}).ok());
    CHECK(Value(d, "save") == "100 1 200 2");
    Config e;
    REQUIRE(e.ApplyArgs({"--hz", "20", "--save"}).ok());
    CHECK(Value(e, "save").empty());
    CHECK(e.hz.load() == 20);
  }
  {
    // The word right after a bare --name is always a value, even if it starts with "--".
    Config c;
    absl::Status st = c.ApplyArgs({"--requirepass", "--x", "--port", "7003"});
    REQUIRE(st.ok());
    CHECK(c.requirepass() == "--x");
    CHECK(c.port.load() == 7003);
  }
  {
    // Values are quoted onto the line, so spaces and quotes survive.
    Config c;
    REQUIRE(c.ApplyArgs({"--requirepass", "a \"b\" 'c'"}).ok());
    CHECK(c.requirepass() == "a \"b\" 'c'");
  }
  {
    // Errors: argv lines come after the (absent) file and an empty line, so the first is 2.
    Config c;
    CHECK(Msg(c.ApplyArgs({"--port", "abc"})) ==
          Fatal(2, "port \"abc\"", "argument couldn't be parsed into an integer"));
    Config d;
    CHECK(Msg(d.ApplyArgs({"--port", "7000", "--hz", "5", "--foo", "bar"})) ==
          Fatal(4, "foo \"bar\"", "Bad directive or wrong number of arguments"));
    Config e;
    CHECK(Msg(e.ApplyArgs({"--port", "7393", "--foo"})) ==
          Fatal(3, "foo", "Bad directive or wrong number of arguments"));
    Config f;
    CHECK(Msg(f.ApplyArgs({"--port", "7393", "a", "b"})) ==
          Fatal(2, "port \"7393\" \"a\" \"b\"", "wrong number of arguments"));
    Config g;
    CHECK(Msg(g.ApplyArgs({"--save", "10"})) == Fatal(2, "save \"10\"", "Invalid save parameters"));
  }
  {
    // After a file, argv lines are numbered from the file's last line + 2.
    TempDir tmp;
    Config c;
    REQUIRE(c.LoadFile(tmp.Write("a.conf", "port 7000\nhz 5\n# c\n")).ok());
    CHECK(Msg(c.ApplyArgs({"--loglevel", "loud"})) ==
          Fatal(5, "loglevel \"loud\"",
                "argument(s) must be one of the following: debug, verbose, notice, warning, "
                "nothing"));
    Config d;
    REQUIRE(d.LoadFile(tmp.Write("b.conf", "port 7000")).ok());  // no final newline
    CHECK(Msg(d.ApplyArgs({"--foo"})) ==
          Fatal(2, "foo", "Bad directive or wrong number of arguments"));
  }
}

TEST_CASE("config: fatal errors carry Redis's texts", "[config]") {
  QuietLog quiet;
  TempDir tmp;
  auto load = [&](const std::string& text) {
    Config c;
    return Msg(c.LoadFile(tmp.Write("e.conf", text)));
  };
  CHECK(load("port 7000\nfoo bar\n") ==
        Fatal(2, "foo bar", "Bad directive or wrong number of arguments"));
  CHECK(load("daemonize maybe\n") == Fatal(1, "daemonize maybe", "argument must be 'yes' or 'no'"));
  CHECK(load("port 99999\n") ==
        Fatal(1, "port 99999", "argument must be between 0 and 65535 inclusive"));
  CHECK(load("port 05\n") == Fatal(1, "port 05", "argument couldn't be parsed into an integer"));
  CHECK(load("port +5\n") == Fatal(1, "port +5", "argument couldn't be parsed into an integer"));
  CHECK(load("active-expire-effort 11\n") ==
        Fatal(1, "active-expire-effort 11", "argument must be between 1 and 10 inclusive"));
  CHECK(load("databases 0\n") ==
        Fatal(1, "databases 0", "argument must be between 1 and 2147483647 inclusive"));
  CHECK(load("maxclients 0\n") ==
        Fatal(1, "maxclients 0", "argument must be between 1 and 4294967295 inclusive"));
  CHECK(load("appendfsync sometimes\n") ==
        Fatal(1, "appendfsync sometimes",
              "argument(s) must be one of the following: everysec, always, no"));
  CHECK(load("maxmemory 1zb\n") == Fatal(1, "maxmemory 1zb", "argument must be a memory value"));
  CHECK(load("port 1 2\n") == Fatal(1, "port 1 2", "wrong number of arguments"));
  CHECK(load("   loglevel   x   \r\n") ==
        Fatal(1, "loglevel   x",
              "argument(s) must be one of the following: debug, verbose, notice, warning, "
              "nothing"));
  CHECK(load("port 7000\nloglevel \"x\n") ==
        Fatal(2, "loglevel \"x", "Unbalanced quotes in configuration line"));
  CHECK(load("requirepass \"a\"b\n") ==
        Fatal(1, "requirepass \"a\"b", "Unbalanced quotes in configuration line"));
  CHECK(load("slaveof a\n") == Fatal(1, "slaveof a", "wrong number of arguments"));
  CHECK(load("user\n") == Fatal(1, "user", "Bad directive or wrong number of arguments"));
  CHECK(load("dir /nonexistent-kevy-dir\n") ==
        Fatal(1, "dir /nonexistent-kevy-dir", "No such file or directory"));
  CHECK(load("logfile /nonexistent-kevy-dir/x.log\n") ==
        "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nCan't open the log file: No such file "
        "or directory");
  CHECK(load("include /nonexistent-kevy-dir/x.conf\n") ==
        "Fatal error, can't open config file '/nonexistent-kevy-dir/x.conf': No such file or "
        "directory");
  // An error inside an included file names the line of that file.
  tmp.Write("bad-inc.conf", "hz 5\nhz x\n");
  CHECK(load("port 1\ninclude " + tmp.path() + "/bad-inc.conf\n") ==
        Fatal(2, "hz x", "argument couldn't be parsed into an integer"));
  Config c;
  CHECK(Msg(c.LoadFile(tmp.path() + "/missing.conf")) ==
        "Fatal error, can't open config file '" + tmp.path() +
            "/missing.conf': No such file or directory");
}

TEST_CASE("config: directives kevy does not implement are kept, with a warning", "[config]") {
  QuietLog quiet;
  TempDir tmp;
  Config c;
  REQUIRE(c.LoadFile(tmp.Write("w.conf",
                               "appendonly yes\n"
                               "appendfsync everysec\n"  // the default: nothing to warn about
                               "hash-max-ziplist-entries 100\n"
                               "slaveof 10.0.0.1 6380\n"
                               "rename-command KEYS \"\"\n"
                               "list-max-ziplist-entries 5\n"  // deprecated: silently accepted
                               "appendonly yes\n"))
              .ok());
  std::vector<std::string> w = c.TakeWarnings();
  std::vector<std::string> expected = {
      "directive 'slaveof' is not implemented by kevy yet; ignored",
      "directive 'rename-command' is not implemented by kevy yet; ignored",
  };
  CHECK(w == expected);
  CHECK(c.TakeWarnings().empty());
  CHECK(Value(c, "appendonly") == "yes");
  CHECK(Value(c, "hash-max-listpack-entries") == "100");  // alias stored under its directive
  CHECK(Value(c, "hash-max-ziplist-entries") == "100");
  CHECK(Value(c, "replicaof") == "10.0.0.1 6380");
  CHECK(Value(c, "slaveof") == "10.0.0.1 6380");
  CHECK_FALSE(c.GetValue("list-max-ziplist-entries").has_value());

  // Judged on the final value: the default save points spelled as three lines are no news.
  Config s;
  REQUIRE(s.LoadFile(tmp.Write("s.conf", "save 3600 1\nsave 300 100\nsave 60 10000\n")).ok());
  CHECK(s.TakeWarnings().empty());
  CHECK(Value(s, "save") == "3600 1 300 100 60 10000");

  Config d;
  REQUIRE(d.ApplyArgs({"--maxmemory-policy", "allkeys-lru"}).ok());
  CHECK(d.TakeWarnings() ==
        std::vector<std::string>{
            "directive 'maxmemory-policy' is not implemented by kevy yet; ignored"});
  CHECK(d.Get({"maxmemory-policy"}) == Pairs{{"maxmemory-policy", "allkeys-lru"}});

  // `save ""` (no snapshots) is what kevy does anyway: no warning.
  Config e;
  REQUIRE(e.ApplyArgs({"--save", ""}).ok());
  CHECK(e.TakeWarnings().empty());
}

TEST_CASE("config: CONFIG GET patterns", "[config]") {
  Config c;
  CHECK(c.Get({"port"}) == Pairs{{"port", "6379"}});
  CHECK(c.Get({"HZ"}) == Pairs{{"HZ", "10"}});  // exact names answer as asked
  CHECK(c.Get({"port", "PORT", "port"}) == Pairs{{"port", "6379"}});
  CHECK(c.Get({"PORT*"}) == Pairs{{"port", "6379"}});  // globs ignore case
  CHECK(c.Get({"nosuch"}).empty());
  CHECK(c.Get({"nosuch*"}).empty());
  CHECK(c.Get({"[ab]ind"}) == Pairs{{"bind", "* -::*"}});
  CHECK(c.Get({"b?nd"}) == Pairs{{"bind", "* -::*"}});
  // Hidden directives answer only to their exact name.
  CHECK(c.Get({"watchdog-period"}) == Pairs{{"watchdog-period", "0"}});
  CHECK(c.Get({"watchdog-perio*"}).empty());
  // Aliases are listed beside their directive.
  std::map<std::string, std::string> got;
  for (auto& [k, v] : c.Get({"*max-*-entries"})) got[k] = v;
  std::map<std::string, std::string> expected = {{"hash-max-listpack-entries", "512"},
                                                 {"hash-max-ziplist-entries", "512"},
                                                 {"zset-max-listpack-entries", "128"},
                                                 {"zset-max-ziplist-entries", "128"},
                                                 {"set-max-intset-entries", "512"}};
  CHECK(got == expected);
  // Several patterns: each name once.
  Pairs two = c.Get({"hz", "h*"});
  size_t hz_count = 0;
  for (auto& [k, v] : two) hz_count += (k == "hz");
  CHECK(hz_count == 1);
}

TEST_CASE("config: CONFIG SET is all or nothing, with Redis's errors", "[config]") {
  QuietLog quiet;
  Config c;
  REQUIRE(c.Set({{"hz", "20"}, {"timeout", "5"}}).ok());
  CHECK(c.hz.load() == 20);
  CHECK(c.timeout.load() == 5);

  // A bad value anywhere leaves everything unchanged.
  CHECK(Msg(c.Set({{"hz", "30"}, {"maxmemory", "abc"}})) ==
        SetFailed("maxmemory", "argument must be a memory value"));
  CHECK(c.hz.load() == 20);
  CHECK(Value(c, "hz") == "20");
  CHECK(Msg(c.Set({{"timeout", "1.5"}})) ==
        SetFailed("timeout", "argument couldn't be parsed into an integer"));
  CHECK(Msg(c.Set({{"timeout", "-1"}})) ==
        SetFailed("timeout", "argument must be between 0 and 2147483647 inclusive"));
  CHECK(Msg(c.Set({{"hz", " 5"}})) ==
        SetFailed("hz", "argument couldn't be parsed into an integer"));
  CHECK(Msg(c.Set({{"appendonly", "maybe"}, {"appendfsync", "no"}})) ==
        SetFailed("appendonly", "argument must be 'yes' or 'no'"));
  CHECK(Value(c, "appendfsync") == "everysec");
  CHECK(Msg(c.Set({{"slowlog-log-slower-than", "-2"}})) ==
        SetFailed("slowlog-log-slower-than",
                  "argument must be between -1 and 9223372036854775807 inclusive"));
  CHECK(Msg(c.Set({{"maxclients", "-1"}})) ==
        SetFailed("maxclients", "argument must be between 1 and 4294967295 inclusive"));
  CHECK(Msg(c.Set({{"maxmemory-policy", "foo"}})) ==
        SetFailed("maxmemory-policy",
                  "argument(s) must be one of the following: volatile-lru, volatile-lfu, "
                  "volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, "
                  "noeviction"));
  // A validation error names the directive as looked up (an alias stays an alias).
  CHECK(Msg(c.Set({{"HASH-MAX-ZIPLIST-ENTRIES", "x"}})) ==
        SetFailed("hash-max-ziplist-entries", "argument couldn't be parsed into an integer"));

  // Immutable and protected configs; unknown names win over every other error.
  CHECK(Msg(c.Set({{"databases", "3"}})) == SetFailed("databases", "can't set immutable config"));
  CHECK(Msg(c.Set({{"hz", "5"}, {"daemonize", "yes"}})) ==
        SetFailed("daemonize", "can't set immutable config"));
  CHECK(Msg(c.Set({{"shards", "4"}})) == SetFailed("shards", "can't set immutable config"));
  CHECK(Msg(c.Set({{"logfile", "x"}})) == SetFailed("logfile", "can't set immutable config"));
  CHECK(Msg(c.Set({{"dir", "/tmp"}})) == SetFailed("dir", "can't set protected config"));
  CHECK(Msg(c.Set({{"dbfilename", "x.rdb"}})) ==
        SetFailed("dbfilename", "can't set protected config"));
  CHECK(Msg(c.Set({{"foo", "1"}})) ==
        "ERR Unknown option or number of arguments for CONFIG SET - 'foo'");
  CHECK(Msg(c.Set({{"hz", "5"}, {"foo", "1"}, {"databases", "2"}})) ==
        "ERR Unknown option or number of arguments for CONFIG SET - 'foo'");
  CHECK(Msg(c.Set({{"databases", "2"}, {"foo", "1"}})) ==
        SetFailed("databases", "can't set immutable config"));
  CHECK(Msg(c.Set({{"hz", "10"}, {"hz", "11"}})) == SetFailed("hz", "duplicate parameter"));
  CHECK(Msg(c.Set({{"hash-max-listpack-entries", "1"}, {"hash-max-ziplist-entries", "2"}})) ==
        SetFailed("hash-max-ziplist-entries", "duplicate parameter"));
  CHECK(c.hz.load() == 20);

  // Names are case-insensitive; hz is capped into 1..500.
  REQUIRE(c.Set({{"HZ", "0"}}).ok());
  CHECK(c.hz.load() == 1);
  REQUIRE(c.Set({{"hz", "1000"}}).ok());
  CHECK(c.hz.load() == 500);
  CHECK(Value(c, "hz") == "500");

  // The typed fields follow every mutable implemented directive.
  REQUIRE(c.Set({{"port", "7010"},
                 {"maxclients", "64"},
                 {"tcp-keepalive", "0"},
                 {"protected-mode", "no"},
                 {"proto-max-bulk-len", "1mb"},
                 {"client-query-buffer-limit", "2mb"},
                 {"active-expire-effort", "10"},
                 {"lazyfree-lazy-user-flush", "yes"},
                 {"requirepass", "secret"},
                 {"bind", "127.0.0.1 ::1"}})
              .ok());
  CHECK(c.port.load() == 7010);
  CHECK(c.maxclients.load() == 64);
  CHECK(c.tcp_keepalive.load() == 0);
  CHECK_FALSE(c.protected_mode.load());
  CHECK(c.proto_max_bulk_len.load() == 1024 * 1024);
  CHECK(c.client_query_buffer_limit.load() == 2 * 1024 * 1024);
  CHECK(c.active_expire_effort.load() == 10);
  CHECK(c.lazyfree_lazy_user_flush.load());
  CHECK(c.requirepass() == "secret");
  CHECK(c.bind() == "127.0.0.1 ::1");
  REQUIRE(c.Set({{"requirepass", ""}}).ok());
  CHECK(c.requirepass().empty());
}

TEST_CASE("config: multi-word and special directives", "[config]") {
  Config c;
  // CONFIG SET splits multi-word values on single spaces, as Redis does.
  REQUIRE(c.Set({{"save", "100 1 200 2"}}).ok());
  CHECK(Value(c, "save") == "100 1 200 2");
  CHECK(Msg(c.Set({{"save", "100  1"}})) == SetFailed("save", "Invalid save parameters"));
  CHECK(Msg(c.Set({{"save", "100 1 "}})) == SetFailed("save", "Invalid save parameters"));
  CHECK(Msg(c.Set({{"save", "0 1"}})) == SetFailed("save", "Invalid save parameters"));
  CHECK(Msg(c.Set({{"save", "100 -1"}})) == SetFailed("save", "Invalid save parameters"));
  CHECK(Msg(c.Set({{"save", "100"}})) == SetFailed("save", "Invalid save parameters"));
  REQUIRE(c.Set({{"save", "+100 1"}}).ok());
  CHECK(Value(c, "save") == "100 1");
  REQUIRE(c.Set({{"save", ""}}).ok());
  CHECK(Value(c, "save").empty());

  REQUIRE(c.Set({{"bind", ""}}).ok());
  CHECK(c.bind().empty());

  // client-output-buffer-limit updates only the classes named.
  REQUIRE(c.Set({{"client-output-buffer-limit", "normal 1mb 2mb 3 replica 1gb 1mb 60"}}).ok());
  CHECK(Value(c, "client-output-buffer-limit") ==
        "normal 1048576 2097152 3 slave 1073741824 1048576 60 pubsub 33554432 8388608 60");
  CHECK(Msg(c.Set({{"client-output-buffer-limit", "master 1 1 1"}})) ==
        SetFailed("client-output-buffer-limit",
                  "Invalid client class specified in buffer limit configuration."));
  CHECK(Msg(c.Set({{"client-output-buffer-limit", "normal 1 1"}})) ==
        SetFailed("client-output-buffer-limit",
                  "Wrong number of arguments in buffer limit configuration."));
  CHECK(Msg(c.Set({{"client-output-buffer-limit", "pubsub 1 1 x"}})) ==
        SetFailed("client-output-buffer-limit",
                  "Error in hard, soft or soft_seconds setting in buffer limit configuration."));

  REQUIRE(c.Set({{"notify-keyspace-events", "KEA"}}).ok());
  CHECK(Value(c, "notify-keyspace-events") == "AKE");
  REQUIRE(c.Set({{"notify-keyspace-events", "gm$lshzxetdK"}}).ok());
  CHECK(Value(c, "notify-keyspace-events") == "AKm");
  REQUIRE(c.Set({{"notify-keyspace-events", "Ex$"}}).ok());
  CHECK(Value(c, "notify-keyspace-events") == "$xE");
  CHECK(
      Msg(c.Set({{"notify-keyspace-events", "Q"}})) ==
      SetFailed("notify-keyspace-events", "Invalid event class character. Use 'Ag$lshzxeKEtmdn'."));

  CHECK(Msg(c.Set({{"oom-score-adj-values", "0 200"}})) ==
        SetFailed("oom-score-adj-values", "wrong number of arguments"));
  CHECK(Msg(c.Set({{"oom-score-adj-values", "0 200 3000"}})) ==
        SetFailed("oom-score-adj-values",
                  "Invalid oom-score-adj-values, elements must be between -2000 and 2000."));
  REQUIRE(c.Set({{"oom-score-adj", "relative"}}).ok());
  CHECK(Value(c, "oom-score-adj") == "yes");

  REQUIRE(c.Set({{"latency-tracking-info-percentiles", "50.50000 1e1"}}).ok());
  CHECK(Value(c, "latency-tracking-info-percentiles") == "50.5 10");
  CHECK(Msg(c.Set({{"latency-tracking-info-percentiles", "101"}})) ==
        SetFailed("latency-tracking-info-percentiles",
                  "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]"));

  REQUIRE(c.Set({{"shutdown-on-sigint", "default save"}}).ok());
  CHECK(Value(c, "shutdown-on-sigint") == "save");
  REQUIRE(c.Set({{"shutdown-on-sigint", "now save"}}).ok());
  CHECK(Value(c, "shutdown-on-sigint") == "save now");
  CHECK(Msg(c.Set({{"shutdown-on-sigint", "nosave save"}})) ==
        SetFailed("shutdown-on-sigint",
                  "shutdown options SAVE and NOSAVE can't be used simultaneously"));

  CHECK(Msg(c.Set({{"replicaof", "no one"}})) ==
        SetFailed("replicaof", "can't set immutable config"));
  CHECK(Msg(c.Set({{"cluster-announce-hostname", "a_b"}})) ==
        SetFailed("cluster-announce-hostname",
                  "Hostnames may only contain alphanumeric characters, hyphens or dots"));
  CHECK(
      Msg(c.Set({{"proc-title-template", "{foo}"}})) ==
      SetFailed("proc-title-template", "template format is invalid or contains unknown variables"));
  REQUIRE(c.Set({{"proc-title-template", "{title} {port}"}}).ok());
}

TEST_CASE("config: protected configs and dir", "[config]") {
  QuietLog quiet;
  TempDir tmp;
  Config c;
  REQUIRE(c.ApplyArgs({"--enable-protected-configs", "local"}).ok());
  CHECK(Msg(c.Set({{"dbfilename", "x.rdb"}}, /*local_client=*/false)) ==
        SetFailed("dbfilename", "can't set protected config"));
  REQUIRE(c.Set({{"dbfilename", "x.rdb"}}, /*local_client=*/true).ok());
  CHECK(Value(c, "dbfilename") == "x.rdb");
  CHECK(Msg(c.Set({{"dbfilename", "a/b.rdb"}}, true)) ==
        SetFailed("dbfilename", "dbfilename can't be a path, just a filename"));

  // dir moves the process, and CONFIG GET dir reports the working directory.
  REQUIRE(c.Set({{"dir", tmp.path()}}, true).ok());
  CHECK(fs::current_path() == fs::path(tmp.path()));
  CHECK(Value(c, "dir") == tmp.path());
  CHECK(c.dir() == tmp.path());
  CHECK(Msg(c.Set({{"dir", "/nonexistent-kevy-dir"}, {"hz", "7"}}, true)) ==
        SetFailed("dir", "No such file or directory"));
  CHECK(c.hz.load() == 10);
  CHECK(fs::current_path() == fs::path(tmp.path()));
}

TEST_CASE("config: loglevel and logfile reach the log", "[config]") {
  QuietLog quiet;
  TempDir tmp;
  std::string log_path = tmp.path() + "/kevy.log";
  Config c;
  REQUIRE(c.ApplyArgs({"--logfile", log_path, "--loglevel", "notice"}).ok());
  CHECK(c.logfile() == log_path);
  Log(LogLevel::kNotice, "first notice");
  REQUIRE(c.Set({{"loglevel", "WARNING"}}).ok());
  CHECK(c.loglevel.load() == 3);
  CHECK(Value(c, "loglevel") == "warning");
  Log(LogLevel::kNotice, "second notice");
  Log(LogLevel::kWarning, "a warning");
  std::string text = tmp.Read("kevy.log");
  CHECK(text.find("first notice") != std::string::npos);
  CHECK(text.find("second notice") == std::string::npos);
  CHECK(text.find("a warning") != std::string::npos);
  REQUIRE(c.Set({{"loglevel", "nothing"}}).ok());
  Log(LogLevel::kWarning, "silenced");
  CHECK(tmp.Read("kevy.log").find("silenced") == std::string::npos);
}

TEST_CASE("config: OnSet hooks apply changes and roll back on failure", "[config]") {
  QuietLog quiet;
  Config c;
  int calls = 0;
  c.OnSet("port", [&] {
    ++calls;
    if (c.port.load() == 1) return absl::InternalError("Unable to listen on this port.");
    return absl::OkStatus();
  });
  REQUIRE(c.Set({{"port", "7020"}}).ok());
  CHECK(calls == 1);
  REQUIRE(c.Set({{"port", "7020"}}).ok());  // unchanged: no hook
  CHECK(calls == 1);
  CHECK(Msg(c.Set({{"hz", "42"}, {"port", "1"}})) ==
        SetFailed("port", "Unable to listen on this port."));
  CHECK(calls == 2);
  CHECK(c.port.load() == 7020);
  CHECK(c.hz.load() == 10);
  CHECK(Value(c, "hz") == "10");
}

TEST_CASE("config: CONFIG REWRITE keeps the file's shape", "[config]") {
  QuietLog quiet;
  TempDir tmp;
  {
    Config none;
    CHECK(Msg(none.Rewrite()) == "ERR The server is running without a config file");
  }
  tmp.Write("inc.conf", "maxmemory-samples 7\n");
  std::string original =
      "# top comment\n"
      "port 7392\n"
      "save 900 1\n"
      "save 300 10\n"
      "include " +
      tmp.path() +
      "/inc.conf\n"
      "\n"
      "\n"
      "hash-max-ziplist-entries 100\n"
      "slave-read-only no\n"
      "loglevel verbose\n"
      "# trailing comment\n"
      "rename-command KEYS \"\"\n"
      "appendonly no\n"
      "bind 127.0.0.1\n"
      "notify-keyspace-events \"Kx\"\n"
      "requirepass \"p w\"\n"
      "maxmemory 1000\n";
  std::string path = tmp.Write("r.conf", original);
  Config c;
  REQUIRE(c.LoadFile(path).ok());
  c.TakeWarnings();
  REQUIRE(c.Set({{"maxmemory", "2gb"},
                 {"hz", "20"},
                 {"client-output-buffer-limit", "pubsub 1mb 2kb 5"},
                 {"protected-mode", "no"},
                 {"requirepass", ""},
                 {"save", "100 1"}})
              .ok());
  REQUIRE(c.Rewrite().ok());
  std::string expected =
      "# top comment\n"
      "port 7392\n"
      "save 100 1\n"
      "\n"  // the second save line, no longer needed, is blanked
      "include " +
      tmp.path() +
      "/inc.conf\n"
      "\n"  // two blank lines collapse into one
      "hash-max-listpack-entries 100\n"
      "replica-read-only no\n"
      "loglevel verbose\n"
      "# trailing comment\n"
      "rename-command KEYS \"\"\n"
      "appendonly no\n"
      "bind 127.0.0.1\n"
      "notify-keyspace-events \"xK\"\n"
      "\n"  // requirepass was unset
      "maxmemory 2gb\n"
      "\n"
      "# Generated by CONFIG REWRITE\n";
  std::string got = tmp.Read("r.conf");
  REQUIRE(got.size() > expected.size());
  CHECK(got.substr(0, expected.size()) == expected);
  // The appended part: every value that differs from its default, one line each.
  std::string appended = got.substr(expected.size());
  std::set<std::string> lines;
  std::istringstream in(appended);
  for (std::string l; std::getline(in, l);) lines.insert(l);
  std::set<std::string> want = {
      "protected-mode no",
      "hz 20",
      "maxmemory-samples 7",
      "client-output-buffer-limit pubsub 1mb 2kb 5",
      "dir \"" + fs::current_path().string() + "\"",
      "latency-tracking-info-percentiles 50 99 99.9",
  };
  CHECK(lines == want);

  // Round trip: loading the rewritten file gives the same configuration.
  Config back;
  REQUIRE(back.LoadFile(path).ok());
  CHECK(back.Entries() == c.Entries());

  // Rewriting again keeps the configuration. Like Redis, a multi-line directive reuses its
  // existing lines for classes at their defaults, so client-output-buffer-limit takes three
  // rewrites to settle (redis-server 7.0.15 does exactly the same); then the file is stable.
  for (int i = 0; i < 3; ++i) {
    REQUIRE(c.Rewrite().ok());
    Config again;
    REQUIRE(again.LoadFile(path).ok());
    CHECK(again.Entries() == c.Entries());
  }
  std::string settled = tmp.Read("r.conf");
  CHECK(settled.find("client-output-buffer-limit normal 0 0 0\n") != std::string::npos);
  CHECK(settled.find("client-output-buffer-limit replica 256mb 64mb 60\n") != std::string::npos);
  CHECK(settled.find("client-output-buffer-limit pubsub 1mb 2kb 5\n") != std::string::npos);
  REQUIRE(c.Rewrite().ok());
  CHECK(tmp.Read("r.conf") == settled);

  // Values with odd bytes are quoted so they read back identically.
  Config q;
  REQUIRE(q.LoadFile(path).ok());
  REQUIRE(q.Set({{"requirepass", "a \"b\"\n\x01"}}).ok());
  REQUIRE(q.Rewrite().ok());
  CHECK(tmp.Read("r.conf").find("requirepass \"a \\\"b\\\"\\n\\x01\"\n") != std::string::npos);
  Config q2;
  REQUIRE(q2.LoadFile(path).ok());
  CHECK(q2.requirepass() == "a \"b\"\n\x01");
}

}  // namespace
}  // namespace kevy
