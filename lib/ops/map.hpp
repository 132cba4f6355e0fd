#pragma once
// Internal: applying a scalar function to every element.

#include "ops/op_call.hpp"

namespace modtrace::detail {

// Below this many elements threads cost more than they save.
inline bool worth_threads(int64_t n) { return n >= (1 << 16); }

// out[i] = fn(input(0)[i]); input and output have the same shape.
template <class Fn>
void map_elements(const OpCall& call, Tensor& out, Fn fn) {
  const float* px = call.input(0).data();
  float* po = out.data();
  const int64_t n = out.numel();
#pragma omp parallel for simd if (worth_threads(n))
  for (int64_t i = 0; i < n; ++i) po[i] = fn(px[i]);
}

}  // namespace modtrace::detail
