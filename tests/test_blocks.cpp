// torchvision.ops-style blocks: Conv2dNormActivation, LayerNorm2d, Permute,
// StochasticDepth, MLP.

#include "helpers.hpp"

using namespace modtrace;

namespace {
std::vector<std::string> child_types(const Module& m) {
  std::vector<std::string> out;
  for (const auto& [name, child] : m.named_children()) out.push_back(name + ":" + child->type_name());
  return out;
}
}  // namespace

TEST_CASE("Conv2dNormActivation is conv, norm, activation with torchvision's defaults") {
  Conv2dNormActivation block(16, 32, 3, {.stride = 2, .activation = Activation::relu6});
  CHECK(child_types(block) == std::vector<std::string>{"0:Conv2d", "1:BatchNorm2d", "2:ReLU6"});
  auto& conv = dynamic_cast<Conv2d&>(block[0]);
  CHECK(conv.options.padding == Size2(1));  // (kernel - 1) / 2
  CHECK_FALSE(conv.bias.defined());         // a norm follows, so no bias
  Conv2dNormActivation plain(3, 8, 4, {.stride = 4, .padding = Size2{0}, .norm = Norm::none, .activation = Activation::none});
  CHECK(child_types(plain) == std::vector<std::string>{"0:Conv2d"});
  CHECK(dynamic_cast<Conv2d&>(plain[0]).bias.defined());
}

TEST_CASE("LayerNorm2d normalises each pixel over its channels") {
  LayerNorm2d norm(3);
  const Tensor x = Tensor::deterministic({2, 3, 4, 5});
  const Tensor want = F::layer_norm(x.permute({0, 2, 3, 1}), {3}, norm.weight, norm.bias, 1e-6).permute({0, 3, 1, 2});
  CHECK(max_abs_diff(norm(x), want) == 0.0);
  const Tensor pixel = norm(x).select(3, 1).select(2, 2).select(0, 1);  // channels of one pixel
  CHECK(std::abs(pixel.mean().item()) < 1e-5);
  CHECK(norm.type_name() == "LayerNorm2d");
}

TEST_CASE("Permute reorders dimensions") {
  Permute to_nhwc({0, 2, 3, 1});
  CHECK(to_nhwc(Tensor::zeros({1, 3, 4, 5})).shape() == Shape{1, 4, 5, 3});
  CHECK(test::error_of([&] { to_nhwc(Tensor::zeros({3, 4})); }).find("permute: dims [0, 2, 3, 1] has 4 entries") !=
        std::string::npos);
}

TEST_CASE("StochasticDepth is the identity in eval and checks its settings") {
  StochasticDepth sd(0.5, "row");
  sd.eval();
  const Tensor x = Tensor::deterministic({4, 3});
  CHECK(equal(sd(x), x));
  CHECK(sd.repr() == "StochasticDepth(p=0.5, mode=row)");
  CHECK(test::error_of([] { StochasticDepth(1.5, "row"); }).rfind("StochasticDepth: drop probability has to be", 0) == 0);
  CHECK(test::error_of([] { StochasticDepth(0.1, "col"); }) ==
        "StochasticDepth: mode has to be either 'batch' or 'row', but got 'col'");
}

TEST_CASE("MLP stacks Linear, activation and Dropout as torchvision names them") {
  MLP mlp(8, {16, 4}, Activation::gelu, 0.1);
  CHECK(child_types(mlp) == std::vector<std::string>{"0:Linear", "1:GELU", "2:Dropout", "3:Linear", "4:Dropout"});
  mlp.eval();
  CHECK(mlp(Tensor::ones({2, 8})).shape() == Shape{2, 4});
  CHECK(test::error_of([] { MLP(8, {}); }) == "MLP: hidden_channels must not be empty");
}
