// pad (F.pad: constant, reflect, replicate) and roll: copies where each
// output position reads one input position (or a constant), found per
// dimension by an index map.

#include <algorithm>
#include <string>

#include "modtrace/functional.hpp"
#include "ops/op_call.hpp"
#include "ops/strided.hpp"

namespace modtrace::detail {
namespace {

constexpr AttrSpec kPad[] = {
    {"pad", AttrType::ints}, {"mode", AttrType::text, "constant"}, {"value", AttrType::real, "0"}};
constexpr AttrSpec kRoll[] = {{"shifts", AttrType::ints}, {"dims", AttrType::ints, "[]"}};

// For each dimension, the input index each output index reads (-1: the constant).
using IndexMaps = std::vector<std::vector<int64_t>>;

// Copies out[i] = x[map(i)] (or `fill` where a map gives -1).
void gather(const Tensor& x, const IndexMaps& maps, float fill, Tensor& out) {
  const Shape& in = x.shape();
  const Shape& shape = out.shape();
  const size_t rank = shape.size();
  const Strides strides = contiguous_strides(in);
  const float* src = x.data();
  float* dst = out.data();
  const int64_t row = rank == 0 ? 1 : shape.back();
  const int64_t rows = row == 0 ? 0 : out.numel() / row;
  std::vector<int64_t> index(rank, 0);
  for (int64_t r = 0; r < rows; ++r) {
    // The row's offset in the input, or -1 when an outer dimension maps to the constant.
    int64_t base = 0;
    for (int64_t rest = r, d = static_cast<int64_t>(rank) - 2; d >= 0; --d) {
      const int64_t at = maps[d][rest % shape[d]];
      rest /= shape[d];
      if (at < 0 || base < 0) {
        base = -1;
      } else {
        base += at * strides[d];
      }
    }
    float* line = dst + r * row;
    if (rank == 0) {
      line[0] = src[0];
      continue;
    }
    const auto& last = maps[rank - 1];
    for (int64_t j = 0; j < row; ++j) line[j] = base < 0 || last[j] < 0 ? fill : src[base + last[j]];
  }
}

Shape shape_pad(const OpCall& call) {
  const Tensor& x = call.input(0);
  const auto& pad = call.attr<kPad, "pad">();
  const std::string& mode = call.attr<kPad, "mode">();
  if (pad.size() % 2 != 0) call.fail("padding length must be divisible by 2, got " + to_string(Shape(pad)));
  const auto dims = static_cast<int64_t>(pad.size() / 2);
  if (dims > x.dim()) {
    call.fail("padding length " + std::to_string(pad.size()) + " is too large for a " + std::to_string(x.dim()) +
              "-D input (2 per padded dimension)");
  }
  if (mode != "constant" && mode != "reflect" && mode != "replicate") {
    call.fail("mode must be constant, reflect or replicate, got '" + mode + "'");
  }
  if (mode != "constant") {
    // As PyTorch: only the last 1 to 3 dimensions, behind a batch and channel (or channel) dimension.
    if (dims < 1 || dims > 3 || x.dim() < dims + 1 || x.dim() > dims + 2) {
      call.fail(mode + " padding of " + std::to_string(dims) + " dimension(s) expects a " + std::to_string(dims + 1) +
                "-D or " + std::to_string(dims + 2) + "-D input");
    }
  }
  Shape out = x.shape();
  for (int64_t k = 0; k < dims; ++k) {
    const int64_t d = x.dim() - 1 - k;
    const int64_t before = pad[2 * k], after = pad[2 * k + 1];
    const int64_t size = x.shape()[d];
    if (mode == "reflect" && (before >= size || after >= size || before < 0 || after < 0)) {
      call.fail("reflect padding (" + std::to_string(before) + ", " + std::to_string(after) +
                ") must be smaller than the size " + std::to_string(size) + " of dimension " + std::to_string(d));
    }
    if (mode == "replicate" && (before < 0 || after < 0 || size == 0)) {
      call.fail("replicate padding needs non-negative pads and a non-empty dimension " + std::to_string(d));
    }
    out[d] = size + before + after;
    if (out[d] < 0) {
      call.fail("the padded size of dimension " + std::to_string(d) + " would be negative (" +
                std::to_string(out[d]) + ")");
    }
  }
  return out;
}

void run_pad(const OpCall& call, Tensor& out) {
  const Tensor& x = call.input(0);
  const auto& pad = call.attr<kPad, "pad">();
  const std::string& mode = call.attr<kPad, "mode">();
  IndexMaps maps(static_cast<size_t>(x.dim()));
  for (int64_t d = 0; d < x.dim(); ++d) {
    const int64_t k = x.dim() - 1 - d;
    const int64_t before = 2 * k < static_cast<int64_t>(pad.size()) ? pad[2 * k] : 0;
    const int64_t size = x.shape()[d];
    for (int64_t i = 0; i < out.shape()[d]; ++i) {
      int64_t j = i - before;
      if (mode == "reflect") {
        j = j < 0 ? -j : j >= size ? 2 * (size - 1) - j : j;
      } else if (mode == "replicate") {
        j = std::clamp<int64_t>(j, 0, size - 1);
      } else if (j < 0 || j >= size) {
        j = -1;
      }
      maps[d].push_back(j);
    }
  }
  gather(x, maps, static_cast<float>(call.attr<kPad, "value">()), out);
}

Shape shape_roll(const OpCall& call) {
  const auto& shifts = call.attr<kRoll, "shifts">();
  const auto& dims = call.attr<kRoll, "dims">();
  if (dims.empty() ? shifts.size() != 1 : shifts.size() != dims.size()) {
    call.fail("shifts " + to_string(Shape(shifts)) + " and dims " + to_string(Shape(dims)) +
              " must have the same length (one shift without dims)");
  }
  for (int64_t d : dims) wrap_dim(d, call.input(0).dim(), "roll");
  return call.input(0).shape();
}

void run_roll(const OpCall& call, Tensor& out) {
  const Tensor& x = call.input(0);
  const auto& shifts = call.attr<kRoll, "shifts">();
  const auto& dims = call.attr<kRoll, "dims">();
  // Without dims the flattened tensor rolls: one dimension of all the elements.
  const Tensor flat = dims.empty() ? x.alias({x.numel()}) : x;
  Tensor target = dims.empty() ? out.alias({out.numel()}) : out;
  IndexMaps maps(static_cast<size_t>(flat.dim()));
  for (int64_t d = 0; d < flat.dim(); ++d) {
    const int64_t size = flat.shape()[d];
    int64_t shift = 0;
    for (size_t k = 0; k < shifts.size(); ++k) {
      if (dims.empty() || wrap_dim(dims[k], flat.dim(), "roll") == d) shift += shifts[k];
    }
    for (int64_t i = 0; i < size; ++i) maps[d].push_back((((i - shift) % size) + size) % size);
  }
  gather(flat, maps, 0.0f, target);
}

using C = OpCategory;

}  // namespace

std::span<const OpInfo> padding_ops() {
  static constexpr OpInfo rows[] = {
      {Op::pad, "pad", C::copy, kUnary, 1, 1, kPad, shape_pad, run_pad},
      {Op::roll, "roll", C::copy, kUnary, 1, 1, kRoll, shape_roll, run_roll},
  };
  return rows;
}

}  // namespace modtrace::detail

namespace modtrace::F {

Tensor pad(const Tensor& x, const std::vector<int64_t>& pad, const std::string& mode, double value, Where where) {
  return detail::dispatch_unary(Op::pad, x, where, detail::pack<detail::kPad>(pad, mode, value));
}

Tensor roll(const Tensor& x, const std::vector<int64_t>& shifts, const std::vector<int64_t>& dims, Where where) {
  return detail::dispatch_unary(Op::roll, x, where, detail::pack<detail::kRoll>(shifts, dims));
}

}  // namespace modtrace::F
