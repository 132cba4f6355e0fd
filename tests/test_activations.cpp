// Activations at the points where they change shape, computed by hand.

#include <cmath>
#include <limits>

#include "helpers.hpp"

using namespace modtrace;

namespace {
const Tensor points({7}, {-4, -3, -1, 0, 1, 3, 7});

std::vector<float> values(const Tensor& t) { return t.to_vector(); }
}  // namespace

TEST_CASE("relu zeroes negatives and relu6 also caps at 6") {
  CHECK(values(F::relu(points)) == std::vector<float>{0, 0, 0, 0, 1, 3, 7});
  CHECK(values(F::relu6(points)) == std::vector<float>{0, 0, 0, 0, 1, 3, 6});
}

TEST_CASE("relu keeps NaN, as PyTorch does") {
  CHECK(std::isnan(F::relu(Tensor({1}, {NAN})).item()));
  SUBCASE("so do the clamping activations, whose loops are written without a branch on NaN") {
    const Tensor x({4}, {NAN, -INFINITY, INFINITY, -2.0f});
    const std::vector<float> six = values(F::relu6(x));
    CHECK(std::isnan(six[0]));
    CHECK(six[1] == 0.0f);
    CHECK(six[2] == 6.0f);
    const std::vector<float> leaky = values(F::leaky_relu(x, 0.25));
    CHECK(std::isnan(leaky[0]));
    CHECK(leaky[1] == -INFINITY);
    CHECK(leaky[2] == INFINITY);
    CHECK(leaky[3] == -0.5f);
    CHECK(std::isnan(F::hardsigmoid(x).at({0})));
    CHECK(F::hardsigmoid(x).at({2}) == 1.0f);
    CHECK(std::isnan(F::hardswish(x).at({0})));
    CHECK(F::hardswish(x).at({3}) == doctest::Approx(-2.0 / 6.0));
  }
}

TEST_CASE("hardsigmoid is relu6(x + 3) / 6 and hardswish is x times that") {
  CHECK(values(F::hardsigmoid(points)) == std::vector<float>{0, 0, 2.0f / 6, 0.5f, 4.0f / 6, 1, 1});
  const std::vector<float> swish = values(F::hardswish(points));
  CHECK(swish[2] == doctest::Approx(-1.0 / 3));
  CHECK(swish[3] == 0.0f);
  CHECK(swish[4] == doctest::Approx(2.0 / 3));
  CHECK(swish[5] == 3.0f);
  CHECK(swish[0] == 0.0f);
}

TEST_CASE("sigmoid, silu and tanh at 0 and 1") {
  const Tensor x({2}, {0, 1});
  CHECK(values(F::sigmoid(x))[0] == 0.5f);
  CHECK(values(F::sigmoid(x))[1] == doctest::Approx(1.0 / (1.0 + std::exp(-1.0))));
  CHECK(values(F::silu(x))[1] == doctest::Approx(1.0 / (1.0 + std::exp(-1.0))));
  CHECK(values(F::tanh(x))[1] == doctest::Approx(std::tanh(1.0)));
}

TEST_CASE("gelu uses the erf form by default and the tanh form on request") {
  const Tensor x({1}, {1.0f});
  CHECK(F::gelu(x).item() == doctest::Approx(0.5 * (1.0 + std::erf(1.0 / std::sqrt(2.0)))));  // 0.841345
  CHECK(F::gelu(x, "tanh").item() ==
        doctest::Approx(0.5 * (1.0 + std::tanh(std::sqrt(2.0 / M_PI) * (1.0 + 0.044715)))));   // 0.841192
  CHECK(F::gelu(x).item() != F::gelu(x, "tanh").item());
}

TEST_CASE("gelu's erf is PyTorch's vectorised one: within a few 1e-7 of the exact function everywhere") {
  // 200 001 points over [-10, 10]: the approximation (A&S 7.1.26 with a
  // polynomial exp) must hold between the grid points of any reference case.
  std::vector<float> xs;
  for (int i = -100000; i <= 100000; ++i) xs.push_back(static_cast<float>(i) * 1e-4f);
  const Tensor x({static_cast<int64_t>(xs.size())}, xs);
  const std::vector<float> got = values(F::gelu(x));
  double worst = 0.0;
  for (size_t i = 0; i < xs.size(); ++i) {
    const double v = xs[i];
    const double exact = v * 0.5 * (1.0 + std::erf(v / std::sqrt(2.0)));
    worst = std::max(worst, std::abs(got[i] - exact) / std::max(1.0, std::abs(v)));
  }
  CHECK(worst < 3e-7);
  CHECK(worst > 0.0);  // it is the approximation, not libm's erf
  SUBCASE("NaN and the infinities go where the exact formula takes them") {
    const float inf = std::numeric_limits<float>::infinity();
    const std::vector<float> edge = values(F::gelu(Tensor({4}, {std::nanf(""), inf, -inf, 0.0f})));
    CHECK(std::isnan(edge[0]));
    CHECK(edge[1] == inf);
    CHECK(std::isnan(edge[2]));  // -inf * (1 + erf(-inf)) = -inf * 0, as in PyTorch
    CHECK(edge[3] == 0.0f);
  }
}

TEST_CASE("softmax rows sum to one and survive large inputs") {
  const Tensor x({2, 3}, {1, 2, 3, 1000, 1000, 1000});
  const Tensor y = F::softmax(x, 1);
  CHECK(y.at({0, 0}) == doctest::Approx(std::exp(1.0) / (std::exp(1.0) + std::exp(2.0) + std::exp(3.0))));
  CHECK(y.at({1, 0}) == doctest::Approx(1.0 / 3));
  const Tensor columns = F::softmax(x, 0);
  CHECK(columns.at({0, 0}) + columns.at({1, 0}) == doctest::Approx(1.0));
}

TEST_CASE("softmax over a dimension the tensor lacks is an error") {
  CHECK(test::error_of([] { F::softmax(Tensor::ones({2, 3}), 2); }) ==
        "softmax: dimension 2 out of range for a 2-d tensor (expected in [-2, 1])");
}

TEST_CASE("prelu and log_softmax say what is wrong") {
  const Tensor x = Tensor::ones({2, 3});
  CHECK(test::error_of([&] { F::prelu(x, Tensor::ones({2})); }) ==
        "prelu: weight has 2 slopes, expected 1 or one per channel (3, dimension 1 of the input) (got input [2, 3], weight [2])");
  CHECK(test::error_of([&] { F::log_softmax(x, 2); }) ==
        "log_softmax: dimension 2 out of range for a 2-d tensor (expected in [-2, 1])");
}
