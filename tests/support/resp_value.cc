#include "tests/support/resp_value.h"

#include <stdexcept>

namespace kevy::test {

namespace {

// Returns the line end index (position of '\r') or npos.
size_t LineEnd(std::string_view in, size_t pos) {
  size_t e = in.find("\r\n", pos);
  return e;
}

size_t Parse(std::string_view in, size_t pos, RespValue* out) {
  if (pos >= in.size()) return 0;
  char t = in[pos];
  size_t e = LineEnd(in, pos + 1);
  if (e == std::string_view::npos) return 0;
  std::string line(in.substr(pos + 1, e - pos - 1));
  size_t next = e + 2;
  auto aggregate = [&](RespValue::Type type, int64_t n) -> size_t {
    out->type = type;
    out->elems.clear();
    for (int64_t i = 0; i < n; ++i) {
      RespValue v;
      size_t used = Parse(in, next, &v);
      if (used == 0) return 0;
      next = used;
      out->elems.push_back(std::move(v));
    }
    return next;
  };
  switch (t) {
    case '+': out->type = RespValue::kSimple; out->str = line; return next;
    case '-': out->type = RespValue::kError; out->str = line; return next;
    case ':': out->type = RespValue::kInt; out->integer = std::stoll(line); return next;
    case ',': out->type = RespValue::kDouble; out->str = line; return next;
    case '#': out->type = RespValue::kBool; out->integer = line == "t"; return next;
    case '_': out->type = RespValue::kNull; return next;
    case '$':
    case '=': {
      int64_t n = std::stoll(line);
      if (n < 0) {
        out->type = RespValue::kNull;
        return next;
      }
      if (in.size() < next + n + 2) return 0;
      out->type = t == '$' ? RespValue::kBulk : RespValue::kVerbatim;
      out->str = std::string(in.substr(next, n));
      if (t == '=' && out->str.size() >= 4) out->str = out->str.substr(4);
      return next + n + 2;
    }
    case '*': {
      int64_t n = std::stoll(line);
      if (n < 0) {
        out->type = RespValue::kNullArray;
        return next;
      }
      return aggregate(RespValue::kArray, n);
    }
    case '%': return aggregate(RespValue::kMap, 2 * std::stoll(line));
    case '~': return aggregate(RespValue::kSet, std::stoll(line));
    case '>': return aggregate(RespValue::kPush, std::stoll(line));
    default: throw std::runtime_error("bad RESP type byte: " + std::string(1, t));
  }
}

}  // namespace

size_t ParseReply(std::string_view in, RespValue* out) { return Parse(in, 0, out); }

std::string RespValue::ToString() const {
  switch (type) {
    case kSimple: return str;
    case kError: return "(error) " + str;
    case kInt: return "(integer) " + std::to_string(integer);
    case kBulk:
    case kVerbatim: return "\"" + str + "\"";
    case kNull:
    case kNullArray: return "(nil)";
    case kDouble: return "(double) " + str;
    case kBool: return integer ? "(true)" : "(false)";
    case kArray:
    case kSet:
    case kPush: {
      std::string s = "[";
      for (size_t i = 0; i < elems.size(); ++i) s += (i ? ", " : "") + elems[i].ToString();
      return s + "]";
    }
    case kMap: {
      std::string s = "{";
      for (size_t i = 0; i + 1 < elems.size(); i += 2)
        s += (i ? ", " : "") + elems[i].ToString() + ": " + elems[i + 1].ToString();
      return s + "}";
    }
  }
  return "?";
}

}  // namespace kevy::test
