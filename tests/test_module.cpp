// Module: registration order, traversal, calling, arity, errors with module
// paths, train/eval and printing.

#include "helpers.hpp"

using namespace modtrace;

namespace {

struct Leaf : Module {
  Tensor& scale = register_parameter("scale", Tensor::full({1}, 2.0f));
  Tensor& count = register_buffer("count", Tensor::zeros({1}));

 protected:
  Tensor forward(const Tensor& x) override { return x * scale; }
};

struct Block : Module {
  Leaf& first = register_module("first", std::make_shared<Leaf>());
  Linear& proj = register_module<Linear>("proj", 2, 3);
  static constexpr int forward_line = __LINE__ + 3;  // where proj is called

 protected:
  Tensor forward(const Tensor& x) override { return proj(first(x)); }
};

struct Net : Module {
  Block& body = register_module("body", std::make_shared<Block>());
  Leaf& head = register_module("head", std::make_shared<Leaf>());

 protected:
  Tensor forward(const Tensor& x) override { return head(body(x)); }
};

// Returns two tensors: a block with a tuple output.
struct Split : Module {
 protected:
  Tensors forward_many(const Tensors& inputs) override { return {inputs[0] + 1, inputs[0] - 1}; }
};

// Takes three tensors, like attention's query, key and value.
struct ThreeInputs : Module {
  std::span<const std::string_view> forward_signature() const override {
    static constexpr std::string_view names[] = {"query", "key", "value"};
    return names;
  }

 protected:
  Tensors forward_many(const Tensors& inputs) override { return {inputs[0] + inputs[1] + inputs[2]}; }
};

// Takes any number of tensors (Python's *tensors).
struct SumAll : Module {
  std::span<const std::string_view> forward_signature() const override {
    static constexpr std::string_view names[] = {"*tensors"};
    return names;
  }

 protected:
  Tensors forward_many(const Tensors& inputs) override {
    Tensor sum = Tensor::zeros({1});
    for (const Tensor& t : inputs) sum = sum + t;
    return {sum};
  }
};

struct NoForward : Module {};

}  // namespace

TEST_CASE("children are named and ordered as they were registered") {
  Net net;
  const auto& children = net.named_children();
  REQUIRE(children.size() == 2);
  CHECK(children[0].first == "body");
  CHECK(children[1].first == "head");
  CHECK(net.children()[0].get() == &net.body);
}

TEST_CASE("named_modules walks the tree in pre-order with dotted paths") {
  Net net;
  std::vector<std::string> paths;
  for (const auto& [path, module] : net.named_modules()) paths.push_back(path + ":" + module->type_name());
  CHECK(paths == std::vector<std::string>{":Net", "body:Block", "body.first:Leaf", "body.proj:Linear", "head:Leaf"});
}

TEST_CASE("a module registered under two names is one child, as PyTorch's memo makes it") {
  struct Shared : Module {
    std::shared_ptr<Leaf> leaf = std::make_shared<Leaf>();
    Leaf& a = register_module("a", leaf);
    Linear& mid = register_module<Linear>("mid", 1, 1);
    Leaf& b = register_module("b", leaf);
  } shared;
  std::vector<std::string> names;
  for (const auto& [name, child] : shared.named_children()) names.push_back(name);
  CHECK(names == std::vector<std::string>{"a", "mid"});  // b is a again: listed once, under its first name
  CHECK(shared.children().size() == 2);
  CHECK(shared.registered_children().size() == 3);  // PyTorch's _modules keeps every name
  CHECK(shared.named_modules().size() == 3);
  CHECK(shared.named_parameters().size() == 3);  // a.scale, mid.weight, mid.bias
  CHECK(shared.state_dict().size() == 6);        // like torch: a.scale, a.count, mid.…, b.scale, b.count
  CHECK(shared.repr() ==
        "Shared(\n  (a): Leaf()\n  (mid): Linear(in_features=1, out_features=1, bias=True)\n  (b): Leaf()\n)");
  CHECK(&shared.get_submodule("b") == &shared.a);
}

TEST_CASE("get_submodule follows a dotted path and names what is missing") {
  Net net;
  CHECK(&net.get_submodule("body.proj") == &net.body.proj);
  CHECK(&net.get_submodule("") == &net);
  CHECK(test::error_of([&] { net.get_submodule("body.second"); }) ==
        "'body' (Block) has no child 'second'; its children are: first, proj");
  for (const char* bad : {"body.", ".body", "body..proj"}) {
    CHECK(test::error_of([&] { net.get_submodule(bad); }) ==
          "'" + std::string(bad) + "' is not a module path: it has an empty part (a path is names joined by '.', e.g. "
          "layer1.0.conv1)");
  }
}

TEST_CASE("submodule_ptr gives the instance the parent holds, to put into a container") {
  Net net;
  const std::shared_ptr<Module> proj = net.submodule_ptr("body.proj");
  CHECK(proj.get() == &net.body.proj);
  CHECK(net.submodule_ptr("head").get() == &net.head);
  Sequential chain({net.submodule_ptr("body"), net.submodule_ptr("head")});
  const Tensor x = Tensor::ones({1, 2});
  CHECK(equal(chain(x), net(x)));
  CHECK(test::error_of([&] { net.submodule_ptr("body.second"); }) ==
        "'body' (Block) has no child 'second'; its children are: first, proj");
  CHECK(test::error_of([&] { net.submodule_ptr(""); }) ==
        "submodule_ptr: give a child's path; a module does not hold itself");
}

TEST_CASE("get_parameter and get_buffer take state_dict keys and share the module's storage") {
  Net net;
  Tensor scale = net.get_parameter("body.first.scale");
  CHECK(scale.item() == 2.0f);
  scale.data()[0] = 5.0f;
  CHECK(net.body.first.scale.item() == 5.0f);  // the same storage
  CHECK(net.get_buffer("head.count").item() == 0.0f);
  CHECK(net.get_parameter("body.proj.weight").shape() == Shape{3, 2});
  CHECK(test::error_of([&] { net.get_parameter("head.count"); }) ==
        "Leaf has no parameter 'count'; its own parameters are: scale");
  CHECK(test::error_of([&] { net.get_buffer("body.proj.weight"); }) ==
        "Linear has no buffer 'weight'; its own buffers are: none");
  CHECK(test::error_of([&] { net.get_parameter("tail.scale"); }) ==
        "Net has no child 'tail'; its children are: body, head");
}

TEST_CASE("Lambda wraps a function as a module, printed with its text") {
  Sequential chain({make<Linear>(2, 2), make<Lambda>([](const Tensor& x) { return x * 3; }, "x * 3")});
  const Tensor x = Tensor::ones({1, 2});
  CHECK(equal(chain(x), chain[0](x) * 3));
  CHECK(chain.repr().find("(1): Lambda(x * 3)") != std::string::npos);
}

TEST_CASE("registering the same name twice, or a dotted name, is an error") {
  struct Bad : Module {
    void twice() { register_parameter("w", Tensor::ones({1})), register_buffer("w", Tensor::ones({1})); }
    void dotted() { register_module("a.b", std::make_shared<Leaf>()); }
  } bad;
  CHECK(test::error_of([&] { bad.twice(); }) == "Bad: cannot register buffer 'w': the name is already used");
  CHECK(test::error_of([&] { bad.dotted(); }) == "Bad: module name 'a.b' must be non-empty and contain no '.'");
}

TEST_CASE("calling a module runs its forward on the children it calls") {
  Net net;
  net.body.proj.weight.copy_(Tensor::ones({3, 2}));
  net.body.proj.bias.copy_(Tensor::zeros({3}));
  const Tensor y = net(Tensor({1, 2}, {1, 2}));
  CHECK(y.to_vector() == std::vector<float>{12, 12, 12});  // (1*2 + 2*2) * 2
}

TEST_CASE("modules take and return several tensors through call()") {
  ThreeInputs attention;
  CHECK(attention.call({Tensor::ones({1}), Tensor::ones({1}), Tensor::ones({1})})[0].item() == 3.0f);
  Split split;
  const Tensors parts = split.call({Tensor::ones({1})});
  REQUIRE(parts.size() == 2);
  CHECK(parts[1].item() == 0.0f);
}

TEST_CASE("calling with the wrong number of inputs raises PyTorch's TypeError text") {
  ThreeInputs attention;
  CHECK(test::error_of([&] { attention(Tensor::ones({1})); }) ==
        "in the root module (ThreeInputs): ThreeInputs.forward() missing 2 required positional arguments: 'key' "
        "and 'value'");
  CHECK(test::error_of([&] { attention.call({}); }) ==
        "in the root module (ThreeInputs): ThreeInputs.forward() missing 3 required positional arguments: 'query', "
        "'key', and 'value'");
  Leaf leaf;
  CHECK(test::error_of([&] { leaf.call({Tensor::ones({1}), Tensor::ones({1})}); }) ==
        "in the root module (Leaf): Leaf.forward() takes 2 positional arguments but 3 were given");
  CHECK(test::error_of([&] { leaf.call({}); }) ==
        "in the root module (Leaf): Leaf.forward() missing 1 required positional argument: 'input'");
}

TEST_CASE("a module with a *tensors signature takes any number") {
  SumAll sum;
  CHECK(sum.call({})[0].item() == 0.0f);
  CHECK(sum.call({Tensor::ones({1}), Tensor::ones({1}), Tensor::ones({1})})[0].item() == 3.0f);
}

TEST_CASE("a tuple as the one argument: only a module that accepts a tuple takes it") {
  Leaf leaf;
  CHECK(test::error_of([&] { leaf.call_with_tuple({Tensor::ones({1}), Tensor::ones({1})}); }) ==
        "in the root module (Leaf): Leaf.forward(): argument 'input' (position 1) must be Tensor, not tuple");
  ThreeInputs attention;
  CHECK(test::error_of([&] { attention.call_with_tuple({Tensor::ones({1}), Tensor::ones({1})}); }) ==
        "in the root module (ThreeInputs): ThreeInputs.forward() missing 2 required positional arguments: 'key' "
        "and 'value'");
}

TEST_CASE("a tuple output through the one-tensor call operator is an error") {
  Split split;
  CHECK(test::error_of([&] { split(Tensor::ones({1})); }) == "Split returned 2 tensors; use call() to receive all of them");
}

TEST_CASE("a module without forward fails with PyTorch's message") {
  NoForward m;
  CHECK(test::error_of([&] { m(Tensor::ones({1})); }) ==
        "in the root module (NoForward): Module [NoForward] is missing the required \"forward\" function");
}

TEST_CASE("an error inside a nested module names the module path and type") {
  Net net;
  const std::string message = test::error_of([&] { net(Tensor::ones({1, 5})); });
  const std::string site = "tests/test_module.cpp:" + std::to_string(Block::forward_line);
  CHECK(message == "in module 'body.proj' (Linear), called at " + site +
                       ": linear: input's last dimension is 5, expected 2 = in_features of the weight "
                       "(got input [1, 5], weight [3, 2], bias [3])");
  try {
    net(Tensor::ones({1, 5}));
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.module_path() == "body.proj");
    CHECK(e.module_type() == "Linear");
    CHECK(e.called_at() == site);
    CHECK(e.source().rfind("lib/nn/layers/linear_conv.cpp:", 0) == 0);  // the op that raised it
    CHECK(e.message().rfind("linear: ", 0) == 0);
  }
}

TEST_CASE("after an error the call stack is empty again") {
  Net net;
  CHECK_THROWS_AS(net(Tensor::ones({1, 5})), Error);
  CHECK(detail::module_call_stack().empty());
}

TEST_CASE("train and eval set the mode of the whole tree") {
  Net net;
  CHECK(net.body.first.is_training());
  net.eval();
  CHECK_FALSE(net.is_training());
  CHECK_FALSE(net.body.first.is_training());
  net.train();
  CHECK(net.head.is_training());
}

TEST_CASE("parameters are counted once each") {
  Net net;
  CHECK(net.parameter_count() == 1 + (3 * 2 + 3) + 1);
  CHECK(net.parameters().size() == 4);
}

TEST_CASE("repr prints the tree as PyTorch does") {
  Net net;
  CHECK(net.repr() ==
        "Net(\n"
        "  (body): Block(\n"
        "    (first): Leaf()\n"
        "    (proj): Linear(in_features=2, out_features=3, bias=True)\n"
        "  )\n"
        "  (head): Leaf()\n"
        ")");
}

TEST_CASE("an error in a ModuleList member called by the list's owner names it by its dotted path") {
  const int forward_line = __LINE__ + 7;
  struct Owner : Module {
    ModuleList& blocks = register_module(
        "blocks", std::make_shared<ModuleList>(std::vector<std::shared_ptr<Module>>{std::make_shared<Leaf>(),
                                                                                    std::make_shared<Linear>(3, 3)}));

   protected:
    Tensor forward(const Tensor& x) override { return blocks[1](blocks[0](x)); }
  } owner;
  CHECK(test::error_of([&] { owner(Tensor::ones({1, 2})); }) ==
        "in module 'blocks.1' (Linear), called at tests/test_module.cpp:" + std::to_string(forward_line) +
            ": linear: input's last dimension is 2, expected 3 = in_features of the weight "
            "(got input [1, 2], weight [3, 3], bias [3])");
}
