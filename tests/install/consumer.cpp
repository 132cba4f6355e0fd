// A program outside modtrace that links it as a library, built every way a
// user links it (tests/meson.build, check_install.sh: the in-tree meson
// dependency, pkg-config, a meson project, CMake, a subproject). Prints the
// seed example's outputs, "18 4", and traces it through the public graph
// type (Boost.Graph), which the consumer's include path must reach.

#include <modtrace/modtrace.hpp>

#include <iostream>

int main() {
  using namespace modtrace;
  const auto model = zoo::create("seed_main_model");
  const Tensor x = Tensor::ones({2, 2});
  const Tensor full = (*model)(x);
  Sequential children(model->children());
  const Tensor sequential = children(x);
  const Trace trace = trace_module(*model, {x});
  std::cout << full.data()[0] << " " << sequential.data()[0] << "\n";
  const bool traced = boost::num_vertices(trace.graph()) == 6;  // input, four ops, output
  return full.data()[0] == 18.0f && sequential.data()[0] == 4.0f && traced ? 0 : 1;
}
