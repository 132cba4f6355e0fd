// The verdict of the children-only analysis: the one rule, and its reasons.

#include "analysis/wording.hpp"
#include "modtrace/analysis.hpp"

namespace modtrace {
namespace {

using detail::comma_list;
using detail::number;
using detail::optional_shape;

// One line per structural finding, in the report's order.
std::vector<std::string> structural_reasons(const ChildrenReport& r) {
  std::vector<std::string> out;
  if (!r.dropped.empty()) {
    std::vector<std::string> ops;
    for (const auto& d : r.dropped) {
      if (ops.size() == 6) {
        ops.push_back("…");
        break;
      }
      ops.push_back(d.op);
    }
    out.push_back(std::to_string(r.dropped.size()) + (r.dropped.size() == 1 ? " op" : " ops") +
                  " of the module's own code dropped: " + comma_list(ops));
  }
  if (!r.unused_children.empty()) out.push_back("unused children that the Sequential runs: " + comma_list(r.unused_children));
  if (!r.partly_used_children.empty()) {
    std::vector<std::string> names;
    for (const auto& p : r.partly_used_children) names.push_back(p.name);
    out.push_back("partly used children that the Sequential runs whole: " + comma_list(names));
  }
  if (!r.repeated_children.empty()) {
    std::vector<std::string> names;
    for (const auto& c : r.repeated_children) names.push_back(c.name + " (" + std::to_string(c.calls) + " calls)");
    out.push_back("children called more than once, by the Sequential once: " + comma_list(names));
  }
  if (r.order_mismatch) out.push_back("children called in another order than registered");
  if (!r.dataflow_breaks.empty()) {
    std::vector<std::string> names;
    for (const auto& b : r.dataflow_breaks) names.push_back(b.child);
    out.push_back("dataflow breaks at: " + comma_list(names));
  }
  return out;
}

std::vector<std::string> output_reasons(const ChildrenReport& r) {
  const OutputComparison& o = r.output;
  std::vector<std::string> out;
  if (o.original_count != o.sequential_count) {
    out.push_back("the module returns " + std::to_string(o.original_count) + ", the Sequential " +
                  std::to_string(o.sequential_count) + (o.sequential_count == 1 ? " tensor" : " tensors"));
  }
  for (size_t i = 0; i < o.outputs.size(); ++i) {
    const OutputPair& p = o.outputs[i];
    const std::string which = o.outputs.size() == 1 ? "output" : "output " + std::to_string(i);
    if (p.original && p.sequential && *p.original != *p.sequential) {
      out.push_back(which + " shapes differ: " + optional_shape(p.original) + " vs " + optional_shape(p.sequential));
    } else if (p.compared && !p.equal) {
      out.push_back(which + " values differ (max |difference| " + number(p.max_abs_diff) + ")");
    }
  }
  return out;
}

}  // namespace

bool ChildrenReport::has_structural_findings() const {
  // Aliases and unregistered modules explain other findings (a repeated
  // child, dropped ops) and change nothing by themselves.
  return !dropped.empty() || !unused_children.empty() || !partly_used_children.empty() ||
         !repeated_children.empty() || order_mismatch || !dataflow_breaks.empty();
}

Verdict decide_verdict(const ChildrenReport& r, std::vector<std::string>* reasons) {
  std::vector<std::string> why;
  Verdict verdict;
  if (!r.sequential.ok) {
    why.push_back("the Sequential raises: " + r.sequential.error);
    verdict = Verdict::fails;
  } else {
    why = structural_reasons(r);
    for (auto& line : output_reasons(r)) why.push_back(std::move(line));
    const bool outputs_agree = r.output.shapes_equal && (r.shape_only || r.output.equal);
    verdict = why.empty() && outputs_agree ? Verdict::equivalent : Verdict::different;
  }
  if (reasons != nullptr) *reasons = std::move(why);
  return verdict;
}

std::string_view verdict_name(Verdict verdict) {
  switch (verdict) {
    case Verdict::equivalent: return "equivalent";
    case Verdict::different: return "different";
    case Verdict::fails: return "fails";
  }
  return "?";
}

}  // namespace modtrace
