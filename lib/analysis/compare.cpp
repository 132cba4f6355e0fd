// compare_children: trace a module and its children-only Sequential on the
// same inputs, collect the findings (findings.cpp, dataflow.cpp), compare
// the outputs and decide the verdict (verdict.cpp).

#include <algorithm>
#include <cmath>

#include "analysis/findings.hpp"

namespace modtrace {

std::shared_ptr<Sequential> children_sequential(const Module& module) {
  return std::make_shared<Sequential>(module.children());
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
  // An anonymous namespace says nothing to a reader: "{anonymous}::helper" is "helper".
  std::erase_if(parts, [](const std::string& p) { return p == "{anonymous}" || p == "(anonymous namespace)"; });
  if (parts.empty()) return "";
  return parts.size() >= 2 ? parts[parts.size() - 2] + "::" + parts.back() : parts.back();
}

namespace {

using detail::join_path;

// Where the Sequential failed, named as in the model ("fc", not "9").
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
  // Raised by the Sequential itself (its argument count): PyTorch's words alone.
  r.sequential.error = child.empty() || failure.module_type.empty()
                           ? failure.reason
                           : "in '" + r.sequential.failed_module + "' (" + failure.module_type + "): " + failure.reason;
}

// Every output position: shapes, and values unless shape-only.
void compare_outputs(ChildrenReport& r) {
  OutputComparison& o = r.output;
  const Tensors& original = r.original.output_values();
  const Tensors empty;
  const Tensors& sequential = r.sequential.ok ? r.sequential_trace.output_values() : empty;
  o.original_count = original.size();
  o.sequential_count = sequential.size();
  o.outputs.resize(std::max(original.size(), sequential.size()));
  o.shapes_equal = r.sequential.ok && original.size() == sequential.size();
  for (size_t i = 0; i < o.outputs.size(); ++i) {
    OutputPair& p = o.outputs[i];
    if (i < original.size()) p.original = original[i].shape();
    if (i < sequential.size()) p.sequential = sequential[i].shape();
    if (!p.original || !p.sequential || *p.original != *p.sequential) {
      o.shapes_equal = false;
      continue;
    }
    if (r.shape_only) continue;
    p.compared = true;
    p.max_abs_diff = max_abs_diff(original[i], sequential[i]);
    p.equal = equal(original[i], sequential[i]);
  }
  o.compared = o.shapes_equal && !r.shape_only;
  if (!o.compared) return;
  o.equal = true;
  for (const OutputPair& p : o.outputs) {
    o.max_abs_diff = std::isnan(p.max_abs_diff) || std::isnan(o.max_abs_diff) ? NAN : std::max(o.max_abs_diff, p.max_abs_diff);
    o.equal = o.equal && p.equal;
  }
}

// What the module at `path` was called with in the whole model's first call of it.
}  // namespace

namespace detail {

RecordedCall inputs_at(Module& model, const Tensors& inputs, const std::string& path, bool shape_only) {
  model.get_submodule(path);  // an unknown path throws here, naming what exists
  const Trace full = trace_module(model, inputs, {.shape_only = shape_only, .keep_values_of = path});
  for (const ModuleCall& c : full.calls()) {
    if (c.path() == path) return {c.input_values(), c.tuple_argument};
  }
  if (!full.completed()) {
    throw ModuleFailedError("the model failed before calling '" + path + "': " + full.failure()->message,
                            *full.failure());
  }
  throw Error("module '" + path + "' is never called by the model's forward, so it has no input to analyse");
}

}  // namespace detail

ChildrenReport compare_children(Module& model, const Tensors& inputs, const CompareOptions& options) {
  const auto stage = [&](const std::string& text) {
    if (options.progress) options.progress(text);
  };
  Module& module = options.at.empty() ? model : model.get_submodule(options.at);
  if (!options.at.empty()) stage("running the model up to " + options.at);
  const detail::RecordedCall fed = options.at.empty() ? detail::RecordedCall{inputs, false}
                                                      : detail::inputs_at(model, inputs, options.at, options.shape_only);

  ChildrenReport r;
  r.path = options.at;
  r.module_type = module.type_name();
  r.shape_only = options.shape_only;
  for (const Tensor& t : fed.inputs) r.input_shapes.push_back(t.shape());
  for (const auto& [name, child] : module.named_children()) r.children.push_back(name);

  const TraceOptions trace_options{.shape_only = options.shape_only, .tuple_argument = fed.tuple_argument};
  stage("tracing " + r.module_type);
  r.original = trace_module(module, fed.inputs, trace_options);
  if (!r.original.completed()) {
    TraceFailure failure = *r.original.failure();
    failure.module_path = join_path(options.at, failure.module_path);
    throw ModuleFailedError(
        "the module itself fails on this input, so there is nothing to compare: " + failure.message, failure);
  }
  // A model whose parameters are shapes only (an ONNX file imported without
  // its weight file) computes no values: it can be compared by shapes alone.
  for (const Tensor& t : r.original.output_values()) r.shape_only = r.shape_only || t.is_meta();
  // The Sequential gets what the module got: called the same way, it fails where PyTorch's does.
  const std::shared_ptr<Sequential> sequential = children_sequential(module);
  stage("tracing the children-only Sequential");
  r.sequential_trace = trace_module(*sequential, fed.inputs, trace_options);
  stage("comparing");

  const std::vector<int> child_calls = detail::registered_child_calls(r.original);
  detail::find_dropped_ops(r, options.at);
  detail::find_aliases(r, module);
  detail::find_child_usage(r, child_calls);
  detail::find_unregistered_modules(r);
  r.dataflow_breaks = detail::find_dataflow_breaks(r.original, child_calls);
  if (const auto& failure = r.sequential_trace.failure()) describe_sequential_failure(r, *failure, options.at);
  detail::find_partly_used_children(r, module);
  compare_outputs(r);
  r.verdict = decide_verdict(r, &r.reasons);
  return r;
}

}  // namespace modtrace
