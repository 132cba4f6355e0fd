// Activations (elementwise, float32 as PyTorch computes them) and softmax.

#include <cmath>

#include "modtrace/functional.hpp"
#include "ops/map.hpp"

namespace modtrace::detail {
namespace {

constexpr AttrSpec kGelu[] = {{"approximate", AttrType::text, "none"}};
constexpr AttrSpec kSoftmax[] = {{"dim", AttrType::integer}};

void run_relu(const OpCall& c, Tensor& out) {
  // NaN stays NaN, as in PyTorch (a comparison-based max would turn it into 0).
  map_elements(c, out, [](float x) { return x > 0.0f || std::isnan(x) ? x : 0.0f; });
}

void run_relu6(const OpCall& c, Tensor& out) {
  map_elements(c, out, [](float x) { return std::isnan(x) ? x : std::min(std::max(x, 0.0f), 6.0f); });
}

void run_gelu(const OpCall& c, Tensor& out) {
  const std::string& approximate = c.attr<kGelu, "approximate">();
  if (approximate == "tanh") {
    map_elements(c, out, [](float x) {
      constexpr float kBeta = 0.7978845608028654f;  // sqrt(2 / pi)
      constexpr float kKappa = 0.044715f;
      return 0.5f * x * (1.0f + std::tanh(kBeta * (x + kKappa * x * x * x)));
    });
  } else {
    map_elements(c, out, [](float x) {
      constexpr float kAlpha = 0.7071067811865476f;  // 1 / sqrt(2)
      return x * 0.5f * (1.0f + std::erf(x * kAlpha));
    });
  }
}

void run_silu(const OpCall& c, Tensor& out) {
  map_elements(c, out, [](float x) { return x / (1.0f + std::exp(-x)); });
}

void run_sigmoid(const OpCall& c, Tensor& out) {
  map_elements(c, out, [](float x) { return 1.0f / (1.0f + std::exp(-x)); });
}

void run_hardsigmoid(const OpCall& c, Tensor& out) {
  map_elements(c, out, [](float x) { return std::min(std::max(x + 3.0f, 0.0f), 6.0f) / 6.0f; });
}

void run_hardswish(const OpCall& c, Tensor& out) {
  map_elements(c, out, [](float x) { return x * std::min(std::max(x + 3.0f, 0.0f), 6.0f) / 6.0f; });
}

void run_tanh(const OpCall& c, Tensor& out) {
  map_elements(c, out, [](float x) { return std::tanh(x); });
}

Shape shape_softmax(const OpCall& call) {
  wrap_dim(call.attr<kSoftmax, "dim">(), call.input(0).dim(), "softmax");
  return call.input(0).shape();
}

void run_softmax(const OpCall& call, Tensor& out) {
  const Tensor& x = call.input(0);
  const int64_t dim = wrap_dim(call.attr<kSoftmax, "dim">(), x.dim(), "softmax");
  const int64_t n = x.dim() == 0 ? 1 : x.shape()[dim];
  int64_t inner = 1;
  for (int64_t d = dim + 1; d < x.dim(); ++d) inner *= x.shape()[d];
  const int64_t outer = n == 0 ? 0 : x.numel() / (n * inner);
  const float* px = x.data();
  float* po = out.data();
  parallel_for(outer * inner, x.numel(), [&](int64_t row) {
    {
      const int64_t o = row / inner, i = row % inner;
      const float* src = px + o * n * inner + i;
      float* dst = po + o * n * inner + i;
      float top = -INFINITY;
      for (int64_t k = 0; k < n; ++k) top = std::max(top, src[k * inner]);
      double total = 0.0;
      for (int64_t k = 0; k < n; ++k) {
        dst[k * inner] = std::exp(src[k * inner] - top);
        total += dst[k * inner];
      }
      const auto scale = static_cast<float>(1.0 / total);
      for (int64_t k = 0; k < n; ++k) dst[k * inner] *= scale;
    }
  });
}

using C = OpCategory;

}  // namespace

std::span<const OpInfo> activation_ops() {
  static constexpr OpInfo rows[] = {
      {Op::relu, "relu", C::activation, kUnary, 1, 1, kNoAttributes, shape_same, run_relu},
      {Op::relu6, "relu6", C::activation, kUnary, 1, 1, kNoAttributes, shape_same, run_relu6},
      {Op::gelu, "gelu", C::activation, kUnary, 1, 1, kGelu, shape_same, run_gelu},
      {Op::silu, "silu", C::activation, kUnary, 1, 1, kNoAttributes, shape_same, run_silu},
      {Op::sigmoid, "sigmoid", C::activation, kUnary, 1, 1, kNoAttributes, shape_same, run_sigmoid},
      {Op::hardsigmoid, "hardsigmoid", C::activation, kUnary, 1, 1, kNoAttributes, shape_same, run_hardsigmoid},
      {Op::hardswish, "hardswish", C::activation, kUnary, 1, 1, kNoAttributes, shape_same, run_hardswish},
      {Op::tanh, "tanh", C::activation, kUnary, 1, 1, kNoAttributes, shape_same, run_tanh},
      {Op::softmax, "softmax", C::activation, kUnary, 1, 1, kSoftmax, shape_softmax, run_softmax},
  };
  return rows;
}

}  // namespace modtrace::detail

namespace modtrace::F {

using detail::dispatch_unary;
using detail::pack;

Tensor relu(const Tensor& x, Where where) { return dispatch_unary(Op::relu, x, where); }
Tensor relu6(const Tensor& x, Where where) { return dispatch_unary(Op::relu6, x, where); }
Tensor gelu(const Tensor& x, const std::string& approximate, Where where) {
  return dispatch_unary(Op::gelu, x, where, pack<detail::kGelu>(approximate));
}
Tensor silu(const Tensor& x, Where where) { return dispatch_unary(Op::silu, x, where); }
Tensor sigmoid(const Tensor& x, Where where) { return dispatch_unary(Op::sigmoid, x, where); }
Tensor hardsigmoid(const Tensor& x, Where where) { return dispatch_unary(Op::hardsigmoid, x, where); }
Tensor hardswish(const Tensor& x, Where where) { return dispatch_unary(Op::hardswish, x, where); }
Tensor tanh(const Tensor& x, Where where) { return dispatch_unary(Op::tanh, x, where); }
Tensor softmax(const Tensor& x, int64_t dim, Where where) {
  return dispatch_unary(Op::softmax, x, where, pack<detail::kSoftmax>(dim));
}

}  // namespace modtrace::F
