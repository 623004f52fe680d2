#include "persist/aof_log.h"

#include <unistd.h>

#include <algorithm>

#include "persist/aof_reader.h"

namespace kevy::aof {

ShardLog::~ShardLog() {
  if (fd_ >= 0) close(fd_);
  for (int fd : old_fds_) close(fd);
  for (int fd : retired_) close(fd);
}

std::string& ShardLog::OpenBatch() {
  if (batches_.empty() || batches_.back().submitted || batches_.back().file_gen != file_gen_) {
    Batch b;
    b.fd = fd_;
    b.file_gen = file_gen_;
    b.offset = offset_;
    b.id = next_id_++;
    batches_.push_back(std::move(b));
  }
  return batches_.back().data;
}

void ShardLog::AppendSelect(std::string& out, int db) {
  if (db == selected_db_) return;
  std::string n = std::to_string(db);
  AppendFrame(&out, {"SELECT", n});
  selected_db_ = db;
}

void ShardLog::Append(int db, const std::vector<std::string_view>& args) {
  if (fd_ < 0) return;  // closed: appendonly was turned off
  std::string& out = OpenBatch();
  size_t before = out.size();
  if (!in_block_) AppendSelect(out, db);
  AppendFrame(&out, args);
  offset_ += out.size() - before;
  appended_bytes_ += out.size() - before;
}

void ShardLog::Append(int db, std::initializer_list<std::string_view> args) {
  Append(db, std::vector<std::string_view>(args));
}

void ShardLog::BeginBlock(int db) {
  if (fd_ < 0) return;
  std::string& out = OpenBatch();
  size_t before = out.size();
  AppendSelect(out, db);
  AppendFrame(&out, {"MULTI"});
  offset_ += out.size() - before;
  appended_bytes_ += out.size() - before;
  in_block_ = true;
}

void ShardLog::EndBlock() {
  if (fd_ < 0) return;
  std::string& out = OpenBatch();
  size_t before = out.size();
  AppendFrame(&out, {"EXEC"});
  offset_ += out.size() - before;
  appended_bytes_ += out.size() - before;
  in_block_ = false;
}

void ShardLog::SwitchFile(int fd, std::string name, uint64_t size) {
  if (fd_ >= 0) {
    bool referenced = std::any_of(batches_.begin(), batches_.end(),
                                  [&](const Batch& b) { return b.fd == fd_; });
    (referenced ? old_fds_ : retired_).push_back(fd_);
  }
  fd_ = fd;
  ++file_gen_;
  file_name_ = std::move(name);
  offset_ = size;
  selected_db_ = -1;
}

void ShardLog::CompleteFront() {
  int fd = batches_.front().fd;
  durable_id_ = batches_.front().id;
  batches_.pop_front();
  auto it = std::find(old_fds_.begin(), old_fds_.end(), fd);
  if (it != old_fds_.end() && std::none_of(batches_.begin(), batches_.end(),
                                           [&](const Batch& b) { return b.fd == fd; })) {
    old_fds_.erase(it);
    retired_.push_back(fd);
  }
}

}  // namespace kevy::aof
