// An ONNX graph as a Module tree: one ImportedModule per module the exporter's
// scopes (or tools/export_onnx.py's metadata) name, each running the nodes of
// its own calls as modtrace ops and calling its children as modules, so the
// tracer sees the same calls and ops as for a model written in C++.
//
// Each call the file records becomes a program: its own nodes and child calls
// in order, the data values it takes from outside (its arguments) and those
// it hands back (its results). A module called from its parent's program runs
// the program of that very call (shapes baked in by the exporter then fit);
// called any other way (by the children-only Sequential, say) it runs the
// program of its first call, as a PyTorch module runs the same forward
// whatever called it.
//
// Static values (shapes, axes, constants) live model-wide, keyed by their
// unique ONNX names: a child run alone can still read a shape its parent
// computed. Data values live in the environment of the call that runs.

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <queue>
#include <set>
#include <unordered_map>
#include <utility>

#include "import/onnx_calls.hpp"
#include "import/onnx_graph.hpp"
#include "import/onnx_ops.hpp"
#include "modtrace/error.hpp"
#include "modtrace/functional.hpp"
#include "modtrace/onnx.hpp"
#include "modtrace/trace.hpp"

namespace modtrace {

namespace detail::onnx {
namespace {

// One step of a program: a node of the call itself, or a child call.
struct Step {
  bool is_call = false;
  size_t index = 0;                  // node index or call index
  std::string pass_value;            // for a call that ran no op: the value it passes on
  std::vector<std::string> release;  // data values no later step reads
};

struct Program {
  std::vector<std::string> inputs;   // data values from outside, in the order the call first reads them
  std::vector<std::string> outputs;  // data values made inside and used outside, in the order they are made
  std::vector<Step> steps;
  bool ran_no_op = false;            // the call holds no node at all (an eval-mode Dropout, an Identity)
};

class ImportedModule;

// What every module of one imported model shares.
struct Shared {
  Graph graph;
  CallTree tree;
  std::vector<Program> programs;                       // by call
  std::unordered_map<std::string, Value> constants;    // initializers, by name
  std::unordered_map<std::string, Value> statics;      // static values as last computed, by name
  std::vector<ImportedModule*> modules;                // by module index
  std::vector<std::vector<size_t>> calls_of;           // by module: its calls, in order
  std::vector<std::string> origins;                    // by node: "model.onnx: /layer1/layer1.0/Add", for traces
};

bool is_dropout(const std::string& type) {
  return type == "Dropout" || type == "Dropout1d" || type == "Dropout2d" || type == "Dropout3d" ||
         type == "AlphaDropout" || type == "FeatureAlphaDropout";
}

// "p=0.5, inplace=False" -> 0.5
double probability(const std::string& extra_repr, double fallback) {
  const size_t at = extra_repr.find("p=");
  if (at == std::string::npos) return fallback;
  try {
    return std::stod(extra_repr.substr(at + 2));
  } catch (const std::exception&) {
    return fallback;
  }
}

class ImportedModule final : public Module {
 public:
  ImportedModule(std::shared_ptr<Shared> shared, size_t index) : shared_(std::move(shared)), index_(index) {}

  std::string type_name() const override { return type_; }
  std::string extra_repr() const override { return info().extra_repr; }
  std::span<const std::string_view> forward_signature() const override { return signature_views_; }

  void set_type(std::string type) { type_ = std::move(type); }
  void set_signature(std::vector<std::string> names) {
    signature_ = std::move(names);
    signature_views_.assign(signature_.begin(), signature_.end());
  }
  void add(const std::string& name, const std::shared_ptr<Module>& child) { register_module(name, child); }
  Tensor& add_parameter(const std::string& name, const Tensor& t) { return register_parameter(name, t); }
  Tensor& add_buffer(const std::string& name, const Tensor& t) { return register_buffer(name, t); }
  // The next call runs this recorded call's program (set by the calling program).
  void expect_call(size_t call) { pending_ = call; }

 protected:
  Tensors forward_many(const Tensors& inputs) override;

 private:
  const ModuleInfo& info() const { return shared_->tree.modules[index_]; }

  std::shared_ptr<Shared> shared_;
  size_t index_;
  std::string type_;
  std::vector<std::string> signature_;
  std::vector<std::string_view> signature_views_;
  std::optional<size_t> pending_;
};

// ---- running a program ----

const std::string& child_path(const Shared& shared, size_t call) {
  return shared.tree.modules[shared.tree.calls[call].module].path;
}

Tensors run_program(Shared& shared, size_t call_id, const Tensors& arguments) {
  const Program& program = shared.programs[call_id];
  const Graph& g = shared.graph;
  std::unordered_map<std::string, Value> env;
  for (size_t i = 0; i < program.inputs.size(); ++i) env[program.inputs[i]] = arguments[i];

  auto lookup = [&](const std::string& name) -> const Value* {
    if (name.empty()) return nullptr;
    if (auto it = env.find(name); it != env.end()) return &it->second;
    if (auto it = shared.statics.find(name); it != shared.statics.end()) return &it->second;
    if (auto it = shared.constants.find(name); it != shared.constants.end()) return &it->second;
    return nullptr;
  };
  auto missing = [&](const std::string& name, const std::string& reader) {
    const std::string& module = shared.tree.modules[shared.tree.calls[call_id].module].path;
    throw Error("cannot run " + reader + ": value '" + name + "' is not available in module '" + module +
                "' (it is a shape or constant computed outside the module; run the whole model once first)");
  };

  for (const Step& step : program.steps) {
    if (!step.is_call) {
      const Node& node = g.nodes[step.index];
      std::vector<const Value*> inputs;
      for (const auto& name : node.inputs) {
        const Value* v = lookup(name);
        if (!name.empty() && v == nullptr) missing(name, describe(g, node));
        inputs.push_back(v);
      }
      NodeRun run(g, node, std::move(inputs));
      std::vector<Value> outputs;
      const OpOrigin origin(shared.origins[step.index]);
      try {
        outputs = node.data ? run_data_node(run) : run_static_node(run);
      } catch (Error& e) {
        e.set_source(shared.origins[step.index]);
        throw;
      }
      for (size_t o = 0; o < node.outputs.size() && o < outputs.size(); ++o) {
        if (node.outputs[o].empty()) continue;
        (node.data ? env : shared.statics)[node.outputs[o]] = std::move(outputs[o]);
      }
    } else {
      ImportedModule& child = *shared.modules[shared.tree.calls[step.index].module];
      const Program& callee = shared.programs[step.index];
      if (callee.ran_no_op) {
        // A call that ran no op passes its argument on (x = self.dropout(x)).
        const Value* v = lookup(step.pass_value);
        if (v == nullptr || !std::holds_alternative<Tensor>(*v)) missing(step.pass_value, "a call that ran no op");
        Tensors out = child.call({std::get<Tensor>(*v)}, {});
        if (out.size() == 1) env[step.pass_value] = out[0];
      } else {
        Tensors args;
        for (const auto& name : callee.inputs) {
          const Value* v = lookup(name);
          if (v == nullptr || !std::holds_alternative<Tensor>(*v)) missing(name, "a call of module '" + child_path(shared, step.index) + "'");
          args.push_back(std::get<Tensor>(*v));
        }
        child.expect_call(step.index);
        Tensors out = child.call(args, {});
        for (size_t o = 0; o < callee.outputs.size() && o < out.size(); ++o) env[callee.outputs[o]] = out[o];
      }
    }
    for (const auto& name : step.release) env.erase(name);
  }

  Tensors results;
  for (const auto& name : program.outputs) {
    const Value* v = lookup(name);
    if (v == nullptr) missing(name, "the end of the call");
    results.push_back(std::holds_alternative<Tensor>(*v) ? std::get<Tensor>(*v) : std::get<StaticValue>(*v).tensor());
  }
  return results;
}

Tensors ImportedModule::forward_many(const Tensors& inputs) {
  Shared& shared = *shared_;
  // Modules whose eval-mode forward is an identity still call their op in
  // PyTorch (F.dropout): record it, as a model written with modtrace's layers would.
  const bool identity_in_eval = is_dropout(type_) || type_ == "StochasticDepth";
  if (inputs.size() == 1 && identity_in_eval) {
    // The export helper's Identity node marks where the call ran: label the op with it.
    const std::optional<size_t> call = std::exchange(pending_, std::nullopt);
    const auto& nodes = call ? shared.tree.calls[*call].nodes : std::vector<size_t>{};
    const OpOrigin origin(nodes.empty() ? std::string_view() : std::string_view(shared.origins[nodes.front()]));
    if (is_dropout(type_)) return {F::dropout(inputs[0], probability(info().extra_repr, 0.5), false, {})};
    const std::string& repr = info().extra_repr;
    const std::string mode = repr.find("mode=batch") != std::string::npos ? "batch" : "row";
    return {F::stochastic_depth(inputs[0], probability(repr, 0.0), mode, false, {})};
  }
  std::optional<size_t> call = std::exchange(pending_, std::nullopt);
  if (!call) {
    // Called directly: the first call that ran ops is this module's forward.
    for (size_t c : shared.calls_of[index_]) {
      if (!shared.programs[c].ran_no_op) {
        call = c;
        break;
      }
    }
  }
  if (!call || shared.programs[*call].ran_no_op) {
    const bool called = !shared.calls_of[index_].empty();
    if (called || type_ == "Identity") return {inputs.at(0)};
    throw Error("module '" + info().path + "' (" + type_ +
                ") never ran when the model was exported, so the file holds none of its computation");
  }
  const Program& program = shared.programs[*call];
  if (inputs.size() != program.inputs.size()) {
    throw Error("this call of the imported module takes " + std::to_string(program.inputs.size()) +
                " tensors, not " + std::to_string(inputs.size()));
  }
  return run_program(shared, *call, inputs);
}


// ---- building ----

// The exporter writes one copy of equal initializers and makes the others with
// root-level Identity nodes ("Identity_3": layer4.0.bn1.weight -> layer4.1.bn2.bias).
// In PyTorch they are separate tensors: give each its own initializer.
void separate_equal_initializers(Graph& g) {
  std::vector<Node> kept;
  for (auto& node : g.nodes) {
    const bool copies_initializer = node.op_type == "Identity" && node.scope.empty() && node.inputs.size() == 1 &&
                                    node.outputs.size() == 1 && g.initializers.count(node.inputs[0]);
    if (!copies_initializer) {
      kept.push_back(std::move(node));
      continue;
    }
    Initializer copy = g.initializers.at(node.inputs[0]);
    if (copy.is_float && !copy.tensor.is_meta()) {
      const auto v = copy.tensor.values();
      copy.tensor = Tensor(copy.tensor.shape(), std::vector<float>(v.begin(), v.end()));
    }
    g.initializers[node.outputs[0]] = std::move(copy);
  }
  g.nodes = std::move(kept);
}

// Which call each node ran in.
std::vector<size_t> call_of_nodes(const Graph& g, const CallTree& tree) {
  std::vector<size_t> call_of(g.nodes.size(), 0);
  for (size_t c = 0; c < tree.calls.size(); ++c) {
    for (size_t n : tree.calls[c].nodes) call_of[n] = c;
  }
  return call_of;
}

// Every call's arguments, results and steps, from who makes and who reads each value.
void build_programs(Shared& shared) {
  const Graph& g = shared.graph;
  const CallTree& tree = shared.tree;
  const size_t calls = tree.calls.size();
  const std::vector<size_t> call_of = call_of_nodes(g, tree);

  std::unordered_map<std::string, size_t> made_in, made_by;  // value -> call, value -> node
  for (const auto& name : g.inputs) made_in[name] = 0;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    for (const auto& out : g.nodes[i].outputs) {
      if (out.empty()) continue;
      made_in[out] = call_of[i];
      made_by[out] = i;
    }
  }
  auto data = [&](const std::string& v) { return g.is_data.at(v); };

  // Values each call reads from outside its subtree (with the first reading
  // node) and makes for outside; calls with nodes anywhere below them.
  std::vector<std::map<std::string, size_t>> reads_from_outside(calls);
  std::vector<std::set<std::string>> results(calls);
  std::vector<bool> has_nodes(calls, false);
  for (size_t c = 0; c < calls; ++c) {
    if (tree.calls[c].nodes.empty()) continue;
    for (int a = static_cast<int>(c); a >= 0 && !has_nodes[static_cast<size_t>(a)]; a = tree.calls[static_cast<size_t>(a)].parent) {
      has_nodes[static_cast<size_t>(a)] = true;
    }
  }
  auto crossing = [&](const std::string& v, size_t maker, size_t reader, size_t node) {
    for (size_t c = reader; !tree.within(maker, c); c = static_cast<size_t>(tree.calls[c].parent)) {
      auto [it, added] = reads_from_outside[c].emplace(v, node);
      if (!added) it->second = std::min(it->second, node);
    }
    for (size_t c = maker; !tree.within(reader, c); c = static_cast<size_t>(tree.calls[c].parent)) {
      results[c].insert(v);
    }
  };
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    for (const auto& in : g.nodes[i].inputs) {
      const auto it = made_in.find(in);
      if (!in.empty() && it != made_in.end()) crossing(in, it->second, call_of[i], i);  // initializers cross nothing
    }
  }
  for (const auto& out : g.outputs) {
    const auto it = made_in.find(out);
    if (it != made_in.end()) {
      for (size_t c = it->second; c != 0; c = static_cast<size_t>(tree.calls[c].parent)) results[c].insert(out);
    }
  }

  shared.programs.assign(calls, Program{});
  for (size_t c = 0; c < calls; ++c) {
    Program& p = shared.programs[c];
    p.ran_no_op = !has_nodes[c];
    if (c == 0) {
      p.inputs = g.inputs;
      p.outputs = g.outputs;
    } else {
      std::vector<std::pair<size_t, std::string>> in, out;
      for (const auto& [v, node] : reads_from_outside[c]) {
        if (data(v)) in.emplace_back(node, v);
      }
      for (const auto& v : results[c]) {
        if (data(v)) out.emplace_back(made_by.at(v), v);
      }
      std::sort(in.begin(), in.end());
      std::sort(out.begin(), out.end());
      for (auto& [pos, v] : in) p.inputs.push_back(v);
      for (auto& [pos, v] : out) p.outputs.push_back(v);
    }
  }

  // Steps: own nodes and child calls in the order they ran, reordered only
  // where a value must be made before it is read.
  for (size_t c = 0; c < calls; ++c) {
    Program& p = shared.programs[c];
    const Call& call = tree.calls[c];
    std::vector<Step> steps;
    std::vector<double> position;
    for (size_t n : call.nodes) {
      steps.push_back(Step{false, n, {}, {}});
      position.push_back(static_cast<double>(n));
    }
    for (size_t child : call.calls) {
      steps.push_back(Step{true, child, {}, {}});
      position.push_back(tree.calls[child].begins);
    }
    std::unordered_map<std::string, size_t> step_making;
    for (size_t s = 0; s < steps.size(); ++s) {
      if (!steps[s].is_call) {
        for (const auto& out : g.nodes[steps[s].index].outputs) step_making[out] = s;
      }
    }
    for (const auto& [v, maker] : made_in) {
      // A value made below a child call is made by that call's step.
      if (maker == c || !tree.within(maker, c)) continue;
      size_t below = maker;
      while (tree.calls[below].parent != static_cast<int>(c)) below = static_cast<size_t>(tree.calls[below].parent);
      for (size_t s = 0; s < steps.size(); ++s) {
        if (steps[s].is_call && steps[s].index == below) step_making[v] = s;
      }
    }
    std::vector<std::vector<size_t>> after(steps.size());
    std::vector<size_t> waiting(steps.size(), 0);
    for (size_t s = 0; s < steps.size(); ++s) {
      std::set<size_t> needs;
      auto need = [&](const std::string& v) {
        const auto it = step_making.find(v);
        if (it != step_making.end() && it->second != s) needs.insert(it->second);
      };
      if (steps[s].is_call) {
        for (const auto& [v, node] : reads_from_outside[steps[s].index]) need(v);
      } else {
        for (const auto& v : g.nodes[steps[s].index].inputs) need(v);
      }
      for (size_t m : needs) {
        after[m].push_back(s);
        ++waiting[s];
      }
    }
    using Ready = std::pair<double, size_t>;
    std::priority_queue<Ready, std::vector<Ready>, std::greater<>> ready;
    for (size_t s = 0; s < steps.size(); ++s) {
      if (waiting[s] == 0) ready.emplace(position[s], s);
    }
    while (!ready.empty()) {
      const size_t s = ready.top().second;
      ready.pop();
      p.steps.push_back(steps[s]);
      for (size_t t : after[s]) {
        if (--waiting[t] == 0) ready.emplace(position[t], t);
      }
    }
    if (p.steps.size() != steps.size()) {
      throw Error("cannot import '" + g.origin + "': the calls inside module '" + tree.modules[call.module].path +
                  "' interleave, so they cannot run one after another (are the node names edited?)");
    }

    // What a call that ran no op passes on: the value made just before it.
    std::string last = p.inputs.empty() ? std::string() : p.inputs[0];
    for (Step& step : p.steps) {
      if (!step.is_call) {
        const Node& node = g.nodes[step.index];
        if (node.data && !node.outputs.empty() && !node.outputs[0].empty()) last = node.outputs[0];
      } else if (shared.programs[step.index].ran_no_op) {
        step.pass_value = last;
      } else if (shared.programs[step.index].outputs.size() == 1) {
        last = shared.programs[step.index].outputs[0];
      }
    }
  }

  // Release each data value after its last reader (or at once if nothing reads it).
  for (size_t c = 0; c < calls; ++c) {
    Program& p = shared.programs[c];
    std::unordered_map<std::string, size_t> last_use;
    auto use = [&](const std::string& v, size_t s) {
      if (!v.empty()) last_use[v] = s;
    };
    for (size_t s = 0; s < p.steps.size(); ++s) {
      const Step& step = p.steps[s];
      if (!step.is_call) {
        const Node& node = g.nodes[step.index];
        for (const auto& v : node.inputs) use(v, s);
        if (node.data) {
          for (const auto& v : node.outputs) {
            if (!last_use.count(v)) use(v, s);
          }
        }
      } else if (shared.programs[step.index].ran_no_op) {
        use(step.pass_value, s);
      } else {
        for (const auto& v : shared.programs[step.index].inputs) use(v, s);
        for (const auto& v : shared.programs[step.index].outputs) {
          if (!last_use.count(v)) use(v, s);
        }
      }
    }
    const std::set<std::string> kept(p.outputs.begin(), p.outputs.end());
    for (const auto& [v, s] : last_use) {
      if (!kept.count(v) && g.is_data.count(v) && g.is_data.at(v) && !g.initializers.count(v)) {
        p.steps[s].release.push_back(v);
      }
    }
  }
}

// The type shown for a module when the metadata does not name it: the op of a
// leaf that ran one kind of op ("Conv"), else "Module".
std::string inferred_type(const Shared& shared, size_t module) {
  if (module == 0) return "Module";
  if (!shared.tree.modules[module].children.empty()) return "Module";
  std::set<std::string> ops;
  for (size_t c : shared.calls_of[module]) {
    for (size_t n : shared.tree.calls[c].nodes) {
      if (shared.graph.nodes[n].data) ops.insert(shared.graph.nodes[n].op_type);
    }
  }
  return ops.size() == 1 ? *ops.begin() : "Module";
}

std::vector<std::string> signature_of(const Shared& shared, size_t module) {
  std::set<size_t> arities;
  for (size_t c : shared.calls_of[module]) {
    if (!shared.programs[c].ran_no_op) arities.insert(shared.programs[c].inputs.size());
  }
  if (arities.size() > 1) return {"*inputs"};
  const size_t n = arities.empty() ? 1 : *arities.begin();
  const auto& known = shared.tree.modules[module].signature;
  if (known.size() == n) return known;
  if (n == 1) return {"input"};
  std::vector<std::string> names;
  for (size_t i = 0; i < n; ++i) names.push_back("input" + std::to_string(i));
  return names;
}

bool valid_name(const std::string& name) {
  return !name.empty() && name.find('.') == std::string::npos && name.find('/') == std::string::npos &&
         name.find(':') == std::string::npos;
}

// Parameters and buffers: each initializer on the module its state_dict key
// names (metadata, or a key that fits the module tree), else on the module
// whose op reads it, under the name PyTorch gives that operand.
std::vector<std::string> register_tensors(Shared& shared, std::vector<std::shared_ptr<ImportedModule>>& modules,
                                          const std::map<std::string, size_t>& module_at, bool meta) {
  Graph& g = shared.graph;
  const CallTree& tree = shared.tree;
  std::vector<std::string> notes;
  std::set<std::string> placed;
  std::vector<std::set<std::string>> names(modules.size());
  auto place = [&](size_t m, const std::string& local, const std::string& init, bool buffer) {
    if (!valid_name(local) || names[m].count(local)) return false;
    Tensor& t = g.initializers.at(init).tensor;
    if (buffer) modules[m]->add_buffer(local, t);
    else modules[m]->add_parameter(local, t);
    names[m].insert(local);
    placed.insert(init);
    return true;
  };

  if (tree.from_metadata) {
    std::vector<std::string> absent;
    for (size_t m = 0; m < tree.modules.size(); ++m) {
      const ModuleInfo& info = tree.modules[m];
      for (int pass = 0; pass < 2; ++pass) {
        for (const auto& local : pass == 0 ? info.parameters : info.buffers) {
          const std::string key = info.path.empty() ? local : info.path + "." + local;
          const auto it = g.initializers.find(key);
          if (it != g.initializers.end() && it->second.is_float) {
            place(m, local, key, pass == 1);
            continue;
          }
          // In the module but not in the graph: the forward never read it.
          const auto shape_it = info.shapes.find(local);
          const Shape shape = shape_it == info.shapes.end() ? Shape{} : shape_it->second;
          const Tensor t = meta ? Tensor::meta(shape) : Tensor::zeros(shape);
          if (pass == 0) modules[m]->add_parameter(local, t);
          else modules[m]->add_buffer(local, t);
          names[m].insert(local);
          if (local != "num_batches_tracked") absent.push_back(key);
        }
      }
    }
    if (!absent.empty()) {
      std::string list;
      for (size_t i = 0; i < absent.size() && i < 5; ++i) list += (i ? ", " : "") + absent[i];
      if (absent.size() > 5) list += " and " + std::to_string(absent.size() - 5) + " more";
      notes.push_back(std::to_string(absent.size()) + " parameters or buffers the forward never read are not in the file (" +
                      list + "); they are zeros here");
    }
  }

  const std::vector<size_t> call_of = call_of_nodes(g, tree);
  for (auto& [name, init] : g.initializers) {
    if (!init.is_float || placed.count(name)) continue;
    // A state_dict key: module path, then the tensor's own name.
    const size_t dot = name.rfind('.');
    if (!tree.from_metadata && dot != std::string::npos) {
      const auto it = module_at.find(name.substr(0, dot));
      const std::string local = name.substr(dot + 1);
      const bool buffer = local == "running_mean" || local == "running_var" || local == "num_batches_tracked";
      if (it != module_at.end() && place(it->second, local, name, buffer)) continue;
    }
    if (!tree.from_metadata && dot == std::string::npos && valid_name(name) && place(0, name, name, false)) continue;
    // Otherwise by the op that reads it (a folded constant: "onnx::Conv_193").
    for (size_t i = 0; i < g.nodes.size() && !placed.count(name); ++i) {
      const Node& node = g.nodes[i];
      for (size_t k = 0; k < node.inputs.size(); ++k) {
        if (node.inputs[k] != name) continue;
        bool buffer = false;
        const std::string role = parameter_role(node.op_type, k, buffer);
        if (!role.empty() && place(tree.calls[call_of[i]].module, role, name, buffer)) break;
      }
      if (placed.count(name)) break;
    }
  }
  for (auto& [name, init] : g.initializers) {
    shared.constants[name] = init.is_float ? Value(init.tensor) : Value(init.value);
  }
  return notes;
}

ImportedModel build(Graph graph, const ImportOptions& options) {
  separate_equal_initializers(graph);
  for (const auto& node : graph.nodes) {
    if (!supported(node.op_type)) {
      throw Error("cannot import '" + graph.origin + "': " + describe(graph, node) + " is an op modtrace cannot run");
    }
  }
  auto shared = std::make_shared<Shared>();
  shared->graph = std::move(graph);
  shared->tree = build_call_tree(shared->graph);
  Shared& s = *shared;
  const CallTree& tree = s.tree;
  const std::string file = std::filesystem::path(s.graph.origin).filename().string();
  for (const auto& node : s.graph.nodes) {
    s.origins.push_back(file + ": " + (node.name.empty() ? node.op_type + " -> " + node.outputs.at(0) : node.name));
  }
  s.calls_of.assign(tree.modules.size(), {});
  for (size_t c = 0; c < tree.calls.size(); ++c) s.calls_of[tree.calls[c].module].push_back(c);
  build_programs(s);

  std::vector<std::shared_ptr<ImportedModule>> modules;
  std::map<std::string, size_t> module_at;
  for (size_t m = 0; m < tree.modules.size(); ++m) {
    modules.push_back(std::make_shared<ImportedModule>(shared, m));
    module_at[tree.modules[m].path] = m;
    s.modules.push_back(modules.back().get());
  }
  for (size_t m = 0; m < tree.modules.size(); ++m) {
    const ModuleInfo& info = tree.modules[m];
    modules[m]->set_type(info.type.empty() ? inferred_type(s, m) : info.type);
    modules[m]->set_signature(signature_of(s, m));
    for (const auto& [name, path] : info.children) modules[m]->add(name, modules[module_at.at(path)]);
  }
  std::vector<std::string> notes = tree.notes;
  const bool meta = s.graph.weights_missing && options.missing_weights == MissingWeights::shapes_only;
  for (auto& n : register_tensors(s, modules, module_at, meta)) notes.push_back(std::move(n));
  modules[0]->eval();

  ImportedModel out;
  out.model = modules[0];
  out.input_names = s.graph.inputs;
  out.input_shapes = s.graph.input_shapes;
  out.output_names = s.graph.outputs;
  out.opset = s.graph.opset;
  out.producer = s.graph.producer;
  out.has_metadata = tree.from_metadata;
  out.weights_missing = s.graph.weights_missing;
  if (out.weights_missing) {
    notes.push_back(std::string("the weights are in an external data file that is missing: parameters are ") +
                    (options.missing_weights == MissingWeights::zeros ? "zeros" : "shapes only, so the model runs shape-only"));
  }
  out.notes = std::move(notes);

  // Run once on the file's own shapes: a graph that cannot run fails here, at
  // import, and every static value (a shape a child reads from its parent) is known.
  bool fixed = true;
  Tensors inputs;
  for (const auto& shape : out.input_shapes) {
    fixed = fixed && std::none_of(shape.begin(), shape.end(), [](int64_t d) { return d < 0; });
    inputs.push_back(fixed ? Tensor::meta(shape) : Tensor());
  }
  if (fixed) {
    try {
      out.model->call(inputs, {});
    } catch (const Error& e) {
      throw Error("cannot import '" + s.graph.origin + "': its graph does not run on its own input shapes: " + e.what());
    }
  }
  return out;
}

}  // namespace
}  // namespace detail::onnx

ImportedModel import_onnx_bytes(const std::string& bytes, const std::string& origin, const ImportOptions& options) {
  return detail::onnx::build(detail::onnx::read_graph(bytes, origin, "", options), options);
}

ImportedModel import_onnx(const std::string& path, const ImportOptions& options) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const auto status = fs::status(path, ec);
  if (ec || !fs::exists(status)) throw Error("cannot import '" + path + "': no such file");
  if (fs::is_directory(status)) throw Error("cannot import '" + path + "': it is a directory, not an ONNX file");
  const auto size = fs::file_size(path, ec);
  if (ec) throw Error("cannot import '" + path + "': cannot read its size (" + ec.message() + ")");
  // protobuf cannot parse a message of 2 GiB or more; such models keep their weights in external data files.
  if (size >= (uintmax_t{1} << 31)) {
    throw Error("cannot import '" + path + "': the file is " + std::to_string(size >> 20) +
                " MiB, more than the 2 GiB a protobuf can hold (export with external data: "
                "torch.onnx.export(..., f) writes large weights beside the file)");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("cannot import '" + path + "': cannot open it");
  std::string bytes(static_cast<size_t>(size), '\0');
  in.read(bytes.data(), static_cast<std::streamsize>(size));
  if (!in) throw Error("cannot import '" + path + "': reading it failed");
  const std::string base = fs::path(path).parent_path().string();
  return detail::onnx::build(detail::onnx::read_graph(bytes, path, base.empty() ? "." : base, options), options);
}

}  // namespace modtrace
