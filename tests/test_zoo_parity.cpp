// Zoo parity with torchvision 0.14: for every model with a reference file,
// the same children, the same state_dict keys and shapes in the same order,
// the same output on the deterministic input (within the reference's
// tolerance), and the children-only Sequential behaving as PyTorch's did.

#include <algorithm>
#include <cmath>

#include "helpers.hpp"

using namespace modtrace;
using nlohmann::ordered_json;

namespace {

ordered_json reference_for(const std::string& model) {
  const std::string path = std::string(MODTRACE_TEST_DATA_DIR) + "/" + model + ".json";
  std::ifstream in(path);
  REQUIRE_MESSAGE(in.good(), "cannot open " << path);
  return ordered_json::parse(in);
}

// Structure: children, then every state_dict key and shape, in order.
void check_structure(const std::string& name, const ordered_json& ref, Module& model) {
  std::vector<std::string> children;
  for (const auto& [child, m] : model.named_children()) children.push_back(child);
  CHECK(children == ref["children"].get<std::vector<std::string>>());
  const NamedTensors state = model.state_dict();
  REQUIRE(state.size() == ref["state_dict"].size());
  size_t i = 0;
  for (const auto& [key, shape] : ref["state_dict"].items()) {
    INFO(name << " state_dict entry " << i << ": " << key);
    CHECK(state[i].first == key);
    CHECK(state[i].second.shape() == shape.get<Shape>());
    ++i;
  }
}

// Numbers: the output on the deterministic input, and what the children-only
// Sequential does, from one comparison (which runs both); and the shape-only
// trace against the real one.
void check_numbers(const std::string& name, const ordered_json& ref, Module& model) {
  init::deterministic(model);
  const Tensor x = zoo::default_input(name);
  CHECK(x.shape() == ref["input_shape"].get<Shape>());
  const ChildrenReport report = compare_children(model, {x});
  const Tensor& y = report.original.output_values().front();
  const Tensor want(ref["output_shape"].get<Shape>(), ref["output"].get<std::vector<float>>());
  REQUIRE(y.shape() == want.shape());
  double largest = 0;
  for (float v : want.values()) largest = std::max(largest, static_cast<double>(std::abs(v)));
  const double tolerance = 1e-4 * std::max(1.0, largest);
  const double diff = max_abs_diff(y, want);
  INFO(name << ": max |ours - PyTorch| = " << diff << ", tolerance " << tolerance);
  CHECK(diff <= tolerance);

  // The shape-only trace of the model is the same graph as the real one.
  test::check_same_graph(report.original, trace_module(model, {x}, {.shape_only = true}));

  const ordered_json& seq = ref["sequential"];
  CHECK(report.sequential.ok == seq["ok"].get<bool>());
  if (seq["ok"].get<bool>()) {
    REQUIRE(report.output.sequential_count == 1);
    CHECK(report.output.outputs[0].sequential == seq["output_shape"].get<Shape>());
    CHECK(report.output.equal == seq["equal"].get<bool>());
  } else {
    INFO("PyTorch said: " << seq["error"].get<std::string>() << "; modtrace says: " << report.sequential.error);
    CHECK_FALSE(report.sequential.error.empty());
  }
}

void check_parity(const std::string& name) {
  const ordered_json ref = reference_for(name);
  const auto model = zoo::create(name);
  check_structure(name, ref, *model);
  check_numbers(name, ref, *model);
}

}  // namespace

// One case per model, so each is its own meson test (tests/meson.build).
TEST_CASE("resnet18 matches torchvision") { check_parity("resnet18"); }
TEST_CASE("resnet50 matches torchvision") { check_parity("resnet50"); }
TEST_CASE("convnext_tiny matches torchvision") { check_parity("convnext_tiny"); }
TEST_CASE("mobilenet_v2 matches torchvision") { check_parity("mobilenet_v2"); }
TEST_CASE("vgg11 matches torchvision") { check_parity("vgg11"); }
TEST_CASE("densenet121 matches torchvision") { check_parity("densenet121"); }
TEST_CASE("squeezenet1_0 matches torchvision") { check_parity("squeezenet1_0"); }
TEST_CASE("googlenet matches torchvision") { check_parity("googlenet"); }
TEST_CASE("vit_b_16 matches torchvision") { check_parity("vit_b_16"); }

TEST_CASE("every zoo model but the seed example has a parity case") {
  for (const std::string& name : zoo::names()) {
    if (name == "seed_main_model") continue;  // test_seed_example.cpp
    std::ifstream in(std::string(MODTRACE_TEST_DATA_DIR) + "/" + name + ".json");
    CHECK_MESSAGE(in.good(), "no reference for " << name);
  }
}

TEST_CASE("squeezenet1_0 loads the safetensors file PyTorch wrote and gives its output") {
  const ordered_json ref = reference_for("squeezenet1_0");
  const auto model = zoo::create("squeezenet1_0");
  safetensors::load_into(*model, std::string(MODTRACE_TEST_DATA_DIR) + "/squeezenet1_0.safetensors");
  const Tensor y = (*model)(zoo::default_input("squeezenet1_0"));
  const Tensor want(ref["output_shape"].get<Shape>(), ref["output"].get<std::vector<float>>());
  CHECK(max_abs_diff(y, want) <= 1e-4);
}

TEST_CASE("deterministic init follows the reference rule role by role") {
  auto bn = make<BatchNorm2d>(2);
  Sequential net({bn});  // keys "0.weight", "0.running_var", …
  init::deterministic(net);
  // u("0.running_var", 0) from make_reference.py.
  CHECK(bn->running_var.at({0}) == doctest::Approx(0.5 + 0.4225274920463562).epsilon(1e-6));
  CHECK(bn->num_batches_tracked.item() == 0.0f);  // an integer count: left alone
  for (float v : bn->weight.values()) CHECK((v >= 0.75f && v < 1.25f));  // 1-D ".weight": a norm scale
  for (float v : bn->bias.values()) CHECK((v >= -0.1f && v < 0.1f));
  // A top-level 1-D "weight" has no ".weight" suffix: the rule treats it as a bias.
  BatchNorm2d alone(2);
  init::deterministic(alone);
  for (float v : alone.weight.values()) CHECK((v >= -0.1f && v < 0.1f));
  Linear fc(6, 4);
  init::deterministic(fc);
  for (float v : fc.weight.values()) CHECK(std::abs(v) <= 1.0f);  // sqrt(6 / fan_in 6)
}
