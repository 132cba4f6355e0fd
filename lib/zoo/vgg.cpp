#include "modtrace/zoo/vgg.hpp"

#include "modtrace/functional.hpp"

namespace modtrace::zoo {
namespace {

std::shared_ptr<Sequential> make_features(const std::vector<int64_t>& cfg) {
  auto layers = std::make_shared<Sequential>();
  int64_t in_channels = 3;
  for (int64_t v : cfg) {
    if (v == 0) {
      layers->push_back(make<MaxPool2d>(2, MaxPool2dOptions{.stride = 2}));
    } else {
      layers->push_back(make<Conv2d>(in_channels, v, 3, Conv2dOptions{.padding = 1}));
      layers->push_back(make<ReLU>(true));
      in_channels = v;
    }
  }
  return layers;
}

}  // namespace

VGG::VGG(const std::vector<int64_t>& cfg, int64_t num_classes, double dropout)
    : features(register_module("features", make_features(cfg))),
      avgpool(register_module<AdaptiveAvgPool2d>("avgpool", Size2{7, 7})),
      classifier(register_module("classifier", std::make_shared<Sequential>(std::vector<std::shared_ptr<Module>>{
                                                   make<Linear>(512 * 7 * 7, 4096),
                                                   make<ReLU>(true),
                                                   make<Dropout>(dropout),
                                                   make<Linear>(4096, 4096),
                                                   make<ReLU>(true),
                                                   make<Dropout>(dropout),
                                                   make<Linear>(4096, num_classes),
                                               }))) {}

Tensor VGG::forward(const Tensor& x) {
  Tensor y = avgpool(features(x));
  y = F::flatten(y, 1);  // torchvision: torch.flatten(x, 1), in VGG's own forward
  return classifier(y);
}

std::shared_ptr<VGG> vgg11(int64_t num_classes) {
  // torchvision's cfg "A": 64, M, 128, M, 256, 256, M, 512, 512, M, 512, 512, M
  return std::make_shared<VGG>(std::vector<int64_t>{64, 0, 128, 0, 256, 256, 0, 512, 512, 0, 512, 512, 0}, num_classes);
}

}  // namespace modtrace::zoo
