// libFuzzer harness for the ONNX importer: any bytes must import or throw
// modtrace::Error, never crash, hang, leak or read out of bounds. Not part of
// the build (it needs clang's libFuzzer); run it with tests/fuzz/build.sh onnx.

#include <cstddef>
#include <cstdint>
#include <string>

#include "modtrace/onnx.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    // Shape-only: a file whose weights are elsewhere still imports, so the
    // fuzzer reaches the module tree, the programs and the shape-only run.
    modtrace::import_onnx_bytes(std::string(reinterpret_cast<const char*>(data), size), "fuzz",
                                {.missing_weights = modtrace::MissingWeights::shapes_only});
  } catch (const modtrace::Error&) {
  }
  return 0;
}
