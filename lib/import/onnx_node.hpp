#pragma once
// Internal: what reading an ONNX node's operands needs, for data and static
// nodes alike: shapes of values, axes, ONNX's broadcasting, Slice's and
// Reshape's rules.

#include <cstdint>
#include <vector>

#include "import/onnx_ops.hpp"

namespace modtrace::detail::onnx {

// The shape of a tensor or of a static value.
Shape shape_of(const Value& v);

// `axis` in [-rank, rank) as a non-negative axis; the node's error otherwise.
int64_t wrap_axis(NodeRun& run, int64_t axis, int64_t rank);

// Axes from an attribute (older opsets) or input `index` (newer ones).
std::vector<int64_t> axes_of(NodeRun& run, size_t index);

// ONNX's (bidirectional) broadcast of two shapes.
Shape broadcast(NodeRun& run, const Shape& a, const Shape& b);

// ONNX Slice's bounds for one axis (clamped as numpy does).
struct Bounds {
  int64_t start, end, step;
};
Bounds slice_bounds(int64_t start, int64_t end, int64_t step, int64_t size);

// A Slice node's starts, ends, axes (non-negative) and steps, from
// attributes (opset < 10) or inputs.
struct SliceSpec {
  std::vector<int64_t> starts, ends, axes, steps;
};
SliceSpec slice_spec(NodeRun& run, int64_t rank);

// Reshape's target with ONNX's rules: 0 copies the input's size (unless allowzero), -1 is inferred.
Shape reshape_target(NodeRun& run, const Shape& in, const std::vector<int64_t>& requested);

}  // namespace modtrace::detail::onnx
