// RESP reply writer. Appends RESP2 or RESP3 encodings of replies to a byte buffer.
//
// One ReplyBuilder writes into one std::string (a connection's output buffer, or a pending
// reply slot). The protocol version decides how maps, sets, nulls, doubles and booleans are
// written: RESP2 folds them into arrays, bulk strings and integers exactly as Redis does.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace kevy {

class ReplyBuilder {
 public:
  explicit ReplyBuilder(std::string* out, int proto = 2) : out_(out), proto_(proto) {}

  int proto() const { return proto_; }
  void set_proto(int p) { proto_ = p; }
  std::string* buffer() const { return out_; }
  void set_buffer(std::string* out) { out_ = out; }

  void SimpleString(std::string_view s);    // +s
  void Ok() { SimpleString("OK"); }
  // `msg` is the full error text without the leading '-' (e.g. "ERR syntax error",
  // "WRONGTYPE Operation ..."). If it does not start with an upper-case code word, Redis's
  // rule applies and "ERR " is prepended. CR/LF in msg are replaced by spaces.
  void Error(std::string_view msg);
  void Integer(int64_t v);                  // :v
  void Bulk(std::string_view s);            // $len s
  void Verbatim(std::string_view s, std::string_view fmt = "txt");  // RESP3 '=', RESP2 bulk
  void Null();                              // RESP2 $-1, RESP3 _
  void NullArray();                         // RESP2 *-1, RESP3 _
  void Double(double d);                    // RESP2 bulk of Redis's %.17g form, RESP3 ,d
  void Bool(bool b);                        // RESP2 :1/:0, RESP3 #t/#f
  void ArrayHeader(size_t n);               // *n
  void MapHeader(size_t n);                 // n pairs: RESP2 *2n, RESP3 %n
  void SetHeader(size_t n);                 // RESP2 *n, RESP3 ~n
  void PushHeader(size_t n);                // RESP2 *n, RESP3 >n
  void BulkArray(std::initializer_list<std::string_view> items);
  // Bytes already RESP-encoded (e.g. a reply produced on another shard).
  void Raw(std::string_view bytes) { out_->append(bytes); }

 private:
  void Header(char prefix, int64_t n);
  std::string* out_;
  int proto_;
};

// Formats a double the way Redis 7 replies with it (shortest round-trip, "inf"/"-inf",
// integers without ".0" -- as addReplyDouble / fpconv_dtoa). Returns the number of chars
// written into buf (buf must hold at least 32 bytes).
int FormatDouble(double d, char* buf);
// Formats a long double the way INCRBYFLOAT / HINCRBYFLOAT do (%.17Lg, trailing zeros
// removed, no exponent form for humanly sized values). Returns the string.
std::string FormatLongDouble(long double v);

}  // namespace kevy
