// One instruction set's build of the matrix product (gemm.hpp). lib/meson.build
// compiles this file once per set, with that set's flags and
// MODTRACE_ISA_NAMESPACE naming it (isa_baseline, isa_avx2, isa_avx512).
//
// Eigen is renamed in each build (`#define Eigen …` before its headers): the
// template code the compiler emits here (Eigen's packing routines and
// micro-kernels, inline and therefore weak symbols) gets names of its own.
// Without that the linker would keep one copy of each for the whole library,
// from whichever build it met first, and a CPU without AVX-512 could run
// AVX-512 instructions. tests/check_kernel_symbols.sh checks that each build
// defines nothing weak outside its own names.

#ifndef MODTRACE_ISA_NAMESPACE
#error "gemm_isa.cpp is compiled through lib/meson.build, once per instruction set"
#endif

#define MODTRACE_JOIN2(a, b) a##b
#define MODTRACE_JOIN(a, b) MODTRACE_JOIN2(a, b)
#define Eigen MODTRACE_JOIN(modtrace_eigen_, MODTRACE_ISA_NAMESPACE)

#include <Eigen/Core>

#include "kernels/gemm.hpp"

namespace modtrace::detail::MODTRACE_ISA_NAMESPACE {

namespace {
using Matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using MatrixMap = Eigen::Map<Matrix>;
using ConstMatrixMap = Eigen::Map<const Matrix>;
}  // namespace

void gemm(const Gemm& g) {
  MatrixMap c(g.c, g.m, g.n);
  const ConstMatrixMap a(g.a, g.transpose_a ? g.k : g.m, g.transpose_a ? g.m : g.k);
  const ConstMatrixMap b(g.b, g.transpose_b ? g.n : g.k, g.transpose_b ? g.k : g.n);
  if (!g.transpose_a && !g.transpose_b) c.noalias() = a * b;
  else if (!g.transpose_a) c.noalias() = a * b.transpose();
  else if (!g.transpose_b) c.noalias() = a.transpose() * b;
  else c.noalias() = a.transpose() * b.transpose();
  if (g.row_bias != nullptr) c.colwise() += Eigen::Map<const Eigen::VectorXf>(g.row_bias, g.m);
  if (g.column_bias != nullptr) c.rowwise() += Eigen::Map<const Eigen::RowVectorXf>(g.column_bias, g.n);
}

}  // namespace modtrace::detail::MODTRACE_ISA_NAMESPACE
