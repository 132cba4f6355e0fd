// torch.nn.MultiheadAttention's forward as PyTorch 1.13 computes it
// (F.multi_head_attention_forward): packed input projection, per-head scaled
// dot products, softmax, output projection through out_proj's parameters.

#include <cmath>
#include <cstdio>

#include "modtrace/functional.hpp"
#include "modtrace/layers.hpp"
#include "core/random.hpp"

namespace modtrace {

namespace {
int64_t checked_head_dim(int64_t embed_dim, int64_t num_heads) {
  if (embed_dim <= 0 || num_heads <= 0) {
    throw Error("MultiheadAttention: embed_dim and num_heads must be positive, got " + std::to_string(embed_dim) +
                " and " + std::to_string(num_heads));
  }
  if (embed_dim % num_heads != 0) {
    throw Error("MultiheadAttention: embed_dim " + std::to_string(embed_dim) + " must be divisible by num_heads " +
                std::to_string(num_heads));
  }
  return embed_dim / num_heads;
}

// xavier_uniform_ as PyTorch's _reset_parameters: U(±sqrt(6 / (fan_in + fan_out))).
Tensor xavier_uniform(int64_t rows, int64_t cols) {
  Tensor t = Tensor::empty({rows, cols});
  const double bound = std::sqrt(6.0 / static_cast<double>(rows + cols));
  detail::fill_uniform(t.data(), t.numel(), -bound, bound);
  return t;
}
}  // namespace

MultiheadAttention::MultiheadAttention(int64_t e, int64_t h, const MultiheadAttentionOptions& o)
    : embed_dim(e),
      num_heads(h),
      head_dim(checked_head_dim(e, h)),
      options(o),
      in_proj_weight(register_parameter("in_proj_weight", xavier_uniform(3 * e, e))),
      in_proj_bias(register_parameter("in_proj_bias", o.bias ? Tensor::zeros({3 * e}) : Tensor())),
      out_proj(register_module<NonDynamicallyQuantizableLinear>("out_proj", e, e, o.bias)) {
  if (o.bias) out_proj.bias.copy_(Tensor::zeros({e}));
}

std::span<const std::string_view> MultiheadAttention::forward_signature() const {
  static constexpr std::string_view names[] = {"query", "key", "value"};
  return names;
}

Tensors MultiheadAttention::forward_many(const Tensors& inputs) {
  const int64_t batch_dim = options.batch_first ? 0 : 1;
  for (const char* name : {"query", "key", "value"}) {
    const Tensor& t = inputs[name[0] == 'q' ? 0 : name[0] == 'k' ? 1 : 2];
    if (t.dim() != 3 || t.size(-1) != embed_dim) {
      throw Error("MultiheadAttention: " + std::string(name) + " must be 3-D with last dimension embed_dim " +
                  std::to_string(embed_dim) + (options.batch_first ? " (batch, sequence, embed)" : " (sequence, batch, embed)") +
                  ", got " + to_string(t.shape()));
    }
  }
  // Work in PyTorch's (sequence, batch, embed) layout.
  // PyTorch tests `query is key is value`; is_same also holds for meta tensors in shape-only traces.
  const bool self_attention = inputs[0].is_same(inputs[1]) && inputs[1].is_same(inputs[2]);
  Tensor query = options.batch_first ? inputs[0].transpose(1, 0) : inputs[0];
  Tensor key = self_attention ? query : (options.batch_first ? inputs[1].transpose(1, 0) : inputs[1]);
  Tensor value = self_attention ? query : (options.batch_first ? inputs[2].transpose(1, 0) : inputs[2]);
  const int64_t target_len = query.size(0), batch = query.size(1), source_len = key.size(0);
  if (key.size(1) != batch || value.size(1) != batch || value.size(0) != source_len) {
    throw Error("MultiheadAttention: query, key and value must share the batch size and key and value the sequence "
                "length, got " + to_string(inputs[0].shape()) + ", " + to_string(inputs[1].shape()) + ", " +
                to_string(inputs[2].shape()) + " (batch dimension " + std::to_string(batch_dim) + ")");
  }

  Tensor q, k, v;
  if (self_attention) {
    // One packed projection, split in three (PyTorch's _in_projection_packed).
    const Tensor packed = F::linear(query, in_proj_weight, in_proj_bias);
    q = packed.narrow(-1, 0, embed_dim);
    k = packed.narrow(-1, embed_dim, embed_dim);
    v = packed.narrow(-1, 2 * embed_dim, embed_dim);
  } else {
    const auto rows = [&](int64_t i) { return in_proj_weight.narrow(0, i * embed_dim, embed_dim); };
    const auto bias = [&](int64_t i) { return in_proj_bias.defined() ? in_proj_bias.narrow(0, i * embed_dim, embed_dim) : Tensor(); };
    q = F::linear(query, rows(0), bias(0));
    k = F::linear(key, rows(1), bias(1));
    v = F::linear(value, rows(2), bias(2));
  }
  // (len, batch, embed) -> (batch * heads, len, head_dim)
  q = q.reshape({target_len, batch * num_heads, head_dim}).transpose(0, 1);
  k = k.reshape({source_len, batch * num_heads, head_dim}).transpose(0, 1);
  v = v.reshape({source_len, batch * num_heads, head_dim}).transpose(0, 1);

  q = q / std::sqrt(static_cast<double>(head_dim));
  Tensor weights = F::softmax(F::matmul(q, k.transpose(-2, -1)), -1);
  weights = F::dropout(weights, options.dropout, is_training());
  Tensor out = F::matmul(weights, v);  // (batch * heads, target_len, head_dim)
  out = out.transpose(0, 1).reshape({target_len * batch, embed_dim});
  // PyTorch applies out_proj's parameters directly: out_proj is never called as a module.
  out = F::linear(out, out_proj.weight, out_proj.bias).reshape({target_len, batch, embed_dim});
  if (options.batch_first) out = out.transpose(1, 0);
  if (!options.need_weights) return {out};
  const Tensor averaged = weights.reshape({batch, num_heads, target_len, source_len}).mean({1});
  return {out, averaged};
}

}  // namespace modtrace
