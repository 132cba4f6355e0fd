#pragma once
// Internal: each finding of the children-only analysis, one function each.
// All read the module's trace (report.original, whose call 0 is the
// analysed module's call) and, where the Sequential's run tells more, its
// trace; none decides the verdict (verdict.cpp does).

#include <string>
#include <vector>

#include "modtrace/analysis.hpp"

namespace modtrace::detail {

// The analysed module's direct calls of registered modules, in call order:
// what the Sequential stands in for. Calls of unregistered modules are its
// own work, not child calls.
std::vector<int> registered_child_calls(const Trace& trace);

// Ops that ran in the analysed module's own code, or in an unregistered
// module it called; `at` prefixes their module paths.
void find_dropped_ops(ChildrenReport& r, const std::string& at);

// Names under which an already registered child is registered again.
void find_aliases(ChildrenReport& r, const Module& module);

// Call order, unused and repeated children, order mismatch.
void find_child_usage(ChildrenReport& r, const std::vector<int>& child_calls);

// Children the forward uses only through some of their members.
void find_partly_used_children(ChildrenReport& r, const Module& module);

// Modules the forward calls that are not in its tree.
void find_unregistered_modules(ChildrenReport& r);

// Children whose input is not the previous child's output (and a result that
// is not the last child's).
std::vector<DataflowBreak> find_dataflow_breaks(const Trace& trace, const std::vector<int>& child_calls);

std::string join_path(std::string_view prefix, std::string_view path);

// What the module at `path` was called with when the model ran on `inputs`
// (for analysing or repairing a sub-module). Error when the path is unknown
// or the forward never calls it.
struct RecordedCall {
  Tensors inputs;
  bool tuple_argument = false;
};
RecordedCall inputs_at(Module& model, const Tensors& inputs, const std::string& path, bool shape_only);

}  // namespace modtrace::detail
