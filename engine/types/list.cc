// List (engine/types/list.h): memory accounting.
#include "engine/types/list.h"

namespace kevy {

size_t List::HeapBytes() const {
  // Each element: the std::string object in the deque's blocks, plus its heap buffer when
  // it is too long for the small-string buffer.
  size_t bytes = sizeof(List) + items_.size() * sizeof(std::string);
  for (const std::string& s : items_)
    if (s.capacity() > 15) bytes += s.capacity() + 1;
  return bytes;
}

}  // namespace kevy
