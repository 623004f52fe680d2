#include "engine/snapshot.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "engine/db.h"
#include "engine/log.h"
#include "engine/shard.h"
#include "persist/aof_manifest.h"
#include "persist/aof_reader.h"
#include "persist/aof_rewrite.h"

namespace kevy {

namespace {

constexpr size_t kChunkBytes = 256 * 1024;
constexpr char kOpSelectDb = static_cast<char>(0xFE);

// A chunk on its way to the coordinator, and its acknowledgement on the way back.
class ChunkTask final : public Task {
 public:
  ChunkTask(std::shared_ptr<ShardSnapshot> snap, std::string data, bool last)
      : snap_(std::move(snap)), data_(std::move(data)), last_(last) {}
  void RunOnTarget(Shard& coordinator) override {
    SnapshotJob& job = *snap_->job();
    if (!job.failed) job.Write(data_);
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
    writer.Begin(aux);
    Write("");
  }
  return !failed;
}

void SnapshotJob::Write(std::string_view data) {
  if (failed) return;
  std::string out;
  if (format == SnapshotFormat::kRdb) {
    if (!data.empty()) writer.AppendEncoded(data);
    writer.Drain(&out);
    data = out;
  }
  if (!WriteAll(fd, data, bytes)) {
    Fail(std::string("Write error saving DB on disk: ") + strerror(errno));
    return;
  }
  bytes += data.size();
}

void SnapshotJob::Fail(const std::string& why) {
  if (failed) return;
  failed = true;
  error = why;
}

void SnapshotJob::Finish(Shard& coordinator) {
  if (!failed && format == SnapshotFormat::kRdb) {
    writer.Finish();
    Write("");
  }
  if (!failed && fdatasync(fd) < 0) Fail(std::string("fsync error: ") + strerror(errno));
  if (fd >= 0) close(fd);
  fd = -1;
  if (!failed && rename(tmp_path.c_str(), final_path.c_str()) < 0)
    Fail("Error moving temp DB file " + tmp_path + " on the final destination " + final_path +
         ": " + strerror(errno));
  if (!failed) {
    auto st = aof::SyncDir(DirOf(final_path));
    if (!st.ok()) Fail(std::string(st.message()));
  }
  if (failed) unlink(tmp_path.c_str());
  if (on_done) on_done(coordinator, !failed, error);
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
  if (job_->format == SnapshotFormat::kRdb) {
    RdbAppendEntry(e.key, e.value, e.expire_at_ms, job_->rdb, &buf_);
  } else {
    aof::EmitValue(e.key, e.value, e.expire_at_ms, /*replace=*/false,
                   [&](const std::vector<std::string_view>& args) { aof::AppendFrame(&buf_, args); });
  }
}

void ShardSnapshot::Ship(bool last) {
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

}  // namespace kevy
