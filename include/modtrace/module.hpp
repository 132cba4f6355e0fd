#pragma once
// Module: the PyTorch-style building block.
//
//   struct SimpleBlock : modtrace::Module {
//     Tensor forward(const Tensor& x) override { return x * 2; }
//   };
//   struct MainModel : modtrace::Module {
//     SimpleBlock& block_0 = register_module("block_0", std::make_shared<SimpleBlock>());
//     SimpleBlock& block_1 = register_module("block_1", std::make_shared<SimpleBlock>());
//     Tensor forward(const Tensor& x) override { return block_1(block_0(x) * 3 + 3); }
//   };
//
// Children, parameters and buffers are kept in registration order, which is
// what named_children(), state_dict() and the children-only Sequential use.
// One instance registered under two names follows PyTorch's rules exactly:
// named_children(), children(), named_modules() and parameters() list it
// once (under its first name), registered_children(), repr() and
// state_dict() under each name.
//
// Calling a module (operator(), call() or call_with_tuple()) is non-virtual:
// it checks the arguments against forward_signature(), opens a scope that the
// tracer records (with the line that made the call), then runs the virtual
// forward.

#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "modtrace/source_location.hpp"
#include "modtrace/tensor.hpp"
#include "modtrace/export.hpp"

MODTRACE_PUBLIC_BEGIN
namespace modtrace {

using NamedTensors = std::vector<std::pair<std::string, Tensor>>;
class Module;
using NamedModules = std::vector<std::pair<std::string, std::shared_ptr<Module>>>;
// A module's own parameters or buffers: a deque, so references handed out by
// register_parameter stay valid as more are added.
using TensorSlots = std::deque<std::pair<std::string, Tensor>>;

// Forward hooks, as PyTorch's: a pre-hook sees a call's arguments before
// forward runs and may replace them; a hook sees arguments and results after
// forward and may replace the results (return std::nullopt to keep them).
// They run inside the module's call, so a trace counts their ops as the
// module's own.
using ForwardPreHook = std::function<std::optional<Tensors>(Module& module, const Tensors& inputs)>;
using ForwardHook =
    std::function<std::optional<Tensors>(Module& module, const Tensors& inputs, const Tensors& outputs)>;

namespace detail {
struct HookLists;
}

// What register_forward_hook returns. remove() unregisters the hook; removing
// twice, or after the module is gone, does nothing.
class HookHandle {
 public:
  HookHandle() = default;
  void remove();

 private:
  friend class Module;
  HookHandle(std::weak_ptr<detail::HookLists> lists, uint64_t id) : lists_(std::move(lists)), id_(id) {}
  std::weak_ptr<detail::HookLists> lists_;
  uint64_t id_ = 0;
};

// What load_state_dict found (strict loading throws instead of returning problems).
struct LoadResult {
  std::vector<std::string> missing_keys;
  std::vector<std::string> unexpected_keys;
};

class Module {
 public:
  virtual ~Module() = default;
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;

  // One tensor in, one tensor out: the common case.
  Tensor operator()(const Tensor& input, SourceLocation where = SourceLocation::current());
  // Tensors as positional arguments (attention takes three); a forward may
  // return several (a tuple in PyTorch).
  Tensors call(const Tensors& inputs, SourceLocation where = SourceLocation::current());
  // One argument that is a tuple (or list) of tensors: what nn.Sequential
  // passes on when a child returns a tuple, and how torchvision's DenseNet
  // hands its layers a list. Only modules that accept a tuple take it
  // (forward_tuple); the others fail as in PyTorch: "Add2.forward() missing
  // 1 required positional argument: 'b'", "ReLU.forward(): argument 'input'
  // (position 1) must be Tensor, not tuple".
  Tensors call_with_tuple(const Tensors& tuple, SourceLocation where = SourceLocation::current());

  // The names of forward's positional parameters, as PyTorch's signature has
  // them: {"input"} unless a module says otherwise; a last name starting
  // with '*' takes any number of tensors. call() checks the count against
  // it, with PyTorch's wording. A module taking three tensors:
  //   std::span<const std::string_view> forward_signature() const override {
  //     static constexpr std::string_view names[] = {"query", "key", "value"};
  //     return names;
  //   }
  virtual std::span<const std::string_view> forward_signature() const;

  // PyTorch's class name ("Conv2d"); by default the C++ class name without namespaces.
  virtual std::string type_name() const;
  // The part inside the parentheses when printed: "3, 64, kernel_size=(7, 7), …".
  virtual std::string extra_repr() const { return {}; }
  // The module tree as PyTorch prints it.
  std::string repr() const;

  // ---- children, in registration order ----
  // As PyTorch's named_children() / children(): each instance once, under the
  // first name it was registered with. What nn.Sequential(*children()) holds.
  NamedModules named_children() const;
  std::vector<std::shared_ptr<Module>> children() const;
  // Every registration, a shared instance under each of its names (PyTorch's
  // _modules): what repr(), state_dict(), get_submodule() and the containers
  // (a Sequential holding one module twice runs it twice) go by.
  const NamedModules& registered_children() const { return children_; }
  // This module ("" path) and every descendant, pre-order, each instance once.
  std::vector<std::pair<std::string, Module*>> named_modules();
  // The descendant at a dotted path ("layer1.0.conv1"); "" is this module.
  // Throws Error naming the missing part and what exists there.
  Module& get_submodule(std::string_view path);
  // The same as the shared_ptr its parent holds, to put in a container:
  // Sequential({model->submodule_ptr("features"), make<Flatten>(1)}).
  std::shared_ptr<Module> submodule_ptr(std::string_view path);
  // The parameter or buffer with this state_dict key ("encoder.pos_embedding"),
  // sharing storage; PyTorch's get_parameter / get_buffer. Error when absent.
  Tensor get_parameter(std::string_view key);
  Tensor get_buffer(std::string_view key);

  // ---- parameters and buffers ----
  const TensorSlots& own_parameters() const { return parameters_; }
  const TensorSlots& own_buffers() const { return buffers_; }
  NamedTensors named_parameters() const;  // dotted names, each tensor once
  NamedTensors named_buffers() const;
  std::vector<Tensor> parameters() const;
  // Parameters then buffers, module by module in pre-order, with dotted keys:
  // the order and keys of torch's state_dict(). The tensors share storage.
  NamedTensors state_dict() const;
  // Copies values into the existing tensors. Checks everything first: with
  // strict, missing or unexpected keys throw; a shape mismatch always throws;
  // on any error nothing is modified.
  LoadResult load_state_dict(const NamedTensors& state, bool strict = true);
  int64_t parameter_count() const;

  // ---- hooks (see ForwardHook), run in registration order ----
  HookHandle register_forward_pre_hook(ForwardPreHook hook);
  HookHandle register_forward_hook(ForwardHook hook);

  // ---- mode ----
  Module& train(bool on = true);
  Module& eval() { return train(false); }
  bool is_training() const { return training_; }

 protected:
  Module() = default;

  // Registers a child under `name` and returns it. Registering an existing
  // module (shared_ptr) shares it, as PyTorch does.
  template <class M>
  M& register_module(std::string name, std::shared_ptr<M> module) {
    M& ref = *module;
    add_child(std::move(name), std::move(module));
    return ref;
  }
  // Constructs the child in place: register_module<Linear>("fc", 512, 1000).
  template <class M, class... Args>
  M& register_module(std::string name, Args&&... args) {
    return register_module(std::move(name), std::make_shared<M>(std::forward<Args>(args)...));
  }
  // Registers a tensor as a parameter or buffer; the returned reference stays
  // valid for the module's lifetime and is the tensor state_dict() exposes.
  Tensor& register_parameter(std::string name, Tensor value);
  Tensor& register_buffer(std::string name, Tensor value);

  // Override one: forward for one-tensor modules, forward_many for the rest
  // (with forward_signature() naming its parameters). Both get arguments
  // already checked against the signature.
  virtual Tensor forward(const Tensor& input);
  virtual Tensors forward_many(const Tensors& inputs);
  // A tuple as the one argument (see call_with_tuple). Override it in modules
  // whose forward accepts a tuple or list (torchvision's _DenseLayer); the
  // default raises PyTorch's TypeError.
  virtual Tensors forward_tuple(const Tensors& tuple);

 private:
  Tensors run_call(const Tensors& arguments, const SourceLocation& where, bool tuple);
  // PyTorch's TypeError unless `given` positional tensors fit forward_signature().
  void check_argument_count(size_t given) const;
  void add_child(std::string name, std::shared_ptr<Module> module);
  void check_new_name(const std::string& name, const char* kind) const;

  NamedModules children_;
  std::shared_ptr<detail::HookLists> hooks_;  // null until a hook is registered: calls then pay one check
  TensorSlots parameters_;
  TensorSlots buffers_;
  bool training_ = true;
};

// Creates a module like std::make_shared (the usual way to build a model).
template <class M, class... Args>
std::shared_ptr<M> make(Args&&... args) {
  return std::make_shared<M>(std::forward<Args>(args)...);
}

namespace detail {
// A module call in progress on this thread: the module and the line that called it.
struct ActiveCall {
  const Module* module;
  SourceLocation where;
};
// The modules being called on this thread, outermost first (for error paths and the tracer).
const std::vector<ActiveCall>& module_call_stack();
// How `caller` names `callee`: its child's name, or its dotted path when the
// callee is a deeper descendant (a ModuleList member called by the list's
// owner); "<Type>" when the callee is not in the caller's tree at all.
std::string name_in_caller(const Module& caller, const Module& callee);
// Dotted path of the innermost module call relative to the outermost one.
std::string current_module_path();
// "file:line" of the code that called the innermost module; when a
// Sequential called it, the line that called the Sequential (and so on
// outward): the line a user wrote. "" for the outermost module.
std::string current_call_site();
}  // namespace detail

}  // namespace modtrace
MODTRACE_PUBLIC_END
