#pragma once
// Internal: an ONNX file read into plain structs (no protobuf types past
// onnx_graph.cpp), checked, with each node's exporter scope split out and
// each value classified as data (computed by modtrace's ops, recorded) or
// static (shapes, axes, constants: evaluated on the side, never recorded).

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "modtrace/onnx.hpp"
#include "modtrace/tensor.hpp"

namespace modtrace::detail::onnx {

// A small value known without computing on tensors: a shape, axes, a scalar
// constant. Values are doubles; `integer` says ONNX held integers or bools.
struct StaticValue {
  Shape dims;
  std::vector<double> values;
  bool integer = true;

  int64_t numel() const { return static_cast<int64_t>(values.size()); }
  bool scalar() const { return values.size() == 1; }
  std::vector<int64_t> ints() const;
  Tensor tensor() const;  // as a float32 tensor of dims
  static StaticValue from(const Tensor& t, bool integer);
};

struct Attribute {
  enum class Kind { integer, real, text, ints, reals, tensor, other };
  Kind kind = Kind::other;
  int64_t i = 0;
  double f = 0.0;
  std::string s;
  std::vector<int64_t> ints;
  std::vector<double> reals;
  StaticValue tensor;
};

struct Node {
  std::string op_type;
  std::string name;
  std::string domain;
  std::vector<std::string> inputs;   // "" for an absent optional input
  std::vector<std::string> outputs;
  std::map<std::string, Attribute> attributes;
  std::vector<std::string> scope;    // "/layer1/layer1.0/conv1/Conv" -> {"layer1", "layer1.0", "conv1"}
  bool data = false;                 // has a data input: runs as modtrace ops
};

struct Initializer {
  Shape dims;
  bool is_float = true;
  Tensor tensor;       // float initializers (meta when the weights are missing)
  StaticValue value;   // integer and bool initializers
};

struct Graph {
  std::string origin;  // the file, for messages
  std::vector<Node> nodes;                        // in the file's order, checked topological
  std::map<std::string, Initializer> initializers;
  std::vector<std::string> inputs;                // graph inputs that are not initializers
  std::vector<Shape> input_shapes;
  std::vector<std::string> outputs;
  std::map<std::string, bool> is_data;            // every value: data (true) or static
  int64_t opset = 0;
  std::string producer;
  std::map<std::string, std::string> metadata;    // metadata_props
  bool weights_missing = false;
};

// Parses and checks `bytes` (an ONNX ModelProto); external data files are
// read from `base_dir`. Throws Error naming `origin`.
Graph read_graph(const std::string& bytes, const std::string& origin, const std::string& base_dir,
                 const ImportOptions& options);

// "node '/layer1/layer1.0/conv1/Conv' (Conv, opset 13)" for messages.
std::string describe(const Graph& graph, const Node& node);

}  // namespace modtrace::detail::onnx
