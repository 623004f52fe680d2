// Tests of the compact entry buffer behind small hashes and sorted sets
// (engine/types/listpack.h): every entry encoding round-trips at its boundaries, splices
// insert/replace/erase in the middle, the buffer is exactly as large as its entries, and a
// randomized comparison against a std::vector model.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <variant>
#include <vector>

#include "engine/types/listpack.h"

namespace kevy::test {
namespace {

using Item = std::variant<std::string, double>;

void Append(Listpack* lp, const Item& it) {
  std::string enc;
  if (auto* s = std::get_if<std::string>(&it))
    Listpack::EncodeStr(&enc, *s);
  else
    Listpack::EncodeNum(&enc, std::get<double>(it));
  lp->Splice(lp->end(), lp->end(), enc, 1);
}

std::vector<Item> Contents(const Listpack& lp) {
  std::vector<Item> out;
  for (size_t p = lp.begin(); p != lp.end(); p = lp.Next(p)) {
    if (lp.IsString(p))
      out.emplace_back(std::string(lp.Str(p)));
    else
      out.emplace_back(lp.Num(p));
  }
  return out;
}

// Bytes one entry takes.
size_t EntryBytes(const Item& it) {
  std::string enc;
  if (auto* s = std::get_if<std::string>(&it))
    Listpack::EncodeStr(&enc, *s);
  else
    Listpack::EncodeNum(&enc, std::get<double>(it));
  return enc.size();
}

TEST_CASE("listpack: strings round-trip at the length boundaries, binary safe", "[listpack]") {
  Listpack lp;
  CHECK(lp.empty());
  CHECK(lp.size() == 0);
  CHECK(lp.bytes() == 0);
  CHECK(lp.begin() == lp.end());
  std::vector<Item> want;
  for (size_t len : {0, 1, 126, 127, 128, 129, 16383, 16384, 70000}) {
    std::string s(len, 'a');
    for (size_t i = 0; i < len; i += 7) s[i] = static_cast<char>(i % 256);  // NULs included
    want.emplace_back(s);
    Append(&lp, s);
  }
  std::string nul("a\0b", 3);
  want.emplace_back(nul);
  Append(&lp, nul);
  CHECK(Contents(lp) == want);
  CHECK(lp.size() == want.size());
  // Exact size: header + entries.
  size_t total = Listpack::kHeader;
  for (const auto& it : want) total += EntryBytes(it);
  CHECK(lp.bytes() == total);
  // Short strings cost one header byte, long ones a LEB128 length.
  CHECK(EntryBytes(std::string(127, 'x')) == 128);
  CHECK(EntryBytes(std::string(128, 'x')) == 1 + 2 + 128);  // tag, 2-byte LEB128
  CHECK(EntryBytes(std::string(16383, 'x')) == 1 + 2 + 16383);
  CHECK(EntryBytes(std::string(16384, 'x')) == 1 + 3 + 16384);
}

TEST_CASE("listpack: numbers take the smallest exact form", "[listpack]") {
  struct Case {
    double v;
    size_t bytes;
  };
  const double kInf = std::numeric_limits<double>::infinity();
  std::vector<Case> cases = {
      {0, 1},          {63, 1},           {64, 2},          {-1, 2},        {127, 2},
      {-128, 2},       {128, 3},          {-129, 3},        {32767, 3},     {-32768, 3},
      {32768, 5},      {-32769, 5},       {2147483647.0, 5}, {-2147483648.0, 5},
      {2147483648.0, 9}, {9007199254740992.0, 9}, {-9007199254740992.0, 9},
      {9007199254740994.0, 9},  // beyond 2^53: stored as a double, still exact
      {1.5, 9},        {-0.25, 9},        {1e300, 9},       {kInf, 9},      {-kInf, 9},
      {5e-324, 9},
  };
  Listpack lp;
  for (const auto& c : cases) {
    INFO(c.v);
    CHECK(EntryBytes(c.v) == c.bytes);
    Append(&lp, c.v);
  }
  size_t i = 0;
  for (size_t p = lp.begin(); p != lp.end(); p = lp.Next(p), ++i) {
    REQUIRE_FALSE(lp.IsString(p));
    CHECK(lp.Num(p) == cases[i].v);
  }
  CHECK(i == cases.size());
  // -0.0 keeps its sign (a double, not the integer 0).
  Listpack z;
  Append(&z, -0.0);
  CHECK(std::signbit(z.Num(z.begin())));
  CHECK(EntryBytes(-0.0) == 9);
}

TEST_CASE("listpack: splice inserts, replaces and erases in the middle", "[listpack]") {
  Listpack lp;
  for (const char* s : {"a", "b", "c", "d"}) Append(&lp, std::string(s));
  size_t b = lp.Next(lp.begin());
  size_t c = lp.Next(b);
  // Replace "b" by a long string, then insert two entries before "c".
  std::string enc;
  Listpack::EncodeStr(&enc, std::string(200, 'B'));
  lp.Splice(b, c, enc, 0);
  CHECK(lp.size() == 4);
  c = lp.Next(lp.Next(lp.begin()));
  enc.clear();
  Listpack::EncodeStr(&enc, "x");
  Listpack::EncodeNum(&enc, 7);
  lp.Splice(c, c, enc, 2);
  CHECK(Contents(lp) ==
        std::vector<Item>{"a", std::string(200, 'B'), "x", 7.0, "c", "d"});
  // Erase "a" and the long string.
  lp.Splice(lp.begin(), lp.Next(lp.Next(lp.begin())), {}, -2);
  CHECK(Contents(lp) == std::vector<Item>{"x", 7.0, "c", "d"});
  // A copy is deep.
  Listpack copy(lp);
  lp.Splice(lp.begin(), lp.Next(lp.begin()), {}, -1);
  CHECK(Contents(copy) == std::vector<Item>{"x", 7.0, "c", "d"});
  CHECK(Contents(lp) == std::vector<Item>{7.0, "c", "d"});
  // Erasing everything frees the buffer.
  lp.Splice(lp.begin(), lp.end(), {}, -3);
  CHECK(lp.empty());
  CHECK(lp.bytes() == 0);
  CHECK(lp.begin() == lp.end());
  Listpack moved(std::move(copy));
  CHECK(copy.empty());  // NOLINT(bugprone-use-after-move): moved-from is empty by contract
  CHECK(moved.size() == 4);
}

TEST_CASE("listpack: random splices match a std::vector model", "[listpack]") {
  std::mt19937_64 rng(7);
  Listpack lp;
  std::vector<Item> model;
  auto random_item = [&]() -> Item {
    switch (rng() % 5) {
      case 0: return static_cast<double>(static_cast<int64_t>(rng() >> 11) - (1LL << 52));
      case 1: return static_cast<double>(static_cast<int>(rng() % 300) - 150);
      case 2: return static_cast<double>(rng() % 1000) / 8;
      case 3: return std::string(rng() % 300, static_cast<char>(rng() % 256));
      default: return std::string(rng() % 5, 'k');
    }
  };
  auto pos_of = [&](size_t idx) {
    size_t p = lp.begin();
    while (idx--) p = lp.Next(p);
    return p;
  };
  for (int op = 0; op < 4000; ++op) {
    size_t n = model.size();
    int kind = static_cast<int>(rng() % 3);
    if (kind == 0 || n == 0) {
      size_t at = n ? rng() % (n + 1) : 0;
      int k = 1 + static_cast<int>(rng() % 3);
      std::string enc;
      std::vector<Item> items;
      for (int i = 0; i < k; ++i) {
        items.push_back(random_item());
        if (auto* s = std::get_if<std::string>(&items.back()))
          Listpack::EncodeStr(&enc, *s);
        else
          Listpack::EncodeNum(&enc, std::get<double>(items.back()));
      }
      size_t p = pos_of(at);
      lp.Splice(p, p, enc, k);
      model.insert(model.begin() + static_cast<long>(at), items.begin(), items.end());
    } else if (kind == 1) {
      size_t at = rng() % n, cnt = 1 + rng() % std::min<size_t>(3, n - at);
      lp.Splice(pos_of(at), pos_of(at + cnt), {}, -static_cast<int64_t>(cnt));
      model.erase(model.begin() + static_cast<long>(at),
                  model.begin() + static_cast<long>(at + cnt));
    } else {
      size_t at = rng() % n;
      Item it = random_item();
      std::string enc;
      if (auto* s = std::get_if<std::string>(&it))
        Listpack::EncodeStr(&enc, *s);
      else
        Listpack::EncodeNum(&enc, std::get<double>(it));
      lp.Splice(pos_of(at), pos_of(at + 1), enc, 0);
      model[at] = it;
    }
    REQUIRE(lp.size() == model.size());
    if (op % 50 == 0) REQUIRE(Contents(lp) == model);
  }
  CHECK(Contents(lp) == model);
}

}  // namespace
}  // namespace kevy::test
