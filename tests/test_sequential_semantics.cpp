// PyTorch's nn.Sequential(*model.children()), exactly: small models written
// both in PyTorch 1.13 (tests/reference/make_sequential_cases.py, whose
// printed results are sequential_cases.json) and here. For each, the module
// tree, the outputs, what the Sequential does, and the verdict in both modes
// must agree with what PyTorch did.

#include "helpers.hpp"

using namespace modtrace;
using nlohmann::json;

namespace {

// ---- the models, as in make_sequential_cases.py ----

struct Split : Module {
 protected:
  Tensors forward_many(const Tensors& in) override { return {in[0] * 2, in[0] * 3}; }
};

struct Add2 : Module {
  std::span<const std::string_view> forward_signature() const override {
    static constexpr std::string_view names[] = {"a", "b"};
    return names;
  }

 protected:
  Tensors forward_many(const Tensors& in) override { return {in[0] + in[1]}; }
};

// Takes a tensor or a tuple of tensors, like torchvision's _DenseLayer.
struct Concat : Module {
 protected:
  Tensor forward(const Tensor& x) override { return F::cat({x}, 1); }
  Tensors forward_tuple(const Tensors& xs) override { return {F::cat(xs, 1)}; }
};

struct SharedModule : Module {
  std::shared_ptr<Linear> lin = make<Linear>(4, 4);
  Linear& enc = register_module("enc", lin);
  ReLU& relu = register_module<ReLU>("relu");
  Linear& dec = register_module("dec", lin);

 protected:
  Tensor forward(const Tensor& x) override { return dec(relu(enc(x))); }
};

struct SharedInsideSequential : Module {
  std::shared_ptr<Linear> lin = make<Linear>(4, 4);
  Sequential& body = register_module("body", make<Sequential>(std::vector<std::shared_ptr<Module>>{lin, make<ReLU>(), lin}));

 protected:
  Tensor forward(const Tensor& x) override { return body(x); }
};

struct TwoOutputs : Module {
  Linear& a = register_module<Linear>("a", 4, 4);
  Linear& b = register_module<Linear>("b", 4, 4);

 protected:
  Tensors forward_many(const Tensors& in) override {
    const Tensor y = a(in[0]);
    return {y, b(y)};
  }
};

struct TupleIntoTwoInputs : Module {
  Split& split = register_module<Split>("split");
  Add2& add = register_module<Add2>("add");

 protected:
  Tensor forward(const Tensor& x) override { return add.call(split.call({x}))[0]; }  // add(*split(x))
};

struct TupleIntoLayer : Module {
  Split& split = register_module<Split>("split");
  ReLU& relu = register_module<ReLU>("relu");

 protected:
  Tensor forward(const Tensor& x) override { return relu(split.call({x})[0]); }
};

struct TupleAsOneArgument : Module {
  Split& split = register_module<Split>("split");
  Concat& cat = register_module<Concat>("cat");

 protected:
  Tensor forward(const Tensor& x) override { return cat.call_with_tuple(split.call({x}))[0]; }  // cat(split(x))
};

struct TupleLast : Module {
  Linear& lin = register_module<Linear>("lin", 4, 4);
  Split& split = register_module<Split>("split");

 protected:
  Tensors forward_many(const Tensors& in) override { return split.call({lin(in[0])}); }
};

struct TwoInputs : Module {
  Linear& a = register_module<Linear>("a", 4, 4);
  Linear& b = register_module<Linear>("b", 4, 4);
  std::span<const std::string_view> forward_signature() const override {
    static constexpr std::string_view names[] = {"x", "y"};
    return names;
  }

 protected:
  Tensors forward_many(const Tensors& in) override { return {b(a(in[0]) + in[1])}; }
};

struct PartlyUsed : Module {
  Sequential& features = register_module(
      "features", make<Sequential>(std::vector<std::shared_ptr<Module>>{make<Linear>(4, 4), make<ReLU>(), make<Linear>(4, 4)}));
  Linear& head = register_module<Linear>("head", 4, 2);

 protected:
  Tensor forward(const Tensor& x) override { return head(features[0](x)); }
};

// Modules kept in a plain list (torchview's fixtures do this): no children.
struct Unregistered : Module {
  std::vector<std::shared_ptr<Linear>> helpers = {make<Linear>(4, 4), make<Linear>(4, 4), make<Linear>(4, 4)};
  ReLU& relu = register_module<ReLU>("relu");

 protected:
  Tensor forward(const Tensor& input) override {
    Tensor x = input;
    for (const auto& h : helpers) x = (*h)(x);
    return relu(x);
  }
};

struct SkipReadsChildTwice : Module {
  Linear& a = register_module<Linear>("a", 4, 4);
  Linear& b = register_module<Linear>("b", 4, 4);

 protected:
  Tensor forward(const Tensor& x) override {
    const Tensor y = a(x);
    return b(y) + y;
  }
};

struct LoopOverOneChild : Module {
  Linear& block = register_module<Linear>("block", 4, 4);

 protected:
  Tensor forward(const Tensor& input) override {
    Tensor x = input;
    for (int i = 0; i < 3; ++i) x = block(x);
    return x;
  }
};

struct BranchOnShape : Module {
  Linear& wide = register_module<Linear>("wide", 4, 4);
  Linear& narrow = register_module<Linear>("narrow", 4, 4);

 protected:
  Tensor forward(const Tensor& x) override { return x.size(-1) >= 4 ? wide(x) : narrow(x); }
};

struct WithModuleList : Module {
  Linear& stem = register_module<Linear>("stem", 4, 4);
  ModuleList& blocks =
      register_module("blocks", make<ModuleList>(std::vector<std::shared_ptr<Module>>{make<Linear>(4, 4), make<ReLU>()}));

 protected:
  Tensor forward(const Tensor& input) override {
    Tensor x = stem(input);
    for (size_t i = 0; i < blocks.size(); ++i) x = blocks[i](x);
    return x;
  }
};

struct WithModuleDict : Module {
  Linear& stem = register_module<Linear>("stem", 4, 4);
  ModuleDict& heads = register_module(
      "heads", make<ModuleDict>(NamedModules{{"a", make<Linear>(4, 2)}, {"b", make<Linear>(4, 2)}}));

 protected:
  Tensor forward(const Tensor& x) override { return heads["b"](stem(x)); }
};

struct IdempotentTwice : Module {
  Linear& lin = register_module<Linear>("lin", 4, 4);
  ReLU& relu = register_module<ReLU>("relu");

 protected:
  Tensor forward(const Tensor& x) override { return relu(relu(lin(x))); }
};

struct OnlyChildren : Module {
  Linear& lin = register_module<Linear>("lin", 4, 4);
  ReLU& relu = register_module<ReLU>("relu");
  Linear& out = register_module<Linear>("out", 4, 2);

 protected:
  Tensor forward(const Tensor& x) override { return out(relu(lin(x))); }
};

struct FailsItself : Module {
  Linear& lin = register_module<Linear>("lin", 3, 2);

 protected:
  Tensor forward(const Tensor& x) override { return lin(x); }
};

std::shared_ptr<Module> build(const std::string& name) {
  if (name == "shared_module") return make<SharedModule>();
  if (name == "shared_inside_sequential") return make<SharedInsideSequential>();
  if (name == "two_outputs") return make<TwoOutputs>();
  if (name == "tuple_into_two_inputs") return make<TupleIntoTwoInputs>();
  if (name == "tuple_into_layer") return make<TupleIntoLayer>();
  if (name == "tuple_as_one_argument") return make<TupleAsOneArgument>();
  if (name == "tuple_last") return make<TupleLast>();
  if (name == "two_inputs") return make<TwoInputs>();
  if (name == "partly_used") return make<PartlyUsed>();
  if (name == "skip_reads_child_twice") return make<SkipReadsChildTwice>();
  if (name == "loop_over_one_child") return make<LoopOverOneChild>();
  if (name == "branch_on_shape") return make<BranchOnShape>();
  if (name == "module_list") return make<WithModuleList>();
  if (name == "module_dict") return make<WithModuleDict>();
  if (name == "idempotent_twice") return make<IdempotentTwice>();
  if (name == "only_children") return make<OnlyChildren>();
  if (name == "fails_itself") return make<FailsItself>();
  if (name == "unregistered") {
    auto m = make<Unregistered>();
    // Not in the state_dict: the reference initialises them under "helpers.<i>." keys.
    for (size_t i = 0; i < m->helpers.size(); ++i) {
      for (const auto& [key, t] : m->helpers[i]->state_dict()) {
        Tensor target = t;
        target.copy_(init::deterministic_value("helpers." + std::to_string(i) + "." + key, t.shape()));
      }
    }
    init::deterministic(*m);
    m->eval();
    return m;
  }
  FAIL("no C++ model for case " << name);
  return nullptr;
}

struct Case {
  json reference;
  std::shared_ptr<Module> model;
  Tensors inputs;
  std::string name() const { return reference["name"]; }
};

std::vector<Case> cases() {
  std::vector<Case> out;
  const json all = test::read_reference("sequential_cases.json");
  for (const json& ref : all["cases"]) {
    Case c{ref, build(ref["name"]), {}};
    if (ref["name"] != "unregistered") {
      init::deterministic(*c.model);
      c.model->eval();
    }
    for (const json& x : ref["inputs"]) c.inputs.push_back(test::tensor_from_json(x));
    out.push_back(std::move(c));
  }
  REQUIRE(out.size() == 18);  // every case of make_sequential_cases.py
  return out;
}

const Case& find_case(const std::vector<Case>& all, const std::string& name) {
  for (const Case& c : all) {
    if (c.name() == name) return c;
  }
  FAIL("no case " << name);
  return all.front();
}

std::vector<std::string> names_of(const NamedModules& modules) {
  std::vector<std::string> out;
  for (const auto& entry : modules) out.push_back(entry.first);
  return out;
}

template <class Named>
std::vector<std::string> keys_of(const Named& named) {
  std::vector<std::string> out;
  for (const auto& entry : named) out.push_back(entry.first);
  return out;
}

void check_outputs(const Tensors& ours, const json& theirs) {
  REQUIRE(ours.size() == theirs.size());
  for (size_t i = 0; i < ours.size(); ++i) {
    const Tensor expected = test::tensor_from_json(theirs[i]);
    REQUIRE(ours[i].shape() == expected.shape());
    CHECK(max_abs_diff(ours[i], expected) < 1e-5);
  }
}

// PyTorch's exception message, as modtrace words it: PyTorch's first op
// raises "relu(): argument 'input' (position 1) must be Tensor, not tuple",
// modtrace names the module ("ReLU.forward(): argument 'input' …"); every
// other message is PyTorch's exact text.
std::string pytorch_message_tail(const std::string& message) {
  const size_t argument = message.find("): argument '");
  return argument == std::string::npos ? message : message.substr(argument + 3);
}

}  // namespace

TEST_CASE("module trees are listed as PyTorch lists them, a module registered twice included") {
  for (const Case& c : cases()) {
    INFO(c.name());
    const json& ref = c.reference;
    CHECK(names_of(c.model->named_children()) == ref["named_children"].get<std::vector<std::string>>());
    CHECK(names_of(c.model->registered_children()) == ref["registered_children"].get<std::vector<std::string>>());
    CHECK(keys_of(c.model->named_modules()) == ref["named_modules"].get<std::vector<std::string>>());
    CHECK(keys_of(c.model->named_parameters()) == ref["named_parameters"].get<std::vector<std::string>>());
    CHECK(keys_of(c.model->state_dict()) == ref["state_dict"].get<std::vector<std::string>>());
    CHECK(c.model->repr() == ref["repr"].get<std::string>());
    CHECK(c.model->children().size() == ref["named_children"].size());
  }
}

TEST_CASE("each model computes what PyTorch computed") {
  for (const Case& c : cases()) {
    INFO(c.name());
    if (c.reference["model"]["ok"]) {
      check_outputs(c.model->call(c.inputs), c.reference["model"]["outputs"]);
    } else {
      CHECK_THROWS_AS(c.model->call(c.inputs), Error);
    }
  }
}

TEST_CASE("children_sequential runs, raises or returns exactly what PyTorch's Sequential did") {
  for (const Case& c : cases()) {
    if (!c.reference["model"]["ok"]) continue;
    INFO(c.name());
    const auto sequential = children_sequential(*c.model);
    CHECK(sequential->size() == c.reference["sequential_length"].get<size_t>());
    const json& expected = c.reference["sequential"];
    if (expected["ok"]) {
      check_outputs(sequential->call(c.inputs), expected["outputs"]);
      continue;
    }
    const std::string message = test::error_of([&] { sequential->call(c.inputs); });
    REQUIRE_FALSE(message.empty());
    const std::string tail = pytorch_message_tail(expected["error"]["message"]);
    INFO("modtrace: " << message << "\nPyTorch:  " << expected["error"]["message"].get<std::string>());
    CHECK(message.ends_with(tail));
  }
}

TEST_CASE("the verdict agrees with PyTorch, in value mode and in shape-only mode") {
  for (const Case& c : cases()) {
    if (!c.reference["model"]["ok"]) continue;
    const std::string values = c.reference["values"];
    for (bool shape_only : {false, true}) {
      INFO(c.name() << (shape_only ? " (shape only)" : ""));
      const ChildrenReport r = compare_children(*c.model, c.inputs, {.shape_only = shape_only});
      INFO(r.text());
      if (values == "fails") {
        CHECK(r.verdict == Verdict::fails);
      } else if (values == "different") {
        CHECK(r.verdict == Verdict::different);
      } else if (r.has_structural_findings()) {
        // The values agree on this input, but the Sequential runs another program.
        CHECK(r.verdict == Verdict::different);
        if (!shape_only) CHECK(r.output.equal);
      } else {
        CHECK(r.verdict == Verdict::equivalent);
      }
      // Never "equivalent" where PyTorch's Sequential fails or differs, and
      // the two modes never contradict each other.
      if (values != "equal") CHECK(r.verdict != Verdict::equivalent);
      const ChildrenReport other = compare_children(*c.model, c.inputs, {.shape_only = !shape_only});
      CHECK(other.verdict == r.verdict);
      // The reasons are given whenever it is not equivalent.
      CHECK(r.reasons.empty() == (r.verdict == Verdict::equivalent));
    }
  }
}

TEST_CASE("1. a module registered under two names: the Sequential holds it once, the forward calls it twice") {
  const auto all = cases();
  const Case& c = find_case(all, "shared_module");
  const ChildrenReport r = compare_children(*c.model, c.inputs);
  CHECK(r.children == std::vector<std::string>{"enc", "relu"});
  REQUIRE(r.aliases.size() == 1);
  CHECK(r.aliases[0].name == "dec");
  CHECK(r.aliases[0].same_as == "enc");
  CHECK(r.call_order == std::vector<std::string>{"enc", "relu", "enc"});  // dec is enc, named by its first name
  REQUIRE(r.repeated_children.size() == 1);
  CHECK(r.repeated_children[0].name == "enc");
  CHECK(r.repeated_children[0].calls == 2);
  CHECK(r.verdict == Verdict::different);
  CHECK(r.text().find("shared: 'dec' is 'enc' registered again; children() lists it once") != std::string::npos);
  // A Sequential that holds one module twice runs it twice, as PyTorch's does.
  const Case& inside = find_case(all, "shared_inside_sequential");
  CHECK(compare_children(*inside.model, inside.inputs).verdict == Verdict::equivalent);
}

TEST_CASE("2. several outputs: every output is compared, and a different count is not equivalent") {
  const auto all = cases();
  const Case& c = find_case(all, "two_outputs");
  const ChildrenReport r = compare_children(*c.model, c.inputs);
  CHECK(r.output.original_count == 2);
  CHECK(r.output.sequential_count == 1);
  REQUIRE(r.output.outputs.size() == 2);
  CHECK_FALSE(r.output.outputs[1].sequential.has_value());
  CHECK_FALSE(r.output.shapes_equal);
  CHECK(std::find(r.reasons.begin(), r.reasons.end(), "the module returns 2, the Sequential 1 tensor") !=
        r.reasons.end());
  CHECK(r.text().find("outputs: the module returns 2, the Sequential 1\n  output 0: original [2, 4], sequential "
                      "[2, 4]; max |difference| ") != std::string::npos);
  CHECK(r.text().find("  output 1: original [2, 4], sequential (none)\n") != std::string::npos);
  // The module's result is not the last child's.
  REQUIRE_FALSE(r.dataflow_breaks.empty());
  CHECK(r.dataflow_breaks.back().child == "(output)");
  CHECK(r.dataflow_breaks.back().reason == "the module returns 2 tensors; the Sequential returns the output of b");
  // A tuple returned by the last child is returned whole by both: equivalent.
  const Case& last = find_case(all, "tuple_last");
  const ChildrenReport same = compare_children(*last.model, last.inputs);
  CHECK(same.verdict == Verdict::equivalent);
  CHECK(same.output.original_count == 2);
  CHECK(same.output.sequential_count == 2);
  CHECK(same.output.equal);
}

TEST_CASE("3. a tuple between children is one argument: a two-input child or a layer fails on it") {
  const auto all = cases();
  const ChildrenReport two = compare_children(*find_case(all, "tuple_into_two_inputs").model,
                                              find_case(all, "tuple_into_two_inputs").inputs);
  CHECK(two.verdict == Verdict::fails);
  CHECK(two.sequential.failed_child == "add");
  CHECK(two.sequential.error == "in 'add' (Add2): Add2.forward() missing 1 required positional argument: 'b'");
  REQUIRE(two.dataflow_breaks.size() == 1);
  CHECK(two.dataflow_breaks[0].reason ==
        "split returns 2 tensors; the Sequential passes them to add as one tuple, the forward calls it with 2 inputs");
  const ChildrenReport layer =
      compare_children(*find_case(all, "tuple_into_layer").model, find_case(all, "tuple_into_layer").inputs);
  CHECK(layer.verdict == Verdict::fails);
  CHECK(layer.sequential.error == "in 'relu' (ReLU): ReLU.forward(): argument 'input' (position 1) must be Tensor, not tuple");
  // A child that takes the tuple as the forward gives it: no break, equivalent.
  const Case& whole = find_case(all, "tuple_as_one_argument");
  const ChildrenReport ok = compare_children(*whole.model, whole.inputs);
  CHECK(ok.dataflow_breaks.empty());
  CHECK(ok.verdict == Verdict::equivalent);
  CHECK(ok.original.calls()[2].tuple_argument);  // cat's call
}

TEST_CASE("4. several inputs: PyTorch's Sequential takes one and raises before any child runs") {
  const auto all = cases();
  const Case& c = find_case(all, "two_inputs");
  const ChildrenReport r = compare_children(*c.model, c.inputs);
  CHECK(r.verdict == Verdict::fails);
  CHECK(r.input_shapes == std::vector<Shape>{{2, 4}, {2, 4}});
  CHECK(r.sequential.failed_child.empty());
  CHECK(r.sequential.error == "Sequential.forward() takes 2 positional arguments but 3 were given");
  CHECK(r.sequential_trace.calls().size() == 1);  // no child ran
  CHECK(r.text().find("sequential: fails before any child runs\n") != std::string::npos);
  CHECK(r.text().find("children-only analysis of TwoInputs, inputs [2, 4], [2, 4]\n") == 0);
}

TEST_CASE("5. a child used only in part: which members the forward calls, which the Sequential also runs") {
  const auto all = cases();
  const Case& c = find_case(all, "partly_used");
  for (bool shape_only : {false, true}) {
    const ChildrenReport r = compare_children(*c.model, c.inputs, {.shape_only = shape_only});
    REQUIRE(r.partly_used_children.size() == 1);
    const PartlyUsedChild& p = r.partly_used_children[0];
    CHECK(p.name == "features");
    CHECK(p.called == std::vector<std::string>{"features.0"});
    CHECK(p.also_run == std::vector<std::string>{"features.1", "features.2"});
    CHECK(r.unused_children.empty());
    CHECK(r.verdict == Verdict::different);
  }
  // A ModuleList's members, all called: nothing partly used (the list fails on its own).
  const ChildrenReport list = compare_children(*find_case(all, "module_list").model, find_case(all, "module_list").inputs);
  CHECK(list.partly_used_children.empty());
  // A ModuleDict with one head called: the other is what the Sequential would also run.
  const ChildrenReport dict = compare_children(*find_case(all, "module_dict").model, find_case(all, "module_dict").inputs);
  REQUIRE(dict.partly_used_children.size() == 1);
  CHECK(dict.partly_used_children[0].also_run == std::vector<std::string>{"heads.a"});
}

TEST_CASE("7. a module called but never registered is the root's own work: its ops are dropped") {
  const auto all = cases();
  const Case& c = find_case(all, "unregistered");
  for (bool shape_only : {false, true}) {
    const ChildrenReport r = compare_children(*c.model, c.inputs, {.shape_only = shape_only});
    CHECK(r.call_order == std::vector<std::string>{"relu"});
    CHECK(r.repeated_children.empty());
    REQUIRE(r.unregistered_modules.size() == 1);
    CHECK(r.unregistered_modules[0].type == "Linear");
    CHECK(r.unregistered_modules[0].instances == 3);
    CHECK(r.unregistered_modules[0].calls == 3);
    REQUIRE(r.dropped.size() == 3);
    for (const DroppedOp& d : r.dropped) {
      CHECK(d.op == "linear");
      CHECK(d.module == "<Linear>");
    }
    CHECK(r.verdict == Verdict::different);
  }
}

TEST_CASE("8. a module that fails itself is an error that says where, for text and JSON alike") {
  const auto all = cases();
  const Case& c = find_case(all, "fails_itself");
  try {
    compare_children(*c.model, c.inputs);
    FAIL("no error");
  } catch (const ModuleFailedError& e) {
    CHECK(std::string(e.what()).starts_with(
        "the module itself fails on this input, so there is nothing to compare: in module 'lin' (Linear), called at "
        "tests/test_sequential_semantics.cpp:"));
    CHECK(e.failure.module_path == "lin");
    CHECK(e.failure.module_type == "Linear");
    CHECK(e.failure.called_at.starts_with("tests/test_sequential_semantics.cpp:"));
    CHECK(e.failure.source.starts_with("lib/nn/layers/linear_conv.cpp:"));
  }
}

TEST_CASE("patterns that already agreed with PyTorch keep their findings") {
  const auto all = cases();
  auto report = [&](const std::string& name) {
    return compare_children(*find_case(all, name).model, find_case(all, name).inputs);
  };
  const ChildrenReport skip = report("skip_reads_child_twice");
  REQUIRE(skip.dataflow_breaks.size() == 1);
  CHECK(skip.dataflow_breaks[0].reason ==
        "the module's result also reads a (a skip connection): the Sequential returns only the output of b");
  const ChildrenReport loop = report("loop_over_one_child");
  REQUIRE(loop.repeated_children.size() == 1);
  CHECK(loop.repeated_children[0].calls == 3);
  const ChildrenReport branch = report("branch_on_shape");
  CHECK(branch.unused_children == std::vector<std::string>{"narrow"});
  const ChildrenReport list = report("module_list");
  CHECK(list.sequential.error ==
        "in 'blocks' (ModuleList): Module [ModuleList] is missing the required \"forward\" function");
  const ChildrenReport dict = report("module_dict");
  CHECK(dict.sequential.error ==
        "in 'heads' (ModuleDict): Module [ModuleDict] is missing the required \"forward\" function");
  const ChildrenReport twice = report("idempotent_twice");
  CHECK(twice.output.equal);
  CHECK(twice.verdict == Verdict::different);
  CHECK(twice.text().find("verdict: different - nn.Sequential(*children()) runs another program, though on this "
                          "input its output equals the module's\n") != std::string::npos);
}
