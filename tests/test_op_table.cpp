// The op table: one row per Op, unique PyTorch names, looked up both ways.

#include <set>

#include "helpers.hpp"

using namespace modtrace;

TEST_CASE("every op has a unique name that maps back to it") {
  std::set<std::string_view> names;
  for (size_t i = 0; i < op_count; ++i) {
    const Op op = static_cast<Op>(i);
    CHECK(names.insert(op_name(op)).second);
    CHECK(op_from_name(op_name(op)) == op);
  }
  CHECK(names.size() == op_count);
}

TEST_CASE("ops carry PyTorch's names and their categories") {
  CHECK(op_name(Op::adaptive_avg_pool2d) == "adaptive_avg_pool2d");
  CHECK(op_name(Op::rsub) == "rsub");
  CHECK(op_category(Op::conv2d) == OpCategory::product);
  CHECK(op_category(Op::flatten) == OpCategory::view);
  CHECK(op_category(Op::permute) == OpCategory::copy);
  CHECK(category_name(OpCategory::normalization) == "normalization");
}

TEST_CASE("input names follow PyTorch's argument names") {
  const auto conv = op_input_names(Op::conv2d);
  CHECK(std::vector<std::string_view>(conv.begin(), conv.end()) ==
        std::vector<std::string_view>{"input", "weight", "bias"});
  CHECK(op_input_names(Op::batch_norm).size() == 5);
  CHECK(op_input_names(Op::cat).front() == "tensors");
}

TEST_CASE("an unknown op name is an error listing the known ones") {
  const std::string message = test::error_of([] { op_from_name("conv3d"); });
  CHECK(message.rfind("unknown op 'conv3d'; known ops: add, sub, rsub, mul", 0) == 0);
}

TEST_CASE("attributes print compactly") {
  CHECK(to_string(AttrValue{int64_t{3}}) == "3");
  CHECK(to_string(AttrValue{0.5}) == "0.5");
  CHECK(to_string(AttrValue{1e-5}) == "1e-05");
  CHECK(to_string(AttrValue{true}) == "true");
  CHECK(to_string(AttrValue{std::vector<int64_t>{2, 2}}) == "[2, 2]");
  CHECK(to_string(AttrValue{std::string("tanh")}) == "tanh");
}
