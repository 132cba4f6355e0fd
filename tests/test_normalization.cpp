// batch_norm (eval and training) and layer_norm.

#include <cmath>

#include "helpers.hpp"

using namespace modtrace;

TEST_CASE("batch_norm in eval mode uses the running statistics per channel") {
  const Tensor x = Tensor::full({1, 2, 1, 1}, 3.0f);
  const Tensor mean({2}, {1, 3});
  const Tensor var({2}, {4, 1});
  const Tensor weight({2}, {2, 1});
  const Tensor bias({2}, {0.5f, -1});
  const Tensor y = F::batch_norm(x, mean, var, weight, bias, false, 0.1, 0.0);
  CHECK(y.to_vector() == std::vector<float>{2.5f, -1.0f});  // (3-1)/2*2+0.5, (3-3)/1*1-1
}

TEST_CASE("batch_norm in training mode normalises with batch statistics and updates the running ones") {
  const Tensor x({2, 1, 1, 2}, {1, 3, 5, 7});  // one channel: mean 4, biased var 5, unbiased var 20/3
  Tensor mean = Tensor::zeros({1});
  Tensor var = Tensor::ones({1});
  const Tensor y = F::batch_norm(x, mean, var, {}, {}, true, 0.1, 0.0);
  CHECK(y.at({0, 0, 0, 0}) == doctest::Approx(-3.0 / std::sqrt(5.0)));
  CHECK(mean.item() == doctest::Approx(0.4));
  CHECK(var.item() == doctest::Approx(0.9 + 0.1 * 20.0 / 3.0));
}

TEST_CASE("batch_norm checks the channel count of every statistic") {
  CHECK(test::error_of([] { F::batch_norm(Tensor::ones({1, 3, 2, 2}), Tensor::zeros({2}), Tensor::ones({3})); }) ==
        "batch_norm: running_mean must have 3 elements (one per channel), got [2] (got input [1, 3, 2, 2], "
        "running_mean [2], running_var [3])");
  CHECK(test::error_of([] { F::batch_norm(Tensor::ones({3}), Tensor::zeros({3}), Tensor::ones({3})); }) ==
        "batch_norm: expected an input of at least 2 dimensions (N, C, ...) (got input [3], running_mean [3], "
        "running_var [3])");
  CHECK(test::error_of([] {
          F::batch_norm(Tensor::ones({1, 2, 1, 1}), Tensor::zeros({2}), Tensor::ones({2}), {}, {}, true);
        }) ==
        "batch_norm: expected more than 1 value per channel when training (got input [1, 2, 1, 1], running_mean [2], "
        "running_var [2])");
}

TEST_CASE("layer_norm normalises each row over the trailing dimensions") {
  const Tensor x({2, 2}, {1, 3, 10, 10});
  const Tensor y = F::layer_norm(x, {2}, {}, {}, 0.0);
  CHECK(y.to_vector()[0] == doctest::Approx(-1.0));
  CHECK(y.to_vector()[1] == doctest::Approx(1.0));
  // A constant row has zero variance: eps keeps it finite.
  const Tensor z = F::layer_norm(x, {2}, Tensor({2}, {2, 2}), Tensor({2}, {5, 5}), 1e-5);
  CHECK(z.to_vector()[2] == 5.0f);
}

TEST_CASE("layer_norm needs the input to end with normalized_shape") {
  CHECK(test::error_of([] { F::layer_norm(Tensor::ones({2, 3}), {4}); }) ==
        "layer_norm: input's trailing dimensions must equal normalized_shape [4] (got input [2, 3])");
  CHECK(test::error_of([] { F::layer_norm(Tensor::ones({2, 3}), {3}, Tensor::ones({2})); }) ==
        "layer_norm: weight must have shape [3] = normalized_shape (got input [2, 3], weight [2])");
}

TEST_CASE("group_norm and instance_norm say what is wrong") {
  const Tensor x = Tensor::ones({2, 3});
  CHECK(test::error_of([&] { F::group_norm(Tensor::ones({2, 6, 2}), 4); }) ==
        "group_norm: num_groups 4 must divide the 6 channels (got input [2, 6, 2])");
  CHECK(test::error_of([&] { F::group_norm(Tensor::ones({2, 6, 2}), 3, Tensor::ones({5})); }) ==
        "group_norm: weight must have 6 elements (one per channel), got [5] (got input [2, 6, 2], weight [5])");
  CHECK(test::error_of([&] { F::instance_norm(Tensor::ones({2, 3})); }) ==
        "instance_norm: expected an input of at least 3 dimensions (N, C, spatial…) (got input [2, 3])");
  CHECK(test::error_of([&] { F::instance_norm(Tensor::ones({2, 3, 1})); }) ==
        "instance_norm: expected more than 1 spatial element when using input statistics (got input [2, 3, 1])");
  CHECK(test::error_of([&] { F::instance_norm(Tensor::ones({2, 3, 4}), {}, {}, {}, {}, false); }) ==
        "instance_norm: expected running_mean and running_var when use_input_stats is false (got input [2, 3, 4])");
}
