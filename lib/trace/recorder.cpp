#include "trace/recorder.hpp"

#include <algorithm>
#include <atomic>
#include <stdexcept>

namespace modtrace::detail {
namespace {

std::atomic<uint64_t> next_trace_id{1};

}  // namespace

thread_local Recorder* tls_recorder __attribute__((tls_model("initial-exec"))) = nullptr;

Recorder::Recorder(const Module* root, const TraceOptions& options)
    : options_(options), id_(next_trace_id.fetch_add(1)) {
  trace_.root_ = root;
  trace_.shape_only_ = options.shape_only;
  if (root != nullptr) gather_named(*root);
}

void Recorder::gather_named(const Module& root) {
  // named_modules() order (an instance once, under its first path), then
  // parameters before buffers, the first name of a storage winning: as
  // named_parameters() and named_buffers() name them.
  struct Visit {
    const Module* module;
    uint32_t path_at, path_size;  // in paths
  };
  std::vector<Visit> modules;
  std::string paths;
  // The table of modules called doubles as the set of modules seen: each
  // gets its entry once, here, rather than a node in a set and another later.
  auto walk = [&](auto&& self, const Module& m, uint32_t path_at, uint32_t path_size) -> void {
    if (!modules_seen_.try_emplace(&m).second) return;
    modules.push_back({&m, path_at, path_size});
    for (const auto& [name, child] : m.registered_children()) {
      const auto at = static_cast<uint32_t>(paths.size());
      if (path_size > 0) paths.append(paths, path_at, path_size).push_back('.');
      paths += name;
      self(self, *child, at, static_cast<uint32_t>(paths.size()) - at);
    }
  };
  walk(walk, root, 0, 0);
  auto add = [&](const Visit& visit, const std::string& name, const Tensor& t, NodeKind kind) {
    if (!t.defined() || t.is_meta()) return;
    Named entry{t.data(), static_cast<uint32_t>(named_keys_.size()), 0,
                static_cast<uint32_t>(named_dims_.size()), static_cast<uint32_t>(t.dim()), kind, std::nullopt};
    if (visit.path_size > 0) named_keys_.append(paths, visit.path_at, visit.path_size).push_back('.');
    named_keys_ += name;
    entry.key_size = static_cast<uint32_t>(named_keys_.size()) - entry.key_at;
    named_dims_.insert(named_dims_.end(), t.shape().begin(), t.shape().end());
    named_.push_back(entry);
  };
  for (const Visit& visit : modules) {
    for (const auto& [name, t] : visit.module->own_parameters()) add(visit, name, t, NodeKind::parameter);
  }
  for (const Visit& visit : modules) {
    for (const auto& [name, t] : visit.module->own_buffers()) add(visit, name, t, NodeKind::buffer);
  }
  std::stable_sort(named_.begin(), named_.end(), [](const Named& a, const Named& b) { return a.storage < b.storage; });
  named_.erase(std::unique(named_.begin(), named_.end(),
                           [](const Named& a, const Named& b) { return a.storage == b.storage; }),
               named_.end());
}

Recorder::Named* Recorder::named(const float* storage) {
  const auto it = std::lower_bound(named_.begin(), named_.end(), storage,
                                   [](const Named& entry, const float* s) { return entry.storage < s; });
  return it != named_.end() && it->storage == storage ? &*it : nullptr;
}

const Shape* Recorder::stored(const Shape& shape) {
  // Consecutive ops mostly keep the shape (conv, norm, activation): compare
  // with the last one before hashing.
  if (last_shape_ != nullptr && *last_shape_ == shape) return last_shape_;
  last_shape_ = shapes_.intern(shape, [&](const Shape& s) { return &store_->shapes.emplace_back(s); });
  return last_shape_;
}

const Attrs* Recorder::stored(const Attrs& attrs) {
  return attribute_sets_.intern(attrs, [&](const Attrs& a) { return &store_->attribute_sets.emplace_back(a); });
}

const char* Recorder::stored(std::string_view text) {
  return texts_.intern(text, [&](std::string_view t) { return store_->text.add(t); });
}

NodeDetails& Recorder::details_of(Node& node) {
  if (!node.has_details()) throw std::logic_error("details_of: a node of kind " + std::string(kind_name(node.kind)));
  if (node.details_ == nullptr) node.details_ = &store_->details.emplace_back();
  // The recorder made it, in its own store: it may still fill it in.
  return const_cast<NodeDetails&>(*node.details_);
}

Vertex Recorder::add_node(Node node) {
  nodes_.push_back(node);
  return static_cast<Vertex>(nodes_.size() - 1);
}

void Recorder::add_edge(Vertex source, Vertex target, Edge edge) {
  edge_ends_.emplace_back(source, target);
  edges_.push_back(edge);
}

// A call's subtree ends at the first later call that is not deeper: one pass
// with the open calls on a stack (an exception may have left calls that
// never closed, so the ends come from depths, not from leave_call).
void Recorder::set_subtree_ends(std::vector<ModuleCall>& calls) {
  std::vector<int> open;
  for (int i = 0; i < static_cast<int>(calls.size()); ++i) {
    while (!open.empty() && calls[open.back()].depth >= calls[i].depth) {
      calls[open.back()].subtree_end_ = i;
      open.pop_back();
    }
    open.push_back(i);
  }
  for (const int i : open) calls[i].subtree_end_ = static_cast<int>(calls.size());
}

Trace Recorder::take() {
  // The text goes into one block of its exact size (names and paths are a
  // third of a zoo trace), every pointer to it moved along.
  store_->text.compact([&](auto moved) {
    for (Node& n : nodes_) {
      if (!n.has_details()) {
        n.name_ = moved(n.name_);
      } else if (n.details_ != nullptr) {
        NodeDetails& details = const_cast<NodeDetails&>(*n.details_);  // the recorder's own, still being finished
        details.origin = moved(details.origin);
        details.error = moved(details.error);
      }
    }
    for (ModuleCall& c : trace_.calls_) {
      c.path_ = moved(c.path_);
      c.type_ = moved(c.type_);
    }
  });
  // Compressed sparse rows keep each vertex's out-edges in the order they
  // were added, as the adjacency list did (consumers in order); in-edges
  // come by source, each carrying its operand position.
  auto graph = std::make_shared<Graph>(boost::edges_are_unsorted_multi_pass, edge_ends_.begin(), edge_ends_.end(),
                                       edges_.begin(), nodes_.size());
  for (Vertex v = 0; v < nodes_.size(); ++v) (*graph)[v] = nodes_[v];
  std::vector<Node>().swap(nodes_);
  std::vector<std::pair<Vertex, Vertex>>().swap(edge_ends_);
  std::vector<Edge>().swap(edges_);
  trace_.graph_ = std::move(graph);
  set_subtree_ends(trace_.calls_);
  // What was grown by doubling is cut to size: a trace is kept, often long.
  trace_.calls_.shrink_to_fit();
  store_->call_values.shrink_to_fit();
  store_->call_slots.shrink_to_fit();
  trace_.store_ = store_;
  return std::move(trace_);
}

Vertex Recorder::value_of(const Tensor& t) {
  if (t.trace_tag().trace == id_) return t.trace_tag().value;
  const float* storage = t.is_meta() ? nullptr : t.data();
  Named* entry = storage ? named(storage) : nullptr;
  if (entry != nullptr && !std::equal(t.shape().begin(), t.shape().end(), named_dims_.begin() + entry->dims_at,
                                      named_dims_.begin() + entry->dims_at + entry->rank)) {
    entry = nullptr;  // the parameter's storage seen with another shape: a constant
  }
  if (entry != nullptr && entry->node) return *entry->node;
  const Shape* shape = stored(t.shape());
  if (entry == nullptr && storage != nullptr) {
    if (auto it = outside_values_.find({storage, shape}); it != outside_values_.end()) return it->second;
  }
  Node node;
  node.shape_ = shape;
  if (entry != nullptr) {
    // Its value is the model's (Trace::value): the node holds only the key,
    // stored without interning (a parameter becomes one node).
    node.kind = entry->kind;
    node.name_ = store_->text.add(std::string_view(named_keys_).substr(entry->key_at, entry->key_size));
  } else {
    node.kind = NodeKind::constant;  // named "constant"
    details_of(node).constant = &store_->constants.emplace_back(t);
  }
  const Vertex v = add_node(node);
  if (entry != nullptr) {
    entry->node = v;
  } else if (storage != nullptr) {
    outside_values_.emplace(std::make_pair(storage, shape), v);
  }
  return v;
}

Vertex Recorder::add_op_node(const OpCall& call, NodeKind kind, std::span<const Tensor> outs,
                             const SourceLocation& where, std::string_view error) {
  Node node;
  node.kind = kind;
  node.op = call.op;
  node.attrs_ = stored(call.attrs);
  node.shape_ = stored(outs.empty() ? Shape{} : outs[0].shape());
  node.call = current_call();
  node.source = where;
  if (outs.size() > 1) {
    std::vector<Shape> shapes;
    for (const Tensor& out : outs) shapes.push_back(out.shape());
    details_of(node).output_shapes = &store_->output_shape_lists.emplace_back(std::move(shapes));
  }
  if (const std::string_view origin = modtrace::OpOrigin::current(); !origin.empty()) {
    details_of(node).origin = stored(origin);
  }
  if (!error.empty()) details_of(node).error = store_->text.add(error);
  // Resolve the inputs first: an input from outside the trace becomes a node
  // before this one. Its operands' shapes are theirs (Trace::input_shapes).
  sources_.clear();
  for (size_t i = 0; i < call.input_count(); ++i) {
    if (!call.has_input(i)) continue;
    const Tensor& in = call.input(i);
    const int output = in.trace_tag().trace == id_ ? static_cast<int>(in.trace_tag().output) : 0;
    sources_.emplace_back(value_of(in), Edge{static_cast<int>(i), output});
  }
  const Vertex v = add_node(node);
  for (const auto& [source, edge] : sources_) add_edge(source, v, edge);
  return v;
}

void Recorder::record_op(const OpCall& call, std::span<Tensor> outs, const SourceLocation& where) {
  const Vertex v = add_op_node(call, NodeKind::op, outs, where);
  for (size_t i = 0; i < outs.size(); ++i) outs[i].set_trace_tag({id_, static_cast<uint32_t>(v), static_cast<uint32_t>(i)});
}

void Recorder::record_failed_op(const OpCall& call, const std::exception& error, const SourceLocation& where) {
  failed_node_ = add_op_node(call, NodeKind::failed_op, {}, where, error.what());
}

int Recorder::enter_call(const Module& module, const Tensors& inputs, const SourceLocation& where,
                         bool tuple_argument) {
  ModuleCall record;
  record.store_ = store_.get();
  record.parent = current_call();
  record.module = &module;
  Seen& seen = modules_seen_[&module];
  if (seen.type == nullptr) seen.type = stored(module.type_name());
  record.type_ = seen.type;
  record.call_index = seen.calls++;
  record.source = where;
  record.tuple_argument = tuple_argument;
  if (record.parent >= 0) {
    const ModuleCall& parent = trace_.calls_[record.parent];
    record.depth = parent.depth + 1;
    if (seen.path == nullptr || seen.parent_path != parent.path_) {
      const std::string name = name_in_caller(*parent.module, module);
      seen.registered = !name.starts_with('<');
      seen.parent_path = parent.path_;
      path_buffer_.assign(parent.path());
      if (!path_buffer_.empty()) path_buffer_ += '.';
      path_buffer_ += name;
      seen.path = store_->text.add(path_buffer_);
    }
    record.registered = seen.registered;
    record.path_ = seen.path;
  } else {
    record.path_ = stored("");
  }
  append_values(inputs, record.inputs_at_, record.inputs_count_);
  if (options_.keep_values_of && *options_.keep_values_of == record.path()) {
    store_->kept_values.push_back(inputs);
    record.kept_values_ = static_cast<int>(store_->kept_values.size()) - 1;
  }
  trace_.calls_.push_back(record);
  const int index = static_cast<int>(trace_.calls_.size()) - 1;
  call_stack_.push_back(index);
  return index;
}

void Recorder::append_values(const Tensors& values, uint32_t& at, uint32_t& count) {
  // A value from outside the trace becomes a node on the way (value_of
  // adds nodes, never call values, so the call's values stay contiguous).
  at = static_cast<uint32_t>(store_->call_values.size());
  count = static_cast<uint32_t>(values.size());
  for (const Tensor& t : values) {
    store_->call_values.push_back(value_of(t));
    store_->call_slots.push_back(t.trace_tag().trace == id_ ? static_cast<int>(t.trace_tag().output) : 0);
  }
}

void Recorder::leave_call(int call, const Tensors* outputs) {
  ModuleCall& record = trace_.calls_[call];
  if (outputs != nullptr) {
    append_values(*outputs, record.outputs_at_, record.outputs_count_);
    record.completed = true;
  }
  // Calls unwind in order; a mismatch would mean a scope outlived its session.
  if (!call_stack_.empty() && call_stack_.back() == call) call_stack_.pop_back();
}

Tensor Recorder::add_input(const Tensor& value, std::string name) {
  Tensor fed = options_.shape_only ? Tensor::meta(value.shape()) : value;
  Node node;
  node.kind = NodeKind::input;
  node.name_ = stored(name);
  node.shape_ = stored(value.shape());
  const Vertex v = add_node(node);
  trace_.inputs_.push_back(v);
  fed.set_trace_tag({id_, static_cast<uint32_t>(v)});
  return fed;
}

void Recorder::add_outputs(const Tensors& values) {
  for (size_t i = 0; i < values.size(); ++i) {
    const Vertex source = value_of(values[i]);
    Node node;
    node.kind = NodeKind::output;
    node.name_ = stored(values.size() == 1 ? "output" : "output." + std::to_string(i));
    node.shape_ = stored(values[i].shape());
    const Vertex v = add_node(node);
    const int output = values[i].trace_tag().trace == id_ ? static_cast<int>(values[i].trace_tag().output) : 0;
    add_edge(source, v, Edge{0, output});
    trace_.outputs_.push_back(v);
  }
  trace_.output_values_ = values;
}

void Recorder::fail(const std::exception& error) {
  TraceFailure failure;
  failure.message = error.what();
  failure.reason = failure.message;
  if (const auto* e = dynamic_cast<const Error*>(&error)) {
    failure.reason = e->message();
    if (e->has_module_context()) {
      failure.module_path = e->module_path();
      failure.module_type = e->module_type();
      failure.called_at = e->called_at();
    }
    failure.source = e->source();
  }
  // The innermost call the exception left: the deepest unfinished one.
  for (int i = static_cast<int>(trace_.calls_.size()) - 1; i >= 0; --i) {
    const ModuleCall& c = trace_.calls_[i];
    if (!c.completed && (failure.call < 0 || c.depth > trace_.calls_[failure.call].depth)) failure.call = i;
  }
  if (failure.call >= 0 && failure.module_type.empty()) {
    failure.module_path = trace_.calls_[failure.call].path();
    failure.module_type = trace_.calls_[failure.call].type();
  }
  failure.failed_node = failed_node_;
  trace_.failure_ = std::move(failure);
}

}  // namespace modtrace::detail

namespace modtrace {

namespace {
thread_local std::string_view current_origin;
}  // namespace

OpOrigin::OpOrigin(std::string_view origin) noexcept : previous_(current_origin) { current_origin = origin; }
OpOrigin::~OpOrigin() { current_origin = previous_; }
std::string_view OpOrigin::current() noexcept { return current_origin; }

}  // namespace modtrace
