// Redis-format log lines.
#include "engine/log.h"

#include <fcntl.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <atomic>

namespace kevy {

namespace {
std::atomic<int> g_level{static_cast<int>(LogLevel::kNotice)};
std::atomic<int> g_fd{STDOUT_FILENO};
}  // namespace

void SetLogLevel(int level) { g_level.store(level, std::memory_order_relaxed); }

bool OpenLogFile(const std::string& path) {
  if (path.empty()) {
    g_fd.store(STDOUT_FILENO);
    return true;
  }
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return false;
  int old = g_fd.exchange(fd);
  if (old != STDOUT_FILENO) close(old);
  return true;
}

void LogLine(LogLevel level, std::string_view msg) {
  if (static_cast<int>(level) < g_level.load(std::memory_order_relaxed)) return;
  timeval tv;
  gettimeofday(&tv, nullptr);
  tm t;
  localtime_r(&tv.tv_sec, &t);
  char ts[64];
  size_t n = strftime(ts, sizeof(ts), "%d %b %Y %H:%M:%S.", &t);
  snprintf(ts + n, sizeof(ts) - n, "%03d", static_cast<int>(tv.tv_usec / 1000));
  static const char kMarks[] = ".-*#";
  std::string line = absl::StrFormat("%d:M %s %c %s\n", getpid(), ts,
                                     kMarks[static_cast<int>(level)], msg);
  ssize_t w = write(g_fd.load(std::memory_order_relaxed), line.data(), line.size());
  (void)w;
}

}  // namespace kevy
