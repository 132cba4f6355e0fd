#pragma once
// The instruction set of modtrace's compute kernels, and the kernel library
// behind convolutions and matrix products.
//
// The matrix product behind convolutions, linear layers and matmul (nearly
// all of a forward's arithmetic) is compiled for x86-64's baseline (SSE2),
// AVX2 with FMA, and AVX-512. At first use AVX2 is chosen when this CPU and
// its OS support it (else baseline), or the one the environment variable
// MODTRACE_ISA names (baseline, avx2, avx512), so one binary runs everywhere
// and fast. AVX-512 is there on request: with Eigen 3.4's kernels it
// measured no faster than AVX2 (docs/benchmarks.md).
// Every choice gives the same results up to float rounding: the tests run
// the parity suite against PyTorch on each. Other platforms have baseline.
//
//   std::cout << modtrace::kernel_isa();   // "avx2"
//
// Convolutions and matrix products run in oneDNN when this build has it
// (meson option `onednn`, on when Debian's libdnnl-dev is installed): the
// library PyTorch's own CPU convolutions use, 2-3x faster on convolutions
// than modtrace's im2col and GEMM. kernel_isa() is then the set of the
// built-in kernels only; oneDNN
// picks its own instruction set by cpuid, up to the one MODTRACE_ISA names
// when that is set (fixed at oneDNN's first use: set_kernel_isa does not
// change it). MODTRACE_KERNELS=builtin, or set_kernel_library("builtin"),
// runs modtrace's own kernels instead; both give the same results up to
// float rounding, and the tests run the parity suite on each.
//
//   std::cout << modtrace::kernel_library();   // "onednn"

#include <string_view>
#include <vector>
#include "modtrace/export.hpp"

MODTRACE_PUBLIC_BEGIN
namespace modtrace {

// The set in use: "baseline", "avx2" or "avx512". Error when MODTRACE_ISA
// names one this build or this CPU cannot run (or none at all).
std::string_view kernel_isa();

// The sets this build has and this CPU runs, narrowest first.
std::vector<std::string_view> available_kernel_isas();

// Uses `isa` from now on, in every thread; call it between forwards, not
// during one. Error naming what is available when it is not.
void set_kernel_isa(std::string_view isa);

// The library convolutions and matrix products run in: "onednn" or "builtin". Error when
// MODTRACE_KERNELS names one this build lacks (or none at all).
std::string_view kernel_library();

// The libraries this build has, the default first.
std::vector<std::string_view> available_kernel_libraries();

// Uses `library` from now on, in every thread; call it between forwards.
void set_kernel_library(std::string_view library);

}  // namespace modtrace
MODTRACE_PUBLIC_END
