#include "modtrace/trace.hpp"

#include <algorithm>
#include <numeric>
#include <cstring>
#include <type_traits>
#include <variant>
#include <stdexcept>

#include "modtrace/error.hpp"
#include "trace/interner.hpp"
#include "trace/recorder.hpp"
#include "trace/store.hpp"

namespace modtrace {

// ---- nodes ----

namespace {
const Shape kNoShape;
const std::vector<Shape> kNoShapes;
const Attrs kNoAttrs;
const Tensors kNoTensors;
}  // namespace

Node::Node() : shape_(&kNoShape), attrs_(&kNoAttrs) {}

std::string_view Node::op_name() const { return op ? modtrace::op_name(*op) : std::string_view(); }

const std::vector<Shape>& Node::output_shapes() const {
  const detail::NodeDetails* d = details();
  return d != nullptr && d->output_shapes != nullptr ? *d->output_shapes : kNoShapes;
}

std::string_view Node::name() const {
  if (kind == NodeKind::constant) return "constant";
  return has_details() ? std::string_view() : detail::TextArena::view(name_);
}

std::string_view Node::origin() const {
  const detail::NodeDetails* d = details();
  return d != nullptr ? detail::TextArena::view(d->origin) : std::string_view();
}

std::string Node::location() const {
  return source.line() != 0 || origin().empty() ? source_text(source) : std::string(origin());
}

std::string_view Node::error() const {
  const detail::NodeDetails* d = details();
  return d != nullptr ? detail::TextArena::view(d->error) : std::string_view();
}

std::string_view ModuleCall::path() const { return detail::TextArena::view(path_); }
std::string_view ModuleCall::type() const { return detail::TextArena::view(type_); }

namespace {
// A call's run of one of the store's arrays (none before the call is recorded).
template <class T>
std::span<const T> run_of(const detail::TraceStore* store, const std::vector<T> detail::TraceStore::*array,
                          uint32_t at, uint32_t count) {
  if (store == nullptr) return {};
  return {(store->*array).data() + at, count};
}
}  // namespace

std::span<const Vertex> ModuleCall::inputs() const {
  return run_of(store_, &detail::TraceStore::call_values, inputs_at_, inputs_count_);
}
std::span<const Vertex> ModuleCall::outputs() const {
  return run_of(store_, &detail::TraceStore::call_values, outputs_at_, outputs_count_);
}
std::span<const int> ModuleCall::input_slots() const {
  return run_of(store_, &detail::TraceStore::call_slots, inputs_at_, inputs_count_);
}
std::span<const int> ModuleCall::output_slots() const {
  return run_of(store_, &detail::TraceStore::call_slots, outputs_at_, outputs_count_);
}
const Tensors& ModuleCall::input_values() const {
  return kept_values_ < 0 ? kNoTensors : store_->kept_values[static_cast<size_t>(kept_values_)];
}

namespace detail {

const char* TextArena::add(std::string_view text) {
  constexpr size_t kFirstBlock = 256, kLargestBlock = 64 * 1024;
  if (text.size() > UINT32_MAX - 8) throw Error("a text of " + std::to_string(text.size()) + " bytes is too long for a trace");
  const auto length = static_cast<uint32_t>(text.size());
  const size_t needed = sizeof length + text.size();
  if (blocks_.empty() || blocks_.back().used + needed > blocks_.back().capacity) {
    // A text larger than the next block gets a block of its own.
    const size_t last = blocks_.empty() ? 0 : blocks_.back().capacity;
    const size_t next = last == 0 ? kFirstBlock : std::min(last * 2, kLargestBlock);
    Block b;
    b.capacity = std::max(next, needed);
    b.bytes = std::make_unique_for_overwrite<char[]>(b.capacity);
    blocks_.push_back(std::move(b));
  }
  Block& b = blocks_.back();
  char* at = b.bytes.get() + b.used;
  std::memcpy(at, &length, sizeof length);
  if (!text.empty()) std::memcpy(at + sizeof length, text.data(), text.size());
  b.used += needed;
  return at + sizeof length;
}

}  // namespace detail

namespace detail {

size_t AttrsHash::operator()(const Attrs& attrs) const noexcept {
  size_t h = attrs.items().size();
  for (const Attr& a : attrs.items()) {
    // Names are the schema's literals: their length and first letter tell
    // them apart well enough, without hashing text at every op.
    h = h * 1000003u ^ (a.name.size() * 131u + (a.name.empty() ? 0u : static_cast<unsigned char>(a.name[0])));
    h = h * 1000003u ^ a.value.index();
    std::visit(
        [&](const auto& v) {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, double>) {
            uint64_t bits = 0;
            std::memcpy(&bits, &v, sizeof bits);
            h = h * 1000003u ^ std::hash<uint64_t>{}(bits);
          } else if constexpr (std::is_same_v<T, IntList>) {
            for (const int64_t x : v) h = h * 1000003u ^ std::hash<int64_t>{}(x);
          } else {
            h = h * 1000003u ^ std::hash<T>{}(v);
          }
        },
        a.value);
  }
  return h;
}

bool AttrsEqual::operator()(const Attrs& a, const Attrs& b) const noexcept {
  if (a.items().size() != b.items().size()) return false;
  for (size_t i = 0; i < a.items().size(); ++i) {
    const Attr& x = a.items()[i];
    const Attr& y = b.items()[i];
    if (x.name != y.name || x.value.index() != y.value.index()) return false;
    if (const auto* dx = std::get_if<double>(&x.value)) {
      if (std::memcmp(dx, std::get_if<double>(&y.value), sizeof(double)) != 0) return false;
    } else if (x.value != y.value) {
      return false;
    }
  }
  return true;
}

}  // namespace detail

std::string_view kind_name(NodeKind kind) {
  switch (kind) {
    case NodeKind::input: return "input";
    case NodeKind::parameter: return "parameter";
    case NodeKind::buffer: return "buffer";
    case NodeKind::constant: return "constant";
    case NodeKind::op: return "op";
    case NodeKind::failed_op: return "failed_op";
    case NodeKind::output: return "output";
  }
  return "?";
}

// ---- session ----

namespace {
// The innermost live session of this thread: the one recording.
thread_local TraceSession* tls_top_session = nullptr;
}  // namespace

TraceSession::TraceSession(const Module* root, const TraceOptions& options)
    : recorder_(std::make_unique<detail::Recorder>(root, options)), below_(tls_top_session) {
  if (below_) below_->above_ = this;
  tls_top_session = this;
  detail::tls_recorder = recorder_.get();
}

TraceSession::~TraceSession() { end(); }

void TraceSession::end() {
  if (!active_) return;
  active_ = false;
  // Sessions ended out of order (the outer one first) are unlinked where they
  // are: the recorder pointer never names a session that is gone.
  if (below_) below_->above_ = above_;
  if (above_) {
    above_->below_ = below_;
  } else {
    tls_top_session = below_;
    detail::tls_recorder = below_ ? below_->recorder_.get() : nullptr;
  }
  below_ = above_ = nullptr;
}

Tensor TraceSession::input(const Tensor& value, std::string name) {
  return recorder_->add_input(value, std::move(name));
}

void TraceSession::output(const Tensors& values) { recorder_->add_outputs(values); }

void TraceSession::fail(const std::exception& error) { recorder_->fail(error); }

Trace TraceSession::finish() {
  end();
  return recorder_->take();
}

Trace trace_module(Module& module, const Tensors& inputs, const TraceOptions& options) {
  TraceSession session(&module, options);
  Tensors fed;
  for (size_t i = 0; i < inputs.size(); ++i) {
    fed.push_back(session.input(inputs[i], inputs.size() == 1 ? "input" : "input." + std::to_string(i)));
  }
  // The root is called by no line of the user's: its called_at stays empty
  // (this file's line would be noise in every trace).
  const SourceLocation nowhere{};
  try {
    session.output(options.tuple_argument ? module.call_with_tuple(fed, nowhere) : module.call(fed, nowhere));
  } catch (const std::exception& e) {
    session.fail(e);
  } catch (...) {
    session.fail(std::runtime_error("an exception that is not a std::exception escaped the forward"));
  }
  return session.finish();
}

// ---- queries ----

std::vector<Shape> Trace::input_shapes(Vertex v) const {
  // In-edges come by source vertex, not operand position (x reads before y
  // in cat([y, x]) when x is older): the edge's operand says where each goes.
  std::vector<std::pair<int, const Shape*>> operands;
  for (const auto e : boost::make_iterator_range(boost::in_edges(v, *graph_))) {
    operands.emplace_back((*graph_)[e].operand, &shape_of(boost::source(e, *graph_), (*graph_)[e].output));
  }
  std::sort(operands.begin(), operands.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<Shape> shapes;
  for (const auto& [operand, shape] : operands) shapes.push_back(*shape);
  return shapes;
}

const Shape& Trace::shape_of(Vertex v, int output) const {
  const Node& n = (*graph_)[v];
  const size_t count = std::max<size_t>(n.output_shapes().size(), 1);
  if (output < 0 || static_cast<size_t>(output) >= count) {
    throw Error("node " + std::to_string(v) + " (" + std::string(n.op ? n.op_name() : kind_name(n.kind)) + ") has " +
                std::to_string(count) + (count == 1 ? " output" : " outputs") + ": no output " + std::to_string(output));
  }
  return n.output_shapes().empty() ? n.shape() : n.output_shapes()[static_cast<size_t>(output)];
}

Tensor Trace::value(Vertex v) const {
  const Node& n = (*graph_)[v];
  switch (n.kind) {
    case NodeKind::parameter:
    case NodeKind::buffer: {
      // Looked up, not kept: a trace of ResNet-50 would otherwise hold 267
      // tensor handles. get_parameter does not change the module.
      Module& model = const_cast<Module&>(*root_);
      return n.kind == NodeKind::parameter ? model.get_parameter(n.name()) : model.get_buffer(n.name());
    }
    case NodeKind::constant: return n.details() != nullptr && n.details()->constant ? *n.details()->constant : Tensor();
    default: return Tensor();
  }
}

std::vector<Vertex> Trace::nodes() const {
  std::vector<Vertex> out(boost::num_vertices(*graph_));
  std::iota(out.begin(), out.end(), Vertex{0});
  return out;
}

std::vector<Vertex> Trace::op_nodes() const {
  std::vector<Vertex> out;
  for (Vertex v : nodes()) {
    if ((*graph_)[v].kind == NodeKind::op || (*graph_)[v].kind == NodeKind::failed_op) out.push_back(v);
  }
  return out;
}

Ownership Trace::ownership(Vertex v) const {
  for (size_t i = 0; i < calls_.size(); ++i) {
    if (calls_[i].parent < 0) {
      Ownership o = ownership_in_call(v, static_cast<int>(i));
      if (o.kind != Ownership::Kind::outside) return o;
    }
  }
  return ownership_in_call(v, -1);
}

Ownership Trace::ownership(Vertex v, std::string_view path) const {
  for (int call : calls_of(path)) {
    Ownership o = ownership_in_call(v, call);
    if (o.kind != Ownership::Kind::outside) return o;
  }
  Ownership outside;
  outside.innermost_call = (*graph_)[v].call;
  if (outside.innermost_call >= 0) outside.module = calls_[outside.innermost_call].path();
  return outside;
}

Ownership Trace::ownership_in_call(Vertex v, int reference_call) const {
  Ownership o;
  o.innermost_call = (*graph_)[v].call;
  if (o.innermost_call < 0) return o;
  o.module = calls_[o.innermost_call].path();
  if (reference_call < 0) return o;
  int below = -1;
  int current = o.innermost_call;
  while (current >= 0 && current != reference_call) {
    below = current;
    current = calls_[current].parent;
  }
  if (current < 0) return o;  // never under the reference call
  o.reference_call = reference_call;
  if (below < 0) {
    o.kind = Ownership::Kind::functional;
  } else if (!calls_[below].registered) {
    o.kind = Ownership::Kind::functional;  // inside a module the reference module holds in no registered slot
    o.unregistered_call = below;
  } else {
    o.kind = Ownership::Kind::module_owned;
    o.child_call = below;
    o.child = calls_[below].path();
  }
  return o;
}

std::vector<int> Trace::call_stack(Vertex v) const {
  std::vector<int> stack;
  for (int c = (*graph_)[v].call; c >= 0; c = calls_[c].parent) stack.push_back(c);
  std::reverse(stack.begin(), stack.end());
  return stack;
}

std::vector<int> Trace::calls_of(std::string_view path) const {
  std::vector<int> out;
  for (size_t i = 0; i < calls_.size(); ++i) {
    if (calls_[i].path() == path) out.push_back(static_cast<int>(i));
  }
  return out;
}

std::vector<int> Trace::child_calls(int call) const {
  std::vector<int> out;
  for (size_t i = 0; i < calls_.size(); ++i) {
    if (calls_[i].parent == call) out.push_back(static_cast<int>(i));
  }
  return out;
}

}  // namespace modtrace
