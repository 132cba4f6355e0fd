#pragma once
// GoogLeNet as torchvision 0.14 builds it with aux_logits=True,
// init_weights=False (transform_input=False): the auxiliary heads aux1 and
// aux2 are registered between inception5b and avgpool but only called in
// training mode; Inception concatenates its branches itself; GoogLeNet's
// forward flattens before dropout and fc.

#include "modtrace/containers.hpp"
#include "modtrace/layers.hpp"
#include "modtrace/export.hpp"

MODTRACE_PUBLIC_BEGIN
namespace modtrace::zoo {

class BasicConv2d : public Module {
 public:
  BasicConv2d(int64_t in_channels, int64_t out_channels, Size2 kernel_size, Size2 stride = 1, Size2 padding = 0);
  Conv2d& conv;
  BatchNorm2d& bn;

 protected:
  Tensor forward(const Tensor& x) override;
};

class Inception : public Module {
 public:
  Inception(int64_t in_channels, int64_t ch1x1, int64_t ch3x3red, int64_t ch3x3, int64_t ch5x5red, int64_t ch5x5,
            int64_t pool_proj);
  BasicConv2d& branch1;
  Sequential& branch2;
  Sequential& branch3;
  Sequential& branch4;

 protected:
  Tensor forward(const Tensor& x) override;
};

class InceptionAux : public Module {
 public:
  InceptionAux(int64_t in_channels, int64_t num_classes, double dropout = 0.7);
  BasicConv2d& conv;
  Linear& fc1;
  Linear& fc2;
  Dropout& dropout;

 protected:
  Tensor forward(const Tensor& x) override;
};

class GoogLeNet : public Module {
 public:
  explicit GoogLeNet(int64_t num_classes = 1000, bool aux_logits = true, double dropout = 0.2,
                     double dropout_aux = 0.7);
  BasicConv2d& conv1;
  MaxPool2d& maxpool1;
  BasicConv2d& conv2;
  BasicConv2d& conv3;
  MaxPool2d& maxpool2;
  Inception& inception3a;
  Inception& inception3b;
  MaxPool2d& maxpool3;
  Inception& inception4a;
  Inception& inception4b;
  Inception& inception4c;
  Inception& inception4d;
  Inception& inception4e;
  MaxPool2d& maxpool4;
  Inception& inception5a;
  Inception& inception5b;
  InceptionAux* aux1;  // null without aux_logits
  InceptionAux* aux2;
  AdaptiveAvgPool2d& avgpool;
  Dropout& dropout;
  Linear& fc;

 protected:
  // In training mode with aux heads: {logits, aux2, aux1} (torchvision's
  // GoogLeNetOutputs); otherwise {logits}.
  Tensors forward_many(const Tensors& inputs) override;
};

// torchvision.models.googlenet(aux_logits=True, init_weights=False)
std::shared_ptr<GoogLeNet> googlenet(int64_t num_classes = 1000);

}  // namespace modtrace::zoo
MODTRACE_PUBLIC_END
