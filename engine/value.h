// The value stored under a key. Strings only for now; the other Redis types extend
// ObjType and the payload (see docs/architecture.md, "Keyspace").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace kevy {

// Numbering matches Redis's OBJ_* constants (and the RDB type families).
enum class ObjType : uint8_t { kString = 0, kList = 1, kSet = 2, kZSet = 3, kHash = 4, kStream = 6 };

std::string_view TypeName(ObjType t);  // "string", "list", ...

struct Value {
  ObjType type = ObjType::kString;
  // A string that was modified in place (APPEND, SETRANGE, SETBIT) is "raw" in Redis
  // whatever its length; otherwise OBJECT ENCODING derives int/embstr/raw from content.
  bool raw = false;
  std::string str;

  Value() = default;
  explicit Value(std::string s) : str(std::move(s)) {}
};

// Redis's OBJECT ENCODING for a string value: "int", "embstr" or "raw".
std::string_view StringEncoding(const Value& v);

// Bytes this value occupies beyond the Entry itself (for INFO/MEMORY accounting).
size_t ValueHeapBytes(const Value& v);

}  // namespace kevy
