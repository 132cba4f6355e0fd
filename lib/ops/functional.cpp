// modtrace::F: each function names its op, packs its attributes and calls
// dispatch(). No arithmetic and no recording here: the op table and the
// dispatcher do that, the same way for every op.

#include "modtrace/functional.hpp"

#include <array>

#include "ops/op_call.hpp"

namespace modtrace::F {
namespace {

using detail::dispatch;

std::vector<int64_t> pair(Size2 s) { return {s.h, s.w}; }

Tensor unary(Op op, const Tensor& x, const Where& where, const Attrs& attrs = {}) {
  const std::array<const Tensor*, 1> in{&x};
  return dispatch(op, in, attrs, where);
}

Tensor binary(Op op, const Tensor& a, const Tensor& b, const Where& where) {
  const std::array<const Tensor*, 2> in{&a, &b};
  return dispatch(op, in, {}, where);
}

Tensor with_scalar(Op op, const Tensor& a, double other, const Where& where) {
  return unary(op, a, where, {{"other", other}});
}

}  // namespace

Tensor add(const Tensor& a, const Tensor& b, Where where) { return binary(Op::add, a, b, where); }
Tensor add(const Tensor& a, double b, Where where) { return with_scalar(Op::add, a, b, where); }
Tensor sub(const Tensor& a, const Tensor& b, Where where) { return binary(Op::sub, a, b, where); }
Tensor sub(const Tensor& a, double b, Where where) { return with_scalar(Op::sub, a, b, where); }
Tensor rsub(const Tensor& a, double b, Where where) { return with_scalar(Op::rsub, a, b, where); }
Tensor mul(const Tensor& a, const Tensor& b, Where where) { return binary(Op::mul, a, b, where); }
Tensor mul(const Tensor& a, double b, Where where) { return with_scalar(Op::mul, a, b, where); }
Tensor div(const Tensor& a, const Tensor& b, Where where) { return binary(Op::div, a, b, where); }
Tensor div(const Tensor& a, double b, Where where) { return with_scalar(Op::div, a, b, where); }
Tensor neg(const Tensor& x, Where where) { return unary(Op::neg, x, where); }
Tensor reciprocal(const Tensor& x, Where where) { return unary(Op::reciprocal, x, where); }

Tensor relu(const Tensor& x, Where where) { return unary(Op::relu, x, where); }
Tensor relu6(const Tensor& x, Where where) { return unary(Op::relu6, x, where); }
Tensor gelu(const Tensor& x, const std::string& approximate, Where where) {
  return unary(Op::gelu, x, where, {{"approximate", approximate}});
}
Tensor silu(const Tensor& x, Where where) { return unary(Op::silu, x, where); }
Tensor sigmoid(const Tensor& x, Where where) { return unary(Op::sigmoid, x, where); }
Tensor hardsigmoid(const Tensor& x, Where where) { return unary(Op::hardsigmoid, x, where); }
Tensor hardswish(const Tensor& x, Where where) { return unary(Op::hardswish, x, where); }
Tensor tanh(const Tensor& x, Where where) { return unary(Op::tanh, x, where); }
Tensor softmax(const Tensor& x, int64_t dim, Where where) { return unary(Op::softmax, x, where, {{"dim", dim}}); }

Tensor matmul(const Tensor& a, const Tensor& b, Where where) { return binary(Op::matmul, a, b, where); }

Tensor linear(const Tensor& input, const Tensor& weight, const Tensor& bias, Where where) {
  const std::array<const Tensor*, 3> in{&input, &weight, &bias};
  return dispatch(Op::linear, in, {}, where);
}

Tensor conv2d(const Tensor& input, const Tensor& weight, const Tensor& bias, Size2 stride, Size2 padding,
              Size2 dilation, int64_t groups, Where where) {
  const std::array<const Tensor*, 3> in{&input, &weight, &bias};
  return dispatch(Op::conv2d, in,
                  {{"stride", pair(stride)}, {"padding", pair(padding)}, {"dilation", pair(dilation)},
                   {"groups", groups}},
                  where);
}

Tensor max_pool2d(const Tensor& x, Size2 kernel_size, std::optional<Size2> stride, Size2 padding, Size2 dilation,
                  bool ceil_mode, Where where) {
  return unary(Op::max_pool2d, x, where,
               {{"kernel_size", pair(kernel_size)}, {"stride", pair(stride.value_or(kernel_size))},
                {"padding", pair(padding)}, {"dilation", pair(dilation)}, {"ceil_mode", ceil_mode}});
}

Tensor avg_pool2d(const Tensor& x, Size2 kernel_size, std::optional<Size2> stride, Size2 padding, bool ceil_mode,
                  bool count_include_pad, Where where) {
  return unary(Op::avg_pool2d, x, where,
               {{"kernel_size", pair(kernel_size)}, {"stride", pair(stride.value_or(kernel_size))},
                {"padding", pair(padding)}, {"ceil_mode", ceil_mode}, {"count_include_pad", count_include_pad}});
}

Tensor adaptive_avg_pool2d(const Tensor& x, Size2 output_size, Where where) {
  return unary(Op::adaptive_avg_pool2d, x, where, {{"output_size", pair(output_size)}});
}

Tensor batch_norm(const Tensor& x, const Tensor& running_mean, const Tensor& running_var, const Tensor& weight,
                  const Tensor& bias, bool training, double momentum, double eps, Where where) {
  const std::array<const Tensor*, 5> in{&x, &running_mean, &running_var, &weight, &bias};
  return dispatch(Op::batch_norm, in, {{"training", training}, {"momentum", momentum}, {"eps", eps}}, where);
}

Tensor layer_norm(const Tensor& x, const Shape& normalized_shape, const Tensor& weight, const Tensor& bias,
                  double eps, Where where) {
  const std::array<const Tensor*, 3> in{&x, &weight, &bias};
  return dispatch(Op::layer_norm, in, {{"normalized_shape", normalized_shape}, {"eps", eps}}, where);
}

Tensor reshape(const Tensor& x, const Shape& shape, Where where) {
  return unary(Op::reshape, x, where, {{"shape", shape}});
}
Tensor view(const Tensor& x, const Shape& shape, Where where) { return unary(Op::view, x, where, {{"shape", shape}}); }
Tensor flatten(const Tensor& x, int64_t start_dim, int64_t end_dim, Where where) {
  return unary(Op::flatten, x, where, {{"start_dim", start_dim}, {"end_dim", end_dim}});
}
Tensor squeeze(const Tensor& x, int64_t dim, Where where) { return unary(Op::squeeze, x, where, {{"dim", dim}}); }
Tensor unsqueeze(const Tensor& x, int64_t dim, Where where) {
  return unary(Op::unsqueeze, x, where, {{"dim", dim}});
}
Tensor contiguous(const Tensor& x, Where where) { return unary(Op::contiguous, x, where); }

Tensor permute(const Tensor& x, const std::vector<int64_t>& dims, Where where) {
  return unary(Op::permute, x, where, {{"dims", dims}});
}
Tensor transpose(const Tensor& x, int64_t dim0, int64_t dim1, Where where) {
  return unary(Op::transpose, x, where, {{"dim0", dim0}, {"dim1", dim1}});
}
Tensor clone(const Tensor& x, Where where) { return unary(Op::clone, x, where); }

Tensor cat(const Tensors& tensors, int64_t dim, Where where) {
  std::vector<const Tensor*> in;
  in.reserve(tensors.size());
  for (const Tensor& t : tensors) in.push_back(&t);
  return dispatch(Op::cat, in, {{"dim", dim}}, where);
}

Tensor slice(const Tensor& x, int64_t dim, std::optional<int64_t> start, std::optional<int64_t> end, int64_t step,
             Where where) {
  // Absent bounds stay absent in the record, as in x[:, 1:].
  Attrs attrs{{"dim", dim}};
  if (start) attrs.add("start", *start);
  if (end) attrs.add("end", *end);
  attrs.add("step", step);
  return unary(Op::slice, x, where, attrs);
}

Tensor select(const Tensor& x, int64_t dim, int64_t index, Where where) {
  return unary(Op::select, x, where, {{"dim", dim}, {"index", index}});
}

Tensor narrow(const Tensor& x, int64_t dim, int64_t start, int64_t length, Where where) {
  return unary(Op::narrow, x, where, {{"dim", dim}, {"start", start}, {"length", length}});
}

Tensor expand(const Tensor& x, const Shape& shape, Where where) {
  return unary(Op::expand, x, where, {{"size", shape}});
}

Tensor sum(const Tensor& x, const std::vector<int64_t>& dims, bool keepdim, Where where) {
  return unary(Op::sum, x, where, {{"dim", dims}, {"keepdim", keepdim}});
}

Tensor mean(const Tensor& x, const std::vector<int64_t>& dims, bool keepdim, Where where) {
  return unary(Op::mean, x, where, {{"dim", dims}, {"keepdim", keepdim}});
}

Tensor dropout(const Tensor& x, double p, bool training, Where where) {
  return unary(Op::dropout, x, where, {{"p", p}, {"training", training}});
}

Tensor stochastic_depth(const Tensor& x, double p, const std::string& mode, bool training, Where where) {
  return unary(Op::stochastic_depth, x, where, {{"p", p}, {"mode", mode}, {"training", training}});
}

}  // namespace modtrace::F
