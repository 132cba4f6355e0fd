// Rendering: DOT for traces and comparisons (golden files), depth collapsing,
// roles and legend, and SVG/PNG/HTML through Graphviz with clear errors.
//
// Golden files live in tests/golden/. After an intended change to the
// pictures, regenerate them with MODTRACE_UPDATE_GOLDEN=1 and review the diff.

#include <cstdlib>
#include <filesystem>
#include <thread>
#include <chrono>
#include <unistd.h>

#include "helpers.hpp"

using namespace modtrace;

namespace {

std::string golden_path(const std::string& name) { return std::string(MODTRACE_TEST_GOLDEN_DIR) + "/" + name; }

void check_golden(const std::string& name, const std::string& actual) {
  const std::string path = golden_path(name);
  if (std::getenv("MODTRACE_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(path, std::ios::binary) << actual;
    MESSAGE("updated " << path);
    return;
  }
  std::ifstream in(path, std::ios::binary);
  REQUIRE_MESSAGE(in.good(), "missing golden file " << path << " (run with MODTRACE_UPDATE_GOLDEN=1)");
  const std::string expected((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(actual == expected);
}

Trace seed_trace() {
  zoo::MainModel model;
  return trace_module(model, {Tensor::ones({2, 2})});
}

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + 1)) ++n;
  return n;
}

// Restores PATH on scope exit.
struct PathOverride {
  std::string saved = std::getenv("PATH") ? std::getenv("PATH") : "";
  explicit PathOverride(const std::string& value) { ::setenv("PATH", value.c_str(), 1); }
  ~PathOverride() { ::setenv("PATH", saved.c_str(), 1); }
};

}  // namespace

TEST_CASE("the seed trace draws as in the golden file") { check_golden("seed_trace.dot", trace_to_dot(seed_trace())); }

TEST_CASE("the seed comparison draws as in the golden file") {
  zoo::MainModel model;
  check_golden("seed_diff.dot", comparison_to_dot(compare_children(model, {Tensor::ones({2, 2})})));
}

TEST_CASE("drawing is deterministic") {
  CHECK(trace_to_dot(seed_trace()) == trace_to_dot(seed_trace()));
}

TEST_CASE("a module that ran one op is drawn as that op, labelled with the module") {
  const std::string dot = trace_to_dot(seed_trace());
  CHECK(count(dot, "subgraph \"cluster_c") == 0);
  CHECK(dot.find(" label=<<b>block_0 (SimpleBlock)</b><br/>mul<br/>other=2<br/>[2, 2]>") != std::string::npos);
  // The two functional ops are amber, the two module-owned ones blue.
  CHECK(count(dot, "fillcolor=\"#ffd966\"") == 2 + 1);  // + the legend entry
  CHECK(count(dot, "fillcolor=\"#cfe2f3\"") == 2 + 1);
}

TEST_CASE("module calls with more inside become nested clusters") {
  struct Outer : Module {
    zoo::MainModel& inner = register_module("inner", std::make_shared<zoo::MainModel>());

   protected:
    Tensor forward(const Tensor& x) override { return inner(x).flatten(); }
  } model;
  const std::string dot = trace_to_dot(trace_module(model, {Tensor::ones({2, 2})}));
  CHECK(count(dot, "subgraph \"cluster_c") == 1);
  CHECK(dot.find("label=<inner (MainModel)>") != std::string::npos);
  CHECK(dot.find("<b>inner.block_0 (SimpleBlock)</b>") != std::string::npos);
}

TEST_CASE("depth collapses deeper module calls into one node with their shapes") {
  const std::string dot = trace_to_dot(seed_trace(), {.depth = 1});
  CHECK(count(dot, "subgraph \"cluster_c") == 0);
  CHECK(dot.find("<b>block_0 (SimpleBlock)</b><br/>[2, 2] → [2, 2]") != std::string::npos);
  CHECK(dot.find("shape=box3d") != std::string::npos);
}

TEST_CASE("parameters are hidden unless asked for") {
  struct Net : Module {
    Linear& fc = register_module<Linear>("fc", 2, 2);

   protected:
    Tensor forward(const Tensor& x) override { return fc(x); }
  } net;
  const Trace t = trace_module(net, {Tensor::ones({1, 2})});
  CHECK(trace_to_dot(t).find("fc.weight") == std::string::npos);
  CHECK(trace_to_dot(t, {.show_parameters = true}).find("<b>fc.weight</b>") != std::string::npos);
}

TEST_CASE("a failing Sequential is drawn with its failure point and error") {
  struct FlattenThenLinear : Module {
    AdaptiveAvgPool2d& pool = register_module<AdaptiveAvgPool2d>("pool", 1);
    Linear& fc = register_module<Linear>("fc", 4, 3);

   protected:
    Tensor forward(const Tensor& x) override { return fc(F::flatten(pool(x), 1)); }
  } model;
  const std::string dot = comparison_to_dot(compare_children(model, {Tensor::ones({1, 4, 2, 2})}));
  CHECK(dot.find("fails") != std::string::npos);
  CHECK(dot.find("fillcolor=\"#e06666\"") != std::string::npos);
  CHECK(dot.find("input&#39;s last dimension") == std::string::npos);  // no double escaping
  CHECK(dot.find("input's last dimension is 1") != std::string::npos);
  CHECK(dot.find("the Sequential fails at fc") != std::string::npos);
}

TEST_CASE("children only the Sequential runs are marked as added") {
  struct Unused : Module {
    ReLU& used = register_module<ReLU>("used");
    Sigmoid& head = register_module<Sigmoid>("head");

   protected:
    Tensor forward(const Tensor& x) override { return used(x); }
  } model;
  const std::string dot = comparison_to_dot(compare_children(model, {Tensor::ones({2})}));
  CHECK(dot.find("child only the Sequential runs") != std::string::npos);  // legend
  CHECK(dot.find("\"b_c2\" [id=\"b_c2\", class=\"added in-cluster_sequential\", label=<<b>head (Sigmoid)</b>") != std::string::npos);
  CHECK(dot.find("fillcolor=\"#d9d2e9\"") != std::string::npos);
}

TEST_CASE("the seed's faithful Sequential draws beside the original, its replayed ops marked, as in the golden file") {
  const auto model = std::make_shared<zoo::MainModel>();
  const Repair r = repair_children(model, {Tensor::ones({2, 2})});
  const std::string dot = repair_to_dot(r);
  check_golden("seed_fix.dot", dot);
  CHECK(dot.find("step added: replays the model's own ops") != std::string::npos);  // the legend
  CHECK(count(dot, "fillcolor=\"#d9ead3\"") == 3);  // mul, add and the legend
  CHECK(dot.find("<b>replayed mul (Replay)</b>") != std::string::npos);
  CHECK(dot.find("MainModel: faithful Sequential, 4 steps; exactly the forward's output") != std::string::npos);
}

TEST_CASE("without a chain the picture shows the original and the finding that prevents one") {
  const auto model = zoo::create("resnet18");
  const Repair r = repair_children(model, zoo::default_inputs("resnet18"), {.at = "layer1.0", .shape_only = true});
  const std::string dot = repair_to_dot(r);
  CHECK(dot.find("cluster_original") != std::string::npos);
  CHECK(dot.find("cluster_repaired") == std::string::npos);
  CHECK(dot.find("a skip connection: 'add' reads the module's input") != std::string::npos);
  // A truncation that is no chain draws the extracted prefix.
  const Repair head = repair_children(model, zoo::default_inputs("resnet18"),
                                      {.at = "layer1.0", .upto = "bn2", .shape_only = true});
  CHECK(repair_to_dot(head).find("nn.Sequential up to bn2") != std::string::npos);
}

TEST_CASE("a module the root keeps unregistered is drawn as the root's own work the Sequential drops") {
  struct Helper : Module {
    std::shared_ptr<Linear> helper = make<Linear>(2, 2);  // kept in a plain member: no child
    ReLU& relu = register_module<ReLU>("relu");

   protected:
    Tensor forward(const Tensor& x) override { return relu((*helper)(x)); }
  } model;
  const std::string dot = comparison_to_dot(compare_children(model, {Tensor::ones({1, 2})}));
  const size_t node = dot.find("\"a_c1\" [id=\"a_c1\", class=\"dropped in-cluster_original\", label=<<b>&lt;Linear&gt; (Linear)</b>");
  REQUIRE(node != std::string::npos);
  const std::string line = dot.substr(node, dot.find('\n', node) - node);
  CHECK(line.find("fillcolor=\"#f4cccc\"") != std::string::npos);  // dropped, not a child module
  // Expanded, its op is drawn dropped too.
  const std::string deep = comparison_to_dot(compare_children(model, {Tensor::ones({1, 2})}), {.depth = 3});
  CHECK(count(deep, "fillcolor=\"#f4cccc\"") >= 2);  // the linear and the legend
}

TEST_CASE("depth 0 expands everything in every picture, as in a trace; the comparison's default is the children") {
  const auto model = zoo::create("resnet18");
  const ChildrenReport r = compare_children(*model, zoo::default_inputs("resnet18"), {.shape_only = true});
  const size_t children = count(comparison_to_dot(r), "label=<");
  CHECK(count(comparison_to_dot(r, {.depth = 1}), "label=<") == children);
  const size_t all = count(comparison_to_dot(r, {.depth = 0}), "label=<");
  CHECK(all > 2 * children);  // layer1's blocks, their convolutions, norms and adds
  CHECK(all == count(comparison_to_dot(r, {.depth = 10}), "label=<"));
  const Repair fix = repair_children(model, zoo::default_inputs("resnet18"), {.shape_only = true});
  CHECK(count(repair_to_dot(fix, {.depth = 0}), "label=<") > 2 * count(repair_to_dot(fix), "label=<"));
}

TEST_CASE("Graphviz renders SVG and PNG") {
  const std::string dot = trace_to_dot(seed_trace());
  const std::string svg = render_dot(dot, "svg");
  CHECK(svg.find("<svg") != std::string::npos);
  CHECK(svg.find("block_0 (SimpleBlock)") != std::string::npos);
  const std::string png = render_dot(dot, "png");
  REQUIRE(png.size() > 8);
  CHECK(png.substr(0, 8) == std::string("\x89PNG\r\n\x1a\n", 8));
}

TEST_CASE("write_picture chooses by extension and refuses others") {
  const auto dir = std::filesystem::temp_directory_path() / "modtrace-render-test";
  std::filesystem::create_directories(dir);
  const std::string dot = trace_to_dot(seed_trace());
  write_picture(dot, (dir / "seed.dot").string());
  write_picture(dot, (dir / "seed.svg").string());
  CHECK(std::filesystem::file_size(dir / "seed.dot") == dot.size());
  CHECK(std::filesystem::file_size(dir / "seed.svg") > dot.size() / 2);
  CHECK(test::error_of([&] { write_picture(dot, (dir / "seed.jpg").string()); }) ==
        "cannot write '" + (dir / "seed.jpg").string() + "': the extension must be .dot, .svg, .png or .html");
  CHECK(test::error_of([&] { write_picture(dot, "/nonexistent-dir/seed.dot"); }) ==
        "cannot write '/nonexistent-dir/seed.dot': No such file or directory");
  std::filesystem::remove_all(dir);
}

TEST_CASE("without Graphviz, rendering is a clear error") {
  PathOverride no_graphviz("/nonexistent");
  CHECK(test::error_of([] { render_dot("digraph {}", "svg"); }) ==
        "Graphviz's 'dot' was not found on PATH; install Graphviz (tools/install-deps.sh does) or write .dot");
}

namespace {

// A stand-in for Graphviz's dot: a shell script first on PATH.
struct FakeDot {
  std::filesystem::path dir = std::filesystem::temp_directory_path() / ("modtrace-fake-dot-" + std::to_string(::getpid()));
  explicit FakeDot(const std::string& script) {
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "dot") << "#!/bin/sh\n" << script << "\n";
    std::filesystem::permissions(dir / "dot", std::filesystem::perms::owner_all);
  }
  ~FakeDot() { std::filesystem::remove_all(dir); }
};

}  // namespace

TEST_CASE("a dot that writes nothing, crashes or hangs is an error naming what happened; no file is left") {
  const std::string dot = trace_to_dot(seed_trace());
  const auto out = std::filesystem::temp_directory_path() / ("modtrace-fake-" + std::to_string(::getpid()) + ".svg");
  {
    FakeDot fake("exit 0");  // exits 0 and writes nothing
    PathOverride path(fake.dir.string());
    CHECK(test::error_of([&] { write_picture(dot, out.string()); }) ==
          "Graphviz's dot exited without error but wrote nothing; nothing was written");
    CHECK_FALSE(std::filesystem::exists(out));
  }
  {
    FakeDot fake("kill -SEGV $$");  // as dot does on a 100 000-node chain
    PathOverride path(fake.dir.string());
    CHECK(test::error_of([&] { render_dot(dot, "svg"); }) ==
          "Graphviz's dot crashed rendering svg (Segmentation fault), as it does on graphs too large for it; draw fewer "
          "nodes: a smaller --depth (RenderOptions::depth) or a sub-module with --at");
  }
  {
    FakeDot fake("exec /bin/sleep 30");
    PathOverride path(fake.dir.string());
    ::setenv("MODTRACE_DOT_TIMEOUT", "1", 1);
    const auto start = std::chrono::steady_clock::now();
    CHECK(test::error_of([&] { render_dot(dot, "png"); })
              .rfind("Graphviz's dot did not finish rendering png within 1 s (MODTRACE_DOT_TIMEOUT sets the limit)", 0) == 0);
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(10));
    ::unsetenv("MODTRACE_DOT_TIMEOUT");
  }
  {
    // A bad limit is refused before dot starts: no dot is left running
    // unwaited (it held the test's output open for its 30 s).
    const auto started = std::filesystem::temp_directory_path() / ("modtrace-dot-started-" + std::to_string(::getpid()));
    FakeDot fake("touch " + started.string() + "; exec /bin/sleep 30");
    PathOverride path(fake.dir.string());
    ::setenv("MODTRACE_DOT_TIMEOUT", "soon", 1);
    CHECK(test::error_of([&] { render_dot(dot, "png"); }) ==
          "MODTRACE_DOT_TIMEOUT='soon' is not a number of seconds between 1 and 86400");
    ::unsetenv("MODTRACE_DOT_TIMEOUT");
    std::this_thread::sleep_for(std::chrono::milliseconds(200));  // time for a wrongly started dot to show
    CHECK_FALSE(std::filesystem::exists(started));
    std::filesystem::remove(started);
  }
}

TEST_CASE("names with control bytes or invalid UTF-8 are drawn escaped, and Graphviz accepts the file") {
  struct Odd : Module {
    ReLU& odd = register_module<ReLU>("bell\x07\xff\xc0\xaf" "end");  // a control byte, a stray byte, an overlong '/'

   protected:
    Tensor forward(const Tensor& x) override { return odd(x) * 2; }
  } model;
  const Trace t = trace_module(model, {Tensor::ones({2})});
  const std::string dot = trace_to_dot(t);
  CHECK(dot.find("bell\\\\x07\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD" "end (ReLU)") != std::string::npos);
  CHECK(std::none_of(dot.begin(), dot.end(), [](char c) { return c == '\x07'; }));
  CHECK_NOTHROW(nlohmann::json(dot).dump());  // valid UTF-8 throughout
  CHECK(render_dot(dot, "svg").find("<svg") != std::string::npos);  // dot rejected the raw bytes
  // JSON replaces them too, rather than failing to serialise.
  const nlohmann::json j = nlohmann::json::parse(trace_to_json(t));
  CHECK(j["calls"][1]["path"] == "bell\u0007\uFFFD\uFFFD\uFFFDend");
}

TEST_CASE("Graphviz's own errors are reported") {
  CHECK(test::error_of([] { render_dot("digraph { this is not dot", "svg"); })
            .rfind("Graphviz's dot failed to render svg (exit 1)", 0) == 0);
  CHECK(test::error_of([] { render_dot("digraph {}", "pdf"); }) == "cannot render 'pdf': expected svg, png or html");
}
