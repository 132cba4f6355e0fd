// Dataflow breaks: where the values reaching each child come from, against
// what the Sequential feeds it (the previous child's result, as one tensor
// or one tuple; the module's input for the first child).

#include <boost/graph/depth_first_search.hpp>
#include <boost/graph/reverse_graph.hpp>
#include <boost/property_map/property_map.hpp>

#include <algorithm>
#include <climits>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>

#include "analysis/findings.hpp"
#include "analysis/wording.hpp"

namespace modtrace::detail {
namespace {

// Walks back from a value through the module's own (functional) ops to the
// outputs of earlier child calls or the module's inputs. Parameters,
// buffers and constants are not sources.
class SourceFinder {
 public:
  SourceFinder(const Trace& trace, const std::vector<int>& child_calls) : trace_(trace) {
    for (int c : child_calls) {
      for (Vertex v : trace.calls()[c].outputs()) producers_[v].push_back(c);  // in call order
    }
    for (size_t i = 0; i < trace.inputs().size(); ++i) input_index_[trace.inputs()[i]] = static_cast<int>(i);
  }

  // Source labels: a child call index (>= 0) or -1 - input index for module inputs.
  // A depth-first search against the edges (Boost.Graph's, iterative: a
  // long chain of the module's own ops cannot exhaust the stack) that does
  // not go past a source, a parameter, a buffer or a constant.
  std::set<int> sources(Vertex v, int before_call) {
    std::set<int> out;
    std::unordered_map<Vertex, boost::default_color_type> colors;  // white until seen
    const auto against_edges = boost::make_reverse_graph(trace_.graph());
    const auto stops_here = [&](Vertex u, const auto&) { return source_of(u, before_call).has_value() || !is_op(u); };
    SourceVisitor visitor{this, before_call, &out};
    boost::depth_first_visit(against_edges, v, visitor, boost::make_assoc_property_map(colors), stops_here);
    return out;
  }

 private:
  // Records each source the search reaches.
  struct SourceVisitor : boost::default_dfs_visitor {
    SourceFinder* finder;
    int before_call;
    std::set<int>* out;
    SourceVisitor(SourceFinder* f, int before, std::set<int>* o) : finder(f), before_call(before), out(o) {}
    template <class G>
    void discover_vertex(Vertex u, const G&) const {
      if (const auto source = finder->source_of(u, before_call)) out->insert(*source);
    }
  };

  bool is_op(Vertex u) const { return trace_.graph()[u].kind == NodeKind::op; }

  // The label of `u` when it is a source: the latest child call before the
  // consumer that returned it (an Identity child returns the very value it
  // was given), else the module input it is.
  std::optional<int> source_of(Vertex u, int before_call) const {
    if (auto it = producers_.find(u); it != producers_.end()) {
      int latest = -1;
      for (int c : it->second) {
        if (c < before_call) latest = c;
      }
      if (latest >= 0) return latest;
    }
    if (auto it = input_index_.find(u); it != input_index_.end()) return -1 - it->second;
    return std::nullopt;
  }

  const Trace& trace_;
  std::map<Vertex, std::vector<int>> producers_;
  std::map<Vertex, int> input_index_;
};

std::string source_label(const Trace& trace, int source) {
  if (source >= 0) return std::string(trace.calls()[source].path());
  return trace.inputs().size() == 1 ? "the module's input" : "the module's input " + std::to_string(-1 - source);
}

// The values the module returns, as the vertices that produced them.
std::vector<Vertex> result_values(const Trace& trace) {
  std::vector<Vertex> out;
  for (Vertex o : trace.outputs()) out.push_back(boost::source(*boost::in_edges(o, trace.graph()).first, trace.graph()));
  return out;
}

class BreakFinder {
 public:
  BreakFinder(const Trace& trace, const std::vector<int>& child_calls)
      : trace_(trace), child_calls_(child_calls), finder_(trace, child_calls) {}

  std::vector<DataflowBreak> run() {
    for (size_t i = 0; i < child_calls_.size(); ++i) {
      const ModuleCall& c = trace_.calls()[child_calls_[i]];
      check(std::string(c.path()), c.call_index, c.inputs(), c.tuple_argument, static_cast<int>(i));
    }
    // The Sequential returns what its last child returns: does the module?
    if (!child_calls_.empty() && !trace_.outputs().empty()) {
      const std::vector<Vertex> result = result_values(trace_);
      check("(output)", 0, result, result.size() != 1, static_cast<int>(child_calls_.size()));
    }
    return breaks_;
  }

 private:
  // `position`: this consumer's place in the chain (the module's result comes after the last child).
  void check(const std::string& child, int call_index, std::span<const Vertex> inputs, bool tuple, int position) {
    const int previous = position > 0 ? child_calls_[position - 1] : -1;
    const int before = position < static_cast<int>(child_calls_.size()) ? child_calls_[position] : INT_MAX;
    const bool result = child == "(output)";
    DataflowBreak b;
    b.child = child;
    b.call_index = call_index;
    b.expected = previous >= 0 ? "the output of " + std::string(trace_.calls()[previous].path()) : "the module's input";
    const std::string subject = result ? "the module's result" : child;
    const std::string feeds = result ? "returns" : "feeds";

    // A tuple travels whole: the consumer must take exactly the previous child's results.
    const size_t fed_count = previous >= 0 ? trace_.calls()[previous].outputs().size() : 1;
    if (previous >= 0 && fed_count != 1) {
      if (std::ranges::equal(inputs, trace_.calls()[previous].outputs()) && (tuple || result)) return;
      b.expected = "the tuple " + std::string(trace_.calls()[previous].path()) + " returns";
      b.reason = std::string(trace_.calls()[previous].path()) + " returns " + tensors(fed_count) + "; the Sequential " +
                 (result ? "returns them as one tuple" : "passes them to " + child + " as one tuple");
      b.reason += result ? ", the module returns " + tensors(inputs.size())
                         : tuple ? ", the forward a tuple of " + tensors(inputs.size())
                                 : ", the forward calls it with " + std::to_string(inputs.size()) +
                                       (inputs.size() == 1 ? " input" : " inputs");
      breaks_.push_back(b);
      return;
    }
    // A tuple of one tensor carries the same value as that tensor (torchvision's
    // DenseNet hands its first layer [x]): its source decides, as for a tensor.
    if (inputs.size() != 1) {
      b.reason = result ? "the module returns " + tensors(inputs.size()) + "; the Sequential returns " + b.expected
                 : tuple ? child + " is called with a tuple of " + tensors(inputs.size()) +
                               "; the Sequential passes it one tensor, " + b.expected
                         : child + " is called with " + std::to_string(inputs.size()) +
                               " inputs; the Sequential passes one, " + b.expected;
      breaks_.push_back(b);
      return;
    }
    const std::set<int> found = finder_.sources(inputs[0], before);
    const int wanted = previous >= 0 ? previous : -1;
    if (found == std::set<int>{wanted}) return;
    // Children in call order first, then the module's inputs.
    for (int s : found) {
      if (s >= 0) b.actual.push_back(source_label(trace_, s));
    }
    for (int s : found) {
      if (s < 0) b.actual.push_back(source_label(trace_, s));
    }
    if (found.empty()) {
      b.reason = subject + " is computed from parameters or constants only, not from " + b.expected;
    } else if (found.count(wanted) > 0) {
      std::vector<std::string> extra;
      for (int s : found) {
        if (s != wanted) extra.push_back(source_label(trace_, s));
      }
      b.reason = subject + " also reads " + comma_list(extra) + " (a skip connection): the Sequential " + feeds +
                 " only " + b.expected;
    } else {
      b.reason = subject + " reads " + comma_list(b.actual) + ", but the Sequential " + feeds + (result ? " " : " it ") +
                 b.expected;
    }
    breaks_.push_back(b);
  }

  const Trace& trace_;
  const std::vector<int>& child_calls_;
  SourceFinder finder_;
  std::vector<DataflowBreak> breaks_;
};

}  // namespace

std::vector<DataflowBreak> find_dataflow_breaks(const Trace& trace, const std::vector<int>& child_calls) {
  return BreakFinder(trace, child_calls).run();
}

}  // namespace modtrace::detail
