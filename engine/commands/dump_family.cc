// DUMP and RESTORE: a key's value as an RDB payload (persist/rdb.h), byte-compatible with
// redis-server 7.0's, so values move between kevy and Redis in both directions.
#include <climits>
#include <cstdint>
#include <string>
#include <string_view>

#include "engine/commands/family_util.h"
#include "persist/rdb.h"

namespace kevy {

namespace {

constexpr std::string_view kBusyKey = "BUSYKEY Target key name already exists.";
constexpr std::string_view kBadPayload = "ERR DUMP payload version or checksum are wrong";
constexpr std::string_view kBadData = "ERR Bad data format";
constexpr std::string_view kBadTtl = "ERR Invalid TTL value, must be >= 0";
constexpr std::string_view kBadIdle = "ERR Invalid IDLETIME value, must be >= 0";
constexpr std::string_view kBadFreq = "ERR Invalid FREQ value, must be >= 0 and <= 255";

// DUMP key
void CmdDump(CmdContext& ctx) {
  Entry* e = LookupRead(ctx, ctx.args[1]);
  if (!e) {
    ctx.reply.Null();
    return;
  }
  ctx.reply.Bulk(RdbDumpPayload(e->value, RdbOptions::FromConfig(ctx.shard.config())));
}

// RESTORE key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency],
// checked in Redis's order: options, BUSYKEY, ttl, payload footer, payload body.
void CmdRestore(CmdContext& ctx) {
  const ArgList& a = ctx.args;
  bool replace = false, absttl = false;
  int64_t idle = -1, freq = -1;
  for (size_t j = 4; j < a.size(); ++j) {
    const size_t additional = a.size() - j - 1;
    if (EqualsNoCase(a[j], "replace")) {
      replace = true;
    } else if (EqualsNoCase(a[j], "absttl")) {
      absttl = true;
    } else if (EqualsNoCase(a[j], "idletime") && additional >= 1 && freq == -1) {
      if (!ParseInt64(a[j + 1], &idle)) {
        ctx.reply.Error(errors::kNotInteger);
        return;
      }
      if (idle < 0) {
        ctx.reply.Error(kBadIdle);
        return;
      }
      ++j;
    } else if (EqualsNoCase(a[j], "freq") && additional >= 1 && idle == -1) {
      if (!ParseInt64(a[j + 1], &freq)) {
        ctx.reply.Error(errors::kNotInteger);
        return;
      }
      if (freq < 0 || freq > 255) {
        ctx.reply.Error(kBadFreq);
        return;
      }
      ++j;
    } else {
      ctx.reply.Error(errors::kSyntax);
      return;
    }
  }
  const int64_t now = ctx.now_ms();
  Entry* old = ctx.db.Find(a[1], now, !(ctx.client_flags & kClientNoTouch));
  if (!replace && old) {
    ctx.reply.Error(kBusyKey);
    return;
  }
  int64_t ttl;
  if (!ParseInt64(a[2], &ttl)) {
    ctx.reply.Error(errors::kNotInteger);
    return;
  }
  if (ttl < 0) {
    ctx.reply.Error(kBadTtl);
    return;
  }
  std::string_view payload = a[3];
  if (!RdbVerifyDumpPayload(payload)) {
    ctx.reply.Error(kBadPayload);
    return;
  }
  auto value = RdbLoadDumpPayload(payload, RdbOptions::FromConfig(ctx.shard.config()));
  if (!value.ok()) {
    ctx.reply.Error(kBadData);
    return;
  }
  if (old) ctx.db.Erase(old);
  if (ttl && !absttl && __builtin_add_overflow(ttl, now, &ttl)) ttl = INT64_MAX;
  if (ttl && ttl <= now) {
    // Already expired: the key is not created (an old one was still replaced), as Redis.
    ctx.reply.Ok();
    if (old)
      ctx.Propagate({"DEL", a[1]});
    else
      ctx.NoPropagate();
    return;
  }
  Entry* e = ctx.db.Insert(a[1], std::move(*value));
  if (ttl) ctx.db.SetExpire(e, ttl);
  // Logged with an absolute TTL, as Redis 7 rewrites it: RESTORE key ms payload ABSTTL REPLACE.
  std::string ms = std::to_string(ttl);
  ctx.Propagate({"RESTORE", a[1], ms, payload, "ABSTTL", "REPLACE"});
  if (idle >= 0) {
    const int64_t now_s = now / 1000;
    e->access_s = static_cast<uint32_t>(idle >= now_s ? 0 : now_s - idle);
  }
  ctx.reply.Ok();
}

}  // namespace

void RegisterDumpFamily(CommandRegistry& r) {
  constexpr RowMaker Row{"generic"};
  r.Add(Row("dump", 2, kCmdReadonly, 1, 1, 1, CmdDump, "2.6.0",
            "Return a serialized version of the value stored at the specified key.",
            "O(1) to access the key and additional O(N*M) to serialize it, where N is the number "
            "of Redis objects composing the value and M their average size. For small string "
            "values the time complexity is thus O(1)+O(1*M) where M is small, so simply O(1).",
            "keyspace read slow"));
  r.Add(Row("restore", -4, kCmdWrite | kCmdDenyOom, 1, 1, 1, CmdRestore, "2.6.0",
            "Create a key using the provided serialized value, previously obtained using DUMP.",
            "O(1) to create the new key and additional O(N*M) to reconstruct the serialized "
            "value, where N is the number of Redis objects composing the value and M their "
            "average size. For small string values the time complexity is thus O(1)+O(1*M) where "
            "M is small, so simply O(1). However for sorted set values the complexity is "
            "O(N*M*log(N)) because inserting values into sorted sets is O(log(N)).",
            "keyspace write slow dangerous"));
}

}  // namespace kevy
