// Reactor implementation: the per-shard io_uring loop.
#include "net/reactor.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/mman.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>

#include "engine/log.h"
#include "engine/util.h"
#include "resp/errors.h"

namespace kevy {

// A connection: the engine's ClientState plus the socket's buffers and in-flight ops.
// Aligned so that its address leaves the low 4 bits of user_data to the Op.
struct alignas(16) Connection : ClientState {
  std::string in;       // bytes of an unfinished request (only when one straddles recvs)
  size_t need = 0;      // total bytes `in` must reach before a parse can succeed
  std::string sending;  // bytes handed to the kernel by the in-flight send
  size_t send_off = 0;
  size_t index = 0;  // position in Reactor::conns_
  bool recv_armed = false;
  bool send_busy = false;
  bool closing = false;
  bool input_paused = false;  // a barrier command is in flight: `in` waits unparsed
  bool added = false;         // known to the shard (connections accepted while loading wait)
  // Replies held for the AOF (appendfsync always): bytes of `out` are counted from the start
  // of the connection; only those before out_allowed may be sent.
  uint64_t out_sent_total = 0;
  uint64_t out_allowed = UINT64_MAX;
  uint32_t held = 0;  // entries in Reactor::held_
};

namespace {

constexpr uint16_t kBufGroup = 0;
constexpr unsigned kRingEntries = 4096;
constexpr unsigned kCqEntries = 16384;

constexpr uint64_t kOpMask = 15;
inline uint64_t Tag(Connection* p, uint8_t op) { return reinterpret_cast<uint64_t>(p) | op; }
inline Connection* ConnOf(uint64_t user_data) {
  return reinterpret_cast<Connection*>(user_data & ~kOpMask);
}

std::string FormatAddr(const sockaddr_storage& ss) {
  char ip[INET6_ADDRSTRLEN] = "?";
  int port = 0;
  if (ss.ss_family == AF_INET) {
    auto* a = reinterpret_cast<const sockaddr_in*>(&ss);
    inet_ntop(AF_INET, &a->sin_addr, ip, sizeof(ip));
    port = ntohs(a->sin_port);
  } else if (ss.ss_family == AF_INET6) {
    auto* a = reinterpret_cast<const sockaddr_in6*>(&ss);
    inet_ntop(AF_INET6, &a->sin6_addr, ip, sizeof(ip));
    port = ntohs(a->sin6_port);
  }
  return std::string(ip) + ":" + std::to_string(port);
}

// Peers from the loopback interface (127.0.0.0/8, ::1, ::ffff:127.x) pass protected mode.
bool IsLoopback(const sockaddr_storage& ss) {
  if (ss.ss_family == AF_INET)
    return (ntohl(reinterpret_cast<const sockaddr_in*>(&ss)->sin_addr.s_addr) >> 24) == 127;
  if (ss.ss_family == AF_INET6) {
    const in6_addr& a = reinterpret_cast<const sockaddr_in6*>(&ss)->sin6_addr;
    if (IN6_IS_ADDR_LOOPBACK(&a)) return true;
    return IN6_IS_ADDR_V4MAPPED(&a) && a.s6_addr[12] == 127;
  }
  return ss.ss_family == AF_UNIX;
}

// Redis 7.0.15's reply (typo "Setup a an" included) to a non-loopback client while protected
// mode is on and the default user has no password (acceptCommonHandler); then it closes.
constexpr std::string_view kProtectedModeError =
    "-DENIED Redis is running in protected mode because protected mode is enabled and no "
    "password is set for the default user. In this mode connections are only accepted from "
    "the loopback interface. If you want to connect from external computers to Redis you may "
    "adopt one of the following solutions: 1) Just disable protected mode sending the command "
    "'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from "
    "the same host the server is running, however MAKE SURE Redis is not publicly accessible "
    "from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) "
    "Alternatively you can just disable the protected mode by editing the Redis configuration "
    "file, and setting the protected mode option to 'no', and then restarting the server. 3) "
    "If you started the server manually just for testing, restart it with the "
    "'--protected-mode no' option. 4) Setup a an authentication password for the default "
    "user. NOTE: You only need to do one of the above things in order for the server to start "
    "accepting connections from the outside.\r\n";

}  // namespace

Reactor::Reactor(Shard* shard, std::vector<Inbox*> inboxes, std::vector<int> listen_fds)
    : shard_(shard), inboxes_(std::move(inboxes)), listen_fds_(std::move(listen_fds)) {}

Reactor::~Reactor() {
  for (Connection* c : conns_) {
    if (c->fd >= 0) close(c->fd);
    delete c;
  }
  for (int fd : listen_fds_)
    if (fd >= 0) close(fd);
  if (ring_ok_) io_uring_queue_exit(&ring_);
  if (buf_base_) munmap(buf_base_, size_t{buf_count_} * buf_size_);
  if (buf_ring_) munmap(buf_ring_, buf_count_ * sizeof(io_uring_buf));
}

std::string Reactor::Init() {
  io_uring_params p{};
  p.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG |
            IORING_SETUP_CQSIZE;

  p.cq_entries = kCqEntries;
  int r = io_uring_queue_init_params(kRingEntries, &ring_, &p);
  if (r == -EINVAL) {  // older kernels: plain ring
    p = io_uring_params{};
    p.flags = IORING_SETUP_CQSIZE;
    p.cq_entries = kCqEntries;
    r = io_uring_queue_init_params(kRingEntries, &ring_, &p);
  }
  if (r < 0) {
    std::string why = strerror(-r);
    if (r == -ENOSYS) return "io_uring is not supported by this kernel (" + why + "); kevy needs Linux 6.0 or newer";
    if (r == -EPERM || r == -EACCES)
      return "io_uring is not permitted (" + why +
             "): check /proc/sys/kernel/io_uring_disabled (must be 0, or 1 with this user in "
             "kernel.io_uring_group) and any seccomp profile of the container";
    if (r == -ENOMEM)
      return "cannot allocate the io_uring ring (" + why +
             "): raise the locked-memory limit (ulimit -l / LimitMEMLOCK)";
    return "io_uring_queue_init failed: " + why;
  }
  ring_ok_ = true;
  if (!(p.features & IORING_FEAT_NODROP)) return "this kernel's io_uring lacks IORING_FEAT_NODROP";

  // Provided buffers for multishot recv: mmap'd, so they are not counted as used_memory.
  buf_count_ = 512;
  buf_size_ = 16384;
  size_t ring_bytes = buf_count_ * sizeof(io_uring_buf);
  void* rb = mmap(nullptr, ring_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  void* bufs = mmap(nullptr, size_t{buf_count_} * buf_size_, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (rb == MAP_FAILED || bufs == MAP_FAILED) return "cannot map receive buffers";
  buf_ring_ = static_cast<io_uring_buf_ring*>(rb);
  buf_base_ = static_cast<char*>(bufs);
  io_uring_buf_reg reg{};
  reg.ring_addr = reinterpret_cast<uint64_t>(buf_ring_);
  reg.ring_entries = buf_count_;
  reg.bgid = kBufGroup;
  r = io_uring_register_buf_ring(&ring_, &reg, 0);
  if (r < 0)
    return std::string("io_uring provided buffer rings are not supported (") + strerror(-r) +
           "); kevy needs Linux 6.0 or newer";
  io_uring_buf_ring_init(buf_ring_);
  int mask = io_uring_buf_ring_mask(buf_count_);
  for (uint32_t i = 0; i < buf_count_; ++i)
    io_uring_buf_ring_add(buf_ring_, buf_base_ + size_t{i} * buf_size_, buf_size_,
                          static_cast<uint16_t>(i), mask, static_cast<int>(i));
  io_uring_buf_ring_advance(buf_ring_, static_cast<int>(buf_count_));
  return "";
}

io_uring_sqe* Reactor::Sqe() {
  io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
  while (!sqe) {
    io_uring_submit(&ring_);
    sqe = io_uring_get_sqe(&ring_);
  }
  return sqe;
}

void Reactor::ArmAccept(size_t i) {
  io_uring_sqe* sqe = Sqe();
  io_uring_prep_multishot_accept(sqe, listen_fds_[i], nullptr, nullptr, SOCK_CLOEXEC);
  io_uring_sqe_set_data64(sqe, (uint64_t{i} << 8) | static_cast<uint8_t>(Op::kAccept));
}

void Reactor::ArmRecv(Connection* c) {
  io_uring_sqe* sqe = Sqe();
  io_uring_prep_recv_multishot(sqe, c->fd, nullptr, 0, 0);
  sqe->flags |= IOSQE_BUFFER_SELECT;
  sqe->buf_group = kBufGroup;
  io_uring_sqe_set_data64(sqe, Tag(c, static_cast<uint8_t>(Op::kRecv)));
  c->recv_armed = true;
}

void Reactor::ArmWake() {
  io_uring_sqe* sqe = Sqe();
  io_uring_prep_read(sqe, inboxes_[shard_->id()]->eventfd(), &wake_value_, sizeof(wake_value_),
                     0);
  io_uring_sqe_set_data64(sqe, static_cast<uint8_t>(Op::kWake));
}

void Reactor::ReturnBuffer(uint16_t bid) {
  io_uring_buf_ring_add(buf_ring_, buf_base_ + size_t{bid} * buf_size_, buf_size_, bid,
                        io_uring_buf_ring_mask(buf_count_), static_cast<int>(buf_returned_++));
}

void Reactor::Run() {
  for (size_t i = 0; i < listen_fds_.size(); ++i) ArmAccept(i);
  ArmWake();
  loading_ = shard_->server().loading.load(std::memory_order_acquire);
  Inbox* inbox = inboxes_[shard_->id()];
  ServerState& server = shard_->server();
  shard_->set_now_ms(Shard::WallMs());
  next_cron_ms_ = shard_->now_ms();

  while (!stopping_) {
    bool idle = io_uring_cq_ready(&ring_) == 0 && inbox->Empty() && !shard_->HasOutbox() &&
                shard_->dirty().empty() && (loading_ || !shard_->SnapshotHasWork());
    if (idle && inbox->PrepareSleep()) {
      int64_t wait_ms = std::max<int64_t>(0, next_cron_ms_ - Shard::WallMs());
      __kernel_timespec ts{};
      ts.tv_sec = wait_ms / 1000;
      ts.tv_nsec = (wait_ms % 1000) * 1000000;
      io_uring_cqe* cqe = nullptr;
      io_uring_submit_and_wait_timeout(&ring_, &cqe, 1, &ts, nullptr);
      inbox->Awake();
    } else if (io_uring_sq_ready(&ring_) > 0) {
      io_uring_submit(&ring_);
    } else if (io_uring_cq_ready(&ring_) == 0 && (*ring_.sq.kflags & IORING_SQ_TASKRUN)) {
      io_uring_get_events(&ring_);
    }
    shard_->set_now_ms(Shard::WallMs());

    // Completions.
    unsigned head, count = 0;
    io_uring_cqe* cqe;
    io_uring_for_each_cqe(&ring_, head, cqe) {
      ++count;
      uint64_t ud = cqe->user_data;
      auto op = static_cast<Op>(ud & kOpMask);
      switch (op) {
        case Op::kAccept: OnAccept(static_cast<int>(ud >> 8), cqe); break;
        case Op::kRecv: OnRecv(ConnOf(ud), cqe); break;
        case Op::kSend: OnSend(ConnOf(ud), cqe->res); break;
        case Op::kWake:
          if (!stopping_) ArmWake();
          break;
        case Op::kTimer: break;
        case Op::kAofWrite: OnAofWrite(cqe->res); break;
        case Op::kAofSync: OnAofSync(cqe->res, (ud >> 8) != 0); break;
        case Op::kFileIo: OnFileIo(static_cast<uint32_t>(ud >> 8), cqe->res); break;
      }
    }
    io_uring_cq_advance(&ring_, count);
    if (buf_returned_) {
      io_uring_buf_ring_advance(buf_ring_, static_cast<int>(buf_returned_));
      buf_returned_ = 0;
    }

    if (loading_) {
      // Start-up is loading the dataset into the shards: leave them alone, answer -LOADING.
      if (!server.loading.load(std::memory_order_acquire)) EndLoading();
      next_cron_ms_ = shard_->now_ms() + 100;
      if (server.shutdown_requested.load(std::memory_order_relaxed)) Shutdown();
      continue;
    }

    // Cross-shard work that arrived, then what this iteration produced for others.
    if (Task* t = inbox->TakeAll()) shard_->Receive(t);
    FlushOutboxes();
    PumpAof();
    FlushDirty();
    // A snapshot in progress (BGSAVE, BGREWRITEAOF) serializes a budget between requests. A
    // small one: 16 KiB per iteration served SETs at 2.6x the rate of 64 KiB during
    // back-to-back rewrites of 1M keys (p99 6.5 against 14.4 ms), for rewrites ~20% longer.
    if (shard_->snapshot_active() && shard_->SnapshotStep(16 << 10)) FlushOutboxes();

    if (shard_->now_ms() >= next_cron_ms_) {
      shard_->Cron();
      AofCron();
      int hz = shard_->config().hz.load(std::memory_order_relaxed);
      hz = std::clamp(hz, 1, 500);
      next_cron_ms_ = shard_->now_ms() + 1000 / hz;
      FlushOutboxes();
      PumpAof();
      FlushDirty();
    }
    if (server.shutdown_requested.load(std::memory_order_relaxed)) Shutdown();
  }
  FlushAofOnExit();
}

void Reactor::FlushAofOnExit() {
  // An orderly exit writes what the ring has not (a positioned write of the same bytes at the
  // same offset is harmless if the ring's write also lands) and fsyncs, as Redis does.
  aof::ShardLog* log = shard_->aof();
  if (!log) return;
  for (auto& b : log->batches()) {
    size_t off = b.written;
    while (off < b.data.size()) {
      ssize_t w = pwrite(b.fd, b.data.data() + off, b.data.size() - off,
                         static_cast<off_t>(b.offset + off));
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) {
        Log(LogLevel::kWarning, "Error writing the AOF on shutdown: %s", strerror(errno));
        break;
      }
      off += static_cast<size_t>(w);
    }
    fdatasync(b.fd);
  }
  if (log->fd() >= 0) fdatasync(log->fd());
}

void Reactor::FlushOutboxes() {
  if (!shard_->HasOutbox()) return;
  for (size_t t = 0; t < inboxes_.size(); ++t) {
    TaskList l = shard_->TakeOutbox(static_cast<uint16_t>(t));
    if (!l.empty()) inboxes_[t]->PushBatch(l);
  }
}

void Reactor::FlushDirty() {
  auto& dirty = shard_->dirty();
  for (size_t i = 0; i < dirty.size(); ++i) {  // StartSend may not add to `dirty`
    auto* c = static_cast<Connection*>(dirty[i]);
    c->dirty = false;
    if (c->closing) {
      MaybeFree(c);
      continue;
    }
    if (c->input_paused && !c->barrier) {  // resume the requests that waited for a barrier
      c->input_paused = false;
      size_t consumed = 0;
      ParseAndDispatch(c, c->in, &consumed);
      if (c->closing) continue;
      c->in.erase(0, consumed);
      c->qbuf = c->in.size();
    }
    HoldForAof(c);
    StartSend(c);
  }
  dirty.clear();
}

void Reactor::OnAccept(int listen_idx, const io_uring_cqe* cqe) {
  if (!(cqe->flags & IORING_CQE_F_MORE) && !stopping_) ArmAccept(static_cast<size_t>(listen_idx));
  int fd = cqe->res;
  if (fd < 0) {
    if (fd != -ECANCELED) Log(LogLevel::kWarning, "Accepting client connection: %s", strerror(-fd));
    return;
  }
  if (stopping_) {
    close(fd);
    return;
  }
  ServerState& server = shard_->server();
  ++shard_->stats().total_connections_received;
  if (server.connected_clients.load(std::memory_order_relaxed) >=
      shard_->config().maxclients.load(std::memory_order_relaxed)) {
    std::string msg = "-" + std::string(errors::kMaxClients) + "\r\n";
    ssize_t w = write(fd, msg.data(), msg.size());
    (void)w;
    close(fd);
    ++shard_->stats().rejected_connections;
    return;
  }
  sockaddr_storage peer{};
  socklen_t peer_len = sizeof(peer);
  getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &peer_len);
  if (shard_->config().protected_mode.load(std::memory_order_relaxed) && !IsLoopback(peer) &&
      shard_->config().requirepass().empty()) {
    ssize_t w = write(fd, kProtectedModeError.data(), kProtectedModeError.size());
    (void)w;
    close(fd);
    ++shard_->stats().rejected_connections;
    return;
  }
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  int keepalive = shard_->config().tcp_keepalive.load(std::memory_order_relaxed);
  if (keepalive > 0) {
    setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
    setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &keepalive, sizeof(keepalive));
    int intvl = std::max(1, keepalive / 3), cnt = 3;
    setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof(intvl));
    setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof(cnt));
  }
  auto* c = new Connection;
  c->fd = fd;
  c->id = server.next_client_id.fetch_add(1, std::memory_order_relaxed);
  c->shard = shard_->id();
  c->addr = FormatAddr(peer);
  sockaddr_storage ss{};
  socklen_t len = sizeof(ss);
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) == 0) c->laddr = FormatAddr(ss);
  c->created_ms = c->last_interaction_ms = shard_->now_ms();
  c->authenticated = shard_->config().requirepass().empty();
  c->index = conns_.size();
  conns_.push_back(c);
  if (!loading_) {
    shard_->AddClient(c);
    c->added = true;
  }
  server.connected_clients.fetch_add(1, std::memory_order_relaxed);
  ArmRecv(c);
}

void Reactor::OnRecv(Connection* c, const io_uring_cqe* cqe) {
  int res = cqe->res;
  bool more = cqe->flags & IORING_CQE_F_MORE;
  // recv_armed stays true while we handle the data, so nothing frees `c` underneath us.
  if (res > 0) {
    auto bid = static_cast<uint16_t>(cqe->flags >> IORING_CQE_BUFFER_SHIFT);
    if (!c->closing) Consume(c, buf_base_ + size_t{bid} * buf_size_, static_cast<size_t>(res));
    ReturnBuffer(bid);
  } else if (res != -ENOBUFS && !c->closing) {
    Close(c);  // EOF (0) or an error: the peer is gone
  }
  if (more) return;
  c->recv_armed = false;
  if (c->closing)
    MaybeFree(c);
  else
    ArmRecv(c);  // the multishot recv ended (buffers ran out, or the kernel ended it): re-arm
}

void Reactor::Consume(Connection* c, const char* data, size_t len) {
  shard_->stats().net_input_bytes += len;
  size_t consumed = 0;
  if (c->input_paused) {
    c->in.append(data, len);  // parsed once the barrier command has replied
  } else if (c->in.empty()) {
    ParseAndDispatch(c, std::string_view(data, len), &consumed);
    if (consumed < len && !c->closing) {
      c->in.assign(data + consumed, len - consumed);
      if (c->need > c->in.size()) c->in.reserve(c->need);
    }
  } else {
    c->in.append(data, len);
    // While a big bulk is still arriving there is nothing to parse yet.
    if (c->in.size() >= c->need) {
      ParseAndDispatch(c, c->in, &consumed);
      if (!c->closing) c->in.erase(0, consumed);
      if (c->in.empty() && c->in.capacity() > (1u << 20)) std::string().swap(c->in);
    }
  }
  c->qbuf = c->in.size();
  if (c->closing) return;
  int64_t limit = shard_->config().client_query_buffer_limit.load(std::memory_order_relaxed);
  if (static_cast<int64_t>(c->in.size()) > limit) {
    Log(LogLevel::kWarning, "Closing client that reached max query buffer length (qbuf=%zu)",
        c->in.size());
    Close(c);
    return;
  }
  if (!c->out.empty()) {
    if (loading_)
      StartSend(c);
    else
      shard_->MarkDirty(c);
  }
}

void Reactor::ParseAndDispatch(Connection* c, std::string_view input, size_t* consumed) {
  limits_.max_bulk_len = shard_->config().proto_max_bulk_len.load(std::memory_order_relaxed);
  limits_.auth_required = !c->authenticated;
  size_t off = 0;
  c->need = 0;
  while (off < input.size()) {
    if (c->flags & (kClientCloseAfterReply | kClientCloseAsap)) {
      off = input.size();  // Redis discards what follows QUIT or a protocol error
      break;
    }
    ParseResult r = ParseRequest(input.substr(off), limits_, &args_);
    if (r.status == ParseStatus::kIncomplete) {
      c->need = r.need;
      break;
    }
    if (r.status == ParseStatus::kError) {
      ++shard_->stats().total_error_replies;
      if (c->pending.empty()) {
        ReplyBuilder(&c->out, c->proto).Error(r.error);
      } else {
        uint64_t seq = c->pending.Reserve();
        ReplyBuilder(&c->pending.Buffer(seq), c->proto).Error(r.error);
        c->pending.Complete(seq);
        c->pending.Drain([&](std::string& b) { c->out.append(b); });
      }
      c->flags |= kClientCloseAfterReply;
      off = input.size();
      break;
    }
    off += r.consumed;
    if (args_.empty()) continue;
    if (loading_) {
      LoadingReply(c);
      continue;
    }
    shard_->Dispatch(*c, args_);
    if (c->barrier) {
      c->input_paused = true;
      break;
    }
  }
  *consumed = off;
}

void Reactor::StartSend(Connection* c) {
  if (c->send_busy || c->closing) return;
  if (c->out.empty()) {
    if ((c->flags & kClientCloseAfterReply) && c->pending.empty()) Close(c);
    return;
  }
  size_t n = c->out.size();
  if (c->out_allowed != UINT64_MAX) {  // appendfsync always: only replies whose effects are on disk
    uint64_t room = c->out_allowed > c->out_sent_total ? c->out_allowed - c->out_sent_total : 0;
    if (room == 0) return;
    if (room < n) n = static_cast<size_t>(room);
  }
  if (n == c->out.size()) {
    c->sending.swap(c->out);
  } else {
    c->sending.assign(c->out, 0, n);
    c->out.erase(0, n);
  }
  c->out_sent_total += n;
  c->send_off = 0;
  c->send_busy = true;
  shard_->stats().net_output_bytes += c->sending.size();
  io_uring_sqe* sqe = Sqe();
  io_uring_prep_send(sqe, c->fd, c->sending.data(), c->sending.size(), MSG_NOSIGNAL);
  io_uring_sqe_set_data64(sqe, Tag(c, static_cast<uint8_t>(Op::kSend)));
}

void Reactor::OnSend(Connection* c, int res) {
  if (res < 0 || c->closing) {
    c->send_busy = false;
    if (!c->closing) Close(c);
    MaybeFree(c);
    return;
  }
  c->send_off += static_cast<size_t>(res);
  if (c->send_off < c->sending.size()) {  // short send: the rest
    io_uring_sqe* sqe = Sqe();
    io_uring_prep_send(sqe, c->fd, c->sending.data() + c->send_off,
                       c->sending.size() - c->send_off, MSG_NOSIGNAL);
    io_uring_sqe_set_data64(sqe, Tag(c, static_cast<uint8_t>(Op::kSend)));
    return;
  }
  c->send_busy = false;
  if (c->sending.capacity() > (1u << 20))
    std::string().swap(c->sending);
  else
    c->sending.clear();
  StartSend(c);
}

void Reactor::Close(Connection* c) {
  if (c->closing) return;
  c->closing = true;
  c->closed = true;
  if (c->added) shard_->RemoveClient(c);
  shard_->server().connected_clients.fetch_sub(1, std::memory_order_relaxed);
  // Ends the armed multishot recv (it completes with 0) and any send in flight.
  shutdown(c->fd, SHUT_RDWR);
  MaybeFree(c);
}

void Reactor::MaybeFree(Connection* c) {
  if (!c->closing || c->recv_armed || c->send_busy || c->dirty || c->inflight > 0 || c->held > 0)
    return;
  if (c->fd >= 0) close(c->fd);
  c->fd = -1;
  Connection* last = conns_.back();
  conns_[c->index] = last;
  last->index = c->index;
  conns_.pop_back();
  delete c;
}

void Reactor::CloseClient(ClientState* c) { Close(static_cast<Connection*>(c)); }

void Reactor::ReleaseClient(ClientState* c) { MaybeFree(static_cast<Connection*>(c)); }

void Reactor::RequestShutdown(int exit_code) {
  ServerState& server = shard_->server();
  server.exit_code.store(exit_code);
  server.shutdown_requested.store(true);
  WakeAll(inboxes_);
  kill(getpid(), SIGUSR1);  // wakes the main thread's sigwait
}

void Reactor::WakeAll(const std::vector<Inbox*>& inboxes) {
  for (Inbox* i : inboxes) i->Wake();
}

void Reactor::Shutdown() {
  stopping_ = true;
  for (int& fd : listen_fds_) {
    if (fd >= 0) {
      shutdown(fd, SHUT_RDWR);
      close(fd);
      fd = -1;
    }
  }
  std::vector<Connection*> all = conns_;
  for (Connection* c : all) Close(c);
}

}  // namespace kevy

// --- start-up loading -------------------------------------------------------------------

namespace kevy {

void Reactor::LoadingReply(Connection* c) {
  if (EqualsNoCase(args_[0], "info")) {
    // INFO works while loading (Redis flags it "loading"): the fields that tell a client to wait.
    std::string body =
        "# Persistence\r\nloading:1\r\nasync_loading:0\r\n";
    ReplyBuilder(&c->out, c->proto).Bulk(body);
    return;
  }
  ReplyBuilder(&c->out, c->proto).Error("LOADING Redis is loading the dataset in memory");
}

void Reactor::EndLoading() {
  loading_ = false;
  for (Connection* c : conns_) {
    if (c->closing || c->added) continue;
    shard_->AddClient(c);
    c->added = true;
  }
}

// --- AOF ----------------------------------------------------------------------------------

void Reactor::HoldForAof(Connection* c) {
  // A reply leaves only after the write carrying its effects completed -- and, under
  // appendfsync always, the fsync after it. (Redis writes the AOF before it replies, whatever
  // the policy: a killed process loses nothing it acknowledged.)
  aof::ShardLog* log = shard_->aof();
  if (!log) {
    c->out_allowed = UINT64_MAX;
    return;
  }
  uint64_t end = c->out_sent_total + c->out.size();
  uint64_t batch = log->latest_undurable();
  if (batch == 0 || log->write_error != 0) {
    // Nothing waits for the disk (or the disk is failing, and writes are refused meanwhile):
    // everything produced so far may go -- unless earlier replies still wait.
    if (c->held == 0) c->out_allowed = end;
    else held_.push_back({c, end, held_.back().batch}), ++c->held;
    return;
  }
  if (c->out_allowed == UINT64_MAX) c->out_allowed = c->out_sent_total;
  held_.push_back({c, end, batch});
  ++c->held;
}

void Reactor::AofBatchDone() {
  aof::ShardLog* log = shard_->aof();
  log->CompleteFront();
  uint64_t durable = log->durable_id();
  shard_->ReleaseParked(durable);
  while (!held_.empty() && held_.front().batch <= durable) {
    Held h = held_.front();
    held_.pop_front();
    --h.c->held;
    if (h.end > h.c->out_allowed || h.c->out_allowed == UINT64_MAX) h.c->out_allowed = h.end;
    if (h.c->closing)
      MaybeFree(h.c);
    else
      StartSend(h.c);
  }
}

void Reactor::PumpAof() {
  aof::ShardLog* log = shard_->aof();
  if (!log) return;
  if (!log->retired_fds().empty()) {
    // Files a global operation switched away from, all batches written: make them durable
    // and close them (rare; a blocking fdatasync is fine here).
    for (int fd : log->retired_fds()) {
      fdatasync(fd);
      close(fd);
    }
    log->retired_fds().clear();
  }
  if (log->batches().empty() || log->batches().front().submitted) return;
  if (log->write_error != 0) {
    if (log->closed()) return DropAof();
    if (shard_->now_ms() < log->retry_at_ms) return;
  }
  SubmitAof();
}

void Reactor::DropAof() {
  // appendonly was turned off while the disk failed: what could not be written is given up,
  // as Redis's stopAppendOnly drops its buffer, and the replies that waited for it go out.
  aof::ShardLog* log = shard_->aof();
  log->write_error = 0;
  shard_->server().aof_failing_shards.fetch_sub(1, std::memory_order_relaxed);
  Log(LogLevel::kWarning, "AOF turned off: %zu unwritten AOF batches dropped",
      log->batches().size());
  while (!log->batches().empty()) AofBatchDone();
}

void Reactor::SubmitAof() {
  aof::ShardLog* log = shard_->aof();
  aof::ShardLog::Batch& b = log->batches().front();
  bool always = log->policy() == aof::FsyncPolicy::kAlways;
  if (io_uring_sq_space_left(&ring_) < 2) io_uring_submit(&ring_);  // keep the link whole
  size_t left = b.data.size() - b.written;
  if (left > 0) {
    io_uring_sqe* sqe = Sqe();
    io_uring_prep_write(sqe, b.fd, b.data.data() + b.written, static_cast<unsigned>(left),
                        b.offset + b.written);
    io_uring_sqe_set_data64(sqe, static_cast<uint8_t>(Op::kAofWrite));
    if (always) sqe->flags |= IOSQE_IO_LINK;
  }
  if (always) {
    io_uring_sqe* sqe = Sqe();
    io_uring_prep_fsync(sqe, b.fd, IORING_FSYNC_DATASYNC);
    io_uring_sqe_set_data64(sqe, static_cast<uint8_t>(Op::kAofSync));
  }
  b.submitted = true;
}

void Reactor::AofFailed(int err) {
  aof::ShardLog* log = shard_->aof();
  ServerState& server = shard_->server();
  if (log->write_error == 0) {
    server.aof_failing_shards.fetch_add(1, std::memory_order_relaxed);
    Log(LogLevel::kWarning, "Error writing to the AOF file: %s", strerror(err));
  }
  log->write_error = err;
  server.aof_last_errno.store(err, std::memory_order_relaxed);
  log->retry_at_ms = shard_->now_ms() + 1000;  // Redis retries once a second from its cron
  log->batches().front().submitted = false;
}

void Reactor::OnAofWrite(int res) {
  aof::ShardLog* log = shard_->aof();
  if (!log || log->batches().empty()) return;
  aof::ShardLog::Batch& b = log->batches().front();
  bool always = log->policy() == aof::FsyncPolicy::kAlways;
  if (res < 0) {
    if (res == -EINTR || res == -EAGAIN) {
      if (!always) b.submitted = false;  // under always, the canceled fsync's completion resets it
      return;
    }
    AofFailed(-res);  // the linked fsync completes with -ECANCELED
    return;
  }
  b.written += static_cast<size_t>(res);
  log->unsynced = true;
  if (b.written < b.data.size()) {  // short write (e.g. the disk filled up): write the rest
    if (!always) b.submitted = false;
    return;
  }
  if (log->write_error != 0) {
    log->write_error = 0;
    shard_->server().aof_failing_shards.fetch_sub(1, std::memory_order_relaxed);
    Log(LogLevel::kWarning, "AOF write error looks solved, Redis can write again.");
  }
  if (!always) AofBatchDone();
}

void Reactor::OnAofSync(int res, bool standalone) {
  aof::ShardLog* log = shard_->aof();
  if (!log) return;
  if (standalone) {
    log->fsync_in_flight = false;
    if (res < 0) Log(LogLevel::kWarning, "Error fsyncing the AOF file: %s", strerror(-res));
    return;
  }
  if (log->batches().empty()) return;
  aof::ShardLog::Batch& b = log->batches().front();
  if (res == -ECANCELED) {  // its write failed or was short: submit again (now or on retry)
    b.submitted = false;
    return;
  }
  if (res < 0) {
    AofFailed(-res);
    return;
  }
  if (b.written < b.data.size()) {  // cannot happen with a linked write; be safe
    b.submitted = false;
    return;
  }
  b.synced = true;
  AofBatchDone();
}

void Reactor::AofCron() {
  aof::ShardLog* log = shard_->aof();
  if (!log) return;
  aof::FsyncPolicy p = aof::ParseFsyncPolicy(shard_->config().GetValueOr("appendfsync"));
  // Switching away from `always` only between batches (the in-flight one keeps its fsync).
  if (p != log->policy() && (log->batches().empty() || !log->batches().front().submitted))
    log->set_policy(p);
  if (log->policy() == aof::FsyncPolicy::kEverysec && log->unsynced && !log->fsync_in_flight &&
      shard_->now_ms() - log->last_fsync_ms >= 1000 && log->fd() >= 0) {
    io_uring_sqe* sqe = Sqe();
    io_uring_prep_fsync(sqe, log->fd(), IORING_FSYNC_DATASYNC);
    io_uring_sqe_set_data64(sqe, (uint64_t{1} << 8) | static_cast<uint8_t>(Op::kAofSync));
    log->fsync_in_flight = true;
    log->unsynced = false;
    log->last_fsync_ms = shard_->now_ms();
  }
}

// --- file I/O for the engine (NetHooks) -------------------------------------------------


io_uring_sqe* Reactor::FileSqe(NetHooks::FileDone done) {
  uint32_t index;
  if (!free_file_ops_.empty()) {
    index = free_file_ops_.back();
    free_file_ops_.pop_back();
    file_ops_[index] = std::move(done);
  } else {
    index = static_cast<uint32_t>(file_ops_.size());
    file_ops_.push_back(std::move(done));
  }
  io_uring_sqe* sqe = Sqe();
  io_uring_sqe_set_data64(sqe, (uint64_t{index} << 8) | static_cast<uint8_t>(Op::kFileIo));
  return sqe;
}

void Reactor::SubmitFileWrite(int fd, const char* data, size_t len, uint64_t offset,
                              FileDone done) {
  io_uring_sqe* sqe = FileSqe(std::move(done));
  // One SQE carries at most 2^31 bytes' worth in practice; the caller continues a short write.
  len = std::min<size_t>(len, size_t{1} << 30);
  io_uring_prep_write(sqe, fd, data, static_cast<unsigned>(len), offset);
}

void Reactor::SubmitFileSync(int fd, bool datasync, FileDone done) {
  io_uring_sqe* sqe = FileSqe(std::move(done));
  io_uring_prep_fsync(sqe, fd, datasync ? IORING_FSYNC_DATASYNC : 0);
}

void Reactor::SubmitRename(const char* from, const char* to, FileDone done) {
  io_uring_sqe* sqe = FileSqe(std::move(done));
  io_uring_prep_renameat(sqe, AT_FDCWD, from, AT_FDCWD, to, 0);
}

void Reactor::OnFileIo(uint32_t index, int res) {
  // Taken out first: the callback may submit the next op, which may reuse the index.
  NetHooks::FileDone done = std::move(file_ops_[index]);
  file_ops_[index] = nullptr;
  free_file_ops_.push_back(index);
  if (done) done(res);
}

}  // namespace kevy
