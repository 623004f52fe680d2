// Server log in Redis's line format:
//   <pid>:<role> <dd> <Mon> <yyyy> <hh:mm:ss.mmm> <level-char> <message>
// role is 'M' (master) for kevy; level chars '.', '-', '*', '#' for debug, verbose, notice,
// warning. Goes to stdout, or to `logfile` once OpenLogFile() succeeded. Thread-safe (one
// write(2) per line).
#pragma once

#include <absl/strings/str_format.h>

#include <string>
#include <string_view>

namespace kevy {

enum class LogLevel { kDebug = 0, kVerbose = 1, kNotice = 2, kWarning = 3 };

// Lines below this level are dropped (`loglevel`).
void SetLogLevel(int level);
// Sends the log to `path` (appending); "" means stdout. Returns false with errno set on error.
bool OpenLogFile(const std::string& path);
void LogLine(LogLevel level, std::string_view msg);

template <typename... Args>
void Log(LogLevel level, const absl::FormatSpec<Args...>& fmt, const Args&... args) {
  LogLine(level, absl::StrFormat(fmt, args...));
}

}  // namespace kevy
