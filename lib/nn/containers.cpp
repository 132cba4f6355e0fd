#include "modtrace/containers.hpp"

namespace modtrace {
Module& IndexedModules::operator[](size_t index) const {
  const auto& children = registered_children();
  if (index >= children.size()) {
    throw Error(type_name() + ": index " + std::to_string(index) + " is out of range for " +
                std::to_string(children.size()) + " modules");
  }
  return *children[index].second;
}

Sequential::Sequential(const std::vector<std::pair<std::string, std::shared_ptr<Module>>>& named_modules) {
  for (const auto& [name, m] : named_modules) add(name, m);
}

Tensors Sequential::forward_many(const Tensors& inputs) { return run_children(inputs, false); }

Tensors Sequential::forward_tuple(const Tensors& tuple) { return run_children(tuple, true); }

Tensors Sequential::run_children(Tensors value, bool is_tuple) {
  for (const auto& entry : registered_children()) {
    value = is_tuple ? entry.second->call_with_tuple(value) : entry.second->call(value);
    // One tensor stays a tensor; anything else travels on as one tuple.
    is_tuple = value.size() != 1;
  }
  return value;
}

ModuleDict::ModuleDict(const std::vector<std::pair<std::string, std::shared_ptr<Module>>>& named_modules) {
  for (const auto& [name, m] : named_modules) insert(name, m);
}

bool ModuleDict::contains(const std::string& name) const {
  for (const auto& entry : registered_children()) {
    if (entry.first == name) return true;
  }
  return false;
}

Module& ModuleDict::operator[](const std::string& name) const {
  for (const auto& entry : registered_children()) {
    if (entry.first == name) return *entry.second;
  }
  throw Error("ModuleDict has no key '" + name + "'");
}

std::vector<std::string> ModuleDict::keys() const {
  std::vector<std::string> out;
  for (const auto& entry : registered_children()) out.push_back(entry.first);
  return out;
}

}  // namespace modtrace
