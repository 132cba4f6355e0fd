#include "modtrace/init.hpp"

#include <cmath>

#include "core/deterministic.hpp"
#include "core/parallel.hpp"

namespace modtrace::init {
namespace {

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

Tensor deterministic_value(std::string_view key, const Shape& shape) {
  Tensor t = Tensor::empty(shape);
  const uint32_t hash = detail::fnv1a32(key);
  const auto rank = shape.size();
  // The role decides the affine map a + b * u, as make_reference.py's value_for.
  double a = 0.0, b = 1.0;
  if (ends_with(key, "running_var")) {
    a = 0.5, b = 1.0;
  } else if (ends_with(key, "running_mean")) {
    a = -0.1, b = 0.2;
  } else if (rank == 1 && ends_with(key, ".weight")) {
    a = 0.75, b = 0.5;
  } else if (rank <= 1) {
    a = -0.1, b = 0.2;
  } else {
    const int64_t fan_in = shape[0] == 0 ? 1 : t.numel() / shape[0];
    const double bound = std::sqrt(6.0 / static_cast<double>(fan_in));
    a = -bound, b = 2.0 * bound;
  }
  float* p = t.data();
  detail::parallel_for(t.numel(), t.numel(), [&](int64_t i) {
    p[i] = static_cast<float>(a + b * detail::deterministic_uniform(hash, static_cast<uint64_t>(i)));
  });
  return t;
}

void deterministic(Module& module) {
  for (auto& [key, tensor] : module.state_dict()) {
    if (ends_with(key, "num_batches_tracked")) continue;  // an integer count in PyTorch, left alone
    Tensor target = tensor;
    target.copy_(deterministic_value(key, tensor.shape()));
  }
}

}  // namespace modtrace::init
