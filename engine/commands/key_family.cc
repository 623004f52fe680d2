// placeholder: being written
#include "engine/command.h"
namespace kevy {
void RegisterKeyFamily(CommandRegistry&) {}
}  // namespace kevy
