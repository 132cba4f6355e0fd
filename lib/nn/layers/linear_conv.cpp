// Linear, the convolutions and Embedding.

#include "modtrace/layers.hpp"

#include <algorithm>

#include "modtrace/functional.hpp"
#include "modtrace/python.hpp"
#include "nn/layers/common.hpp"

namespace modtrace {

using detail::fan_in_uniform;
using detail::inplace_repr;
using detail::require_positive;

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

// ---- Conv1d ----

namespace {
Tensor conv1d_weight(int64_t in, int64_t out, int64_t k, const Conv1dOptions& o) {
  require_positive("Conv1d", "in_channels", in);
  require_positive("Conv1d", "out_channels", out);
  require_positive("Conv1d", "groups", o.groups);
  require_positive("Conv1d", "kernel_size", k);
  if (in % o.groups != 0 || out % o.groups != 0) {
    throw Error("Conv1d: in_channels " + std::to_string(in) + " and out_channels " + std::to_string(out) +
                " must be divisible by groups " + std::to_string(o.groups));
  }
  return fan_in_uniform({out, in / o.groups, k}, in / o.groups * k);
}
}  // namespace

Conv1d::Conv1d(int64_t in, int64_t out, int64_t k, const Conv1dOptions& o)
    : in_channels(in),
      out_channels(out),
      kernel_size(k),
      options(o),
      weight(register_parameter("weight", conv1d_weight(in, out, k, o))),
      bias(register_parameter("bias", o.bias ? fan_in_uniform({out}, in / o.groups * k) : Tensor())) {}

std::string Conv1d::extra_repr() const {
  // PyTorch keeps 1-D sizes as one-element tuples.
  std::string s = std::to_string(in_channels) + ", " + std::to_string(out_channels) +
                  ", kernel_size=" + python_tuple({kernel_size}) + ", stride=" + python_tuple({options.stride});
  if (options.padding != 0) s += ", padding=" + python_tuple({options.padding});
  if (options.dilation != 1) s += ", dilation=" + python_tuple({options.dilation});
  if (options.groups != 1) s += ", groups=" + std::to_string(options.groups);
  if (!bias.defined()) s += ", bias=False";
  return s;
}

Tensor Conv1d::forward(const Tensor& x) {
  return F::conv1d(x, weight, bias, options.stride, options.padding, options.dilation, options.groups);
}

// ---- ConvTranspose2d ----

namespace {
// PyTorch's fan-in for a transposed weight [in, out/groups, kh, kw] is its dimension 1 times the kernel.
Tensor transposed_weight(int64_t in, int64_t out, Size2 k, const ConvTranspose2dOptions& o) {
  require_positive("ConvTranspose2d", "in_channels", in);
  require_positive("ConvTranspose2d", "out_channels", out);
  require_positive("ConvTranspose2d", "groups", o.groups);
  require_positive("ConvTranspose2d", "kernel_size", std::min(k.h, k.w));
  if (in % o.groups != 0 || out % o.groups != 0) {
    throw Error("ConvTranspose2d: in_channels " + std::to_string(in) + " and out_channels " + std::to_string(out) +
                " must be divisible by groups " + std::to_string(o.groups));
  }
  return fan_in_uniform({in, out / o.groups, k.h, k.w}, out / o.groups * k.h * k.w);
}
}  // namespace

ConvTranspose2d::ConvTranspose2d(int64_t in, int64_t out, Size2 k, const ConvTranspose2dOptions& o)
    : in_channels(in),
      out_channels(out),
      kernel_size(k),
      options(o),
      weight(register_parameter("weight", transposed_weight(in, out, k, o))),
      bias(register_parameter("bias", o.bias ? fan_in_uniform({out}, out / o.groups * k.h * k.w) : Tensor())) {}

std::string ConvTranspose2d::extra_repr() const {
  std::string s = std::to_string(in_channels) + ", " + std::to_string(out_channels) +
                  ", kernel_size=" + to_string(kernel_size) + ", stride=" + to_string(options.stride);
  if (options.padding != Size2(0)) s += ", padding=" + to_string(options.padding);
  if (options.dilation != Size2(1)) s += ", dilation=" + to_string(options.dilation);
  if (options.output_padding != Size2(0)) s += ", output_padding=" + to_string(options.output_padding);
  if (options.groups != 1) s += ", groups=" + std::to_string(options.groups);
  if (!bias.defined()) s += ", bias=False";
  return s;
}

Tensor ConvTranspose2d::forward(const Tensor& x) {
  return F::conv_transpose2d(x, weight, bias, options.stride, options.padding, options.output_padding, options.groups,
                             options.dilation);
}

// ---- Embedding ----

namespace {
Tensor normal_rows(int64_t rows, int64_t cols, std::optional<int64_t> padding_idx) {
  require_positive("Embedding", "num_embeddings", rows);
  require_positive("Embedding", "embedding_dim", cols);
  if (padding_idx && (*padding_idx < -rows || *padding_idx >= rows)) {
    throw Error("Embedding: padding_idx " + std::to_string(*padding_idx) + " must be within num_embeddings " +
                std::to_string(rows));
  }
  Tensor t = Tensor::empty({rows, cols});
  detail::fill_normal(t.data(), t.numel());
  if (padding_idx) {
    const int64_t row = *padding_idx < 0 ? *padding_idx + rows : *padding_idx;
    std::fill_n(t.data() + row * cols, cols, 0.0f);
  }
  return t;
}
}  // namespace

Embedding::Embedding(int64_t n, int64_t dim, std::optional<int64_t> pad)
    : num_embeddings(n),
      embedding_dim(dim),
      padding_idx(pad),
      weight(register_parameter("weight", normal_rows(n, dim, pad))) {}

std::string Embedding::extra_repr() const {
  std::string s = std::to_string(num_embeddings) + ", " + std::to_string(embedding_dim);
  if (padding_idx) s += ", padding_idx=" + std::to_string(*padding_idx);
  return s;
}

Tensor Embedding::forward(const Tensor& indices) { return F::embedding(indices, weight); }

}  // namespace modtrace
