#pragma once
// Internal: the faithful Sequential (or a truncation) as code a user pastes
// next to their model: PyTorch (nn.Sequential of the model's children, layers
// and a small Replay helper for the root's own ops) and C++ (modtrace).

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "repair/replay.hpp"

namespace modtrace::detail::repair {

struct CodeStep {
  bool child = true;
  std::string path;                        // child: its path in the model (the analysed module's prefix included)
  std::shared_ptr<const Replay> replay;    // replay: the ops, fed the running value
  std::shared_ptr<Module> layer;           // replay done by a layer (Flatten, ReLU, …), or null
};

struct Code {
  std::string python, cpp;
  std::string problem;  // non-empty: an op the Python printer does not know (the code names it)
};

// `module_path`: the analysed module's path in the model ("" for the model);
// parameters are named relative to it. `title` opens the comment above the code.
// `variable` names the result ("fixed", "head").
Code sequential_code(const std::vector<CodeStep>& steps, const std::string& module_path, const std::string& title,
                     const std::string& variable);

// One named value of an extraction, and the trace values it stands for
// (several for a call that returned a tuple).
struct ExtractedName {
  std::string name;
  std::vector<ValueRef> values;
};

// An extraction as PyTorch code: a module whose forward replays the recorded
// forward step by step (calls of the model's own modules, its own ops) and
// returns {name: value}; it needs no torch.fx. `name_of` names a unit's
// result (value_names). C++: the extract() call. `title` opens the comment.
Code extraction_code(const Replay& replay, const std::vector<ExtractedName>& names,
                     const std::function<std::string(const Unit&)>& name_of, const std::string& title);

// "model.layer1[0].conv1" for ("model", "layer1.0.conv1").
std::string python_path(const std::string& base, std::string_view path);

}  // namespace modtrace::detail::repair
