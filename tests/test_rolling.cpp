// Rolling (RenderOptions::roll, `trace --roll`, torchview's roll=True):
// identical consecutive module calls, each fed only the previous one's
// result, are drawn once and labelled ×N; anything that tells them apart
// (a shape, an op, a result read elsewhere) keeps them apart.

#include <regex>

#include "cli.hpp"

using namespace modtrace;

namespace {

// linear then relu.
struct Block : Module {
  Linear& fc;
  ReLU& act = register_module<ReLU>("act");
  Block(int64_t in, int64_t out) : fc(register_module<Linear>("fc", in, out)) {}

 protected:
  Tensor forward(const Tensor& x) override { return act(fc(x)); }
};

std::shared_ptr<Sequential> blocks(std::vector<std::pair<int64_t, int64_t>> sizes) {
  std::vector<std::shared_ptr<Module>> list;
  for (const auto& [in, out] : sizes) list.push_back(std::make_shared<Block>(in, out));
  return std::make_shared<Sequential>(list);
}

// body then head.
struct Net : Module {
  Sequential& body;
  Linear& head;
  explicit Net(std::shared_ptr<Sequential> b, int64_t width)
      : body(register_module("body", std::move(b))), head(register_module<Linear>("head", width, 2)) {}

 protected:
  Tensor forward(const Tensor& x) override { return head(body(x)); }
};

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// The DOT id of the node whose label starts with `bold` (its first line).
std::string node_id(const std::string& dot, const std::string& bold) {
  std::smatch m;
  const std::regex node("\\n +\"([A-Za-z0-9_]+)\" \\[id=\"[A-Za-z0-9_]+\", class=\"[^\"]*\", label=<<b>" +
                        std::regex_replace(bold, std::regex(R"([\[\]().*+?])"), R"(\$&)") + "</b>");
  REQUIRE_MESSAGE(std::regex_search(dot, m, node), "no node labelled " << bold);
  return m[1];
}

}  // namespace

TEST_CASE("identical chained blocks are drawn once, labelled with their count, and what follows reads the run's result") {
  Net net(blocks({{4, 4}, {4, 4}, {4, 4}, {4, 4}}), 4);
  const Trace t = trace_module(net, {Tensor::ones({1, 4})});
  const std::string plain = trace_to_dot(t);
  const std::string rolled = trace_to_dot(t, {.roll = true});
  CHECK(count(plain, "(Block)") == 4);
  CHECK(count(rolled, "(Block)") == 1);
  CHECK(count(rolled, "label=<body.0 … body.3 (Block) ×4>") == 1);
  // The head's linear is fed by the one drawn block's relu.
  const std::string relu = node_id(rolled, "body.0.act (ReLU)");
  const std::string head = node_id(rolled, "head (Linear)");
  CHECK(count(rolled, "\"" + relu + "\" -> \"" + head + "\"") == 1);
  // Nothing of the rolled-away blocks is drawn.
  CHECK(count(rolled, "body.1.") == 0);
  CHECK(count(rolled, "body.3.") == 0);
}

TEST_CASE("a block with other shapes starts a run of its own, and a lone block is not labelled") {
  Net net(blocks({{4, 8}, {8, 8}, {8, 8}, {8, 3}}), 3);
  const std::string dot = trace_to_dot(trace_module(net, {Tensor::ones({1, 4})}), {.roll = true});
  CHECK(count(dot, "label=<body.0 (Block)>") == 1);
  CHECK(count(dot, "label=<body.1 … body.2 (Block) ×2>") == 1);
  CHECK(count(dot, "label=<body.3 (Block)>") == 1);
}

TEST_CASE("blocks whose results are also read elsewhere are not rolled") {
  struct Skip : Module {
    Block& a = register_module("a", std::make_shared<Block>(4, 4));
    Block& b = register_module("b", std::make_shared<Block>(4, 4));

   protected:
    Tensor forward(const Tensor& x) override {
      const Tensor y = a(x);
      return b(y) + y;  // a's result feeds b and the add
    }
  } model;
  const std::string dot = trace_to_dot(trace_module(model, {Tensor::ones({1, 4})}), {.roll = true});
  CHECK(count(dot, "(Block)") == 2);
  CHECK(count(dot, "×") == 0);
}

TEST_CASE("with parameters shown, only the drawn block's are") {
  Net net(blocks({{4, 4}, {4, 4}, {4, 4}}), 4);
  const std::string dot =
      trace_to_dot(trace_module(net, {Tensor::ones({1, 4})}), {.show_parameters = true, .roll = true});
  CHECK(count(dot, "<b>body.0.fc.weight</b>") == 1);
  CHECK(count(dot, "body.1.fc.weight") == 0);
  CHECK(count(dot, "body.2.fc.bias") == 0);
  CHECK(count(dot, "<b>head.weight</b>") == 1);
}

TEST_CASE("trace --roll draws ResNet-50's stages and ViT's encoder rolled, and Graphviz accepts them") {
  using namespace test::cli;
  const Scratch s;
  const Result resnet = tool("trace resnet50 --shape-only --depth 2 --roll -o " + (s / "resnet.dot"));
  REQUIRE(resnet.status == 0);
  const std::string dot = slurp(s / "resnet.dot");
  // The first block of a stage downsamples: it stays apart.
  CHECK(count(dot, "<b>layer1.0 (Bottleneck)</b>") == 1);
  CHECK(count(dot, "<b>layer1.1 … layer1.2 (Bottleneck) ×2</b>") == 1);
  CHECK(count(dot, "<b>layer3.1 … layer3.5 (Bottleneck) ×5</b>") == 1);
  CHECK(count(dot, "(Bottleneck)") == 8);  // 16 blocks drawn as 8
  const Result vit = tool("trace vit_b_16 --shape-only --depth 3 --roll -o " + (s / "vit.svg"));
  REQUIRE(vit.status == 0);
  CHECK(contains(slurp(s / "vit.svg"), "encoder.layers.encoder_layer_0 … encoder_layer_11 (EncoderBlock) ×12"));
}
