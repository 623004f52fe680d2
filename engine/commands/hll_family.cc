// placeholder: being written
#include "engine/command.h"
namespace kevy {
void RegisterHllFamily(CommandRegistry&) {}
}  // namespace kevy
