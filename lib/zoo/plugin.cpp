// load_plugin: dlopen a user's library, hand it a registrar, and add what it
// registers to the zoo. Nothing half-registered: models are checked first.

#include <dlfcn.h>

#include "modtrace/plugin.hpp"
#include "modtrace/zoo.hpp"

namespace modtrace {
namespace {

struct Pending {
  zoo::ModelInfo info;
  void* (*create)(void*);
  void* context;
};

struct Collected {
  std::vector<Pending> models;
  std::vector<std::string> problems;
};

int add_model_factory(modtrace_registrar* self, const char* name, const char* description, size_t input_count,
                      const int64_t* const* shapes, const size_t* ranks, const char* input_kind,
                      void* (*create)(void*), void* context) {
  auto& collected = *static_cast<Collected*>(self->context);
  const std::string model = name ? name : "";
  auto refuse = [&](const std::string& why) {
    collected.problems.push_back("model '" + model + "': " + why);
    return -1;
  };
  if (model.empty()) return refuse("a model needs a non-empty name");
  if (create == nullptr) return refuse("no create function");
  if (input_count == 0) return refuse("a model needs at least one input shape");
  if (shapes == nullptr || ranks == nullptr) return refuse("input shapes missing");
  Pending p;
  p.info.name = model;
  p.info.description = description ? description : "";
  for (size_t i = 0; i < input_count; ++i) {
    if (ranks[i] > 0 && shapes[i] == nullptr) return refuse("input shape " + std::to_string(i) + " missing");
    Shape shape(shapes[i], shapes[i] + ranks[i]);
    for (int64_t d : shape) {
      if (d <= 0) return refuse("input shape " + to_string(shape) + " must have positive sizes");
    }
    p.info.input_shapes.push_back(std::move(shape));
  }
  try {
    p.info.input = zoo::parse_input_kind(input_kind ? input_kind : "deterministic");
  } catch (const Error& e) {
    return refuse(e.what());
  }
  if (zoo::contains(model)) return refuse("the zoo already has a model with this name");
  for (const auto& other : collected.models) {
    if (other.info.name == model) return refuse("registered twice");
  }
  p.create = create;
  p.context = context;
  collected.models.push_back(std::move(p));
  return 0;
}

// Version 1's plain create function, called through version 2's context.
void* call_plain(void* function) { return reinterpret_cast<void* (*)(void)>(function)(); }

int add_model(modtrace_registrar* self, const char* name, const char* description, const int64_t* shape,
              size_t rank, const char* input_kind, void* (*create)(void)) {
  if (create == nullptr) return add_model_factory(self, name, description, 1, &shape, &rank, input_kind, nullptr, nullptr);
  return add_model_factory(self, name, description, 1, &shape, &rank, input_kind, call_plain,
                           reinterpret_cast<void*>(create));
}

}  // namespace

std::vector<std::string> load_plugin(const std::string& path) {
  // RTLD_NOW: unresolved symbols show up here, not in the middle of a run.
  // The handle is never closed: models' code lives in the library.
  void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* why = ::dlerror();
    // dlopen searches the system's library directories, never the working
    // directory, for a name without '/': say so when the user meant a file here.
    const bool bare = path.find('/') == std::string::npos;
    throw Error("cannot load plugin '" + path + "': " + (why ? why : "unknown error") +
                (bare ? "; a name without '/' is looked up in the system's library directories only, so a file "
                        "in this directory needs a path: ./" + path
                      : ""));
  }
  ::dlerror();
  auto init = reinterpret_cast<modtrace_plugin_init_fn>(::dlsym(handle, "modtrace_plugin_init"));
  if (init == nullptr) {
    throw Error("plugin '" + path + "' does not export modtrace_plugin_init (see include/modtrace/plugin.hpp)");
  }
  Collected collected;
  modtrace_registrar registrar{MODTRACE_PLUGIN_API_VERSION, add_model, &collected, add_model_factory};
  int status = 0;
  try {
    status = init(&registrar);
  } catch (const std::exception& e) {
    throw Error("plugin '" + path + "': modtrace_plugin_init threw: " + e.what());
  }
  if (!collected.problems.empty()) {
    std::string message = "plugin '" + path + "' registered bad models:";
    for (const auto& p : collected.problems) message += " " + p + ";";
    message.pop_back();
    throw Error(message);
  }
  if (status != 0) {
    throw Error("plugin '" + path + "': modtrace_plugin_init returned " + std::to_string(status) +
                " (modtrace plugin API version " + std::to_string(MODTRACE_PLUGIN_API_VERSION) + ")");
  }
  std::vector<std::string> names;
  for (auto& p : collected.models) {
    auto create = p.create;
    void* context = p.context;
    const std::string name = p.info.name;
    zoo::register_model(std::move(p.info), [create, context, name]() {
      void* made = create(context);
      if (made == nullptr) throw Error("plugin model '" + name + "': create returned null");
      return std::shared_ptr<Module>(static_cast<Module*>(made));
    });
    names.push_back(name);
  }
  return names;
}

}  // namespace modtrace
