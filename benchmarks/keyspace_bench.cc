// Micro-benchmarks of the keyspace: lookups and inserts in a Db, and a GET/SET executed
// through the full dispatcher on one shard (parse excluded).
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "engine/db.h"
#include "engine/shard.h"

namespace {

std::vector<std::string> Keys(size_t n) {
  std::vector<std::string> k;
  k.reserve(n);
  for (size_t i = 0; i < n; ++i) k.push_back("key:" + std::to_string(i * 7919 % 1000003));
  return k;
}

void BM_DbFindHit(benchmark::State& state) {
  kevy::Db db;
  auto keys = Keys(static_cast<size_t>(state.range(0)));
  for (auto& k : keys) db.Insert(k, kevy::Value("value"));
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(db.Find(keys[i], 0));
    if (++i == keys.size()) i = 0;
  }
}
BENCHMARK(BM_DbFindHit)->Arg(1000)->Arg(1000000);

void BM_DbInsert(benchmark::State& state) {
  auto keys = Keys(100000);
  for (auto _ : state) {
    kevy::Db db;
    for (auto& k : keys) db.Insert(k, kevy::Value("v"));
    benchmark::DoNotOptimize(db.size());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(keys.size()));
}
BENCHMARK(BM_DbInsert);

struct OneShard {
  OneShard() {
    kevy::RegisterAllCommands(server.commands);
    server.slots = kevy::SlotTable(1);
    server.shards.resize(1);
    shard = std::make_unique<kevy::Shard>(0, &server);
    server.shards[0] = shard.get();
  }
  kevy::ServerState server;
  std::unique_ptr<kevy::Shard> shard;
  kevy::ClientState client;
};

void BM_DispatchGetSet(benchmark::State& state) {
  OneShard s;
  auto keys = Keys(100000);
  kevy::ArgList set, get;
  size_t i = 0;
  for (auto _ : state) {
    set.clear();
    set.push_back("SET");
    set.push_back(keys[i]);
    set.push_back("some-value-of-moderate-size");
    s.shard->Dispatch(s.client, set);
    get.clear();
    get.push_back("GET");
    get.push_back(keys[i]);
    s.shard->Dispatch(s.client, get);
    s.client.out.clear();
    if (++i == keys.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations() * 2);
}
BENCHMARK(BM_DispatchGetSet);

}  // namespace

BENCHMARK_MAIN();
