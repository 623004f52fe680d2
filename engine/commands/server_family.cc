// placeholder: being written
#include "engine/command.h"
namespace kevy {
void RegisterServerFamily(CommandRegistry&) {}
}  // namespace kevy
