#pragma once
// ViT-B/16 as torchvision 0.14 builds it: the root reshapes and permutes the
// patch embedding, expands and concatenates the class token, and selects
// x[:, 0] before the heads, all in its own forward; the Encoder adds the
// position embedding and checks for a 3-D input.

#include "modtrace/blocks.hpp"
#include "modtrace/export.hpp"

MODTRACE_PUBLIC_BEGIN
namespace modtrace::zoo {

class MLPBlock : public MLP {
 public:
  MLPBlock(int64_t in_dim, int64_t mlp_dim, double dropout);
};

class EncoderBlock : public Module {
 public:
  EncoderBlock(int64_t num_heads, int64_t hidden_dim, int64_t mlp_dim, double dropout, double attention_dropout);
  LayerNorm& ln_1;
  MultiheadAttention& self_attention;
  Dropout& dropout;
  LayerNorm& ln_2;
  MLPBlock& mlp;

 protected:
  Tensor forward(const Tensor& x) override;
};

class Encoder : public Module {
 public:
  Encoder(int64_t seq_length, int num_layers, int64_t num_heads, int64_t hidden_dim, int64_t mlp_dim, double dropout,
          double attention_dropout);
  Tensor& pos_embedding;  // [1, seq_length, hidden_dim]
  Dropout& dropout;
  Sequential& layers;
  LayerNorm& ln;

 protected:
  Tensor forward(const Tensor& x) override;
};

class VisionTransformer : public Module {
 public:
  VisionTransformer(int64_t image_size, int64_t patch_size, int num_layers, int64_t num_heads, int64_t hidden_dim,
                    int64_t mlp_dim, double dropout = 0.0, double attention_dropout = 0.0, int64_t num_classes = 1000);
  const int64_t image_size, patch_size, hidden_dim;
  Conv2d& conv_proj;
  Tensor& class_token;  // [1, 1, hidden_dim]
  Encoder& encoder;
  Sequential& heads;

 protected:
  Tensor forward(const Tensor& x) override;
};

std::shared_ptr<VisionTransformer> vit_b_16(int64_t num_classes = 1000);

}  // namespace modtrace::zoo
MODTRACE_PUBLIC_END
