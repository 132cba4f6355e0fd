// A trace as torch.fx-style text (trace_to_ir, `modtrace trace --format
// ir`): which values feed which op, with source, shape and module.

#include "cli.hpp"

using namespace modtrace;
using namespace test::cli;

namespace {

// Two outputs of one op, used in swapped order, and returned as a pair.
struct Halves : Module {
 protected:
  Tensors forward_many(const Tensors& in) override {
    const Tensors parts = F::chunk(in[0], 2, 1);
    return {parts[1] * 2.0, parts[0]};
  }
};

// A linear layer fed the wrong width: the trace stops at its op.
struct WrongWidth : Module {
  Linear& fc = register_module<Linear>("fc", 3, 2);

 protected:
  Tensor forward(const Tensor& x) override { return fc(x + 1.0); }
};

}  // namespace

TEST_CASE("the seed model's IR names each op's operands, source line, shape and module") {
  auto model = zoo::create("seed_main_model");
  const Trace t = trace_module(*model, {Tensor::ones({2, 2})});
  CHECK(trace_to_ir(t) ==
        "graph(%0 input: [2, 2]):\n"
        "  %1 = mul(%0, other=2)  # lib/zoo/seed.cpp:5  [2, 2]  block_0\n"
        "  %2 = mul(%1, other=3)  # lib/zoo/seed.cpp:11  [2, 2]  (functional)\n"
        "  %3 = add(%2, other=3)  # lib/zoo/seed.cpp:16  [2, 2]  (functional)\n"
        "  %4 = mul(%3, other=2)  # lib/zoo/seed.cpp:5  [2, 2]  block_1\n"
        "  return %4\n");
}

TEST_CASE("a second output is %N.1, and several results are returned as a tuple") {
  Halves model;
  const std::string ir = trace_to_ir(trace_module(model, {Tensor::ones({1, 4})}));
  CHECK(contains(ir, "  %1 = chunk(%0, chunks=2, dim=1)  # "));
  CHECK(contains(ir, "  [1, 2], [1, 2]  (functional)\n"));
  CHECK(contains(ir, "  %2 = mul(%1.1, other=2)  # "));
  CHECK(contains(ir, "  return (%2, %1)\n"));
}

TEST_CASE("parameters are operands by name, or lines of their own with show_parameters") {
  WrongWidth model;
  const Trace t = trace_module(model, {Tensor::ones({1, 3})});
  const std::string ir = trace_to_ir(t);
  CHECK(contains(ir, "= linear(%1, %fc.weight, %fc.bias)  # "));
  CHECK(!contains(ir, "parameter["));
  const std::string listed = trace_to_ir(t, true);
  CHECK(contains(listed, "= parameter[fc.weight]  # [2, 3]\n"));
  CHECK(contains(listed, "= linear(%1, %2, %3)  # "));
}

TEST_CASE("a failed op is the last line, with its error, and nothing is returned") {
  WrongWidth model;
  const std::string ir = trace_to_ir(trace_module(model, {Tensor::ones({1, 5})}));
  CHECK(contains(ir, "= linear(%1, %fc.weight, %fc.bias)  # "));
  CHECK(contains(ir, "  FAILED: linear: "));
  CHECK(!contains(ir, "return"));
}

TEST_CASE("modtrace trace --format ir prints the IR; a bad format is a usage error") {
  const Result r = tool("trace seed_main_model --format ir");
  CHECK(r.status == 0);
  CHECK(r.out.starts_with("graph(%0 input: [2, 2]):\n  %1 = mul(%0, other=2)"));
  const Result resnet = tool("trace resnet18 --shape-only --format ir");
  // Node 1 is conv1.weight, an operand by its key here.
  CHECK(contains(resnet.out, "  %2 = conv2d(%0, %conv1.weight, stride=[2, 2], padding=[3, 3], dilation=[1, 1], groups=1)  # "));
  CHECK(contains(resnet.out, "  return %"));
  CHECK(tool("trace seed_main_model --format xml").status == 2);
}
