// ClientState: what the engine knows of one connection. The net layer embeds it in its
// Connection and fills the socket facts (fd, addresses, buffer sizes); the engine reads and
// writes the rest. Owned and touched only by the shard thread that accepted the connection;
// other shards reach it only through tasks that come back to that shard.
#pragma once

#include <cstdint>
#include <string>

#include "engine/agg/reply_ring.h"

namespace kevy {

enum ClientFlag : uint32_t {
  kClientNoEvict = 1u << 0,
  kClientNoTouch = 1u << 1,
  kClientCloseAfterReply = 1u << 2,  // QUIT, protocol errors, CLIENT KILL of self
  kClientCloseAsap = 1u << 3,        // killed: close without flushing
  // The start-up loader replaying the AOF: its commands are not logged again.
  kClientNoPropagate = 1u << 4,
};

struct ClientState {
  uint64_t id = 0;
  uint16_t shard = 0;
  int fd = -1;
  int db = 0;
  int proto = 2;  // RESP protocol version of replies
  uint32_t flags = 0;
  // AUTH (or HELLO AUTH) succeeded. Only consulted when requirepass is set: without one the
  // default user has no password and every connection counts as authenticated.
  bool authenticated = false;
  std::string name;
  std::string lib_name, lib_ver;
  std::string addr;   // "ip:port" of the peer
  std::string laddr;  // "ip:port" of our side
  int64_t created_ms = 0;
  int64_t last_interaction_ms = 0;
  std::string_view last_cmd = "NULL";  // name of the last command (a CommandSpec name), for CLIENT LIST
  size_t qbuf = 0;                // bytes buffered and not yet parsed (set by net)
  size_t qbuf_cap = 0;

  // Replies ready to send, in order. Net sends it and clears what was sent.
  std::string out;
  // Replies that are not ready yet, in request order.
  agg::ReplyRing pending;
  // Tasks in flight that will come back to this client; it may not be freed before 0.
  uint32_t inflight = 0;
  // A multi-round command is in flight (CoordContext::Defer(true)): the client's further
  // requests are not dispatched until the reply with sequence barrier_seq completes.
  bool barrier = false;
  uint64_t barrier_seq = 0;
  bool closed = false;       // the socket is gone; completions are dropped
  bool dirty = false;        // queued on the shard's dirty list
};

}  // namespace kevy
