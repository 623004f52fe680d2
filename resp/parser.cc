// RESP request parser (see parser.h for the contract).
//
// Acceptance rules, limits and error texts are those of Redis 7.0's processMultibulkBuffer()
// and processInlineBuffer()/sdssplitargs(), including their quirks a client could observe:
//  - a header line ends at the first '\r' and needs one more byte, which is not checked to
//    be '\n'; the two bytes after a bulk payload are skipped unchecked;
//  - numbers follow string2ll(): no '+', no leading zeros, no "-0", at most 20 characters;
//  - "*<n>" with n <= 0 is an empty request; errors on a line are reported only once the
//    whole line has arrived.
// Deliberate differences: Redis finds line ends with strchr(), so a NUL byte in a header or
// inline line makes it wait for more data until the 64 KB limit; here lines are found with
// memchr() and such requests fail (headers) or end at the NUL (inline, as sdssplitargs()
// ends the line there) at once.
//
// The hot path is a multibulk request with short headers: each header is parsed in one
// pass over its digits, falling back to the exact Redis-rules path for anything unusual.
#include "resp/parser.h"

#include <array>
#include <cstring>

#include "resp/errors.h"

namespace kevy {

void ArgList::push_back_owned(std::string v) {
  storage_.push_front(std::move(v));
  args_.push_back(storage_.front());
}

namespace {

// "ERR Protocol error: expected '$', got 'X'" for every byte X, built at compile time so the
// error view can point to static storage. CR and LF print as spaces, as Redis maps them.
constexpr std::string_view kExpectedDollarPrefix = "ERR Protocol error: expected '$', got '";
constexpr size_t kExpectedDollarLen = kExpectedDollarPrefix.size() + 2;

constexpr std::array<std::array<char, kExpectedDollarLen>, 256> MakeExpectedDollarTable() {
  std::array<std::array<char, kExpectedDollarLen>, 256> t{};
  for (int c = 0; c < 256; ++c) {
    for (size_t i = 0; i < kExpectedDollarPrefix.size(); ++i) t[c][i] = kExpectedDollarPrefix[i];
    char ch = static_cast<char>(c);
    t[c][kExpectedDollarPrefix.size()] = (ch == '\r' || ch == '\n') ? ' ' : ch;
    t[c][kExpectedDollarPrefix.size() + 1] = '\'';
  }
  return t;
}
constexpr auto kExpectedDollar = MakeExpectedDollarTable();

std::string_view ExpectedDollarError(char got) {
  return std::string_view(kExpectedDollar[static_cast<unsigned char>(got)].data(),
                          kExpectedDollarLen);
}

ParseResult Error(std::string_view text) {
  ParseResult r;
  r.status = ParseStatus::kError;
  r.error = text;
  return r;
}

ParseResult Incomplete(size_t need) {
  ParseResult r;
  r.status = ParseStatus::kIncomplete;
  r.need = need;
  return r;
}

ParseResult Ok(size_t consumed) {
  ParseResult r;
  r.status = ParseStatus::kOk;
  r.consumed = consumed;
  return r;
}

// Redis's string2ll(): optional '-', then "0" alone or a digit 1-9 followed by digits; the
// whole text is at most 20 characters and the value fits in int64_t.
bool StrictToInt64(const char* p, size_t n, int64_t* out) {
  if (n == 0 || n >= 21) return false;
  bool neg = false;
  if (*p == '-') {
    neg = true;
    ++p;
    --n;
    if (n == 0) return false;
  }
  if (*p == '0') {
    if (n == 1 && !neg) {
      *out = 0;
      return true;
    }
    return false;
  }
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) {
    unsigned d = static_cast<unsigned char>(p[i]) - '0';
    if (d > 9) return false;
    if (__builtin_mul_overflow(v, 10u, &v) || __builtin_add_overflow(v, d, &v)) return false;
  }
  if (neg) {
    if (v > (uint64_t{1} << 63)) return false;
    *out = static_cast<int64_t>(0 - v);
  } else {
    if (v > static_cast<uint64_t>(INT64_MAX)) return false;
    *out = static_cast<int64_t>(v);
  }
  return true;
}

enum class LineStatus : uint8_t { kOk, kIncomplete, kTooBig, kInvalid };

// Reads the header line that starts at `p` (its first byte is the type char, '*' or '$')
// and parses the number after the type char. `end` is the end of the input. On kOk, `*next`
// is the first byte after the line's terminator. On kInvalid, the whole line is present but
// the number is not one string2ll() accepts.
inline LineStatus ReadHeaderLine(const char* p, const char* end, size_t max_line, int64_t* value,
                                 const char** next) {
  // Fastest path: one or two digits ("*2", "$3", "$64"), the bulk of real traffic.
  if (end - p >= 5) {
    unsigned d1 = static_cast<unsigned char>(p[1]) - '0';
    if (d1 <= 9) {
      if (p[2] == '\r') {
        *value = d1;
        *next = p + 4;
        return LineStatus::kOk;
      }
      unsigned d2 = static_cast<unsigned char>(p[2]) - '0';
      if (d2 <= 9 && d1 != 0 && p[3] == '\r') {
        *value = d1 * 10 + d2;
        *next = p + 5;
        return LineStatus::kOk;
      }
    }
  }
  // Fast path: one pass over a short run of digits that ends in '\r'.
  const char* q = p + 1;
  const char* limit = end - q > 18 ? q + 18 : end;
  uint64_t v = 0;
  while (q < limit && static_cast<unsigned char>(*q - '0') <= 9) v = v * 10 + (*q++ - '0');
  size_t ndigits = static_cast<size_t>(q - (p + 1));
  if (q + 1 < end && *q == '\r' && ndigits > 0 && (p[1] != '0' || ndigits == 1)) {
    *value = static_cast<int64_t>(v);  // at most 18 digits: no overflow
    *next = q + 2;
    return LineStatus::kOk;
  }
  // Exact path: Redis's rules for everything else (signs, long or broken lines, splits).
  const char* cr = static_cast<const char*>(memchr(p, '\r', static_cast<size_t>(end - p)));
  if (cr == nullptr) {
    return static_cast<size_t>(end - p) > max_line ? LineStatus::kTooBig : LineStatus::kIncomplete;
  }
  if (cr + 1 >= end) return LineStatus::kIncomplete;  // the byte after '\r' must be there
  *next = cr + 2;
  if (cr == p) return LineStatus::kInvalid;  // caller checks the type char first
  return StrictToInt64(p + 1, static_cast<size_t>(cr - (p + 1)), value) ? LineStatus::kOk
                                                                        : LineStatus::kInvalid;
}

ParseResult ParseMultibulk(std::string_view input, const ParserLimits& limits, ArgList* args) {
  const char* const base = input.data();
  const char* const end = base + input.size();
  int64_t count = 0;
  const char* p = nullptr;
  switch (ReadHeaderLine(base, end, limits.max_inline_len, &count, &p)) {
    case LineStatus::kOk:
      break;
    case LineStatus::kIncomplete:
      return Incomplete(0);
    case LineStatus::kTooBig:
      return Error(errors::kProtoTooBigMbulk);
    case LineStatus::kInvalid:
      return Error(errors::kProtoInvalidMultibulk);
  }
  if (count > limits.max_multibulk_len) return Error(errors::kProtoInvalidMultibulk);
  if (limits.auth_required && count > limits.unauth_max_multibulk_len) {
    return Error(errors::kProtoUnauthMultibulk);
  }
  if (count <= 0) return Ok(static_cast<size_t>(p - base));

  // Reserve for the common case only: a hostile *N must not make us allocate N slots.
  args->reserve(static_cast<size_t>(count < 1024 ? count : 1024));
  for (int64_t i = 0; i < count; ++i) {
    int64_t len = 0;
    const char* payload = nullptr;
    LineStatus st = ReadHeaderLine(p, end, limits.max_inline_len, &len, &payload);
    if (st == LineStatus::kIncomplete) return Incomplete(0);
    if (st == LineStatus::kTooBig) return Error(errors::kProtoTooBigBulk);
    // The line is complete here, so the type char is checked before its number.
    if (*p != '$') return Error(ExpectedDollarError(*p));
    if (st == LineStatus::kInvalid || len < 0 || len > limits.max_bulk_len) {
      return Error(errors::kProtoInvalidBulk);
    }
    if (limits.auth_required && len > limits.unauth_max_bulk_len) {
      return Error(errors::kProtoUnauthBulk);
    }
    // Payload plus two terminator bytes, which Redis skips without looking at them.
    size_t avail = static_cast<size_t>(end - payload);
    size_t want = static_cast<size_t>(len) + 2;
    if (avail < want) return Incomplete(static_cast<size_t>(payload - base) + want);
    args->push_back(std::string_view(payload, static_cast<size_t>(len)));
    p = payload + want;
  }
  return Ok(static_cast<size_t>(p - base));
}

// isspace() in the C locale, which sdssplitargs() uses to skip blanks between arguments.
inline bool IsCSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

inline int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Splits one inline line (without its line terminator) like Redis's sdssplitargs(): blanks
// separate arguments; "double quotes" understand \n \r \t \b \a \xHH and \<any> (the char
// itself); 'single quotes' understand only \'; a quote may open mid-argument (a"b c" is
// "ab c") but a closing quote must be followed by a blank or the end of the line. A NUL
// byte ends the line, as it ends the C string sdssplitargs() reads. Arguments without
// quotes are views into the line; the others are unescaped into `args`' scratch buffer.
// Returns false on unbalanced quotes.
bool SplitInline(const char* line, size_t len, ArgList* args) {
  if (const void* nul = memchr(line, '\0', len)) {
    len = static_cast<size_t>(static_cast<const char*>(nul) - line);
  }
  // Reading past the end yields '\0', like the terminator sdssplitargs() peeks at.
  auto at = [line, len](size_t i) -> char { return i < len ? line[i] : '\0'; };
  char* scratch = nullptr;
  size_t used = 0;  // bytes of scratch taken by earlier arguments
  size_t i = 0;
  while (true) {
    while (i < len && IsCSpace(line[i])) ++i;
    if (i >= len) return true;

    // Plain run: bytes up to a separator or a quote.
    size_t start = i;
    while (i < len) {
      char c = line[i];
      if (c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '"' || c == '\'') break;
      ++i;
    }
    if (i >= len || (line[i] != '"' && line[i] != '\'')) {
      args->push_back(std::string_view(line + start, i - start));
      if (i < len) ++i;  // the separator
      continue;
    }

    // The argument has quotes: build it in scratch. Its unescaped bytes never outnumber
    // the line's, so a buffer of `len` bytes taken once holds every argument of the line.
    if (scratch == nullptr) scratch = args->ScratchBuffer(len);
    char* out = scratch + used;
    size_t n = i - start;
    memcpy(out, line + start, n);
    bool in_dq = false, in_sq = false, done = false;
    while (!done) {
      char c = at(i);
      if (in_dq) {
        if (c == '\\' && at(i + 1) == 'x' && HexValue(at(i + 2)) >= 0 && HexValue(at(i + 3)) >= 0) {
          out[n++] = static_cast<char>(HexValue(at(i + 2)) * 16 + HexValue(at(i + 3)));
          i += 3;
        } else if (c == '\\' && at(i + 1) != '\0') {
          ++i;
          char e = line[i];
          switch (e) {
            case 'n':
              e = '\n';
              break;
            case 'r':
              e = '\r';
              break;
            case 't':
              e = '\t';
              break;
            case 'b':
              e = '\b';
              break;
            case 'a':
              e = '\a';
              break;
            default:
              break;
          }
          out[n++] = e;
        } else if (c == '"') {
          if (at(i + 1) != '\0' && !IsCSpace(at(i + 1))) return false;
          done = true;
        } else if (c == '\0') {
          return false;
        } else {
          out[n++] = c;
        }
      } else if (in_sq) {
        if (c == '\\' && at(i + 1) == '\'') {
          ++i;
          out[n++] = '\'';
        } else if (c == '\'') {
          if (at(i + 1) != '\0' && !IsCSpace(at(i + 1))) return false;
          done = true;
        } else if (c == '\0') {
          return false;
        } else {
          out[n++] = c;
        }
      } else {
        switch (c) {
          case ' ':
          case '\n':
          case '\r':
          case '\t':
          case '\0':
            done = true;
            break;
          case '"':
            in_dq = true;
            break;
          case '\'':
            in_sq = true;
            break;
          default:
            out[n++] = c;
            break;
        }
      }
      if (c != '\0') ++i;
    }
    args->push_back(std::string_view(out, n));
    used += n;
  }
}

ParseResult ParseInline(std::string_view input, const ParserLimits& limits, ArgList* args) {
  const char* base = input.data();
  const void* nl = memchr(base, '\n', input.size());
  if (nl == nullptr) {
    if (input.size() > limits.max_inline_len) return Error(errors::kProtoTooBigInline);
    return Incomplete(0);
  }
  size_t line_len = static_cast<size_t>(static_cast<const char*>(nl) - base);
  size_t consumed = line_len + 1;
  if (line_len > 0 && base[line_len - 1] == '\r') --line_len;
  if (!SplitInline(base, line_len, args)) return Error(errors::kProtoUnbalancedQuotes);
  return Ok(consumed);
}

}  // namespace

ParseResult ParseRequest(std::string_view input, const ParserLimits& limits, ArgList* args) {
  args->clear();
  if (input.empty()) return Incomplete(0);
  ParseResult r =
      input[0] == '*' ? ParseMultibulk(input, limits, args) : ParseInline(input, limits, args);
  if (r.status != ParseStatus::kOk) args->clear();
  return r;
}

}  // namespace kevy
