#include "persist/aof_manager.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <algorithm>
#include <cstdlib>

#include <absl/status/status.h>

namespace kevy::aof {

AofManager::AofManager(std::string dir, std::string prefix)
    : dir_(std::move(dir)), prefix_(std::move(prefix)) {}

absl::Status AofManager::Open() {
  if (mkdir(dir_.c_str(), 0755) < 0 && errno != EEXIST)
    return absl::InternalError("Can't create the append-only directory " + dir_ + ": " +
                               strerror(errno));
  auto m = ReadManifest(dir_, manifest_name());
  std::lock_guard<std::mutex> lock(mu_);
  if (absl::IsNotFound(m.status())) opened_ = true;  // no AOF yet: an empty manifest
  if (!m.ok()) return m.status();
  opened_ = true;
  manifest_ = std::move(*m);
  uint64_t total = SizeOfListed();
  epoch_start_size_.store(total, std::memory_order_relaxed);
  rewrite_base_size_.store(total, std::memory_order_relaxed);
  return absl::OkStatus();
}

absl::Status AofManager::EnsureOpen() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (opened_) return absl::OkStatus();
  }
  absl::Status st = Open();
  return absl::IsNotFound(st) ? absl::OkStatus() : st;
}

void AofManager::BeginPending() {
  std::lock_guard<std::mutex> lock(mu_);
  pending_mode_ = true;
}

bool AofManager::pending() const {
  std::lock_guard<std::mutex> lock(mu_);
  return pending_mode_;
}

void AofManager::AbandonPending() {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& f : pending_) unlink(PathOf(f.name).c_str());
  pending_.clear();
  pending_mode_ = false;
}

std::string AofManager::NextBaseName(bool rdb) const {
  std::lock_guard<std::mutex> lock(mu_);
  return BaseFileName(prefix_, manifest_.base_seq() + 1, rdb);
}

uint64_t AofManager::CurrentSize() {
  std::lock_guard<std::mutex> lock(mu_);
  return SizeOfListed();
}

namespace {

// Test hook for the crash matrix: KEVY_TEST_PAUSE=<point>:<ms> sleeps at that point of a
// rewrite's manifest switch (and says so on stderr), so a test can kill -9 the server there.
void PauseForTest(std::string_view point) {
  static const char* spec = getenv("KEVY_TEST_PAUSE");
  if (!spec) return;
  std::string_view s(spec);
  size_t colon = s.find(':');
  if (colon == std::string_view::npos || s.substr(0, colon) != point) return;
  int ms = atoi(spec + colon + 1);
  fprintf(stderr, "KEVY_TEST_PAUSE at %.*s for %d ms\n", static_cast<int>(point.size()),
          point.data(), ms);
  fflush(stderr);
  usleep(static_cast<useconds_t>(ms) * 1000);
}

}  // namespace

absl::Status AofManager::FinishRewrite(const std::string& base_name, int64_t first_incr_seq) {
  // The new base is in place (renamed, fsynced) but the manifest still names the old files.
  PauseForTest("before-manifest");
  std::lock_guard<std::mutex> lock(mu_);
  Manifest next;
  std::vector<std::string> obsolete;
  int64_t seq = manifest_.base_seq() + 1;
  next.files.push_back({base_name, seq, FileType::kBase});
  for (const auto* list : {&manifest_.files, &pending_}) {
    for (const auto& f : *list) {
      if (f.type == FileType::kIncr && f.seq >= first_incr_seq)
        next.files.push_back(f);
      else
        obsolete.push_back(f.name);
    }
  }
  absl::Status st = WriteManifest(dir_, manifest_name(), next);
  if (!st.ok()) return st;
  manifest_ = std::move(next);
  pending_.clear();
  pending_mode_ = false;
  // The manifest names the new base; the old files are still there.
  PauseForTest("after-manifest");
  for (const auto& name : obsolete) unlink(PathOf(name).c_str());
  uint64_t total = SizeOfListed();
  epoch_start_size_.store(total, std::memory_order_relaxed);
  rewrite_base_size_.store(total, std::memory_order_relaxed);
  return absl::OkStatus();
}

Manifest AofManager::manifest() const {
  std::lock_guard<std::mutex> lock(mu_);
  return manifest_;
}

uint64_t AofManager::SizeOfListed() {
  uint64_t total = 0;
  base_size_.store(0, std::memory_order_relaxed);
  for (const auto& f : manifest_.files) {
    if (f.type == FileType::kHistory) continue;
    struct stat st;
    if (stat(PathOf(f.name).c_str(), &st) == 0) {
      total += static_cast<uint64_t>(st.st_size);
      if (f.type == FileType::kBase) base_size_.store(static_cast<uint64_t>(st.st_size));
    }
  }
  return total;
}

absl::StatusOr<std::vector<NewFile>> AofManager::NewEpoch(int n, const std::string& prelude) {
  std::lock_guard<std::mutex> lock(mu_);
  Manifest next = manifest_;
  int64_t seq = next.max_incr_seq();
  for (const auto& f : pending_) seq = std::max(seq, f.seq);
  std::vector<NewFile> files;
  auto fail = [&](const std::string& what, const std::string& path) {
    std::string msg = what + " " + path + ": " + strerror(errno);
    for (auto& f : files) {
      close(f.fd);
      unlink(PathOf(f.name).c_str());
    }
    return absl::InternalError(msg);
  };
  for (int i = 0; i < n; ++i) {
    NewFile f;
    f.seq = ++seq;
    f.name = IncrFileName(prefix_, f.seq);
    std::string path = PathOf(f.name);
    f.fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (f.fd < 0) return fail("Can't open the append-only file", path);
    files.push_back(f);
    if (i == 0 && !prelude.empty()) {
      size_t off = 0;
      while (off < prelude.size()) {
        ssize_t w = pwrite(f.fd, prelude.data() + off, prelude.size() - off,
                           static_cast<off_t>(off));
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return fail("Can't write the append-only file", path);
        off += static_cast<size_t>(w);
      }
      if (fdatasync(f.fd) < 0) return fail("Can't fsync the append-only file", path);
      files.back().size = prelude.size();
    }
    next.files.push_back({f.name, f.seq, FileType::kIncr});
  }
  if (pending_mode_) {  // no base for them yet: the manifest on disk stays as it is
    for (const auto& f : files) pending_.push_back({f.name, f.seq, FileType::kIncr});
    return files;
  }
  absl::Status st = WriteManifest(dir_, manifest_name(), next);
  if (!st.ok()) {
    for (auto& f : files) {
      close(f.fd);
      unlink(PathOf(f.name).c_str());
    }
    return st;
  }
  manifest_ = std::move(next);
  epoch_start_size_.store(SizeOfListed(), std::memory_order_relaxed);
  return files;
}

}  // namespace kevy::aof
