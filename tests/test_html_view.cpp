// The HTML view's inputs and page: every drawn node and module cluster
// carries its details as a tooltip and its role and enclosing clusters as
// SVG classes (what the page's script reads), the text survives Graphviz
// unchanged, and render_dot(…, "html") makes one self-contained page.
// What the page does in a browser is tested in tests/browser/.

#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>

#include "helpers.hpp"

using namespace modtrace;

namespace {

std::string slurp_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The DOT line of node `id`.
std::string dot_line(const std::string& dot, const std::string& id) {
  const size_t at = dot.find("\"" + id + "\" [id=");
  REQUIRE_MESSAGE(at != std::string::npos, "no node " << id);
  return dot.substr(at, dot.find('\n', at) - at);
}

// The text of the SVG element with this id's tooltip, XML entities undone.
std::string svg_tooltip(const std::string& svg, const std::string& id) {
  const size_t g = svg.find("<g id=\"" + id + "\"");
  REQUIRE_MESSAGE(g != std::string::npos, "no SVG element " << id);
  const size_t start = svg.find("xlink:title=\"", g) + 13;
  std::string text = svg.substr(start, svg.find('"', start) - start);
  const std::pair<const char*, const char*> entities[] = {
      {"&#10;", "\n"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&#39;", "'"}, {"&#45;", "-"}, {"&amp;", "&"}};
  for (const auto& [entity, plain] : entities) {
    for (size_t at = text.find(entity); at != std::string::npos; at = text.find(entity, at + 1)) {
      text.replace(at, std::strlen(entity), plain);
    }
  }
  return text;
}

struct Outer : Module {
  Sequential& body = register_module("body", std::make_shared<Sequential>(std::vector<std::shared_ptr<Module>>{
                                                 std::make_shared<zoo::MainModel>(), std::make_shared<ReLU>()}));

 protected:
  Tensor forward(const Tensor& x) override { return body(x).flatten(); }
};

}  // namespace

TEST_CASE("an op's tooltip gives op, module, ownership, shapes, attributes and the line that ran it") {
  const auto model = zoo::create("resnet18");
  const Trace t = trace_module(*model, zoo::default_inputs("resnet18"), {.shape_only = true});
  const std::string dot = trace_to_dot(t);
  std::smatch m;
  REQUIRE(std::regex_search(dot, m, std::regex(R"re(tooltip="op: flatten\\nmodule: \(the traced module\)\\nownership: )re"
                                               R"re(functional: the traced module's own code\\ninputs: \[1, 512, 1, 1\]\\n)re"
                                               R"re(output: \[1, 512\]\\nattributes: start_dim=1, end_dim=-1\\nsource: lib/zoo/resnet\.cpp:(\d+)")re")));
  // The line named is the one in ResNet's forward that flattens.
  const std::string source = slurp_file(std::filesystem::path(MODTRACE_SOURCE_DIR) / "lib/zoo/resnet.cpp");
  size_t at = 0;
  for (int line = 1; line < std::stoi(m[1]); ++line) at = source.find('\n', at) + 1;
  CHECK(source.substr(at, source.find('\n', at) - at).find("flatten") != std::string::npos);
}

TEST_CASE("a module cluster's tooltip gives path, type, shapes and the line that called it") {
  Outer model;
  const std::string dot = trace_to_dot(trace_module(model, {Tensor::ones({2, 2})}));
  CHECK(dot.find("subgraph \"cluster_c2\" {\n      id=\"cluster_c2\"; class=\"module in-cluster_c1\"; tooltip=\"module: "
                 "body.0\\ntype: MainModel\\ninputs: [2, 2]\\noutputs: [2, 2]\\ncalled at: lib/nn/containers.cpp:") !=
        std::string::npos);
}

TEST_CASE("a node's classes are its role and every cluster around it, innermost first") {
  Outer model;
  const std::string dot = trace_to_dot(trace_module(model, {Tensor::ones({2, 2})}));
  // body (c1) > body.0 (c2) > body.0's own mul by 3 (n2): for the root, work inside child body.
  CHECK(dot_line(dot, "n2").starts_with("\"n2\" [id=\"n2\", class=\"module-owned in-cluster_c2 in-cluster_c1\""));
  // The root's own flatten sits in no cluster: the traced root is the picture.
  CHECK(dot_line(dot, "n6").starts_with("\"n6\" [id=\"n6\", class=\"functional\", label=<<b>flatten</b>"));
  CHECK(dot_line(dot, "n0").find("tooltip=\"input: input\\nshape: [2, 2]\"") != std::string::npos);
  SUBCASE("in a comparison, the halves are clusters too, and the original's own ops are dropped") {
    zoo::MainModel seed;
    const std::string diff = comparison_to_dot(compare_children(seed, {Tensor::ones({2, 2})}));
    CHECK(dot_line(diff, "a_n2").starts_with("\"a_n2\" [id=\"a_n2\", class=\"dropped in-cluster_original\""));
    CHECK(diff.find("id=\"cluster_sequential\"; class=\"half\";") != std::string::npos);
  }
  SUBCASE("the legend is marked as such, so that searching skips it") {
    CHECK(dot.find("id=\"cluster_legend\"; class=\"legend\";") != std::string::npos);
    CHECK(dot.find("\"legend_0\" [id=\"legend_0\", class=\"legend\"") != std::string::npos);
  }
}

TEST_CASE("labels and tooltips reach the SVG as written: backslashes, quotes, markup and control bytes") {
  struct Named : Module {
    ReLU& odd = register_module<ReLU>("a\\N \"q\" <b>&amp;\x01" "end");

   protected:
    Tensor forward(const Tensor& x) override { return odd(x) * 2; }
  } model;
  const Trace t = trace_module(model, {Tensor::ones({2})});
  const std::string svg = render_dot(trace_to_dot(t), "svg");
  // Graphviz would have read \N as the node's name and dropped the quotes.
  CHECK(svg_tooltip(svg, "n1").starts_with(
      "op: relu\nmodule: a\\N \"q\" <b>&amp;\\x01end\nownership: module-owned: inside child a\\N \"q\" <b>&amp;\\x01end\n"
      "inputs: [2]\noutput: [2]\n"));
  // The label too: Graphviz expands \N inside HTML-like labels as well.
  CHECK(svg.find(">a\\N &quot;q&quot; &lt;b&gt;&amp;amp;\\x01end (ReLU)</text>") != std::string::npos);
}

TEST_CASE("an HTML view is one page: the SVG inline, the script and styles in it, nothing from elsewhere") {
  zoo::MainModel seed;
  const std::string dot = trace_to_dot(trace_module(seed, {Tensor::ones({2, 2})}));
  const std::string page = render_dot(dot, "html");
  CHECK(page.starts_with("<!DOCTYPE html>"));
  CHECK(page.find("<svg") != std::string::npos);
  CHECK(page.find("<?xml") == std::string::npos);  // the SVG's XML prologue has no place in HTML
  CHECK(page.find("<!DOCTYPE svg") == std::string::npos);
  CHECK(page.find("modtrace:") == std::string::npos);  // no marker left
  // The script is lib/render/html/view.js as it is in the source tree.
  const std::string script = slurp_file(std::filesystem::path(MODTRACE_SOURCE_DIR) / "lib/render/html/view.js");
  REQUIRE(script.size() > 1000);
  CHECK(page.find(script) != std::string::npos);
  // Self-contained: nothing is loaded, so no src= or href= anywhere (the
  // tooltips carry no links either).
  CHECK(page.find(" src=") == std::string::npos);
  CHECK(page.find("href=") == std::string::npos);
  CHECK(page.find("http://www.w3.org/2000/svg") != std::string::npos);  // a namespace name, not a request
  SUBCASE("write_picture writes it for .html") {
    const auto path = std::filesystem::temp_directory_path() / ("modtrace-view-" + std::to_string(::getpid()) + ".html");
    write_picture(dot, path.string());
    CHECK(slurp_file(path) == page);
    std::filesystem::remove(path);
  }
}
