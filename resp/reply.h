// RESP reply writer. Appends RESP2 or RESP3 encodings of replies to a byte buffer.
//
// One ReplyBuilder writes into one std::string (a connection's output buffer, or a pending
// reply slot). The protocol version decides how maps, sets, nulls, doubles and booleans are
// written: RESP2 folds them into arrays, bulk strings and integers exactly as Redis does.
// Not thread-safe; it only appends to the buffer and never blocks.
#pragma once

#include <cstdint>
#include <initializer_list>
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

  void SimpleString(std::string_view s);  // +s (CR/LF in s become spaces)
  void Ok() { out_->append("+OK\r\n", 5); }
  // `msg` is the full error text without the leading '-' (e.g. "ERR syntax error",
  // "WRONGTYPE Operation ..."), written as "-msg\r\n": the caller supplies the code word
  // (texts come from resp/errors.h). A leading '-' in msg is tolerated (not doubled), an
  // empty msg becomes "-ERR", and CR/LF in msg are replaced by spaces, as Redis does for
  // formatted errors, so a reply can never break the stream.
  void Error(std::string_view msg);
  void Integer(int64_t v);                                          // :v
  void Bulk(std::string_view s);                                    // $len s
  void Verbatim(std::string_view s, std::string_view fmt = "txt");  // RESP3 '=', RESP2 bulk
  void Null();                                                      // RESP2 $-1, RESP3 _
  void NullArray();                                                 // RESP2 *-1, RESP3 _
  void Double(double d);       // RESP2 bulk of FormatDouble(d), RESP3 ,FormatDouble(d)
  void Bool(bool b);           // RESP2 :1/:0, RESP3 #t/#f
  void ArrayHeader(size_t n);  // *n
  void MapHeader(size_t n);    // n pairs: RESP2 *2n, RESP3 %n
  void SetHeader(size_t n);    // RESP2 *n, RESP3 ~n
  void PushHeader(size_t n);   // RESP2 *n, RESP3 >n
  void BulkArray(std::initializer_list<std::string_view> items);
  // Bytes already RESP-encoded (e.g. a reply produced on another shard).
  void Raw(std::string_view bytes) { out_->append(bytes); }

 private:
  void Header(char prefix, int64_t n);
  std::string* out_;
  int proto_;
};

// Formats a double for a reply: the shortest digits that read back as the same double
// ("inf", "-inf", "nan", "-0" for the specials), laid out as C's "%.17g" lays them out:
// plain notation when the decimal exponent X satisfies -4 <= X < 17, otherwise
// "d.ddde+XX" with at least two exponent digits. So 1.1 -> "1.1", 3.0 -> "3",
// 1e300 -> "1e+300", 1e-5 -> "1e-05", 0.1+0.2 -> "0.30000000000000004".
// Redis 7.0 prints "%.17g" itself (1.1 -> "1.1000000000000001"); Redis 7.2 prints the
// shortest digits but with fpconv's layout (1e-5 -> "0.00001"). We deliberately take the
// shortest digits, in the layout of the 7.0 servers we replace. Returns the number of chars
// written into buf (buf must hold at least 32 bytes; no NUL is written).
int FormatDouble(double d, char* buf);
// Formats a long double the way INCRBYFLOAT / HINCRBYFLOAT store and reply with it
// (Redis's ld2string() in LD_STR_HUMAN mode): "%.17Lf", then trailing zeros and a trailing
// '.' removed, "-0" written as "0", "inf"/"-inf"/"nan" for the specials. Never uses an
// exponent: 5e3 -> "5000", 10.5 + 0.1 -> "10.6".
std::string FormatLongDouble(long double v);

}  // namespace kevy
