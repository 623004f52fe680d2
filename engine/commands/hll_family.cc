// The HyperLogLog command family: PFADD, PFCOUNT and PFMERGE on string values in Redis's HLL
// representation (engine/types/hyperloglog.h), with Redis 7's replies and errors.
//
// PFCOUNT of several keys and PFMERGE have on_origin handlers for keys on several shards:
// each shard merges the registers of its own keys into a 16384-byte maximum, and the origin
// combines those. PFMERGE does this under shard locks and then writes the destination on its
// shard before unlocking, so the destination changes atomically for other clients.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/command.h"
#include "engine/commands/family_util.h"
#include "engine/db.h"
#include "engine/fanout.h"
#include "engine/shard.h"
#include "engine/shard_lock.h"
#include "engine/types/hyperloglog.h"
#include "engine/util.h"
#include "engine/value.h"
#include "resp/errors.h"
#include "resp/reply.h"

namespace kevy {

namespace {

size_t SparseMaxBytes(Shard& shard) {
  int64_t v = 3000;
  if (auto s = shard.config().GetValue("hll-sparse-max-bytes")) {
    int64_t parsed;
    if (ParseInt64(*s, &parsed) && parsed >= 0) v = parsed;
  }
  return static_cast<size_t>(v);
}

enum class HllError : uint8_t { kNone, kWrongType, kNotHll, kCorrupted };

std::string_view ErrorText(HllError e) {
  switch (e) {
    case HllError::kWrongType:
      return errors::kWrongType;
    case HllError::kNotHll:
      return errors::kHllWrongType;
    default:
      return errors::kHllCorrupted;
  }
}

// Redis's isHLLObjectOrReply without the reply.
HllError CheckHll(const Entry* e) {
  if (!IsString(e)) return HllError::kWrongType;
  if (!hll::IsValid(e->value.str)) return HllError::kNotHll;
  return HllError::kNone;
}

// The registers of several keys merged on one shard, and the first error met.
struct MergedPart {
  std::vector<uint8_t> max;
  bool any_dense = false;
  HllError err = HllError::kNone;
  size_t err_pos = 0;  // position of the failing key in the request
};

// Merges the HLLs at `keys` (their request positions in `pos`) into part->max, stopping at
// the first error, as Redis's loops do.
template <class Keys>
void MergeKeys(Shard& s, Db& db, const Keys& keys, const std::vector<size_t>& pos,
               MergedPart* part) {
  part->max.assign(hll::kRegisters, 0);
  for (size_t k = 0; k < keys.size(); ++k) {
    Entry* e = LookupRead(s, db, keys[k]);
    if (!e) continue;  // a missing key is an empty HLL
    HllError err = CheckHll(e);
    if (err == HllError::kNone && !hll::MergeInto(e->value.str, part->max.data()))
      err = HllError::kCorrupted;
    if (err != HllError::kNone) {
      part->err = err;
      part->err_pos = pos[k];
      return;
    }
    if (hll::IsDense(e->value.str)) part->any_dense = true;
  }
}

// Combines the shards' parts into parts[0]; the earliest failing key's error wins.
MergedPart Combine(std::vector<MergedPart>& parts) {
  MergedPart out;
  out.max.assign(hll::kRegisters, 0);
  for (MergedPart& p : parts) {
    if (p.err != HllError::kNone && (out.err == HllError::kNone || p.err_pos < out.err_pos)) {
      out.err = p.err;
      out.err_pos = p.err_pos;
    }
    out.any_dense |= p.any_dense;
    if (p.max.size() == out.max.size())
      for (int i = 0; i < hll::kRegisters; ++i) out.max[i] = std::max(out.max[i], p.max[i]);
  }
  return out;
}

// The write half of PFMERGE: folds `max` into the HLL at `key`, creating it when missing and
// making it dense when a source was dense. False when the destination is corrupt.
bool ApplyMerge(Shard& s, Db& db, std::string_view key, const MergedPart& m) {
  const size_t sparse_max = SparseMaxBytes(s);
  bool created;
  Entry* e = db.FindOrCreate(key, s.now_ms(), &created);
  if (created) e->value = Value(hll::NewSparse());
  std::string* v = &e->value.str;
  e->value.raw = true;
  if (m.any_dense && !hll::SparseToDense(v)) return false;
  for (int i = 0; i < hll::kRegisters; ++i) {
    if (m.max[i] == 0) continue;
    if (hll::SetRegister(v, i, m.max[i], sparse_max) < 0) return false;
  }
  hll::InvalidateCache(v);
  return true;
}

// ---------------------------------------------------------------------------------------
// PFADD

void CmdPfAdd(CmdContext& ctx) {
  Entry* e = ctx.db.Find(ctx.args[1], ctx.now_ms());
  bool changed = false;
  if (e) {
    HllError err = CheckHll(e);
    if (err != HllError::kNone) {
      ctx.reply.Error(ErrorText(err));
      return;
    }
  } else {
    bool created;
    e = ctx.db.FindOrCreate(ctx.args[1], ctx.now_ms(), &created);
    e->value = Value(hll::NewSparse());
    changed = true;
  }
  e->value.raw = true;
  const size_t sparse_max = SparseMaxBytes(ctx.shard);
  for (size_t i = 2; i < ctx.args.size(); ++i) {
    int r = hll::Add(&e->value.str, ctx.args[i], sparse_max);
    if (r < 0) {
      ctx.reply.Error(errors::kHllCorrupted);
      return;
    }
    if (r == 1) changed = true;
  }
  if (changed) hll::InvalidateCache(&e->value.str);
  ctx.reply.Integer(changed ? 1 : 0);
}

// ---------------------------------------------------------------------------------------
// PFCOUNT

void CmdPfCount(CmdContext& ctx) {
  if (ctx.args.size() > 2) {
    std::vector<std::string_view> keys(ctx.args.begin() + 1, ctx.args.end());
    std::vector<size_t> pos(keys.size());
    for (size_t i = 0; i < pos.size(); ++i) pos[i] = i;
    MergedPart part;
    MergeKeys(ctx.shard, ctx.db, keys, pos, &part);
    if (part.err != HllError::kNone) {
      ctx.reply.Error(ErrorText(part.err));
      return;
    }
    ctx.reply.Integer(static_cast<int64_t>(hll::EstimateRegisters(part.max.data())));
    return;
  }
  Entry* e = LookupRead(ctx, ctx.args[1]);
  if (!e) {
    ctx.reply.Integer(0);
    return;
  }
  HllError err = CheckHll(e);
  if (err != HllError::kNone) {
    ctx.reply.Error(ErrorText(err));
    return;
  }
  uint64_t card;
  bool cached_now;
  if (!hll::Count(&e->value.str, &card, &cached_now)) {
    ctx.reply.Error(errors::kHllCorrupted);
    return;
  }
  if (cached_now) e->value.raw = true;  // Redis unshares the value to write the cache
  ctx.reply.Integer(static_cast<int64_t>(card));
}

// The keys of a request (from args[1]) grouped by owning shard, with their positions.
struct KeysByShard {
  int db = 0;
  std::string dest;
  uint16_t dest_shard = 0;
  std::vector<uint16_t> shards;
  std::vector<std::vector<std::string>> keys;
  std::vector<std::vector<size_t>> pos;
  std::vector<uint16_t> all_shards;  // shards plus dest_shard, ascending
};

std::shared_ptr<KeysByShard> SplitKeys(const CoordContext& ctx) {
  const SlotTable& slots = ctx.shard.server().slots;
  auto out = std::make_shared<KeysByShard>();
  out->db = ctx.client.db;
  out->dest = std::string(ctx.args[1]);
  out->dest_shard = slots.ShardOf(ctx.args[1]);
  std::vector<int> index(ctx.shard.server().num_shards(), -1);
  for (size_t i = 1; i < ctx.args.size(); ++i) {
    const uint16_t s = slots.ShardOf(ctx.args[i]);
    if (index[s] < 0) {
      index[s] = static_cast<int>(out->shards.size());
      out->shards.push_back(s);
      out->keys.emplace_back();
      out->pos.emplace_back();
    }
    out->keys[index[s]].emplace_back(ctx.args[i]);
    out->pos[index[s]].push_back(i - 1);
  }
  out->all_shards = out->shards;
  std::sort(out->all_shards.begin(), out->all_shards.end());
  return out;
}

void CmdPfCountOrigin(CoordContext& ctx) {
  std::shared_ptr<const KeysByShard> ks = SplitKeys(ctx);
  ReplySlot slot = ctx.Defer();
  FanOut<MergedPart>(
      ctx.shard, ks->shards,
      [ks](Shard& s, size_t i, MergedPart& part) {
        MergeKeys(s, s.db(ks->db), ks->keys[i], ks->pos[i], &part);
      },
      [slot](Shard& o, std::vector<MergedPart>& parts) {
        MergedPart m = Combine(parts);
        o.Finish(slot, [&](ReplyBuilder& rb) {
          if (m.err != HllError::kNone)
            rb.Error(ErrorText(m.err));
          else
            rb.Integer(static_cast<int64_t>(hll::EstimateRegisters(m.max.data())));
        });
      });
}

// ---------------------------------------------------------------------------------------
// PFMERGE

void CmdPfMerge(CmdContext& ctx) {
  std::vector<std::string_view> keys(ctx.args.begin() + 1, ctx.args.end());
  std::vector<size_t> pos(keys.size());
  for (size_t i = 0; i < pos.size(); ++i) pos[i] = i;
  MergedPart part;
  MergeKeys(ctx.shard, ctx.db, keys, pos, &part);
  if (part.err != HllError::kNone) {
    ctx.reply.Error(ErrorText(part.err));
    return;
  }
  if (!ApplyMerge(ctx.shard, ctx.db, ctx.args[1], part)) {
    ctx.reply.Error(errors::kHllCorrupted);
    return;
  }
  ctx.reply.Ok();
}

void CmdPfMergeOrigin(CoordContext& ctx) {
  std::shared_ptr<const KeysByShard> ks = SplitKeys(ctx);
  ReplySlot slot = ctx.Defer(/*barrier=*/true);
  LockShards(ctx.shard, ks->all_shards, [ks, slot](Shard& origin, uint64_t tx) {
    auto gather = [ks](Shard& s, size_t i, MergedPart& part) {
      MergeKeys(s, s.db(ks->db), ks->keys[i], ks->pos[i], &part);
    };
    auto gathered = [ks, slot, tx](Shard& o, std::vector<MergedPart>& parts) {
      auto m = std::make_shared<MergedPart>(Combine(parts));
      if (m->err != HllError::kNone) {
        UnlockShards(o, ks->all_shards, tx);
        HllError err = m->err;
        o.Finish(slot, [err](ReplyBuilder& rb) { rb.Error(ErrorText(err)); });
        return;
      }
      FanOut<uint8_t>(
          o, {ks->dest_shard},
          [ks, m](Shard& s, size_t, uint8_t& ok) {
            ok = ApplyMerge(s, s.db(ks->db), ks->dest, *m) ? 1 : 0;
            if (ok) s.PropagateKeyState(ks->db, ks->dest);
          },
          [ks, slot, tx](Shard& o2, std::vector<uint8_t>& ok) {
            UnlockShards(o2, ks->all_shards, tx);
            const bool good = ok[0] != 0;
            o2.Finish(slot, [good](ReplyBuilder& rb) {
              if (good)
                rb.Ok();
              else
                rb.Error(errors::kHllCorrupted);
            });
          },
          tx);
    };
    FanOut<MergedPart>(origin, ks->shards, gather, gathered, tx);
  });
}

// ---------------------------------------------------------------------------------------
// The table

constexpr RowMaker Row{"hyperloglog"};  // rows of this family (family_util.h)

}  // namespace

void RegisterHllFamily(CommandRegistry& r) {
  r.Add(Row("pfadd", -2, kCmdWrite | kCmdDenyOom | kCmdFast, 1, 1, 1, CmdPfAdd, "2.8.9",
            "Adds the specified elements to the specified HyperLogLog.",
            "O(1) to add every element.", "write hyperloglog fast"));
  r.Add(Row("pfcount", -2, kCmdReadonly | kCmdMayReplicate, 1, -1, 1, CmdPfCount, "2.8.9",
            "Return the approximated cardinality of the set(s) observed by the HyperLogLog "
            "at key(s).",
            "O(1) with a very small average constant time when called with a single key. "
            "O(N) with N being the number of keys, and much bigger constant times, when "
            "called with multiple keys.",
            "read hyperloglog slow", CmdPfCountOrigin));
  r.Add(Row("pfmerge", -2, kCmdWrite | kCmdDenyOom, 1, -1, 1, CmdPfMerge, "2.8.9",
            "Merge N different HyperLogLogs into a single one.",
            "O(N) to merge N HyperLogLogs, but with high constant times.",
            "write hyperloglog slow", CmdPfMergeOrigin));
}

}  // namespace kevy
