#pragma once
// The op table's public face: every op modtrace can execute, by PyTorch's name.
//
// `enum class Op` lists the ops; each op's row (name, category, input names,
// attribute schema, shape rule, kernel) lives in lib/ops/ next to its kernel,
// and lib/ops/op_table.cpp gathers the rows, refusing a missing or doubled
// one. Ops are executed only through the free functions in functional.hpp
// (F::apply runs any op by its enumerator), the only place traces record.

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "modtrace/shape.hpp"
#include "modtrace/export.hpp"

MODTRACE_PUBLIC_BEGIN
namespace modtrace {

enum class Op : uint8_t {
  // arithmetic, tensor with tensor (broadcasting) or with a scalar
  add, sub, rsub, mul, div, neg, reciprocal, abs, sqrt, rsqrt, exp, log, erf, pow, clamp, where, masked_fill,
  // in place: the result is the first input, written where it lies
  add_, sub_, mul_, div_, clamp_, masked_fill_, relu_, sigmoid_, tanh_,
  // comparisons: 1 where true, 0 where false (modtrace's one dtype is float32)
  eq, ne, gt, ge, lt, le,
  // activations
  relu, relu6, gelu, silu, sigmoid, hardsigmoid, hardswish, tanh, leaky_relu, prelu, mish, softplus,
  softmax, log_softmax,
  // products
  matmul, bmm, baddbmm, einsum, linear, conv1d, conv2d, conv_transpose2d,
  // pooling
  max_pool1d, avg_pool1d, max_pool2d, max_pool2d_with_indices, max_unpool2d, avg_pool2d, adaptive_avg_pool2d,
  // normalisation
  batch_norm, layer_norm, group_norm, instance_norm,
  // views: the result shares its input's storage
  reshape, view, flatten, squeeze, unsqueeze, contiguous,
  // copies that move elements
  permute, transpose, clone, cat, stack, slice, select, narrow, expand, chunk, split, unbind, roll, pad,
  // resampling
  interpolate, pixel_shuffle,
  // indexing
  embedding,
  // reductions
  sum, mean, cumsum, argmax, topk, sort,
  // regularisation (identity in eval mode)
  dropout, dropout2d, stochastic_depth,
  COUNT  // not an op: the number of ops
};

inline constexpr size_t op_count = static_cast<size_t>(Op::COUNT);

enum class OpCategory : uint8_t {
  arithmetic, comparison, activation, product, pooling, normalization, view, copy, resampling, indexing, reduction,
  regularization
};

std::string_view op_name(Op op);
OpCategory op_category(Op op);
std::string_view category_name(OpCategory category);
// Input names in order ("input", "weight", "bias"); variadic ops name one ("tensors").
std::span<const std::string_view> op_input_names(Op op);
// The op called `name`, or throws Error listing what exists.
Op op_from_name(std::string_view name);

// An op's non-tensor arguments, kept in the op's natural order: they are part
// of what a trace records (`mul` by 3 has {"other", 3.0}).
using AttrValue = std::variant<int64_t, double, bool, IntList, std::string>;

// The alternative of AttrValue an attribute holds.
enum class AttrType : uint8_t { integer, real, flag, ints, text };
std::string_view attr_type_name(AttrType type);  // "int", "float", "bool", "int[]", "str"

// One attribute in an op's schema: its name, type and default, written as
// text ("1", "[1, 1]", "1e-05", "false", "none"); "" when every call must
// give it. An optional attribute may be absent, as Python's None (a slice's
// `start`, the scalar `other` of `add` when the other operand is a tensor).
struct AttrSpec {
  std::string_view name;
  AttrType type;
  std::string_view fallback = {};
  bool optional = false;
};

// The attributes `op` records, in order.
std::span<const AttrSpec> op_attributes(Op op);

struct Attr {
  std::string_view name;  // always a string literal
  AttrValue value;
};

class Attrs {
 public:
  Attrs() = default;
  Attrs(std::initializer_list<Attr> items) : items_(items) {}

  // Appends an attribute (names are string literals).
  Attrs& add(std::string_view name, AttrValue value) {
    items_.push_back({name, std::move(value)});
    return *this;
  }

  // Room for n attributes: one allocation per call instead of one per attribute.
  void reserve(size_t n) { items_.reserve(n); }

  bool has(std::string_view name) const { return find(name) != nullptr; }
  // The value named `name`, or nullptr.
  const AttrValue* find(std::string_view name) const;
  // Typed reads; a missing or mistyped attribute is an internal error.
  int64_t integer(std::string_view name) const;
  double real(std::string_view name) const;
  bool flag(std::string_view name) const;
  const IntList& ints(std::string_view name) const;
  const std::string& text(std::string_view name) const;

  std::span<const Attr> items() const { return {items_.data(), items_.size()}; }
  bool empty() const { return items_.empty(); }

 private:
  // Most ops have at most two attributes (a scalar operand, a dim and a
  // flag): those are held inline, so packing them allocates nothing.
  boost::container::small_vector<Attr, 2> items_;
};

// "3", "0.5", "true", "[1, 1]", "tanh": as a label or JSON-free text.
std::string to_string(const AttrValue& value);
// The value `text` denotes for an attribute of `type` (the schema's defaults
// are written this way); Error when it does not parse.
AttrValue parse_attr_value(AttrType type, std::string_view text);
// `given` checked against op's schema and completed: every name known, every
// type right (an integer where a float is expected is converted), defaults
// filled in, in schema order. Error names the op and what was wrong.
Attrs complete_attributes(Op op, const Attrs& given);
// "other=3" / "stride=[2, 2], padding=[1, 1]": every attribute, in order.
std::string to_string(const Attrs& attrs);

}  // namespace modtrace
MODTRACE_PUBLIC_END
