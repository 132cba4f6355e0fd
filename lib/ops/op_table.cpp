// The op table: every family's rows, gathered and indexed by Op. Each row
// lives in lib/ops/ next to its shape rule and kernel; this file only checks
// that every Op has exactly one row, and answers questions about ops.

#include <algorithm>
#include <array>
#include <stdexcept>
#include <string>

#include "modtrace/error.hpp"
#include "modtrace/functional.hpp"
#include "ops/op_call.hpp"

namespace modtrace::detail {
namespace {

using Table = std::array<const OpInfo*, op_count>;

// Built on first use. A missing or doubled row is a bug in modtrace itself,
// caught by the first op any test runs.
Table build_table() {
  Table table{};
  for (auto family : {arithmetic_ops, activation_ops, product_ops, conv_ops, pooling_ops, normalization_ops,
                      layout_ops, partition_ops, padding_ops, resampling_ops, indexing_ops, reduction_ops,
                      regularization_ops}) {
    for (const OpInfo& row : family()) {
      auto& slot = table.at(static_cast<size_t>(row.op));
      if (slot != nullptr) throw std::logic_error("op table: two rows for op '" + std::string(row.name) + "'");
      slot = &row;
    }
  }
  for (size_t i = 0; i < table.size(); ++i) {
    if (table[i] == nullptr) throw std::logic_error("op table: no row for Op #" + std::to_string(i));
  }
  return table;
}

const Table& table() {
  static const Table t = build_table();
  return t;
}

constexpr std::array<std::string_view, 12> kCategoryNames{
    "arithmetic", "comparison", "activation", "product",  "pooling",  "normalization",
    "view",       "copy",       "resampling", "indexing", "reduction", "regularization"};

}  // namespace

const OpInfo& op_info(Op op) { return *table()[static_cast<size_t>(op)]; }

}  // namespace modtrace::detail

namespace modtrace {

std::string_view op_name(Op op) { return detail::op_info(op).name; }

OpCategory op_category(Op op) { return detail::op_info(op).category; }

std::string_view category_name(OpCategory category) {
  return detail::kCategoryNames.at(static_cast<size_t>(category));
}

std::span<const std::string_view> op_input_names(Op op) {
  const auto& names = detail::op_info(op).input_names;
  const auto used = std::find(names.begin(), names.end(), std::string_view{});
  return {names.data(), static_cast<size_t>(used - names.begin())};
}

std::span<const AttrSpec> op_attributes(Op op) { return detail::op_info(op).attributes; }

Op op_from_name(std::string_view name) {
  for (const detail::OpInfo* row : detail::table()) {
    if (row->name == name) return row->op;
  }
  std::string known;
  for (const detail::OpInfo* row : detail::table()) known += (known.empty() ? "" : ", ") + std::string(row->name);
  throw Error("unknown op '" + std::string(name) + "'; known ops: " + known);
}

Attrs complete_attributes(Op op, const Attrs& given) {
  const auto schema = op_attributes(op);
  const std::string who(op_name(op));
  auto list = [&] {
    std::string s;
    for (const auto& spec : schema) s += (s.empty() ? "" : ", ") + std::string(spec.name);
    return s.empty() ? std::string("none") : s;
  };
  for (const auto& item : given.items()) {
    const bool known = std::any_of(schema.begin(), schema.end(), [&](const AttrSpec& s) { return s.name == item.name; });
    if (!known) {
      throw Error(who + " has no attribute '" + std::string(item.name) + "'; its attributes are: " + list());
    }
  }
  Attrs out;
  for (const AttrSpec& spec : schema) {
    const AttrValue* value = given.find(spec.name);
    if (value == nullptr) {
      if (!spec.fallback.empty()) out.add(spec.name, parse_attr_value(spec.type, spec.fallback));
      else if (!spec.optional) throw Error(who + ": attribute '" + std::string(spec.name) + "' is required");
      continue;
    }
    const bool integer_for_real = spec.type == AttrType::real && std::holds_alternative<int64_t>(*value);
    if (integer_for_real) {
      out.add(spec.name, static_cast<double>(std::get<int64_t>(*value)));
    } else if (value->index() != static_cast<size_t>(spec.type)) {
      throw Error(who + ": attribute '" + std::string(spec.name) + "' must be " +
                  std::string(attr_type_name(spec.type)) + ", got " + to_string(*value));
    } else {
      out.add(spec.name, *value);
    }
  }
  return out;
}

}  // namespace modtrace

namespace modtrace::F {

Tensors apply(Op op, const Tensors& inputs, const Attrs& attrs, Where where) {
  std::vector<const Tensor*> in;
  in.reserve(inputs.size());
  for (const Tensor& t : inputs) in.push_back(&t);
  const Attrs complete = complete_attributes(op, attrs);
  if (detail::op_info(op).shapes_rule != nullptr) return detail::dispatch_many(op, in, complete, where);
  return {detail::dispatch(op, in, complete, where)};
}

}  // namespace modtrace::F
