#pragma once
// Internal: running one ONNX node. Data nodes map onto modtrace's ops
// (F:: calls, so traces record them under PyTorch's names: Gemm is linear,
// Transpose is permute, GlobalAveragePool is adaptive_avg_pool2d); static
// nodes (shapes, axes, constants) are evaluated on small values and never
// recorded.

#include <span>
#include <string>
#include <variant>
#include <vector>

#include "import/onnx_graph.hpp"

namespace modtrace::detail::onnx {

// A value while a program runs: a tensor on modtrace's engine, or a static value.
using Value = std::variant<Tensor, StaticValue>;

// What a node's handler sees.
class NodeRun {
 public:
  NodeRun(const Graph& graph, const Node& node, std::vector<const Value*> inputs)
      : graph_(graph), node_(node), inputs_(std::move(inputs)) {}

  const Graph& graph() const { return graph_; }
  const Node& node() const { return node_; }
  size_t input_count() const { return inputs_.size(); }
  bool has(size_t i) const { return i < inputs_.size() && inputs_[i] != nullptr; }
  bool is_static(size_t i) const { return has(i) && std::holds_alternative<StaticValue>(*inputs_[i]); }
  // Input i as it is (Error when missing).
  const Value& value(size_t i) const;
  // Input i as a tensor (a static value becomes a constant float tensor).
  Tensor tensor(size_t i) const;
  // Input i as a static value; Error when it is computed from data.
  const StaticValue& static_value(size_t i) const;

  bool has_attribute(const std::string& name) const { return node_.attributes.count(name) > 0; }
  int64_t integer(const std::string& name, int64_t fallback) const;
  double real(const std::string& name, double fallback) const;
  std::string text(const std::string& name, const std::string& fallback) const;
  std::vector<int64_t> ints(const std::string& name, std::vector<int64_t> fallback = {}) const;
  const StaticValue& tensor_attribute(const std::string& name) const;

  // Error "cannot run node '…' (Conv, opset 13): <problem>".
  [[noreturn]] void fail(const std::string& problem) const;

 private:
  const Graph& graph_;
  const Node& node_;
  std::vector<const Value*> inputs_;
};

// Runs a data node on modtrace's ops; its outputs, in the node's output order.
std::vector<Value> run_data_node(NodeRun& run);
// Evaluates a static node (onnx_static.cpp); an op without a static form runs
// as data on constant tensors, unrecorded, and its results stay static.
std::vector<Value> run_static_node(NodeRun& run);
bool has_static_form(const std::string& op_type);

// Whether modtrace can run `op_type` at all (checked for every node at import).
bool supported(const std::string& op_type);

// The name PyTorch gives the initializer an op reads at input `index` when
// the file's own name says nothing ("weight" for Conv's input 1,
// "running_mean" for BatchNormalization's input 3), "" when there is none.
// `buffer` tells a buffer from a parameter.
std::string parameter_role(const std::string& op_type, size_t index, bool& buffer);

}  // namespace modtrace::detail::onnx
