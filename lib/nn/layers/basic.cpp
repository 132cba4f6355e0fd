#include "modtrace/layers.hpp"

#include <cmath>
#include <cstdio>

#include "modtrace/functional.hpp"
#include "modtrace/python.hpp"
#include "core/random.hpp"

namespace modtrace {
namespace {

// PyTorch's kaiming_uniform_(a=sqrt(5)) and bias rule both reduce to U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
Tensor fan_in_uniform(Shape shape, int64_t fan_in) {
  Tensor t = Tensor::empty(std::move(shape));
  const double bound = fan_in > 0 ? 1.0 / std::sqrt(static_cast<double>(fan_in)) : 0.0;
  detail::fill_uniform(t.data(), t.numel(), -bound, bound);
  return t;
}

void require_positive(const std::string& layer, const char* what, int64_t value) {
  if (value <= 0) throw Error(layer + ": " + what + " must be positive, got " + std::to_string(value));
}


std::string inplace_repr(bool inplace) { return inplace ? "inplace=True" : ""; }

}  // namespace

// ---- Linear ----

Linear::Linear(int64_t in, int64_t out, bool with_bias)
    : in_features(in),
      out_features(out),
      weight(register_parameter("weight", (require_positive("Linear", "out_features", out),
                                            require_positive("Linear", "in_features", in),
                                            fan_in_uniform({out, in}, in)))),
      bias(register_parameter("bias", with_bias ? fan_in_uniform({out}, in) : Tensor())) {}

std::string Linear::extra_repr() const {
  return "in_features=" + std::to_string(in_features) + ", out_features=" + std::to_string(out_features) +
         ", bias=" + python_repr(bias.defined());
}

Tensor Linear::forward(const Tensor& x) { return F::linear(x, weight, bias); }

// ---- Conv2d ----

namespace {
Tensor conv_weight(int64_t in, int64_t out, Size2 k, const Conv2dOptions& o) {
  require_positive("Conv2d", "in_channels", in);
  require_positive("Conv2d", "out_channels", out);
  require_positive("Conv2d", "groups", o.groups);
  require_positive("Conv2d", "kernel_size", std::min(k.h, k.w));
  if (in % o.groups != 0) throw Error("Conv2d: in_channels " + std::to_string(in) + " must be divisible by groups " + std::to_string(o.groups));
  if (out % o.groups != 0) throw Error("Conv2d: out_channels " + std::to_string(out) + " must be divisible by groups " + std::to_string(o.groups));
  return fan_in_uniform({out, in / o.groups, k.h, k.w}, in / o.groups * k.h * k.w);
}
}  // namespace

Conv2d::Conv2d(int64_t in, int64_t out, Size2 k, const Conv2dOptions& o)
    : in_channels(in),
      out_channels(out),
      kernel_size(k),
      options(o),
      weight(register_parameter("weight", conv_weight(in, out, k, o))),
      bias(register_parameter("bias", o.bias ? fan_in_uniform({out}, in / o.groups * k.h * k.w) : Tensor())) {}

std::string Conv2d::extra_repr() const {
  std::string s = std::to_string(in_channels) + ", " + std::to_string(out_channels) +
                  ", kernel_size=" + to_string(kernel_size) + ", stride=" + to_string(options.stride);
  if (options.padding != Size2(0)) s += ", padding=" + to_string(options.padding);
  if (options.dilation != Size2(1)) s += ", dilation=" + to_string(options.dilation);
  if (options.groups != 1) s += ", groups=" + std::to_string(options.groups);
  if (!bias.defined()) s += ", bias=False";
  return s;
}

Tensor Conv2d::forward(const Tensor& x) {
  return F::conv2d(x, weight, bias, options.stride, options.padding, options.dilation, options.groups);
}

// ---- BatchNorm2d ----

BatchNorm2d::BatchNorm2d(int64_t n, const BatchNormOptions& o)
    : num_features((require_positive("BatchNorm2d", "num_features", n), n)),
      options(o),
      weight(register_parameter("weight", o.affine ? Tensor::ones({n}) : Tensor())),
      bias(register_parameter("bias", o.affine ? Tensor::zeros({n}) : Tensor())),
      running_mean(register_buffer("running_mean", o.track_running_stats ? Tensor::zeros({n}) : Tensor())),
      running_var(register_buffer("running_var", o.track_running_stats ? Tensor::ones({n}) : Tensor())),
      num_batches_tracked(
          register_buffer("num_batches_tracked", o.track_running_stats ? Tensor::scalar(0.0f) : Tensor())) {}

std::string BatchNorm2d::extra_repr() const {
  return std::to_string(num_features) + ", eps=" + python_repr(options.eps) +
         ", momentum=" + python_repr(options.momentum) + ", affine=" + python_repr(options.affine) +
         ", track_running_stats=" + python_repr(options.track_running_stats);
}

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
    return F::batch_norm(x, scratch_mean, scratch_var, weight, bias, true, options.momentum, options.eps);
  }
  Tensor y = F::batch_norm(x, running_mean, running_var, weight, bias, is_training(), options.momentum, options.eps);
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

// ---- activations ----

std::string ReLU::extra_repr() const { return inplace_repr(inplace); }
Tensor ReLU::forward(const Tensor& x) { return F::relu(x); }
std::string ReLU6::extra_repr() const { return inplace_repr(inplace); }
Tensor ReLU6::forward(const Tensor& x) { return F::relu6(x); }

GELU::GELU(std::string approx) : approximate(std::move(approx)) {
  if (approximate != "none" && approximate != "tanh") {
    throw Error("GELU: approximate must be 'none' or 'tanh', got '" + approximate + "'");
  }
}
std::string GELU::extra_repr() const { return "approximate='" + approximate + "'"; }
Tensor GELU::forward(const Tensor& x) { return F::gelu(x, approximate); }

std::string SiLU::extra_repr() const { return inplace_repr(inplace); }
Tensor SiLU::forward(const Tensor& x) { return F::silu(x); }
Tensor Sigmoid::forward(const Tensor& x) { return F::sigmoid(x); }
std::string Hardswish::extra_repr() const { return inplace_repr(inplace); }
Tensor Hardswish::forward(const Tensor& x) { return F::hardswish(x); }
std::string Hardsigmoid::extra_repr() const { return inplace_repr(inplace); }
Tensor Hardsigmoid::forward(const Tensor& x) { return F::hardsigmoid(x); }

// ---- shape, regularisation and pooling ----

std::string Flatten::extra_repr() const {
  return "start_dim=" + std::to_string(start_dim) + ", end_dim=" + std::to_string(end_dim);
}
Tensor Flatten::forward(const Tensor& x) { return F::flatten(x, start_dim, end_dim); }

Dropout::Dropout(double prob, bool in_place) : p(prob), inplace(in_place) {
  if (!(p >= 0.0 && p <= 1.0)) {
    throw Error("Dropout: dropout probability has to be between 0 and 1, but got " + python_repr(p));
  }
}
std::string Dropout::extra_repr() const { return "p=" + python_repr(p) + ", inplace=" + python_repr(inplace); }
Tensor Dropout::forward(const Tensor& x) { return F::dropout(x, p, is_training()); }

MaxPool2d::MaxPool2d(Size2 k, const MaxPool2dOptions& o) : kernel_size(k), options(o) {}
std::string MaxPool2d::extra_repr() const {
  return "kernel_size=" + python_repr(kernel_size) + ", stride=" + python_repr(options.stride.value_or(kernel_size)) +
         ", padding=" + python_repr(options.padding) + ", dilation=" + python_repr(options.dilation) +
         ", ceil_mode=" + python_repr(options.ceil_mode);
}
Tensor MaxPool2d::forward(const Tensor& x) {
  return F::max_pool2d(x, kernel_size, options.stride, options.padding, options.dilation, options.ceil_mode);
}

AvgPool2d::AvgPool2d(Size2 k, const AvgPool2dOptions& o) : kernel_size(k), options(o) {}
std::string AvgPool2d::extra_repr() const {
  std::string s = "kernel_size=" + python_repr(kernel_size) +
                  ", stride=" + python_repr(options.stride.value_or(kernel_size)) +
                  ", padding=" + python_repr(options.padding);
  if (options.ceil_mode) s += ", ceil_mode=True";
  if (!options.count_include_pad) s += ", count_include_pad=False";
  return s;
}
Tensor AvgPool2d::forward(const Tensor& x) {
  return F::avg_pool2d(x, kernel_size, options.stride, options.padding, options.ceil_mode, options.count_include_pad);
}

std::string AdaptiveAvgPool2d::extra_repr() const { return "output_size=" + python_repr(output_size); }
Tensor AdaptiveAvgPool2d::forward(const Tensor& x) { return F::adaptive_avg_pool2d(x, output_size); }

}  // namespace modtrace
