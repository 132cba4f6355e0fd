// The modtrace tool on ONNX files: every command takes model.onnx where it
// takes a zoo name; what the importer could not know goes to stderr as
// notes; broken files are one line and status 1; wrong arguments status 2.

#include "cli.hpp"

using namespace test::cli;

namespace {

std::string file(const std::string& relative) { return std::string(MODTRACE_TEST_DATA_DIR) + "/onnx/" + relative; }

}  // namespace

TEST_CASE("diff on the seed example's ONNX export gives 18 vs 4 with mul and add dropped") {
  const Result r = tool("diff " + file("patterns/seed.onnx") + " --input ones --format json");
  CHECK(r.status == 0);
  const auto j = nlohmann::json::parse(r.out);
  CHECK(j["verdict"] == "different");
  REQUIRE(j["dropped"].size() == 2);
  CHECK(j["dropped"][0]["op"] == "mul");
  CHECK(j["dropped"][0]["source"] == "seed.onnx: /Mul");
  CHECK(j["dropped"][1]["op"] == "add");
  CHECK(j["output"]["max_abs_diff"] == 14.0);  // 18 against 4
  CHECK(r.err.empty());                      // the helper's metadata leaves nothing unknown
}

TEST_CASE("run, trace and summary work on an imported model") {
  const Result run = tool("run " + file("patterns/seed.onnx") + " --input ones");
  CHECK(run.status == 0);
  CHECK(contains(run.out, "tensor([[18., 18.],"));
  const Result children = tool("run " + file("patterns/seed.onnx") + " --input ones --children");
  CHECK(contains(children.out, "tensor([[4., 4.],"));
  const Result trace = tool("trace " + file("patterns/small_resnet.onnx"));
  CHECK(trace.status == 0);
  CHECK(contains(trace.out, "flatten              functional    (root)"));
  CHECK(contains(trace.out, "small_resnet.onnx: /Flatten"));
  const Result summary = tool("summary " + file("patterns/small_resnet.onnx") + " --depth 1");
  CHECK(summary.status == 0);
  CHECK(contains(summary.out, "total parameters: 2,645"));  // PyTorch's count
  CHECK(contains(summary.out, "  fc "));
}

TEST_CASE("trace writes the picture of an imported model") {
  const Scratch s;
  const Result r = tool("trace " + file("patterns/tiny_vit.onnx") + " --depth 1 -o " + (s / "vit.dot"));
  CHECK(r.status == 0);
  CHECK(contains(slurp(s / "vit.dot"), "digraph"));
}

TEST_CASE("a file without metadata works, with notes on stderr saying what could not be known") {
  const Result r = tool("diff " + file("patterns/small_resnet.plain.onnx"));
  CHECK(r.status == 0);
  CHECK(contains(r.out, "sequential: fails at child 'fc'"));
  CHECK(contains(r.err, "modtrace: note: no modtrace metadata in the file"));
}

TEST_CASE("a structure-only file needs --missing-weights, then runs shape-only") {
  const std::string resnet = file("zoo/resnet18.onnx");
  const Result refused = tool("summary " + resnet);
  CHECK(refused.status == 1);
  CHECK(lines(refused.err) == 1);
  CHECK(contains(refused.err, "external data file of initializer"));
  const Result shapes = tool("diff " + resnet + " --missing-weights shapes --shape-only");
  CHECK(shapes.status == 0);
  CHECK(contains(shapes.out, "sequential: fails at child 'fc'"));
  CHECK(contains(shapes.err, "parameters are shapes only"));
}

TEST_CASE("symbolic input sizes come from --input-shape") {
  const std::string symbolic = file("bad/symbolic_input.onnx");
  const Result missing = tool("run " + symbolic);
  CHECK(missing.status == 2);
  CHECK(contains(missing.err, "input 'x' of '" + symbolic + "' has symbolic sizes [-1, 4]"));
  const Result given = tool("run " + symbolic + " --input-shape 3x4 --input ones");
  CHECK(given.status == 0);
  CHECK(contains(given.out, "tensor([[1., 1., 1., 1.],"));
  const Result too_many = tool("run " + symbolic + " --input-shape 3x4 --input-shape 2x2");
  CHECK(too_many.status == 2);
  CHECK(contains(too_many.err, "takes 1 input; give --input-shape once per input"));
}

TEST_CASE("a broken ONNX file is one line on stderr and status 1, in every command") {
  for (const char* command : {"run", "trace", "diff", "summary"}) {
    INFO(command);
    const Result r = tool(std::string(command) + " " + file("bad/unsupported_op.onnx"));
    CHECK(r.status == 1);
    CHECK(r.out.empty());
    CHECK(lines(r.err) == 1);
    CHECK(contains(r.err, "node '/head/Det' (Det, opset 13) is an op modtrace cannot run"));
  }
  const Result absent = tool("diff missing.onnx");
  CHECK(absent.status == 1);
  CHECK(lines(absent.err) == 1);
  CHECK(contains(absent.err, "cannot import 'missing.onnx': no such file"));
}

TEST_CASE("--missing-weights is for ONNX files only") {
  const Result r = tool("run seed_main_model --missing-weights zeros");
  CHECK(r.status == 2);
  CHECK(contains(r.err, "--missing-weights applies to ONNX files only"));
}
