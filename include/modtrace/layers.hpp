#pragma once
// Standard layers with PyTorch's parameter names, shapes, defaults and
// printed form. Each forward is one or two calls into modtrace::F.
//
//   auto conv = make<Conv2d>(3, 64, 7, Conv2dOptions{.stride = 2, .padding = 3, .bias = false});
//   auto bn = make<BatchNorm2d>(64);
//   Tensor y = (*bn)((*conv)(x));   // conv.weight [64, 3, 7, 7]; bn.running_mean [64] …
//
// Weights start as PyTorch's reset_parameters() draws them (uniform in
// ±1/sqrt(fan_in) for Linear and the convolutions, N(0, 1) for Embedding;
// ones and zeros for norms), from the generator seeded by manual_seed().
// repr() prints each as PyTorch does, numbers and int-or-tuple arguments as
// they were given.

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "modtrace/module.hpp"
#include "modtrace/python.hpp"
#include "modtrace/export.hpp"

MODTRACE_PUBLIC_BEGIN
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

// torch.nn.Conv1d: weight [out_channels, in_channels / groups, kernel_size].
struct Conv1dOptions {
  int64_t stride = 1;
  int64_t padding = 0;
  int64_t dilation = 1;
  int64_t groups = 1;
  bool bias = true;
};

class Conv1d : public Module {
 public:
  Conv1d(int64_t in_channels, int64_t out_channels, int64_t kernel_size, const Conv1dOptions& options = {});
  std::string extra_repr() const override;
  const int64_t in_channels, out_channels, kernel_size;
  const Conv1dOptions options;
  Tensor& weight;
  Tensor& bias;

 protected:
  Tensor forward(const Tensor& x) override;
};

// torch.nn.ConvTranspose2d: weight [in_channels, out_channels / groups, kH, kW].
struct ConvTranspose2dOptions {
  Size2 stride = 1;
  Size2 padding = 0;
  Size2 output_padding = 0;
  int64_t groups = 1;
  bool bias = true;
  Size2 dilation = 1;
};

class ConvTranspose2d : public Module {
 public:
  ConvTranspose2d(int64_t in_channels, int64_t out_channels, Size2 kernel_size,
                  const ConvTranspose2dOptions& options = {});
  std::string extra_repr() const override;
  const int64_t in_channels, out_channels;
  const Size2 kernel_size;
  const ConvTranspose2dOptions options;
  Tensor& weight;
  Tensor& bias;

 protected:
  Tensor forward(const Tensor& x) override;
};

// torch.nn.Embedding: weight [num_embeddings, embedding_dim], N(0, 1) with
// the padding_idx row zeroed. Indices are float32 whole numbers.
class Embedding : public Module {
 public:
  Embedding(int64_t num_embeddings, int64_t embedding_dim, std::optional<int64_t> padding_idx = std::nullopt);
  std::string extra_repr() const override;
  const int64_t num_embeddings, embedding_dim;
  const std::optional<int64_t> padding_idx;
  Tensor& weight;

 protected:
  Tensor forward(const Tensor& indices) override;
};

struct BatchNormOptions {
  double eps = 1e-5;
  double momentum = 0.1;
  bool affine = true;
  bool track_running_stats = true;
};

// What BatchNorm2d and InstanceNorm2d share, as PyTorch's _NormBase: the
// settings, the affine parameters and the running statistics, and the repr.
class NormBase : public Module {
 public:
  std::string extra_repr() const override;
  const int64_t num_features;
  const double eps, momentum;
  const bool affine, track_running_stats;
  Tensor& weight;  // [C] (affine)
  Tensor& bias;    // [C] (affine)
  Tensor& running_mean;         // buffer [C] (track_running_stats)
  Tensor& running_var;          // buffer [C]
  Tensor& num_batches_tracked;  // buffer [], a count kept as float

 protected:
  NormBase(const char* type, int64_t num_features, double eps, double momentum, bool affine,
           bool track_running_stats);
};

class BatchNorm2d : public NormBase {
 public:
  explicit BatchNorm2d(int64_t num_features, const BatchNormOptions& options = {});

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

// torch.nn.GroupNorm: channels (dimension 1) in num_groups groups.
class GroupNorm : public Module {
 public:
  GroupNorm(int64_t num_groups, int64_t num_channels, double eps = 1e-5, bool affine = true);
  std::string extra_repr() const override;
  const int64_t num_groups, num_channels;
  const double eps;
  Tensor& weight;  // [num_channels] (affine)
  Tensor& bias;

 protected:
  Tensor forward(const Tensor& x) override;
};

// torch.nn.InstanceNorm2d: input statistics per (sample, channel) in training
// or without tracked statistics; the running ones otherwise. PyTorch's
// defaults: no affine, no running statistics.
struct InstanceNormOptions {
  double eps = 1e-5;
  double momentum = 0.1;
  bool affine = false;
  bool track_running_stats = false;
};

class InstanceNorm2d : public NormBase {
 public:
  explicit InstanceNorm2d(int64_t num_features, const InstanceNormOptions& options = {});

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

class Tanh : public Module {
 protected:
  Tensor forward(const Tensor& x) override;
};

class LeakyReLU : public Module {
 public:
  explicit LeakyReLU(double negative_slope = 0.01, bool inplace = false)
      : negative_slope(negative_slope), inplace(inplace) {}
  std::string extra_repr() const override;
  const double negative_slope;
  const bool inplace;

 protected:
  Tensor forward(const Tensor& x) override;
};

// torch.nn.PReLU: num_parameters slopes (1, or one per channel), each `init`.
class PReLU : public Module {
 public:
  explicit PReLU(int64_t num_parameters = 1, double init = 0.25);
  std::string extra_repr() const override;
  const int64_t num_parameters;
  Tensor& weight;

 protected:
  Tensor forward(const Tensor& x) override;
};

class Mish : public Module {
 public:
  explicit Mish(bool inplace = false) : inplace(inplace) {}
  std::string extra_repr() const override;
  const bool inplace;

 protected:
  Tensor forward(const Tensor& x) override;
};

class Softplus : public Module {
 public:
  explicit Softplus(PyNumber beta = 1, PyNumber threshold = 20) : beta(beta), threshold(threshold) {}
  std::string extra_repr() const override;
  const PyNumber beta, threshold;

 protected:
  Tensor forward(const Tensor& x) override;
};

class Softmax : public Module {
 public:
  explicit Softmax(int64_t dim) : dim(dim) {}
  std::string extra_repr() const override;
  const int64_t dim;

 protected:
  Tensor forward(const Tensor& x) override;
};

class LogSoftmax : public Module {
 public:
  explicit LogSoftmax(int64_t dim) : dim(dim) {}
  std::string extra_repr() const override;
  const int64_t dim;

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

// Whole channels dropped together in training.
class Dropout2d : public Dropout {
 public:
  using Dropout::Dropout;

 protected:
  Tensor forward(const Tensor& x) override;
};

// The padding layers (ReflectionPad2d, ZeroPad2d, …): F.pad with the layer's
// mode. `padding` is one int for every side or (left, right[, top, bottom]).
class Pad : public Module {
 public:
  std::string type_name() const override { return name_; }
  std::string extra_repr() const override;
  const std::vector<int64_t> padding;  // (left, right, top, bottom, …)
  const std::string mode;
  const double value;

 protected:
  Pad(std::string name, int64_t dims, std::vector<int64_t> padding, std::string mode, double value);
  Tensor forward(const Tensor& x) override;

 private:
  std::string name_;
};

#define MODTRACE_PADDING_LAYER(Name, dims, mode)                                                          \
  class Name : public Pad {                                                                            \
   public:                                                                                             \
    explicit Name(int64_t padding) : Pad(#Name, dims, {padding}, mode, 0.0) {}                         \
    explicit Name(std::vector<int64_t> padding) : Pad(#Name, dims, std::move(padding), mode, 0.0) {}   \
  };
MODTRACE_PADDING_LAYER(ReflectionPad1d, 1, "reflect")
MODTRACE_PADDING_LAYER(ReflectionPad2d, 2, "reflect")
MODTRACE_PADDING_LAYER(ReplicationPad1d, 1, "replicate")
MODTRACE_PADDING_LAYER(ReplicationPad2d, 2, "replicate")
MODTRACE_PADDING_LAYER(ZeroPad2d, 2, "constant")
#undef MODTRACE_PADDING_LAYER

class ConstantPad2d : public Pad {
 public:
  ConstantPad2d(int64_t padding, double value) : Pad("ConstantPad2d", 2, {padding}, "constant", value) {}
  ConstantPad2d(std::vector<int64_t> padding, double value)
      : Pad("ConstantPad2d", 2, std::move(padding), "constant", value) {}
  std::string extra_repr() const override;
};

// torch.nn.Upsample: F.interpolate with a size (one int for every spatial
// dimension, or one per dimension) or one scale factor.
struct UpsampleOptions {
  std::vector<int64_t> size = {};
  std::optional<double> scale_factor = std::nullopt;
  std::string mode = "nearest";
  bool align_corners = false;
};

class Upsample : public Module {
 public:
  explicit Upsample(const UpsampleOptions& options);
  std::string extra_repr() const override;
  const UpsampleOptions options;

 protected:
  Tensor forward(const Tensor& x) override;
};

class PixelShuffle : public Module {
 public:
  explicit PixelShuffle(int64_t upscale_factor) : upscale_factor(upscale_factor) {}
  std::string extra_repr() const override;
  const int64_t upscale_factor;

 protected:
  Tensor forward(const Tensor& x) override;
};

struct MaxPool2dOptions {
  std::optional<Size2> stride = std::nullopt;  // default: kernel_size
  Size2 padding = 0;
  Size2 dilation = 1;
  bool ceil_mode = false;
  bool return_indices = false;  // then forward returns {values, indices}
};

class MaxPool2d : public Module {
 public:
  explicit MaxPool2d(Size2 kernel_size, const MaxPool2dOptions& options = {});
  std::string extra_repr() const override;
  const Size2 kernel_size;
  const MaxPool2dOptions options;

 protected:
  Tensors forward_many(const Tensors& inputs) override;
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

struct MaxPool1dOptions {
  std::optional<int64_t> stride = std::nullopt;  // default: kernel_size
  int64_t padding = 0;
  int64_t dilation = 1;
  bool ceil_mode = false;
};

class MaxPool1d : public Module {
 public:
  explicit MaxPool1d(int64_t kernel_size, const MaxPool1dOptions& options = {});
  std::string extra_repr() const override;
  const int64_t kernel_size;
  const MaxPool1dOptions options;

 protected:
  Tensor forward(const Tensor& x) override;
};

struct AvgPool1dOptions {
  std::optional<int64_t> stride = std::nullopt;  // default: kernel_size
  int64_t padding = 0;
  bool ceil_mode = false;
  bool count_include_pad = true;
};

class AvgPool1d : public Module {
 public:
  explicit AvgPool1d(int64_t kernel_size, const AvgPool1dOptions& options = {});
  std::string extra_repr() const override;
  const int64_t kernel_size;
  const AvgPool1dOptions options;

 protected:
  Tensor forward(const Tensor& x) override;
};

// torch.nn.MaxUnpool2d: forward(input, indices), or with a third tensor whose
// shape's last two sizes give the output size (PyTorch's output_size).
class MaxUnpool2d : public Module {
 public:
  explicit MaxUnpool2d(Size2 kernel_size, std::optional<Size2> stride = std::nullopt, Size2 padding = 0);
  std::string extra_repr() const override;
  std::span<const std::string_view> forward_signature() const override;
  const Size2 kernel_size, stride, padding;

 protected:
  Tensors forward_many(const Tensors& inputs) override;
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

// A function as a module, for a step that no layer does (what `modtrace fix`
// prints for the root's own ops): Lambda([](const Tensor& x) { return x * 3; }, "x * 3").
class Lambda : public Module {
 public:
  Lambda(std::function<Tensor(const Tensor&)> fn, std::string text) : fn_(std::move(fn)), text_(std::move(text)) {}
  std::string extra_repr() const override { return text_; }

 protected:
  Tensor forward(const Tensor& x) override { return fn_(x); }

 private:
  std::function<Tensor(const Tensor&)> fn_;
  std::string text_;
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
MODTRACE_PUBLIC_END
