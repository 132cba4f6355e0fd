// A program outside modtrace that links it as a library: built once through
// meson's dependency('modtrace') and once against the installed headers and
// library through pkg-config (check_install.sh). Prints the seed example.

#include <modtrace/modtrace.hpp>

#include <iostream>

int main() {
  using namespace modtrace;
  const auto model = zoo::create("seed_main_model");
  const Tensor x = Tensor::ones({2, 2});
  const Tensor full = (*model)(x);
  Sequential children(model->children());
  const Tensor sequential = children(x);
  std::cout << full.data()[0] << " " << sequential.data()[0] << "\n";
  return full.data()[0] == 18.0f && sequential.data()[0] == 4.0f ? 0 : 1;
}
