// Static ONNX nodes: shapes, axes and constants, evaluated on small values
// beside the model (never recorded), so a Reshape's target or a Slice's
// bounds are known when the data node that needs them runs.

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>

#include "import/onnx_node.hpp"
#include "ops/strided.hpp"
#include "trace/recorder.hpp"

namespace modtrace::detail::onnx {
namespace {

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

std::vector<Value> static_outputs(StaticValue v) { return {Value(std::move(v))}; }

}  // namespace

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

bool has_static_form(const std::string& op_type) { return static_handlers().count(op_type) > 0; }

}  // namespace modtrace::detail::onnx
