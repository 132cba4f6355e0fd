// dropout and torchvision's stochastic_depth: identity in eval mode (a copy,
// so the result never aliases the input), random masks in training mode.

#include <cstdio>
#include <string>

#include "core/random.hpp"
#include "modtrace/functional.hpp"
#include "modtrace/python.hpp"
#include "ops/op_call.hpp"

namespace modtrace::detail {
namespace {

constexpr AttrSpec kDropout[] = {{"p", AttrType::real, "0.5"}, {"training", AttrType::flag, "false"}};
constexpr AttrSpec kStochasticDepth[] = {
    {"p", AttrType::real}, {"mode", AttrType::text}, {"training", AttrType::flag, "false"}};

template <const auto& Schema>
void require_probability(const OpCall& call, const char* what) {
  const double p = call.attr<Schema, "p">();
  if (!(p >= 0.0 && p <= 1.0)) {
    call.fail(std::string(what) + " probability has to be between 0 and 1, but got " + python_repr(p));
  }
}

Shape shape_dropout(const OpCall& call) {
  require_probability<kDropout>(call, "dropout");
  return call.input(0).shape();
}

void run_dropout(const OpCall& call, Tensor& out) {
  const double p = call.attr<kDropout, "p">();
  out.copy_(call.input(0));
  if (!call.attr<kDropout, "training">() || p == 0.0) return;
  const float scale = p < 1.0 ? static_cast<float>(1.0 / (1.0 - p)) : 0.0f;
  float* o = out.data();
  for (int64_t i = 0; i < out.numel(); ++i) o[i] = next_uniform() < p ? 0.0f : o[i] * scale;
}

Shape shape_dropout2d(const OpCall& call) {
  require_probability<kDropout>(call, "dropout");
  if (call.input(0).dim() < 2) call.fail("expected an input of at least 2 dimensions (N, C, …)");
  return call.input(0).shape();
}

// Whole channels: one draw per (sample, channel).
void run_dropout2d(const OpCall& call, Tensor& out) {
  const double p = call.attr<kDropout, "p">();
  out.copy_(call.input(0));
  if (!call.attr<kDropout, "training">() || p == 0.0) return;
  const float scale = p < 1.0 ? static_cast<float>(1.0 / (1.0 - p)) : 0.0f;
  const int64_t channels = out.shape()[0] * out.shape()[1];
  const int64_t inner = channels == 0 ? 0 : out.numel() / channels;
  float* o = out.data();
  for (int64_t c = 0; c < channels; ++c) {
    const float factor = next_uniform() < p ? 0.0f : scale;
    for (int64_t i = 0; i < inner; ++i) o[c * inner + i] *= factor;
  }
}

Shape shape_stochastic_depth(const OpCall& call) {
  require_probability<kStochasticDepth>(call, "drop");
  const std::string& mode = call.attr<kStochasticDepth, "mode">();
  if (mode != "row" && mode != "batch") call.fail("mode has to be either 'batch' or 'row', but got '" + mode + "'");
  return call.input(0).shape();
}

void run_stochastic_depth(const OpCall& call, Tensor& out) {
  const double p = call.attr<kStochasticDepth, "p">();
  out.copy_(call.input(0));
  if (!call.attr<kStochasticDepth, "training">() || p == 0.0) return;
  const double survival = 1.0 - p;
  // "row": one keep/drop draw per sample (dimension 0); "batch": one for everything.
  const bool per_row = call.attr<kStochasticDepth, "mode">() == "row" && out.dim() > 0;
  const int64_t rows = per_row ? out.shape()[0] : 1;
  const int64_t row_size = rows == 0 ? 0 : out.numel() / rows;
  float* o = out.data();
  for (int64_t r = 0; r < rows; ++r) {
    const bool keep = next_uniform() < survival;
    const float factor = keep && survival > 0.0 ? static_cast<float>(1.0 / survival) : 0.0f;
    for (int64_t i = 0; i < row_size; ++i) o[r * row_size + i] *= factor;
  }
}

using C = OpCategory;

}  // namespace

std::span<const OpInfo> regularization_ops() {
  static constexpr OpInfo rows[] = {
      {Op::dropout, "dropout", C::regularization, kUnary, 1, 1, kDropout, shape_dropout, run_dropout},
      {Op::dropout2d, "dropout2d", C::regularization, kUnary, 1, 1, kDropout, shape_dropout2d, run_dropout2d},
      {Op::stochastic_depth, "stochastic_depth", C::regularization, kUnary, 1, 1, kStochasticDepth,
       shape_stochastic_depth, run_stochastic_depth},
  };
  return rows;
}

}  // namespace modtrace::detail

namespace modtrace::F {

Tensor dropout(const Tensor& x, double p, bool training, Where where) {
  return detail::dispatch_unary(Op::dropout, x, where, detail::pack<detail::kDropout>(p, training));
}

Tensor dropout2d(const Tensor& x, double p, bool training, Where where) {
  return detail::dispatch_unary(Op::dropout2d, x, where, detail::pack<detail::kDropout>(p, training));
}

Tensor stochastic_depth(const Tensor& x, double p, const std::string& mode, bool training, Where where) {
  return detail::dispatch_unary(Op::stochastic_depth, x, where,
                                detail::pack<detail::kStochasticDepth>(p, mode, training));
}

}  // namespace modtrace::F
