// max_pool2d, avg_pool2d and adaptive_avg_pool2d: output sizes (including
// ceil_mode), padding and the average's divisor.

#include <cmath>
#include <limits>

#include "helpers.hpp"

using namespace modtrace;

namespace {
const Tensor grid = Tensor::arange(16).reshape({1, 1, 4, 4});
}

TEST_CASE("max_pool2d takes the largest value of each window") {
  const Tensor y = F::max_pool2d(grid, 2);
  CHECK(y.shape() == Shape{1, 1, 2, 2});
  CHECK(y.to_vector() == std::vector<float>{5, 7, 13, 15});
}

TEST_CASE("max_pool2d padding never wins over real values, even negative ones") {
  const Tensor y = F::max_pool2d(F::neg(grid), 3, 2, 1);
  CHECK(y.shape() == Shape{1, 1, 2, 2});
  CHECK(y.to_vector() == std::vector<float>{0, -1, -4, -5});
}

TEST_CASE("ceil_mode keeps a partial window at the end, floor mode drops it") {
  const Tensor x = Tensor::arange(25).reshape({1, 1, 5, 5});
  CHECK(F::max_pool2d(x, 2).shape() == Shape{1, 1, 2, 2});
  const Tensor ceil = F::max_pool2d(x, 2, std::nullopt, 0, 1, true);
  CHECK(ceil.shape() == Shape{1, 1, 3, 3});
  CHECK(ceil.at({0, 0, 2, 2}) == 24.0f);
}

TEST_CASE("ceil_mode does not start a window in the right padding (PyTorch's rule)") {
  // size 5, kernel 2, stride 2, padding 1: ceil gives 4 windows, but the 4th
  // would start at 6 >= 5 + 1, so PyTorch keeps 3.
  CHECK(F::max_pool2d(Tensor::ones({1, 1, 5, 5}), 2, 2, 1, 1, true).shape() == Shape{1, 1, 3, 3});
}

TEST_CASE("avg_pool2d counts padding in the divisor unless told not to") {
  const Tensor x = Tensor::ones({1, 1, 2, 2});
  CHECK(F::avg_pool2d(x, 2, 1, 1).at({0, 0, 0, 0}) == 0.25f);                              // 1 of 4 cells real
  CHECK(F::avg_pool2d(x, 2, 1, 1, false, false).at({0, 0, 0, 0}) == 1.0f);
  CHECK(F::avg_pool2d(grid, 2).to_vector() == std::vector<float>{2.5f, 4.5f, 10.5f, 12.5f});
}

TEST_CASE("adaptive_avg_pool2d to 1x1 is the global mean") {
  CHECK(F::adaptive_avg_pool2d(grid, 1).to_vector() == std::vector<float>{7.5f});
}

TEST_CASE("adaptive_avg_pool2d uses overlapping windows when sizes do not divide") {
  // 3 -> 2: windows [0, 2) and [1, 3) in each direction.
  const Tensor x = Tensor::arange(9).reshape({1, 1, 3, 3});
  CHECK(F::adaptive_avg_pool2d(x, 2).to_vector() == std::vector<float>{2, 3, 5, 6});
}

TEST_CASE("pooling errors say what is wrong with the window or input") {
  CHECK(test::error_of([] { F::max_pool2d(Tensor::ones({4, 4}), 2); }) ==
        "max_pool2d: expected a 3-D (C, H, W) or 4-D (N, C, H, W) input (got input [4, 4])");
  CHECK(test::error_of([] { F::max_pool2d(Tensor::ones({1, 1, 4, 4}), 2, 2, 2); }) ==
        "max_pool2d: padding 2x2 must be non-negative and at most half the kernel size 2x2 (got input [1, 1, 4, 4])");
  CHECK(test::error_of([] { F::max_pool2d(Tensor::ones({1, 1, 2, 2}), 3); }) ==
        "max_pool2d: input 2x2 is too small for kernel 3x3: output would be 0x0 (got input [1, 1, 2, 2])");
  CHECK(test::error_of([] { F::avg_pool2d(Tensor::ones({1, 1, 4, 4}), 0); }) ==
        "avg_pool2d: kernel_size must be positive, got 0x0 (got input [1, 1, 4, 4])");
  CHECK(test::error_of([] { F::adaptive_avg_pool2d(Tensor::ones({1, 1, 4, 4}), 0); }) ==
        "adaptive_avg_pool2d: output_size must be two positive sizes, got [0, 0] (got input [1, 1, 4, 4])");
}

TEST_CASE("1-D pooling and max_unpool2d say what is wrong") {
  const Tensor x = Tensor::ones({2, 3});
  CHECK(test::error_of([&] { F::max_pool1d(Tensor::ones({2, 3, 4, 5}), 2); }) ==
        "max_pool1d: expected a 2-D (C, L) or 3-D (N, C, L) input (got input [2, 3, 4, 5])");
  CHECK(test::error_of([&] { F::max_pool1d(Tensor::ones({1, 3, 2}), 3); }) ==
        "max_pool1d: input 2 is too small for kernel 3: output would be 0 (got input [1, 3, 2])");
  CHECK(test::error_of([&] { F::max_unpool2d(Tensor::ones({1, 1, 2, 2}), Tensor::ones({1, 1, 2, 1}), 2, std::nullopt, 0, 4); }) ==
        "max_unpool2d: indices must have the input's shape [1, 1, 2, 2] (got input [1, 1, 2, 2], indices [1, 1, 2, 1])");
  CHECK(test::error_of([&] { F::max_unpool2d(Tensor::ones({1, 1, 1, 1}), Tensor::full({1, 1, 1, 1}, 16), 2, std::nullopt, 0, 4); }) ==
        "max_unpool2d: found an invalid max index: 16 (output planes are 4x4) (got input [1, 1, 1, 1], indices [1, 1, 1, 1])");
}

TEST_CASE("max_pool2d's values equal those max_pool2d_with_indices finds, NaN and -inf included, for any window") {
  // Two loops compute them (values only: a row at a time; with indices: a
  // window at a time, aten's); every geometry here must agree exactly.
  Tensor x = Tensor::deterministic({2, 3, 9, 11});
  x.data()[5] = std::numeric_limits<float>::quiet_NaN();
  x.data()[40] = -std::numeric_limits<float>::infinity();
  x.data()[41] = -std::numeric_limits<float>::infinity();
  int checked = 0;
  for (int64_t k : {1, 2, 3, 4}) {
    for (int64_t stride : {1, 2, 3}) {
      for (int64_t pad = 0; pad <= k / 2; ++pad) {
        for (int64_t dilation : {1, 2}) {
          for (bool ceil : {false, true}) {
            INFO("kernel " << k << ", stride " << stride << ", padding " << pad << ", dilation " << dilation << ", ceil_mode " << ceil);
            const Tensor values = F::max_pool2d(x, k, stride, pad, dilation, ceil);
            const Tensor reference = F::max_pool2d_with_indices(x, k, stride, pad, dilation, ceil)[0];
            REQUIRE(values.shape() == reference.shape());
            const auto a = values.to_vector(), b = reference.to_vector();
            for (size_t i = 0; i < a.size(); ++i) {
              CAPTURE(i);
              REQUIRE((a[i] == b[i] || (std::isnan(a[i]) && std::isnan(b[i]))));
            }
            ++checked;
          }
        }
      }
    }
  }
  CHECK(checked == 96);
}
