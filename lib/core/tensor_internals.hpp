#pragma once
// Internal: what the dispatcher sets on a tensor that users cannot.

#include "modtrace/tensor.hpp"

namespace modtrace::detail {

struct TensorInternals {
  // `op` is the op's name, a string literal from the op table.
  static void mark_copied_view(Tensor& t, const char* op) { t.copied_view_op_ = op; }
  // A tensor over storage someone else owns (a mapped file), kept alive by `data`.
  static Tensor with_storage(Shape shape, std::shared_ptr<float> data) {
    return Tensor::with_storage(std::move(shape), std::move(data));
  }
  // A kernel's scratch buffer: counted against the memory budget like any
  // tensor, and named "a workspace" when refused.
  static Tensor workspace(Shape shape);
};

}  // namespace modtrace::detail
