// Sequential, ModuleList and ModuleDict.

#include "helpers.hpp"

using namespace modtrace;

namespace {
struct AddOne : Module {
 protected:
  Tensor forward(const Tensor& x) override { return x + 1; }
};
struct Double : Module {
 protected:
  Tensor forward(const Tensor& x) override { return x * 2; }
};
struct Pair : Module {
 protected:
  Tensors forward_many(const Tensors& in) override { return {in[0], in[0] * 3}; }
};
// Sums a tuple it is given as its one argument.
struct SumTuple : Module {
 protected:
  Tensor forward(const Tensor& x) override { return x; }
  Tensors forward_tuple(const Tensors& xs) override { return {xs.at(0) + xs.at(1)}; }
};
// A model whose Sequential member fails: the error names the line that called the Sequential.
struct Holder : Module {
  Sequential& body = register_module("body", std::make_shared<Sequential>(std::vector<std::shared_ptr<Module>>{
                                                 std::make_shared<AddOne>(), std::make_shared<Linear>(3, 3)}));
  static constexpr int forward_line = __LINE__ + 3;

 protected:
  Tensor forward(const Tensor& x) override { return body(x); }
};
}  // namespace

TEST_CASE("Sequential names children by index and calls them in order") {
  Sequential seq({std::make_shared<AddOne>(), std::make_shared<Double>()});
  CHECK(seq.named_children()[0].first == "0");
  CHECK(seq.named_children()[1].first == "1");
  CHECK(seq(Tensor::ones({1})).item() == 4.0f);  // (1 + 1) * 2, not 1 * 2 + 1
}

TEST_CASE("Sequential can be built with names, as from an OrderedDict") {
  Sequential seq({{"conv0", std::make_shared<AddOne>()}, {"relu0", std::make_shared<ReLU>()}});
  CHECK(seq.named_children()[1].first == "relu0");
  CHECK(seq.size() == 2);
}

TEST_CASE("Sequential of existing modules shares them, as nn.Sequential(*children) does") {
  auto shared = std::make_shared<Linear>(2, 2);
  Sequential seq({shared});
  CHECK(&seq[0] == shared.get());
  shared->weight.copy_(Tensor::zeros({2, 2}));
  CHECK(seq.state_dict()[0].second.at({0, 0}) == 0.0f);
}

TEST_CASE("an empty Sequential returns its input") {
  Sequential seq;
  CHECK(seq(Tensor::full({1}, 5)).item() == 5.0f);
}

TEST_CASE("push_back and emplace_back append under the next index") {
  Sequential seq;
  seq.emplace_back<AddOne>();
  seq.push_back(std::make_shared<Double>());
  CHECK(seq.named_children()[1].first == "1");
  CHECK(seq(Tensor::zeros({1})).item() == 2.0f);
}

TEST_CASE("a tuple output reaches the next child as one tuple, which a one-tensor child rejects as PyTorch does") {
  Sequential seq({std::make_shared<Pair>(), std::make_shared<AddOne>()});
  CHECK(test::error_of([&] { seq(Tensor::ones({1})); }) ==
        "in module '1' (AddOne): AddOne.forward(): argument 'input' (position 1) must be Tensor, not tuple");
}

TEST_CASE("a tuple travels whole, through a nested Sequential, to a child that takes a tuple") {
  auto inner = std::make_shared<Sequential>(std::vector<std::shared_ptr<Module>>{std::make_shared<SumTuple>()});
  Sequential seq({std::make_shared<Pair>(), inner});
  CHECK(seq(Tensor::ones({1})).item() == 4.0f);  // 1 + 1 * 3
  // The last child's tuple is the Sequential's result.
  Sequential ends_in_tuple({std::make_shared<AddOne>(), std::make_shared<Pair>()});
  CHECK(ends_in_tuple.call({Tensor::ones({1})}).size() == 2);
}

TEST_CASE("Sequential takes exactly one argument and raises PyTorch's TypeError otherwise, before any child runs") {
  Sequential seq({std::make_shared<AddOne>()});
  CHECK(test::error_of([&] { seq.call({Tensor::ones({1}), Tensor::ones({1})}); }) ==
        "in the root module (Sequential): Sequential.forward() takes 2 positional arguments but 3 were given");
  CHECK(test::error_of([&] { seq.call({}); }) ==
        "in the root module (Sequential): Sequential.forward() missing 1 required positional argument: 'input'");
}

TEST_CASE("a Sequential holding one module twice runs it twice, as PyTorch's does") {
  auto add = std::make_shared<AddOne>();
  Sequential seq({add, add});
  CHECK(seq.size() == 2);
  CHECK(seq.named_children().size() == 1);  // named_children() lists the instance once
  CHECK(seq(Tensor::zeros({1})).item() == 2.0f);
}

TEST_CASE("an error in a Sequential's member names the line that called the Sequential") {
  Holder holder;
  CHECK(test::error_of([&] { holder(Tensor::ones({1, 2})); }) ==
        "in module 'body.1' (Linear), called at tests/test_containers.cpp:" + std::to_string(Holder::forward_line) +
            ": linear: input's last dimension is 2, expected 3 = in_features of the weight (got input [1, 2], "
            "weight [3, 3], bias [3])");
}

TEST_CASE("indexing past the end is an error") {
  Sequential seq({std::make_shared<AddOne>()});
  CHECK(test::error_of([&] { seq[3]; }) == "Sequential: index 3 is out of range for 1 modules");
}

TEST_CASE("a ModuleList holds modules but cannot be called, like PyTorch's") {
  ModuleList list({std::make_shared<AddOne>(), std::make_shared<Double>()});
  CHECK(list.size() == 2);
  CHECK(list.named_children()[1].first == "1");
  CHECK(list.at<Double>(1).type_name() == "Double");
  CHECK(test::error_of([&] { list.at<Double>(0); }) == "module '0' is a AddOne, not the type requested");
  CHECK(test::error_of([&] { list(Tensor::ones({1})); }) ==
        "in the root module (ModuleList): Module [ModuleList] is missing the required \"forward\" function");
}

TEST_CASE("a ModuleList inside a Sequential fails at that child") {
  Sequential seq({std::make_shared<AddOne>(), std::make_shared<ModuleList>()});
  CHECK(test::error_of([&] { seq(Tensor::ones({1})); }) ==
        "in module '1' (ModuleList): Module [ModuleList] is missing the required \"forward\" function");
}

TEST_CASE("a ModuleDict keeps insertion order and looks modules up by name") {
  ModuleDict dict({{"b", std::make_shared<AddOne>()}, {"a", std::make_shared<Double>()}});
  CHECK(dict.keys() == std::vector<std::string>{"b", "a"});
  CHECK(dict.contains("a"));
  CHECK(dict.at<Double>("a").type_name() == "Double");
  CHECK(test::error_of([&] { dict["c"]; }) == "ModuleDict has no key 'c'");
}
