// Elementwise arithmetic: add, sub, rsub, mul, div (tensor with tensor,
// broadcasting; or with a scalar, which PyTorch converts to the tensor's
// float32), neg, reciprocal, abs, sqrt, rsqrt, exp, log, erf, pow (by a scalar
// exponent), clamp, where, masked_fill; their in-place
// forms (add_, …, relu_); and the comparisons eq, ne, gt, ge, lt, le, which
// give 1 where true and 0 where false (modtrace has one dtype, float32).

#include <cmath>
#include <string>

#include "modtrace/functional.hpp"
#include "ops/map.hpp"
#include "ops/strided.hpp"

namespace modtrace::detail {
namespace {

// The scalar operand; absent when the other operand is a tensor.
constexpr AttrSpec kScalar[] = {{"other", AttrType::real, "", true}};
constexpr AttrSpec kClamp[] = {{"min", AttrType::real, "", true}, {"max", AttrType::real, "", true}};
constexpr AttrSpec kMaskedFill[] = {{"value", AttrType::real}};
constexpr AttrSpec kPow[] = {{"exponent", AttrType::real}};
constexpr InputNames kWhereInputs{"condition", "input", "other"};
constexpr InputNames kMaskInputs{"input", "mask"};

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
void run_abs(const OpCall& c, Tensor& out) { map_elements(c, out, [](float x) { return std::fabs(x); }); }
void run_sqrt(const OpCall& c, Tensor& out) { map_elements(c, out, [](float x) { return std::sqrt(x); }); }
void run_rsqrt(const OpCall& c, Tensor& out) { map_elements(c, out, [](float x) { return 1.0f / std::sqrt(x); }); }
void run_erf(const OpCall& c, Tensor& out) { map_elements(c, out, [](float x) { return std::erf(x); }); }
void run_exp(const OpCall& c, Tensor& out) { map_elements(c, out, [](float x) { return std::exp(x); }); }
void run_log(const OpCall& c, Tensor& out) { map_elements(c, out, [](float x) { return std::log(x); }); }

void run_pow(const OpCall& call, Tensor& out) {
  const double e = call.attr<kPow, "exponent">();
  // Exact forms for the common exponents, std::pow otherwise (float, as PyTorch).
  if (e == 2.0) return map_elements(call, out, [](float x) { return x * x; });
  if (e == 0.5) return map_elements(call, out, [](float x) { return std::sqrt(x); });
  if (e == 1.0) return map_elements(call, out, [](float x) { return x; });
  const auto ef = static_cast<float>(e);
  map_elements(call, out, [=](float x) { return std::pow(x, ef); });
}

// Comparisons: NaN compares unequal to everything, as in PyTorch.
void run_eq(const OpCall& c, Tensor& out) { binary_kernel(c, out, [](float x, float y) { return x == y ? 1.0f : 0.0f; }); }
void run_ne(const OpCall& c, Tensor& out) { binary_kernel(c, out, [](float x, float y) { return x != y ? 1.0f : 0.0f; }); }
void run_gt(const OpCall& c, Tensor& out) { binary_kernel(c, out, [](float x, float y) { return x > y ? 1.0f : 0.0f; }); }
void run_ge(const OpCall& c, Tensor& out) { binary_kernel(c, out, [](float x, float y) { return x >= y ? 1.0f : 0.0f; }); }
void run_lt(const OpCall& c, Tensor& out) { binary_kernel(c, out, [](float x, float y) { return x < y ? 1.0f : 0.0f; }); }
void run_le(const OpCall& c, Tensor& out) { binary_kernel(c, out, [](float x, float y) { return x <= y ? 1.0f : 0.0f; }); }

Shape shape_clamp(const OpCall& call) {
  if (!call.optional_attr<kClamp, "min">() && !call.optional_attr<kClamp, "max">()) {
    call.fail("at least one of 'min' or 'max' must not be None");
  }
  return call.input(0).shape();
}

void run_clamp(const OpCall& call, Tensor& out) {
  const double* lo = call.optional_attr<kClamp, "min">();
  const double* hi = call.optional_attr<kClamp, "max">();
  const float low = lo ? static_cast<float>(*lo) : -INFINITY, high = hi ? static_cast<float>(*hi) : INFINITY;
  // PyTorch: min(max(x, low), high), NaN kept; with low > high every value becomes high.
  map_elements(call, out, [=](float x) { return std::isnan(x) ? x : std::min(std::max(x, low), high); });
}

// Three operands broadcast together: where(condition, input, other).
Shape shape_where(const OpCall& call) {
  const Shape ab = broadcast_shapes(call.input(1).shape(), call.input(2).shape(), "where");
  return broadcast_shapes(call.input(0).shape(), ab, "where");
}

void run_where(const OpCall& call, Tensor& out) {
  const Shape& shape = out.shape();
  const std::array<Strides, 4> strides{contiguous_strides(shape), broadcast_strides(call.input(0).shape(), shape),
                                       broadcast_strides(call.input(1).shape(), shape),
                                       broadcast_strides(call.input(2).shape(), shape)};
  const float* cond = call.input(0).data();
  const float* a = call.input(1).data();
  const float* b = call.input(2).data();
  float* o = out.data();
  for_each_run<4>(shape, strides, [&](std::array<int64_t, 4> at, std::array<int64_t, 4> step, int64_t len) {
    for (int64_t j = 0; j < len; ++j) {
      o[at[0] + j * step[0]] = cond[at[1] + j * step[1]] != 0.0f ? a[at[2] + j * step[2]] : b[at[3] + j * step[3]];
    }
  });
}

// masked_fill(input, mask, value): the mask broadcasts to the input's shape, which stays.
Shape shape_masked_fill(const OpCall& call) {
  const Shape& s = call.input(0).shape();
  if (broadcast_shapes(s, call.input(1).shape(), "masked_fill") != s) {
    call.fail("the mask must broadcast to the input's shape " + to_string(s));
  }
  return s;
}

void run_masked_fill(const OpCall& call, Tensor& out) {
  const auto value = static_cast<float>(call.attr<kMaskedFill, "value">());
  const Shape& shape = out.shape();
  const std::array<Strides, 3> strides{contiguous_strides(shape), contiguous_strides(shape),
                                       broadcast_strides(call.input(1).shape(), shape)};
  const float* x = call.input(0).data();
  const float* mask = call.input(1).data();
  float* o = out.data();
  for_each_run<3>(shape, strides, [&](std::array<int64_t, 3> at, std::array<int64_t, 3> step, int64_t len) {
    for (int64_t j = 0; j < len; ++j) {
      o[at[0] + j * step[0]] = mask[at[2] + j * step[2]] != 0.0f ? value : x[at[1] + j * step[1]];
    }
  });
}

using C = OpCategory;

}  // namespace

std::span<const OpInfo> arithmetic_ops() {
  constexpr auto in_place = Writes::input_in_place;
  static constexpr OpInfo rows[] = {
      {Op::add, "add", C::arithmetic, kBinary, 1, 2, kScalar, shape_elementwise, run_add},
      {Op::sub, "sub", C::arithmetic, kBinary, 1, 2, kScalar, shape_elementwise, run_sub},
      {Op::rsub, "rsub", C::arithmetic, kBinary, 1, 1, kScalar, shape_elementwise, run_rsub},
      {Op::mul, "mul", C::arithmetic, kBinary, 1, 2, kScalar, shape_elementwise, run_mul},
      {Op::div, "div", C::arithmetic, kBinary, 1, 2, kScalar, shape_elementwise, run_div},
      {Op::neg, "neg", C::arithmetic, kUnary, 1, 1, kNoAttributes, shape_same, run_neg},
      {Op::reciprocal, "reciprocal", C::arithmetic, kUnary, 1, 1, kNoAttributes, shape_same, run_reciprocal},
      {Op::abs, "abs", C::arithmetic, kUnary, 1, 1, kNoAttributes, shape_same, run_abs},
      {Op::sqrt, "sqrt", C::arithmetic, kUnary, 1, 1, kNoAttributes, shape_same, run_sqrt},
      {Op::rsqrt, "rsqrt", C::arithmetic, kUnary, 1, 1, kNoAttributes, shape_same, run_rsqrt},
      {Op::exp, "exp", C::arithmetic, kUnary, 1, 1, kNoAttributes, shape_same, run_exp},
      {Op::log, "log", C::arithmetic, kUnary, 1, 1, kNoAttributes, shape_same, run_log},
      {Op::erf, "erf", C::arithmetic, kUnary, 1, 1, kNoAttributes, shape_same, run_erf},
      {Op::pow, "pow", C::arithmetic, kUnary, 1, 1, kPow, shape_same, run_pow},
      {Op::clamp, "clamp", C::arithmetic, kUnary, 1, 1, kClamp, shape_clamp, run_clamp},
      {Op::where, "where", C::arithmetic, kWhereInputs, 3, 3, kNoAttributes, shape_where, run_where},
      {Op::masked_fill, "masked_fill", C::arithmetic, kMaskInputs, 2, 2, kMaskedFill, shape_masked_fill,
       run_masked_fill},
      {Op::add_, "add_", C::arithmetic, kBinary, 1, 2, kScalar, shape_elementwise, run_add, in_place},
      {Op::sub_, "sub_", C::arithmetic, kBinary, 1, 2, kScalar, shape_elementwise, run_sub, in_place},
      {Op::mul_, "mul_", C::arithmetic, kBinary, 1, 2, kScalar, shape_elementwise, run_mul, in_place},
      {Op::div_, "div_", C::arithmetic, kBinary, 1, 2, kScalar, shape_elementwise, run_div, in_place},
      {Op::clamp_, "clamp_", C::arithmetic, kUnary, 1, 1, kClamp, shape_clamp, run_clamp, in_place},
      {Op::masked_fill_, "masked_fill_", C::arithmetic, kMaskInputs, 2, 2, kMaskedFill, shape_masked_fill,
       run_masked_fill, in_place},
      {Op::eq, "eq", C::comparison, kBinary, 1, 2, kScalar, shape_elementwise, run_eq},
      {Op::ne, "ne", C::comparison, kBinary, 1, 2, kScalar, shape_elementwise, run_ne},
      {Op::gt, "gt", C::comparison, kBinary, 1, 2, kScalar, shape_elementwise, run_gt},
      {Op::ge, "ge", C::comparison, kBinary, 1, 2, kScalar, shape_elementwise, run_ge},
      {Op::lt, "lt", C::comparison, kBinary, 1, 2, kScalar, shape_elementwise, run_lt},
      {Op::le, "le", C::comparison, kBinary, 1, 2, kScalar, shape_elementwise, run_le},
  };
  return rows;
}

}  // namespace modtrace::detail

namespace modtrace::F {

using detail::dispatch_binary;
using detail::dispatch_unary;
using detail::kScalar;
using detail::pack;

namespace {
std::optional<double> scalar(double v) { return v; }
}  // namespace

Tensor add(const Tensor& a, const Tensor& b, Where where) { return dispatch_binary(Op::add, a, b, where); }
Tensor add(const Tensor& a, double b, Where where) { return dispatch_unary(Op::add, a, where, pack<kScalar>(scalar(b))); }
Tensor sub(const Tensor& a, const Tensor& b, Where where) { return dispatch_binary(Op::sub, a, b, where); }
Tensor sub(const Tensor& a, double b, Where where) { return dispatch_unary(Op::sub, a, where, pack<kScalar>(scalar(b))); }
Tensor rsub(const Tensor& a, double b, Where where) { return dispatch_unary(Op::rsub, a, where, pack<kScalar>(scalar(b))); }
Tensor mul(const Tensor& a, const Tensor& b, Where where) { return dispatch_binary(Op::mul, a, b, where); }
Tensor mul(const Tensor& a, double b, Where where) { return dispatch_unary(Op::mul, a, where, pack<kScalar>(scalar(b))); }
Tensor div(const Tensor& a, const Tensor& b, Where where) { return dispatch_binary(Op::div, a, b, where); }
Tensor div(const Tensor& a, double b, Where where) { return dispatch_unary(Op::div, a, where, pack<kScalar>(scalar(b))); }
Tensor neg(const Tensor& x, Where where) { return dispatch_unary(Op::neg, x, where); }
Tensor reciprocal(const Tensor& x, Where where) { return dispatch_unary(Op::reciprocal, x, where); }
Tensor abs(const Tensor& x, Where where) { return dispatch_unary(Op::abs, x, where); }
Tensor sqrt(const Tensor& x, Where where) { return dispatch_unary(Op::sqrt, x, where); }
Tensor rsqrt(const Tensor& x, Where where) { return dispatch_unary(Op::rsqrt, x, where); }
Tensor erf(const Tensor& x, Where where) { return dispatch_unary(Op::erf, x, where); }
Tensor exp(const Tensor& x, Where where) { return dispatch_unary(Op::exp, x, where); }
Tensor log(const Tensor& x, Where where) { return dispatch_unary(Op::log, x, where); }
Tensor pow(const Tensor& x, double exponent, Where where) {
  return dispatch_unary(Op::pow, x, where, pack<detail::kPow>(exponent));
}
Tensor clamp(const Tensor& x, std::optional<double> min, std::optional<double> max, Where where) {
  return dispatch_unary(Op::clamp, x, where, pack<detail::kClamp>(min, max));
}
Tensor where(const Tensor& condition, const Tensor& input, const Tensor& other, Where at) {
  const std::array<const Tensor*, 3> in{&condition, &input, &other};
  return detail::dispatch(Op::where, in, {}, at);
}
Tensor masked_fill(const Tensor& x, const Tensor& mask, double value, Where where) {
  return dispatch_binary(Op::masked_fill, x, mask, where, pack<detail::kMaskedFill>(value));
}

using detail::in_place;

Tensor& add_(Tensor& x, const Tensor& other, Where where) { return in_place(x, dispatch_binary(Op::add_, x, other, where)); }
Tensor& add_(Tensor& x, double other, Where where) {
  return in_place(x, dispatch_unary(Op::add_, x, where, pack<kScalar>(scalar(other))));
}
Tensor& sub_(Tensor& x, const Tensor& other, Where where) { return in_place(x, dispatch_binary(Op::sub_, x, other, where)); }
Tensor& sub_(Tensor& x, double other, Where where) {
  return in_place(x, dispatch_unary(Op::sub_, x, where, pack<kScalar>(scalar(other))));
}
Tensor& mul_(Tensor& x, const Tensor& other, Where where) { return in_place(x, dispatch_binary(Op::mul_, x, other, where)); }
Tensor& mul_(Tensor& x, double other, Where where) {
  return in_place(x, dispatch_unary(Op::mul_, x, where, pack<kScalar>(scalar(other))));
}
Tensor& div_(Tensor& x, const Tensor& other, Where where) { return in_place(x, dispatch_binary(Op::div_, x, other, where)); }
Tensor& div_(Tensor& x, double other, Where where) {
  return in_place(x, dispatch_unary(Op::div_, x, where, pack<kScalar>(scalar(other))));
}
Tensor& clamp_(Tensor& x, std::optional<double> min, std::optional<double> max, Where where) {
  return in_place(x, dispatch_unary(Op::clamp_, x, where, pack<detail::kClamp>(min, max)));
}
Tensor& masked_fill_(Tensor& x, const Tensor& mask, double value, Where where) {
  return in_place(x, dispatch_binary(Op::masked_fill_, x, mask, where, pack<detail::kMaskedFill>(value)));
}

Tensor eq(const Tensor& a, const Tensor& b, Where where) { return dispatch_binary(Op::eq, a, b, where); }
Tensor eq(const Tensor& a, double b, Where where) { return dispatch_unary(Op::eq, a, where, pack<kScalar>(scalar(b))); }
Tensor ne(const Tensor& a, const Tensor& b, Where where) { return dispatch_binary(Op::ne, a, b, where); }
Tensor ne(const Tensor& a, double b, Where where) { return dispatch_unary(Op::ne, a, where, pack<kScalar>(scalar(b))); }
Tensor gt(const Tensor& a, const Tensor& b, Where where) { return dispatch_binary(Op::gt, a, b, where); }
Tensor gt(const Tensor& a, double b, Where where) { return dispatch_unary(Op::gt, a, where, pack<kScalar>(scalar(b))); }
Tensor ge(const Tensor& a, const Tensor& b, Where where) { return dispatch_binary(Op::ge, a, b, where); }
Tensor ge(const Tensor& a, double b, Where where) { return dispatch_unary(Op::ge, a, where, pack<kScalar>(scalar(b))); }
Tensor lt(const Tensor& a, const Tensor& b, Where where) { return dispatch_binary(Op::lt, a, b, where); }
Tensor lt(const Tensor& a, double b, Where where) { return dispatch_unary(Op::lt, a, where, pack<kScalar>(scalar(b))); }
Tensor le(const Tensor& a, const Tensor& b, Where where) { return dispatch_binary(Op::le, a, b, where); }
Tensor le(const Tensor& a, double b, Where where) { return dispatch_unary(Op::le, a, where, pack<kScalar>(scalar(b))); }

}  // namespace modtrace::F
