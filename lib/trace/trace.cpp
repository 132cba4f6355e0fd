#include "modtrace/trace.hpp"

#include <algorithm>
#include <cstring>
#include <type_traits>
#include <variant>
#include <stdexcept>

#include "trace/recorder.hpp"
#include "trace/store.hpp"

namespace modtrace {

// ---- nodes ----

namespace {
const Shape kNoShape;
const std::vector<Shape> kNoShapes;
const Attrs kNoAttrs;
const NodeDetails kNoDetails;
}  // namespace

Node::Node() : shape_(&kNoShape), input_shapes_(&kNoShapes), output_shapes_(&kNoShapes), attrs_(&kNoAttrs) {}

const NodeDetails& Node::details() const { return details_ != nullptr ? *details_ : kNoDetails; }

namespace {
const std::string kNoText;
const Tensors kNoTensors;
}  // namespace

ModuleCall::ModuleCall() : path_(&kNoText), type_(&kNoText) {}

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

size_t AttrsHash::operator()(const Attrs& attrs) const noexcept {
  size_t h = attrs.items().size();
  for (const Attr& a : attrs.items()) {
    h = h * 1000003u ^ std::hash<std::string_view>{}(a.name);
    h = h * 1000003u ^ a.value.index();
    std::visit(
        [&](const auto& v) {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, double>) {
            uint64_t bits = 0;
            std::memcpy(&bits, &v, sizeof bits);
            h = h * 1000003u ^ std::hash<uint64_t>{}(bits);
          } else if constexpr (std::is_same_v<T, std::vector<int64_t>>) {
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
  try {
    session.output(options.tuple_argument ? module.call_with_tuple(fed) : module.call(fed));
  } catch (const std::exception& e) {
    session.fail(e);
  } catch (...) {
    session.fail(std::runtime_error("an exception that is not a std::exception escaped the forward"));
  }
  return session.finish();
}

// ---- queries ----

std::vector<Vertex> Trace::nodes() const {
  std::vector<Vertex> out;
  for (Vertex v : boost::make_iterator_range(boost::vertices(*graph_))) out.push_back(v);
  std::sort(out.begin(), out.end(), [&](Vertex a, Vertex b) { return (*graph_)[a].order < (*graph_)[b].order; });
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

Ownership Trace::ownership(Vertex v, const std::string& path) const {
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

std::vector<int> Trace::calls_of(const std::string& path) const {
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
