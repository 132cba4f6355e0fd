// The seed example: MainModel gives 18 on ones(2, 2), its children-only
// Sequential gives 4 — the values PyTorch gave (reference/seed_main_model.json).

#include "helpers.hpp"

using namespace modtrace;

TEST_CASE("MainModel computes block_1(block_0(x) * 3 + 3) = 18 on ones") {
  zoo::MainModel model;
  const Tensor y = model(Tensor::ones({2, 2}));
  CHECK(y.str() == "tensor([[18., 18.],\n        [18., 18.]])");
}

TEST_CASE("SimpleBlock doubles its input through a helper") {
  zoo::SimpleBlock block;
  CHECK(block(Tensor::full({1}, 5)).item() == 10.0f);
  CHECK(block.functional_stuff(Tensor::full({1}, 5)).item() == 10.0f);
}

TEST_CASE("the model and its children-only Sequential match PyTorch's reference") {
  const nlohmann::json reference = test::read_reference("seed_main_model.json");
  const auto model = zoo::create("seed_main_model");
  const Tensor x = zoo::default_input("seed_main_model");
  CHECK(x.shape() == reference["input_shape"].get<Shape>());

  const Tensor y = (*model)(x);
  CHECK(y.shape() == reference["output_shape"].get<Shape>());
  CHECK(y.to_vector() == reference["output"].get<std::vector<float>>());

  std::vector<std::string> children;
  for (const auto& [name, child] : model->named_children()) children.push_back(name);
  CHECK(children == reference["children"].get<std::vector<std::string>>());

  Sequential sequential(model->children());
  const Tensor ys = sequential(x);
  CHECK(ys.to_vector() == reference["sequential"]["output_head"].get<std::vector<float>>());
  CHECK(equal(ys, y) == reference["sequential"]["equal"].get<bool>());
  CHECK(ys.str() == "tensor([[4., 4.],\n        [4., 4.]])");
}

TEST_CASE("the Sequential reuses the model's own block instances") {
  auto model = zoo::create("seed_main_model");
  Sequential sequential(model->children());
  auto& main = dynamic_cast<zoo::MainModel&>(*model);
  CHECK(&sequential[0] == &main.block_0);
  CHECK(&sequential[1] == &main.block_1);
}

TEST_CASE("the zoo names the seed model and rejects unknown names") {
  CHECK(zoo::names().front() == "seed_main_model");
  CHECK(zoo::info("seed_main_model").input == zoo::InputKind::ones);
  CHECK(test::error_of([] { zoo::create("resnet1000"); }).rfind("unknown model 'resnet1000'; the zoo has: ", 0) == 0);
}
