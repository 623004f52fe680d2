// placeholder: being written
#include "engine/command.h"
namespace kevy {
void RegisterListFamily(CommandRegistry&) {}
}  // namespace kevy
