// Forward hooks: seeing and replacing a module's arguments and results
// without a trace, in registration order, removable; their ops run inside
// the module's call. (Their values against PyTorch's: "Linear with forward
// hooks" in test_nn_layers.cpp.)

#include "helpers.hpp"

using namespace modtrace;

TEST_CASE("a forward hook captures an inner module's output without tracing") {
  auto model = zoo::create("resnet18");
  Tensor features;
  HookHandle handle = model->get_submodule("layer4").register_forward_hook(
      [&](Module&, const Tensors&, const Tensors& outputs) {
        features = outputs[0];
        return std::optional<Tensors>();
      });
  (*model)(Tensor::deterministic({1, 3, 64, 64}));
  CHECK(features.shape() == Shape{1, 512, 2, 2});
  handle.remove();
  features = Tensor();
  (*model)(Tensor::deterministic({1, 3, 64, 64}));
  CHECK_FALSE(features.defined());
}

TEST_CASE("pre-hooks replace the arguments, hooks the results, in registration order") {
  Identity id;
  std::vector<std::string> order;
  id.register_forward_pre_hook([&](Module&, const Tensors& in) {
    order.push_back("pre 1");
    return Tensors{in[0] + 1};
  });
  id.register_forward_pre_hook([&](Module&, const Tensors& in) {
    order.push_back("pre 2");
    return Tensors{in[0] * 10};
  });
  id.register_forward_hook([&](Module&, const Tensors& in, const Tensors& out) {
    order.push_back("post");
    CHECK(in[0].item() == 10.0f);  // the hook sees the arguments forward got
    return Tensors{out[0] - 3};
  });
  CHECK(id(Tensor::zeros({1})).item() == 7.0f);  // ((0 + 1) * 10) - 3
  CHECK(order == std::vector<std::string>{"pre 1", "pre 2", "post"});
}

TEST_CASE("a handle removes its hook once; removing again, or after the module is gone, does nothing") {
  HookHandle handle;
  {
    ReLU relu;
    int calls = 0;
    handle = relu.register_forward_hook([&](Module&, const Tensors&, const Tensors&) {
      ++calls;
      return std::optional<Tensors>();
    });
    relu(Tensor::ones({1}));
    handle.remove();
    handle.remove();
    relu(Tensor::ones({1}));
    CHECK(calls == 1);
    handle = relu.register_forward_hook([](Module&, const Tensors&, const Tensors&) { return std::optional<Tensors>(); });
  }
  handle.remove();  // the ReLU is gone
}

TEST_CASE("a hook may remove itself while it runs") {
  ReLU relu;
  HookHandle handle;
  int calls = 0;
  handle = relu.register_forward_hook([&](Module&, const Tensors&, const Tensors&) {
    ++calls;
    handle.remove();
    return std::optional<Tensors>();
  });
  relu(Tensor::ones({1}));
  relu(Tensor::ones({1}));
  CHECK(calls == 1);
}

TEST_CASE("a hook's ops run inside the module's call: module-owned in a trace") {
  struct Net : Module {
    Linear& fc = register_module<Linear>("fc", 2, 2);

   protected:
    Tensor forward(const Tensor& x) override { return fc(x); }
  } net;
  net.fc.register_forward_hook([](Module&, const Tensors&, const Tensors& out) { return Tensors{F::relu(out[0])}; });
  const Trace t = trace_module(net, {Tensor::ones({1, 2})});
  const auto ops = t.op_nodes();
  REQUIRE(ops.size() == 2);
  CHECK(t.graph()[ops[1]].op_name() == "relu");
  CHECK(t.ownership(ops[1]).child == "fc");
  CHECK(test::error_of([&] { net.register_forward_hook(nullptr); }) == "Net: a forward hook must be callable");
}
