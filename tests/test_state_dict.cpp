// state_dict and load_state_dict: torchvision-style keys in PyTorch's order,
// strict checking, and nothing half-loaded on error.

#include "helpers.hpp"

using namespace modtrace;

namespace {

struct Net : Module {
  Conv2d& conv = register_module<Conv2d>("conv", 1, 2, 1, Conv2dOptions{.bias = false});
  BatchNorm2d& bn = register_module<BatchNorm2d>("bn", 2);
  Sequential& head = register_module("head", std::make_shared<Sequential>(std::vector<std::shared_ptr<Module>>{
                                                   std::make_shared<ReLU>(), std::make_shared<Linear>(2, 1)}));
};

std::vector<std::string> keys(const NamedTensors& state) {
  std::vector<std::string> out;
  for (const auto& [k, t] : state) out.push_back(k);
  return out;
}

NamedTensors filled(const NamedTensors& like, float value) {
  NamedTensors out;
  for (const auto& [k, t] : like) out.emplace_back(k, Tensor::full(t.shape(), value));
  return out;
}

}  // namespace

TEST_CASE("state_dict keys are dotted, parameters before buffers, module by module") {
  Net net;
  CHECK(keys(net.state_dict()) ==
        std::vector<std::string>{"conv.weight", "bn.weight", "bn.bias", "bn.running_mean", "bn.running_var",
                                 "bn.num_batches_tracked", "head.1.weight", "head.1.bias"});
  CHECK(keys(net.named_parameters()) ==
        std::vector<std::string>{"conv.weight", "bn.weight", "bn.bias", "head.1.weight", "head.1.bias"});
  CHECK(keys(net.named_buffers()) ==
        std::vector<std::string>{"bn.running_mean", "bn.running_var", "bn.num_batches_tracked"});
}

TEST_CASE("state_dict tensors share storage with the model") {
  Net net;
  net.state_dict()[0].second.copy_(Tensor::full({2, 1, 1, 1}, 4.0f));
  CHECK(net.conv.weight.at({1, 0, 0, 0}) == 4.0f);
}

TEST_CASE("load_state_dict copies every value into the existing tensors") {
  Net net;
  const Tensor weight_before = net.conv.weight;  // a handle to the same storage
  net.load_state_dict(filled(net.state_dict(), 0.5f));
  CHECK(net.head[1].state_dict()[0].second.at({0, 0}) == 0.5f);
  CHECK(weight_before.at({0, 0, 0, 0}) == 0.5f);
}

TEST_CASE("strict loading names missing and unexpected keys and loads nothing") {
  Net net;
  NamedTensors state = filled(net.state_dict(), 0.5f);
  state.erase(state.begin());                                    // drop conv.weight
  state.emplace_back("head.2.weight", Tensor::ones({1}));        // not in the model
  const Tensor bn_weight = net.bn.weight.clone();
  CHECK(test::error_of([&] { net.load_state_dict(state); }) ==
        "Error(s) in loading state_dict for Net:\n"
        "\tMissing key(s) in state_dict: \"conv.weight\"\n"
        "\tUnexpected key(s) in state_dict: \"head.2.weight\"");
  CHECK(equal(net.bn.weight, bn_weight));
}

TEST_CASE("non-strict loading reports missing and unexpected keys and loads the rest") {
  Net net;
  NamedTensors state = filled(net.state_dict(), 0.5f);
  state.erase(state.begin());
  state.emplace_back("extra", Tensor::ones({1}));
  const LoadResult result = net.load_state_dict(state, false);
  CHECK(result.missing_keys == std::vector<std::string>{"conv.weight"});
  CHECK(result.unexpected_keys == std::vector<std::string>{"extra"});
  CHECK(net.bn.weight.at({0}) == 0.5f);
}

TEST_CASE("a shape mismatch is an error even when not strict, and nothing is loaded") {
  Net net;
  NamedTensors state = filled(net.state_dict(), 0.5f);
  state[1].second = Tensor::ones({3});  // bn.weight should be [2]
  const Tensor conv_before = net.conv.weight.clone();
  CHECK(test::error_of([&] { net.load_state_dict(state, false); }) ==
        "Error(s) in loading state_dict for Net:\n"
        "\tsize mismatch for bn.weight: copying a tensor with shape [3], the shape in the current model is [2]");
  CHECK(equal(net.conv.weight, conv_before));
}

TEST_CASE("a key given twice is an error") {
  Net net;
  NamedTensors state = filled(net.state_dict(), 0.5f);
  state.push_back(state.front());
  CHECK(test::error_of([&] { net.load_state_dict(state); }) ==
        "Error(s) in loading state_dict for Net:\n\tduplicate key \"conv.weight\"");
}

TEST_CASE("a module registered under two names needs both keys, and the later name's value wins, as in PyTorch") {
  struct Shared : Module {
    std::shared_ptr<Linear> lin = make<Linear>(2, 2);
    Linear& enc = register_module("enc", lin);
    Linear& dec = register_module("dec", lin);
  } model;
  const NamedTensors state = model.state_dict();
  CHECK(test::error_of([&] { model.load_state_dict({state[0], state[1]}); }) ==
        "Error(s) in loading state_dict for Shared:\n\tMissing key(s) in state_dict: \"dec.weight\", \"dec.bias\"");
  // Given dec first, enc second: PyTorch loads enc then dec, so dec's value stays.
  model.load_state_dict({{"dec.weight", Tensor::full({2, 2}, 7)}, {"dec.bias", Tensor::zeros({2})},
                         {"enc.weight", Tensor::full({2, 2}, 5)}, {"enc.bias", Tensor::zeros({2})}});
  CHECK(model.enc.weight.at({0, 0}) == 7.0f);
}

TEST_CASE("a state dict with many wrong keys names a few and counts the rest") {
  auto model = zoo::create("resnet18");
  NamedTensors renamed;
  for (const auto& [key, t] : model->state_dict()) renamed.emplace_back("module." + key, t);
  const std::string message = test::error_of([&] { model->load_state_dict(renamed); });
  CHECK(message.find("Missing key(s) in state_dict: \"conv1.weight\", \"bn1.weight\", \"bn1.bias\", "
                     "\"bn1.running_mean\", \"bn1.running_var\", … and 117 more") != std::string::npos);
  CHECK(message.find("Unexpected key(s) in state_dict: \"module.conv1.weight\"") != std::string::npos);
  CHECK(message.size() < 600);
}
