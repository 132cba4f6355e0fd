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
  Tensors forward_many(const Tensors& in) override { return {in[0], in[0]}; }
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

TEST_CASE("a tuple output feeds the next child as several inputs, which a one-input child rejects") {
  Sequential seq({std::make_shared<Pair>(), std::make_shared<AddOne>()});
  CHECK(test::error_of([&] { seq(Tensor::ones({1})); }) ==
        "in module '1' (AddOne): AddOne.forward takes 1 input (input), got 2");
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
