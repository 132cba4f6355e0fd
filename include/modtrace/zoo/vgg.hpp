#pragma once
// VGG-11 as torchvision 0.14 builds it: `features` (convolutions and pools),
// `avgpool` to 7x7, and a flatten in VGG's own forward before `classifier`.

#include "modtrace/containers.hpp"
#include "modtrace/layers.hpp"
#include "modtrace/export.hpp"

MODTRACE_PUBLIC_BEGIN
namespace modtrace::zoo {

class VGG : public Module {
 public:
  // cfg: channel counts, with 0 meaning a 2x2 max pool ("M" in torchvision).
  explicit VGG(const std::vector<int64_t>& cfg, int64_t num_classes = 1000, double dropout = 0.5);
  Sequential& features;
  AdaptiveAvgPool2d& avgpool;
  Sequential& classifier;

 protected:
  Tensor forward(const Tensor& x) override;
};

std::shared_ptr<VGG> vgg11(int64_t num_classes = 1000);

}  // namespace modtrace::zoo
MODTRACE_PUBLIC_END
