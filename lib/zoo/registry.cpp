#include <algorithm>
#include <functional>
#include <mutex>

#include "modtrace/zoo.hpp"
#include "modtrace/zoo/convnext.hpp"
#include "modtrace/zoo/densenet.hpp"
#include "modtrace/zoo/googlenet.hpp"
#include "modtrace/zoo/mobilenet.hpp"
#include "modtrace/zoo/resnet.hpp"
#include "modtrace/zoo/squeezenet.hpp"
#include "modtrace/zoo/vgg.hpp"
#include "modtrace/zoo/vit.hpp"

namespace modtrace::zoo {
namespace {

struct Entry {
  ModelInfo info;
  std::function<std::shared_ptr<Module>()> build;
};

std::mutex& registry_mutex() {
  static std::mutex m;
  return m;
}

// Built-in models first; plugins append. Guarded by registry_mutex().
std::vector<Entry>& entries() {
  static std::vector<Entry> all = {
      {{"seed_main_model", "block_1(block_0(x) * 3 + 3): functional ops between two children", {{2, 2}},
        InputKind::ones},
       [] { return std::make_shared<MainModel>(); }},
      {{"resnet18", "ResNet-18: BasicBlocks with residual adds, torch.flatten before fc", {{1, 3, 224, 224}}},
       [] { return resnet18(); }},
      {{"resnet50", "ResNet-50: Bottleneck blocks with residual adds, torch.flatten before fc", {{1, 3, 224, 224}}},
       [] { return resnet50(); }},
      {{"convnext_tiny", "ConvNeXt-tiny: the root only calls its children (equivalent)", {{1, 3, 224, 224}}},
       [] { return convnext_tiny(); }},
      {{"mobilenet_v2", "MobileNetV2: F.adaptive_avg_pool2d and flatten in the root", {{1, 3, 224, 224}}},
       [] { return mobilenet_v2(); }},
      {{"vgg11", "VGG-11: torch.flatten between avgpool and classifier", {{1, 3, 224, 224}}}, [] { return vgg11(); }},
      {{"densenet121", "DenseNet-121: F.relu, adaptive_avg_pool2d and flatten in the root", {{1, 3, 224, 224}}},
       [] { return densenet121(); }},
      {{"squeezenet1_0", "SqueezeNet 1.0: the root flattens the classifier's output", {{1, 3, 224, 224}}},
       [] { return squeezenet1_0(); }},
      {{"googlenet", "GoogLeNet: aux1/aux2 registered but not called in eval, flatten in the root",
        {{1, 3, 224, 224}}},
       [] { return googlenet(); }},
      {{"vit_b_16", "ViT-B/16: reshape, permute, class token and x[:, 0] in the root", {{1, 3, 224, 224}}},
       [] { return vit_b_16(); }},
  };
  return all;
}

Entry entry(std::string_view name) {
  std::lock_guard lock(registry_mutex());
  for (const auto& e : entries()) {
    if (e.info.name == name) return e;
  }
  std::string known;
  for (const auto& e : entries()) known += (known.empty() ? "" : ", ") + e.info.name;
  throw Error("unknown model '" + std::string(name) + "'; the zoo has: " + known);
}

}  // namespace

std::vector<ModelInfo> models() {
  std::lock_guard lock(registry_mutex());
  std::vector<ModelInfo> out;
  for (const auto& e : entries()) out.push_back(e.info);
  return out;
}

std::vector<std::string> names() {
  std::vector<std::string> out;
  for (const auto& m : models()) out.push_back(m.name);
  return out;
}

ModelInfo info(std::string_view name) { return entry(name).info; }

bool contains(std::string_view name) {
  std::lock_guard lock(registry_mutex());
  return std::any_of(entries().begin(), entries().end(), [&](const Entry& e) { return e.info.name == name; });
}

void register_model(ModelInfo model, std::function<std::shared_ptr<Module>()> build) {
  if (model.name.empty()) throw Error("cannot register a model without a name");
  if (!build) throw Error("cannot register model '" + model.name + "' without a way to build it");
  if (model.input_shapes.empty()) throw Error("cannot register model '" + model.name + "' without an input shape");
  for (const Shape& shape : model.input_shapes) numel_of(shape);  // a negative or overflowing shape is refused here
  std::lock_guard lock(registry_mutex());
  for (const auto& e : entries()) {
    if (e.info.name == model.name) throw Error("a model named '" + model.name + "' is already in the zoo");
  }
  entries().push_back({std::move(model), std::move(build)});
}

std::shared_ptr<Module> create(std::string_view name) {
  auto model = entry(name).build();
  if (!model) throw Error("model '" + std::string(name) + "' could not be built");
  model->eval();
  return model;
}

Tensor make_input(InputKind kind, const Shape& shape, size_t index) {
  switch (kind) {
    case InputKind::ones: return Tensor::ones(shape);
    case InputKind::zeros: return Tensor::zeros(shape);
    case InputKind::deterministic:
      return Tensor::deterministic(shape, index == 0 ? std::string("input") : "input." + std::to_string(index));
  }
  throw Error("unknown input kind");
}

Tensors make_inputs(InputKind kind, const std::vector<Shape>& shapes) {
  Tensors out;
  for (size_t i = 0; i < shapes.size(); ++i) out.push_back(make_input(kind, shapes[i], i));
  return out;
}

Tensors default_inputs(std::string_view name) {
  const ModelInfo m = info(name);
  return make_inputs(m.input, m.input_shapes);
}

Tensor default_input(std::string_view name) {
  const ModelInfo m = info(name);
  if (m.input_shapes.size() != 1) {
    throw Error("model '" + m.name + "' takes " + std::to_string(m.input_shapes.size()) +
                " inputs; use default_inputs");
  }
  return make_input(m.input, m.input_shapes[0]);
}

InputKind parse_input_kind(std::string_view text) {
  if (text == "ones") return InputKind::ones;
  if (text == "zeros") return InputKind::zeros;
  if (text == "deterministic") return InputKind::deterministic;
  throw Error("unknown input '" + std::string(text) + "'; expected ones, zeros or deterministic");
}

}  // namespace modtrace::zoo
