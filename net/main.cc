// kevy-server: command line, configuration, logging set-up, then the Server.
// Usage mirrors redis-server: kevy-server [config-file] [--directive value ...]
#include <fcntl.h>
#include <malloc.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "engine/log.h"
#include "engine/server_state.h"
#include "net/server.h"

namespace {

constexpr const char* kRedisCompat = "7.0.15";

void Usage() {
  fprintf(stderr,
          "Usage: ./kevy-server [/path/to/redis.conf] [options] [-]\n"
          "       ./kevy-server - (read config from stdin)\n"
          "       ./kevy-server -v or --version\n"
          "       ./kevy-server -h or --help\n\n"
          "Examples:\n"
          "       ./kevy-server (run the server with default conf)\n"
          "       ./kevy-server /etc/redis/6379.conf\n"
          "       ./kevy-server --port 7777\n"
          "       ./kevy-server --port 7777 --shards 4\n"
          "       ./kevy-server /etc/myredis.conf --loglevel verbose\n\n"
          "kevy-specific directives:\n"
          "       shards <n>   shard threads, one io_uring ring each (default: online CPUs)\n");
}

}  // namespace

int main(int argc, char** argv) {
  using namespace kevy;
  std::vector<std::string> args(argv + 1, argv + argc);
  if (!args.empty() && (args[0] == "-v" || args[0] == "--version")) {
    printf("kevy server v=%s redis_version=%s bits=%d\n", KEVY_VERSION, kRedisCompat,
           static_cast<int>(sizeof(long) * 8));
    return 0;
  }
  if (!args.empty() && (args[0] == "-h" || args[0] == "--help")) {
    Usage();
    return 0;
  }

  auto state = std::make_unique<ServerState>();
  size_t first_opt = 0;
  if (!args.empty() && args[0].rfind("--", 0) != 0) {
    std::string path = args[0];
    if (path == "-") path = "/dev/stdin";
    absl::Status st = state->config.LoadFile(path);
    if (!st.ok()) {
      fprintf(stderr, "%s\n", std::string(st.message()).c_str());
      return 1;
    }
    first_opt = 1;
  }
  std::vector<std::string> opts(args.begin() + static_cast<long>(first_opt), args.end());
  if (!opts.empty()) {
    absl::Status st = state->config.ApplyArgs(opts);
    if (!st.ok()) {
      fprintf(stderr, "%s\n", std::string(st.message()).c_str());
      return 1;
    }
  }

  Config& cfg = state->config;
  if (cfg.daemonize.load()) {
    if (fork() > 0) return 0;
    setsid();
    int null = open("/dev/null", O_RDWR);
    if (null >= 0) {
      dup2(null, STDIN_FILENO);
      dup2(null, STDOUT_FILENO);
      dup2(null, STDERR_FILENO);
      if (null > STDERR_FILENO) close(null);
    }
  }
  SetLogLevel(cfg.loglevel.load());
  if (!cfg.logfile().empty() && !OpenLogFile(cfg.logfile())) {
    fprintf(stderr, "Can't open the log file: %s\n", strerror(errno));
    return 1;
  }
  std::string dir = cfg.dir();
  if (!dir.empty() && chdir(dir.c_str()) != 0) {
    Log(LogLevel::kWarning, "Can't chdir to '%s': %s", dir, strerror(errno));
    return 1;
  }
  Log(LogLevel::kNotice, "oO0OoO0OoO0Oo kevy is starting oO0OoO0OoO0Oo");
  Log(LogLevel::kNotice,
      "kevy version=%s, redis_version=%s, bits=%d, pid=%d, just started", KEVY_VERSION,
      kRedisCompat, static_cast<int>(sizeof(long) * 8), static_cast<int>(getpid()));
  if (first_opt == 0)
    Log(LogLevel::kWarning,
        "Warning: no config file specified, using the default config. In order to specify a "
        "config file use %s /path/to/redis.conf",
        argv[0]);
  else
    Log(LogLevel::kNotice, "Configuration loaded");
  for (const std::string& w : cfg.TakeWarnings()) Log(LogLevel::kWarning, "%s", w);

  std::string pidfile = cfg.pidfile();
  if (pidfile.empty() && cfg.daemonize.load())
    pidfile = "/var/run/redis_" + std::to_string(cfg.port.load()) + ".pid";
  if (!pidfile.empty()) {
    if (FILE* f = fopen(pidfile.c_str(), "w")) {
      fprintf(f, "%d\n", static_cast<int>(getpid()));
      fclose(f);
    } else {
      Log(LogLevel::kWarning, "Failed to write PID file: %s", strerror(errno));
    }
  }

  // glibc grows each shard thread's arena with mprotect(2) in small steps: thousands of
  // syscalls on the data path while a keyspace fills. Growing (and trimming) in 16 MiB steps
  // keeps them off it.
  mallopt(M_TOP_PAD, 16 << 20);
  mallopt(M_TRIM_THRESHOLD, 32 << 20);

  RegisterAllCommands(state->commands);
  Server server(std::move(state));
  int code = server.Run();
  if (!pidfile.empty()) unlink(pidfile.c_str());
  return code;
}
