#pragma once
// Deterministic weights: the rule of the reference data (make_reference.py),
// so a model initialised here has bit-identical parameters to the PyTorch
// model the references were computed with.
//
//   u(key, i) = (splitmix64((fnv1a32(key) << 32) | i) >> 40) / 2^24   in [0, 1)
//   running_var: 0.5 + u            running_mean: 0.2 (u - 0.5)
//   num_batches_tracked: untouched  1-D ".weight": 0.75 + 0.5 u
//   other 1-D (and 0-D): 0.2 (u - 0.5)
//   everything else: (2u - 1) sqrt(6 / fan_in), fan_in = numel / shape[0]
//
// with `key` the state_dict key and `i` the row-major index in the tensor.

#include <string_view>

#include "modtrace/module.hpp"
#include "modtrace/export.hpp"

MODTRACE_PUBLIC_BEGIN
namespace modtrace::init {

// Overwrites every state_dict entry of `module` by the rule.
void deterministic(Module& module);

// The rule's value for one tensor (shape from `like`, values by `key`).
Tensor deterministic_value(std::string_view key, const Shape& shape);

}  // namespace modtrace::init
MODTRACE_PUBLIC_END
