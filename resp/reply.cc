// placeholder: being written
#include "resp/reply.h"
namespace kevy {
void ReplyBuilder::SimpleString(std::string_view s) { out_->append("+").append(s).append("\r\n"); }
void ReplyBuilder::Error(std::string_view s) { out_->append("-").append(s).append("\r\n"); }
void ReplyBuilder::Integer(int64_t v) { out_->append(":").append(std::to_string(v)).append("\r\n"); }
void ReplyBuilder::Bulk(std::string_view s) { out_->append("$").append(std::to_string(s.size())).append("\r\n").append(s).append("\r\n"); }
void ReplyBuilder::Null() { out_->append("$-1\r\n"); }
void ReplyBuilder::NullArray() { out_->append("*-1\r\n"); }
void ReplyBuilder::ArrayHeader(size_t n) { out_->append("*").append(std::to_string(n)).append("\r\n"); }
void ReplyBuilder::MapHeader(size_t n) { ArrayHeader(2 * n); }
void ReplyBuilder::SetHeader(size_t n) { ArrayHeader(n); }
void ReplyBuilder::PushHeader(size_t n) { ArrayHeader(n); }
void ReplyBuilder::Double(double d) { Bulk(std::to_string(d)); }
void ReplyBuilder::Bool(bool b) { Integer(b); }
void ReplyBuilder::Verbatim(std::string_view s, std::string_view) { Bulk(s); }
void ReplyBuilder::BulkArray(std::initializer_list<std::string_view> items) { ArrayHeader(items.size()); for (auto i : items) Bulk(i); }
}  // namespace kevy
