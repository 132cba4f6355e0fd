// The modtrace tool: every command, its output and exit status, bad
// arguments (status 2 with usage), runtime errors (status 1, one line), and
// models from a plugin.

#include <set>
#include <sstream>

#include "cli.hpp"

using nlohmann::json;
using namespace test::cli;


TEST_CASE("models lists the zoo with default input shapes") {
  const Result r = tool("models");
  CHECK(r.status == 0);
  CHECK(contains(r.out, "seed_main_model    [2, 2]"));
  CHECK(contains(r.out, "resnet18           [1, 3, 224, 224]"));
}

TEST_CASE("run prints the seed example's 18s, and --children the Sequential's 4s") {
  CHECK(tool("run seed_main_model").out == "tensor([[18., 18.],\n        [18., 18.]])\n");
  CHECK(tool("run seed_main_model --children").out == "tensor([[4., 4.],\n        [4., 4.]])\n");
}

TEST_CASE("run takes another input and writes the output as JSON") {
  Scratch s;
  const Result r = tool("run seed_main_model --input zeros --input-shape 1x3 --output-json " + (s / "y.json"));
  CHECK(r.status == 0);
  CHECK(r.out == "tensor([[6., 6., 6.]])\n");  // (0 * 2 * 3 + 3) * 2
  const json j = json::parse(slurp(s / "y.json"));
  CHECK(j["shape"] == json::array({1, 3}));
  CHECK(j["data"] == json::array({6.0, 6.0, 6.0}));
}

TEST_CASE("run --init deterministic gives PyTorch's reference weights") {
  Scratch s;
  const Result r = tool("run resnet18 --init deterministic --output-json " + (s / "y.json"));
  REQUIRE(r.status == 0);
  const json got = json::parse(slurp(s / "y.json"));
  const json want = test::read_reference("resnet18.json");
  CHECK(got["data"][0].get<double>() == doctest::Approx(want["output"][0].get<double>()).epsilon(1e-3));
}

TEST_CASE("trace lists every op with the name extract takes, its ownership and source") {
  const Result r = tool("trace seed_main_model");
  CHECK(r.status == 0);
  CHECK(lines(r.out) == 5);
  CHECK(contains(r.out, "2    mul                      mul                  functional    (root)"));
  // An op a module call returned is named by the call, as torch.fx names it.
  CHECK(contains(r.out, "1    block_0                  mul                  module-owned  block_0"));
  CHECK(contains(r.out, "lib/zoo/seed.cpp:16"));
}

TEST_CASE("trace writes JSON, DOT and SVG") {
  Scratch s;
  CHECK(tool("trace seed_main_model -o " + (s / "t.json")).status == 0);
  const json j = json::parse(slurp(s / "t.json"));
  CHECK(j["completed"] == true);
  CHECK(j["nodes"].size() == 6);
  CHECK(j["nodes"][2]["op"] == "mul");
  CHECK(j["nodes"][2]["ownership"] == "functional");
  CHECK(j["nodes"][1]["child"] == "block_0");
  CHECK(j["edges"].size() == 5);
  CHECK(j["calls"][1]["path"] == "block_0");
  CHECK(tool("trace resnet18 --shape-only --depth 2 -o " + (s / "t.dot")).status == 0);
  CHECK(contains(slurp(s / "t.dot"), "layer1.0 (BasicBlock)"));
  const Result svg = tool("trace seed_main_model -o " + (s / "t.svg"));
  CHECK(svg.status == 0);
  CHECK(contains(svg.out, "wrote " + (s / "t.svg") + " (6 nodes, 3 module calls)"));
  CHECK(contains(slurp(s / "t.svg"), "<svg"));
}

TEST_CASE("diff prints the report with 18 vs 4 and the two dropped ops, and draws it") {
  Scratch s;
  const Result r = tool("diff seed_main_model -o " + (s / "diff.svg"));
  CHECK(r.status == 0);
  CHECK(contains(r.out, "verdict: different"));
  CHECK(contains(r.out, "  mul  [2, 2] -> [2, 2]  other=3  MainModel::functional_stuff"));
  CHECK(contains(r.out, "  add  [2, 2] -> [2, 2]  other=3  MainModel::forward"));
  CHECK(contains(r.out, "max |difference| 14"));
  CHECK(contains(slurp(s / "diff.svg"), "<svg"));
}

TEST_CASE("diff --format json is machine-readable, its attributes encoded as in a trace") {
  const Result r = tool("diff seed_main_model --format json");
  CHECK(r.status == 0);
  const json j = json::parse(r.out);
  CHECK(j["schema_version"] == modtrace::kJsonSchemaVersion);
  CHECK(j["verdict"] == "different");
  CHECK(j["dropped"].size() == 2);
  CHECK(j["output"]["max_abs_diff"] == 14.0);
  // The dropped mul's attributes, and the same op's node in the trace JSON: one encoding.
  CHECK(j["dropped"][0]["attributes"] == json{{"other", 3.0}});
  Scratch s;
  REQUIRE(tool("trace seed_main_model -o " + (s / "t.json")).status == 0);
  const json t = json::parse(slurp(s / "t.json"));
  CHECK(t["schema_version"] == modtrace::kJsonSchemaVersion);
  CHECK(t["nodes"][2]["op"] == "mul");
  CHECK(t["nodes"][2]["attributes"] == j["dropped"][0]["attributes"]);
}

TEST_CASE("diff --check exits 3 unless the Sequential is equivalent") {
  CHECK(tool("diff seed_main_model --check").status == 3);
  CHECK(tool("diff seed_main_model --at block_0 --check").status == 3);  // its own mul is dropped
  CHECK(tool("diff resnet18 --shape-only --check").status == 3);
}

TEST_CASE("diff --at analyses a sub-module on the input it received") {
  const Result r = tool("diff resnet18 --at layer1.0 --shape-only");
  CHECK(r.status == 0);
  CHECK(contains(r.out, "children-only analysis of 'layer1.0' (BasicBlock), input [1, 64, 56, 56]"));
  CHECK(contains(r.out, "relu (call 1): relu also reads the module's input (a skip connection)"));
}

TEST_CASE("summary tabulates module calls as torchinfo does, with totals and its memory estimate") {
  const Result r = tool("summary resnet18 --depth 1");
  CHECK(r.status == 0);
  // The numbers are torchinfo's (test_summary.cpp checks every zoo model); here, the layout.
  CHECK(contains(r.out, "module                                   type                     input shape            output shape             parameters      mult-adds own ops\n"));
  CHECK(contains(r.out, "\n(root)                                   ResNet                   [1, 3, 224, 224]       [1, 1000]                        --             --       1\n"));
  CHECK(contains(r.out, "\n  layer1                                 Sequential               [1, 64, 56, 56]        [1, 64, 56, 56]             147,968    462,422,528       0\n"));
  CHECK(contains(r.out, "\ntotal parameters: 11,689,512\ntrainable parameters: 11,689,512\nnon-trainable parameters: 0\n"
                        "total mult-adds (G): 1.81\n"));
  CHECK(contains(r.out, "\ninput size (MB): 0.60\nforward/backward pass size (MB): 39.75\nparameters size (MB): 46.76\n"
                        "estimated total size (MB): 87.11\n"));
  CHECK(r.out.ends_with("functional ops in ResNet's own forward: flatten\n"));
}

TEST_CASE("bad arguments print usage help and exit 2") {
  const auto usage = [](const std::string& args) {
    const Result r = tool(args);
    INFO(args << " -> " << r.err);
    CHECK(r.status == 2);
    CHECK(contains(r.err, "--help"));
    return r.err;
  };
  usage("");
  usage("frobnicate");
  usage("run");
  usage("run seed_main_model --input random");
  CHECK(contains(usage("trace seed_main_model --depth -1"), "--depth: must be 0 or more, got '-1'"));
  CHECK(contains(usage("run seed_main_model --input-shape ''"), "invalid --input-shape ''"));
  CHECK(contains(usage("run seed_main_model --output-json x.png"), "cannot write 'x.png': the extension must be one of .json"));
  usage("diff seed_main_model --format xml");
  CHECK(contains(usage("run no_such_model"), "unknown model 'no_such_model'; the zoo has: seed_main_model"));
  CHECK(contains(usage("run seed_main_model --input-shape 2xx2"), "invalid --input-shape '2xx2'"));
  // Tens of thousands of dimensions: refused like any other bad shape (was a stack overflow in the printer).
  std::string dims = "1";
  for (int i = 1; i < 27000; ++i) dims += "x1";
  CHECK(contains(usage("run seed_main_model --input-shape " + dims),
                 "invalid --input-shape: more than 64 dimensions (a tensor may have at most 64, as in PyTorch)"));
  CHECK(contains(usage("trace seed_main_model -o graph.pdf"), "the extension must be one of .dot, .svg, .png, .html, .json"));
}

TEST_CASE("--version prints the library's version; a missing or unknown command is named with the commands there are") {
  const Result version = tool("--version");
  CHECK(version.status == 0);
  CHECK(version.out == std::string("modtrace ") + MODTRACE_VERSION + "\n");
  CHECK(std::string(modtrace::library_version()) == MODTRACE_VERSION);
  const std::string commands = "the commands are: models, run, trace, diff, fix, extract, summary";
  const Result unknown = tool("frobnicate seed_main_model");
  CHECK(unknown.status == 2);
  CHECK(unknown.err == "modtrace: unknown command 'frobnicate'; " + commands + "\nRun with --help for more information.\n");
  CHECK(contains(tool("trce seed_main_model").err, "unknown command 'trce' (did you mean 'trace'?); " + commands));
  CHECK(contains(tool("--max-memory 1G difff seed_main_model").err, "unknown command 'difff' (did you mean 'diff'?)"));
  const Result none = tool("--max-memory 1G");
  CHECK(none.status == 2);
  CHECK(contains(none.err, "modtrace: a command is required: models, run, trace, diff, fix, extract, summary"));
  // Errors of a known command stay its own.
  CHECK(contains(tool("trace seed_main_model --depth -1").err, "--depth: must be 0 or more"));
}

TEST_CASE("runtime errors are one line on stderr with exit status 1") {
  const auto failure = [](const std::string& args) {
    const Result r = tool(args);
    INFO(args << " -> " << r.err);
    CHECK(r.status == 1);
    CHECK(lines(r.err) == 1);
    CHECK(r.err.rfind("modtrace: error: ", 0) == 0);
    return r.err;
  };
  // The error names the module, the line that called it, and what was wrong.
  CHECK(contains(failure("run resnet18 --input-shape 1x4x32x32"), "in module 'conv1' (Conv2d), called at lib/zoo/resnet.cpp:"));
  CHECK(contains(failure("run resnet18 --input-shape 1x4x32x32"), ": conv2d: input has 4 channels, expected 3"));
  CHECK(contains(failure("run seed_main_model --weights /nonexistent.safetensors"),
                 "cannot open '/nonexistent.safetensors'"));
  // Not a regular file: refused at once (a FIFO hung, /dev/zero read until memory ran out).
  CHECK(contains(failure("run seed_main_model --weights /dev/zero"),
                 "cannot read '/dev/zero': it is a character device, not a safetensors file"));
  CHECK(contains(failure("run seed_main_model --weights /tmp"), "cannot read '/tmp': it is a directory, not a safetensors file"));
  CHECK(contains(failure("diff resnet18 --input-shape 1x1x8x8 --shape-only"),
                 "the module itself fails on this input"));
  CHECK(contains(failure("diff seed_main_model --at block_7"), "MainModel has no child 'block_7'"));
  CHECK(contains(failure("diff resnet18 --at layer1. --shape-only"),
                 "'layer1.' is not a module path: it has an empty part"));
  // A failing forward still writes the partial trace.
  Scratch s;
  CHECK(contains(failure("trace resnet18 --input-shape 1x2x16x16 --shape-only -o " + (s / "partial.json")),
                 "the forward failed"));
  CHECK(json::parse(slurp(s / "partial.json"))["completed"] == false);
}

TEST_CASE("a state_dict error is one line, and names from a file cannot drive the terminal") {
  Scratch s;
  modtrace::Linear fc(2, 2);
  modtrace::NamedTensors state = fc.state_dict();
  state.emplace_back("\x1b[31mred", modtrace::Tensor::ones({1}));
  modtrace::safetensors::write(s / "w.safetensors", state);
  const Result r = tool("run seed_main_model --weights " + (s / "w.safetensors"));
  CHECK(r.status == 1);
  CHECK(lines(r.err) == 1);
  CHECK(contains(r.err, "Error(s) in loading state_dict for MainModel: Unexpected key(s) in state_dict: "));
  CHECK(contains(r.err, "\"\\x1b[31mred\""));  // the escape byte shown, not sent
  CHECK_FALSE(contains(r.err, "\x1b"));
  const Result both = tool("run resnet18 --weights " + (s / "w.safetensors"));
  CHECK(lines(both.err) == 1);
  CHECK(contains(both.err, " and 117 more; Unexpected key(s) in state_dict: "));
}

TEST_CASE("shape-only commands take inputs far larger than memory: their inputs are shapes, never allocated") {
  // 1x3x100000x100000 floats would be 120 GB.
  const Result trace = tool("trace resnet18 --shape-only --input-shape 1x3x100000x100000");
  CHECK(trace.status == 0);
  CHECK(contains(trace.out, "[1, 64, 50000, 50000]"));
  CHECK(tool("summary resnet18 --input-shape 1x3x100000x100000").status == 0);
  CHECK(tool("diff resnet18 --shape-only --input-shape 1x3x100000x100000").status == 0);
  CHECK(tool("fix resnet18 --shape-only --input-shape 1x3x100000x100000").status == 0);
}

TEST_CASE("weights load from safetensors into the model") {
  Scratch s;
  auto model = modtrace::zoo::create("resnet18");
  modtrace::init::deterministic(*model);
  modtrace::safetensors::write(s / "r18.safetensors", model->state_dict());
  const Result a = tool("run resnet18 --weights " + (s / "r18.safetensors") + " --output-json " + (s / "a.json"));
  const Result b = tool("run resnet18 --init deterministic --output-json " + (s / "b.json"));
  REQUIRE(a.status == 0);
  CHECK(slurp(s / "a.json") == slurp(s / "b.json"));
  const Result wrong = tool("run seed_main_model --weights " + (s / "r18.safetensors"));
  CHECK(wrong.status == 1);
  CHECK(contains(wrong.err, "Unexpected key(s) in state_dict: \"conv1.weight\""));
}

TEST_CASE("a plugin's models work in every command") {
  const std::string plugin = std::string("--plugin ") + MODTRACE_EXAMPLE_PLUGIN;
  CHECK(contains(tool(plugin + " models").out, "residual_mlp"));
  const Result r = tool(plugin + " diff residual_mlp");
  CHECK(r.status == 0);
  CHECK(contains(r.out, "  add  [1, 8], [1, 8] -> [1, 8]  ResidualMLP::forward  tools/plugin-example/example_plugin.cpp:"));
  CHECK(contains(r.out, "(output): the module's result also reads the module's input (a skip connection): the "
                        "Sequential returns only the output of fc2"));
  CHECK(tool(plugin + " summary residual_mlp").status == 0);
  CHECK(tool("summary residual_mlp " + plugin).status == 0);  // after the command too
  CHECK(tool(plugin + " trace residual_mlp --shape-only").status == 0);
}

TEST_CASE("a plugin model with two inputs: diff, run and trace from the command line") {
  const std::string plugin = std::string("--plugin ") + MODTRACE_EXAMPLE_PLUGIN;
  CHECK(contains(tool(plugin + " models").out, "two_tower          [1, 8], [1, 4]"));
  // One class, two configurations, each made by its own lambda.
  const Result wide = tool(plugin + " summary two_tower_wide");
  CHECK(wide.status == 0);
  CHECK(contains(wide.out, "  query_proj                             Linear                   [1, 8]                 [1, 64]"));
  CHECK(contains(tool(plugin + " summary two_tower").out, "  query_proj                             Linear                   [1, 8]                 [1, 16]"));
  // PyTorch's Sequential takes one argument: it raises before any child runs.
  const Result r = tool(plugin + " diff two_tower");
  CHECK(r.status == 0);
  CHECK(contains(r.out, "children-only analysis of TwoTower, inputs [1, 8], [1, 4]\nverdict: fails"));
  CHECK(contains(r.out, "sequential: fails before any child runs\n  Sequential.forward() takes 2 positional arguments "
                        "but 3 were given\n"));
  CHECK(tool(plugin + " diff two_tower --check").status == 3);
  const json j = json::parse(tool(plugin + " diff two_tower --shape-only --format json --input-shape 3x8 "
                                  "--input-shape 3x4").out);
  CHECK(j["verdict"] == "fails");
  CHECK(j["input_shapes"] == json::parse("[[3, 8], [3, 4]]"));
  CHECK(j["output"]["original_count"] == 1);
  // The model runs on both inputs; its children-only Sequential raises as PyTorch's does.
  const Result run = tool(plugin + " run two_tower");
  CHECK(run.status == 0);
  CHECK(contains(run.out, "tensor([["));
  const Result children = tool(plugin + " run two_tower --children");
  CHECK(children.status == 1);
  CHECK(children.err == "modtrace: error: in the root module (Sequential): Sequential.forward() takes 2 positional "
                        "arguments but 3 were given\n");
  CHECK(tool(plugin + " trace two_tower --input-shape 2x8 --input-shape 2x4").status == 0);
  // One --input-shape per input, or none.
  const Result count = tool(plugin + " diff two_tower --input-shape 1x8");
  CHECK(count.status == 2);
  CHECK(contains(count.err, "model 'two_tower' takes 2 inputs; give --input-shape once per input (2 times), or not "
                            "at all, got 1"));
  CHECK(tool("run seed_main_model --input-shape 2x2 --input-shape 2x2").status == 2);
}

TEST_CASE("diff --format json reports errors as JSON on stdout, with the same exit status") {
  const std::string plugin = std::string("--plugin ") + MODTRACE_EXAMPLE_PLUGIN;
  // The model itself fails: where, and the line that called the failing module.
  const Result failed = tool(plugin + " diff two_tower --format json --input-shape 2x8 --input-shape 2x5");
  CHECK(failed.status == 1);
  CHECK(lines(failed.err) == 1);
  const json j = json::parse(failed.out);
  CHECK(j["kind"] == "runtime");
  CHECK(j["error"].get<std::string>().starts_with("the module itself fails on this input"));
  CHECK(j["module"] == "context_proj");
  CHECK(j["module_type"] == "Linear");
  CHECK(j["called_at"].get<std::string>().starts_with("tools/plugin-example/example_plugin.cpp:"));
  CHECK(j["source"].get<std::string>().starts_with("lib/nn/layers/linear_conv.cpp:"));
  // With --at, the model failing before it reaches that module says where too.
  const Result before = tool("diff resnet18 --at layer2 --format json --input-shape 1x4x32x32 --shape-only");
  CHECK(before.status == 1);
  const json early = json::parse(before.out);
  CHECK(early["error"].get<std::string>().starts_with("the model failed before calling 'layer2': in module 'conv1'"));
  CHECK(early["module"] == "conv1");
  CHECK(early["called_at"].get<std::string>().starts_with("lib/zoo/resnet.cpp:"));
  // A usage error in JSON mode is a document too.
  CHECK(json::parse(tool("diff resnet18 --format json --input-shape 1x3x8x8 --input-shape 1x3x8x8").out)["kind"] ==
        "usage");
  const Result bad_path = tool("diff seed_main_model --at block_7 --format json");
  CHECK(bad_path.status == 1);
  const json path = json::parse(bad_path.out);
  CHECK(path["error"] == "MainModel has no child 'block_7'; its children are: block_0, block_1");
  CHECK(path["module"].is_null());
  CHECK(path["source"].is_null());
  const Result usage = tool("diff no_such_model --format json");
  CHECK(usage.status == 2);
  CHECK(json::parse(usage.out)["kind"] == "usage");
}

TEST_CASE("plugins that cannot load are runtime errors naming the library") {
  const Result missing = tool("--plugin /nonexistent/libnothing.so models");
  CHECK(missing.status == 1);
  CHECK(contains(missing.err, "cannot load plugin '/nonexistent/libnothing.so'"));
  const Result no_entry = tool(std::string("--plugin ") + MODTRACE_LIBRARY + " models");
  CHECK(no_entry.status == 1);
  CHECK(contains(no_entry.err, "does not export modtrace_plugin_init"));
  const Result version = tool(std::string("--plugin ") + MODTRACE_WRONG_PLUGIN + " models");
  CHECK(version.status == 1);
  CHECK(contains(version.err, "modtrace_plugin_init returned 1 (modtrace plugin API version 2)"));
}

TEST_CASE("a plugin registering bad models is refused with every problem named") {
  const Result r = tool(std::string("--plugin ") + MODTRACE_BAD_MODELS_PLUGIN + " models");
  CHECK(r.status == 1);
  CHECK(lines(r.err) == 1);
  CHECK(contains(r.err, "registered bad models: model '': a model needs a non-empty name;"));
  CHECK(contains(r.err, "model 'zero_sized': input shape [0, 4] must have positive sizes;"));
  CHECK(contains(r.err, "model 'odd_input': unknown input 'random'; expected ones, zeros or deterministic;"));
  CHECK(contains(r.err, "model 'seed_main_model': the zoo already has a model with this name;"));
  CHECK(contains(r.err, "model 'no_inputs': a model needs at least one input shape;"));
  CHECK(contains(r.err, "model 'null_shapes': input shapes missing;"));
  CHECK(contains(r.err, "model 'no_factory': no create function"));
}

TEST_CASE("names with escape sequences or invalid UTF-8 are shown escaped in tables, pictures and JSON") {
  Scratch s;
  const std::string plugin = std::string("--plugin ") + MODTRACE_NULL_MODEL_PLUGIN;
  const Result table = tool(plugin + " trace escape_names");
  CHECK(table.status == 0);
  CHECK(contains(table.out, "\\x1b[2Jwipe"));
  CHECK_FALSE(contains(table.out, "\x1b"));
  const Result summary = tool(plugin + " summary escape_names");
  CHECK_FALSE(contains(summary.out, "\x1b"));
  CHECK(tool(plugin + " diff escape_names -o " + (s / "d.svg")).status == 0);  // Graphviz accepts the file
  CHECK(contains(slurp(s / "d.svg"), "\\x1b[2Jwipe\xEF\xBF\xBD"));
  const Result j = tool(plugin + " trace escape_names -o " + (s / "t.json"));
  CHECK(j.status == 0);
  CHECK(json::parse(slurp(s / "t.json"))["calls"][1]["path"] == "\u001b[2Jwipe\uFFFD");
}

TEST_CASE("a plugin model whose factory returns null, or that throws a non-standard exception, is a runtime error") {
  const Result r = tool(std::string("--plugin ") + MODTRACE_NULL_MODEL_PLUGIN + " run null_model");
  CHECK(r.status == 1);
  CHECK(r.err == "modtrace: error: building null_model: plugin model 'null_model': create returned null\n");
  const Result thrown = tool(std::string("--plugin ") + MODTRACE_NULL_MODEL_PLUGIN + " run throws_int");
  CHECK(thrown.status == 1);
  CHECK(thrown.err == "modtrace: error: an exception that is not a std::exception escaped the model\n");
  const Result traced = tool(std::string("--plugin ") + MODTRACE_NULL_MODEL_PLUGIN + " trace throws_int");
  CHECK(traced.status == 1);
  CHECK(contains(traced.err, "the forward failed (the trace stops there): an exception that is not a std::exception"));
}

TEST_CASE("a plugin named without a path is refused with the reason and the fix") {
  // A plugin file in the working directory, under a name no library directory has.
  Scratch s;
  fs::copy_file(MODTRACE_EXAMPLE_PLUGIN, s / "libplugin_here.so");
  const std::string command = "cd " + (s / "") + " && " + std::string(MODTRACE_CLI) +
                              " --plugin libplugin_here.so models >" + (s / "out") + " 2>" + (s / "err");
  const int raw = std::system(command.c_str());
  CHECK((WIFEXITED(raw) ? WEXITSTATUS(raw) : -1) == 1);
  const std::string err = slurp(s / "err");
  CHECK(contains(err, "cannot load plugin 'libplugin_here.so': "));
  CHECK(contains(err, "a name without '/' is looked up in the system's library directories only, so a file in "
                      "this directory needs a path: ./libplugin_here.so"));
  // With the path, it loads.
  CHECK(std::system(("cd " + (s / "") + " && " + std::string(MODTRACE_CLI) +
                     " --plugin ./libplugin_here.so models >/dev/null").c_str()) == 0);
}

TEST_CASE("the trace table keeps its columns aligned however long the module paths") {
  const Result r = tool("trace vit_b_16 --shape-only");
  REQUIRE(r.status == 0);
  std::istringstream lines_in(r.out);
  std::string line;
  std::set<size_t> source_columns;
  while (std::getline(lines_in, line)) {
    const size_t at = line.find("lib/");
    if (at != std::string::npos) source_columns.insert(at);
  }
  CHECK(source_columns.size() == 1);  // every source starts in the same column
  CHECK(contains(r.out, "encoder.layers.encoder_layer_11.self_attention [197, 1, 768]"));
}
