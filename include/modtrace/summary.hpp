#pragma once
// A model summary as torchinfo prints it (`torchinfo.summary`, version
// 1.8): one row per module call with its input and output shapes, its
// parameters and its mult-adds, then totals and torchinfo's memory
// estimate. Computed from a trace (a shape-only one suffices), by
// torchinfo's own rules, so that its numbers are torchinfo's (checked
// against torchinfo's output on the zoo, tests/reference/summary_torchinfo.json):
//
//   - Rows: every module call in call order, depth = nesting (the root 0).
//   - Parameters: a leaf module (no children), or a row at the depth limit,
//     shows all its parameters; a container shows only those no row below
//     it counts; a module called again shows "(recursive)".
//   - Mult-adds of a leaf: per parameter named weight or bias,
//     numel x batch (x the output's spatial size for a convolution);
//     parameters with other names (a class token, a layer scale) add none.
//     A row at the depth limit shows the sum of the leaves below it.
//   - Memory: the input's bytes; twice the output bytes of every leaf that
//     has parameters (outputs kept for the backward pass); the parameters'
//     bytes.
//
//   Trace t = trace_module(*model, {Tensor::meta({1, 3, 224, 224})}, {.shape_only = true});
//   ModelSummary s = summarize(t, {.depth = 1});

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "modtrace/shape.hpp"
#include "modtrace/export.hpp"

MODTRACE_PUBLIC_BEGIN
namespace modtrace {

class Trace;  // modtrace/trace.hpp

struct SummaryRow {
  int call = 0;                        // index into the trace's calls()
  int depth = 0;                       // 0: the traced module itself
  std::string path;                    // "" for the root, "layer1.0.conv1"
  std::string type;                    // "Conv2d"; "Linear (unregistered)" for a module outside the tree
  Shape input_shape, output_shape;     // the first input and output (empty when there is none)
  std::optional<int64_t> parameters;   // as shown; none: "--"
  bool recursive = false;              // called before: "(recursive)"
  std::optional<int64_t> mult_adds;    // as shown; none: "--"
  int64_t own_ops = 0;                 // ops that ran in this module's own code
};

struct ModelSummary {
  std::string model_type;
  std::vector<SummaryRow> rows;        // those down to the depth limit
  int64_t total_parameters = 0;
  int64_t trainable_parameters = 0;    // every modtrace parameter is trainable
  int64_t total_mult_adds = 0;
  int64_t input_bytes = 0;
  int64_t forward_backward_bytes = 0;  // torchinfo's "Forward/backward pass size"
  int64_t parameter_bytes = 0;
  int64_t estimated_total_bytes() const { return input_bytes + forward_backward_bytes + parameter_bytes; }
  std::vector<std::string> functional_ops;  // the ops of the model's own forward, in order
};

struct SummaryOptions {
  int depth = 0;  // rows down to this depth; 0: all (torchinfo's default is 3)
};

ModelSummary summarize(const Trace& trace, const SummaryOptions& options = {});

}  // namespace modtrace
MODTRACE_PUBLIC_END
