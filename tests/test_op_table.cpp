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

TEST_CASE("every op's attribute schema has unique names and defaults of the declared type") {
  for (size_t i = 0; i < op_count; ++i) {
    const Op op = static_cast<Op>(i);
    INFO(op_name(op));
    std::set<std::string_view> names;
    for (const AttrSpec& spec : op_attributes(op)) {
      CHECK(names.insert(spec.name).second);
      if (spec.fallback.empty()) continue;
      const AttrValue value = parse_attr_value(spec.type, spec.fallback);
      CHECK(value.index() == static_cast<size_t>(spec.type));
      CHECK(to_string(value) == spec.fallback);  // defaults are written as they print
    }
  }
}

TEST_CASE("the schemas follow PyTorch's argument names and defaults") {
  std::vector<std::string> conv;
  for (const AttrSpec& s : op_attributes(Op::conv2d)) conv.push_back(std::string(s.name) + "=" + std::string(s.fallback));
  CHECK(conv == std::vector<std::string>{"stride=[1, 1]", "padding=[0, 0]", "dilation=[1, 1]", "groups=1"});
  CHECK(op_attributes(Op::relu).empty());
  CHECK(op_attributes(Op::slice)[1].optional);  // start, None by default
}

TEST_CASE("attributes given by name are checked against the schema and completed with its defaults") {
  const Attrs conv = complete_attributes(Op::conv2d, {{"padding", std::vector<int64_t>{1, 1}}});
  CHECK(to_string(conv) == "stride=[1, 1], padding=[1, 1], dilation=[1, 1], groups=1");
  // An integer where a float belongs is converted, as Python does.
  CHECK(to_string(complete_attributes(Op::add, {{"other", int64_t{3}}})) == "other=3");
  CHECK(std::holds_alternative<double>(complete_attributes(Op::add, {{"other", int64_t{3}}}).items()[0].value));
  CHECK(test::error_of([] { complete_attributes(Op::conv2d, {{"strides", std::vector<int64_t>{2, 2}}}); }) ==
        "conv2d has no attribute 'strides'; its attributes are: stride, padding, dilation, groups");
  CHECK(test::error_of([] { complete_attributes(Op::softmax, {}); }) == "softmax: attribute 'dim' is required");
  CHECK(test::error_of([] { complete_attributes(Op::softmax, {{"dim", 1.5}}); }) ==
        "softmax: attribute 'dim' must be int, got 1.5");
  CHECK(test::error_of([] { complete_attributes(Op::relu, {{"inplace", true}}); }) ==
        "relu has no attribute 'inplace'; its attributes are: none");
}

TEST_CASE("F::apply runs any op by its enumerator, recorded like the named function") {
  const Tensor x = Tensor::deterministic({1, 2, 5, 5});
  const Tensor w = Tensor::deterministic({3, 2, 3, 3}, "w");
  const Tensors y = F::apply(Op::conv2d, {x, w}, {{"padding", std::vector<int64_t>{1, 1}}});
  REQUIRE(y.size() == 1);
  CHECK(equal(y[0], F::conv2d(x, w, {}, 1, 1)));
  CHECK(test::error_of([&] { F::apply(Op::softmax, {x}); }) == "softmax: attribute 'dim' is required");
}

TEST_CASE("attribute text parses by type, and bad text is an error") {
  CHECK(std::get<IntList>(parse_attr_value(AttrType::ints, "[]")).empty());
  CHECK(std::get<IntList>(parse_attr_value(AttrType::ints, "[3, -1]")) == std::vector<int64_t>{3, -1});
  CHECK(std::get<double>(parse_attr_value(AttrType::real, "1e-05")) == 1e-5);
  CHECK(test::error_of([] { parse_attr_value(AttrType::integer, "1.5"); }) == "cannot read '1.5' as int");
  CHECK(test::error_of([] { parse_attr_value(AttrType::flag, "yes"); }) == "cannot read 'yes' as bool");
  CHECK(test::error_of([] { parse_attr_value(AttrType::ints, "[1, x]"); }) == "cannot read '[1, x]' as int[]");
}
