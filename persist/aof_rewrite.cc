#include "persist/aof_rewrite.h"

#include <string>

#include "engine/types/hash.h"
#include "engine/types/list.h"
#include "engine/types/set.h"
#include "engine/types/zset.h"
#include "resp/reply.h"

namespace kevy::aof {

namespace {

constexpr size_t kItemsPerCommand = 64;  // Redis's AOF_REWRITE_ITEMS_PER_CMD

// Collects arguments into commands of at most kItemsPerCommand items after `verb key`.
class Batcher {
 public:
  Batcher(std::string_view verb, std::string_view key, size_t per_item, const EmitFn& emit)
      : verb_(verb), key_(key), per_item_(per_item), emit_(emit) {}
  ~Batcher() { Flush(); }
  void Add(std::initializer_list<std::string_view> item) {
    if (args_.empty()) args_ = {verb_, key_};
    for (auto a : item) args_.push_back(a);
    if ((args_.size() - 2) / per_item_ >= kItemsPerCommand) Flush();
  }
  void Flush() {
    if (args_.size() > 2) emit_(args_);
    args_.clear();
  }

 private:
  std::string_view verb_, key_;
  size_t per_item_;
  const EmitFn& emit_;
  std::vector<std::string_view> args_;
};

}  // namespace

void EmitValue(std::string_view key, const Value& v, int64_t expire_ms, bool replace,
               const EmitFn& emit) {
  if (replace) emit({"DEL", key});
  switch (v.type) {
    case ObjType::kString:
      emit({"SET", key, v.str});
      break;
    case ObjType::kList: {
      Batcher b("RPUSH", key, 1, emit);
      for (const std::string& item : v.As<List>()->items()) b.Add({item});
      break;
    }
    case ObjType::kHash: {
      Batcher b("HSET", key, 2, emit);
      v.As<Hash>()->ForEach([&](std::string_view f, std::string_view val) { b.Add({f, val}); });
      break;
    }
    case ObjType::kSet: {
      // The member list owns the text of intset members: it must outlive the batches.
      auto members = v.As<Set>()->Members();
      Batcher b("SADD", key, 1, emit);
      for (std::string_view m : members) b.Add({m});
      b.Flush();
      break;
    }
    case ObjType::kZSet: {
      // Scores as their shortest round-trip text; kept alive until the batch is flushed.
      std::vector<std::string> scores;
      scores.reserve(v.As<ZSet>()->Size());
      Batcher b("ZADD", key, 2, emit);
      v.As<ZSet>()->ForEachMember([&](std::string_view m, double score) {
        char buf[64];
        scores.emplace_back(buf, static_cast<size_t>(FormatDouble(score, buf)));
        b.Add({scores.back(), m});
      });
      b.Flush();
      break;
    }
    case ObjType::kStream:
      break;
  }
  if (expire_ms >= 0) {
    std::string ms = std::to_string(expire_ms);
    emit({"PEXPIREAT", key, ms});
  }
}

}  // namespace kevy::aof
