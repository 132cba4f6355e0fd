// ChildrenReport as text for people and as JSON for tools.

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>

#include "modtrace/analysis.hpp"

namespace modtrace {
namespace {

std::string list_or(const std::vector<std::string>& items, const std::string& none) {
  if (items.empty()) return none;
  std::string s;
  for (const auto& i : items) s += (s.empty() ? "" : ", ") + i;
  return s;
}

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

std::string shapes_text(const DroppedOp& d) { return to_string(d.input_shapes) + " -> " + to_string(d.output_shape); }

std::string verdict_sentence(const ChildrenReport& r) {
  switch (r.verdict) {
    case Verdict::equivalent:
      return r.output.compared ? "nn.Sequential(*children()) gives exactly the same output"
                               : "nn.Sequential(*children()) has the same structure and output shape";
    case Verdict::different:
      return r.output.compared ? "nn.Sequential(*children()) runs but computes something else"
                               : "nn.Sequential(*children()) runs but differs in structure or output shape";
    case Verdict::fails: return "nn.Sequential(*children()) raises an error";
  }
  return "";
}

}  // namespace

std::string ChildrenReport::text() const {
  const std::string who = path.empty() ? module_type : "'" + path + "' (" + module_type + ")";
  std::string s;
  s += "children-only analysis of " + who + ", input " + to_string(input_shape) +
       (shape_only ? " (shape only)" : "") + "\n";
  s += "verdict: " + std::string(verdict_name(verdict)) + " - " + verdict_sentence(*this) + "\n\n";
  s += "children, registration order (what the Sequential runs): " + list_or(children, "none") + "\n";
  s += "children, as the forward calls them:                     " + list_or(call_order, "none") + "\n\n";

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
      std::string line = "  " + pad(d.op, op_w) + "  " + pad(shapes_text(d), shape_w) + "  " +
                         (attr_w > 0 ? pad(d.attributes, attr_w) + "  " : "") + pad(d.function, fn_w) + "  " + d.source;
      while (!line.empty() && line.back() == ' ') line.pop_back();
      s += line + "\n";
    }
  }
  s += "unused children (never called, but the Sequential runs them): " + list_or(unused_children, "none") + "\n";
  std::vector<std::string> repeats;
  for (const auto& r : repeated_children) repeats.push_back(r.name + " (" + std::to_string(r.calls) + " calls)");
  s += "repeated children (the Sequential calls each once): " + list_or(repeats, "none") + "\n";
  s += std::string("call order: ") + (order_mismatch ? "differs from registration order" : "as registered") + "\n";
  s += "dataflow breaks:" + std::string(dataflow_breaks.empty() ? " none" : "") + "\n";
  for (const auto& b : dataflow_breaks) {
    s += "  " + b.child + (b.call_index > 0 ? " (call " + std::to_string(b.call_index) + ")" : "") + ": " + b.reason +
         "\n";
  }
  s += "\nsequential: " +
       (sequential.ok ? std::string("runs") : "fails at child '" + sequential.failed_child + "'") + "\n";
  if (!sequential.ok) s += "  " + sequential.error + "\n";
  s += "output: original " + to_string(output.original_shape) + ", sequential " +
       (sequential.ok ? to_string(output.sequential_shape) : std::string("(none)"));
  if (output.compared) {
    s += "; max |difference| " + number(output.max_abs_diff) + "; " + (output.equal ? "equal" : "not equal");
  } else if (sequential.ok && output.original_shape != output.sequential_shape) {
    s += "; shapes differ";
  } else if (shape_only && sequential.ok) {
    s += "; values not compared (shape only)";
  }
  return s + "\n";
}

std::string ChildrenReport::json(int indent) const {
  // ordered_json: the fields appear in the order a reader wants them, verdict first.
  using json = nlohmann::ordered_json;
  json dropped_json = json::array();
  for (const auto& d : dropped) {
    json shapes = json::array();
    for (const auto& shape : d.input_shapes) shapes.push_back(shape);
    dropped_json.push_back({{"op", d.op},
                            {"module", d.module},
                            {"shapes", {{"inputs", shapes}, {"output", d.output_shape}}},
                            {"attributes", d.attributes},
                            {"source", d.source.empty() ? json(nullptr) : json(d.source)},
                            {"function", d.function.empty() ? json(nullptr) : json(d.function)}});
  }
  json repeated = json::array();
  for (const auto& r : repeated_children) repeated.push_back({{"name", r.name}, {"calls", r.calls}});
  json breaks = json::array();
  for (const auto& b : dataflow_breaks) {
    breaks.push_back({{"child", b.child},
                      {"call_index", b.call_index},
                      {"expected", b.expected},
                      {"actual", b.actual},
                      {"reason", b.reason}});
  }
  json out = {
      {"verdict", verdict_name(verdict)},
      {"module", path},
      {"module_type", module_type},
      {"input_shape", input_shape},
      {"shape_only", shape_only},
      {"children", children},
      {"call_order", call_order},
      {"dropped", dropped_json},
      {"unused_children", unused_children},
      {"repeated_children", repeated},
      {"order_mismatch", order_mismatch},
      {"dataflow_breaks", breaks},
      {"sequential",
       {{"ok", sequential.ok},
        {"error", sequential.ok ? json(nullptr) : json(sequential.error)},
        {"failed_child", sequential.ok ? json(nullptr) : json(sequential.failed_child)},
        {"failed_module", sequential.ok ? json(nullptr) : json(sequential.failed_module)}}},
      {"output",
       {{"original_shape", output.original_shape},
        {"sequential_shape", sequential.ok ? json(output.sequential_shape) : json(nullptr)},
        {"max_abs_diff", output.compared ? json(output.max_abs_diff) : json(nullptr)},
        {"equal", output.equal}}},
  };
  // NaN differences are not JSON numbers: they travel as null with a flag.
  if (output.compared && std::isnan(output.max_abs_diff)) {
    out["output"]["max_abs_diff"] = nullptr;
    out["output"]["nan"] = true;
  }
  return out.dump(indent);
}

}  // namespace modtrace
