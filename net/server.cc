// Server: listeners, shard threads, signals, orderly shutdown.
#include "net/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <future>
#include <random>
#include <sstream>
#include <thread>
#include <vector>

#include "engine/log.h"
#include "engine/shard.h"
#include "engine/shard_stats.h"
#include "net/inbox.h"
#include "net/reactor.h"
#include "persist/aof_manager.h"
#include "persist/loader.h"

namespace kevy {

namespace {

struct BindAddr {
  std::string host;
  bool optional = false;  // "-" prefix: skip silently when the address is unavailable
};

std::vector<BindAddr> ParseBind(const std::string& bind) {
  std::vector<BindAddr> out;
  std::istringstream in(bind);
  std::string w;
  while (in >> w) {
    BindAddr b;
    if (!w.empty() && w[0] == '-') {
      b.optional = true;
      w = w.substr(1);
    }
    b.host = w;
    out.push_back(b);
  }
  return out;
}

// Opens one SO_REUSEPORT listener. Returns fd, or -errno.
int Listen(const std::string& host, int port, int backlog) {
  sockaddr_storage ss{};
  socklen_t len;
  int family;
  if (host == "*" || host == "0.0.0.0") {
    auto* a = reinterpret_cast<sockaddr_in*>(&ss);
    a->sin_family = AF_INET;
    a->sin_addr.s_addr = htonl(INADDR_ANY);
    a->sin_port = htons(static_cast<uint16_t>(port));
    family = AF_INET;
    len = sizeof(sockaddr_in);
  } else if (host == "::*" || host == "::") {
    auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
    a->sin6_family = AF_INET6;
    a->sin6_addr = in6addr_any;
    a->sin6_port = htons(static_cast<uint16_t>(port));
    family = AF_INET6;
    len = sizeof(sockaddr_in6);
  } else if (host.find(':') != std::string::npos) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
    a->sin6_family = AF_INET6;
    if (inet_pton(AF_INET6, host.c_str(), &a->sin6_addr) != 1) return -EINVAL;
    a->sin6_port = htons(static_cast<uint16_t>(port));
    family = AF_INET6;
    len = sizeof(sockaddr_in6);
  } else {
    auto* a = reinterpret_cast<sockaddr_in*>(&ss);
    a->sin_family = AF_INET;
    if (inet_pton(AF_INET, host.c_str(), &a->sin_addr) != 1) return -EINVAL;
    a->sin_port = htons(static_cast<uint16_t>(port));
    family = AF_INET;
    len = sizeof(sockaddr_in);
  }
  int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -errno;
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
  if (family == AF_INET6) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
  if (bind(fd, reinterpret_cast<sockaddr*>(&ss), len) < 0 || listen(fd, backlog) < 0) {
    int e = errno;
    close(fd);
    return -e;
  }
  return fd;
}

std::string RandomHex(size_t n) {
  std::random_device rd;
  std::mt19937_64 rng((uint64_t{rd()} << 32) ^ rd());
  static const char kHex[] = "0123456789abcdef";
  std::string s(n, '0');
  for (auto& ch : s) ch = kHex[rng() & 15];
  return s;
}

}  // namespace

int ResolveShardCount(const Config& config) {
  int n = config.shards.load();
  if (n <= 0) n = static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN));
  if (n <= 0) n = 1;
  if (n > 1024) n = 1024;
  return n;
}

Server::Server(std::unique_ptr<ServerState> state) : state_(std::move(state)) {}
Server::~Server() = default;

int Server::Run() {
  ServerState& st = *state_;
  int nshards = ResolveShardCount(st.config);
  st.slots = SlotTable(static_cast<uint16_t>(nshards));
  st.run_id = RandomHex(40);
  CommandClock::Calibrate();
  st.start_ms = Shard::WallMs();
  char exe[4096];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
  if (n > 0) st.executable.assign(exe, static_cast<size_t>(n));

  // Listeners: one per bind address per shard, all on the same port (SO_REUSEPORT).
  int port = st.config.port.load();
  int backlog = st.config.tcp_backlog.load();
  std::vector<std::vector<int>> listeners(nshards);
  if (port != 0) {
    for (const BindAddr& b : ParseBind(st.config.bind())) {
      for (int s = 0; s < nshards; ++s) {
        int fd = Listen(b.host, port, backlog);
        if (fd < 0) {
          if (b.optional && (fd == -EADDRNOTAVAIL || fd == -EAFNOSUPPORT || fd == -EPROTONOSUPPORT))
            break;
          Log(LogLevel::kWarning, "Warning: Could not create server TCP listening socket %s:%d: %s",
              b.host, port, strerror(-fd));
          Log(LogLevel::kWarning, "Failed listening on port %d (tcp), aborting.", port);
          for (auto& v : listeners)
            for (int x : v) close(x);
          return 1;
        }
        listeners[s].push_back(fd);
      }
    }
  }

  std::vector<std::unique_ptr<Inbox>> inboxes;
  std::vector<Inbox*> inbox_ptrs;
  std::vector<std::unique_ptr<Shard>> shards;
  for (int s = 0; s < nshards; ++s) {
    inboxes.push_back(std::make_unique<Inbox>());
    inbox_ptrs.push_back(inboxes.back().get());
  }
  // CONFIG SET appendonly: the persistence cron turns the logging on (with a rewrite that
  // writes its base) or off; here the directory is checked, so the reply says when it can't be.
  st.config.OnSet("appendonly", [&st]() -> absl::Status {
    if (st.config.GetValueOr("appendonly") != "yes") {
      st.persist.rewrite_scheduled = false;
      return absl::OkStatus();
    }
    if (st.aof.load()) return absl::OkStatus();
    absl::Status open = st.AofDir().EnsureOpen();
    if (!open.ok()) {
      Log(LogLevel::kWarning, "Can't turn on the AOF: %s", open.message());
      return absl::InternalError("Unable to turn on AOF. Check server logs.");
    }
    st.persist.rewrite_scheduled = true;  // INFO shows the rewrite that will start the AOF
    return absl::OkStatus();
  });
  st.loading.store(true);  // until LoadAtStartup is done
  st.shards.resize(nshards);
  for (int s = 0; s < nshards; ++s) {
    shards.push_back(std::make_unique<Shard>(static_cast<uint16_t>(s), &st));
    st.shards[s] = shards.back().get();
  }

  // Signals go to this thread only (blocked everywhere, taken with sigwait below).
  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGINT);
  sigaddset(&sigs, SIGTERM);
  sigaddset(&sigs, SIGUSR1);
  pthread_sigmask(SIG_BLOCK, &sigs, nullptr);
  signal(SIGPIPE, SIG_IGN);

  int ncpu = static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN));
  std::vector<std::thread> threads;
  std::vector<std::promise<std::string>> ready(nshards);
  std::atomic<bool> go{false};  // set once every ring is up: tasks may target any shard
  for (int s = 0; s < nshards; ++s) {
    std::future<std::string> f = ready[s].get_future();
    threads.emplace_back([&, s] {
      cpu_set_t set;
      CPU_ZERO(&set);
      CPU_SET(s % (ncpu > 0 ? ncpu : 1), &set);
      pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
      char name[16];
      snprintf(name, sizeof(name), "kevy-shard-%d", s);
      pthread_setname_np(pthread_self(), name);
      Reactor reactor(shards[s].get(), inbox_ptrs, listeners[s]);
      shards[s]->set_net(&reactor);
      std::string err = reactor.Init();
      ready[s].set_value(err);
      if (!err.empty()) return;
      // Wait until every shard is up before serving (tasks may target any shard).
      while (!go.load() && !st.shutdown_requested.load()) sched_yield();
      if (st.shutdown_requested.load()) return;
      reactor.Run();
      shards[s]->set_net(nullptr);
    });
    std::string err = f.get();
    if (!err.empty()) {
      Log(LogLevel::kWarning, "Failed to start: %s", err);
      st.shutdown_requested.store(true);
      for (auto& t : threads) t.join();
      return 1;
    }
  }
  go.store(true);
  Log(LogLevel::kNotice, "Server initialized with %d shard%s", nshards, nshards == 1 ? "" : "s");

  // Load the dataset while the shard threads answer -LOADING, then let them serve.
  LoadReport report;
  absl::Status loaded = LoadAtStartup(st, &report);
  if (!loaded.ok()) {
    Log(LogLevel::kWarning, "%s", loaded.message());
    Log(LogLevel::kWarning, "Fatal error loading the DB, exiting.");
    st.shutdown_requested.store(true);
    st.loading.store(false, std::memory_order_release);
    Reactor::WakeAll(inbox_ptrs);
    for (auto& t : threads) t.join();
    return 1;
  }
  st.persist.loaded_keys = report.keys_loaded;
  st.persist.truncated_files = report.truncated_files;
  st.loading.store(false, std::memory_order_release);
  Reactor::WakeAll(inbox_ptrs);
  Log(LogLevel::kNotice, "Ready to accept connections tcp");

  int exit_code = 0;
  for (;;) {
    int sig = 0;
    if (sigwait(&sigs, &sig) != 0) continue;
    if (sig == SIGINT || sig == SIGTERM) {
      Log(LogLevel::kWarning, "Received %s scheduling shutdown...",
          sig == SIGINT ? "SIGINT" : "SIGTERM");
      st.shutdown_requested.store(true);
      Reactor::WakeAll(inbox_ptrs);
      break;
    }
    if (st.shutdown_requested.load()) {  // SHUTDOWN command (SIGUSR1 from a shard)
      exit_code = st.exit_code.load();
      break;
    }
  }
  Log(LogLevel::kWarning, "User requested shutdown...");
  for (auto& t : threads) t.join();
  // SHUTDOWN SAVE, or save points configured and no NOSAVE (SIGTERM too), as Redis's
  // prepareForShutdown: a last synchronous snapshot, now that no shard thread runs.
  uint32_t sflags = st.shutdown_flags.load();
  auto save_cfg = st.config.GetValue("save");
  bool save_points = save_cfg && !save_cfg->empty();
  if ((sflags & kShutdownSave) || (save_points && !(sflags & kShutdownNoSave))) {
    Log(LogLevel::kNotice, "Saving the final RDB snapshot before exiting.");
    absl::Status saved = SaveSnapshotSync(st, st.config.GetValueOr("dbfilename", "dump.rdb"));
    if (saved.ok()) {
      Log(LogLevel::kNotice, "DB saved on disk");
    } else {
      Log(LogLevel::kWarning, "%s", saved.message());
      Log(LogLevel::kWarning, "Error trying to save the DB, can't exit.");
      if (exit_code == 0) exit_code = 1;
    }
  }
  Log(LogLevel::kWarning, "kevy is now ready to exit, bye bye...");
  return exit_code;
}

}  // namespace kevy
