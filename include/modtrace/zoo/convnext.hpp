#pragma once
// ConvNeXt-tiny as torchvision 0.14 builds it: each CNBlock scales its branch
// by `layer_scale` and adds its input back in its own forward, but the
// root's forward only calls children, so its children-only Sequential is
// exactly equivalent.

#include <vector>

#include "modtrace/blocks.hpp"
#include "modtrace/export.hpp"

MODTRACE_PUBLIC_BEGIN
namespace modtrace::zoo {

class CNBlock : public Module {
 public:
  CNBlock(int64_t dim, double layer_scale, double stochastic_depth_prob);
  Sequential& block;
  Tensor& layer_scale;  // [dim, 1, 1]
  StochasticDepth& stochastic_depth;

 protected:
  Tensor forward(const Tensor& x) override;
};

struct CNBlockConfig {
  int64_t input_channels;
  int64_t out_channels;  // 0: no downsampling after this stage
  int num_layers;
};

class ConvNeXt : public Module {
 public:
  ConvNeXt(const std::vector<CNBlockConfig>& block_setting, double stochastic_depth_prob = 0.0,
           double layer_scale = 1e-6, int64_t num_classes = 1000);
  Sequential& features;
  AdaptiveAvgPool2d& avgpool;
  Sequential& classifier;

 protected:
  Tensor forward(const Tensor& x) override;
};

std::shared_ptr<ConvNeXt> convnext_tiny(int64_t num_classes = 1000);

}  // namespace modtrace::zoo
MODTRACE_PUBLIC_END
