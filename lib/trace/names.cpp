// Stable names for the values of a trace (torch.fx-like), shared by the
// trace table, extraction and the faithful Sequential's steps.

#include <map>

#include "modtrace/trace.hpp"

namespace modtrace {

std::vector<NamedValue> value_names(const Trace& trace) {
  const auto& calls = trace.calls();
  // An op belongs to the innermost registered module whose code ran it (the
  // work of an unregistered module is its caller's).
  auto owner_of = [&](Vertex v) -> std::string {
    const std::vector<int> stack = trace.call_stack(v);
    for (auto it = stack.rbegin(); it != stack.rend(); ++it) {
      if (calls[static_cast<size_t>(*it)].registered) return std::string(calls[static_cast<size_t>(*it)].path());
    }
    return "";
  };
  std::vector<std::pair<uint32_t, NamedValue>> named;
  std::map<std::string, int> seen;
  for (Vertex v : trace.op_nodes()) {
    const Node& n = trace.graph()[v];
    const std::string owner = owner_of(v);
    const std::string base = (owner.empty() ? "" : owner + ".") + std::string(n.op_name());
    const int k = seen[base]++;
    named.push_back({v, NamedValue{k == 0 ? base : base + "_" + std::to_string(k), false, -1, v}});
  }
  // A call comes just before its first op (or, with none, before the next op).
  std::vector<uint32_t> first(calls.size(), UINT32_MAX);
  for (Vertex v : trace.op_nodes()) {
    for (int c : trace.call_stack(v)) first[static_cast<size_t>(c)] = std::min<uint32_t>(first[static_cast<size_t>(c)], v);
  }
  for (size_t c = 1; c < calls.size(); ++c) {
    if (!calls[c].registered) continue;
    const std::string name =
        std::string(calls[c].path()) + (calls[c].call_index == 0 ? "" : "_" + std::to_string(calls[c].call_index));
    named.push_back({first[c], NamedValue{name, true, static_cast<int>(c), 0}});
  }
  std::stable_sort(named.begin(), named.end(), [](const auto& a, const auto& b) {
    // Calls before the ops that share their order (a call's first op).
    if (a.first != b.first) return a.first < b.first;
    return a.second.is_call && !b.second.is_call;
  });
  std::vector<NamedValue> out;
  for (auto& [order, value] : named) out.push_back(std::move(value));
  return out;
}

}  // namespace modtrace
