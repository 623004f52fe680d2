// RESP request parser: RESP2 multibulk ("*N\r\n$len\r\n...") and inline requests.
//
// The parser is stateless between calls: ParseRequest() looks at the bytes of one request
// that start at `input[0]` and either returns the whole request, says how many more bytes it
// needs at least, or reports a protocol error with Redis's text. A caller that receives
// bytes in arbitrary splits keeps the unconsumed tail and calls again when more arrives;
// only the (short) headers are re-scanned, never a bulk payload. Arguments that arrived
// whole are string_views into `input` (no copy); inline arguments with quotes or escapes
// are unescaped into the ArgList's own storage.
//
// Acceptance and error texts follow Redis 7.0's processMultibulkBuffer() and
// processInlineBuffer() (see resp/parser.cc for the few deliberate differences).
#pragma once

#include <cstddef>
#include <cstdint>
#include <forward_list>
#include <string>
#include <string_view>
#include <vector>

namespace kevy {

// The arguments of one request. Views point either into the caller's input buffer or into
// storage owned by this list (inline requests that needed unescaping, push_back_owned());
// they are valid until the next ParseRequest()/clear() on this list or until the input
// buffer changes. Moving an ArgList keeps every view valid; a copy shares the views, so its
// owned ones still point into the original's storage and must not outlive it.
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
    if (!storage_.empty()) storage_.clear();
    // A huge quoted inline line must not pin its unescape buffer for the connection's life.
    if (scratch_.capacity() > kScratchKeep) std::vector<char>().swap(scratch_);
  }
  void reserve(size_t n) { args_.reserve(n); }
  void push_back(std::string_view v) { args_.push_back(v); }
  // Copies `v` into storage owned by this list and appends a view of the copy.
  void push_back_owned(std::string v);

  // For the parser: a buffer of at least `n` bytes owned by this list, for unescaped inline
  // arguments. Must be requested before any view into it is taken in the current request;
  // its contents stay put until the next call or clear().
  char* ScratchBuffer(size_t n) {
    if (scratch_.size() < n) scratch_.resize(n);
    return scratch_.data();
  }

 private:
  static constexpr size_t kScratchKeep = 64 * 1024;
  std::vector<std::string_view> args_;
  // Node-based, so a string (even one held in its small-string buffer) never moves once
  // stored; unlike std::deque it does not allocate when default-constructed, which matters
  // because ArgLists are built on hot paths (e.g. for every command run on another shard).
  std::forward_list<std::string> storage_;
  // Heap-only (no small-buffer storage), so moving the list keeps views into it valid.
  std::vector<char> scratch_;
};

struct ParserLimits {
  int64_t max_bulk_len = 512LL * 1024 * 1024;  // proto-max-bulk-len
  // Largest accepted *N. Redis 7 accepts up to INT_MAX (6.x used 1024*1024); the client
  // query buffer limit is what bounds memory in practice.
  int64_t max_multibulk_len = 2147483647;
  size_t max_inline_len = 64 * 1024;  // PROTO_INLINE_MAX_SIZE, also bounds header lines
  // Set while the connection still has to AUTH (requirepass / ACL): Redis 7 then refuses
  // *N above 10 and bulks above 16384 bytes, so an unauthenticated client cannot make the
  // server buffer much.
  bool auth_required = false;
  int64_t unauth_max_multibulk_len = 10;
  int64_t unauth_max_bulk_len = 16384;
};

enum class ParseStatus : uint8_t {
  kOk,          // a whole request was parsed; `consumed` bytes belong to it
  kIncomplete,  // need more bytes; `need` is a lower bound on the total request size
  kError,       // protocol error; `error` holds Redis's text, the connection must close
};

struct ParseResult {
  ParseStatus status = ParseStatus::kIncomplete;
  size_t consumed = 0;  // kOk: bytes of input the request used
  // kIncomplete: total bytes (from input[0]) known to be needed, 0 if unknown. Known once
  // a bulk header was read: for "*2\r\n$3\r\nSET\r\n$20971520\r\n<partial>", need is the
  // offset of the 20 MB payload + 20971520 + 2, so the caller can size its buffer at once.
  size_t need = 0;
  // kError: full error line without "-" and CRLF, e.g.
  // "ERR Protocol error: invalid multibulk length". Points to static storage.
  std::string_view error;
};

// Parses one request at the start of `input` into `args` (cleared first). An empty inline
// line (just "\r\n", or only blanks) and "*0\r\n" / "*-1\r\n" parse as kOk with empty
// `args`: the caller skips them, as Redis does. Thread-compatible; no allocation beyond
// `args`' vector growth (reuse the ArgList across requests).
ParseResult ParseRequest(std::string_view input, const ParserLimits& limits, ArgList* args);

}  // namespace kevy
