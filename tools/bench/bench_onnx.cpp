// ONNX import benchmark: reading a file into a runnable model, and tracing it
// shape-only, per file (median of N runs). Prints one JSON object per line;
// tools/bench/onnx.sh puts onnx's own Python load + shape inference next to it.
//
//   modtrace-bench-onnx [--runs N] FILE.onnx ...

#include <nlohmann/json.hpp>

#include <algorithm>
#include <iostream>
#include <string>
#include <vector>

#include "modtrace/modtrace.hpp"
#include "timing.hpp"

namespace {

using namespace modtrace;
using bench::median_ms;

double round2(double v) { return bench::rounded(v, 2); }

}  // namespace

int main(int argc, char** argv) {
  int runs = 5;
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--runs" && i + 1 < argc) runs = std::max(1, std::stoi(argv[++i]));
    else files.push_back(arg);
  }
  if (files.empty()) {
    std::cerr << "usage: modtrace-bench-onnx [--runs N] FILE.onnx ...\n";
    return 2;
  }
  try {
    for (const auto& file : files) {
      ImportedModel model;
      const double import_ms = median_ms(runs, [&] { model = import_onnx(file); });
      Tensors inputs;
      for (const auto& shape : model.input_shapes) inputs.push_back(Tensor::meta(shape));
      size_t nodes = 0;
      const double trace_ms = median_ms(runs, [&] {
        const Trace t = trace_module(*model.model, inputs, {.shape_only = true});
        nodes = boost::num_vertices(t.graph());
      });
      const double both_ms = median_ms(runs, [&] {
        const ImportedModel m = import_onnx(file);
        trace_module(*m.model, inputs, {.shape_only = true});
      });
      nlohmann::ordered_json j = {{"file", file},
                                  {"impl", "modtrace"},
                                  {"runs", runs},
                                  {"import_ms_median", round2(import_ms)},
                                  {"shape_only_trace_ms_median", round2(trace_ms)},
                                  {"import_and_trace_ms_median", round2(both_ms)},
                                  {"trace_nodes", nodes},
                                  {"parameters", model.model->parameter_count()}};
      std::cout << j.dump() << std::endl;
    }
  } catch (const std::exception& e) {
    std::cerr << "modtrace-bench-onnx: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
