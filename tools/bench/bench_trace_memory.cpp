// Trace memory benchmark: heap bytes a finished trace holds per graph node.
//
//   modtrace-bench-trace-memory [--max-nodes N]
//
// Counts what malloc holds (glibc's mallinfo2: every arena, mmapped blocks
// included) before a trace and while the Trace object is alive, divided by
// its vertex count. Three shapes of trace, each at growing sizes so that
// linearity shows: a chain of elementwise ops (one input, one op per node),
// a chain of module calls (a module call record per op), and the zoo's
// models traced shape-only. Tensor storage is not in these figures: shape-only
// traces make none, and the chains' values are 4-element tensors freed as the
// forward goes (memory_in_use() is printed to show it).
// Prints one JSON object per line.

#include <malloc.h>

#include <nlohmann/json.hpp>

#include <iostream>
#include <string>

#include "modtrace/modtrace.hpp"

namespace {

using namespace modtrace;

int64_t heap_in_use() {
  const struct mallinfo2 m = mallinfo2();
  return static_cast<int64_t>(m.uordblks + m.hblkhd);
}

// y = y * 1 repeated: one op node per step.
class MulChain : public Module {
 public:
  explicit MulChain(int64_t length) : length_(length) {}
  std::string type_name() const override { return "MulChain"; }
  Tensor forward(const Tensor& x) override {
    Tensor y = x;
    for (int64_t i = 0; i < length_; ++i) y = y * 1.0;
    return y;
  }

 private:
  int64_t length_;
};

// The same chain, each step inside its own module call (an Identity-like
// child holding one op): a call record per op.
class Step : public Module {
 public:
  std::string type_name() const override { return "Step"; }
  Tensor forward(const Tensor& x) override { return x * 1.0; }
};

class CallChain : public Module {
 public:
  explicit CallChain(int64_t length) : length_(length) {}
  std::string type_name() const override { return "CallChain"; }
  Tensor forward(const Tensor& x) override {
    Tensor y = x;
    for (int64_t i = 0; i < length_; ++i) y = step_(y);
    return y;
  }

 private:
  int64_t length_;
  Step& step_ = register_module("step", std::make_shared<Step>());
};

void report(const std::string& what, int64_t size, Module& model, const Tensors& inputs, bool shape_only) {
  // A first trace, dropped, so what is made once per process (the op
  // table, caches that grow to their working size) is not counted.
  (void)trace_module(model, inputs, {.shape_only = shape_only});
  const int64_t before = heap_in_use();
  const Trace t = trace_module(model, inputs, {.shape_only = shape_only});
  const int64_t held = heap_in_use() - before;
  const auto nodes = static_cast<int64_t>(boost::num_vertices(t.graph()));
  const auto edges = static_cast<int64_t>(boost::num_edges(t.graph()));
  nlohmann::ordered_json j = {
      {"trace", what},
      {"size", size},
      {"nodes", nodes},
      {"edges", edges},
      {"calls", t.calls().size()},
      {"heap_bytes", held},
      {"bytes_per_node", nodes > 0 ? static_cast<double>(held) / static_cast<double>(nodes) : 0.0},
      {"tensor_bytes_in_use", memory_in_use()},
  };
  std::cout << j.dump() << std::endl;
}

}  // namespace

int main(int argc, char** argv) {
  int64_t max_nodes = 1000000;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--max-nodes" && i + 1 < argc) {
      max_nodes = std::stoll(argv[++i]);
    } else {
      std::cout << "usage: modtrace-bench-trace-memory [--max-nodes N]\n";
      return arg == "--help" || arg == "-h" ? 0 : 2;
    }
  }
  try {
    const Tensor x = Tensor::ones({4});
    for (int64_t n = 1000; n <= max_nodes; n *= 10) {
      MulChain chain(n);
      report("op chain", n, chain, {x}, false);
    }
    for (int64_t n = 1000; n <= max_nodes / 2; n *= 10) {
      CallChain calls(n);
      report("module-call chain", n, calls, {x}, false);
    }
    for (const auto& name : zoo::names()) {
      auto model = zoo::create(name);
      const zoo::ModelInfo info = zoo::info(name);
      Tensors inputs;
      for (const Shape& shape : info.input_shapes) inputs.push_back(Tensor::meta(shape));
      report(name + " shape-only", 1, *model, inputs, true);
    }
  } catch (const std::exception& e) {
    std::cerr << "modtrace-bench-trace-memory: error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
