// Micro-benchmarks of the RESP request parser on the shapes a cache server sees most:
// pipelines of 16 small GET / SET requests (memtier/redis-benchmark -P 16), inline
// requests, and the re-parse of a partially received big bulk.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <string>
#include <vector>

#include "resp/parser.h"

namespace kevy {
namespace {

std::string Multibulk(const std::vector<std::string>& args) {
  // append() rather than operator+ chains: g++ 12 warns falsely (-Wrestrict) on those.
  std::string s("*");
  s.append(std::to_string(args.size())).append("\r\n");
  for (const auto& a : args) {
    s.append("$").append(std::to_string(a.size())).append("\r\n").append(a).append("\r\n");
  }
  return s;
}

std::string Key(int i) {
  char buf[16];
  snprintf(buf, sizeof(buf), "key:%06d", i);
  return buf;
}

constexpr int kPipeline = 16;

// Parses every request of `pipeline` with one reused ArgList, as a connection does.
void ParseAll(benchmark::State& state, const std::string& pipeline) {
  ArgList args;
  ParserLimits limits;
  for (auto _ : state) {
    std::string_view rest = pipeline;
    while (!rest.empty()) {
      ParseResult r = ParseRequest(rest, limits, &args);
      if (r.status != ParseStatus::kOk) {
        state.SkipWithError("parse failed");
        return;
      }
      benchmark::DoNotOptimize(args.views().data());
      rest.remove_prefix(r.consumed);
    }
  }
  state.SetItemsProcessed(state.iterations() * kPipeline);
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(pipeline.size()));
}

void BM_ParsePipelineGet(benchmark::State& state) {
  std::string pipeline;
  for (int i = 0; i < kPipeline; ++i) pipeline += Multibulk({"GET", Key(123 + i)});
  ParseAll(state, pipeline);
}
BENCHMARK(BM_ParsePipelineGet);

void BM_ParsePipelineSet(benchmark::State& state) {
  std::string pipeline;
  for (int i = 0; i < kPipeline; ++i) {
    pipeline += Multibulk({"SET", Key(123 + i), std::string(64, static_cast<char>('a' + i))});
  }
  ParseAll(state, pipeline);
}
BENCHMARK(BM_ParsePipelineSet);

void BM_ParsePipelineInlineGet(benchmark::State& state) {
  std::string pipeline;
  for (int i = 0; i < kPipeline; ++i) pipeline += "GET " + Key(123 + i) + "\r\n";
  ParseAll(state, pipeline);
}
BENCHMARK(BM_ParsePipelineInlineGet);

// A 20 MB SET whose payload has partly arrived: each new chunk re-parses only the headers.
void BM_ParseIncompleteBigBulk(benchmark::State& state) {
  const size_t kLen = 20 * 1024 * 1024;
  std::string in = "*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$" + std::to_string(kLen) + "\r\n";
  in.append(kLen / 2, 'z');
  ArgList args;
  ParserLimits limits;
  for (auto _ : state) {
    ParseResult r = ParseRequest(in, limits, &args);
    benchmark::DoNotOptimize(r.need);
  }
}
BENCHMARK(BM_ParseIncompleteBigBulk);

}  // namespace
}  // namespace kevy

BENCHMARK_MAIN();
