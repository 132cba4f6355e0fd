#pragma once
// Internal: the matrix product behind convolutions, linear layers and
// matmul, the one place where nearly all of a forward's arithmetic runs. It
// is compiled once per instruction set (gemm_isa.cpp) and gemm() calls the
// build chosen for this process (kernel_isa(), modtrace/cpu.hpp).

#include <cstdint>

namespace modtrace::detail {

// C = op(A) · op(B), every matrix row-major and contiguous: A is m x k
// (k x m when transpose_a), B is k x n (n x k when transpose_b), C is m x n.
// Then, when given, row_bias[i] is added to row i (a convolution's channel
// bias) and column_bias[j] to column j (a linear layer's).
struct Gemm {
  int64_t m = 0, n = 0, k = 0;
  const float* a = nullptr;
  bool transpose_a = false;
  const float* b = nullptr;
  bool transpose_b = false;
  float* c = nullptr;
  const float* row_bias = nullptr;
  const float* column_bias = nullptr;
};

void gemm(const Gemm& g);

// Each instruction set's build; only those lib/meson.build compiled exist.
namespace isa_baseline {
void gemm(const Gemm& g);
}
namespace isa_avx2 {
void gemm(const Gemm& g);
}
namespace isa_avx512 {
void gemm(const Gemm& g);
}

}  // namespace modtrace::detail
