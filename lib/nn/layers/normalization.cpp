// BatchNorm2d, LayerNorm, GroupNorm, InstanceNorm2d.

#include "modtrace/layers.hpp"

#include "modtrace/functional.hpp"
#include "modtrace/python.hpp"
#include "nn/layers/common.hpp"

namespace modtrace {

using detail::fan_in_uniform;
using detail::inplace_repr;
using detail::require_positive;

// ---- BatchNorm2d ----

NormBase::NormBase(const char* type, int64_t n, double e, double m, bool a, bool track)
    : num_features((require_positive(type, "num_features", n), n)),
      eps(e),
      momentum(m),
      affine(a),
      track_running_stats(track),
      weight(register_parameter("weight", a ? Tensor::ones({n}) : Tensor())),
      bias(register_parameter("bias", a ? Tensor::zeros({n}) : Tensor())),
      running_mean(register_buffer("running_mean", track ? Tensor::zeros({n}) : Tensor())),
      running_var(register_buffer("running_var", track ? Tensor::ones({n}) : Tensor())),
      num_batches_tracked(register_buffer("num_batches_tracked", track ? Tensor::scalar(0.0f) : Tensor())) {}

std::string NormBase::extra_repr() const {
  return std::to_string(num_features) + ", eps=" + python_repr(eps) + ", momentum=" + python_repr(momentum) +
         ", affine=" + python_repr(affine) + ", track_running_stats=" + python_repr(track_running_stats);
}

BatchNorm2d::BatchNorm2d(int64_t n, const BatchNormOptions& o)
    : NormBase("BatchNorm2d", n, o.eps, o.momentum, o.affine, o.track_running_stats) {}

Tensor BatchNorm2d::forward(const Tensor& x) {
  if (x.dim() != 4) {
    throw Error("BatchNorm2d: expected a 4-D input (N, C, H, W), got " + std::to_string(x.dim()) + "-D " +
                to_string(x.shape()));
  }
  // As PyTorch: batch statistics in training, or whenever running stats are not tracked.
  if (!running_mean.defined()) {
    // Batch statistics only: feed scratch running stats that nobody keeps.
    const Tensor scratch_mean = Tensor::zeros({num_features});
    const Tensor scratch_var = Tensor::ones({num_features});
    return F::batch_norm(x, scratch_mean, scratch_var, weight, bias, true, momentum, eps);
  }
  Tensor y = F::batch_norm(x, running_mean, running_var, weight, bias, is_training(), momentum, eps);
  if (is_training() && !num_batches_tracked.is_meta()) num_batches_tracked.data()[0] += 1.0f;
  return y;
}

// ---- LayerNorm ----

namespace {
Shape non_empty(Shape shape) {
  if (shape.empty()) throw Error("LayerNorm: normalized_shape must not be empty");
  for (int64_t d : shape) require_positive("LayerNorm", "each normalized_shape dimension", d);
  return shape;
}
}  // namespace

LayerNorm::LayerNorm(Shape shape, double eps, bool affine)
    : normalized_shape(non_empty(shape)),
      eps(eps),
      weight(register_parameter("weight", affine ? Tensor::ones(shape) : Tensor())),
      bias(register_parameter("bias", affine ? Tensor::zeros(shape) : Tensor())) {}

std::string LayerNorm::extra_repr() const {
  return python_tuple(normalized_shape) + ", eps=" + python_repr(eps) + ", elementwise_affine=" + python_repr(weight.defined());
}

Tensor LayerNorm::forward(const Tensor& x) { return F::layer_norm(x, normalized_shape, weight, bias, eps); }

// ---- GroupNorm ----

GroupNorm::GroupNorm(int64_t groups, int64_t channels, double e, bool affine)
    : num_groups((require_positive("GroupNorm", "num_groups", groups), groups)),
      num_channels((require_positive("GroupNorm", "num_channels", channels), channels)),
      eps(e),
      weight(register_parameter("weight", affine ? Tensor::ones({channels}) : Tensor())),
      bias(register_parameter("bias", affine ? Tensor::zeros({channels}) : Tensor())) {
  if (channels % groups != 0) {
    throw Error("GroupNorm: num_channels " + std::to_string(channels) + " must be divisible by num_groups " +
                std::to_string(groups));
  }
}

std::string GroupNorm::extra_repr() const {
  return std::to_string(num_groups) + ", " + std::to_string(num_channels) + ", eps=" + python_repr(eps) +
         ", affine=" + python_repr(weight.defined());
}

Tensor GroupNorm::forward(const Tensor& x) { return F::group_norm(x, num_groups, weight, bias, eps); }

// ---- InstanceNorm2d ----

InstanceNorm2d::InstanceNorm2d(int64_t n, const InstanceNormOptions& o)
    : NormBase("InstanceNorm2d", n, o.eps, o.momentum, o.affine, o.track_running_stats) {}

Tensor InstanceNorm2d::forward(const Tensor& x) {
  if (x.dim() != 3 && x.dim() != 4) {
    throw Error("InstanceNorm2d: expected a 3-D (C, H, W) or 4-D (N, C, H, W) input, got " + to_string(x.shape()));
  }
  const bool use_input_stats = is_training() || !track_running_stats;
  auto norm = [&](const Tensor& batched) {
    return F::instance_norm(batched, running_mean, running_var, weight, bias, use_input_stats, momentum,
                            eps);
  };
  // As PyTorch: an unbatched input gets a batch dimension for the op.
  if (x.dim() == 3) return F::squeeze(norm(F::unsqueeze(x, 0)), 0);
  return norm(x);
}

}  // namespace modtrace
