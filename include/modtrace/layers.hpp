#pragma once
// Standard layers with PyTorch's parameter names, shapes, defaults and
// printed form. Each forward is one or two calls into modtrace::F.
//
//   auto conv = make<Conv2d>(3, 64, 7, Conv2dOptions{.stride = 2, .padding = 3, .bias = false});
//   auto bn = make<BatchNorm2d>(64);
//   Tensor y = (*bn)((*conv)(x));   // conv.weight [64, 3, 7, 7]; bn.running_mean [64] …
//
// Weights start as PyTorch's reset_parameters() draws them (uniform in
// ±1/sqrt(fan_in) for Linear and Conv2d; ones and zeros for norms), from the
// generator seeded by manual_seed().

#include <optional>
#include <string>

#include "modtrace/module.hpp"

namespace modtrace {

class Linear : public Module {
 public:
  Linear(int64_t in_features, int64_t out_features, bool bias = true);
  std::string extra_repr() const override;
  const int64_t in_features, out_features;
  Tensor& weight;  // [out_features, in_features]
  Tensor& bias;    // [out_features], or undefined

 protected:
  Tensor forward(const Tensor& x) override;
};

struct Conv2dOptions {
  Size2 stride = 1;
  Size2 padding = 0;
  Size2 dilation = 1;
  int64_t groups = 1;
  bool bias = true;
};

class Conv2d : public Module {
 public:
  Conv2d(int64_t in_channels, int64_t out_channels, Size2 kernel_size, const Conv2dOptions& options = {});
  std::string extra_repr() const override;
  const int64_t in_channels, out_channels;
  const Size2 kernel_size;
  const Conv2dOptions options;
  Tensor& weight;  // [out_channels, in_channels / groups, kH, kW]
  Tensor& bias;    // [out_channels], or undefined

 protected:
  Tensor forward(const Tensor& x) override;
};

struct BatchNormOptions {
  double eps = 1e-5;
  double momentum = 0.1;
  bool affine = true;
  bool track_running_stats = true;
};

class BatchNorm2d : public Module {
 public:
  explicit BatchNorm2d(int64_t num_features, const BatchNormOptions& options = {});
  std::string extra_repr() const override;
  const int64_t num_features;
  const BatchNormOptions options;
  Tensor& weight;  // [C] (affine)
  Tensor& bias;    // [C] (affine)
  Tensor& running_mean;         // buffer [C]
  Tensor& running_var;          // buffer [C]
  Tensor& num_batches_tracked;  // buffer [], a count kept as float

 protected:
  Tensor forward(const Tensor& x) override;
};

class LayerNorm : public Module {
 public:
  explicit LayerNorm(Shape normalized_shape, double eps = 1e-5, bool elementwise_affine = true);
  std::string extra_repr() const override;
  const Shape normalized_shape;
  const double eps;
  Tensor& weight;  // normalized_shape (elementwise_affine)
  Tensor& bias;

 protected:
  Tensor forward(const Tensor& x) override;
};

// Activations. `inplace` is accepted and printed for fidelity with torchvision's
// repr; modtrace never computes in place.
class ReLU : public Module {
 public:
  explicit ReLU(bool inplace = false) : inplace(inplace) {}
  std::string extra_repr() const override;
  const bool inplace;

 protected:
  Tensor forward(const Tensor& x) override;
};

class ReLU6 : public Module {
 public:
  explicit ReLU6(bool inplace = false) : inplace(inplace) {}
  std::string extra_repr() const override;
  const bool inplace;

 protected:
  Tensor forward(const Tensor& x) override;
};

class GELU : public Module {
 public:
  explicit GELU(std::string approximate = "none");
  std::string extra_repr() const override;
  const std::string approximate;

 protected:
  Tensor forward(const Tensor& x) override;
};

class SiLU : public Module {
 public:
  explicit SiLU(bool inplace = false) : inplace(inplace) {}
  std::string extra_repr() const override;
  const bool inplace;

 protected:
  Tensor forward(const Tensor& x) override;
};

class Sigmoid : public Module {
 protected:
  Tensor forward(const Tensor& x) override;
};

class Hardswish : public Module {
 public:
  explicit Hardswish(bool inplace = false) : inplace(inplace) {}
  std::string extra_repr() const override;
  const bool inplace;

 protected:
  Tensor forward(const Tensor& x) override;
};

class Hardsigmoid : public Module {
 public:
  explicit Hardsigmoid(bool inplace = false) : inplace(inplace) {}
  std::string extra_repr() const override;
  const bool inplace;

 protected:
  Tensor forward(const Tensor& x) override;
};

class Flatten : public Module {
 public:
  explicit Flatten(int64_t start_dim = 1, int64_t end_dim = -1) : start_dim(start_dim), end_dim(end_dim) {}
  std::string extra_repr() const override;
  const int64_t start_dim, end_dim;

 protected:
  Tensor forward(const Tensor& x) override;
};

class Dropout : public Module {
 public:
  explicit Dropout(double p = 0.5, bool inplace = false);
  std::string extra_repr() const override;
  const double p;
  const bool inplace;

 protected:
  Tensor forward(const Tensor& x) override;
};

struct MaxPool2dOptions {
  std::optional<Size2> stride = std::nullopt;  // default: kernel_size
  Size2 padding = 0;
  Size2 dilation = 1;
  bool ceil_mode = false;
};

class MaxPool2d : public Module {
 public:
  explicit MaxPool2d(Size2 kernel_size, const MaxPool2dOptions& options = {});
  std::string extra_repr() const override;
  const Size2 kernel_size;
  const MaxPool2dOptions options;

 protected:
  Tensor forward(const Tensor& x) override;
};

struct AvgPool2dOptions {
  std::optional<Size2> stride = std::nullopt;  // default: kernel_size
  Size2 padding = 0;
  bool ceil_mode = false;
  bool count_include_pad = true;
};

class AvgPool2d : public Module {
 public:
  explicit AvgPool2d(Size2 kernel_size, const AvgPool2dOptions& options = {});
  std::string extra_repr() const override;
  const Size2 kernel_size;
  const AvgPool2dOptions options;

 protected:
  Tensor forward(const Tensor& x) override;
};

class AdaptiveAvgPool2d : public Module {
 public:
  explicit AdaptiveAvgPool2d(Size2 output_size) : output_size(output_size) {}
  std::string extra_repr() const override;
  const Size2 output_size;

 protected:
  Tensor forward(const Tensor& x) override;
};

// Returns its input unchanged (no op is recorded).
class Identity : public Module {
 protected:
  Tensor forward(const Tensor& x) override { return x; }
};

}  // namespace modtrace

namespace modtrace {

// torch.nn.MultiheadAttention: in_proj_weight [3E, E], in_proj_bias [3E],
// out_proj (a Linear that, as in PyTorch, the forward reads but never calls).
// Called with (query, key, value); returns {output}, or {output, weights}
// averaged over heads when need_weights (a construction option here, since
// calls take tensors only).
struct MultiheadAttentionOptions {
  double dropout = 0.0;
  bool bias = true;
  bool batch_first = false;
  bool need_weights = true;
};

// The Linear PyTorch uses for out_proj (its own class name, for faithful printing).
class NonDynamicallyQuantizableLinear : public Linear {
 public:
  using Linear::Linear;
};

class MultiheadAttention : public Module {
 public:
  MultiheadAttention(int64_t embed_dim, int64_t num_heads, const MultiheadAttentionOptions& options = {});
  const int64_t embed_dim, num_heads, head_dim;
  const MultiheadAttentionOptions options;
  Tensor& in_proj_weight;
  Tensor& in_proj_bias;
  Linear& out_proj;

  std::span<const std::string_view> forward_signature() const override;

 protected:
  Tensors forward_many(const Tensors& inputs) override;
};

}  // namespace modtrace
