// The kernels' instruction set: chosen by what the CPU runs or by
// MODTRACE_ISA, switchable, and every set gives the same products.

#include <algorithm>
#include <cstdlib>

#include "cli.hpp"

using namespace modtrace;

namespace {

// Every op that runs on the matrix product, on inputs that make each path
// work: a plain and a strided convolution with bias (im2col), a 1x1 (no
// im2col), a grouped one, a transposed one, two depthwise ones (its own
// kernel, also compiled per set), linear with bias, matmul with
// broadcasting, bmm.
Tensors products() {
  const Tensor x = Tensor::deterministic({2, 6, 9, 9}, "x");
  const Tensor w3 = Tensor::deterministic({8, 6, 3, 3}, "w3");
  const Tensor w1 = Tensor::deterministic({5, 6, 1, 1}, "w1");
  const Tensor wg = Tensor::deterministic({4, 3, 3, 3}, "wg");
  const Tensor wt = Tensor::deterministic({6, 4, 3, 3}, "wt");
  const Tensor wd = Tensor::deterministic({12, 1, 3, 3}, "wd");
  const Tensor bias8 = Tensor::deterministic({8}, "b8");
  const Tensor a = Tensor::deterministic({3, 7, 33}, "a");
  const Tensor b = Tensor::deterministic({33, 17}, "b");
  const Tensor fc = Tensor::deterministic({19, 33}, "fc");
  const Tensor fc_bias = Tensor::deterministic({19}, "fcb");
  return {
      F::conv2d(x, w3, bias8, {1, 1}, {1, 1}),
      F::conv2d(x, w3, bias8, {2, 2}, {0, 0}),
      F::conv2d(x, w1),
      F::conv2d(x, wg, Tensor(), {1, 1}, {1, 1}, {1, 1}, 2),
      F::conv_transpose2d(x, wt, Tensor(), {2, 2}, {1, 1}),
      F::conv2d(x, wd, Tensor(), {2, 2}, {1, 1}, {1, 1}, 6),
      F::conv2d(x, wd, Tensor(), {1, 1}, {2, 2}, {2, 2}, 6),
      F::linear(a, fc, fc_bias),
      F::matmul(a, b),
      F::bmm(a, a.transpose(1, 2)),
  };
}


std::string available_text() {
  std::string s;
  for (const std::string_view isa : available_kernel_isas()) s += (s.empty() ? "" : ", ") + std::string(isa);
  return s;
}

// Restores the set in use when a test is done with switching.
struct KeepIsa {
  std::string saved{kernel_isa()};
  ~KeepIsa() { set_kernel_isa(saved); }
};

// Convolutions in modtrace's own kernels (oneDNN keeps the set it started
// with: test_kernel_library.cpp), restored afterwards.
struct BuiltinKernels {
  std::string saved{kernel_library()};
  BuiltinKernels() { set_kernel_library("builtin"); }
  ~BuiltinKernels() { set_kernel_library(saved); }
};

}  // namespace

TEST_CASE("the kernels use AVX2 where the CPU runs it, else baseline, or the set MODTRACE_ISA names") {
  const std::vector<std::string_view> available = available_kernel_isas();
  REQUIRE_FALSE(available.empty());
  CHECK(available.front() == "baseline");
  const char* forced = std::getenv("MODTRACE_ISA");
  if (forced != nullptr && *forced != '\0') {
    CHECK(kernel_isa() == forced);
  } else {
    const bool avx2 = std::find(available.begin(), available.end(), "avx2") != available.end();
    CHECK(kernel_isa() == (avx2 ? "avx2" : "baseline"));
  }
#if defined(__x86_64__)
  // On x86-64 the build has AVX2 and AVX-512 too: which run depends on the CPU.
  CHECK(available.size() == 1 + (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") ? 1 : 0) +
                                (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
                                         __builtin_cpu_supports("avx512dq")
                                     ? 1
                                     : 0));
#endif
}

TEST_CASE("every instruction set gives the same convolutions and matrix products") {
  const KeepIsa keep;
  const BuiltinKernels builtin;
  set_kernel_isa("baseline");
  const Tensors expected = products();
  for (const std::string_view isa : available_kernel_isas()) {
    INFO("instruction set " << isa);
    set_kernel_isa(isa);
    CHECK(kernel_isa() == isa);
    const Tensors got = products();
    REQUIRE(got.size() == expected.size());
    for (size_t i = 0; i < got.size(); ++i) {
      INFO("product " << i);
      REQUIRE(got[i].shape() == expected[i].shape());
      // FMA and wider registers sum in another order: equal up to rounding.
      CHECK(max_abs_diff(got[i], expected[i]) <= 1e-4 * std::max(1.0, test::max_abs(expected[i])));
    }
  }
}

TEST_CASE("a product over an empty inner dimension is zeros, plus the bias") {
  const Tensor y = F::linear(Tensor::ones({2, 0}), Tensor::ones({3, 0}), Tensor::full({3}, 0.5f));
  CHECK(y.shape() == Shape{2, 3});
  CHECK(max_abs_diff(y, Tensor::full({2, 3}, 0.5f)) == 0.0);
  const Tensor z = F::matmul(Tensor::ones({2, 0}), Tensor::ones({0, 4}));
  CHECK(max_abs_diff(z, Tensor::zeros({2, 4})) == 0.0);
}

TEST_CASE("set_kernel_isa refuses a set it does not know or this machine lacks, naming what is available") {
  const KeepIsa keep;
  CHECK(test::error_of([] { set_kernel_isa("sse9"); }) ==
        "kernel instruction set sse9: expected baseline, avx2 or avx512; available: " + available_text());
  if (available_kernel_isas().back() != "avx512") {
    CHECK(test::error_of([] { set_kernel_isa("avx512"); }).find("does not support it") != std::string::npos);
  }
  CHECK(kernel_isa() == keep.saved);  // unchanged
}

TEST_CASE("the tool refuses a MODTRACE_ISA it cannot honour before doing anything") {
  const auto r = test::cli::tool("run seed_main_model", "MODTRACE_ISA=sse9");
  CHECK(r.status == 2);
  CHECK(r.err == "modtrace: MODTRACE_ISA=sse9: expected baseline, avx2 or avx512; available: " + available_text() +
                     "\nRun with --help for more information.\n");
  CHECK(r.out.empty());
  const auto ok = test::cli::tool("run seed_main_model", "MODTRACE_ISA=baseline");
  CHECK(ok.status == 0);
  CHECK(ok.out == test::cli::tool("run seed_main_model").out);
}
