// Reactor: the event loop of one shard thread -- one io_uring ring for the shard's listener,
// connections, inbox wake-ups and timers. See docs/architecture.md ("The loop").
//
// Each iteration:
//   1. submit queued SQEs and wait (one io_uring_enter) unless completions are ready;
//      before blocking, tell the inbox we sleep so producers know to write the eventfd;
//   2. handle completions: accepts, multishot recvs (parse + dispatch every whole request),
//      sends, eventfd reads;
//   3. take the inbox batch and hand it to the shard (tasks run or complete);
//   4. move the shard's outboxes into the other shards' inboxes (one batch per target);
//   5. start one send per connection that has output (every reply the iteration produced);
//   6. run the shard's cron when its time has come.
// Receive uses a provided-buffer ring: the kernel picks a buffer per completion, we parse
// straight out of it and copy only an unfinished request's tail into the connection.
#pragma once

#include <liburing.h>

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "engine/shard.h"
#include "net/inbox.h"
#include "resp/parser.h"

namespace kevy {

struct Connection;

class Reactor final : public NetHooks {
 public:
  // `listen_fds` are this shard's SO_REUSEPORT listeners (owned by the reactor afterwards).
  // `inboxes` holds every shard's inbox, indexed by shard id.
  Reactor(Shard* shard, std::vector<Inbox*> inboxes, std::vector<int> listen_fds);
  ~Reactor() override;

  // Sets up the ring. Returns an error text that says why when io_uring is unavailable.
  std::string Init();
  // Runs until shutdown is requested. Shard thread only.
  void Run();

  // NetHooks (shard thread)
  void CloseClient(ClientState* c) override;
  void ReleaseClient(ClientState* c) override;
  void RequestShutdown(int exit_code) override;
  void SubmitFileWrite(int fd, const char* data, size_t len, uint64_t offset,
                       FileDone done) override;
  void SubmitFileSync(int fd, bool datasync, FileDone done) override;
  void SubmitRename(const char* from, const char* to, FileDone done) override;

  // Called on shutdown by the server to wake every loop.
  static void WakeAll(const std::vector<Inbox*>& inboxes);

 private:
  // The low 4 bits of an SQE's user_data; the rest is a Connection* (16-byte aligned) or an
  // index.
  enum class Op : uint8_t { kAccept = 1, kRecv = 2, kSend = 3, kWake = 4, kTimer = 5,
                          kAofWrite = 6, kAofSync = 7,
                          kFileIo = 8 };  // NetHooks::SubmitFile*: index into file_ops_

  io_uring_sqe* Sqe();
  void ArmAccept(size_t i);
  void ArmRecv(Connection* c);
  void ArmWake();
  void StartSend(Connection* c);
  void OnAccept(int listen_idx, const io_uring_cqe* cqe);
  void OnRecv(Connection* c, const io_uring_cqe* cqe);
  void OnSend(Connection* c, int res);
  void Consume(Connection* c, const char* data, size_t len);
  void ParseAndDispatch(Connection* c, std::string_view input, size_t* consumed);
  void Close(Connection* c);
  void MaybeFree(Connection* c);
  void ReturnBuffer(uint16_t bid);
  void FlushOutboxes();
  void FlushDirty();
  void Shutdown();

  // Start-up loading (the loader owns the shard meanwhile).
  void LoadingReply(Connection* c);
  void EndLoading();

  // The shard's AOF file (persist/aof_log.h) on this ring.
  void PumpAof();        // submits the oldest batch (+ a linked fsync under `always`)
  void SubmitAof();
  void OnAofWrite(int res);
  void OnAofSync(int res, bool standalone);
  void AofCron();        // everysec fsync, retries after a failed write, policy changes
  void AofFailed(int err);
  void DropAof();        // a closed log that can't be written: give up its batches
  void AofBatchDone();   // the front batch is durable: release the replies that waited
  void HoldForAof(Connection* c);
  void FlushAofOnExit();

  // NetHooks file I/O (snapshot files): the completion callbacks of the ops in flight.
  io_uring_sqe* FileSqe(NetHooks::FileDone done);
  void OnFileIo(uint32_t index, int res);

  Shard* shard_;
  std::vector<Inbox*> inboxes_;
  std::vector<int> listen_fds_;
  io_uring ring_{};
  bool ring_ok_ = false;

  // Provided buffer ring for multishot recv.
  io_uring_buf_ring* buf_ring_ = nullptr;
  char* buf_base_ = nullptr;
  uint32_t buf_count_ = 0;
  uint32_t buf_size_ = 0;
  uint32_t buf_returned_ = 0;  // buffers added since the last advance

  uint64_t wake_value_ = 0;
  int64_t next_cron_ms_ = 0;
  bool stopping_ = false;
  bool loading_ = false;
  struct Held {
    Connection* c;
    uint64_t end;    // out_sent_total + out.size() when held
    uint64_t batch;  // sendable once this AOF batch is durable
  };
  std::deque<Held> held_;
  ParserLimits limits_;
  ArgList args_;  // scratch
  std::vector<Connection*> conns_;
  std::vector<NetHooks::FileDone> file_ops_;  // by index; empty = free
  std::vector<uint32_t> free_file_ops_;
};

}  // namespace kevy
