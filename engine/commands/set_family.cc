// placeholder: being written
#include "engine/command.h"
namespace kevy {
void RegisterSetFamily(CommandRegistry&) {}
}  // namespace kevy
