#include <functional>

#include "modtrace/zoo.hpp"
#include "modtrace/zoo/resnet.hpp"

namespace modtrace::zoo {
namespace {

struct Entry {
  ModelInfo info;
  std::function<std::shared_ptr<Module>()> build;
};

const std::vector<Entry>& entries() {
  static const std::vector<Entry> all = {
      {{"seed_main_model", "block_1(block_0(x) * 3 + 3): functional ops between two children", {2, 2},
        InputKind::ones},
       [] { return std::make_shared<MainModel>(); }},
      {{"resnet18", "ResNet-18: BasicBlocks with residual adds, torch.flatten before fc", {1, 3, 224, 224}},
       [] { return resnet18(); }},
      {{"resnet50", "ResNet-50: Bottleneck blocks with residual adds, torch.flatten before fc", {1, 3, 224, 224}},
       [] { return resnet50(); }},
  };
  return all;
}

const Entry& entry(std::string_view name) {
  for (const auto& e : entries()) {
    if (e.info.name == name) return e;
  }
  std::string known;
  for (const auto& e : entries()) known += (known.empty() ? "" : ", ") + e.info.name;
  throw Error("unknown model '" + std::string(name) + "'; the zoo has: " + known);
}

}  // namespace

const std::vector<ModelInfo>& models() {
  static const std::vector<ModelInfo> all = [] {
    std::vector<ModelInfo> v;
    for (const auto& e : entries()) v.push_back(e.info);
    return v;
  }();
  return all;
}

std::vector<std::string> names() {
  std::vector<std::string> out;
  for (const auto& m : models()) out.push_back(m.name);
  return out;
}

const ModelInfo& info(std::string_view name) { return entry(name).info; }

std::shared_ptr<Module> create(std::string_view name) {
  auto model = entry(name).build();
  model->eval();
  return model;
}

Tensor make_input(InputKind kind, const Shape& shape) {
  switch (kind) {
    case InputKind::ones: return Tensor::ones(shape);
    case InputKind::zeros: return Tensor::zeros(shape);
    case InputKind::deterministic: return Tensor::deterministic(shape, "input");
  }
  throw Error("unknown input kind");
}

Tensor default_input(std::string_view name) {
  const ModelInfo& m = info(name);
  return make_input(m.input, m.input_shape);
}

InputKind parse_input_kind(std::string_view text) {
  if (text == "ones") return InputKind::ones;
  if (text == "zeros") return InputKind::zeros;
  if (text == "deterministic") return InputKind::deterministic;
  throw Error("unknown input '" + std::string(text) + "'; expected ones, zeros or deterministic");
}

}  // namespace modtrace::zoo
