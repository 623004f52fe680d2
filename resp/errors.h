// Error texts, word for word as Redis 7 writes them (without the leading '-').
// Every error reply kevy sends comes from here, so a mismatch with Redis is fixed in one place.
#pragma once

#include <string>
#include <string_view>

namespace kevy::errors {

inline constexpr std::string_view kSyntax = "ERR syntax error";
inline constexpr std::string_view kNotInteger = "ERR value is not an integer or out of range";
inline constexpr std::string_view kNotFloat = "ERR value is not a valid float";
inline constexpr std::string_view kOverflow = "ERR increment or decrement would overflow";
inline constexpr std::string_view kIncrNanOrInf = "ERR increment would produce NaN or Infinity";
inline constexpr std::string_view kNoSuchKey = "ERR no such key";
inline constexpr std::string_view kWrongType =
    "WRONGTYPE Operation against a key holding the wrong kind of value";
inline constexpr std::string_view kInvalidExpire = "ERR invalid expire time in '%s' command";
inline constexpr std::string_view kOutOfRangeDb = "ERR DB index is out of range";
inline constexpr std::string_view kSameObject = "ERR source and destination objects are the same";
inline constexpr std::string_view kStringTooLong = "ERR string exceeds maximum allowed size (proto-max-bulk-len)";
inline constexpr std::string_view kBitOffset = "ERR bit offset is not an integer or out of range";
inline constexpr std::string_view kOffsetOutOfRange = "ERR offset is out of range";
inline constexpr std::string_view kLoading = "LOADING Redis is loading the dataset in memory";
inline constexpr std::string_view kNoProto = "NOPROTO unsupported protocol version";
inline constexpr std::string_view kNoScript = "NOSCRIPT No matching script. Please use EVAL.";
inline constexpr std::string_view kMaxClients = "ERR max number of clients reached";
inline constexpr std::string_view kTimeoutNegative = "ERR timeout is negative";
inline constexpr std::string_view kTimeoutNotFloat = "ERR timeout is not a float or out of range";

// Protocol errors (the connection is closed after the reply).
inline constexpr std::string_view kProtoInvalidMultibulk = "ERR Protocol error: invalid multibulk length";
inline constexpr std::string_view kProtoInvalidBulk = "ERR Protocol error: invalid bulk length";
inline constexpr std::string_view kProtoUnbalancedQuotes = "ERR Protocol error: unbalanced quotes in request";
inline constexpr std::string_view kProtoTooBigInline = "ERR Protocol error: too big inline request";
inline constexpr std::string_view kProtoTooBigMbulk = "ERR Protocol error: too big mbulk count string";
inline constexpr std::string_view kProtoTooBigBulk = "ERR Protocol error: too big bulk count string";
// "ERR Protocol error: expected '$', got 'X'" is built by the parser.

// Builders for the errors that embed a name.
inline std::string UnknownCommand(std::string_view name, std::string_view args_preview) {
  // Redis: "ERR unknown command 'foo', with args beginning with: 'a' 'b' "
  std::string s = "ERR unknown command '";
  s.append(name.substr(0, 128));
  s.append("', with args beginning with: ");
  s.append(args_preview);
  return s;
}
inline std::string WrongArgs(std::string_view lower_name) {
  std::string s = "ERR wrong number of arguments for '";
  s.append(lower_name);
  s.append("' command");
  return s;
}
inline std::string UnknownSubcommand(std::string_view sub, std::string_view cmd_upper) {
  // "ERR unknown subcommand 'foo'. Try CLIENT HELP."
  std::string s = "ERR unknown subcommand '";
  s.append(sub.substr(0, 128));
  s.append("'. Try ");
  s.append(cmd_upper);
  s.append(" HELP.");
  return s;
}
inline std::string InvalidExpireTime(std::string_view lower_name) {
  std::string s = "ERR invalid expire time in '";
  s.append(lower_name);
  s.append("' command");
  return s;
}

// Refusals for a connection that has not authenticated yet (Redis 7.0.x security limits).
inline constexpr std::string_view kProtoUnauthMultibulk =
    "ERR Protocol error: unauthenticated multibulk length";
inline constexpr std::string_view kProtoUnauthBulk = "ERR Protocol error: unauthenticated bulk length";

// Keyspace and expiry commands (key family).
inline constexpr std::string_view kInvalidCursor = "ERR invalid cursor";
inline constexpr std::string_view kInvalidFirstDb = "ERR invalid first DB index";
inline constexpr std::string_view kInvalidSecondDb = "ERR invalid second DB index";
inline constexpr std::string_view kIntOutOfRange =
    "ERR value is out of range, value must between -2147483648 and 2147483647";
inline constexpr std::string_view kExpireNxIncompatible =
    "ERR NX and XX, GT or LT options at the same time are not compatible";
inline constexpr std::string_view kExpireGtLtIncompatible =
    "ERR GT and LT options at the same time are not compatible";
inline constexpr std::string_view kLfuNotSelected =
    "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note "
    "that when switching between policies at runtime LRU and LFU data will take some time to "
    "adjust.";
inline constexpr std::string_view kLfuSelected =
    "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when "
    "switching between policies at runtime LRU and LFU data will take some time to adjust.";
inline std::string UnsupportedOption(std::string_view opt) {
  std::string s = "ERR Unsupported option ";
  s.append(opt);
  return s;
}

// String family.
inline constexpr std::string_view kDecrementOverflow = "ERR decrement would overflow";
inline constexpr std::string_view kLcsNotStrings =
    "ERR The specified keys must contain string values";
inline constexpr std::string_view kLcsLenAndIdx =
    "ERR If you want both the length and indexes, please just use IDX.";
inline constexpr std::string_view kLcsTooLong = "ERR String too long for LCS";
inline constexpr std::string_view kLcsTableTooBig =
    "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len";
inline constexpr std::string_view kLcsAllocFailed =
    "ERR Insufficient memory, failed allocating transient memory for LCS";

// Connection and server families (PING..HELLO, CLIENT, INFO, CONFIG, COMMAND, DEBUG, ...).
inline constexpr std::string_view kTimeoutNotInteger = "ERR timeout is not an integer or out of range";
inline constexpr std::string_view kNoSuchClient = "ERR No such client";
inline constexpr std::string_view kClientNameInvalid =
    "ERR Client names cannot contain spaces, newlines or special characters.";
inline constexpr std::string_view kAuthNoPassword =
    "ERR AUTH <password> called without any password configured for the default user. Are you "
    "sure your configuration is correct?";
inline constexpr std::string_view kWrongPass =
    "WRONGPASS invalid username-password pair or user is disabled.";
inline constexpr std::string_view kNoAuthHello =
    "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO "
    "<proto> AUTH <user> <pass> option can be used to authenticate the client and select the "
    "RESP protocol version at the same time";
inline constexpr std::string_view kHelloProtoNotInt =
    "ERR Protocol version is not an integer or out of range";
inline constexpr std::string_view kInvalidClientId = "ERR Invalid client ID";
inline constexpr std::string_view kClientIdNotPositive = "ERR client-id should be greater than 0";
inline constexpr std::string_view kNoShutdownInProgress = "ERR No shutdown in progress.";
inline constexpr std::string_view kInvalidCommandSpecified = "ERR Invalid command specified";
inline constexpr std::string_view kCommandNoKeys = "ERR The command has no key arguments";
inline constexpr std::string_view kInvalidArgsForCommand =
    "ERR Invalid arguments specified for command";
inline constexpr std::string_view kInvalidArgCountForCommand =
    "ERR Invalid number of arguments specified for command";
inline std::string UnknownClientType(std::string_view type) {
  return "ERR Unknown client type '" + std::string(type) + "'";
}
inline std::string NoSuchUser(std::string_view user) {
  return "ERR No such user '" + std::string(user) + "'";
}
inline std::string HelloSyntax(std::string_view opt) {
  return "ERR Syntax error in HELLO option '" + std::string(opt) + "'";
}
inline std::string UnrecognizedOption(std::string_view opt) {
  return "ERR Unrecognized option '" + std::string(opt) + "'";
}
inline std::string AttrInvalid(std::string_view attr) {
  return "ERR " + std::string(attr) + " cannot contain spaces, newlines or special characters.";
}
// Commands that parse their own subcommands (DEBUG): addReplySubcommandSyntaxError.
inline std::string SubcommandSyntax(std::string_view sub, std::string_view cmd_upper) {
  std::string s = "ERR unknown subcommand or wrong number of arguments for '";
  s.append(sub.substr(0, 128));
  s.append("'. Try ");
  s.append(cmd_upper);
  s.append(" HELP.");
  return s;
}

// Bitmaps and HyperLogLog (engine/commands/bitmap_family.cc, hll_family.cc).
inline constexpr std::string_view kBitNotInt = "ERR bit is not an integer or out of range";
inline constexpr std::string_view kBitposBit = "ERR The bit argument must be 1 or 0.";
inline constexpr std::string_view kBitopNotSingle =
    "ERR BITOP NOT must be called with a single source key.";
inline constexpr std::string_view kHllWrongType =
    "WRONGTYPE Key is not a valid HyperLogLog string value.";
inline constexpr std::string_view kHllCorrupted = "INVALIDOBJ Corrupted HLL object detected";

// List family (LPOP/LSET/LPOS/LMPOP), word for word Redis 7.0's.
inline constexpr std::string_view kMustBePositive = "ERR value is out of range, must be positive";
inline constexpr std::string_view kIndexOutOfRange = "ERR index out of range";
inline constexpr std::string_view kLposRankZero =
    "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use "
    "negative to start from the end of the list";
inline constexpr std::string_view kLposCountNegative = "ERR COUNT can't be negative";
inline constexpr std::string_view kLposMaxlenNegative = "ERR MAXLEN can't be negative";
inline constexpr std::string_view kNumkeysNotPositive = "ERR numkeys should be greater than 0";
inline constexpr std::string_view kCountNotPositive = "ERR count should be greater than 0";

// Set family (SINTERCARD, SRANDMEMBER), word for word Redis 7.0's.
inline constexpr std::string_view kNumkeysTooMany =
    "ERR Number of keys can't be greater than number of args";
inline constexpr std::string_view kLimitNegative = "ERR LIMIT can't be negative";
// HRANDFIELD WITHVALUES / ZRANDMEMBER WITHSCORES counts whose reply length would overflow,
// and (kevy only) negative counts past kMaxRandomPicks.
inline constexpr std::string_view kValueOutOfRange = "ERR value is out of range";
inline constexpr std::string_view kSRandMemberCountRange =
    "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807";

// BITFIELD (engine/commands/bitmap_family.cc).
inline constexpr std::string_view kBitfieldType =
    "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 "
    "is.";
inline constexpr std::string_view kBitfieldOverflowType = "ERR Invalid OVERFLOW type specified";
inline constexpr std::string_view kBitfieldRoGetOnly =
    "ERR BITFIELD_RO only supports the GET subcommand";

}  // namespace kevy::errors
