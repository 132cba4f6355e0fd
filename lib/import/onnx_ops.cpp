// Running ONNX nodes: static nodes on small values (shapes, axes, scalars),
// data nodes as modtrace ops named as PyTorch names them, so an imported
// model's trace reads like the same model written with modtrace's API.

#include "import/onnx_ops.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <numeric>

#include "modtrace/functional.hpp"
#include "ops/strided.hpp"
#include "trace/recorder.hpp"

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

namespace {

// ---- small helpers ----

int64_t rank_of(const Value& v) {
  if (const auto* t = std::get_if<Tensor>(&v)) return t->dim();
  return static_cast<int64_t>(std::get<StaticValue>(v).dims.size());
}

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

// ---- static evaluation ----

StaticValue scalar(double v, bool integer) { return StaticValue{{}, {v}, integer}; }

// Static values are shapes, axes and small constants; a larger one is a
// hostile or broken file, refused before it is allocated.
constexpr int64_t kMaxStaticElements = int64_t{1} << 24;

const Shape& small(NodeRun& run, const Shape& dims) {
  int64_t n = 1;
  for (int64_t d : dims) {
    if (d < 0 || (d > 0 && n > kMaxStaticElements / d)) {
      run.fail("a shape or constant of shape " + to_string(dims) + " is too large (more than 2^24 elements)");
    }
    n *= d;
  }
  return dims;
}

// The element of `in` that broadcasting to `out_dims` places at flat output index i.
size_t broadcast_source(const Shape& out_dims, const Strides& out_strides, const StaticValue& in, int64_t i) {
  const size_t offset = out_dims.size() - in.dims.size();
  const Strides in_strides = contiguous_strides(in.dims);
  int64_t k = 0;
  for (size_t d = offset; d < out_dims.size(); ++d) {
    if (in.dims[d - offset] != 1) k += (i / out_strides[d]) % out_dims[d] * in_strides[d - offset];
  }
  return static_cast<size_t>(k);
}

StaticValue elementwise(NodeRun& run, const StaticValue& a, const StaticValue& b,
                        const std::function<double(double, double)>& fn, bool integer) {
  StaticValue out{small(run, broadcast(run, a.dims, b.dims)), {}, integer};
  const Strides so = contiguous_strides(out.dims);
  for (int64_t i = 0, n = numel_of(out.dims); i < n; ++i) {
    out.values.push_back(fn(a.values[broadcast_source(out.dims, so, a, i)], b.values[broadcast_source(out.dims, so, b, i)]));
  }
  return out;
}

// Where(cond, a, b) on static values, all three broadcast together.
StaticValue static_where(NodeRun& run, const StaticValue& cond, const StaticValue& a, const StaticValue& b) {
  StaticValue out{small(run, broadcast(run, broadcast(run, cond.dims, a.dims), b.dims)), {}, a.integer && b.integer};
  const Strides so = contiguous_strides(out.dims);
  for (int64_t i = 0, n = numel_of(out.dims); i < n; ++i) {
    const bool pick_a = cond.values[broadcast_source(out.dims, so, cond, i)] != 0.0;
    out.values.push_back(pick_a ? a.values[broadcast_source(out.dims, so, a, i)]
                                : b.values[broadcast_source(out.dims, so, b, i)]);
  }
  return out;
}

StaticValue constant_value(NodeRun& run) {
  if (run.has_attribute("value")) return run.tensor_attribute("value");
  if (run.has_attribute("value_float")) return scalar(run.real("value_float", 0), false);
  if (run.has_attribute("value_int")) return scalar(static_cast<double>(run.integer("value_int", 0)), true);
  if (run.has_attribute("value_ints")) {
    const auto v = run.ints("value_ints");
    return StaticValue{{static_cast<int64_t>(v.size())}, std::vector<double>(v.begin(), v.end()), true};
  }
  run.fail("a Constant without a value modtrace can read");
}

// Elements of `v` along axis picked by `indices` (numpy take), for Gather on static values.
StaticValue take(NodeRun& run, const StaticValue& v, const StaticValue& indices, int64_t axis) {
  const int64_t rank = static_cast<int64_t>(v.dims.size());
  axis = wrap_axis(run, axis, rank);
  const int64_t outer = outer_size(v.dims, axis), inner = inner_size(v.dims, axis), size = v.dims[axis];
  StaticValue out;
  out.integer = v.integer;
  out.dims.assign(v.dims.begin(), v.dims.begin() + axis);
  out.dims.insert(out.dims.end(), indices.dims.begin(), indices.dims.end());
  out.dims.insert(out.dims.end(), v.dims.begin() + axis + 1, v.dims.end());
  small(run, out.dims);
  for (int64_t o = 0; o < outer; ++o) {
    for (double raw : indices.values) {
      int64_t k = static_cast<int64_t>(raw);
      if (k < 0) k += size;
      if (k < 0 || k >= size) run.fail("index " + std::to_string(static_cast<int64_t>(raw)) + " is out of range");
      for (int64_t i = 0; i < inner; ++i) out.values.push_back(v.values[static_cast<size_t>((o * size + k) * inner + i)]);
    }
  }
  return out;
}

// ONNX Slice's bounds for one axis (clamped as numpy does).
struct Bounds {
  int64_t start, end, step;
};

Bounds slice_bounds(int64_t start, int64_t end, int64_t step, int64_t size) {
  auto clamp = [&](int64_t v, int64_t lo, int64_t hi) { return std::clamp(v < 0 ? v + size : v, lo, hi); };
  if (step > 0) return {clamp(start, 0, size), clamp(end, 0, size), step};
  return {clamp(start, -1, size - 1), clamp(end, -1, size - 1), step};
}

struct SliceSpec {
  std::vector<int64_t> starts, ends, axes, steps;
};

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

StaticValue static_slice(NodeRun& run, const StaticValue& v) {
  const SliceSpec spec = slice_spec(run, static_cast<int64_t>(v.dims.size()));
  StaticValue out = v;
  for (size_t k = 0; k < spec.axes.size(); ++k) {
    const int64_t axis = spec.axes[k];
    const Bounds b = slice_bounds(spec.starts[k], spec.ends[k], spec.steps[k], out.dims[axis]);
    StaticValue indices;
    indices.dims = {0};
    for (int64_t i = b.start; b.step > 0 ? i < b.end : i > b.end; i += b.step) indices.values.push_back(static_cast<double>(i));
    indices.dims[0] = indices.numel();
    out = take(run, out, indices, axis);
  }
  return out;
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

// Unsqueeze's output shape: size-1 dimensions inserted at the (sorted) axes.
Shape unsqueezed(NodeRun& run, const Shape& in, std::vector<int64_t> axes) {
  const int64_t rank = static_cast<int64_t>(in.size() + axes.size());
  for (auto& a : axes) a = wrap_axis(run, a, rank);
  std::sort(axes.begin(), axes.end());
  Shape out;
  size_t next = 0;
  for (int64_t d = 0; d < rank; ++d) {
    if (std::binary_search(axes.begin(), axes.end(), d)) out.push_back(1);
    else out.push_back(in.at(next++));
  }
  return out;
}

std::vector<Value> static_outputs(StaticValue v) { return {Value(std::move(v))}; }

// ---- data ops ----

std::vector<Value> tensors(Tensors ts) {
  std::vector<Value> out;
  for (auto& t : ts) out.emplace_back(std::move(t));
  return out;
}
std::vector<Value> one(Tensor t) { return {Value(std::move(t))}; }

// A binary arithmetic node: a static scalar operand becomes the scalar form
// (x * 3 records mul with other=3), as PyTorch records it.
std::vector<Value> arithmetic(NodeRun& run, char op) {
  const bool scalar_b = run.is_static(1) && run.static_value(1).scalar();
  const bool scalar_a = run.is_static(0) && run.static_value(0).scalar() && !run.is_static(1);
  if (scalar_b && !run.is_static(0)) {
    const Tensor x = run.tensor(0);
    const double s = run.static_value(1).values[0];
    // A scalar operand that broadcasts to a higher rank cannot take the scalar form.
    if (static_cast<int64_t>(run.static_value(1).dims.size()) <= x.dim()) {
      switch (op) {
        case '+': return one(F::add(x, s, {}));
        case '-': return one(F::sub(x, s, {}));
        case '*': return one(F::mul(x, s, {}));
        default: return one(F::div(x, s, {}));
      }
    }
  }
  if (scalar_a) {
    const Tensor x = run.tensor(1);
    const double s = run.static_value(0).values[0];
    if (static_cast<int64_t>(run.static_value(0).dims.size()) <= x.dim()) {
      switch (op) {
        case '+': return one(F::add(x, s, {}));
        case '-': return one(F::rsub(x, s, {}));
        case '*': return one(F::mul(x, s, {}));
        default: return one(F::mul(F::reciprocal(x, {}), s, {}));  // 3 / x, as PyTorch records it
      }
    }
  }
  const Tensor a = run.tensor(0), b = run.tensor(1);
  switch (op) {
    case '+': return one(F::add(a, b, {}));
    case '-': return one(F::sub(a, b, {}));
    case '*': return one(F::mul(a, b, {}));
    default: return one(F::div(a, b, {}));
  }
}

// Symmetric padding from ONNX pads [b1, b2, …, e1, e2, …]; asymmetric pads are refused.
std::vector<int64_t> symmetric_pads(NodeRun& run, size_t dims) {
  const auto pads = run.ints("pads", std::vector<int64_t>(2 * dims, 0));
  const std::string auto_pad = run.text("auto_pad", "NOTSET");
  if (auto_pad != "NOTSET" && auto_pad != "VALID") run.fail("auto_pad " + auto_pad + " is not supported");
  if (pads.size() != 2 * dims) run.fail("pads must have " + std::to_string(2 * dims) + " values");
  std::vector<int64_t> out;
  for (size_t i = 0; i < dims; ++i) {
    if (pads[i] != pads[i + dims]) run.fail("asymmetric padding " + to_string(Shape(pads)) + " is not supported");
    out.push_back(pads[i]);
  }
  return out;
}

std::vector<Value> conv(NodeRun& run) {
  const Tensor x = run.tensor(0), w = run.tensor(1);
  const Tensor b = run.has(2) ? run.tensor(2) : Tensor();
  const size_t dims = static_cast<size_t>(std::max<int64_t>(w.dim() - 2, 1));
  const auto pads = symmetric_pads(run, dims);
  const auto strides = run.ints("strides", std::vector<int64_t>(dims, 1));
  const auto dilations = run.ints("dilations", std::vector<int64_t>(dims, 1));
  const int64_t group = run.integer("group", 1);
  if (strides.size() != dims || dilations.size() != dims) run.fail("strides and dilations need one value per dimension");
  if (dims == 1) return one(F::conv1d(x, w, b, strides[0], pads[0], dilations[0], group, {}));
  if (dims != 2) run.fail("only 1-D and 2-D convolutions are supported");
  return one(F::conv2d(x, w, b, {strides[0], strides[1]}, {pads[0], pads[1]}, {dilations[0], dilations[1]}, group, {}));
}

std::vector<Value> conv_transpose(NodeRun& run) {
  if (run.has_attribute("output_shape")) run.fail("output_shape is not supported (give pads and output_padding)");
  const Tensor x = run.tensor(0), w = run.tensor(1);
  const Tensor b = run.has(2) ? run.tensor(2) : Tensor();
  if (w.dim() != 4) run.fail("only 2-D transposed convolutions are supported");
  const auto pads = symmetric_pads(run, 2);
  const auto strides = run.ints("strides", {1, 1});
  const auto dilations = run.ints("dilations", {1, 1});
  const auto out_pad = run.ints("output_padding", {0, 0});
  return one(F::conv_transpose2d(x, w, b, {strides.at(0), strides.at(1)}, {pads[0], pads[1]},
                                 {out_pad.at(0), out_pad.at(1)}, run.integer("group", 1),
                                 {dilations.at(0), dilations.at(1)}, {}));
}

std::vector<Value> gemm(NodeRun& run) {
  Tensor a = run.tensor(0), b = run.tensor(1);
  const bool trans_a = run.integer("transA", 0) != 0, trans_b = run.integer("transB", 0) != 0;
  const double alpha = run.real("alpha", 1.0), beta = run.real("beta", 1.0);
  const Tensor c = run.has(2) ? run.tensor(2) : Tensor();
  // torch.nn.Linear exports Gemm(x, W, b, transB=1): record linear, as PyTorch does.
  if (!trans_a && trans_b && alpha == 1.0 && (beta == 1.0 || !c.defined()) && (!c.defined() || c.dim() == 1)) {
    return one(F::linear(a, b, c, {}));
  }
  if (trans_a) a = F::transpose(a, 0, 1, {});
  if (trans_b) b = F::transpose(b, 0, 1, {});
  Tensor y = F::matmul(a, b, {});
  if (alpha != 1.0) y = F::mul(y, alpha, {});
  if (c.defined()) y = F::add(y, beta == 1.0 ? c : F::mul(c, beta, {}), {});
  return one(y);
}

struct PoolSpec {
  std::vector<int64_t> kernel, strides, pads, dilations;
  bool ceil_mode;
};

PoolSpec pool_spec(NodeRun& run) {
  PoolSpec p;
  p.kernel = run.ints("kernel_shape");
  if (p.kernel.empty()) run.fail("kernel_shape is missing");
  p.strides = run.ints("strides", std::vector<int64_t>(p.kernel.size(), 1));  // ONNX's default stride is 1
  p.pads = symmetric_pads(run, p.kernel.size());
  p.dilations = run.ints("dilations", std::vector<int64_t>(p.kernel.size(), 1));
  p.ceil_mode = run.integer("ceil_mode", 0) != 0;
  return p;
}

std::vector<Value> max_pool(NodeRun& run) {
  if (run.node().outputs.size() > 1 && !run.node().outputs[1].empty()) run.fail("the Indices output is not supported");
  const PoolSpec p = pool_spec(run);
  const Tensor x = run.tensor(0);
  if (p.kernel.size() == 1) {
    return one(F::max_pool1d(x, p.kernel[0], p.strides[0], p.pads[0], p.dilations[0], p.ceil_mode, {}));
  }
  if (p.kernel.size() != 2) run.fail("only 1-D and 2-D pooling is supported");
  return one(F::max_pool2d(x, {p.kernel[0], p.kernel[1]}, Size2{p.strides[0], p.strides[1]}, {p.pads[0], p.pads[1]},
                           {p.dilations[0], p.dilations[1]}, p.ceil_mode, {}));
}

std::vector<Value> average_pool(NodeRun& run) {
  const PoolSpec p = pool_spec(run);
  const bool count_pad = run.integer("count_include_pad", 0) != 0;
  const Tensor x = run.tensor(0);
  if (p.kernel.size() == 1) return one(F::avg_pool1d(x, p.kernel[0], p.strides[0], p.pads[0], p.ceil_mode, count_pad, {}));
  if (p.kernel.size() != 2) run.fail("only 1-D and 2-D pooling is supported");
  return one(F::avg_pool2d(x, {p.kernel[0], p.kernel[1]}, Size2{p.strides[0], p.strides[1]}, {p.pads[0], p.pads[1]},
                           p.ceil_mode, count_pad, {}));
}

std::vector<Value> global_average_pool(NodeRun& run) {
  const Tensor x = run.tensor(0);
  if (x.dim() == 4) return one(F::adaptive_avg_pool2d(x, 1, {}));  // nn.AdaptiveAvgPool2d(1)
  if (x.dim() < 3) run.fail("expected an input of at least 3 dimensions (N, C, …)");
  std::vector<int64_t> dims;
  for (int64_t d = 2; d < x.dim(); ++d) dims.push_back(d);
  return one(F::mean(x, dims, true, {}));
}

std::vector<Value> batch_norm(NodeRun& run) {
  if (run.integer("training_mode", 0) != 0) run.fail("training-mode batch normalization is not supported");
  const Tensor x = run.tensor(0);
  // ONNX's momentum is PyTorch's 1 - momentum; in inference it changes nothing.
  return one(F::batch_norm(x, run.tensor(3), run.tensor(4), run.tensor(1), run.tensor(2), false,
                           1.0 - run.real("momentum", 0.9), run.real("epsilon", 1e-5), {}));
}

std::vector<Value> layer_norm(NodeRun& run) {
  const Tensor x = run.tensor(0);
  const int64_t axis = wrap_axis(run, run.integer("axis", -1), x.dim());
  const Shape normalized(x.shape().begin() + axis, x.shape().end());
  return one(F::layer_norm(x, normalized, run.has(1) ? run.tensor(1) : Tensor(), run.has(2) ? run.tensor(2) : Tensor(),
                           run.real("epsilon", 1e-5), {}));
}

std::vector<Value> flatten(NodeRun& run) {
  const Tensor x = run.tensor(0);
  const int64_t axis = wrap_axis(run, run.integer("axis", 1), x.dim() + 1);
  // torch.flatten(x, 1) is ONNX's Flatten(axis=1); other axes always give 2-D in ONNX.
  if (axis == 1 && x.dim() >= 2) return one(F::flatten(x, 1, -1, {}));
  const int64_t before = outer_size(x.shape(), axis);
  return one(F::reshape(x, {before, x.numel() / std::max<int64_t>(before, 1)}, {}));
}

std::vector<Value> reshape(NodeRun& run) {
  const Tensor x = run.tensor(0);
  return one(F::reshape(x, reshape_target(run, x.shape(), run.static_value(1).ints()), {}));
}

std::vector<Value> transpose(NodeRun& run) {
  const Tensor x = run.tensor(0);
  std::vector<int64_t> perm = run.ints("perm");
  if (perm.empty()) {
    for (int64_t d = x.dim() - 1; d >= 0; --d) perm.push_back(d);
  }
  return one(F::permute(x, perm, {}));
}

std::vector<Value> concat(NodeRun& run) {
  Tensors parts;
  for (size_t i = 0; i < run.input_count(); ++i) parts.push_back(run.tensor(i));
  return one(F::cat(parts, run.integer("axis", 0), {}));
}

std::vector<Value> split(NodeRun& run) {
  const Tensor x = run.tensor(0);
  const int64_t axis = wrap_axis(run, run.integer("axis", 0), x.dim());
  std::vector<int64_t> sizes = run.has(1) ? run.static_value(1).ints() : run.ints("split");
  const size_t parts = run.node().outputs.size();
  if (sizes.empty()) {
    const int64_t size = x.shape()[axis];
    if (size % static_cast<int64_t>(parts) != 0) run.fail("the axis does not split into equal parts");
    sizes.assign(parts, size / static_cast<int64_t>(parts));
  }
  return tensors(F::split(x, sizes, axis, {}));
}

std::vector<Value> slice(NodeRun& run) {
  Tensor x = run.tensor(0);
  const SliceSpec spec = slice_spec(run, x.dim());
  for (size_t k = 0; k < spec.axes.size(); ++k) {
    if (spec.steps[k] < 0) run.fail("negative slice steps are not supported");
    const Bounds b = slice_bounds(spec.starts[k], spec.ends[k], spec.steps[k], x.shape()[spec.axes[k]]);
    x = F::slice(x, spec.axes[k], b.start, std::max(b.start, b.end), b.step, {});
  }
  return one(x);
}

std::vector<Value> gather(NodeRun& run) {
  const int64_t axis = run.integer("axis", 0);
  // nn.Embedding: Gather(weight, indices) with indices computed from the input.
  if (!run.is_static(1)) {
    if (axis != 0) run.fail("gathering by computed indices is supported along axis 0 (an embedding) only");
    return one(F::embedding(run.tensor(1), run.tensor(0), {}));
  }
  const Tensor x = run.tensor(0);
  const StaticValue& indices = run.static_value(1);
  const int64_t a = wrap_axis(run, axis, x.dim());
  if (indices.dims.empty()) return one(F::select(x, a, indices.ints()[0], {}));  // x[:, 0]
  // Several indices: one select per index, stacked where the axis was, then
  // shaped as ONNX's x.shape[:axis] + indices.shape + x.shape[axis+1:].
  Tensors picked;
  for (int64_t index : indices.ints()) picked.push_back(F::select(x, a, index, {}));
  Tensor out = F::stack(picked, a, {});
  if (indices.dims.size() == 1) return one(out);
  Shape target(x.shape().begin(), x.shape().begin() + a);
  target.insert(target.end(), indices.dims.begin(), indices.dims.end());
  target.insert(target.end(), x.shape().begin() + a + 1, x.shape().end());
  return one(F::reshape(out, target, {}));
}

std::vector<Value> squeeze(NodeRun& run) {
  Tensor x = run.tensor(0);
  std::vector<int64_t> axes = axes_of(run, 1);
  if (axes.empty()) {
    for (int64_t d = 0; d < x.dim(); ++d) {
      if (x.shape()[d] == 1) axes.push_back(d);
    }
  }
  for (auto& a : axes) a = wrap_axis(run, a, x.dim());
  std::sort(axes.rbegin(), axes.rend());
  for (int64_t a : axes) x = F::squeeze(x, a, {});
  return one(x);
}

std::vector<Value> unsqueeze(NodeRun& run) {
  Tensor x = run.tensor(0);
  std::vector<int64_t> axes = axes_of(run, 1);
  const int64_t rank = x.dim() + static_cast<int64_t>(axes.size());
  for (auto& a : axes) a = wrap_axis(run, a, rank);
  std::sort(axes.begin(), axes.end());
  for (int64_t a : axes) x = F::unsqueeze(x, a, {});
  return one(x);
}

std::vector<Value> expand(NodeRun& run) {
  const Tensor x = run.tensor(0);
  // ONNX's Expand broadcasts both ways; torch.expand takes the result's shape.
  return one(F::expand(x, broadcast(run, x.shape(), run.static_value(1).ints()), {}));
}

std::vector<Value> reduce(NodeRun& run, bool mean) {
  const Tensor x = run.tensor(0);
  std::vector<int64_t> axes = run.graph().opset >= 13 && run.node().op_type == "ReduceSum" ? axes_of(run, 1)
                                                                                            : run.ints("axes");
  const bool keepdims = run.integer("keepdims", 1) != 0;
  if (axes.empty() && run.integer("noop_with_empty_axes", 0) != 0) return one(x);
  return one(mean ? F::mean(x, axes, keepdims, {}) : F::sum(x, axes, keepdims, {}));
}

std::vector<Value> pad(NodeRun& run) {
  const Tensor x = run.tensor(0);
  const auto pads = run.graph().opset >= 11 ? run.static_value(1).ints() : run.ints("pads");
  const double value = run.graph().opset >= 11 ? (run.has(2) ? run.static_value(2).values.at(0) : 0.0)
                                                : run.real("value", 0.0);
  std::string mode = run.text("mode", "constant");
  if (mode == "edge") mode = "replicate";
  const size_t rank = static_cast<size_t>(x.dim());
  if (pads.size() != 2 * rank) run.fail("pads must have 2 values per dimension");
  // ONNX: all begins then all ends, first dimension first; F.pad: (begin, end) pairs from the last dimension.
  // AvgPool2d exports a Pad of zeros before AveragePool: no op, as in PyTorch.
  if (std::all_of(pads.begin(), pads.end(), [](int64_t p) { return p == 0; })) return one(x);
  std::vector<int64_t> torch_pads;
  size_t first = 0;  // untouched leading dimensions need no pair
  while (first < rank && pads[first] == 0 && pads[first + rank] == 0) ++first;
  for (size_t d = rank; d-- > first;) {
    torch_pads.push_back(pads[d]);
    torch_pads.push_back(pads[d + rank]);
  }
  return one(F::pad(x, torch_pads, mode, value, {}));
}

std::vector<Value> resize(NodeRun& run) {
  const Tensor x = run.tensor(0);
  const std::string mode = run.text("mode", "nearest");
  const std::string transform = run.text("coordinate_transformation_mode", "half_pixel");
  std::vector<int64_t> size;
  std::optional<double> scale;
  // Resize(X, roi, scales, sizes) from opset 11; Upsample(X, scales) before.
  const size_t scales_at = run.node().op_type == "Upsample" ? 1 : 2;
  if (run.has(scales_at + 1) && run.static_value(scales_at + 1).numel() > 0) {
    const auto sizes = run.static_value(scales_at + 1).ints();
    size.assign(sizes.begin() + 2, sizes.end());
  } else if (run.has(scales_at)) {
    const auto& scales = run.static_value(scales_at).values;
    if (scales.size() < 3) run.fail("scales must give every dimension");
    for (size_t i = 3; i < scales.size(); ++i) {
      if (scales[i] != scales[2]) run.fail("different scales per spatial dimension are not supported");
    }
    scale = scales[2];
  } else {
    run.fail("neither sizes nor scales are given");
  }
  if (mode == "nearest") {
    if (run.text("nearest_mode", "round_prefer_floor") != "floor" || transform != "asymmetric") {
      run.fail("nearest resizing other than PyTorch's (asymmetric, floor) is not supported");
    }
    return one(F::interpolate(x, size, scale, "nearest", false, {}));
  }
  if (mode != "linear") run.fail("mode '" + mode + "' is not supported");
  const bool align = transform == "align_corners";
  if (!align && transform != "pytorch_half_pixel" && transform != "half_pixel") {
    run.fail("coordinate_transformation_mode '" + transform + "' is not supported");
  }
  return one(F::interpolate(x, size, scale, x.dim() == 4 ? "bilinear" : "linear", align, {}));
}

std::vector<Value> clip(NodeRun& run) {
  const Tensor x = run.tensor(0);
  std::optional<double> lo, hi;
  if (run.graph().opset >= 11) {
    if (run.has(1)) lo = run.static_value(1).values.at(0);
    if (run.has(2)) hi = run.static_value(2).values.at(0);
  } else {
    if (run.has_attribute("min")) lo = run.real("min", 0);
    if (run.has_attribute("max")) hi = run.real("max", 0);
  }
  if (lo == 0.0 && hi == 6.0) return one(F::relu6(x, {}));  // nn.ReLU6 exports as Clip(0, 6)
  if (lo == 0.0 && !hi) return one(F::relu(x, {}));
  return one(F::clamp(x, lo, hi, {}));
}

std::vector<Value> softmax(NodeRun& run, bool log) {
  const Tensor x = run.tensor(0);
  const int64_t axis = run.integer("axis", run.graph().opset >= 13 ? -1 : 1);
  // Before opset 13 Softmax works on the input flattened at axis: the same only for the last axis.
  if (run.graph().opset < 13 && wrap_axis(run, axis, x.dim()) != x.dim() - 1) {
    run.fail("softmax over a flattened block (opset < 13, axis not last) is not supported");
  }
  return one(log ? F::log_softmax(x, axis, {}) : F::softmax(x, axis, {}));
}

using DataHandler = std::function<std::vector<Value>(NodeRun&)>;

const std::map<std::string, DataHandler>& data_handlers() {
  static const std::map<std::string, DataHandler> handlers = {
      {"Add", [](NodeRun& r) { return arithmetic(r, '+'); }},
      {"Sub", [](NodeRun& r) { return arithmetic(r, '-'); }},
      {"Mul", [](NodeRun& r) { return arithmetic(r, '*'); }},
      {"Div", [](NodeRun& r) { return arithmetic(r, '/'); }},
      {"Pow",
       [](NodeRun& r) {
         if (!r.is_static(1) || !r.static_value(1).scalar()) r.fail("only a constant scalar exponent is supported");
         return one(F::pow(r.tensor(0), r.static_value(1).values[0], {}));
       }},
      {"Neg", [](NodeRun& r) { return one(F::neg(r.tensor(0), {})); }},
      {"Reciprocal", [](NodeRun& r) { return one(F::reciprocal(r.tensor(0), {})); }},
      {"Abs", [](NodeRun& r) { return one(F::abs(r.tensor(0), {})); }},
      {"Sqrt", [](NodeRun& r) { return one(F::sqrt(r.tensor(0), {})); }},
      {"Exp", [](NodeRun& r) { return one(F::exp(r.tensor(0), {})); }},
      {"Log", [](NodeRun& r) { return one(F::log(r.tensor(0), {})); }},
      {"Erf", [](NodeRun& r) { return one(F::erf(r.tensor(0), {})); }},
      {"Relu", [](NodeRun& r) { return one(F::relu(r.tensor(0), {})); }},
      {"Sigmoid", [](NodeRun& r) { return one(F::sigmoid(r.tensor(0), {})); }},
      {"Tanh", [](NodeRun& r) { return one(F::tanh(r.tensor(0), {})); }},
      {"HardSwish", [](NodeRun& r) { return one(F::hardswish(r.tensor(0), {})); }},
      {"HardSigmoid",
       [](NodeRun& r) {
         // PyTorch's hardsigmoid is ONNX's with alpha 1/6, beta 0.5.
         if (std::abs(r.real("alpha", 0.2) - 1.0 / 6.0) > 1e-6 || std::abs(r.real("beta", 0.5) - 0.5) > 1e-6) {
           r.fail("only PyTorch's hardsigmoid (alpha 1/6, beta 0.5) is supported");
         }
         return one(F::hardsigmoid(r.tensor(0), {}));
       }},
      {"LeakyRelu", [](NodeRun& r) { return one(F::leaky_relu(r.tensor(0), r.real("alpha", 0.01), {})); }},
      {"PRelu", [](NodeRun& r) { return one(F::prelu(r.tensor(0), F::flatten(r.tensor(1), 0, -1, {}), {})); }},
      {"Softplus", [](NodeRun& r) { return one(F::softplus(r.tensor(0), 1.0, 20.0, {})); }},
      {"Clip", clip},
      {"Softmax", [](NodeRun& r) { return softmax(r, false); }},
      {"LogSoftmax", [](NodeRun& r) { return softmax(r, true); }},
      {"Conv", conv},
      {"ConvTranspose", conv_transpose},
      {"Gemm", gemm},
      {"MatMul", [](NodeRun& r) { return one(F::matmul(r.tensor(0), r.tensor(1), {})); }},
      {"MaxPool", max_pool},
      {"AveragePool", average_pool},
      {"GlobalAveragePool", global_average_pool},
      {"BatchNormalization", batch_norm},
      {"LayerNormalization", layer_norm},
      {"InstanceNormalization",
       [](NodeRun& r) {
         return one(F::instance_norm(r.tensor(0), {}, {}, r.tensor(1), r.tensor(2), true, 0.1,
                                     r.real("epsilon", 1e-5), {}));
       }},
      {"Flatten", flatten},
      {"Reshape", reshape},
      {"Transpose", transpose},
      {"Concat", concat},
      {"Split", split},
      {"Slice", slice},
      {"Gather", gather},
      {"Squeeze", squeeze},
      {"Unsqueeze", unsqueeze},
      {"Expand", expand},
      {"ReduceMean", [](NodeRun& r) { return reduce(r, true); }},
      {"ReduceSum", [](NodeRun& r) { return reduce(r, false); }},
      {"Pad", pad},
      {"Resize", resize},
      {"Upsample", resize},
      {"Where", [](NodeRun& r) { return one(F::where(r.tensor(0), r.tensor(1), r.tensor(2), {})); }},
      {"Equal", [](NodeRun& r) { return one(F::eq(r.tensor(0), r.tensor(1), {})); }},
      {"Greater", [](NodeRun& r) { return one(F::gt(r.tensor(0), r.tensor(1), {})); }},
      {"Less", [](NodeRun& r) { return one(F::lt(r.tensor(0), r.tensor(1), {})); }},
      {"Einsum",
       [](NodeRun& r) {
         Tensors operands;
         for (size_t i = 0; i < r.input_count(); ++i) operands.push_back(r.tensor(i));
         return one(F::einsum(r.text("equation", ""), operands, {}));
       }},
      {"CumSum",
       [](NodeRun& r) {
         if (r.integer("exclusive", 0) != 0 || r.integer("reverse", 0) != 0) r.fail("exclusive or reverse sums are not supported");
         return one(F::cumsum(r.tensor(0), r.static_value(1).ints().at(0), {}));
       }},
      {"ArgMax",
       [](NodeRun& r) {
         if (r.integer("select_last_index", 0) != 0) r.fail("select_last_index is not supported");
         return one(F::argmax(r.tensor(0), r.integer("axis", 0), r.integer("keepdims", 1) != 0, {}));
       }},
      {"TopK",
       [](NodeRun& r) {
         return tensors(F::topk(r.tensor(0), r.static_value(1).ints().at(0), r.integer("axis", -1),
                                r.integer("largest", 1) != 0, r.integer("sorted", 1) != 0, {}));
       }},
      {"DepthToSpace",
       [](NodeRun& r) {
         if (r.text("mode", "DCR") != "CRD") r.fail("only CRD mode (PyTorch's pixel_shuffle) is supported");
         return one(F::pixel_shuffle(r.tensor(0), r.integer("blocksize", 1), {}));
       }},
      // Values that pass through: no op, as in PyTorch (an eval-mode Dropout, a float Cast).
      {"Identity", [](NodeRun& r) { return one(r.tensor(0)); }},
      {"Dropout", [](NodeRun& r) { return one(r.tensor(0)); }},
      {"Cast",
       [](NodeRun& r) {
         const int64_t to = r.integer("to", 1);
         if (to != 1 && to != 10 && to != 11 && to != 16) r.fail("a data cast to a non-float type is not supported");
         return one(r.tensor(0));
       }},
  };
  return handlers;
}

// ---- static handlers ----

using StaticHandler = std::function<StaticValue(NodeRun&)>;

StaticValue binary_static(NodeRun& r, const std::function<double(double, double)>& fn, bool comparison = false) {
  const StaticValue &a = r.static_value(0), &b = r.static_value(1);
  return elementwise(r, a, b, fn, comparison || (a.integer && b.integer));
}

StaticValue unary_static(NodeRun& r, const std::function<double(double)>& fn) {
  StaticValue out = r.static_value(0);
  for (double& v : out.values) v = fn(v);
  return out;
}

const std::map<std::string, StaticHandler>& static_handlers() {
  static const std::map<std::string, StaticHandler> handlers = {
      {"Constant", constant_value},
      {"Shape",
       [](NodeRun& r) {
         // Shape reads only the shape: a data input's shape is known without its values.
         const Shape s = shape_of(r.value(0));
         const int64_t rank = static_cast<int64_t>(s.size());
         int64_t start = r.integer("start", 0), end = r.integer("end", rank);
         start = std::clamp<int64_t>(start < 0 ? start + rank : start, 0, rank);
         end = std::clamp<int64_t>(end < 0 ? end + rank : end, 0, rank);
         StaticValue out{{std::max<int64_t>(end - start, 0)}, {}, true};
         for (int64_t d = start; d < end; ++d) out.values.push_back(static_cast<double>(s[d]));
         return out;
       }},
      {"Size", [](NodeRun& r) { return scalar(static_cast<double>(numel_of(shape_of(r.value(0)))), true); }},
      {"Identity", [](NodeRun& r) { return r.static_value(0); }},
      {"Cast",
       [](NodeRun& r) {
         StaticValue out = r.static_value(0);
         const int64_t to = r.integer("to", 1);
         out.integer = !(to == 1 || to == 10 || to == 11 || to == 16);
         if (out.integer) {
           for (double& v : out.values) v = to == 9 ? (v != 0.0 ? 1.0 : 0.0) : std::trunc(v);
         }
         return out;
       }},
      {"Gather", [](NodeRun& r) { return take(r, r.static_value(0), r.static_value(1), r.integer("axis", 0)); }},
      {"Unsqueeze",
       [](NodeRun& r) {
         StaticValue out = r.static_value(0);
         out.dims = unsqueezed(r, out.dims, axes_of(r, 1));
         return out;
       }},
      {"Squeeze",
       [](NodeRun& r) {
         StaticValue out = r.static_value(0);
         std::vector<int64_t> axes = axes_of(r, 1);
         const int64_t rank = static_cast<int64_t>(out.dims.size());
         for (auto& a : axes) a = wrap_axis(r, a, rank);
         Shape dims;
         for (int64_t d = 0; d < rank; ++d) {
           const bool drop = axes.empty() ? out.dims[d] == 1 : std::count(axes.begin(), axes.end(), d) > 0;
           if (!drop) dims.push_back(out.dims[d]);
         }
         out.dims = dims;
         return out;
       }},
      {"Concat",
       [](NodeRun& r) {
         StaticValue out = r.static_value(0);
         const int64_t rank = static_cast<int64_t>(out.dims.size());
         const int64_t axis = wrap_axis(r, r.integer("axis", 0), rank);
         for (size_t i = 1; i < r.input_count(); ++i) {
           const StaticValue& next = r.static_value(i);
           if (next.dims.size() != out.dims.size()) r.fail("concatenating values of different ranks");
           // Interleave blocks: outer slices of out, then of next.
           const int64_t outer = outer_size(out.dims, axis);
           const int64_t a_block = out.numel() / std::max<int64_t>(outer, 1);
           const int64_t b_block = next.numel() / std::max<int64_t>(outer, 1);
           std::vector<double> merged;
           for (int64_t o = 0; o < outer; ++o) {
             merged.insert(merged.end(), out.values.begin() + o * a_block, out.values.begin() + (o + 1) * a_block);
             merged.insert(merged.end(), next.values.begin() + o * b_block, next.values.begin() + (o + 1) * b_block);
           }
           out.values = std::move(merged);
           out.dims[axis] += next.dims[axis];
           out.integer = out.integer && next.integer;
         }
         return out;
       }},
      {"Slice", [](NodeRun& r) { return static_slice(r, r.static_value(0)); }},
      {"Transpose",
       [](NodeRun& r) {
         const StaticValue& v = r.static_value(0);
         const int64_t rank = static_cast<int64_t>(v.dims.size());
         std::vector<int64_t> perm = r.ints("perm");
         if (perm.empty()) {
           for (int64_t d = rank - 1; d >= 0; --d) perm.push_back(d);
         }
         if (static_cast<int64_t>(perm.size()) != rank) r.fail("perm has " + std::to_string(perm.size()) + " axes for rank " + std::to_string(rank));
         StaticValue out{Shape(static_cast<size_t>(rank)), {}, v.integer};
         for (int64_t d = 0; d < rank; ++d) out.dims[d] = v.dims[wrap_axis(r, perm[d], rank)];
         const Strides in_strides = contiguous_strides(v.dims), out_strides = contiguous_strides(out.dims);
         for (int64_t i = 0, n = v.numel(); i < n; ++i) {
           int64_t source = 0;
           for (int64_t d = 0; d < rank; ++d) source += (i / out_strides[d]) % out.dims[d] * in_strides[perm[d] < 0 ? perm[d] + rank : perm[d]];
           out.values.push_back(v.values[static_cast<size_t>(source)]);
         }
         return out;
       }},
      {"Reshape",
       [](NodeRun& r) {
         StaticValue out = r.static_value(0);
         Shape target = reshape_target(r, out.dims, r.static_value(1).ints());
         int64_t known = 1, inferred = -1;
         for (size_t i = 0; i < target.size(); ++i) {
           if (target[i] == -1) {
             inferred = static_cast<int64_t>(i);
           } else {
             if (target[i] < 0 || target[i] > kMaxStaticElements) r.fail("cannot reshape to " + to_string(target));
             known = std::min(known * target[i], kMaxStaticElements + 1);
           }
         }
         if (inferred >= 0 && known > 0) target[inferred] = out.numel() / known;
         if (numel_of(small(r, target)) != out.numel()) r.fail("cannot reshape " + to_string(out.dims) + " to " + to_string(target));
         out.dims = target;
         return out;
       }},
      {"Add", [](NodeRun& r) { return binary_static(r, std::plus<>()); }},
      {"Sub", [](NodeRun& r) { return binary_static(r, std::minus<>()); }},
      {"Mul", [](NodeRun& r) { return binary_static(r, std::multiplies<>()); }},
      {"Div",
       [](NodeRun& r) {
         const bool integer = r.static_value(0).integer && r.static_value(1).integer;
         return binary_static(r, [integer](double a, double b) {
           return integer ? (b == 0 ? 0 : std::trunc(a / b)) : a / b;
         });
       }},
      {"Pow", [](NodeRun& r) { return binary_static(r, [](double a, double b) { return std::pow(a, b); }); }},
      {"Max", [](NodeRun& r) { return binary_static(r, [](double a, double b) { return std::max(a, b); }); }},
      {"Min", [](NodeRun& r) { return binary_static(r, [](double a, double b) { return std::min(a, b); }); }},
      {"Equal", [](NodeRun& r) { return binary_static(r, [](double a, double b) { return a == b ? 1.0 : 0.0; }, true); }},
      {"Less", [](NodeRun& r) { return binary_static(r, [](double a, double b) { return a < b ? 1.0 : 0.0; }, true); }},
      {"Greater", [](NodeRun& r) { return binary_static(r, [](double a, double b) { return a > b ? 1.0 : 0.0; }, true); }},
      {"Neg", [](NodeRun& r) { return unary_static(r, [](double v) { return -v; }); }},
      {"Abs", [](NodeRun& r) { return unary_static(r, [](double v) { return std::abs(v); }); }},
      {"Sqrt", [](NodeRun& r) { return unary_static(r, [](double v) { return std::sqrt(v); }); }},
      {"Floor", [](NodeRun& r) { return unary_static(r, [](double v) { return std::floor(v); }); }},
      {"Ceil", [](NodeRun& r) { return unary_static(r, [](double v) { return std::ceil(v); }); }},
      {"Not", [](NodeRun& r) { return unary_static(r, [](double v) { return v == 0.0 ? 1.0 : 0.0; }); }},
      {"Where", [](NodeRun& r) { return static_where(r, r.static_value(0), r.static_value(1), r.static_value(2)); }},
      {"ConstantOfShape",
       [](NodeRun& r) {
         StaticValue fill = r.has_attribute("value") ? r.tensor_attribute("value") : scalar(0.0, false);
         const Shape dims = small(r, r.static_value(0).ints());
         const int64_t n = numel_of(dims);
         return StaticValue{dims, std::vector<double>(static_cast<size_t>(n), fill.values.at(0)), fill.integer};
       }},
      {"Range",
       [](NodeRun& r) {
         const double start = r.static_value(0).values.at(0), limit = r.static_value(1).values.at(0),
                      delta = r.static_value(2).values.at(0);
         if (delta == 0) r.fail("a range with step 0");
         StaticValue out{{0}, {}, r.static_value(0).integer};
         for (double v = start; delta > 0 ? v < limit : v > limit; v += delta) {
           if (out.numel() >= kMaxStaticElements) r.fail("the range is too long (more than 2^24 elements)");
           out.values.push_back(v);
         }
         out.dims[0] = out.numel();
         return out;
       }},
      {"Expand",
       [](NodeRun& r) {
         const StaticValue& v = r.static_value(0);
         const Shape target = small(r, broadcast(r, v.dims, r.static_value(1).ints()));
         const StaticValue zeros{target, std::vector<double>(static_cast<size_t>(numel_of(target)), 0.0), true};
         return elementwise(r, v, zeros, [](double a, double) { return a; }, v.integer);
       }},
  };
  return handlers;
}

}  // namespace

std::vector<Value> run_data_node(NodeRun& run) {
  const auto& handlers = data_handlers();
  const auto it = handlers.find(run.node().op_type);
  if (it == handlers.end()) run.fail("modtrace has no " + run.node().op_type + " op");
  return it->second(run);
}

std::vector<Value> run_static_node(NodeRun& run) {
  const auto& handlers = static_handlers();
  const auto it = handlers.find(run.node().op_type);
  if (it != handlers.end()) return static_outputs(it->second(run));
  // No static form (a Conv on constants, say): run it on constant tensors,
  // and keep the results static for the static nodes that read them.
  bool integer = true;
  for (size_t i = 0; i < run.input_count(); ++i) {
    if (run.is_static(i)) integer = integer && run.static_value(i).integer;
  }
  std::vector<Value> out;
  {
    // Evaluated on the side: not part of the trace, and computed even in a shape-only one.
    const RecordingPaused unrecorded;
    out = run_data_node(run);
  }
  for (auto& v : out) {
    if (const auto* t = std::get_if<Tensor>(&v); t && !t->is_meta()) v = StaticValue::from(*t, integer);
  }
  return out;
}

bool supported(const std::string& op_type) {
  return data_handlers().count(op_type) > 0 || static_handlers().count(op_type) > 0;
}

std::string parameter_role(const std::string& op_type, size_t index, bool& buffer) {
  buffer = false;
  if (op_type == "Conv" || op_type == "ConvTranspose" || op_type == "Gemm" || op_type == "LayerNormalization" ||
      op_type == "InstanceNormalization") {
    return index == 1 ? "weight" : index == 2 ? "bias" : "";
  }
  if (op_type == "BatchNormalization") {
    buffer = index >= 3;
    return index == 1 ? "weight" : index == 2 ? "bias" : index == 3 ? "running_mean" : index == 4 ? "running_var" : "";
  }
  if (op_type == "PRelu") return index == 1 ? "weight" : "";
  if (op_type == "Gather") return index == 0 ? "weight" : "";  // nn.Embedding
  return "";
}

}  // namespace modtrace::detail::onnx
