// oneDNN keeps a convolution weight in its own layout between calls: the
// copy is used while the weight's storage is unwritten, converted again
// after any write (data(), at(), copy_, an in-place op, a write through a
// view), counted by the memory budget, and let go with the weight.

#include "helpers.hpp"

using namespace modtrace;

namespace {

// 32 channels: oneDNN blocks them, so the weights are reordered (and kept).
const Tensor x = Tensor::deterministic({1, 32, 12, 12}, "x");

Tensor conv(const Tensor& w) { return F::conv2d(x, w, {}, 1, 1); }

// The same convolution in modtrace's own kernels, which keep nothing.
Tensor builtin_conv(const Tensor& w) {
  const std::string library{kernel_library()};
  set_kernel_library("builtin");
  Tensor y = conv(w);
  set_kernel_library(library);
  return y;
}

bool onednn() { return kernel_library() == "onednn"; }

}  // namespace

TEST_CASE("a weight kept in oneDNN's layout gives the same result at every call") {
  if (!onednn()) return;  // a build without oneDNN keeps nothing
  const Tensor w = Tensor::deterministic({32, 32, 3, 3}, "w");
  const Tensor first = conv(w);
  CHECK(max_abs_diff(conv(w), first) == 0.0);
  CHECK(max_abs_diff(first, builtin_conv(w)) <= 1e-4);
}

TEST_CASE("every way of writing a weight makes oneDNN convert it again") {
  if (!onednn()) return;
  Tensor w = Tensor::deterministic({32, 32, 3, 3}, "w");
  const auto same_as_builtin = [&](const char* how) {
    INFO(how);
    const Tensor got = conv(w);
    CHECK(max_abs_diff(got, builtin_conv(w)) <= 1e-4);
  };
  same_as_builtin("first call");
  w.data()[0] += 100.0f;
  same_as_builtin("data()");
  w.at({1, 2, 0, 0}) = -50.0f;
  same_as_builtin("at()");
  w.copy_(Tensor::deterministic({32, 32, 3, 3}, "other"));
  same_as_builtin("copy_");
  w.mul_(3.0);
  same_as_builtin("mul_");
  Tensor flat = w.reshape({-1});  // a view: the same storage
  flat.data()[5] = 77.0f;
  same_as_builtin("a write through a view");
  CHECK(w.at({0, 0, 1, 2}) == 77.0f);
}

TEST_CASE("a kept weight copy is counted by the memory budget, reused, and let go with its weight") {
  if (!onednn()) return;
  // A large weight on a small input: the weight's copy outweighs all the
  // call's other buffers together (input, output, their reordered copies).
  const Tensor small = Tensor::deterministic({1, 32, 4, 4}, "small");
  const auto run = [&](const Tensor& w) { (void)F::conv2d(small, w, {}, 1, 1); };
  const int64_t before = memory_in_use();
  const int64_t weight_bytes = 256 * 32 * 3 * 3 * 4;
  {
    const Tensor w = Tensor::deterministic({256, 32, 3, 3}, "w");
    const int64_t with_weight = memory_in_use();
    run(w);
    const int64_t kept = memory_in_use() - with_weight;
    CHECK(kept >= weight_bytes);  // the copy in oneDNN's layout (perhaps padded)
    // Reused, not converted again: no second copy exists even for a moment.
    reset_peak_memory_in_use();
    const int64_t start = memory_in_use();
    run(w);
    CHECK(peak_memory_in_use() - start < weight_bytes);
    CHECK(memory_in_use() == start);
  }
  CHECK(memory_in_use() == before);
}
