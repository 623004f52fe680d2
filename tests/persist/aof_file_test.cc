// The AOF's file layer: manifest format and rules (Redis 7's), the frame reader with its
// torn-tail / bad-format distinction and MULTI/EXEC blocks, and a shard log's batches.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "persist/aof_log.h"
#include "persist/aof_manager.h"
#include "persist/aof_manifest.h"
#include "persist/aof_reader.h"

using namespace kevy;
using namespace kevy::aof;

namespace {

std::string Frames(const std::vector<std::vector<std::string_view>>& cmds) {
  std::string out;
  for (const auto& c : cmds) AppendFrame(&out, c);
  return out;
}

std::vector<std::vector<std::string>> ReadAll(std::string_view data, AofReader::Status* end) {
  AofReader r(data);
  std::vector<std::vector<std::string>> out;
  std::vector<std::vector<std::string_view>> block;
  for (;;) {
    auto st = r.Next(&block);
    if (st != AofReader::Status::kBlock) {
      *end = st;
      return out;
    }
    for (const auto& c : block) out.emplace_back(c.begin(), c.end());
  }
}

}  // namespace

TEST_CASE("aof manifest: Redis's text round-trips", "[aof]") {
  Manifest m;
  m.files.push_back({"appendonly.aof.3.incr.aof", 3, FileType::kIncr});
  m.files.push_back({"appendonly.aof.1.base.rdb", 1, FileType::kBase});
  m.files.push_back({"appendonly.aof.4.incr.aof", 4, FileType::kIncr});
  std::string text = m.Serialize();
  CHECK(text ==
        "file appendonly.aof.1.base.rdb seq 1 type b\n"
        "file appendonly.aof.3.incr.aof seq 3 type i\n"
        "file appendonly.aof.4.incr.aof seq 4 type i\n");
  auto back = Manifest::Parse(text);
  REQUIRE(back.ok());
  REQUIRE(back->base());
  CHECK(back->base()->name == "appendonly.aof.1.base.rdb");
  CHECK(back->incrs().size() == 2);
  CHECK(back->max_incr_seq() == 4);
  CHECK(BaseFileName("appendonly.aof", 2, true) == "appendonly.aof.2.base.rdb");
  CHECK(IncrFileName("appendonly.aof", 7) == "appendonly.aof.7.incr.aof");
  // A name with a space is quoted and read back.
  Manifest q;
  q.files.push_back({"my file.1.incr.aof", 1, FileType::kIncr});
  auto qb = Manifest::Parse(q.Serialize());
  REQUIRE(qb.ok());
  CHECK(qb->files[0].name == "my file.1.incr.aof");
}

TEST_CASE("aof manifest: Redis's rules and errors", "[aof]") {
  auto err = [](std::string_view text) {
    auto m = Manifest::Parse(text);
    return m.ok() ? std::string("ok") : std::string(m.status().message());
  };
  CHECK(err("") == "Found an empty AOF manifest");
  CHECK(err("# only a comment\n") == "Found an empty AOF manifest");
  CHECK(err("file a seq 1\n") == "Invalid AOF manifest file format");
  CHECK(err("file a seq x type i\n") == "Invalid AOF manifest file format");
  CHECK(err("file a seq 1 type z\n") == "Unknown AOF file type");
  CHECK(err("file a seq 1 type b\nfile b seq 2 type b\n") == "Found duplicate base file information");
  CHECK(err("file a seq 2 type i\nfile b seq 2 type i\n") == "Found a non-monotonic sequence number");
  CHECK(err("file a/b seq 1 type i\n") == "File can't be a path, just a filename");
  CHECK(err(std::string(1100, 'x')) == "The AOF manifest file contains too long line");
  // Unknown keys are ignored, as Redis does; comments and blank lines too.
  CHECK(err("# c\n\nfile a seq 1 type i extra 5\n") == "ok");
}

TEST_CASE("aof reader: commands, blocks, torn tails and damage", "[aof]") {
  std::string data = Frames({{"SELECT", "0"}, {"SET", "k", "v"}, {"MULTI"}, {"INCR", "n"},
                             {"INCR", "n"}, {"EXEC"}, {"DEL", "k"}});
  AofReader::Status end;
  auto cmds = ReadAll(data, &end);
  CHECK(end == AofReader::Status::kEnd);
  REQUIRE(cmds.size() == 5);  // MULTI/EXEC dropped, their commands delivered as one block
  CHECK(cmds[2] == std::vector<std::string>{"INCR", "n"});

  // Every cut inside the data: a torn tail, cut back to the last whole block; never damage.
  std::string clean = Frames({{"SET", "a", "1"}, {"SET", "b", "2"}});
  size_t first = Frames({{"SET", "a", "1"}}).size();
  for (size_t cut = 1; cut < clean.size(); ++cut) {
    AofReader r(std::string_view(clean).substr(0, cut));
    std::vector<std::vector<std::string_view>> block;
    AofReader::Status st;
    while ((st = r.Next(&block)) == AofReader::Status::kBlock) {
    }
    INFO("cut at " << cut);
    if (cut == first) {
      CHECK(st == AofReader::Status::kEnd);
    } else {
      CHECK(st == AofReader::Status::kTruncated);
      CHECK(r.valid_up_to() == (cut < first ? 0 : first));
    }
  }
  // A transaction without its EXEC is cut before MULTI.
  std::string open_tx = Frames({{"SET", "a", "1"}, {"MULTI"}, {"SET", "b", "2"}});
  {
    AofReader r(open_tx);
    std::vector<std::vector<std::string_view>> block;
    CHECK(r.Next(&block) == AofReader::Status::kBlock);
    CHECK(r.Next(&block) == AofReader::Status::kTruncated);
    CHECK(r.valid_up_to() == first);
  }
  // Garbage in the middle is damage, with its offset.
  std::string bad = clean;
  bad[first] = '?';
  {
    AofReader r(bad);
    std::vector<std::vector<std::string_view>> block;
    CHECK(r.Next(&block) == AofReader::Status::kBlock);
    CHECK(r.Next(&block) == AofReader::Status::kBadFormat);
    CHECK(r.offset() == first);
  }
  // A bulk whose CRLF is missing is damage, not a torn tail.
  std::string no_crlf = clean;
  no_crlf[first - 2] = 'x';
  {
    AofReader r(no_crlf);
    std::vector<std::vector<std::string_view>> block;
    CHECK(r.Next(&block) == AofReader::Status::kBadFormat);
  }
  CHECK(AofReader::IsRdb("REDIS0010..."));
  CHECK_FALSE(AofReader::IsRdb("*1\r\n"));
}

// A descriptor a ShardLog may own and close (nothing is written through it here).
static int NullFd() { return open("/dev/null", O_WRONLY | O_CLOEXEC); }

TEST_CASE("aof shard log: SELECT on db changes, batches keep their file", "[aof]") {
  ShardLog log;
  log.SwitchFile(NullFd(), "f1", 0);
  log.Append(0, {"SET", "a", "1"});
  log.Append(0, {"SET", "b", "2"});
  log.Append(3, {"DEL", "c"});
  REQUIRE(log.batches().size() == 1);
  AofReader::Status end;
  auto cmds = ReadAll(log.batches().front().data, &end);
  REQUIRE(cmds.size() == 5);
  CHECK(cmds[0] == std::vector<std::string>{"SELECT", "0"});
  CHECK(cmds[3] == std::vector<std::string>{"SELECT", "3"});
  CHECK(log.file_size() == log.batches().front().data.size());
  uint64_t first_id = log.latest_undurable();
  // Once submitted, appends go to a new batch at the next offset.
  log.batches().front().submitted = true;
  log.Append(3, {"SET", "x", "y"});
  REQUIRE(log.batches().size() == 2);
  CHECK(log.batches().back().offset == log.batches().front().data.size());
  CHECK(log.latest_undurable() == first_id + 1);
  log.CompleteFront();
  CHECK(log.durable_id() == first_id);
  // A switch starts the next batch in the new file at its offset, with a fresh SELECT.
  log.SwitchFile(NullFd(), "f2", 10);
  log.Append(3, {"SET", "z", "1"});
  CHECK(log.batches().back().offset == 10);
  auto after = ReadAll(log.batches().back().data, &end);
  CHECK(after[0] == std::vector<std::string>{"SELECT", "3"});
  // A transaction block is MULTI ... EXEC in one piece.
  ShardLog tx;
  tx.SwitchFile(NullFd(), "t", 0);
  tx.BeginBlock(1);
  tx.Append(1, {"INCR", "n"});
  tx.Append(1, {"INCR", "m"});
  tx.EndBlock();
  auto block = ReadAll(tx.batches().front().data, &end);
  REQUIRE(block.size() == 3);  // SELECT, then the block's two commands
  CHECK(block[1] == std::vector<std::string>{"INCR", "n"});
}

TEST_CASE("aof shard log: Close() stops appending; what was appended stays to be written", "[aof]") {
  ShardLog log;
  int fd = NullFd();
  log.SwitchFile(fd, "f1", 0);
  log.Append(0, {"SET", "a", "1"});
  log.batches().front().submitted = true;
  log.Close();  // appendonly no
  CHECK(log.closed());
  log.Append(0, {"SET", "b", "2"});
  log.BeginBlock(0);
  log.Append(0, {"INCR", "n"});
  log.EndBlock();
  REQUIRE(log.batches().size() == 1);  // nothing new after the close
  CHECK(log.batches().front().fd == fd);
  CHECK(log.retired_fds().empty());  // its batch is not written yet
  log.CompleteFront();
  REQUIRE(log.retired_fds().size() == 1);  // then the file is synced and closed
  CHECK(log.retired_fds()[0] == fd);
  // Turned on again: a new file, a fresh SELECT.
  log.SwitchFile(NullFd(), "f2", 0);
  log.Append(0, {"SET", "c", "3"});
  REQUIRE(log.batches().size() == 1);
  AofReader::Status end;
  auto cmds = ReadAll(log.batches().front().data, &end);
  REQUIRE(cmds.size() == 2);
  CHECK(cmds[0] == std::vector<std::string>{"SELECT", "0"});
  CHECK(cmds[1] == std::vector<std::string>{"SET", "c", "3"});
}

TEST_CASE("aof manager: pending incr files join the manifest only with a rewrite's base", "[aof]") {
  char tmpl[] = "/tmp/kevy-aofmgr-XXXXXX";
  REQUIRE(mkdtemp(tmpl) != nullptr);
  std::string dir = std::string(tmpl) + "/appendonlydir";
  auto exists = [&](const std::string& name) { return access((dir + "/" + name).c_str(), F_OK) == 0; };
  auto names = [](const Manifest& m) {
    std::vector<std::string> out;
    for (const auto& f : m.files) out.push_back(f.name);
    return out;
  };
  auto close_all = [](const std::vector<NewFile>& files) {
    for (const auto& f : files) close(f.fd);
  };
  auto write_base = [&](const std::string& name) {
    int fd = open((dir + "/" + name).c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    REQUIRE(fd >= 0);
    close(fd);
  };
  AofManager mgr(dir, "appendonly.aof");
  CHECK(absl::IsNotFound(mgr.Open()));
  CHECK(mgr.EnsureOpen().ok());
  // Logging as usual: the epoch's files are in the manifest on disk at once.
  auto first = mgr.NewEpoch(2, "");
  REQUIRE(first.ok());
  close_all(*first);
  CHECK(names(*ReadManifest(dir, mgr.manifest_name())) ==
        std::vector<std::string>{"appendonly.aof.1.incr.aof", "appendonly.aof.2.incr.aof"});

  // Turned off, then on: new files stay pending; the manifest on disk does not change.
  mgr.BeginPending();
  CHECK(mgr.pending());
  auto pending = mgr.NewEpoch(2, "");
  REQUIRE(pending.ok());
  close_all(*pending);
  CHECK((*pending)[0].seq == 3);
  CHECK(exists("appendonly.aof.3.incr.aof"));
  CHECK(names(*ReadManifest(dir, mgr.manifest_name())).size() == 2);
  // Turned off again before a base: the pending files go, the manifest stays.
  mgr.AbandonPending();
  CHECK_FALSE(mgr.pending());
  CHECK_FALSE(exists("appendonly.aof.3.incr.aof"));
  CHECK_FALSE(exists("appendonly.aof.4.incr.aof"));
  CHECK(names(*ReadManifest(dir, mgr.manifest_name())).size() == 2);

  // On again; a rewrite's base adopts the pending files from its cut; the rest is deleted.
  mgr.BeginPending();
  auto older = mgr.NewEpoch(1, "");  // e.g. a FLUSHALL before the rewrite's cut
  REQUIRE(older.ok());
  close_all(*older);
  auto cut = mgr.NewEpoch(2, "");
  REQUIRE(cut.ok());
  close_all(*cut);
  std::string base = mgr.NextBaseName(true);
  CHECK(base == "appendonly.aof.1.base.rdb");
  write_base(base);
  REQUIRE(mgr.FinishRewrite(base, (*cut)[0].seq).ok());
  CHECK_FALSE(mgr.pending());
  std::vector<std::string> want{base, (*cut)[0].name, (*cut)[1].name};
  CHECK(names(*ReadManifest(dir, mgr.manifest_name())) == want);
  CHECK_FALSE(exists("appendonly.aof.1.incr.aof"));
  CHECK_FALSE(exists((*older)[0].name));
  CHECK(exists((*cut)[1].name));

  // BGREWRITEAOF with appendonly no: the base alone.
  std::string base2 = mgr.NextBaseName(false);
  write_base(base2);
  REQUIRE(mgr.FinishRewrite(base2, AofManager::kNoIncr).ok());
  CHECK(names(*ReadManifest(dir, mgr.manifest_name())) == std::vector<std::string>{base2});
  CHECK_FALSE(exists(base));
  CHECK_FALSE(exists((*cut)[0].name));
  std::string rm = std::string("rm -rf ") + tmpl;
  CHECK(system(rm.c_str()) == 0);
}
