#include "tests/support/server_process.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "tests/support/resp_client.h"

namespace kevy::test {

std::string ServerProcess::BinaryPath() {
  if (const char* p = getenv("KEVY_SERVER")) return p;
  return "build/kevy-server";
}

int ServerProcess::FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a));
  socklen_t len = sizeof(a);
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  int port = ntohs(a.sin_port);
  close(fd);
  return port;
}

ServerProcess::ServerProcess(std::vector<std::string> args, bool wait_ready) {
  port_ = FreePort();
  char tmpl[] = "/tmp/kevy-test-log-XXXXXX";
  int logfd = mkstemp(tmpl);
  log_path_ = tmpl;
  // Its own working directory: a SIGTERM saves dump.rdb there (default save points), which must
  // not leak into the next test's server.
  char dtmpl[] = "/tmp/kevy-test-dir-XXXXXX";
  if (mkdtemp(dtmpl)) dir_ = dtmpl;
  std::vector<std::string> argv_s = {BinaryPath(), "--port", std::to_string(port_), "--bind",
                                     "127.0.0.1"};
  if (!dir_.empty()) {
    argv_s.push_back("--dir");
    argv_s.push_back(dir_);
  }
  for (auto& a : args) argv_s.push_back(a);
  pid_ = fork();
  if (pid_ == 0) {
    dup2(logfd, STDOUT_FILENO);
    dup2(logfd, STDERR_FILENO);
    std::vector<char*> argv;
    for (auto& s : argv_s) argv.push_back(s.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(logfd);
  if (!wait_ready) return;
  for (int i = 0; i < 500; ++i) {
    if (!Alive()) throw std::runtime_error("kevy-server exited at start:\n" + Log());
    try {
      RespClient c(port_);
      if (c.Call({"PING"}).str == "PONG") return;
    } catch (const std::exception&) {
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  throw std::runtime_error("kevy-server did not answer PING:\n" + Log());
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0 && Alive()) {
    if (StopWith(SIGTERM, 10000) == -1) StopWith(SIGKILL, 5000);
  }
  unlink(log_path_.c_str());
  if (!dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
}

bool ServerProcess::Alive() {
  if (pid_ <= 0) return false;
  int status;
  pid_t r = waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    pid_ = -1;
    return false;
  }
  return true;
}

int ServerProcess::StopWith(int sig, int timeout_ms) {
  if (pid_ <= 0) return -1;
  kill(pid_, sig);
  return WaitExit(timeout_ms);
}

int ServerProcess::WaitExit(int timeout_ms) {
  if (pid_ <= 0) return -1;
  for (int waited = 0; waited <= timeout_ms; waited += 10) {
    int status;
    pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      pid_ = -1;
      return status;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return -1;
}

std::string ServerProcess::Log() const {
  std::ifstream f(log_path_);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

}  // namespace kevy::test
