// Fork-less snapshots (engine/snapshot.h) and their file I/O: the coordinator's writes, fsync,
// rename and directory fsync go through NetHooks (the loop's ring in the server; here the test
// engine's queue, held so the test completes each op itself). Checks that nothing is written
// behind the loop's back, that a chunk is acknowledged only once written (memory stays bounded),
// that the job finishes -- INFO, SAVE's reply -- only after the last completion, and that short
// writes continue and errors fail the job with Redis's texts.
#include <catch2/catch.hpp>

#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <map>
#include <string>
#include <vector>

#include "persist/rdb.h"
#include "tests/support/test_engine.h"

namespace kevy::test {
namespace {

using FileOp = TestEngine::FileOp;

// Runs a test in a fresh temp directory: the snapshot files go to the working directory.
class TempCwd {
 public:
  TempCwd() {
    char buf[4096];
    if (!getcwd(buf, sizeof(buf))) throw std::runtime_error("getcwd");
    old_ = buf;
    char tmpl[] = "/tmp/kevy-snapshot-test-XXXXXX";
    if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp");
    dir_ = tmpl;
    if (chdir(dir_.c_str()) != 0) throw std::runtime_error("chdir");
  }
  ~TempCwd() {
    if (chdir(old_.c_str()) != 0) return;
    std::string cmd = "rm -rf '" + dir_ + "'";
    if (system(cmd.c_str()) != 0) return;
  }
  // Names of the files in the directory.
  std::vector<std::string> Files() const {
    std::vector<std::string> out;
    std::string cmd = "ls -1 '" + dir_ + "'";
    FILE* p = popen(cmd.c_str(), "r");
    char line[1024];
    while (p && fgets(line, sizeof(line), p)) {
      std::string s = line;
      if (!s.empty() && s.back() == '\n') s.pop_back();
      out.push_back(s);
    }
    if (p) pclose(p);
    return out;
  }

 private:
  std::string old_, dir_;
};

bool Exists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

// Total size of the temp files of a save in progress (temp-<pid>-<epoch>.rdb).
int64_t TempBytes(const TempCwd& cwd) {
  int64_t total = 0;
  for (const std::string& f : cwd.Files()) {
    if (f.rfind("temp-", 0) != 0) continue;
    struct stat st;
    if (stat(f.c_str(), &st) == 0) total += st.st_size;
  }
  return total;
}

std::map<std::string, std::string> Info(TestEngine& e) {
  std::map<std::string, std::string> out;
  std::string body = e.Run({"INFO", "persistence"}).str;
  size_t pos = 0;
  while (pos < body.size()) {
    size_t end = body.find("\r\n", pos);
    if (end == std::string::npos) end = body.size();
    std::string line = body.substr(pos, end - pos);
    size_t colon = line.find(':');
    if (colon != std::string::npos) out[line.substr(0, colon)] = line.substr(colon + 1);
    pos = end + 2;
  }
  return out;
}

// `n` string keys k0..k(n-1) with ~`size`-byte values, spread over every shard.
std::map<std::string, std::string> Fill(TestEngine& e, int n, size_t size) {
  std::map<std::string, std::string> want;
  std::vector<std::vector<std::string>> cmds;
  for (int i = 0; i < n; ++i) {
    std::string k = "k" + std::to_string(i);
    std::string v = std::to_string(i) + std::string(size, static_cast<char>('a' + i % 26));
    want[k] = v;
    cmds.push_back({"SET", k, v});
    if (cmds.size() == 500) {
      e.Pipeline(cmds);
      cmds.clear();
    }
  }
  if (!cmds.empty()) e.Pipeline(cmds);
  return want;
}

std::map<std::string, std::string> LoadRdb(const std::string& path) {
  std::map<std::string, std::string> got;
  RdbLoader loader{RdbOptions{}};
  absl::Status st = loader.LoadFile(path, [&](RdbLoadedKey&& k) -> absl::Status {
    got[k.key] = k.value.str;
    return absl::OkStatus();
  });
  REQUIRE(st.ok());
  return got;
}

size_t CountKind(const TestEngine& e, FileOp::Kind kind) {
  size_t n = 0;
  for (const FileOp& op : e.pending_io()) n += op.kind == kind;
  return n;
}

// Steps the snapshots until they make no more progress without I/O completions.
void StepUntilStalled(TestEngine& e) {
  size_t before = SIZE_MAX;
  for (int i = 0; i < 1000 && e.pending_io().size() != before; ++i) {
    before = e.pending_io().size();
    for (int j = 0; j < 20; ++j) e.StepSnapshots();
  }
}

// Completes ops (stepping the snapshots between them) until the front op is not a write.
void CompleteWrites(TestEngine& e) {
  for (int i = 0; i < 100000; ++i) {
    StepUntilStalled(e);
    if (e.pending_io().empty() || e.pending_io().front().kind != FileOp::kWrite) return;
    e.CompleteIo(0);
    e.Pump();
  }
  FAIL("the writes never ended");
}

// Runs whatever job is in progress to its end, performing its I/O.
void RunToEnd(TestEngine& e) {
  e.HoldIo(false);
  for (int i = 0; i < 100000 && (e.StepSnapshots() || !e.pending_io().empty()); ++i) {
  }
  e.Pump();
}

}  // namespace

TEST_CASE("BGSAVE writes through the loop's file I/O and finishes after its completions",
          "[snapshot]") {
  TempCwd cwd;
  TestEngine e(2, {"--save", "", "--rdbcompression", "no"});
  // ~3 MB: several 256 KiB chunks per shard.
  auto want = Fill(e, 3000, 1000);
  e.HoldIo(true);
  REQUIRE(S(e.Run({"BGSAVE"})) == "Background saving started");
  StepUntilStalled(e);

  // Writes are submitted, none performed behind the loop's back; each shard has at most two
  // chunks unacknowledged, so the scan waits for the disk instead of piling chunks up.
  REQUIRE(!e.pending_io().empty());
  CHECK(CountKind(e, FileOp::kWrite) == e.pending_io().size());
  CHECK(e.pending_io().size() <= 2u * static_cast<size_t>(e.num_shards()));
  CHECK(TempBytes(cwd) == 0);
  size_t held = e.pending_io().size();
  for (int i = 0; i < 50; ++i) e.StepSnapshots();
  CHECK(e.pending_io().size() == held);
  CHECK(Info(e)["rdb_bgsave_in_progress"] == "1");

  // Positioned writes: each at the end of the one before, from the start of the file.
  uint64_t first = UINT64_MAX;
  for (const FileOp& op : e.pending_io()) first = std::min(first, op.offset);
  CHECK(first == 0);

  CompleteWrites(e);
  // Every byte written; then fdatasync of the file, alone.
  REQUIRE(e.pending_io().size() == 1);
  CHECK(e.pending_io().front().kind == FileOp::kSync);
  CHECK(e.pending_io().front().datasync);
  CHECK(TempBytes(cwd) > 3000 * 1000);
  CHECK(!Exists("dump.rdb"));
  CHECK(Info(e)["rdb_bgsave_in_progress"] == "1");

  e.CompleteIo(0);
  e.Pump();
  REQUIRE(e.pending_io().size() == 1);
  CHECK(e.pending_io().front().kind == FileOp::kRename);
  CHECK(e.pending_io().front().to == "dump.rdb");
  CHECK(e.pending_io().front().from.rfind("temp-", 0) == 0);
  CHECK(!Exists("dump.rdb"));
  CHECK(Info(e)["rdb_bgsave_in_progress"] == "1");

  e.CompleteIo(0);
  e.Pump();
  REQUIRE(e.pending_io().size() == 1);
  CHECK(e.pending_io().front().kind == FileOp::kSync);  // the directory's
  CHECK(!e.pending_io().front().datasync);
  CHECK(Exists("dump.rdb"));
  CHECK(Info(e)["rdb_bgsave_in_progress"] == "1");

  e.CompleteIo(0);
  e.Pump();
  CHECK(e.pending_io().empty());
  auto info = Info(e);
  CHECK(info["rdb_bgsave_in_progress"] == "0");
  CHECK(info["rdb_last_bgsave_status"] == "ok");
  CHECK(info["rdb_changes_since_last_save"] == "0");
  CHECK(cwd.Files() == std::vector<std::string>{"dump.rdb"});
  CHECK(LoadRdb("dump.rdb") == want);
}

TEST_CASE("SAVE replies only once the file is in place and durable", "[snapshot]") {
  TempCwd cwd;
  TestEngine e(2, {"--save", ""});
  auto want = Fill(e, 2000, 300);
  e.HoldIo(true);
  Send(e, 0, {"SAVE"});
  e.Pump();
  int ops = 0;
  for (;;) {
    StepUntilStalled(e);
    if (e.pending_io().empty()) break;
    CHECK(Replies(e, 0).empty());
    e.CompleteIo(0);
    e.Pump();
    ++ops;
  }
  CHECK(ops >= 4);  // writes, fsync, rename, fsync of the directory
  CHECK(Replies(e, 0) == std::vector<std::string>{"OK"});
  CHECK(LoadRdb("dump.rdb") == want);
  CHECK(S(e.Run({"DBSIZE"})) == Int(2000));
}

TEST_CASE("a short snapshot write continues with the rest", "[snapshot]") {
  TempCwd cwd;
  TestEngine e(2, {"--save", ""});
  auto want = Fill(e, 1500, 500);
  e.HoldIo(true);
  REQUIRE(S(e.Run({"BGSAVE"})) == "Background saving started");
  StepUntilStalled(e);
  REQUIRE(!e.pending_io().empty());
  FileOp front = e.pending_io().front();
  REQUIRE(front.kind == FileOp::kWrite);
  REQUIRE(front.len > 10);
  size_t half = front.len / 2;
  e.CompleteIo(0, static_cast<int>(half));
  e.Pump();
  // The rest of that buffer, at the offset right after what was written.
  const FileOp& rest = e.pending_io().back();
  CHECK(rest.kind == FileOp::kWrite);
  CHECK(rest.fd == front.fd);
  CHECK(rest.offset == front.offset + half);
  CHECK(rest.len == front.len - half);
  CHECK(rest.data == front.data + half);
  RunToEnd(e);
  CHECK(Info(e)["rdb_last_bgsave_status"] == "ok");
  CHECK(LoadRdb("dump.rdb") == want);
}

TEST_CASE("a failed snapshot write fails the job with Redis's text", "[snapshot]") {
  TempCwd cwd;
  // Save points configured: a failed BGSAVE denies writes (stop-writes-on-bgsave-error yes).
  TestEngine e(2, {"--save", "3600", "1"});
  Fill(e, 1500, 500);

  SECTION("BGSAVE: status err, no temp file, MISCONF") {
    e.HoldIo(true);
    REQUIRE(S(e.Run({"BGSAVE"})) == "Background saving started");
    StepUntilStalled(e);
    REQUIRE(e.pending_io().size() >= 2);
    e.CompleteIo(0, -ENOSPC);
    e.Pump();
    // Writes already in flight finish before the job gives up and removes its temp file.
    CHECK(Info(e)["rdb_bgsave_in_progress"] == "1");
    RunToEnd(e);
    auto info = Info(e);
    CHECK(info["rdb_bgsave_in_progress"] == "0");
    CHECK(info["rdb_last_bgsave_status"] == "err");
    CHECK(cwd.Files().empty());
    e.Cron();
    CHECK(S(e.Run({"SET", "x", "1"})).rfind("(error) MISCONF Redis is configured to save RDB", 0) ==
          0);
  }
  SECTION("the error text") {
    e.HoldIo(true);
    Send(e, 0, {"DEBUG", "RELOAD"});
    e.Pump();
    StepUntilStalled(e);
    REQUIRE(!e.pending_io().empty());
    e.CompleteIo(0, -ENOSPC);
    e.Pump();
    RunToEnd(e);
    CHECK(Replies(e, 0) ==
          std::vector<std::string>{
              "(error) ERR Write error saving DB on disk: No space left on device"});
    CHECK(cwd.Files().empty());
  }
  SECTION("fsync") {
    e.HoldIo(true);
    Send(e, 0, {"DEBUG", "RELOAD"});
    e.Pump();
    CompleteWrites(e);
    REQUIRE(e.pending_io().size() == 1);
    REQUIRE(e.pending_io().front().kind == FileOp::kSync);
    e.CompleteIo(0, -EIO);
    e.Pump();
    CHECK(Replies(e, 0) == std::vector<std::string>{"(error) ERR fsync error: Input/output error"});
    CHECK(cwd.Files().empty());
  }
}

}  // namespace kevy::test
