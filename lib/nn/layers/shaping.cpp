// Flatten, the dropouts, pooling, padding and resampling layers.

#include "modtrace/layers.hpp"

#include "modtrace/functional.hpp"
#include "modtrace/python.hpp"
#include "nn/layers/common.hpp"

namespace modtrace {

using detail::fan_in_uniform;
using detail::inplace_repr;
using detail::require_positive;

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
Tensors MaxPool2d::forward_many(const Tensors& inputs) {
  const Tensor& x = inputs[0];
  if (options.return_indices) {
    return F::max_pool2d_with_indices(x, kernel_size, options.stride, options.padding, options.dilation,
                                      options.ceil_mode);
  }
  return {F::max_pool2d(x, kernel_size, options.stride, options.padding, options.dilation, options.ceil_mode)};
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

Tensor Dropout2d::forward(const Tensor& x) { return F::dropout2d(x, p, is_training()); }

// ---- 1-D pooling and unpooling ----

MaxPool1d::MaxPool1d(int64_t k, const MaxPool1dOptions& o) : kernel_size(k), options(o) {}
std::string MaxPool1d::extra_repr() const {
  return "kernel_size=" + std::to_string(kernel_size) + ", stride=" + std::to_string(options.stride.value_or(kernel_size)) +
         ", padding=" + std::to_string(options.padding) + ", dilation=" + std::to_string(options.dilation) +
         ", ceil_mode=" + python_repr(options.ceil_mode);
}
Tensor MaxPool1d::forward(const Tensor& x) {
  return F::max_pool1d(x, kernel_size, options.stride, options.padding, options.dilation, options.ceil_mode);
}

AvgPool1d::AvgPool1d(int64_t k, const AvgPool1dOptions& o) : kernel_size(k), options(o) {}
std::string AvgPool1d::extra_repr() const {
  // PyTorch keeps AvgPool1d's sizes as one-element tuples.
  return "kernel_size=" + python_tuple({kernel_size}) + ", stride=" + python_tuple({options.stride.value_or(kernel_size)}) +
         ", padding=" + python_tuple({options.padding});
}
Tensor AvgPool1d::forward(const Tensor& x) {
  return F::avg_pool1d(x, kernel_size, options.stride, options.padding, options.ceil_mode, options.count_include_pad);
}

namespace {
// PyTorch keeps MaxUnpool2d's sizes as pairs.
Size2 as_pair(Size2 s) { return {s.h, s.w}; }
}  // namespace

MaxUnpool2d::MaxUnpool2d(Size2 k, std::optional<Size2> s, Size2 p)
    : kernel_size(as_pair(k)), stride(as_pair(s.value_or(k))), padding(as_pair(p)) {}
std::string MaxUnpool2d::extra_repr() const {
  return "kernel_size=" + to_string(kernel_size) + ", stride=" + to_string(stride) + ", padding=" + to_string(padding);
}
std::span<const std::string_view> MaxUnpool2d::forward_signature() const {
  static constexpr std::string_view names[] = {"input", "indices", "*output_size"};
  return names;
}
Tensors MaxUnpool2d::forward_many(const Tensors& inputs) {
  const Tensor& x = inputs[0];
  if (x.dim() != 3 && x.dim() != 4) {
    throw Error("MaxUnpool2d: expected a 3-D (C, H, W) or 4-D (N, C, H, W) input, got " + to_string(x.shape()));
  }
  // PyTorch's default output size: the input size the pooling started from.
  Size2 size{(x.size(-2) - 1) * stride.h - 2 * padding.h + kernel_size.h,
             (x.size(-1) - 1) * stride.w - 2 * padding.w + kernel_size.w};
  if (inputs.size() > 3) throw Error("MaxUnpool2d.forward() takes at most one output_size");
  if (inputs.size() == 3) size = {inputs[2].size(-2), inputs[2].size(-1)};
  return {F::max_unpool2d(x, inputs[1], kernel_size, stride, padding, size)};
}

// ---- padding ----

namespace {
std::vector<int64_t> padding_sides(const std::string& name, int64_t dims, std::vector<int64_t> padding) {
  if (padding.size() == 1) return std::vector<int64_t>(static_cast<size_t>(2 * dims), padding[0]);
  if (static_cast<int64_t>(padding.size()) != 2 * dims) {
    throw Error(name + ": padding must be one int or " + std::to_string(2 * dims) + " values, got " +
                to_string(Shape(padding)));
  }
  return padding;
}
}  // namespace

Pad::Pad(std::string name, int64_t dims, std::vector<int64_t> p, std::string m, double v)
    : padding(padding_sides(name, dims, std::move(p))), mode(std::move(m)), value(v), name_(std::move(name)) {}
std::string Pad::extra_repr() const { return python_tuple(padding); }
Tensor Pad::forward(const Tensor& x) { return F::pad(x, padding, mode, value); }
std::string ConstantPad2d::extra_repr() const {
  return "padding=" + python_tuple(padding) + ", value=" + python_repr(value);
}

// ---- resampling ----

Upsample::Upsample(const UpsampleOptions& o) : options(o) {
  if (o.size.empty() == !o.scale_factor.has_value()) throw Error("Upsample: give either size or scale_factor");
  if (o.mode != "nearest" && o.mode != "linear" && o.mode != "bilinear") {
    throw Error("Upsample: mode must be nearest, linear or bilinear, got '" + o.mode + "'");
  }
}
std::string Upsample::extra_repr() const {
  const std::string size = options.size.size() == 1 ? std::to_string(options.size[0]) : python_tuple(options.size);
  return (options.scale_factor ? "scale_factor=" + python_repr(*options.scale_factor) : "size=" + size) +
         ", mode=" + options.mode;
}
Tensor Upsample::forward(const Tensor& x) {
  // One size stands for every spatial dimension, as F.interpolate reads it.
  std::vector<int64_t> size = options.size;
  if (size.size() == 1 && x.dim() > 3) size.assign(static_cast<size_t>(x.dim() - 2), size[0]);
  return F::interpolate(x, size, options.scale_factor, options.mode, options.align_corners);
}

std::string PixelShuffle::extra_repr() const { return "upscale_factor=" + std::to_string(upscale_factor); }
Tensor PixelShuffle::forward(const Tensor& x) { return F::pixel_shuffle(x, upscale_factor); }

}  // namespace modtrace
