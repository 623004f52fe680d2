// The multi-part AOF's manifest, in Redis 7's format (appendonlydir/<appendfilename>.manifest):
//
//   file appendonly.aof.1.base.rdb seq 1 type b
//   file appendonly.aof.1.incr.aof seq 1 type i
//   file appendonly.aof.2.incr.aof seq 2 type i
//
// One base file (an RDB or an AOF, optional), history files (type h, waiting for deletion)
// and incr files replayed in manifest order. Incr sequence numbers are strictly increasing
// in that order (Redis refuses the manifest otherwise). kevy gives each shard its own incr
// file; a shard's files replay in order, and all files written before a global operation
// (FLUSHALL, SWAPDB, a rewrite) precede every file written after it -- see
// docs/persistence.md.
#pragma once

#include <absl/status/statusor.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace kevy::aof {

enum class FileType : char { kBase = 'b', kHistory = 'h', kIncr = 'i' };

struct FileInfo {
  std::string name;
  int64_t seq = 0;
  FileType type = FileType::kIncr;
};

struct Manifest {
  // Base first (if any), then history, then incr files, as Serialize() writes them.
  std::vector<FileInfo> files;

  const FileInfo* base() const;
  std::vector<const FileInfo*> incrs() const;
  // The highest incr / base sequence number (0 when none).
  int64_t max_incr_seq() const;
  int64_t base_seq() const;

  // Redis's manifest text.
  std::string Serialize() const;
  // Parses a manifest with Redis's rules and error texts ("Invalid AOF manifest file
  // format", "Found duplicate base file information", "Found a non-monotonic sequence
  // number", "Found an empty AOF manifest", ...).
  static absl::StatusOr<Manifest> Parse(std::string_view text);
};

// File names as Redis makes them from appendfilename (e.g. "appendonly.aof").
std::string BaseFileName(std::string_view prefix, int64_t seq, bool rdb);
std::string IncrFileName(std::string_view prefix, int64_t seq);
std::string ManifestFileName(std::string_view prefix);

// Reads dir/name; NotFound when absent.
absl::StatusOr<Manifest> ReadManifest(const std::string& dir, const std::string& name);
// Replaces dir/name atomically and durably: writes a temp file, fsyncs it, renames it over
// the manifest, fsyncs the directory.
absl::Status WriteManifest(const std::string& dir, const std::string& name, const Manifest& m);
// fsyncs a directory (after creating or renaming files in it).
absl::Status SyncDir(const std::string& dir);

}  // namespace kevy::aof
