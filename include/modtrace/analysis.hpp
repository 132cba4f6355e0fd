#pragma once
// The children-only analysis: what nn.Sequential(*list(model.children()))
// loses compared with the model's own forward.
//
//   auto model = zoo::create("seed_main_model");
//   ChildrenReport r = compare_children(*model, {Tensor::ones({2, 2})});
//   std::cout << r.text();    // verdict different: mul and add dropped, 18 vs 4
//   std::string j = r.json(); // the same as JSON
//
// Both the module and its children-only Sequential are traced on the same
// inputs; the findings come from the module's trace (which ops ran in its own
// code, which children it called, how, and in what order) and from running
// the Sequential (does it fail, does it give the same outputs). The
// Sequential behaves as PyTorch's: it holds each child instance once, takes
// one argument, and hands a child's tuple result to the next child as one
// tuple (see containers.hpp and docs/tracing.md).

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "modtrace/containers.hpp"
#include "modtrace/trace.hpp"
#include "modtrace/export.hpp"

MODTRACE_PUBLIC_BEGIN
namespace modtrace {

// What PyTorch's nn.Sequential(*list(module.children())) builds: the same
// child instances (shared, not copied, each once), in registration order.
std::shared_ptr<Sequential> children_sequential(const Module& module);

// The rule, stated once (decide_verdict, docs/tracing.md):
//   fails       the Sequential raises;
//   different   it runs, and a structural finding exists, or the outputs
//               differ in count or shape, or (not shape-only) in value;
//   equivalent  it runs, no structural finding, and every output is equal:
//               values exactly, or in shape-only mode the shapes.
// So shape-only and value mode agree on every structural finding, and the
// value mode never calls "equivalent" a Sequential that runs another program.
enum class Verdict { equivalent, different, fails };
std::string_view verdict_name(Verdict verdict);

// An op the module's own code ran; the Sequential never runs it.
struct DroppedOp {
  Vertex node = 0;                  // in ChildrenReport::original
  std::string op;                   // "mul"
  // The module whose code ran it, by full path: the analysed module's, or
  // an unregistered module's it called ("<Linear>").
  std::string module;
  std::vector<Shape> input_shapes;
  Shape output_shape;
  std::string attributes;           // "other=3"
  // Where it ran: "lib/zoo/seed.cpp:14", "" when unknown; for an op inside
  // an unregistered module, the line that called that module.
  std::string source;
  std::string function;             // "MainModel::functional_stuff", "" when unknown
};

// A module registered again under another name: children() lists it once.
struct AliasedChild {
  std::string name;     // the later name ("dec")
  std::string same_as;  // the name children() keeps ("enc")
};

struct RepeatedChild {
  std::string name;
  int calls = 0;
};

// A child the forward never calls itself, but some of whose members it does
// (`head(self.features[0](x))`): the Sequential runs the whole child.
struct PartlyUsedChild {
  std::string name;                      // "features"
  std::vector<std::string> called;       // the members the forward calls: "features.0"
  std::vector<std::string> also_run;     // what the Sequential runs besides: "features.1", "features.2"
};

// Modules the forward calls that are no children (kept in a plain list or
// made on the fly): PyTorch's Sequential never runs them, their ops are
// listed as dropped.
struct UnregisteredModule {
  std::string type;    // "Linear"
  int instances = 0;
  int calls = 0;
};

// A child whose input is not simply the previous child's output.
struct DataflowBreak {
  std::string child;                // the child's name, or "(output)" for the module's result
  int call_index = 0;               // which call of that child
  std::string expected;             // what the Sequential feeds it: "the output of bn2" or "the module's input"
  std::vector<std::string> actual;  // what the forward fed it from: "bn2", "the module's input", …
  std::string reason;               // one line for people
};

struct SequentialOutcome {
  bool ok = true;
  std::string error;         // the error, with the failing module named by its path in the model
  std::string failed_child;  // the child of the module where it failed ("" before any child ran)
  std::string failed_module; // the innermost module, full path
};

// One output position, of the module and of the Sequential.
struct OutputPair {
  std::optional<Shape> original;    // absent: the module returns fewer tensors
  std::optional<Shape> sequential;  // absent: the Sequential returns fewer, or failed
  bool compared = false;            // values compared: same shape, not shape-only
  double max_abs_diff = 0;          // when compared
  bool equal = false;               // when compared: exactly the same values
};

struct OutputComparison {
  size_t original_count = 0;
  size_t sequential_count = 0;      // 0 when the Sequential failed
  std::vector<OutputPair> outputs;  // one per position, up to the larger count
  bool shapes_equal = false;        // the Sequential ran, same count, every shape equal
  bool compared = false;            // shapes equal and values compared (not shape-only)
  double max_abs_diff = 0;          // the largest over the outputs, when compared
  bool equal = false;               // compared and every value exactly equal
};

struct ChildrenReport {
  std::string module_type;                // the analysed module's type
  std::string path;                       // its path in the model ("" for the model itself)
  std::vector<Shape> input_shapes;        // of its inputs
  bool shape_only = false;
  Verdict verdict = Verdict::equivalent;
  // Why: one line per structural finding and output difference, in the
  // order of the rule ("the Sequential raises …" alone when it fails).
  std::vector<std::string> reasons;

  std::vector<std::string> children;      // named_children(): what the Sequential runs, registration order
  std::vector<AliasedChild> aliases;
  std::vector<std::string> call_order;    // the forward's calls of registered modules, in order, repeats included
  std::vector<DroppedOp> dropped;
  std::vector<std::string> unused_children;
  std::vector<PartlyUsedChild> partly_used_children;
  std::vector<RepeatedChild> repeated_children;
  std::vector<UnregisteredModule> unregistered_modules;
  bool order_mismatch = false;
  std::vector<DataflowBreak> dataflow_breaks;
  SequentialOutcome sequential;
  OutputComparison output;
  Trace original;                         // the module's own forward
  Trace sequential_trace;                 // the children-only Sequential's

  // Findings that make the Sequential another program, whatever the values.
  bool has_structural_findings() const;

  std::string text() const;
  std::string json(int indent = 2) const;
};

// The verdict and its reasons from the findings and outputs of `r`; what
// compare_children stores in r.verdict and r.reasons.
Verdict decide_verdict(const ChildrenReport& r, std::vector<std::string>* reasons = nullptr);

struct CompareOptions {
  // Analyse the descendant at this path, fed with the input it received when
  // the whole model ran on the given input.
  std::string at = "";
  // Shape-only traces: structure only, no values (the verdict then rests on
  // the structural findings and output shapes).
  bool shape_only = false;
  // Told each stage: "running the model up to <at>", "tracing <type>",
  // "tracing the children-only Sequential", "comparing".
  ProgressFn progress = {};
};

// What compare_children throws when the module itself fails on the input
// (or, with `at`, the model fails before reaching it): there is nothing to
// compare. `failure` says where (the module's full path in the model, its
// type, the line that called it, the op's line).
class ModuleFailedError : public Error {
 public:
  ModuleFailedError(std::string message, TraceFailure failure)
      : Error(std::move(message)), failure(std::move(failure)) {}
  TraceFailure failure;
};

// Throws ModuleFailedError when the module itself fails on the input, and
// Error when `at` names no module or one the forward never calls.
ChildrenReport compare_children(Module& module, const Tensors& inputs, const CompareOptions& options = {});

// "MainModel::functional_stuff" from a source_location's function name.
std::string short_function_name(const char* pretty_function);

}  // namespace modtrace
MODTRACE_PUBLIC_END
