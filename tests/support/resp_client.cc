#include "tests/support/resp_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace kevy::test {

RespClient::RespClient(int port, const std::string& host) {
  fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, host.c_str(), &a.sin_addr);
  if (connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0) {
    int e = errno;
    close(fd_);
    fd_ = -1;
    throw std::runtime_error(std::string("connect: ") + strerror(e));
  }
  int one = 1;
  setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

RespClient::~RespClient() {
  if (fd_ >= 0) close(fd_);
}

std::string RespClient::Encode(const std::vector<std::string>& args) {
  std::string s = "*" + std::to_string(args.size()) + "\r\n";
  for (const auto& a : args) {
    s += "$" + std::to_string(a.size()) + "\r\n";
    s += a;
    s += "\r\n";
  }
  return s;
}

void RespClient::SendRaw(std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error(std::string("send: ") + strerror(errno));
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
}

bool RespClient::Fill(int timeout_ms) {
  pollfd p{fd_, POLLIN, 0};
  int r = poll(&p, 1, timeout_ms);
  if (r <= 0) return false;
  char tmp[65536];
  ssize_t n = recv(fd_, tmp, sizeof(tmp), 0);
  if (n <= 0) throw std::runtime_error("connection closed by server");
  buf_.append(tmp, static_cast<size_t>(n));
  return true;
}

RespValue RespClient::Read(int timeout_ms) {
  for (;;) {
    RespValue v;
    size_t used = buf_.empty() ? 0 : ParseReply(buf_, &v);
    if (used) {
      buf_.erase(0, used);
      return v;
    }
    if (!Fill(timeout_ms)) throw std::runtime_error("timeout waiting for a reply");
  }
}

bool RespClient::ClosedByPeer(int timeout_ms) {
  try {
    while (Fill(timeout_ms)) {
    }
    return false;
  } catch (const std::runtime_error&) {
    return true;
  }
}

std::string RespClient::ReadRaw(int timeout_ms) {
  try {
    while (Fill(timeout_ms)) {
    }
  } catch (const std::runtime_error&) {
  }
  std::string s;
  s.swap(buf_);
  return s;
}

}  // namespace kevy::test
