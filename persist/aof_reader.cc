#include "persist/aof_reader.h"

#include "engine/util.h"

namespace kevy::aof {

bool AofReader::ReadLine(std::string_view* line) {
  size_t nl = data_.find("\r\n", pos_);
  if (nl == std::string_view::npos) return false;
  *line = data_.substr(pos_, nl - pos_);
  pos_ = nl + 2;
  return true;
}

AofReader::Status AofReader::ParseCommand(std::vector<std::string_view>* args) {
  args->clear();
  std::string_view line;
  size_t start = pos_;
  if (!ReadLine(&line)) {
    // Redis reads a line at a time: a line without its end is a short read, unless what is
    // there already is not the start of a command.
    if (data_[pos_] != '*') {
      error_ = "Bad file format reading the append only file";
      offset_ = start;
      return Status::kBadFormat;
    }
    return Status::kTruncated;
  }
  int64_t argc = 0;
  if (line.empty() || line[0] != '*' || !ParseInt64(line.substr(1), &argc) || argc < 1 ||
      argc > (int64_t{1} << 31)) {
    error_ = "Bad file format reading the append only file";
    offset_ = start;
    return Status::kBadFormat;
  }
  for (int64_t i = 0; i < argc; ++i) {
    size_t arg_start = pos_;
    if (pos_ >= data_.size()) return Status::kTruncated;
    if (!ReadLine(&line)) {
      if (data_[pos_] != '$') {
        error_ = "Bad file format reading the append only file";
        offset_ = arg_start;
        return Status::kBadFormat;
      }
      return Status::kTruncated;
    }
    int64_t len = 0;
    if (line.empty() || line[0] != '$' || !ParseInt64(line.substr(1), &len) || len < 0) {
      error_ = "Bad file format reading the append only file";
      offset_ = arg_start;
      return Status::kBadFormat;
    }
    if (static_cast<uint64_t>(len) + 2 > data_.size() - pos_) return Status::kTruncated;
    if (data_[pos_ + len] != '\r' || data_[pos_ + len + 1] != '\n') {
      error_ = "Bad file format reading the append only file";
      offset_ = pos_ + len;
      return Status::kBadFormat;
    }
    args->push_back(data_.substr(pos_, static_cast<size_t>(len)));
    pos_ += static_cast<size_t>(len) + 2;
  }
  return Status::kBlock;
}

AofReader::Status AofReader::Next(std::vector<std::vector<std::string_view>>* cmds) {
  cmds->clear();
  bool in_multi = false;
  std::vector<std::string_view> args;
  for (;;) {
    if (pos_ >= data_.size()) {
      if (in_multi) return Status::kTruncated;  // a transaction without its EXEC
      return Status::kEnd;
    }
    Status st = ParseCommand(&args);
    if (st != Status::kBlock) return st;
    if (EqualsNoCase(args[0], "multi") && args.size() == 1) {
      if (in_multi) {
        error_ = "Bad file format reading the append only file (nested MULTI)";
        offset_ = pos_;
        return Status::kBadFormat;
      }
      in_multi = true;
      continue;
    }
    if (in_multi && EqualsNoCase(args[0], "exec") && args.size() == 1) {
      offset_ = valid_up_to_ = pos_;
      if (cmds->empty()) continue;  // an empty transaction: nothing to apply
      return Status::kBlock;
    }
    cmds->push_back(args);
    if (!in_multi) {
      offset_ = valid_up_to_ = pos_;
      return Status::kBlock;
    }
  }
}

void AppendFrame(std::string* out, const std::vector<std::string_view>& args) {
  char num[24];
  out->push_back('*');
  out->append(num, static_cast<size_t>(FormatInt64(static_cast<int64_t>(args.size()), num)));
  out->append("\r\n");
  for (std::string_view a : args) {
    out->push_back('$');
    out->append(num, static_cast<size_t>(FormatInt64(static_cast<int64_t>(a.size()), num)));
    out->append("\r\n");
    out->append(a);
    out->append("\r\n");
  }
}

}  // namespace kevy::aof
