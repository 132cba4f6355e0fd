// Data ONNX nodes as modtrace ops, named as PyTorch names them (Gemm is
// linear, Transpose is permute), so an imported model's trace reads like the
// same model written with modtrace's API.

#include "import/onnx_ops.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>

#include "import/onnx_node.hpp"
#include "modtrace/functional.hpp"
#include "ops/strided.hpp"

namespace modtrace::detail::onnx {
namespace {

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

}  // namespace

std::vector<Value> run_data_node(NodeRun& run) {
  const auto& handlers = data_handlers();
  const auto it = handlers.find(run.node().op_type);
  if (it == handlers.end()) run.fail("modtrace has no " + run.node().op_type + " op");
  return it->second(run);
}

bool supported(const std::string& op_type) {
  return data_handlers().count(op_type) > 0 || has_static_form(op_type);
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
