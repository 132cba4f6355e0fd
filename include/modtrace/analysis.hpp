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
// input; the findings come from the module's trace (which ops ran in its own
// code, which children it called, how, and in what order) and from running
// the Sequential (does it fail, does it give the same output).

#include <memory>
#include <string>
#include <vector>

#include "modtrace/containers.hpp"
#include "modtrace/trace.hpp"

namespace modtrace {

// What PyTorch's nn.Sequential(*list(module.children())) builds: the same
// child instances (shared, not copied), in registration order.
std::shared_ptr<Sequential> children_sequential(const Module& module);

enum class Verdict { equivalent, different, fails };
std::string_view verdict_name(Verdict verdict);

// An op the module's own code ran; the Sequential never runs it.
struct DroppedOp {
  Vertex node = 0;                  // in ChildrenReport::original
  std::string op;                   // "mul"
  std::string module;               // the module whose code ran it (its full path; "" for the root)
  std::vector<Shape> input_shapes;
  Shape output_shape;
  std::string attributes;           // "other=3"
  std::string source;               // "seed.cpp:14", "" when unknown
  std::string function;             // "MainModel::functional_stuff", "" when unknown
};

struct RepeatedChild {
  std::string name;
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
  std::string failed_child;  // the child of the module where it failed
  std::string failed_module; // the innermost module, full path
};

struct OutputComparison {
  Shape original_shape;
  Shape sequential_shape;   // empty when the Sequential failed
  bool compared = false;    // values compared (not in shape-only mode, not on failure)
  double max_abs_diff = 0;  // when compared and shapes match
  bool equal = false;       // same shape and exactly the same values
};

struct ChildrenReport {
  std::string module_type;                // the analysed module's type
  std::string path;                       // its path in the model ("" for the model itself)
  Shape input_shape;                      // of its first input
  bool shape_only = false;
  Verdict verdict = Verdict::equivalent;
  std::vector<std::string> children;      // registration order: what the Sequential runs
  std::vector<std::string> call_order;    // the forward's direct child calls, in order, repeats included
  std::vector<DroppedOp> dropped;
  std::vector<std::string> unused_children;
  std::vector<RepeatedChild> repeated_children;
  bool order_mismatch = false;
  std::vector<DataflowBreak> dataflow_breaks;
  SequentialOutcome sequential;
  OutputComparison output;
  Trace original;                         // the module's own forward
  Trace sequential_trace;                 // the children-only Sequential's

  std::string text() const;
  std::string json(int indent = 2) const;
};

struct CompareOptions {
  // Analyse the descendant at this path, fed with the input it received when
  // the whole model ran on the given input.
  std::string at = "";
  // Shape-only traces: structure only, no values (the verdict then rests on
  // the structural findings and output shapes).
  bool shape_only = false;
};

// Throws Error when the module itself fails on the input, or `at` names no
// module or one the forward never calls.
ChildrenReport compare_children(Module& module, const Tensors& inputs, const CompareOptions& options = {});

// "MainModel::functional_stuff" from a source_location's function name.
std::string short_function_name(const char* pretty_function);

}  // namespace modtrace
