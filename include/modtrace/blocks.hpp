#pragma once
// Building blocks from torchvision.ops, with torchvision's names, structure
// and parameter keys: Conv2dNormActivation, SqueezeExcitation, LayerNorm2d,
// Permute, StochasticDepth, MLP, FrozenBatchNorm2d. The zoo uses them; so
// can anyone.

#include <optional>

#include "modtrace/containers.hpp"
#include "modtrace/layers.hpp"
#include "modtrace/export.hpp"

MODTRACE_PUBLIC_BEGIN
namespace modtrace {

enum class Activation { none, relu, relu6, hardswish, silu, gelu };
enum class Norm { none, batch_norm, layer_norm_2d };

struct Conv2dNormActivationOptions {
  Size2 stride = 1;
  std::optional<Size2> padding = std::nullopt;  // default: (kernel - 1) / 2 * dilation
  int64_t groups = 1;
  Size2 dilation = 1;
  Norm norm = Norm::batch_norm;
  double norm_eps = 1e-5;
  Activation activation = Activation::relu;
  std::optional<bool> bias = std::nullopt;  // default: no bias when there is a norm
};

// torchvision.ops.Conv2dNormActivation: a Sequential of a Conv2d ("0"), then
// the norm ("1") and the activation, when present.
class Conv2dNormActivation : public Sequential {
 public:
  Conv2dNormActivation(int64_t in_channels, int64_t out_channels, Size2 kernel_size = 3,
                       const Conv2dNormActivationOptions& options = {});
  const int64_t out_channels;
};

// torchvision's LayerNorm2d: LayerNorm over the channels of an NCHW tensor
// (permute to NHWC, layer_norm, permute back).
class LayerNorm2d : public LayerNorm {
 public:
  explicit LayerNorm2d(int64_t channels, double eps = 1e-6) : LayerNorm({channels}, eps) {}

 protected:
  Tensor forward(const Tensor& x) override;
};

// torchvision.ops.misc.Permute.
class Permute : public Module {
 public:
  explicit Permute(std::vector<int64_t> dims) : dims(std::move(dims)) {}
  const std::vector<int64_t> dims;

 protected:
  Tensor forward(const Tensor& x) override;
};

// torchvision.ops.StochasticDepth: drops whole residual branches in training.
class StochasticDepth : public Module {
 public:
  StochasticDepth(double p, std::string mode);
  std::string extra_repr() const override;
  const double p;
  const std::string mode;

 protected:
  Tensor forward(const Tensor& x) override;
};

// torchvision.ops.MLP: Linear, activation, Dropout per hidden layer, then a
// final Linear and Dropout, as a Sequential ("0", "1", …).
class MLP : public Sequential {
 public:
  MLP(int64_t in_channels, const std::vector<int64_t>& hidden_channels, Activation activation = Activation::relu,
      double dropout = 0.0, bool inplace = true);
};

// torchvision.ops.SqueezeExcitation: avgpool, fc1 (1x1 conv), activation,
// fc2, scale_activation give a per-channel scale; the block's own forward
// multiplies its input by it. Activations default to ReLU and Sigmoid.
class SqueezeExcitation : public Module {
 public:
  SqueezeExcitation(int64_t input_channels, int64_t squeeze_channels, std::shared_ptr<Module> activation = nullptr,
                    std::shared_ptr<Module> scale_activation = nullptr);
  AdaptiveAvgPool2d& avgpool;
  Conv2d& fc1;
  Conv2d& fc2;
  Module& activation;
  Module& scale_activation;

 protected:
  Tensor forward(const Tensor& x) override;

 private:
  Tensor scale(const Tensor& x);  // torchvision's _scale: a helper, not a module
};

// torchvision.ops.FrozenBatchNorm2d: batch norm with fixed statistics and
// affine parameters, all four buffers; its forward is written out as
// torchvision's (reshape, rsqrt, multiply, add).
class FrozenBatchNorm2d : public Module {
 public:
  explicit FrozenBatchNorm2d(int64_t num_features, double eps = 1e-5);
  std::string extra_repr() const override;
  const int64_t num_features;
  const double eps;
  Tensor& weight;
  Tensor& bias;
  Tensor& running_mean;
  Tensor& running_var;

 protected:
  Tensor forward(const Tensor& x) override;
};

// A fresh module for an activation kind (nullptr for none).
std::shared_ptr<Module> make_activation(Activation activation, bool inplace = true);

}  // namespace modtrace
MODTRACE_PUBLIC_END
