// placeholder: being written
#include "resp/parser.h"
namespace kevy {
void ArgList::push_back_owned(std::string v) { storage_.push_back(std::move(v)); args_.push_back(storage_.back()); }
ParseResult ParseRequest(std::string_view, const ParserLimits&, ArgList*) { return {}; }
}  // namespace kevy
