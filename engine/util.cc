#include "engine/util.h"

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include <absl/strings/str_format.h>

namespace kevy {

bool ParseInt64(std::string_view s, int64_t* out) {
  if (s.empty() || s.size() > 20) return false;
  size_t i = 0;
  bool neg = false;
  if (s.size() == 1 && s[0] == '0') {
    *out = 0;
    return true;
  }
  if (s[0] == '-') {
    neg = true;
    i = 1;
    if (s.size() == 1) return false;
  }
  if (s[i] < '1' || s[i] > '9') return false;
  uint64_t v = 0;
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (c < '0' || c > '9') return false;
    uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) return false;
    v = v * 10 + d;
  }
  if (neg) {
    if (v > static_cast<uint64_t>(INT64_MAX) + 1) return false;
    *out = static_cast<int64_t>(0 - v);
  } else {
    if (v > static_cast<uint64_t>(INT64_MAX)) return false;
    *out = static_cast<int64_t>(v);
  }
  return true;
}

bool ParseInt64Range(std::string_view s, int64_t min, int64_t max, int64_t* out) {
  int64_t v;
  if (!ParseInt64(s, &v) || v < min || v > max) return false;
  *out = v;
  return true;
}

bool ParseLongDouble(std::string_view s, long double* out) {
  if (s.empty() || s.size() >= 5120) return false;
  std::string buf(s);
  if (isspace(static_cast<unsigned char>(buf[0]))) return false;
  errno = 0;
  char* end;
  long double v = strtold(buf.c_str(), &end);
  // A NUL inside the string ends strtold early: the rest is junk (Redis refuses "1\0x").
  if (end != buf.c_str() + buf.size() ||
      (errno == ERANGE && (v == HUGE_VALL || v == -HUGE_VALL || v == 0)) || std::isnan(v))
    return false;
  *out = v;
  return true;
}

bool ParseDouble(std::string_view s, double* out) {
  if (s.empty() || s.size() >= 5120) return false;
  std::string buf(s);
  if (isspace(static_cast<unsigned char>(buf[0]))) return false;
  errno = 0;
  char* end;
  double v = strtod(buf.c_str(), &end);
  // Redis compares the parsed length with the string's, so bytes after a NUL are junk.
  if (end != buf.c_str() + buf.size() ||
      (errno == ERANGE && (v == HUGE_VAL || v == -HUGE_VAL || v == 0)) || std::isnan(v))
    return false;
  *out = v;
  return true;
}

int FormatInt64(int64_t v, char* buf) {
  char tmp[24];
  int n = 0;
  uint64_t u = v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
  do {
    tmp[n++] = static_cast<char>('0' + u % 10);
    u /= 10;
  } while (u);
  int len = 0;
  if (v < 0) buf[len++] = '-';
  while (n) buf[len++] = tmp[--n];
  return len;
}

std::string Int64ToString(int64_t v) {
  char buf[24];
  return std::string(buf, FormatInt64(v, buf));
}

namespace {
// skip_longer: set once a '*' found no match for the rest of the pattern at any later point
// of the string; every enclosing '*' can then stop too, since a longer match for it could
// only start the rest later still (Redis's fix for exponential patterns, CVE-2022-36021).
bool Match(const char* p, size_t plen, const char* s, size_t slen, bool nocase, int nesting,
           bool* skip_longer) {
  if (nesting > 1000) return false;  // as Redis: guard against pathological patterns
  while (plen && slen) {
    switch (p[0]) {
      case '*':
        while (plen > 1 && p[1] == '*') {
          ++p;
          --plen;
        }
        if (plen == 1) return true;
        while (slen) {
          if (Match(p + 1, plen - 1, s, slen, nocase, nesting + 1, skip_longer)) return true;
          if (*skip_longer) return false;
          ++s;
          --slen;
        }
        *skip_longer = true;
        return false;
      case '?':
        ++s;
        --slen;
        break;
      case '[': {
        ++p;
        --plen;
        bool negate = plen && p[0] == '^';
        if (negate) {
          ++p;
          --plen;
        }
        bool match = false;
        while (true) {
          if (plen == 0) {
            --p;
            ++plen;  // Redis: an unterminated class keeps the last char as the end
            break;
          }
          if (p[0] == '\\' && plen >= 2) {
            ++p;
            --plen;
            if (p[0] == s[0]) match = true;
          } else if (p[0] == ']') {
            break;
          } else if (plen >= 3 && p[1] == '-') {
            // Redis reads the range through plain (signed) chars: bytes >= 0x80 are negative.
            int start = static_cast<signed char>(p[0]);
            int end = static_cast<signed char>(p[2]);
            int c = static_cast<signed char>(s[0]);
            if (start > end) std::swap(start, end);
            if (nocase) {
              start = tolower(start);
              end = tolower(end);
              c = tolower(c);
            }
            p += 2;
            plen -= 2;
            if (c >= start && c <= end) match = true;
          } else {
            if (nocase ? tolower(static_cast<unsigned char>(p[0])) ==
                             tolower(static_cast<unsigned char>(s[0]))
                       : p[0] == s[0])
              match = true;
          }
          ++p;
          --plen;
        }
        if (negate) match = !match;
        if (!match) return false;
        ++s;
        --slen;
        break;
      }
      case '\\':
        if (plen >= 2) {
          ++p;
          --plen;
        }
        [[fallthrough]];
      default:
        if (nocase ? tolower(static_cast<unsigned char>(p[0])) !=
                         tolower(static_cast<unsigned char>(s[0]))
                   : p[0] != s[0])
          return false;
        ++s;
        --slen;
        break;
    }
    ++p;
    --plen;
    if (slen == 0) {
      while (plen && *p == '*') {
        ++p;
        --plen;
      }
      break;
    }
  }
  return plen == 0 && slen == 0;
}
}  // namespace

bool StringMatch(std::string_view pattern, std::string_view str, bool nocase) {
  bool skip_longer = false;
  return Match(pattern.data(), pattern.size(), str.data(), str.size(), nocase, 0, &skip_longer);
}

bool EqualsNoCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (tolower(static_cast<unsigned char>(a[i])) != tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

namespace {
bool IsHex(char c) { return isxdigit(static_cast<unsigned char>(c)) != 0; }
int HexVal(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  return tolower(static_cast<unsigned char>(c)) - 'a' + 10;
}

}  // namespace

// Redis's sdssplitargs: words separated by spaces; "double quotes" with \n \r \t \b \a \xHH
// escapes; 'single quotes' with \' only. A closing quote must be followed by a space or the
// end. Returns nullopt on unbalanced quotes.
std::optional<std::vector<std::string>> SplitArgs(std::string_view line) {
  std::vector<std::string> out;
  size_t i = 0;
  const size_t n = line.size();
  auto at = [&](size_t k) { return k < n ? line[k] : '\0'; };
  while (true) {
    while (i < n && isspace(static_cast<unsigned char>(line[i]))) ++i;
    if (i >= n) return out;
    bool dq = false, sq = false, done = false;
    std::string cur;
    while (!done) {
      char c = at(i);
      if (dq) {
        if (c == '\\' && at(i + 1) == 'x' && IsHex(at(i + 2)) && IsHex(at(i + 3))) {
          cur.push_back(static_cast<char>(HexVal(at(i + 2)) * 16 + HexVal(at(i + 3))));
          i += 3;
        } else if (c == '\\' && i + 1 < n) {
          ++i;
          switch (line[i]) {
            case 'n':
              cur.push_back('\n');
              break;
            case 'r':
              cur.push_back('\r');
              break;
            case 't':
              cur.push_back('\t');
              break;
            case 'b':
              cur.push_back('\b');
              break;
            case 'a':
              cur.push_back('\a');
              break;
            default:
              cur.push_back(line[i]);
              break;
          }
        } else if (c == '"') {
          if (i + 1 < n && !isspace(static_cast<unsigned char>(line[i + 1]))) return std::nullopt;
          done = true;
        } else if (i >= n) {
          return std::nullopt;
        } else {
          cur.push_back(c);
        }
      } else if (sq) {
        if (c == '\\' && at(i + 1) == '\'') {
          cur.push_back('\'');
          ++i;
        } else if (c == '\'') {
          if (i + 1 < n && !isspace(static_cast<unsigned char>(line[i + 1]))) return std::nullopt;
          done = true;
        } else if (i >= n) {
          return std::nullopt;
        } else {
          cur.push_back(c);
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
            dq = true;
            break;
          case '\'':
            sq = true;
            break;
          default:
            cur.push_back(c);
            break;
        }
      }
      if (i < n) ++i;
    }
    out.push_back(std::move(cur));
  }
}

// Redis's sdscatrepr: a double-quoted string that SplitArgs reads back byte for byte.
std::string Repr(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\a':
        out += "\\a";
        break;
      case '\b':
        out += "\\b";
        break;
      default:
        if (isprint(static_cast<unsigned char>(c)))
          out.push_back(c);
        else
          absl::StrAppendFormat(&out, "\\x%02x", static_cast<unsigned char>(c));
    }
  }
  out.push_back('"');
  return out;
}

}  // namespace kevy
