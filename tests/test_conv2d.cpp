// conv2d: hand-computed values for the geometry rules, depthwise convolutions
// against a channel's own convolution, and every shape error.

#include <cmath>

#include "helpers.hpp"

using namespace modtrace;

TEST_CASE("a 2x2 kernel of ones sums each window") {
  const Tensor x = Tensor::arange(9).reshape({1, 1, 3, 3});
  const Tensor y = F::conv2d(x, Tensor::ones({1, 1, 2, 2}));
  CHECK(y.shape() == Shape{1, 1, 2, 2});
  CHECK(y.to_vector() == std::vector<float>{8, 12, 20, 24});  // 0+1+3+4, 1+2+4+5, …
}

TEST_CASE("padding adds zeros around the input and bias is added per output channel") {
  const Tensor x = Tensor::ones({1, 1, 2, 2});
  const Tensor y = F::conv2d(x, Tensor::ones({2, 1, 3, 3}), Tensor({2}, {0, 100}), 1, 1);
  CHECK(y.shape() == Shape{1, 2, 2, 2});
  CHECK(y.to_vector() == std::vector<float>{4, 4, 4, 4, 104, 104, 104, 104});
}

TEST_CASE("stride skips windows and dilation spreads the kernel") {
  const Tensor x = Tensor::arange(25).reshape({1, 1, 5, 5});
  CHECK(F::conv2d(x, Tensor::ones({1, 1, 1, 1}), {}, 2).to_vector() ==
        std::vector<float>{0, 2, 4, 10, 12, 14, 20, 22, 24});
  // A 2x2 kernel with dilation 2 reads x[0,0], x[0,2], x[2,0], x[2,2] for the first output.
  const Tensor d = F::conv2d(x, Tensor::ones({1, 1, 2, 2}), {}, 1, 0, 2);
  CHECK(d.shape() == Shape{1, 1, 3, 3});
  CHECK(d.at({0, 0, 0, 0}) == 0 + 2 + 10 + 12);
}

TEST_CASE("groups split channels: each group sees only its own inputs") {
  // Input channel 0 is ones, channel 1 is twos; with groups 2 output c reads input c only.
  const Tensor x = F::cat({Tensor::ones({1, 1, 2, 2}), Tensor::full({1, 1, 2, 2}, 2)}, 1);
  const Tensor y = F::conv2d(x, Tensor::ones({2, 1, 1, 1}), {}, 1, 0, 1, 2);
  CHECK(y.to_vector() == std::vector<float>{1, 1, 1, 1, 2, 2, 2, 2});
  // Without groups every output channel sums both inputs.
  const Tensor z = F::conv2d(x, Tensor::ones({2, 2, 1, 1}));
  CHECK(z.to_vector() == std::vector<float>{3, 3, 3, 3, 3, 3, 3, 3});
}

namespace {

// One depthwise convolution (in_channels == groups), for the table below.
struct DepthwiseCase {
  const char* what;
  Shape input;
  int64_t multiplier, kernel_h, kernel_w;
  Size2 stride, padding, dilation;
  bool bias;
};

// The depthwise kernel's paths: stride 1 (a plain copy of each row), 2 (a
// stride-2 gather) and 3; rows split by phase as well as columns; padding
// larger than the kernel's reach and a last window short of the edge; rows
// narrower than a vector and wider than four; dilation; non-square kernels;
// a channel multiplier (the input plane reused); no bias.
const DepthwiseCase kDepthwise[] = {
    {"3x3, padding 1, batch 2", {2, 4, 6, 6}, 1, 3, 3, 1, 1, 1, true},
    {"3x3, stride 2 (MobileNetV2's downsampling)", {1, 6, 17, 17}, 1, 3, 3, 2, 1, 1, true},
    {"7x7, padding 3 (ConvNeXt's)", {1, 3, 20, 20}, 1, 7, 7, 1, 3, 1, true},
    {"5x5, stride 3, a last window short of the edge", {1, 5, 14, 13}, 1, 5, 5, 3, 0, 1, false},
    {"rows of 3 outputs, narrower than a vector", {2, 3, 5, 5}, 1, 3, 3, 1, 0, 1, true},
    {"rows of 37 outputs, wider than four vectors", {1, 2, 9, 37}, 1, 3, 3, 1, 1, 1, true},
    {"dilation 2 with stride 2", {1, 4, 15, 15}, 1, 3, 3, 2, 2, 2, true},
    {"1x5 with stride 1x2 and padding 0x2", {1, 3, 6, 19}, 1, 1, 5, {1, 2}, {0, 2}, 1, true},
    {"padding 2 with a 2x2 kernel", {1, 2, 4, 4}, 1, 2, 2, 1, 2, 1, true},
    {"channel multiplier 3", {2, 4, 8, 8}, 3, 3, 3, 1, 1, 1, true},
};

}  // namespace

TEST_CASE("a depthwise convolution gives each channel what a convolution of that channel alone gives") {
  for (const DepthwiseCase& c : kDepthwise) {
    INFO(c.what);
    const int64_t channels = c.input[1];
    const int64_t out_channels = channels * c.multiplier;
    const Tensor x = Tensor::deterministic(c.input, "x");
    const Tensor w = Tensor::deterministic({out_channels, 1, c.kernel_h, c.kernel_w}, "w");
    const Tensor b = c.bias ? Tensor::deterministic({out_channels}, "b") : Tensor();
    const Tensor depthwise = F::conv2d(x, w, b, c.stride, c.padding, c.dilation, channels);
    // Output channel o reads input channel o / multiplier: a groups=1 convolution of that channel.
    for (int64_t o = 0; o < out_channels; ++o) {
      INFO("output channel " << o);
      const Tensor single = F::conv2d(F::narrow(x, 1, o / c.multiplier, 1), F::narrow(w, 0, o, 1),
                                      c.bias ? F::narrow(b, 0, o, 1) : Tensor(), c.stride, c.padding, c.dilation);
      REQUIRE(F::narrow(depthwise, 1, o, 1).shape() == single.shape());
      CHECK(max_abs_diff(F::narrow(depthwise, 1, o, 1), single) < 1e-5);
    }
  }
}

TEST_CASE("a NaN in a depthwise convolution's input reaches only the outputs whose window covers it") {
  // Rows of 5 outputs are computed with spare lanes that read past their
  // row: those must never leak into an output.
  std::vector<float> values(2 * 7 * 7, 1.0f);
  values[7 * 7 + 3 * 7 + 6] = std::nanf("");  // channel 1, row 3, last column
  const Tensor x = Tensor({1, 2, 7, 7}, values);
  const Tensor y = F::conv2d(x, Tensor::ones({2, 1, 3, 3}), {}, 1, 0, 1, 2);
  REQUIRE(y.shape() == Shape{1, 2, 5, 5});
  for (int64_t c = 0; c < 2; ++c) {
    for (int64_t i = 0; i < 5; ++i) {
      for (int64_t j = 0; j < 5; ++j) {
        const bool covers = c == 1 && i >= 1 && i <= 3 && j == 4;  // windows over row 3, column 6
        INFO("output " << c << ", " << i << ", " << j);
        CHECK(std::isnan(y.at({0, c, i, j})) == covers);
        if (!covers) CHECK(y.at({0, c, i, j}) == 9.0f);
      }
    }
  }
}

TEST_CASE("an unbatched (C, H, W) input gives an unbatched output") {
  const Tensor y = F::conv2d(Tensor::ones({3, 4, 4}), Tensor::ones({2, 3, 3, 3}));
  CHECK(y.shape() == Shape{2, 2, 2});
  CHECK(y.at({1, 1, 1}) == 27.0f);
}

TEST_CASE("conv2d errors name the mismatch, the shapes and what was expected") {
  const Tensor w = Tensor::ones({8, 4, 3, 3});
  CHECK(test::error_of([&] { F::conv2d(Tensor::ones({1, 3, 8, 8}), w); }) ==
        "conv2d: input has 3 channels, expected 4 = weight's in_channels/groups 4 x groups 1 (got input [1, 3, 8, 8], "
        "weight [8, 4, 3, 3])");
  CHECK(test::error_of([&] { F::conv2d(Tensor::ones({8, 8}), w); }) ==
        "conv2d: expected a 3-D (C, H, W) or 4-D (N, C, H, W) input (got input [8, 8], weight [8, 4, 3, 3])");
  CHECK(test::error_of([&] { F::conv2d(Tensor::ones({1, 4, 2, 2}), w); }) ==
        "conv2d: padded input 2x2 is smaller than the (dilated) kernel 3x3 (got input [1, 4, 2, 2], weight [8, 4, 3, "
        "3])");
  CHECK(test::error_of([&] { F::conv2d(Tensor::ones({1, 4, 8, 8}), Tensor::ones({8, 4, 3})); }) ==
        "conv2d: weight must be 4-D [out_channels, in_channels / groups, kH, kW] (got input [1, 4, 8, 8], weight [8, "
        "4, 3])");
  CHECK(test::error_of([&] { F::conv2d(Tensor::ones({1, 4, 8, 8}), w, Tensor::ones({4})); }) ==
        "conv2d: bias must have shape [8] = [out_channels] (got input [1, 4, 8, 8], weight [8, 4, 3, 3], bias [4])");
  CHECK(test::error_of([&] { F::conv2d(Tensor::ones({1, 4, 8, 8}), w, {}, 0); }) ==
        "conv2d: stride must be positive, got 0x0 (got input [1, 4, 8, 8], weight [8, 4, 3, 3])");
  CHECK(test::error_of([&] { F::conv2d(Tensor::ones({1, 6, 8, 8}), Tensor::ones({8, 2, 3, 3}), {}, 1, 0, 1, 4); }) ==
        "conv2d: groups 4 must divide in_channels 6 and out_channels 8 (got input [1, 6, 8, 8], weight [8, 2, 3, 3])");
}

TEST_CASE("conv1d and conv_transpose2d say what is wrong") {
  const Tensor x = Tensor::ones({2, 3});
  CHECK(test::error_of([&] { F::conv1d(Tensor::ones({1, 2, 5}), Tensor::ones({3, 2, 3, 3})); }) ==
        "conv1d: weight must be 3-D [out_channels, in_channels / groups, kL] (got input [1, 2, 5], weight [3, 2, 3, 3])");
  CHECK(test::error_of([&] { F::conv1d(Tensor::ones({1, 2, 2}), Tensor::ones({3, 2, 3})); }) ==
        "conv1d: padded input length 2 is shorter than the (dilated) kernel 3 (got input [1, 2, 2], weight [3, 2, 3])");
  CHECK(test::error_of([&] { F::conv1d(Tensor::ones({1, 4, 5}), Tensor::ones({3, 2, 3})); }) ==
        "conv1d: input has 4 channels, expected 2 = weight's in_channels/groups 2 x groups 1 (got input [1, 4, 5], weight [3, 2, 3])");
  CHECK(test::error_of([&] { F::conv_transpose2d(Tensor::ones({1, 2, 3, 3}), Tensor::ones({3, 2, 3, 3})); }) ==
        "conv_transpose2d: input has 2 channels, expected 3 = weight's in_channels (its first dimension) (got input [1, 2, 3, 3], weight [3, 2, 3, 3])");
  CHECK(test::error_of([&] { F::conv_transpose2d(Tensor::ones({1, 2, 3, 3}), Tensor::ones({2, 2, 3, 3}), {}, 1, 0, 1); }) ==
        "conv_transpose2d: output_padding 1x1 must be smaller than either stride or dilation, in each dimension (got input [1, 2, 3, 3], weight [2, 2, 3, 3])");
}
