#include "persist/aof_manifest.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <absl/status/status.h>

#include "engine/util.h"

namespace kevy::aof {

namespace {

absl::Status Errno(std::string_view what, const std::string& path) {
  return absl::InternalError(std::string(what) + " " + path + ": " + strerror(errno));
}

bool NeedsQuoting(std::string_view s) {
  for (char c : s)
    if (c == ' ' || c == '"' || c == '\'' || c == '\\' || !isprint(static_cast<unsigned char>(c)))
      return true;
  return s.empty();
}

}  // namespace

const FileInfo* Manifest::base() const {
  for (const auto& f : files)
    if (f.type == FileType::kBase) return &f;
  return nullptr;
}

std::vector<const FileInfo*> Manifest::incrs() const {
  std::vector<const FileInfo*> v;
  for (const auto& f : files)
    if (f.type == FileType::kIncr) v.push_back(&f);
  return v;
}

int64_t Manifest::max_incr_seq() const {
  int64_t m = 0;
  for (const auto& f : files)
    if (f.type == FileType::kIncr && f.seq > m) m = f.seq;
  return m;
}

int64_t Manifest::base_seq() const {
  const FileInfo* b = base();
  return b ? b->seq : 0;
}

std::string Manifest::Serialize() const {
  std::string out;
  auto emit = [&](FileType t) {
    for (const auto& f : files) {
      if (f.type != t) continue;
      out += "file ";
      out += NeedsQuoting(f.name) ? Repr(f.name) : f.name;
      out += " seq ";
      out += std::to_string(f.seq);
      out += " type ";
      out += static_cast<char>(f.type);
      out += '\n';
    }
  };
  emit(FileType::kBase);
  emit(FileType::kHistory);
  emit(FileType::kIncr);
  return out;
}

absl::StatusOr<Manifest> Manifest::Parse(std::string_view text) {
  Manifest m;
  int64_t max_incr = 0;
  bool base_seen = false;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    std::string_view line = text.substr(pos, nl == std::string_view::npos ? text.npos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    if (line.size() > 1024)
      return absl::InvalidArgumentError("The AOF manifest file contains too long line");
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t'))
      line.remove_suffix(1);
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    if (line.empty() || line[0] == '#') continue;
    auto argv = SplitArgs(line);
    if (!argv || argv->size() < 6 || argv->size() % 2)
      return absl::InvalidArgumentError("Invalid AOF manifest file format");
    FileInfo fi;
    bool has_type = false, has_seq = false;
    for (size_t i = 0; i < argv->size(); i += 2) {
      const std::string& k = (*argv)[i];
      const std::string& v = (*argv)[i + 1];
      if (EqualsNoCase(k, "file")) {
        fi.name = v;
      } else if (EqualsNoCase(k, "seq")) {
        if (!ParseInt64(v, &fi.seq)) return absl::InvalidArgumentError("Invalid AOF manifest file format");
        has_seq = true;
      } else if (EqualsNoCase(k, "type")) {
        if (v.size() != 1 || (v[0] != 'b' && v[0] != 'h' && v[0] != 'i'))
          return absl::InvalidArgumentError("Unknown AOF file type");
        fi.type = static_cast<FileType>(v[0]);
        has_type = true;
      }
      // Other keys are ignored, as Redis does (room for later fields).
    }
    if (fi.name.empty() || !has_type || !has_seq)
      return absl::InvalidArgumentError("Invalid AOF manifest file format");
    if (fi.name.find('/') != std::string::npos)
      return absl::InvalidArgumentError("File can't be a path, just a filename");
    if (fi.type == FileType::kBase) {
      if (base_seen) return absl::InvalidArgumentError("Found duplicate base file information");
      base_seen = true;
    } else if (fi.type == FileType::kIncr) {
      if (fi.seq <= max_incr)
        return absl::InvalidArgumentError("Found a non-monotonic sequence number");
      max_incr = fi.seq;
    }
    m.files.push_back(std::move(fi));
  }
  if (m.files.empty()) return absl::InvalidArgumentError("Found an empty AOF manifest");
  return m;
}

std::string BaseFileName(std::string_view prefix, int64_t seq, bool rdb) {
  return std::string(prefix) + "." + std::to_string(seq) + ".base" + (rdb ? ".rdb" : ".aof");
}

std::string IncrFileName(std::string_view prefix, int64_t seq) {
  return std::string(prefix) + "." + std::to_string(seq) + ".incr.aof";
}

std::string ManifestFileName(std::string_view prefix) { return std::string(prefix) + ".manifest"; }

absl::StatusOr<Manifest> ReadManifest(const std::string& dir, const std::string& name) {
  std::string path = dir + "/" + name;
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return absl::NotFoundError(path);
    return Errno("Can't open the AOF manifest", path);
  }
  std::string text;
  char buf[4096];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n < 0) {
      if (errno == EINTR) continue;
      close(fd);
      return Errno("Can't read the AOF manifest", path);
    }
    if (n == 0) break;
    text.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  return Manifest::Parse(text);
}

absl::Status SyncDir(const std::string& dir) {
  int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Errno("Can't open directory", dir);
  int r = fsync(fd);
  close(fd);
  if (r < 0) return Errno("Can't fsync directory", dir);
  return absl::OkStatus();
}

absl::Status WriteManifest(const std::string& dir, const std::string& name, const Manifest& m) {
  std::string tmp = dir + "/temp-" + name;
  std::string path = dir + "/" + name;
  std::string text = m.Serialize();
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Errno("Can't open the AOF manifest", tmp);
  size_t off = 0;
  while (off < text.size()) {
    ssize_t n = write(fd, text.data() + off, text.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      auto st = Errno("Can't write the AOF manifest", tmp);
      close(fd);
      unlink(tmp.c_str());
      return st;
    }
    off += static_cast<size_t>(n);
  }
  if (fsync(fd) < 0) {
    auto st = Errno("Can't fsync the AOF manifest", tmp);
    close(fd);
    unlink(tmp.c_str());
    return st;
  }
  close(fd);
  if (rename(tmp.c_str(), path.c_str()) < 0) {
    auto st = Errno("Can't rename the AOF manifest", tmp);
    unlink(tmp.c_str());
    return st;
  }
  return SyncDir(dir);
}

}  // namespace kevy::aof
