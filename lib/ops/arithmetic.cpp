// add, sub, rsub, mul, div (tensor with tensor, broadcasting; or with a
// scalar, which PyTorch converts to the tensor's float32), neg, reciprocal:
// their rows, shape rule, kernels and F:: functions.

#include "modtrace/functional.hpp"
#include "ops/map.hpp"
#include "ops/strided.hpp"

namespace modtrace::detail {
namespace {

// The scalar operand; absent when the other operand is a tensor.
constexpr AttrSpec kScalar[] = {{"other", AttrType::real, "", true}};

template <class Fn>
void binary_kernel(const OpCall& call, Tensor& out, Fn fn) {
  const Tensor& a = call.input(0);
  const float* pa = a.data();
  float* po = out.data();
  const int64_t n = out.numel();
  if (call.input_count() == 1) {  // tensor with scalar
    const auto s = static_cast<float>(*call.optional_attr<kScalar, "other">());
    map_flat(pa, po, n, [&](float x) { return fn(x, s); });
    return;
  }
  const Tensor& b = call.input(1);
  const float* pb = b.data();
  if (a.shape() == b.shape()) {
    zip_flat(pa, pb, po, n, fn);
    return;
  }
  const Shape& shape = out.shape();
  const std::array<Strides, 3> strides{contiguous_strides(shape), broadcast_strides(a.shape(), shape),
                                       broadcast_strides(b.shape(), shape)};
  for_each_run<3>(shape, strides, [&](std::array<int64_t, 3> at, std::array<int64_t, 3> step, int64_t len) {
    float* o = po + at[0];
    const float* x = pa + at[1];
    const float* y = pb + at[2];
    if (step[1] == 1 && step[2] == 0) {
      const float c = *y;
      for (int64_t j = 0; j < len; ++j) o[j] = fn(x[j], c);
    } else if (step[1] == 0 && step[2] == 1) {
      const float c = *x;
      for (int64_t j = 0; j < len; ++j) o[j] = fn(c, y[j]);
    } else {
      for (int64_t j = 0; j < len; ++j) o[j * step[0]] = fn(x[j * step[1]], y[j * step[2]]);
    }
  });
}

Shape shape_elementwise(const OpCall& call) {
  if (call.input_count() == 1) {
    if (call.optional_attr<kScalar, "other">() == nullptr) call.fail("expected a second tensor or a scalar");
    return call.input(0).shape();
  }
  return broadcast_shapes(call.input(0).shape(), call.input(1).shape(), op_info(call.op).name.data());
}

void run_add(const OpCall& c, Tensor& out) { binary_kernel(c, out, [](float x, float y) { return x + y; }); }
void run_sub(const OpCall& c, Tensor& out) { binary_kernel(c, out, [](float x, float y) { return x - y; }); }
void run_rsub(const OpCall& c, Tensor& out) { binary_kernel(c, out, [](float x, float y) { return y - x; }); }
void run_mul(const OpCall& c, Tensor& out) { binary_kernel(c, out, [](float x, float y) { return x * y; }); }
void run_div(const OpCall& c, Tensor& out) { binary_kernel(c, out, [](float x, float y) { return x / y; }); }
void run_neg(const OpCall& c, Tensor& out) { map_elements(c, out, [](float x) { return -x; }); }
void run_reciprocal(const OpCall& c, Tensor& out) { map_elements(c, out, [](float x) { return 1.0f / x; }); }

using C = OpCategory;

}  // namespace

std::span<const OpInfo> arithmetic_ops() {
  static constexpr OpInfo rows[] = {
      {Op::add, "add", C::arithmetic, kBinary, 1, 2, kScalar, shape_elementwise, run_add},
      {Op::sub, "sub", C::arithmetic, kBinary, 1, 2, kScalar, shape_elementwise, run_sub},
      {Op::rsub, "rsub", C::arithmetic, kBinary, 1, 1, kScalar, shape_elementwise, run_rsub},
      {Op::mul, "mul", C::arithmetic, kBinary, 1, 2, kScalar, shape_elementwise, run_mul},
      {Op::div, "div", C::arithmetic, kBinary, 1, 2, kScalar, shape_elementwise, run_div},
      {Op::neg, "neg", C::arithmetic, kUnary, 1, 1, kNoAttributes, shape_same, run_neg},
      {Op::reciprocal, "reciprocal", C::arithmetic, kUnary, 1, 1, kNoAttributes, shape_same, run_reciprocal},
  };
  return rows;
}

}  // namespace modtrace::detail

namespace modtrace::F {

using detail::dispatch_binary;
using detail::dispatch_unary;
using detail::kScalar;
using detail::pack;

Tensor add(const Tensor& a, const Tensor& b, Where where) { return dispatch_binary(Op::add, a, b, where); }
Tensor add(const Tensor& a, double b, Where where) { return dispatch_unary(Op::add, a, where, pack<kScalar>(std::optional(b))); }
Tensor sub(const Tensor& a, const Tensor& b, Where where) { return dispatch_binary(Op::sub, a, b, where); }
Tensor sub(const Tensor& a, double b, Where where) { return dispatch_unary(Op::sub, a, where, pack<kScalar>(std::optional(b))); }
Tensor rsub(const Tensor& a, double b, Where where) { return dispatch_unary(Op::rsub, a, where, pack<kScalar>(std::optional(b))); }
Tensor mul(const Tensor& a, const Tensor& b, Where where) { return dispatch_binary(Op::mul, a, b, where); }
Tensor mul(const Tensor& a, double b, Where where) { return dispatch_unary(Op::mul, a, where, pack<kScalar>(std::optional(b))); }
Tensor div(const Tensor& a, const Tensor& b, Where where) { return dispatch_binary(Op::div, a, b, where); }
Tensor div(const Tensor& a, double b, Where where) { return dispatch_unary(Op::div, a, where, pack<kScalar>(std::optional(b))); }
Tensor neg(const Tensor& x, Where where) { return dispatch_unary(Op::neg, x, where); }
Tensor reciprocal(const Tensor& x, Where where) { return dispatch_unary(Op::reciprocal, x, where); }

}  // namespace modtrace::F
