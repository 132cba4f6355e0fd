#pragma once
// Internal: the recorder behind a TraceSession. dispatch() and the module
// call scope talk to it through one thread-local pointer.

#include <unordered_map>

#include "modtrace/trace.hpp"
#include "trace/interner.hpp"
#include "trace/store.hpp"
#include "ops/op_call.hpp"

namespace modtrace::detail {

class Recorder {
 public:
  Recorder(const Module* root, const TraceOptions& options);

  // From dispatch(): an op ran (each output gets its tag) or its checks threw.
  void record_op(const OpCall& call, std::span<Tensor> outs, const SourceLocation& where);
  void record_failed_op(const OpCall& call, const std::exception& error, const SourceLocation& where);

  // From the module call scope: returns the call's index.
  int enter_call(const Module& module, const Tensors& inputs, const SourceLocation& where, bool tuple_argument);
  void leave_call(int call, const Tensors* outputs);  // nullptr: left by an exception

  Tensor add_input(const Tensor& value, std::string name);
  void add_outputs(const Tensors& values);
  void fail(const std::exception& error);

  bool shape_only() const { return options_.shape_only; }
  // The finished trace: its graph is built here, once, from what was recorded.
  Trace take();

 private:
  Vertex add_node(Node node);
  void add_edge(Vertex source, Vertex target, Edge edge);
  // An op node for `call` (attributes, output shapes, call, source) and its input edges.
  Vertex add_op_node(const OpCall& call, NodeKind kind, std::span<const Tensor> outs, const SourceLocation& where,
                     std::string_view error = {});
  // The vertex holding `t`'s value: its producer in this trace, or a new
  // parameter, buffer or constant node.
  Vertex value_of(const Tensor& t);
  // Appends values' vertices and slots to the store's call arrays.
  void append_values(const Tensors& values, uint32_t& at, uint32_t& count);
  int current_call() const { return call_stack_.empty() ? -1 : call_stack_.back(); }
  static void set_subtree_ends(std::vector<ModuleCall>& calls);

  // The stored copy of a shape, attribute set or text, each stored once.
  const Shape* stored(const Shape& shape);
  const Attrs* stored(const Attrs& attrs);
  const char* stored(std::string_view text);
  NodeDetails& details_of(Node& node);

  Trace trace_;
  // Recorded in order, appended only; take() turns them into the graph.
  std::shared_ptr<TraceStore> store_ = std::make_shared<TraceStore>();
  std::vector<Node> nodes_;
  std::vector<std::pair<Vertex, Vertex>> edge_ends_;
  std::vector<Edge> edges_;
  struct ShapeOf {
    const Shape& operator()(const Shape* s) const noexcept { return *s; }
  };
  struct AttrsOf {
    const Attrs& operator()(const Attrs* a) const noexcept { return *a; }
  };
  struct TextOf {
    std::string_view operator()(const char* p) const noexcept { return TextArena::view(p); }
  };
  Interner<const Shape*, Shape, ShapeOf, ShapeHash> shapes_;
  const Shape* last_shape_ = nullptr;  // the shape stored last
  Interner<const Attrs*, Attrs, AttrsOf, AttrsHash, AttrsEqual> attribute_sets_;
  Interner<const char*, std::string_view, TextOf> texts_;
  TraceOptions options_;
  uint64_t id_;
  std::vector<int> call_stack_;
  // Per module called: how often, its stored type name (asked once:
  // demangling and interning are not free) and the stored path of its last
  // call with the parent's path it was made from, so a module called again
  // from the same place (a loop, a shared block) reuses the text.
  struct Seen {
    int calls = 0;
    const char* type = nullptr;
    const char* parent_path = nullptr;
    const char* path = nullptr;
    bool registered = true;  // false: the callee is in no slot of the caller's tree ("<Type>")
  };
  std::unordered_map<const Module*, Seen> modules_seen_;
  std::string path_buffer_;  // reused by enter_call to join a path
  // Reused by add_op_node: an op's resolved operands.
  std::vector<std::pair<Vertex, Edge>> sources_;
  // Parameters and buffers of the root, by storage: the state_dict key,
  // kind and shape (a tensor sharing the storage with another shape is no
  // parameter: a constant). Gathered in one walk into flat arrays, sorted by
  // storage: a trace of a model is often taken many times, and a map of
  // strings and shapes cost a third of a shape-only trace.
  struct Named {
    const float* storage;
    uint32_t key_at, key_size;  // in named_keys_
    uint32_t dims_at, rank;     // in named_dims_
    NodeKind kind;
    std::optional<Vertex> node;  // its node, once an op used it
  };
  void gather_named(const Module& root);
  Named* named(const float* storage);
  std::vector<Named> named_;
  std::string named_keys_;
  std::vector<int64_t> named_dims_;
  // Other values that came from outside the trace (constants), so each
  // appears once: by storage and stored shape (shapes are stored once, so
  // the pointer names it).
  struct OutsideKeyHash {
    size_t operator()(const std::pair<const float*, const Shape*>& k) const noexcept {
      return std::hash<const void*>{}(k.first) * 31u ^ std::hash<const void*>{}(k.second);
    }
  };
  std::unordered_map<std::pair<const float*, const Shape*>, Vertex, OutsideKeyHash> outside_values_;
  std::optional<Vertex> failed_node_;
};

// The recorder of the active session on this thread (nullptr: not tracing).
// initial-exec: reading it is one load from the thread pointer, the whole
// cost of tracing being off.
extern thread_local Recorder* tls_recorder __attribute__((tls_model("initial-exec")));

// Runs ops unrecorded, and computed even in a shape-only trace, while it
// lives: for work that is not part of the model's forward (the ONNX
// importer's evaluation of shapes and constants on the side).
class RecordingPaused {
 public:
  RecordingPaused() noexcept : saved_(tls_recorder) { tls_recorder = nullptr; }
  ~RecordingPaused() { tls_recorder = saved_; }
  RecordingPaused(const RecordingPaused&) = delete;
  RecordingPaused& operator=(const RecordingPaused&) = delete;

 private:
  Recorder* saved_;
};

}  // namespace modtrace::detail
