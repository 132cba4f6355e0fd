// The faithful Sequential: when the forward is a chain, the children in call
// order with the root's own ops replayed between them; checked on the input.

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "analysis/findings.hpp"
#include "modtrace/analysis.hpp"
#include "modtrace/error.hpp"
#include "modtrace/layers.hpp"
#include "modtrace/repair.hpp"
#include "repair/code.hpp"
#include "repair/replay.hpp"

namespace modtrace {

namespace {

using detail::repair::Program;
using detail::repair::Replay;
using detail::repair::ReplayModule;
using detail::repair::Unit;
using detail::repair::ValueRef;

// One step of a chain: the unit, and the running value before and after it.
struct Link {
  Unit unit;
  ValueRef before, after;
};

struct Chain {
  std::vector<Link> links;
  std::string blocker;  // empty: the forward (up to the stop) is a chain
};

class ChainWalker {
 public:
  ChainWalker(const Trace& trace, const Program& program, std::map<Vertex, std::string> op_names,
              std::map<int, std::string> call_names)
      : trace_(trace), program_(program), op_names_(std::move(op_names)), call_names_(std::move(call_names)) {}

  // Walks the units in order; stops after `stop_call` when given (>= 0).
  Chain walk(int stop_call) const {
    Chain chain;
    if (trace_.inputs().size() != 1) {
      chain.blocker = "the forward takes " + std::to_string(trace_.inputs().size()) +
                      " inputs; a Sequential passes one value from step to step";
      return chain;
    }
    ValueRef running{trace_.inputs()[0], 0};
    std::string previous = "the module's input";
    for (const Unit& u : program_.units()) {
      std::vector<ValueRef> made;
      for (const ValueRef& m : program_.makes(u)) {
        if (program_.depends_on_inputs(m)) made.push_back(m);
      }
      if (made.empty()) continue;  // parameters and constants only: replayed where they are read
      std::set<ValueRef> data;
      for (const ValueRef& r : program_.reads(u)) {
        if (program_.depends_on_inputs(r)) data.insert(r);
      }
      const std::string name = "'" + name_of(u) + "'";
      if (!data.count(running)) {
        chain.blocker = name + " does not read the previous step's output (" + previous + ") but " +
                        value_text(*data.begin()) + ": the forward branches";
        return chain;
      }
      if (data.size() > 1) {
        data.erase(running);
        const Node* op = u.is_call ? nullptr : &trace_.graph()[u.node];
        const bool joins = op && op->op && (*op->op == Op::cat || *op->op == Op::stack);
        chain.blocker = (joins ? "a concatenation: " + name + " joins " : "a skip connection: " + name + " reads ") +
                        value_text(*data.begin()) + (data.size() > 1 ? " (and more)" : "") +
                        (joins ? " with " : " as well as ") + previous +
                        "; a Sequential passes only the previous step's output";
        return chain;
      }
      if (made.size() != 1) {
        chain.blocker = name + " makes " + std::to_string(made.size()) +
                        " values from the input; a Sequential would pass them on as one tuple";
        return chain;
      }
      chain.links.push_back({u, running, made[0]});
      running = made[0];
      previous = "the output of " + name;
      if (stop_call >= 0 && u.is_call && u.call == stop_call) return chain;
    }
    if (stop_call >= 0) return chain;
    if (trace_.outputs().size() != 1) {
      chain.blocker = "the forward returns " + std::to_string(trace_.outputs().size()) +
                      " values; a Sequential returns its last step's output";
      return chain;
    }
    const auto edge = *boost::in_edges(trace_.outputs()[0], trace_.graph()).first;
    const ValueRef result{boost::source(edge, trace_.graph()), trace_.graph()[edge].output};
    if (result != running) {
      chain.blocker = "the forward returns " + value_text(result) + ", not " + previous;
    }
    return chain;
  }

  std::string name_of(const Unit& u) const {
    return u.is_call ? call_names_.at(u.call) : op_names_.at(u.node);
  }

  std::string value_text(const ValueRef& v) const {
    if (trace_.graph()[v.node].kind == NodeKind::input) return "the module's input";
    const auto maker = program_.maker(v);
    return maker ? "the output of '" + name_of(*maker) + "'" : "'" + std::string(trace_.graph()[v.node].name()) + "'";
  }

 private:
  const Trace& trace_;
  const Program& program_;
  std::map<Vertex, std::string> op_names_;
  std::map<int, std::string> call_names_;
};

// PyTorch for a truncation that is no chain: the module's own forward, stopped
// by a hook once the child has returned.
constexpr const char* kPythonStopAfter =
    "class StopAfter(nn.Module):\n"
    "    \"\"\"Runs `module` until `child` returns, and returns the child's output (printed by modtrace fix).\"\"\"\n"
    "\n"
    "    class Done(Exception):\n"
    "        pass\n"
    "\n"
    "    def __init__(self, module, child):\n"
    "        super().__init__()\n"
    "        self.module, self.child = module, child\n"
    "\n"
    "    def forward(self, *args):\n"
    "        seen = []\n"
    "\n"
    "        def stop(_module, _inputs, output):\n"
    "            seen.append(output)\n"
    "            raise StopAfter.Done()\n"
    "\n"
    "        handle = self.child.register_forward_hook(stop)\n"
    "        try:\n"
    "            self.module(*args)\n"
    "        except StopAfter.Done:\n"
    "            pass\n"
    "        finally:\n"
    "            handle.remove()\n"
    "        return seen[0]\n"
    "\n"
    "\n";

// "flatten(start_dim=1, end_dim=-1)"
std::string op_text(const Node& n) { return std::string(n.op_name()) + "(" + to_string(n.attrs()) + ")"; }

// A replay of one op reading only the running value, as the layer that does
// exactly that op, when there is one (the Sequential then prints like PyTorch's).
std::shared_ptr<Module> as_layer(const Trace& trace, const Replay& replay) {
  if (replay.steps().size() != 1 || replay.steps()[0].is_call) return nullptr;
  const Node& n = trace.graph()[replay.steps()[0].node];
  if (boost::in_degree(replay.steps()[0].node, trace.graph()) != 1 || !n.op) return nullptr;
  switch (*n.op) {
    case Op::flatten: return std::make_shared<Flatten>(n.attrs().integer("start_dim"), n.attrs().integer("end_dim"));
    case Op::relu: return std::make_shared<ReLU>();
    case Op::adaptive_avg_pool2d: {
      const auto& size = n.attrs().ints("output_size");
      return std::make_shared<AdaptiveAvgPool2d>(Size2{size.at(0), size.at(1)});
    }
    default: return nullptr;
  }
}

std::shared_ptr<Module> registered_child(const Module& module, const Module* instance) {
  for (const auto& [name, child] : module.registered_children()) {
    if (child.get() == instance) return child;
  }
  throw Error("internal: a child call's module is not registered");
}

// Runs the repaired module on the input and compares it with the model's
// output, or (truncated) with the child's output in a full forward.
void check_on_input(Repair& r, Module& module, const Trace& trace, const detail::RecordedCall& fed, int stop) {
  Tensors in;
  for (const Tensor& t : fed.inputs) in.push_back(r.shape_only ? Tensor::meta(t.shape()) : t);
  auto run = [&](Module& m) { return fed.tuple_argument ? m.call_with_tuple(in, {}) : m.call(in, {}); };
  Tensors want;
  if (stop < 0) {
    want = trace.output_values();
  } else {
    const auto child = registered_child(module, trace.calls()[static_cast<size_t>(stop)].module);
    HookHandle hook = child->register_forward_hook([&want](Module&, const Tensors&, const Tensors& out) {
      if (want.empty()) want = out;
      return std::optional<Tensors>();
    });
    try {
      run(module);
    } catch (...) {
      hook.remove();
      throw;
    }
    hook.remove();
  }
  // Traced, for the picture; a failure is a defect of the repair, reported as not verified.
  r.repaired = std::make_shared<const Trace>(
      trace_module(*r.module, in, {.shape_only = r.shape_only, .tuple_argument = fed.tuple_argument}));
  if (!r.repaired->completed()) {
    r.verified = false;
    return;
  }
  const Tensors got = r.repaired->output_values();
  bool same_shapes = got.size() == want.size();
  for (size_t i = 0; same_shapes && i < got.size(); ++i) same_shapes = got[i].shape() == want[i].shape();
  if (!same_shapes || r.shape_only) {
    r.verified = same_shapes;
    return;
  }
  r.exact = true;
  bool close = true;
  for (size_t i = 0; i < got.size(); ++i) {
    const double diff = max_abs_diff(got[i], want[i]);
    double largest = 1.0;
    for (float v : want[i].values()) largest = std::max(largest, static_cast<double>(std::abs(v)));
    r.max_abs_diff = std::max(r.max_abs_diff, diff);
    r.exact = r.exact && equal(got[i], want[i]);
    close = close && diff <= 1e-5 * largest;
  }
  r.verified = r.exact || close;
}

}  // namespace

Repair repair_children(const std::shared_ptr<Module>& model, const Tensors& inputs, const RepairOptions& options) {
  if (!model) throw Error("repair_children: no model given");
  const auto stage = [&](const std::string& text) {
    if (options.progress) options.progress(text);
  };
  Module& module = options.at.empty() ? *model : model->get_submodule(options.at);
  if (!options.at.empty()) stage("running the model up to " + options.at);
  // Shares the model's ownership, points at the module repaired.
  const std::shared_ptr<Module> owner(model, &module);
  const detail::RecordedCall fed = options.at.empty() ? detail::RecordedCall{inputs, false}
                                                      : detail::inputs_at(*model, inputs, options.at, options.shape_only);
  stage("tracing " + module.type_name());
  auto trace = std::make_shared<const Trace>(
      trace_module(module, fed.inputs, {.shape_only = options.shape_only, .tuple_argument = fed.tuple_argument}));
  if (!trace->completed()) {
    throw ModuleFailedError("the forward fails, so there is nothing to repair: " + trace->failure()->message,
                            *trace->failure());
  }

  Repair r;
  r.original = trace;
  r.module_type = module.type_name();
  r.at = options.at;
  r.upto = options.upto;
  r.shape_only = options.shape_only;
  // Parameters that are shapes only (an ONNX file without its weight file): shapes are all there is to check.
  for (const Tensor& t : trace->output_values()) r.shape_only = r.shape_only || t.is_meta();
  for (const Tensor& t : fed.inputs) r.input_shapes.push_back(t.shape());

  std::map<Vertex, std::string> op_names;
  std::map<int, std::string> call_names;
  for (const NamedValue& n : value_names(*trace)) {
    if (n.is_call) call_names[n.call] = n.name;
    else op_names[n.op] = n.name;
  }
  const Program program(*trace, {});
  int stop = -1;
  if (!options.upto.empty()) {
    for (int c : trace->child_calls(0)) {
      if (trace->calls()[static_cast<size_t>(c)].path() == options.upto && trace->calls()[static_cast<size_t>(c)].registered) {
        stop = c;
        break;
      }
    }
    if (stop < 0) {
      std::string children;
      for (int c : detail::registered_child_calls(*trace)) {
        const std::string p(trace->calls()[static_cast<size_t>(c)].path());
        if (children.find("'" + p + "'") == std::string::npos) children += (children.empty() ? "'" : ", '") + p + "'";
      }
      throw Error("cannot stop after '" + options.upto + "': the forward of " + r.module_type +
                  " calls no direct child of that name (it calls " + (children.empty() ? "none" : children) + ")");
    }
  }
  stage("building the faithful Sequential");
  const ChainWalker walker(*trace, program, op_names, call_names);
  const Chain chain = walker.walk(stop);
  r.possible = chain.blocker.empty();
  r.blocker = chain.blocker;

  std::set<const Module*> called;
  for (int c : detail::registered_child_calls(*trace)) called.insert(trace->calls()[static_cast<size_t>(c)].module);
  for (const auto& [name, child] : module.named_children()) {
    if (!called.count(child.get())) r.dropped_children.push_back(name);
  }

  const std::string where = options.at.empty() ? r.module_type : r.module_type + " ('" + options.at + "')";
  if (r.possible) {
    std::vector<std::shared_ptr<Module>> modules;
    std::vector<detail::repair::CodeStep> code;
    for (const Link& link : chain.links) {
      RepairStep step;
      step.name = walker.name_of(link.unit);
      if (link.unit.is_call) {
        step.kind = RepairStep::Kind::child;
        const ModuleCall& call = trace->calls()[static_cast<size_t>(link.unit.call)];
        modules.push_back(registered_child(module, call.module));
        code.push_back({true, detail::join_path(options.at, call.path()), nullptr, nullptr});
      } else {
        step.kind = RepairStep::Kind::replay;
        auto replay = std::make_shared<Replay>(trace, owner, std::set<int>{}, std::vector<ValueRef>{link.before},
                                               std::vector<ValueRef>{link.after});
        std::set<std::string> reads;
        for (const Unit& u : replay->steps()) {
          if (u.is_call) {
            step.ops.push_back("call " + std::string(trace->calls()[static_cast<size_t>(u.call)].path()));
            continue;
          }
          step.ops.push_back(op_text(trace->graph()[u.node]));
          for (const ValueRef& v : program.reads(u)) {
            const Node& leaf = trace->graph()[v.node];
            if (leaf.kind == NodeKind::parameter || leaf.kind == NodeKind::buffer) reads.insert(std::string(leaf.name()));
          }
        }
        step.reads.assign(reads.begin(), reads.end());
        std::shared_ptr<Module> layer = as_layer(*trace, *replay);
        std::string label;
        for (const auto& op : step.ops) label += (label.empty() ? "" : ", ") + op;
        modules.push_back(layer ? layer : std::make_shared<ReplayModule>(replay, label, 1));
        code.push_back({false, "", replay, layer});
      }
      r.steps.push_back(std::move(step));
    }
    r.module = std::make_shared<Sequential>(modules);
    const std::string title =
        stop < 0 ? "The faithful Sequential of " + where + " (modtrace fix): its children in call order, its own ops "
                   "replayed between them; fixed(x) gives model(x)."
                 : "The forward of " + where + " up to '" + options.upto + "' (modtrace fix --upto " + options.upto +
                       "); head(x) gives " + options.upto + "'s output in model(x).";
    const detail::repair::Code printed = detail::repair::sequential_code(code, options.at, title, stop < 0 ? "fixed" : "head");
    r.python = printed.python;
    r.cpp = printed.cpp;
  } else if (stop >= 0) {
    // No chain up to the child: the extracted prefix computes its output all the same.
    const ModuleCall& c = trace->calls()[static_cast<size_t>(stop)];
    std::vector<ValueRef> targets;
    for (size_t i = 0; i < c.outputs().size(); ++i) targets.push_back({c.outputs()[i], c.output_slots()[i]});
    std::vector<ValueRef> fed_values;
    for (Vertex v : trace->inputs()) fed_values.push_back({v, 0});
    auto replay = std::make_shared<Replay>(trace, owner, std::set<int>{}, fed_values, targets);
    r.module = std::make_shared<ReplayModule>(replay, "up to " + options.upto, fed_values.size());
    const std::string py_module = detail::repair::python_path("model", options.at);
    const std::string cpp_module = options.at.empty() ? "model" : "model->submodule_ptr(\"" + options.at + "\")";
    r.python = "# The forward of " + where + " up to '" + options.upto + "' is no chain (" + r.blocker +
               "):\n# run the module itself and stop once '" + options.upto +
               "' has returned. head(x) gives its output.\nfrom torch import nn\n\n\n" + kPythonStopAfter +
               "head = StopAfter(" + py_module + ", " + detail::repair::python_path(py_module, options.upto) + ")\n";
    r.cpp = "// The forward of " + where + " up to '" + options.upto + "', extracted (it is no chain).\n"
            "// `model` is a std::shared_ptr<modtrace::Module>, `x` its input; using namespace modtrace.\n"
            "auto head = extract(" + cpp_module + ", {x}, {\"" + options.upto + "\"});\n";
  }

  if (r.module) {
    stage("checking it on the input");
    check_on_input(r, module, *trace, fed, stop);
  }
  return r;
}

}  // namespace modtrace
