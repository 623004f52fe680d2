#include "persist/loader.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "engine/local_driver.h"
#include "engine/log.h"
#include "engine/shard.h"
#include "persist/aof_reader.h"
#include "persist/load_sink.h"
#include "persist/rdb.h"

namespace kevy {

namespace {

// A read-only mapping of a whole file.
class MappedFile {
 public:
  ~MappedFile() {
    if (data_ && size_) munmap(const_cast<char*>(data_), size_);
  }
  absl::Status Open(const std::string& path) {
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
      return absl::NotFoundError("Can't open the append-only file " + path + ": " + strerror(errno));
    struct stat st;
    if (fstat(fd, &st) < 0) {
      close(fd);
      return absl::InternalError("Can't stat " + path + ": " + strerror(errno));
    }
    size_ = static_cast<size_t>(st.st_size);
    if (size_ > 0) {
      void* p = mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
      if (p == MAP_FAILED) {
        close(fd);
        return absl::InternalError("Can't map " + path + ": " + strerror(errno));
      }
      madvise(p, size_, MADV_SEQUENTIAL);
      data_ = static_cast<const char*>(p);
    }
    close(fd);
    return absl::OkStatus();
  }
  std::string_view view() const { return {data_ ? data_ : "", size_}; }

 private:
  const char* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace

namespace {

absl::Status LoadRdbHere(ServerState& st, std::string_view data, const std::string& name,
                         bool drop_expired, LoadReport* report, size_t* consumed, int workers) {
  RdbLoader loader(RdbOptions::FromConfig(st.config));
  const int64_t now = Shard::WallMs();
  const int ndbs = st.shards[0]->num_dbs();
  // Decoding here, inserting in the sink: pipelined, and on worker threads when there are
  // CPUs for them (persist/load_sink.h).
  LoadSink sink(st.shards, st.slots, now,
                workers >= 0 ? workers : LoadSink::DefaultWorkers(st.shards.size()));
  loader.set_on_resize([&](int db, uint64_t keys, uint64_t) {
    if (db >= 0 && db < ndbs) sink.Reserve(db, keys);  // RESIZEDB: no rehash while loading
  });
  absl::Status s = loader.LoadBuffer(
      data,
      [&](RdbLoadedKey&& k) -> absl::Status {
        if (k.db < 0 || k.db >= ndbs)
          return absl::OutOfRangeError(
              "FATAL: Data file was created with a Redis server configured to handle more than " +
              std::to_string(ndbs) + " databases. Exiting");
        // A master drops keys that expired while the file sat on disk (not in a preamble:
        // the AOF's own commands may still refer to them).
        if (drop_expired && k.expire_ms >= 0 && k.expire_ms < now) return absl::OkStatus();
        if (!sink.Add(std::move(k))) return absl::CancelledError();  // Finish() says why
        return absl::OkStatus();
      },
      consumed);
  // A key handed over earlier that failed (a duplicate) comes first in the file.
  absl::Status inserted = sink.Finish();
  report->keys_loaded += sink.keys_loaded();
  if (!inserted.ok()) s = inserted;
  if (!s.ok())
    return absl::DataLossError("Error loading " + name + ": " + std::string(s.message()));
  return absl::OkStatus();
}

}  // namespace

absl::Status LoadRdbBuffer(ServerState& st, std::string_view data, const std::string& name,
                           bool drop_expired, LoadReport* report, size_t* consumed,
                           int workers) {
  // On a thread of its own, so that what the load allocates comes from a malloc arena that
  // can have huge pages (persist/load_sink.cc; the main thread's arena cannot).
  absl::Status s;
  std::thread t([&] {
    pthread_setname_np(pthread_self(), "kevy-load");
    s = LoadRdbHere(st, data, name, drop_expired, report, consumed, workers);
  });
  t.join();
  return s;
}

absl::Status ReplayAofFile(ServerState& st, const std::string& path, const std::string& name,
                           LoadReport* report) {
  MappedFile file;
  if (auto s = file.Open(path); !s.ok()) return s;
  std::string_view data = file.view();
  size_t rdb_bytes = 0;
  if (aof::AofReader::IsRdb(data)) {
    // A base in RDB format (aof-use-rdb-preamble yes), possibly followed by commands.
    absl::Status s = LoadRdbBuffer(st, data, name, /*drop_expired=*/false, report, &rdb_bytes);
    if (!s.ok()) return s;
    data.remove_prefix(rdb_bytes);
  }
  Shard& s0 = *st.shards[0];
  ClientState loader;
  loader.id = 0;
  loader.shard = 0;
  loader.flags = kClientNoPropagate;
  loader.authenticated = true;
  loader.name = "aof-loader";
  aof::AofReader reader(data);
  std::vector<std::vector<std::string_view>> block;
  ArgList args;
  uint64_t n = 0;
  auto settle = [&](bool) {
    // Deliver every queued cross-shard task: afterwards no barrier is pending and every reply
    // of the loader is in (replies are dropped, as Redis's loader drops its fake client's).
    PumpShards(st.shards);
    loader.out.clear();
    loader.dirty = false;
    for (Shard* s : st.shards) s->dirty().clear();
  };
  for (;;) {
    auto status = reader.Next(&block);
    if (status == aof::AofReader::Status::kEnd) break;
    if (status == aof::AofReader::Status::kBadFormat) {
      settle(true);
      return absl::DataLossError("Bad file format reading the append only file " + name +
                                 " at offset " + std::to_string(rdb_bytes + reader.offset()) +
                                 ": make a backup of your AOF file, then use ./redis-check-aof "
                                 "--fix <filename.manifest>");
    }
    if (status == aof::AofReader::Status::kTruncated) {
      settle(true);
      if (st.config.GetValueOr("aof-load-truncated") != "yes")
        return absl::DataLossError(
            "Unexpected end of file reading the append only file " + name +
            ". You can: 1) Make a backup of your AOF file, then use ./redis-check-aof --fix "
            "<filename.manifest>. 2) Alternatively you can set the 'aof-load-truncated' "
            "configuration option to yes and restart the server.");
      Log(LogLevel::kWarning, "!!! Warning: short read while loading the AOF file %s!!!", name);
      Log(LogLevel::kWarning, "!!! Truncating the AOF %s at offset %llu !!!", name,
          static_cast<unsigned long long>(rdb_bytes + reader.valid_up_to()));
      if (truncate(path.c_str(), static_cast<off_t>(rdb_bytes + reader.valid_up_to())) < 0)
        return absl::InternalError("Error truncating the AOF file " + name + ": " +
                                   strerror(errno));
      Log(LogLevel::kWarning, "AOF %s loaded anyway because aof-load-truncated is enabled", name);
      ++report->truncated_files;
      break;
    }
    for (const auto& cmd : block) {
      if (!st.commands.Find(cmd[0])) {
        settle(true);
        return absl::DataLossError("Unknown command '" + std::string(cmd[0].substr(0, 128)) +
                                   "' reading the append only file " + name);
      }
      args.clear();
      for (std::string_view a : cmd) args.push_back(a);
      s0.Dispatch(loader, args);
      ++report->commands_replayed;
      if (loader.barrier || loader.inflight > 256 || (++n & 1023) == 0) settle(false);
    }
  }
  settle(true);
  return absl::OkStatus();
}

absl::Status StartAofLogging(ServerState& st) {
  aof::AofManager& mgr = st.AofDir();
  auto files = mgr.NewEpoch(static_cast<int>(st.shards.size()), "");
  if (!files.ok()) return files.status();
  for (size_t i = 0; i < st.shards.size(); ++i)
    st.shards[i]->LogTo((*files)[i].fd, (*files)[i].name, (*files)[i].size);
  st.aof.store(&mgr);
  return absl::OkStatus();
}

absl::Status LoadAtStartup(ServerState& st, LoadReport* report) {
  auto t0 = std::chrono::steady_clock::now();
  int64_t now = Shard::WallMs();
  for (Shard* s : st.shards) s->set_now_ms(now);
  if (st.config.GetValueOr("appendonly") == "yes") {
    aof::AofManager& mgr = st.AofDir();
    absl::Status open = mgr.Open();
    if (open.ok()) {
      aof::Manifest m = mgr.manifest();
      if (const aof::FileInfo* base = m.base()) {
        auto s = ReplayAofFile(st, mgr.PathOf(base->name), base->name, report);
        if (!s.ok()) return s;
        Log(LogLevel::kNotice, "DB loaded from base file %s", base->name);
      }
      for (const aof::FileInfo* f : m.incrs()) {
        auto s = ReplayAofFile(st, mgr.PathOf(f->name), f->name, report);
        if (!s.ok()) return s;
        Log(LogLevel::kNotice, "DB loaded from incr file %s", f->name);
      }
      report->seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      Log(LogLevel::kNotice, "DB loaded from append only file: %.3f seconds", report->seconds);
    } else if (!absl::IsNotFound(open)) {
      return open;
    }
    return StartAofLogging(st);
  }
  // appendonly no: dump.rdb, if there is one.
  std::string rdb = st.config.GetValueOr("dbfilename");
  MappedFile file;
  if (!file.Open(rdb).ok()) return absl::OkStatus();  // no file: an empty dataset
  absl::Status s = LoadRdbBuffer(st, file.view(), rdb, /*drop_expired=*/true, report, nullptr);
  if (!s.ok()) return s;
  report->seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  Log(LogLevel::kNotice, "DB loaded from disk: %.3f seconds", report->seconds);
  return absl::OkStatus();
}

}  // namespace kevy
