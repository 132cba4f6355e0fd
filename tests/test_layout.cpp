// Views (reshape, view, flatten, squeeze, unsqueeze, contiguous) and copies
// (permute, transpose, cat, slice, select, narrow, expand).

#include "helpers.hpp"

using namespace modtrace;

namespace {
const Tensor six = Tensor::arange(6).reshape({2, 3});  // [[0, 1, 2], [3, 4, 5]]
}

TEST_CASE("reshape infers one -1 and rejects sizes that do not fit") {
  CHECK(six.reshape({-1}).shape() == Shape{6});
  CHECK(six.reshape({3, -1}).shape() == Shape{3, 2});
  CHECK(test::error_of([] { six.reshape({4, -1}); }) ==
        "reshape: shape [4, -1] is invalid for input of size 6 (got input [2, 3])");
  CHECK(test::error_of([] { six.view({-1, -1}); }) ==
        "view: only one dimension can be inferred, shape [-1, -1] has two -1 (got input [2, 3])");
  CHECK(test::error_of([] { six.reshape({5}); }) ==
        "reshape: shape [5] is invalid for input of size 6 (got input [2, 3])");
  // Sizes whose product overflows are refused, not multiplied (a fuzzer finding, through ONNX Reshape).
  CHECK(test::error_of([] { six.reshape({int64_t{1} << 40, int64_t{1} << 40, 0}); }) ==
        "reshape: invalid shape [1099511627776, 1099511627776, 0]: too many elements (got input [2, 3])");
}

TEST_CASE("flatten merges a range of dimensions, by default all") {
  const Tensor x = Tensor::zeros({2, 3, 4, 5});
  CHECK(x.flatten().shape() == Shape{120});
  CHECK(F::flatten(x, 1).shape() == Shape{2, 60});
  CHECK(F::flatten(x, 1, 2).shape() == Shape{2, 12, 5});
  CHECK(F::flatten(Tensor::scalar(1)).shape() == Shape{1});
  CHECK(test::error_of([&] { F::flatten(x, 2, 1); }) ==
        "flatten: start_dim 2 comes after end_dim 1 (got input [2, 3, 4, 5])");
}

TEST_CASE("squeeze removes a size-1 dimension and unsqueeze adds one") {
  CHECK(F::squeeze(Tensor::zeros({2, 1, 3}), 1).shape() == Shape{2, 3});
  CHECK(F::squeeze(Tensor::zeros({2, 1, 3}), 0).shape() == Shape{2, 1, 3});
  CHECK(F::unsqueeze(six, 0).shape() == Shape{1, 2, 3});
  CHECK(F::unsqueeze(six, -1).shape() == Shape{2, 3, 1});
  CHECK(test::error_of([] { F::unsqueeze(six, 3); }) ==
        "unsqueeze: dimension 3 out of range for a 3-d tensor (expected in [-3, 2])");
}

TEST_CASE("contiguous returns a view: every modtrace tensor is contiguous") {
  CHECK(six.contiguous().shares_storage_with(six));
}

TEST_CASE("transpose and permute move elements") {
  CHECK(six.transpose(0, 1).to_vector() == std::vector<float>{0, 3, 1, 4, 2, 5});
  const Tensor x = Tensor::arange(24).reshape({2, 3, 4});
  const Tensor p = x.permute({2, 0, 1});
  CHECK(p.shape() == Shape{4, 2, 3});
  CHECK(p.at({3, 1, 2}) == x.at({1, 2, 3}));
  CHECK(test::error_of([&] { x.permute({0, 0, 1}); }) ==
        "permute: dims [0, 0, 1] repeat dimension 0 (got input [2, 3, 4])");
  CHECK(test::error_of([&] { x.permute({0, 1}); }) ==
        "permute: dims [0, 1] has 2 entries, expected one per dimension (3) (got input [2, 3, 4])");
}

TEST_CASE("cat joins along a dimension and checks the others") {
  const Tensor joined = F::cat({six, Tensor::full({1, 3}, 9)}, 0);
  CHECK(joined.shape() == Shape{3, 3});
  CHECK(joined.at({2, 1}) == 9.0f);
  CHECK(F::cat({six, six}, 1).to_vector() == std::vector<float>{0, 1, 2, 0, 1, 2, 3, 4, 5, 3, 4, 5});
  CHECK(test::error_of([] { F::cat({six, Tensor::zeros({2, 2})}, 0); }) ==
        "cat: tensors[1] has shape [2, 2], expected [*, 3] (sizes must match except in dimension 0) (got "
        "tensors[0] [2, 3], tensors[1] [2, 2])");
  CHECK(test::error_of([] { F::cat({}, 0); }) == "cat: takes 1 or more tensor inputs, got 0");
}

TEST_CASE("slice follows Python's rules for steps and out-of-range bounds") {
  const Tensor x = Tensor::arange(10);
  CHECK(F::slice(x, 0, 1, 8, 3).to_vector() == std::vector<float>{1, 4, 7});
  CHECK(F::slice(x, 0, -2).to_vector() == std::vector<float>{8, 9});
  CHECK(F::slice(x, 0, 5, 100).to_vector() == std::vector<float>{5, 6, 7, 8, 9});
  CHECK(F::slice(x, 0, 7, 3).numel() == 0);
  CHECK(F::slice(six, 1, 1).to_vector() == std::vector<float>{1, 2, 4, 5});
  CHECK(test::error_of([&] { F::slice(x, 0, 0, 5, 0); }) == "slice: slice step must be positive, got 0 (got input [10])");
}

TEST_CASE("select removes the dimension it indexes: x[:, 0] keeps the first column") {
  const Tensor first_column = six.select(1, 0);
  CHECK(first_column.shape() == Shape{2});
  CHECK(first_column.to_vector() == std::vector<float>{0, 3});
  CHECK(six.select(0, -1).to_vector() == std::vector<float>{3, 4, 5});
  CHECK(test::error_of([] { six.select(1, 3); }) ==
        "select: index 3 out of range for dimension 1 of size 3 (expected in [-3, 2]) (got input [2, 3])");
}

TEST_CASE("narrow keeps a contiguous range and checks it fits") {
  CHECK(six.narrow(1, 1, 2).to_vector() == std::vector<float>{1, 2, 4, 5});
  CHECK(test::error_of([] { six.narrow(1, 2, 2); }) ==
        "narrow: start 2 + length 2 exceeds dimension 1 of size 3 (got input [2, 3])");
}

TEST_CASE("expand repeats size-1 dimensions and adds leading ones") {
  const Tensor token({1, 1, 2}, {7, 8});
  const Tensor batch = token.expand({3, -1, -1});
  CHECK(batch.shape() == Shape{3, 1, 2});
  CHECK(batch.to_vector() == std::vector<float>{7, 8, 7, 8, 7, 8});
  CHECK(Tensor({2}, {1, 2}).expand({2, 2}).to_vector() == std::vector<float>{1, 2, 1, 2});
  CHECK(test::error_of([] { six.expand({2, 4}); }) ==
        "expand: the expanded size (4) must match the existing size (3) at non-singleton dimension 1; target sizes "
        "[2, 4] (got input [2, 3])");
}

TEST_CASE("stacking, splitting, rolling, padding, resampling and embedding say what is wrong") {
  const Tensor x = Tensor::ones({2, 3});
  CHECK(test::error_of([&] { F::stack({x, Tensor::ones({3, 2})}); }) ==
        "stack: expects each tensor to be equal size, but tensors[0] has [2, 3] and tensors[1] [3, 2] (got tensors[0] [2, 3], tensors[1] [3, 2])");
  CHECK(test::error_of([&] { F::chunk(x, 0); }) ==
        "chunk: chunks must be positive, got 0 (got input [2, 3])");
  CHECK(test::error_of([&] { F::split(x, std::vector<int64_t>{1, 1}, 1); }) ==
        "split: split_sizes [1, 1] must sum exactly to 3, the size of dimension 1 (got input [2, 3])");
  CHECK(test::error_of([&] { F::split(x, 0); }) ==
        "split: split_size must be positive (0 only for an empty dimension), got 0 (got input [2, 3])");
  CHECK(test::error_of([&] { F::unbind(Tensor::scalar(1)); }) ==
        "unbind: cannot split a 0-d tensor (got input [])");
  CHECK(test::error_of([&] { F::roll(x, {1, 2}); }) ==
        "roll: shifts [1, 2] and dims [] must have the same length (one shift without dims) (got input [2, 3])");
  CHECK(test::error_of([&] { F::pad(x, {1}); }) ==
        "pad: padding length must be divisible by 2, got [1] (got input [2, 3])");
  CHECK(test::error_of([&] { F::pad(x, {1, 1, 1, 1, 1, 1}); }) ==
        "pad: padding length 6 is too large for a 2-D input (2 per padded dimension) (got input [2, 3])");
  CHECK(test::error_of([&] { F::pad(Tensor::ones({1, 1, 3}), {3, 0}, "reflect"); }) ==
        "pad: reflect padding (3, 0) must be smaller than the size 3 of dimension 2 (got input [1, 1, 3])");
  CHECK(test::error_of([&] { F::pad(x, {1, 1}, "circular"); }) ==
        "pad: mode must be constant, reflect or replicate, got 'circular' (got input [2, 3])");
  CHECK(test::error_of([&] { F::pad(Tensor::ones({3}), {1, 1}, "reflect"); }) ==
        "pad: reflect padding of 1 dimension(s) expects a 2-D or 3-D input (got input [3])");
  CHECK(test::error_of([&] { F::pad(x, {-2, -2}); }) ==
        "pad: the padded size of dimension 1 would be negative (-1) (got input [2, 3])");
  CHECK(test::error_of([&] { F::interpolate(x, {4}); }) ==
        "interpolate: expected a 3-D (N, C, L) or 4-D (N, C, H, W) input (got input [2, 3])");
  CHECK(test::error_of([&] { F::interpolate(Tensor::ones({1, 1, 4}), {4, 4}); }) ==
        "interpolate: size [4, 4] must have one value per spatial dimension (1) (got input [1, 1, 4])");
  CHECK(test::error_of([&] { F::interpolate(Tensor::ones({1, 1, 4}), {8}, 2.0); }) ==
        "interpolate: give either size or scale_factor (got input [1, 1, 4])");
  CHECK(test::error_of([&] { F::interpolate(Tensor::ones({1, 1, 4}), {8}, std::nullopt, "bilinear"); }) ==
        "interpolate: bilinear interpolation expects a 4-D input (got input [1, 1, 4])");
  CHECK(test::error_of([&] { F::interpolate(Tensor::ones({1, 1, 4}), {8}, std::nullopt, "cubic"); }) ==
        "interpolate: mode must be nearest, linear or bilinear, got 'cubic' (got input [1, 1, 4])");
  CHECK(test::error_of([&] { F::interpolate(Tensor::ones({1, 1, 4}), {8}, std::nullopt, "nearest", true); }) ==
        "interpolate: align_corners only applies to the linear modes (got input [1, 1, 4])");
  CHECK(test::error_of([&] { F::pixel_shuffle(Tensor::ones({1, 3, 2, 2}), 2); }) ==
        "pixel_shuffle: the channel dimension 3 must be divisible by upscale_factor squared 4 (got input [1, 3, 2, 2])");
  CHECK(test::error_of([&] { F::pixel_shuffle(Tensor::ones({1, 3, 2, 2}), int64_t{1} << 40); }) ==
        "pixel_shuffle: upscale_factor 1099511627776 squared exceeds the channel dimension 3 (got input [1, 3, 2, 2])");
  CHECK(test::error_of([&] { F::pixel_shuffle(Tensor::ones({3, 2}), 2); }) ==
        "pixel_shuffle: expected an input of at least 3 dimensions (…, C, H, W) (got input [3, 2])");
  CHECK(test::error_of([&] { F::embedding(Tensor::full({2}, 1.5), Tensor::ones({4, 3})); }) ==
        "embedding: index 1.5 (position 0) is not a whole number in [0, 4) (got input [2], weight [4, 3])");
  CHECK(test::error_of([&] { F::embedding(Tensor::full({2}, 4), Tensor::ones({4, 3})); }) ==
        "embedding: index 4 (position 0) is not a whole number in [0, 4) (got input [2], weight [4, 3])");
  CHECK(test::error_of([&] { F::embedding(Tensor::full({2}, 1), Tensor::ones({4})); }) ==
        "embedding: weight must be 2-D [num_embeddings, embedding_dim] (got input [2], weight [4])");
}
