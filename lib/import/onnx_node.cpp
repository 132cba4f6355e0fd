// Reading an ONNX node's operands and attributes (NodeRun), and the rules
// data and static nodes share: axes, broadcasting, Slice and Reshape.

#include "import/onnx_node.hpp"

#include <algorithm>

#include "modtrace/error.hpp"

namespace modtrace::detail::onnx {

// ---- NodeRun ----

void NodeRun::fail(const std::string& problem) const {
  throw Error("cannot run " + describe(graph_, node_) + ": " + problem);
}

const Value& NodeRun::value(size_t i) const {
  if (!has(i)) fail("input " + std::to_string(i) + " is missing");
  return *inputs_[i];
}

Tensor NodeRun::tensor(size_t i) const {
  if (!has(i)) fail("input " + std::to_string(i) + " is missing");
  if (const auto* t = std::get_if<Tensor>(inputs_[i])) return *t;
  return std::get<StaticValue>(*inputs_[i]).tensor();
}

const StaticValue& NodeRun::static_value(size_t i) const {
  if (!has(i)) fail("input " + std::to_string(i) + " is missing");
  if (const auto* s = std::get_if<StaticValue>(inputs_[i])) return *s;
  fail("input " + std::to_string(i) + " ('" + node_.inputs[i] +
       "') is computed from the model's input values; modtrace needs it known from shapes and constants");
}

int64_t NodeRun::integer(const std::string& name, int64_t fallback) const {
  const auto it = node_.attributes.find(name);
  if (it == node_.attributes.end()) return fallback;
  if (it->second.kind != Attribute::Kind::integer) fail("attribute '" + name + "' is not an integer");
  return it->second.i;
}

double NodeRun::real(const std::string& name, double fallback) const {
  const auto it = node_.attributes.find(name);
  if (it == node_.attributes.end()) return fallback;
  if (it->second.kind == Attribute::Kind::integer) return static_cast<double>(it->second.i);
  if (it->second.kind != Attribute::Kind::real) fail("attribute '" + name + "' is not a float");
  return it->second.f;
}

std::string NodeRun::text(const std::string& name, const std::string& fallback) const {
  const auto it = node_.attributes.find(name);
  if (it == node_.attributes.end()) return fallback;
  if (it->second.kind != Attribute::Kind::text) fail("attribute '" + name + "' is not a string");
  return it->second.s;
}

std::vector<int64_t> NodeRun::ints(const std::string& name, std::vector<int64_t> fallback) const {
  const auto it = node_.attributes.find(name);
  if (it == node_.attributes.end()) return fallback;
  if (it->second.kind != Attribute::Kind::ints) fail("attribute '" + name + "' is not a list of integers");
  return it->second.ints;
}

const StaticValue& NodeRun::tensor_attribute(const std::string& name) const {
  const auto it = node_.attributes.find(name);
  if (it == node_.attributes.end() || it->second.kind != Attribute::Kind::tensor) {
    fail("attribute '" + name + "' is missing or not a tensor");
  }
  return it->second.tensor;
}

// ---- shared rules ----

Shape shape_of(const Value& v) {
  if (const auto* t = std::get_if<Tensor>(&v)) return t->shape();
  return std::get<StaticValue>(v).dims;
}

int64_t wrap_axis(NodeRun& run, int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= std::max<int64_t>(rank, 1)) {
    run.fail("axis " + std::to_string(axis) + " is out of range for rank " + std::to_string(rank));
  }
  return axis < 0 ? axis + rank : axis;
}

// Axes from an attribute (older opsets) or input `index` (newer ones).
std::vector<int64_t> axes_of(NodeRun& run, size_t index) {
  if (run.has(index)) return run.static_value(index).ints();
  return run.ints("axes");
}

// ONNX's (bidirectional) broadcast of two shapes.
Shape broadcast(NodeRun& run, const Shape& a, const Shape& b) {
  Shape out(std::max(a.size(), b.size()), 1);
  for (size_t i = 0; i < out.size(); ++i) {
    const int64_t x = i < out.size() - a.size() ? 1 : a[i - (out.size() - a.size())];
    const int64_t y = i < out.size() - b.size() ? 1 : b[i - (out.size() - b.size())];
    if (x != y && x != 1 && y != 1) run.fail("shapes " + to_string(a) + " and " + to_string(b) + " do not broadcast");
    out[i] = x == 1 ? y : x;
  }
  return out;
}

Bounds slice_bounds(int64_t start, int64_t end, int64_t step, int64_t size) {
  auto clamp = [&](int64_t v, int64_t lo, int64_t hi) { return std::clamp(v < 0 ? v + size : v, lo, hi); };
  if (step > 0) return {clamp(start, 0, size), clamp(end, 0, size), step};
  return {clamp(start, -1, size - 1), clamp(end, -1, size - 1), step};
}

SliceSpec slice_spec(NodeRun& run, int64_t rank) {
  SliceSpec s;
  if (run.graph().opset < 10) {
    s.starts = run.ints("starts");
    s.ends = run.ints("ends");
    s.axes = run.ints("axes");
  } else {
    s.starts = run.static_value(1).ints();
    s.ends = run.static_value(2).ints();
    if (run.has(3)) s.axes = run.static_value(3).ints();
    if (run.has(4)) s.steps = run.static_value(4).ints();
  }
  if (s.axes.empty()) {
    for (size_t i = 0; i < s.starts.size(); ++i) s.axes.push_back(static_cast<int64_t>(i));
  }
  if (s.steps.empty()) s.steps.assign(s.starts.size(), 1);
  if (s.starts.size() != s.ends.size() || s.axes.size() != s.starts.size() || s.steps.size() != s.starts.size()) {
    run.fail("starts, ends, axes and steps differ in length");
  }
  for (auto& a : s.axes) a = wrap_axis(run, a, rank);
  for (int64_t step : s.steps) {
    if (step == 0) run.fail("a slice step is 0");
  }
  return s;
}

// Reshape's target with ONNX's rules: 0 copies the input's size (unless allowzero), -1 is inferred.
Shape reshape_target(NodeRun& run, const Shape& in, const std::vector<int64_t>& requested) {
  Shape out(requested.begin(), requested.end());
  const bool allowzero = run.integer("allowzero", 0) != 0;
  for (size_t i = 0; i < out.size(); ++i) {
    if (out[i] == 0 && !allowzero) {
      if (i >= in.size()) run.fail("reshape copies dimension " + std::to_string(i) + " that the input lacks");
      out[i] = in[i];
    }
  }
  return out;
}

}  // namespace modtrace::detail::onnx
