// Dotted module paths (--at, get_submodule, submodule_ptr, get_parameter,
// get_buffer) on any text, in a ResNet-18 (Sequentials with numeric names,
// nested blocks, parameters and buffers at every depth). A path that
// resolves names exactly the module named_modules() lists under it.

#include <map>
#include <memory>
#include <string>

#include "harness.hpp"
#include "modtrace/zoo.hpp"

namespace {

struct Model {
  std::shared_ptr<modtrace::Module> root = modtrace::zoo::create("resnet18");
  std::map<std::string, const modtrace::Module*> by_path;
  Model() {
    for (const auto& [path, module] : root->named_modules()) by_path.emplace(path, module);
  }
};

}  // namespace

void fuzz::module_path(std::string_view bytes) {
  static Model model;
  // The text up to the first newline is the path; the rest, if any, a
  // parameter or buffer key.
  const size_t newline = bytes.find('\n');
  const std::string_view path = bytes.substr(0, newline);
  if (newline != std::string_view::npos) {
    const std::string_view key = bytes.substr(newline + 1);
    try {
      model.root->get_parameter(key);
    } catch (const modtrace::Error&) {
    }
    model.root->get_buffer(key);  // may throw Error: a clean refusal
    return;
  }
  const modtrace::Module& found = model.root->get_submodule(path);
  const auto listed = model.by_path.find(std::string(path));
  if (listed == model.by_path.end() || listed->second != &found) {
    throw InvariantBroken("get_submodule('" + std::string(path) + "') found a module named_modules() does not list there");
  }
  // "" is the root itself, which submodule_ptr refuses (no shared_ptr to it).
  if (!path.empty() && model.root->submodule_ptr(path).get() != &found) {
    throw InvariantBroken("submodule_ptr('" + std::string(path) + "') differs from get_submodule");
  }
}
