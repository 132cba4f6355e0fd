// The op table: one row per Op, the single source of truth for its name,
// category, inputs, shape rule and kernel. dispatch() (dispatch.cpp) reads
// it; nothing else decides what an op is.

#include <algorithm>
#include <array>
#include <string>

#include "modtrace/error.hpp"
#include "ops/families.hpp"

namespace modtrace::detail {
namespace {

using C = OpCategory;
constexpr int kVariadic = -1;

// Input-name lists shared by several rows.
constexpr std::array<std::string_view, 5> kUnary{"input"};
constexpr std::array<std::string_view, 5> kBinary{"input", "other"};
constexpr std::array<std::string_view, 5> kWeighted{"input", "weight", "bias"};
constexpr std::array<std::string_view, 5> kBatchNorm{"input", "running_mean", "running_var", "weight", "bias"};
constexpr std::array<std::string_view, 5> kTensors{"tensors"};

constexpr std::array<OpInfo, op_count> kTable{{
    // op, name, category, inputs, min, max, shape rule, kernel
    {Op::add, "add", C::arithmetic, kBinary, 1, 2, shape_elementwise, run_add},
    {Op::sub, "sub", C::arithmetic, kBinary, 1, 2, shape_elementwise, run_sub},
    {Op::rsub, "rsub", C::arithmetic, kBinary, 1, 1, shape_elementwise, run_rsub},
    {Op::mul, "mul", C::arithmetic, kBinary, 1, 2, shape_elementwise, run_mul},
    {Op::div, "div", C::arithmetic, kBinary, 1, 2, shape_elementwise, run_div},
    {Op::neg, "neg", C::arithmetic, kUnary, 1, 1, shape_same, run_neg},
    {Op::reciprocal, "reciprocal", C::arithmetic, kUnary, 1, 1, shape_same, run_reciprocal},

    {Op::relu, "relu", C::activation, kUnary, 1, 1, shape_same, run_relu},
    {Op::relu6, "relu6", C::activation, kUnary, 1, 1, shape_same, run_relu6},
    {Op::gelu, "gelu", C::activation, kUnary, 1, 1, shape_same, run_gelu},
    {Op::silu, "silu", C::activation, kUnary, 1, 1, shape_same, run_silu},
    {Op::sigmoid, "sigmoid", C::activation, kUnary, 1, 1, shape_same, run_sigmoid},
    {Op::hardsigmoid, "hardsigmoid", C::activation, kUnary, 1, 1, shape_same, run_hardsigmoid},
    {Op::hardswish, "hardswish", C::activation, kUnary, 1, 1, shape_same, run_hardswish},
    {Op::tanh, "tanh", C::activation, kUnary, 1, 1, shape_same, run_tanh},
    {Op::softmax, "softmax", C::activation, kUnary, 1, 1, shape_softmax, run_softmax},

    {Op::matmul, "matmul", C::product, kBinary, 2, 2, shape_matmul, run_matmul},
    {Op::linear, "linear", C::product, kWeighted, 2, 3, shape_linear, run_linear},
    {Op::conv2d, "conv2d", C::product, kWeighted, 2, 3, shape_conv2d, run_conv2d},

    {Op::max_pool2d, "max_pool2d", C::pooling, kUnary, 1, 1, shape_max_pool2d, run_max_pool2d},
    {Op::avg_pool2d, "avg_pool2d", C::pooling, kUnary, 1, 1, shape_avg_pool2d, run_avg_pool2d},
    {Op::adaptive_avg_pool2d, "adaptive_avg_pool2d", C::pooling, kUnary, 1, 1,
     shape_adaptive_avg_pool2d, run_adaptive_avg_pool2d},

    {Op::batch_norm, "batch_norm", C::normalization, kBatchNorm, 3, 5, shape_batch_norm, run_batch_norm},
    {Op::layer_norm, "layer_norm", C::normalization, kWeighted, 1, 3, shape_layer_norm, run_layer_norm},

    {Op::reshape, "reshape", C::view, kUnary, 1, 1, shape_reshape, nullptr},
    {Op::view, "view", C::view, kUnary, 1, 1, shape_reshape, nullptr},
    {Op::flatten, "flatten", C::view, kUnary, 1, 1, shape_flatten, nullptr},
    {Op::squeeze, "squeeze", C::view, kUnary, 1, 1, shape_squeeze, nullptr},
    {Op::unsqueeze, "unsqueeze", C::view, kUnary, 1, 1, shape_unsqueeze, nullptr},
    {Op::contiguous, "contiguous", C::view, kUnary, 1, 1, shape_same, nullptr},

    {Op::permute, "permute", C::copy, kUnary, 1, 1, shape_permute, run_permute},
    {Op::transpose, "transpose", C::copy, kUnary, 1, 1, shape_transpose, run_transpose},
    {Op::clone, "clone", C::copy, kUnary, 1, 1, shape_same, run_clone},
    {Op::cat, "cat", C::copy, kTensors, 1, kVariadic, shape_cat, run_cat},
    {Op::slice, "slice", C::copy, kUnary, 1, 1, shape_slice, run_slice},
    {Op::select, "select", C::copy, kUnary, 1, 1, shape_select, run_select},
    {Op::narrow, "narrow", C::copy, kUnary, 1, 1, shape_narrow, run_narrow},
    {Op::expand, "expand", C::copy, kUnary, 1, 1, shape_expand, run_expand},

    {Op::sum, "sum", C::reduction, kUnary, 1, 1, shape_reduce, run_sum},
    {Op::mean, "mean", C::reduction, kUnary, 1, 1, shape_reduce, run_mean},

    {Op::dropout, "dropout", C::regularization, kUnary, 1, 1, shape_dropout, run_dropout},
    {Op::stochastic_depth, "stochastic_depth", C::regularization, kUnary, 1, 1,
     shape_stochastic_depth, run_stochastic_depth},
}};

// Row i must describe Op(i): a row out of place or missing does not compile.
constexpr bool table_matches_enum() {
  for (size_t i = 0; i < kTable.size(); ++i) {
    if (kTable[i].op != static_cast<Op>(i) || kTable[i].name.empty()) return false;
  }
  return true;
}
static_assert(table_matches_enum(), "op table rows must follow enum class Op, one row per op");

constexpr std::array<std::string_view, 9> kCategoryNames{
    "arithmetic", "activation", "product", "pooling", "normalization",
    "view", "copy", "reduction", "regularization"};

}  // namespace

const OpInfo& op_info(Op op) { return kTable.at(static_cast<size_t>(op)); }

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

Op op_from_name(std::string_view name) {
  for (const auto& row : detail::kTable) {
    if (row.name == name) return row.op;
  }
  std::string known;
  for (const auto& row : detail::kTable) known += (known.empty() ? "" : ", ") + std::string(row.name);
  throw Error("unknown op '" + std::string(name) + "'; known ops: " + known);
}

}  // namespace modtrace
