#pragma once
// From diagnosis to cure: what `nn.Sequential(*model.children())` was meant
// to give, built from a trace and checked on the input.
//
//   Repair r = repair_children(model, {x});       // the faithful Sequential, or why there is none
//   if (r.possible) y = (*r.sequential)(x);        // equals model(x)
//   auto head = repair_children(model, {x}, {.upto = "layer4"});   // everything up to layer4
//   auto features = extract(model, {x}, {"layer3.1", "flatten"});  // any values, skips and all
//
// The faithful Sequential holds the model's own children (shared, not
// copies) in the order the forward called them, a child called twice twice,
// children never called left out, and between them modules replaying the
// root's own ops (flatten, x * 3, F.relu, …) with their recorded attributes.
// It exists when the forward is a chain: each step reads the previous step's
// output and nothing else computed from the input. See docs/repair.md.

#include <memory>
#include <string>
#include <vector>

#include "modtrace/containers.hpp"
#include "modtrace/trace.hpp"
#include "modtrace/export.hpp"

MODTRACE_PUBLIC_BEGIN
namespace modtrace {

// ---- the faithful Sequential, truncation ----

// One element of the faithful Sequential.
struct RepairStep {
  enum class Kind { child, replay };
  Kind kind = Kind::child;
  std::string name;                // the child's path, or the name of the op it replays ("flatten")
  std::vector<std::string> ops;    // replay: the ops, in order, with their attributes ("flatten(start_dim=1, end_dim=-1)")
  std::vector<std::string> reads;  // replay: parameters and buffers it reads ("class_token")
};

struct Repair {
  std::string module_type;         // of the analysed module
  std::string at;                  // its path in the model ("" for the model itself)
  std::string upto;                // the child it stops after ("" for the whole forward)
  std::vector<Shape> input_shapes;
  // Whether the forward (up to `upto`) is a chain, so a Sequential can be faithful.
  bool possible = false;
  // Otherwise: the finding that prevents it, as a sentence ("a skip
  // connection: op 'add' reads the module's input as well as the output of 'bn2'").
  std::string blocker;
  std::vector<RepairStep> steps;
  std::vector<std::string> dropped_children;  // registered, never called: left out
  // The faithful Sequential (possible), or for a truncation that is no
  // chain, the extracted prefix (a module returning the child's output).
  std::shared_ptr<Module> module;
  // Checked on the input: the faithful module against the model's output
  // (or, truncated, the child's output in the full forward).
  bool verified = false;
  bool exact = false;
  double max_abs_diff = 0.0;
  bool shape_only = false;
  // The same as code to paste next to the model: PyTorch (an nn.Sequential of
  // the model's own children, layers for its own ops) and C++ (modtrace).
  // Empty when there is nothing to print (no chain and no truncation).
  std::string python, cpp;
  // The traces behind it, for pictures (repair_to_dot): the module's forward,
  // and the repaired module's run on the same input (null without a module).
  std::shared_ptr<const Trace> original, repaired;

  std::string text() const;
  std::string json(int indent = 2) const;
};

struct RepairOptions {
  std::string at = {};    // repair the sub-module at this path, fed what it received
  std::string upto = {};  // stop after this direct child's first call
  bool shape_only = false;  // build and check shapes only
  // Told each stage: "running the model up to <at>", "tracing <type>",
  // "building the faithful Sequential", "checking it on the input".
  ProgressFn progress = {};
};

// The faithful Sequential of `model`'s children on `inputs` (or its prefix).
// Throws Error when the model itself fails on the inputs, or `at`/`upto`
// name nothing the forward called.
Repair repair_children(const std::shared_ptr<Module>& model, const Tensors& inputs, const RepairOptions& options = {});

// ---- extraction ----

// A module computing the named values (value_names) from the model's
// inputs, by replaying the recorded forward up to them: skip connections,
// concatenations and the root's own ops included. It returns one tensor per
// name (a call with several results: each of them), and holds the model.
// Like torchvision's create_feature_extractor, without torch.fx. Throws
// Error naming an unknown name and the names nearest to it.
std::shared_ptr<Module> extract(const std::shared_ptr<Module>& model, const Tensors& inputs,
                                const std::vector<std::string>& names);

// extract()'s module with what `modtrace extract` prints about it.
struct Extraction {
  std::string module_type;
  std::vector<std::string> names;
  std::vector<std::vector<Shape>> shapes;  // per name, its tensors' shapes (from the trace)
  std::shared_ptr<Module> module;          // what extract() returns
  // PyTorch: a module replaying the recorded forward up to the names (it
  // needs no torch.fx, so it runs on models fx cannot trace, such as ViT);
  // `features(x)` gives {name: tensor}.
  std::string python;
  // torchvision's create_feature_extractor call with the same names, when
  // every name is a module call (fx names those as modtrace does); else "".
  std::string python_fx;
  std::string cpp;

  std::string text() const;
  std::string json(int indent = 2) const;
};
struct ExtractOptions {
  // Trace shapes only (fast): names, shapes and code as usual, but the module
  // then holds what that trace holds, so it is for shapes (call it on
  // Tensor::meta inputs) when the forward makes tensors of its own.
  bool shape_only = false;
};
Extraction extraction(const std::shared_ptr<Module>& model, const Tensors& inputs, const std::vector<std::string>& names,
                      const ExtractOptions& options = {});

}  // namespace modtrace
MODTRACE_PUBLIC_END
