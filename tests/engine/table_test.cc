// Unit tests for engine/table (the keyspace hash table) and engine/db (a database over it).
//
// Table: insert/find/unlink through growth and shrink, incremental rehashing step by step,
// Random(), and the SCAN guarantee -- a full scan reports every key present for the whole
// scan at least once, however the table grows, shrinks or rehashes between calls, and
// exactly once when nothing changes. Db: lazy expiry, the volatile-key index, active
// expiry (including its time budget), Detach/Adopt keeping TTLs, random keys.
#include "engine/table.h"

#include <catch2/catch.hpp>
#include <iterator>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "engine/db.h"
#include "engine/shard_stats.h"

namespace kevy {
namespace {

// splitmix64: a deterministic generator, so every run takes the same path.
uint64_t NextRandom(void* state) {
  uint64_t z = (*static_cast<uint64_t*>(state) += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

std::string Key(int i) { return "key:" + std::to_string(i); }

void Add(Table& t, const std::string& k) {
  auto* e = new Entry;
  e->key = k;
  e->hash = HashKey(k);
  t.Insert(e);
}

bool Del(Table& t, const std::string& k) {
  Entry* e = t.Unlink(k, HashKey(k));
  bool found = e != nullptr;
  if (found) CHECK(e->key == k);
  delete e;
  return found;
}

void FinishRehash(Table& t) {
  while (t.RehashStep(100)) {
  }
}

std::multiset<std::string> Contents(const Table& t) {
  std::multiset<std::string> out;
  t.ForEach([&](Entry* e) { out.insert(e->key); });
  return out;
}

// A full scan; counts how often each key was reported. `between` runs between steps.
template <class Between>
std::map<std::string, int> FullScan(Table& t, Between&& between) {
  std::map<std::string, int> seen;
  uint64_t cursor = 0;
  size_t steps = 0;
  do {
    cursor = t.Scan(cursor, [&](Entry* e) { ++seen[e->key]; });
    between();
    REQUIRE(++steps < 10'000'000);  // the cursor must come back to 0
  } while (cursor != 0);
  return seen;
}

std::map<std::string, int> FullScan(Table& t) {
  return FullScan(t, [] {});
}

TEST_CASE("table: insert, find and unlink across growth and shrink", "[table]") {
  Table t;
  CHECK(t.empty());
  CHECK(t.Find("nothing") == nullptr);
  CHECK(t.Unlink("nothing", HashKey("nothing")) == nullptr);
  const int n = 20000;
  for (int i = 0; i < n; ++i) {
    Add(t, Key(i));
    if (i % 2500 == 0) {
      for (int j = 0; j <= i; ++j) REQUIRE(t.Find(Key(j)) != nullptr);
    }
  }
  CHECK(t.size() == static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    Entry* e = t.Find(Key(i));
    REQUIRE(e != nullptr);
    CHECK(e->key == Key(i));
    CHECK(e->hash == HashKey(Key(i)));
  }
  CHECK(t.Find(Key(n)) == nullptr);

  // Remove three quarters; removing twice finds nothing.
  for (int i = 0; i < n; ++i)
    if (i % 4 != 0) REQUIRE(Del(t, Key(i)));
  for (int i = 1; i < n; i += 4) CHECK_FALSE(Del(t, Key(i)));
  CHECK(t.size() == static_cast<size_t>(n / 4));

  // Shrink until the table stops shrinking; every survivor stays reachable.
  FinishRehash(t);
  for (int round = 0; round < 40; ++round) {
    t.MaybeShrink();
    if (!t.rehashing()) break;
    while (t.rehashing()) {
      t.RehashStep(1);
      REQUIRE(Contents(t).size() == t.size());
    }
  }
  for (int i = 0; i < n; ++i) CHECK((t.Find(Key(i)) != nullptr) == (i % 4 == 0));
  CHECK(Contents(t).size() == t.size());

  // Grow again after the shrink, then empty the table completely.
  for (int i = n; i < n + 3000; ++i) Add(t, Key(i));
  for (int i = 0; i < n + 3000; ++i) Del(t, Key(i));
  CHECK(t.empty());
  CHECK(t.Find(Key(0)) == nullptr);
  CHECK(t.Scan(0, [](Entry*) { FAIL("an empty table has nothing to scan"); }) == 0);
}

TEST_CASE("table: incremental rehash keeps every entry exactly once", "[table]") {
  Table t;
  std::multiset<std::string> want;
  int i = 0;
  // Insert until a resize of a table of 1000+ keys starts.
  while (true) {
    Add(t, Key(i));
    want.insert(Key(i));
    ++i;
    REQUIRE(i < 100000);
    if (t.rehashing()) {
      if (want.size() >= 1000) break;
      FinishRehash(t);
    }
  }
  CHECK(Contents(t) == want);
  // Step it through, one bucket at a time, checking the contents and lookups at each step;
  // inserts and unlinks land correctly mid-rehash.
  int steps = 0;
  while (t.rehashing()) {
    t.RehashStep(1);
    REQUIRE(Contents(t) == want);
    if (steps % 3 == 0) {
      Add(t, Key(i));
      want.insert(Key(i));
      ++i;
    }
    if (steps % 5 == 0 && !want.empty()) {
      std::string victim = *want.begin();
      REQUIRE(Del(t, victim));
      want.erase(want.find(victim));
    }
    // Lookups advance the rehash too, so probe just a couple of keys per step.
    REQUIRE(t.Find(*want.begin()) != nullptr);
    REQUIRE(t.Find(*want.rbegin()) != nullptr);
    ++steps;
    REQUIRE(steps < 100000);
  }
  CHECK(steps > 100);
  CHECK(Contents(t) == want);
  CHECK(t.size() == want.size());
}

TEST_CASE("table: a scan with no changes reports each key exactly once", "[table][scan]") {
  for (int n : {1, 2, 5, 17, 100, 1000, 5000}) {
    INFO("keys " << n);
    Table t;
    for (int i = 0; i < n; ++i) Add(t, Key(i));
    FinishRehash(t);
    auto seen = FullScan(t);
    REQUIRE(seen.size() == static_cast<size_t>(n));
    for (auto& [k, c] : seen) REQUIRE(c == 1);
  }
  SECTION("frozen in the middle of growing") {
    Table t;
    int i = 0;
    while (true) {
      Add(t, Key(i++));
      if (t.rehashing()) {
        if (i >= 1000) break;
        FinishRehash(t);
      }
    }
    for (int s = 0; s < 3; ++s) t.RehashStep(1);
    REQUIRE(t.rehashing());
    auto seen = FullScan(t);
    REQUIRE(seen.size() == static_cast<size_t>(i));
    for (auto& [k, c] : seen) REQUIRE(c == 1);
  }
  SECTION("frozen in the middle of shrinking") {
    Table t;
    for (int i = 0; i < 4096; ++i) Add(t, Key(i));
    FinishRehash(t);
    for (int i = 40; i < 4096; ++i) Del(t, Key(i));
    FinishRehash(t);
    t.MaybeShrink();
    REQUIRE(t.rehashing());
    t.RehashStep(1);
    REQUIRE(t.rehashing());
    auto seen = FullScan(t);
    REQUIRE(seen.size() == 40u);
    for (auto& [k, c] : seen) REQUIRE(c == 1);
  }
}

TEST_CASE("table: the scan guarantee holds while the table grows", "[table][scan]") {
  Table t;
  std::set<std::string> stable;
  for (int i = 0; i < 500; ++i) {
    Add(t, Key(i));
    stable.insert(Key(i));
  }
  int next = 1000000;
  size_t grown_from = 0, grown_to = 0;
  // Several doublings during the scan. (Growth must stop at some point: a table that keeps
  // growing as fast as the cursor advances would never let the scan end.)
  auto seen = FullScan(t, [&] {
    if (!grown_from) grown_from = t.size();
    if (t.size() < 20000)
      for (int j = 0; j < 60; ++j) Add(t, Key(next++));
    grown_to = t.size();
  });
  CHECK(grown_to > 8 * grown_from);
  for (const std::string& k : stable) {
    INFO(k);
    CHECK(seen.count(k) == 1);
  }
}

TEST_CASE("table: the scan guarantee holds while the table shrinks", "[table][scan]") {
  Table t;
  std::set<std::string> stable;
  for (int i = 0; i < 40; ++i) {
    Add(t, Key(i));
    stable.insert(Key(i));
  }
  std::vector<std::string> churn;
  for (int i = 0; i < 30000; ++i) {
    churn.push_back(Key(1000000 + i));
    Add(t, churn.back());
  }
  FinishRehash(t);
  int shrinks = 0;
  auto seen = FullScan(t, [&] {
    for (int j = 0; j < 100 && !churn.empty(); ++j) {
      Del(t, churn.back());
      churn.pop_back();
    }
    bool was = t.rehashing();
    t.MaybeShrink();
    if (!was && t.rehashing()) ++shrinks;
    t.RehashStep(50);
  });
  CHECK(shrinks >= 3);
  for (const std::string& k : stable) {
    INFO(k);
    CHECK(seen.count(k) == 1);
  }
}

TEST_CASE("table: the scan guarantee under random churn", "[table][scan]") {
  for (uint64_t seed = 1; seed <= 12; ++seed) {
    INFO("seed " << seed);
    uint64_t rng = seed;
    Table t;
    std::set<std::string> stable, churn, ever;
    int n_stable = 50 + static_cast<int>(NextRandom(&rng) % 500);
    for (int i = 0; i < n_stable; ++i) {
      Add(t, Key(i));
      stable.insert(Key(i));
      ever.insert(Key(i));
    }
    int next = 1000000;
    int n_churn = static_cast<int>(NextRandom(&rng) % 5000);
    for (int i = 0; i < n_churn; ++i) {
      churn.insert(Key(next));
      ever.insert(Key(next));
      Add(t, Key(next++));
    }
    auto seen = FullScan(t, [&] {
      switch (NextRandom(&rng) % 5) {
        case 0:  // a burst of inserts (growth)
          for (int j = 0, m = static_cast<int>(NextRandom(&rng) % 200);
               j < m && churn.size() < 20000; ++j) {
            churn.insert(Key(next));
            ever.insert(Key(next));
            Add(t, Key(next++));
          }
          break;
        case 1:  // a burst of deletes, then a chance to shrink
        case 2:
          for (int j = 0, m = static_cast<int>(NextRandom(&rng) % 300); j < m && !churn.empty();
               ++j) {
            auto it = churn.begin();
            std::advance(it, NextRandom(&rng) % churn.size());
            REQUIRE(Del(t, *it));
            churn.erase(it);
          }
          t.MaybeShrink();
          break;
        case 3:
          t.RehashStep(static_cast<int>(NextRandom(&rng) % 8) + 1);
          break;
        default:
          break;  // no change
      }
    });
    for (const std::string& k : stable) {
      INFO(k);
      CHECK(seen.count(k) == 1);
    }
    for (auto& [k, c] : seen) CHECK(ever.count(k) == 1);  // nothing invented
  }
}

TEST_CASE("table: Random returns members, reaching all of them", "[table]") {
  Table t;
  uint64_t rng = 42;
  CHECK(t.Random(NextRandom, &rng) == nullptr);
  std::set<std::string> keys;
  for (int i = 0; i < 8; ++i) {
    Add(t, Key(i));
    keys.insert(Key(i));
  }
  std::set<std::string> got;
  for (int i = 0; i < 2000; ++i) {
    Entry* e = t.Random(NextRandom, &rng);
    REQUIRE(e != nullptr);
    REQUIRE(keys.count(e->key) == 1);
    got.insert(e->key);
  }
  CHECK(got == keys);

  // Also while a resize is under way (both bucket arrays hold entries).
  Table big;
  std::set<std::string> members;
  int i = 0;
  while (!big.rehashing()) {
    Add(big, Key(i));
    members.insert(Key(i++));
  }
  for (int s = 0; s < 200; ++s) {
    Entry* e = big.Random(NextRandom, &rng);
    REQUIRE(e != nullptr);
    REQUIRE(members.count(e->key) == 1);
  }
}

TEST_CASE("table: moving a table moves its entries", "[table]") {
  Table a;
  for (int i = 0; i < 100; ++i) Add(a, Key(i));
  Table b(std::move(a));
  CHECK(a.empty());
  CHECK(b.size() == 100u);
  CHECK(b.Find(Key(7)) != nullptr);
  Table c;
  Add(c, "old");
  c = std::move(b);
  CHECK(c.size() == 100u);
  CHECK(c.Find("old") == nullptr);
  CHECK(c.Find(Key(99)) != nullptr);
}

TEST_CASE("table: InsertIfAbsent links new keys once, across growth and rehash", "[table]") {
  Table t;
  std::vector<Entry*> spare;
  for (int i = 0; i < 3000; ++i) {
    auto* e = new Entry;
    e->key = Key(i);
    e->hash = HashKey(e->key);
    REQUIRE(t.InsertIfAbsent(e) == nullptr);
    if (i % 3 == 0) t.RehashStep(1);  // keep a rehash in progress part of the time
    // A second entry with a key present (in either table) is refused; the first is returned.
    auto* dup = new Entry;
    dup->key = Key(i / 2);
    dup->hash = HashKey(dup->key);
    Entry* have = t.InsertIfAbsent(dup);
    REQUIRE(have != nullptr);
    CHECK(have->key == dup->key);
    CHECK(have != dup);
    delete dup;
  }
  CHECK(t.size() == 3000u);
  FinishRehash(t);
  auto seen = FullScan(t);
  CHECK(seen.size() == 3000u);
  for (auto& [k, n] : seen) CHECK(n == 1);
}

TEST_CASE("table: RehashAll completes a rehash at once, wherever it stood", "[table]") {
  for (int steps : {0, 1, 7, 100}) {
    Table t;
    for (int i = 0; i < 4096; ++i) Add(t, Key(i));
    FinishRehash(t);
    Add(t, Key(4096));  // past 4096 buckets: a rehash starts
    REQUIRE(t.rehashing());
    for (int i = 0; i < steps; ++i) t.RehashStep(1);
    t.RehashAll();
    CHECK_FALSE(t.rehashing());
    t.RehashAll();  // nothing to do
    CHECK(t.size() == 4097u);
    for (int i = 0; i <= 4096; ++i) REQUIRE(t.Find(Key(i)) != nullptr);
    auto seen = FullScan(t);
    CHECK(seen.size() == 4097u);
    for (auto& [k, n] : seen) CHECK(n == 1);
  }
}

TEST_CASE("table: Reserve sizes an empty table so filling it never rehashes", "[table]") {
  Table t;
  t.Reserve(5000);
  for (int i = 0; i < 5000; ++i) {
    Add(t, Key(i));
    REQUIRE_FALSE(t.rehashing());
  }
  Add(t, Key(5000));  // past the reservation (8192 buckets): still fine
  for (int i = 5001; i < 9000; ++i) Add(t, Key(i));
  CHECK(t.size() == 9000u);
  CHECK(t.Find(Key(4321)) != nullptr);
  // A table with entries ignores it; a reservation on a used-then-emptied table works.
  t.Reserve(1 << 20);
  CHECK(t.size() == 9000u);
  CHECK(t.Find(Key(8999)) != nullptr);
  t.Clear();
  t.Reserve(100);
  for (int i = 0; i < 100; ++i) {
    Add(t, Key(i));
    REQUIRE_FALSE(t.rehashing());
  }
  CHECK(FullScan(t).size() == 100u);
}

// ----------------------------------------------------------------------------------------
// Db

int64_t ClockPastDeadline() { return 1; }
int64_t ClockNever() { return 0; }

TEST_CASE("db: lazy expiry on lookup", "[db]") {
  ShardStats stats;
  Db db(&stats);
  std::vector<std::string> expired;
  db.on_expire = [&](const Entry& e) { expired.push_back(e.key); };
  Entry* e = db.Insert("k", Value("v"));
  db.SetExpire(e, 1000);
  CHECK(db.expires() == 1u);
  CHECK(db.Find("k", 999) == e);
  CHECK(db.FindRaw("k") == e);
  CHECK(db.Find("k", 1000) == nullptr);  // due at 1000: gone
  CHECK(db.size() == 0u);
  CHECK(db.expires() == 0u);
  CHECK(stats.expired_keys == 1u);
  CHECK(expired == std::vector<std::string>{"k"});
  CHECK(db.Find("k", 1000) == nullptr);
  CHECK(stats.expired_keys == 1u);

  // FindOrCreate over an expired key creates a fresh, persistent one.
  Entry* f = db.Insert("f", Value("old"));
  db.SetExpire(f, 10);
  bool created = false;
  Entry* g = db.FindOrCreate("f", 20, &created);
  CHECK(created);
  CHECK(g->value.str.empty());
  CHECK(g->expire_at_ms == kNoExpire);
  CHECK(db.expires() == 0u);
  CHECK(db.FindOrCreate("f", 20, &created) == g);
  CHECK_FALSE(created);

  // Erase of an expired key counts as an expiry and reports "not there".
  db.SetExpire(g, 30);
  CHECK_FALSE(db.Erase("f", 30));
  CHECK(stats.expired_keys == 3u);
  CHECK(db.size() == 0u);
  db.Insert("live", Value("x"));
  CHECK(db.Erase("live", 30));
  CHECK_FALSE(db.Erase("live", 30));
}

TEST_CASE("db: the volatile index follows SetExpire, ClearExpire and deletes", "[db]") {
  Db db;
  std::vector<Entry*> entries;
  for (int i = 0; i < 100; ++i) entries.push_back(db.Insert(Key(i), Value("v")));
  for (int i = 0; i < 100; i += 2) db.SetExpire(entries[i], 5000 + i);
  CHECK(db.expires() == 50u);
  db.SetExpire(entries[0], 9000);  // changing a TTL does not add a second index entry
  CHECK(db.expires() == 50u);
  CHECK(entries[0]->expire_at_ms == 9000);
  for (int i = 0; i < 20; i += 2) db.ClearExpire(entries[i]);  // PERSIST
  CHECK(db.expires() == 40u);
  CHECK(entries[0]->expire_at_ms == kNoExpire);
  db.ClearExpire(entries[1]);  // persistent already: no change
  CHECK(db.expires() == 40u);
  for (int i = 20; i < 40; ++i) db.Erase(entries[i]);  // 10 of them volatile
  CHECK(db.expires() == 30u);
  CHECK(db.size() == 80u);

  // The index holds exactly the remaining volatile keys: expiring everything in the far
  // future through ActiveExpire removes them all and nothing else.
  uint64_t rng = 7;
  size_t total = 0;
  for (int round = 0; round < 1000 && db.expires() > 0; ++round)
    total += db.ActiveExpire(1'000'000, 20, 10, INT64_MAX, NextRandom, &rng, ClockNever);
  CHECK(total == 30u);
  CHECK(db.expires() == 0u);
  CHECK(db.size() == 50u);
  for (int i = 0; i < 100; ++i) {
    bool should_live = (i < 20) || (i >= 40 && i % 2 == 1);
    CHECK((db.FindRaw(Key(i)) != nullptr) == should_live);
  }
}

TEST_CASE("db: active expiry removes expired keys and only them", "[db]") {
  ShardStats stats;
  Db db(&stats);
  size_t callbacks = 0;
  db.on_expire = [&](const Entry& e) {
    ++callbacks;
    CHECK(e.key.rfind("dead:", 0) == 0);
  };
  const int64_t now = 100000;
  for (int i = 0; i < 500; ++i) db.Insert("plain:" + std::to_string(i), Value("v"));
  for (int i = 0; i < 600; ++i)
    db.SetExpire(db.Insert("dead:" + std::to_string(i), Value("v")), now - 1 - i);
  for (int i = 0; i < 100; ++i)
    db.SetExpire(db.Insert("later:" + std::to_string(i), Value("v")), now + 1 + i);
  uint64_t rng = 3;
  size_t first = db.ActiveExpire(now, 20, 10, INT64_MAX, NextRandom, &rng, ClockNever);
  CHECK(first > 0);
  size_t total = first;
  for (int round = 0; round < 10000 && db.expires() > 100; ++round)
    total += db.ActiveExpire(now, 20, 10, INT64_MAX, NextRandom, &rng, ClockNever);
  CHECK(total == 600u);
  CHECK(callbacks == 600u);
  CHECK(stats.expired_keys == 600u);
  CHECK(db.expires() == 100u);
  CHECK(db.size() == 600u);
  // Nothing left to do: a pass over live volatile keys expires none.
  CHECK(db.ActiveExpire(now, 20, 10, INT64_MAX, NextRandom, &rng, ClockNever) == 0u);
}

TEST_CASE("db: active expiry stops at its deadline", "[db]") {
  Db db;
  for (int i = 0; i < 10000; ++i) db.SetExpire(db.Insert(Key(i), Value("v")), 1);
  uint64_t rng = 9;
  // Every sample is stale, so only the time budget ends the pass: it is checked every 16
  // rounds of 20 samples.
  CHECK(db.ActiveExpire(100, 20, 10, /*deadline_us=*/0, NextRandom, &rng, ClockPastDeadline) ==
        320u);
  CHECK(db.expires() == 10000u - 320u);
  // With time to spare it keeps going while more than 10% of each sample is stale.
  CHECK(db.ActiveExpire(100, 20, 10, INT64_MAX, NextRandom, &rng, ClockNever) == 10000u - 320u);
  CHECK(db.size() == 0u);
}

TEST_CASE("db: Detach and Adopt keep the TTL", "[db]") {
  Db a, b;
  Entry* e = a.Insert("k", Value("v"));
  a.SetExpire(e, 5000);
  Entry* p = a.Insert("p", Value("persistent"));
  Entry* d = a.Detach(e);
  CHECK(d == e);
  CHECK(a.size() == 1u);
  CHECK(a.expires() == 0u);
  CHECK(a.FindRaw("k") == nullptr);
  CHECK(d->expire_at_ms == 5000);
  b.Adopt(d);
  CHECK(b.size() == 1u);
  CHECK(b.expires() == 1u);
  CHECK(b.Find("k", 4999) == d);
  CHECK(b.Find("k", 5000) == nullptr);  // the TTL travelled with it
  CHECK(b.expires() == 0u);

  Entry* q = a.Detach(p);
  b.Adopt(q);
  CHECK(b.expires() == 0u);
  CHECK(b.Find("p", 1'000'000) == q);
  CHECK(q->expire_at_ms == kNoExpire);
}

TEST_CASE("db: random keys skip (and delete) expired ones", "[db]") {
  Db db;
  uint64_t rng = 11;
  CHECK(db.RandomEntry(0, NextRandom, &rng) == nullptr);
  for (int i = 0; i < 50; ++i) db.SetExpire(db.Insert("dead:" + std::to_string(i), Value()), 10);
  db.Insert("alive", Value("x"));
  for (int i = 0; i < 20; ++i) {
    Entry* e = db.RandomEntry(100, NextRandom, &rng);
    REQUIRE(e != nullptr);
    CHECK(e->key == "alive");
  }
  CHECK(db.size() < 51u);
  CHECK(db.expires() == db.size() - 1);
}

TEST_CASE("db: Clear, Swap and the TTL average", "[db]") {
  Db a, b;
  a.SetExpire(a.Insert("x", Value()), 2000);
  a.SetExpire(a.Insert("y", Value()), 4000);
  a.Insert("z", Value());
  CHECK(a.AvgTtlMs(1000) == 2000);  // (1000 + 3000) / 2
  CHECK(b.AvgTtlMs(1000) == 0);
  a.Swap(b);
  CHECK(a.size() == 0u);
  CHECK(b.size() == 3u);
  CHECK(b.expires() == 2u);
  CHECK(b.Find("x", 1500) != nullptr);
  b.Clear();
  CHECK(b.size() == 0u);
  CHECK(b.expires() == 0u);
  CHECK(b.FindRaw("x") == nullptr);
}

TEST_CASE("db: scan over a db with expired keys reports them for the caller to skip",
          "[db][scan]") {
  Db db;
  for (int i = 0; i < 300; ++i) db.Insert(Key(i), Value());
  for (int i = 0; i < 300; i += 3) db.SetExpire(db.FindRaw(Key(i)), 10);
  std::set<std::string> live;
  uint64_t cursor = 0;
  do {
    cursor = db.Scan(cursor, [&](Entry* e) {
      if (!db.IsExpired(e, 100)) live.insert(e->key);
    });
  } while (cursor != 0);
  CHECK(live.size() == 200u);
  CHECK(live.count(Key(0)) == 0);
  CHECK(live.count(Key(1)) == 1);
}

}  // namespace
}  // namespace kevy
