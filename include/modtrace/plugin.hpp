#pragma once
// Plugins: models from a user's shared library, for the modtrace tool.
//
// A plugin is a shared library, built against these headers and linked with
// modtrace, that exports one C function:
//
//   extern "C" int modtrace_plugin_init(modtrace_registrar* registrar);
//
// It checks registrar->api_version, calls registrar->add_model once per model
// and returns 0 (anything else is reported as a failure). `create` returns a
// new modtrace::Module allocated with `new`; modtrace owns and deletes it.
// The library stays loaded for the life of the process.
//
// In C++ the helper below does the bookkeeping:
//
//   #include <modtrace/plugin.hpp>
//   struct Tiny : modtrace::Module { … };
//   extern "C" int modtrace_plugin_init(modtrace_registrar* r) {
//     return modtrace::plugin::add<Tiny>(r, "tiny", "a tiny model", {1, 8}, "deterministic");
//   }
//
// and the tool uses it with `modtrace --plugin ./libtiny.so diff tiny`.

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

extern "C" {

#define MODTRACE_PLUGIN_API_VERSION 1

typedef struct modtrace_registrar modtrace_registrar;

struct modtrace_registrar {
  // MODTRACE_PLUGIN_API_VERSION of the modtrace loading the plugin.
  int api_version;
  // Registers a model. input_kind: "ones", "zeros" or "deterministic".
  // Returns 0, or non-zero when the model is refused (the loader reports why).
  int (*add_model)(modtrace_registrar* self, const char* name, const char* description, const int64_t* input_shape,
                   size_t input_rank, const char* input_kind, void* (*create)(void));
  void* context;  // modtrace's own
};

// The symbol a plugin exports.
typedef int (*modtrace_plugin_init_fn)(modtrace_registrar* registrar);
}

namespace modtrace {

// Loads a plugin and registers its models in the zoo; returns their names.
// Throws Error when the library cannot be loaded, lacks modtrace_plugin_init,
// was built for another API version, fails, or registers a bad model.
std::vector<std::string> load_plugin(const std::string& path);

namespace plugin {

// Registers model type M (default-constructible) from a plugin's init function.
template <class M>
int add(modtrace_registrar* registrar, const char* name, const char* description,
        std::initializer_list<int64_t> input_shape, const char* input_kind = "deterministic") {
  if (registrar == nullptr || registrar->api_version != MODTRACE_PLUGIN_API_VERSION) return -1;
  const std::vector<int64_t> shape(input_shape);
  void* (*create)() = []() -> void* { return new M(); };
  return registrar->add_model(registrar, name, description, shape.data(), shape.size(), input_kind, create);
}

}  // namespace plugin
}  // namespace modtrace
