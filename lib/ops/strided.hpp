#pragma once
// Internal: visiting an N-d index space for several operands at once.
//
// Broadcasting, expand, permute and reductions are all "walk the output in
// row-major order, each operand with its own element strides (0 where it is
// broadcast)". Dimensions that are contiguous for every operand are merged
// first, so the innermost run is as long as possible and the body's loop is a
// plain strided loop the compiler vectorises.

#include <array>
#include <cstdint>
#include <vector>

#include "modtrace/shape.hpp"

namespace modtrace::detail {

using Strides = std::vector<int64_t>;

// Elements before / after dimension `dim` of `shape`.
inline int64_t outer_size(const Shape& s, int64_t dim) {
  int64_t n = 1;
  for (int64_t d = 0; d < dim; ++d) n *= s[d];
  return n;
}
inline int64_t inner_size(const Shape& s, int64_t dim) {
  int64_t n = 1;
  for (size_t d = static_cast<size_t>(dim) + 1; d < s.size(); ++d) n *= s[d];
  return n;
}

// Strides of `shape` read as if broadcast to `target` (right-aligned, 0 on
// broadcast dimensions). `shape` must be broadcastable to `target`.
inline Strides broadcast_strides(const Shape& shape, const Shape& target) {
  Strides own = contiguous_strides(shape);
  Strides out(target.size(), 0);
  const size_t offset = target.size() - shape.size();
  for (size_t i = 0; i < shape.size(); ++i) {
    out[offset + i] = (shape[i] == 1 && target[offset + i] != 1) ? 0 : own[i];
  }
  return out;
}

template <size_t K>
struct RunPlan {
  std::vector<int64_t> outer_sizes;            // coalesced outer dimensions
  std::array<std::vector<int64_t>, K> outer_strides;
  int64_t inner_size = 1;
  std::array<int64_t, K> inner_strides{};
  int64_t runs = 1;                            // product of outer_sizes
};

template <size_t K>
RunPlan<K> plan_runs(const Shape& shape, const std::array<Strides, K>& strides) {
  // Drop size-1 dimensions, then merge neighbours that are contiguous for all operands.
  std::vector<int64_t> sizes;
  std::array<std::vector<int64_t>, K> st;
  for (size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] == 1) continue;
    sizes.push_back(shape[d]);
    for (size_t k = 0; k < K; ++k) st[k].push_back(strides[k][d]);
  }
  std::vector<int64_t> merged_sizes;
  std::array<std::vector<int64_t>, K> merged;
  for (size_t d = 0; d < sizes.size(); ++d) {
    bool can_merge = !merged_sizes.empty();
    for (size_t k = 0; k < K && can_merge; ++k) {
      can_merge = merged[k].back() == st[k][d] * sizes[d];
    }
    if (can_merge) {
      merged_sizes.back() *= sizes[d];
      for (size_t k = 0; k < K; ++k) merged[k].back() = st[k][d];
    } else {
      merged_sizes.push_back(sizes[d]);
      for (size_t k = 0; k < K; ++k) merged[k].push_back(st[k][d]);
    }
  }
  RunPlan<K> plan;
  if (merged_sizes.empty()) return plan;  // a single element
  plan.inner_size = merged_sizes.back();
  for (size_t k = 0; k < K; ++k) plan.inner_strides[k] = merged[k].back();
  plan.outer_sizes.assign(merged_sizes.begin(), merged_sizes.end() - 1);
  for (size_t k = 0; k < K; ++k) plan.outer_strides[k].assign(merged[k].begin(), merged[k].end() - 1);
  for (int64_t s : plan.outer_sizes) plan.runs *= s;
  return plan;
}

// Offsets of run number `run` (row-major over the outer dimensions).
template <size_t K>
std::array<int64_t, K> run_offsets(const RunPlan<K>& plan, int64_t run) {
  std::array<int64_t, K> offsets{};
  for (size_t d = plan.outer_sizes.size(); d-- > 0;) {
    const int64_t i = run % plan.outer_sizes[d];
    run /= plan.outer_sizes[d];
    for (size_t k = 0; k < K; ++k) offsets[k] += i * plan.outer_strides[k][d];
  }
  return offsets;
}

// Calls body(offsets, inner_strides, inner_size) once per innermost run.
// The runs of a large walk are split across threads: use it only when runs
// write disjoint outputs.
template <size_t K, class Body>
void for_each_run(const Shape& shape, const std::array<Strides, K>& strides, Body&& body) {
  const RunPlan<K> plan = plan_runs<K>(shape, strides);
  if (plan.runs > 1 && plan.runs * plan.inner_size >= (1 << 16)) {
#pragma omp parallel for schedule(static)
    for (int64_t run = 0; run < plan.runs; ++run) {
      body(run_offsets<K>(plan, run), plan.inner_strides, plan.inner_size);
    }
  } else {
    for (int64_t run = 0; run < plan.runs; ++run) {
      body(run_offsets<K>(plan, run), plan.inner_strides, plan.inner_size);
    }
  }
}

// The same walk on the calling thread, for bodies that accumulate.
template <size_t K, class Body>
void for_each_run_serial(const Shape& shape, const std::array<Strides, K>& strides, Body&& body) {
  const RunPlan<K> plan = plan_runs<K>(shape, strides);
  for (int64_t run = 0; run < plan.runs; ++run) {
    body(run_offsets<K>(plan, run), plan.inner_strides, plan.inner_size);
  }
}

}  // namespace modtrace::detail
