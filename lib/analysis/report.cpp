// ChildrenReport as text for people and as JSON for tools.

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>

#include "analysis/wording.hpp"
#include "io/json_forms.hpp"
#include "modtrace/analysis.hpp"

namespace modtrace {
namespace {

using detail::comma_list;
using detail::number;
using detail::optional_shape;

std::string shapes_text(const DroppedOp& d) { return to_string(d.input_shapes) + " -> " + to_string(d.output_shape); }

std::string verdict_sentence(const ChildrenReport& r) {
  const bool many = r.output.original_count != 1;
  switch (r.verdict) {
    case Verdict::equivalent:
      return r.output.compared ? std::string("nn.Sequential(*children()) gives exactly the same output") +
                                     (many ? "s" : "")
                               : "nn.Sequential(*children()) has the same structure and output shape" +
                                     std::string(many ? "s" : "");
    case Verdict::different:
      if (r.output.equal) {
        return "nn.Sequential(*children()) runs another program, though on this input its output equals the "
               "module's";
      }
      return r.output.compared || !r.output.shapes_equal
                 ? "nn.Sequential(*children()) runs but computes something else"
                 : "nn.Sequential(*children()) runs but differs in structure";
    case Verdict::fails: return "nn.Sequential(*children()) raises an error";
  }
  return "";
}

std::string inputs_text(const std::vector<Shape>& shapes) {
  std::string s;
  for (const auto& shape : shapes) s += (s.empty() ? "" : ", ") + to_string(shape);
  return (shapes.size() == 1 ? "input " : "inputs ") + (shapes.empty() ? std::string("(none)") : s);
}

std::string output_line(const OutputPair& p, bool sequential_ok, bool shape_only) {
  std::string s = "original " + optional_shape(p.original) + ", sequential " +
                  (sequential_ok ? optional_shape(p.sequential) : std::string("(none)"));
  if (p.compared) {
    s += "; max |difference| " + number(p.max_abs_diff) + "; " + (p.equal ? "equal" : "not equal");
  } else if (p.original && p.sequential && *p.original != *p.sequential) {
    s += "; shapes differ";
  } else if (shape_only && p.original && p.sequential) {
    s += "; values not compared (shape only)";
  }
  return s;
}

}  // namespace

std::string ChildrenReport::text() const {
  const std::string who = path.empty() ? module_type : "'" + path + "' (" + module_type + ")";
  std::string s;
  s += "children-only analysis of " + who + ", " + inputs_text(input_shapes) + (shape_only ? " (shape only)" : "") +
       "\n";
  s += "verdict: " + std::string(verdict_name(verdict)) + " - " + verdict_sentence(*this) + "\n";
  for (const auto& reason : reasons) s += "  because " + reason + "\n";
  s += "\n";
  s += "children, registration order (what the Sequential runs): " + comma_list(children, "none") + "\n";
  s += "children, as the forward calls them:                     " + comma_list(call_order, "none") + "\n";
  for (const auto& a : aliases) {
    s += "shared: '" + a.name + "' is '" + a.same_as + "' registered again; children() lists it once\n";
  }
  s += "\n";

  if (dropped.empty()) {
    s += "dropped: none - the forward's own code runs no ops\n";
  } else {
    s += "dropped: " + std::to_string(dropped.size()) + (dropped.size() == 1 ? " op" : " ops") + " of " +
         module_type + "'s own code, which the Sequential never runs\n";
    size_t op_w = 0, shape_w = 0, attr_w = 0, fn_w = 0;
    for (const auto& d : dropped) {
      op_w = std::max(op_w, d.op.size());
      shape_w = std::max(shape_w, shapes_text(d).size());
      attr_w = std::max(attr_w, d.attributes.size());
      fn_w = std::max(fn_w, d.function.size());
    }
    auto pad = [](std::string t, size_t w) { return t.append(w > t.size() ? w - t.size() : 0, ' '); };
    for (const auto& d : dropped) {
      // Ops of an unregistered module it called say which.
      const std::string in = d.module != path ? "  in " + d.module : "";
      std::string line = "  " + pad(d.op, op_w) + "  " + pad(shapes_text(d), shape_w) + "  " +
                         (attr_w > 0 ? pad(d.attributes, attr_w) + "  " : "") + pad(d.function, fn_w) + "  " +
                         d.source + in;
      while (!line.empty() && line.back() == ' ') line.pop_back();
      s += line + "\n";
    }
  }
  if (!unregistered_modules.empty()) {
    s += "unregistered modules (called, but no children: the Sequential never runs them, their ops are dropped):\n";
    for (const auto& u : unregistered_modules) {
      s += "  " + u.type + ": " + std::to_string(u.instances) + (u.instances == 1 ? " instance, " : " instances, ") +
           std::to_string(u.calls) + (u.calls == 1 ? " call" : " calls") + "\n";
    }
  }
  s += "unused children (never called, but the Sequential runs them): " + comma_list(unused_children, "none") + "\n";
  if (!partly_used_children.empty()) {
    s += "partly used children (the forward calls some members, the Sequential runs the whole child):\n";
    for (const auto& p : partly_used_children) {
      s += "  " + p.name + ": the forward calls " + comma_list(p.called, "none") + "; the Sequential also runs " +
           comma_list(p.also_run, "nothing") + "\n";
    }
  }
  std::vector<std::string> repeats;
  for (const auto& r : repeated_children) repeats.push_back(r.name + " (" + std::to_string(r.calls) + " calls)");
  s += "repeated children (the Sequential calls each once): " + comma_list(repeats, "none") + "\n";
  s += std::string("call order: ") + (order_mismatch ? "differs from registration order" : "as registered") + "\n";
  s += "dataflow breaks:" + std::string(dataflow_breaks.empty() ? " none" : "") + "\n";
  for (const auto& b : dataflow_breaks) {
    s += "  " + b.child + (b.call_index > 0 ? " (call " + std::to_string(b.call_index) + ")" : "") + ": " + b.reason +
         "\n";
  }
  s += "\nsequential: ";
  if (sequential.ok) {
    s += "runs\n";
  } else {
    s += (sequential.failed_child.empty() ? std::string("fails before any child runs")
                                          : "fails at child '" + sequential.failed_child + "'") +
         "\n  " + sequential.error + "\n";
  }
  if (output.outputs.size() == 1 && output.original_count == 1) {
    s += "output: " + output_line(output.outputs[0], sequential.ok, shape_only) + "\n";
  } else {
    s += "outputs: the module returns " + std::to_string(output.original_count) + ", the Sequential " +
         (sequential.ok ? std::to_string(output.sequential_count) : std::string("none (it fails)")) + "\n";
    for (size_t i = 0; i < output.outputs.size(); ++i) {
      s += "  output " + std::to_string(i) + ": " + output_line(output.outputs[i], sequential.ok, shape_only) + "\n";
    }
  }
  return s;
}

std::string ChildrenReport::json(int indent) const {
  // ordered_json: the fields appear in the order a reader wants them, verdict first.
  using json = nlohmann::ordered_json;
  // NaN differences are not JSON numbers: they travel as null.
  auto difference = [](bool compared, double d) { return compared && !std::isnan(d) ? json(d) : json(nullptr); };
  auto shape_or_null = [](const std::optional<Shape>& s) { return s ? json(*s) : json(nullptr); };
  json dropped_json = json::array();
  for (const auto& d : dropped) {
    json shapes = json::array();
    for (const auto& shape : d.input_shapes) shapes.push_back(shape);
    dropped_json.push_back({{"op", d.op},
                            {"module", d.module},
                            {"shapes", {{"inputs", shapes}, {"output", d.output_shape}}},
                            {"attributes", detail::attributes_json(original.graph()[d.node].attrs())},
                            {"source", d.source.empty() ? json(nullptr) : json(d.source)},
                            {"function", d.function.empty() ? json(nullptr) : json(d.function)}});
  }
  json aliases_json = json::array();
  for (const auto& a : aliases) aliases_json.push_back({{"name", a.name}, {"same_as", a.same_as}});
  json partly = json::array();
  for (const auto& p : partly_used_children) {
    partly.push_back({{"name", p.name}, {"called", p.called}, {"also_run", p.also_run}});
  }
  json repeated = json::array();
  for (const auto& r : repeated_children) repeated.push_back({{"name", r.name}, {"calls", r.calls}});
  json unregistered = json::array();
  for (const auto& u : unregistered_modules) {
    unregistered.push_back({{"type", u.type}, {"instances", u.instances}, {"calls", u.calls}});
  }
  json breaks = json::array();
  for (const auto& b : dataflow_breaks) {
    breaks.push_back({{"child", b.child},
                      {"call_index", b.call_index},
                      {"expected", b.expected},
                      {"actual", b.actual},
                      {"reason", b.reason}});
  }
  json outputs = json::array();
  for (const auto& p : output.outputs) {
    outputs.push_back({{"original_shape", shape_or_null(p.original)},
                       {"sequential_shape", shape_or_null(p.sequential)},
                       {"max_abs_diff", difference(p.compared, p.max_abs_diff)},
                       {"equal", p.equal}});
  }
  json out = {
      {"schema_version", kJsonSchemaVersion},
      {"verdict", verdict_name(verdict)},
      {"reasons", reasons},
      {"module", path},
      {"module_type", module_type},
      {"input_shapes", input_shapes},
      {"shape_only", shape_only},
      {"children", children},
      {"aliases", aliases_json},
      {"call_order", call_order},
      {"dropped", dropped_json},
      {"unregistered_modules", unregistered},
      {"unused_children", unused_children},
      {"partly_used_children", partly},
      {"repeated_children", repeated},
      {"order_mismatch", order_mismatch},
      {"dataflow_breaks", breaks},
      {"sequential",
       {{"ok", sequential.ok},
        {"error", sequential.ok ? json(nullptr) : json(sequential.error)},
        {"failed_child", sequential.ok ? json(nullptr) : json(sequential.failed_child)},
        {"failed_module", sequential.ok ? json(nullptr) : json(sequential.failed_module)}}},
      {"output",
       {{"original_count", output.original_count},
        {"sequential_count", sequential.ok ? json(output.sequential_count) : json(nullptr)},
        {"shapes_equal", output.shapes_equal},
        {"compared", output.compared},
        {"max_abs_diff", difference(output.compared, output.max_abs_diff)},
        {"equal", output.equal},
        {"outputs", outputs}}},
  };
  if (output.compared && std::isnan(output.max_abs_diff)) out["output"]["nan"] = true;
  return out.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace modtrace
