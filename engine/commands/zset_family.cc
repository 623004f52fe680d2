// placeholder: being written
#include "engine/command.h"
namespace kevy {
void RegisterZsetFamily(CommandRegistry&) {}
}  // namespace kevy
