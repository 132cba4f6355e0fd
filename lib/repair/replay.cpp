// Replaying a recorded forward, in part: the program a trace holds, at the
// granularity of opened calls, and a Replay that runs a slice of it.

#include "repair/replay.hpp"

#include <algorithm>
#include <map>

#include "modtrace/error.hpp"
#include "modtrace/functional.hpp"
#include "trace/recorder.hpp"

namespace modtrace::detail::repair {

// ---- Program ----

Program::Program(const Trace& trace, std::set<int> opened) : trace_(trace), opened_(std::move(opened)) {
  if (!trace.completed()) throw Error("cannot replay a forward that failed: " + trace.failure()->message);
  const auto& calls = trace.calls();
  opened_.insert(0);
  for (size_t c = 0; c < calls.size(); ++c) {
    if (!calls[c].registered) opened_.insert(static_cast<int>(c));
  }
  first_order_.assign(calls.size(), UINT32_MAX);
  std::set<Unit> seen;
  for (Vertex v : trace.op_nodes()) {
    const uint32_t order = v;  // vertices are numbered in execution order
    for (int c : trace.call_stack(v)) first_order_[static_cast<size_t>(c)] = std::min(first_order_[static_cast<size_t>(c)], order);
    const Unit u = unit_of(v);
    if (seen.insert(u).second) units_.push_back(u);
  }
  // Whether each unit computes from the inputs, in execution order (readers come after makers).
  dependent_.assign(boost::num_vertices(trace.graph()), -1);
  for (const Vertex v : trace.inputs()) dependent_[v] = 1;
  for (const Unit& u : units_) {
    bool dependent = false;
    for (const ValueRef& r : reads(u)) dependent = dependent || depends_on_inputs(r);
    for (const ValueRef& m : makes(u)) dependent_[m.node] = dependent ? 1 : 0;
  }
}

Unit Program::unit_of(Vertex op) const {
  for (int c : trace_.call_stack(op)) {
    if (!opened_.count(c)) return Unit{true, 0, c};
  }
  return Unit{false, op, -1};
}

std::optional<Unit> Program::maker(const ValueRef& v) const {
  const Node& n = trace_.graph()[v.node];
  if (n.kind != NodeKind::op) return std::nullopt;
  return unit_of(v.node);
}

std::vector<ValueRef> Program::reads(const Unit& u) const {
  std::vector<ValueRef> out;
  if (u.is_call) {
    const ModuleCall& c = trace_.calls()[static_cast<size_t>(u.call)];
    for (size_t i = 0; i < c.inputs().size(); ++i) out.push_back({c.inputs()[i], c.input_slots()[i]});
    return out;
  }
  std::vector<std::pair<int, ValueRef>> operands;
  for (auto e : boost::make_iterator_range(boost::in_edges(u.node, trace_.graph()))) {
    const Edge& edge = trace_.graph()[e];
    operands.emplace_back(edge.operand, ValueRef{boost::source(e, trace_.graph()), edge.output});
  }
  std::sort(operands.begin(), operands.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& [operand, value] : operands) out.push_back(value);
  return out;
}

std::vector<ValueRef> Program::makes(const Unit& u) const {
  std::vector<ValueRef> out;
  if (u.is_call) {
    const ModuleCall& c = trace_.calls()[static_cast<size_t>(u.call)];
    for (size_t i = 0; i < c.outputs().size(); ++i) {
      // A result the call passed through (its argument) is not made by it.
      if (trace_.graph()[c.outputs()[i]].kind == NodeKind::op && unit_of(c.outputs()[i]) == u) {
        out.push_back({c.outputs()[i], c.output_slots()[i]});
      }
    }
    return out;
  }
  const Node& n = trace_.graph()[u.node];
  const size_t count = std::max<size_t>(n.output_shapes().size(), 1);
  for (size_t k = 0; k < count; ++k) out.push_back({u.node, static_cast<int>(k)});
  return out;
}

uint32_t Program::order(const Unit& u) const {
  return u.is_call ? first_order_[static_cast<size_t>(u.call)] : u.node;
}

bool Program::depends_on_inputs(const ValueRef& v) const {
  const int8_t known = dependent_[v.node];
  return known == 1;
}

std::string Program::describe(const Unit& u) const {
  if (u.is_call) return "the call of '" + std::string(trace_.calls()[static_cast<size_t>(u.call)].path()) + "'";
  return "op '" + std::string(trace_.graph()[u.node].op_name()) + "'";
}

// ---- Replay ----

namespace {

// A copy that is bookkeeping of the replay, not a step of the forward: a
// trace of the replay does not show it.
Tensor unrecorded_copy(const Tensor& t) {
  const detail::RecordingPaused pause;
  return t.clone();
}

}  // namespace

Replay::Replay(std::shared_ptr<const Trace> trace, std::shared_ptr<Module> owner, std::set<int> opened,
               std::vector<ValueRef> fed, std::vector<ValueRef> targets)
    : trace_(std::move(trace)),
      owner_(std::move(owner)),
      program_(std::make_unique<Program>(*trace_, std::move(opened))),
      fed_(std::move(fed)),
      targets_(std::move(targets)) {
  const std::set<ValueRef> fed_set(fed_.begin(), fed_.end());
  std::set<Unit> needed;
  std::vector<ValueRef> todo = targets_;
  while (!todo.empty()) {
    const ValueRef v = todo.back();
    todo.pop_back();
    if (fed_set.count(v)) continue;
    const auto unit = program_->maker(v);
    if (!unit) {
      if (trace_->graph()[v.node].kind == NodeKind::input) {
        throw Error("cannot replay: the result needs the forward's input '" + std::string(trace_->graph()[v.node].name()) +
                    "', which is not given");
      }
      continue;  // a parameter, buffer or constant: read from the trace
    }
    if (!needed.insert(*unit).second) continue;
    for (const ValueRef& r : program_->reads(*unit)) todo.push_back(r);
  }
  steps_.assign(needed.begin(), needed.end());
  std::sort(steps_.begin(), steps_.end(),
            [&](const Unit& a, const Unit& b) { return program_->order(a) < program_->order(b); });

  // Each value is let go after the last step that reads it (a value nothing
  // reads, after the step that made it), so a long replay holds what is
  // still needed, not every intermediate. Targets are taken before that.
  std::map<ValueRef, size_t> last_step;
  for (size_t s = 0; s < steps_.size(); ++s) {
    for (const ValueRef& r : program_->makes(steps_[s])) last_step.try_emplace(r, s);
    for (const ValueRef& r : program_->reads(steps_[s])) last_step[r] = s;
  }
  release_after_.resize(steps_.size());
  for (const auto& [value, step] : last_step) release_after_[step].push_back(value);
}

Tensors Replay::run(const Tensors& fed) const {
  if (fed.size() != fed_.size()) {
    throw Error("the replay takes " + std::to_string(fed_.size()) + " tensors, got " + std::to_string(fed.size()));
  }
  const Graph& g = trace_->graph();
  std::map<ValueRef, Tensor> env;
  for (size_t i = 0; i < fed.size(); ++i) env[fed_[i]] = fed[i];
  auto value = [&](const ValueRef& r) -> const Tensor& {
    if (auto it = env.find(r); it != env.end()) return it->second;
    // A parameter, buffer or constant: the model's tensor (alive: owner_),
    // or the constant the trace kept; let go after its last reader like the rest.
    if (Tensor outside = trace_->value(r.node); outside.defined()) return env.emplace(r, std::move(outside)).first->second;
    const Node& n = g[r.node];
    throw Error("cannot replay: value of '" + std::string(n.name().empty() ? n.op_name() : n.name()) +
                "' is not available");
  };
  // Each target is taken as soon as it exists, as a copy while steps remain:
  // a later step may write it in place (relu_, +=), and the value wanted is
  // the one the forward had there.
  Tensors results(targets_.size());
  size_t done = 0;
  auto take_ready = [&] {
    const bool last = done == steps_.size();
    for (size_t i = 0; i < targets_.size(); ++i) {
      if (results[i].defined()) continue;
      const auto it = env.find(targets_[i]);
      const Node& n = g[targets_[i].node];
      if (it != env.end()) results[i] = last ? it->second : unrecorded_copy(it->second);
      else if (n.kind != NodeKind::op) results[i] = trace_->value(targets_[i].node);
    }
  };
  // After a step and take_ready(): what no later step reads is dropped (its
  // storage freed unless a view or a result still holds it).
  auto release = [&](size_t step) {
    for (const ValueRef& r : release_after_[step]) env.erase(r);
  };
  take_ready();
  for (const Unit& u : steps_) {
    ++done;
    if (u.is_call) {
      const ModuleCall& c = trace_->calls()[static_cast<size_t>(u.call)];
      Tensors args;
      for (size_t i = 0; i < c.inputs().size(); ++i) args.push_back(value({c.inputs()[i], c.input_slots()[i]}));
      // The model is alive (owner_) and calling it does not change what the trace recorded.
      Module& module = const_cast<Module&>(*c.module);
      const Tensors outs = c.tuple_argument ? module.call_with_tuple(args, {}) : module.call(args, {});
      for (size_t i = 0; i < c.outputs().size() && i < outs.size(); ++i) env[{c.outputs()[i], c.output_slots()[i]}] = outs[i];
      take_ready();
      release(done - 1);
      continue;
    }
    const Node& n = g[u.node];
    Tensors operands;
    for (auto e : boost::make_iterator_range(boost::in_edges(u.node, g))) {
      const Edge& edge = g[e];
      if (operands.size() <= static_cast<size_t>(edge.operand)) operands.resize(static_cast<size_t>(edge.operand) + 1);
      operands[static_cast<size_t>(edge.operand)] = value({boost::source(e, g), edge.output});
    }
    const Tensors outs = F::apply(*n.op, operands, n.attrs(), {});
    for (size_t k = 0; k < outs.size(); ++k) env[{u.node, static_cast<int>(k)}] = outs[k];
    take_ready();
    release(done - 1);
  }
  for (size_t i = 0; i < targets_.size(); ++i) {
    if (!results[i].defined()) results[i] = value(targets_[i]);
  }
  return results;
}

// ---- ReplayModule ----

ReplayModule::ReplayModule(std::shared_ptr<Replay> replay, std::string label, size_t inputs)
    : replay_(std::move(replay)), label_(std::move(label)), inputs_(inputs) {}

std::span<const std::string_view> ReplayModule::forward_signature() const {
  static constexpr std::string_view one[] = {"input"};
  static constexpr std::string_view many[] = {"*inputs"};
  return inputs_ == 1 ? std::span<const std::string_view>(one) : std::span<const std::string_view>(many);
}

Tensors ReplayModule::forward_many(const Tensors& inputs) { return replay_->run(inputs); }

}  // namespace modtrace::detail::repair
