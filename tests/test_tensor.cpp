// Tensor: construction, factories, element access, shared storage, meta
// tensors, comparisons and the deterministic input rule.

#include <cmath>
#include <limits>

#include "helpers.hpp"

using namespace modtrace;

TEST_CASE("a tensor built from values keeps its shape and row-major order") {
  const Tensor t({2, 3}, {1, 2, 3, 4, 5, 6});
  CHECK(t.shape() == Shape{2, 3});
  CHECK(t.dim() == 2);
  CHECK(t.numel() == 6);
  CHECK(t.size(-1) == 3);
  CHECK(t.at({1, 0}) == 4.0f);
  CHECK(t.at({-1, -1}) == 6.0f);
}

TEST_CASE("a tensor built from the wrong number of values is an error naming both counts") {
  CHECK(test::error_of([] { Tensor({2, 2}, {1, 2, 3}); }) ==
        "Tensor: 3 values given for shape [2, 2], expected 4");
}

TEST_CASE("factories fill as their names say") {
  CHECK(Tensor::zeros({3}).to_vector() == std::vector<float>{0, 0, 0});
  CHECK(Tensor::ones({2}).to_vector() == std::vector<float>{1, 1});
  CHECK(Tensor::full({2}, 2.5f).to_vector() == std::vector<float>{2.5f, 2.5f});
  CHECK(Tensor::arange(4).to_vector() == std::vector<float>{0, 1, 2, 3});
  const Tensor s = Tensor::scalar(7.0f);
  CHECK(s.dim() == 0);
  CHECK(s.numel() == 1);
  CHECK(s.item() == 7.0f);
}

TEST_CASE("negative dimensions and overflowing shapes are rejected before allocating") {
  CHECK(test::error_of([] { Tensor::zeros({2, -1}); }) == "invalid shape [2, -1]: dimensions must be >= 0");
  const int64_t big = std::numeric_limits<int64_t>::max() / 2;
  CHECK(test::error_of([&] { Tensor::zeros({big, 4}); }) ==
        "invalid shape [" + std::to_string(big) + ", 4]: too many elements");
}

TEST_CASE("a tensor has at most 64 dimensions, as in PyTorch, checked before anything is allocated") {
  CHECK(Tensor::ones(Shape(64, 1)).dim() == 64);
  const std::string too_many = "a tensor may have at most 64 dimensions, as in PyTorch; this one would have 65";
  CHECK(test::error_of([] { Tensor::ones(Shape(65, 1)); }) == too_many);
  CHECK(test::error_of([] { Tensor::meta(Shape(65, 1)); }) == too_many);
  CHECK(test::error_of([] { Tensor::ones(Shape(64, 1)).unsqueeze(0); }).find(too_many) != std::string::npos);
  // Tens of thousands of dimensions: the same error, no stack or memory blow-up.
  CHECK(test::error_of([] { Tensor::zeros(Shape(27000, 1)); }) ==
        "a tensor may have at most 64 dimensions, as in PyTorch; this one would have 27000");
}

TEST_CASE("a shape converts to and from std::vector and keeps its sizes past the five held inline") {
  const std::vector<int64_t> sizes{1, 3, 224, 224};
  const Shape shape = sizes;
  CHECK(shape == sizes);
  const std::vector<int64_t> back = shape;
  CHECK(back == sizes);
  CHECK(Shape{1, 2} < Shape{1, 3});
  CHECK(Shape{1, 2} != Shape{1, 2, 1});
  // Seven sizes live on the heap; copies, moves and views keep them all.
  const Tensor t = Tensor::arange(5040).reshape({2, 3, 4, 5, 6, 7, 1});
  Tensor moved = Tensor(t);
  const Tensor v = std::move(moved).view({7, 6, 5, 4, 3, 2, 1});
  CHECK(t.shape() == Shape{2, 3, 4, 5, 6, 7, 1});
  CHECK(v.shape() == Shape{7, 6, 5, 4, 3, 2, 1});
  CHECK(v.at({6, 5, 4, 3, 2, 1, 0}) == 5039.0f);
}

TEST_CASE("a shape too large for memory is a clear error, not a crash") {
  const std::string message = test::error_of([] { Tensor::zeros({1 << 20, 1 << 20, 1 << 10}); });
  CHECK(message.find("cannot allocate a tensor of shape [1048576, 1048576, 1024]") == 0);
}

TEST_CASE("element access checks the index against the shape") {
  Tensor t = Tensor::zeros({2, 3});
  t.at({0, 2}) = 5.0f;
  CHECK(t.to_vector()[2] == 5.0f);
  CHECK(test::error_of([&] { t.at({2, 0}); }) ==
        "at: index 2 out of range for dimension 0 of size 2 (shape [2, 3])");
  CHECK(test::error_of([&] { t.at({0}); }) == "at: 1 indices given for a 2-d tensor of shape [2, 3]");
}

TEST_CASE("item needs exactly one element") {
  CHECK(test::error_of([] { Tensor::ones({2}).item(); }) ==
        "item: a tensor with 2 elements (shape [2]) cannot be converted to a single value, expected exactly one "
        "element");
}

TEST_CASE("reshape, view and flatten share storage with their source") {
  Tensor x = Tensor::arange(6);
  Tensor r = x.reshape({2, 3});
  Tensor f = r.flatten();
  Tensor v = x.view({3, 2});
  CHECK(r.shares_storage_with(x));
  CHECK(f.shares_storage_with(x));
  CHECK(v.shares_storage_with(x));
  x.at({4}) = 40.0f;
  CHECK(r.at({1, 1}) == 40.0f);
  CHECK(v.at({2, 0}) == 40.0f);
}

TEST_CASE("ops that move elements produce new storage") {
  const Tensor x = Tensor::arange(6).reshape({2, 3});
  CHECK_FALSE(x.transpose(0, 1).shares_storage_with(x));
  CHECK_FALSE(x.clone().shares_storage_with(x));
  CHECK_FALSE((x + 0).shares_storage_with(x));
}

TEST_CASE("copy_ writes into existing storage so every view sees it") {
  Tensor x = Tensor::zeros({4});
  const Tensor view = x.reshape({2, 2});
  x.copy_(Tensor({4}, {1, 2, 3, 4}));
  CHECK(view.at({1, 1}) == 4.0f);
  CHECK(test::error_of([&] { x.copy_(Tensor::ones({3})); }) ==
        "copy_: source shape [3] differs from destination shape [4]");
}

TEST_CASE("a meta tensor has a shape but no values") {
  const Tensor m = Tensor::meta({1, 3, 224, 224});
  CHECK(m.is_meta());
  CHECK(m.numel() == 150528);
  CHECK(test::error_of([&] { m.data(); }) ==
        "data: tensor of shape [1, 3, 224, 224] is a meta tensor (shape only, no values)");
}

TEST_CASE("ops on meta tensors check shapes and compute none") {
  const Tensor m = Tensor::meta({2, 3});
  const Tensor y = F::relu(m * 2 + Tensor::ones({3}));
  CHECK(y.is_meta());
  CHECK(y.shape() == Shape{2, 3});
  CHECK(test::error_of([&] { F::add(m, Tensor::meta({4})); }) ==
        "add: shapes [2, 3] and [4] cannot be broadcast: dimension 1 is 3 vs 4 (expected equal sizes or one of them 1)");
}

TEST_CASE("an undefined tensor is rejected by ops with the input's name") {
  CHECK(test::error_of([] { F::relu(Tensor()); }) == "relu: input 'input' is an undefined tensor");
  CHECK(test::error_of([] { F::linear(Tensor::ones({2}), Tensor()); }) ==
        "linear: input 'weight' is an undefined tensor (got input [2])");
}

TEST_CASE("equal, allclose and max_abs_diff compare values") {
  const Tensor a({3}, {1.0f, 2.0f, 3.0f});
  const Tensor b({3}, {1.0f, 2.0f, 3.0001f});
  CHECK(equal(a, a.clone()));
  CHECK_FALSE(equal(a, b));
  CHECK_FALSE(equal(a, a.reshape({3, 1})));
  CHECK(allclose(a, b, 1e-4));
  CHECK_FALSE(allclose(a, b, 1e-6, 1e-8));
  CHECK(max_abs_diff(a, b) == doctest::Approx(1e-4).epsilon(1e-2));
  CHECK(std::isnan(max_abs_diff(a, Tensor({3}, {1.0f, NAN, 3.0f}))));
  CHECK(test::error_of([&] { max_abs_diff(a, Tensor::ones({2})); }) ==
        "max_abs_diff: shapes [3] and [2] differ, expected equal shapes");
}

TEST_CASE("deterministic tensors follow the reference rule of make_reference.py") {
  // Values computed with make_reference.py's uniform("input", n): 2u - 1.
  const Tensor x = Tensor::deterministic({5}, "input");
  const std::vector<double> want = {0.6356051, 0.8192039, 0.9250104, 0.5017143, -0.7598324};
  for (size_t i = 0; i < want.size(); ++i) CHECK(x.data()[i] == doctest::Approx(want[i]).epsilon(1e-6));
  // Another key, another stream.
  CHECK_FALSE(equal(x, Tensor::deterministic({5}, "other")));
}
