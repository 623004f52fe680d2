// RespValue: a parsed RESP2/RESP3 reply, for tests. ParseReply() reads one reply from a
// byte buffer; ToString() renders it compactly for assertions and failure messages.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace kevy::test {

struct RespValue {
  enum Type { kSimple, kError, kInt, kBulk, kNull, kArray, kMap, kSet, kDouble, kBool, kPush,
              kVerbatim, kNullArray };
  Type type = kNull;
  std::string str;  // simple, error, bulk, verbatim, double (text)
  int64_t integer = 0;
  std::vector<RespValue> elems;  // array/set/push; map: k0 v0 k1 v1 ...

  bool is_error() const { return type == kError; }
  bool is_null() const { return type == kNull || type == kNullArray; }
  // Compact rendering: "OK" for +OK, "(error) ERR ...", "(integer) 5", "\"bulk\"", "(nil)",
  // arrays as [a, b], maps as {k: v}.
  std::string ToString() const;
};

// Parses one reply at the start of `in`. Returns bytes consumed, or 0 if incomplete.
// Throws std::runtime_error on malformed input.
size_t ParseReply(std::string_view in, RespValue* out);

}  // namespace kevy::test
