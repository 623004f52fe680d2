// PumpShards: runs the shards in the calling thread -- delivers every queued cross-shard
// batch (tasks out, replies home) until nothing moves. The start-up loader uses it before the
// shard threads serve, and the in-process test engine uses it instead of the inboxes.
#pragma once

#include <vector>

#include "engine/shard.h"

namespace kevy {

inline void PumpShards(const std::vector<Shard*>& shards) {
  bool moved = true;
  while (moved) {
    moved = false;
    for (Shard* s : shards) {
      if (!s->HasOutbox()) continue;
      for (size_t t = 0; t < shards.size(); ++t) {
        TaskList l = s->TakeOutbox(static_cast<uint16_t>(t));
        if (l.empty()) continue;
        moved = true;
        shards[t]->Receive(l.head);
      }
    }
  }
}

}  // namespace kevy
