// How a finished trace stores what it recorded: compactly (equal shapes and
// attributes once, text in one arena, nothing a neighbour already says) and
// without losing a byte of it.

#include <numeric>

#include "helpers.hpp"

using namespace modtrace;
using namespace std::string_literals;

namespace {

// Children and parameters under long names, enough text to fill several of
// the arena's blocks before the trace compacts it into one.
struct LongNames : Module {
  LongNames() {
    for (int i = 0; i < 24; ++i) {
      layers.push_back(&register_module<Linear>("a_rather_long_layer_name_to_fill_the_text_arena_" + std::to_string(i), 2, 2));
    }
  }
  std::vector<Linear*> layers;

 protected:
  Tensor forward(const Tensor& x) override {
    Tensor y = x;
    for (Linear* layer : layers) y = (*layer)(y);
    return y;
  }
};

// Names PyTorch allows and terminals do not: an escape sequence, a NUL.
struct OddNames : Module {
  Linear& colour = register_module<Linear>("\x1b[31mred\x1b[0m", 2, 2);
  Linear& nul = register_module<Linear>("a\0b"s, 2, 2);

 protected:
  Tensor forward(const Tensor& x) override { return nul(colour(x)); }
};

// Reads its weight through an alias of another shape: same storage, not the parameter.
struct Aliased : Module {
  Tensor& weight = register_parameter("weight", Tensor::deterministic({2, 3}));

 protected:
  Tensor forward(const Tensor& x) override { return x + weight.alias({3, 2}); }
};

}  // namespace

TEST_CASE("a node is 40 bytes and a module call 80 on a 64-bit machine") {
  // What a trace of a million ops costs rests on these (reliability.md).
  CHECK(sizeof(Node) == 40);
  CHECK(sizeof(ModuleCall) == 80);
}

TEST_CASE("vertices are numbered in execution order: every edge goes forward") {
  auto model = zoo::create("resnet18");
  const Trace t = trace_module(*model, {Tensor::meta({1, 3, 224, 224})}, {.shape_only = true});
  std::vector<Vertex> expected(boost::num_vertices(t.graph()));
  std::iota(expected.begin(), expected.end(), Vertex{0});
  CHECK(t.nodes() == expected);
  size_t forward = 0;
  for (const auto e : boost::make_iterator_range(boost::edges(t.graph()))) {
    forward += boost::source(e, t.graph()) < boost::target(e, t.graph()) ? 1 : 0;
  }
  CHECK(forward == boost::num_edges(t.graph()));
  CHECK(t.inputs() == std::vector<Vertex>{0});
}

TEST_CASE("an op's input shapes are its operands' shapes, a chunk's second part included") {
  TraceSession session;
  const Tensor x = session.input(Tensor::ones({2, 6}));
  const Tensors parts = F::chunk(x, 2, 1);
  const Tensor y = parts[1] * 2.0;
  const Tensor z = F::cat({y, parts[0], x}, 1);
  const Tensor w = F::linear(Tensor::ones({2, 12}), Tensor::ones({5, 12}), Tensor());  // no bias
  session.output({z, w});
  const Trace t = session.finish();
  const auto ops = t.op_nodes();
  REQUIRE(ops.size() == 4);
  CHECK(t.input_shapes(ops[0]) == std::vector<Shape>{{2, 6}});
  CHECK(t.input_shapes(ops[1]) == std::vector<Shape>{{2, 3}});
  CHECK(t.input_shapes(ops[2]) == std::vector<Shape>{{2, 3}, {2, 3}, {2, 6}});
  CHECK(t.input_shapes(ops[3]) == std::vector<Shape>{{2, 12}, {5, 12}});  // the absent bias is not listed
  CHECK(t.shape_of(ops[0], 1) == Shape{2, 3});
}

TEST_CASE("shape_of refuses an output a node does not have") {
  TraceSession session;
  const Tensor x = session.input(Tensor::ones({2, 6}));
  const Tensors parts = F::chunk(x, 2, 1);
  session.output({parts[0] * 2.0});
  const Trace t = session.finish();
  const auto ops = t.op_nodes();
  CHECK(test::error_of([&] { (void)t.shape_of(ops[0], 2); }) == "node 1 (chunk) has 2 outputs: no output 2");
  CHECK(test::error_of([&] { (void)t.shape_of(ops[1], 1); }) == "node 2 (mul) has 1 output: no output 1");
  CHECK(test::error_of([&] { (void)t.shape_of(ops[1], -1); }) == "node 2 (mul) has 1 output: no output -1");
  CHECK(test::error_of([&] { (void)t.shape_of(0, 1); }) == "node 0 (input) has 1 output: no output 1");
}

TEST_CASE("a tensor sharing a parameter's storage under another shape is a constant with its own tensor") {
  Aliased model;
  const Trace t = trace_module(model, {Tensor::ones({3, 2})});
  int constants = 0;
  for (Vertex v : t.nodes()) {
    const Node& n = t.graph()[v];
    CHECK(n.kind != NodeKind::parameter);
    if (n.kind != NodeKind::constant) continue;
    ++constants;
    CHECK(n.name() == "constant");
    CHECK(n.shape() == Shape{3, 2});
    const Tensor value = t.value(v);
    CHECK(value.shape() == Shape{3, 2});
    CHECK(value.data() == model.weight.data());
  }
  CHECK(constants == 1);
}

TEST_CASE("names and paths keep every byte through the arena's compaction, escape sequences and NULs included") {
  LongNames long_names;
  const Trace t = trace_module(long_names, {Tensor::ones({1, 2})});
  std::vector<std::string> paths, names;
  for (const ModuleCall& c : t.calls()) paths.emplace_back(c.path());
  for (Vertex v : t.nodes()) {
    if (t.graph()[v].kind == NodeKind::parameter) names.emplace_back(t.graph()[v].name());
  }
  std::vector<std::string> expected_paths{""}, expected_names;
  for (const auto& [name, child] : long_names.named_children()) expected_paths.push_back(name);
  for (const auto& [key, tensor] : long_names.named_parameters()) expected_names.push_back(key);
  CHECK(paths == expected_paths);
  CHECK(names == expected_names);
  CHECK(t.calls()[24].type() == "Linear");

  OddNames odd;
  const Trace u = trace_module(odd, {Tensor::ones({1, 2})});
  REQUIRE(u.calls().size() == 3);
  CHECK(u.calls()[1].path() == "\x1b[31mred\x1b[0m");
  CHECK(u.calls()[2].path() == "a\0b"s);
  CHECK(u.calls()[2].path().size() == 3);
}

TEST_CASE("a trace keeps each op's own attributes though equal ones are stored once: -0.0 is not 0.0") {
  TraceSession session;
  const Tensor x = session.input(Tensor::ones({2}));
  const Tensor a = x * 0.0;
  const Tensor b = x * -0.0;
  const Tensor c = x * 0.0;
  session.output({a, b, c});
  const Trace t = session.finish();
  std::vector<std::string> attrs;
  for (Vertex v : t.op_nodes()) attrs.push_back(to_string(t.graph()[v].attrs()));
  CHECK(attrs == std::vector<std::string>{"other=0", "other=-0", "other=0"});
  // Stored once: the first and third node point to the same attributes, and
  // every node to the same shape.
  const auto ops = t.op_nodes();
  CHECK(&t.graph()[ops[0]].attrs() == &t.graph()[ops[2]].attrs());
  CHECK(&t.graph()[ops[0]].attrs() != &t.graph()[ops[1]].attrs());
  CHECK(&t.graph()[ops[0]].shape() == &t.graph()[ops[1]].shape());
}
