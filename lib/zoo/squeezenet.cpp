#include "modtrace/zoo/squeezenet.hpp"

#include "modtrace/functional.hpp"

namespace modtrace::zoo {

Fire::Fire(int64_t inplanes, int64_t squeeze_planes, int64_t expand1x1_planes, int64_t expand3x3_planes)
    : squeeze(register_module<Conv2d>("squeeze", inplanes, squeeze_planes, 1)),
      squeeze_activation(register_module<ReLU>("squeeze_activation", true)),
      expand1x1(register_module<Conv2d>("expand1x1", squeeze_planes, expand1x1_planes, 1)),
      expand1x1_activation(register_module<ReLU>("expand1x1_activation", true)),
      expand3x3(register_module<Conv2d>("expand3x3", squeeze_planes, expand3x3_planes, 3,
                                        Conv2dOptions{.padding = 1})),
      expand3x3_activation(register_module<ReLU>("expand3x3_activation", true)) {}

Tensor Fire::forward(const Tensor& input) {
  const Tensor x = squeeze_activation(squeeze(input));
  // torchvision: torch.cat([...], 1) in Fire's own forward
  return F::cat({expand1x1_activation(expand1x1(x)), expand3x3_activation(expand3x3(x))}, 1);
}

namespace {
std::shared_ptr<MaxPool2d> ceil_pool() {
  return make<MaxPool2d>(3, MaxPool2dOptions{.stride = 2, .ceil_mode = true});
}
}  // namespace

SqueezeNet::SqueezeNet(int64_t num_classes, double dropout)
    : features(register_module("features", std::make_shared<Sequential>(std::vector<std::shared_ptr<Module>>{
                                               make<Conv2d>(3, 96, 7, Conv2dOptions{.stride = 2}),
                                               make<ReLU>(true),
                                               ceil_pool(),
                                               make<Fire>(96, 16, 64, 64),
                                               make<Fire>(128, 16, 64, 64),
                                               make<Fire>(128, 32, 128, 128),
                                               ceil_pool(),
                                               make<Fire>(256, 32, 128, 128),
                                               make<Fire>(256, 48, 192, 192),
                                               make<Fire>(384, 48, 192, 192),
                                               make<Fire>(384, 64, 256, 256),
                                               ceil_pool(),
                                               make<Fire>(512, 64, 256, 256),
                                           }))),
      classifier(register_module("classifier", std::make_shared<Sequential>(std::vector<std::shared_ptr<Module>>{
                                                   make<Dropout>(dropout),
                                                   make<Conv2d>(512, num_classes, 1),
                                                   make<ReLU>(true),
                                                   make<AdaptiveAvgPool2d>(Size2{1, 1}),
                                               }))) {}

Tensor SqueezeNet::forward(const Tensor& x) {
  return F::flatten(classifier(features(x)), 1);  // torchvision: torch.flatten(x, 1)
}

std::shared_ptr<SqueezeNet> squeezenet1_0(int64_t num_classes) { return std::make_shared<SqueezeNet>(num_classes); }

}  // namespace modtrace::zoo
