// Tracing: every op becomes a node with its module call, ownership and
// source line; module calls are recorded; shape-only traces give the same
// graph; traces are per thread; a failing forward leaves a partial trace.

#include <algorithm>
#include <thread>

#include "helpers.hpp"

using namespace modtrace;

namespace {

std::vector<std::string> op_names(const Trace& t) {
  std::vector<std::string> out;
  for (Vertex v : t.op_nodes()) out.emplace_back(t.graph()[v].op_name());
  return out;
}

// Who owns each op relative to the root: "functional" or the child's path.
std::vector<std::string> owners(const Trace& t) {
  std::vector<std::string> out;
  for (Vertex v : t.op_nodes()) {
    const Ownership o = t.ownership(v);
    out.push_back(o.functional() ? "functional" : o.child);
  }
  return out;
}

struct Twice : Module {
  Linear& fc = register_module<Linear>("fc", 2, 2);
  BatchNorm2d& unused = register_module<BatchNorm2d>("unused", 2);

 protected:
  Tensor forward(const Tensor& x) override { return fc(F::relu(fc(x))); }
};

struct Outer : Module {
  Sequential& body = register_module("body", std::make_shared<Sequential>(std::vector<std::shared_ptr<Module>>{
                                                 std::make_shared<zoo::MainModel>(), std::make_shared<ReLU>()}));

 protected:
  Tensor forward(const Tensor& x) override { return body(x).flatten(); }
};

struct Broken : Module {
  Linear& fc = register_module<Linear>("fc", 4, 2);

 protected:
  Tensor forward(const Tensor& x) override { return fc(x * 2); }
};

}  // namespace

TEST_CASE("the seed example records four ops: two module-owned muls, a functional mul and add") {
  zoo::MainModel model;
  const Trace t = trace_module(model, {Tensor::ones({2, 2})});
  REQUIRE(t.completed());
  CHECK(op_names(t) == std::vector<std::string>{"mul", "mul", "add", "mul"});
  CHECK(owners(t) == std::vector<std::string>{"block_0", "functional", "functional", "block_1"});
  const std::vector<Vertex> ops = t.op_nodes();
  CHECK(t.graph()[ops[1]].attrs().real("other") == 3.0);
  CHECK(t.graph()[ops[2]].attrs().real("other") == 3.0);
  CHECK(t.graph()[ops[0]].attrs().real("other") == 2.0);
  CHECK(t.graph()[ops[0]].shape() == Shape{2, 2});
  CHECK(t.input_shapes(ops[0]) == std::vector<Shape>{{2, 2}});
}

TEST_CASE("the seed example's functional ops point at the lines of MainModel's code") {
  zoo::MainModel model;
  const Trace t = trace_module(model, {Tensor::ones({2, 2})});
  const std::vector<Vertex> ops = t.op_nodes();
  const SourceLocation mul = t.graph()[ops[1]].source;
  const SourceLocation add = t.graph()[ops[2]].source;
  CHECK(source_text(mul).rfind("lib/zoo/seed.cpp:", 0) == 0);
  CHECK(std::string(mul.function_name()).find("MainModel::functional_stuff") != std::string::npos);
  CHECK(std::string(add.function_name()).find("MainModel::forward") != std::string::npos);
  CHECK(std::string(t.graph()[ops[0]].source.function_name()).find("SimpleBlock::functional_stuff") !=
        std::string::npos);
}

TEST_CASE("edges follow the data: input -> mul -> mul -> add -> mul -> output") {
  zoo::MainModel model;
  const Trace t = trace_module(model, {Tensor::ones({2, 2})});
  const Graph& g = t.graph();
  REQUIRE(t.inputs().size() == 1);
  REQUIRE(t.outputs().size() == 1);
  std::vector<std::string> chain;
  Vertex v = t.inputs()[0];
  while (true) {
    const Node& n = g[v];
    chain.push_back(n.kind == NodeKind::op ? std::string(n.op_name()) : std::string(kind_name(n.kind)));
    if (boost::out_degree(v, g) == 0) break;
    REQUIRE(boost::out_degree(v, g) == 1);
    v = boost::target(*boost::out_edges(v, g).first, g);
  }
  CHECK(chain == std::vector<std::string>{"input", "mul", "mul", "add", "mul", "output"});
}

TEST_CASE("module calls are recorded with path, type, depth and their input and output values") {
  zoo::MainModel model;
  const Trace t = trace_module(model, {Tensor::ones({2, 2})});
  REQUIRE(t.calls().size() == 3);
  const ModuleCall& root = t.calls()[0];
  CHECK(root.path() == "");
  CHECK(root.type() == "MainModel");
  CHECK(root.parent == -1);
  CHECK(root.completed);
  const ModuleCall& block_1 = t.calls()[2];
  CHECK(block_1.path() == "block_1");
  CHECK(block_1.type() == "SimpleBlock");
  CHECK(block_1.depth == 1);
  CHECK(block_1.parent == 0);
  REQUIRE(block_1.inputs().size() == 1);
  CHECK(t.graph()[block_1.inputs()[0]].op_name() == "add");
  CHECK(t.child_calls(0) == std::vector<int>{1, 2});
}

TEST_CASE("a child called twice has calls 0 and 1; an unused child has none") {
  Twice model;
  const Trace t = trace_module(model, {Tensor::ones({1, 2})});
  const std::vector<int> fc_calls = t.calls_of("fc");
  REQUIRE(fc_calls.size() == 2);
  CHECK(t.calls()[fc_calls[0]].call_index == 0);
  CHECK(t.calls()[fc_calls[1]].call_index == 1);
  CHECK(t.calls_of("unused").empty());
  CHECK(owners(t) == std::vector<std::string>{"fc", "functional", "fc"});
}

TEST_CASE("parameters and buffers become named nodes feeding the ops that read them") {
  Twice model;
  const Trace t = trace_module(model, {Tensor::ones({1, 2})});
  std::vector<std::string> parameters;
  for (Vertex v : t.nodes()) {
    if (t.graph()[v].kind == NodeKind::parameter) parameters.emplace_back(t.graph()[v].name());
  }
  CHECK(parameters == std::vector<std::string>{"fc.weight", "fc.bias"});  // once each, though fc runs twice
  const Vertex linear = t.op_nodes()[0];
  CHECK(boost::in_degree(linear, t.graph()) == 3);
}

TEST_CASE("a trace gives the model's own tensors for parameter nodes, so it can be replayed") {
  Twice model;
  const Trace t = trace_module(model, {Tensor::ones({1, 2})});
  int parameters = 0;
  for (Vertex v : t.nodes()) {
    const Node& n = t.graph()[v];
    if (n.kind == NodeKind::parameter) {
      ++parameters;
      CHECK(t.value(v).is_same(model.get_parameter(n.name())));
    }
    if (n.kind == NodeKind::op) CHECK_FALSE(t.value(v).defined());  // an op's result is not kept
  }
  CHECK(parameters == 2);
}

TEST_CASE("a module call records which output of its argument's node it received") {
  struct TakesSecond : Module {
    Linear& fc = register_module<Linear>("fc", 3, 3);

   protected:
    Tensor forward(const Tensor& x) override { return fc(F::chunk(x, 2)[1]); }
  } model;
  const Trace t = trace_module(model, {Tensor::deterministic({4, 3})});
  const ModuleCall& fc = t.calls()[1];
  REQUIRE(fc.path() == "fc");
  CHECK(std::ranges::equal(fc.input_slots(), std::vector<int>{1}));   // the chunk's second part
  CHECK(std::ranges::equal(fc.output_slots(), std::vector<int>{0}));
}

TEST_CASE("nested modules: ownership names the root's child and the innermost module") {
  Outer model;
  const Trace t = trace_module(model, {Tensor::ones({2, 2})});
  const std::vector<Vertex> ops = t.op_nodes();
  REQUIRE(op_names(t) == std::vector<std::string>{"mul", "mul", "add", "mul", "relu", "flatten"});
  const Ownership first = t.ownership(ops[0]);
  CHECK(first.module_owned());
  CHECK(first.child == "body");
  CHECK(first.module == "body.0.block_0");
  std::vector<std::string> stack;
  for (int c : t.call_stack(ops[0])) stack.emplace_back(t.calls()[c].path());
  CHECK(stack == std::vector<std::string>{"", "body", "body.0", "body.0.block_0"});
  CHECK(t.call_stack(t.inputs()[0]).empty());
  CHECK(t.ownership(ops[5]).functional());
  SUBCASE("relative to body.0 (the MainModel inside), its own mul and add are functional") {
    CHECK(t.ownership(ops[1], "body.0").functional());
    CHECK(t.ownership(ops[2], "body.0").functional());
    CHECK(t.ownership(ops[0], "body.0").child == "body.0.block_0");
    CHECK(t.ownership(ops[4], "body.0").kind == Ownership::Kind::outside);
  }
}

TEST_CASE("F:: calls and operators record the line where they are written") {
  Tensor x = Tensor::ones({2});
  TraceSession session;
  const int line = __LINE__ + 1;
  const Tensor a = F::relu(x);
  const Tensor b = a * 3;  // same line + 1
  const Trace t = session.finish();
  const std::vector<Vertex> ops = t.op_nodes();
  REQUIRE(ops.size() == 2);
  CHECK(source_text(t.graph()[ops[0]].source) == "tests/test_tracing.cpp:" + std::to_string(line));
  CHECK(source_text(t.graph()[ops[1]].source) == "tests/test_tracing.cpp:" + std::to_string(line + 1));
}

TEST_CASE("every op through F:: is recorded, views and copies included") {
  TraceSession session;
  const Tensor x = session.input(Tensor::ones({1, 2, 4, 4}), "x");
  Tensor y = F::max_pool2d(F::conv2d(x, Tensor::ones({3, 2, 3, 3}), {}, 1, 1), 2);
  y = F::cat({y.flatten(1), F::mean(y, {2, 3})}, 1).reshape({1, -1}).transpose(0, 1).select(1, 0);
  const Trace t = session.finish();
  CHECK(op_names(t) == std::vector<std::string>{"conv2d", "max_pool2d", "flatten", "mean", "cat", "reshape",
                                                "transpose", "select"});
  CHECK(t.graph()[t.op_nodes()[0]].attrs().ints("padding") == std::vector<int64_t>{1, 1});
}

TEST_CASE("a shape-only trace gives the same graph as a real one") {
  Twice model;
  const Trace real = trace_module(model, {Tensor::ones({3, 2})});
  const Trace meta = trace_module(model, {Tensor::ones({3, 2})}, {.shape_only = true});
  REQUIRE(meta.completed());
  CHECK(meta.output_values()[0].is_meta());
  CHECK(meta.shape_only());
  test::check_same_graph(real, meta);
}

TEST_CASE("two threads tracing at once never mix their nodes") {
  zoo::MainModel seed;
  Twice twice;
  Trace a, b;
  std::thread first([&] {
    for (int i = 0; i < 50; ++i) a = trace_module(seed, {Tensor::ones({2, 2})});
  });
  std::thread second([&] {
    for (int i = 0; i < 50; ++i) b = trace_module(twice, {Tensor::ones({1, 2})});
  });
  first.join();
  second.join();
  CHECK(op_names(a) == std::vector<std::string>{"mul", "mul", "add", "mul"});
  CHECK(op_names(b) == std::vector<std::string>{"linear", "relu", "linear"});
}

TEST_CASE("threads tracing different models while another runs a shared model untraced all get single-threaded results") {
  auto resnet = zoo::create("resnet18");
  init::deterministic(*resnet);
  zoo::MainModel seed;
  const Tensor small = Tensor::deterministic({1, 3, 32, 32});
  // The single-threaded answers.
  const Trace resnet_alone = trace_module(*resnet, {small});
  const Trace seed_alone = trace_module(seed, {Tensor::ones({2, 2})});
  const Tensor output_alone = resnet->call({small})[0];

  std::vector<Trace> resnet_traces(3), seed_traces(20);
  std::vector<Tensor> outputs(3);
  std::thread tracer([&] {
    for (auto& t : resnet_traces) t = trace_module(*resnet, {small});
  });
  std::thread other_tracer([&] {
    for (auto& t : seed_traces) t = trace_module(seed, {Tensor::ones({2, 2})});
  });
  std::thread runner([&] {  // the same resnet, untraced, at the same time
    for (auto& y : outputs) y = resnet->call({small})[0];
  });
  tracer.join();
  other_tracer.join();
  runner.join();
  for (const Trace& t : resnet_traces) {
    test::check_same_graph(t, resnet_alone);
    CHECK(equal(t.output_values()[0], output_alone));
  }
  for (const Trace& t : seed_traces) test::check_same_graph(t, seed_alone);
  for (const Tensor& y : outputs) CHECK(equal(y, output_alone));
}

TEST_CASE("nothing is recorded outside a session, and an inner session pauses the outer one") {
  Tensor x = Tensor::ones({2});
  F::relu(x);  // no session: not recorded anywhere
  TraceSession outer;
  F::relu(x);
  Trace inner_trace;
  {
    TraceSession inner;
    F::neg(x);
    F::neg(x);
    inner_trace = inner.finish();
  }
  F::sigmoid(x);
  const Trace outer_trace = outer.finish();
  CHECK(op_names(inner_trace) == std::vector<std::string>{"neg", "neg"});
  CHECK(op_names(outer_trace) == std::vector<std::string>{"relu", "sigmoid"});
}

TEST_CASE("sessions ended out of order: the outer one first, the inner one records on, then nothing does") {
  Tensor x = Tensor::ones({2});
  auto outer = std::make_unique<TraceSession>();
  auto middle = std::make_unique<TraceSession>();
  auto inner = std::make_unique<TraceSession>();
  F::relu(x);
  const Trace outer_trace = outer->finish();
  outer.reset();  // the outer session ends first: the inner one keeps recording
  F::neg(x);
  middle.reset();  // a session in the middle ends
  F::sigmoid(x);
  const Trace inner_trace = inner->finish();
  inner.reset();
  F::tanh(x);  // no session left: recorded nowhere, and nothing dangles
  CHECK(op_names(inner_trace) == std::vector<std::string>{"relu", "neg", "sigmoid"});
  CHECK(op_names(outer_trace).empty());
  // A new session afterwards starts clean.
  TraceSession next;
  F::exp(x);
  CHECK(op_names(next.finish()) == std::vector<std::string>{"exp"});
}

TEST_CASE("a session in the middle ending hands recording back correctly when the top one ends") {
  Tensor x = Tensor::ones({2});
  TraceSession bottom;
  auto middle = std::make_unique<TraceSession>();
  Trace top_trace;
  {
    TraceSession top;
    middle.reset();  // ends while paused
    F::neg(x);
    top_trace = top.finish();
  }
  F::relu(x);  // the bottom session records again
  CHECK(op_names(top_trace) == std::vector<std::string>{"neg"});
  CHECK(op_names(bottom.finish()) == std::vector<std::string>{"relu"});
}

TEST_CASE("a call's subtree is the calls after it up to the first that is not deeper, open calls included") {
  Outer model;
  const Trace t = trace_module(model, {Tensor::ones({2, 2})});
  std::vector<std::pair<std::string, int>> ends;
  for (const ModuleCall& c : t.calls()) ends.emplace_back(c.path(), c.subtree_end());
  // "", body, body.0, body.0.block_0, body.0.block_1, body.1
  CHECK(ends == std::vector<std::pair<std::string, int>>{
                    {"", 6}, {"body", 6}, {"body.0", 5}, {"body.0.block_0", 4}, {"body.0.block_1", 5}, {"body.1", 6}});
  SUBCASE("a forward that failed inside fc: the root and fc never closed, both end at the last call") {
    Broken broken;
    const Trace failed = trace_module(broken, {Tensor::ones({1, 3})});
    REQUIRE(failed.calls().size() == 2);
    CHECK(failed.calls()[0].subtree_end() == 2);
    CHECK(failed.calls()[1].subtree_end() == 2);
  }
}

TEST_CASE("a failing forward leaves a partial trace that says where it stopped") {
  Broken model;
  const Trace t = trace_module(model, {Tensor::ones({1, 3})});
  REQUIRE_FALSE(t.completed());
  const TraceFailure& failure = *t.failure();
  CHECK(failure.module_path == "fc");
  CHECK(failure.module_type == "Linear");
  CHECK(failure.message.find("linear: input's last dimension is 3, expected 4") != std::string::npos);
  REQUIRE(failure.failed_node.has_value());
  const Node& failed = t.graph()[*failure.failed_node];
  CHECK(failed.kind == NodeKind::failed_op);
  CHECK(failed.op_name() == "linear");
  CHECK(t.input_shapes(*failure.failed_node) == std::vector<Shape>{{1, 3}, {2, 4}, {2}});
  CHECK(t.calls()[failure.call].path() == "fc");
  CHECK_FALSE(t.calls()[0].completed);
  CHECK(op_names(t) == std::vector<std::string>{"mul", "linear"});
  CHECK(t.outputs().empty());
  // The thread is clean again: the next trace works and the call stack is empty.
  CHECK(detail::module_call_stack().empty());
  zoo::MainModel seed;
  CHECK(trace_module(seed, {Tensor::ones({2, 2})}).completed());
}

TEST_CASE("tensors from an earlier trace are constants in a later one") {
  TraceSession first;
  const Tensor made = F::relu(Tensor::ones({2}));
  first.finish();
  TraceSession second;
  F::neg(made);
  const Trace t = second.finish();
  const Vertex neg = t.op_nodes()[0];
  const Vertex source = boost::source(*boost::in_edges(neg, t.graph()).first, t.graph());
  CHECK(t.graph()[source].kind == NodeKind::constant);
}

namespace {

// Calls a Linear it keeps in a plain member, not registered (a Python list does this).
struct KeepsHelper : Module {
  std::shared_ptr<Linear> helper = make<Linear>(2, 2);
  ReLU& relu = register_module<ReLU>("relu");
  static constexpr int helper_line = __LINE__ + 3;

 protected:
  Tensor forward(const Tensor& x) override { return relu((*helper)(x)); }
};

// Takes a tuple of tensors as its one argument.
struct Concat : Module {
 protected:
  Tensors forward_tuple(const Tensors& xs) override { return {F::cat(xs, 1)}; }
};

}  // namespace

TEST_CASE("a module called but not registered is no child: what runs in it is the caller's own work") {
  KeepsHelper model;
  const Trace t = trace_module(model, {Tensor::ones({1, 2})});
  REQUIRE(t.calls().size() == 3);
  CHECK(t.calls()[1].path() == "<Linear>");
  CHECK_FALSE(t.calls()[1].registered);
  CHECK(t.calls()[2].registered);
  CHECK(op_names(t) == std::vector<std::string>{"linear", "relu"});
  CHECK(owners(t) == std::vector<std::string>{"functional", "relu"});
  const Ownership o = t.ownership(t.op_nodes()[0]);
  CHECK(o.unregistered_call == 1);
  CHECK(o.module == "<Linear>");
  // Relative to the helper itself, its op is its own.
  CHECK(t.ownership_in_call(t.op_nodes()[0], 1).functional());
  CHECK(t.ownership_in_call(t.op_nodes()[0], 1).unregistered_call == -1);
}

TEST_CASE("each module call records the line that made it and how it was called") {
  KeepsHelper model;
  const Trace t = trace_module(model, {Tensor::ones({1, 2})});
  CHECK(source_text(t.calls()[1].source) == "tests/test_tracing.cpp:" + std::to_string(KeepsHelper::helper_line));
  CHECK_FALSE(t.calls()[1].tuple_argument);
  const nlohmann::json j = nlohmann::json::parse(trace_to_json(t));
  CHECK(j["calls"][1]["registered"] == false);
  CHECK(j["calls"][1]["tuple_argument"] == false);
  CHECK(j["calls"][1]["called_at"] == "tests/test_tracing.cpp:" + std::to_string(KeepsHelper::helper_line));
  // The root was called by trace_module, not by a line of the user's: it
  // names none (not a line inside the library).
  CHECK(t.calls()[0].source.line() == 0);
  CHECK(j["calls"][0]["called_at"].is_null());
  // A module called with one tuple argument says so.
  Concat concat;
  const Trace tuple = trace_module(concat, {Tensor::ones({1, 2}), Tensor::ones({1, 3})}, {.tuple_argument = true});
  REQUIRE(tuple.completed());
  CHECK(tuple.calls()[0].tuple_argument);
  CHECK(tuple.output_values()[0].shape() == Shape{1, 5});
}

TEST_CASE("a failure records the line that called the failing module and the op that raised it") {
  KeepsHelper model;
  const Trace t = trace_module(model, {Tensor::ones({1, 3})});
  REQUIRE(t.failure().has_value());
  CHECK(t.failure()->module_path == "<Linear>");
  CHECK(t.failure()->called_at == "tests/test_tracing.cpp:" + std::to_string(KeepsHelper::helper_line));
  CHECK(t.failure()->source.starts_with("lib/nn/layers/linear_conv.cpp:"));
  const nlohmann::json j = nlohmann::json::parse(trace_to_json(t));
  CHECK(j["failure"]["called_at"] == "tests/test_tracing.cpp:" + std::to_string(KeepsHelper::helper_line));
}

TEST_CASE("an op with several outputs is one node; each consumer's edge says which output it read") {
  TraceSession session;
  const Tensor x = session.input(Tensor::deterministic({4, 3}));
  const Tensors parts = F::chunk(x, 2);
  const Tensor y = parts[1] * 2;
  session.output({y, parts[0]});
  const Trace t = session.finish();
  const auto ops = t.op_nodes();
  REQUIRE(ops.size() == 2);
  const Node& chunk = t.graph()[ops[0]];
  CHECK(chunk.op_name() == "chunk");
  CHECK(chunk.output_shapes() == std::vector<Shape>{{2, 3}, {2, 3}});
  const auto mul_in = *boost::in_edges(ops[1], t.graph()).first;
  CHECK(boost::source(mul_in, t.graph()) == ops[0]);
  CHECK(t.graph()[mul_in].output == 1);
  const auto second_out = *boost::in_edges(t.outputs()[1], t.graph()).first;
  CHECK(t.graph()[second_out].output == 0);
  const nlohmann::json j = nlohmann::json::parse(trace_to_json(t));
  CHECK(j["nodes"][1]["output_shapes"] == nlohmann::json::parse("[[2, 3], [2, 3]]"));
  CHECK(parts[0].is_same(parts[0]));
  CHECK_FALSE(parts[0].is_same(parts[1]));
}
