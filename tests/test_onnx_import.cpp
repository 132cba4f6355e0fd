// Importing ONNX files that real PyTorch 1.13 exported (reference/onnx/patterns,
// written by make_onnx_cases.py): the model PyTorch printed, its children and
// state_dict keys, its outputs, and what its children-only Sequential did.

#include <algorithm>
#include <set>

#include "helpers.hpp"

using namespace modtrace;

namespace {

std::string pattern_path(const std::string& name) {
  return std::string(MODTRACE_TEST_DATA_DIR) + "/onnx/patterns/" + name;
}

const nlohmann::json& pattern_case(const std::string& name) {
  static const nlohmann::json cases = test::read_reference("onnx_cases.json");
  for (const auto& c : cases["cases"]) {
    if (c["name"] == name) return c;
  }
  FAIL("no case " << name);
  throw std::logic_error("unreachable");
}

Tensors inputs_of(const nlohmann::json& c) {
  return zoo::make_inputs(zoo::parse_input_kind(c["input"].get<std::string>()),
                          c["input_shapes"].get<std::vector<Shape>>());
}

// Within 1e-4 of PyTorch, relative to the largest reference value.
void check_close(const Tensors& got, const nlohmann::json& want) {
  REQUIRE(got.size() == want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    const Tensor w = test::tensor_from_json(want[i]);
    REQUIRE(got[i].shape() == w.shape());
    double largest = 1.0;
    for (float v : w.values()) largest = std::max(largest, static_cast<double>(std::abs(v)));
    INFO("output " << i << ": max |modtrace - PyTorch| " << max_abs_diff(got[i], w));
    CHECK(max_abs_diff(got[i], w) <= 1e-4 * largest);
  }
}

std::vector<std::string> keys(const NamedTensors& state) {
  std::vector<std::string> out;
  for (const auto& [key, t] : state) out.push_back(key);
  return out;
}

const char* const kPatterns[] = {"seed",         "small_resnet", "shared_and_repeated", "two_towers", "tiny_vit",
                                 "tiny_vit_opset17", "mobile_like", "dense_like",        "resampling"};

}  // namespace

TEST_CASE("the seed example exported by PyTorch gives 18, its Sequential 4, with mul and add dropped") {
  const ImportedModel m = import_onnx(pattern_path("seed.onnx"));
  const Tensor x = Tensor::ones({2, 2});
  CHECK(m.model->call({x})[0].str() == "tensor([[18., 18.],\n        [18., 18.]])");
  const ChildrenReport r = compare_children(*m.model, {x});
  CHECK(r.verdict == Verdict::different);
  REQUIRE(r.dropped.size() == 2);
  CHECK(r.dropped[0].op == "mul");
  CHECK(r.dropped[1].op == "add");
  CHECK(r.dropped[0].source == "seed.onnx: /Mul");
  REQUIRE(r.sequential.ok);
  CHECK(r.sequential_trace.output_values()[0].str() == "tensor([[4., 4.],\n        [4., 4.]])");
}

TEST_CASE("with the export helper's metadata, an imported model prints, lists and counts as PyTorch's") {
  for (const char* name : kPatterns) {
    INFO(name);
    const nlohmann::json& c = pattern_case(name);
    const ImportedModel m = import_onnx(pattern_path(std::string(name) + ".onnx"));
    CHECK(m.has_metadata);
    CHECK(m.model->repr() == c["repr"].get<std::string>());
    std::vector<std::string> children;
    for (const auto& [child, module] : m.model->named_children()) children.push_back(child);
    CHECK(children == c["named_children"].get<std::vector<std::string>>());
    CHECK(keys(m.model->state_dict()) == c["state_dict"].get<std::vector<std::string>>());
    CHECK(m.model->parameter_count() == c["parameter_count"].get<int64_t>());
  }
}

TEST_CASE("an imported model computes PyTorch's outputs, and its Sequential does what PyTorch's did") {
  for (const char* name : kPatterns) {
    for (const std::string& file : {std::string(name) + ".onnx", std::string(name) + ".plain.onnx"}) {
      INFO(file);
      const nlohmann::json& c = pattern_case(name);
      const ImportedModel m = import_onnx(pattern_path(file));
      const Tensors x = inputs_of(c);
      check_close(m.model->call(x), c["outputs"]);
      if (!m.has_metadata) continue;  // without it the children may be in another order than PyTorch's
      const ChildrenReport r = compare_children(*m.model, x);
      if (c["sequential"].contains("error")) {
        INFO("PyTorch: " << c["sequential"]["error"].get<std::string>() << "; modtrace: " << r.sequential.error);
        CHECK_FALSE(r.sequential.ok);
        CHECK(r.verdict == Verdict::fails);
      } else {
        REQUIRE(r.sequential.ok);
        check_close(r.sequential_trace.output_values(), c["sequential"]["outputs"]);
      }
    }
  }
}

TEST_CASE("weights kept in an external data file beside the model are read from it") {
  const nlohmann::json& c = pattern_case("small_resnet");
  const ImportedModel m = import_onnx(pattern_path("small_resnet.external.onnx"));
  CHECK_FALSE(m.weights_missing);
  check_close(m.model->call(inputs_of(c)), c["outputs"]);
}

TEST_CASE("the Sequential of an imported ResNet fails at fc as PyTorch's does, flatten dropped") {
  const ImportedModel m = import_onnx(pattern_path("small_resnet.onnx"));
  const ChildrenReport r = compare_children(*m.model, inputs_of(pattern_case("small_resnet")));
  CHECK(r.verdict == Verdict::fails);
  CHECK(r.sequential.failed_child == "fc");
  REQUIRE(r.dropped.size() == 1);
  CHECK(r.dropped[0].op == "flatten");
  CHECK(r.dropped[0].input_shapes == std::vector<Shape>{{1, 8, 1, 1}});
}

TEST_CASE("a module called twice runs the ops of each call; a shared one is one instance under two names") {
  const ImportedModel m = import_onnx(pattern_path("shared_and_repeated.onnx"));
  const Trace t = trace_module(*m.model, inputs_of(pattern_case("shared_and_repeated")));
  std::vector<std::string> calls;
  for (const ModuleCall& call : t.calls()) calls.emplace_back(call.path());
  // block twice (each with lin and act), proj, drop, act2 (block.act), head; unused never.
  CHECK(calls == std::vector<std::string>{"", "block", "block.lin", "block.act", "block", "block.lin", "block.act",
                                          "proj", "drop", "act2", "head"});
  // The eval-mode Dropout records its op where it ran: right after proj, before the root's sub.
  std::vector<std::string> ops;
  for (Vertex v : t.op_nodes()) ops.emplace_back(t.graph()[v].op_name());
  CHECK(ops == std::vector<std::string>{"linear", "relu", "add", "linear", "relu", "add", "linear", "dropout", "sub",
                                        "relu", "linear"});
  Module& root = *m.model;
  CHECK(&root.get_submodule("act2") == &root.get_submodule("block.act"));
  CHECK(root.get_submodule("drop").type_name() == "Dropout");
  // The head the forward never called has no computation in the file.
  const std::string error = test::error_of([&] { root.get_submodule("unused")(Tensor::ones({2, 6})); });
  CHECK(error.find("never ran when the model was exported") != std::string::npos);
}

TEST_CASE("without metadata the importer says what it could not know, and infers the rest") {
  const ImportedModel m = import_onnx(pattern_path("shared_and_repeated.plain.onnx"));
  CHECK_FALSE(m.has_metadata);
  REQUIRE_FALSE(m.notes.empty());
  CHECK(m.notes[0].find("no modtrace metadata") != std::string::npos);
  // block ran twice: which call of it ran each child call came from the node order.
  CHECK(std::any_of(m.notes.begin(), m.notes.end(), [](const std::string& n) {
    return n.find("modules with children were called more than once (block)") != std::string::npos;
  }));
  // Children in the order the forward first called them; the unused head and
  // the Dropout (no op in the file) are unknown.
  std::vector<std::string> children;
  for (const auto& [child, module] : m.model->named_children()) children.push_back(child);
  CHECK(children == std::vector<std::string>{"block", "proj", "act", "head"});
  // Types come from the single op a leaf ran.
  CHECK(m.model->get_submodule("proj").type_name() == "Gemm");
  CHECK(m.model->type_name() == "Module");
  // The state_dict keys the file names are kept.
  const auto state = keys(m.model->state_dict());
  CHECK(std::set<std::string>(state.begin(), state.end()) ==
        std::set<std::string>{"block.lin.weight", "block.lin.bias", "proj.weight", "proj.bias", "head.weight",
                              "head.bias"});
}

TEST_CASE("traced ops of an imported model name their ONNX node and keep PyTorch's op names") {
  const ImportedModel m = import_onnx(pattern_path("tiny_vit.onnx"));
  const Trace t = trace_module(*m.model, inputs_of(pattern_case("tiny_vit")), {.shape_only = true});
  std::map<std::string, std::string> origin_of;
  for (Vertex v : t.op_nodes()) origin_of.emplace(std::string(t.graph()[v].op_name()), t.graph()[v].origin());
  CHECK(origin_of.at("conv2d") == "tiny_vit.onnx: /conv_proj/Conv");
  CHECK(origin_of.at("permute") == "tiny_vit.onnx: /Transpose");
  CHECK(origin_of.count("linear"));  // nn.Linear's Gemm records linear
  CHECK(origin_of.count("erf"));     // GELU's decomposition at opset 13
}

TEST_CASE("LayerNormalization (opset 17) runs as layer_norm, its decomposition (opset 13) as its parts") {
  auto ops_in = [](const std::string& file) {
    const ImportedModel m = import_onnx(pattern_path(file));
    const Trace t = trace_module(*m.model, inputs_of(pattern_case("tiny_vit")), {.shape_only = true});
    std::set<std::string> ops;
    for (Vertex v : t.op_nodes()) {
      if (t.ownership(v).module == "ln") ops.insert(std::string(t.graph()[v].op_name()));
    }
    return ops;
  };
  CHECK(ops_in("tiny_vit_opset17.onnx") == std::set<std::string>{"layer_norm"});
  CHECK(ops_in("tiny_vit.onnx") == std::set<std::string>{"mean", "sub", "pow", "add", "sqrt", "div", "mul"});
}

TEST_CASE("two inputs and two outputs import as a module called with two tensors returning two") {
  const ImportedModel m = import_onnx(pattern_path("two_towers.onnx"));
  CHECK(m.input_shapes == std::vector<Shape>{{2, 4}, {2, 5}});
  CHECK(m.output_names.size() == 2);
  const auto names = m.model->forward_signature();
  CHECK(std::vector<std::string_view>(names.begin(), names.end()) == std::vector<std::string_view>{"a", "b"});
  CHECK(test::error_of([&] { (*m.model)(Tensor::ones({2, 4})); }) ==
        "in the root module (TwoTowers): TwoTowers.forward() missing 1 required positional argument: 'b'");
}

TEST_CASE("a structure-only file imports shape-only or with zeros, and refuses otherwise") {
  const std::string file = std::string(MODTRACE_TEST_DATA_DIR) + "/onnx/zoo/resnet18.onnx";
  CHECK(test::error_of([&] { import_onnx(file); }).find("external data file of initializer") != std::string::npos);
  const ImportedModel shapes = import_onnx(file, {.missing_weights = MissingWeights::shapes_only});
  CHECK(shapes.weights_missing);
  CHECK(shapes.model->state_dict().front().second.is_meta());
  const Trace t = trace_module(*shapes.model, {Tensor::meta({1, 3, 224, 224})}, {.shape_only = true});
  CHECK(t.graph()[t.outputs().front()].shape() == Shape{1, 1000});
  const ImportedModel zeros = import_onnx(file, {.missing_weights = MissingWeights::zeros});
  CHECK_FALSE(zeros.model->state_dict().front().second.is_meta());
  CHECK(zeros.model->parameter_count() == 11689512);
}
