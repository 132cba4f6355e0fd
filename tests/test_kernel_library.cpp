// The kernel library behind convolutions and matrix products: oneDNN when
// the build has it, else modtrace's own; MODTRACE_KERNELS or
// set_kernel_library picks one, and every library gives the same results,
// whatever the geometry.

#include <algorithm>
#include <cstdlib>

#include "cli.hpp"

using namespace modtrace;

namespace {

std::string available_text() {
  std::string s;
  for (const std::string_view library : available_kernel_libraries()) s += (s.empty() ? "" : ", ") + std::string(library);
  return s;
}

struct KeepLibrary {
  std::string saved{kernel_library()};
  ~KeepLibrary() { set_kernel_library(saved); }
};


// One convolution to run in each library.
struct Case {
  const char* what;
  Shape input, weight;
  bool bias;
  Size2 stride, padding, dilation;
  int64_t groups;
};

// Every path a library might take: plain, strided (with a last window that
// stops short of the right edge: oneDNN then gets a smaller right padding),
// 1x1, dilated, grouped, depthwise with and without a channel multiplier,
// a first layer with 3 channels, batch > 1, unbatched, no bias.
const Case kCases[] = {
    {"3x3, padding 1", {1, 16, 14, 14}, {32, 16, 3, 3}, true, 1, 1, 1, 1},
    {"3x3, stride 2, a window short at the end", {2, 8, 10, 9}, {16, 8, 3, 3}, true, 2, 0, 1, 1},
    {"7x7, stride 2, padding 3 on 3 channels (a stem)", {1, 3, 32, 32}, {16, 3, 7, 7}, true, 2, 3, 1, 1},
    {"1x1, stride 1", {1, 24, 7, 7}, {40, 24, 1, 1}, false, 1, 0, 1, 1},
    {"1x1, stride 2 (a downsample)", {3, 16, 9, 9}, {32, 16, 1, 1}, true, 2, 0, 1, 1},
    {"3x3, dilation 2", {1, 8, 12, 12}, {8, 8, 3, 3}, true, 1, 2, 2, 1},
    {"uneven 2x5, stride 1x2, padding 1x2", {1, 4, 8, 11}, {6, 4, 2, 5}, true, {1, 2}, {1, 2}, 1, 1},
    {"grouped, 4 groups", {2, 16, 8, 8}, {32, 4, 3, 3}, true, 1, 1, 1, 4},
    {"depthwise 3x3", {1, 32, 10, 10}, {32, 1, 3, 3}, true, 1, 1, 1, 32},
    {"depthwise 5x5, stride 2", {1, 12, 11, 11}, {12, 1, 5, 5}, false, 2, 2, 1, 12},
    {"depthwise, channel multiplier 2", {1, 8, 9, 9}, {16, 1, 3, 3}, true, 1, 1, 1, 8},
    {"unbatched", {8, 6, 6}, {4, 8, 3, 3}, true, 1, 1, 1, 1},
};

Tensor run(const Case& c) {
  const Tensor x = Tensor::deterministic(c.input, "x");
  const Tensor w = Tensor::deterministic(c.weight, "w");
  const Tensor b = c.bias ? Tensor::deterministic({c.weight[0]}, "b") : Tensor();
  return F::conv2d(x, w, b, c.stride, c.padding, c.dilation, c.groups);
}

}  // namespace

TEST_CASE("convolutions run in oneDNN when the build has it, or in the library MODTRACE_KERNELS names") {
  const std::vector<std::string_view> available = available_kernel_libraries();
  REQUIRE_FALSE(available.empty());
  CHECK(available.back() == "builtin");
#ifdef MODTRACE_TEST_ONEDNN
  CHECK(available.front() == "onednn");
#else
  CHECK(available.size() == 1);
#endif
  const char* forced = std::getenv("MODTRACE_KERNELS");
  CHECK(kernel_library() == (forced != nullptr && *forced != '\0' ? std::string_view(forced) : available.front()));
}

TEST_CASE("every kernel library gives the same convolutions") {
  const KeepLibrary keep;
  for (const Case& c : kCases) {
    INFO(c.what);
    set_kernel_library("builtin");
    const Tensor expected = run(c);
    for (const std::string_view library : available_kernel_libraries()) {
      INFO("library " << library);
      set_kernel_library(library);
      CHECK(kernel_library() == library);
      const Tensor got = run(c);
      REQUIRE(got.shape() == expected.shape());
      // Another summation order: equal up to rounding.
      CHECK(max_abs_diff(got, expected) <= 1e-5 * std::max(1.0, test::max_abs(expected)));
    }
  }
}

TEST_CASE("conv1d runs in every kernel library alike") {
  const KeepLibrary keep;
  const Tensor x = Tensor::deterministic({2, 6, 20}, "x");
  const Tensor w = Tensor::deterministic({4, 3, 5}, "w");
  const Tensor b = Tensor::deterministic({4}, "b");
  set_kernel_library("builtin");
  const Tensor expected = F::conv1d(x, w, b, 2, 1, 2, 2);
  for (const std::string_view library : available_kernel_libraries()) {
    INFO("library " << library);
    set_kernel_library(library);
    const Tensor got = F::conv1d(x, w, b, 2, 1, 2, 2);
    REQUIRE(got.shape() == expected.shape());
    CHECK(max_abs_diff(got, expected) <= 1e-5 * std::max(1.0, test::max_abs(expected)));
  }
}

TEST_CASE("every kernel library gives the same matrix products") {
  // linear with and without bias, matmul with broadcasting, bmm against a
  // transposed operand, baddbmm, a transposed convolution (a GEMM then
  // col2im), and a product over an empty inner dimension (only the bias).
  const Tensor a = Tensor::deterministic({3, 7, 33}, "a");
  const Tensor b = Tensor::deterministic({33, 17}, "b");
  const Tensor fc = Tensor::deterministic({19, 33}, "fc");
  const Tensor fc_bias = Tensor::deterministic({19}, "fcb");
  const Tensor x = Tensor::deterministic({2, 6, 9, 9}, "x");
  const Tensor wt = Tensor::deterministic({6, 4, 3, 3}, "wt");
  const auto products = [&] {
    return Tensors{F::linear(a, fc, fc_bias),
                   F::linear(a, fc),
                   F::matmul(a, b),
                   F::bmm(a, a.transpose(1, 2)),
                   F::baddbmm(Tensor::deterministic({3, 7, 7}, "c"), a, a.transpose(1, 2), 0.5, 2.0),
                   F::conv_transpose2d(x, wt, Tensor::deterministic({4}, "tb"), {2, 2}, {1, 1}),
                   F::linear(Tensor::ones({2, 0}), Tensor::ones({3, 0}), Tensor::full({3}, 0.5f))};
  };
  const KeepLibrary keep;
  set_kernel_library("builtin");
  const Tensors expected = products();
  for (const std::string_view library : available_kernel_libraries()) {
    INFO("library " << library);
    set_kernel_library(library);
    const Tensors got = products();
    REQUIRE(got.size() == expected.size());
    for (size_t i = 0; i < got.size(); ++i) {
      INFO("product " << i);
      REQUIRE(got[i].shape() == expected[i].shape());
      CHECK(max_abs_diff(got[i], expected[i]) <= 1e-5 * std::max(1.0, test::max_abs(expected[i])));
    }
  }
  CHECK(max_abs_diff(expected.back(), Tensor::full({2, 3}, 0.5f)) == 0.0);
}

TEST_CASE("set_kernel_library refuses a library it does not know or this build lacks, naming what is available") {
  const KeepLibrary keep;
  CHECK(test::error_of([] { set_kernel_library("mkl"); }) ==
        "kernel library mkl: expected onednn or builtin; available: " + available_text());
#ifndef MODTRACE_TEST_ONEDNN
  CHECK(test::error_of([] { set_kernel_library("onednn"); }) ==
        "kernel library onednn: this build of modtrace does not have it (meson option onednn); available: builtin");
#endif
  CHECK(kernel_library() == keep.saved);  // unchanged
}

TEST_CASE("the tool refuses a MODTRACE_KERNELS it cannot honour before doing anything") {
  const auto r = test::cli::tool("run seed_main_model", "MODTRACE_KERNELS=mkl");
  CHECK(r.status == 2);
  CHECK(r.err == "modtrace: MODTRACE_KERNELS=mkl: expected onednn or builtin; available: " + available_text() +
                     "\nRun with --help for more information.\n");
  CHECK(r.out.empty());
  const auto builtin = test::cli::tool("run squeezenet1_0", "MODTRACE_KERNELS=builtin");
  CHECK(builtin.status == 0);
  CHECK(builtin.err.empty());
  CHECK(builtin.out.rfind("tensor([[", 0) == 0);
}
