// Forward benchmark: one zoo model's untraced forward, timed, with the
// process's peak memory, for the side-by-side table of tools/bench/run.sh
// (PyTorch and ONNX Runtime run the same model in their own processes).
//
//   modtrace-bench-forward [--runs N] [--batch B] MODEL
//   modtrace-bench-forward --sgemm N [--runs R]
//
// The second form times this binary's matrix product on two N x N matrices
// (F::matmul, the GEMM behind convolutions and linear layers) and prints its
// GFLOP/s: the rate modtrace's kernels can reach on this machine.
// Prints one JSON object.

#include <sys/resource.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>

#include "modtrace/modtrace.hpp"
#include "timing.hpp"

namespace {

using namespace modtrace;

// Peak resident set of this process so far, in MiB (Linux reports KiB).
double peak_rss_mib() {
  struct rusage usage {};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;
}

// Resident set now, in MiB (/proc/self/statm counts pages).
double rss_now_mib() {
  std::ifstream statm("/proc/self/statm");
  double size = 0, resident = 0;
  statm >> size >> resident;
  return resident * static_cast<double>(sysconf(_SC_PAGESIZE)) / (1024.0 * 1024.0);
}

std::string threads() {
  const char* env = std::getenv("OMP_NUM_THREADS");
  return env != nullptr ? env : "default";
}

int bench_model(const std::string& name, int64_t batch, int runs) {
  const double base_rss = rss_now_mib();
  const auto model = zoo::create(name);
  model->eval();
  Tensors inputs;
  for (Shape shape : zoo::info(name).input_shapes) {
    if (batch > 1 && shape.size() == 4) shape[0] = batch;
    inputs.push_back(Tensor::deterministic(shape));
  }
  const double model_rss = peak_rss_mib();
  model->call(inputs);  // warm up: first-touch allocations, OpenMP threads
  model->call(inputs);
  const double median = bench::median_ms(runs, [&] { model->call(inputs); });
  nlohmann::ordered_json j = {
      {"engine", "modtrace"},
      {"model", name},
      {"batch", batch},
      {"threads", threads()},
      {"kernels", kernel_library()},
      {"isa", kernel_isa()},
      {"forward_ms_median", bench::rounded(median, 3)},
      {"base_rss_mib", bench::rounded(base_rss, 1)},
      {"model_rss_mib", bench::rounded(model_rss, 1)},
      {"peak_rss_mib", bench::rounded(peak_rss_mib(), 1)},
  };
  std::cout << j.dump() << std::endl;
  return 0;
}

int bench_sgemm(int64_t n, int runs) {
  const Tensor a = Tensor::deterministic({n, n}, "a");
  const Tensor b = Tensor::deterministic({n, n}, "b");
  (void)F::matmul(a, b);
  const double median = bench::median_ms(runs, [&] { (void)F::matmul(a, b); });
  const double flops = 2.0 * static_cast<double>(n) * static_cast<double>(n) * static_cast<double>(n);
  nlohmann::ordered_json j = {
      {"engine", "modtrace"},
      {"sgemm", n},
      {"threads", threads()},
      {"kernels", kernel_library()},
      {"isa", kernel_isa()},
      {"ms_median", bench::rounded(median, 3)},
      {"gflops", bench::rounded(flops / (median * 1e6), 1)},
  };
  std::cout << j.dump() << std::endl;
  return 0;
}

int usage(int status) {
  (status == 0 ? std::cout : std::cerr)
      << "usage: modtrace-bench-forward [--runs N] [--batch B] MODEL\n"
         "       modtrace-bench-forward --sgemm N [--runs R]\n";
  return status;
}

}  // namespace

int main(int argc, char** argv) {
  int runs = 10;
  int64_t batch = 1;
  int64_t sgemm = 0;
  std::string model;
  try {
    for (int i = 1; i < argc; ++i) {
      const std::string arg = argv[i];
      const bool has_value = i + 1 < argc;
      if (arg == "--runs" && has_value) runs = std::max(1, std::stoi(argv[++i]));
      else if (arg == "--batch" && has_value) batch = std::max<int64_t>(1, std::stoll(argv[++i]));
      else if (arg == "--sgemm" && has_value) sgemm = std::stoll(argv[++i]);
      else if (arg == "--help" || arg == "-h") return usage(0);
      else if (!arg.starts_with("-") && model.empty()) model = arg;
      else return usage(2);
    }
    if (sgemm > 0) return bench_sgemm(sgemm, runs);
    if (model.empty()) return usage(2);
    return bench_model(model, batch, runs);
  } catch (const std::exception& e) {
    std::cerr << "modtrace-bench-forward: error: " << e.what() << "\n";
    return 1;
  }
}
