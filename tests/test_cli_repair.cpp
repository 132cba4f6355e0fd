// The tool's cure: `modtrace fix` (the faithful Sequential, --upto, --at,
// pictures) and `modtrace extract` (named values), their formats, exit
// statuses and errors.

#include "cli.hpp"

using nlohmann::json;
using namespace test::cli;

namespace {

std::string golden(const std::string& name) { return slurp(fs::path(MODTRACE_TEST_GOLDEN_DIR) / name); }

}  // namespace

TEST_CASE("fix prints the seed's faithful Sequential, checked exact, with the code to build it") {
  const Result r = tool("fix seed_main_model");
  CHECK(r.status == 0);
  CHECK(contains(r.out, "the forward is a chain: a Sequential of 4 steps does what it does"));
  CHECK(contains(r.out, "  1    mul      replays mul(other=3)"));
  CHECK(contains(r.out, "checked on the input: exactly the model's output"));
  CHECK(contains(r.out, "PyTorch (paste next to your model):"));
  CHECK(contains(r.out, "auto fixed = make<Sequential>("));
  // Each format alone: the code is the golden code real PyTorch ran.
  CHECK(tool("fix seed_main_model --format python").out == golden("fix/seed_main_model.py"));
  CHECK(tool("fix resnet18 --upto layer3 --format python --shape-only").out == golden("fix/resnet18_upto_layer3.py"));
  CHECK(tool("fix vit_b_16 --format cpp --shape-only").out == golden("fix/vit_b_16.cpp.txt"));
  const json j = json::parse(tool("fix resnet18 --format json --shape-only").out);
  CHECK(j["possible"] == true);
  CHECK(j["steps"][9]["name"] == "flatten");
  CHECK(j["steps"][9]["ops"][0] == "flatten(start_dim=1, end_dim=-1)");
}

TEST_CASE("fix exits 3 and names the finding when the forward is no chain, and points to extract") {
  const Result r = tool("fix resnet18 --at layer1.0 --shape-only");
  CHECK(r.status == 3);
  CHECK(contains(r.out, "no faithful Sequential: a skip connection: 'add' reads the module's input as well as the output "
                        "of 'bn2'"));
  CHECK(contains(r.out, "extract the values you need instead: modtrace extract MODEL --nodes"));
  CHECK_FALSE(contains(r.out, "PyTorch (paste"));
  // Up to a child in such a forward: the extracted prefix, which computes the child's output.
  const Result head = tool("fix densenet121 --at features.denseblock1 --upto denselayer2 --shape-only");
  CHECK(head.status == 0);
  CHECK(contains(head.out, "the extracted prefix computes it all the same"));
  CHECK(contains(head.out, "head = StopAfter(model.features.denseblock1, model.features.denseblock1.denselayer2)"));
}

TEST_CASE("fix -o draws the original beside the faithful Sequential") {
  Scratch s;
  const Result r = tool("fix seed_main_model -o " + (s / "fixed.svg"));
  CHECK(r.status == 0);
  CHECK(contains(r.out, "wrote " + (s / "fixed.svg")));
  const std::string svg = slurp(s / "fixed.svg");
  CHECK(contains(svg, "<svg"));
  CHECK(contains(svg, "replayed mul (Replay)"));
  CHECK(tool("fix resnet18 --shape-only --depth 2 -o " + (s / "fixed.dot")).status == 0);
  CHECK(contains(slurp(s / "fixed.dot"), "layer1.0 (BasicBlock)"));  // depth 2 shows the blocks
  // No chain: the picture is drawn all the same, and the status says there is no Sequential.
  CHECK(tool("fix resnet18 --at layer1.0 --shape-only -o " + (s / "block.dot")).status == 3);
  CHECK(contains(slurp(s / "block.dot"), "a skip connection"));
}

TEST_CASE("fix and extract work on an imported ONNX model, shape-only when its weights are missing") {
  const std::string file = std::string(MODTRACE_TEST_DATA_DIR) + "/onnx/zoo/resnet18.onnx";
  const Result r = tool("fix " + file + " --missing-weights shapes");
  CHECK(r.status == 0);
  CHECK(contains(r.out, "  9    flatten  replays flatten(start_dim=1, end_dim=-1)"));
  CHECK(contains(r.out, "checked on the input (shapes only): the same shapes as the model's output"));
  const Result x = tool("extract " + file + " --missing-weights shapes --nodes layer3.1,flatten");
  CHECK(x.status == 0);
  CHECK(contains(x.out, "  layer3.1  [1, 256, 14, 14]\n  flatten   [1, 512]\n"));
}

TEST_CASE("extract prints the values' shapes and the code that extracts them") {
  const Result r = tool("extract resnet18 --nodes layer3.1,layer2.0.add,flatten --shape-only");
  CHECK(r.status == 0);
  CHECK(contains(r.out, "  layer3.1      [1, 256, 14, 14]\n  layer2.0.add  [1, 128, 28, 28]\n  flatten       [1, 512]\n"));
  CHECK(contains(r.out, "class Extracted(nn.Module):"));
  CHECK(contains(r.out, "        values[\"layer2.0.add\"] = layer2_0_add.clone()\n"));
  CHECK_FALSE(contains(r.out, "create_feature_extractor"));  // flatten is an op: fx may name it otherwise
  CHECK(contains(r.out, "auto features = extract(model, {x}, {\"layer3.1\", \"layer2.0.add\", \"flatten\"});"));
  // The Python alone is the golden code real PyTorch ran.
  CHECK(tool("extract seed_main_model --nodes block_0,add,block_1 --format python").out ==
        golden("extract/seed_main_model.py"));
  const json j = json::parse(tool("extract vit_b_16 --nodes encoder,select --format json --shape-only").out);
  CHECK(j["values"][1]["name"] == "select");
  CHECK(j["values"][1]["shapes"] == json::parse("[[1, 768]]"));
  CHECK(j["python_fx"].is_null());
}

TEST_CASE("fix and extract refuse what is not there: one line, exit 1; bad arguments exit 2") {
  const Result upto = tool("fix resnet18 --upto layer5 --shape-only");
  CHECK(upto.status == 1);
  CHECK(lines(upto.err) == 1);
  CHECK(contains(upto.err, "cannot stop after 'layer5': the forward of ResNet calls no direct child of that name"));
  const Result at = tool("fix resnet18 --at layer9 --shape-only");
  CHECK(at.status == 1);
  CHECK(contains(at.err, "ResNet has no child 'layer9'"));
  const Result name = tool("extract resnet18 --nodes layer5 --shape-only");
  CHECK(name.status == 1);
  CHECK(contains(name.err, "no value named 'layer5' in the forward of ResNet; the nearest names are 'layer1'"));
  const Result failing = tool("fix resnet18 --input-shape 1x4x32x32 --shape-only");
  CHECK(failing.status == 1);
  CHECK(contains(failing.err, "the forward fails, so there is nothing to repair: in module 'conv1' (Conv2d)"));
  // JSON mode reports errors as a document on stdout.
  const Result as_json = tool("extract resnet18 --nodes layer5 --format json --shape-only");
  CHECK(as_json.status == 1);
  CHECK(json::parse(as_json.out)["kind"] == "runtime");
  for (const std::string args : {"extract resnet18 --nodes a,,b", "extract resnet18", "fix resnet18 --format xml",
                                 "fix resnet18 -o fixed.pdf", "fix resnet18 --depth -1"}) {
    INFO(args);
    const Result r = tool(args);
    CHECK(r.status == 2);
    CHECK(contains(r.err, "--help"));
  }
  CHECK(contains(tool("extract resnet18 --nodes a,,b").err, "--nodes 'a,,b' has an empty name"));
}
