// From diagnosis to cure: the faithful Sequential of every zoo model, its
// truncation after every child, extraction of inner values, and the code
// `modtrace fix` prints — the PyTorch code checked against real PyTorch
// (reference/fix_checked.json), the C++ code compiled right here.

#include <functional>

#include "helpers.hpp"

using namespace modtrace;

namespace {

std::shared_ptr<Module> zoo_model(const std::string& name) {
  auto model = zoo::create(name);
  init::deterministic(*model);
  return model;
}

std::vector<std::string> step_names(const Repair& r) {
  std::vector<std::string> out;
  for (const RepairStep& s : r.steps) out.push_back(s.name);
  return out;
}

// Copies, as the forward had them then: a later step may work in place.
Tensors copies(const Tensors& values) {
  Tensors out;
  for (const Tensor& t : values) out.push_back(t.clone());
  return out;
}

// The output of the module at `path` in a full forward (its call `call`; a hook).
Tensors output_of(Module& model, const std::string& path, const Tensors& inputs, int call = 0) {
  Tensors seen;
  int calls = 0;
  HookHandle hook = model.get_submodule(path).register_forward_hook(
      [&](Module&, const Tensors&, const Tensors& out) -> std::optional<Tensors> {
        if (calls++ == call) seen = copies(out);
        return std::nullopt;
      });
  model.call(inputs);
  hook.remove();
  return seen;
}

// What the module at `path` received in a full forward (in its call `call`).
Tensors input_of(Module& model, const std::string& path, const Tensors& inputs, int call = 0) {
  Tensors seen;
  int calls = 0;
  HookHandle hook = model.get_submodule(path).register_forward_pre_hook(
      [&](Module&, const Tensors& in) -> std::optional<Tensors> {
        if (calls++ == call) seen = copies(in);
        return std::nullopt;
      });
  model.call(inputs);
  hook.remove();
  return seen;
}

// Where extract_cases.json says the full forward shows a value.
Tensor forward_value(Module& model, const Tensors& inputs, const nlohmann::ordered_json& where) {
  const int call = where.value("call", 0);
  if (where.contains("output_of")) return output_of(model, where["output_of"].get<std::string>(), inputs, call).at(0);
  if (where.contains("input_of")) return input_of(model, where["input_of"].get<std::string>(), inputs, call).at(0);
  return model.call(inputs).at(0);  // model_output
}

std::string read_golden(const std::string& name) {
  std::ifstream in(std::string(MODTRACE_TEST_GOLDEN_DIR) + "/fix/" + name, std::ios::binary);
  REQUIRE_MESSAGE(in.good(), "no golden file " << name);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::string fnv1a64(const std::string& data) {
  uint64_t h = 0xCBF29CE484222325ull;
  for (unsigned char c : data) h = (h ^ c) * 0x100000001B3ull;
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(h));
  return text;
}

// Every direct child the forward calls, in call order, each once.
std::vector<std::string> called_children(Module& model, const Tensors& inputs) {
  const Trace t = trace_module(model, inputs, {.shape_only = true});
  std::vector<std::string> out;
  for (int c : t.child_calls(0)) {
    const std::string path(t.calls()[static_cast<size_t>(c)].path());
    if (std::find(out.begin(), out.end(), path) == out.end()) out.push_back(path);
  }
  return out;
}

// Extracting the values extract_cases.json lists gives the full forward's
// values there, and prints the PyTorch code real PyTorch ran and found exact.
void check_extraction(const std::string& name) {
  // In the file's order, the order the golden code was printed with.
  const nlohmann::ordered_json where = test::read_reference<nlohmann::ordered_json>("extract_cases.json")["models"][name];
  const nlohmann::json checked = test::read_reference("extract_checked.json")["files"][name + ".py"];
  REQUIRE_MESSAGE(where.is_object(), "no extract case for " << name);
  const auto model = zoo_model(name);
  const Tensors x = zoo::default_inputs(name);
  std::vector<std::string> names;
  for (const auto& [value, place] : where.items()) names.push_back(value);
  const Extraction e = extraction(model, x, names);
  const Tensors got = e.module->call(x);
  REQUIRE(got.size() == names.size());
  for (size_t i = 0; i < names.size(); ++i) {
    INFO("extracting " << names[i]);
    CHECK(equal(got[i], forward_value(*model, x, where[names[i]])));
    CHECK(e.shapes[i] == std::vector<Shape>{got[i].shape()});
    CHECK(checked["names"][names[i]]["equal"] == true);  // PyTorch ran the printed code and found it exact
  }
  const std::string golden = read_golden("../extract/" + name + ".py");
  CHECK(e.python == golden);
  CHECK(checked["fnv1a64"] == fnv1a64(golden));  // the file PyTorch ran is this one
}

// The faithful Sequential, and the truncation after each child, reproduce the forward exactly.
void check_model(const std::string& name) {
  check_extraction(name);
  const auto model = zoo_model(name);
  const Tensors x = zoo::default_inputs(name);
  const Repair whole = repair_children(model, x);
  INFO(name << ": " << whole.blocker);
  REQUIRE(whole.possible);
  CHECK(whole.verified);
  CHECK(whole.exact);
  CHECK(equal(whole.module->call(x)[0], model->call(x)[0]));
  for (const std::string& child : called_children(*model, x)) {
    INFO("up to " << child);
    const Repair head = repair_children(model, x, {.upto = child});
    CHECK(head.possible);
    CHECK(head.verified);
    CHECK(head.exact);
    CHECK(equal(head.module->call(x)[0], output_of(*model, child, x)[0]));
    CHECK(head.steps.back().name == child);
  }
}

}  // namespace

TEST_CASE("the seed example's faithful Sequential gives 18 again: block_0, x * 3, x + 3, block_1") {
  const auto model = zoo_model("seed_main_model");
  const Tensor x = Tensor::ones({2, 2});
  const Repair r = repair_children(model, {x});
  REQUIRE(r.possible);
  CHECK(step_names(r) == std::vector<std::string>{"block_0", "mul", "add", "block_1"});
  CHECK(r.steps[1].ops == std::vector<std::string>{"mul(other=3)"});
  CHECK(r.module->call({x})[0].str() == "tensor([[18., 18.],\n        [18., 18.]])");
  CHECK(r.exact);
  // The children are the model's own instances, not copies.
  auto& fixed = dynamic_cast<Sequential&>(*r.module);
  CHECK(&fixed[0] == &model->get_submodule("block_0"));
}

TEST_CASE("repair_children tells its progress callback each stage, in order") {
  const auto model = zoo_model("seed_main_model");
  std::vector<std::string> stages;
  const Repair r = repair_children(model, {Tensor::ones({2, 2})},
                                   {.progress = [&](std::string_view s) { stages.emplace_back(s); }});
  CHECK(r.verified);
  CHECK(stages == std::vector<std::string>{"tracing MainModel", "building the faithful Sequential",
                                           "checking it on the input"});
}

TEST_CASE("ResNet's faithful Sequential puts flatten back between avgpool and fc") {
  const auto model = zoo_model("resnet18");
  const Repair r = repair_children(model, zoo::default_inputs("resnet18"), {.shape_only = true});
  CHECK(step_names(r) == std::vector<std::string>{"conv1", "bn1", "relu", "maxpool", "layer1", "layer2", "layer3",
                                                  "layer4", "avgpool", "flatten", "fc"});
  CHECK(r.module->repr().find("(9): Flatten(start_dim=1, end_dim=-1)") != std::string::npos);
  CHECK(r.verified);
}

TEST_CASE("GoogLeNet's faithful Sequential leaves out the auxiliary heads the forward never calls") {
  const Repair r = repair_children(zoo_model("googlenet"), zoo::default_inputs("googlenet"), {.shape_only = true});
  CHECK(r.dropped_children == std::vector<std::string>{"aux1", "aux2"});
  const auto names = step_names(r);
  CHECK(std::find(names.begin(), names.end(), "aux1") == names.end());
}

TEST_CASE("ViT's class token is read from the model by the replayed cat") {
  const Repair r = repair_children(zoo_model("vit_b_16"), zoo::default_inputs("vit_b_16"), {.shape_only = true});
  CHECK(step_names(r) == std::vector<std::string>{"conv_proj", "reshape", "permute", "cat", "encoder", "select", "heads"});
  CHECK(r.steps[3].ops == std::vector<std::string>{"expand(size=[1, -1, -1])", "cat(dim=1)"});
  CHECK(r.steps[3].reads == std::vector<std::string>{"class_token"});
}

TEST_CASE("a forward that is no chain gets no faithful Sequential, and the finding says why") {
  const auto model = zoo_model("resnet18");
  const Tensors x = zoo::default_inputs("resnet18");
  const Repair block = repair_children(model, x, {.at = "layer1.0", .shape_only = true});
  CHECK_FALSE(block.possible);
  CHECK(block.blocker == "a skip connection: 'add' reads the module's input as well as the output of 'bn2'; a "
                         "Sequential passes only the previous step's output");
  CHECK(block.module == nullptr);
  CHECK(block.python.empty());
  // Up to bn2 it is a chain all the same.
  const Repair prefix = repair_children(model, x, {.at = "layer1.0", .upto = "bn2"});
  CHECK(prefix.possible);
  CHECK(prefix.exact);
  CHECK(equal(prefix.module->call(input_of(*model, "layer1.0", x))[0], output_of(*model, "layer1.0.bn2", x)[0]));
}

namespace {

// Small forwards that are no chain, one finding each.
struct TwoLinears : Module {
  Linear& a = register_module<Linear>("a", 4, 4);
  Linear& b = register_module<Linear>("b", 4, 4);
};
struct Branches : TwoLinears {
 protected:
  Tensor forward(const Tensor& x) override {
    const Tensor y = a(x);
    return b(x) * 2 + y.sum();  // b reads the input, not a's output
  }
};
struct Concatenates : TwoLinears {
 protected:
  Tensor forward(const Tensor& x) override {
    const Tensor y = a(x);
    const Tensor z = b(y);
    return F::cat({y, z}, 1);
  }
};
struct UsesTwice : TwoLinears {
 protected:
  Tensor forward(const Tensor& x) override {
    const Tensor y = a(x);
    const Tensor z = b(y);
    return z * y;
  }
};
struct Splits : TwoLinears {
 protected:
  Tensor forward(const Tensor& x) override {
    const Tensors parts = F::chunk(a(x), 2, 1);
    return parts[0];
  }
};
struct ReturnsEarlier : TwoLinears {
 protected:
  Tensor forward(const Tensor& x) override {
    const Tensor y = a(x);
    b(y);
    return y;
  }
};
struct TwoOutputs : TwoLinears {
 protected:
  Tensors forward_many(const Tensors& in) override {
    const Tensor y = a(in[0]);
    return {y, b(y)};
  }
};

}  // namespace

TEST_CASE("each kind of forward that is no chain is named with the values involved") {
  const Tensors x = {Tensor::deterministic({2, 4})};
  auto blocker = [&](std::shared_ptr<Module> m) {
    const Repair r = repair_children(m, x);
    CHECK_FALSE(r.possible);
    CHECK(r.module == nullptr);
    return r.blocker;
  };
  CHECK(blocker(std::make_shared<Branches>()) ==
        "'b' does not read the previous step's output (the output of 'sum') but the module's input: the forward branches");
  CHECK(blocker(std::make_shared<Concatenates>()) ==
        "a concatenation: 'cat' joins the output of 'a' with the output of 'b'; a Sequential passes only the previous "
        "step's output");
  CHECK(blocker(std::make_shared<UsesTwice>()) ==
        "a skip connection: 'mul' reads the output of 'a' as well as the output of 'b'; a Sequential passes only the "
        "previous step's output");
  CHECK(blocker(std::make_shared<Splits>()) ==
        "'chunk' makes 2 values from the input; a Sequential would pass them on as one tuple");
  CHECK(blocker(std::make_shared<ReturnsEarlier>()) == "the forward returns the output of 'a', not the output of 'b'");
  CHECK(blocker(std::make_shared<TwoOutputs>()) ==
        "the forward returns 2 values; a Sequential returns its last step's output");
  // Several inputs: a plugin-style model taking two tensors.
  struct TwoInputs : Module {
    Linear& a = register_module<Linear>("a", 4, 4);
    std::span<const std::string_view> forward_signature() const override {
      static constexpr std::string_view names[] = {"x", "y"};
      return names;
    }

   protected:
    Tensors forward_many(const Tensors& in) override { return {a(in[0]) + in[1]}; }
  };
  const Repair two = repair_children(std::make_shared<TwoInputs>(), {x[0], x[0]});
  CHECK(two.blocker == "the forward takes 2 inputs; a Sequential passes one value from step to step");
}

TEST_CASE("a truncation that is no chain is extracted instead, and still gives the child's output") {
  const auto model = zoo_model("densenet121");
  const Tensors x = zoo::default_inputs("densenet121");
  const Repair r = repair_children(model, x, {.at = "features.denseblock1", .upto = "denselayer2"});
  CHECK_FALSE(r.possible);
  CHECK(r.blocker.find("a skip connection: 'denselayer2' reads the module's input") == 0);
  REQUIRE(r.module);
  CHECK(r.verified);
  CHECK(r.exact);
  const Tensors fed = input_of(*model, "features.denseblock1", x);
  CHECK(equal(r.module->call(fed)[0], output_of(*model, "features.denseblock1.denselayer2", x)[0]));
}

TEST_CASE("the model's in-place ops are replayed and printed in place, as the forward ran them") {
  struct InPlace : Module {
    Linear& fc = register_module<Linear>("fc", 2, 2);
    Linear& head = register_module<Linear>("head", 2, 1);

   protected:
    Tensor forward(const Tensor& x) override {
      Tensor y = fc(x);
      y -= 1;
      y.relu_();
      return head(y);
    }
  };
  auto model = std::make_shared<InPlace>();
  const Tensor x = Tensor::deterministic({3, 2});
  const Repair r = repair_children(model, {x});
  REQUIRE(r.possible);
  CHECK(step_names(r) == std::vector<std::string>{"fc", "sub_", "relu_", "head"});
  CHECK(r.exact);
  CHECK(r.python.find("Replay(lambda x: x.sub_(1.0), \"sub_(other=1)\")") != std::string::npos);
  CHECK(r.python.find("Replay(lambda x: x.relu_(), \"relu_()\")") != std::string::npos);
  const Extraction e = extraction(model, {x}, {"sub_", "head"});
  CHECK(e.python.find("        sub_ = fc.sub_(1.0)\n") != std::string::npos);
  CHECK(e.python.find("        values[\"sub_\"] = sub_.clone()\n") != std::string::npos);
  // The value of the subtraction, though relu_ then wrote the same tensor.
  const Tensors values = e.module->call({x});
  CHECK(equal(values[0], model->fc(x) - 1));
  CHECK_FALSE(equal(values[0], F::relu(values[0])));  // relu_ would have changed it
  CHECK(equal(values[1], model->call({x})[0]));
}

TEST_CASE("naming what is not there is an error naming what is") {
  const auto model = zoo_model("resnet18");
  const Tensors x = zoo::default_inputs("resnet18");
  CHECK(test::error_of([&] { repair_children(model, x, {.upto = "layer5"}); }) ==
        "cannot stop after 'layer5': the forward of ResNet calls no direct child of that name (it calls 'conv1', "
        "'bn1', 'relu', 'maxpool', 'layer1', 'layer2', 'layer3', 'layer4', 'avgpool', 'fc')");
  CHECK(test::error_of([&] { extract(model, x, {"layer5"}); })
            .rfind("no value named 'layer5' in the forward of ResNet; the nearest names are 'layer1', 'layer2', "
                   "'layer3', 'layer4'", 0) == 0);
  CHECK(test::error_of([&] { extract(model, x, {}); }) == "extract: name at least one value to extract");
  CHECK(test::error_of([&] { repair_children(model, {Tensor::ones({1, 4, 8, 8})}); })
            .find("the forward fails, so there is nothing to repair") == 0);
}

TEST_CASE("extraction replays skip connections and the root's own ops, and gives the full forward's values") {
  const auto resnet = zoo_model("resnet18");
  const Tensors x = zoo::default_inputs("resnet18");
  const auto features = extract(resnet, x, {"layer3.1", "layer4", "flatten", "layer2.0.add"});
  const Tensors got = features->call(x);
  REQUIRE(got.size() == 4);
  CHECK(equal(got[0], output_of(*resnet, "layer3.1", x)[0]));
  CHECK(equal(got[1], output_of(*resnet, "layer4", x)[0]));
  CHECK(equal(got[2], input_of(*resnet, "fc", x)[0]));
  CHECK(equal(got[3], input_of(*resnet, "layer2.0.relu", x, 1)[0]));  // the block's add feeds relu's second call
  // Another input: the replay computes, it does not remember.
  const Tensors other = {Tensor::full({1, 3, 224, 224}, 0.25f)};
  CHECK(equal(features->call(other)[1], output_of(*resnet, "layer4", other)[0]));

  const auto vit = zoo_model("vit_b_16");
  const Tensors xv = zoo::default_inputs("vit_b_16");
  const Tensors v = extract(vit, xv, {"encoder", "select"})->call(xv);
  CHECK(equal(v[0], output_of(*vit, "encoder", xv)[0]));
  CHECK(equal(v[1], input_of(*vit, "heads", xv)[0]));
}

TEST_CASE("value names follow torch.fx: module paths, ops by their module, repeats numbered") {
  const auto model = zoo_model("resnet18");
  const Trace t = trace_module(*model, zoo::default_inputs("resnet18"), {.shape_only = true});
  std::vector<std::string> names;
  for (const NamedValue& n : value_names(t)) names.push_back(n.name);
  auto has = [&](const std::string& n) { return std::find(names.begin(), names.end(), n) != names.end(); };
  CHECK(names.front() == "conv1");
  CHECK(has("layer1.0.relu"));
  CHECK(has("layer1.0.relu_1"));      // relu's second call in the block
  CHECK(has("layer1.0.add"));         // the block's own op
  CHECK(has("layer1.0.conv1.conv2d")); // an op inside a layer, by the layer
  CHECK(has("flatten"));
  CHECK(names.back() == "fc.linear");
}

TEST_CASE("trace JSON carries each op's and each call's value name") {
  const auto model = zoo_model("resnet18");
  const Trace t = trace_module(*model, zoo::default_inputs("resnet18"), {.shape_only = true});
  const nlohmann::json j = nlohmann::json::parse(trace_to_json(t));
  std::vector<std::string> ops, calls;
  for (const auto& node : j["nodes"]) {
    if (node["kind"] == "op") ops.push_back(node["value_name"]);
  }
  for (const auto& call : j["calls"]) calls.push_back(call["value_name"].is_null() ? "(root)" : call["value_name"]);
  CHECK(ops[9] == "layer1.0.add");
  CHECK(ops[10] == "layer1.0.relu.relu_1");
  CHECK(calls[0] == "(root)");
  CHECK(std::find(calls.begin(), calls.end(), "layer1.0.relu_1") != calls.end());
}

TEST_CASE("extract offers torch.fx's extractor only when every name is a module call, as fx names those alike") {
  const auto model = zoo_model("resnet18");
  const Tensors x = zoo::default_inputs("resnet18");
  const Extraction calls = extraction(model, x, {"layer3.1", "layer4"});
  CHECK(calls.python_fx.find("create_feature_extractor(model, return_nodes=[\"layer3.1\", \"layer4\"])") !=
        std::string::npos);
  CHECK(extraction(model, x, {"layer4", "flatten"}).python_fx.empty());
  // Text and JSON show the values' shapes.
  CHECK(calls.text().find("  layer3.1  [1, 256, 14, 14]\n  layer4    [1, 512, 7, 7]\n") != std::string::npos);
  const nlohmann::json j = nlohmann::json::parse(calls.json());
  CHECK(j["values"][1]["shapes"] == nlohmann::json::parse("[[1, 512, 7, 7]]"));
}

TEST_CASE("the PyTorch code modtrace fix prints is what real PyTorch ran and found exact") {
  const nlohmann::json checked = test::read_reference("fix_checked.json");
  struct Case {
    std::string file, model;
    RepairOptions options;
  };
  const std::vector<Case> cases = {
      {"seed_main_model.py", "seed_main_model", {}}, {"resnet18.py", "resnet18", {}}, {"resnet50.py", "resnet50", {}},
      {"convnext_tiny.py", "convnext_tiny", {}},     {"mobilenet_v2.py", "mobilenet_v2", {}}, {"vgg11.py", "vgg11", {}},
      {"densenet121.py", "densenet121", {}},         {"squeezenet1_0.py", "squeezenet1_0", {}},
      {"googlenet.py", "googlenet", {}},             {"vit_b_16.py", "vit_b_16", {}},
      {"resnet18_upto_layer3.py", "resnet18", {.upto = "layer3"}},
      {"vit_b_16_upto_encoder.py", "vit_b_16", {.upto = "encoder"}},
      {"densenet121_denseblock1_upto_denselayer2.py", "densenet121", {.at = "features.denseblock1", .upto = "denselayer2"}},
  };
  for (const Case& c : cases) {
    INFO(c.file);
    RepairOptions options = c.options;
    options.shape_only = true;
    const Repair r = repair_children(zoo::create(c.model), zoo::default_inputs(c.model), options);
    const std::string golden = read_golden(c.file);
    CHECK(r.python == golden);
    const auto& result = checked["files"][c.file];
    REQUIRE_MESSAGE(result.is_object(), "PyTorch never ran " << c.file << " (run check_fix_python.py)");
    CHECK(result["fnv1a64"] == fnv1a64(golden));  // the file PyTorch ran is this one
    CHECK(result["equal"] == true);
  }
  CHECK(checked["files"].size() == cases.size());
}

TEST_CASE("the C++ code modtrace fix prints compiles and builds the faithful Sequential") {
  for (const std::string name : {"seed_main_model", "resnet18", "vit_b_16", "densenet121"}) {
    INFO(name);
    const Repair r = repair_children(zoo::create(name), zoo::default_inputs(name), {.shape_only = true});
    CHECK(r.cpp == read_golden(name + ".cpp.txt"));
  }
  // The golden files, compiled as they are.
  auto run = [](const std::string& name, const std::function<std::shared_ptr<Module>(std::shared_ptr<Module>)>& build) {
    const auto model = zoo_model(name);
    const Tensors x = zoo::default_inputs(name);
    CHECK(equal(build(model)->call(x)[0], model->call(x)[0]));
  };
  run("seed_main_model", [](std::shared_ptr<Module> model) {
#include "golden/fix/seed_main_model.cpp.txt"
    return fixed;
  });
  run("resnet18", [](std::shared_ptr<Module> model) {
#include "golden/fix/resnet18.cpp.txt"
    return fixed;
  });
  run("vit_b_16", [](std::shared_ptr<Module> model) {
#include "golden/fix/vit_b_16.cpp.txt"
    return fixed;
  });
  run("densenet121", [](std::shared_ptr<Module> model) {
#include "golden/fix/densenet121.cpp.txt"
    return fixed;
  });
}

TEST_CASE("an imported ONNX model gets the same faithful Sequential and extraction as the C++ model") {
  ImportedModel imported = import_onnx(std::string(MODTRACE_TEST_DATA_DIR) + "/onnx/zoo/resnet18.onnx",
                                       {.missing_weights = MissingWeights::zeros});
  init::deterministic(*imported.model);
  const Tensors x = zoo::default_inputs("resnet18");
  const Repair r = repair_children(imported.model, x);
  REQUIRE(r.possible);
  CHECK(step_names(r) ==
        step_names(repair_children(zoo::create("resnet18"), x, {.shape_only = true})));  // flatten put back alike
  CHECK(r.exact);
  const Tensors values = extract(imported.model, x, {"layer3.1", "flatten"})->call(x);
  CHECK(equal(values[0], output_of(*imported.model, "layer3.1", x)[0]));
  CHECK(equal(values[1], input_of(*imported.model, "fc", x)[0]));
}

// One case per model, so each is its own meson test (tests/meson.build).
TEST_CASE("repair seed_main_model") { check_model("seed_main_model"); }
TEST_CASE("repair resnet18") { check_model("resnet18"); }
TEST_CASE("repair resnet50") { check_model("resnet50"); }
TEST_CASE("repair convnext_tiny") { check_model("convnext_tiny"); }
TEST_CASE("repair mobilenet_v2") { check_model("mobilenet_v2"); }
TEST_CASE("repair vgg11") { check_model("vgg11"); }
TEST_CASE("repair densenet121") { check_model("densenet121"); }
TEST_CASE("repair squeezenet1_0") { check_model("squeezenet1_0"); }
TEST_CASE("repair googlenet") { check_model("googlenet"); }
TEST_CASE("repair vit_b_16") { check_model("vit_b_16"); }

namespace {

// A forward of 40 steps on a 4 MiB tensor, each value read only by the next.
struct LongChain : Module {
  std::string type_name() const override { return "LongChain"; }
  Tensor forward(const Tensor& x) override {
    Tensor y = x;
    for (int i = 0; i < 40; ++i) y = y * 1.5;
    return y;
  }
};

}  // namespace

TEST_CASE("a replay lets each value go after its last reader, so a long extraction holds a few tensors, not all") {
  const auto model = std::make_shared<LongChain>();
  const Tensors x = {Tensor::ones({1024, 1024})};
  const auto features = extract(model, x, {"mul_20", "mul_39"});
  const int64_t one = 1024 * 1024 * 4;
  reset_peak_memory_in_use();
  const int64_t before = memory_in_use();
  const Tensors got = features->call(x);
  const int64_t peak = peak_memory_in_use() - before;
  // Held at once at most: the value read, the value made, the copy of
  // mul_20 taken while steps remain. Keeping every intermediate was 40.
  CHECK(peak <= 3 * one);
  REQUIRE(got.size() == 2);
  CHECK(got[0].at({3, 5}) == doctest::Approx(std::pow(1.5, 21)).epsilon(1e-6));
  CHECK(got[1].at({0, 0}) == doctest::Approx(std::pow(1.5, 40)).epsilon(1e-6));
}
