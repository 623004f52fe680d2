// Connection commands: PING, ECHO, QUIT, RESET, HELLO, AUTH, SELECT and the CLIENT container.
//
// All of them run on the connection's own shard (on_origin) because they read or change the
// connection's state. CLIENT LIST and CLIENT KILL see every connection of the server: they fan
// out to all shards, each shard describes (or closes) the clients it accepted, and the origin
// merges the parts. Replies and error texts are Redis 7's; CLIENT SETINFO, CLIENT NO-TOUCH and
// the lib-name/lib-ver fields of CLIENT LIST are those of Redis 7.2.

#include <algorithm>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "engine/client.h"
#include "engine/command.h"
#include "engine/fanout.h"
#include "engine/server_state.h"
#include "engine/commands/family_util.h"
#include "engine/shard.h"
#include "engine/util.h"
#include "resp/errors.h"
#include "resp/reply.h"

namespace kevy {

namespace {

// Redis's validateClientAttr: names and library attributes are printable ASCII without
// spaces, so that CLIENT LIST stays parseable.
bool ValidAttr(std::string_view s) {
  for (unsigned char ch : s)
    if (ch < '!' || ch > '~') return false;
  return true;
}

// Redis's addReplyHelp: the header line, the command's lines, then HELP.
void ReplyHelp(ReplyBuilder& rb, std::string_view cmd,
               std::initializer_list<std::string_view> lines) {
  rb.ArrayHeader(lines.size() + 3);
  rb.SimpleString(StrCat(cmd, " <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"));
  for (std::string_view l : lines) rb.SimpleString(l);
  rb.SimpleString("HELP");
  rb.SimpleString("    Prints this help.");
}

// Without requirepass the default user has no password (nopass), so everyone is in.
bool IsAuthenticated(const Shard& shard, const ClientState& c) {
  return c.authenticated || shard.config().requirepass().empty();
}

// ACLAuthenticateUser for the only user kevy has, "default".
bool CheckPassword(const Shard& shard, std::string_view user, std::string_view pass) {
  if (user != "default") return false;
  std::string required = shard.config().requirepass();
  return required.empty() || pass == required;
}

// --- PING, ECHO, QUIT, RESET, SELECT ---

void CmdPing(CoordContext& ctx) {
  if (ctx.args.size() > 2) {
    ctx.reply.Error(errors::WrongArgs("ping"));
    return;
  }
  if (ctx.args.size() == 1)
    ctx.reply.SimpleString("PONG");
  else
    ctx.reply.Bulk(ctx.args[1]);
}

void CmdEcho(CoordContext& ctx) { ctx.reply.Bulk(ctx.args[1]); }

void CmdQuit(CoordContext& ctx) {
  ctx.reply.Ok();
  ctx.client.flags |= kClientCloseAfterReply;
}

void CmdReset(CoordContext& ctx) {
  // Redis's clearClientConnectionState. The library name and version survive: they still
  // describe the client behind the connection.
  ClientState& c = ctx.client;
  c.db = 0;
  c.proto = 2;
  ctx.reply.set_proto(2);
  // Back to the default user: authenticated only if it has no password.
  c.authenticated = ctx.shard.config().requirepass().empty();
  c.name.clear();
  c.flags &= ~(kClientNoEvict | kClientNoTouch);
  ctx.reply.SimpleString("RESET");
}

void CmdSelect(CoordContext& ctx) {
  int64_t id;
  if (!ParseInt64Range(ctx.args[1], INT32_MIN, INT32_MAX, &id)) {
    ctx.reply.Error(errors::kNotInteger);
    return;
  }
  if (id < 0 || id >= ctx.shard.num_dbs()) {
    ctx.reply.Error(errors::kOutOfRangeDb);
    return;
  }
  ctx.client.db = static_cast<int>(id);
  ctx.reply.Ok();
}

// --- AUTH, HELLO ---

void CmdAuth(CoordContext& ctx) {
  const ArgList& a = ctx.args;
  if (a.size() > 3) {
    ctx.reply.Error(errors::kSyntax);
    return;
  }
  std::string_view user = "default", pass;
  if (a.size() == 2) {
    if (ctx.shard.config().requirepass().empty()) {
      ctx.reply.Error(errors::kAuthNoPassword);
      return;
    }
    pass = a[1];
  } else {
    user = a[1];
    pass = a[2];
  }
  if (!CheckPassword(ctx.shard, user, pass)) {
    ctx.reply.Error(errors::kWrongPass);
    return;
  }
  ctx.client.authenticated = true;
  ctx.reply.Ok();
}

void CmdHello(CoordContext& ctx) {
  const ArgList& a = ctx.args;
  ClientState& c = ctx.client;
  int64_t ver = 0;
  size_t next = 1;
  if (a.size() >= 2) {
    if (!ParseInt64(a[1], &ver)) {
      ctx.reply.Error(errors::kHelloProtoNotInt);
      return;
    }
    next = 2;
    if (ver < 2 || ver > 3) {
      ctx.reply.Error(errors::kNoProto);
      return;
    }
  }
  bool auth = false, setname = false;
  std::string_view user, pass, name;
  for (size_t j = next; j < a.size(); ++j) {
    size_t more = a.size() - 1 - j;
    if (EqualsNoCase(a[j], "auth") && more >= 2) {
      auth = true;
      user = a[j + 1];
      pass = a[j + 2];
      j += 2;
    } else if (EqualsNoCase(a[j], "setname") && more >= 1) {
      setname = true;
      name = a[j + 1];
      ++j;
    } else {
      ctx.reply.Error(errors::HelloSyntax(a[j]));
      return;
    }
  }
  if (auth) {
    if (!CheckPassword(ctx.shard, user, pass)) {
      ctx.reply.Error(errors::kWrongPass);
      return;
    }
    c.authenticated = true;
  }
  if (!IsAuthenticated(ctx.shard, c)) {
    ctx.reply.Error(errors::kNoAuthHello);
    return;
  }
  if (setname) {
    if (!ValidAttr(name)) {
      ctx.reply.Error(errors::kClientNameInvalid);
      return;
    }
    c.name = std::string(name);
  }
  if (ver) {
    c.proto = static_cast<int>(ver);
    ctx.reply.set_proto(c.proto);  // the HELLO reply itself is in the new protocol
  }
  ReplyBuilder& rb = ctx.reply;
  rb.MapHeader(7);
  rb.Bulk("server");
  rb.Bulk("redis");
  rb.Bulk("version");
  rb.Bulk(kRedisVersion);
  rb.Bulk("proto");
  rb.Integer(c.proto);
  rb.Bulk("id");
  rb.Integer(static_cast<int64_t>(c.id));
  rb.Bulk("mode");
  rb.Bulk("standalone");
  rb.Bulk("role");
  rb.Bulk("master");
  rb.Bulk("modules");
  rb.ArrayHeader(0);
}

// --- CLIENT ---

// Client types of CLIENT LIST/KILL TYPE. Every kevy connection is a normal one (no replicas,
// no masters); pub/sub clients are not told apart yet.
enum ClientType { kTypeAny = -1, kTypeNormal = 0, kTypeReplica, kTypePubsub, kTypeMaster };

int ParseClientType(std::string_view s) {
  if (EqualsNoCase(s, "normal")) return kTypeNormal;
  if (EqualsNoCase(s, "slave") || EqualsNoCase(s, "replica")) return kTypeReplica;
  if (EqualsNoCase(s, "pubsub")) return kTypePubsub;
  if (EqualsNoCase(s, "master")) return kTypeMaster;
  return -2;
}

bool TypeMatches(int type, const ClientState&) { return type == kTypeAny || type == kTypeNormal; }

// One line of CLIENT LIST / CLIENT INFO, in Redis 7.2's field order (without the newline).
// Runs on the thread of the shard that owns `c`. `self` is the client running the command:
// its arguments are what argv-mem counts, and it is not waiting to write.
std::string ClientLine(const ClientState& c, int64_t now_ms, bool self, size_t argv_mem) {
  char flags[8];
  char* p = flags;
  if (c.flags & kClientCloseAfterReply) *p++ = 'c';
  if (c.flags & kClientCloseAsap) *p++ = 'A';
  if (c.flags & kClientNoEvict) *p++ = 'e';
  if (c.flags & kClientNoTouch) *p++ = 'T';
  if (p == flags) *p++ = 'N';
  std::string_view flag_str(flags, static_cast<size_t>(p - flags));
  size_t qbuf_free = c.qbuf_cap > c.qbuf ? c.qbuf_cap - c.qbuf : 0;
  size_t obl = self ? 0 : c.out.size();
  size_t tot_mem = sizeof(ClientState) + c.qbuf_cap + c.out.capacity() + argv_mem;
  int64_t age = std::max<int64_t>(0, (now_ms - c.created_ms) / 1000);
  int64_t idle = self ? 0 : std::max<int64_t>(0, (now_ms - c.last_interaction_ms) / 1000);
  return StrCat("id=", c.id, " addr=", c.addr, " laddr=", c.laddr, " fd=", c.fd, " name=", c.name,
                " age=", age, " idle=", idle, " flags=", flag_str, " db=", c.db,
                " sub=0 psub=0 ssub=0 multi=-1 qbuf=", c.qbuf, " qbuf-free=", qbuf_free,
                " argv-mem=", argv_mem, " multi-mem=0 rbs=", c.out.capacity(),
                " rbp=", c.out.capacity(), " obl=", obl, " oll=0 omem=0 tot-mem=", tot_mem,
                " events=", (obl ? "rw" : "r"), " cmd=", c.last_cmd,
                " user=default redir=-1 resp=", c.proto, " lib-name=", c.lib_name,
                " lib-ver=", c.lib_ver);
}

size_t ArgvMem(const ArgList& args) {
  size_t n = 0;
  for (std::string_view a : args) n += a.size();
  return n;
}

void CmdClientId(CoordContext& ctx) { ctx.reply.Integer(static_cast<int64_t>(ctx.client.id)); }

void CmdClientSetName(CoordContext& ctx) {
  std::string_view name = ctx.args[2];
  if (!ValidAttr(name)) {
    ctx.reply.Error(errors::kClientNameInvalid);
    return;
  }
  ctx.client.name = std::string(name);
  ctx.reply.Ok();
}

void CmdClientGetName(CoordContext& ctx) {
  if (ctx.client.name.empty())
    ctx.reply.Null();
  else
    ctx.reply.Bulk(ctx.client.name);
}

void CmdClientSetInfo(CoordContext& ctx) {
  std::string_view attr = ctx.args[2], val = ctx.args[3];
  std::string* dest;
  if (EqualsNoCase(attr, "lib-name")) {
    dest = &ctx.client.lib_name;
  } else if (EqualsNoCase(attr, "lib-ver")) {
    dest = &ctx.client.lib_ver;
  } else {
    ctx.reply.Error(errors::UnrecognizedOption(attr));
    return;
  }
  if (!ValidAttr(val)) {
    ctx.reply.Error(errors::AttrInvalid(attr));
    return;
  }
  *dest = std::string(val);
  ctx.reply.Ok();
}

// CLIENT NO-EVICT / NO-TOUCH ON|OFF.
void SetFlagOnOff(CoordContext& ctx, uint32_t flag) {
  std::string_view v = ctx.args[2];
  if (EqualsNoCase(v, "on")) {
    ctx.client.flags |= flag;
  } else if (EqualsNoCase(v, "off")) {
    ctx.client.flags &= ~flag;
  } else {
    ctx.reply.Error(errors::kSyntax);
    return;
  }
  ctx.reply.Ok();
}
void CmdClientNoEvict(CoordContext& ctx) { SetFlagOnOff(ctx, kClientNoEvict); }
void CmdClientNoTouch(CoordContext& ctx) { SetFlagOnOff(ctx, kClientNoTouch); }

// Client-side caching (tracking) is never on in kevy: these report the "off" state exactly as
// Redis does for a connection that has not enabled it.
void CmdClientGetRedir(CoordContext& ctx) { ctx.reply.Integer(-1); }

void CmdClientTrackingInfo(CoordContext& ctx) {
  ReplyBuilder& rb = ctx.reply;
  rb.MapHeader(3);
  rb.Bulk("flags");
  rb.SetHeader(1);
  rb.Bulk("off");
  rb.Bulk("redirect");
  rb.Integer(-1);
  rb.Bulk("prefixes");
  rb.ArrayHeader(0);
}

void CmdClientInfo(CoordContext& ctx) {
  std::string line = ClientLine(ctx.client, ctx.shard.now_ms(), true, ArgvMem(ctx.args));
  line.push_back('\n');
  ctx.reply.Verbatim(line);
}

struct ClientRow {
  uint64_t id;
  std::string line;
};

void CmdClientList(CoordContext& ctx) {
  const ArgList& a = ctx.args;
  int type = kTypeAny;
  std::vector<uint64_t> ids;  // ID filter, in request order (duplicates repeat, as Redis's)
  bool by_id = false;
  if (a.size() == 4 && EqualsNoCase(a[2], "type")) {
    type = ParseClientType(a[3]);
    if (type == -2) {
      ctx.reply.Error(errors::UnknownClientType(a[3]));
      return;
    }
  } else if (a.size() > 3 && EqualsNoCase(a[2], "id")) {
    by_id = true;
    for (size_t j = 3; j < a.size(); ++j) {
      int64_t id;
      if (!ParseInt64(a[j], &id)) {
        ctx.reply.Error(errors::kInvalidClientId);
        return;
      }
      ids.push_back(static_cast<uint64_t>(id));
    }
  } else if (a.size() != 2) {
    ctx.reply.Error(errors::kSyntax);
    return;
  }

  ReplySlot slot = ctx.Defer();
  uint64_t self = ctx.client.id;
  size_t argv_mem = ArgvMem(a);
  FanOut<std::vector<ClientRow>>(
      ctx.shard, AllShards(ctx.shard),
      [self, argv_mem, type, by_id, ids](Shard& s, size_t, std::vector<ClientRow>& part) {
        int64_t now = s.now_ms();
        for (const auto& [id, c] : s.clients()) {
          if (c->closed || !TypeMatches(type, *c)) continue;
          if (by_id && std::find(ids.begin(), ids.end(), id) == ids.end()) continue;
          part.push_back({id, ClientLine(*c, now, id == self, id == self ? argv_mem : 0)});
        }
      },
      [slot, by_id, ids](Shard& origin, std::vector<std::vector<ClientRow>>& parts) {
        std::vector<ClientRow> rows;
        for (auto& p : parts)
          for (auto& r : p) rows.push_back(std::move(r));
        // Redis lists clients in connection order; ids grow with connection order.
        std::sort(rows.begin(), rows.end(),
                  [](const ClientRow& x, const ClientRow& y) { return x.id < y.id; });
        std::string text;
        if (by_id) {
          for (uint64_t id : ids) {
            auto it = std::lower_bound(rows.begin(), rows.end(), id,
                                       [](const ClientRow& r, uint64_t v) { return r.id < v; });
            if (it != rows.end() && it->id == id) Cat(&text, it->line, "\n");
          }
        } else {
          for (const auto& r : rows) Cat(&text, r.line, "\n");
        }
        origin.Finish(slot, [&](ReplyBuilder& rb) { rb.Verbatim(text); });
      });
}

// The filters of CLIENT KILL, copied into the fan-out (every target reads them).
struct KillFilter {
  bool has_id = false;
  uint64_t id = 0;
  bool has_addr = false, has_laddr = false;
  std::string addr, laddr;
  int type = kTypeAny;
  bool skipme = true;
  uint64_t self = 0;

  bool Matches(const ClientState& c) const {
    if (has_addr && c.addr != addr) return false;
    if (has_laddr && c.laddr != laddr) return false;
    if (!TypeMatches(type, c)) return false;
    if (has_id && c.id != id) return false;
    // USER: "default" is the only user, and every connection is authenticated as it.
    if (c.id == self && skipme) return false;
    return true;
  }
};

void CmdClientKill(CoordContext& ctx) {
  const ArgList& a = ctx.args;
  KillFilter f;
  f.self = ctx.client.id;
  bool old_form = a.size() == 3;
  if (old_form) {
    // CLIENT KILL ip:port -- may kill the caller itself.
    f.has_addr = true;
    f.addr = std::string(a[2]);
    f.skipme = false;
  } else {
    for (size_t i = 2; i < a.size(); i += 2) {
      bool more = a.size() > i + 1;
      std::string_view opt = a[i];
      if (EqualsNoCase(opt, "id") && more) {
        int64_t id;
        if (!ParseInt64(a[i + 1], &id) || id < 1) {
          ctx.reply.Error(errors::kClientIdNotPositive);
          return;
        }
        f.has_id = true;
        f.id = static_cast<uint64_t>(id);
      } else if (EqualsNoCase(opt, "type") && more) {
        f.type = ParseClientType(a[i + 1]);
        if (f.type == -2) {
          ctx.reply.Error(errors::UnknownClientType(a[i + 1]));
          return;
        }
      } else if (EqualsNoCase(opt, "addr") && more) {
        f.has_addr = true;
        f.addr = std::string(a[i + 1]);
      } else if (EqualsNoCase(opt, "laddr") && more) {
        f.has_laddr = true;
        f.laddr = std::string(a[i + 1]);
      } else if (EqualsNoCase(opt, "user") && more) {
        if (a[i + 1] != "default") {
          ctx.reply.Error(errors::NoSuchUser(a[i + 1]));
          return;
        }
      } else if (EqualsNoCase(opt, "skipme") && more) {
        if (EqualsNoCase(a[i + 1], "yes")) {
          f.skipme = true;
        } else if (EqualsNoCase(a[i + 1], "no")) {
          f.skipme = false;
        } else {
          ctx.reply.Error(errors::kSyntax);
          return;
        }
      } else {
        ctx.reply.Error(errors::kSyntax);
        return;
      }
    }
  }

  // The caller is closed only after its reply went out; the others right away, each by the
  // shard that owns it.
  bool kill_self = !ctx.client.closed && f.Matches(ctx.client);
  ReplySlot slot = ctx.Defer();
  FanOut<int64_t>(
      ctx.shard, AllShards(ctx.shard),
      [f](Shard& s, size_t, int64_t& killed) {
        std::vector<ClientState*> victims;  // CloseClient may remove from clients()
        for (const auto& [id, c] : s.clients())
          if (id != f.self && !c->closed && f.Matches(*c)) victims.push_back(c);
        for (ClientState* c : victims) {
          if (s.net()) s.net()->CloseClient(c);
        }
        killed = static_cast<int64_t>(victims.size());
      },
      [slot, kill_self, old_form](Shard& origin, std::vector<int64_t>& parts) {
        int64_t killed = kill_self ? 1 : 0;
        for (int64_t k : parts) killed += k;
        if (kill_self) slot.client->flags |= kClientCloseAfterReply;
        origin.Finish(slot, [&](ReplyBuilder& rb) {
          if (!old_form)
            rb.Integer(killed);
          else if (killed == 0)
            rb.Error(errors::kNoSuchClient);
          else
            rb.Ok();
        });
      });
}

void CmdClientHelp(CoordContext& ctx) {
  ReplyHelp(ctx.reply, "CLIENT",
            {"GETREDIR",
             "    Return the client ID we are redirecting to when tracking is enabled.",
             "GETNAME",
             "    Return the name of the current connection.",
             "ID",
             "    Return the ID of the current connection.",
             "INFO",
             "    Return information about the current client connection.",
             "KILL <ip:port>",
             "    Kill connection made from <ip:port>.",
             "KILL <option> <value> [<option> <value> [...]]",
             "    Kill connections. Options are:",
             "    * ADDR (<ip:port>|<unixsocket>:0)",
             "      Kill connections made from the specified address",
             "    * LADDR (<ip:port>|<unixsocket>:0)",
             "      Kill connections made to specified local address",
             "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
             "      Kill connections by type.",
             "    * USER <username>",
             "      Kill connections authenticated by <username>.",
             "    * SKIPME (YES|NO)",
             "      Skip killing current connection (default: yes).",
             "LIST [options ...]",
             "    Return information about client connections. Options:",
             "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
             "      Return clients of specified type.",
             "SETNAME <name>",
             "    Assign the name <name> to the current connection.",
             "SETINFO <option> <value>",
             "    Set client meta attr. Options are:",
             "    * LIB-NAME: the client lib name.",
             "    * LIB-VER: the client lib version.",
             "TRACKINGINFO",
             "    Report tracking status for the current connection.",
             "NO-EVICT (ON|OFF)",
             "    Protect current client connection from eviction.",
             "NO-TOUCH (ON|OFF)",
             "    Will not touch LRU/LFU stats when this mode is on."});
}

// --- the table ---

CommandSpec Row(std::string name, int arity, uint32_t flags, OriginHandler h, std::string acl,
                std::string summary, std::string since, std::string complexity = "O(1)") {
  CommandSpec s = KeyedRow(std::move(name), arity, flags, 0, 0, 0, "connection",
                           std::move(since), std::move(summary), std::move(complexity),
                           std::move(acl));
  s.on_origin = h;
  return s;
}

}  // namespace

void RegisterConnectionFamily(CommandRegistry& r) {
  constexpr uint32_t kHandshake =
      kCmdNoscript | kCmdLoading | kCmdStale | kCmdFast | kCmdNoAuth | kCmdAllowBusy;
  r.Add(Row("ping", -1, kCmdFast, CmdPing, "connection", "Ping the server", "1.0.0"));
  r.Add(Row("echo", 2, kCmdLoading | kCmdStale | kCmdFast, CmdEcho, "connection",
            "Echo the given string", "1.0.0"));
  r.Add(Row("quit", -1, kHandshake, CmdQuit, "connection", "Close the connection", "1.0.0"));
  r.Add(Row("reset", 1, kHandshake, CmdReset, "connection", "Reset the connection", "6.2.0"));
  r.Add(Row("hello", -1, kHandshake, CmdHello, "connection", "Handshake with Redis", "6.0.0"));
  r.Add(Row("auth", -2, kHandshake, CmdAuth, "connection", "Authenticate to the server", "1.0.0",
            "O(N) where N is the number of passwords defined for the user"));
  r.Add(Row("select", 2, kCmdLoading | kCmdStale | kCmdFast, CmdSelect, "connection",
            "Change the selected database for the current connection", "1.0.0"));

  constexpr uint32_t kSub = kCmdNoscript | kCmdLoading | kCmdStale;
  constexpr uint32_t kAdminSub = kCmdAdmin | kSub;
  CommandSpec client =
      Row("client", -2, 0, nullptr, "", "A container for client connection commands", "2.4.0",
          "Depends on subcommand.");
  auto& subs = client.subcommands;
  subs.push_back(Row("client|id", 2, kSub, CmdClientId, "connection",
                     "Returns the client ID for the current connection", "5.0.0"));
  subs.push_back(Row("client|setname", 3, kSub, CmdClientSetName, "connection",
                     "Set the current connection name", "2.6.9"));
  subs.push_back(Row("client|getname", 2, kSub, CmdClientGetName, "connection",
                     "Get the current connection name", "2.6.9"));
  subs.push_back(Row("client|info", 2, kSub, CmdClientInfo, "connection",
                     "Returns information about the current client connection.", "6.2.0"));
  subs.push_back(Row("client|list", -2, kAdminSub, CmdClientList, "connection",
                     "Get the list of client connections", "2.4.0",
                     "O(N) where N is the number of client connections"));
  subs.push_back(Row("client|kill", -3, kAdminSub, CmdClientKill, "connection",
                     "Kill the connection of a client", "2.4.0",
                     "O(N) where N is the number of client connections"));
  subs.push_back(Row("client|setinfo", 4, kSub, CmdClientSetInfo, "connection",
                     "Set client or connection specific info", "7.2.0"));
  subs.push_back(Row("client|no-evict", 3, kAdminSub, CmdClientNoEvict, "connection",
                     "Set client eviction mode for the current connection", "7.0.0"));
  subs.push_back(Row("client|no-touch", 3, kSub, CmdClientNoTouch, "connection",
                     "Controls whether commands sent by the client affect the LRU/LFU of "
                     "accessed keys",
                     "7.2.0"));
  subs.push_back(Row("client|getredir", 2, kSub, CmdClientGetRedir, "connection",
                     "Get tracking notifications redirection client ID if any", "6.0.0"));
  subs.push_back(Row("client|trackinginfo", 2, kSub, CmdClientTrackingInfo, "connection",
                     "Return information about server assisted client side caching for the "
                     "current connection",
                     "6.2.0"));
  subs.push_back(Row("client|help", 2, kCmdLoading | kCmdStale, CmdClientHelp, "connection",
                     "Show helpful text about the different subcommands", "5.0.0"));
  r.Add(std::move(client));
}

}  // namespace kevy
