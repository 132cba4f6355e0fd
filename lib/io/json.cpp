// JSON forms of tensors and traces, for tools.

#include <nlohmann/json.hpp>

#include <cmath>
#include <map>

#include "io/json_forms.hpp"
#include "modtrace/analysis.hpp"
#include "modtrace/io.hpp"

namespace modtrace {
namespace {

using json = nlohmann::ordered_json;

std::string ownership_name(const Ownership& o) {
  switch (o.kind) {
    case Ownership::Kind::functional: return "functional";
    case Ownership::Kind::module_owned: return "module-owned";
    case Ownership::Kind::outside: return "outside";
  }
  return "?";
}

}  // namespace

std::string tensor_to_json(const Tensor& t) {
  json j;
  j["schema_version"] = kJsonSchemaVersion;
  j["shape"] = t.shape();
  json data = json::array();
  if (!t.is_meta()) {
    for (float v : t.values()) data.push_back(std::isfinite(v) ? json(v) : json(nullptr));
  }
  j["data"] = std::move(data);
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string trace_to_json(const Trace& trace, int indent) {
  const Graph& g = trace.graph();
  std::map<Vertex, std::string> op_names;
  std::map<int, std::string> call_names;
  for (const NamedValue& n : value_names(trace)) {
    if (n.is_call) call_names[n.call] = n.name;
    else op_names[n.op] = n.name;
  }
  json nodes = json::array();
  for (Vertex v : trace.nodes()) {
    const Node& n = g[v];
    json node = {{"id", v}, {"kind", kind_name(n.kind)}};
    if (n.op) node["op"] = n.op_name();
    if (!n.name().empty()) node["name"] = n.name();
    if (!n.attrs().empty()) node["attributes"] = detail::attributes_json(n.attrs());
    if (n.kind == NodeKind::op || n.kind == NodeKind::failed_op) {
      const Ownership o = trace.ownership(v);
      node["value_name"] = op_names[v];
      node["ownership"] = ownership_name(o);
      node["child"] = o.module_owned() ? json(o.child) : json(nullptr);
      node["module"] = o.innermost_call >= 0 ? json(o.module) : json(nullptr);
      node["input_shapes"] = trace.input_shapes(v);
      const std::string source = n.location();
      node["source"] = source.empty() ? json(nullptr) : json(source);
      node["function"] = n.source.line() ? json(short_function_name(n.source.function_name())) : json(nullptr);
    }
    if (n.kind != NodeKind::failed_op) node["shape"] = n.shape();
    if (!n.output_shapes().empty()) node["output_shapes"] = n.output_shapes();
    if (!n.error().empty()) node["error"] = n.error();
    nodes.push_back(std::move(node));
  }
  json edges = json::array();
  for (Vertex v : trace.nodes()) {
    for (auto e : boost::make_iterator_range(boost::out_edges(v, g))) {
      edges.push_back({{"from", v}, {"to", boost::target(e, g)}, {"operand", g[e].operand}, {"output", g[e].output}});
    }
  }
  auto text_or_null = [](const std::string& s) { return s.empty() ? json(nullptr) : json(s); };
  json calls = json::array();
  for (size_t i = 0; i < trace.calls().size(); ++i) {
    const ModuleCall& c = trace.calls()[i];
    const auto name = call_names.find(static_cast<int>(i));
    calls.push_back({{"path", c.path()},
                     {"value_name", name == call_names.end() ? json(nullptr) : json(name->second)},
                     {"type", c.type()},
                     {"call_index", c.call_index},
                     {"parent", c.parent},
                     {"depth", c.depth},
                     {"registered", c.registered},
                     {"tuple_argument", c.tuple_argument},
                     {"called_at", text_or_null(source_text(c.source))},
                     {"inputs", c.inputs()},
                     {"outputs", c.outputs()},
                     {"completed", c.completed}});
  }
  json failure = nullptr;
  if (const auto& f = trace.failure()) {
    failure = {{"message", f->message},
               {"module", f->module_path},
               {"module_type", f->module_type},
               {"called_at", text_or_null(f->called_at)},
               {"source", text_or_null(f->source)},
               {"node", f->failed_node ? json(*f->failed_node) : json(nullptr)}};
  }
  const json out = {{"schema_version", kJsonSchemaVersion},
                    {"shape_only", trace.shape_only()}, {"completed", trace.completed()}, {"failure", failure},
                    {"inputs", trace.inputs()},         {"outputs", trace.outputs()},     {"nodes", nodes},
                    {"edges", edges},                   {"calls", calls}};
  return out.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace modtrace
