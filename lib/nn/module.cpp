#include "modtrace/module.hpp"

#include <cxxabi.h>

#include <algorithm>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <typeinfo>
#include <unordered_map>
#include <unordered_set>

#include "nn/call_scope.hpp"
#include "modtrace/containers.hpp"
#include "trace/recorder.hpp"

namespace modtrace {
namespace detail {

struct HookLists {
  uint64_t next_id = 1;
  std::vector<std::pair<uint64_t, ForwardPreHook>> pre;
  std::vector<std::pair<uint64_t, ForwardHook>> post;
};

namespace {

thread_local std::vector<ActiveCall> tls_call_stack;

}  // namespace

const std::vector<ActiveCall>& module_call_stack() { return tls_call_stack; }

std::string name_in_caller(const Module& caller, const Module& callee) {
  // The first name wins for a module registered twice, as in PyTorch's named_modules().
  for (const auto& [name, child] : caller.registered_children()) {
    if (child.get() == &callee) return name;
  }
  for (const auto& [path, module] : const_cast<Module&>(caller).named_modules()) {
    if (module == &callee && !path.empty()) return path;
  }
  return "<" + callee.type_name() + ">";
}

std::string current_module_path() {
  const auto& stack = tls_call_stack;
  std::string path;
  for (size_t i = 1; i < stack.size(); ++i) {
    path += (path.empty() ? "" : ".") + name_in_caller(*stack[i - 1].module, *stack[i].module);
  }
  return path;
}

std::string current_call_site() {
  const auto& stack = tls_call_stack;
  for (size_t i = stack.size(); i-- > 1;) {
    // A Sequential's forward is library code: the user's line is where the Sequential was called.
    if (dynamic_cast<const Sequential*>(stack[i - 1].module) == nullptr) return source_text(stack[i].where);
  }
  return "";
}

ModuleCallScope::ModuleCallScope(const Module& module, const Tensors& inputs, const SourceLocation& where,
                                 bool tuple_argument)
    : recorder_(tls_recorder) {
  tls_call_stack.push_back({&module, where});
  if (recorder_ != nullptr) [[unlikely]] {
    call_ = recorder_->enter_call(module, inputs, where, tuple_argument);
  }
}

ModuleCallScope::~ModuleCallScope() {
  if (recorder_ != nullptr && !finished_) recorder_->leave_call(call_, nullptr);
  tls_call_stack.pop_back();
}

void ModuleCallScope::finish(const Tensors& outputs) {
  if (recorder_ != nullptr) recorder_->leave_call(call_, &outputs);
  finished_ = true;
}

}  // namespace detail

// ---- calling ----

Tensor Module::operator()(const Tensor& input, SourceLocation where) {
  Tensors outputs = call({input}, where);
  if (outputs.size() != 1) {
    throw Error(type_name() + " returned " + std::to_string(outputs.size()) +
                " tensors; use call() to receive all of them");
  }
  return std::move(outputs[0]);
}

Tensors Module::call(const Tensors& inputs, SourceLocation where) { return run_call(inputs, where, false); }

Tensors Module::call_with_tuple(const Tensors& tuple, SourceLocation where) { return run_call(tuple, where, true); }

Tensors Module::run_call(const Tensors& arguments, const SourceLocation& where, bool tuple) {
  detail::ModuleCallScope scope(*this, arguments, where, tuple);
  try {
    // Hooks may remove themselves while they run: each pass works on a copy of the list.
    const std::shared_ptr<detail::HookLists> hooks = hooks_;
    Tensors args;
    if (hooks) {
      args = arguments;
      for (const auto& [id, hook] : decltype(hooks->pre)(hooks->pre)) {
        if (auto replaced = hook(*this, args)) args = std::move(*replaced);
      }
    }
    const Tensors& in = hooks ? args : arguments;
    // Checked inside the scope, so a wrong count is this module's error, as in PyTorch.
    if (!tuple) check_argument_count(in.size());
    Tensors outputs = tuple ? forward_tuple(in) : forward_many(in);
    if (hooks) {
      for (const auto& [id, hook] : decltype(hooks->post)(hooks->post)) {
        if (auto replaced = hook(*this, in, outputs)) outputs = std::move(*replaced);
      }
    }
    scope.finish(outputs);
    return outputs;
  } catch (Error& e) {
    // The innermost module call names the place; outer calls leave it alone.
    if (!e.has_module_context()) {
      e.set_module_context(detail::current_module_path(), type_name(), detail::current_call_site());
    }
    throw;
  }
}

std::span<const std::string_view> Module::forward_signature() const {
  static constexpr std::string_view names[] = {"input"};
  return names;
}

std::shared_ptr<Module> Module::submodule_ptr(std::string_view path) {
  if (path.empty()) throw Error("submodule_ptr: give a child's path; a module does not hold itself");
  const size_t dot = path.rfind('.');
  Module& parent = dot == std::string_view::npos ? *this : get_submodule(path.substr(0, dot));
  const std::string_view name = dot == std::string_view::npos ? path : path.substr(dot + 1);
  for (const auto& [child_name, child] : parent.children_) {
    if (child_name == name) return child;
  }
  get_submodule(path);  // throws, naming what exists
  throw Error("no submodule '" + std::string(path) + "'");
}

namespace {

// A parameter or buffer by state_dict key: the module's path, then its own name.
Tensor tensor_at(Module& root, std::string_view key, bool parameter) {
  const size_t dot = key.rfind('.');
  Module& owner = dot == std::string_view::npos ? root : root.get_submodule(key.substr(0, dot));
  const std::string_view name = dot == std::string_view::npos ? key : key.substr(dot + 1);
  for (const auto& [own, tensor] : parameter ? owner.own_parameters() : owner.own_buffers()) {
    if (own == name) return tensor;
  }
  std::string names;
  for (const auto& [own, tensor] : parameter ? owner.own_parameters() : owner.own_buffers()) {
    names += (names.empty() ? "" : ", ") + own;
  }
  throw Error(owner.type_name() + " has no " + (parameter ? "parameter" : "buffer") + " '" + std::string(name) +
              "'; its own " + (parameter ? "parameters" : "buffers") + " are: " + (names.empty() ? "none" : names));
}

}  // namespace

Tensor Module::get_parameter(std::string_view key) { return tensor_at(*this, key, true); }
Tensor Module::get_buffer(std::string_view key) { return tensor_at(*this, key, false); }

namespace {

// Python's list of missing parameters: 'b' / 'key' and 'value' / 'a', 'b', and 'c'.
std::string quoted_names(std::span<const std::string_view> names) {
  std::string s;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) s += names.size() == 2 ? " and " : (i + 1 == names.size() ? ", and " : ", ");
    s += "'" + std::string(names[i]) + "'";
  }
  return s;
}

std::string missing_arguments(const std::string& type, std::span<const std::string_view> missing) {
  return type + ".forward() missing " + std::to_string(missing.size()) + " required positional argument" +
         (missing.size() == 1 ? "" : "s") + ": " + quoted_names(missing);
}

bool is_variadic(std::string_view name) { return name.starts_with('*'); }

}  // namespace

void Module::check_argument_count(size_t given) const {
  const auto names = forward_signature();
  const bool variadic = !names.empty() && is_variadic(names.back());
  const size_t required = variadic ? names.size() - 1 : names.size();
  if (given < required) throw Error(missing_arguments(type_name(), names.subspan(given, required - given)));
  if (!variadic && given > required) {
    // Python counts `self`, and so do its messages.
    throw Error(type_name() + ".forward() takes " + std::to_string(required + 1) + " positional argument" +
                (required == 0 ? "" : "s") + " but " + std::to_string(given + 1) + " were given");
  }
}

Tensor Module::forward(const Tensor& /*input*/) {
  throw Error("Module [" + type_name() + "] is missing the required \"forward\" function");
}

Tensors Module::forward_many(const Tensors& inputs) { return {forward(inputs[0])}; }

Tensors Module::forward_tuple(const Tensors& /*tuple*/) {
  const auto names = forward_signature();
  const size_t required = !names.empty() && is_variadic(names.back()) ? names.size() - 1 : names.size();
  // The tuple fills the first parameter; any further required ones are missing.
  if (required > 1) throw Error(missing_arguments(type_name(), names.subspan(1, required - 1)));
  const std::string first = names.empty() ? "input" : std::string(names[0]);
  throw Error(type_name() + ".forward(): argument '" + first + "' (position 1) must be Tensor, not tuple");
}

// ---- hooks ----

HookHandle Module::register_forward_pre_hook(ForwardPreHook hook) {
  if (!hook) throw Error(type_name() + ": a forward pre-hook must be callable");
  if (!hooks_) hooks_ = std::make_shared<detail::HookLists>();
  const uint64_t id = hooks_->next_id++;
  hooks_->pre.emplace_back(id, std::move(hook));
  return HookHandle(hooks_, id);
}

HookHandle Module::register_forward_hook(ForwardHook hook) {
  if (!hook) throw Error(type_name() + ": a forward hook must be callable");
  if (!hooks_) hooks_ = std::make_shared<detail::HookLists>();
  const uint64_t id = hooks_->next_id++;
  hooks_->post.emplace_back(id, std::move(hook));
  return HookHandle(hooks_, id);
}

void HookHandle::remove() {
  const auto lists = lists_.lock();
  if (!lists) return;
  std::erase_if(lists->pre, [&](const auto& entry) { return entry.first == id_; });
  std::erase_if(lists->post, [&](const auto& entry) { return entry.first == id_; });
}

// ---- naming and printing ----

namespace {
// "modtrace::zoo::SimpleBlock" -> "SimpleBlock"; template arguments are kept whole.
std::string demangled_type_name(const std::type_info& type) {
  int status = 0;
  const char* mangled = type.name();
  std::unique_ptr<char, void (*)(void*)> demangled(abi::__cxa_demangle(mangled, nullptr, nullptr, &status),
                                                   std::free);
  std::string name = status == 0 && demangled ? demangled.get() : mangled;
  const size_t angle = name.find('<');
  const size_t colon = name.rfind("::", angle);
  return colon == std::string::npos ? name : name.substr(colon + 2);
}
}  // namespace

std::string Module::type_name() const {
  // Demangled once per type: a trace asks at every module call.
  static std::shared_mutex mutex;
  // By type_info's address: cheaper to hash than type_index (its name), and
  // a type seen under two addresses (two shared libraries) is only demangled twice.
  static std::unordered_map<const std::type_info*, std::string> names;
  const std::type_info* type = &typeid(*this);
  {
    const std::shared_lock lock(mutex);
    if (const auto it = names.find(type); it != names.end()) return it->second;
  }
  std::string name = demangled_type_name(typeid(*this));
  const std::unique_lock lock(mutex);
  return names.try_emplace(type, std::move(name)).first->second;
}

std::string Module::repr() const {
  const std::string extra = extra_repr();
  if (children_.empty()) return type_name() + "(" + extra + ")";
  std::string out = type_name() + "(\n";
  if (!extra.empty()) out += "  " + extra + "\n";
  for (const auto& [name, child] : children_) {
    std::string text = child->repr();
    // Indent the child's continuation lines by two spaces, like torch's _addindent.
    for (size_t pos = text.find('\n'); pos != std::string::npos; pos = text.find('\n', pos + 3)) {
      text.insert(pos + 1, "  ");
    }
    out += "  (" + name + "): " + text + "\n";
  }
  return out + ")";
}

// ---- registration ----

void Module::check_new_name(const std::string& name, const char* kind) const {
  if (name.empty() || name.find('.') != std::string::npos) {
    throw Error(type_name() + ": " + kind + " name '" + name + "' must be non-empty and contain no '.'");
  }
  auto taken = [&](const auto& list) {
    for (const auto& entry : list) {
      if (entry.first == name) return true;
    }
    return false;
  };
  if (taken(children_) || taken(parameters_) || taken(buffers_)) {
    throw Error(type_name() + ": cannot register " + kind + " '" + name + "': the name is already used");
  }
}

void Module::add_child(std::string name, std::shared_ptr<Module> module) {
  if (!module) throw Error(type_name() + ": cannot register module '" + name + "': it is null");
  check_new_name(name, "module");
  children_.emplace_back(std::move(name), std::move(module));
}

Tensor& Module::register_parameter(std::string name, Tensor value) {
  check_new_name(name, "parameter");
  return parameters_.emplace_back(std::move(name), std::move(value)).second;
}

Tensor& Module::register_buffer(std::string name, Tensor value) {
  check_new_name(name, "buffer");
  return buffers_.emplace_back(std::move(name), std::move(value)).second;
}

// ---- traversal ----

NamedModules Module::named_children() const {
  NamedModules out;
  std::unordered_set<const Module*> seen;  // PyTorch's memo: an instance once, under its first name
  for (const auto& entry : children_) {
    if (seen.insert(entry.second.get()).second) out.push_back(entry);
  }
  return out;
}

std::vector<std::shared_ptr<Module>> Module::children() const {
  std::vector<std::shared_ptr<Module>> out;
  for (auto& entry : named_children()) out.push_back(std::move(entry.second));
  return out;
}

std::vector<std::pair<std::string, Module*>> Module::named_modules() {
  std::vector<std::pair<std::string, Module*>> out;
  std::unordered_set<const Module*> seen;
  auto visit = [&](auto&& self, Module& m, const std::string& path) -> void {
    if (!seen.insert(&m).second) return;
    out.emplace_back(path, &m);
    for (const auto& [name, child] : m.children_) self(self, *child, path.empty() ? name : path + "." + name);
  };
  visit(visit, *this, "");
  return out;
}

Module& Module::get_submodule(std::string_view path) {
  if (!path.empty() && (path.front() == '.' || path.back() == '.' || path.find("..") != std::string_view::npos)) {
    throw Error("'" + std::string(path) + "' is not a module path: it has an empty part (a path is names joined by '.', "
                "e.g. layer1.0.conv1)");
  }
  Module* current = this;
  std::string walked;
  while (!path.empty()) {
    const size_t dot = path.find('.');
    const std::string_view part = path.substr(0, dot);
    Module* next = nullptr;
    for (const auto& [name, child] : current->children_) {
      if (name == part) next = child.get();
    }
    if (next == nullptr) {
      std::string names;
      for (const auto& entry : current->children_) names += (names.empty() ? "" : ", ") + entry.first;
      throw Error((walked.empty() ? type_name() : "'" + walked + "' (" + current->type_name() + ")") +
                  " has no child '" + std::string(part) + "'; its children are: " +
                  (names.empty() ? "none" : names));
    }
    walked += (walked.empty() ? "" : ".") + std::string(part);
    current = next;
    path = dot == std::string_view::npos ? std::string_view{} : path.substr(dot + 1);
  }
  return *current;
}

namespace {

NamedTensors collect(Module& root, const TensorSlots& (Module::*slots)() const) {
  NamedTensors out;
  std::set<std::pair<const float*, Shape>> seen;  // each tensor once, as PyTorch's memo does
  for (const auto& [path, module] : root.named_modules()) {
    for (const auto& [name, t] : (module->*slots)()) {
      if (!t.defined()) continue;
      const float* key = t.is_meta() ? nullptr : t.data();
      if (key && !seen.insert({key, t.shape()}).second) continue;
      out.emplace_back(path.empty() ? name : path + "." + name, t);
    }
  }
  return out;
}

}  // namespace

NamedTensors Module::named_parameters() const {
  return collect(const_cast<Module&>(*this), &Module::own_parameters);
}

NamedTensors Module::named_buffers() const { return collect(const_cast<Module&>(*this), &Module::own_buffers); }

std::vector<Tensor> Module::parameters() const {
  std::vector<Tensor> out;
  for (auto& entry : named_parameters()) out.push_back(std::move(entry.second));
  return out;
}

int64_t Module::parameter_count() const {
  int64_t n = 0;
  for (const auto& entry : named_parameters()) n += entry.second.numel();
  return n;
}

NamedTensors Module::state_dict() const {
  NamedTensors out;
  auto visit = [&](auto&& self, const Module& m, const std::string& prefix) -> void {
    for (const auto& [name, t] : m.parameters_) {
      if (t.defined()) out.emplace_back(prefix + name, t);
    }
    for (const auto& [name, t] : m.buffers_) {
      if (t.defined()) out.emplace_back(prefix + name, t);
    }
    for (const auto& [name, child] : m.children_) self(self, *child, prefix + name + ".");
  };
  visit(visit, *this, "");
  return out;
}

LoadResult Module::load_state_dict(const NamedTensors& state, bool strict) {
  NamedTensors own = state_dict();
  std::unordered_map<std::string, size_t> index;
  for (size_t i = 0; i < own.size(); ++i) index.emplace(own[i].first, i);
  LoadResult result;
  std::vector<std::string> problems;
  std::vector<std::pair<size_t, const Tensor*>> copies;  // (index in `own`, value)
  std::set<std::string> given;
  for (const auto& [key, value] : state) {
    if (!given.insert(key).second) problems.push_back("duplicate key \"" + key + "\"");
    const auto found = index.find(key);
    if (found == index.end()) {
      result.unexpected_keys.push_back(key);
      continue;
    }
    Tensor& target = own[found->second].second;
    if (!value.defined() || target.shape() != value.shape()) {
      problems.push_back("size mismatch for " + key + ": copying a tensor with shape " +
                         (value.defined() ? to_string(value.shape()) : std::string("(undefined)")) +
                         ", the shape in the current model is " + to_string(target.shape()));
    } else {
      copies.emplace_back(found->second, &value);
    }
  }
  for (const auto& [key, t] : own) {
    if (!given.count(key)) result.missing_keys.push_back(key);
  }
  // A few keys, then how many more: a whole model's keys would be kilobytes on one line.
  auto quoted_list = [](const std::vector<std::string>& keys) {
    constexpr size_t kShown = 5;
    std::string s;
    for (size_t i = 0; i < keys.size() && i < kShown; ++i) s += (s.empty() ? "\"" : ", \"") + keys[i] + "\"";
    if (keys.size() > kShown) s += ", … and " + std::to_string(keys.size() - kShown) + " more";
    return s;
  };
  if (strict && !result.unexpected_keys.empty()) {
    problems.insert(problems.begin(), "Unexpected key(s) in state_dict: " + quoted_list(result.unexpected_keys));
  }
  if (strict && !result.missing_keys.empty()) {
    problems.insert(problems.begin(), "Missing key(s) in state_dict: " + quoted_list(result.missing_keys));
  }
  if (!problems.empty()) {
    constexpr size_t kShown = 8;
    std::string message = "Error(s) in loading state_dict for " + type_name() + ":";
    for (size_t i = 0; i < problems.size() && i < kShown; ++i) message += "\n\t" + problems[i];
    if (problems.size() > kShown) message += "\n\t… and " + std::to_string(problems.size() - kShown) + " more problems";
    throw Error(message);
  }
  // Everything checked: now copy (tensors in `own` share storage with the model's).
  // In the model's key order, as PyTorch loads module by module: a module
  // registered under two names ends with the value of its later name.
  std::sort(copies.begin(), copies.end());
  for (auto& [index, source] : copies) own[index].second.copy_(*source);
  return result;
}

Module& Module::train(bool on) {
  for (const auto& [path, module] : named_modules()) module->training_ = on;
  return *this;
}

}  // namespace modtrace
