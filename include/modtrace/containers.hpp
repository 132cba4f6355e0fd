#pragma once
// Containers as in torch.nn: Sequential, ModuleList, ModuleDict.

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "modtrace/module.hpp"
#include "modtrace/export.hpp"

MODTRACE_PUBLIC_BEGIN
namespace modtrace {

// What Sequential and ModuleList share: children appended under their
// index ("0", "1", …) and reached by position.
class IndexedModules : public Module {
 public:
  template <class M>
  M& push_back(std::shared_ptr<M> module) {
    return register_module(std::to_string(size()), std::move(module));
  }
  template <class M, class... Args>
  M& emplace_back(Args&&... args) {
    return push_back(std::make_shared<M>(std::forward<Args>(args)...));
  }

  // Every registration counts: a module held twice is two entries, as in PyTorch.
  size_t size() const { return registered_children().size(); }
  bool empty() const { return size() == 0; }
  // Error past the end.
  Module& operator[](size_t index) const;

 protected:
  IndexedModules() = default;
  explicit IndexedModules(const std::vector<std::shared_ptr<Module>>& modules) {
    for (const auto& m : modules) push_back(m);
  }
};

// PyTorch's nn.Sequential, exactly: forward takes one argument and calls
// each child in registration order on the previous one's result (a module
// held twice runs twice). A child that returns several tensors hands the
// next child one tuple (call_with_tuple), which only a module that accepts a
// tuple takes; the Sequential returns what its last child returns. Called
// with two tensors it raises PyTorch's TypeError before any child runs; an
// empty Sequential returns its argument.
//
// Children are named "0", "1", … unless given names (PyTorch's OrderedDict
// form). Modules passed in are shared, not copied: this is how
// nn.Sequential(*list(model.children())) reuses a model's own children.
class Sequential : public IndexedModules {
 public:
  Sequential() = default;
  explicit Sequential(const std::vector<std::shared_ptr<Module>>& modules) : IndexedModules(modules) {}
  explicit Sequential(const std::vector<std::pair<std::string, std::shared_ptr<Module>>>& named_modules);

  // Appends under a chosen name.
  template <class M>
  M& add(std::string name, std::shared_ptr<M> module) {
    return register_module(std::move(name), std::move(module));
  }

 protected:
  Tensors forward_many(const Tensors& inputs) override;
  Tensors forward_tuple(const Tensors& tuple) override;

 private:
  Tensors run_children(Tensors value, bool is_tuple);
};

// Holds modules in a list; like PyTorch's, it has no forward, so calling it
// fails with PyTorch's message. Its children are named "0", "1", ….
class ModuleList : public IndexedModules {
 public:
  ModuleList() = default;
  explicit ModuleList(const std::vector<std::shared_ptr<Module>>& modules) : IndexedModules(modules) {}

  // The module at `index` as its concrete type; Error if it is another type.
  template <class M>
  M& at(size_t index) const {
    return checked_cast<M>((*this)[index], std::to_string(index));
  }

  template <class M>
  static M& checked_cast(Module& m, const std::string& name) {
    if (auto* typed = dynamic_cast<M*>(&m)) return *typed;
    throw Error("module '" + name + "' is a " + m.type_name() + ", not the type requested");
  }
};

// Holds named modules; like PyTorch's, it has no forward.
class ModuleDict : public Module {
 public:
  ModuleDict() = default;
  explicit ModuleDict(const std::vector<std::pair<std::string, std::shared_ptr<Module>>>& named_modules);

  template <class M>
  M& insert(std::string name, std::shared_ptr<M> module) {
    return register_module(std::move(name), std::move(module));
  }

  size_t size() const { return registered_children().size(); }
  bool contains(const std::string& name) const;
  Module& operator[](const std::string& name) const;
  template <class M>
  M& at(const std::string& name) const {
    return ModuleList::checked_cast<M>((*this)[name], name);
  }
  std::vector<std::string> keys() const;
};

}  // namespace modtrace
MODTRACE_PUBLIC_END
