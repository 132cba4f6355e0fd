#pragma once
// DenseNet-121 as torchvision 0.14 builds it: each _DenseLayer takes the list
// of all earlier feature maps and concatenates them itself; each _DenseBlock
// (a ModuleDict) feeds its layers that list and concatenates the result; and
// DenseNet's forward applies F.relu, F.adaptive_avg_pool2d and flatten
// before the classifier, outside any child.

#include <array>

#include "modtrace/containers.hpp"
#include "modtrace/layers.hpp"
#include "modtrace/export.hpp"

MODTRACE_PUBLIC_BEGIN
namespace modtrace::zoo {

class DenseLayer : public Module {
 public:
  DenseLayer(int64_t num_input_features, int64_t growth_rate, int64_t bn_size, double drop_rate);
  std::string type_name() const override { return "_DenseLayer"; }
  BatchNorm2d& norm1;
  ReLU& relu1;
  Conv2d& conv1;
  BatchNorm2d& norm2;
  ReLU& relu2;
  Conv2d& conv2;
  const double drop_rate;

 protected:
  // torchvision's forward takes a tensor or a list of the earlier feature
  // maps (its DenseBlock passes the list): call() for the one, call_with_tuple() for the other.
  Tensor forward(const Tensor& input) override;
  Tensors forward_tuple(const Tensors& previous_features) override;
};

class DenseBlock : public ModuleDict {
 public:
  DenseBlock(int num_layers, int64_t num_input_features, int64_t bn_size, int64_t growth_rate, double drop_rate);
  std::string type_name() const override { return "_DenseBlock"; }

 protected:
  Tensor forward(const Tensor& x) override;
};

class Transition : public Sequential {
 public:
  Transition(int64_t num_input_features, int64_t num_output_features);
  std::string type_name() const override { return "_Transition"; }
};

class DenseNet : public Module {
  // Declared first: building `features` sets it, `classifier` reads it.
  int64_t num_features_ = 0;

 public:
  DenseNet(int64_t growth_rate = 32, std::array<int, 4> block_config = {6, 12, 24, 16}, int64_t num_init_features = 64,
           int64_t bn_size = 4, double drop_rate = 0.0, int64_t num_classes = 1000);
  Sequential& features;
  Linear& classifier;

 protected:
  Tensor forward(const Tensor& x) override;
};

std::shared_ptr<DenseNet> densenet121(int64_t num_classes = 1000);

}  // namespace modtrace::zoo
MODTRACE_PUBLIC_END
