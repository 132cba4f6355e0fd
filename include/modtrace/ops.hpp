#pragma once
// The op table's public face: every op modtrace can execute, by PyTorch's name.
//
// `enum class Op` and the table in lib/ops/op_table.cpp are the single source of
// truth: the table gives each op its name, category, input names, shape rule
// and kernel, and a static_assert makes adding an enumerator without a table
// row a compile error. Ops are executed only through the free functions in
// functional.hpp, which is also the only place where traces record.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace modtrace {

enum class Op : uint8_t {
  // arithmetic, tensor with tensor (broadcasting) or with a scalar
  add, sub, rsub, mul, div, neg, reciprocal,
  // activations
  relu, relu6, gelu, silu, sigmoid, hardsigmoid, hardswish, tanh, softmax,
  // products
  matmul, linear, conv2d,
  // pooling
  max_pool2d, avg_pool2d, adaptive_avg_pool2d,
  // normalisation
  batch_norm, layer_norm,
  // views: the result shares its input's storage
  reshape, view, flatten, squeeze, unsqueeze, contiguous,
  // copies that move elements
  permute, transpose, clone, cat, slice, select, narrow, expand,
  // reductions
  sum, mean,
  // regularisation (identity in eval mode)
  dropout, stochastic_depth,
  COUNT  // not an op: the number of ops
};

inline constexpr size_t op_count = static_cast<size_t>(Op::COUNT);

enum class OpCategory : uint8_t {
  arithmetic, activation, product, pooling, normalization, view, copy, reduction, regularization
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
using AttrValue = std::variant<int64_t, double, bool, std::vector<int64_t>, std::string>;

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

  bool has(std::string_view name) const { return find(name) != nullptr; }
  // Typed reads; a missing or mistyped attribute is an internal error.
  int64_t integer(std::string_view name) const;
  double real(std::string_view name) const;
  bool flag(std::string_view name) const;
  const std::vector<int64_t>& ints(std::string_view name) const;
  const std::string& text(std::string_view name) const;

  const std::vector<Attr>& items() const { return items_; }
  bool empty() const { return items_.empty(); }

 private:
  const AttrValue* find(std::string_view name) const;
  std::vector<Attr> items_;
};

// "3", "0.5", "true", "[1, 1]", "tanh": as a label or JSON-free text.
std::string to_string(const AttrValue& value);
// "other=3" / "stride=[2, 2], padding=[1, 1]": every attribute, in order.
std::string to_string(const Attrs& attrs);

}  // namespace modtrace
