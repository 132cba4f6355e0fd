// What the children-only analysis says about each zoo model: the verdict,
// the ops dropped from the root's own forward, unused children and where the
// Sequential fails. These are the findings docs/zoo.md tabulates; shape-only
// traces give the same structure as real ones, in milliseconds.

#include "helpers.hpp"

using namespace modtrace;

namespace {

struct Expected {
  std::string model;
  Verdict verdict;
  std::vector<std::string> dropped;
  std::vector<std::string> unused = {};
  std::string failed_child = "";
  std::string error_contains = "";
};

std::vector<std::string> dropped_ops(const ChildrenReport& r) {
  std::vector<std::string> ops;
  for (const auto& d : r.dropped) ops.push_back(d.op);
  return ops;
}

void check(const Expected& e) {
  const auto model = zoo::create(e.model);
  const ChildrenReport r = compare_children(*model, {zoo::default_input(e.model)}, {.shape_only = true});
  INFO(r.text());
  CHECK(r.verdict == e.verdict);
  CHECK(dropped_ops(r) == e.dropped);
  CHECK(r.unused_children == e.unused);
  CHECK(r.sequential.failed_child == e.failed_child);
  CHECK(r.sequential.error.find(e.error_contains) != std::string::npos);
  CHECK(r.repeated_children.empty());
  CHECK_FALSE(r.order_mismatch);
  CHECK(r.dataflow_breaks.empty());
}

}  // namespace

TEST_CASE("convnext_tiny: the root only calls its children, so the Sequential is equivalent") {
  check({"convnext_tiny", Verdict::equivalent, {}});
}

TEST_CASE("resnet18 and resnet50: torch.flatten is dropped and fc fails on [N, C, 1, 1]") {
  for (const char* name : {"resnet18", "resnet50"}) {
    check({name, Verdict::fails, {"flatten"}, {}, "fc", "linear: input's last dimension is 1"});
  }
}

TEST_CASE("vgg11: the flatten between avgpool and classifier is dropped") {
  check({"vgg11", Verdict::fails, {"flatten"}, {}, "classifier", "linear: input's last dimension is 7, expected 25088"});
}

TEST_CASE("mobilenet_v2: the root's adaptive_avg_pool2d and flatten are dropped") {
  check({"mobilenet_v2", Verdict::fails, {"adaptive_avg_pool2d", "flatten"}, {}, "classifier",
         "linear: input's last dimension is 7, expected 1280"});
}

TEST_CASE("densenet121: the final relu, adaptive_avg_pool2d and flatten are dropped") {
  check({"densenet121", Verdict::fails, {"relu", "adaptive_avg_pool2d", "flatten"}, {}, "classifier",
         "linear: input's last dimension is 7, expected 1024"});
}

TEST_CASE("squeezenet1_0: the final flatten is dropped; the Sequential runs but returns [1, 1000, 1, 1]") {
  check({"squeezenet1_0", Verdict::different, {"flatten"}});
}

TEST_CASE("googlenet: aux1 and aux2 are never called in eval, and the Sequential fails in aux1") {
  check({"googlenet", Verdict::fails, {"flatten"}, {"aux1", "aux2"}, "aux1",
         "conv2d: input has 1024 channels, expected 512"});
}

TEST_CASE("vit_b_16: reshape, permute, class token expand and cat, and x[:, 0] are dropped") {
  check({"vit_b_16", Verdict::fails, {"reshape", "permute", "expand", "cat", "select"}, {}, "encoder",
         "Expected (batch_size, seq_length, hidden_dim) got [1, 768, 14, 14]"});
}

TEST_CASE("seed_main_model: mul and add are dropped and the Sequential computes something else") {
  check({"seed_main_model", Verdict::different, {"mul", "add"}});
}

TEST_CASE("inside a ResNet block the residual add is dropped and relu reads the block's input") {
  const auto model = zoo::create("resnet18");
  const ChildrenReport r =
      compare_children(*model, {zoo::default_input("resnet18")}, {.at = "layer2.0", .shape_only = true});
  CHECK(r.module_type == "BasicBlock");
  CHECK(dropped_ops(r) == std::vector<std::string>{"add"});
  REQUIRE(r.repeated_children.size() == 1);
  CHECK(r.repeated_children[0].name == "relu");
  CHECK_FALSE(r.order_mismatch);  // first uses follow registration; relu's second call comes last
  CHECK(r.call_order.back() == "relu");
  REQUIRE(r.dataflow_breaks.size() == 2);
  CHECK(r.dataflow_breaks[0].child == "downsample");
  CHECK(r.dataflow_breaks[0].actual == std::vector<std::string>{"the module's input"});
  CHECK(r.dataflow_breaks[1].child == "relu");
  CHECK(r.dataflow_breaks[1].call_index == 1);
  CHECK(r.sequential.failed_child == "downsample");
}

TEST_CASE("a DenseNet layer receives every earlier feature map: a dataflow break inside the block") {
  const auto model = zoo::create("densenet121");
  const ChildrenReport r = compare_children(*model, {zoo::default_input("densenet121")},
                                            {.at = "features.denseblock1", .shape_only = true});
  CHECK(r.module_type == "_DenseBlock");
  CHECK(dropped_ops(r) == std::vector<std::string>{"cat"});
  REQUIRE(r.dataflow_breaks.size() >= 2);
  // torchvision hands each layer the list of all earlier maps; denselayer1's
  // list holds only the block's input, which is what the Sequential gives it.
  CHECK(r.dataflow_breaks[0].child == "denselayer2");
  CHECK(r.dataflow_breaks[0].reason ==
        "denselayer2 is called with a tuple of 2 tensors; the Sequential passes it one tensor, the output of "
        "denselayer1");
  CHECK(r.original.calls()[r.original.child_calls(0)[0]].tuple_argument);
}
