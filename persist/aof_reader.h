// AofReader: the commands of one AOF file (RESP arrays of bulk strings), read as Redis's
// loadSingleAppendOnlyFile reads them -- including MULTI ... EXEC blocks, which come out whole
// (a transaction cut by the end of the file is not applied, as Redis does).
//
// The caller tells the two kinds of damage apart by the status:
//   kTruncated  the file ends inside a command or a transaction (a crash mid-append):
//               valid_up_to() is where to cut it (aof-load-truncated yes);
//   kBadFormat  bytes that are no command at offset() (damage in the middle): refuse to load.
// An RDB-format file (Redis's RDB preamble, "REDIS" magic) is not read here: IsRdb() tells.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace kevy::aof {

class AofReader {
 public:
  enum class Status { kBlock, kEnd, kTruncated, kBadFormat };

  explicit AofReader(std::string_view data) : data_(data) {}

  static bool IsRdb(std::string_view data) { return data.substr(0, 5) == "REDIS"; }

  // The next command -- or, for MULTI ... EXEC, the block's commands without MULTI/EXEC --
  // into `cmds` (views into the file's bytes). kEnd at a clean end of file.
  Status Next(std::vector<std::vector<std::string_view>>* cmds);

  // Offset just past the last block returned (where an error was found, after kBadFormat).
  uint64_t offset() const { return offset_; }
  // Where the file may be cut to drop a torn tail: the end of the last whole block.
  uint64_t valid_up_to() const { return valid_up_to_; }
  const std::string& error() const { return error_; }

 private:
  // Parses one command at pos_. kBlock on success.
  Status ParseCommand(std::vector<std::string_view>* args);
  bool ReadLine(std::string_view* line);  // false: no CRLF before the end of the data

  std::string_view data_;
  size_t pos_ = 0;
  uint64_t offset_ = 0;
  uint64_t valid_up_to_ = 0;
  std::string error_;
};

// One command as an AOF frame: *<n>\r\n$<len>\r\n<arg>\r\n...
void AppendFrame(std::string* out, const std::vector<std::string_view>& args);

}  // namespace kevy::aof
