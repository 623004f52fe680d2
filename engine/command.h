// The command table: one declarative row per command, and the contexts handlers run in.
//
// A row gives name, arity, flags and key positions; the dispatcher uses them to check arity,
// extract keys, route to the owning shard(s), and answer COMMAND. Handlers come in two kinds:
//   on_shard   runs on the shard that owns every key of the command (inline when that is the
//              connection's own shard, else through the inbox). It sees the keyspace, never a
//              socket. Used whenever all keys hash to one shard.
//   on_origin  runs on the connection's shard: keyless commands (PING, CLIENT, INFO, DBSIZE,
//              SCAN...) and multi-key commands whose keys span shards (MGET, DEL, RENAME...),
//              which fan out with engine/fanout.h and reduce with engine/agg.
// Each family file (engine/commands/*_family.cc) exposes one Register*Family() function.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/agg/reply_ring.h"
#include "resp/parser.h"
#include "resp/reply.h"

namespace kevy {

class Shard;
class Db;
struct ClientState;
struct CommandSpec;

// Flags as Redis's COMMAND reply names them.
enum CmdFlag : uint32_t {
  kCmdWrite = 1u << 0,
  kCmdReadonly = 1u << 1,
  kCmdDenyOom = 1u << 2,
  kCmdAdmin = 1u << 3,
  kCmdPubsub = 1u << 4,
  kCmdNoscript = 1u << 5,
  kCmdBlocking = 1u << 6,
  kCmdLoading = 1u << 7,
  kCmdStale = 1u << 8,
  kCmdSkipMonitor = 1u << 9,
  kCmdSkipSlowlog = 1u << 10,
  kCmdFast = 1u << 11,
  kCmdNoAuth = 1u << 12,
  kCmdMayReplicate = 1u << 13,
  kCmdNoMulti = 1u << 14,
  kCmdAllowBusy = 1u << 15,
  kCmdNoAsyncLoading = 1u << 16,
};

// Where a deferred reply goes: a reserved position in a client's reply order.
struct ReplySlot {
  ClientState* client = nullptr;
  uint64_t seq = 0;
  int proto = 2;
};

// Context of an on_shard handler.
struct CmdContext {
  Shard& shard;
  Db& db;
  int db_index;
  const ArgList& args;  // args[0] is the command name as the client sent it
  ReplyBuilder& reply;
  ClientState* client;  // the connection when run on its own shard, else nullptr
  uint32_t client_flags;
  const CommandSpec& spec;
  // Set once the handler logged its own effects (Propagate); otherwise a write command that
  // did not reply with an error is logged verbatim.
  bool propagated = false;

  int64_t now_ms() const;
  // Logs `args` as this command's effect (in this context's database) instead of the
  // command itself: EXPIRE -> PEXPIREAT, SET EX -> SET PXAT, SPOP -> SREM, ... May be called
  // several times; calling it with nothing (NoPropagate) logs nothing.
  void Propagate(const std::vector<std::string_view>& args);
  void NoPropagate() { propagated = true; }
};

// Context of an on_origin handler.
struct CoordContext {
  CoordContext(Shard& s, ClientState& c, const ArgList& a, const CommandSpec& sp, ReplyBuilder& r)
      : shard(s), client(c), args(a), spec(sp), reply(r) {}
  Shard& shard;
  ClientState& client;
  const ArgList& args;
  const CommandSpec& spec;
  ReplyBuilder& reply;  // for an immediate reply; unused once Defer() was called

  // Reserves the command's place in the client's reply order for a reply that comes later
  // (Shard::Finish). Call at most once; after it, write nothing to `reply`.
  // `barrier`: the client's next commands wait until this one has replied. Needed by
  // operations of several rounds (RENAME across shards, MSETNX): a command pipelined after
  // them must not overtake their second round. One-round fan-outs need none: each shard gets
  // the client's commands in order anyway.
  ReplySlot Defer(bool barrier = false);
  bool deferred = false;
  ReplySlot slot;
};

using ShardHandler = void (*)(CmdContext&);
using OriginHandler = void (*)(CoordContext&);
// Custom key extraction: appends argument positions of keys. For commands whose keys are
// not a first/last/step range (e.g. numkeys forms).
using KeysHandler = void (*)(const ArgList& args, std::vector<int>* positions);

struct CommandSpec {
  std::string name;  // lower case; subcommands as "client|list"
  int arity = 0;     // > 0 exact, < 0 at least -arity
  uint32_t flags = 0;
  int first_key = 0;  // 0 = no keys
  int last_key = 0;   // -1 = last argument, -2 = second to last ...
  int key_step = 0;
  ShardHandler on_shard = nullptr;
  OriginHandler on_origin = nullptr;
  KeysHandler get_keys = nullptr;
  // For COMMAND DOCS / INFO. `acl` is the ACL categories without '@' ("string fast read").
  std::string group;
  std::string summary;
  std::string since;
  std::string complexity;
  std::string acl;
  std::vector<CommandSpec> subcommands;  // container commands (CLIENT, CONFIG, ...)
  int id = -1;                           // index into the registry, set on Add

  bool has_keys() const { return first_key > 0 || get_keys != nullptr; }
};

class CommandRegistry {
 public:
  // Adds a row; asserts the name is new.
  void Add(CommandSpec spec);
  // Case-insensitive lookup of a top-level command, or nullptr.
  const CommandSpec* Find(std::string_view name) const;
  // Subcommand of a container ("client", "list"), or nullptr.
  const CommandSpec* FindSub(const CommandSpec& parent, std::string_view sub) const;
  const std::vector<CommandSpec>& all() const { return specs_; }
  size_t size() const { return specs_.size(); }
  // Number of ids handed out (commands and subcommands), for per-command statistics.
  int num_ids() const { return next_id_; }

  // Key positions of a request (into `positions`), per the spec's range or get_keys.
  // Returns false if the positions fall outside args (Redis answers a syntax error then).
  static bool KeyPositions(const CommandSpec& spec, const ArgList& args,
                           std::vector<int>* positions);

 private:
  std::vector<CommandSpec> specs_;
  // Case-insensitive open-addressing index: slot -> position in specs_ + 1 (0 = empty).
  // Every request looks its command up here, so it hashes with ASCII case folding and
  // compares without copying instead of lower-casing into a std::string key.
  static uint32_t NameHash(std::string_view name);
  void Reindex();
  std::vector<uint32_t> slots_;
  int next_id_ = 0;
};

// Every family's registration function, and the one that calls them all.
void RegisterStringFamily(CommandRegistry& r);
void RegisterKeyFamily(CommandRegistry& r);
void RegisterServerFamily(CommandRegistry& r);
void RegisterConnectionFamily(CommandRegistry& r);
void RegisterListFamily(CommandRegistry& r);
void RegisterHashFamily(CommandRegistry& r);
void RegisterSetFamily(CommandRegistry& r);
void RegisterZsetFamily(CommandRegistry& r);
void RegisterBitmapFamily(CommandRegistry& r);
void RegisterHllFamily(CommandRegistry& r);
void RegisterSortFamily(CommandRegistry& r);
void RegisterDumpFamily(CommandRegistry& r);
void RegisterPersistenceFamily(CommandRegistry& r);
void RegisterAllCommands(CommandRegistry& r);

// save points, auto-aof-rewrite and scheduled jobs (persistence_family.cc); shard 0's cron.
void PersistenceCron(Shard& shard0);
// DEBUG RELOAD (persistence_family.cc).
struct CoordContext;
void DebugReload(CoordContext& ctx);

}  // namespace kevy
