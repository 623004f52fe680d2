// Commands that rebuild one key from scratch: SET / RPUSH / HSET / SADD / ZADD (at most 64
// elements each, as Redis's rewrite writes them), then PEXPIREAT for a TTL. Used wherever a
// whole value lands on a shard without a replayable command of its own -- RENAME and COPY
// across shards, *STORE results computed elsewhere, RESTORE -- and by an AOF rewrite
// without the RDB preamble.
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

#include "engine/value.h"

namespace kevy::aof {

using EmitFn = std::function<void(const std::vector<std::string_view>& args)>;

// Emits the commands for `key` holding `v` (expire_ms: absolute unix ms, or -1). With
// `replace`, a DEL of the key comes first, so replay does not merge into an older value.
void EmitValue(std::string_view key, const Value& v, int64_t expire_ms, bool replace,
               const EmitFn& emit);

}  // namespace kevy::aof
