// Extraction: a module computing named values of the forward from its inputs,
// by replaying the trace up to them (torchvision's create_feature_extractor,
// from a trace instead of torch.fx).

#include <algorithm>
#include <map>
#include <set>

#include "modtrace/analysis.hpp"
#include "modtrace/error.hpp"
#include "modtrace/repair.hpp"
#include "repair/code.hpp"
#include "repair/replay.hpp"

namespace modtrace {

namespace {

// "no value named 'layer5' in the forward of ResNet; nearest: 'layer4', 'layer1', …"
[[noreturn]] void unknown_name(const std::string& name, const std::string& type, const std::vector<NamedValue>& all) {
  std::vector<std::string> names;
  for (const NamedValue& n : all) names.push_back(n.name);
  std::string list;
  for (const std::string& near : nearest_names(name, names, 5)) list += (list.empty() ? "'" : ", '") + near + "'";
  throw Error("no value named '" + name + "' in the forward of " + type + "; the nearest names are " + list +
              " (modtrace trace lists them all)");
}

}  // namespace

Extraction extraction(const std::shared_ptr<Module>& model, const Tensors& inputs, const std::vector<std::string>& names,
                      const ExtractOptions& options) {
  using detail::repair::ExtractedName;
  using detail::repair::Replay;
  using detail::repair::ReplayModule;
  using detail::repair::Unit;
  using detail::repair::ValueRef;
  if (!model) throw Error("extract: no model given");
  if (names.empty()) throw Error("extract: name at least one value to extract");
  auto trace = std::make_shared<const Trace>(trace_module(*model, inputs, {.shape_only = options.shape_only}));
  if (!trace->completed()) {
    throw ModuleFailedError("the forward fails, so there is nothing to extract: " + trace->failure()->message,
                            *trace->failure());
  }
  const std::vector<NamedValue> all = value_names(*trace);
  std::map<std::string, const NamedValue*> by_name;
  std::map<int, std::string> call_names;
  std::map<Vertex, std::string> op_names;
  for (const NamedValue& n : all) {
    by_name.emplace(n.name, &n);
    if (n.is_call) call_names[n.call] = n.name;
    else op_names[n.op] = n.name;
  }

  Extraction x;
  x.module_type = model->type_name();
  x.names = names;
  std::vector<ExtractedName> wanted;
  std::vector<ValueRef> targets;
  std::set<int> opened;
  bool all_calls = true;
  for (const std::string& name : names) {
    const auto it = by_name.find(name);
    if (it == by_name.end()) unknown_name(name, x.module_type, all);
    const NamedValue& n = *it->second;
    ExtractedName e{name, {}};
    std::vector<Shape> shapes;
    if (n.is_call) {
      const ModuleCall& c = trace->calls()[static_cast<size_t>(n.call)];
      if (c.outputs().empty()) throw Error("module call '" + name + "' returned nothing to extract");
      for (size_t i = 0; i < c.outputs().size(); ++i) e.values.push_back({c.outputs()[i], c.output_slots()[i]});
      for (int p = c.parent; p >= 0; p = trace->calls()[static_cast<size_t>(p)].parent) opened.insert(p);
    } else {
      all_calls = false;
      const Node& node = trace->graph()[n.op];
      const size_t count = std::max<size_t>(node.output_shapes().size(), 1);
      for (size_t k = 0; k < count; ++k) e.values.push_back({n.op, static_cast<int>(k)});
      for (int c : trace->call_stack(n.op)) opened.insert(c);
    }
    for (const ValueRef& v : e.values) {
      const Node& node = trace->graph()[v.node];
      shapes.push_back(node.output_shapes().empty() ? node.shape() : node.output_shapes().at(static_cast<size_t>(v.slot)));
      targets.push_back(v);
    }
    x.shapes.push_back(std::move(shapes));
    wanted.push_back(std::move(e));
  }
  std::vector<ValueRef> fed;
  for (Vertex v : trace->inputs()) fed.push_back({v, 0});
  auto replay = std::make_shared<Replay>(trace, model, opened, fed, targets);
  std::string label;
  for (const auto& name : names) label += (label.empty() ? "" : ", ") + name;
  x.module = std::make_shared<ReplayModule>(replay, label, fed.size());

  auto name_of = [&](const Unit& u) { return u.is_call ? call_names.at(u.call) : op_names.at(u.node); };
  const detail::repair::Code code = detail::repair::extraction_code(
      *replay, wanted, name_of,
      "The values " + label + " of " + x.module_type + "'s forward (modtrace extract), replayed as it ran.");
  x.python = code.python;
  x.cpp = code.cpp;
  if (all_calls) {
    std::string quoted;
    for (const auto& name : names) quoted += (quoted.empty() ? "\"" : ", \"") + name + "\"";
    x.python_fx = "# torch.fx's extractor, where fx can trace the model (it cannot trace ViT). It returns values as the\n"
                  "# forward left them: one a later step changed in place (ReLU(inplace=True)) comes back changed.\n"
                  "from torchvision.models.feature_extraction import create_feature_extractor\n\n"
                  "features = create_feature_extractor(model, return_nodes=[" + quoted + "])\n";
  }
  return x;
}

std::shared_ptr<Module> extract(const std::shared_ptr<Module>& model, const Tensors& inputs,
                                const std::vector<std::string>& names) {
  return extraction(model, inputs, names).module;
}

}  // namespace modtrace
