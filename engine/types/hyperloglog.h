// HyperLogLog in Redis's exact representation, so that HLL values move between kevy and Redis
// (RDB, AOF, GET/SET) and give the same counts.
//
// The value is a string: a 16-byte header ("HYLL", an encoding byte: 0 dense / 1 sparse,
// 3 unused bytes, the cached cardinality as 8 bytes little-endian whose last byte's MSB set
// means "stale"), then either 16384 registers of 6 bits packed LSB first (dense, 12304 bytes
// in all) or a run-length form with the opcodes ZERO (00xxxxxx: 1..64 zero registers),
// XZERO (01xxxxxx yyyyyyyy: 1..16384 zero registers) and VAL (1vvvvvxx: 1..4 registers of
// value 1..32) (sparse). A sparse value turns dense when a register exceeds 32 or the value
// would grow past hll-sparse-max-bytes. Elements are hashed with MurmurHash64A (seed
// 0xadc83b19); counts use the estimator of Redis 7 (Otmar Ertl's improved estimator).
//
// Pure functions on strings, no engine state: callable from any thread on values it owns.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace kevy::hll {

inline constexpr int kRegisters = 16384;
inline constexpr size_t kHeaderSize = 16;
inline constexpr size_t kDenseSize = kHeaderSize + (kRegisters * 6 + 7) / 8;

// Redis's MurmurHash64A (little-endian reading of 8-byte blocks).
uint64_t MurmurHash64A(const void* key, int len, uint64_t seed);

// A new, empty HLL as Redis's createHLLObject makes it (sparse, cached cardinality 0).
std::string NewSparse();

// Redis's isHLLObjectOrReply checks on a string value: at least a header, the magic, a known
// encoding, and the exact size when dense.
bool IsValid(std::string_view s);

// Adds `elem`. Returns 1 when a register changed (the cached cardinality is then marked
// stale), 0 when none did, -1 when the sparse form is corrupt. `sparse_max_bytes` is
// hll-sparse-max-bytes.
int Add(std::string* s, std::string_view elem, size_t sparse_max_bytes);

// Sets register `index` to `count` if larger (Redis's hllSparseSet / hllDenseSet), converting
// to dense as Redis does. Returns 1 when changed, 0 when not, -1 when corrupt. Does not touch
// the cached cardinality.
int SetRegister(std::string* s, int index, uint8_t count, size_t sparse_max_bytes);

// Converts a sparse value to dense (no-op when dense), keeping the header's cached
// cardinality. False when the sparse form is corrupt.
bool SparseToDense(std::string* s);

// Takes the register-wise maximum of `s` into max[kRegisters]. False when corrupt.
bool MergeInto(std::string_view s, uint8_t* max);

// The estimated cardinality of a valid value, ignoring the cache. False when corrupt.
bool Estimate(std::string_view s, uint64_t* card);
// The estimated cardinality of plain registers (one byte per register).
uint64_t EstimateRegisters(const uint8_t* regs);

// PFCOUNT on one value: the cached cardinality when valid, else the estimate, which is then
// cached in the header (*cached_now = true). False when corrupt.
bool Count(std::string* s, uint64_t* card, bool* cached_now);

// Marks the cached cardinality stale.
void InvalidateCache(std::string* s);

bool IsDense(std::string_view s);

}  // namespace kevy::hll
