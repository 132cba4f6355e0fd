#pragma once
// Internal: what a shape rule and a kernel see, and the table row type.

#include <array>
#include "modtrace/source_location.hpp"
#include <span>
#include <string>
#include <string_view>

#include "modtrace/ops.hpp"
#include "modtrace/tensor.hpp"

namespace modtrace::detail {

// One execution of an op: its inputs (an absent optional input, such as a
// bias, is an undefined Tensor) and attributes. Inputs are pointers to the
// caller's tensors: executing an op copies no tensor handles.
struct OpCall {
  Op op;
  std::span<const Tensor* const> inputs;
  const Attrs& attrs;

  size_t input_count() const { return inputs.size(); }
  const Tensor& input(size_t i) const { return *inputs[i]; }
  bool has_input(size_t i) const { return i < inputs.size() && inputs[i]->defined(); }

  // Throws Error "<op>: <problem> (got input [..], weight [..])".
  [[noreturn]] void fail(const std::string& problem) const;
};

// Computes the output shape, or throws through OpCall::fail.
using ShapeRule = Shape (*)(const OpCall&);
// Fills `out` (allocated with the rule's shape, values uninitialised).
using Kernel = void (*)(const OpCall&, Tensor& out);

struct OpInfo {
  Op op;
  std::string_view name;
  OpCategory category;
  std::array<std::string_view, 5> input_names;  // "" past the last; variadic ops name one
  int min_inputs;
  int max_inputs;  // -1: any number
  ShapeRule shape_rule;
  Kernel kernel;   // nullptr: a view, the output shares input 0's storage
};

const OpInfo& op_info(Op op);

// Checks, computes and (when a trace is active) records one op.
Tensor dispatch(Op op, std::span<const Tensor* const> inputs, const Attrs& attrs,
                const SourceLocation& where);

}  // namespace modtrace::detail
