// DUMP and RESTORE (issue 4): filled in next.
#include "engine/command.h"

namespace kevy {
void RegisterDumpFamily(CommandRegistry&) {}
}  // namespace kevy
