// Reductions: sum and mean over a set of dimensions (all when none are
// given), with keepdim, each output element summed in double; and along one
// dimension: cumsum (in double), argmax, topk and sort (the last two with
// two outputs, values and indices; indices are float32 whole numbers).

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>
#include <vector>

#include "modtrace/functional.hpp"
#include "ops/op_call.hpp"
#include "ops/map.hpp"
#include "ops/strided.hpp"

namespace modtrace::detail {
namespace {

// No dims: over everything.
constexpr AttrSpec kReduce[] = {{"dim", AttrType::ints, "[]"}, {"keepdim", AttrType::flag, "false"}};
constexpr AttrSpec kCumsum[] = {{"dim", AttrType::integer}};
// No dim: over the flattened tensor.
constexpr AttrSpec kArgmax[] = {{"dim", AttrType::integer, "", true}, {"keepdim", AttrType::flag, "false"}};
constexpr AttrSpec kTopk[] = {{"k", AttrType::integer},
                              {"dim", AttrType::integer, "-1"},
                              {"largest", AttrType::flag, "true"},
                              {"sorted", AttrType::flag, "true"}};
constexpr AttrSpec kSort[] = {{"dim", AttrType::integer, "-1"}, {"descending", AttrType::flag, "false"}};

// Which dimensions are reduced (true) for this call.
std::vector<bool> reduced_dims(const OpCall& call) {
  const Tensor& x = call.input(0);
  const auto& dims = call.attr<kReduce, "dim">();
  std::vector<bool> reduced(static_cast<size_t>(x.dim()), dims.empty());
  for (int64_t d : dims) {
    const int64_t w = wrap_dim(d, x.dim(), op_info(call.op).name.data());
    if (x.dim() == 0) continue;
    if (reduced[w]) call.fail("dim " + std::to_string(d) + " appears more than once in " + to_string(Shape(dims)));
    reduced[w] = true;
  }
  return reduced;
}

void reduce(const OpCall& call, Tensor& out, bool average) {
  const Tensor& x = call.input(0);
  const std::vector<bool> reduced = reduced_dims(call);
  const Strides strides = contiguous_strides(x.shape());
  Shape kept_shape, reduced_shape;
  Strides kept_strides, reduced_strides;
  for (size_t d = 0; d < reduced.size(); ++d) {
    (reduced[d] ? reduced_shape : kept_shape).push_back(x.shape()[d]);
    (reduced[d] ? reduced_strides : kept_strides).push_back(strides[d]);
  }
  const int64_t outputs = numel_of(kept_shape);
  const int64_t count = numel_of(reduced_shape);
  const float* src = x.data();
  float* dst = out.data();
  parallel_for(outputs, x.numel(), [&](int64_t o) {
    int64_t base = 0;
    for (int64_t i = o, d = static_cast<int64_t>(kept_shape.size()) - 1; d >= 0; --d) {
      base += (i % kept_shape[d]) * kept_strides[d];
      i /= kept_shape[d];
    }
    double total = 0.0;
    for_each_run_serial<1>(reduced_shape, {reduced_strides},
                           [&](std::array<int64_t, 1> at, std::array<int64_t, 1> step, int64_t len) {
                             const float* p = src + base + at[0];
                             for (int64_t j = 0; j < len; ++j) total += p[j * step[0]];
                           });
    dst[o] = static_cast<float>(average ? total / static_cast<double>(count) : total);
  });
}

Shape shape_reduce(const OpCall& call) {
  const Tensor& x = call.input(0);
  const std::vector<bool> reduced = reduced_dims(call);
  const bool keepdim = call.attr<kReduce, "keepdim">();
  Shape out;
  for (size_t d = 0; d < reduced.size(); ++d) {
    if (!reduced[d]) out.push_back(x.shape()[d]);
    else if (keepdim) out.push_back(1);
  }
  return out;
}

void run_sum(const OpCall& call, Tensor& out) { reduce(call, out, false); }
void run_mean(const OpCall& call, Tensor& out) { reduce(call, out, true); }

// ---- along one dimension ----

// The lines along `dim`: `outer` * `inner` of them, `size` elements each, `inner` apart.
struct Lines {
  int64_t outer = 1, size = 1, inner = 1;
  int64_t start(int64_t line) const { return (line / inner) * size * inner + line % inner; }
};

Lines lines_along(const Shape& s, int64_t dim) {
  Lines l;
  if (s.empty()) return l;  // a 0-d tensor is one line of one element
  for (int64_t d = 0; d < dim; ++d) l.outer *= s[d];
  l.size = s[dim];
  for (size_t d = static_cast<size_t>(dim) + 1; d < s.size(); ++d) l.inner *= s[d];
  return l;
}

template <const auto& Schema>
int64_t line_dim(const OpCall& call) {
  return wrap_dim(call.attr<Schema, "dim">(), call.input(0).dim(), op_info(call.op).name.data());
}

Shape shape_cumsum(const OpCall& call) {
  line_dim<kCumsum>(call);
  return call.input(0).shape();
}

void run_cumsum(const OpCall& call, Tensor& out) {
  const Lines l = lines_along(call.input(0).shape(), line_dim<kCumsum>(call));
  const float* src = call.input(0).data();
  float* dst = out.data();
  parallel_for(l.outer * l.inner, out.numel(), [&](int64_t line) {
    double total = 0.0;
    for (int64_t k = 0, at = l.start(line); k < l.size; ++k, at += l.inner) {
      total += src[at];
      dst[at] = static_cast<float>(total);
    }
  });
}

// a before b in descending order: NaN first, as PyTorch ranks it largest.
bool greater(float a, float b) { return std::isnan(a) ? !std::isnan(b) : (!std::isnan(b) && a > b); }

Shape shape_argmax(const OpCall& call) {
  const Tensor& x = call.input(0);
  if (x.numel() == 0) call.fail("cannot take the argmax of an empty tensor");
  const int64_t* dim = call.optional_attr<kArgmax, "dim">();
  if (dim == nullptr) return {};
  const int64_t d = wrap_dim(*dim, x.dim(), "argmax");
  Shape out = x.shape();
  if (out.empty()) return out;
  if (call.attr<kArgmax, "keepdim">()) out[d] = 1;
  else out.erase(out.begin() + d);
  return out;
}

void run_argmax(const OpCall& call, Tensor& out) {
  const Tensor& x = call.input(0);
  const int64_t* dim = call.optional_attr<kArgmax, "dim">();
  const Lines l = dim ? lines_along(x.shape(), wrap_dim(*dim, x.dim(), "argmax")) : Lines{1, x.numel(), 1};
  const float* src = x.data();
  float* dst = out.data();
  for (int64_t line = 0; line < l.outer * l.inner; ++line) {
    const int64_t first = l.start(line);
    int64_t best = 0;
    for (int64_t k = 1; k < l.size; ++k) {
      if (greater(src[first + k * l.inner], src[first + best * l.inner])) best = k;  // the first of equals
    }
    dst[line] = static_cast<float>(best);
  }
}

// Positions 0..size-1 of one line, ordered: by value (descending or
// ascending, NaN as the largest), equal values in their original order.
std::vector<int64_t> ordered(const float* first, const Lines& l, bool descending) {
  std::vector<int64_t> order(static_cast<size_t>(l.size));
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
    const float va = first[a * l.inner], vb = first[b * l.inner];
    return descending ? greater(va, vb) : greater(vb, va);
  });
  return order;
}

void write_ordered(const OpCall& call, int64_t dim, int64_t count, bool descending, std::span<Tensor> outs) {
  const Lines l = lines_along(call.input(0).shape(), dim);
  const Lines o = lines_along(outs[0].shape(), dim);
  const float* src = call.input(0).data();
  float* values = outs[0].data();
  float* indices = outs[1].data();
  parallel_for(l.outer * l.inner, call.input(0).numel(), [&](int64_t line) {
    const float* first = src + l.start(line);
    const std::vector<int64_t> order = ordered(first, l, descending);
    for (int64_t k = 0; k < count; ++k) {
      values[o.start(line) + k * o.inner] = first[order[k] * l.inner];
      indices[o.start(line) + k * o.inner] = static_cast<float>(order[k]);
    }
  });
}

std::vector<Shape> shapes_topk(const OpCall& call) {
  const Tensor& x = call.input(0);
  const int64_t dim = line_dim<kTopk>(call);
  const int64_t k = call.attr<kTopk, "k">();
  const int64_t size = x.dim() == 0 ? 1 : x.shape()[dim];
  if (k < 0 || k > size) {
    call.fail("k " + std::to_string(k) + " is out of range for dimension " + std::to_string(dim) + " of size " +
              std::to_string(size));
  }
  Shape out = x.shape();
  if (!out.empty()) out[dim] = k;
  return {out, out};
}

void run_topk(const OpCall& call, std::span<Tensor> outs) {
  write_ordered(call, line_dim<kTopk>(call), call.attr<kTopk, "k">(), call.attr<kTopk, "largest">(), outs);
}

std::vector<Shape> shapes_sort(const OpCall& call) {
  line_dim<kSort>(call);
  return {call.input(0).shape(), call.input(0).shape()};
}

void run_sort(const OpCall& call, std::span<Tensor> outs) {
  const int64_t dim = line_dim<kSort>(call);
  const Shape& s = call.input(0).shape();
  write_ordered(call, dim, s.empty() ? 1 : s[dim], call.attr<kSort, "descending">(), outs);
}

using C = OpCategory;

}  // namespace

std::span<const OpInfo> reduction_ops() {
  static constexpr OpInfo rows[] = {
      {Op::sum, "sum", C::reduction, kUnary, 1, 1, kReduce, shape_reduce, run_sum},
      {Op::mean, "mean", C::reduction, kUnary, 1, 1, kReduce, shape_reduce, run_mean},
      {Op::cumsum, "cumsum", C::reduction, kUnary, 1, 1, kCumsum, shape_cumsum, run_cumsum},
      {Op::argmax, "argmax", C::reduction, kUnary, 1, 1, kArgmax, shape_argmax, run_argmax},
      {Op::topk, "topk", C::reduction, kUnary, 1, 1, kTopk, nullptr, nullptr, Writes::new_tensor, shapes_topk,
       run_topk},
      {Op::sort, "sort", C::reduction, kUnary, 1, 1, kSort, nullptr, nullptr, Writes::new_tensor, shapes_sort,
       run_sort},
  };
  return rows;
}

}  // namespace modtrace::detail

namespace modtrace::F {

Tensor sum(const Tensor& x, const std::vector<int64_t>& dims, bool keepdim, Where where) {
  return detail::dispatch_unary(Op::sum, x, where, detail::pack<detail::kReduce>(dims, keepdim));
}

Tensor mean(const Tensor& x, const std::vector<int64_t>& dims, bool keepdim, Where where) {
  return detail::dispatch_unary(Op::mean, x, where, detail::pack<detail::kReduce>(dims, keepdim));
}

Tensor cumsum(const Tensor& x, int64_t dim, Where where) {
  return detail::dispatch_unary(Op::cumsum, x, where, detail::pack<detail::kCumsum>(dim));
}

Tensor argmax(const Tensor& x, std::optional<int64_t> dim, bool keepdim, Where where) {
  return detail::dispatch_unary(Op::argmax, x, where, detail::pack<detail::kArgmax>(dim, keepdim));
}

Tensors topk(const Tensor& x, int64_t k, int64_t dim, bool largest, bool sorted, Where where) {
  const std::array<const Tensor*, 1> in{&x};
  return detail::dispatch_many(Op::topk, in, detail::pack<detail::kTopk>(k, dim, largest, sorted), where);
}

Tensors sort(const Tensor& x, int64_t dim, bool descending, Where where) {
  const std::array<const Tensor*, 1> in{&x};
  return detail::dispatch_many(Op::sort, in, detail::pack<detail::kSort>(dim, descending), where);
}

}  // namespace modtrace::F
