// SORT and SORT_RO: sort a list, set or sorted set -- by its elements or by the values of
// other keys (BY pattern, `*` replaced by the element, `key->field` for a hash field) --
// optionally fetch other keys per element (GET pattern, `#` for the element itself), and
// reply the result or store it as a list (STORE).
//
// The keys a BY/GET pattern names are only known once the source is read, and may live on
// any shard, so SORT runs on the client's shard (on_origin) as a small state machine (a
// SortState) whose steps run wherever their keys are:
//   1. load     -- on the source key's shard: read the elements (Redis's direct range load for
//                  BY nosort on lists and sorted sets included);
//   2. weights  -- the BY values of every element;
//   3. sort     -- numeric (strtod) or ALPHA, ASC/DESC, as Redis's sortCompare;
//   4. gets     -- the GET values of the elements in the LIMIT range;
//   5. store    -- the result replaces the destination, in one task on its shard
//                  (WriteSortStore), or the reply is written.
// Advance() runs every step it can on the shard at hand: after loading, the source's shard
// goes on while the pattern keys (and the destination) are its own, so a SORT whose keys
// all live on one shard completes there in one hop. A step whose keys live elsewhere is done
// by the origin: one FanOut op per shard holding some of the keys, results in request
// order, then Advance() continues there.
//
// Atomicity: a SORT that may take several rounds (a pattern naming keys off the source's
// shard, or STORE to another shard) first locks the shards involved (engine/shard_lock.h):
// the source's, the destination's and the patterns' -- every shard when the pattern keys
// depend on the elements, i.e. unless a {hash tag} before the '*' pins them -- so no other
// command sees or makes a state between its rounds, as with Redis's single thread. It is
// also a barrier for the client's next commands. A one-round SORT needs neither.
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <memory>
#include <numeric>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/commands/family_util.h"
#include "engine/fanout.h"
#include "engine/shard_lock.h"
#include "engine/types/hash.h"
#include "engine/types/list.h"
#include "engine/types/set.h"
#include "engine/types/zset.h"

namespace kevy {

namespace {

constexpr std::string_view kConversionError =
    "ERR One or more scores can't be converted into double";

// Redis handles patterns as C strings: searches stop at the first NUL byte.
std::string_view CPrefix(std::string_view s) {
  size_t nul = s.find('\0');
  return nul == std::string_view::npos ? s : s.substr(0, nul);
}

// A BY or GET pattern, split as Redis's lookupKeyByPattern splits it.
struct Pattern {
  enum Kind : uint8_t {
    kSelf,   // "#": the element itself
    kNever,  // no '*': never names a key (GET replies nil, BY does not sort)
    kKey,    // prefix*postfix: a string key
    kField,  // prefix*postfix->field: a hash field
  };
  Kind kind = kNever;
  std::string prefix, postfix, field;

  std::string KeyFor(std::string_view elem) const {
    std::string k;
    k.reserve(prefix.size() + elem.size() + postfix.size());
    k.append(prefix).append(elem).append(postfix);
    return k;
  }
};

Pattern ParsePattern(std::string_view pat) {
  Pattern p;
  std::string_view c = CPrefix(pat);
  if (c == "#") {
    p.kind = Pattern::kSelf;
    return p;
  }
  size_t star = c.find('*');
  if (star == std::string_view::npos) return p;
  size_t arrow = c.find("->", star + 1);
  size_t post_end = pat.size();
  p.kind = Pattern::kKey;
  if (arrow != std::string_view::npos && arrow + 2 < c.size()) {
    p.kind = Pattern::kField;
    p.field = std::string(pat.substr(arrow + 2));
    post_end = arrow;
  }
  p.prefix = std::string(pat.substr(0, star));
  p.postfix = std::string(pat.substr(star + 1, post_end - star - 1));
  return p;
}

// The parsed command; immutable once parsed (shared by the shards a SORT visits).
struct SortSpec {
  std::string key;
  bool desc = false;
  bool alpha = false;
  bool dontsort = false;  // some BY pattern without '*' (sticky, as in Redis)
  int64_t limit_start = 0;
  int64_t limit_count = -1;
  std::optional<Pattern> by;  // the last BY given
  std::vector<Pattern> gets;
  std::optional<std::string> store;
  int db = 0;
  uint32_t client_flags = 0;
};

// Parses the options of SORT (readonly = SORT_RO, which knows no STORE). Returns the error
// to reply, or an empty view.
std::string_view ParseSort(const ArgList& args, bool readonly, SortSpec* spec) {
  spec->key = std::string(args[1]);
  for (size_t j = 2; j < args.size(); ++j) {
    size_t left = args.size() - j - 1;
    std::string_view a = args[j];
    if (EqualsNoCase(a, "asc")) {
      spec->desc = false;
    } else if (EqualsNoCase(a, "desc")) {
      spec->desc = true;
    } else if (EqualsNoCase(a, "alpha")) {
      spec->alpha = true;
    } else if (EqualsNoCase(a, "limit") && left >= 2) {
      if (!ParseInt64(args[j + 1], &spec->limit_start) ||
          !ParseInt64(args[j + 2], &spec->limit_count))
        return errors::kNotInteger;
      j += 2;
    } else if (!readonly && EqualsNoCase(a, "store") && left >= 1) {
      spec->store = std::string(args[j + 1]);
      ++j;
    } else if (EqualsNoCase(a, "by") && left >= 1) {
      if (CPrefix(args[j + 1]).find('*') == std::string_view::npos) spec->dontsort = true;
      spec->by = ParsePattern(args[j + 1]);
      ++j;
    } else if (EqualsNoCase(a, "get") && left >= 1) {
      spec->gets.push_back(ParsePattern(args[j + 1]));
      ++j;
    } else {
      return errors::kSyntax;
    }
  }
  return {};
}

// What a SORT has computed so far. Owned by one shard at a time: it travels with the
// FanOut that runs the next step and comes back with it.
struct SortState {
  bool wrongtype = false;
  // The effective options (a set sorted with BY nosort into STORE is sorted ALPHA instead).
  bool dontsort = false;
  bool alpha = false;
  bool use_by = false;
  std::vector<std::string> elems;
  int64_t start = 0, end = -1;  // the output range in elems, inclusive (empty if end < start)

  bool weights_done = false;
  std::vector<std::optional<std::string>> weights;  // BY values, one per element
  bool sorted = false;
  bool conversion_error = false;
  bool gets_done = false;
  std::vector<std::optional<std::string>> got;  // GET values, row-major over the range
  bool stored = false;

  int64_t rows() const { return end >= start ? end - start + 1 : 0; }
};

// Step 1, on the source key's shard: sortCommandGeneric up to the loaded vector.
void LoadSource(Shard& s, const SortSpec& spec, SortState& st) {
  Db& db = s.db(spec.db);
  Entry* e = LookupRead(s, db, spec.key, !(spec.client_flags & kClientNoTouch));
  ObjType type = e ? e->value.type : ObjType::kList;
  if (type != ObjType::kList && type != ObjType::kSet && type != ObjType::kZSet) {
    st.wrongtype = true;
    return;
  }
  st.dontsort = spec.dontsort;
  st.alpha = spec.alpha;
  st.use_by = spec.by.has_value();
  // A set has no order of its own: what is stored must not depend on it.
  if (st.dontsort && type == ObjType::kSet && spec.store) {
    st.dontsort = false;
    st.alpha = true;
    st.use_by = false;
  }
  if (st.dontsort) st.use_by = false;
  // Redis converts a sorted set it sorts to a skiplist, for good.
  if (type == ObjType::kZSet) e->value.As<ZSet>()->ConvertToSkiplist();

  int64_t len = e ? static_cast<int64_t>(e->value.obj->Size()) : 0;
  int64_t start = std::min(std::max(spec.limit_start, int64_t{0}), len);
  int64_t count = std::min(std::max(spec.limit_count, int64_t{-1}), len);
  int64_t end = count < 0 ? len : start + count - 1;
  if (start >= len) {
    start = len - 1;
    end = len - 2;
  }
  if (end >= len) end = len - 1;
  int64_t veclen = len;
  if ((type == ObjType::kZSet || type == ObjType::kList) && st.dontsort &&
      (start != 0 || end != len - 1))
    veclen = end - start + 1;

  if (!e) {
    // An empty list: nothing to load.
  } else if (type == ObjType::kList) {
    const auto& items = e->value.As<List>()->items();
    if (st.dontsort) {
      if (end >= start) {
        st.elems.reserve(static_cast<size_t>(veclen));
        if (spec.desc) {
          for (int64_t i = len - start - 1;
               i >= 0 && static_cast<int64_t>(st.elems.size()) < veclen; --i)
            st.elems.push_back(items[static_cast<size_t>(i)]);
        } else {
          for (int64_t i = start; i < len && static_cast<int64_t>(st.elems.size()) < veclen; ++i)
            st.elems.push_back(items[static_cast<size_t>(i)]);
        }
        end -= start;
        start = 0;
      }
    } else {
      st.elems.assign(items.begin(), items.end());
    }
  } else if (type == ObjType::kSet) {
    for (std::string_view m : e->value.As<Set>()->Members()) st.elems.emplace_back(m);
  } else {
    const ZSet* z = e->value.As<ZSet>();
    if (st.dontsort) {
      if (veclen > 0) {
        // Ranks [start, start+veclen) counted from the top when DESC, as Redis walks them.
        std::vector<ZItem> items;
        size_t first = spec.desc ? static_cast<size_t>(len - start - veclen) : static_cast<size_t>(start);
        z->Range(first, first + static_cast<size_t>(veclen) - 1, spec.desc, &items);
        st.elems.reserve(items.size());
        for (const ZItem& it : items) st.elems.emplace_back(it.member);
      }
      end -= start;
      start = 0;
    } else {
      z->ForEachMember([&](std::string_view m, double) { st.elems.emplace_back(m); });
    }
  }
  st.start = start;
  st.end = end;
}

// One pattern lookup: a string key, or a field of a hash key.
struct Lookup {
  std::string key;
  const Pattern* pattern;  // into the SortSpec, which outlives every lookup
};

// Redis's lookupKeyByPattern after the substitution: the string value, the hash field, or
// nothing (missing key, other type, missing field).
std::optional<std::string> RunLookup(Shard& s, const SortSpec& spec, const Lookup& l) {
  Db& db = s.db(spec.db);
  bool touch = !(spec.client_flags & kClientNoTouch);
  Entry* e = LookupRead(s, db, l.key, touch);  // counted as a keyspace hit or miss
  if (!e) return std::nullopt;
  if (l.pattern->kind == Pattern::kField) {
    if (e->value.type != ObjType::kHash) return std::nullopt;
    auto v = e->value.As<Hash>()->Find(l.pattern->field);
    if (!v) return std::nullopt;
    return std::string(*v);
  }
  if (e->value.type != ObjType::kString) return std::nullopt;
  return e->value.str;
}

// True if every lookup's key lives on `s` and `s` may be read now by operation `tx` (no other
// operation holds its lock).
bool AllOn(const Shard& s, uint64_t tx, const std::vector<Lookup>& ls) {
  if (s.MustDefer(tx)) return false;
  const auto& slots = s.server().slots;
  for (const Lookup& l : ls)
    if (slots.ShardOf(l.key) != s.id()) return false;
  return true;
}

std::vector<std::optional<std::string>> RunLookups(Shard& s, const SortSpec& spec,
                                                   const std::vector<Lookup>& ls) {
  std::vector<std::optional<std::string>> out;
  out.reserve(ls.size());
  for (const Lookup& l : ls) out.push_back(RunLookup(s, spec, l));
  return out;
}

// Step 2's lookups: the BY key of every element.
std::vector<Lookup> WeightLookups(const SortSpec& spec, const SortState& st) {
  std::vector<Lookup> ls;
  ls.reserve(st.elems.size());
  for (const std::string& el : st.elems) ls.push_back({spec.by->KeyFor(el), &*spec.by});
  return ls;
}

// Step 4's lookups: fills st.got for "#" and key-less patterns, returns the rest with the
// cell of st.got each one answers.
std::vector<Lookup> GetLookups(const SortSpec& spec, SortState& st, std::vector<size_t>* cells) {
  std::vector<Lookup> ls;
  st.got.assign(static_cast<size_t>(st.rows()) * spec.gets.size(), std::nullopt);
  size_t cell = 0;
  for (int64_t j = st.start; j <= st.end; ++j) {
    const std::string& el = st.elems[static_cast<size_t>(j)];
    for (const Pattern& p : spec.gets) {
      if (p.kind == Pattern::kSelf) {
        st.got[cell] = el;
      } else if (p.kind != Pattern::kNever) {
        ls.push_back({p.KeyFor(el), &p});
        cells->push_back(cell);
      }
      ++cell;
    }
  }
  return ls;
}

// strcoll in the C locale, which stops at a NUL as C strings do.
int CollateCompare(std::string_view a, std::string_view b) {
  a = CPrefix(a);
  b = CPrefix(b);
  return a.compare(b);
}

// Redis's compareStringObjects: binary.
int BinaryCompare(std::string_view a, std::string_view b) { return a.compare(b); }

// Step 3: the scores and the order, as Redis's sortCompare. Sets conversion_error when a
// numeric value does not parse (the SORT then replies the error and stores nothing).
void SortElems(const SortSpec& spec, SortState& st) {
  st.sorted = true;
  if (st.dontsort) return;
  const size_t n = st.elems.size();
  std::vector<double> score(n, 0.0);
  std::vector<const std::string*> cmp(n, nullptr);  // ALPHA BY values (nullptr: missing)
  for (size_t j = 0; j < n; ++j) {
    const std::string* val = &st.elems[j];
    if (st.use_by) {
      if (!st.weights[j]) continue;
      val = &*st.weights[j];
    }
    if (st.alpha) {
      if (st.use_by) cmp[j] = val;
    } else {
      char* eptr;
      errno = 0;
      score[j] = std::strtod(val->c_str(), &eptr);
      if (eptr[0] != '\0' || errno == ERANGE || std::isnan(score[j])) st.conversion_error = true;
    }
  }
  if (st.conversion_error) return;
  const bool store = spec.store.has_value();
  auto compare = [&](size_t a, size_t b) {
    int c;
    if (!st.alpha) {
      if (score[a] > score[b])
        c = 1;
      else if (score[a] < score[b])
        c = -1;
      else
        c = BinaryCompare(st.elems[a], st.elems[b]);
    } else if (st.use_by) {
      if (!cmp[a] || !cmp[b])
        c = cmp[a] == cmp[b] ? 0 : (cmp[a] ? 1 : -1);
      else
        c = store ? BinaryCompare(*cmp[a], *cmp[b]) : CollateCompare(*cmp[a], *cmp[b]);
    } else {
      c = store ? BinaryCompare(st.elems[a], st.elems[b])
                : CollateCompare(st.elems[a], st.elems[b]);
    }
    return spec.desc ? c > 0 : c < 0;
  };
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), size_t{0});
  // Stable, as glibc's qsort (a merge sort) is: equal ALPHA BY values keep the load order.
  std::stable_sort(order.begin(), order.end(), compare);
  std::vector<std::string> sorted;
  sorted.reserve(n);
  for (size_t i : order) sorted.push_back(std::move(st.elems[i]));
  st.elems = std::move(sorted);
}

// What STORE writes: the elements of the range, or with GET their values ("" for missing).
std::deque<std::string> StoreContents(const SortSpec& spec, SortState& st) {
  std::deque<std::string> items;
  if (spec.gets.empty()) {
    for (int64_t j = st.start; j <= st.end; ++j)
      items.push_back(std::move(st.elems[static_cast<size_t>(j)]));
  } else {
    for (auto& v : st.got) items.push_back(v ? std::move(*v) : std::string());
  }
  return items;
}

// The only write SORT does: replaces `dst` with a list of `items` (no TTL, as Redis's
// setKey), or deletes it when `items` is empty. Runs on dst's shard in one task, so other
// clients see the old value or the new one, nothing between.
void WriteSortStore(Shard& s, int db_index, std::string_view dst, std::deque<std::string> items) {
  Db& db = s.db(db_index);
  bool existed = db.Erase(dst, s.now_ms());
  if (items.empty()) {
    if (existed) s.Propagate(db_index, {"DEL", dst});
    return;
  }
  auto list = std::make_unique<List>();
  list->items() = std::move(items);
  Entry* e = db.Insert(dst, Value(ObjType::kList, std::move(list)));
  // The AOF gets the stored list itself: replaying the SORT would need every pattern key.
  s.PropagateValue(db_index, dst, e->value, kNoExpire, /*replace=*/true);
}

// Number of replied (or stored) values: one per element of the range, or one per GET.
int64_t OutputLen(const SortSpec& spec, const SortState& st) {
  return st.rows() * static_cast<int64_t>(spec.gets.empty() ? 1 : spec.gets.size());
}

enum class Next : uint8_t { kDone, kWeights, kGets, kStore };

// Runs the remaining steps that need no key off `s`; returns the step that does (kDone when
// only the reply is left). `tx`: the shard-lock operation the SORT runs under, or 0.
Next Advance(Shard& s, uint64_t tx, const SortSpec& spec, SortState& st) {
  if (st.wrongtype) return Next::kDone;
  if (st.use_by && !st.dontsort && !st.weights_done) {
    std::vector<Lookup> ls = WeightLookups(spec, st);
    if (!AllOn(s, tx, ls)) return Next::kWeights;
    st.weights = RunLookups(s, spec, ls);
    st.weights_done = true;
  }
  if (!st.sorted) SortElems(spec, st);
  if (st.conversion_error) return Next::kDone;
  if (!spec.gets.empty() && !st.gets_done) {
    std::vector<size_t> cells;
    std::vector<Lookup> ls = GetLookups(spec, st, &cells);
    if (!AllOn(s, tx, ls)) return Next::kGets;
    auto vals = RunLookups(s, spec, ls);
    for (size_t i = 0; i < cells.size(); ++i) st.got[cells[i]] = std::move(vals[i]);
    st.gets_done = true;
  }
  if (spec.store && !st.stored) {
    if (s.MustDefer(tx) || s.server().slots.ShardOf(*spec.store) != s.id()) return Next::kStore;
    WriteSortStore(s, spec.db, *spec.store, StoreContents(spec, st));
    st.stored = true;
  }
  return Next::kDone;
}

void WriteReply(ReplyBuilder& rb, const SortSpec& spec, const SortState& st) {
  if (st.wrongtype) return rb.Error(errors::kWrongType);
  if (st.conversion_error) return rb.Error(kConversionError);
  if (spec.store) return rb.Integer(OutputLen(spec, st));
  rb.ArrayHeader(static_cast<size_t>(OutputLen(spec, st)));
  if (spec.gets.empty()) {
    for (int64_t j = st.start; j <= st.end; ++j) rb.Bulk(st.elems[static_cast<size_t>(j)]);
    return;
  }
  for (const auto& v : st.got) {
    if (v)
      rb.Bulk(*v);
    else
      rb.Null();
  }
}

using Values = std::vector<std::optional<std::string>>;

// Runs `ls` on their shards (one FanOut op per shard) and calls done(origin, values) with the
// values in the order of `ls`.
template <class Done>
void FanOutLookups(Shard& origin, uint64_t tx, std::shared_ptr<const SortSpec> spec,
                   std::vector<Lookup> ls, Done done) {
  struct Plan {
    std::vector<uint16_t> shards;
    std::vector<std::vector<Lookup>> per_shard;
    std::vector<std::pair<uint32_t, uint32_t>> where;  // lookup i -> (shard index, position)
  };
  auto plan = std::make_shared<Plan>();
  std::vector<int> index_of(origin.server().num_shards(), -1);
  for (Lookup& l : ls) {
    uint16_t sh = origin.server().slots.ShardOf(l.key);
    if (index_of[sh] < 0) {
      index_of[sh] = static_cast<int>(plan->shards.size());
      plan->shards.push_back(sh);
      plan->per_shard.emplace_back();
    }
    auto& mine = plan->per_shard[static_cast<size_t>(index_of[sh])];
    plan->where.emplace_back(static_cast<uint32_t>(index_of[sh]),
                             static_cast<uint32_t>(mine.size()));
    mine.push_back(std::move(l));
  }
  std::shared_ptr<const Plan> cplan = plan;
  FanOut<Values>(
      origin, cplan->shards,
      [cplan, spec](Shard& s, size_t i, Values& part) {
        part = RunLookups(s, *spec, cplan->per_shard[i]);
      },
      [cplan, done = std::move(done)](Shard& o, std::vector<Values>& parts) mutable {
        Values vals;
        vals.reserve(cplan->where.size());
        for (auto [si, pos] : cplan->where) vals.push_back(std::move(parts[si][pos]));
        done(o, std::move(vals));
      },
      tx);
}

// How a SORT runs: the reply slot, and the shard locks it holds (none for one round).
struct SortRun {
  ReplySlot slot;
  uint64_t tx = 0;
  std::vector<uint16_t> locked;  // ascending
};

// The origin's side of a SORT: runs what Advance() cannot do on the origin itself through
// FanOut, until only the reply is left; then unlocks and replies. `st` is owned by whichever
// step runs now.
void Drive(Shard& o, std::shared_ptr<const SortSpec> spec, std::shared_ptr<const SortRun> run,
           std::shared_ptr<SortState> st) {
  switch (Advance(o, run->tx, *spec, *st)) {
    case Next::kDone:
      if (run->tx) UnlockShards(o, run->locked, run->tx);
      o.Finish(run->slot, [&](ReplyBuilder& rb) { WriteReply(rb, *spec, *st); });
      return;
    case Next::kWeights:
      FanOutLookups(o, run->tx, spec, WeightLookups(*spec, *st), [=](Shard& o2, Values vals) {
        st->weights = std::move(vals);
        st->weights_done = true;
        Drive(o2, spec, run, st);
      });
      return;
    case Next::kGets: {
      std::vector<size_t> cells;
      std::vector<Lookup> ls = GetLookups(*spec, *st, &cells);
      FanOutLookups(o, run->tx, spec, std::move(ls),
                    [=, cells = std::move(cells)](Shard& o2, Values vals) {
                      for (size_t i = 0; i < cells.size(); ++i)
                        st->got[cells[i]] = std::move(vals[i]);
                      st->gets_done = true;
                      Drive(o2, spec, run, st);
                    });
      return;
    }
    case Next::kStore: {
      struct Nothing {};
      // Moved from by the one op (a single target), so never shared between threads.
      auto items = std::make_shared<std::deque<std::string>>(StoreContents(*spec, *st));
      FanOut<Nothing>(
          o, {o.server().slots.ShardOf(*spec->store)},
          [spec, items](Shard& s, size_t, Nothing&) {
            WriteSortStore(s, spec->db, *spec->store, std::move(*items));
          },
          [=](Shard& o2, std::vector<Nothing>&) {
            st->stored = true;
            Drive(o2, spec, run, st);
          },
          run->tx);
      return;
    }
  }
}

// Step 1 on the source's shard, which goes on as far as its own keys allow; the origin does
// the rest.
void StartSort(Shard& o, std::shared_ptr<const SortSpec> spec, std::shared_ptr<const SortRun> run) {
  FanOut<SortState>(
      o, {o.server().slots.ShardOf(spec->key)},
      [spec, tx = run->tx](Shard& s, size_t, SortState& st) {
        LoadSource(s, *spec, st);
        Advance(s, tx, *spec, st);
      },
      [spec, run](Shard& o2, std::vector<SortState>& parts) {
        Drive(o2, spec, run, std::make_shared<SortState>(std::move(parts[0])));
      },
      run->tx);
}

// The shard every key a pattern names hashes to, whatever the element: the prefix before the
// '*' holds a whole non-empty {hash tag}. -1 when it depends on the element.
int StaticShard(const Shard& s, const Pattern& p) {
  size_t open = p.prefix.find('{');
  if (open == std::string::npos) return -1;
  size_t close = p.prefix.find('}', open + 1);
  if (close == std::string::npos || close == open + 1) return -1;
  return s.server().slots.ShardOf(p.prefix);
}

// The shards a SORT must lock to run as one atomic step, as Redis's does: none when it
// surely completes in the one task on the source's shard (no pattern names a key off that
// shard, the destination is there too); else the source's, the destination's and those of
// the keys the patterns name -- every shard when those depend on the elements.
std::vector<uint16_t> ShardsToLock(const Shard& s, const SortSpec& spec) {
  const auto& slots = s.server().slots;
  const uint16_t home = slots.ShardOf(spec.key);
  std::vector<uint16_t> shards{home};
  bool all = false;
  auto add_pattern = [&](const Pattern& p) {
    if (p.kind != Pattern::kKey && p.kind != Pattern::kField) return;
    int sh = StaticShard(s, p);
    if (sh < 0)
      all = true;
    else
      shards.push_back(static_cast<uint16_t>(sh));
  };
  if (spec.by && !spec.dontsort) add_pattern(*spec.by);
  for (const Pattern& p : spec.gets) add_pattern(p);
  if (spec.store) shards.push_back(slots.ShardOf(*spec.store));
  if (all) shards = AllShards(s);
  std::sort(shards.begin(), shards.end());
  shards.erase(std::unique(shards.begin(), shards.end()), shards.end());
  if (shards.size() == 1 && shards[0] == home) shards.clear();
  return shards;
}

template <bool kReadonly>
void CmdSort(CoordContext& ctx) {
  auto spec = std::make_shared<SortSpec>();
  std::string_view err = ParseSort(ctx.args, kReadonly, spec.get());
  if (!err.empty()) return ctx.reply.Error(err);
  spec->db = ctx.client.db;
  spec->client_flags = ctx.client.flags;
  std::shared_ptr<const SortSpec> cspec = spec;
  std::vector<uint16_t> locked = ShardsToLock(ctx.shard, *spec);
  if (locked.empty()) {
    // One task on the source's shard: atomic as it is, and the client's next commands for
    // that shard follow it there, so no barrier either.
    auto run = std::make_shared<SortRun>();
    run->slot = ctx.Defer();
    return StartSort(ctx.shard, cspec, run);
  }
  // Several rounds: no other command may run on the shards involved in between (the lock),
  // nor may the client's next commands overtake the later rounds (the barrier).
  ReplySlot slot = ctx.Defer(/*barrier=*/true);
  LockShards(ctx.shard, locked, [=](Shard& o, uint64_t tx) {
    auto run = std::make_shared<SortRun>();
    run->slot = slot;
    run->tx = tx;
    run->locked = locked;
    StartSort(o, cspec, run);
  });
}

// Redis's sortGetKeys: the sorted key, and the destination of the last STORE.
void SortKeys(const ArgList& args, std::vector<int>* pos) {
  pos->push_back(1);
  int store = 0;
  for (size_t i = 2; i < args.size(); ++i) {
    if (EqualsNoCase(args[i], "limit")) {
      i += 2;
    } else if (EqualsNoCase(args[i], "get") || EqualsNoCase(args[i], "by")) {
      i += 1;
    } else if (EqualsNoCase(args[i], "store") && i + 1 < args.size()) {
      store = static_cast<int>(i + 1);
    }
  }
  if (store) pos->push_back(store);
}

void SortRoKeys(const ArgList&, std::vector<int>* pos) { pos->push_back(1); }

}  // namespace

void RegisterSortFamily(CommandRegistry& r) {
  constexpr uint32_t W = kCmdWrite, R = kCmdReadonly, M = kCmdDenyOom;
  const char* complexity =
      "O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the "
      "number of returned elements. When the elements are not sorted, complexity is O(N).";
  CommandSpec sort = KeyedRow("sort", -2, W | M, 1, 1, 1, "generic", "1.0.0",
                              "Sort the elements in a list, set or sorted set", complexity,
                              "write set sortedset list slow dangerous");
  sort.on_origin = CmdSort<false>;
  sort.get_keys = SortKeys;
  r.Add(std::move(sort));
  CommandSpec ro = KeyedRow("sort_ro", -2, R, 1, 1, 1, "generic", "7.0.0",
                            "Sort the elements in a list, set or sorted set. Read-only variant "
                            "of SORT.",
                            complexity, "read set sortedset list slow dangerous");
  ro.on_origin = CmdSort<true>;
  ro.get_keys = SortRoKeys;
  r.Add(std::move(ro));
}

}  // namespace kevy
