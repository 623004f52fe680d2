// LZF, the compression RDB files use for long strings (Redis's RDB_ENC_LZF): kevy's own
// implementation of the LZF block format (literal runs of 1..32 bytes; back references of
// 3..264 bytes within 8 KiB). The compressor makes liblzf's choices as Redis configures it,
// so compressed RDB strings are byte-identical to redis-server's.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace kevy {

// Compresses `in` into `out` (replaced). Returns false -- and leaves `out` unspecified --
// when the result does not fit in `max_out` bytes by liblzf's (slightly conservative)
// checks; Redis passes in.size() - 4. Pure, any thread.
bool LzfCompress(std::string_view in, size_t max_out, std::string* out);

// Decompresses `in`, which must expand to exactly `out_len` bytes, into `out` (replaced).
// Returns false on corrupt input (a reference before the start, a run past either end, a
// size other than out_len); never reads or writes out of bounds.
bool LzfDecompress(std::string_view in, size_t out_len, std::string* out);

}  // namespace kevy
