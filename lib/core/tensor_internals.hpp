#pragma once
// Internal: what the dispatcher sets on a tensor that users cannot.

#include "modtrace/tensor.hpp"

namespace modtrace::detail {

struct TensorInternals {
  // `op` is the op's name, a string literal from the op table.
  static void mark_copied_view(Tensor& t, const char* op) { t.copied_view_op_ = op; }
};

}  // namespace modtrace::detail
