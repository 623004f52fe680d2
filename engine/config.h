// Config: the server's directives, with Redis's names, defaults and parsing rules.
//
// Sources, in order: the config file (redis.conf syntax), then `--directive value ...`
// arguments, then CONFIG SET at run time. Directives that kevy implements are typed fields
// below; directives that Redis knows but kevy does not implement yet are accepted with a
// warning (and kept, so CONFIG GET shows them); unknown names are errors naming the
// directive, as Redis's "Bad directive or wrong number of arguments".
//
// Threads: the shards read fields concurrently; numeric fields are atomics read with
// relaxed order. String fields are guarded by a mutex (read them through the getters).
// CONFIG SET runs on one shard and takes effect for all at their next read.
#pragma once

#include <absl/status/status.h>
#include <absl/status/statusor.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kevy {

class Config {
 public:
  Config();
  ~Config();

  // Parses a config file (redis.conf syntax: directive and arguments per line, quotes,
  // `include`, comments). The path is remembered for CONFIG REWRITE.
  absl::Status LoadFile(const std::string& path);
  // Parses "--port 7000 --save '' ..." style arguments (argv after the optional config
  // file). Also accepts the form where several words follow one --directive.
  absl::Status ApplyArgs(const std::vector<std::string>& args);
  // Applies one directive with its arguments (startup: immutable ones allowed).
  absl::Status Apply(const std::string& name, const std::vector<std::string>& args, bool startup);

  // CONFIG SET: several name/value pairs, all or nothing. Error text as Redis's, e.g.
  // "ERR Unknown option or number of arguments for CONFIG SET - 'foo'".
  absl::Status Set(const std::vector<std::pair<std::string, std::string>>& pairs);
  // As above; `local_client` says the caller is a loopback/unix-socket client, which may set
  // protected configs (dir, dbfilename) when enable-protected-configs is "local".
  absl::Status Set(const std::vector<std::pair<std::string, std::string>>& pairs,
                   bool local_client);
  // CONFIG GET: every (name, value) whose name matches one of the glob patterns.
  std::vector<std::pair<std::string, std::string>> Get(
      const std::vector<std::string>& patterns) const;
  // CONFIG REWRITE: rewrites the config file in place, keeping comments and unknown lines.
  absl::Status Rewrite() const;
  std::string config_file() const;

  // Every non-hidden directive under its primary name with its CONFIG GET value, in table
  // order (INFO, DEBUG and tests use it).
  std::vector<std::pair<std::string, std::string>> Entries() const;
  // One directive's current value in CONFIG GET form (name or alias, any case); nullopt when
  // the name is unknown. For directives kevy stores but does not interpret yet.
  std::optional<std::string> GetValue(std::string_view name) const;
  // GetValue, or `fallback` for an unknown name.
  std::string GetValueOr(std::string_view name, std::string fallback = "") const {
    auto v = GetValue(name);
    return v ? *v : fallback;
  }
  // Runs `apply` after a CONFIG SET changed directive `name` (e.g. net/ rebinds on `port` or
  // `bind`). If it fails, every value of that CONFIG SET is restored and the reply is
  // "ERR CONFIG SET failed (possibly related to argument 'name') - <message>". Register
  // before the shard threads start; hooks run on the thread that called Set().
  void OnSet(const std::string& name, std::function<absl::Status()> apply);

  // Warnings collected while loading (directives known to Redis but not implemented).
  std::vector<std::string> TakeWarnings();

  // --- typed directives kevy implements ---
  std::atomic<int> port{6379};
  std::atomic<int> databases{16};
  std::atomic<int> hz{10};
  std::atomic<int> maxclients{10000};
  std::atomic<int> timeout{0};  // seconds of idleness before closing a client; 0 = never
  std::atomic<int> tcp_keepalive{300};
  std::atomic<int> tcp_backlog{511};
  std::atomic<bool> protected_mode{true};
  std::atomic<bool> daemonize{false};
  std::atomic<int> shards{0};  // 0 = online CPUs (kevy's own directive)
  std::atomic<int64_t> proto_max_bulk_len{512LL * 1024 * 1024};
  std::atomic<int64_t> client_query_buffer_limit{1024LL * 1024 * 1024};
  std::atomic<int> loglevel{2};  // 0 debug, 1 verbose, 2 notice, 3 warning, 4 nothing
  std::atomic<int> active_expire_effort{1};
  std::atomic<bool> lazyfree_lazy_user_flush{false};
  std::atomic<int64_t> maxmemory{0};

  std::string bind() const;  // "127.0.0.1 -::1" style list
  std::string dir() const;
  std::string logfile() const;  // "" = stdout
  std::string pidfile() const;
  std::string requirepass() const;

 private:
  struct Impl;
  Impl* impl_;
  friend struct ConfigTable;
};

}  // namespace kevy
