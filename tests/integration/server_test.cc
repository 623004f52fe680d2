// Integration tests of the runtime: the real binary, over TCP, with 1 and 4 shards (more
// shards than cores exposes routing and ordering bugs).
#include <signal.h>
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <atomic>
#include <fstream>
#include <map>
#include <sstream>
#include <chrono>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/resp_client.h"
#include "tests/support/server_process.h"

using kevy::test::RespClient;
using kevy::test::RespValue;
using kevy::test::ServerProcess;

namespace {

std::vector<std::string> ShardArgs(int shards) { return {"--shards", std::to_string(shards)}; }

}  // namespace

TEST_CASE("pipelines of mixed commands across shards come back in order", "[integration]") {
  for (int shards : {1, 4}) {
    ServerProcess server(ShardArgs(shards));
    RespClient c(server.port());
    std::mt19937 rng(42 + shards);
    // 5000 commands: SET/GET/INCR/DEL/MGET on random keys, all pipelined in one go.
    std::map<std::string, std::string> model;
    std::vector<std::vector<std::string>> cmds;
    std::vector<std::string> expect;
    for (int i = 0; i < 5000; ++i) {
      std::string k = "key:" + std::to_string(rng() % 300);
      int op = static_cast<int>(rng() % 5);
      if (op == 0) {
        std::string v = "v" + std::to_string(i);
        cmds.push_back({"SET", k, v});
        model[k] = v;
        expect.push_back("OK");
      } else if (op == 1) {
        cmds.push_back({"GET", k});
        expect.push_back(model.count(k) ? "\"" + model[k] + "\"" : "(nil)");
      } else if (op == 2) {
        std::string ik = "ctr:" + std::to_string(rng() % 50);
        cmds.push_back({"INCR", ik});
        long v = model.count(ik) ? std::stol(model[ik]) + 1 : 1;
        model[ik] = std::to_string(v);
        expect.push_back("(integer) " + std::to_string(v));
      } else if (op == 3) {
        cmds.push_back({"DEL", k});
        expect.push_back(std::string("(integer) ") + (model.erase(k) ? "1" : "0"));
      } else {
        std::string k2 = "key:" + std::to_string(rng() % 300);
        cmds.push_back({"MGET", k, k2});
        std::string e = "[";
        e += model.count(k) ? "\"" + model[k] + "\"" : "(nil)";
        e += ", ";
        e += model.count(k2) ? "\"" + model[k2] + "\"" : "(nil)";
        e += "]";
        expect.push_back(e);
      }
    }
    std::string all;
    for (auto& cmd : cmds) all += RespClient::Encode(cmd);
    c.SendRaw(all);
    for (size_t i = 0; i < cmds.size(); ++i) {
      RespValue v = c.Read();
      INFO("shards=" << shards << " command #" << i << ": " << cmds[i][0] << " " << cmds[i][1]);
      REQUIRE(v.ToString() == expect[i]);
    }
  }
}

TEST_CASE("many clients pipelining concurrently each see their own order", "[integration]") {
  ServerProcess server(ShardArgs(4));
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      RespClient c(server.port());
      std::string batch;
      for (int i = 0; i < 1000; ++i) {
        batch += RespClient::Encode({"SET", "c" + std::to_string(t) + ":" + std::to_string(i),
                                     std::to_string(i)});
        batch += RespClient::Encode({"GET", "c" + std::to_string(t) + ":" + std::to_string(i)});
      }
      c.SendRaw(batch);
      for (int i = 0; i < 1000; ++i) {
        if (c.Read().str != "OK") ++failures;
        if (c.Read().str != std::to_string(i)) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  REQUIRE(failures == 0);
  RespClient c(server.port());
  REQUIRE(c.Call({"DBSIZE"}).integer == 8000);
}

TEST_CASE("expiry really removes keys", "[integration]") {
  ServerProcess server(ShardArgs(4));
  RespClient c(server.port());
  for (int i = 0; i < 200; ++i) c.Call({"SET", "e" + std::to_string(i), "x", "PX", "100"});
  for (int i = 0; i < 50; ++i) c.Call({"SET", "p" + std::to_string(i), "x"});
  REQUIRE(c.Call({"DBSIZE"}).integer == 250);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  // Nobody touched the volatile keys: only active expiry can have removed them.
  REQUIRE(c.Call({"DBSIZE"}).integer == 50);
  REQUIRE(c.Call({"GET", "e7"}).is_null());
  RespValue info = c.Call({"INFO", "stats"});
  REQUIRE(info.str.find("expired_keys:200") != std::string::npos);
}

TEST_CASE("SCAN visits every key exactly once when nothing changes", "[integration]") {
  for (int shards : {1, 4}) {
    ServerProcess server(ShardArgs(shards));
    RespClient c(server.port());
    std::string batch;
    for (int i = 0; i < 3000; ++i) batch += RespClient::Encode({"SET", "s:" + std::to_string(i), "v"});
    c.SendRaw(batch);
    for (int i = 0; i < 3000; ++i) REQUIRE(c.Read().str == "OK");
    std::multiset<std::string> seen;
    std::string cursor = "0";
    int calls = 0;
    do {
      RespValue r = c.Call({"SCAN", cursor, "COUNT", "37"});
      REQUIRE(r.type == RespValue::kArray);
      REQUIRE(r.elems.size() == 2);
      cursor = r.elems[0].str;
      for (auto& k : r.elems[1].elems) seen.insert(k.str);
      REQUIRE(++calls < 10000);
    } while (cursor != "0");
    REQUIRE(seen.size() == 3000);
    std::set<std::string> unique(seen.begin(), seen.end());
    REQUIRE(unique.size() == 3000);
  }
}

TEST_CASE("a 20 MB value round-trips intact", "[integration]") {
  ServerProcess server(ShardArgs(4));
  RespClient c(server.port());
  std::string big(20 * 1024 * 1024, 'x');
  for (size_t i = 0; i < big.size(); i += 4093) big[i] = static_cast<char>('a' + i % 26);
  REQUIRE(c.Call({"SET", "big", big}).str == "OK");
  RespValue v = c.Call({"GET", "big"});
  REQUIRE(v.type == RespValue::kBulk);
  REQUIRE(v.str.size() == big.size());
  REQUIRE(v.str == big);
  REQUIRE(c.Call({"STRLEN", "big"}).integer == static_cast<int64_t>(big.size()));
}

TEST_CASE("1000 concurrent connections work", "[integration]") {
  ServerProcess server(ShardArgs(4));
  std::vector<std::unique_ptr<RespClient>> clients;
  for (int i = 0; i < 1000; ++i) clients.push_back(std::make_unique<RespClient>(server.port()));
  for (int i = 0; i < 1000; ++i) clients[i]->Send({"SET", "conn:" + std::to_string(i), std::to_string(i)});
  for (int i = 0; i < 1000; ++i) REQUIRE(clients[i]->Read().str == "OK");
  for (int i = 0; i < 1000; ++i) clients[i]->Send({"GET", "conn:" + std::to_string((i + 1) % 1000)});
  for (int i = 0; i < 1000; ++i) REQUIRE(clients[i]->Read().str == std::to_string((i + 1) % 1000));
  RespValue info = clients[0]->Call({"INFO", "clients"});
  REQUIRE(info.str.find("connected_clients:1000") != std::string::npos);
}

TEST_CASE("SIGTERM and SHUTDOWN stop the server cleanly", "[integration]") {
  {
    ServerProcess server(ShardArgs(4));
    RespClient c(server.port());
    REQUIRE(c.Call({"SET", "a", "1"}).str == "OK");
    int status = server.StopWith(SIGTERM);
    REQUIRE(status != -1);
    REQUIRE(WIFEXITED(status));
    REQUIRE(WEXITSTATUS(status) == 0);
  }
  {
    ServerProcess server(ShardArgs(2));
    RespClient c(server.port());
    c.Send({"SHUTDOWN", "NOSAVE"});
    REQUIRE(c.ClosedByPeer(5000));
    int status = server.WaitExit(10000);
    REQUIRE(status != -1);
    REQUIRE(WIFEXITED(status));
    REQUIRE(WEXITSTATUS(status) == 0);
  }
}

TEST_CASE("an idle server uses no CPU", "[integration]") {
  ServerProcess server(ShardArgs(4));
  auto cpu_ticks = [&] {
    std::ifstream f("/proc/" + std::to_string(server.pid()) + "/stat");
    std::string s((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    auto close_paren = s.rfind(')');
    std::istringstream in(s.substr(close_paren + 2));
    std::string field;
    long utime = 0, stime = 0;
    for (int i = 3; i <= 15; ++i) {
      in >> field;
      if (i == 14) utime = std::stol(field);
      if (i == 15) stime = std::stol(field);
    }
    return utime + stime;
  };
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  long before = cpu_ticks();
  std::this_thread::sleep_for(std::chrono::seconds(2));
  long after = cpu_ticks();
  // 4 shards, 2 seconds: a spinning loop would burn ~400 ticks; cron at hz 10 costs ~0.
  REQUIRE(after - before <= 5);
}

TEST_CASE("a pipeline after a cross-shard RENAME sees its result", "[integration]") {
  ServerProcess server(ShardArgs(4));
  RespClient c(server.port());
  std::string batch;
  for (int i = 0; i < 200; ++i) {
    std::string a = "ra" + std::to_string(i), b = "rb" + std::to_string(i);
    batch += RespClient::Encode({"SET", a, std::to_string(i)});
    batch += RespClient::Encode({"RENAME", a, b});
    batch += RespClient::Encode({"GET", b});
    batch += RespClient::Encode({"EXISTS", a});
  }
  c.SendRaw(batch);
  for (int i = 0; i < 200; ++i) {
    REQUIRE(c.Read().str == "OK");
    REQUIRE(c.Read().str == "OK");
    REQUIRE(c.Read().str == std::to_string(i));
    REQUIRE(c.Read().integer == 0);
  }
}

TEST_CASE("requirepass: commands need AUTH first", "[integration]") {
  ServerProcess server({"--shards", "2", "--requirepass", "s3cret"}, /*wait_ready=*/false);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  RespClient c(server.port());
  REQUIRE(c.Call({"GET", "x"}).str == "NOAUTH Authentication required.");
  REQUIRE(c.Call({"AUTH", "wrong"}).is_error());
  REQUIRE(c.Call({"AUTH", "s3cret"}).str == "OK");
  REQUIRE(c.Call({"SET", "x", "1"}).str == "OK");
  REQUIRE(c.Call({"GET", "x"}).str == "1");
}
