// Micro-benchmarks of the RESP reply writer: what a pipeline of 16 GET / INCR / SET
// replies costs to encode into a reused output buffer, plus the double formatter.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>

#include "resp/reply.h"

namespace kevy {
namespace {

constexpr int kPipeline = 16;

void BM_Bulk16(benchmark::State& state) {
  std::string value(static_cast<size_t>(state.range(0)), 'v');
  std::string out;
  for (auto _ : state) {
    out.clear();  // keeps the capacity, as a connection's output buffer does
    ReplyBuilder rb(&out);
    for (int i = 0; i < kPipeline; ++i) rb.Bulk(value);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * kPipeline);
}
BENCHMARK(BM_Bulk16)->Arg(64)->Arg(1024);

void BM_Integer16(benchmark::State& state) {
  std::string out;
  int64_t values[kPipeline];
  for (int i = 0; i < kPipeline; ++i) values[i] = (int64_t{1} << (i * 4)) - 7 * i;
  for (auto _ : state) {
    out.clear();
    ReplyBuilder rb(&out);
    for (int64_t v : values) rb.Integer(v);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * kPipeline);
}
BENCHMARK(BM_Integer16);

void BM_Ok16(benchmark::State& state) {
  std::string out;
  for (auto _ : state) {
    out.clear();
    ReplyBuilder rb(&out);
    for (int i = 0; i < kPipeline; ++i) rb.Ok();
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * kPipeline);
}
BENCHMARK(BM_Ok16);

void BM_NullAndArray16(benchmark::State& state) {
  std::string out;
  for (auto _ : state) {
    out.clear();
    ReplyBuilder rb(&out, 3);
    for (int i = 0; i < kPipeline; ++i) {
      rb.ArrayHeader(2);
      rb.Bulk("member");
      rb.Null();
    }
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * kPipeline);
}
BENCHMARK(BM_NullAndArray16);

void BM_Double16(benchmark::State& state) {
  std::string out;
  double values[kPipeline];
  for (int i = 0; i < kPipeline; ++i) values[i] = 1.1 * i + 0.2 / (i + 1);
  for (auto _ : state) {
    out.clear();
    ReplyBuilder rb(&out);
    for (double v : values) rb.Double(v);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * kPipeline);
}
BENCHMARK(BM_Double16);

void BM_FormatLongDouble(benchmark::State& state) {
  long double v = 10.5L;
  for (auto _ : state) {
    v += 0.1L;
    benchmark::DoNotOptimize(FormatLongDouble(v));
  }
}
BENCHMARK(BM_FormatLongDouble);

}  // namespace
}  // namespace kevy

BENCHMARK_MAIN();
