#include "engine/snapshot.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "engine/db.h"
#include "engine/log.h"
#include "engine/server_state.h"
#include "engine/shard.h"
#include "persist/aof_manifest.h"
#include "persist/aof_reader.h"
#include "persist/aof_rewrite.h"

namespace kevy {

namespace {

constexpr size_t kChunkBytes = 256 * 1024;
constexpr char kOpSelectDb = static_cast<char>(0xFE);

// A chunk on its way to the coordinator, and its acknowledgement on the way back -- which
// leaves only once the chunk's bytes are written (the coordinator keeps the task meanwhile).
class ChunkTask final : public Task {
 public:
  ChunkTask(std::shared_ptr<ShardSnapshot> snap, std::string data, bool last)
      : snap_(std::move(snap)), data_(std::move(data)), last_(last) {}
  void RunOnTarget(Shard& coordinator) override {
    SnapshotJob& job = *snap_->job();
    kept = job.Write(coordinator, std::move(data_), this);
    std::string().swap(data_);
    if (last_ && ++job.shards_done == job.nshards) job.Finish(coordinator);
  }
  void CompleteOnOrigin(Shard& s) override {
    snap_->ChunkAcked();
    s.SnapshotAcked();
  }

 private:
  std::shared_ptr<ShardSnapshot> snap_;
  std::string data_;
  bool last_;
};

// For SaveSnapshotSync, which runs with no loop.
bool WriteAll(int fd, std::string_view data, uint64_t offset) {
  while (!data.empty()) {
    ssize_t w = pwrite(fd, data.data(), data.size(), static_cast<off_t>(offset));
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    data.remove_prefix(static_cast<size_t>(w));
    offset += static_cast<uint64_t>(w);
  }
  return true;
}

std::string DirOf(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

}  // namespace

// --- SnapshotJob (coordinator) ---------------------------------------------------------------

SnapshotJob::~SnapshotJob() {
  // Abandoned before it finished (the server stopped mid-job): no temp file stays behind.
  if (dir_fd_ >= 0) close(dir_fd_);
  if (fd >= 0) {
    close(fd);
    unlink(tmp_path.c_str());
  }
}

bool SnapshotJob::Open() {
  fd = open(tmp_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    Fail(std::string("Failed opening the temp file ") + tmp_path + ": " + strerror(errno));
    return false;
  }
  if (format == SnapshotFormat::kRdb) {
    writer = RdbWriter(rdb);
    RdbAux aux;
    aux.aof_base = kind == Kind::kRewrite;
    writer.Begin(aux);  // drained with the first chunk
  }
  return true;
}

bool SnapshotJob::Write(Shard& c, std::string data, Task* ack) {
  if (failed || stage_ != Stage::kWriting) return false;
  std::string out;
  if (format == SnapshotFormat::kRdb) {
    if (!data.empty()) writer.AppendEncoded(data);
    std::string().swap(data);
    writer.Drain(&out);
  } else {
    out = std::move(data);
  }
  if (out.empty()) return false;
  PendingWrite& w = writes_.emplace_back();
  w.data = std::move(out);
  w.offset = bytes;
  w.ack = ack;
  bytes += w.data.size();
  SubmitWrite(c, &w);
  return ack != nullptr;
}

void SnapshotJob::SubmitWrite(Shard& c, PendingWrite* w) {
  ++io_in_flight_;
  c.net()->SubmitFileWrite(
      fd, w->data.data() + w->written, w->data.size() - w->written, w->offset + w->written,
      [self = shared_from_this(), &c, w](int res) { self->OnWritten(c, w, res); });
}

void SnapshotJob::OnWritten(Shard& c, PendingWrite* w, int res) {
  --io_in_flight_;
  if (res == -EINTR || res == -EAGAIN) res = 0;  // nothing written: try again
  if (res < 0) {
    Fail(std::string("Write error saving DB on disk: ") + strerror(-res));
  } else {
    w->written += static_cast<size_t>(res);
    if (w->written < w->data.size() && !failed) {  // short write (a filling disk): the rest
      w->stalls = res == 0 ? w->stalls + 1 : 0;
      if (w->stalls > 16) {
        Fail("Write error saving DB on disk: no progress writing the file");
      } else {
        SubmitWrite(c, w);
        return;
      }
    }
  }
  Task* ack = w->ack;
  for (auto it = writes_.begin(); it != writes_.end(); ++it)
    if (&*it == w) {
      writes_.erase(it);
      break;
    }
  if (ack) c.ReturnTask(ack);
  Advance(c);
}

void SnapshotJob::Fail(const std::string& why) {
  if (failed) return;
  failed = true;
  error = why;
}

void SnapshotJob::Finish(Shard& c) {
  finishing_ = true;
  if (!failed && format == SnapshotFormat::kRdb) {
    writer.Finish();
    Write(c, std::string(), nullptr);
  }
  Advance(c);
}

void SnapshotJob::Advance(Shard& c) {
  if (!finishing_ || io_in_flight_ > 0 || stage_ == Stage::kDone) return;
  if (failed) return Done(c);
  auto self = shared_from_this();
  switch (stage_) {
    case Stage::kWriting:
      stage_ = Stage::kSyncing;
      ++io_in_flight_;
      c.net()->SubmitFileSync(fd, /*datasync=*/true, [self, &c](int res) {
        --self->io_in_flight_;
        if (res < 0) self->Fail(std::string("fsync error: ") + strerror(-res));
        self->Advance(c);
      });
      return;
    case Stage::kSyncing:
      close(fd);
      fd = -1;
      stage_ = Stage::kRenaming;
      ++io_in_flight_;
      c.net()->SubmitRename(tmp_path.c_str(), final_path.c_str(), [self, &c](int res) {
        --self->io_in_flight_;
        if (res < 0)
          self->Fail("Error moving temp DB file " + self->tmp_path + " on the final destination " +
                     self->final_path + ": " + strerror(-res));
        self->Advance(c);
      });
      return;
    case Stage::kRenaming: {
      stage_ = Stage::kSyncingDir;
      std::string dir = DirOf(final_path);
      dir_fd_ = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (dir_fd_ < 0) {
        Fail("Can't open directory " + dir + ": " + strerror(errno));
        return Done(c);
      }
      ++io_in_flight_;
      c.net()->SubmitFileSync(dir_fd_, /*datasync=*/false, [self, &c, dir](int res) {
        --self->io_in_flight_;
        close(self->dir_fd_);
        self->dir_fd_ = -1;
        if (res < 0) self->Fail("Can't fsync directory " + dir + ": " + strerror(-res));
        self->Advance(c);
      });
      return;
    }
    case Stage::kSyncingDir:
      return Done(c);
    case Stage::kDone:
      return;
  }
}

void SnapshotJob::Done(Shard& c) {
  stage_ = Stage::kDone;
  if (fd >= 0) close(fd);
  fd = -1;
  if (failed) unlink(tmp_path.c_str());
  if (on_done) on_done(c, !failed, error);
}

// --- ShardSnapshot ---------------------------------------------------------------------------

ShardSnapshot::ShardSnapshot(Shard& shard, std::shared_ptr<SnapshotJob> job)
    : shard_(shard), job_(std::move(job)) {}

void ShardSnapshot::MarkNew(Entry* e) const { e->snap_epoch = job_->epoch; }

void ShardSnapshot::Cover(Db& db, Entry* e) {
  if (e->snap_epoch == job_->epoch) return;
  e->snap_epoch = job_->epoch;
  Emit(db.index(), *e);
}

void ShardSnapshot::CoverAll(Db& db) {
  db.ForEach([&](Entry* e) { Cover(db, e); });
}

void ShardSnapshot::Emit(int db_index, const Entry& e) {
  if (db_index != last_db_) {  // every chunk starts with its database: chunks interleave
    if (job_->format == SnapshotFormat::kRdb) {
      buf_.push_back(kOpSelectDb);
      RdbAppendLength(static_cast<uint64_t>(db_index), &buf_);
    } else {
      std::string n = std::to_string(db_index);
      aof::AppendFrame(&buf_, {"SELECT", n});
    }
    last_db_ = db_index;
  }
  ++emitted_;
  if (job_->format == SnapshotFormat::kRdb) {
    RdbAppendEntry(e.key, e.value, e.expire_at_ms, job_->rdb, &buf_);
  } else {
    aof::EmitValue(e.key, e.value, e.expire_at_ms, /*replace=*/false,
                   [&](const std::vector<std::string_view>& args) { aof::AppendFrame(&buf_, args); });
  }
}

void ShardSnapshot::Ship(bool last) {
  shard_.server().persist.save_keys_processed.fetch_add(emitted_, std::memory_order_relaxed);
  emitted_ = 0;
  auto* t = new ChunkTask(shared_from_this(), std::move(buf_), last);
  buf_.clear();
  last_db_ = -1;
  ++in_flight_;
  if (last) finished_ = true;
  t->origin = shard_.id();
  t->target = job_->coordinator;
  shard_.Post(t);
}

bool ShardSnapshot::Step(size_t budget) {
  if (finished_) return false;
  if (in_flight_ >= 2) return false;
  size_t start = buf_.size();
  while (!scan_done_ && buf_.size() - start < budget) {
    if (db_ >= shard_.num_dbs()) {
      scan_done_ = true;
      break;
    }
    Db& d = shard_.db(db_);
    if (d.size() == 0) {
      ++db_;
      cursor_ = 0;
      continue;
    }
    cursor_ = d.Scan(cursor_, [&](Entry* e) { Cover(d, e); });
    if (cursor_ == 0) ++db_;
  }
  if (scan_done_)
    Ship(true);
  else if (buf_.size() >= kChunkBytes)
    Ship(false);
  return true;
}


absl::Status SaveSnapshotSync(ServerState& st, const std::string& path) {
  std::string tmp = "temp-" + std::to_string(getpid()) + "-shutdown.rdb";
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    return absl::InternalError(std::string("Failed opening the temp RDB file ") + tmp + ": " +
                               strerror(errno));
  RdbWriter w(RdbOptions::FromConfig(st.config));
  w.Begin(RdbAux{});
  uint64_t off = 0;
  std::string out;
  bool ok = true;
  auto drain = [&](bool force) {
    if (!ok || (!force && w.pending() < (1u << 20))) return;
    out.clear();
    w.Drain(&out);
    ok = WriteAll(fd, out, off);
    off += out.size();
  };
  int ndbs = st.shards.empty() ? 0 : st.shards[0]->num_dbs();
  for (int db = 0; db < ndbs && ok; ++db) {
    uint64_t keys = 0, expires = 0;
    for (Shard* s : st.shards) {
      keys += s->db(db).size();
      expires += s->db(db).expires();
    }
    if (keys == 0) continue;
    w.SelectDb(db, keys, expires);
    for (Shard* s : st.shards) {
      s->db(db).ForEach([&](Entry* e) {
        w.WriteEntry(e->key, e->value, e->expire_at_ms);
        drain(false);
      });
    }
  }
  w.Finish();
  drain(true);
  if (ok && fdatasync(fd) < 0) ok = false;
  close(fd);
  if (ok && rename(tmp.c_str(), path.c_str()) < 0) ok = false;
  if (!ok) {
    std::string why = strerror(errno);
    unlink(tmp.c_str());
    return absl::InternalError("Error saving DB on disk: " + why);
  }
  (void)aof::SyncDir(DirOf(path));
  return absl::OkStatus();
}

}  // namespace kevy
