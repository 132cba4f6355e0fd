// The children-only analysis, one finding per small model written for it.

#include "helpers.hpp"

using namespace modtrace;
using nlohmann::json;

namespace {

struct Scale : Module {
  explicit Scale(float f) : factor(f) {}
  float factor;

 protected:
  Tensor forward(const Tensor& x) override { return x * factor; }
};

std::shared_ptr<Scale> scale(float f) { return std::make_shared<Scale>(f); }

// relu(bn(conv(x)) + x): the skip connection reads the block's input.
struct Residual : Module {
  Conv2d& conv = register_module<Conv2d>("conv", 2, 2, 3, Conv2dOptions{.padding = 1});
  BatchNorm2d& bn = register_module<BatchNorm2d>("bn", 2);
  ReLU& relu = register_module<ReLU>("relu");

 protected:
  Tensor forward(const Tensor& x) override { return relu(bn(conv(x)) + x); }
};

// `head` is registered but the forward never calls it (GoogLeNet's aux heads in eval).
struct UnusedChild : Module {
  Scale& body = register_module("body", scale(2));
  Scale& head = register_module("head", scale(10));

 protected:
  Tensor forward(const Tensor& x) override { return body(x); }
};

struct CalledTwice : Module {
  Scale& twice = register_module("twice", scale(2));

 protected:
  Tensor forward(const Tensor& x) override { return twice(twice(x)); }
};

// Registered a, b; called b then a.
struct OutOfOrder : Module {
  Scale& a = register_module("a", scale(2));
  Linear& b = register_module<Linear>("b", 2, 2);

 protected:
  Tensor forward(const Tensor& x) override { return a(b(x)); }
};

struct WithModuleList : Module {
  Scale& stem = register_module("stem", scale(2));
  ModuleList& blocks = register_module("blocks", std::make_shared<ModuleList>(
                                                     std::vector<std::shared_ptr<Module>>{scale(3), scale(5)}));

 protected:
  Tensor forward(const Tensor& x) override {
    Tensor y = stem(x);
    for (size_t i = 0; i < blocks.size(); ++i) y = blocks[i](y);
    return y;
  }
};

// ResNet's tail: torch.flatten in the root between avgpool and fc.
struct FlattenThenLinear : Module {
  AdaptiveAvgPool2d& avgpool = register_module<AdaptiveAvgPool2d>("avgpool", 1);
  Linear& fc = register_module<Linear>("fc", 4, 3);

 protected:
  Tensor forward(const Tensor& x) override { return fc(F::flatten(avgpool(x), 1)); }
};

// A root that only calls its children, in order (ConvNeXt's shape).
struct OnlyChildren : Module {
  Conv2d& conv = register_module<Conv2d>("conv", 1, 2, 3);
  ReLU& relu = register_module<ReLU>("relu");
  Flatten& flatten = register_module<Flatten>("flatten");
  Linear& fc = register_module<Linear>("fc", 8, 2);

 protected:
  Tensor forward(const Tensor& x) override { return fc(flatten(relu(conv(x)))); }
};

struct TwoOutputs : Module {
 protected:
  Tensors forward_many(const Tensors& in) override { return {in[0] * 2, in[0] * 3}; }
};

// The first child returns a tuple; the forward keeps one part.
struct TupleChild : Module {
  TwoOutputs& split = register_module("split", std::make_shared<TwoOutputs>());
  Scale& after = register_module("after", scale(1));

 protected:
  Tensor forward(const Tensor& x) override { return after(split.call({x})[1]); }
};

// Registered relu, scale; called scale then relu: relu(2x) == 2 relu(x), so
// the values agree while the order does not.
struct CommutingOrder : Module {
  ReLU& relu = register_module<ReLU>("relu");
  Scale& scale = register_module("scale", ::scale(2));

 protected:
  Tensor forward(const Tensor& x) override { return relu(scale(x)); }
};

// `idle` is an Identity the forward never calls: the Sequential runs it and
// the values still agree.
struct UnusedIdentity : Module {
  Scale& body = register_module("body", ::scale(2));
  Identity& idle = register_module<Identity>("idle");

 protected:
  Tensor forward(const Tensor& x) override { return body(x); }
};

// Wraps the seed model, to analyse it at a sub-module path.
struct Wrapper : Module {
  Scale& pre = register_module("pre", scale(2));
  zoo::MainModel& inner = register_module("inner", std::make_shared<zoo::MainModel>());

 protected:
  Tensor forward(const Tensor& x) override { return inner(pre(x)); }
};

const Tensor image = Tensor::deterministic({1, 2, 4, 4}, "image");

}  // namespace

TEST_CASE("the seed example drops exactly the mul by 3 and the add of 3, and gives 18 vs 4") {
  zoo::MainModel model;
  const ChildrenReport r = compare_children(model, {Tensor::ones({2, 2})});
  CHECK(r.verdict == Verdict::different);
  REQUIRE(r.dropped.size() == 2);
  CHECK(r.dropped[0].op == "mul");
  CHECK(r.dropped[0].attributes == "other=3");
  CHECK(r.dropped[0].function == "MainModel::functional_stuff");
  CHECK(r.dropped[0].module == "");
  CHECK(r.dropped[1].op == "add");
  CHECK(r.dropped[1].attributes == "other=3");
  CHECK(r.dropped[1].function == "MainModel::forward");
  CHECK(r.dropped[1].source.rfind("lib/zoo/seed.cpp:", 0) == 0);
  // The muls by 2 are module-owned, by block_0 and block_1.
  std::vector<std::string> owners;
  for (Vertex v : r.original.op_nodes()) {
    const Ownership o = r.original.ownership(v);
    if (o.module_owned()) owners.push_back(o.child);
  }
  CHECK(owners == std::vector<std::string>{"block_0", "block_1"});
  CHECK(r.original.output_values()[0].at({0, 0}) == 18.0f);
  CHECK(r.sequential_trace.output_values()[0].at({0, 0}) == 4.0f);
  CHECK(r.output.max_abs_diff == 14.0);
  CHECK_FALSE(r.output.equal);
  CHECK(r.unused_children.empty());
  CHECK(r.repeated_children.empty());
  CHECK_FALSE(r.order_mismatch);
  CHECK(r.dataflow_breaks.empty());
  CHECK(r.sequential.ok);
}

TEST_CASE("compare_children tells its progress callback each stage, in order") {
  zoo::MainModel model;
  std::vector<std::string> stages;
  const ChildrenReport r = compare_children(model, {Tensor::ones({2, 2})},
                                            {.at = "block_1", .progress = [&](std::string_view s) { stages.emplace_back(s); }});
  CHECK(r.path == "block_1");
  CHECK(stages == std::vector<std::string>{"running the model up to block_1", "tracing SimpleBlock",
                                           "tracing the children-only Sequential", "comparing"});
}

TEST_CASE("children_sequential shares the module's children in registration order") {
  zoo::MainModel model;
  const auto seq = children_sequential(model);
  REQUIRE(seq->size() == 2);
  CHECK(&(*seq)[0] == &model.block_0);
  CHECK(&(*seq)[1] == &model.block_1);
}

TEST_CASE("a residual block: the skip add is dropped and relu's input also reads the block's input") {
  Residual block;
  block.eval();
  const ChildrenReport r = compare_children(block, {image});
  CHECK(r.verdict == Verdict::different);
  REQUIRE(r.dropped.size() == 1);
  CHECK(r.dropped[0].op == "add");
  CHECK(r.dropped[0].input_shapes == std::vector<Shape>{{1, 2, 4, 4}, {1, 2, 4, 4}});
  REQUIRE(r.dataflow_breaks.size() == 1);
  const DataflowBreak& b = r.dataflow_breaks[0];
  CHECK(b.child == "relu");
  CHECK(b.expected == "the output of bn");
  CHECK(b.actual == std::vector<std::string>{"bn", "the module's input"});
  CHECK(b.reason == "relu also reads the module's input (a skip connection): the Sequential feeds only the output of bn");
}

// b reads a's output through a long chain of the module's own ops, and the
// module's input: long enough that a recursive walk back from b's input
// would exhaust the stack.
struct LongChain : Module {
  static constexpr int kOps = 200000;
  Scale& a = register_module("a", scale(2));
  Scale& b = register_module("b", scale(3));

 protected:
  Tensor forward(const Tensor& x) override {
    Tensor z = a(x);
    for (int i = 0; i < kOps; ++i) z = z + 1.0;
    return b(z + x);
  }
};

TEST_CASE("a long chain of the module's own ops is followed back to its sources without exhausting the stack") {
  LongChain model;
  const ChildrenReport r = compare_children(model, {Tensor::meta({2, 2})}, {.shape_only = true});
  REQUIRE(r.dataflow_breaks.size() == 1);
  CHECK(r.dataflow_breaks[0].child == "b");
  CHECK(r.dataflow_breaks[0].actual == std::vector<std::string>{"a", "the module's input"});
  CHECK(r.dropped.size() == LongChain::kOps + 1);
}

TEST_CASE("an unused child is reported, and the Sequential runs it anyway") {
  UnusedChild model;
  const ChildrenReport r = compare_children(model, {Tensor::ones({2})});
  CHECK(r.unused_children == std::vector<std::string>{"head"});
  CHECK(r.call_order == std::vector<std::string>{"body"});
  CHECK(r.sequential_trace.output_values()[0].to_vector() == std::vector<float>{20, 20});
  CHECK(r.verdict == Verdict::different);
  CHECK(r.dropped.empty());
}

TEST_CASE("a child called twice is reported with its call count") {
  CalledTwice model;
  const ChildrenReport r = compare_children(model, {Tensor::ones({2})});
  REQUIRE(r.repeated_children.size() == 1);
  CHECK(r.repeated_children[0].name == "twice");
  CHECK(r.repeated_children[0].calls == 2);
  CHECK(r.call_order == std::vector<std::string>{"twice", "twice"});
  CHECK(r.output.max_abs_diff == 2.0);  // 4 vs 2
  CHECK(r.dataflow_breaks.empty());     // each call reads the previous one's output
}

TEST_CASE("children called in another order than registered are reported") {
  OutOfOrder model;
  const ChildrenReport r = compare_children(model, {Tensor::ones({1, 2})});
  CHECK(r.order_mismatch);
  CHECK(r.call_order == std::vector<std::string>{"b", "a"});
  CHECK(r.children == std::vector<std::string>{"a", "b"});
}

TEST_CASE("a ModuleList child makes the Sequential fail with PyTorch's error") {
  WithModuleList model;
  const ChildrenReport r = compare_children(model, {Tensor::ones({2})});
  CHECK(r.verdict == Verdict::fails);
  CHECK_FALSE(r.sequential.ok);
  CHECK(r.sequential.failed_child == "blocks");
  CHECK(r.sequential.error == "in 'blocks' (ModuleList): Module [ModuleList] is missing the required \"forward\" function");
  REQUIRE(r.output.outputs.size() == 1);
  CHECK(r.output.outputs[0].original == Shape{2});
  // The forward calls the list's members, which are not the root's children.
  INFO(r.text());
  CHECK(r.call_order == std::vector<std::string>{"stem", "blocks.0", "blocks.1"});
}

TEST_CASE("a flatten before a linear makes the Sequential fail at fc, as in ResNet") {
  FlattenThenLinear model;
  const ChildrenReport r = compare_children(model, {Tensor::ones({1, 4, 3, 3})});
  CHECK(r.verdict == Verdict::fails);
  CHECK(r.sequential.failed_child == "fc");
  CHECK(r.sequential.error ==
        "in 'fc' (Linear): linear: input's last dimension is 1, expected 4 = in_features of the weight (got input "
        "[1, 4, 1, 1], weight [3, 4], bias [3])");
  REQUIRE(r.dropped.size() == 1);
  CHECK(r.dropped[0].op == "flatten");
  CHECK(r.dropped[0].output_shape == Shape{1, 4});
  // The failing op is kept in the Sequential's trace.
  REQUIRE(r.sequential_trace.failure()->failed_node.has_value());
  CHECK(r.sequential_trace.graph()[*r.sequential_trace.failure()->failed_node].op_name() == "linear");
}

TEST_CASE("a root that only calls its children in order is equivalent, with no findings") {
  OnlyChildren model;
  const ChildrenReport r = compare_children(model, {Tensor::deterministic({1, 1, 4, 4})});
  CHECK(r.verdict == Verdict::equivalent);
  CHECK(r.dropped.empty());
  CHECK(r.unused_children.empty());
  CHECK(r.repeated_children.empty());
  CHECK_FALSE(r.order_mismatch);
  CHECK(r.dataflow_breaks.empty());
  CHECK(r.output.equal);
  CHECK(r.output.max_abs_diff == 0.0);
}

TEST_CASE("a child returning a tuple breaks the Sequential's dataflow") {
  TupleChild model;
  const ChildrenReport r = compare_children(model, {Tensor::ones({2})});
  REQUIRE_FALSE(r.dataflow_breaks.empty());
  CHECK(r.dataflow_breaks[0].child == "after");
  CHECK(r.dataflow_breaks[0].reason ==
        "split returns 2 tensors; the Sequential passes them to after as one tuple, the forward calls it with 1 input");
  CHECK(r.verdict == Verdict::fails);  // `after` takes one tensor, the Sequential hands it a tuple
  CHECK(r.sequential.error == "in 'after' (Scale): Scale.forward(): argument 'input' (position 1) must be Tensor, not tuple");
}

TEST_CASE("the verdict rule holds on every finding kind, and both modes give the same verdict") {
  struct Expectation {
    const char* what;
    std::shared_ptr<Module> model;
    Tensor input;
    Verdict verdict;
    bool values_equal;    // value mode: the outputs happen to agree
    std::string reason;   // the start of one of the reasons
  };
  const std::vector<Expectation> expectations = {
      {"dropped ops", std::make_shared<zoo::MainModel>(), Tensor::ones({2, 2}), Verdict::different, false,
       "2 ops of the module's own code dropped"},
      {"dataflow break", std::make_shared<Residual>(), image, Verdict::different, false, "dataflow breaks at: relu"},
      {"unused child", std::make_shared<UnusedChild>(), Tensor::ones({2}), Verdict::different, false,
       "unused children that the Sequential runs: head"},
      {"unused child, values agree", std::make_shared<UnusedIdentity>(), Tensor::ones({2}), Verdict::different, true,
       "unused children that the Sequential runs: idle"},
      {"repeated child", std::make_shared<CalledTwice>(), Tensor::ones({2}), Verdict::different, false,
       "children called more than once, by the Sequential once: twice (2 calls)"},
      {"order, values agree", std::make_shared<CommutingOrder>(), Tensor::deterministic({4}), Verdict::different, true,
       "children called in another order than registered"},
      {"the Sequential raises", std::make_shared<FlattenThenLinear>(), Tensor::ones({1, 4, 3, 3}), Verdict::fails,
       false, "the Sequential raises: in 'fc' (Linear)"},
      {"nothing", std::make_shared<OnlyChildren>(), Tensor::deterministic({1, 1, 4, 4}), Verdict::equivalent, true, ""},
  };
  for (const auto& e : expectations) {
    e.model->eval();
    for (bool shape_only : {false, true}) {
      INFO(e.what << (shape_only ? " (shape only)" : ""));
      const ChildrenReport r = compare_children(*e.model, {e.input}, {.shape_only = shape_only});
      INFO(r.text());
      CHECK(r.verdict == e.verdict);
      if (!shape_only && e.verdict != Verdict::fails) CHECK(r.output.equal == e.values_equal);
      if (e.reason.empty()) {
        CHECK(r.reasons.empty());
      } else {
        CHECK(std::any_of(r.reasons.begin(), r.reasons.end(),
                          [&](const std::string& reason) { return reason.starts_with(e.reason); }));
      }
      // One rule: recomputing the verdict from the report gives the same answer.
      CHECK(decide_verdict(r) == r.verdict);
    }
  }
}

TEST_CASE("analysis at a sub-module path feeds it the input it received in the full model") {
  Wrapper model;
  const ChildrenReport r = compare_children(model, {Tensor::ones({2, 2})}, {.at = "inner"});
  CHECK(r.path == "inner");
  CHECK(r.module_type == "MainModel");
  CHECK(r.dropped.size() == 2);
  CHECK(r.dropped[0].module == "inner");
  // inner received pre's output, 2: (2*2*3 + 3)*2 = 30 vs 2*2*2 = 8.
  CHECK(r.original.output_values()[0].at({0, 0}) == 30.0f);
  CHECK(r.sequential_trace.output_values()[0].at({0, 0}) == 8.0f);
}

TEST_CASE("shape-only analysis finds the same structure without computing values") {
  zoo::MainModel seed;
  const ChildrenReport r = compare_children(seed, {Tensor::ones({2, 2})}, {.shape_only = true});
  CHECK(r.shape_only);
  CHECK(r.dropped.size() == 2);
  CHECK_FALSE(r.output.compared);
  CHECK(r.verdict == Verdict::different);
  OnlyChildren plain;
  CHECK(compare_children(plain, {Tensor::ones({1, 1, 4, 4})}, {.shape_only = true}).verdict == Verdict::equivalent);
  FlattenThenLinear resnet_tail;
  CHECK(compare_children(resnet_tail, {Tensor::ones({1, 4, 3, 3})}, {.shape_only = true}).verdict == Verdict::fails);
}

TEST_CASE("the JSON form carries every finding") {
  zoo::MainModel model;
  const json j = json::parse(compare_children(model, {Tensor::ones({2, 2})}).json());
  CHECK(j["verdict"] == "different");
  REQUIRE(j["dropped"].size() == 2);
  CHECK(j["dropped"][0]["op"] == "mul");
  CHECK(j["dropped"][0]["module"] == "");
  CHECK(j["dropped"][0]["shapes"]["output"] == json::array({2, 2}));
  CHECK(j["dropped"][1]["source"].get<std::string>().rfind("lib/zoo/seed.cpp:", 0) == 0);
  CHECK(j["unused_children"].empty());
  CHECK(j["repeated_children"].empty());
  CHECK(j["order_mismatch"] == false);
  CHECK(j["dataflow_breaks"].empty());
  CHECK(j["sequential"]["ok"] == true);
  CHECK(j["sequential"]["error"].is_null());
  CHECK(j["output"]["original_count"] == 1);
  CHECK(j["output"]["sequential_count"] == 1);
  CHECK(j["output"]["outputs"][0]["original_shape"] == json::array({2, 2}));
  CHECK(j["output"]["outputs"][0]["sequential_shape"] == json::array({2, 2}));
  CHECK(j["output"]["max_abs_diff"] == 14.0);
  CHECK(j["output"]["equal"] == false);
  CHECK(j["input_shapes"] == json::array({json::array({2, 2})}));
  CHECK(j["reasons"] == json::array({"2 ops of the module's own code dropped: mul, add",
                                     "output values differ (max |difference| 14)"}));
}

TEST_CASE("the text form reads as a report") {
  zoo::MainModel model;
  const std::string text = compare_children(model, {Tensor::ones({2, 2})}).text();
  CHECK(text.find("verdict: different") != std::string::npos);
  CHECK(text.find("dropped: 2 ops of MainModel's own code") != std::string::npos);
  CHECK(text.find("  mul  [2, 2] -> [2, 2]  other=3  MainModel::functional_stuff  lib/zoo/seed.cpp:") !=
        std::string::npos);
  CHECK(text.find("output: original [2, 2], sequential [2, 2]; max |difference| 14; not equal") != std::string::npos);
}

TEST_CASE("analysis errors: an unknown path, a module never called, a model that fails itself") {
  Wrapper model;
  CHECK(test::error_of([&] { compare_children(model, {Tensor::ones({2, 2})}, {.at = "inner.block_9"}); }) ==
        "'inner' (MainModel) has no child 'block_9'; its children are: block_0, block_1");
  UnusedChild unused;
  CHECK(test::error_of([&] { compare_children(unused, {Tensor::ones({2})}, {.at = "head"}); }) ==
        "module 'head' is never called by the model's forward, so it has no input to analyse");
  FlattenThenLinear tail;
  CHECK(test::error_of([&] { compare_children(tail, {Tensor::ones({1, 5, 3, 3})}); })
            .rfind("the module itself fails on this input, so there is nothing to compare: in module 'fc' (Linear)", 0) ==
        0);
}

TEST_CASE("function names leave out anonymous namespaces") {
  CHECK(short_function_name("modtrace::Tensor {anonymous}::helper(const modtrace::Tensor&)") == "helper");
  CHECK(short_function_name("virtual modtrace::Tensor {anonymous}::Block::forward(const modtrace::Tensor&)") ==
        "Block::forward");
  CHECK(short_function_name("void modtrace::zoo::MainModel::forward()") == "MainModel::forward");
}
