// LZF, the compression RDB files use for long strings (Redis's RDB_ENC_LZF): kevy's own
// implementation of the LZF block format (literal runs of 1..32 bytes; back references of
// 3..264 bytes within 8 KiB). Output is valid LZF that Redis's lzf_decompress accepts; it
// is not necessarily byte-identical to liblzf's (DUMP compares only uncompressed payloads).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace kevy {

// Compresses `in` into `out` (replaced). Returns false -- and leaves `out` unspecified --
// when the result would be longer than `max_out` bytes (callers pass in.size() - 1 or so,
// to keep only compression that saves space). Pure, any thread.
bool LzfCompress(std::string_view in, size_t max_out, std::string* out);

// Decompresses `in`, which must expand to exactly `out_len` bytes, into `out` (replaced).
// Returns false on corrupt input (a reference before the start, a run past either end, a
// size other than out_len); never reads or writes out of bounds.
bool LzfDecompress(std::string_view in, size_t out_len, std::string* out);

}  // namespace kevy
