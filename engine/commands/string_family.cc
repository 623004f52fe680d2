// placeholder: being written
#include "engine/command.h"
namespace kevy {
void RegisterStringFamily(CommandRegistry&) {}
}  // namespace kevy
