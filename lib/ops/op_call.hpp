#pragma once
// Internal: what a shape rule and a kernel see, the table row type, and the
// few helpers every family file's F:: functions share.

#include <array>
#include <span>
#include <string>
#include <string_view>

#include "modtrace/ops.hpp"
#include "modtrace/source_location.hpp"
#include "modtrace/tensor.hpp"
#include "ops/schema.hpp"

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

  // Attribute N of an op whose schema is Schema (checked at compile time).
  template <const auto& Schema, Name N>
  const auto& attr() const {
    return read_attr<Schema, N>(attrs);
  }
  // An optional attribute: nullptr when absent.
  template <const auto& Schema, Name N>
  const auto* optional_attr() const {
    return find_attr<Schema, N>(attrs);
  }

  // Throws Error "<op>: <problem> (got input [..], weight [..])".
  [[noreturn]] void fail(const std::string& problem) const;
};

// Computes the output shape, or throws through OpCall::fail.
using ShapeRule = Shape (*)(const OpCall&);
// Fills `out` (allocated with the rule's shape, values uninitialised).
using Kernel = void (*)(const OpCall&, Tensor& out);
// The same for ops with several outputs (chunk, topk): every output's shape,
// and a kernel filling them all.
using ShapesRule = std::vector<Shape> (*)(const OpCall&);
using KernelMany = void (*)(const OpCall&, std::span<Tensor> outs);

// How an op treats its first input's storage.
enum class Writes : uint8_t {
  new_tensor,      // a new tensor (or, with no kernel, a view sharing input 0's storage)
  input_in_place,  // add_, relu_: the result is input 0, written where it lies
  copy_of_view,    // a new tensor where PyTorch returns a view of input 0 (permute,
                   // slice, chunk): marked, so that writing it in place is refused
};

using InputNames = std::array<std::string_view, 5>;  // "" past the last; variadic ops name one
inline constexpr InputNames kUnary{"input"};
inline constexpr InputNames kBinary{"input", "other"};
inline constexpr InputNames kWeighted{"input", "weight", "bias"};
inline constexpr InputNames kTensors{"tensors"};
inline constexpr int kVariadic = -1;

// One row of the op table. Each family file in lib/ops/ defines its rows
// next to their shape rules and kernels.
struct OpInfo {
  Op op;
  std::string_view name;  // PyTorch's
  OpCategory category;
  InputNames input_names;
  int min_inputs;
  int max_inputs;  // kVariadic: any number
  std::span<const AttrSpec> attributes;
  ShapeRule shape_rule;  // null for ops with several outputs
  Kernel kernel;         // nullptr: a view, the output shares input 0's storage
  Writes writes = Writes::new_tensor;
  // Ops with several outputs set these instead of shape_rule and kernel.
  ShapesRule shapes_rule = nullptr;
  KernelMany kernel_many = nullptr;
};

const OpInfo& op_info(Op op);

// The rows of each family (one function per file of lib/ops/); op_table.cpp gathers them.
std::span<const OpInfo> arithmetic_ops();
std::span<const OpInfo> activation_ops();
std::span<const OpInfo> product_ops();
std::span<const OpInfo> conv_ops();
std::span<const OpInfo> pooling_ops();
std::span<const OpInfo> normalization_ops();
std::span<const OpInfo> layout_ops();
std::span<const OpInfo> partition_ops();
std::span<const OpInfo> padding_ops();
std::span<const OpInfo> resampling_ops();
std::span<const OpInfo> indexing_ops();
std::span<const OpInfo> reduction_ops();
std::span<const OpInfo> regularization_ops();

// Checks, computes and (when a trace is active) records one op.
Tensor dispatch(Op op, std::span<const Tensor* const> inputs, const Attrs& attrs,
                const SourceLocation& where);
// The same for an op with several outputs.
Tensors dispatch_many(Op op, std::span<const Tensor* const> inputs, const Attrs& attrs,
                      const SourceLocation& where);

// The shapes F:: functions share: one tensor, two tensors.
inline Tensor dispatch_unary(Op op, const Tensor& x, const SourceLocation& where, const Attrs& attrs = {}) {
  const std::array<const Tensor*, 1> in{&x};
  return dispatch(op, in, attrs, where);
}
inline Tensor dispatch_binary(Op op, const Tensor& a, const Tensor& b, const SourceLocation& where,
                              const Attrs& attrs = {}) {
  const std::array<const Tensor*, 2> in{&a, &b};
  return dispatch(op, in, attrs, where);
}
// An in-place op's result becomes x itself: x is what PyTorch returns, and
// now the recorded value.
inline Tensor& in_place(Tensor& x, Tensor result) {
  x = std::move(result);
  return x;
}

// The shape rule of ops whose output has the input's shape.
inline Shape shape_same(const OpCall& call) { return call.input(0).shape(); }

// A Size2 as the [h, w] list an attribute records.
inline std::vector<int64_t> pair(Size2 s) { return {s.h, s.w}; }

}  // namespace modtrace::detail
