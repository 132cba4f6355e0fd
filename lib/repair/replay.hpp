#pragma once
// Internal: re-running part of a recorded forward on new inputs.
//
// A trace is a program: op nodes with their attributes and operands, module
// calls with their arguments and results. A Replay picks the part of it that
// computes some values (targets) from others (fed values), at a chosen
// granularity: a module call is re-run as one call of the module unless it
// is *opened*, in which case the ops and calls inside it are the steps. The
// root's call and calls of unregistered modules are always opened (their
// work is the caller's own code). Parameters, buffers and constants are read
// from the trace, which holds the model's own tensors.

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "modtrace/module.hpp"
#include "modtrace/trace.hpp"

namespace modtrace::detail::repair {

// A value of the trace: output `slot` of `node`.
struct ValueRef {
  Vertex node = 0;
  int slot = 0;
  auto operator<=>(const ValueRef&) const = default;
};

// One step: an op, or a call of a module (re-run as a whole).
struct Unit {
  bool is_call = false;
  Vertex node = 0;  // the op
  int call = -1;    // the call
  auto operator<=>(const Unit&) const = default;
};

// The program of a trace at one granularity: which unit made each value,
// what each unit reads and makes, in execution order.
class Program {
 public:
  // `opened`: calls replayed op by op (the root's call and unregistered
  // calls are added). The trace must be complete.
  Program(const Trace& trace, std::set<int> opened);

  const Trace& trace() const { return trace_; }
  // The unit that made `v`; nullopt for graph inputs, parameters, buffers and constants.
  std::optional<Unit> maker(const ValueRef& v) const;
  // What a unit reads (operands or arguments, in order) and makes (results, in order).
  std::vector<ValueRef> reads(const Unit& u) const;
  std::vector<ValueRef> makes(const Unit& u) const;
  // Execution order: an op's order, or a call's first op's.
  uint32_t order(const Unit& u) const;
  // Every unit of the forward, in execution order.
  const std::vector<Unit>& units() const { return units_; }
  // Whether a value is computed from the graph inputs (not from parameters and constants alone).
  bool depends_on_inputs(const ValueRef& v) const;
  // "flatten", "call of layer4" — for messages.
  std::string describe(const Unit& u) const;

 private:
  Unit unit_of(Vertex op) const;

  const Trace& trace_;
  std::set<int> opened_;
  std::vector<uint32_t> first_order_;  // per call: order of its first op
  std::vector<Unit> units_;
  std::vector<int8_t> dependent_;      // per vertex: -1 unknown, 0 no, 1 yes (memo)
};

// A replayable slice of a program: runs the units that compute `targets`
// from `fed` (in that order: the tensors run() takes).
class Replay {
 public:
  // `owner` keeps the model alive as long as the replay lives.
  Replay(std::shared_ptr<const Trace> trace, std::shared_ptr<Module> owner, std::set<int> opened,
         std::vector<ValueRef> fed, std::vector<ValueRef> targets);

  Tensors run(const Tensors& fed) const;
  // The units it runs, in order.
  const std::vector<Unit>& steps() const { return steps_; }
  const Program& program() const { return *program_; }
  const std::vector<ValueRef>& fed() const { return fed_; }

 private:
  std::shared_ptr<const Trace> trace_;
  std::shared_ptr<Module> owner_;
  std::unique_ptr<Program> program_;
  std::vector<ValueRef> fed_, targets_;
  std::vector<Unit> steps_;
  std::vector<std::vector<ValueRef>> release_after_;  // per step: values no later step reads
};

// A module whose forward is a Replay: what extract() returns and what the
// faithful Sequential holds for the root's own ops. Its type name says what
// it replays ("Replay(flatten)").
class ReplayModule : public Module {
 public:
  ReplayModule(std::shared_ptr<Replay> replay, std::string label, size_t inputs);
  std::string type_name() const override { return "Replay"; }
  std::string extra_repr() const override { return label_; }
  std::span<const std::string_view> forward_signature() const override;
  const Replay& replay() const { return *replay_; }

 protected:
  Tensors forward_many(const Tensors& inputs) override;

 private:
  std::shared_ptr<Replay> replay_;
  std::string label_;
  size_t inputs_;
};

}  // namespace modtrace::detail::repair
