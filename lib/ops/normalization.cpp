// batch_norm (channel dimension 1; running statistics in eval, batch
// statistics in training) and layer_norm (over trailing dimensions).

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "modtrace/functional.hpp"
#include "ops/op_call.hpp"
#include "ops/map.hpp"

namespace modtrace::detail {
namespace {

constexpr AttrSpec kBatchNorm[] = {{"training", AttrType::flag, "false"},
                                   {"momentum", AttrType::real, "0.1"},
                                   {"eps", AttrType::real, "1e-05"}};
constexpr AttrSpec kLayerNorm[] = {{"normalized_shape", AttrType::ints}, {"eps", AttrType::real, "1e-05"}};
constexpr InputNames kBatchNormInputs{"input", "running_mean", "running_var", "weight", "bias"};

void require_vector(const OpCall& call, size_t index, int64_t length, const char* what) {
  if (call.has_input(index) && call.input(index).numel() != length) {
    call.fail(std::string(what) + " must have " + std::to_string(length) + " elements (one per channel), got " +
              to_string(call.input(index).shape()));
  }
}

Shape shape_batch_norm(const OpCall& call) {
  const Tensor& x = call.input(0);
  if (x.dim() < 2) call.fail("expected an input of at least 2 dimensions (N, C, ...)");
  const int64_t channels = x.shape()[1];
  require_vector(call, 1, channels, "running_mean");
  require_vector(call, 2, channels, "running_var");
  require_vector(call, 3, channels, "weight");
  require_vector(call, 4, channels, "bias");
  if (call.attr<kBatchNorm, "training">() && x.numel() / std::max<int64_t>(channels, 1) <= 1) {
    call.fail("expected more than 1 value per channel when training");
  }
  return x.shape();
}

void run_batch_norm(const OpCall& call, Tensor& out) {
  const Tensor& x = call.input(0);
  const int64_t channels = x.shape()[1];
  const int64_t batch = x.shape()[0];
  const int64_t inner = channels == 0 || batch == 0 ? 0 : x.numel() / (batch * channels);
  const double eps = call.attr<kBatchNorm, "eps">();
  const float* px = x.data();
  float* po = out.data();

  std::vector<double> mean(static_cast<size_t>(channels)), var(static_cast<size_t>(channels));
  if (call.attr<kBatchNorm, "training">()) {
    // Batch statistics (biased variance normalises; the unbiased one feeds the running average).
    const double momentum = call.attr<kBatchNorm, "momentum">();
    const double count = static_cast<double>(batch * inner);
    Tensor running_mean = call.input(1);
    Tensor running_var = call.input(2);
    for (int64_t c = 0; c < channels; ++c) {
      double total = 0.0;
      for (int64_t n = 0; n < batch; ++n) {
        const float* src = px + (n * channels + c) * inner;
        for (int64_t i = 0; i < inner; ++i) total += src[i];
      }
      const double m = total / count;
      double squares = 0.0;
      for (int64_t n = 0; n < batch; ++n) {
        const float* src = px + (n * channels + c) * inner;
        for (int64_t i = 0; i < inner; ++i) squares += (src[i] - m) * (src[i] - m);
      }
      mean[c] = m;
      var[c] = squares / count;
      float& rm = running_mean.data()[c];
      float& rv = running_var.data()[c];
      rm = static_cast<float>((1.0 - momentum) * rm + momentum * m);
      rv = static_cast<float>((1.0 - momentum) * rv + momentum * squares / std::max(count - 1.0, 1.0));
    }
  } else {
    const float* rm = call.input(1).data();
    const float* rv = call.input(2).data();
    for (int64_t c = 0; c < channels; ++c) mean[c] = rm[c], var[c] = rv[c];
  }

  const float* weight = call.has_input(3) ? call.input(3).data() : nullptr;
  const float* bias = call.has_input(4) ? call.input(4).data() : nullptr;
  if (call.attr<kBatchNorm, "training">()) {
    // (x - mean) in double: with batch statistics the mean is as large as the
    // values, and folding it into a float offset would cancel their digits.
    parallel_for(batch * channels, x.numel(), [&](int64_t plane) {
      const int64_t c = plane % channels;
      const double scale = (weight ? weight[c] : 1.0) / std::sqrt(var[c] + eps);
      const double shift = bias ? bias[c] : 0.0;
      const float* src = px + plane * inner;
      float* dst = po + plane * inner;
      for (int64_t i = 0; i < inner; ++i) dst[i] = static_cast<float>((src[i] - mean[c]) * scale + shift);
    });
    return;
  }
  // As aten's inference path: y = x * alpha + beta with per-channel alpha, beta.
  std::vector<float> alpha(static_cast<size_t>(channels)), beta(static_cast<size_t>(channels));
  for (int64_t c = 0; c < channels; ++c) {
    const float invstd = static_cast<float>(1.0 / std::sqrt(var[c] + eps));
    alpha[c] = invstd * (weight ? weight[c] : 1.0f);
    beta[c] = (bias ? bias[c] : 0.0f) - static_cast<float>(mean[c]) * alpha[c];
  }
  parallel_for(batch * channels, x.numel(), [&](int64_t plane) {
    const int64_t c = plane % channels;
    const float* src = px + plane * inner;
    float* dst = po + plane * inner;
    const float a = alpha[c], b = beta[c];
    for (int64_t i = 0; i < inner; ++i) dst[i] = src[i] * a + b;
  });
}

Shape shape_layer_norm(const OpCall& call) {
  const Tensor& x = call.input(0);
  const auto& normalized = call.attr<kLayerNorm, "normalized_shape">();
  if (normalized.empty()) call.fail("normalized_shape must not be empty");
  const Shape& s = x.shape();
  const bool matches = s.size() >= normalized.size() &&
                       std::equal(normalized.begin(), normalized.end(), s.end() - static_cast<long>(normalized.size()));
  if (!matches) {
    call.fail("input's trailing dimensions must equal normalized_shape " + to_string(Shape(normalized)));
  }
  for (size_t i : {size_t{1}, size_t{2}}) {
    if (call.has_input(i) && call.input(i).shape() != Shape(normalized)) {
      call.fail(std::string(i == 1 ? "weight" : "bias") + " must have shape " + to_string(Shape(normalized)) +
                " = normalized_shape");
    }
  }
  return s;
}

void run_layer_norm(const OpCall& call, Tensor& out) {
  const Tensor& x = call.input(0);
  const int64_t cols = numel_of(call.attr<kLayerNorm, "normalized_shape">());
  const int64_t rows = cols == 0 ? 0 : x.numel() / cols;
  const double eps = call.attr<kLayerNorm, "eps">();
  const float* weight = call.has_input(1) ? call.input(1).data() : nullptr;
  const float* bias = call.has_input(2) ? call.input(2).data() : nullptr;
  const float* px = x.data();
  float* po = out.data();
  parallel_for(rows, x.numel(), [&](int64_t r) {
    const float* src = px + r * cols;
    float* dst = po + r * cols;
    double total = 0.0;
    for (int64_t i = 0; i < cols; ++i) total += src[i];
    const double mean = total / static_cast<double>(cols);
    double squares = 0.0;
    for (int64_t i = 0; i < cols; ++i) squares += (src[i] - mean) * (src[i] - mean);
    const double invstd = 1.0 / std::sqrt(squares / static_cast<double>(cols) + eps);
    for (int64_t i = 0; i < cols; ++i) {
      // x - mean in double: rounding the mean to float first would cost the
      // digits that matter when the values are large and nearly equal.
      const auto y = static_cast<float>((src[i] - mean) * invstd);
      dst[i] = weight ? y * weight[i] + (bias ? bias[i] : 0.0f) : y + (bias ? bias[i] : 0.0f);
    }
  });
}

using C = OpCategory;

}  // namespace

std::span<const OpInfo> normalization_ops() {
  static constexpr OpInfo rows[] = {
      {Op::batch_norm, "batch_norm", C::normalization, kBatchNormInputs, 3, 5, kBatchNorm, shape_batch_norm,
       run_batch_norm},
      {Op::layer_norm, "layer_norm", C::normalization, kWeighted, 1, 3, kLayerNorm, shape_layer_norm, run_layer_norm},
  };
  return rows;
}

}  // namespace modtrace::detail

namespace modtrace::F {

Tensor batch_norm(const Tensor& x, const Tensor& running_mean, const Tensor& running_var, const Tensor& weight,
                  const Tensor& bias, bool training, double momentum, double eps, Where where) {
  const std::array<const Tensor*, 5> in{&x, &running_mean, &running_var, &weight, &bias};
  return detail::dispatch(Op::batch_norm, in, detail::pack<detail::kBatchNorm>(training, momentum, eps), where);
}

Tensor layer_norm(const Tensor& x, const Shape& normalized_shape, const Tensor& weight, const Tensor& bias,
                  double eps, Where where) {
  const std::array<const Tensor*, 3> in{&x, &weight, &bias};
  return detail::dispatch(Op::layer_norm, in, detail::pack<detail::kLayerNorm>(normalized_shape, eps), where);
}

}  // namespace modtrace::F
