// matmul and linear.

#include "helpers.hpp"

using namespace modtrace;

TEST_CASE("matmul multiplies matrices") {
  const Tensor a({2, 3}, {1, 2, 3, 4, 5, 6});
  const Tensor b({3, 2}, {7, 8, 9, 10, 11, 12});
  const Tensor c = F::matmul(a, b);
  CHECK(c.shape() == Shape{2, 2});
  CHECK(c.to_vector() == std::vector<float>{58, 64, 139, 154});
}

TEST_CASE("matmul of two vectors is their dot product, a scalar") {
  const Tensor d = F::matmul(Tensor({3}, {1, 2, 3}), Tensor({3}, {4, 5, 6}));
  CHECK(d.dim() == 0);
  CHECK(d.item() == 32.0f);
}

TEST_CASE("matmul promotes vectors and drops the added dimension") {
  const Tensor m({2, 3}, {1, 2, 3, 4, 5, 6});
  CHECK(F::matmul(m, Tensor({3}, {1, 0, -1})).to_vector() == std::vector<float>{-2, -2});
  CHECK(F::matmul(Tensor({2}, {1, 1}), m).to_vector() == std::vector<float>{5, 7, 9});
}

TEST_CASE("matmul broadcasts batch dimensions") {
  const Tensor a = Tensor::ones({2, 1, 2, 3});
  const Tensor b = Tensor::ones({4, 3, 5});
  const Tensor c = F::matmul(a, b);
  CHECK(c.shape() == Shape{2, 4, 2, 5});
  CHECK(c.at({1, 3, 1, 4}) == 3.0f);
}

TEST_CASE("matmul with mismatched inner dimensions is an error with both shapes") {
  CHECK(test::error_of([] { F::matmul(Tensor::ones({2, 3}), Tensor::ones({4, 5})); }) ==
        "matmul: cannot multiply: input's last dimension is 3 but other's second-to-last dimension is 4 (expected "
        "equal) (got input [2, 3], other [4, 5])");
  CHECK(test::error_of([] { F::matmul(Tensor::scalar(1), Tensor::ones({2})); }) ==
        "matmul: both arguments must be at least 1-D (got input [], other [2])");
}

TEST_CASE("linear computes x W^T + b over the last dimension") {
  const Tensor x({2, 3}, {1, 2, 3, 4, 5, 6});
  const Tensor w({2, 3}, {1, 0, 0, 0, 1, 1});
  const Tensor b({2}, {10, 20});
  CHECK(F::linear(x, w, b).to_vector() == std::vector<float>{11, 25, 14, 31});
  CHECK(F::linear(x, w).to_vector() == std::vector<float>{1, 5, 4, 11});
  CHECK(F::linear(Tensor::ones({2, 2, 3}), w, b).shape() == Shape{2, 2, 2});
}

TEST_CASE("linear on an unflattened feature map says which dimension is wrong") {
  // ResNet's fc fed [1, 512, 1, 1] when the root's torch.flatten is dropped.
  CHECK(test::error_of([] { F::linear(Tensor::ones({1, 512, 1, 1}), Tensor::ones({1000, 512})); }) ==
        "linear: input's last dimension is 1, expected 512 = in_features of the weight (got input [1, 512, 1, 1], "
        "weight [1000, 512])");
}

TEST_CASE("linear checks the weight's rank and the bias length") {
  CHECK(test::error_of([] { F::linear(Tensor::ones({2}), Tensor::ones({2})); }) ==
        "linear: weight must be 2-D [out_features, in_features] (got input [2], weight [2])");
  CHECK(test::error_of([] { F::linear(Tensor::ones({2}), Tensor::ones({3, 2}), Tensor::ones({2})); }) ==
        "linear: bias must have shape [3] = [out_features] (got input [2], weight [3, 2], bias [2])");
}

TEST_CASE("bmm, baddbmm and einsum say what is wrong") {
  const Tensor x = Tensor::ones({2, 3});
  CHECK(test::error_of([&] { F::bmm(x, x); }) ==
        "bmm: input and other must be 3-D [batch, n, m] and [batch, m, p] (got input [2, 3], other [2, 3])");
  CHECK(test::error_of([&] { F::bmm(Tensor::ones({2, 3, 4}), Tensor::ones({3, 4, 5})); }) ==
        "bmm: batch sizes differ: 2 and 3 (got input [2, 3, 4], other [3, 4, 5])");
  CHECK(test::error_of([&] { F::bmm(Tensor::ones({2, 3, 4}), Tensor::ones({2, 5, 5})); }) ==
        "bmm: input's last dimension is 4 but other's second is 5 (expected equal) (got input [2, 3, 4], other [2, 5, 5])");
  CHECK(test::error_of([&] { F::baddbmm(Tensor::ones({4}), Tensor::ones({2, 3, 4}), Tensor::ones({2, 4, 5})); }) ==
        "baddbmm: shapes [4] and [2, 3, 5] cannot be broadcast: dimension 2 is 4 vs 5 (expected equal sizes or one of them 1)");
  CHECK(test::error_of([&] { F::einsum("ij,jk->ik", {x}); }) ==
        "einsum: the equation has 2 operands, but 1 was given (got operands[0] [2, 3])");
  CHECK(test::error_of([&] { F::einsum("ij,jk->ik", {x, Tensor::ones({4, 2})}); }) ==
        "einsum: subscript sizes disagree: operand 1 dimension 0 has size 4, elsewhere 3 (got operands[0] [2, 3], operands[1] [4, 2])");
  CHECK(test::error_of([&] { F::einsum("i1->i", {Tensor::ones({2, 2})}); }) ==
        "einsum: invalid subscript '1': only letters a-z, A-Z and '...' are allowed (got operands[0] [2, 2])");
  CHECK(test::error_of([&] { F::einsum("ij->k", {x}); }) ==
        "einsum: output subscript 'k' appears in no operand (got operands[0] [2, 3])");
  CHECK(test::error_of([&] { F::einsum("ijk->i", {x}); }) ==
        "einsum: operand 0 has 2 dimensions but subscripts 'ijk' (got operands[0] [2, 3])");
}
