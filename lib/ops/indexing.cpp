// embedding: rows of a weight picked by indices. Indices are float32 tensors
// holding whole numbers (modtrace has one dtype); anything else is an error.

#include <cmath>
#include <cstring>
#include <string>

#include "modtrace/functional.hpp"
#include "ops/op_call.hpp"

namespace modtrace::detail {
namespace {

constexpr InputNames kEmbeddingInputs{"input", "weight"};

Shape shape_embedding(const OpCall& call) {
  const Tensor& w = call.input(1);
  if (w.dim() != 2) call.fail("weight must be 2-D [num_embeddings, embedding_dim]");
  Shape out = call.input(0).shape();
  out.push_back(w.shape()[1]);
  return out;
}

void run_embedding(const OpCall& call, Tensor& out) {
  const Tensor& indices = call.input(0);
  const Tensor& w = call.input(1);
  const int64_t rows = w.shape()[0], dim = w.shape()[1];
  const float* idx = indices.data();
  for (int64_t i = 0; i < indices.numel(); ++i) {
    const float v = idx[i];
    if (!(v == std::floor(v)) || v < 0.0f || v >= static_cast<float>(rows)) {
      call.fail("index " + to_string(AttrValue{static_cast<double>(v)}) + " (position " + std::to_string(i) +
                ") is not a whole number in [0, " + std::to_string(rows) + ")");
    }
    std::memcpy(out.data() + i * dim, w.data() + static_cast<int64_t>(v) * dim, static_cast<size_t>(dim) * sizeof(float));
  }
}

}  // namespace

std::span<const OpInfo> indexing_ops() {
  static constexpr OpInfo rows[] = {
      {Op::embedding, "embedding", OpCategory::indexing, kEmbeddingInputs, 2, 2, kNoAttributes, shape_embedding,
       run_embedding},
  };
  return rows;
}

}  // namespace modtrace::detail

namespace modtrace::F {

Tensor embedding(const Tensor& indices, const Tensor& weight, Where where) {
  return detail::dispatch_binary(Op::embedding, indices, weight, where);
}

}  // namespace modtrace::F
