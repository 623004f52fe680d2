// OwnedArgs: a compact owned copy of a request's arguments (one buffer, one offset table),
// for commands that outlive the input buffer they were parsed from (sent to another shard).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "resp/parser.h"

namespace kevy {

class OwnedArgs {
 public:
  OwnedArgs() = default;
  explicit OwnedArgs(const ArgList& args) { Assign(args.views()); }
  explicit OwnedArgs(const std::vector<std::string_view>& args) { Assign(args); }

  void Assign(const std::vector<std::string_view>& args) {
    size_t total = 0;
    for (auto a : args) total += a.size();
    buf_.clear();
    buf_.reserve(total);
    ends_.clear();
    ends_.reserve(args.size());
    for (auto a : args) {
      buf_.append(a);
      ends_.push_back(static_cast<uint32_t>(buf_.size()));
    }
  }
  size_t size() const { return ends_.size(); }
  std::string_view operator[](size_t i) const {
    uint32_t begin = i ? ends_[i - 1] : 0;
    return std::string_view(buf_.data() + begin, ends_[i] - begin);
  }
  // Fills `out` with views into this object.
  void View(ArgList* out) const {
    out->clear();
    for (size_t i = 0; i < size(); ++i) out->push_back((*this)[i]);
  }

 private:
  std::string buf_;
  std::vector<uint32_t> ends_;
};

}  // namespace kevy
