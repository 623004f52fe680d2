// placeholder: being written
#include "engine/command.h"
namespace kevy {
void RegisterBitmapFamily(CommandRegistry&) {}
}  // namespace kevy
