#pragma once
// SqueezeNet 1.0 as torchvision 0.14 builds it: Fire modules concatenate two
// expand branches in their own forward; SqueezeNet's forward flattens the
// classifier's [N, C, 1, 1] output itself.

#include "modtrace/containers.hpp"
#include "modtrace/layers.hpp"
#include "modtrace/export.hpp"

MODTRACE_PUBLIC_BEGIN
namespace modtrace::zoo {

class Fire : public Module {
 public:
  Fire(int64_t inplanes, int64_t squeeze_planes, int64_t expand1x1_planes, int64_t expand3x3_planes);
  Conv2d& squeeze;
  ReLU& squeeze_activation;
  Conv2d& expand1x1;
  ReLU& expand1x1_activation;
  Conv2d& expand3x3;
  ReLU& expand3x3_activation;

 protected:
  Tensor forward(const Tensor& x) override;
};

class SqueezeNet : public Module {
 public:
  explicit SqueezeNet(int64_t num_classes = 1000, double dropout = 0.5);
  Sequential& features;
  Sequential& classifier;

 protected:
  Tensor forward(const Tensor& x) override;
};

std::shared_ptr<SqueezeNet> squeezenet1_0(int64_t num_classes = 1000);

}  // namespace modtrace::zoo
MODTRACE_PUBLIC_END
