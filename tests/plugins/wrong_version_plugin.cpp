// A plugin that refuses to load because it expects another API version
// (what an outdated plugin does): for the loader's error-path test.

#include <modtrace/plugin.hpp>

extern "C" int modtrace_plugin_init(modtrace_registrar* registrar) {
  constexpr int built_for = MODTRACE_PLUGIN_API_VERSION + 1;
  return registrar->api_version == built_for ? 0 : 1;
}
