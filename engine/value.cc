// Value helpers: type names and Redis's string encodings.
#include "engine/value.h"

#include <cerrno>
#include <cstdlib>

namespace kevy {

std::string_view TypeName(ObjType t) {
  switch (t) {
    case ObjType::kString: return "string";
    case ObjType::kList: return "list";
    case ObjType::kSet: return "set";
    case ObjType::kZSet: return "zset";
    case ObjType::kHash: return "hash";
    case ObjType::kStream: return "stream";
  }
  return "none";
}

namespace {
// Redis's string2l: a canonical decimal long (no leading zeros or '+', fits int64).
bool IsCanonicalInt(const std::string& s) {
  if (s.empty() || s.size() > 20) return false;
  size_t i = 0;
  if (s[0] == '-') {
    if (s.size() == 1) return false;
    i = 1;
  }
  if (s[i] == '0') return s.size() == 1;
  for (size_t j = i; j < s.size(); ++j)
    if (s[j] < '0' || s[j] > '9') return false;
  errno = 0;
  char* end;
  long long v = strtoll(s.c_str(), &end, 10);
  (void)v;
  return errno == 0;
}
}  // namespace

std::string_view StringEncoding(const Value& v) {
  if (v.raw) return "raw";
  if (IsCanonicalInt(v.str)) return "int";
  if (v.str.size() > 44) return "raw";
  return "embstr";
}

std::string_view EncodingOf(const Value& v) {
  if (v.type == ObjType::kString) return StringEncoding(v);
  return v.obj ? v.obj->Encoding() : "unknown";
}

size_t ValueHeapBytes(const Value& v) {
  size_t n = v.str.capacity() > 15 ? v.str.capacity() + 1 : 0;
  if (v.obj) n += v.obj->HeapBytes();
  return n;
}

}  // namespace kevy
