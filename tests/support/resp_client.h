// RespClient: a small blocking RESP client over TCP for integration tests. Sends multibulk
// requests (or raw bytes) and reads replies with a timeout.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "tests/support/resp_value.h"

namespace kevy::test {

class RespClient {
 public:
  explicit RespClient(int port, const std::string& host = "127.0.0.1");
  ~RespClient();
  RespClient(const RespClient&) = delete;
  RespClient& operator=(const RespClient&) = delete;

  static std::string Encode(const std::vector<std::string>& args);
  void Send(const std::vector<std::string>& args) { SendRaw(Encode(args)); }
  void SendRaw(std::string_view bytes);
  // Reads one reply; throws std::runtime_error on timeout or when the peer closed.
  RespValue Read(int timeout_ms = 10000);
  RespValue Call(const std::vector<std::string>& args, int timeout_ms = 10000) {
    Send(args);
    return Read(timeout_ms);
  }
  // True if the server closed the connection (reads EOF within timeout_ms, with nothing
  // left unread).
  bool ClosedByPeer(int timeout_ms = 2000);
  // Raw bytes available within timeout_ms (for protocol-level checks).
  std::string ReadRaw(int timeout_ms = 500);
  int fd() const { return fd_; }

 private:
  bool Fill(int timeout_ms);
  int fd_ = -1;
  std::string buf_;
};

}  // namespace kevy::test
