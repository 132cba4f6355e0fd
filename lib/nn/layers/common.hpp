#pragma once
// Internal: what the layers share: PyTorch's init rule for weights, argument
// checks, and the repr of an `inplace` flag.

#include <cmath>
#include <string>

#include "core/random.hpp"
#include "modtrace/error.hpp"
#include "modtrace/tensor.hpp"

namespace modtrace::detail {

// PyTorch's kaiming_uniform_(a=sqrt(5)) and bias rule both reduce to U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
inline Tensor fan_in_uniform(Shape shape, int64_t fan_in) {
  Tensor t = Tensor::empty(std::move(shape));
  const double bound = fan_in > 0 ? 1.0 / std::sqrt(static_cast<double>(fan_in)) : 0.0;
  fill_uniform(t.data(), t.numel(), -bound, bound);
  return t;
}

inline void require_positive(const std::string& layer, const char* what, int64_t value) {
  if (value <= 0) throw Error(layer + ": " + what + " must be positive, got " + std::to_string(value));
}

inline std::string inplace_repr(bool inplace) { return inplace ? "inplace=True" : ""; }

}  // namespace modtrace::detail
