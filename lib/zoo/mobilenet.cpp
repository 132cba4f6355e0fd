#include "modtrace/zoo/mobilenet.hpp"

#include <cmath>

#include "modtrace/functional.hpp"

namespace modtrace::zoo {
namespace {

std::shared_ptr<Sequential> inverted_residual_layers(int64_t inp, int64_t oup, int64_t stride, int64_t expand_ratio) {
  if (stride != 1 && stride != 2) throw Error("InvertedResidual: stride should be 1 or 2 instead of " + std::to_string(stride));
  const int64_t hidden = inp * expand_ratio;
  auto layers = std::make_shared<Sequential>();
  if (expand_ratio != 1) {
    layers->push_back(make<Conv2dNormActivation>(inp, hidden, 1, Conv2dNormActivationOptions{.activation = Activation::relu6}));
  }
  layers->push_back(make<Conv2dNormActivation>(
      hidden, hidden, 3, Conv2dNormActivationOptions{.stride = stride, .groups = hidden, .activation = Activation::relu6}));
  layers->push_back(make<Conv2d>(hidden, oup, 1, Conv2dOptions{.bias = false}));
  layers->push_back(make<BatchNorm2d>(oup));
  return layers;
}

}  // namespace

InvertedResidual::InvertedResidual(int64_t inp, int64_t oup, int64_t stride, int64_t expand_ratio)
    : conv(register_module("conv", inverted_residual_layers(inp, oup, stride, expand_ratio))),
      use_res_connect(stride == 1 && inp == oup) {}

Tensor InvertedResidual::forward(const Tensor& x) {
  if (use_res_connect) return x + conv(x);  // torchvision: x + self.conv(x), in the block's own forward
  return conv(x);
}

namespace {

std::shared_ptr<Sequential> mobilenet_features() {
  struct Stage {
    int64_t expand, channels, repeats, stride;
  };
  const Stage settings[] = {{1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2},
                            {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}};
  auto features = std::make_shared<Sequential>();
  features->push_back(
      make<Conv2dNormActivation>(3, 32, 3, Conv2dNormActivationOptions{.stride = 2, .activation = Activation::relu6}));
  int64_t input_channel = 32;
  for (const Stage& s : settings) {
    for (int64_t i = 0; i < s.repeats; ++i) {
      features->push_back(make<InvertedResidual>(input_channel, s.channels, i == 0 ? s.stride : 1, s.expand));
      input_channel = s.channels;
    }
  }
  features->push_back(
      make<Conv2dNormActivation>(input_channel, 1280, 1, Conv2dNormActivationOptions{.activation = Activation::relu6}));
  return features;
}

}  // namespace

MobileNetV2::MobileNetV2(int64_t num_classes, double dropout)
    : features(register_module("features", mobilenet_features())),
      classifier(register_module("classifier", std::make_shared<Sequential>(std::vector<std::shared_ptr<Module>>{
                                                   make<Dropout>(dropout), make<Linear>(1280, num_classes)}))) {}

Tensor MobileNetV2::forward(const Tensor& x) {
  Tensor y = features(x);
  y = F::adaptive_avg_pool2d(y, {1, 1});  // torchvision: nn.functional.adaptive_avg_pool2d(x, (1, 1))
  y = F::flatten(y, 1);                   // torchvision: torch.flatten(x, 1)
  return classifier(y);
}

std::shared_ptr<MobileNetV2> mobilenet_v2(int64_t num_classes) { return std::make_shared<MobileNetV2>(num_classes); }

}  // namespace modtrace::zoo
