#pragma once
// Tracing: every op executed through modtrace::F becomes a node of a
// Boost.Graph graph, every module call a record, and every node knows
// whether it ran in the traced module's own code (functional) or inside a
// child's call (module-owned).
//
//   auto model = zoo::create("seed_main_model");
//   Trace t = trace_module(*model, {Tensor::ones({2, 2})});
//   for (Vertex v : t.op_nodes()) {
//     const Node& n = t.graph()[v];
//     Ownership o = t.ownership(v);            // relative to the traced root
//     std::cout << n.op_name() << " " << (o.functional() ? "functional" : o.child) << "\n";
//   }
//   // mul block_0 / mul functional / add functional / mul block_1
//
// Recording is thread-local: a TraceSession records what its own thread
// executes, so two threads tracing at once never mix. When no session is
// active an op pays one thread-local pointer check.

#include <boost/graph/compressed_sparse_row_graph.hpp>
#include <boost/range/iterator_range.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include "modtrace/source_location.hpp"
#include <string>
#include <string_view>
#include <vector>

#include "modtrace/module.hpp"
#include "modtrace/ops.hpp"
#include "modtrace/tensor.hpp"
#include "modtrace/export.hpp"

MODTRACE_PUBLIC_BEGIN
namespace modtrace {

enum class NodeKind : uint8_t {
  input,      // a value fed to the traced forward
  parameter,  // a module parameter, named by its dotted state_dict key
  buffer,     // a module buffer (running statistics …), likewise
  constant,   // a tensor created outside the trace or inside forward without an op
  op,         // an executed op
  failed_op,  // the op whose shape check threw: where a failing forward stopped
  output,     // a value returned by the traced forward
};

std::string_view kind_name(NodeKind kind);

namespace detail {
class Recorder;
struct TraceStore;
struct NodeDetails;
}  // namespace detail

// A graph vertex's bundled properties. Compact, because a trace may hold
// millions (40 bytes): shapes and attribute sets are stored once per trace
// and shared by every node that has them (a chain of 1 000 000 `mul`s holds
// one [4] and one {other=1}), names and other text in one per-trace arena,
// what few nodes have (an error, an origin, several outputs, a constant's
// value) out of line. An op's input shapes are its operands' shapes
// (Trace::input_shapes); a parameter's value is the model's (Trace::value).
// What the accessors return lives as long as the Trace (any copy of it) does.
class Node {
 public:
  NodeKind kind = NodeKind::op;
  std::optional<Op> op;      // for op and failed_op nodes
  int call = -1;             // innermost module call it ran in (index into Trace::calls()), -1: none
  SourceLocation source;     // where F:: was called (line 0: unknown)

  // PyTorch's name of the op, from the op table ("" for value nodes).
  std::string_view op_name() const;
  // The value this node produces (empty for failed ops); its first for several.
  const Shape& shape() const { return *shape_; }
  // An op with several outputs (chunk, topk): each one's shape; else empty.
  const std::vector<Shape>& output_shapes() const;
  // The op's attributes (`other` = 3 for x * 3).
  const Attrs& attrs() const { return *attrs_; }
  // Inputs, parameters, buffers, constants, outputs: their name ("input",
  // "layer1.0.conv1.weight", "constant", "output"); "" for ops.
  std::string_view name() const;
  // Where the op came from when that is not a line of C++: an imported
  // model's node ("resnet18.onnx: /layer1/layer1.0/Add"); "" otherwise (see OpOrigin).
  std::string_view origin() const;
  std::string_view error() const;  // failed_op: the error message
  // Where it came from, for people: the C++ line ("lib/zoo/resnet.cpp:41"),
  // else the imported model's node (origin()), else "".
  std::string location() const;

 private:
  friend class detail::Recorder;
  friend class Trace;
  // Ops and constants may have details, other value nodes have a name: one
  // pointer, which one told by `kind` (a constant's name is "constant").
  bool has_details() const { return kind == NodeKind::op || kind == NodeKind::failed_op || kind == NodeKind::constant; }
  const detail::NodeDetails* details() const { return has_details() ? details_ : nullptr; }

  const Shape* shape_;
  const Attrs* attrs_;
  union {
    const char* name_ = nullptr;             // in the trace's text arena
    const detail::NodeDetails* details_;
  };

 public:
  Node();
};

// A graph edge: the source's value (its output `output`, for an op with
// several) is operand `operand` of the target.
struct Edge {
  int operand = 0;
  int output = 0;
};

// Built once, when the trace ends (nothing adds to a finished trace), as
// compressed sparse rows with 32-bit indices: a vertex costs its Node and two
// 4-byte offsets, an edge 20 bytes, with no allocation per vertex. Every
// read-only BGL algorithm works on it (vertices, out_edges, in_edges,
// bundled properties). Out-edges keep the order they were recorded in;
// in-edges come by source vertex: Edge::operand is an operand's position.
using Graph = boost::compressed_sparse_row_graph<boost::bidirectionalS, Node, Edge, boost::no_property,
                                                 uint32_t, uint32_t>;
// Vertices are numbered in execution order: an op's operands have lower
// numbers than the op, a call's ops are numbered after its inputs.
using Vertex = Graph::vertex_descriptor;

// One call of one module. Compact like Node: paths and type names are in
// the trace's text arena (once each), the values of every call in one
// per-trace array.
class ModuleCall {
 public:
  int call_index = 0;           // 0 for this module's first call in the trace, 1 for the second …
  int parent = -1;              // the enclosing call, -1 for the outermost
  int depth = 0;                // 0 for the outermost call
  // False when the caller called a module that is not in its tree (one kept
  // in a plain list): no child, so its work counts as the caller's own code.
  // Its path segment is "<Type>".
  bool registered = true;
  bool tuple_argument = false;  // called with one tuple (call_with_tuple), not positional tensors
  bool completed = false;       // false when an exception left the call
  const Module* module = nullptr;  // identity of the instance (valid while the model lives)
  SourceLocation source;        // the line that made the call

  // Dotted path from the traced root ("" is the root itself).
  std::string_view path() const;
  std::string_view type() const;  // "Conv2d"
  // The values it was called with (a tuple's items), and those it returned
  // (empty if it did not return).
  std::span<const Vertex> inputs() const;
  std::span<const Vertex> outputs() const;
  // For each input and output, which output of its node it is (non-zero
  // only for ops with several outputs: the second part of a chunk).
  std::span<const int> input_slots() const;
  std::span<const int> output_slots() const;
  // Kept only for the path named in TraceOptions::keep_values_of; else empty.
  const Tensors& input_values() const;
  // The calls made inside this one, however deep, are the indices after it
  // up to (not including) this: calls are numbered in the order they started.
  int subtree_end() const { return subtree_end_; }

 private:
  friend class detail::Recorder;
  const char* path_ = nullptr;  // in the trace's text arena
  const char* type_ = nullptr;
  const detail::TraceStore* store_ = nullptr;
  uint32_t inputs_at_ = 0, inputs_count_ = 0;    // in the store's call values and slots
  uint32_t outputs_at_ = 0, outputs_count_ = 0;
  int kept_values_ = -1;                         // in the store's kept values
  int subtree_end_ = 0;                          // set when the trace is taken
};

// Where an op ran, relative to a reference module (by default the traced root).
// A call of an unregistered module is no child: what runs inside it is the
// reference module's own work (functional), however deep.
struct Ownership {
  enum class Kind { functional, module_owned, outside };
  Kind kind = Kind::outside;
  int reference_call = -1;  // the call of the reference module the node ran under
  int child_call = -1;      // module-owned: the reference module's direct child call it ran under
  int unregistered_call = -1;  // functional through an unregistered module: that module's call
  int innermost_call = -1;  // the innermost call it ran in
  std::string child;        // module-owned: that child's path
  std::string module;       // path of the innermost module

  bool functional() const { return kind == Kind::functional; }
  bool module_owned() const { return kind == Kind::module_owned; }
};

// Why a traced forward stopped.
struct TraceFailure {
  std::string message;       // the full error text
  std::string reason;        // the same without the module context (Error::message())
  std::string module_path;   // innermost module it happened in ("" for the root)
  std::string module_type;
  std::string called_at;     // "file:line" that called that module (Error::called_at())
  std::string source;        // "file:line" of the op that raised it, "" when no op did
  int call = -1;             // that module's call record
  std::optional<Vertex> failed_node;  // the failed op, when an op's check threw
};

// Told the stage long work is entering ("tracing the children-only
// Sequential"), so that a front end can show progress (the tool does on a
// terminal). Called on the calling thread; it must not throw.
using ProgressFn = std::function<void(std::string_view stage)>;

struct TraceOptions {
  // Replace the inputs by meta tensors, and give every op a meta output
  // (even one reading only parameters): the same graph, no arithmetic.
  bool shape_only = false;
  // Keep the input tensors of calls of the module at this path (for analysis at a sub-module).
  std::optional<std::string> keep_values_of = std::nullopt;
  // Call the module with the inputs as one tuple (call_with_tuple), as its
  // caller did when it was recorded that way (a DenseNet layer's list).
  bool tuple_argument = false;
};

class Trace {
 public:
  const Graph& graph() const { return *graph_; }
  const std::vector<ModuleCall>& calls() const { return calls_; }
  const Module* root() const { return root_; }
  bool shape_only() const { return shape_only_; }

  // Vertices by role, in execution order.
  std::vector<Vertex> nodes() const;
  std::vector<Vertex> op_nodes() const;  // op and failed_op
  const std::vector<Vertex>& inputs() const { return inputs_; }
  const std::vector<Vertex>& outputs() const { return outputs_; }
  // The real output tensors (meta in shape-only traces); empty if the forward failed.
  const Tensors& output_values() const { return output_values_; }

  // The shapes of a node's operands, in order: each one's producer's (an
  // op's absent optional operand, like a missing bias, is not listed).
  std::vector<Shape> input_shapes(Vertex v) const;
  // The shape of output `output` of a node (its only one when 0).
  const Shape& shape_of(Vertex v, int output = 0) const;
  // What a value node holds: a parameter's or buffer's tensor as the traced
  // model holds it now (read from root(), which must be alive; it shares
  // storage), a constant's as recorded. Undefined for inputs, ops and outputs.
  Tensor value(Vertex v) const;

  // Whether the forward returned, and if not, where it stopped.
  bool completed() const { return !failure_.has_value(); }
  const std::optional<TraceFailure>& failure() const { return failure_; }

  // Ownership relative to the outermost call (the traced root).
  Ownership ownership(Vertex v) const;
  // Relative to the first call of the module at `path` ("" is the root).
  Ownership ownership(Vertex v, std::string_view path) const;
  // Relative to a given call.
  Ownership ownership_in_call(Vertex v, int reference_call) const;

  // The module calls a node ran in, outermost first (empty outside any call).
  std::vector<int> call_stack(Vertex v) const;
  // Calls of the module at `path`, in order; the direct child calls of a call.
  std::vector<int> calls_of(std::string_view path) const;
  std::vector<int> child_calls(int call) const;

 private:
  friend class detail::Recorder;
  // Shared and immutable once recorded, so copying or moving a Trace is
  // cheap. The store holds what the nodes point to (shapes, attributes, details).
  std::shared_ptr<const detail::TraceStore> store_;
  std::shared_ptr<const Graph> graph_ = std::make_shared<const Graph>();
  std::vector<ModuleCall> calls_;
  std::vector<Vertex> inputs_;
  std::vector<Vertex> outputs_;
  Tensors output_values_;
  std::optional<TraceFailure> failure_;
  const Module* root_ = nullptr;
  bool shape_only_ = false;
};

// RAII recording on the current thread. While alive, every op and module
// call on this thread is recorded into its trace; sessions nest (an inner
// one pauses the outer one, which records again once the inner one ends, in
// whatever order sessions end). Parameters and buffers of `root` are named
// by their state_dict keys. A session belongs to the thread that made it.
class TraceSession {
 public:
  explicit TraceSession(const Module* root = nullptr, const TraceOptions& options = {});
  ~TraceSession();
  TraceSession(const TraceSession&) = delete;
  TraceSession& operator=(const TraceSession&) = delete;

  // Marks a graph input and returns the tensor to feed (a meta copy when shape-only).
  Tensor input(const Tensor& value, std::string name = "input");
  // Marks the forward's results as outputs.
  void output(const Tensors& values);
  // Records that the forward threw.
  void fail(const std::exception& error);
  // Stops recording and hands over the trace.
  Trace finish();

 private:
  // Leaves this thread's stack of sessions, from the top or the middle.
  void end();

  std::unique_ptr<detail::Recorder> recorder_;
  TraceSession* below_ = nullptr;  // the session this one pauses
  TraceSession* above_ = nullptr;  // the session pausing this one
  bool active_ = true;
};

// Traces one forward of `module` on `inputs`. Never throws for errors inside
// the forward: the returned trace says where it stopped (failure()).
Trace trace_module(Module& module, const Tensors& inputs, const TraceOptions& options = {});

// Stable names for the values of a trace, as `modtrace trace` lists them and
// extract() (repair.hpp) takes them. A module call is named by its path ("layer4",
// "layer1.0.relu"; its second call "layer1.0.relu_1"); an op by the module
// whose own code ran it and the op ("flatten" in the root, "layer1.0.add";
// the second add there "layer1.0.add_1"), like torch.fx's node names.
struct NamedValue {
  std::string name;
  bool is_call = false;
  int call = -1;   // is_call: the call
  Vertex op = 0;   // otherwise: the op
};
// Every call (the root's excepted) and every op of a trace, in execution order.
std::vector<NamedValue> value_names(const Trace& trace);

// Labels the ops this thread runs while it lives with where they came from,
// for models that are not C++ code (the ONNX importer labels each node's ops
// with the node: Node::origin). The text must outlive the label; labels nest.
class OpOrigin {
 public:
  explicit OpOrigin(std::string_view origin) noexcept;
  ~OpOrigin();
  OpOrigin(const OpOrigin&) = delete;
  OpOrigin& operator=(const OpOrigin&) = delete;
  // The innermost label on this thread, "" when none.
  static std::string_view current() noexcept;

 private:
  std::string_view previous_;
};

}  // namespace modtrace
MODTRACE_PUBLIC_END
