// Server: builds the shards and their reactors, opens the listeners, runs one pinned thread
// per shard, and waits for SIGINT/SIGTERM or SHUTDOWN to stop them all cleanly.
#pragma once

#include <memory>
#include <string>

#include "engine/server_state.h"

namespace kevy {

class Server {
 public:
  explicit Server(std::unique_ptr<ServerState> state);
  ~Server();
  // Runs until shutdown; returns the process exit code. Logs why when it cannot start.
  int Run();

 private:
  std::unique_ptr<ServerState> state_;
};

// Number of shards to run: the `shards` directive, or the online CPUs when 0.
int ResolveShardCount(const Config& config);

}  // namespace kevy
