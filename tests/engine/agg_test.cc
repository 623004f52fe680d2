// Unit tests for engine/agg: the reducers of multi-shard commands (Agg with SumInt, AllOk and
// KeyCollect, ShardSplit, Gather) and the per-connection ReplyRing that lets replies complete
// out of order but leave in request order.
#include "engine/agg/agg.h"

#include <catch2/catch.hpp>
#include <string>
#include <utility>
#include <vector>

#include "engine/agg/reply_ring.h"

namespace kevy::agg {
namespace {

using Strings = std::vector<std::string>;

TEST_CASE("agg: Agg<SumInt> folds every part and says when the last arrived", "[agg]") {
  Agg<SumInt> a(3);
  CHECK_FALSE(a.Done());
  CHECK(a.pending() == 3u);
  CHECK_FALSE(a.Add(SumInt{2}));
  CHECK_FALSE(a.Add(SumInt{-5}));
  CHECK(a.pending() == 1u);
  CHECK(a.value().value == -3);
  CHECK(a.Add(SumInt{10}));
  CHECK(a.Done());
  CHECK(a.pending() == 0u);
  CHECK(a.value().value == 7);

  Agg<SumInt> seeded(1, SumInt{100});
  SumInt part{1};
  CHECK(seeded.Add(part));  // the const& overload
  CHECK(seeded.value().value == 101);

  Agg<SumInt> none(0);  // a command that touched no shard is done at once
  CHECK(none.Done());
  CHECK(none.value().value == 0);
}

TEST_CASE("agg: AllOk keeps the first failure", "[agg]") {
  Agg<AllOk> a(4);
  a.Add(AllOk{});
  CHECK(a.value().ok);
  a.Add(AllOk::Fail("ERR first"));
  a.Add(AllOk{});
  CHECK(a.Add(AllOk::Fail("ERR second")));
  CHECK_FALSE(a.value().ok);
  CHECK(a.value().error == "ERR first");

  AllOk ok;
  ok += AllOk{};
  CHECK(ok.ok);
  CHECK(ok.error.empty());
}

TEST_CASE("agg: ShardSplit records positions per shard in request order", "[agg]") {
  ShardSplit split(4);
  CHECK(split.Shards().empty());
  CHECK(split.NumShardsUsed() == 0u);
  // Keys at positions 0..5 owned by shards 2, 0, 2, 3, 0, 2.
  const size_t owner[] = {2, 0, 2, 3, 0, 2};
  for (size_t pos = 0; pos < 6; ++pos) split.Add(owner[pos], pos);
  CHECK(split.Shards() == std::vector<size_t>{0, 2, 3});
  CHECK(split.NumShardsUsed() == 3u);
  CHECK(split.Positions(0) == std::vector<size_t>{1, 4});
  CHECK(split.Positions(1).empty());
  CHECK(split.Positions(2) == std::vector<size_t>{0, 2, 5});
  CHECK(split.Positions(3) == std::vector<size_t>{3});
}

TEST_CASE("agg: Gather puts each shard's results back at their request positions", "[agg]") {
  ShardSplit split(3);
  const size_t owner[] = {1, 1, 0, 2, 0};
  for (size_t pos = 0; pos < 5; ++pos) split.Add(owner[pos], pos);
  Gather<std::string> g(5);
  // Parts arrive in any order; each is the results for that shard's positions, in order.
  g.Place(split.Positions(2), Strings{"v3"});
  g.Place(split.Positions(0), Strings{"v2", "v4"});
  g.Place(split.Positions(1), Strings{"v0", "v1"});
  CHECK(g.results() == Strings{"v0", "v1", "v2", "v3", "v4"});

  Gather<int> empty(0);
  CHECK(empty.results().empty());
}

TEST_CASE("agg: KeyCollect concatenates up to its limit", "[agg]") {
  Agg<KeyCollect> all(2);
  all.Add(KeyCollect{{"a", "b"}, 0});
  CHECK(all.Add(KeyCollect{{"c"}, 0}));
  CHECK(all.value().keys == Strings{"a", "b", "c"});

  KeyCollect limited;
  limited.limit = 3;
  Agg<KeyCollect> some(3, limited);
  some.Add(KeyCollect{{"a", "b"}, 0});
  some.Add(KeyCollect{{"c", "d", "e"}, 0});  // only "c" fits
  KeyCollect last{{"f"}, 0};
  CHECK(some.Add(last));  // the const& overload honours the limit too
  CHECK(some.value().keys == Strings{"a", "b", "c"});
  CHECK(last.keys == Strings{"f"});  // a const part is copied, not moved from
}

TEST_CASE("reply ring: out-of-order completion drains in order", "[agg][reply_ring]") {
  ReplyRing ring;
  CHECK(ring.empty());
  CHECK(ring.next_seq() == 0u);
  uint64_t s0 = ring.Reserve(), s1 = ring.Reserve(), s2 = ring.Reserve();
  CHECK(s0 == 0u);
  CHECK(s1 == 1u);
  CHECK(s2 == 2u);
  CHECK(ring.size() == 3u);
  CHECK(ring.next_seq() == 3u);

  std::string out;
  auto sink = [&](std::string& bytes) { out += bytes; };

  ring.Buffer(s2) = "+third\r\n";
  ring.Complete(s2);
  ring.Buffer(s1) = "+second\r\n";
  ring.Complete(s1);
  CHECK(ring.Drain(sink) == 0u);  // the head is not ready: nothing may leave
  CHECK(out.empty());
  CHECK_FALSE(ring.IsReady(s0));
  CHECK(ring.IsReady(s1));

  ring.Buffer(s0) = "+first\r\n";
  ring.Complete(s0);
  CHECK(ring.Drain(sink) == 3u);
  CHECK(out == "+first\r\n+second\r\n+third\r\n");
  CHECK(ring.empty());
  CHECK(ring.IsReady(s0));  // drained slots count as ready
  CHECK(ring.next_seq() == 3u);
}

TEST_CASE("reply ring: partial drains keep the rest pending", "[agg][reply_ring]") {
  ReplyRing ring;
  std::vector<std::string> sent;
  auto sink = [&](std::string& bytes) { sent.push_back(bytes); };
  std::vector<uint64_t> seq;
  for (int i = 0; i < 6; ++i) seq.push_back(ring.Reserve());
  for (int i : {0, 1, 3, 5}) {
    ring.Buffer(seq[i]) = "r" + std::to_string(i);
    ring.Complete(seq[i]);
  }
  CHECK(ring.Drain(sink) == 2u);  // 0 and 1; 2 blocks the rest
  CHECK(sent == Strings{"r0", "r1"});
  CHECK(ring.size() == 4u);

  // A new command arriving now queues behind the pending ones, even if it answers at once.
  uint64_t late = ring.Reserve();
  CHECK(late == 6u);
  ring.Buffer(late) = "r6";
  ring.Complete(late);
  CHECK(ring.Drain(sink) == 0u);

  ring.Buffer(seq[2]) = "r2";
  ring.Complete(seq[2]);
  CHECK(ring.Drain(sink) == 2u);  // 2 and 3; 4 still pending
  CHECK(sent == Strings{"r0", "r1", "r2", "r3"});
  ring.Buffer(seq[4]) = "r4";  // a reply may be written in several pieces before completing
  ring.Buffer(seq[4]) += "!";
  ring.Complete(seq[4]);
  CHECK(ring.Drain(sink) == 3u);
  CHECK(sent == Strings{"r0", "r1", "r2", "r3", "r4!", "r5", "r6"});
  CHECK(ring.empty());

  // Sequence numbers keep counting across drains.
  CHECK(ring.Reserve() == 7u);
}

TEST_CASE("reply ring: many interleavings all come out in order", "[agg][reply_ring]") {
  // Complete slots in a scrambled order, draining after every completion.
  ReplyRing ring;
  std::string out, want;
  auto sink = [&](std::string& bytes) { out += bytes; };
  const int n = 200;
  std::vector<uint64_t> seqs;
  for (int i = 0; i < n; ++i) {
    seqs.push_back(ring.Reserve());
    want += std::to_string(i) + ",";
  }
  for (int k = 0; k < n; ++k) {
    int i = (k * 37) % n;  // 37 is coprime with 200: a permutation
    ring.Buffer(seqs[i]) = std::to_string(i) + ",";
    ring.Complete(seqs[i]);
    ring.Drain(sink);
    CHECK(want.compare(0, out.size(), out) == 0);  // what left is always a prefix
  }
  CHECK(out == want);
  CHECK(ring.empty());
}

}  // namespace
}  // namespace kevy::agg
