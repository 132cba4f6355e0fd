// The whole ONNX importer on any bytes: protobuf, metadata, call
// reconstruction, programs and the shape-only run at import.

#include "harness.hpp"
#include "modtrace/onnx.hpp"

void fuzz::onnx(std::string_view bytes) {
  // Shape-only: a file whose weights are elsewhere still imports, so the
  // fuzzer reaches the module tree, the programs and the shape-only run.
  modtrace::import_onnx_bytes(std::string(bytes), "fuzz", {.missing_weights = modtrace::MissingWeights::shapes_only});
}
