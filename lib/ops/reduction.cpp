// sum and mean over a set of dimensions (all when none are given), with keepdim.
// Each output element sums its reduced sub-space in double.

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

using C = OpCategory;

}  // namespace

std::span<const OpInfo> reduction_ops() {
  static constexpr OpInfo rows[] = {
      {Op::sum, "sum", C::reduction, kUnary, 1, 1, kReduce, shape_reduce, run_sum},
      {Op::mean, "mean", C::reduction, kUnary, 1, 1, kReduce, shape_reduce, run_mean},
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

}  // namespace modtrace::F
