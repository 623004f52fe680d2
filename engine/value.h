// The value stored under a key: a string (Value::str), or a collection object for lists,
// hashes, sets and sorted sets (Value::obj, one class per type in engine/types/). Bitmaps
// and HyperLogLogs are strings, as in Redis.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace kevy {

// Numbering matches Redis's OBJ_* constants (and the RDB type families).
enum class ObjType : uint8_t { kString = 0, kList = 1, kSet = 2, kZSet = 3, kHash = 4, kStream = 6 };

std::string_view TypeName(ObjType t);  // "string", "list", ...

// A collection held by a Value. Each type (engine/types/*.h) derives from it.
class Collection {
 public:
  virtual ~Collection() = default;
  // A deep copy (COPY, and later snapshots).
  virtual std::unique_ptr<Collection> Clone() const = 0;
  // Number of elements (an empty collection's key is deleted by the command that emptied it).
  virtual size_t Size() const = 0;
  // Redis's OBJECT ENCODING for the same contents: "listpack", "quicklist", "intset",
  // "hashtable", "skiplist".
  virtual std::string_view Encoding() const = 0;
  // Approximate heap bytes, for memory accounting.
  virtual size_t HeapBytes() const = 0;
};

struct Value {
  ObjType type = ObjType::kString;
  // A string that was modified in place (APPEND, SETRANGE, SETBIT) is "raw" in Redis
  // whatever its length; otherwise OBJECT ENCODING derives int/embstr/raw from content.
  bool raw = false;
  std::string str;                  // kString
  std::unique_ptr<Collection> obj;  // every other type

  Value() = default;
  explicit Value(std::string s) : str(std::move(s)) {}
  Value(ObjType t, std::unique_ptr<Collection> c) : type(t), obj(std::move(c)) {}
  Value(Value&&) noexcept = default;
  Value& operator=(Value&&) noexcept = default;
  Value(const Value& o) : type(o.type), raw(o.raw), str(o.str), obj(o.obj ? o.obj->Clone() : nullptr) {}
  Value& operator=(const Value& o) {
    if (this != &o) *this = Value(o);
    return *this;
  }

  // The collection as its concrete type (the caller checked `type`).
  template <class T>
  T* As() const {
    return static_cast<T*>(obj.get());
  }
};

// Redis's OBJECT ENCODING for a value: "int"/"embstr"/"raw" for strings, the collection's
// own answer otherwise.
std::string_view StringEncoding(const Value& v);
std::string_view EncodingOf(const Value& v);

// Bytes this value occupies beyond the Entry itself (for INFO/MEMORY accounting).
size_t ValueHeapBytes(const Value& v);

}  // namespace kevy
