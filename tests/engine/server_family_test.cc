// Tests of the server commands (engine/commands/server_family.cc) on the in-process engine
// with 2 shards: INFO sections and fields summed over every shard, CONFIG, COMMAND (INFO,
// DOCS, LIST, COUNT, GETKEYS) read from the command table, TIME, WAIT, DEBUG and SHUTDOWN.
// Expected texts and layouts are redis-server 7.0.15's.
#include <catch2/catch.hpp>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "engine/client.h"
#include "engine/shard.h"
#include "engine/value.h"
#include "tests/support/test_engine.h"

namespace kevy::test {
namespace {

std::string Err(const std::string& msg) { return "(error) " + msg; }

std::string RunRaw(TestEngine& e, std::vector<std::string> args, int client = 0) {
  ClientState& c = e.client(client);
  ArgList a;
  for (const auto& s : args) a.push_back(s);
  e.shard(c.shard).Dispatch(c, a);
  e.Pump();
  return e.TakeOutput(client);
}

// Puts a key straight into its owning shard's db (no dependency on the string family).
void Put(TestEngine& e, const std::string& key, int db = 0, int64_t expire_at_ms = 0) {
  Shard& s = e.shard(e.server().slots.ShardOf(key));
  Entry* en = s.db(db).Insert(key, Value(std::string("v")));
  if (expire_at_ms) s.db(db).SetExpire(en, expire_at_ms);
}

struct Info {
  std::vector<std::string> sections;          // "# Name" headers in order
  std::map<std::string, std::string> fields;  // key -> value over all sections
};

Info ParseInfo(const std::string& text) {
  Info info;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find("\r\n", start);
    REQUIRE(end != std::string::npos);  // every line ends with CRLF
    std::string line = text.substr(start, end - start);
    start = end + 2;
    if (line.empty()) continue;
    if (line[0] == '#') {
      info.sections.push_back(line.substr(2));
      continue;
    }
    size_t colon = line.find(':');
    REQUIRE(colon != std::string::npos);
    info.fields[line.substr(0, colon)] = line.substr(colon + 1);
  }
  return info;
}

Info RunInfo(TestEngine& e, std::vector<std::string> args = {"INFO"}, int client = 0) {
  RespValue r = e.Run(args, client);
  REQUIRE((r.type == RespValue::kBulk || r.type == RespValue::kVerbatim));
  return ParseInfo(r.str);
}

std::vector<std::string> Strs(const RespValue& v) {
  std::vector<std::string> out;
  for (const auto& x : v.elems) out.push_back(x.str);
  return out;
}

// A map reply (RESP3 map or RESP2 flat array) as key -> value.
std::map<std::string, RespValue> AsMap(const RespValue& v) {
  std::map<std::string, RespValue> m;
  for (size_t i = 0; i + 1 < v.elems.size(); i += 2) m[v.elems[i].str] = v.elems[i + 1];
  return m;
}

}  // namespace

TEST_CASE("INFO sections: default, all, several, unknown", "[server]") {
  TestEngine e;
  CHECK(RunInfo(e).sections == std::vector<std::string>{"Server", "Clients", "Memory",
                                                        "Persistence", "Stats", "Replication",
                                                        "CPU", "Modules", "Errorstats", "Cluster",
                                                        "Keyspace"});
  CHECK(RunInfo(e, {"INFO", "default"}).sections == RunInfo(e).sections);
  std::vector<std::string> all = {
      "Server",  "Clients",      "Memory",     "Persistence",  "Stats",   "Replication", "CPU",
      "Modules", "Commandstats", "Errorstats", "Latencystats", "Cluster", "Keyspace"};
  CHECK(RunInfo(e, {"INFO", "all"}).sections == all);
  CHECK(RunInfo(e, {"INFO", "everything"}).sections == all);
  // Several sections come out in Redis's fixed order, whatever the argument order.
  CHECK(RunInfo(e, {"INFO", "keyspace", "CPU"}).sections ==
        std::vector<std::string>{"CPU", "Keyspace"});
  CHECK(S(e.Run({"INFO", "nosuchsection"})) == "\"\"");
  // Exact framing: sections separated by an empty line, no trailing one.
  CHECK(e.Run({"INFO", "cluster", "modules"}).str ==
        "# Modules\r\n\r\n# Cluster\r\ncluster_enabled:0\r\n");
  // RESP3: a verbatim string.
  e.Run({"HELLO", "3"});
  std::string raw = RunRaw(e, {"INFO", "cluster"});
  CHECK(raw == "=34\r\ntxt:# Cluster\r\ncluster_enabled:0\r\n\r\n");
}

TEST_CASE("INFO fields", "[server]") {
  TestEngine e;
  e.NewClient(1);
  e.NewClient(1);
  Info info = RunInfo(e, {"INFO", "everything"});
  auto& f = info.fields;
  CHECK(f["redis_version"] == "7.0.15");
  CHECK(f["kevy_version"] == KEVY_VERSION);
  CHECK(f["redis_mode"] == "standalone");
  CHECK(f["arch_bits"] == "64");
  CHECK(f["run_id"] == std::string(40, 'a'));
  CHECK(f["tcp_port"] == "6379");
  CHECK(f["hz"] == "10");
  CHECK(f["uptime_in_seconds"] == "0");
  CHECK(f["server_time_usec"] == std::to_string(e.now_ms() * 1000));
  CHECK(std::stoll(f["process_id"]) > 0);
  CHECK(f.count("os"));
  CHECK(f["io_threads_active"] == "0");
  // Clients of both shards.
  CHECK(f["connected_clients"] == "3");
  CHECK(f["maxclients"] == "10000");
  CHECK(f["blocked_clients"] == "0");
  CHECK(std::stoll(f["used_memory"]) > 0);
  CHECK(std::stoll(f["used_memory_rss"]) > 0);
  CHECK(std::stoll(f["used_memory_peak"]) >= std::stoll(f["used_memory"]));
  CHECK(f["mem_allocator"] == "libc");
  CHECK(f["maxmemory"] == "0");
  CHECK(f["maxmemory_human"] == "0B");
  CHECK(f["maxmemory_policy"] == "noeviction");
  CHECK(f["loading"] == "0");
  CHECK(f["rdb_bgsave_in_progress"] == "0");
  CHECK(f["aof_enabled"] == "0");
  CHECK(f["aof_rewrite_in_progress"] == "0");
  CHECK(f["role"] == "master");
  CHECK(f["connected_slaves"] == "0");
  CHECK(f["master_replid"].size() == 40);
  CHECK(f["master_repl_offset"] == "0");
  CHECK(f["used_cpu_user"].find('.') != std::string::npos);
  CHECK(f.count("used_cpu_sys_children"));
  CHECK(f["cluster_enabled"] == "0");
  for (const char* k :
       {"total_connections_received", "total_commands_processed", "instantaneous_ops_per_sec",
        "total_net_input_bytes", "total_net_output_bytes", "rejected_connections", "expired_keys",
        "evicted_keys", "keyspace_hits", "keyspace_misses", "total_error_replies"})
    CHECK(f.count(k));
  CHECK(f["rdb_last_save_time"] == std::to_string(e.now_ms() / 1000));
}

TEST_CASE("INFO keyspace counts the keys of every shard and db", "[server]") {
  TestEngine e;
  REQUIRE(e.KeyOnShard(0, "a") != e.KeyOnShard(1, "b"));
  for (int i = 0; i < 10; ++i) Put(e, "key:" + std::to_string(i));
  int on0 = 0;
  for (int i = 0; i < 10; ++i) on0 += e.server().slots.ShardOf("key:" + std::to_string(i)) == 0;
  REQUIRE(on0 > 0);
  REQUIRE(on0 < 10);  // keys on both shards
  // Two volatile keys, one per shard, 100 s and 200 s from now.
  Put(e, e.KeyOnShard(0, "vol"), 0, e.now_ms() + 100000);
  Put(e, e.KeyOnShard(1, "vol"), 0, e.now_ms() + 200000);
  Put(e, "other", 3);

  Info info = RunInfo(e, {"INFO", "keyspace"});
  CHECK(info.sections == std::vector<std::string>{"Keyspace"});
  CHECK(info.fields["db0"] == "keys=12,expires=2,avg_ttl=150000");
  CHECK(info.fields["db3"] == "keys=1,expires=0,avg_ttl=0");
  CHECK(info.fields.size() == 2);  // empty dbs are not listed
}

TEST_CASE("INFO stats and commandstats sum every shard; CONFIG RESETSTAT zeroes them", "[server]") {
  TestEngine e;
  int far = e.NewClient(1);
  e.Run({"PING"});
  e.Run({"PING"}, far);
  e.Run({"PING"}, far);
  e.Run({"CLIENT", "ID"}, far);
  e.Run({"ECHO"});  // rejected by the arity check
  Info info = RunInfo(e, {"INFO", "stats", "commandstats"});
  auto& f = info.fields;
  CHECK(f["total_commands_processed"] == "6");  // the INFO itself included
  CHECK(std::stoll(f["total_error_replies"]) >= 1);
  CHECK(f["cmdstat_ping"] == "calls=3,usec=0,usec_per_call=0.00,rejected_calls=0,failed_calls=0");
  CHECK(f["cmdstat_client|id"] ==
        "calls=1,usec=0,usec_per_call=0.00,rejected_calls=0,failed_calls=0");
  CHECK(f["cmdstat_echo"] == "calls=0,usec=0,usec_per_call=0.00,rejected_calls=1,failed_calls=0");
  CHECK(f["cmdstat_info"] == "calls=1,usec=0,usec_per_call=0.00,rejected_calls=0,failed_calls=0");
  CHECK(f.count("cmdstat_get") == 0);  // never called

  // Each shard counts its own connections' commands.
  CHECK(e.shard(1).stats().total_commands_processed == 3);

  CHECK(S(e.Run({"CONFIG", "RESETSTAT"}, far)) == "OK");
  CHECK(e.shard(0).stats().total_commands_processed == 0);
  CHECK(e.shard(1).stats().total_commands_processed == 0);
  info = RunInfo(e, {"INFO", "stats", "commandstats"});
  CHECK(info.fields["total_commands_processed"] == "1");
  CHECK(info.fields["total_error_replies"] == "0");
  CHECK(info.fields.count("cmdstat_ping") == 0);
  CHECK(info.fields["cmdstat_info"] ==
        "calls=1,usec=0,usec_per_call=0.00,rejected_calls=0,failed_calls=0");
  CHECK(S(e.Run({"CONFIG", "RESETSTAT", "x"})) ==
        Err("ERR wrong number of arguments for 'config|resetstat' command"));
}

TEST_CASE("CONFIG errors and help", "[server]") {
  TestEngine e;
  CHECK(S(e.Run({"CONFIG"})) == Err("ERR wrong number of arguments for 'config' command"));
  CHECK(S(e.Run({"CONFIG", "foo"})) == Err("ERR unknown subcommand 'foo'. Try CONFIG HELP."));
  CHECK(S(e.Run({"CONFIG", "GET"})) ==
        Err("ERR wrong number of arguments for 'config|get' command"));
  CHECK(S(e.Run({"CONFIG", "SET", "maxmemory"})) ==
        Err("ERR wrong number of arguments for 'config|set' command"));
  CHECK(S(e.Run({"CONFIG", "SET", "maxmemory", "1", "foo"})) == Err("ERR syntax error"));
  CHECK(e.Run({"CONFIG", "GET", "nosuchparameter"}).elems.empty());
  RespValue help = e.Run({"CONFIG", "HELP"});
  REQUIRE(help.type == RespValue::kArray);
  CHECK(help.elems.size() == 11);
  CHECK(S(help.elems[0]) == "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
  CHECK(S(help.elems[5]) == "RESETSTAT");
}

TEST_CASE("CONFIG SET and GET round trip", "[server][config]") {
  TestEngine e;
  CHECK(S(e.Run({"CONFIG", "SET", "maxmemory", "100mb"})) == "OK");
  CHECK(S(e.Run({"CONFIG", "GET", "maxmemory"})) == "[\"maxmemory\", \"104857600\"]");
  CHECK(e.server().config.maxmemory.load() == 104857600);
  CHECK(S(e.Run({"CONFIG", "SET", "foo", "bar"})) ==
        Err("ERR Unknown option or number of arguments for CONFIG SET - 'foo'"));
  CHECK(S(e.Run({"CONFIG", "SET", "hz", "20", "maxmemory", "1mb"})) == "OK");
  RespValue r = e.Run({"CONFIG", "GET", "hz", "maxmemory"});
  auto m = AsMap(r);
  CHECK(S(m["hz"]) == "\"20\"");
  CHECK(S(m["maxmemory"]) == "\"1048576\"");
  e.Run({"HELLO", "3"});
  CHECK(e.Run({"CONFIG", "GET", "hz"}).type == RespValue::kMap);
  Info info = RunInfo(e, {"INFO", "memory", "server"});
  CHECK(info.fields["maxmemory"] == "1048576");
  CHECK(info.fields["hz"] == "20");
}

TEST_CASE("TIME and WAIT", "[server]") {
  TestEngine e;
  RespValue t = e.Run({"TIME"});
  REQUIRE(t.type == RespValue::kArray);
  REQUIRE(t.elems.size() == 2);
  CHECK(t.elems[0].type == RespValue::kBulk);
  CHECK(std::stoll(t.elems[0].str) > 1600000000);
  int64_t us = std::stoll(t.elems[1].str);
  CHECK(us >= 0);
  CHECK(us < 1000000);
  CHECK(S(e.Run({"TIME", "x"})) == Err("ERR wrong number of arguments for 'time' command"));

  CHECK(S(e.Run({"WAIT", "0", "0"})) == Int(0));
  CHECK(S(e.Run({"WAIT", "1", "100"})) == Int(0));
  CHECK(S(e.Run({"WAIT", "x", "0"})) == Err("ERR value is not an integer or out of range"));
  CHECK(S(e.Run({"WAIT", "0", "x"})) == Err("ERR timeout is not an integer or out of range"));
  CHECK(S(e.Run({"WAIT", "0", "-1"})) == Err("ERR timeout is negative"));
  CHECK(S(e.Run({"WAIT", "0"})) == Err("ERR wrong number of arguments for 'wait' command"));
}

TEST_CASE("DEBUG SLEEP and HELP", "[server]") {
  TestEngine e;
  CHECK(S(e.Run({"DEBUG", "SLEEP", "0"})) == "OK");
  CHECK(S(e.Run({"DEBUG", "sleep", "0.001"})) == "OK");
  CHECK(S(e.Run({"DEBUG", "SLEEP", "x"})) == "OK");  // strtod: 0 seconds, as Redis
  RespValue help = e.Run({"DEBUG", "HELP"});
  REQUIRE(help.type == RespValue::kArray);
  CHECK(S(help.elems[0]) == "DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
  CHECK(S(help.elems[1]) == "RELOAD");
  CHECK(S(help.elems[3]) == "OBJECT <key>");
  CHECK(S(help.elems[5]) == "SLEEP <seconds>");
  // DEBUG OBJECT runs on the key's shard (keys on both shards of this engine).
  for (int shard = 0; shard < 2; ++shard) {
    std::string key = e.KeyOnShard(shard, "dbg");
    REQUIRE(S(e.Run({"SET", key, "hello"})) == "OK");
    std::string line = S(e.Run({"DEBUG", "OBJECT", key}));
    CHECK(line.rfind("Value at:0x", 0) == 0);
    CHECK(line.find(" refcount:1 encoding:embstr serializedlength:6 lru:") != std::string::npos);
  }
  CHECK(S(e.Run({"DEBUG", "OBJECT", "nokey"})) == Err("ERR no such key"));
  CHECK(S(e.Run({"DEBUG", "foo"})) ==
        Err("ERR unknown subcommand or wrong number of arguments for 'foo'. Try DEBUG HELP."));
  CHECK(S(e.Run({"debug", "sleep"})) ==
        Err("ERR unknown subcommand or wrong number of arguments for 'sleep'. Try DEBUG HELP."));
  CHECK(S(e.Run({"DEBUG"})) == Err("ERR wrong number of arguments for 'debug' command"));
}

TEST_CASE("SHUTDOWN", "[server]") {
  TestEngine e;
  int far = e.NewClient(1);
  CHECK(S(e.Run({"SHUTDOWN", "foo"}, far)) == Err("ERR syntax error"));
  CHECK(S(e.Run({"SHUTDOWN", "NOSAVE", "SAVE"}, far)) == Err("ERR syntax error"));
  CHECK(S(e.Run({"SHUTDOWN", "ABORT", "NOW"}, far)) == Err("ERR syntax error"));
  CHECK(S(e.Run({"SHUTDOWN", "ABORT"}, far)) == Err("ERR No shutdown in progress."));
  CHECK_FALSE(e.shutdown_requested());
  // Success sends nothing: the connection goes away with the server.
  CHECK(RunRaw(e, {"SHUTDOWN", "NOSAVE", "NOW"}, far).empty());
  CHECK(e.shutdown_requested());
  CHECK(e.server().shutdown_flags.load() == (kShutdownNoSave | kShutdownNow));
}

TEST_CASE("COMMAND COUNT, bare COMMAND and COMMAND INFO describe the table", "[server]") {
  TestEngine e;
  const CommandRegistry& reg = e.server().commands;
  CHECK(S(e.Run({"COMMAND", "COUNT"})) == Int(static_cast<int64_t>(reg.size())));
  RespValue all = e.Run({"COMMAND"});
  REQUIRE(all.type == RespValue::kArray);
  CHECK(all.elems.size() == reg.size());
  std::set<std::string> names;
  for (const auto& c : all.elems) {
    REQUIRE(c.elems.size() == 10);
    names.insert(c.elems[0].str);
  }
  for (const CommandSpec& c : reg.all()) CHECK(names.count(c.name) == 1);
  CHECK(e.Run({"COMMAND", "INFO"}).elems.size() == reg.size());

  // Redis 7.0.15's replies, except that kevy sends no tips.
  CHECK(S(e.Run({"COMMAND", "INFO", "ping", "nosuch", "echo"})) ==
        "[[\"ping\", (integer) -1, [fast], (integer) 0, (integer) 0, (integer) 0, "
        "[@fast, @connection], [\"request_policy:all_shards\", "
        "\"response_policy:all_succeeded\"], [], []], (nil), "
        "[\"echo\", (integer) 2, [loading, stale, fast], (integer) 0, (integer) 0, "
        "(integer) 0, [@fast, @connection], [], [], []]]");
  CHECK(S(e.Run({"COMMAND", "INFO", "client|list", "config|set"})) ==
        "[[\"client|list\", (integer) -2, [admin, noscript, loading, stale], (integer) 0, "
        "(integer) 0, (integer) 0, [@admin, @slow, @dangerous, @connection], "
        "[\"nondeterministic_output\"], [], []], "
        "[\"config|set\", (integer) -4, [admin, noscript, loading, stale], (integer) 0, "
        "(integer) 0, (integer) 0, [@admin, @slow, @dangerous], [\"request_policy:all_nodes\", "
        "\"response_policy:all_succeeded\"], [], []]]");
  CHECK(S(e.Run({"COMMAND", "INFO", "shutdown", "hello"})) ==
        "[[\"shutdown\", (integer) -1, [admin, noscript, loading, stale, no_multi, allow_busy], "
        "(integer) 0, (integer) 0, (integer) 0, [@admin, @slow, @dangerous], [], [], []], "
        "[\"hello\", (integer) -1, [noscript, loading, stale, fast, no_auth, allow_busy], "
        "(integer) 0, (integer) 0, (integer) 0, [@fast, @connection], [], [], []]]");

  // A container lists its subcommands.
  RespValue client = e.Run({"COMMAND", "INFO", "client"}).elems[0];
  CHECK(S(client.elems[1]) == "(integer) -2");
  CHECK(S(client.elems[2]) == "[]");
  CHECK(S(client.elems[6]) == "[@slow]");
  std::set<std::string> subs;
  for (const auto& s : client.elems[9].elems) subs.insert(s.elems[0].str);
  CHECK(subs == std::set<std::string>{"client|id", "client|setname", "client|getname",
                                      "client|info", "client|list", "client|kill", "client|setinfo",
                                      "client|no-evict", "client|no-touch", "client|getredir",
                                      "client|trackinginfo", "client|help"});
  // COMMAND's own subcommands are described too.
  RespValue cmd = e.Run({"COMMAND", "INFO", "command"}).elems[0];
  CHECK(cmd.elems[9].elems.size() == 6);
  CHECK(S(e.Run({"COMMAND", "INFO", "command|getkeys"}).elems[0].elems[1]) == "(integer) -4");

  // RESP3: flags, categories, tips, key specs are sets; no subcommands is an empty set.
  e.Run({"HELLO", "3"});
  CHECK(RunRaw(e, {"COMMAND", "INFO", "ping"}) ==
        "*1\r\n*10\r\n$4\r\nping\r\n:-1\r\n~1\r\n+fast\r\n:0\r\n:0\r\n:0\r\n~2\r\n+@fast\r\n"
        "+@connection\r\n~2\r\n$25\r\nrequest_policy:all_shards\r\n$29\r\n"
        "response_policy:all_succeeded\r\n~0\r\n~0\r\n");
  CHECK(RunRaw(e, {"COMMAND", "INFO", "nosuch"}) == "*1\r\n_\r\n");
}

TEST_CASE("COMMAND INFO of keyed commands: key range, implied categories", "[server]") {
  TestEngine e;
  // Rows shaped like Redis's GET and MSET (added to the table for the test: COMMAND reads
  // only the table).
  CommandSpec get;
  get.name = "xget";
  get.arity = 2;
  get.flags = kCmdReadonly | kCmdFast;
  get.first_key = get.last_key = get.key_step = 1;
  get.acl = "string";
  get.on_shard = [](CmdContext&) {};
  e.server().commands.Add(get);
  CommandSpec mset;
  mset.name = "xmset";
  mset.arity = -3;
  mset.flags = kCmdWrite | kCmdDenyOom;
  mset.first_key = 1;
  mset.last_key = -1;
  mset.key_step = 2;
  mset.acl = "@string";
  mset.on_shard = [](CmdContext&) {};
  e.server().commands.Add(mset);
  CommandSpec mov;
  mov.name = "xmov";
  mov.arity = -2;
  mov.flags = kCmdWrite;
  mov.get_keys = [](const ArgList& args, std::vector<int>* pos) {
    for (size_t i = 2; i < args.size(); ++i)
      if (args[i] == "k") pos->push_back(static_cast<int>(i));
  };
  mov.on_shard = [](CmdContext&) {};
  e.server().commands.Add(mov);

  // Redis 7.0.15: COMMAND INFO get / mset (with empty tips and key specs).
  CHECK(S(e.Run({"COMMAND", "INFO", "xget", "XMSET"})) ==
        "[[\"xget\", (integer) 2, [readonly, fast], (integer) 1, (integer) 1, (integer) 1, "
        "[@read, @string, @fast], [], [], []], "
        "[\"xmset\", (integer) -3, [write, denyoom], (integer) 1, (integer) -1, (integer) 2, "
        "[@write, @string, @slow], [], [], []]]");
  CHECK(S(e.Run({"COMMAND", "INFO", "xmov"}).elems[0].elems[2]) == "[write, movablekeys]");
  if (e.server().commands.Find("get")) {
    // Once the string family registers GET, it must match Redis exactly.
    // Redis 7.0.15's bytes, key spec included.
    CHECK(RunRaw(e, {"COMMAND", "INFO", "get"}) ==
          "*1\r\n*10\r\n$3\r\nget\r\n:2\r\n*2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n*3\r\n"
          "+@read\r\n+@string\r\n+@fast\r\n*0\r\n*1\r\n*6\r\n$5\r\nflags\r\n*2\r\n+RO\r\n"
          "+access\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n"
          "*2\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n"
          "$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n"
          ":0\r\n*0\r\n");
  }

  SECTION("GETKEYS") {
    CHECK(S(e.Run({"COMMAND", "GETKEYS", "xget", "k1"})) == "[\"k1\"]");
    CHECK(S(e.Run({"COMMAND", "GETKEYS", "XMSET", "a", "1", "b", "2"})) == "[\"a\", \"b\"]");
    CHECK(S(e.Run({"COMMAND", "GETKEYS", "xmset", "a", "1", "b"})) == "[\"a\", \"b\"]");
    CHECK(S(e.Run({"COMMAND", "GETKEYS", "xmov", "x", "k", "y", "k"})) == "[\"k\", \"k\"]");
    CHECK(S(e.Run({"COMMAND", "GETKEYS", "xmov", "x", "y"})) ==
          Err("ERR Invalid arguments specified for command"));
    CHECK(S(e.Run({"COMMAND", "GETKEYS", "xget", "a", "b"})) ==
          Err("ERR Invalid number of arguments specified for command"));
    CHECK(S(e.Run({"COMMAND", "GETKEYS", "nosuch", "a"})) == Err("ERR Invalid command specified"));
    CHECK(S(e.Run({"COMMAND", "GETKEYS", "client", "nosuch"})) ==
          Err("ERR Invalid command specified"));
    CHECK(S(e.Run({"COMMAND", "GETKEYS", "client", "list"})) ==
          Err("ERR The command has no key arguments"));
    CHECK(S(e.Run({"COMMAND", "GETKEYS", "ping", "x"})) ==
          Err("ERR The command has no key arguments"));
    CHECK(S(e.Run({"COMMAND", "GETKEYS", "xget"})) ==
          Err("ERR wrong number of arguments for 'command|getkeys' command"));
  }
}

TEST_CASE("COMMAND DOCS", "[server]") {
  TestEngine e;
  RespValue r = e.Run({"COMMAND", "DOCS", "ping", "nosuch"});
  REQUIRE(r.type == RespValue::kArray);  // a map, flattened in RESP2
  CHECK(S(r) ==
        "[\"ping\", [\"summary\", \"Ping the server\", \"since\", \"1.0.0\", \"group\", "
        "\"connection\", \"complexity\", \"O(1)\", \"arguments\", [[\"name\", \"message\", "
        "\"type\", \"string\", \"flags\", [optional]]]]]");
  CHECK(e.Run({"COMMAND", "DOCS", "nosuch"}).elems.empty());
  // The byte-exact reply of Redis 7.0.15 for COMMAND DOCS ping in RESP2.
  CHECK(RunRaw(e, {"COMMAND", "DOCS", "ping"}) ==
        "*2\r\n$4\r\nping\r\n*10\r\n$7\r\nsummary\r\n$15\r\nPing the server\r\n$5\r\nsince\r\n"
        "$5\r\n1.0.0\r\n$5\r\ngroup\r\n$10\r\nconnection\r\n$10\r\ncomplexity\r\n$4\r\nO(1)\r\n"
        "$9\r\narguments\r\n*1\r\n*6\r\n$4\r\nname\r\n$7\r\nmessage\r\n$4\r\ntype\r\n$6\r\n"
        "string\r\n$5\r\nflags\r\n*1\r\n+optional\r\n");
  // History and nested blocks: Redis 7.0.15's bytes for COMMAND DOCS hello.
  CHECK(RunRaw(e, {"COMMAND", "DOCS", "hello"}) ==
        "*2\r\n$5\r\nhello\r\n*12\r\n$7\r\nsummary\r\n$20\r\nHandshake with Redis\r\n$5\r\n"
        "since\r\n$5\r\n6.0.0\r\n$5\r\ngroup\r\n$10\r\nconnection\r\n$10\r\ncomplexity\r\n$4\r\n"
        "O(1)\r\n$7\r\nhistory\r\n*1\r\n*2\r\n$5\r\n6.2.0\r\n$109\r\n`protover` made optional; "
        "when called without arguments the command reports the current connection's context.\r\n"
        "$9\r\narguments\r\n*1\r\n*8\r\n$4\r\nname\r\n$9\r\narguments\r\n$4\r\ntype\r\n$5\r\n"
        "block\r\n$5\r\nflags\r\n*1\r\n+optional\r\n$9\r\narguments\r\n*3\r\n*4\r\n$4\r\nname\r\n"
        "$8\r\nprotover\r\n$4\r\ntype\r\n$7\r\ninteger\r\n*10\r\n$4\r\nname\r\n$17\r\n"
        "username_password\r\n$4\r\ntype\r\n$5\r\nblock\r\n$5\r\ntoken\r\n$4\r\nAUTH\r\n$5\r\n"
        "flags\r\n*1\r\n+optional\r\n$9\r\narguments\r\n*2\r\n*4\r\n$4\r\nname\r\n$8\r\n"
        "username\r\n$4\r\ntype\r\n$6\r\nstring\r\n*4\r\n$4\r\nname\r\n$8\r\npassword\r\n$4\r\n"
        "type\r\n$6\r\nstring\r\n*8\r\n$4\r\nname\r\n$10\r\nclientname\r\n$4\r\ntype\r\n$6\r\n"
        "string\r\n$5\r\ntoken\r\n$7\r\nSETNAME\r\n$5\r\nflags\r\n*1\r\n+optional\r\n");
  // Nested arguments (oneof, block, tokens, since), as redis-cli needs them for its hints.
  CHECK(S(e.Run({"COMMAND", "DOCS", "client|no-evict"})) ==
        "[\"client|no-evict\", [\"summary\", \"Set client eviction mode for the current "
        "connection\", \"since\", \"7.0.0\", \"group\", \"connection\", \"complexity\", "
        "\"O(1)\", \"arguments\", [[\"name\", \"enabled\", \"type\", \"oneof\", \"arguments\", "
        "[[\"name\", \"on\", \"type\", \"pure-token\", \"token\", \"ON\"], [\"name\", \"off\", "
        "\"type\", \"pure-token\", \"token\", \"OFF\"]]]]]]");
  RespValue kill = e.Run({"COMMAND", "DOCS", "client|kill"});
  std::string kill_text = S(kill);
  CHECK(kill_text.find("[\"name\", \"client-id\", \"type\", \"integer\", \"token\", \"ID\", "
                       "\"since\", \"2.8.12\", \"flags\", [optional]]") != std::string::npos);
  CHECK(kill_text.find("[\"name\", \"ip:port\", \"type\", \"string\", \"deprecated_since\", "
                       "\"2.8.12\"]") != std::string::npos);

  e.Run({"HELLO", "3"});
  r = e.Run({"COMMAND", "DOCS", "config"});
  REQUIRE(r.type == RespValue::kMap);
  auto docs = AsMap(r);
  RespValue config = docs["config"];
  REQUIRE(config.type == RespValue::kMap);
  auto cm = AsMap(config);
  CHECK(S(cm["summary"]) == "\"A container for server configuration commands\"");
  CHECK(S(cm["group"]) == "\"server\"");
  CHECK(S(cm["complexity"]) == "\"Depends on subcommand.\"");
  REQUIRE(cm["subcommands"].type == RespValue::kMap);
  auto subs = AsMap(cm["subcommands"]);
  CHECK(subs.size() == 5);
  CHECK(S(AsMap(subs["config|get"])["summary"]) ==
        "\"Get the values of configuration parameters\"");
  CHECK(S(AsMap(subs["config|get"])["group"]) == "\"server\"");

  // A subcommand by its full name; every command without arguments.
  r = e.Run({"COMMAND", "DOCS", "client|kill"});
  CHECK(S(AsMap(AsMap(r)["client|kill"])["summary"]) == "\"Kill the connection of a client\"");
  r = e.Run({"COMMAND", "DOCS"});
  CHECK(r.elems.size() == 2 * e.server().commands.size());
}

TEST_CASE("COMMAND LIST and its filters", "[server]") {
  TestEngine e;
  std::vector<std::string> all = Strs(e.Run({"COMMAND", "LIST"}));
  std::set<std::string> s(all.begin(), all.end());
  for (const char* n : {"ping", "client", "client|list", "config|get", "command", "command|info"})
    CHECK(s.count(n) == 1);
  size_t expected = 0;
  for (const CommandSpec& c : e.server().commands.all()) expected += 1 + c.subcommands.size();
  expected += 6;  // COMMAND's own subcommands
  CHECK(all.size() == expected);

  std::vector<std::string> cl = Strs(e.Run({"COMMAND", "LIST", "FILTERBY", "PATTERN", "CLIENT*"}));
  CHECK(cl.size() == 13);
  for (const auto& n : cl) CHECK(n.rfind("client", 0) == 0);

  std::vector<std::string> conn =
      Strs(e.Run({"COMMAND", "LIST", "FILTERBY", "ACLCAT", "connection"}));
  std::set<std::string> cs(conn.begin(), conn.end());
  for (const char* n : {"ping", "echo", "hello", "auth", "select", "client|list", "command",
                        "command|docs", "wait"})
    CHECK(cs.count(n) == 1);
  CHECK(cs.count("client") == 0);  // the container itself is only @slow
  CHECK(cs.count("info") == 0);
  std::vector<std::string> admin = Strs(e.Run({"COMMAND", "LIST", "FILTERBY", "aclcat", "ADMIN"}));
  CHECK(std::set<std::string>(admin.begin(), admin.end()).count("config|set") == 1);

  CHECK(e.Run({"COMMAND", "LIST", "FILTERBY", "ACLCAT", "nosuch"}).elems.empty());
  CHECK(e.Run({"COMMAND", "LIST", "FILTERBY", "MODULE", "foo"}).elems.empty());
  CHECK(S(e.Run({"COMMAND", "LIST", "FILTERBY", "foo", "x"})) == Err("ERR syntax error"));
  CHECK(S(e.Run({"COMMAND", "LIST", "FILTERBY", "PATTERN"})) == Err("ERR syntax error"));
  CHECK(S(e.Run({"COMMAND", "LIST", "foo"})) == Err("ERR syntax error"));
}

TEST_CASE("COMMAND subcommand errors and HELP", "[server]") {
  TestEngine e;
  CHECK(S(e.Run({"COMMAND", "foo"})) == Err("ERR unknown subcommand 'foo'. Try COMMAND HELP."));
  CHECK(S(e.Run({"COMMAND", "COUNT", "x"})) ==
        Err("ERR wrong number of arguments for 'command|count' command"));
  RespValue help = e.Run({"command", "help"});
  REQUIRE(help.type == RespValue::kArray);
  CHECK(S(help.elems[0]) == "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
  CHECK(S(help.elems[1]) == "(no subcommand)");
  CHECK(S(help.elems.back()) == "    Prints this help.");
}

}  // namespace kevy::test

namespace kevy::test {

TEST_CASE("persistence: a failed BGSAVE denies writes (stop-writes-on-bgsave-error)", "[server]") {
  TestEngine e(2);
  e.server().persist.last_bgsave_ok = false;  // as after a BGSAVE that could not write
  e.Cron();
  CHECK(S(e.Run({"SET", "k", "v"})).rfind("(error) MISCONF Redis is configured to save RDB", 0) == 0);
  CHECK(S(e.Run({"GET", "k"})) == "(nil)");  // reads go on
  REQUIRE(e.Run({"CONFIG", "SET", "stop-writes-on-bgsave-error", "no"}).ToString() == "OK");
  e.Cron();
  CHECK(S(e.Run({"SET", "k", "v"})) == "OK");
  REQUIRE(e.Run({"CONFIG", "SET", "stop-writes-on-bgsave-error", "yes"}).ToString() == "OK");
  REQUIRE(e.Run({"CONFIG", "SET", "save", ""}).ToString() == "OK");  // no save points
  e.Cron();
  CHECK(S(e.Run({"SET", "k", "w"})) == "OK");
}

}  // namespace kevy::test
