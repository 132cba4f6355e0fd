#pragma once
// MobileNetV2 as torchvision 0.14 builds it: InvertedResidual blocks add
// their input back in their own forward; MobileNetV2's forward pools with
// F.adaptive_avg_pool2d and flattens before the classifier.

#include "modtrace/blocks.hpp"
#include "modtrace/export.hpp"

MODTRACE_PUBLIC_BEGIN
namespace modtrace::zoo {

class InvertedResidual : public Module {
 public:
  InvertedResidual(int64_t inp, int64_t oup, int64_t stride, int64_t expand_ratio);
  Sequential& conv;
  const bool use_res_connect;

 protected:
  Tensor forward(const Tensor& x) override;
};

class MobileNetV2 : public Module {
 public:
  explicit MobileNetV2(int64_t num_classes = 1000, double dropout = 0.2);
  Sequential& features;
  Sequential& classifier;

 protected:
  Tensor forward(const Tensor& x) override;
};

std::shared_ptr<MobileNetV2> mobilenet_v2(int64_t num_classes = 1000);

}  // namespace modtrace::zoo
MODTRACE_PUBLIC_END
