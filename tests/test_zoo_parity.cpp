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

// Models checked against PyTorch's numbers (the seed example has its own test).
const std::vector<std::string>& parity_models() {
  static const std::vector<std::string> all = {"resnet18", "resnet50"};
  return all;
}

}  // namespace

TEST_CASE("zoo models have torchvision's children and state_dict, in order") {
  for (const std::string& name : parity_models()) {
    SUBCASE(name.c_str()) {
      const ordered_json ref = reference_for(name);
      const auto model = zoo::create(name);
      std::vector<std::string> children;
      for (const auto& [child, m] : model->named_children()) children.push_back(child);
      CHECK(children == ref["children"].get<std::vector<std::string>>());
      const NamedTensors state = model->state_dict();
      REQUIRE(state.size() == ref["state_dict"].size());
      size_t i = 0;
      for (const auto& [key, shape] : ref["state_dict"].items()) {
        INFO("entry " << i << ": " << key);
        CHECK(state[i].first == key);
        CHECK(state[i].second.shape() == shape.get<Shape>());
        ++i;
      }
    }
  }
}

TEST_CASE("zoo models give PyTorch's output with the deterministic weights and input") {
  for (const std::string& name : parity_models()) {
    SUBCASE(name.c_str()) {
      const ordered_json ref = reference_for(name);
      const auto model = zoo::create(name);
      init::deterministic(*model);
      const Tensor x = zoo::default_input(name);
      CHECK(x.shape() == ref["input_shape"].get<Shape>());
      const Tensor y = (*model)(x);
      const Tensor want(ref["output_shape"].get<Shape>(), ref["output"].get<std::vector<float>>());
      REQUIRE(y.shape() == want.shape());
      double largest = 0;
      for (float v : want.values()) largest = std::max(largest, static_cast<double>(std::abs(v)));
      const double tolerance = 1e-4 * std::max(1.0, largest);
      const double diff = max_abs_diff(y, want);
      INFO(name << ": max |ours - PyTorch| = " << diff << ", tolerance " << tolerance);
      CHECK(diff <= tolerance);

      // The children-only Sequential does what PyTorch's did.
      const ChildrenReport report = compare_children(*model, {x});
      const ordered_json& seq = ref["sequential"];
      CHECK(report.sequential.ok == seq["ok"].get<bool>());
      if (seq["ok"].get<bool>()) {
        CHECK(report.output.sequential_shape == seq["output_shape"].get<Shape>());
        CHECK(report.output.equal == seq["equal"].get<bool>());
      } else {
        INFO("PyTorch said: " << seq["error"].get<std::string>() << "; modtrace says: " << report.sequential.error);
        CHECK_FALSE(report.sequential.error.empty());
      }
    }
  }
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
