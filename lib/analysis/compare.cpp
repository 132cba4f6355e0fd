// compare_children: trace a module and its children-only Sequential on the
// same input and derive what the Sequential drops, adds, reorders or breaks.

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "modtrace/analysis.hpp"

namespace modtrace {

std::shared_ptr<Sequential> children_sequential(const Module& module) {
  return std::make_shared<Sequential>(module.children());
}

std::string_view verdict_name(Verdict verdict) {
  switch (verdict) {
    case Verdict::equivalent: return "equivalent";
    case Verdict::different: return "different";
    case Verdict::fails: return "fails";
  }
  return "?";
}

std::string short_function_name(const char* pretty_function) {
  if (pretty_function == nullptr) return "";
  std::string s = pretty_function;
  // Drop the parameter list, then the return type, then namespaces above the class.
  int depth = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '<') ++depth;
    if (s[i] == '>') --depth;
    if (s[i] == '(' && depth == 0) {
      s.resize(i);
      break;
    }
  }
  depth = 0;
  for (size_t i = s.size(); i-- > 0;) {
    if (s[i] == '>') ++depth;
    if (s[i] == '<') --depth;
    if (s[i] == ' ' && depth == 0) {
      s = s.substr(i + 1);
      break;
    }
  }
  std::vector<std::string> parts;
  size_t start = 0;
  depth = 0;
  for (size_t i = 0; i + 1 < s.size(); ++i) {
    if (s[i] == '<') ++depth;
    if (s[i] == '>') --depth;
    if (depth == 0 && s[i] == ':' && s[i + 1] == ':') {
      parts.push_back(s.substr(start, i - start));
      start = i + 2;
      ++i;
    }
  }
  parts.push_back(s.substr(start));
  return parts.size() >= 2 ? parts[parts.size() - 2] + "::" + parts.back() : parts.back();
}

namespace {

std::string join_path(const std::string& prefix, const std::string& path) {
  if (prefix.empty()) return path;
  return path.empty() ? prefix : prefix + "." + path;
}

// Where the values reaching a child come from, walking back through the
// module's own (functional) ops to the outputs of earlier child calls or the
// module's inputs. Parameters, buffers and constants are not sources.
class SourceFinder {
 public:
  SourceFinder(const Trace& trace, const std::vector<int>& child_calls) : trace_(trace) {
    for (int c : child_calls) {
      for (Vertex v : trace.calls()[c].outputs) producers_[v].push_back(c);  // in call order
    }
    for (size_t i = 0; i < trace.inputs().size(); ++i) input_index_[trace.inputs()[i]] = static_cast<int>(i);
  }

  // Source labels: a child call index (>= 0) or -1 - input index for module inputs.
  std::set<int> sources(Vertex v, int before_call) {
    std::set<int> out;
    std::set<Vertex> seen;
    walk(v, before_call, out, seen);
    return out;
  }

 private:
  void walk(Vertex v, int before_call, std::set<int>& out, std::set<Vertex>& seen) {
    if (!seen.insert(v).second) return;
    // The latest child call before the consumer that returned this value (an
    // Identity child returns the very value it was given).
    if (auto it = producers_.find(v); it != producers_.end()) {
      int latest = -1;
      for (int c : it->second) {
        if (c < before_call) latest = c;
      }
      if (latest >= 0) {
        out.insert(latest);
        return;
      }
    }
    if (auto it = input_index_.find(v); it != input_index_.end()) {
      out.insert(-1 - it->second);
      return;
    }
    const Node& n = trace_.graph()[v];
    if (n.kind != NodeKind::op) return;  // parameters, buffers, constants
    for (auto e : boost::make_iterator_range(boost::in_edges(v, trace_.graph()))) {
      walk(boost::source(e, trace_.graph()), before_call, out, seen);
    }
  }

  const Trace& trace_;
  std::map<Vertex, std::vector<int>> producers_;
  std::map<Vertex, int> input_index_;
};

std::string source_label(const Trace& trace, int source) {
  if (source >= 0) return trace.calls()[source].path;
  return trace.inputs().size() == 1 ? "the module's input" : "the module's input " + std::to_string(-1 - source);
}

std::vector<DataflowBreak> find_dataflow_breaks(const Trace& trace, const std::vector<int>& child_calls) {
  std::vector<DataflowBreak> breaks;
  SourceFinder finder(trace, child_calls);
  auto check = [&](const std::string& child, int call_index, const std::vector<Vertex>& inputs, int position) {
    // What the Sequential feeds: the previous child's output, or the module's input for the first child.
    const int previous = position > 0 ? child_calls[position - 1] : -1;
    const int before = position < static_cast<int>(child_calls.size()) ? child_calls[position] : INT32_MAX;
    DataflowBreak b;
    b.child = child;
    b.call_index = call_index;
    b.expected = previous >= 0 ? "the output of " + trace.calls()[previous].path : "the module's input";
    // The module's result is checked like a child: the Sequential returns its last child's output.
    const bool result = child == "(output)";
    const std::string subject = result ? "the module's result" : child;
    const std::string feeds = result ? "returns" : "feeds";
    if (previous >= 0 && trace.calls()[previous].outputs.size() != 1) {
      b.reason = trace.calls()[previous].path + " returns " + std::to_string(trace.calls()[previous].outputs.size()) +
                 " tensors; the Sequential passes them all to " + child;
      breaks.push_back(b);
      return;
    }
    if (inputs.size() != 1) {
      b.reason = child + " is called with " + std::to_string(inputs.size()) + " inputs; the Sequential passes one";
      breaks.push_back(b);
      return;
    }
    const std::set<int> found = finder.sources(inputs[0], before);
    const std::set<int> wanted = {previous >= 0 ? previous : -1};
    if (found == wanted) return;
    // Children in call order first, then the module's inputs.
    for (int s : found) {
      if (s >= 0) b.actual.push_back(source_label(trace, s));
    }
    for (int s : found) {
      if (s < 0) b.actual.push_back(source_label(trace, s));
    }
    const bool has_expected = found.count(*wanted.begin()) > 0;
    if (found.empty()) {
      b.reason = subject + " is computed from parameters or constants only, not from " + b.expected;
    } else if (has_expected) {
      std::vector<std::string> extra;
      for (int s : found) {
        if (s != *wanted.begin()) extra.push_back(source_label(trace, s));
      }
      std::string list;
      for (const auto& e : extra) list += (list.empty() ? "" : ", ") + e;
      b.reason = subject + " also reads " + list + " (a skip connection): the Sequential " + feeds + " only " +
                 b.expected;
    } else {
      std::string list;
      for (const auto& a : b.actual) list += (list.empty() ? "" : ", ") + a;
      b.reason = subject + " reads " + list + ", but the Sequential " + feeds + (result ? " " : " it ") + b.expected;
    }
    breaks.push_back(b);
  };
  for (size_t i = 0; i < child_calls.size(); ++i) {
    const ModuleCall& c = trace.calls()[child_calls[i]];
    check(c.path, c.call_index, c.inputs, static_cast<int>(i));
  }
  // The Sequential returns its last child's output: does the module?
  if (!child_calls.empty() && trace.outputs().size() == 1) {
    const Vertex result = boost::source(*boost::in_edges(trace.outputs()[0], trace.graph()).first, trace.graph());
    check("(output)", 0, {result}, static_cast<int>(child_calls.size()));
  }
  return breaks;
}

// 1. Every op that ran in the module's own code (functional relative to its call).
void find_dropped_ops(ChildrenReport& r, const std::string& at) {
  const Trace& t = r.original;
  for (Vertex v : t.op_nodes()) {
    if (!t.ownership_in_call(v, 0).functional()) continue;
    const Node& n = t.graph()[v];
    r.dropped.push_back({v, std::string(n.op_name), at, n.input_shapes, n.shape, to_string(n.attrs),
                         Trace::source_text(n.source),
                         n.source.line() ? short_function_name(n.source.function_name()) : ""});
  }
}

// 2, 3. Which children were called, how often, in what order. A call of a
// deeper descendant (a ModuleList member the forward calls itself) counts as
// a use of the child that holds it.
void find_child_usage(ChildrenReport& r, const std::vector<int>& child_calls) {
  std::map<std::string, int> calls_per_path;
  std::set<std::string> used;
  std::vector<std::string> first_uses;
  for (int c : child_calls) {
    const std::string& called = r.original.calls()[c].path;
    r.call_order.push_back(called);
    ++calls_per_path[called];
    const std::string child = called.substr(0, called.find('.'));
    if (std::find(r.children.begin(), r.children.end(), child) != r.children.end() && used.insert(child).second) {
      first_uses.push_back(child);
    }
  }
  std::vector<std::string> registered_used;
  for (const auto& name : r.children) {
    if (used.count(name)) registered_used.push_back(name);
    else r.unused_children.push_back(name);
  }
  for (const auto& called : r.call_order) {
    const int n = calls_per_path[called];
    const bool listed = std::any_of(r.repeated_children.begin(), r.repeated_children.end(),
                                    [&](const RepeatedChild& rc) { return rc.name == called; });
    if (n > 1 && !listed) r.repeated_children.push_back({called, n});
  }
  r.order_mismatch = first_uses != registered_used;
}

// 5. Where the Sequential failed, named as in the model ("fc", not "9").
void describe_sequential_failure(ChildrenReport& r, const TraceFailure& failure, const std::string& at) {
  r.sequential.ok = false;
  const std::string& inner = failure.module_path;
  const size_t dot = inner.find('.');
  const std::string index = inner.substr(0, dot);
  std::string child = index;
  if (!index.empty() && std::all_of(index.begin(), index.end(), ::isdigit)) {
    const size_t i = std::stoul(index);
    if (i < r.children.size()) child = r.children[i];
  }
  r.sequential.failed_child = child;
  r.sequential.failed_module = join_path(at, dot == std::string::npos ? child : child + inner.substr(dot));
  const std::string where =
      r.sequential.failed_module.empty() ? std::string("the Sequential") : "'" + r.sequential.failed_module + "'";
  r.sequential.error =
      failure.module_type.empty() ? failure.reason : "in " + where + " (" + failure.module_type + "): " + failure.reason;
}

// 6. Both outputs: shapes, and values unless shape-only.
void compare_outputs(ChildrenReport& r, bool shape_only) {
  const Tensors& original = r.original.output_values();
  if (!original.empty()) r.output.original_shape = original.front().shape();
  if (!r.sequential.ok) return;
  const Tensors& sequential = r.sequential_trace.output_values();
  if (!sequential.empty()) r.output.sequential_shape = sequential.front().shape();
  if (shape_only || original.empty() || sequential.empty()) return;
  if (r.output.original_shape != r.output.sequential_shape) return;
  r.output.compared = true;
  r.output.max_abs_diff = max_abs_diff(original.front(), sequential.front());
  r.output.equal = equal(original.front(), sequential.front());
}

// fails when the Sequential raises; otherwise by the values, or in shape-only
// mode by the structure.
Verdict decide_verdict(const ChildrenReport& r) {
  if (!r.sequential.ok) return Verdict::fails;
  if (r.output.compared) return r.output.equal ? Verdict::equivalent : Verdict::different;
  const bool structurally_same = r.dropped.empty() && r.unused_children.empty() && r.repeated_children.empty() &&
                                 !r.order_mismatch && r.dataflow_breaks.empty() &&
                                 r.output.original_shape == r.output.sequential_shape;
  return structurally_same ? Verdict::equivalent : Verdict::different;
}

// The first call of `path`'s module on the whole model gives its inputs.
Tensors inputs_at(Module& model, const Tensors& inputs, const std::string& path, bool shape_only) {
  model.get_submodule(path);  // an unknown path throws here, naming what exists
  const Trace full = trace_module(model, inputs, {.shape_only = shape_only, .keep_values_of = path});
  for (const ModuleCall& c : full.calls()) {
    if (c.path == path) return c.input_values;
  }
  if (!full.completed()) {
    throw Error("the model failed before calling '" + path + "': " + full.failure()->message);
  }
  throw Error("module '" + path + "' is never called by the model's forward, so it has no input to analyse");
}

}  // namespace

ChildrenReport compare_children(Module& model, const Tensors& inputs, const CompareOptions& options) {
  Module& module = options.at.empty() ? model : model.get_submodule(options.at);
  const Tensors fed = options.at.empty() ? inputs : inputs_at(model, inputs, options.at, options.shape_only);

  ChildrenReport r;
  r.path = options.at;
  r.module_type = module.type_name();
  r.shape_only = options.shape_only;
  if (!fed.empty()) r.input_shape = fed[0].shape();
  for (const auto& [name, child] : module.named_children()) r.children.push_back(name);

  r.original = trace_module(module, fed, {.shape_only = options.shape_only});
  if (!r.original.completed()) {
    throw Error("the module itself fails on this input, so there is nothing to compare: " +
                r.original.failure()->message);
  }
  const std::shared_ptr<Sequential> sequential = children_sequential(module);
  r.sequential_trace = trace_module(*sequential, fed, {.shape_only = options.shape_only});

  const std::vector<int> child_calls = r.original.child_calls(0);
  find_dropped_ops(r, options.at);
  find_child_usage(r, child_calls);
  r.dataflow_breaks = find_dataflow_breaks(r.original, child_calls);
  if (const auto& failure = r.sequential_trace.failure()) describe_sequential_failure(r, *failure, options.at);
  compare_outputs(r, options.shape_only);
  r.verdict = decide_verdict(r);
  return r;
}

}  // namespace modtrace
