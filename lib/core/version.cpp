#include "modtrace/version.hpp"

namespace modtrace {

const char* library_version() noexcept { return MODTRACE_VERSION; }

}  // namespace modtrace
