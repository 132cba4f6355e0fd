// The activation layers.

#include "modtrace/layers.hpp"

#include "modtrace/functional.hpp"
#include "modtrace/python.hpp"
#include "nn/layers/common.hpp"

namespace modtrace {

using detail::fan_in_uniform;
using detail::inplace_repr;
using detail::require_positive;

// ---- activations ----

std::string ReLU::extra_repr() const { return inplace_repr(inplace); }
Tensor ReLU::forward(const Tensor& x) { return F::relu(x); }
std::string ReLU6::extra_repr() const { return inplace_repr(inplace); }
Tensor ReLU6::forward(const Tensor& x) { return F::relu6(x); }

GELU::GELU(std::string approx) : approximate(std::move(approx)) {
  if (approximate != "none" && approximate != "tanh") {
    throw Error("GELU: approximate must be 'none' or 'tanh', got '" + approximate + "'");
  }
}
std::string GELU::extra_repr() const { return "approximate='" + approximate + "'"; }
Tensor GELU::forward(const Tensor& x) { return F::gelu(x, approximate); }

std::string SiLU::extra_repr() const { return inplace_repr(inplace); }
Tensor SiLU::forward(const Tensor& x) { return F::silu(x); }
Tensor Sigmoid::forward(const Tensor& x) { return F::sigmoid(x); }
std::string Hardswish::extra_repr() const { return inplace_repr(inplace); }
Tensor Hardswish::forward(const Tensor& x) { return F::hardswish(x); }
std::string Hardsigmoid::extra_repr() const { return inplace_repr(inplace); }
Tensor Hardsigmoid::forward(const Tensor& x) { return F::hardsigmoid(x); }

Tensor Tanh::forward(const Tensor& x) { return F::tanh(x); }

std::string LeakyReLU::extra_repr() const {
  return "negative_slope=" + python_repr(negative_slope) + (inplace ? ", inplace=True" : "");
}
Tensor LeakyReLU::forward(const Tensor& x) { return F::leaky_relu(x, negative_slope); }

PReLU::PReLU(int64_t n, double init)
    : num_parameters((require_positive("PReLU", "num_parameters", n), n)),
      weight(register_parameter("weight", Tensor::full({n}, static_cast<float>(init)))) {}
std::string PReLU::extra_repr() const { return "num_parameters=" + std::to_string(num_parameters); }
Tensor PReLU::forward(const Tensor& x) { return F::prelu(x, weight); }

std::string Mish::extra_repr() const { return inplace_repr(inplace); }
Tensor Mish::forward(const Tensor& x) { return F::mish(x); }

std::string Softplus::extra_repr() const {
  return "beta=" + python_repr(beta) + ", threshold=" + python_repr(threshold);
}
Tensor Softplus::forward(const Tensor& x) { return F::softplus(x, beta.value, threshold.value); }

std::string Softmax::extra_repr() const { return "dim=" + std::to_string(dim); }
Tensor Softmax::forward(const Tensor& x) { return F::softmax(x, dim); }

std::string LogSoftmax::extra_repr() const { return "dim=" + std::to_string(dim); }
Tensor LogSoftmax::forward(const Tensor& x) { return F::log_softmax(x, dim); }

}  // namespace modtrace
