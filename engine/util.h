// Parsing and matching rules shared by command families, each exactly as Redis defines it.
#pragma once

#include <cstdint>
#include <string>
#include <optional>
#include <string_view>
#include <vector>

namespace kevy {

// Redis's string2ll: optional '-', decimal digits, no leading zeros (except "0"), no '+',
// no spaces, fits int64. Returns false otherwise.
bool ParseInt64(std::string_view s, int64_t* out);
// As ParseInt64, then checks min <= v <= max.
bool ParseInt64Range(std::string_view s, int64_t min, int64_t max, int64_t* out);
// Redis's string2ld (INCRBYFLOAT): strtold over the whole string, no spaces, not NaN.
bool ParseLongDouble(std::string_view s, long double* out);
// Redis's getDoubleFromObject rules (strtod over the whole string, no spaces, not NaN;
// "inf"/"-inf"/"+inf" accepted).
bool ParseDouble(std::string_view s, double* out);
// Decimal rendering of an int64 into buf (at least 21 bytes); returns length.
int FormatInt64(int64_t v, char* buf);
std::string Int64ToString(int64_t v);

// Redis's stringmatchlen: glob with * ? [abc] [^a] [a-z] and \ escapes; nocase optional.
bool StringMatch(std::string_view pattern, std::string_view str, bool nocase = false);

// ASCII case-insensitive equality (option keywords).
bool EqualsNoCase(std::string_view a, std::string_view b);

// Redis's sdssplitargs: words separated by spaces; "double quotes" with \n \r \t \b \a \xHH
// escapes; 'single quotes' with \' only. nullopt on unbalanced quotes. (redis.conf lines,
// the AOF manifest.)
std::optional<std::vector<std::string>> SplitArgs(std::string_view line);
// Redis's sdscatrepr: a double-quoted string that SplitArgs reads back byte for byte.
std::string Repr(std::string_view s);

}  // namespace kevy
