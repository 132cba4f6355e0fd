// A plugin whose model factory returns null: building the model must fail cleanly.

#include <modtrace/plugin.hpp>

namespace {
void* make_nothing() { return nullptr; }
}  // namespace

extern "C" int modtrace_plugin_init(modtrace_registrar* r) {
  const int64_t shape[] = {1, 4};
  return r->add_model(r, "null_model", "create returns null", shape, 2, "ones", make_nothing);
}
