// placeholder: being written
#include "engine/command.h"
namespace kevy {
void RegisterConnectionFamily(CommandRegistry&) {}
}  // namespace kevy
