// TestEngine: the real engine with N shards (default 2) in one thread, no sockets.
//
// Run({"SET","k","v"}) dispatches a request from a client on `client_shard` and pumps the
// cross-shard batches between shards until everything settled, then returns the parsed
// reply. The clock is injectable: AdvanceMs() moves every shard's clock without sleeping.
// Cross-shard traffic takes the same Post/TakeOutbox/Receive path as in the server, only the
// inbox is a direct call -- so routing, fan-out and reply order are exercised for real.
#pragma once

#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/shard.h"
#include "tests/support/resp_value.h"

namespace kevy::test {

class TestEngine : public NetHooks {
 public:
  explicit TestEngine(int num_shards = 2, std::vector<std::string> config_args = {});
  ~TestEngine() override;

  // One request from client `client` (0 = the default client on shard 0).
  RespValue Run(std::vector<std::string> args, int client = 0);
  // Several requests sent back to back (a pipeline) before pumping; replies in order.
  std::vector<RespValue> Pipeline(const std::vector<std::vector<std::string>>& cmds,
                                  int client = 0);
  // Opens another client on `shard`; returns its handle for Run(..., handle).
  int NewClient(int shard);
  ClientState& client(int handle) { return *clients_[handle]; }
  // Raw bytes the client got since last call (for protocol-level checks).
  std::string TakeOutput(int client = 0);

  void AdvanceMs(int64_t ms);
  void SetTimeMs(int64_t ms);
  int64_t now_ms() const { return now_ms_; }
  // Runs every shard's cron once (active expiry).
  void Cron();
  void Pump();

  Shard& shard(int i) { return *shards_[i]; }
  ServerState& server() { return *server_; }
  int num_shards() const { return static_cast<int>(shards_.size()); }
  // The first key named prefix+N (N = 0, 1, ...) that hashes to `shard`; use different
  // prefixes for different keys.
  std::string KeyOnShard(int shard, const std::string& prefix = "k");

  bool shutdown_requested() const { return shutdown_; }

  // One budgeted step of every shard's snapshot in progress (BGSAVE, BGREWRITEAOF: the
  // server's loops step them between requests), then Pump(). Returns whether a shard had one.
  bool StepSnapshots();

  // File I/O (NetHooks::SubmitFile*): ops are queued, and Pump() performs them for real in
  // submission order and reports their results -- unless held (HoldIo(true)), when they wait
  // for the test to complete them one by one with CompleteIo.
  struct FileOp {
    enum Kind { kWrite, kSync, kRename };
    Kind kind = kWrite;
    int fd = -1;
    const char* data = nullptr;
    size_t len = 0;
    uint64_t offset = 0;
    bool datasync = false;
    std::string from, to;
    FileDone done;
  };
  void HoldIo(bool hold) { hold_io_ = hold; }
  const std::deque<FileOp>& pending_io() const { return io_; }
  // Completes pending op `i`: performs it and reports its result; or, with `forced_res`,
  // reports that instead (a write then performs only that many bytes; a negative result,
  // -errno, performs nothing). The completion may queue further ops.
  void CompleteIo(size_t i = 0, std::optional<int> forced_res = std::nullopt);

  // NetHooks
  void CloseClient(ClientState* c) override;
  void ReleaseClient(ClientState* c) override;
  void RequestShutdown(int exit_code) override;
  void SubmitFileWrite(int fd, const char* data, size_t len, uint64_t offset,
                       FileDone done) override;
  void SubmitFileSync(int fd, bool datasync, FileDone done) override;
  void SubmitRename(const char* from, const char* to, FileDone done) override;

 private:
  std::unique_ptr<ServerState> server_;
  std::vector<std::unique_ptr<Shard>> shards_;
  std::vector<std::unique_ptr<ClientState>> clients_;
  int64_t now_ms_;
  bool shutdown_ = false;
  bool hold_io_ = false;
  std::deque<FileOp> io_;
};

// Helpers for tests that interleave clients by hand:
// Send() dispatches a request from `client` without delivering any cross-shard batch;
// Step() delivers the batches queued right now (one hop); Replies() takes the client's
// output so far as rendered replies (RespValue::ToString), throwing on a partial reply.
void Send(TestEngine& e, int client, std::vector<std::string> cmd);

// Replies as the tests compare them (RespValue::ToString, redis-cli style), and the error
// texts most families share.
inline std::string S(const RespValue& v) { return v.ToString(); }
inline std::string Int(int64_t n) { return "(integer) " + std::to_string(n); }
inline const char* const kWrongType =
    "(error) WRONGTYPE Operation against a key holding the wrong kind of value";
inline const char* const kSyntax = "(error) ERR syntax error";
inline const char* const kNotInt = "(error) ERR value is not an integer or out of range";

void Step(TestEngine& e);
std::vector<std::string> Replies(TestEngine& e, int client);

}  // namespace kevy::test
