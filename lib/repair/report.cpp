// The repair as text and JSON.

#include <nlohmann/json.hpp>

#include "modtrace/io.hpp"
#include "modtrace/repair.hpp"

namespace modtrace {

namespace {

std::string shapes_text(const std::vector<Shape>& shapes) {
  std::string s;
  for (size_t i = 0; i < shapes.size(); ++i) s += (i ? ", " : "") + to_string(shapes[i]);
  return s;
}

std::string check_text(const Repair& r) {
  const std::string against = r.upto.empty() ? "the model's output" : "the output of '" + r.upto + "' in the full forward";
  if (!r.verified) return "checked on the input: it does NOT give " + against + " (a defect: please report it)";
  if (r.shape_only) return "checked on the input (shapes only): the same shapes as " + against;
  if (r.exact) return "checked on the input: exactly " + against;
  char diff[32];
  std::snprintf(diff, sizeof diff, "%.3g", r.max_abs_diff);
  return std::string("checked on the input: ") + against + " within float rounding (max |difference| " + diff + ")";
}

}  // namespace

std::string Repair::text() const {
  const std::string what = (at.empty() ? module_type : "'" + at + "' (" + module_type + ")");
  std::string s = (upto.empty() ? "faithful Sequential of " : "truncation of ") + what +
                  (upto.empty() ? "" : " after '" + upto + "'") + ", input " + shapes_text(input_shapes) + "\n";
  if (!possible) {
    s += std::string(upto.empty() ? "no faithful Sequential: " : "no Sequential up to '" + upto + "': ") + blocker + "\n";
    if (module) {
      s += "the extracted prefix computes it all the same (a module replaying the forward up to '" + upto + "')\n";
      s += check_text(*this) + "\n";
    } else {
      s += "extract the values you need instead: modtrace extract MODEL --nodes NAME,… (modtrace trace lists the names)\n";
    }
    return s;
  }
  s += std::string(upto.empty() ? "the forward" : "the forward up to '" + upto + "'") + " is a chain: a Sequential of " +
       std::to_string(steps.size()) + " steps does what it does\n";
  size_t width = 4;
  for (const RepairStep& step : steps) width = std::max(width, step.name.size());
  for (size_t i = 0; i < steps.size(); ++i) {
    const RepairStep& step = steps[i];
    std::string line = "  " + std::to_string(i);
    line += std::string(5 - std::min<size_t>(4, std::to_string(i).size()), ' ') + step.name +
            std::string(width - step.name.size() + 2, ' ');
    if (step.kind == RepairStep::Kind::child) {
      line += "child";
    } else {
      line += "replays ";
      for (size_t k = 0; k < step.ops.size(); ++k) line += (k ? ", " : "") + step.ops[k];
      if (!step.reads.empty()) {
        line += " (reads ";
        for (size_t k = 0; k < step.reads.size(); ++k) line += (k ? ", " : "") + step.reads[k];
        line += ")";
      }
    }
    s += line + "\n";
  }
  std::string dropped;
  for (const auto& d : dropped_children) dropped += (dropped.empty() ? "" : ", ") + d;
  if (upto.empty()) s += "left out (never called): " + (dropped.empty() ? std::string("none") : dropped) + "\n";
  s += check_text(*this) + "\n";
  return s;
}

std::string Repair::json(int indent) const {
  using nlohmann::ordered_json;
  ordered_json steps_json = ordered_json::array();
  for (const RepairStep& step : steps) {
    steps_json.push_back({{"kind", step.kind == RepairStep::Kind::child ? "child" : "replay"},
                          {"name", step.name},
                          {"ops", step.ops},
                          {"reads", step.reads}});
  }
  const ordered_json j = {{"schema_version", kJsonSchemaVersion},
                          {"module", at},
                          {"module_type", module_type},
                          {"upto", upto.empty() ? ordered_json(nullptr) : ordered_json(upto)},
                          {"input_shapes", input_shapes},
                          {"shape_only", shape_only},
                          {"possible", possible},
                          {"blocker", blocker.empty() ? ordered_json(nullptr) : ordered_json(blocker)},
                          {"steps", steps_json},
                          {"dropped_children", dropped_children},
                          {"extracted", !possible && module != nullptr},
                          {"verified", verified},
                          {"exact", exact},
                          {"max_abs_diff", max_abs_diff},
                          {"python", python.empty() ? ordered_json(nullptr) : ordered_json(python)},
                          {"cpp", cpp.empty() ? ordered_json(nullptr) : ordered_json(cpp)}};
  return j.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string Extraction::text() const {
  std::string s = "extracted from " + module_type + " by replaying its forward:\n";
  size_t width = 4;
  for (const std::string& name : names) width = std::max(width, name.size());
  for (size_t i = 0; i < names.size(); ++i) {
    s += "  " + names[i] + std::string(width - names[i].size() + 2, ' ') + shapes_text(shapes[i]) + "\n";
  }
  s += "\nPyTorch (paste next to your model; replays the forward, so it needs no torch.fx):\n\n" + python;
  if (!python_fx.empty()) s += "\nPyTorch, where torch.fx can trace the model (torchvision's feature extraction):\n\n" + python_fx;
  s += "\nC++ (modtrace):\n\n" + cpp;
  return s;
}

std::string Extraction::json(int indent) const {
  using nlohmann::ordered_json;
  ordered_json values = ordered_json::array();
  for (size_t i = 0; i < names.size(); ++i) values.push_back({{"name", names[i]}, {"shapes", shapes[i]}});
  const ordered_json j = {{"schema_version", kJsonSchemaVersion},
                          {"module_type", module_type},
                          {"values", values},
                          {"python", python},
                          {"python_fx", python_fx.empty() ? ordered_json(nullptr) : ordered_json(python_fx)},
                          {"cpp", cpp}};
  return j.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace modtrace
