#pragma once
// Internal: what a trace's nodes point to. Shapes, shape lists and
// attribute sets are interned (one copy per distinct value, found by hash);
// node details are appended. Node-based containers: addresses never move,
// so nodes keep plain pointers, valid while any copy of the Trace lives.

#include <cstring>
#include <deque>
#include <functional>
#include <unordered_set>

#include "modtrace/trace.hpp"

namespace modtrace::detail {

struct ShapeHash {
  size_t operator()(const Shape& shape) const noexcept {
    size_t h = shape.size();
    for (const int64_t d : shape) h = h * 1000003u ^ std::hash<int64_t>{}(d);
    return h;
  }
};

struct ShapeListHash {
  size_t operator()(const std::vector<Shape>& shapes) const noexcept {
    size_t h = shapes.size();
    for (const Shape& s : shapes) h = h * 1000003u ^ ShapeHash{}(s);
    return h;
  }
};

// Attributes are the same when every name and value is, doubles compared
// bit for bit: -0.0 must stay -0.0, and a NaN equals itself.
struct AttrsHash {
  size_t operator()(const Attrs& attrs) const noexcept;
};
struct AttrsEqual {
  bool operator()(const Attrs& a, const Attrs& b) const noexcept;
};

struct TraceStore {
  std::unordered_set<Shape, ShapeHash> shapes;
  std::unordered_set<std::vector<Shape>, ShapeListHash> shape_lists;
  std::unordered_set<Attrs, AttrsHash, AttrsEqual> attribute_sets;
  std::deque<NodeDetails> details;
  // Module calls: paths and type names once each; every call's inputs and
  // outputs in one array (a call's are contiguous), their slots beside.
  std::unordered_set<std::string> strings;
  std::vector<Vertex> call_values;
  std::vector<int> call_slots;
  std::deque<Tensors> kept_values;

  const std::string* intern(const std::string& text) { return &*strings.insert(text).first; }

  const Shape* intern(const Shape& shape) { return &*shapes.insert(shape).first; }
  const std::vector<Shape>* intern(const std::vector<Shape>& list) { return &*shape_lists.insert(list).first; }
  const Attrs* intern(const Attrs& attrs) { return &*attribute_sets.insert(attrs).first; }

  void set_shape(Node& node, const Shape& shape) { node.shape_ = intern(shape); }
  void set_input_shapes(Node& node, const std::vector<Shape>& shapes) { node.input_shapes_ = intern(shapes); }
  void set_output_shapes(Node& node, const std::vector<Shape>& shapes) { node.output_shapes_ = intern(shapes); }
  void set_attrs(Node& node, const Attrs& attrs) { node.attrs_ = intern(attrs); }
  void set_details(Node& node, NodeDetails d) { node.details_ = &details.emplace_back(std::move(d)); }
};

}  // namespace modtrace::detail
