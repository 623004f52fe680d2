// RESP request parser: RESP2 multibulk ("*N\r\n$len\r\n...") and inline requests.
//
// The parser is stateless between calls: Parse() looks at the bytes of one request that
// start at `input[0]` and either returns the whole request, says how many more bytes it
// needs at least, or reports a protocol error with Redis's text. A caller that receives
// bytes in arbitrary splits keeps the unconsumed tail and calls again when more arrives;
// only the (short) headers are re-scanned, never a bulk payload. Arguments that arrived
// whole are string_views into `input` (no copy); inline arguments with escapes or quotes
// are unescaped into the ArgList's own storage.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace kevy {

// The arguments of one request. Views point either into the caller's input buffer or into
// `storage_` (inline requests that needed unescaping); they are valid until the next
// Parse() into this ArgList or until the input buffer changes.
class ArgList {
 public:
  size_t size() const { return args_.size(); }
  bool empty() const { return args_.empty(); }
  std::string_view operator[](size_t i) const { return args_[i]; }
  const std::vector<std::string_view>& views() const { return args_; }
  auto begin() const { return args_.begin(); }
  auto end() const { return args_.end(); }

  void clear() {
    args_.clear();
    storage_.clear();
  }
  void push_back(std::string_view v) { args_.push_back(v); }
  // Copies `v` into storage owned by this list and appends a view of the copy.
  void push_back_owned(std::string v);

 private:
  std::vector<std::string_view> args_;
  std::vector<std::string> storage_;  // stable addresses: strings are moved, never resized
};

struct ParserLimits {
  int64_t max_bulk_len = 512LL * 1024 * 1024;  // proto-max-bulk-len
  int64_t max_multibulk_len = 1024 * 1024;     // Redis's fixed limit on *N
  size_t max_inline_len = 64 * 1024;           // PROTO_INLINE_MAX_SIZE
};

enum class ParseStatus : uint8_t {
  kOk,          // a whole request was parsed; `consumed` bytes belong to it
  kIncomplete,  // need more bytes; `need` is a lower bound on the total request size
  kError,       // protocol error; `error` holds Redis's text, the connection must close
};

struct ParseResult {
  ParseStatus status = ParseStatus::kIncomplete;
  size_t consumed = 0;     // kOk: bytes of input the request used
  size_t need = 0;         // kIncomplete: total bytes (from input[0]) known to be needed, 0 if unknown
  std::string_view error;  // kError: full error line without "-" and CRLF, e.g.
                           // "ERR Protocol error: invalid multibulk length"
};

// Parses one request at the start of `input` into `args` (cleared first). An empty inline
// line (just "\r\n") and "*0\r\n" / "*-1\r\n" parse as kOk with empty `args`: the caller
// skips them, as Redis does. Thread-compatible; no allocation for multibulk requests
// beyond `args`' vector growth.
ParseResult ParseRequest(std::string_view input, const ParserLimits& limits, ArgList* args);

}  // namespace kevy
