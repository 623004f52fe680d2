// Unit tests for start-up RDB loading (persist/loader.h LoadRdbBuffer, persist/load_sink.h):
// a file with keys of every type in every database loads into 1, 2 or 4 shards, inserted
// inline or by worker threads, each key on its own shard with its value and TTL; expired
// keys are dropped only when asked; and the errors (duplicate key, bad DB index, damage in
// the middle of the file, CRC) are the same messages, naming the file, in the same file
// order whichever thread found them.
#include "persist/loader.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "engine/shard.h"
#include "engine/types/hash.h"
#include "engine/types/list.h"
#include "engine/types/set.h"
#include "engine/types/zset.h"
#include "persist/load_sink.h"
#include "persist/rdb.h"
#include "tests/support/test_engine.h"

namespace kevy {
namespace {

using test::TestEngine;

constexpr int kDbs = 16;
constexpr int64_t kFuture = 4102444800000;  // 2100-01-01
constexpr int64_t kPast = 1000;             // long expired

// A source keyspace: keys of every type in every database, some with a TTL.
void Populate(TestEngine& e, int per_db) {
  for (int d = 0; d < kDbs; ++d) {
    e.Run({"SELECT", std::to_string(d)});
    for (int i = 0; i < per_db; ++i) {
      const std::string k = "k:" + std::to_string(d) + ":" + std::to_string(i);
      const std::string v = "v" + std::to_string(i * 7 + d);
      switch (i % 6) {
        case 0: e.Run({"SET", k, v + std::string(40, 'x')}); break;  // LZF-compressed
        case 1: e.Run({"SET", k, std::to_string(i)}); break;          // integer-encoded
        case 2: e.Run({"RPUSH", k, v, "b", "3"}); break;
        case 3: e.Run({"HSET", k, "f", v, "g", std::string(i % 100 == 3 ? 100 : 1, 'w')}); break;
        case 4: e.Run({"SADD", k, "1", "2", v}); break;
        case 5: e.Run({"ZADD", k, "1.5", v, "2", "m"}); break;
      }
      if (i % 7 == 0) e.Run({"PEXPIREAT", k, std::to_string(kFuture + i)});
    }
  }
  e.Run({"SELECT", "0"});
}

struct Key {
  int db;
  std::string key;
  bool operator<(const Key& o) const { return std::tie(db, key) < std::tie(o.db, o.key); }
  bool operator==(const Key&) const = default;
};
// A value as comparable text: its type, encoding and elements (hash fields and set members
// sorted -- their iteration order differs from table to table).
std::string Canon(const Value& v) {
  std::string out = std::string(TypeName(v.type)) + "/" + std::string(EncodingOf(v)) + ":";
  std::vector<std::string> parts;
  switch (v.type) {
    case ObjType::kString:
      return out + v.str;
    case ObjType::kList:
      for (const std::string& s : v.As<List>()->items()) parts.push_back(s);
      break;
    case ObjType::kHash:
      v.As<Hash>()->ForEach([&](std::string_view f, std::string_view x) {
        parts.push_back(std::string(f) + "=" + std::string(x));
      });
      std::sort(parts.begin(), parts.end());
      break;
    case ObjType::kSet:
      for (std::string_view m : v.As<Set>()->Members()) parts.emplace_back(m);
      std::sort(parts.begin(), parts.end());
      break;
    case ObjType::kZSet:
      v.As<ZSet>()->ForEachMember([&](std::string_view m, double score) {
        parts.push_back(std::string(m) + "=" + std::to_string(score));
      });
      std::sort(parts.begin(), parts.end());
      break;
    case ObjType::kStream:
      break;
  }
  for (const std::string& p : parts) out += p + ",";
  return out;
}

struct Val {
  std::string dump;  // Canon(value)
  int64_t expire_ms;
  bool operator==(const Val&) const = default;
};

// Every key of every shard, by database.
std::map<Key, Val> Contents(TestEngine& e) {
  std::map<Key, Val> out;
  for (int s = 0; s < e.num_shards(); ++s)
    for (int d = 0; d < kDbs; ++d)
      e.shard(s).db(d).ForEach([&](Entry* x) {
        out[{d, x->key}] = {Canon(x->value), x->expire_at_ms};
      });
  return out;
}

// The source's keys as a file (RESIZEDB hints included); keys k:<db>:<i> with i % 11 == 5
// get an expiry in the past.
std::string WriteFile(TestEngine& e, std::map<Key, Val>* want_dropped,
                      std::map<Key, Val>* want_kept) {
  RdbWriter w;
  w.Begin(RdbAux{});
  std::string file;
  for (int d = 0; d < kDbs; ++d) {
    std::vector<Entry*> entries;
    for (int s = 0; s < e.num_shards(); ++s)
      e.shard(s).db(d).ForEach([&](Entry* x) { entries.push_back(x); });
    w.SelectDb(d, entries.size(), 0);
    for (Entry* x : entries) {
      const int i = std::stoi(x->key.substr(x->key.rfind(':') + 1));
      const int64_t exp = i % 11 == 5 ? kPast : x->expire_at_ms;
      w.WriteEntry(x->key, x->value, exp);
      const Val v{Canon(x->value), exp};
      (*want_kept)[{d, x->key}] = v;
      if (exp != kPast) (*want_dropped)[{d, x->key}] = v;
    }
    w.Drain(&file);
  }
  w.Finish();
  w.Drain(&file);
  return file;
}

absl::Status Load(TestEngine& e, std::string_view file, bool drop_expired, int workers,
                  uint64_t* keys = nullptr) {
  LoadReport report;
  auto s = LoadRdbBuffer(e.server(), file, "dump.rdb", drop_expired, &report, nullptr, workers);
  if (keys) *keys = report.keys_loaded;
  return s;
}

std::string Message(const absl::Status& s) { return std::string(s.message()); }

// What RdbLoader itself says about a damaged file (the loader must only prefix it).
std::string ParseError(std::string_view file) {
  RdbLoader l;
  auto s = l.LoadBuffer(file, [](RdbLoadedKey&&) { return absl::OkStatus(); });
  REQUIRE_FALSE(s.ok());
  return "Error loading dump.rdb: " + Message(s);
}

// A file of `n` string keys "p<i>" in db `db` (RESIZEDB n), with `extra` bytes (whole
// encoded entries or damage) spliced in after key number `at`.
std::string Strings(int db, int n, int at = -1, const std::string& extra = "") {
  RdbWriter w;
  w.Begin(RdbAux{});
  w.SelectDb(db, n, 0);
  for (int i = 0; i < n; ++i) {
    w.WriteEntry("p" + std::to_string(i), Value("v" + std::to_string(i)), -1);
    if (i == at) w.AppendEncoded(extra);
  }
  w.Finish();
  std::string file;
  w.Drain(&file);
  return file;
}

std::string Entry1(const std::string& key, const std::string& val) {
  std::string out;
  RdbAppendEntry(key, Value(val), -1, RdbOptions{}, &out);
  return out;
}

}  // namespace

TEST_CASE("loader: every type in every db loads into any number of shards", "[loader]") {
  TestEngine src(3);
  Populate(src, 300);
  std::map<Key, Val> want_dropped, want_kept;
  const std::string file = WriteFile(src, &want_dropped, &want_kept);
  REQUIRE(want_kept.size() == kDbs * 300);
  REQUIRE(want_dropped.size() < want_kept.size());

  for (int shards : {1, 2, 4}) {
    for (int workers : {0, 1, 3}) {
      for (bool drop : {true, false}) {
        INFO("shards " << shards << " workers " << workers << " drop_expired " << drop);
        TestEngine dst(shards);
        uint64_t keys = 0;
        REQUIRE(Load(dst, file, drop, workers, &keys).ok());
        const auto& want = drop ? want_dropped : want_kept;
        CHECK(keys == want.size());
        // Each key on the shard its slot names, with its value and TTL.
        for (int s = 0; s < shards; ++s)
          for (int d = 0; d < kDbs; ++d)
            dst.shard(s).db(d).ForEach([&](Entry* x) {
              CHECK(dst.server().slots.ShardOf(x->key) == s);
            });
        CHECK(Contents(dst) == want);
        // Keys counted per db; values read back through commands.
        for (int d = 0; d < kDbs; ++d) {
          dst.Run({"SELECT", std::to_string(d)});
          int64_t n = 0;  // DBSIZE counts expired keys too until something deletes them
          for (const auto& [k, v] : want) n += k.db == d;
          CHECK(S(dst.Run({"DBSIZE"})) == test::Int(n));
          const std::string p = "k:" + std::to_string(d) + ":";
          CHECK(S(dst.Run({"GET", p + "6"})) ==
                "\"v" + std::to_string(42 + d) + std::string(40, 'x') + "\"");
          CHECK(S(dst.Run({"GET", p + "1"})) == "\"1\"");
          CHECK(S(dst.Run({"LRANGE", p + "2", "0", "-1"})) ==
                "[\"v" + std::to_string(14 + d) + "\", \"b\", \"3\"]");
          CHECK(S(dst.Run({"HGET", p + "3", "f"})) == "\"v" + std::to_string(21 + d) + "\"");
          CHECK(S(dst.Run({"SCARD", p + "4"})) == test::Int(3));
          CHECK(S(dst.Run({"ZSCORE", p + "11", "m"})) == "\"2\"");
          CHECK(S(dst.Run({"EXISTS", p + "5"})) == test::Int(0));  // expired (dropped or not)
          CHECK(S(dst.Run({"PEXPIRETIME", p + "0"})) == test::Int(kFuture));
          CHECK(S(dst.Run({"TTL", p + "1"})) == test::Int(-1));
        }
      }
    }
  }
}

TEST_CASE("loader: an empty database section and a file without RESIZEDB", "[loader]") {
  // RESIZEDB is a hint: a file that announces 0 keys (or a huge number) still loads all.
  for (uint64_t hint : {uint64_t{0}, uint64_t{1} << 40}) {
    RdbWriter w;
    w.Begin(RdbAux{});
    w.SelectDb(2, hint, hint);
    for (int i = 0; i < 2000; ++i) w.WriteEntry("h" + std::to_string(i), Value("x"), -1);
    w.SelectDb(7, 0, 0);
    w.Finish();
    std::string file;
    w.Drain(&file);
    for (int workers : {0, 2}) {
      TestEngine dst(2);
      REQUIRE(Load(dst, file, true, workers).ok());
      dst.Run({"SELECT", "2"});
      CHECK(S(dst.Run({"DBSIZE"})) == test::Int(2000));
      CHECK(S(dst.Run({"GET", "h1999"})) == "\"x\"");
    }
  }
}

TEST_CASE("loader: errors are Redis's messages, naming the file, in file order", "[loader]") {
  for (int shards : {1, 4}) {
    for (int workers : {0, 1, 3}) {
      INFO("shards " << shards << " workers " << workers);
      auto load = [&](const std::string& file) {
        TestEngine dst(shards);
        auto s = Load(dst, file, true, workers);
        CHECK(s.code() == absl::StatusCode::kDataLoss);
        return Message(s);
      };
      // A duplicate far into the file, keys following it.
      CHECK(load(Strings(3, 5000, 4000, Entry1("p17", "again"))) ==
            "Error loading dump.rdb: RDB has duplicated key 'p17' in DB 3");
      // A duplicate right before damage: the duplicate comes first in the file.
      CHECK(load(Strings(0, 3000, 2000, Entry1("p5", "again") + "\x63\x01z")) ==
            "Error loading dump.rdb: RDB has duplicated key 'p5' in DB 0");
      // Damage in the middle of the file (an unknown type byte), nothing duplicated.
      const std::string damaged = Strings(0, 3000, 1500, "\x63\x01z");
      CHECK(load(damaged) == ParseError(damaged));
      CHECK(load(damaged).find("Bad RDB at offset ") != std::string::npos);
      // A flipped byte inside a value: only the CRC notices.
      std::string flipped = Strings(0, 3000);
      flipped[flipped.find("v1500") + 1] ^= 0x01;
      CHECK(load(flipped) == ParseError(flipped));
      CHECK(load(flipped).find("RDB CRC error") != std::string::npos);
      // A database the server does not have; a duplicate before it wins.
      const std::string bad_db = Strings(0, 3000, 2999, "\xfe\x14" + Entry1("q", "1"));
      CHECK(load(bad_db) ==
            "Error loading dump.rdb: FATAL: Data file was created with a Redis server "
            "configured to handle more than 16 databases. Exiting");
      CHECK(load(Strings(0, 3000, 2999,
                         Entry1("p2999", "x") + "\xfe\x14" + Entry1("q", "1"))) ==
            "Error loading dump.rdb: RDB has duplicated key 'p2999' in DB 0");
    }
  }
}

TEST_CASE("loader: of duplicates found by different workers, the first in the file", "[loader]") {
  TestEngine probe(2);
  const std::string a = probe.KeyOnShard(0, "a"), b = probe.KeyOnShard(1, "b");
  for (bool a_first : {true, false}) {
    RdbWriter w;
    w.Begin(RdbAux{});
    w.SelectDb(0, 0, 0);
    w.WriteEntry(a, Value("1"), -1);
    w.WriteEntry(b, Value("1"), -1);
    for (int i = 0; i < 6000; ++i) {
      w.WriteEntry("f" + std::to_string(i), Value("v"), -1);
      if (i == 2000) w.WriteEntry(a_first ? a : b, Value("2"), -1);
      if (i == 4000) w.WriteEntry(a_first ? b : a, Value("2"), -1);
    }
    w.Finish();
    std::string file;
    w.Drain(&file);
    for (int workers : {0, 2}) {
      TestEngine dst(2);
      auto s = Load(dst, file, true, workers);
      CHECK(Message(s) ==
            "Error loading dump.rdb: RDB has duplicated key '" + (a_first ? a : b) + "' in DB 0");
    }
  }
}

TEST_CASE("loader: loaded keys live in memory that may take huge pages", "[loader]") {
  std::string mode;
  if (FILE* f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r")) {
    char buf[128] = {};
    mode.assign(buf, fread(buf, 1, sizeof(buf) - 1, f));
    fclose(f);
  }
  if (mode.find("[madvise]") == std::string::npos && mode.find("[always]") == std::string::npos) {
    WARN("transparent huge pages are off here: skipped");
    return;
  }
  for (int workers : {0, 2}) {
    INFO("workers " << workers);
    TestEngine dst(2);
    REQUIRE(Load(dst, Strings(0, 20000), true, workers).ok());
    for (const char* key : {"p0", "p19999"}) {
      Entry* e = dst.shard(dst.server().slots.ShardOf(key)).db(0).FindRaw(key);
      REQUIRE(e != nullptr);
      // The mapping that holds the entry is an arena heap advised for huge pages.
      const auto at = reinterpret_cast<uintptr_t>(e);
      FILE* f = fopen("/proc/self/smaps", "r");
      REQUIRE(f != nullptr);
      char line[512];
      bool inside = false, found = false, eligible = false;
      while (fgets(line, sizeof(line), f)) {
        unsigned long lo, hi;
        if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2) {  // a mapping's first line
          inside = lo <= at && at < hi;
          found |= inside;
          continue;
        }
        if (inside && strncmp(line, "THPeligible:", 12) == 0) eligible = atoi(line + 12) == 1;
      }
      fclose(f);
      CHECK(found);
      CHECK(eligible);
    }
  }
}

TEST_CASE("load sink: Finish without keys, and keys only reserved", "[loader]") {
  TestEngine dst(2);
  for (int workers : {0, 2}) {
    LoadSink sink(dst.server().shards, dst.server().slots, 0, workers);
    sink.Reserve(0, 100000);
    CHECK(sink.Finish().ok());
    CHECK(sink.Finish().ok());  // idempotent
    CHECK(sink.keys_loaded() == 0);
  }
  {
    LoadSink sink(dst.server().shards, dst.server().slots, 0, 2);
    RdbLoadedKey k;
    k.key = "x";
    k.value = Value("y");
    CHECK(sink.Add(std::move(k)));
    // The destructor joins the workers without a Finish().
  }
  CHECK(dst.shard(dst.server().slots.ShardOf("x")).db(0).FindRaw("x") != nullptr);
}

}  // namespace kevy
