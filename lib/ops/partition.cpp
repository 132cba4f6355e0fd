// Splitting a tensor into parts and stacking parts: chunk, split, unbind
// (one node with several outputs, copies where PyTorch returns views, so
// marked against in-place writes) and stack.

#include <cstring>
#include <string>

#include "modtrace/functional.hpp"
#include "ops/op_call.hpp"
#include "ops/strided.hpp"

namespace modtrace::detail {
namespace {

constexpr AttrSpec kChunk[] = {{"chunks", AttrType::integer}, {"dim", AttrType::integer, "0"}};
// One of the two: parts of split_size (the last may be smaller), or of split_sizes.
constexpr AttrSpec kSplit[] = {{"split_size", AttrType::integer, "", true},
                               {"split_sizes", AttrType::ints, "", true},
                               {"dim", AttrType::integer, "0"}};
constexpr AttrSpec kUnbind[] = {{"dim", AttrType::integer, "0"}};
constexpr AttrSpec kStack[] = {{"dim", AttrType::integer, "0"}};


template <const auto& Schema>
int64_t split_dim(const OpCall& call) {
  const Tensor& x = call.input(0);
  if (x.dim() == 0) call.fail("cannot split a 0-d tensor");
  return wrap_dim(call.attr<Schema, "dim">(), x.dim(), op_info(call.op).name.data());
}

// The sizes of the parts along the split dimension, by the op's rule.
std::vector<int64_t> part_sizes(const OpCall& call, int64_t& dim) {
  const Tensor& x = call.input(0);
  if (call.op == Op::unbind) {
    dim = split_dim<kUnbind>(call);
    return std::vector<int64_t>(static_cast<size_t>(x.shape()[dim]), 1);
  }
  if (call.op == Op::chunk) {
    dim = split_dim<kChunk>(call);
    const int64_t chunks = call.attr<kChunk, "chunks">();
    if (chunks < 1) call.fail("chunks must be positive, got " + std::to_string(chunks));
    const int64_t size = x.shape()[dim];
    const int64_t step = (size + chunks - 1) / chunks;
    if (step == 0) return std::vector<int64_t>(static_cast<size_t>(chunks), 0);  // an empty dimension: empty chunks
    std::vector<int64_t> sizes;
    for (int64_t start = 0; start < size; start += step) sizes.push_back(std::min(step, size - start));
    return sizes;
  }
  dim = split_dim<kSplit>(call);
  const int64_t size = x.shape()[dim];
  const int64_t* uniform = call.optional_attr<kSplit, "split_size">();
  const IntList* given = call.optional_attr<kSplit, "split_sizes">();
  if ((uniform == nullptr) == (given == nullptr)) call.fail("give either split_size or split_sizes");
  if (given != nullptr) {
    int64_t total = 0;
    for (int64_t s : *given) {
      if (s < 0) call.fail("split_sizes must be non-negative, got " + to_string(Shape(*given)));
      total += s;
    }
    if (total != size) {
      call.fail("split_sizes " + to_string(Shape(*given)) + " must sum exactly to " + std::to_string(size) +
                ", the size of dimension " + std::to_string(dim));
    }
    return *given;
  }
  if (*uniform < 0 || (*uniform == 0 && size != 0)) {
    call.fail("split_size must be positive (0 only for an empty dimension), got " + std::to_string(*uniform));
  }
  if (size == 0) return {0};
  std::vector<int64_t> sizes;
  for (int64_t start = 0; start < size; start += *uniform) sizes.push_back(std::min(*uniform, size - start));
  return sizes;
}

std::vector<Shape> shapes_parts(const OpCall& call) {
  int64_t dim = 0;
  const std::vector<int64_t> sizes = part_sizes(call, dim);
  std::vector<Shape> out;
  for (int64_t s : sizes) {
    Shape shape = call.input(0).shape();
    if (call.op == Op::unbind) shape.erase(shape.begin() + dim);
    else shape[dim] = s;
    out.push_back(std::move(shape));
  }
  return out;
}

void run_parts(const OpCall& call, std::span<Tensor> outs) {
  int64_t dim = 0;
  const std::vector<int64_t> sizes = part_sizes(call, dim);
  const Shape& s = call.input(0).shape();
  const int64_t outer = outer_size(s, dim), inner = inner_size(s, dim), size = s[dim];
  const float* src = call.input(0).data();
  int64_t start = 0;
  for (size_t k = 0; k < outs.size(); ++k) {
    const int64_t run = sizes[k] * inner;
    float* dst = outs[k].data();
    for (int64_t o = 0; o < outer && run > 0; ++o) {
      std::memcpy(dst + o * run, src + (o * size + start) * inner, static_cast<size_t>(run) * sizeof(float));
    }
    start += sizes[k];
  }
}

Shape shape_stack(const OpCall& call) {
  const Shape& first = call.input(0).shape();
  for (size_t i = 1; i < call.input_count(); ++i) {
    if (call.input(i).shape() != first) {
      call.fail("expects each tensor to be equal size, but tensors[0] has " + to_string(first) + " and tensors[" +
                std::to_string(i) + "] " + to_string(call.input(i).shape()));
    }
  }
  const int64_t dim = wrap_dim(call.attr<kStack, "dim">(), static_cast<int64_t>(first.size()) + 1, "stack");
  Shape out = first;
  out.insert(out.begin() + dim, static_cast<int64_t>(call.input_count()));
  return out;
}

void run_stack(const OpCall& call, Tensor& out) {
  const Shape& first = call.input(0).shape();
  const int64_t dim = wrap_dim(call.attr<kStack, "dim">(), static_cast<int64_t>(first.size()) + 1, "stack");
  const int64_t outer = outer_size(first, dim);
  const int64_t block = numel_of(first) / std::max<int64_t>(outer, 1);
  float* dst = out.data();
  for (int64_t o = 0; o < outer; ++o) {
    for (size_t i = 0; i < call.input_count(); ++i) {
      if (block == 0) continue;
      std::memcpy(dst, call.input(i).data() + o * block, static_cast<size_t>(block) * sizeof(float));
      dst += block;
    }
  }
}

using C = OpCategory;

}  // namespace

std::span<const OpInfo> partition_ops() {
  constexpr auto view = Writes::copy_of_view;
  static constexpr OpInfo rows[] = {
      {Op::stack, "stack", C::copy, kTensors, 1, kVariadic, kStack, shape_stack, run_stack},
      {Op::chunk, "chunk", C::copy, kUnary, 1, 1, kChunk, nullptr, nullptr, view, shapes_parts, run_parts},
      {Op::split, "split", C::copy, kUnary, 1, 1, kSplit, nullptr, nullptr, view, shapes_parts, run_parts},
      {Op::unbind, "unbind", C::copy, kUnary, 1, 1, kUnbind, nullptr, nullptr, view, shapes_parts, run_parts},
  };
  return rows;
}

}  // namespace modtrace::detail

namespace modtrace::F {

using detail::pack;

namespace {
Tensors parts(Op op, const Tensor& x, const Attrs& attrs, const Where& where) {
  const std::array<const Tensor*, 1> in{&x};
  return detail::dispatch_many(op, in, attrs, where);
}
}  // namespace

Tensor stack(const Tensors& tensors, int64_t dim, Where where) {
  std::vector<const Tensor*> in;
  for (const Tensor& t : tensors) in.push_back(&t);
  return detail::dispatch(Op::stack, in, pack<detail::kStack>(dim), where);
}

Tensors chunk(const Tensor& x, int64_t chunks, int64_t dim, Where where) {
  return parts(Op::chunk, x, pack<detail::kChunk>(chunks, dim), where);
}

Tensors split(const Tensor& x, int64_t split_size, int64_t dim, Where where) {
  return parts(Op::split, x,
               pack<detail::kSplit>(std::optional<int64_t>(split_size), std::optional<std::vector<int64_t>>(), dim),
               where);
}

Tensors split(const Tensor& x, const std::vector<int64_t>& split_sizes, int64_t dim, Where where) {
  return parts(Op::split, x, pack<detail::kSplit>(std::optional<int64_t>(), std::optional(split_sizes), dim), where);
}

Tensors unbind(const Tensor& x, int64_t dim, Where where) {
  return parts(Op::unbind, x, pack<detail::kUnbind>(dim), where);
}

}  // namespace modtrace::F
