#pragma once
// Plugins: models from a user's shared library, for the modtrace tool.
//
// A plugin is a shared library, built against these headers and linked with
// modtrace, that exports one C function:
//
//   extern "C" int modtrace_plugin_init(modtrace_registrar* registrar);
//
// It checks registrar->api_version, calls registrar->add_model (a model with
// one input, made by a function) or, since version 2, add_model_factory (any
// number of inputs, made by a function given a context: a closure), once per
// model, and returns 0 (anything else is reported as a failure). The create
// function returns a new modtrace::Module allocated with `new`; modtrace owns
// and deletes it. The library stays loaded for the life of the process.
//
// In C++ the helpers below do the bookkeeping:
//
//   #include <modtrace/plugin.hpp>
//   struct Tiny : modtrace::Module { … };                      // default-constructible
//   struct Tower : modtrace::Module { Tower(int64_t width); … };  // forward_signature() {"query", "context"}
//   extern "C" int modtrace_plugin_init(modtrace_registrar* r) {
//     if (modtrace::plugin::add<Tiny>(r, "tiny", "a tiny model", {1, 8}) != 0) return 1;
//     return modtrace::plugin::add_factory(r, "tower_16", "two inputs, width 16",
//                                          [] { return std::make_unique<Tower>(16); }, {{1, 8}, {1, 4}});
//   }
//
// and the tool uses them with `modtrace --plugin ./libtiny.so diff tiny`.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <string>
#include <type_traits>
#include <deque>
#include <vector>
#include "modtrace/export.hpp"

MODTRACE_PUBLIC_BEGIN
extern "C" {

// 2: add_model_factory (several inputs, a create function with a context).
// A plugin built for version N loads into any modtrace whose api_version is
// at least N.
#define MODTRACE_PLUGIN_API_VERSION 2

typedef struct modtrace_registrar modtrace_registrar;

struct modtrace_registrar {
  // MODTRACE_PLUGIN_API_VERSION of the modtrace loading the plugin.
  int api_version;
  // Registers a model taking one input. input_kind: "ones", "zeros" or
  // "deterministic". Returns 0, or non-zero when the model is refused (the
  // loader reports why).
  int (*add_model)(modtrace_registrar* self, const char* name, const char* description, const int64_t* input_shape,
                   size_t input_rank, const char* input_kind, void* (*create)(void));
  void* context;  // modtrace's own
  // Since version 2: a model taking input_count inputs (input i has
  // input_ranks[i] sizes at input_shapes[i]), made by create(create_context).
  // The context must live as long as the plugin (modtrace never frees it).
  int (*add_model_factory)(modtrace_registrar* self, const char* name, const char* description, size_t input_count,
                           const int64_t* const* input_shapes, const size_t* input_ranks, const char* input_kind,
                           void* (*create)(void* create_context), void* create_context);
};

// The symbol a plugin exports.
typedef int (*modtrace_plugin_init_fn)(modtrace_registrar* registrar);
}

namespace modtrace {

class Module;

// Loads a plugin and registers its models in the zoo; returns their names.
// Throws Error when the library cannot be loaded, lacks modtrace_plugin_init,
// was built for another API version, fails, or registers a bad model.
std::vector<std::string> load_plugin(const std::string& path);

namespace plugin {

// Registers model type M (default-constructible) from a plugin's init function.
template <class M>
int add(modtrace_registrar* registrar, const char* name, const char* description,
        std::initializer_list<int64_t> input_shape, const char* input_kind = "deterministic") {
  if (registrar == nullptr || registrar->api_version < 1) return -1;
  const std::vector<int64_t> shape(input_shape);
  void* (*create)() = []() -> void* { return new M(); };
  return registrar->add_model(registrar, name, description, shape.data(), shape.size(), input_kind, create);
}

// Registers a model made by `factory`, any callable returning a
// std::unique_ptr to a Module (a lambda may capture its configuration), with
// one input shape per tensor its forward takes.
template <class Factory>
int add_factory(modtrace_registrar* registrar, const char* name, const char* description, Factory factory,
                std::initializer_list<std::initializer_list<int64_t>> input_shapes,
                const char* input_kind = "deterministic") {
  using Made = typename std::invoke_result_t<Factory&>::element_type;
  static_assert(std::is_base_of_v<Module, Made>, "the factory must return a std::unique_ptr to a modtrace::Module");
  if (registrar == nullptr || registrar->api_version < 2) return -1;
  std::vector<std::vector<int64_t>> shapes(input_shapes.begin(), input_shapes.end());
  std::vector<const int64_t*> data;
  std::vector<size_t> ranks;
  for (const auto& s : shapes) {
    data.push_back(s.data());
    ranks.push_back(s.size());
  }
  // Lives as long as the plugin (the registry may build the model at any
  // time), owned by the plugin itself so that it is freed at exit.
  static std::deque<std::function<Module*()>> factories;
  auto* context = &factories.emplace_back([factory]() mutable -> Module* { return factory().release(); });
  void* (*create)(void*) = [](void* c) -> void* { return (*static_cast<std::function<Module*()>*>(c))(); };
  return registrar->add_model_factory(registrar, name, description, shapes.size(), data.data(), ranks.data(),
                                      input_kind, create, context);
}

}  // namespace plugin
}  // namespace modtrace
MODTRACE_PUBLIC_END
