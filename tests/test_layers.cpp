// Layers: PyTorch's parameter names and shapes, printed form, default
// initialisation, and forward equal to the functional op.

#include <cmath>

#include "helpers.hpp"

using namespace modtrace;

namespace {
std::vector<std::pair<std::string, Shape>> shapes(const Module& m) {
  std::vector<std::pair<std::string, Shape>> out;
  for (const auto& [k, t] : m.state_dict()) out.emplace_back(k, t.shape());
  return out;
}
using Shapes = std::vector<std::pair<std::string, Shape>>;
}  // namespace

TEST_CASE("Linear has weight [out, in] and bias [out]") {
  Linear fc(512, 10);
  CHECK(shapes(fc) == Shapes{{"weight", {10, 512}}, {"bias", {10}}});
  CHECK(shapes(Linear(4, 2, false)) == Shapes{{"weight", {2, 4}}});
  CHECK(fc.repr() == "Linear(in_features=512, out_features=10, bias=True)");
}

TEST_CASE("Conv2d has weight [out, in/groups, kh, kw] and prints like torchvision's") {
  Conv2d conv(3, 64, 7, {.stride = 2, .padding = 3, .bias = false});
  CHECK(shapes(conv) == Shapes{{"weight", {64, 3, 7, 7}}});
  CHECK(conv.repr() == "Conv2d(3, 64, kernel_size=(7, 7), stride=(2, 2), padding=(3, 3), bias=False)");
  Conv2d depthwise(32, 32, 3, {.padding = 1, .groups = 32});
  CHECK(shapes(depthwise) == Shapes{{"weight", {32, 1, 3, 3}}, {"bias", {32}}});
  CHECK(depthwise.repr() == "Conv2d(32, 32, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), groups=32)");
  CHECK(Conv2d(4, 8, {1, 7}, {.padding = {0, 3}}).repr() ==
        "Conv2d(4, 8, kernel_size=(1, 7), stride=(1, 1), padding=(0, 3))");
}

TEST_CASE("Conv2d rejects channel counts that groups do not divide") {
  CHECK(test::error_of([] { Conv2d(6, 8, 3, {.groups = 4}); }) == "Conv2d: in_channels 6 must be divisible by groups 4");
  CHECK(test::error_of([] { Conv2d(0, 8, 3); }) == "Conv2d: in_channels must be positive, got 0");
}

TEST_CASE("BatchNorm2d has torchvision's five state entries with PyTorch's initial values") {
  BatchNorm2d bn(3);
  CHECK(shapes(bn) == Shapes{{"weight", {3}}, {"bias", {3}}, {"running_mean", {3}}, {"running_var", {3}},
                             {"num_batches_tracked", {}}});
  CHECK(bn.weight.to_vector() == std::vector<float>{1, 1, 1});
  CHECK(bn.running_var.to_vector() == std::vector<float>{1, 1, 1});
  CHECK(bn.repr() == "BatchNorm2d(3, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)");
}

TEST_CASE("BatchNorm2d in training counts batches and updates running statistics") {
  BatchNorm2d bn(1);
  bn(Tensor({2, 1, 1, 1}, {1, 3}));
  CHECK(bn.num_batches_tracked.item() == 1.0f);
  CHECK(bn.running_mean.item() == doctest::Approx(0.2));
  bn.eval();
  bn(Tensor({2, 1, 1, 1}, {1, 3}));
  CHECK(bn.num_batches_tracked.item() == 1.0f);
}

TEST_CASE("BatchNorm2d wants 4-D input") {
  BatchNorm2d bn(3);
  CHECK(test::error_of([&] { bn(Tensor::ones({2, 3})); }) ==
        "in the root module (BatchNorm2d): BatchNorm2d: expected a 4-D input (N, C, H, W), got 2-D [2, 3]");
}

TEST_CASE("LayerNorm has weight and bias of the normalized shape") {
  LayerNorm ln({768}, 1e-6);
  CHECK(shapes(ln) == Shapes{{"weight", {768}}, {"bias", {768}}});
  CHECK(ln.repr() == "LayerNorm((768,), eps=1e-06, elementwise_affine=True)");
}

TEST_CASE("parameterless layers print their options") {
  CHECK(ReLU(true).repr() == "ReLU(inplace=True)");
  CHECK(ReLU().repr() == "ReLU()");
  CHECK(GELU().repr() == "GELU(approximate='none')");
  CHECK(Flatten().repr() == "Flatten(start_dim=1, end_dim=-1)");
  CHECK(Dropout(0.2).repr() == "Dropout(p=0.2, inplace=False)");
  CHECK(MaxPool2d(3, {.stride = 2, .padding = 1}).repr() ==
        "MaxPool2d(kernel_size=3, stride=2, padding=1, dilation=1, ceil_mode=False)");
  CHECK(AvgPool2d(2).repr() == "AvgPool2d(kernel_size=2, stride=2, padding=0)");
  CHECK(AdaptiveAvgPool2d({1, 1}).repr() == "AdaptiveAvgPool2d(output_size=(1, 1))");
  CHECK(Identity().repr() == "Identity()");
}

TEST_CASE("default weights are uniform within 1/sqrt(fan_in), as PyTorch draws them") {
  manual_seed(0);
  Conv2d conv(16, 8, 3);
  const double bound = 1.0 / std::sqrt(16.0 * 9.0);
  double largest = 0;
  for (float v : conv.weight.values()) largest = std::max(largest, static_cast<double>(std::abs(v)));
  CHECK(largest <= bound);
  CHECK(largest > 0.9 * bound);
}

TEST_CASE("each layer's forward is its functional op") {
  const Tensor x = Tensor::deterministic({1, 4, 6, 6}, "x");
  Conv2d conv(4, 2, 3, {.padding = 1});
  CHECK(equal(conv(x), F::conv2d(x, conv.weight, conv.bias, 1, 1)));
  CHECK(equal(MaxPool2d(2)(x), F::max_pool2d(x, 2)));
  CHECK(equal(AvgPool2d(3, {.stride = 1, .padding = 1, .count_include_pad = false})(x),
              F::avg_pool2d(x, 3, 1, 1, false, false)));
  CHECK(equal(AdaptiveAvgPool2d(1)(x), F::adaptive_avg_pool2d(x, 1)));
  CHECK(equal(Flatten()(x), F::flatten(x, 1)));
  CHECK(equal(ReLU6()(x), F::relu6(x)));
  CHECK(equal(SiLU()(x), F::silu(x)));
  CHECK(equal(Sigmoid()(x), F::sigmoid(x)));
  CHECK(equal(Hardswish()(x), F::hardswish(x)));
  CHECK(equal(Hardsigmoid()(x), F::hardsigmoid(x)));
  CHECK(equal(GELU("tanh")(x), F::gelu(x, "tanh")));
  CHECK(equal(Identity()(x), x));
  LayerNorm ln({6});
  CHECK(equal(ln(x), F::layer_norm(x, {6}, ln.weight, ln.bias)));
  Dropout dropout(0.5);
  dropout.eval();
  CHECK(equal(dropout(x), x));
}

TEST_CASE("invalid layer options are errors at construction") {
  CHECK(test::error_of([] { Dropout(2.0); }) == "Dropout: dropout probability has to be between 0 and 1, but got 2.0");
  CHECK(test::error_of([] { GELU("fast"); }) == "GELU: approximate must be 'none' or 'tanh', got 'fast'");
  CHECK(test::error_of([] { LayerNorm({}); }) == "LayerNorm: normalized_shape must not be empty");
  CHECK(test::error_of([] { Linear(0, 3); }) == "Linear: in_features must be positive, got 0");
}
