// A trace as text, in the style of torch.fx's graph printout: one line per
// value, naming the values each op reads.

#include <algorithm>
#include <string>
#include <vector>

#include "modtrace/io.hpp"
#include "modtrace/trace.hpp"

namespace modtrace {
namespace {

// Node n's output `output` as an operand: %7, or %7.1 for a second output;
// a parameter or buffer by its key when its own line is not shown.
std::string operand(const Trace& trace, Vertex source, int output, bool show_parameters) {
  const Node& n = trace.graph()[source];
  if (!show_parameters && (n.kind == NodeKind::parameter || n.kind == NodeKind::buffer)) {
    return "%" + std::string(n.name());
  }
  return "%" + std::to_string(source) + (output > 0 ? "." + std::to_string(output) : "");
}

// One line, errors included: a multi-line error would break the listing.
std::string flattened(std::string_view text) {
  std::string out(text);
  std::replace(out.begin(), out.end(), '\n', ' ');
  return out;
}

}  // namespace

std::string trace_to_ir(const Trace& trace, bool show_parameters) {
  const Graph& g = trace.graph();
  std::string out = "graph(";
  for (size_t i = 0; i < trace.inputs().size(); ++i) {
    const Vertex v = trace.inputs()[i];
    out += (i ? ", " : "") + std::string("%") + std::to_string(v) + " " + std::string(g[v].name()) + ": " +
           to_string(g[v].shape());
  }
  out += "):\n";
  std::vector<std::string> results;
  for (Vertex v : trace.nodes()) {
    const Node& n = g[v];
    switch (n.kind) {
      case NodeKind::input:
        continue;  // in the graph's signature
      case NodeKind::output:
        for (auto e : boost::make_iterator_range(boost::in_edges(v, g))) {
          results.push_back(operand(trace, boost::source(e, g), g[e].output, show_parameters));
        }
        continue;
      case NodeKind::parameter:
      case NodeKind::buffer:
        if (show_parameters) {
          out += "  %" + std::to_string(v) + " = " + std::string(kind_name(n.kind)) + "[" + std::string(n.name()) +
                 "]  # " + to_string(n.shape()) + "\n";
        }
        continue;
      case NodeKind::constant:
        out += "  %" + std::to_string(v) + " = constant  # " + to_string(n.shape()) + "\n";
        continue;
      case NodeKind::op:
      case NodeKind::failed_op:
        break;
    }
    // Operands in their positions; an absent optional one (a bias) has no edge.
    std::vector<std::pair<int, std::string>> operands;
    for (auto e : boost::make_iterator_range(boost::in_edges(v, g))) {
      operands.emplace_back(g[e].operand, operand(trace, boost::source(e, g), g[e].output, show_parameters));
    }
    std::sort(operands.begin(), operands.end());
    std::string arguments;
    for (const auto& [position, text] : operands) arguments += (arguments.empty() ? "" : ", ") + text;
    const std::string attributes = to_string(n.attrs());
    if (!attributes.empty()) arguments += (arguments.empty() ? "" : ", ") + attributes;
    out += "  %" + std::to_string(v) + " = " + std::string(n.op_name()) + "(" + arguments + ")";
    const std::string source = n.location();
    const std::string shape = n.kind == NodeKind::failed_op ? "FAILED: " + flattened(n.error())
                              : n.output_shapes().empty()     ? to_string(n.shape())
                                                              : to_string(n.output_shapes());
    const Ownership o = trace.ownership(v);
    std::string where = o.innermost_call >= 0 && !o.module.empty() ? o.module : "";
    if (o.functional()) where += (where.empty() ? "" : " ") + std::string("(functional)");
    out += "  # " + (source.empty() ? std::string("?") : source) + "  " + shape + (where.empty() ? "" : "  " + where) +
           "\n";
  }
  if (trace.completed()) {
    out += "  return ";
    if (results.size() == 1) {
      out += results[0];
    } else {
      out += "(";
      for (size_t i = 0; i < results.size(); ++i) out += (i ? ", " : "") + results[i];
      out += ")";
    }
    out += "\n";
  }
  return out;
}

}  // namespace modtrace
