#include "modtrace/zoo/convnext.hpp"

#include "modtrace/functional.hpp"

namespace modtrace::zoo {

CNBlock::CNBlock(int64_t dim, double scale, double stochastic_depth_prob)
    : block(register_module("block", std::make_shared<Sequential>(std::vector<std::shared_ptr<Module>>{
                                         make<Conv2d>(dim, dim, 7, Conv2dOptions{.padding = 3, .groups = dim}),
                                         make<Permute>(std::vector<int64_t>{0, 2, 3, 1}),
                                         make<LayerNorm>(Shape{dim}, 1e-6),
                                         make<Linear>(dim, 4 * dim),
                                         make<GELU>(),
                                         make<Linear>(4 * dim, dim),
                                         make<Permute>(std::vector<int64_t>{0, 3, 1, 2}),
                                     }))),
      layer_scale(register_parameter("layer_scale", Tensor::full({dim, 1, 1}, static_cast<float>(scale)))),
      stochastic_depth(register_module<StochasticDepth>("stochastic_depth", stochastic_depth_prob, "row")) {}

Tensor CNBlock::forward(const Tensor& input) {
  Tensor result = layer_scale * block(input);  // torchvision: self.layer_scale * self.block(input)
  result = stochastic_depth(result);
  return result + input;  // torchvision: result += input
}

namespace {

std::shared_ptr<Sequential> convnext_features(const std::vector<CNBlockConfig>& setting, double sd_prob,
                                              double layer_scale) {
  auto layers = std::make_shared<Sequential>();
  layers->push_back(make<Conv2dNormActivation>(
      3, setting.front().input_channels, 4,
      Conv2dNormActivationOptions{.stride = 4, .padding = Size2{0}, .norm = Norm::layer_norm_2d, .norm_eps = 1e-6,
                                  .activation = Activation::none, .bias = true}));
  int total = 0;
  for (const auto& c : setting) total += c.num_layers;
  int block_id = 0;
  for (const auto& c : setting) {
    auto stage = std::make_shared<Sequential>();
    for (int i = 0; i < c.num_layers; ++i) {
      const double p = sd_prob * block_id / (total - 1.0);
      stage->push_back(make<CNBlock>(c.input_channels, layer_scale, p));
      ++block_id;
    }
    layers->push_back(stage);
    if (c.out_channels > 0) {
      layers->push_back(std::make_shared<Sequential>(std::vector<std::shared_ptr<Module>>{
          make<LayerNorm2d>(c.input_channels, 1e-6),
          make<Conv2d>(c.input_channels, c.out_channels, 2, Conv2dOptions{.stride = 2})}));
    }
  }
  return layers;
}

int64_t last_channels(const std::vector<CNBlockConfig>& setting) {
  if (setting.empty()) throw Error("ConvNeXt: the block_setting should not be empty");
  return setting.back().out_channels > 0 ? setting.back().out_channels : setting.back().input_channels;
}

}  // namespace

ConvNeXt::ConvNeXt(const std::vector<CNBlockConfig>& setting, double sd_prob, double layer_scale, int64_t num_classes)
    : features(register_module("features", convnext_features(setting, sd_prob, layer_scale))),
      avgpool(register_module<AdaptiveAvgPool2d>("avgpool", 1)),
      classifier(register_module("classifier", std::make_shared<Sequential>(std::vector<std::shared_ptr<Module>>{
                                                   make<LayerNorm2d>(last_channels(setting), 1e-6),
                                                   make<Flatten>(1),
                                                   make<Linear>(last_channels(setting), num_classes)}))) {}

Tensor ConvNeXt::forward(const Tensor& x) { return classifier(avgpool(features(x))); }

std::shared_ptr<ConvNeXt> convnext_tiny(int64_t num_classes) {
  return std::make_shared<ConvNeXt>(
      std::vector<CNBlockConfig>{{96, 192, 3}, {192, 384, 3}, {384, 768, 9}, {768, 0, 3}}, 0.1, 1e-6, num_classes);
}

}  // namespace modtrace::zoo
