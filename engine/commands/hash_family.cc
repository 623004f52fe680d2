// placeholder: being written
#include "engine/command.h"
namespace kevy {
void RegisterHashFamily(CommandRegistry&) {}
}  // namespace kevy
