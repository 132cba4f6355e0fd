#include "modtrace/zoo/vit.hpp"

#include "modtrace/functional.hpp"

namespace modtrace::zoo {

MLPBlock::MLPBlock(int64_t in_dim, int64_t mlp_dim, double dropout)
    : MLP(in_dim, {mlp_dim, in_dim}, Activation::gelu, dropout, false) {}

EncoderBlock::EncoderBlock(int64_t num_heads, int64_t hidden_dim, int64_t mlp_dim, double p, double attention_p)
    : ln_1(register_module<LayerNorm>("ln_1", Shape{hidden_dim}, 1e-6)),
      self_attention(register_module<MultiheadAttention>(
          "self_attention", hidden_dim, num_heads,
          MultiheadAttentionOptions{.dropout = attention_p, .batch_first = true, .need_weights = false})),
      dropout(register_module<Dropout>("dropout", p)),
      ln_2(register_module<LayerNorm>("ln_2", Shape{hidden_dim}, 1e-6)),
      mlp(register_module<MLPBlock>("mlp", hidden_dim, mlp_dim, p)) {}

namespace {
void require_sequence(const Tensor& input) {
  // torchvision: torch._assert(input.dim() == 3, f"Expected (batch_size, seq_length, hidden_dim) got {input.shape}")
  if (input.dim() != 3) {
    throw Error("Expected (batch_size, seq_length, hidden_dim) got " + to_string(input.shape()));
  }
}
}  // namespace

Tensor EncoderBlock::forward(const Tensor& input) {
  require_sequence(input);
  Tensor x = ln_1(input);
  x = self_attention.call({x, x, x})[0];  // torchvision: x, _ = self.self_attention(x, x, x, need_weights=False)
  x = dropout(x);
  x = x + input;
  const Tensor y = mlp(ln_2(x));
  return x + y;
}

Encoder::Encoder(int64_t seq_length, int num_layers, int64_t num_heads, int64_t hidden_dim, int64_t mlp_dim,
                 double p, double attention_p)
    : pos_embedding(register_parameter("pos_embedding", Tensor::zeros({1, seq_length, hidden_dim}))),
      dropout(register_module<Dropout>("dropout", p)),
      layers(register_module("layers", [&] {
        auto seq = std::make_shared<Sequential>();
        for (int i = 0; i < num_layers; ++i) {
          seq->add("encoder_layer_" + std::to_string(i),
                   make<EncoderBlock>(num_heads, hidden_dim, mlp_dim, p, attention_p));
        }
        return seq;
      }())),
      ln(register_module<LayerNorm>("ln", Shape{hidden_dim}, 1e-6)) {}

Tensor Encoder::forward(const Tensor& input) {
  require_sequence(input);
  const Tensor x = input + pos_embedding;  // torchvision: input = input + self.pos_embedding
  return ln(layers(dropout(x)));
}

VisionTransformer::VisionTransformer(int64_t image, int64_t patch, int num_layers, int64_t num_heads, int64_t hidden,
                                     int64_t mlp_dim, double p, double attention_p, int64_t num_classes)
    : image_size(image),
      patch_size(patch),
      hidden_dim(hidden),
      conv_proj(register_module<Conv2d>("conv_proj", 3, hidden, patch, Conv2dOptions{.stride = patch})),
      class_token(register_parameter("class_token", Tensor::zeros({1, 1, hidden}))),
      encoder(register_module<Encoder>("encoder", (image / patch) * (image / patch) + 1, num_layers, num_heads, hidden,
                                       mlp_dim, p, attention_p)),
      heads(register_module("heads", std::make_shared<Sequential>(std::vector<std::pair<std::string, std::shared_ptr<Module>>>{
                                         {"head", make<Linear>(hidden, num_classes)}}))) {
  if (image % patch != 0) throw Error("VisionTransformer: Input shape indivisible by patch size!");
}

Tensor VisionTransformer::forward(const Tensor& input) {
  // torchvision's _process_input
  if (input.dim() != 4) throw Error("VisionTransformer: expected a 4-D input (N, C, H, W), got " + to_string(input.shape()));
  const int64_t n = input.size(0), h = input.size(2), w = input.size(3);
  if (h != image_size) {
    throw Error("Wrong image height! Expected " + std::to_string(image_size) + " but got " + std::to_string(h) + "!");
  }
  if (w != image_size) {
    throw Error("Wrong image width! Expected " + std::to_string(image_size) + " but got " + std::to_string(w) + "!");
  }
  Tensor x = conv_proj(input);
  x = x.reshape({n, hidden_dim, (h / patch_size) * (w / patch_size)});
  x = x.permute({0, 2, 1});
  // forward
  const Tensor batch_class_token = class_token.expand({n, -1, -1});
  x = F::cat({batch_class_token, x}, 1);
  x = encoder(x);
  x = x.select(1, 0);  // torchvision: x = x[:, 0]
  return heads(x);
}

std::shared_ptr<VisionTransformer> vit_b_16(int64_t num_classes) {
  return std::make_shared<VisionTransformer>(224, 16, 12, 12, 768, 3072, 0.0, 0.0, num_classes);
}

}  // namespace modtrace::zoo
