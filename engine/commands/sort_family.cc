// SORT and SORT_RO (issue 3): filled in next.
#include "engine/command.h"

namespace kevy {
void RegisterSortFamily(CommandRegistry&) {}
}  // namespace kevy
