// Tests of the connection commands (engine/commands/connection_family.cc) on the in-process
// engine with 2 shards and clients on both: PING/ECHO/QUIT/RESET/SELECT/AUTH/HELLO replies in
// RESP2 and RESP3, and the CLIENT container, whose LIST and KILL see the clients of every
// shard. Expected texts are redis-server 7.0.15's (7.2's for SETINFO/NO-TOUCH).
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "engine/client.h"
#include "engine/shard.h"
#include "tests/support/test_engine.h"

namespace kevy::test {
namespace {

std::string Err(const std::string& msg) { return "(error) " + msg; }

// Dispatches one request and returns the raw bytes written to the client (for protocol-level
// checks, and for commands that send no reply).
std::string RunRaw(TestEngine& e, std::vector<std::string> args, int client = 0) {
  ClientState& c = e.client(client);
  ArgList a;
  for (const auto& s : args) a.push_back(s);
  e.shard(c.shard).Dispatch(c, a);
  e.Pump();
  return e.TakeOutput(client);
}

// The lines of a CLIENT LIST reply.
std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    REQUIRE(nl != std::string::npos);  // every line ends with \n
    out.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return out;
}

// "k1=v1 k2=v2 ..." -> ordered (key, value) pairs.
std::vector<std::pair<std::string, std::string>> Fields(const std::string& line) {
  std::vector<std::pair<std::string, std::string>> out;
  size_t start = 0;
  while (start <= line.size()) {
    size_t sp = line.find(' ', start);
    if (sp == std::string::npos) sp = line.size();
    std::string tok = line.substr(start, sp - start);
    size_t eq = tok.find('=');
    REQUIRE(eq != std::string::npos);
    out.emplace_back(tok.substr(0, eq), tok.substr(eq + 1));
    start = sp + 1;
  }
  return out;
}

std::string Field(const std::string& line, const std::string& key) {
  for (auto& [k, v] : Fields(line))
    if (k == key) return v;
  FAIL("no field " << key << " in " << line);
  return "";
}

}  // namespace

TEST_CASE("PING and ECHO", "[connection]") {
  TestEngine e;
  CHECK(S(e.Run({"PING"})) == "PONG");
  CHECK(S(e.Run({"ping", "hello"})) == "\"hello\"");
  CHECK(S(e.Run({"PING", "a", "b"})) == Err("ERR wrong number of arguments for 'ping' command"));
  CHECK(RunRaw(e, {"PING"}) == "+PONG\r\n");
  CHECK(RunRaw(e, {"PING", "x"}) == "$1\r\nx\r\n");
  CHECK(S(e.Run({"ECHO", "x y"})) == "\"x y\"");
  CHECK(S(e.Run({"ECHO"})) == Err("ERR wrong number of arguments for 'echo' command"));
  CHECK(S(e.Run({"ECHO", "a", "b"})) == Err("ERR wrong number of arguments for 'echo' command"));
  int other = e.NewClient(1);
  CHECK(S(e.Run({"PING"}, other)) == "PONG");
}

TEST_CASE("QUIT replies OK and asks the net layer to close after the reply", "[connection]") {
  TestEngine e;
  int c = e.NewClient(1);
  CHECK((e.client(c).flags & kClientCloseAfterReply) == 0);
  CHECK(S(e.Run({"QUIT"}, c)) == "OK");
  CHECK((e.client(c).flags & kClientCloseAfterReply) != 0);
  int d = e.NewClient(0);
  CHECK(S(e.Run({"QUIT", "extra", "args"}, d)) == "OK");  // Redis ignores them
  CHECK((e.client(d).flags & kClientCloseAfterReply) != 0);
}

TEST_CASE("SELECT", "[connection]") {
  TestEngine e;
  CHECK(S(e.Run({"SELECT", "15"})) == "OK");
  CHECK(e.client(0).db == 15);
  CHECK(S(e.Run({"SELECT", "16"})) == Err("ERR DB index is out of range"));
  CHECK(S(e.Run({"SELECT", "-1"})) == Err("ERR DB index is out of range"));
  CHECK(S(e.Run({"SELECT", "x"})) == Err("ERR value is not an integer or out of range"));
  CHECK(S(e.Run({"SELECT", "99999999999"})) == Err("ERR value is not an integer or out of range"));
  CHECK(e.client(0).db == 15);
  CHECK(S(e.Run({"SELECT", "0"})) == "OK");
  CHECK(e.client(0).db == 0);
  CHECK(S(e.Run({"SELECT"})) == Err("ERR wrong number of arguments for 'select' command"));
}

TEST_CASE("HELLO switches the protocol and replies Redis's map", "[connection]") {
  TestEngine e;
  int c = e.NewClient(1);
  uint64_t id = e.client(c).id;

  RespValue r = e.Run({"HELLO", "3"}, c);
  REQUIRE(r.type == RespValue::kMap);
  CHECK(S(r) ==
        "{\"server\": \"redis\", \"version\": \"7.0.15\", \"proto\": (integer) 3, "
        "\"id\": (integer) " +
            std::to_string(id) +
            ", \"mode\": \"standalone\", \"role\": \"master\", \"modules\": []}");
  CHECK(e.client(c).proto == 3);
  // RESP3 encodings from now on: a null is "_", a map is "%".
  CHECK(RunRaw(e, {"CLIENT", "GETNAME"}, c) == "_\r\n");
  CHECK(RunRaw(e, {"HELLO"}, c).substr(0, 3) == "%7\r");

  r = e.Run({"HELLO", "2"}, c);
  REQUIRE(r.type == RespValue::kArray);
  CHECK(r.elems.size() == 14);
  CHECK(S(r.elems[5]) == "(integer) 2");
  CHECK(RunRaw(e, {"CLIENT", "GETNAME"}, c) == "$-1\r\n");

  // No argument: the current protocol, unchanged.
  r = e.Run({"HELLO"}, c);
  CHECK(r.type == RespValue::kArray);
  CHECK(e.client(c).proto == 2);

  CHECK(S(e.Run({"HELLO", "4"}, c)) == Err("NOPROTO unsupported protocol version"));
  CHECK(S(e.Run({"HELLO", "1"}, c)) == Err("NOPROTO unsupported protocol version"));
  CHECK(S(e.Run({"HELLO", "x"}, c)) ==
        Err("ERR Protocol version is not an integer or out of range"));
  CHECK(S(e.Run({"HELLO", "3", "foo"}, c)) == Err("ERR Syntax error in HELLO option 'foo'"));
  CHECK(S(e.Run({"HELLO", "3", "AUTH", "default"}, c)) ==
        Err("ERR Syntax error in HELLO option 'AUTH'"));
  CHECK(S(e.Run({"HELLO", "3", "SETNAME", "a b"}, c)) ==
        Err("ERR Client names cannot contain spaces, newlines or special characters."));
  CHECK(S(e.Run({"HELLO", "3", "AUTH", "bob", "pw"}, c)) ==
        Err("WRONGPASS invalid username-password pair or user is disabled."));
  CHECK(e.client(c).proto == 2);  // failed HELLOs change nothing

  // The default user has no password: any password authenticates it.
  r = e.Run({"HELLO", "3", "AUTH", "default", "whatever", "SETNAME", "conn1"}, c);
  CHECK(r.type == RespValue::kMap);
  CHECK(S(e.Run({"CLIENT", "GETNAME"}, c)) == "\"conn1\"");
}

TEST_CASE("AUTH without requirepass", "[connection]") {
  TestEngine e;
  CHECK(S(e.Run({"AUTH", "pw"})) ==
        Err("ERR AUTH <password> called without any password configured for the default user. "
            "Are you sure your configuration is correct?"));
  CHECK(S(e.Run({"AUTH", "bob", "pw"})) ==
        Err("WRONGPASS invalid username-password pair or user is disabled."));
  CHECK(S(e.Run({"AUTH", "default", "pw"})) == "OK");
  CHECK(S(e.Run({"AUTH", "a", "b", "c"})) == Err("ERR syntax error"));
  CHECK(S(e.Run({"AUTH"})) == Err("ERR wrong number of arguments for 'auth' command"));
}

TEST_CASE("AUTH and HELLO with requirepass", "[connection][config]") {
  TestEngine e(2, {"--requirepass", "secret"});
  REQUIRE(e.server().config.requirepass() == "secret");
  int c = e.NewClient(1);
  CHECK(S(e.Run({"HELLO", "3"}, c)) ==
        Err("NOAUTH HELLO must be called with the client already authenticated, otherwise the "
            "HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and "
            "select the RESP protocol version at the same time"));
  CHECK(S(e.Run({"AUTH", "wrong"}, c)) ==
        Err("WRONGPASS invalid username-password pair or user is disabled."));
  CHECK(S(e.Run({"HELLO", "3", "AUTH", "default", "wrong"}, c)) ==
        Err("WRONGPASS invalid username-password pair or user is disabled."));
  CHECK_FALSE(e.client(c).authenticated);
  CHECK(S(e.Run({"AUTH", "secret"}, c)) == "OK");
  CHECK(e.client(c).authenticated);
  CHECK(e.Run({"HELLO", "3"}, c).type == RespValue::kMap);
  // RESET logs the connection out again.
  CHECK(S(e.Run({"RESET"}, c)) == "RESET");
  CHECK_FALSE(e.client(c).authenticated);
  CHECK(e.Run({"HELLO", "3", "AUTH", "default", "secret"}, c).type == RespValue::kMap);
  CHECK(S(e.Run({"AUTH", "default", "secret"}, c)) == "OK");
}

TEST_CASE("RESET restores the connection's defaults", "[connection]") {
  TestEngine e;
  int c = e.NewClient(1);
  e.Run({"HELLO", "3"}, c);
  e.Run({"SELECT", "5"}, c);
  e.Run({"CLIENT", "SETNAME", "n1"}, c);
  e.Run({"CLIENT", "SETINFO", "LIB-NAME", "redis-py"}, c);
  e.Run({"CLIENT", "NO-EVICT", "on"}, c);
  e.Run({"CLIENT", "NO-TOUCH", "on"}, c);
  CHECK((e.client(c).flags & (kClientNoEvict | kClientNoTouch)) ==
        (kClientNoEvict | kClientNoTouch));
  CHECK(RunRaw(e, {"RESET"}, c) == "+RESET\r\n");
  ClientState& cs = e.client(c);
  CHECK(cs.proto == 2);
  CHECK(cs.db == 0);
  CHECK(cs.name.empty());
  CHECK((cs.flags & (kClientNoEvict | kClientNoTouch)) == 0);
  CHECK(cs.lib_name == "redis-py");  // the library behind the connection is still the same
  CHECK(S(e.Run({"RESET", "x"}, c)) == Err("ERR wrong number of arguments for 'reset' command"));
}

TEST_CASE("CLIENT ID, SETNAME, GETNAME, SETINFO, NO-EVICT, NO-TOUCH", "[connection]") {
  TestEngine e;
  int c = e.NewClient(1);
  CHECK(S(e.Run({"CLIENT", "ID"}, c)) == Int(static_cast<int64_t>(e.client(c).id)));
  CHECK(S(e.Run({"CLIENT", "ID"})) == Int(static_cast<int64_t>(e.client(0).id)));
  CHECK(S(e.Run({"CLIENT", "ID", "x"}, c)) ==
        Err("ERR wrong number of arguments for 'client|id' command"));

  CHECK(S(e.Run({"CLIENT", "GETNAME"}, c)) == "(nil)");
  CHECK(S(e.Run({"CLIENT", "SETNAME", "worker-1"}, c)) == "OK");
  CHECK(S(e.Run({"CLIENT", "GETNAME"}, c)) == "\"worker-1\"");
  CHECK(S(e.Run({"CLIENT", "SETNAME", "a b"}, c)) ==
        Err("ERR Client names cannot contain spaces, newlines or special characters."));
  CHECK(S(e.Run({"CLIENT", "SETNAME", "a\nb"}, c)) ==
        Err("ERR Client names cannot contain spaces, newlines or special characters."));
  CHECK(S(e.Run({"CLIENT", "GETNAME"}, c)) == "\"worker-1\"");
  CHECK(S(e.Run({"CLIENT", "SETNAME", ""}, c)) == "OK");  // clears the name
  CHECK(S(e.Run({"CLIENT", "GETNAME"}, c)) == "(nil)");
  CHECK(S(e.Run({"CLIENT", "SETNAME"}, c)) ==
        Err("ERR wrong number of arguments for 'client|setname' command"));

  CHECK(S(e.Run({"CLIENT", "SETINFO", "lib-name", "jedis"}, c)) == "OK");
  CHECK(S(e.Run({"CLIENT", "SETINFO", "LIB-VER", "5.0.1"}, c)) == "OK");
  CHECK(e.client(c).lib_name == "jedis");
  CHECK(e.client(c).lib_ver == "5.0.1");
  CHECK(S(e.Run({"CLIENT", "SETINFO", "lib-foo", "x"}, c)) ==
        Err("ERR Unrecognized option 'lib-foo'"));
  CHECK(S(e.Run({"CLIENT", "SETINFO", "lib-name", "a b"}, c)) ==
        Err("ERR lib-name cannot contain spaces, newlines or special characters."));

  CHECK(S(e.Run({"CLIENT", "NO-EVICT", "ON"}, c)) == "OK");
  CHECK((e.client(c).flags & kClientNoEvict) != 0);
  CHECK(S(e.Run({"CLIENT", "NO-EVICT", "maybe"}, c)) == Err("ERR syntax error"));
  CHECK(S(e.Run({"CLIENT", "NO-EVICT", "off"}, c)) == "OK");
  CHECK((e.client(c).flags & kClientNoEvict) == 0);
  CHECK(S(e.Run({"CLIENT", "NO-TOUCH", "on"}, c)) == "OK");
  CHECK((e.client(c).flags & kClientNoTouch) != 0);
  CHECK(S(e.Run({"CLIENT", "NO-TOUCH", "OFF"}, c)) == "OK");
  CHECK((e.client(c).flags & kClientNoTouch) == 0);

  // Tracking is never on.
  CHECK(S(e.Run({"CLIENT", "GETREDIR"}, c)) == Int(-1));
  CHECK(S(e.Run({"CLIENT", "TRACKINGINFO"}, c)) ==
        "[\"flags\", [\"off\"], \"redirect\", (integer) -1, \"prefixes\", []]");
  e.Run({"HELLO", "3"}, c);
  CHECK(
      RunRaw(e, {"CLIENT", "TRACKINGINFO"}, c) ==
      "%3\r\n$5\r\nflags\r\n~1\r\n$3\r\noff\r\n$8\r\nredirect\r\n:-1\r\n$8\r\nprefixes\r\n*0\r\n");
  e.Run({"HELLO", "2"}, c);

  CHECK(S(e.Run({"CLIENT"}, c)) == Err("ERR wrong number of arguments for 'client' command"));
  CHECK(S(e.Run({"CLIENT", "foo"}, c)) == Err("ERR unknown subcommand 'foo'. Try CLIENT HELP."));
  RespValue help = e.Run({"CLIENT", "HELP"}, c);
  REQUIRE(help.type == RespValue::kArray);
  CHECK(S(help.elems.front()) == "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
  CHECK(S(help.elems[help.elems.size() - 2]) == "HELP");
  CHECK(S(help.elems.back()) == "    Prints this help.");
}

TEST_CASE("CLIENT INFO and CLIENT LIST lines have Redis's fields in order", "[connection]") {
  TestEngine e;
  int c = e.NewClient(1);
  e.Run({"CLIENT", "SETNAME", "me"}, c);
  e.Run({"SELECT", "3"}, c);
  e.Run({"CLIENT", "NO-EVICT", "on"}, c);
  e.Run({"CLIENT", "SETINFO", "lib-name", "mylib"}, c);
  RespValue r = e.Run({"CLIENT", "INFO"}, c);
  REQUIRE(r.type == RespValue::kBulk);
  std::vector<std::string> lines = Lines(r.str);
  REQUIRE(lines.size() == 1);
  std::vector<std::string> keys;
  for (auto& [k, v] : Fields(lines[0])) keys.push_back(k);
  CHECK(keys == std::vector<std::string>{
                    "id",    "addr",  "laddr",     "fd",       "name",      "age",
                    "idle",  "flags", "db",        "sub",      "psub",      "ssub",
                    "multi", "qbuf",  "qbuf-free", "argv-mem", "multi-mem", "rbs",
                    "rbp",   "obl",   "oll",       "omem",     "tot-mem",   "events",
                    "cmd",   "user",  "redir",     "resp",     "lib-name",  "lib-ver"});
  const std::string& l = lines[0];
  CHECK(Field(l, "id") == std::to_string(e.client(c).id));
  CHECK(Field(l, "addr") == e.client(c).addr);
  CHECK(Field(l, "laddr") == "127.0.0.1:6379");
  CHECK(Field(l, "name") == "me");
  CHECK(Field(l, "flags") == "e");
  CHECK(Field(l, "db") == "3");
  CHECK(Field(l, "multi") == "-1");
  CHECK(Field(l, "argv-mem") == "10");  // "client" + "info", as Redis counts them
  CHECK(Field(l, "cmd") == "client|info");
  CHECK(Field(l, "user") == "default");
  CHECK(Field(l, "resp") == "2");
  CHECK(Field(l, "lib-name") == "mylib");
  CHECK(Field(l, "lib-ver") == "");

  // RESP3: a verbatim string.
  e.Run({"HELLO", "3"}, c);
  std::string raw = RunRaw(e, {"CLIENT", "INFO"}, c);
  CHECK(raw.substr(0, 1) == "=");
  CHECK(raw.find("txt:id=") != std::string::npos);
  CHECK(raw.find("flags=e ") != std::string::npos);
  CHECK(raw.find(" resp=3 ") != std::string::npos);
}

TEST_CASE("CLIENT LIST shows the clients of every shard", "[connection]") {
  TestEngine e(2);
  int a = e.NewClient(1);
  int b = e.NewClient(0);
  int d = e.NewClient(1);
  e.Run({"CLIENT", "SETNAME", "on-shard-1"}, a);
  e.Run({"PING"}, d);
  e.AdvanceMs(5000);

  RespValue r = e.Run({"CLIENT", "LIST"}, b);
  REQUIRE(r.type == RespValue::kBulk);
  std::vector<std::string> lines = Lines(r.str);
  REQUIRE(lines.size() == 4);
  // Ordered by id, i.e. connection order.
  std::vector<uint64_t> ids = {e.client(0).id, e.client(a).id, e.client(b).id, e.client(d).id};
  for (size_t i = 0; i < 4; ++i) CHECK(Field(lines[i], "id") == std::to_string(ids[i]));
  CHECK(Field(lines[1], "name") == "on-shard-1");
  CHECK(Field(lines[1], "cmd") == "client|setname");
  CHECK(Field(lines[1], "age") == "5");
  CHECK(Field(lines[1], "idle") == "5");
  CHECK(Field(lines[2], "cmd") == "client|list");  // the caller
  CHECK(Field(lines[2], "idle") == "0");
  CHECK(Field(lines[3], "cmd") == "ping");
  CHECK(Field(lines[0], "cmd") == "NULL");  // never ran a command
  CHECK(Field(lines[0], "flags") == "N");

  // ID filter: in argument order, unknown ids skipped.
  r = e.Run({"CLIENT", "LIST", "ID", std::to_string(ids[3]), "999", std::to_string(ids[1])}, b);
  lines = Lines(r.str);
  REQUIRE(lines.size() == 2);
  CHECK(Field(lines[0], "id") == std::to_string(ids[3]));
  CHECK(Field(lines[1], "id") == std::to_string(ids[1]));
  CHECK(S(e.Run({"CLIENT", "LIST", "ID", "999"}, b)) == "\"\"");
  CHECK(S(e.Run({"CLIENT", "LIST", "ID", "x"}, b)) == Err("ERR Invalid client ID"));
  CHECK(S(e.Run({"CLIENT", "LIST", "ID"}, b)) == Err("ERR syntax error"));

  // TYPE filter: every kevy connection is a normal one.
  CHECK(Lines(e.Run({"CLIENT", "LIST", "TYPE", "normal"}, b).str).size() == 4);
  CHECK(S(e.Run({"CLIENT", "LIST", "TYPE", "replica"}, b)) == "\"\"");
  CHECK(S(e.Run({"CLIENT", "LIST", "TYPE", "master"}, b)) == "\"\"");
  CHECK(S(e.Run({"CLIENT", "LIST", "TYPE", "foo"}, b)) == Err("ERR Unknown client type 'foo'"));
  CHECK(S(e.Run({"CLIENT", "LIST", "foo"}, b)) == Err("ERR syntax error"));
}

TEST_CASE("CLIENT KILL closes clients on any shard", "[connection]") {
  TestEngine e(2);
  int me = e.NewClient(0);
  int far = e.NewClient(1);
  int near = e.NewClient(0);
  uint64_t me_id = e.client(me).id, far_id = e.client(far).id;

  SECTION("by ID, on another shard") {
    CHECK(S(e.Run({"CLIENT", "KILL", "ID", std::to_string(far_id)}, me)) == Int(1));
    CHECK(e.client(far).closed);
    CHECK_FALSE(e.client(near).closed);
    std::string list = e.Run({"CLIENT", "LIST"}, me).str;
    CHECK(list.find("id=" + std::to_string(far_id) + " ") == std::string::npos);
    CHECK(Lines(list).size() == 3);
    // Already gone.
    CHECK(S(e.Run({"CLIENT", "KILL", "ID", std::to_string(far_id)}, me)) == Int(0));
  }
  SECTION("the caller is skipped unless SKIPME no") {
    CHECK(S(e.Run({"CLIENT", "KILL", "ID", std::to_string(me_id)}, me)) == Int(0));
    CHECK((e.client(me).flags & kClientCloseAfterReply) == 0);
    CHECK(S(e.Run({"CLIENT", "KILL", "ID", std::to_string(me_id), "SKIPME", "no"}, me)) == Int(1));
    // Closed only once its reply went out.
    CHECK_FALSE(e.client(me).closed);
    CHECK((e.client(me).flags & kClientCloseAfterReply) != 0);
  }
  SECTION("old form ip:port") {
    CHECK(S(e.Run({"CLIENT", "KILL", e.client(far).addr}, me)) == "OK");
    CHECK(e.client(far).closed);
    CHECK(S(e.Run({"CLIENT", "KILL", "1.2.3.4:5"}, me)) == Err("ERR No such client"));
  }
  SECTION("filters: ADDR, LADDR, USER, TYPE") {
    CHECK(S(e.Run({"CLIENT", "KILL", "ADDR", "1.2.3.4:5"}, me)) == Int(0));
    CHECK(S(e.Run({"CLIENT", "KILL", "ADDR", e.client(near).addr}, me)) == Int(1));
    CHECK(e.client(near).closed);
    CHECK(S(e.Run({"CLIENT", "KILL", "TYPE", "pubsub"}, me)) == Int(0));
    // Everyone on the local address but the caller: client 0 and `far`.
    CHECK(S(e.Run({"CLIENT", "KILL", "LADDR", "127.0.0.1:6379", "USER", "default"}, me)) == Int(2));
    CHECK(e.client(0).closed);
    CHECK(e.client(far).closed);
    CHECK_FALSE(e.client(me).closed);
  }
  SECTION("errors") {
    CHECK(S(e.Run({"CLIENT", "KILL", "ID", "0"}, me)) ==
          Err("ERR client-id should be greater than 0"));
    CHECK(S(e.Run({"CLIENT", "KILL", "ID", "x"}, me)) ==
          Err("ERR client-id should be greater than 0"));
    CHECK(S(e.Run({"CLIENT", "KILL", "USER", "bob"}, me)) == Err("ERR No such user 'bob'"));
    CHECK(S(e.Run({"CLIENT", "KILL", "TYPE", "foo"}, me)) == Err("ERR Unknown client type 'foo'"));
    CHECK(S(e.Run({"CLIENT", "KILL", "foo", "bar"}, me)) == Err("ERR syntax error"));
    CHECK(S(e.Run({"CLIENT", "KILL", "ID", "1", "SKIPME", "maybe"}, me)) ==
          Err("ERR syntax error"));
    CHECK(S(e.Run({"CLIENT", "KILL", "ID", "1", "SKIPME"}, me)) == Err("ERR syntax error"));
    CHECK(S(e.Run({"CLIENT", "KILL"}, me)) ==
          Err("ERR wrong number of arguments for 'client|kill' command"));
    CHECK_FALSE(e.client(far).closed);
  }
}

}  // namespace kevy::test

namespace kevy::test {

TEST_CASE("CLIENT LIST and KILL with 1 and 3 shards", "[connection]") {
  for (int shards : {1, 3}) {
    TestEngine e(shards);
    std::vector<int> handles;
    for (int s = 0; s < shards; ++s) handles.push_back(e.NewClient(s));
    RespValue r = e.Run({"CLIENT", "LIST"});
    CHECK(Lines(r.str).size() == static_cast<size_t>(shards + 1));
    int victim = handles.back();
    CHECK(S(e.Run({"CLIENT", "KILL", "ID", std::to_string(e.client(victim).id)})) == Int(1));
    CHECK(e.client(victim).closed);
    CHECK(Lines(e.Run({"CLIENT", "LIST"}).str).size() == static_cast<size_t>(shards));
    // From a client on the last shard, everyone else goes.
    int last = e.NewClient(shards - 1);
    CHECK(S(e.Run({"CLIENT", "KILL", "SKIPME", "yes", "USER", "default"}, last)) == Int(shards));
    CHECK(Lines(e.Run({"CLIENT", "LIST"}, last).str).size() == 1);
  }
}

}  // namespace kevy::test
