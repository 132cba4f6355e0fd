#pragma once
// Models from ONNX files, run on modtrace's engine: a PyTorch model exported
// with torch.onnx.export becomes a Module tree whose modules are the
// exporter's scopes (/layer1/layer1.0/conv1/Conv runs in module
// layer1.0.conv1), whose ops are modtrace's ops, and whose parameters are the
// file's initializers under their state_dict keys. Tracing, the
// children-only analysis and pictures then work as on a hand-written model:
//
//   ImportedModel m = import_onnx("resnet18.onnx");
//   ChildrenReport r = compare_children(*m.model, zoo::make_inputs(zoo::InputKind::deterministic, m.input_shapes));
//
// What the file cannot say (registration order, module types, children the
// forward never called) comes from the metadata tools/export_onnx.py stores
// in it; without that metadata the importer says what it could not know
// (ImportedModel::notes). See docs/onnx.md.

#include <memory>
#include <string>
#include <vector>

#include "modtrace/module.hpp"
#include "modtrace/export.hpp"

MODTRACE_PUBLIC_BEGIN
namespace modtrace {

// What to do when the file keeps its weights in an external data file that
// is not there (tools/export_onnx.py --no-weights writes such files on purpose).
enum class MissingWeights {
  refuse,       // an error naming the missing file
  shapes_only,  // parameters are meta tensors: the model runs shape-only (trace, summary, diff --shape-only)
  zeros,        // parameters are zeros, to be filled (load_state_dict, init::deterministic)
};

struct ImportOptions {
  MissingWeights missing_weights = MissingWeights::refuse;
};

struct ImportedModel {
  std::shared_ptr<Module> model;
  std::vector<std::string> input_names;
  std::vector<Shape> input_shapes;   // from the graph's inputs (every size fixed)
  std::vector<std::string> output_names;
  int64_t opset = 0;                 // of the default ONNX domain
  std::string producer;              // "pytorch 1.13.0"
  bool has_metadata = false;         // tools/export_onnx.py's module tree was found
  bool weights_missing = false;      // the weights were not in the file (see MissingWeights)
  std::vector<std::string> notes;    // what the file could not tell, one line each
};

// Reads and checks an ONNX file. Throws Error with one line saying what is
// wrong and where: unreadable or corrupt file, an opset outside 7-17, an op
// modtrace cannot run (naming the op, its node and the opset), a value used
// before it is made (a cycle), missing initializers, absurd shapes.
ImportedModel import_onnx(const std::string& path, const ImportOptions& options = {});

// The same from bytes already in memory (`origin` names them in errors).
ImportedModel import_onnx_bytes(const std::string& bytes, const std::string& origin = "<memory>",
                                const ImportOptions& options = {});

}  // namespace modtrace
MODTRACE_PUBLIC_END
