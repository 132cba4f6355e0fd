// Activations (elementwise, float32 as PyTorch computes them; relu_,
// sigmoid_, tanh_ in place), prelu (a weight per channel), and softmax and
// log_softmax along a dimension (sums in double).

#include <cmath>

#include "modtrace/functional.hpp"
#include "ops/map.hpp"
#include "ops/vector_math.hpp"

namespace modtrace::detail {
namespace {

constexpr AttrSpec kGelu[] = {{"approximate", AttrType::text, "none"}};
constexpr AttrSpec kSoftmax[] = {{"dim", AttrType::integer}};
constexpr AttrSpec kLeakyRelu[] = {{"negative_slope", AttrType::real, "0.01"}};
constexpr AttrSpec kSoftplus[] = {{"beta", AttrType::real, "1"}, {"threshold", AttrType::real, "20"}};
constexpr InputNames kPreluInputs{"input", "weight"};

void run_relu(const OpCall& c, Tensor& out) {
  // NaN stays NaN, as in PyTorch (a comparison-based max would turn it into 0).
  map_elements(c, out, [](float x) { return x > 0.0f || std::isnan(x) ? x : 0.0f; });
}

void run_relu6(const OpCall& c, Tensor& out) {
  // NaN passes both comparisons through; written without a branch on isnan,
  // which kept the loop from vectorising (a tenth of MobileNetV2's forward).
  map_elements(c, out, [](float x) {
    const float low = x < 0.0f ? 0.0f : x;
    return low > 6.0f ? 6.0f : low;
  });
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
    // erf as PyTorch's vectorised kernel computes it: libm's scalar erff
    // kept this loop from vectorising (a sixth of ConvNeXt's forward).
    map_elements(c, out, [](float x) {
      constexpr float kAlpha = 0.7071067811865476f;  // 1 / sqrt(2)
      return x * 0.5f * (1.0f + erf_as(x * kAlpha));
    });
  }
}

void run_silu(const OpCall& c, Tensor& out) {
  map_elements(c, out, [](float x) { return x / (1.0f + std::exp(-x)); });
}

void run_sigmoid(const OpCall& c, Tensor& out) {
  map_elements(c, out, [](float x) { return 1.0f / (1.0f + std::exp(-x)); });
}

// min(max(x + 3, 0), 6) as two selects of values: GCC vectorises those, not
// std::min/std::max of a computed operand (they select references). NaN stays NaN.
float relu6_of_x_plus_3(float x) {
  const float shifted = x + 3.0f;
  const float low = shifted < 0.0f ? 0.0f : shifted;
  return low > 6.0f ? 6.0f : low;
}

void run_hardsigmoid(const OpCall& c, Tensor& out) {
  map_elements(c, out, [](float x) { return relu6_of_x_plus_3(x) / 6.0f; });
}

void run_hardswish(const OpCall& c, Tensor& out) {
  map_elements(c, out, [](float x) { return x * relu6_of_x_plus_3(x) / 6.0f; });
}

void run_tanh(const OpCall& c, Tensor& out) {
  map_elements(c, out, [](float x) { return std::tanh(x); });
}

void run_leaky_relu(const OpCall& call, Tensor& out) {
  const auto slope = static_cast<float>(call.attr<kLeakyRelu, "negative_slope">());
  // max(x, 0) + min(x, 0) * slope: every product computed, so that GCC
  // vectorises the loop (a product only some elements take may trap, which
  // keeps it from if-converting `x > 0 ? x : x * slope`). NaN stays NaN.
  map_elements(call, out, [=](float x) {
    const float positive = x < 0.0f ? 0.0f : x;
    const float negative = x > 0.0f ? 0.0f : x;
    return positive + negative * slope;
  });
}

void run_mish(const OpCall& c, Tensor& out) {
  map_elements(c, out, [](float x) { return x * std::tanh(std::log1p(std::exp(x))); });
}

void run_softplus(const OpCall& call, Tensor& out) {
  const auto beta = static_cast<float>(call.attr<kSoftplus, "beta">());
  const auto threshold = static_cast<float>(call.attr<kSoftplus, "threshold">());
  // Linear above the threshold, where log1p(exp(.)) would overflow.
  map_elements(call, out, [=](float x) { return x * beta > threshold ? x : std::log1p(std::exp(x * beta)) / beta; });
}

// prelu: one slope per channel (dimension 1), or one for everything.
Shape shape_prelu(const OpCall& call) {
  const Tensor& x = call.input(0);
  const int64_t slopes = call.input(1).numel();
  if (call.input(1).dim() > 1) call.fail("weight must be 0-D or 1-D, one slope per channel");
  const int64_t channels = x.dim() >= 2 ? x.shape()[1] : 1;
  if (slopes != 1 && slopes != channels) {
    call.fail("weight has " + std::to_string(slopes) + " slopes, expected 1 or one per channel (" +
              std::to_string(channels) + ", dimension 1 of the input)");
  }
  return x.shape();
}

void run_prelu(const OpCall& call, Tensor& out) {
  const Tensor& x = call.input(0);
  const float* w = call.input(1).data();
  const bool per_channel = call.input(1).numel() > 1;
  const int64_t channels = x.dim() >= 2 ? x.shape()[1] : 1;
  int64_t inner = 1;
  for (int64_t d = 2; d < x.dim(); ++d) inner *= x.shape()[d];
  const float* src = x.data();
  float* dst = out.data();
  for (int64_t i = 0; i < x.numel(); ++i) {
    const float slope = per_channel ? w[(i / inner) % channels] : w[0];
    dst[i] = src[i] > 0.0f ? src[i] : slope * src[i];
  }
}

Shape shape_softmax(const OpCall& call) {
  wrap_dim(call.attr<kSoftmax, "dim">(), call.input(0).dim(), op_info(call.op).name.data());
  return call.input(0).shape();
}

// softmax (log = false) or log_softmax along the op's dim: each row shifted
// by its maximum, its exponentials summed in double.
template <bool log>
void softmax_rows(const OpCall& call, Tensor& out) {
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
      if constexpr (log) {
        for (int64_t k = 0; k < n; ++k) total += std::exp(static_cast<double>(src[k * inner]) - top);
        const double shift = top + std::log(total);
        for (int64_t k = 0; k < n; ++k) dst[k * inner] = static_cast<float>(src[k * inner] - shift);
      } else {
        for (int64_t k = 0; k < n; ++k) {
          dst[k * inner] = std::exp(src[k * inner] - top);
          total += dst[k * inner];
        }
        const auto scale = static_cast<float>(1.0 / total);
        for (int64_t k = 0; k < n; ++k) dst[k * inner] *= scale;
      }
    }
  });
}

void run_softmax(const OpCall& call, Tensor& out) { softmax_rows<false>(call, out); }
void run_log_softmax(const OpCall& call, Tensor& out) { softmax_rows<true>(call, out); }

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
      {Op::leaky_relu, "leaky_relu", C::activation, kUnary, 1, 1, kLeakyRelu, shape_same, run_leaky_relu},
      {Op::prelu, "prelu", C::activation, kPreluInputs, 2, 2, kNoAttributes, shape_prelu, run_prelu},
      {Op::mish, "mish", C::activation, kUnary, 1, 1, kNoAttributes, shape_same, run_mish},
      {Op::softplus, "softplus", C::activation, kUnary, 1, 1, kSoftplus, shape_same, run_softplus},
      {Op::softmax, "softmax", C::activation, kUnary, 1, 1, kSoftmax, shape_softmax, run_softmax},
      {Op::log_softmax, "log_softmax", C::activation, kUnary, 1, 1, kSoftmax, shape_softmax, run_log_softmax},
      {Op::relu_, "relu_", C::activation, kUnary, 1, 1, kNoAttributes, shape_same, run_relu, Writes::input_in_place},
      {Op::sigmoid_, "sigmoid_", C::activation, kUnary, 1, 1, kNoAttributes, shape_same, run_sigmoid,
       Writes::input_in_place},
      {Op::tanh_, "tanh_", C::activation, kUnary, 1, 1, kNoAttributes, shape_same, run_tanh, Writes::input_in_place},
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
Tensor log_softmax(const Tensor& x, int64_t dim, Where where) {
  return dispatch_unary(Op::log_softmax, x, where, pack<detail::kSoftmax>(dim));
}
Tensor leaky_relu(const Tensor& x, double negative_slope, Where where) {
  return dispatch_unary(Op::leaky_relu, x, where, pack<detail::kLeakyRelu>(negative_slope));
}
Tensor prelu(const Tensor& x, const Tensor& weight, Where where) {
  return detail::dispatch_binary(Op::prelu, x, weight, where);
}
Tensor mish(const Tensor& x, Where where) { return dispatch_unary(Op::mish, x, where); }
Tensor softplus(const Tensor& x, double beta, double threshold, Where where) {
  return dispatch_unary(Op::softplus, x, where, pack<detail::kSoftplus>(beta, threshold));
}
Tensor& relu_(Tensor& x, Where where) { return detail::in_place(x, dispatch_unary(Op::relu_, x, where)); }
Tensor& sigmoid_(Tensor& x, Where where) { return detail::in_place(x, dispatch_unary(Op::sigmoid_, x, where)); }
Tensor& tanh_(Tensor& x, Where where) { return detail::in_place(x, dispatch_unary(Op::tanh_, x, where)); }

}  // namespace modtrace::F
