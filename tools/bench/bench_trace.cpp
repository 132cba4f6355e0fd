// Tracing benchmark: what recording costs, per forward and per node.
//
//   modtrace-bench-trace [--runs N] [MODEL ...]        (default: every zoo model)
//
// For each model, median wall time of: the plain forward, the same forward
// traced, and a shape-only trace; the overhead per recorded node follows.
// A micro benchmark (a chain of tiny elementwise ops) isolates the cost of
// recording one node and of the thread-local check when tracing is off.
// Prints one JSON object per line, like ../shared/bench/torch_baseline.py.
// Timings are noisy on a shared machine: compare ratios from one run.

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

double round3(double v) { return bench::rounded(v, 3); }

void bench_model(const std::string& name, int runs) {
  const auto model = zoo::create(name);
  const Tensor x = zoo::default_input(name);
  (*model)(x);  // warm up: first-touch allocations, OpenMP threads
  const double forward = median_ms(runs, [&] { (*model)(x); });
  size_t nodes = 0;
  const double traced = median_ms(runs, [&] { nodes = boost::num_vertices(trace_module(*model, {x}).graph()); });
  const double shape_only = median_ms(runs, [&] { trace_module(*model, {x}, {.shape_only = true}); });
  nlohmann::ordered_json j = {
      {"model", name},
      {"forward_ms_median", round3(forward)},
      {"traced_ms_median", round3(traced)},
      {"shape_only_trace_ms_median", round3(shape_only)},
      {"nodes", nodes},
      {"trace_overhead_pct", round3(100.0 * (traced - forward) / forward)},
      {"overhead_us_per_node", round3(1000.0 * (traced - forward) / static_cast<double>(nodes))},
      {"shape_only_us_per_node", round3(1000.0 * shape_only / static_cast<double>(nodes))},
  };
  std::cout << j.dump() << std::endl;
}

// A chain of `length` multiplications on a 4-element tensor: almost all time is per-op overhead.
void bench_chain(int length, int runs) {
  const Tensor x = Tensor::ones({4});
  auto chain = [&] {
    Tensor y = x;
    for (int i = 0; i < length; ++i) y = y * 1.0;
    return y;
  };
  chain();
  const double plain = median_ms(runs, chain);
  const double traced = median_ms(runs, [&] {
    TraceSession session;
    chain();
    session.finish();
  });
  nlohmann::ordered_json j = {
      {"micro", "chain of mul on [4]"},
      {"ops", length},
      {"untraced_ns_per_op", round3(1e6 * plain / length)},
      {"traced_ns_per_op", round3(1e6 * traced / length)},
      {"recording_ns_per_node", round3(1e6 * (traced - plain) / length)},
  };
  std::cout << j.dump() << std::endl;
}

}  // namespace

int main(int argc, char** argv) {
  int runs = 10;
  std::vector<std::string> models;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--runs" && i + 1 < argc) {
      runs = std::max(1, std::stoi(argv[++i]));
    } else if (arg == "--help" || arg == "-h") {
      std::cout << "usage: modtrace-bench-trace [--runs N] [MODEL ...]\n";
      return 0;
    } else {
      models.push_back(arg);
    }
  }
  if (models.empty()) models = zoo::names();
  try {
    bench_chain(20000, runs);
    for (const auto& m : models) bench_model(m, runs);
  } catch (const std::exception& e) {
    std::cerr << "modtrace-bench-trace: error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
