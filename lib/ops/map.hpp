#pragma once
// Internal: applying a scalar function to every element.

#include "core/parallel.hpp"
#include "ops/op_call.hpp"

namespace modtrace::detail {

// out[i] = fn(in[i]) over n elements, vectorised, threaded when large.
template <class Fn>
void map_flat(const float* in, float* out, int64_t n, Fn fn) {
  if (worth_threads(n)) {
#pragma omp parallel for simd schedule(static)
    for (int64_t i = 0; i < n; ++i) out[i] = fn(in[i]);
  } else {
#pragma omp simd
    for (int64_t i = 0; i < n; ++i) out[i] = fn(in[i]);
  }
}

// out[i] = fn(a[i], b[i]) over n elements.
template <class Fn>
void zip_flat(const float* a, const float* b, float* out, int64_t n, Fn fn) {
  if (worth_threads(n)) {
#pragma omp parallel for simd schedule(static)
    for (int64_t i = 0; i < n; ++i) out[i] = fn(a[i], b[i]);
  } else {
#pragma omp simd
    for (int64_t i = 0; i < n; ++i) out[i] = fn(a[i], b[i]);
  }
}

// out[i] = fn(input(0)[i]); input and output have the same shape.
template <class Fn>
void map_elements(const OpCall& call, Tensor& out, Fn fn) {
  map_flat(call.input(0).data(), out.data(), out.numel(), fn);
}

}  // namespace modtrace::detail
