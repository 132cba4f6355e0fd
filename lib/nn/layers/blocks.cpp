#include "modtrace/blocks.hpp"

#include <cstdio>

#include "modtrace/functional.hpp"
#include "modtrace/python.hpp"

namespace modtrace {

std::shared_ptr<Module> make_activation(Activation activation, bool inplace) {
  switch (activation) {
    case Activation::none: return nullptr;
    case Activation::relu: return make<ReLU>(inplace);
    case Activation::relu6: return make<ReLU6>(inplace);
    case Activation::hardswish: return make<Hardswish>(inplace);
    case Activation::silu: return make<SiLU>(inplace);
    case Activation::gelu: return make<GELU>();
  }
  return nullptr;
}

Conv2dNormActivation::Conv2dNormActivation(int64_t in, int64_t out, Size2 k, const Conv2dNormActivationOptions& o)
    : out_channels(out) {
  const Size2 padding = o.padding.value_or(Size2{(k.h - 1) / 2 * o.dilation.h, (k.w - 1) / 2 * o.dilation.w});
  const bool bias = o.bias.value_or(o.norm == Norm::none);
  push_back(make<Conv2d>(in, out, k,
                         Conv2dOptions{.stride = o.stride, .padding = padding, .dilation = o.dilation,
                                       .groups = o.groups, .bias = bias}));
  if (o.norm == Norm::batch_norm) push_back(make<BatchNorm2d>(out, BatchNormOptions{.eps = o.norm_eps}));
  if (o.norm == Norm::layer_norm_2d) push_back(make<LayerNorm2d>(out, o.norm_eps));
  if (auto act = make_activation(o.activation)) push_back(act);
}

Tensor LayerNorm2d::forward(const Tensor& x) {
  Tensor y = x.permute({0, 2, 3, 1});
  y = F::layer_norm(y, normalized_shape, weight, bias, eps);
  return y.permute({0, 3, 1, 2});
}

Tensor Permute::forward(const Tensor& x) { return F::permute(x, dims); }

StochasticDepth::StochasticDepth(double prob, std::string m) : p(prob), mode(std::move(m)) {
  if (!(p >= 0.0 && p <= 1.0)) {
    throw Error("StochasticDepth: drop probability has to be between 0 and 1, but got " + std::to_string(p));
  }
  if (mode != "row" && mode != "batch") {
    throw Error("StochasticDepth: mode has to be either 'batch' or 'row', but got '" + mode + "'");
  }
}

std::string StochasticDepth::extra_repr() const { return "p=" + python_repr(p) + ", mode=" + mode; }

Tensor StochasticDepth::forward(const Tensor& x) { return F::stochastic_depth(x, p, mode, is_training()); }

MLP::MLP(int64_t in, const std::vector<int64_t>& hidden, Activation activation, double dropout, bool inplace) {
  if (hidden.empty()) throw Error("MLP: hidden_channels must not be empty");
  int64_t in_dim = in;
  for (size_t i = 0; i + 1 < hidden.size(); ++i) {
    push_back(make<Linear>(in_dim, hidden[i]));
    push_back(make_activation(activation, inplace));
    push_back(make<Dropout>(dropout, inplace));
    in_dim = hidden[i];
  }
  push_back(make<Linear>(in_dim, hidden.back()));
  push_back(make<Dropout>(dropout, inplace));
}

// ---- SqueezeExcitation ----

SqueezeExcitation::SqueezeExcitation(int64_t in, int64_t squeeze, std::shared_ptr<Module> act,
                                     std::shared_ptr<Module> scale_act)
    : avgpool(register_module<AdaptiveAvgPool2d>("avgpool", 1)),
      fc1(register_module<Conv2d>("fc1", in, squeeze, 1)),
      fc2(register_module<Conv2d>("fc2", squeeze, in, 1)),
      activation(register_module("activation", act ? std::move(act) : std::static_pointer_cast<Module>(make<ReLU>()))),
      scale_activation(register_module("scale_activation",
                                       scale_act ? std::move(scale_act) : std::static_pointer_cast<Module>(make<Sigmoid>()))) {}

Tensor SqueezeExcitation::scale(const Tensor& x) {
  Tensor s = avgpool(x);
  s = fc1(s);
  s = activation(s);
  s = fc2(s);
  return scale_activation(s);
}

Tensor SqueezeExcitation::forward(const Tensor& x) {
  const Tensor s = scale(x);
  return s * x;  // torchvision: scale * input, in the block's own code
}

// ---- FrozenBatchNorm2d ----

FrozenBatchNorm2d::FrozenBatchNorm2d(int64_t n, double e)
    : num_features(n),
      eps(e),
      weight(register_buffer("weight", Tensor::ones({n}))),
      bias(register_buffer("bias", Tensor::zeros({n}))),
      running_mean(register_buffer("running_mean", Tensor::zeros({n}))),
      running_var(register_buffer("running_var", Tensor::ones({n}))) {}

std::string FrozenBatchNorm2d::extra_repr() const { return std::to_string(num_features) + ", eps=" + python_repr(eps); }

Tensor FrozenBatchNorm2d::forward(const Tensor& x) {
  // torchvision: move reshapes to the beginning to make it fuser-friendly.
  const Tensor w = weight.reshape({1, -1, 1, 1});
  const Tensor b = bias.reshape({1, -1, 1, 1});
  const Tensor rv = running_var.reshape({1, -1, 1, 1});
  const Tensor rm = running_mean.reshape({1, -1, 1, 1});
  const Tensor scale = w * F::rsqrt(rv + eps);
  const Tensor shift = b - rm * scale;
  return x * scale + shift;
}

}  // namespace modtrace
