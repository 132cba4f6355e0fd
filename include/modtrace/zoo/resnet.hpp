#pragma once
// ResNet as torchvision 0.14 builds it (torchvision/models/resnet.py): the
// same children in the same order, the same state_dict keys, and the same
// split of work: the blocks' residual add and ResNet's torch.flatten run in
// the modules' own forward, not in children.

#include <array>

#include "modtrace/containers.hpp"
#include "modtrace/layers.hpp"
#include "modtrace/export.hpp"

MODTRACE_PUBLIC_BEGIN
namespace modtrace::zoo {

class BasicBlock : public Module {
 public:
  static constexpr int64_t expansion = 1;
  BasicBlock(int64_t inplanes, int64_t planes, int64_t stride = 1, std::shared_ptr<Module> downsample = nullptr);
  Conv2d& conv1;
  BatchNorm2d& bn1;
  ReLU& relu;  // called twice by forward
  Conv2d& conv2;
  BatchNorm2d& bn2;
  Module* downsample;  // null when the shapes already match

 protected:
  Tensor forward(const Tensor& x) override;
};

class Bottleneck : public Module {
 public:
  static constexpr int64_t expansion = 4;
  Bottleneck(int64_t inplanes, int64_t planes, int64_t stride = 1, std::shared_ptr<Module> downsample = nullptr);
  Conv2d& conv1;
  BatchNorm2d& bn1;
  Conv2d& conv2;
  BatchNorm2d& bn2;
  Conv2d& conv3;
  BatchNorm2d& bn3;
  ReLU& relu;
  Module* downsample;

 protected:
  Tensor forward(const Tensor& x) override;
};

class ResNet : public Module {
  // Declared first: make_layer reads and advances it while the layers below are built.
  int64_t inplanes_ = 64;

 public:
  enum class Block { basic, bottleneck };
  ResNet(Block block, std::array<int, 4> layers, int64_t num_classes = 1000);
  Conv2d& conv1;
  BatchNorm2d& bn1;
  ReLU& relu;
  MaxPool2d& maxpool;
  Sequential& layer1;
  Sequential& layer2;
  Sequential& layer3;
  Sequential& layer4;
  AdaptiveAvgPool2d& avgpool;
  Linear& fc;

 protected:
  Tensor forward(const Tensor& x) override;

 private:
  std::shared_ptr<Sequential> make_layer(Block block, int64_t planes, int blocks, int64_t stride);
};

std::shared_ptr<ResNet> resnet18(int64_t num_classes = 1000);
std::shared_ptr<ResNet> resnet50(int64_t num_classes = 1000);

}  // namespace modtrace::zoo
MODTRACE_PUBLIC_END
