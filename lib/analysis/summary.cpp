// The torchinfo-style summary (modtrace/summary.hpp), by torchinfo 1.8's
// rules (torchinfo/layer_info.py and model_statistics.py), quirks included:
// they are what users compare against.

#include "modtrace/summary.hpp"

#include <climits>
#include <functional>
#include <set>

#include "modtrace/trace.hpp"

namespace modtrace {
namespace {

int64_t product(Shape::const_iterator first, Shape::const_iterator last) {
  int64_t p = 1;
  for (auto it = first; it != last; ++it) p *= *it;
  return p;
}

// What torchinfo's LayerInfo holds for one call.
struct Layer {
  int depth = 0;
  bool leaf = true;
  bool recursive = false;
  int64_t parameters = 0;  // the module's, its descendants' included
  int64_t macs = 0;        // LayerInfo.calculate_macs
  int64_t output_bytes = 0;
};

// LayerInfo.calculate_macs: per parameter (dotted names, descendants'
// included), from the first output's shape.
int64_t layer_macs(const Module& module, std::string_view type, const Shape& out) {
  if (out.empty()) return 0;
  const bool conv = type.find("Conv") != std::string_view::npos;
  int64_t macs = 0;
  for (const auto& [name, param] : module.named_parameters()) {
    const int64_t n = param.numel();
    if (name == "weight" || name == "bias") {
      // "ignore C when calculating Mult-Adds in ConvNd": batch and spatial sizes only.
      macs += conv ? n * out[0] * product(out.begin() + std::min<size_t>(2, out.size()), out.end()) : out[0] * n;
    } else if (name.find("weight") != std::string::npos || name.find("bias") != std::string::npos) {
      macs += product(out.begin(), out.begin() + std::min<size_t>(2, out.size())) * n;  // RNN-style inner weights
    }
  }
  return macs;
}

}  // namespace

ModelSummary summarize(const Trace& trace, const SummaryOptions& options) {
  const auto& calls = trace.calls();
  const auto& graph = trace.graph();
  ModelSummary s;
  if (trace.root() != nullptr) s.model_type = trace.root()->type_name();

  std::vector<Layer> layers(calls.size());
  std::set<const Module*> seen;
  for (size_t i = 0; i < calls.size(); ++i) {
    const ModuleCall& c = calls[i];
    Layer& l = layers[i];
    l.depth = c.depth;
    l.leaf = c.module->children().empty();
    l.recursive = !seen.insert(c.module).second;
    l.parameters = c.module->parameter_count();
    const Shape out = c.outputs().empty() ? Shape{} : graph[c.outputs()[0]].shape();
    l.macs = layer_macs(*c.module, c.type(), out);
    l.output_bytes = out.empty() ? 0 : static_cast<int64_t>(sizeof(float)) * product(out.begin(), out.end());
  }
  // LayerInfo.leftover_params: what no row below counts.
  std::vector<std::optional<int64_t>> leftovers(calls.size());
  const std::function<int64_t(size_t)> leftover = [&](size_t i) -> int64_t {
    if (leftovers[i]) return *leftovers[i];
    int64_t counted = 0;
    const auto end = static_cast<size_t>(calls[i].subtree_end());
    for (size_t j = i + 1; j < end; ++j) {
      if (!layers[j].recursive) counted += layers[j].leaf ? layers[j].parameters : leftover(j);
    }
    leftovers[i] = layers[i].parameters - counted;
    return *leftovers[i];
  };

  // ModelStatistics: the totals, over every call whatever the depth shown.
  for (size_t i = 0; i < calls.size(); ++i) {
    const Layer& l = layers[i];
    if (l.leaf) {
      s.total_mult_adds += l.macs;
      if (l.parameters > 0) s.forward_backward_bytes += 2 * l.output_bytes;  // x2 for gradients
      if (l.recursive) continue;
      s.total_parameters += l.parameters;
      s.parameter_bytes += static_cast<int64_t>(sizeof(float)) * l.parameters;
    } else if (!l.recursive) {
      s.total_parameters += std::max<int64_t>(leftover(i), 0);
    }
  }
  s.trainable_parameters = s.total_parameters;
  for (const Vertex v : trace.inputs()) s.input_bytes += static_cast<int64_t>(sizeof(float)) * numel_of(graph[v].shape());

  std::vector<int64_t> own_ops(calls.size(), 0);
  for (const Vertex v : trace.op_nodes()) {
    const Node& n = graph[v];
    if (n.call >= 0) ++own_ops[static_cast<size_t>(n.call)];
    if (trace.ownership(v).functional()) s.functional_ops.emplace_back(n.op_name());
  }

  const int max_depth = options.depth > 0 ? options.depth : INT_MAX;
  for (size_t i = 0; i < calls.size(); ++i) {
    const ModuleCall& c = calls[i];
    const Layer& l = layers[i];
    if (l.depth > max_depth) continue;
    const bool reached_max_depth = l.depth == max_depth;
    SummaryRow row;
    row.call = static_cast<int>(i);
    row.depth = l.depth;
    row.path = std::string(c.path());
    row.type = std::string(c.type()) + (c.registered ? "" : " (unregistered)");
    if (!c.inputs().empty()) row.input_shape = graph[c.inputs()[0]].shape();
    if (!c.outputs().empty()) row.output_shape = graph[c.outputs()[0]].shape();
    row.recursive = l.recursive && l.parameters > 0;
    if (l.parameters > 0 && !l.recursive) {
      const int64_t shown = reached_max_depth || l.leaf ? l.parameters : leftover(i);
      if (shown > 0) row.parameters = shown;
    }
    if (l.macs > 0) {
      if (l.leaf) {
        row.mult_adds = l.macs;
      } else if (reached_max_depth) {
        int64_t sum = 0;
        const auto end = static_cast<size_t>(c.subtree_end());
        for (size_t j = i + 1; j < end; ++j) {
          if (layers[j].leaf) sum += layers[j].macs;
        }
        row.mult_adds = sum;
      }
    }
    row.own_ops = own_ops[i];
    s.rows.push_back(std::move(row));
  }
  return s;
}

}  // namespace modtrace
