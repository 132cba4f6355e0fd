// Every zoo model, exported by PyTorch to ONNX (structure only) and imported:
// with the reference's deterministic weights it gives torchvision's output,
// and its children-only analysis reaches the C++ zoo model's verdict, with
// the same dropped ops and the same failing child.

#include <algorithm>

#include "helpers.hpp"

using namespace modtrace;

namespace {

ImportedModel import_zoo_file(const std::string& file) {
  const std::string path = std::string(MODTRACE_TEST_DATA_DIR) + "/onnx/zoo/" + file;
  ImportedModel m = import_onnx(path, {.missing_weights = MissingWeights::zeros});
  init::deterministic(*m.model);
  return m;
}

// torchvision's output on the deterministic input, within 1e-4 of the largest value.
void check_output(const std::string& name, Module& imported) {
  const nlohmann::json ref = test::read_reference(name + ".json");
  const Tensor x = zoo::default_input(name);
  const Tensor y = imported.call({x})[0];
  const Tensor want(ref["output_shape"].get<Shape>(), ref["output"].get<std::vector<float>>());
  REQUIRE(y.shape() == want.shape());
  double largest = 1.0;
  for (float v : want.values()) largest = std::max(largest, static_cast<double>(std::abs(v)));
  INFO(name << ": max |imported - PyTorch| = " << max_abs_diff(y, want));
  CHECK(max_abs_diff(y, want) <= 1e-4 * largest);
}

std::vector<std::string> dropped_ops(const ChildrenReport& r) {
  std::vector<std::string> out;
  for (const DroppedOp& d : r.dropped) out.push_back(d.op + " " + to_string(d.input_shapes) + " -> " + to_string(d.output_shape));
  return out;
}

// The analysis of the imported model against the C++ zoo model's, shape-only.
void check_analysis(const std::string& name, Module& imported) {
  const Tensors x = zoo::default_inputs(name);
  const auto native = zoo::create(name);
  const ChildrenReport want = compare_children(*native, x, {.shape_only = true});
  const ChildrenReport got = compare_children(imported, x, {.shape_only = true});
  CHECK(verdict_name(got.verdict) == verdict_name(want.verdict));
  CHECK(got.children == want.children);
  CHECK(dropped_ops(got) == dropped_ops(want));
  CHECK(got.sequential.ok == want.sequential.ok);
  CHECK(got.sequential.failed_child == want.sequential.failed_child);
  INFO("C++ zoo: " << want.sequential.error << "\nimported: " << got.sequential.error);
  CHECK(got.unused_children == want.unused_children);
  CHECK(got.order_mismatch == want.order_mismatch);
}

void check_zoo_model(const std::string& name, const std::string& file) {
  const ImportedModel m = import_zoo_file(file);
  CHECK(m.has_metadata);
  CHECK(m.model->parameter_count() == zoo::create(name)->parameter_count());
  check_output(name, *m.model);
  check_analysis(name, *m.model);
}

}  // namespace

// One case per file, so each is its own meson test (tests/meson.build).
TEST_CASE("onnx seed_main_model matches the zoo") { check_zoo_model("seed_main_model", "seed_main_model.onnx"); }
TEST_CASE("onnx resnet18 matches the zoo") { check_zoo_model("resnet18", "resnet18.onnx"); }
TEST_CASE("onnx resnet50 matches the zoo") { check_zoo_model("resnet50", "resnet50.onnx"); }
TEST_CASE("onnx convnext_tiny matches the zoo") { check_zoo_model("convnext_tiny", "convnext_tiny.onnx"); }
TEST_CASE("onnx convnext_tiny opset 17 matches the zoo") {
  check_zoo_model("convnext_tiny", "convnext_tiny_opset17.onnx");
}
TEST_CASE("onnx mobilenet_v2 matches the zoo") { check_zoo_model("mobilenet_v2", "mobilenet_v2.onnx"); }
TEST_CASE("onnx vgg11 matches the zoo") { check_zoo_model("vgg11", "vgg11.onnx"); }
TEST_CASE("onnx densenet121 matches the zoo") { check_zoo_model("densenet121", "densenet121.onnx"); }
TEST_CASE("onnx squeezenet1_0 matches the zoo") { check_zoo_model("squeezenet1_0", "squeezenet1_0.onnx"); }
TEST_CASE("onnx googlenet matches the zoo") { check_zoo_model("googlenet", "googlenet.onnx"); }
TEST_CASE("onnx vit_b_16 matches the zoo") { check_zoo_model("vit_b_16", "vit_b_16.onnx"); }
TEST_CASE("onnx vit_b_16 opset 17 matches the zoo") { check_zoo_model("vit_b_16", "vit_b_16_opset17.onnx"); }

TEST_CASE("every zoo model has an ONNX file") {
  for (const std::string& name : zoo::names()) {
    std::ifstream in(std::string(MODTRACE_TEST_DATA_DIR) + "/onnx/zoo/" + name + ".onnx");
    CHECK_MESSAGE(in.good(), "no ONNX export of " << name);
  }
}
