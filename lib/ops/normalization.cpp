// batch_norm (channel dimension 1; running statistics in eval, batch
// statistics in training), layer_norm (over trailing dimensions),
// group_norm and instance_norm. Statistics are summed in double, and the
// mean subtracted in double, so large nearly equal values keep their digits.

#include <algorithm>
#include <cmath>
#include <tuple>
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
constexpr AttrSpec kGroupNorm[] = {{"num_groups", AttrType::integer}, {"eps", AttrType::real, "1e-05"}};
constexpr AttrSpec kInstanceNorm[] = {{"use_input_stats", AttrType::flag, "true"},
                                      {"momentum", AttrType::real, "0.1"},
                                      {"eps", AttrType::real, "1e-05"}};
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

// Mean and (biased) variance of n values, in double.
std::pair<double, double> moments(const float* src, int64_t n, int64_t stride = 1) {
  double total = 0.0;
  for (int64_t i = 0; i < n; ++i) total += src[i * stride];
  const double mean = total / static_cast<double>(n);
  double squares = 0.0;
  for (int64_t i = 0; i < n; ++i) squares += (src[i * stride] - mean) * (src[i * stride] - mean);
  return {mean, squares / static_cast<double>(n)};
}

// (N, C, spatial…): N, C and the product of the rest.
struct ChannelLayout {
  int64_t batch, channels, inner;
};

ChannelLayout channel_layout(const OpCall& call, int64_t min_rank) {
  const Tensor& x = call.input(0);
  if (x.dim() < min_rank) {
    call.fail("expected an input of at least " + std::to_string(min_rank) + " dimensions (N, C" +
              (min_rank > 2 ? ", spatial…)" : ", …)"));
  }
  const int64_t batch = x.shape()[0], channels = x.shape()[1];
  return {batch, channels, batch * channels == 0 ? 0 : x.numel() / (batch * channels)};
}

Shape shape_group_norm(const OpCall& call) {
  const ChannelLayout l = channel_layout(call, 2);
  const int64_t groups = call.attr<kGroupNorm, "num_groups">();
  if (groups < 1 || l.channels % groups != 0) {
    call.fail("num_groups " + std::to_string(groups) + " must divide the " + std::to_string(l.channels) +
              " channels");
  }
  require_vector(call, 1, l.channels, "weight");
  require_vector(call, 2, l.channels, "bias");
  return call.input(0).shape();
}

void run_group_norm(const OpCall& call, Tensor& out) {
  const ChannelLayout l = channel_layout(call, 2);
  const int64_t groups = call.attr<kGroupNorm, "num_groups">();
  const double eps = call.attr<kGroupNorm, "eps">();
  const int64_t per_group = l.channels / groups;
  const float* weight = call.has_input(1) ? call.input(1).data() : nullptr;
  const float* bias = call.has_input(2) ? call.input(2).data() : nullptr;
  const float* px = call.input(0).data();
  float* po = out.data();
  const int64_t span = per_group * l.inner;  // a group's values are contiguous
  parallel_for(l.batch * groups, call.input(0).numel(), [&](int64_t ng) {
    const float* src = px + ng * span;
    float* dst = po + ng * span;
    const auto [mean, var] = moments(src, span);
    const double invstd = 1.0 / std::sqrt(var + eps);
    for (int64_t k = 0; k < per_group; ++k) {
      const int64_t c = (ng % groups) * per_group + k;
      const double scale = (weight ? weight[c] : 1.0) * invstd, shift = bias ? bias[c] : 0.0;
      for (int64_t i = 0; i < l.inner; ++i) {
        dst[k * l.inner + i] = static_cast<float>((src[k * l.inner + i] - mean) * scale + shift);
      }
    }
  });
}

// Inputs: input, running_mean, running_var, weight, bias (all but the first optional).
Shape shape_instance_norm(const OpCall& call) {
  const ChannelLayout l = channel_layout(call, 3);
  for (size_t i = 1; i <= 4; ++i) {
    require_vector(call, i, l.channels, i == 1 ? "running_mean" : i == 2 ? "running_var" : i == 3 ? "weight" : "bias");
  }
  const bool use_input_stats = call.attr<kInstanceNorm, "use_input_stats">();
  if (call.has_input(1) != call.has_input(2)) call.fail("running_mean and running_var must be given together");
  if (!use_input_stats && !call.has_input(1)) {
    call.fail("expected running_mean and running_var when use_input_stats is false");
  }
  if (use_input_stats && l.inner <= 1) call.fail("expected more than 1 spatial element when using input statistics");
  return call.input(0).shape();
}

void run_instance_norm(const OpCall& call, Tensor& out) {
  const ChannelLayout l = channel_layout(call, 3);
  const bool use_input_stats = call.attr<kInstanceNorm, "use_input_stats">();
  const double eps = call.attr<kInstanceNorm, "eps">();
  const float* weight = call.has_input(3) ? call.input(3).data() : nullptr;
  const float* bias = call.has_input(4) ? call.input(4).data() : nullptr;
  const float* px = call.input(0).data();
  float* po = out.data();
  const int64_t planes = l.batch * l.channels;
  std::vector<double> mean(static_cast<size_t>(planes)), var(static_cast<size_t>(planes));
  for (int64_t p = 0; p < planes; ++p) {
    if (use_input_stats) {
      std::tie(mean[p], var[p]) = moments(px + p * l.inner, l.inner);
    } else {
      mean[p] = call.input(1).data()[p % l.channels];
      var[p] = call.input(2).data()[p % l.channels];
    }
  }
  if (use_input_stats && call.has_input(1)) {
    // As PyTorch (batch_norm over N*C channels, then averaged over N): the
    // running mean moves towards the instances' mean, the running variance
    // towards their unbiased variance.
    const double momentum = call.attr<kInstanceNorm, "momentum">();
    Tensor running_mean = call.input(1), running_var = call.input(2);
    const double unbias = static_cast<double>(l.inner) / static_cast<double>(std::max<int64_t>(l.inner - 1, 1));
    for (int64_t c = 0; c < l.channels; ++c) {
      double m = 0.0, v = 0.0;
      for (int64_t n = 0; n < l.batch; ++n) m += mean[n * l.channels + c], v += var[n * l.channels + c] * unbias;
      float& rm = running_mean.data()[c];
      float& rv = running_var.data()[c];
      rm = static_cast<float>((1.0 - momentum) * rm + momentum * m / static_cast<double>(l.batch));
      rv = static_cast<float>((1.0 - momentum) * rv + momentum * v / static_cast<double>(l.batch));
    }
  }
  parallel_for(planes, call.input(0).numel(), [&](int64_t p) {
    const int64_t c = p % l.channels;
    const double scale = (weight ? weight[c] : 1.0) / std::sqrt(var[p] + eps), shift = bias ? bias[c] : 0.0;
    const float* src = px + p * l.inner;
    float* dst = po + p * l.inner;
    for (int64_t i = 0; i < l.inner; ++i) dst[i] = static_cast<float>((src[i] - mean[p]) * scale + shift);
  });
}

using C = OpCategory;

}  // namespace

std::span<const OpInfo> normalization_ops() {
  static constexpr OpInfo rows[] = {
      {Op::batch_norm, "batch_norm", C::normalization, kBatchNormInputs, 3, 5, kBatchNorm, shape_batch_norm,
       run_batch_norm},
      {Op::layer_norm, "layer_norm", C::normalization, kWeighted, 1, 3, kLayerNorm, shape_layer_norm, run_layer_norm},
      {Op::group_norm, "group_norm", C::normalization, kWeighted, 1, 3, kGroupNorm, shape_group_norm, run_group_norm},
      {Op::instance_norm, "instance_norm", C::normalization, kBatchNormInputs, 1, 5, kInstanceNorm,
       shape_instance_norm, run_instance_norm},
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

Tensor group_norm(const Tensor& x, int64_t num_groups, const Tensor& weight, const Tensor& bias, double eps,
                  Where where) {
  const std::array<const Tensor*, 3> in{&x, &weight, &bias};
  return detail::dispatch(Op::group_norm, in, detail::pack<detail::kGroupNorm>(num_groups, eps), where);
}

Tensor instance_norm(const Tensor& x, const Tensor& running_mean, const Tensor& running_var, const Tensor& weight,
                     const Tensor& bias, bool use_input_stats, double momentum, double eps, Where where) {
  const std::array<const Tensor*, 5> in{&x, &running_mean, &running_var, &weight, &bias};
  return detail::dispatch(Op::instance_norm, in,
                          detail::pack<detail::kInstanceNorm>(use_input_stats, momentum, eps), where);
}

}  // namespace modtrace::F
