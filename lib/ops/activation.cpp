// Activations (elementwise, float32 as PyTorch computes them) and softmax.

#include <cmath>

#include "ops/families.hpp"
#include "ops/map.hpp"

namespace modtrace::detail {

Shape shape_same(const OpCall& call) { return call.input(0).shape(); }

void run_relu(const OpCall& c, Tensor& out) {
  // NaN stays NaN, as in PyTorch (a comparison-based max would turn it into 0).
  map_elements(c, out, [](float x) { return x > 0.0f || std::isnan(x) ? x : 0.0f; });
}

void run_relu6(const OpCall& c, Tensor& out) {
  map_elements(c, out, [](float x) { return std::isnan(x) ? x : std::min(std::max(x, 0.0f), 6.0f); });
}

void run_gelu(const OpCall& c, Tensor& out) {
  const std::string& approximate = c.attrs.text("approximate");
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
  wrap_dim(call.attrs.integer("dim"), call.input(0).dim(), "softmax");
  return call.input(0).shape();
}

void run_softmax(const OpCall& call, Tensor& out) {
  const Tensor& x = call.input(0);
  const int64_t dim = wrap_dim(call.attrs.integer("dim"), x.dim(), "softmax");
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

}  // namespace modtrace::detail
