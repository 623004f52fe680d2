// RDB: Redis's snapshot format, as redis-server 7.0 writes it (RDB version 10), used for
// dump.rdb, DUMP/RESTORE payloads and the RDB preamble of an AOF base file.
//
// The pieces, from small to large (docs/persistence.md describes the bytes):
//   - The object codec. RdbAppendEntry encodes one key (optional EXPIRETIME_MS, type byte,
//     key, payload) into a std::string that depends on nothing but the key and its value --
//     not on the file position -- so shards encode their keys in parallel and a writer just
//     concatenates. The encodings are the ones redis-server 7.0 picks for the same contents
//     (listpack hash/zset, intset set, quicklist-2 lists of listpacks, ...), so a DUMP from
//     kevy equals a DUMP from redis-server whenever the element order is the same.
//   - RdbWriter: the whole-file framing (magic, AUX fields, SELECTDB/RESIZEDB, EOF, CRC-64
//     trailer) over a buffer the caller drains in chunks and writes out itself; the CRC is
//     carried across the chunks.
//   - RdbLoader: parses a whole file (from memory or an mmapped path) and hands each key to
//     a callback. It reads every object type and encoding Redis <= 7.0 writes (and 7.2's
//     set listpack); streams, modules and functions are refused with a clear error. Every
//     length and offset is checked against the bytes that remain, so a corrupt or hostile
//     input yields an error with its byte offset -- never a crash or a huge allocation.
//   - DUMP payloads: object + 2-byte little-endian RDB version + 8-byte little-endian CRC-64.
//
// Threads: everything here is pure computation over caller-owned data; any thread may call
// it, and nothing blocks except RdbLoader::LoadFile (it maps the file).
#pragma once

#include <absl/status/status.h>
#include <absl/status/statusor.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/value.h"

namespace kevy {

class Config;

// The RDB version kevy writes (redis-server 7.0.x writes "REDIS0010") and the newest it loads.
inline constexpr int kRdbVersion = 10;
inline constexpr int kRdbMaxLoadVersion = 11;  // 7.2's files: only SET_LISTPACK is new

// Object type bytes (Redis's RDB_TYPE_*).
enum RdbType : uint8_t {
  kRdbTypeString = 0,
  kRdbTypeList = 1,
  kRdbTypeSet = 2,
  kRdbTypeZSet = 3,
  kRdbTypeHash = 4,
  kRdbTypeZSet2 = 5,
  kRdbTypeModule = 6,
  kRdbTypeModule2 = 7,
  kRdbTypeHashZipmap = 9,
  kRdbTypeListZiplist = 10,
  kRdbTypeSetIntset = 11,
  kRdbTypeZSetZiplist = 12,
  kRdbTypeHashZiplist = 13,
  kRdbTypeListQuicklist = 14,
  kRdbTypeStreamListpacks = 15,
  kRdbTypeHashListpack = 16,
  kRdbTypeZSetListpack = 17,
  kRdbTypeListQuicklist2 = 18,
  kRdbTypeStreamListpacks2 = 19,
  kRdbTypeSetListpack = 20,
  kRdbTypeStreamListpacks3 = 21,
};

// File opcodes (Redis's RDB_OPCODE_*).
enum RdbOpcode : uint8_t {
  kRdbOpFunction = 245,  // FUNCTION2 is 245, FUNCTION (pre-GA 7.0) is 246
  kRdbOpFunctionPreGa = 246,
  kRdbOpModuleAux = 247,
  kRdbOpIdle = 248,
  kRdbOpFreq = 249,
  kRdbOpAux = 250,
  kRdbOpResizeDb = 251,
  kRdbOpExpireTimeMs = 252,
  kRdbOpExpireTime = 253,
  kRdbOpSelectDb = 254,
  kRdbOpEof = 255,
};

// The encoding choices Redis makes from its config: the writer uses `compression` and the
// list fill, the loader converts loaded objects past the thresholds so they report the
// OBJECT ENCODING Redis would give them.
struct RdbOptions {
  bool compression = true;                // rdbcompression
  size_t hash_max_listpack_entries = 512;
  size_t hash_max_listpack_value = 64;
  int64_t set_max_intset_entries = 512;
  size_t zset_max_listpack_entries = 128;
  size_t zset_max_listpack_value = 64;
  int list_max_listpack_size = -2;        // quicklist node fill: < 0 = size class, > 0 = count

  // The values of the directives above from `config` (defaults for any it lacks).
  static RdbOptions FromConfig(const Config& config);
};

// ---- object codec -------------------------------------------------------------------------

// The type byte RdbAppendObjectPayload writes the payload for (e.g. kRdbTypeHashListpack
// for a small hash).
uint8_t RdbObjectType(const Value& v);
// Appends v's payload in the encoding named by RdbObjectType(v) (no type byte).
void RdbAppendObjectPayload(const Value& v, const RdbOptions& opts, std::string* out);
// Appends one key as it sits in a file: [EXPIRETIME_MS <ms>] <type> <key> <payload>.
// expire_ms < 0 means no expiry. Independent of position: concatenations are valid.
void RdbAppendEntry(std::string_view key, const Value& v, int64_t expire_ms,
                    const RdbOptions& opts, std::string* out);
// Length-prefixed / integer-encoded / LZF string as RDB stores it (a key, an AUX value).
void RdbAppendString(std::string_view s, bool compress, std::string* out);
// RDB's variable-length integer ("length encoding").
void RdbAppendLength(uint64_t len, std::string* out);

// Decodes one object payload of type `type` from data[*pos...]; advances *pos past it.
// Errors (kDataLoss "..." with detail) for malformed input; kUnimplemented for streams and
// modules. The result's encoding follows `opts` as Redis's loader would.
absl::StatusOr<Value> RdbDecodeObject(uint8_t type, std::string_view data, size_t* pos,
                                      const RdbOptions& opts);

// ---- DUMP / RESTORE payloads ---------------------------------------------------------------

// DUMP's reply: type byte + payload + RDB version (2 bytes LE) + CRC-64 (8 bytes LE).
std::string RdbDumpPayload(const Value& v, const RdbOptions& opts);
// Checks the footer the way Redis's verifyDumpPayload does: the version is <= kRdbVersion
// and the CRC-64 of everything before the CRC matches (checked unconditionally, as Redis
// does for RESTORE). False = "ERR DUMP payload version or checksum are wrong".
bool RdbVerifyDumpPayload(std::string_view payload);
// Decodes a verified payload into a value; an error status = "ERR Bad data format".
absl::StatusOr<Value> RdbLoadDumpPayload(std::string_view payload, const RdbOptions& opts);
// Redis's DEBUG OBJECT serializedlength: the payload length without the type byte.
size_t RdbSerializedLength(const Value& v, const RdbOptions& opts);

// ---- whole files ---------------------------------------------------------------------------

// The AUX fields written after the magic, in Redis 7.0's order. `extra` follows redis-bits..
// used-mem (e.g. repl-stream-db, repl-id, repl-offset), then aof-base.
struct RdbAux {
  std::string redis_ver = "7.0.15";
  int redis_bits = 64;
  int64_t ctime = 0;     // unix seconds; 0 = now
  int64_t used_mem = 0;
  bool aof_base = false;  // true for an AOF base file's preamble
  std::vector<std::pair<std::string, std::string>> extra;
};

// Builds a file in memory in pieces: Begin, then per database SelectDb followed by its
// entries (either WriteEntry, or AppendEncoded with bytes from RdbAppendEntry made
// elsewhere), then Finish. Between calls the caller may Drain() the pending bytes and write
// them out; the CRC covers exactly the drained and final bytes, in order.
// Single-threaded; owns only its buffer.
class RdbWriter {
 public:
  explicit RdbWriter(RdbOptions opts = {}) : opts_(opts) {}

  // "REDIS0010" and the AUX fields.
  void Begin(const RdbAux& aux);
  // SELECTDB db, RESIZEDB db_size expires_size (sizes are hints for the loader).
  void SelectDb(int db, uint64_t db_size, uint64_t expires_size);
  void WriteEntry(std::string_view key, const Value& v, int64_t expire_ms);
  // Bytes made by RdbAppendEntry (any number of whole entries).
  void AppendEncoded(std::string_view entries);
  // EOF opcode and the 8-byte little-endian CRC-64 of everything before it.
  void Finish();

  // Bytes not yet drained.
  size_t pending() const { return buf_.size(); }
  // Moves the pending bytes to the end of `out` (the caller writes them to the file).
  void Drain(std::string* out);
  // The pending bytes, to write directly; call Consume(n) for the n bytes written.
  std::string_view PendingBytes() const { return buf_; }
  void Consume(size_t n);
  // Total bytes produced so far (drained + pending).
  uint64_t total_bytes() const { return drained_ + buf_.size(); }

 private:
  void Take(size_t n, std::string* out);

  RdbOptions opts_;
  std::string buf_;
  uint64_t crc_ = 0;  // over the drained bytes until Finish
  uint64_t drained_ = 0;
  bool finished_ = false;
};

// One key handed to RdbLoader's callback.
struct RdbLoadedKey {
  int db = 0;
  std::string key;
  Value value;
  int64_t expire_ms = -1;  // absolute unix ms; -1 = none (the caller decides about the past)
  int64_t lru_idle = -1;   // IDLE seconds, -1 = none
  int lfu_freq = -1;       // FREQ, -1 = none
};

// Reads a whole RDB file. Per key it calls on_key; a non-OK status from the callback stops
// the load and is returned as is. Error messages name the byte offset
// ("Bad RDB at offset 1234: ..."). Single-threaded; owns nothing after it returns.
class RdbLoader {
 public:
  using KeyFn = std::function<absl::Status(RdbLoadedKey&&)>;

  explicit RdbLoader(RdbOptions opts = {}) : opts_(opts) {}

  // Parses data, which starts with "REDIS"; on success *consumed (if given) is the number
  // of bytes the RDB occupied (through the CRC trailer) -- an AOF preamble's end.
  absl::Status LoadBuffer(std::string_view data, const KeyFn& on_key, size_t* consumed = nullptr);
  // Called for every RESIZEDB opcode with the database it follows (SELECTDB) and the key
  // counts the file announces for it -- hints for sizing tables, already capped by what the
  // remaining bytes could hold (a key takes at least 3).
  using ResizeFn = std::function<void(int db, uint64_t keys, uint64_t expires)>;
  void set_on_resize(ResizeFn fn) { on_resize_ = std::move(fn); }

  // Maps the file and parses it. A missing file is kNotFound.
  absl::Status LoadFile(const std::string& path, const KeyFn& on_key, size_t* consumed = nullptr);

  // What the last load saw.
  int version() const { return version_; }
  const std::vector<std::pair<std::string, std::string>>& aux() const { return aux_; }
  uint64_t keys_loaded() const { return keys_loaded_; }

 private:
  RdbOptions opts_;
  ResizeFn on_resize_;
  int version_ = 0;
  std::vector<std::pair<std::string, std::string>> aux_;
  uint64_t keys_loaded_ = 0;
};

}  // namespace kevy
