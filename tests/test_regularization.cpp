// dropout and stochastic_depth: identity in eval mode, random masks in training.

#include "helpers.hpp"

using namespace modtrace;

TEST_CASE("dropout and stochastic_depth leave values alone in eval mode") {
  const Tensor x = Tensor::deterministic({4, 5}, "x");
  CHECK(equal(F::dropout(x, 0.5, false), x));
  CHECK(equal(F::stochastic_depth(x, 0.5, "row", false), x));
}

TEST_CASE("training-mode dropout zeroes about p of the values and scales the rest by 1/(1-p)") {
  manual_seed(7);
  const Tensor y = F::dropout(Tensor::ones({10000}), 0.25, true);
  int64_t zeros = 0;
  for (float v : y.values()) {
    if (v == 0.0f) ++zeros;
    else CHECK(v == doctest::Approx(1.0 / 0.75));
  }
  CHECK(zeros > 2300);
  CHECK(zeros < 2700);
}

TEST_CASE("training-mode dropout is reproducible after manual_seed") {
  manual_seed(3);
  const Tensor a = F::dropout(Tensor::ones({64}), 0.5, true);
  manual_seed(3);
  const Tensor b = F::dropout(Tensor::ones({64}), 0.5, true);
  CHECK(equal(a, b));
}

TEST_CASE("training-mode stochastic_depth in row mode keeps or drops whole samples") {
  manual_seed(11);
  const Tensor y = F::stochastic_depth(Tensor::ones({200, 3}), 0.5, "row", true);
  int64_t kept = 0;
  for (int64_t r = 0; r < 200; ++r) {
    const float first = y.at({r, 0});
    CHECK((first == 0.0f || first == 2.0f));
    CHECK(y.at({r, 1}) == first);
    CHECK(y.at({r, 2}) == first);
    if (first != 0.0f) ++kept;
  }
  CHECK(kept > 70);
  CHECK(kept < 130);
}

TEST_CASE("probabilities outside [0, 1] and unknown modes are errors") {
  const Tensor x = Tensor::ones({2});
  CHECK(test::error_of([&] { F::dropout(x, 1.5); }) ==
        "dropout: dropout probability has to be between 0 and 1, but got 1.5 (got input [2])");
  CHECK(test::error_of([&] { F::stochastic_depth(x, -0.1, "row", false); }) ==
        "stochastic_depth: drop probability has to be between 0 and 1, but got -0.1 (got input [2])");
  CHECK(test::error_of([&] { F::stochastic_depth(x, 0.1, "column", false); }) ==
        "stochastic_depth: mode has to be either 'batch' or 'row', but got 'column' (got input [2])");
}

TEST_CASE("dropout2d says what is wrong") {
  const Tensor x = Tensor::ones({2, 3});
  CHECK(test::error_of([&] { F::dropout2d(Tensor::ones({3}), 0.5); }) ==
        "dropout2d: expected an input of at least 2 dimensions (N, C, …) (got input [3])");
}
