// ServerProcess: starts the real kevy-server binary on an ephemeral port for integration
// tests, waits until it answers PING, and stops it (SIGTERM, then SIGKILL) on destruction.
// The binary comes from $KEVY_SERVER (meson sets it), else build/kevy-server.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace kevy::test {

class ServerProcess {
 public:
  // Extra arguments are passed after "--port N --bind 127.0.0.1".
  explicit ServerProcess(std::vector<std::string> args = {}, bool wait_ready = true);
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  // True while the process runs.
  bool Alive();
  // Sends `sig` and waits up to timeout_ms for exit; returns the exit status (as waitpid) or
  // -1 if it did not exit.
  int StopWith(int sig, int timeout_ms = 10000);
  // Waits for the process to exit by itself; returns status or -1 on timeout.
  int WaitExit(int timeout_ms);
  // Everything the server wrote to stdout/stderr so far.
  std::string Log() const;

  static std::string BinaryPath();
  static int FreePort();

 private:
  pid_t pid_ = -1;
  int port_ = 0;
  std::string dir_;  // the server's --dir, removed with it
  std::string log_path_;
};

}  // namespace kevy::test
