#pragma once
// Graphviz pictures of traces and of the children-only comparison.
//
//   Trace t = trace_module(*model, {x});
//   std::string dot = trace_to_dot(t, {.depth = 2});   // modules deeper than 2 collapse
//   write_picture(dot, "resnet18.svg");                 // .dot, .svg, .png or .html (through Graphviz's dot)
//
//   ChildrenReport r = compare_children(*model, {x});
//   write_picture(comparison_to_dot(r), "diff.svg");
//
// Drawing is kept apart from the trace: a view decides what to show (which
// module calls are clusters, which collapse into one node, each node's role),
// then a small writer prints DOT. Output is deterministic.

#include <string>

#include "modtrace/export.hpp"

MODTRACE_PUBLIC_BEGIN
namespace modtrace {

// What is drawn comes from modtrace/trace.hpp, analysis.hpp and repair.hpp;
// declared here only, so that a file drawing pictures pays for Boost.Graph
// only where it makes the trace.
class Trace;
struct ChildrenReport;
struct Repair;

struct RenderOptions {
  // Module calls at this depth (the root's children are depth 1) are drawn as
  // one node showing type and input/output shapes; shallower ones as nested
  // clusters. 0: expand everything. Negative (kDefaultDepth): the picture's
  // own default, everything for a trace, 1 (the children) for a comparison
  // or a repair.
  static constexpr int kDefaultDepth = -1;
  int depth = kDefaultDepth;
  bool show_parameters = false;  // parameter, buffer and constant nodes
  // Identical consecutive calls drawn once, labelled "×N" (torchview's
  // roll=True): sibling calls of one type with the same shapes, the same
  // calls and ops inside, each fed only the previous one's result (a chain:
  // ViT's twelve encoder layers, a ResNet stage's blocks after the first).
  bool roll = false;
  bool show_legend = true;
  std::string title = {};        // default: the traced module's type
};

std::string trace_to_dot(const Trace& trace, const RenderOptions& options = {});

// The original and the children-only Sequential side by side (default depth 1):
// dropped functional ops highlighted, children the Sequential adds marked,
// the failure point marked with its error; verdict and output difference in
// the title.
std::string comparison_to_dot(const ChildrenReport& report, const RenderOptions& options = {});

// A repair (repair_children): the original forward beside the faithful
// Sequential (or the truncation), the steps replaying the model's own ops
// marked as added (default depth 1); without a chain, the original alone
// with the finding that prevents one in the title.
std::string repair_to_dot(const Repair& repair, const RenderOptions& options = {});

// Runs Graphviz's `dot` on DOT text; format "svg", "png" or "html". Throws
// Error when dot is not installed or fails.
//
// "html" is one self-contained page (nothing loaded from the network): the
// SVG with pan and zoom, a search box for modules and ops, module clusters
// that collapse and expand, and each node's details (shapes, attributes,
// source line) on hover and click. The details are the SVG's tooltips,
// which the DOT of trace_to_dot & co. carries (docs/rendering.md).
std::string render_dot(const std::string& dot, const std::string& format);

// Writes DOT text to `path`, rendering it first when the extension is .svg,
// .png or .html. Throws Error for other extensions and on I/O errors.
void write_picture(const std::string& dot, const std::string& path);

}  // namespace modtrace
MODTRACE_PUBLIC_END
