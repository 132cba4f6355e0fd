#include "modtrace/zoo/googlenet.hpp"

#include "modtrace/functional.hpp"

namespace modtrace::zoo {

BasicConv2d::BasicConv2d(int64_t in, int64_t out, Size2 kernel, Size2 stride, Size2 padding)
    : conv(register_module<Conv2d>("conv", in, out, kernel,
                                   Conv2dOptions{.stride = stride, .padding = padding, .bias = false})),
      bn(register_module<BatchNorm2d>("bn", out, BatchNormOptions{.eps = 0.001})) {}

Tensor BasicConv2d::forward(const Tensor& x) {
  return F::relu(bn(conv(x)));  // torchvision: F.relu(x, inplace=True), in BasicConv2d's own forward
}

namespace {
std::shared_ptr<Sequential> sequence(std::vector<std::shared_ptr<Module>> modules) {
  return std::make_shared<Sequential>(modules);
}
}  // namespace

Inception::Inception(int64_t in, int64_t ch1x1, int64_t ch3x3red, int64_t ch3x3, int64_t ch5x5red, int64_t ch5x5,
                     int64_t pool_proj)
    : branch1(register_module<BasicConv2d>("branch1", in, ch1x1, 1)),
      branch2(register_module("branch2", sequence({make<BasicConv2d>(in, ch3x3red, 1),
                                                   make<BasicConv2d>(ch3x3red, ch3x3, 3, 1, 1)}))),
      // torchvision's "5x5" branch uses a 3x3 kernel (a known quirk kept for weight compatibility)
      branch3(register_module("branch3", sequence({make<BasicConv2d>(in, ch5x5red, 1),
                                                   make<BasicConv2d>(ch5x5red, ch5x5, 3, 1, 1)}))),
      branch4(register_module(
          "branch4", sequence({make<MaxPool2d>(3, MaxPool2dOptions{.stride = 1, .padding = 1, .ceil_mode = true}),
                               make<BasicConv2d>(in, pool_proj, 1)}))) {}

Tensor Inception::forward(const Tensor& x) {
  return F::cat({branch1(x), branch2(x), branch3(x), branch4(x)}, 1);  // torchvision: torch.cat(outputs, 1)
}

InceptionAux::InceptionAux(int64_t in, int64_t num_classes, double p)
    : conv(register_module<BasicConv2d>("conv", in, 128, 1)),
      fc1(register_module<Linear>("fc1", 2048, 1024)),
      fc2(register_module<Linear>("fc2", 1024, num_classes)),
      dropout(register_module<Dropout>("dropout", p)) {}

Tensor InceptionAux::forward(const Tensor& input) {
  Tensor x = F::adaptive_avg_pool2d(input, {4, 4});
  x = F::flatten(conv(x), 1);
  x = F::relu(fc1(x));
  return fc2(dropout(x));
}

namespace {
std::shared_ptr<MaxPool2d> ceil_pool(int64_t kernel) {
  return make<MaxPool2d>(kernel, MaxPool2dOptions{.stride = 2, .ceil_mode = true});
}
}  // namespace

GoogLeNet::GoogLeNet(int64_t num_classes, bool aux_logits, double p, double p_aux)
    : conv1(register_module<BasicConv2d>("conv1", 3, 64, 7, 2, 3)),
      maxpool1(register_module("maxpool1", ceil_pool(3))),
      conv2(register_module<BasicConv2d>("conv2", 64, 64, 1)),
      conv3(register_module<BasicConv2d>("conv3", 64, 192, 3, 1, 1)),
      maxpool2(register_module("maxpool2", ceil_pool(3))),
      inception3a(register_module<Inception>("inception3a", 192, 64, 96, 128, 16, 32, 32)),
      inception3b(register_module<Inception>("inception3b", 256, 128, 128, 192, 32, 96, 64)),
      maxpool3(register_module("maxpool3", ceil_pool(3))),
      inception4a(register_module<Inception>("inception4a", 480, 192, 96, 208, 16, 48, 64)),
      inception4b(register_module<Inception>("inception4b", 512, 160, 112, 224, 24, 64, 64)),
      inception4c(register_module<Inception>("inception4c", 512, 128, 128, 256, 24, 64, 64)),
      inception4d(register_module<Inception>("inception4d", 512, 112, 144, 288, 32, 64, 64)),
      inception4e(register_module<Inception>("inception4e", 528, 256, 160, 320, 32, 128, 128)),
      maxpool4(register_module("maxpool4", ceil_pool(2))),
      inception5a(register_module<Inception>("inception5a", 832, 256, 160, 320, 32, 128, 128)),
      inception5b(register_module<Inception>("inception5b", 832, 384, 192, 384, 48, 128, 128)),
      aux1(aux_logits ? &register_module<InceptionAux>("aux1", 512, num_classes, p_aux) : nullptr),
      aux2(aux_logits ? &register_module<InceptionAux>("aux2", 528, num_classes, p_aux) : nullptr),
      avgpool(register_module<AdaptiveAvgPool2d>("avgpool", Size2{1, 1})),
      dropout(register_module<Dropout>("dropout", p)),
      fc(register_module<Linear>("fc", 1024, num_classes)) {}

Tensors GoogLeNet::forward_many(const Tensors& inputs) {
  Tensor x = maxpool1(conv1(inputs[0]));
  x = maxpool2(conv3(conv2(x)));
  x = maxpool3(inception3b(inception3a(x)));
  x = inception4a(x);
  Tensor aux1_out, aux2_out;
  if (aux1 != nullptr && is_training()) aux1_out = (*aux1)(x);  // torchvision: only in training
  x = inception4d(inception4c(inception4b(x)));
  if (aux2 != nullptr && is_training()) aux2_out = (*aux2)(x);
  x = maxpool4(inception4e(x));
  x = inception5b(inception5a(x));
  x = F::flatten(avgpool(x), 1);  // torchvision: torch.flatten(x, 1)
  x = fc(dropout(x));
  if (is_training() && aux1 != nullptr) return {x, aux2_out, aux1_out};
  return {x};
}

std::shared_ptr<GoogLeNet> googlenet(int64_t num_classes) { return std::make_shared<GoogLeNet>(num_classes, true); }

}  // namespace modtrace::zoo
