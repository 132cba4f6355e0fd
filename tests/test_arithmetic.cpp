// add, sub, mul, div with broadcasting and scalars; the Tensor operators.

#include <cmath>

#include "helpers.hpp"

using namespace modtrace;

TEST_CASE("the seed arithmetic: (1 * 2 * 3 + 3) * 2 is 18") {
  const Tensor x = Tensor::ones({2, 2});
  CHECK(equal(((x * 2) * 3 + 3) * 2, Tensor::full({2, 2}, 18.0f)));
}

TEST_CASE("a column broadcasts across rows and a row across columns") {
  const Tensor column({2, 1}, {10, 20});
  const Tensor row({3}, {1, 2, 3});
  const Tensor sum = column + row;
  CHECK(sum.shape() == Shape{2, 3});
  CHECK(sum.to_vector() == std::vector<float>{11, 12, 13, 21, 22, 23});
  CHECK((column - row).to_vector() == std::vector<float>{9, 8, 7, 19, 18, 17});
}

TEST_CASE("a per-channel scale [C, 1, 1] broadcasts over an NCHW tensor") {
  const Tensor x = Tensor::ones({1, 2, 2, 2});
  const Tensor scale({2, 1, 1}, {3, 5});
  CHECK((x * scale).to_vector() == std::vector<float>{3, 3, 3, 3, 5, 5, 5, 5});
}

TEST_CASE("scalars work on either side, with PyTorch's rsub and reciprocal") {
  const Tensor x({2}, {2, 4});
  CHECK((x + 1).to_vector() == std::vector<float>{3, 5});
  CHECK((1 + x).to_vector() == std::vector<float>{3, 5});
  CHECK((x - 1).to_vector() == std::vector<float>{1, 3});
  CHECK((10 - x).to_vector() == std::vector<float>{8, 6});
  CHECK((x * 0.5).to_vector() == std::vector<float>{1, 2});
  CHECK((3 * x).to_vector() == std::vector<float>{6, 12});
  CHECK((x / 2).to_vector() == std::vector<float>{1, 2});
  CHECK((8 / x).to_vector() == std::vector<float>{4, 2});
  CHECK((-x).to_vector() == std::vector<float>{-2, -4});
}

TEST_CASE("tensor with tensor of the same shape works elementwise") {
  const Tensor a({3}, {1, 2, 3});
  const Tensor b({3}, {4, 5, 6});
  CHECK((a * b).to_vector() == std::vector<float>{4, 10, 18});
  CHECK((b / a).to_vector() == std::vector<float>{4, 2.5f, 2});
}

TEST_CASE("incompatible shapes are an error naming both shapes and the dimension") {
  const Tensor a = Tensor::ones({2, 3});
  const Tensor b = Tensor::ones({2});
  CHECK(test::error_of([&] { a + b; }) ==
        "add: shapes [2, 3] and [2] cannot be broadcast: dimension 1 is 3 vs 2 (expected equal sizes or one of them 1)");
  CHECK(test::error_of([&] { a * Tensor::ones({4, 1, 1}) * b; }) ==
        "mul: shapes [4, 2, 3] and [2] cannot be broadcast: dimension 2 is 3 vs 2 (expected equal sizes or one of them "
        "1)");
}

TEST_CASE("large broadcasts take the threaded path and agree element by element") {
  const Tensor a = Tensor::deterministic({64, 32, 48}, "a");
  const Tensor b = Tensor::deterministic({32, 1}, "b");
  const Tensor y = a * b;
  for (int64_t i = 0; i < 64; i += 7) {
    for (int64_t j = 0; j < 32; j += 5) {
      for (int64_t k = 0; k < 48; k += 11) CHECK(y.at({i, j, k}) == a.at({i, j, k}) * b.at({j, 0}));
    }
  }
}

TEST_CASE("division by zero gives infinities and NaN as IEEE says") {
  const Tensor y = Tensor({3}, {1, -1, 0}) / Tensor::zeros({3});
  CHECK(std::isinf(y.at({0})));
  CHECK(y.at({0}) > 0);
  CHECK(y.at({1}) < 0);
  CHECK(std::isnan(y.at({2})));
}

TEST_CASE("clamp, where, masked_fill and comparisons say what is wrong") {
  const Tensor x = Tensor::ones({2, 3});
  CHECK(test::error_of([&] { F::clamp(x, std::nullopt, std::nullopt); }) ==
        "clamp: at least one of 'min' or 'max' must not be None (got input [2, 3])");
  CHECK(test::error_of([&] { F::where(Tensor::ones({2}), x, Tensor::ones({4})); }) ==
        "where: shapes [2, 3] and [4] cannot be broadcast: dimension 1 is 3 vs 4 (expected equal sizes or one of them 1)");
  CHECK(test::error_of([&] { F::masked_fill(x, Tensor::ones({2, 3, 1}), 0); }) ==
        "masked_fill: shapes [2, 3] and [2, 3, 1] cannot be broadcast: dimension 1 is 2 vs 3 (expected equal sizes or one of them 1)");
  CHECK(test::error_of([&] { F::eq(x, Tensor::ones({4})); }) ==
        "eq: shapes [2, 3] and [4] cannot be broadcast: dimension 1 is 3 vs 4 (expected equal sizes or one of them 1)");
}
