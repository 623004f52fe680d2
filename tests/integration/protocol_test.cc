// Integration tests of the protocol edge: broken input, inline commands, RESP3, limits,
// clients that vanish mid-pipeline. The server must answer as Redis does and stay up.
#include <catch2/catch.hpp>
#include <string>
#include <thread>

#include "tests/support/resp_client.h"
#include "tests/support/server_process.h"

using kevy::test::RespClient;
using kevy::test::RespValue;
using kevy::test::ServerProcess;

namespace {
void ExpectAlive(int port) {
  RespClient c(port);
  REQUIRE(c.Call({"PING"}).str == "PONG");
}
}  // namespace

TEST_CASE("protocol errors answer with Redis's text and close the connection", "[integration]") {
  ServerProcess server({"--shards", "4"});
  struct Case {
    std::string input, error;
  } cases[] = {
      {"*abc\r\n", "ERR Protocol error: invalid multibulk length"},
      {"*2147483648\r\n", "ERR Protocol error: invalid multibulk length"},
      {"*1\r\n$abc\r\n", "ERR Protocol error: invalid bulk length"},
      {"*1\r\n$-5\r\n", "ERR Protocol error: invalid bulk length"},
      {"*1\r\n$600000000\r\n", "ERR Protocol error: invalid bulk length"},
      {"*1\r\n+GET\r\n", "ERR Protocol error: expected '$', got '+'"},
      {"SET \"a b\r\n", "ERR Protocol error: unbalanced quotes in request"},
      {"SET 'a'b c\r\n", "ERR Protocol error: unbalanced quotes in request"},
  };
  for (const auto& tc : cases) {
    RespClient c(server.port());
    c.SendRaw("PING\r\n" + tc.input);
    REQUIRE(c.Read().str == "PONG");
    RespValue v = c.Read();
    INFO("input " << tc.input);
    REQUIRE(v.is_error());
    REQUIRE(v.str == tc.error);
    REQUIRE(c.ClosedByPeer());
  }
  ExpectAlive(server.port());
}

TEST_CASE("an inline request longer than 64KB is refused", "[integration]") {
  ServerProcess server({"--shards", "2"});
  RespClient c(server.port());
  c.SendRaw(std::string(70 * 1024, 'a'));
  RespValue v = c.Read();
  REQUIRE(v.str == "ERR Protocol error: too big inline request");
  REQUIRE(c.ClosedByPeer());
  ExpectAlive(server.port());
}

TEST_CASE("inline commands, quoting and empty lines work", "[integration]") {
  ServerProcess server({"--shards", "4"});
  RespClient c(server.port());
  c.SendRaw("\r\n\r\nSET greeting \"hello world\\n\"\r\nGET greeting\r\nset 'it''s' x\r\n");
  REQUIRE(c.Read().str == "OK");
  REQUIRE(c.Read().str == "hello world\n");
  RespValue v = c.Read();
  REQUIRE(v.is_error());  // 'it''s' is unbalanced in sdssplitargs terms
}

TEST_CASE("requests split at every byte still parse", "[integration]") {
  ServerProcess server({"--shards", "4"});
  RespClient c(server.port());
  std::string req = RespClient::Encode({"SET", "split", "value-with-some-length"}) +
                    RespClient::Encode({"GET", "split"}) + "PING\r\n";
  for (char ch : req) {
    c.SendRaw(std::string(1, ch));
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  REQUIRE(c.Read().str == "OK");
  REQUIRE(c.Read().str == "value-with-some-length");
  REQUIRE(c.Read().str == "PONG");
}

TEST_CASE("unknown commands and wrong arity use Redis's errors", "[integration]") {
  ServerProcess server({"--shards", "2"});
  RespClient c(server.port());
  REQUIRE(c.Call({"NOSUCH", "a", "b"}).str ==
          "ERR unknown command 'NOSUCH', with args beginning with: 'a' 'b' ");
  REQUIRE(c.Call({"GET"}).str == "ERR wrong number of arguments for 'get' command");
  REQUIRE(c.Call({"PING"}).str == "PONG");
}

TEST_CASE("HELLO 3 switches the connection to RESP3 and HELLO 2 back", "[integration]") {
  ServerProcess server({"--shards", "4"});
  RespClient c(server.port());
  RespValue hello = c.Call({"HELLO", "3"});
  REQUIRE(hello.type == RespValue::kMap);
  REQUIRE(c.Call({"GET", "missing"}).type == RespValue::kNull);
  c.SendRaw(RespClient::Encode({"GET", "missing"}));
  c.Read();
  RespValue back = c.Call({"HELLO", "2"});
  REQUIRE(back.type == RespValue::kArray);
  c.SendRaw(RespClient::Encode({"GET", "missing"}));
  std::string raw = c.ReadRaw(300);
  REQUIRE(raw == "$-1\r\n");
}

TEST_CASE("QUIT answers OK and closes", "[integration]") {
  ServerProcess server({"--shards", "2"});
  RespClient c(server.port());
  c.SendRaw(RespClient::Encode({"SET", "q", "1"}) + RespClient::Encode({"QUIT"}) +
            RespClient::Encode({"SET", "q", "2"}));
  REQUIRE(c.Read().str == "OK");
  REQUIRE(c.Read().str == "OK");
  REQUIRE(c.ClosedByPeer());
  RespClient d(server.port());
  REQUIRE(d.Call({"GET", "q"}).str == "1");
}

TEST_CASE("clients that vanish mid-pipeline leave the server up", "[integration]") {
  ServerProcess server({"--shards", "4"});
  for (int round = 0; round < 20; ++round) {
    auto c = std::make_unique<RespClient>(server.port());
    std::string batch;
    for (int i = 0; i < 2000; ++i)
      batch += RespClient::Encode({"SET", "v" + std::to_string(i), std::string(100, 'x')});
    c->SendRaw(batch);
    c.reset();  // gone before reading anything
  }
  // A half-sent request, then gone.
  {
    RespClient c(server.port());
    c.SendRaw("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$100000\r\nabc");
  }
  ExpectAlive(server.port());
  RespClient c(server.port());
  REQUIRE(c.Call({"GET", "v1999"}).type != RespValue::kError);
}

TEST_CASE("a query buffer over client-query-buffer-limit closes the client", "[integration]") {
  ServerProcess server({"--shards", "2", "--client-query-buffer-limit", "1mb"});
  RespClient c(server.port());
  // A bulk declared at 2MB: the server must drop the client once 1MB is buffered.
  c.SendRaw("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2000000\r\n");
  bool closed = false;
  try {
    for (int i = 0; i < 40 && !closed; ++i) {
      c.SendRaw(std::string(65536, 'y'));
      closed = c.ClosedByPeer(10);
    }
  } catch (const std::exception&) {
    closed = true;
  }
  REQUIRE(closed);
  ExpectAlive(server.port());
}
