// dropout and torchvision's stochastic_depth: identity in eval mode (a copy,
// so the result never aliases the input), random masks in training mode.

#include <cstdio>
#include <string>

#include "ops/families.hpp"
#include "core/random.hpp"

namespace modtrace::detail {
namespace {

void require_probability(const OpCall& call, const char* what) {
  const double p = call.attrs.real("p");
  if (!(p >= 0.0 && p <= 1.0)) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%g", p);
    call.fail(std::string(what) + " probability has to be between 0 and 1, but got " + buf);
  }
}

}  // namespace

Shape shape_dropout(const OpCall& call) {
  require_probability(call, "dropout");
  return call.input(0).shape();
}

void run_dropout(const OpCall& call, Tensor& out) {
  const double p = call.attrs.real("p");
  out.copy_(call.input(0));
  if (!call.attrs.flag("training") || p == 0.0) return;
  const float scale = p < 1.0 ? static_cast<float>(1.0 / (1.0 - p)) : 0.0f;
  float* o = out.data();
  for (int64_t i = 0; i < out.numel(); ++i) o[i] = next_uniform() < p ? 0.0f : o[i] * scale;
}

Shape shape_stochastic_depth(const OpCall& call) {
  require_probability(call, "drop");
  const std::string& mode = call.attrs.text("mode");
  if (mode != "row" && mode != "batch") call.fail("mode has to be either 'batch' or 'row', but got '" + mode + "'");
  return call.input(0).shape();
}

void run_stochastic_depth(const OpCall& call, Tensor& out) {
  const double p = call.attrs.real("p");
  out.copy_(call.input(0));
  if (!call.attrs.flag("training") || p == 0.0) return;
  const double survival = 1.0 - p;
  // "row": one keep/drop draw per sample (dimension 0); "batch": one for everything.
  const bool per_row = call.attrs.text("mode") == "row" && out.dim() > 0;
  const int64_t rows = per_row ? out.shape()[0] : 1;
  const int64_t row_size = rows == 0 ? 0 : out.numel() / rows;
  float* o = out.data();
  for (int64_t r = 0; r < rows; ++r) {
    const bool keep = next_uniform() < survival;
    const float factor = keep && survival > 0.0 ? static_cast<float>(1.0 / survival) : 0.0f;
    for (int64_t i = 0; i < row_size; ++i) o[r * row_size + i] *= factor;
  }
}

}  // namespace modtrace::detail
