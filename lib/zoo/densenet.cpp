#include "modtrace/zoo/densenet.hpp"

#include "modtrace/functional.hpp"

namespace modtrace::zoo {

DenseLayer::DenseLayer(int64_t in, int64_t growth_rate, int64_t bn_size, double drop)
    : norm1(register_module<BatchNorm2d>("norm1", in)),
      relu1(register_module<ReLU>("relu1", true)),
      conv1(register_module<Conv2d>("conv1", in, bn_size * growth_rate, 1, Conv2dOptions{.bias = false})),
      norm2(register_module<BatchNorm2d>("norm2", bn_size * growth_rate)),
      relu2(register_module<ReLU>("relu2", true)),
      conv2(register_module<Conv2d>("conv2", bn_size * growth_rate, growth_rate, 3,
                                    Conv2dOptions{.padding = 1, .bias = false})),
      drop_rate(drop) {}

Tensor DenseLayer::forward(const Tensor& input) { return forward_tuple({input}).at(0); }

Tensors DenseLayer::forward_tuple(const Tensors& previous_features) {
  if (previous_features.empty()) throw Error("_DenseLayer.forward: the list of feature maps is empty");
  // torchvision's bn_function: torch.cat(inputs, 1) in the layer's own code
  const Tensor concatenated = F::cat(previous_features, 1);
  const Tensor bottleneck = conv1(relu1(norm1(concatenated)));
  Tensor new_features = conv2(relu2(norm2(bottleneck)));
  if (drop_rate > 0) new_features = F::dropout(new_features, drop_rate, is_training());
  return {new_features};
}

DenseBlock::DenseBlock(int num_layers, int64_t in, int64_t bn_size, int64_t growth_rate, double drop_rate) {
  for (int i = 0; i < num_layers; ++i) {
    insert("denselayer" + std::to_string(i + 1), make<DenseLayer>(in + i * growth_rate, growth_rate, bn_size, drop_rate));
  }
}

Tensor DenseBlock::forward(const Tensor& init_features) {
  Tensors features = {init_features};
  // torchvision: new_features = layer(features), the list as one argument.
  for (const auto& [name, layer] : registered_children()) features.push_back(layer->call_with_tuple(features).at(0));
  return F::cat(features, 1);  // torchvision: torch.cat(features, 1)
}

Transition::Transition(int64_t in, int64_t out) {
  add("norm", make<BatchNorm2d>(in));
  add("relu", make<ReLU>(true));
  add("conv", make<Conv2d>(in, out, 1, Conv2dOptions{.bias = false}));
  add("pool", make<AvgPool2d>(2, AvgPool2dOptions{.stride = 2}));
}

namespace {

std::shared_ptr<Sequential> densenet_features(int64_t growth_rate, std::array<int, 4> block_config,
                                              int64_t num_init_features, int64_t bn_size, double drop_rate,
                                              int64_t& num_features) {
  auto features = std::make_shared<Sequential>(std::vector<std::pair<std::string, std::shared_ptr<Module>>>{
      {"conv0", make<Conv2d>(3, num_init_features, 7, Conv2dOptions{.stride = 2, .padding = 3, .bias = false})},
      {"norm0", make<BatchNorm2d>(num_init_features)},
      {"relu0", make<ReLU>(true)},
      {"pool0", make<MaxPool2d>(3, MaxPool2dOptions{.stride = 2, .padding = 1})},
  });
  num_features = num_init_features;
  for (size_t i = 0; i < block_config.size(); ++i) {
    features->add("denseblock" + std::to_string(i + 1),
                  make<DenseBlock>(block_config[i], num_features, bn_size, growth_rate, drop_rate));
    num_features += block_config[i] * growth_rate;
    if (i + 1 != block_config.size()) {
      features->add("transition" + std::to_string(i + 1), make<Transition>(num_features, num_features / 2));
      num_features /= 2;
    }
  }
  features->add("norm5", make<BatchNorm2d>(num_features));
  return features;
}

}  // namespace

DenseNet::DenseNet(int64_t growth_rate, std::array<int, 4> block_config, int64_t num_init_features, int64_t bn_size,
                   double drop_rate, int64_t num_classes)
    : features(register_module("features", densenet_features(growth_rate, block_config, num_init_features, bn_size,
                                                             drop_rate, num_features_))),
      classifier(register_module<Linear>("classifier", num_features_, num_classes)) {}

Tensor DenseNet::forward(const Tensor& x) {
  Tensor out = F::relu(features(x));           // torchvision: F.relu(features, inplace=True)
  out = F::adaptive_avg_pool2d(out, {1, 1});   // torchvision: F.adaptive_avg_pool2d(out, (1, 1))
  out = F::flatten(out, 1);                    // torchvision: torch.flatten(out, 1)
  return classifier(out);
}

std::shared_ptr<DenseNet> densenet121(int64_t num_classes) {
  return std::make_shared<DenseNet>(32, std::array<int, 4>{6, 12, 24, 16}, 64, 4, 0.0, num_classes);
}

}  // namespace modtrace::zoo
