// The findings about what the forward runs and calls: dropped ops, aliases,
// children unused, partly used, repeated or out of order, unregistered
// modules.

#include "analysis/findings.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

namespace modtrace::detail {
namespace {

bool contains(const std::vector<std::string>& items, const std::string& item) {
  return std::find(items.begin(), items.end(), item) != items.end();
}

// `a` is `b`, or one is inside the other.
bool same_or_nested(const std::string& a, const std::string& b) {
  return a == b || a.starts_with(b + ".") || b.starts_with(a + ".");
}

}  // namespace

std::string join_path(std::string_view prefix, std::string_view path) {
  if (prefix.empty()) return std::string(path);
  return path.empty() ? std::string(prefix) : std::string(prefix) + "." + std::string(path);
}

std::vector<int> registered_child_calls(const Trace& trace) {
  std::vector<int> out;
  for (int c : trace.child_calls(0)) {
    if (trace.calls()[c].registered) out.push_back(c);
  }
  return out;
}

void find_dropped_ops(ChildrenReport& r, const std::string& at) {
  const Trace& t = r.original;
  for (Vertex v : t.op_nodes()) {
    const Ownership o = t.ownership_in_call(v, 0);
    if (!o.functional()) continue;
    const Node& n = t.graph()[v];
    // Inside an unregistered module, the line worth showing is the one that called it.
    const SourceLocation& where = o.unregistered_call >= 0 ? t.calls()[o.unregistered_call].source : n.source;
    r.dropped.push_back({v, std::string(n.op_name()), join_path(at, o.module), t.input_shapes(v), n.shape(),
                         to_string(n.attrs()), where.line() || n.origin().empty() ? source_text(where) : std::string(n.origin()),
                         where.line() ? short_function_name(where.function_name()) : ""});
  }
}

void find_aliases(ChildrenReport& r, const Module& module) {
  std::unordered_map<const Module*, std::string> first_name;
  for (const auto& [name, child] : module.registered_children()) {
    const auto [it, inserted] = first_name.emplace(child.get(), name);
    if (!inserted) r.aliases.push_back({name, it->second});
  }
}

// A call of a deeper descendant (a ModuleList member the forward calls
// itself) counts as a use of the child that holds it.
void find_child_usage(ChildrenReport& r, const std::vector<int>& child_calls) {
  std::map<std::string, int> calls_per_path;
  std::set<std::string> used;
  std::vector<std::string> first_uses;
  for (int c : child_calls) {
    const std::string called(r.original.calls()[c].path());
    r.call_order.push_back(called);
    ++calls_per_path[called];
    const std::string child = called.substr(0, called.find('.'));
    if (contains(r.children, child) && used.insert(child).second) first_uses.push_back(child);
  }
  std::vector<std::string> registered_used;
  for (const auto& name : r.children) {
    if (used.count(name)) registered_used.push_back(name);
    else r.unused_children.push_back(name);
  }
  for (const auto& called : r.call_order) {
    const int n = calls_per_path[called];
    const bool listed = std::any_of(r.repeated_children.begin(), r.repeated_children.end(),
                                    [&](const RepeatedChild& rc) { return rc.name == called; });
    if (n > 1 && !listed) r.repeated_children.push_back({called, n});
  }
  r.order_mismatch = first_uses != registered_used;
}

namespace {

// The members of `child` (full paths in the analysed module) that the
// Sequential's call of it ran; when the Sequential never finished that call,
// the members it holds.
std::vector<std::string> members_run_by_sequential(const ChildrenReport& r, const Module& module, size_t index) {
  const std::string& child = r.children[index];
  const Trace& s = r.sequential_trace;
  std::vector<std::string> members;
  for (size_t c = 0; c < s.calls().size(); ++c) {
    const ModuleCall& call = s.calls()[c];
    if (call.depth != 1 || call.path() != std::to_string(index) || !call.completed) continue;
    for (int member : s.child_calls(static_cast<int>(c))) {
      const std::string path(s.calls()[member].path());  // "2.1": the Sequential names its children by index
      const std::string named = child + path.substr(path.find('.'));
      if (!contains(members, named)) members.push_back(named);
    }
    return members;
  }
  for (const auto& [name, held] : module.named_children()) {
    if (name != child) continue;
    for (const auto& [member, m] : held->named_children()) members.push_back(child + "." + member);
  }
  return members;
}

}  // namespace

void find_partly_used_children(ChildrenReport& r, const Module& module) {
  for (size_t i = 0; i < r.children.size(); ++i) {
    const std::string& child = r.children[i];
    if (contains(r.call_order, child)) continue;  // called itself: used whole
    PartlyUsedChild partly{child, {}, {}};
    for (const auto& called : r.call_order) {
      if (called.starts_with(child + ".") && !contains(partly.called, called)) partly.called.push_back(called);
    }
    if (partly.called.empty()) continue;  // unused, reported as such
    for (const auto& member : members_run_by_sequential(r, module, i)) {
      const bool covered = std::any_of(partly.called.begin(), partly.called.end(),
                                       [&](const std::string& c) { return same_or_nested(member, c); });
      if (!covered) partly.also_run.push_back(member);
    }
    // Every member the Sequential runs is one the forward calls: the same work.
    if (!partly.also_run.empty()) r.partly_used_children.push_back(std::move(partly));
  }
}

void find_unregistered_modules(ChildrenReport& r) {
  const Trace& t = r.original;
  std::map<std::string, std::set<const Module*>> instances;
  for (int c : t.child_calls(0)) {
    const ModuleCall& call = t.calls()[c];
    if (call.registered) continue;
    auto it = std::find_if(r.unregistered_modules.begin(), r.unregistered_modules.end(),
                           [&](const UnregisteredModule& u) { return u.type == call.type(); });
    if (it == r.unregistered_modules.end()) {
      r.unregistered_modules.push_back({std::string(call.type()), 0, 0});
      it = std::prev(r.unregistered_modules.end());
    }
    ++it->calls;
    if (instances[std::string(call.type())].insert(call.module).second) ++it->instances;
  }
}

}  // namespace modtrace::detail
