// What to draw for a trace: clusters for expanded module calls, one node per
// collapsed call, op and value nodes with their roles, and the data edges
// between whatever they ended up in.

#include <algorithm>
#include <map>
#include <set>

#include "render/view.hpp"

namespace modtrace::detail {
namespace {

// Splits text into lines of at most `width` characters at spaces.
std::vector<std::string> wrap(const std::string& text, size_t width) {
  std::vector<std::string> lines;
  std::string line;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(' ', start);
    if (end == std::string::npos) end = text.size();
    const std::string word = text.substr(start, end - start);
    if (!line.empty() && line.size() + 1 + word.size() > width) {
      lines.push_back(line);
      line.clear();
    }
    line += (line.empty() ? "" : " ") + word;
    start = end + 1;
  }
  if (!line.empty()) lines.push_back(line);
  return lines;
}

class TraceView {
 public:
  TraceView(const Trace& trace, const ViewOptions& options, DrawGraph& graph)
      : trace_(trace), o_(options), g_(graph), calls_(trace.calls()), drawn_(boost::num_vertices(trace.graph())) {}

  void build() {
    if (o_.roll) plan_rolls();
    plan_calls();
    add_value_and_op_nodes();
    add_edges();
  }

 private:
  // The path shown for a call: a Sequential's "0", "1", … become the original children's names.
  std::string display_path(int call) const {
    std::string path(calls_[call].path());
    if (o_.child_names.empty() || path.empty()) return path;
    const size_t dot = path.find('.');
    const std::string first = path.substr(0, dot);
    try {
      const size_t i = std::stoul(first);
      if (i < o_.child_names.size() && std::to_string(i) == first) {
        return o_.child_names[i] + (dot == std::string::npos ? "" : path.substr(dot));
      }
    } catch (const std::exception&) {
    }
    return path;
  }

  Role own_code_role() const { return o_.functional_is_dropped ? Role::dropped : Role::functional; }

  // A call of a module the root does not hold (kept in a plain list), or
  // anything inside one: the root's own work, drawn as such.
  bool roots_own_work(int call) const {
    for (int c = call; c >= 0 && calls_[c].parent >= 0; c = calls_[c].parent) {
      if (calls_[calls_[c].parent].parent < 0) return !calls_[c].registered;
    }
    return false;
  }

  // Whether the call is (inside) a top-level child named in `names`.
  bool under(int call, const std::vector<std::string>& names) const {
    for (int c = call; c >= 0; c = calls_[c].parent) {
      if (calls_[c].depth != 1) continue;
      const std::string path = display_path(c);
      return std::find(names.begin(), names.end(), path) != names.end();
    }
    return false;
  }
  bool is_added(int call) const { return under(call, o_.added_children); }
  bool is_replayed(int call) const { return under(call, o_.replayed_children); }

  std::string call_title(int call) const {
    const ModuleCall& c = calls_[call];
    std::string title = display_path(call);
    if (const auto run = rolled_.find(call); run != rolled_.end()) {
      // "encoder.layers.encoder_layer_0 … encoder_layer_11 (EncoderBlock) ×12"
      title += " … " + last_name(display_path(run->second.last));
    }
    title += " (" + std::string(c.type()) + ")";
    if (c.call_index > 0) title += ", call " + std::to_string(c.call_index + 1);
    if (const auto run = rolled_.find(call); run != rolled_.end()) title += " ×" + std::to_string(run->second.count);
    return title;
  }

  // ---- details (tooltips, the HTML view's panel) ----

  std::string module_text(int call) const {
    if (call < 0) return "(outside any module call)";
    const std::string path = display_path(call);
    return path.empty() ? "(the traced module)" : path;
  }

  Details call_details(int call) const {
    const ModuleCall& c = calls_[call];
    Details d = {{"module", module_text(call)}, {"type", std::string(c.type())}};
    if (c.call_index > 0) d.emplace_back("call", std::to_string(c.call_index + 1) + " of this module");
    if (const auto run = rolled_.find(call); run != rolled_.end()) {
      d.emplace_back("rolled", std::to_string(run->second.count) + " identical chained calls, up to " +
                                   module_text(run->second.last));
    }
    d.emplace_back("inputs", to_string(value_shapes(c.inputs())));
    d.emplace_back("outputs", c.completed ? to_string(value_shapes(c.outputs())) : std::string("(failed)"));
    if (const std::string at = source_text(c.source); !at.empty()) d.emplace_back("called at", at);
    if (!c.registered) d.emplace_back("registered", "no: not in the module tree, so its work is the caller's own");
    return d;
  }

  Details op_details(Vertex v) const {
    const Node& n = trace_.graph()[v];
    Details d = {{"op", std::string(n.op_name())}, {"module", module_text(n.call)}};
    const Ownership o = trace_.ownership(v);
    d.emplace_back("ownership", o.functional()      ? std::string("functional: the traced module's own code")
                                : o.module_owned()  ? "module-owned: inside child " + module_text(o.child_call)
                                                    : std::string("outside the traced module"));
    d.emplace_back("inputs", to_string(trace_.input_shapes(v)));
    if (n.kind == NodeKind::failed_op) {
      d.emplace_back("error", n.error().empty() ? failure_reason() : std::string(n.error()));
    } else {
      d.emplace_back("output", n.output_shapes().empty() ? to_string(n.shape()) : to_string(n.output_shapes()));
    }
    if (const std::string attrs = to_string(n.attrs()); !attrs.empty()) d.emplace_back("attributes", attrs);
    if (const std::string at = n.location(); !at.empty()) d.emplace_back("source", at);
    return d;
  }

  Details value_details(Vertex v) const {
    const Node& n = trace_.graph()[v];
    return {{std::string(kind_name(n.kind)), std::string(n.name())}, {"shape", to_string(n.shape())}};
  }

  // ---- rolling (ViewOptions::roll) ----

  // How a run's last call is named after its first: its last path segment
  // ("encoder_layer_11"), with the one before when that is a bare index
  // ("layer3.5", not "5").
  static std::string last_name(const std::string& path) {
    const size_t dot = path.rfind('.');
    if (dot == std::string::npos) return path;
    const std::string tail = path.substr(dot + 1);
    if (tail.find_first_not_of("0123456789") != std::string::npos) return tail;
    const size_t before = path.rfind('.', dot - 1);
    return path.substr(before == std::string::npos ? 0 : before + 1);
  }

  size_t subtree_end(size_t i) const { return static_cast<size_t>(calls_[i].subtree_end()); }

  // What makes two calls draw alike: type, shapes, and every call and op
  // inside, relative to the call (ops by name, attributes and shape).
  std::string signature(size_t i, const std::vector<std::vector<Vertex>>& ops_of) const {
    const Graph& graph = trace_.graph();
    std::string sig;
    const size_t end = subtree_end(i);
    for (size_t j = i; j < end; ++j) {
      const ModuleCall& c = calls_[j];
      sig += std::to_string(c.depth - calls_[i].depth) + ":" + std::string(c.type()) + to_string(value_shapes(c.inputs())) +
             to_string(value_shapes(c.outputs())) + (c.completed ? "" : "!") + "{";
      for (Vertex v : ops_of[j]) {
        const Node& n = graph[v];
        sig += std::string(n.op_name()) + "(" + to_string(n.attrs()) + ")" + to_string(n.shape()) + ";";
      }
      sig += "}";
    }
    return sig;
  }

  // Whether call b is fed only call a's results, and they feed nothing but b.
  bool chained(size_t a, size_t b) const {
    const Graph& graph = trace_.graph();
    const auto in_b = [&](Vertex v) {
      const int call = graph[v].call;
      return call >= static_cast<int>(b) && call < static_cast<int>(subtree_end(b));
    };
    const auto outs = calls_[a].outputs();
    const auto ins = calls_[b].inputs();
    if (!std::equal(outs.begin(), outs.end(), ins.begin(), ins.end())) return false;
    for (Vertex v : outs) {
      for (auto e : boost::make_iterator_range(boost::out_edges(v, graph))) {
        if (!in_b(boost::target(e, graph))) return false;
      }
    }
    return true;
  }

  // Finds the runs of identical, chained sibling calls: the first of each
  // is drawn, labelled ×N; the others (and everything inside them) are not,
  // and the last one's results are drawn as the first one's.
  void plan_rolls() {
    const Graph& graph = trace_.graph();
    std::vector<std::vector<Vertex>> ops_of(calls_.size());
    for (Vertex v : trace_.op_nodes()) {
      if (graph[v].call >= 0) ops_of[static_cast<size_t>(graph[v].call)].push_back(v);
    }
    std::map<int, std::vector<size_t>> siblings;  // parent call -> its calls, in order
    for (size_t i = 0; i < calls_.size(); ++i) siblings[calls_[i].parent].push_back(i);
    hidden_.assign(calls_.size(), false);
    for (const auto& [parent, calls_of_parent] : siblings) {
      if (parent < 0) continue;  // the traced root is the picture itself
      const std::vector<size_t>& list = calls_of_parent;  // a lambda may not capture a structured binding (clang 14)
      // A run's failed match is the next run's start: each signature once.
      std::vector<std::string> signatures(list.size());
      const auto signature_of = [&](size_t k) -> const std::string& {
        if (signatures[k].empty()) signatures[k] = signature(list[k], ops_of);
        return signatures[k];
      };
      size_t start = 0;
      while (start < list.size()) {
        const std::string& sig = signature_of(start);
        size_t end = start + 1;
        while (end < list.size() && calls_[list[end]].completed && chained(list[end - 1], list[end]) &&
               signature_of(end) == sig) {
          ++end;
        }
        if (end - start > 1) {
          rolled_[static_cast<int>(list[start])] = {static_cast<int>(list[end - 1]), static_cast<int>(end - start)};
          for (size_t k = start + 1; k < end; ++k) {
            for (size_t j = list[k]; j < subtree_end(list[k]); ++j) hidden_[j] = true;
          }
          // The run's results are the last call's: drawn where the first's are.
          const auto first_out = calls_[list[start]].outputs();
          const auto last_out = calls_[list[end - 1]].outputs();
          for (size_t k = 0; k < last_out.size() && k < first_out.size(); ++k) drawn_as_[last_out[k]] = first_out[k];
        }
        start = end;
      }
    }
  }

  bool hidden(int call) const { return call >= 0 && !hidden_.empty() && hidden_[static_cast<size_t>(call)]; }

  std::vector<Shape> value_shapes(std::span<const Vertex> values) const {
    std::vector<Shape> shapes;
    for (Vertex v : values) shapes.push_back(trace_.graph()[v].shape());
    return shapes;
  }

  // Decides, call by call (parents come first), whether it is the picture itself,
  // a cluster, a collapsed node, or hidden inside a collapsed ancestor.
  void plan_calls() {
    int top_level = 0;
    for (const auto& c : calls_) top_level += c.parent < 0 ? 1 : 0;
    // A leaf call (no module calls inside) that ran exactly one op is drawn as
    // that op, labelled with the module, rather than as a cluster of one.
    std::vector<int> ops_in(calls_.size(), 0), children(calls_.size(), 0);
    for (Vertex v : trace_.op_nodes()) {
      if (trace_.graph()[v].call >= 0) ++ops_in[trace_.graph()[v].call];
    }
    for (const auto& c : calls_) {
      if (c.parent >= 0) ++children[c.parent];
    }
    single_op_leaf_.assign(calls_.size(), false);
    for (size_t i = 0; i < calls_.size(); ++i) single_op_leaf_[i] = children[i] == 0 && ops_in[i] == 1;
    collapsed_into_.assign(calls_.size(), -1);
    cluster_of_.assign(calls_.size(), o_.parent_cluster);
    for (size_t i = 0; i < calls_.size(); ++i) {
      const ModuleCall& c = calls_[i];
      if (hidden(static_cast<int>(i))) continue;  // rolled into the first of its run
      const int parent_cluster = c.parent >= 0 ? cluster_of_[c.parent] : o_.parent_cluster;
      if (c.parent >= 0 && collapsed_into_[c.parent] >= 0) {
        collapsed_into_[i] = collapsed_into_[c.parent];
        continue;
      }
      if (c.parent < 0 && top_level == 1) continue;  // the traced root is the picture itself
      if (o_.depth > 0 && c.depth >= o_.depth) {
        collapsed_into_[i] = static_cast<int>(i);
        DrawNode node;
        node.id = o_.id_prefix + "c" + std::to_string(i);
        node.lines = {call_title(static_cast<int>(i)),
                      to_string(value_shapes(c.inputs())) + " → " +
                          (c.completed ? to_string(value_shapes(c.outputs())) : std::string("(failed)"))};
        node.role = !c.completed                      ? Role::failed
                    : is_added(static_cast<int>(i))   ? Role::added
                    : is_replayed(static_cast<int>(i)) ? Role::replayed
                    : roots_own_work(static_cast<int>(i)) ? own_code_role()
                                                      : Role::module;
        node.cluster = parent_cluster;
        node.details = call_details(static_cast<int>(i));
        collapsed_node_[static_cast<int>(i)] = g_.nodes.size();
        g_.nodes.push_back(std::move(node));
        continue;
      }
      if (single_op_leaf_[i] && c.parent >= 0) {
        cluster_of_[i] = parent_cluster;  // its op goes where the cluster would have been
        continue;
      }
      DrawCluster cluster;
      cluster.id = "cluster_" + o_.id_prefix + "c" + std::to_string(i);  // Graphviz: only "cluster…" names are boxes
      cluster.label = call_title(static_cast<int>(i));
      cluster.parent = parent_cluster;
      cluster.details = call_details(static_cast<int>(i));
      cluster_of_[i] = static_cast<int>(g_.clusters.size());
      g_.clusters.push_back(std::move(cluster));
    }
  }

  void add_value_and_op_nodes() {
    const Graph& graph = trace_.graph();
    for (Vertex v : trace_.nodes()) {
      const Node& n = graph[v];
      DrawNode node;
      node.id = o_.id_prefix + "n" + std::to_string(v);
      node.cluster = o_.parent_cluster;
      switch (n.kind) {
        case NodeKind::input:
        case NodeKind::output:
          node.role = n.kind == NodeKind::input ? Role::input : Role::output;
          node.lines = {std::string(n.name()), to_string(n.shape())};
          node.details = value_details(v);
          break;
        case NodeKind::parameter:
        case NodeKind::buffer:
        case NodeKind::constant:
          if (!o_.show_parameters || feeds_only_hidden(v)) continue;
          node.role = Role::parameter;
          node.lines = {std::string(n.name()), to_string(n.shape())};
          node.details = value_details(v);
          break;
        case NodeKind::op:
        case NodeKind::failed_op: {
          const int call = n.call;
          if (hidden(call)) {
            // Rolled: not drawn, but the run's results stand for the first call's.
            if (const auto as = drawn_as_.find(v); as != drawn_as_.end()) drawn_[v] = drawn_[as->second];
            continue;
          }
          if (call >= 0 && collapsed_into_[call] >= 0) {
            // Drawn as part of the collapsed call; a failure inside marks it.
            const int owner = collapsed_into_[call];
            drawn_[v] = g_.nodes[collapsed_node_.at(owner)].id;
            collapsed_with_ops_.insert(owner);
            if (n.kind == NodeKind::failed_op) {
              DrawNode& collapsed = g_.nodes[collapsed_node_.at(owner)];
              collapsed.role = Role::failed;
              for (auto& line : wrap(failure_reason(), 44)) collapsed.lines.push_back(line);
              collapsed.details.emplace_back("failed at", std::string(n.op_name()) + ": " + failure_reason());
            }
            continue;
          }
          const bool own_code = trace_.ownership(v).functional();
          node.cluster = call >= 0 ? cluster_of_[call] : o_.parent_cluster;
          node.lines = {std::string(n.op_name())};
          if (call >= 0 && single_op_leaf_[call] && calls_[call].parent >= 0) {
            node.lines = {call_title(call), std::string(n.op_name())};
          }
          const std::string attrs = to_string(n.attrs());
          if (!attrs.empty() && attrs.size() <= 30) node.lines.push_back(attrs);
          if (n.kind == NodeKind::failed_op) {
            node.role = Role::failed;
            node.lines.push_back(to_string(trace_.input_shapes(v)) + " → (failed)");
            for (auto& line : wrap(failure_reason(), 44)) node.lines.push_back(line);
          } else {
            node.role = own_code ? own_code_role() : call >= 0 && is_replayed(call) ? Role::replayed : Role::module_owned;
            node.lines.push_back(n.output_shapes().empty() ? to_string(n.shape()) : to_string(n.output_shapes()));
          }
          node.details = op_details(v);
          break;
        }
      }
      drawn_[v] = node.id;
      g_.nodes.push_back(std::move(node));
    }
  }

  // A parameter, buffer or constant read only inside rolled-away calls.
  bool feeds_only_hidden(Vertex v) const {
    if (hidden_.empty()) return false;
    const Graph& graph = trace_.graph();
    bool any = false;
    for (auto e : boost::make_iterator_range(boost::out_edges(v, graph))) {
      if (!hidden(graph[boost::target(e, graph)].call)) return false;
      any = true;
    }
    return any;
  }

  std::string failure_reason() const {
    return trace_.failure() ? trace_.failure()->reason : std::string("failed");
  }

  void add_edges() {
    const Graph& graph = trace_.graph();
    std::set<std::pair<std::string, std::string>> seen;
    auto connect = [&](const std::string& from, const std::string& to) {
      if (from.empty() || to.empty() || from == to) return;
      if (seen.insert({from, to}).second) g_.edges.push_back({from, to});
    };
    for (Vertex v : trace_.nodes()) {
      for (auto e : boost::make_iterator_range(boost::out_edges(v, graph))) connect(drawn_[v], drawn_[boost::target(e, graph)]);
    }
    // A collapsed call that ran no op of its own (Identity) still shows what it was given.
    for (const auto& [call, index] : collapsed_node_) {
      if (collapsed_with_ops_.count(call)) continue;
      for (Vertex in : calls_[call].inputs()) connect(drawn_[in], g_.nodes[index].id);
    }
  }

  const Trace& trace_;
  const ViewOptions& o_;
  DrawGraph& g_;
  const std::vector<ModuleCall>& calls_;
  std::vector<std::string> drawn_;    // vertex -> drawn node id ("" when hidden)
  std::vector<int> collapsed_into_;   // call -> the collapsed call that contains it, -1 if expanded
  std::vector<int> cluster_of_;       // call -> the cluster its own ops go in
  std::vector<bool> single_op_leaf_;  // call -> drawn as its one op
  std::map<int, size_t> collapsed_node_;  // collapsed call -> index in g_.nodes
  std::set<int> collapsed_with_ops_;      // collapsed calls some op was drawn into
  struct Run {
    int last = 0;   // the run's last call
    int count = 0;  // calls in the run
  };
  std::map<int, Run> rolled_;           // first call of a rolled run -> the run
  std::vector<bool> hidden_;            // call -> rolled away (empty: nothing rolled)
  std::map<Vertex, Vertex> drawn_as_;   // a rolled run's last results -> the first call's
};

}  // namespace

void add_trace_view(const Trace& trace, const ViewOptions& options, DrawGraph& graph) {
  TraceView(trace, options, graph).build();
}

}  // namespace modtrace::detail
