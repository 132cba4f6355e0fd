// sum and mean.

#include <cmath>

#include "helpers.hpp"

using namespace modtrace;

namespace {
const Tensor six = Tensor::arange(6).reshape({2, 3});  // [[0, 1, 2], [3, 4, 5]]
}

TEST_CASE("sum and mean over everything give a scalar") {
  CHECK(F::sum(six).dim() == 0);
  CHECK(F::sum(six).item() == 15.0f);
  CHECK(F::mean(six).item() == 2.5f);
}

TEST_CASE("reducing one dimension removes it unless keepdim") {
  CHECK(six.sum({0}).to_vector() == std::vector<float>{3, 5, 7});
  CHECK(six.sum({1}).to_vector() == std::vector<float>{3, 12});
  CHECK(six.mean({-1}, true).shape() == Shape{2, 1});
  CHECK(six.mean({-1}, true).to_vector() == std::vector<float>{1, 4});
}

TEST_CASE("mean over the spatial dimensions is global average pooling") {
  const Tensor x = Tensor::deterministic({2, 3, 5, 7}, "x");
  CHECK(max_abs_diff(x.mean({2, 3}), F::flatten(F::adaptive_avg_pool2d(x, 1), 1)) < 1e-6);
}

TEST_CASE("a mean over an empty dimension is NaN, as in PyTorch") {
  CHECK(std::isnan(F::mean(Tensor::zeros({0, 2})).item()));
}

TEST_CASE("reduction dims must exist and appear once") {
  CHECK(test::error_of([] { six.sum({2}); }) == "sum: dimension 2 out of range for a 2-d tensor (expected in [-2, 1])");
  CHECK(test::error_of([] { six.mean({1, -1}); }) ==
        "mean: dim -1 appears more than once in [1, -1] (got input [2, 3])");
}

TEST_CASE("cumsum, argmax, topk and sort say what is wrong") {
  const Tensor x = Tensor::ones({2, 3});
  CHECK(test::error_of([&] { F::cumsum(x, 2); }) ==
        "cumsum: dimension 2 out of range for a 2-d tensor (expected in [-2, 1])");
  CHECK(test::error_of([&] { F::argmax(Tensor::ones({0})); }) ==
        "argmax: cannot take the argmax of an empty tensor (got input [0])");
  CHECK(test::error_of([&] { F::topk(x, 4); }) ==
        "topk: k 4 is out of range for dimension 1 of size 3 (got input [2, 3])");
  CHECK(test::error_of([&] { F::sort(x, 3); }) ==
        "sort: dimension 3 out of range for a 2-d tensor (expected in [-2, 1])");
}
