#include "modtrace/zoo/resnet.hpp"

#include "modtrace/functional.hpp"

namespace modtrace::zoo {
namespace {

std::shared_ptr<Conv2d> conv3x3(int64_t in, int64_t out, int64_t stride = 1) {
  return make<Conv2d>(in, out, 3, Conv2dOptions{.stride = stride, .padding = 1, .bias = false});
}

std::shared_ptr<Conv2d> conv1x1(int64_t in, int64_t out, int64_t stride = 1) {
  return make<Conv2d>(in, out, 1, Conv2dOptions{.stride = stride, .bias = false});
}

}  // namespace

// torchvision registers `downsample` after the other layers (and not at all when None).
BasicBlock::BasicBlock(int64_t inplanes, int64_t planes, int64_t stride, std::shared_ptr<Module> down)
    : conv1(register_module("conv1", conv3x3(inplanes, planes, stride))),
      bn1(register_module<BatchNorm2d>("bn1", planes)),
      relu(register_module<ReLU>("relu", true)),
      conv2(register_module("conv2", conv3x3(planes, planes))),
      bn2(register_module<BatchNorm2d>("bn2", planes)),
      downsample(down ? &register_module("downsample", down) : nullptr) {}

Tensor BasicBlock::forward(const Tensor& x) {
  Tensor out = relu(bn1(conv1(x)));
  out = bn2(conv2(out));
  const Tensor identity = downsample ? (*downsample)(x) : x;
  out = out + identity;  // torchvision: out += identity
  return relu(out);
}

Bottleneck::Bottleneck(int64_t inplanes, int64_t planes, int64_t stride, std::shared_ptr<Module> down)
    : conv1(register_module("conv1", conv1x1(inplanes, planes))),
      bn1(register_module<BatchNorm2d>("bn1", planes)),
      conv2(register_module("conv2", conv3x3(planes, planes, stride))),
      bn2(register_module<BatchNorm2d>("bn2", planes)),
      conv3(register_module("conv3", conv1x1(planes, planes * expansion))),
      bn3(register_module<BatchNorm2d>("bn3", planes * expansion)),
      relu(register_module<ReLU>("relu", true)),
      downsample(down ? &register_module("downsample", down) : nullptr) {}

Tensor Bottleneck::forward(const Tensor& x) {
  Tensor out = relu(bn1(conv1(x)));
  out = relu(bn2(conv2(out)));
  out = bn3(conv3(out));
  const Tensor identity = downsample ? (*downsample)(x) : x;
  out = out + identity;  // torchvision: out += identity
  return relu(out);
}

ResNet::ResNet(Block block, std::array<int, 4> layers, int64_t num_classes)
    : conv1(register_module<Conv2d>("conv1", 3, 64, 7, Conv2dOptions{.stride = 2, .padding = 3, .bias = false})),
      bn1(register_module<BatchNorm2d>("bn1", 64)),
      relu(register_module<ReLU>("relu", true)),
      maxpool(register_module<MaxPool2d>("maxpool", 3, MaxPool2dOptions{.stride = 2, .padding = 1})),
      layer1(register_module("layer1", make_layer(block, 64, layers[0], 1))),
      layer2(register_module("layer2", make_layer(block, 128, layers[1], 2))),
      layer3(register_module("layer3", make_layer(block, 256, layers[2], 2))),
      layer4(register_module("layer4", make_layer(block, 512, layers[3], 2))),
      avgpool(register_module<AdaptiveAvgPool2d>("avgpool", Size2{1, 1})),
      fc(register_module<Linear>("fc", 512 * (block == Block::basic ? BasicBlock::expansion : Bottleneck::expansion),
                                 num_classes)) {}

std::shared_ptr<Sequential> ResNet::make_layer(Block block, int64_t planes, int blocks, int64_t stride) {
  const int64_t expansion = block == Block::basic ? BasicBlock::expansion : Bottleneck::expansion;
  std::shared_ptr<Module> downsample;
  if (stride != 1 || inplanes_ != planes * expansion) {
    downsample = std::make_shared<Sequential>(std::vector<std::shared_ptr<Module>>{
        conv1x1(inplanes_, planes * expansion, stride), make<BatchNorm2d>(planes * expansion)});
  }
  auto layer = std::make_shared<Sequential>();
  auto add_block = [&](int64_t inplanes, int64_t block_stride, std::shared_ptr<Module> down) {
    if (block == Block::basic) layer->push_back(make<BasicBlock>(inplanes, planes, block_stride, down));
    else layer->push_back(make<Bottleneck>(inplanes, planes, block_stride, down));
  };
  add_block(inplanes_, stride, downsample);
  inplanes_ = planes * expansion;
  for (int i = 1; i < blocks; ++i) add_block(inplanes_, 1, nullptr);
  return layer;
}

Tensor ResNet::forward(const Tensor& input) {
  Tensor x = maxpool(relu(bn1(conv1(input))));
  x = layer4(layer3(layer2(layer1(x))));
  x = avgpool(x);
  x = F::flatten(x, 1);  // torchvision: torch.flatten(x, 1), in ResNet's own forward
  return fc(x);
}

std::shared_ptr<ResNet> resnet18(int64_t num_classes) {
  return std::make_shared<ResNet>(ResNet::Block::basic, std::array<int, 4>{2, 2, 2, 2}, num_classes);
}

std::shared_ptr<ResNet> resnet50(int64_t num_classes) {
  return std::make_shared<ResNet>(ResNet::Block::bottleneck, std::array<int, 4>{3, 4, 6, 3}, num_classes);
}

}  // namespace modtrace::zoo
