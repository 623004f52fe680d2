#include "tests/support/test_engine.h"

#include "engine/local_driver.h"

#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include <stdexcept>

namespace kevy::test {

TestEngine::TestEngine(int num_shards, std::vector<std::string> config_args)
    : server_(std::make_unique<ServerState>()) {
  if (!config_args.empty()) {
    auto st = server_->config.ApplyArgs(config_args);
    if (!st.ok()) throw std::runtime_error(std::string(st.message()));
  }
  RegisterAllCommands(server_->commands);
  server_->slots = SlotTable(static_cast<uint16_t>(num_shards));
  server_->run_id = std::string(40, 'a');
  now_ms_ = 1700000000000;  // fixed, so tests do not depend on the wall clock
  server_->start_ms = now_ms_;
  server_->shards.resize(num_shards);
  for (int i = 0; i < num_shards; ++i) {
    shards_.push_back(std::make_unique<Shard>(static_cast<uint16_t>(i), server_.get()));
    server_->shards[i] = shards_.back().get();
  }
  for (auto& s : shards_) {
    s->set_net(this);
    s->set_now_ms(now_ms_);
  }
  NewClient(0);
}

TestEngine::~TestEngine() {
  for (auto& c : clients_)
    if (c) shards_[c->shard]->RemoveClient(c.get());
}

int TestEngine::NewClient(int shard) {
  auto c = std::make_unique<ClientState>();
  c->id = server_->next_client_id++;
  c->shard = static_cast<uint16_t>(shard);
  c->addr = "127.0.0.1:" + std::to_string(40000 + c->id);
  c->laddr = "127.0.0.1:6379";
  c->created_ms = now_ms_;
  c->last_interaction_ms = now_ms_;
  shards_[shard]->AddClient(c.get());
  clients_.push_back(std::move(c));
  return static_cast<int>(clients_.size() - 1);
}

void TestEngine::Pump() {
  for (;;) {
    PumpShards(server_->shards);
    if (hold_io_ || io_.empty()) break;
    while (!hold_io_ && !io_.empty()) CompleteIo(0);
  }
  for (auto& s : shards_) s->dirty().clear();
  for (auto& c : clients_)
    if (c) c->dirty = false;
}

std::vector<RespValue> TestEngine::Pipeline(const std::vector<std::vector<std::string>>& cmds,
                                            int client) {
  ClientState& c = *clients_[client];
  for (const auto& cmd : cmds) {
    if (c.barrier) Pump();  // as the reactor: later requests wait for a barrier command
    ArgList args;
    for (const auto& a : cmd) args.push_back(a);
    shards_[c.shard]->Dispatch(c, args);
  }
  Pump();
  std::vector<RespValue> out;
  std::string_view buf = c.out;
  while (!buf.empty()) {
    RespValue v;
    size_t used = ParseReply(buf, &v);
    if (used == 0) throw std::runtime_error("incomplete reply: " + std::string(buf));
    out.push_back(std::move(v));
    buf.remove_prefix(used);
  }
  c.out.clear();
  if (out.size() != cmds.size())
    throw std::runtime_error("expected " + std::to_string(cmds.size()) + " replies, got " +
                             std::to_string(out.size()));
  return out;
}

RespValue TestEngine::Run(std::vector<std::string> args, int client) {
  return Pipeline({std::move(args)}, client)[0];
}

std::string TestEngine::TakeOutput(int client) {
  std::string s;
  s.swap(clients_[client]->out);
  return s;
}

void TestEngine::AdvanceMs(int64_t ms) { SetTimeMs(now_ms_ + ms); }

void TestEngine::SetTimeMs(int64_t ms) {
  now_ms_ = ms;
  for (auto& s : shards_) s->set_now_ms(ms);
}

void TestEngine::Cron() {
  for (auto& s : shards_) s->Cron();
  Pump();
}

std::string TestEngine::KeyOnShard(int shard, const std::string& prefix) {
  for (int i = 0;; ++i) {
    std::string k = prefix + std::to_string(i);
    if (server_->slots.ShardOf(k) == shard) return k;
  }
}

void TestEngine::CloseClient(ClientState* c) {
  c->closed = true;
  if (c->inflight == 0) ReleaseClient(c);
}

void TestEngine::ReleaseClient(ClientState* c) { shards_[c->shard]->RemoveClient(c); }

void TestEngine::RequestShutdown(int) { shutdown_ = true; }

bool TestEngine::StepSnapshots() {
  bool any = false;
  for (auto& s : shards_) {
    if (!s->snapshot_active()) continue;
    any = true;
    s->SnapshotStep(64 * 1024);
  }
  Pump();
  return any;
}

void TestEngine::SubmitFileWrite(int fd, const char* data, size_t len, uint64_t offset,
                                 FileDone done) {
  FileOp op;
  op.kind = FileOp::kWrite;
  op.fd = fd;
  op.data = data;
  op.len = len;
  op.offset = offset;
  op.done = std::move(done);
  io_.push_back(std::move(op));
}

void TestEngine::SubmitFileSync(int fd, bool datasync, FileDone done) {
  FileOp op;
  op.kind = FileOp::kSync;
  op.fd = fd;
  op.datasync = datasync;
  op.done = std::move(done);
  io_.push_back(std::move(op));
}

void TestEngine::SubmitRename(const char* from, const char* to, FileDone done) {
  FileOp op;
  op.kind = FileOp::kRename;
  op.from = from;
  op.to = to;
  op.done = std::move(done);
  io_.push_back(std::move(op));
}

void TestEngine::CompleteIo(size_t i, std::optional<int> forced_res) {
  if (i >= io_.size()) throw std::runtime_error("no such pending file op");
  FileOp op = std::move(io_[i]);
  io_.erase(io_.begin() + static_cast<std::ptrdiff_t>(i));
  int res = 0;
  if (forced_res && *forced_res < 0) {
    res = *forced_res;
  } else if (op.kind == FileOp::kWrite) {
    size_t n = forced_res ? std::min(op.len, static_cast<size_t>(*forced_res)) : op.len;
    ssize_t w = pwrite(op.fd, op.data, n, static_cast<off_t>(op.offset));
    res = w < 0 ? -errno : static_cast<int>(w);
  } else if (op.kind == FileOp::kSync) {
    res = (op.datasync ? fdatasync(op.fd) : fsync(op.fd)) < 0 ? -errno : 0;
  } else {
    res = rename(op.from.c_str(), op.to.c_str()) < 0 ? -errno : 0;
  }
  op.done(res);
}

void Send(TestEngine& e, int client, std::vector<std::string> cmd) {
  ArgList args;
  for (const auto& a : cmd) args.push_back(a);
  ClientState& c = e.client(client);
  e.shard(c.shard).Dispatch(c, args);
}

void Step(TestEngine& e) {
  std::vector<std::pair<int, TaskList>> batches;
  for (int s = 0; s < e.num_shards(); ++s)
    for (int t = 0; t < e.num_shards(); ++t) {
      TaskList l = e.shard(s).TakeOutbox(static_cast<uint16_t>(t));
      if (!l.empty()) batches.emplace_back(t, l);
    }
  for (auto& [t, l] : batches) e.shard(t).Receive(l.head);
}

std::vector<std::string> Replies(TestEngine& e, int client) {
  std::string out = e.TakeOutput(client);
  std::vector<std::string> replies;
  std::string_view buf = out;
  while (!buf.empty()) {
    RespValue v;
    size_t used = ParseReply(buf, &v);
    if (used == 0) throw std::runtime_error("incomplete reply: " + std::string(buf));
    replies.push_back(v.ToString());
    buf.remove_prefix(used);
  }
  return replies;
}

}  // namespace kevy::test
