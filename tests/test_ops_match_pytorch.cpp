// Every op, run through modtrace::F on the cases in reference/op_cases.json,
// gives what PyTorch 1.13 gave (make_op_cases.py). Inputs and outputs are
// PyTorch's own float32 tensors; the tolerance covers float32 summation order.

#include <cmath>
#include <set>

#include "helpers.hpp"

using namespace modtrace;
using nlohmann::json;

namespace {

Size2 pair_of(const json& j) { return {j.at(0).get<int64_t>(), j.at(1).get<int64_t>()}; }

// The F:: call for one case: the public API, not the dispatcher.
Tensor run_case(const std::string& op, const Tensors& in, const json& a) {
  const Tensor none;
  const auto arg = [&](size_t i) { return i < in.size() ? in[i] : none; };
  const bool scalar = a.contains("other");
  if (op == "add") return scalar ? F::add(in[0], a["other"].get<double>()) : F::add(in[0], in[1]);
  if (op == "sub") return scalar ? F::sub(in[0], a["other"].get<double>()) : F::sub(in[0], in[1]);
  if (op == "rsub") return F::rsub(in[0], a["other"].get<double>());
  if (op == "mul") return scalar ? F::mul(in[0], a["other"].get<double>()) : F::mul(in[0], in[1]);
  if (op == "div") return scalar ? F::div(in[0], a["other"].get<double>()) : F::div(in[0], in[1]);
  if (op == "neg") return F::neg(in[0]);
  if (op == "reciprocal") return F::reciprocal(in[0]);
  if (op == "relu") return F::relu(in[0]);
  if (op == "relu6") return F::relu6(in[0]);
  if (op == "gelu") return F::gelu(in[0], a["approximate"].get<std::string>());
  if (op == "silu") return F::silu(in[0]);
  if (op == "sigmoid") return F::sigmoid(in[0]);
  if (op == "hardsigmoid") return F::hardsigmoid(in[0]);
  if (op == "hardswish") return F::hardswish(in[0]);
  if (op == "tanh") return F::tanh(in[0]);
  if (op == "softmax") return F::softmax(in[0], a["dim"].get<int64_t>());
  if (op == "matmul") return F::matmul(in[0], in[1]);
  if (op == "linear") return F::linear(in[0], in[1], arg(2));
  if (op == "conv2d") {
    return F::conv2d(in[0], in[1], arg(2), pair_of(a["stride"]), pair_of(a["padding"]), pair_of(a["dilation"]),
                     a["groups"].get<int64_t>());
  }
  if (op == "max_pool2d") {
    return F::max_pool2d(in[0], pair_of(a["kernel_size"]), pair_of(a["stride"]), pair_of(a["padding"]),
                         pair_of(a["dilation"]), a["ceil_mode"].get<bool>());
  }
  if (op == "avg_pool2d") {
    return F::avg_pool2d(in[0], pair_of(a["kernel_size"]), pair_of(a["stride"]), pair_of(a["padding"]),
                         a["ceil_mode"].get<bool>(), a["count_include_pad"].get<bool>());
  }
  if (op == "adaptive_avg_pool2d") return F::adaptive_avg_pool2d(in[0], pair_of(a["output_size"]));
  if (op == "batch_norm") {
    // Copies: training mode updates the running statistics in place.
    return F::batch_norm(in[0], in[1].clone(), in[2].clone(), arg(3), arg(4), a["training"].get<bool>(),
                         a["momentum"].get<double>(), a["eps"].get<double>());
  }
  if (op == "layer_norm") {
    return F::layer_norm(in[0], a["normalized_shape"].get<Shape>(), arg(1), arg(2), a["eps"].get<double>());
  }
  if (op == "reshape") return F::reshape(in[0], a["shape"].get<Shape>());
  if (op == "view") return F::view(in[0], a["shape"].get<Shape>());
  if (op == "flatten") return F::flatten(in[0], a["start_dim"].get<int64_t>(), a["end_dim"].get<int64_t>());
  if (op == "squeeze") return F::squeeze(in[0], a["dim"].get<int64_t>());
  if (op == "unsqueeze") return F::unsqueeze(in[0], a["dim"].get<int64_t>());
  if (op == "contiguous") return F::contiguous(in[0]);
  if (op == "permute") return F::permute(in[0], a["dims"].get<std::vector<int64_t>>());
  if (op == "transpose") return F::transpose(in[0], a["dim0"].get<int64_t>(), a["dim1"].get<int64_t>());
  if (op == "clone") return F::clone(in[0]);
  if (op == "cat") return F::cat(in, a["dim"].get<int64_t>());
  if (op == "slice") {
    const auto bound = [&](const char* k) {
      return a.contains(k) ? std::optional<int64_t>(a[k].get<int64_t>()) : std::nullopt;
    };
    return F::slice(in[0], a["dim"].get<int64_t>(), bound("start"), bound("end"), a["step"].get<int64_t>());
  }
  if (op == "select") return F::select(in[0], a["dim"].get<int64_t>(), a["index"].get<int64_t>());
  if (op == "narrow") {
    return F::narrow(in[0], a["dim"].get<int64_t>(), a["start"].get<int64_t>(), a["length"].get<int64_t>());
  }
  if (op == "expand") return F::expand(in[0], a["size"].get<Shape>());
  if (op == "sum") return F::sum(in[0], a["dim"].get<std::vector<int64_t>>(), a["keepdim"].get<bool>());
  if (op == "mean") return F::mean(in[0], a["dim"].get<std::vector<int64_t>>(), a["keepdim"].get<bool>());
  if (op == "dropout") return F::dropout(in[0], a["p"].get<double>(), a["training"].get<bool>());
  if (op == "stochastic_depth") {
    return F::stochastic_depth(in[0], a["p"].get<double>(), a["mode"].get<std::string>(), a["training"].get<bool>());
  }
  FAIL("no F:: mapping for op " << op);
  return {};
}

// Precision cases (large, nearly constant inputs) hold the float64 result:
// modtrace must be at least as accurate as PyTorch's float32 was.
double precision_tolerance(const json& c, const Tensor& want) {
  double largest = 0;
  for (float v : want.values()) largest = std::max(largest, static_cast<double>(std::abs(v)));
  const double two_ulps = 2.0 * std::nextafter(static_cast<float>(largest), INFINITY) - 2.0 * largest;
  return std::max(c["pytorch_error"].get<double>(), two_ulps);
}

// JSON attributes as Attrs: integers, floats, bools, integer lists, strings.
Attrs attrs_from_json(const json& a) {
  Attrs out;
  for (const auto& [key, value] : a.items()) {
    // Attr names are string_views: keep the strings alive for the test's lifetime.
    static std::set<std::string> names;
    const std::string_view name = *names.insert(key).first;
    if (value.is_boolean()) out.add(name, value.get<bool>());
    else if (value.is_number_integer()) out.add(name, value.get<int64_t>());
    else if (value.is_number()) out.add(name, value.get<double>());
    else if (value.is_array()) out.add(name, value.get<std::vector<int64_t>>());
    else out.add(name, value.get<std::string>());
  }
  return out;
}

bool close_or_same_special(float got, float want) {
  if (std::isnan(want)) return std::isnan(got);
  if (std::isinf(want)) return got == want;
  return std::abs(got - want) <= 1e-5f + 1e-5f * std::abs(want);
}

}  // namespace

TEST_CASE("every op gives PyTorch's values on the reference cases") {
  const json reference = test::read_reference("op_cases.json");
  for (const auto& c : reference["cases"]) {
    const std::string name = c["name"].get<std::string>();
    SUBCASE(name.c_str()) {
      Tensors inputs;
      for (const auto& t : c["inputs"]) inputs.push_back(t.is_null() ? Tensor() : test::tensor_from_json(t));
      const Tensor want = test::tensor_from_json(c["output"]);
      const Tensor got = run_case(c["op"].get<std::string>(), inputs, c["attrs"]);
      REQUIRE(got.shape() == want.shape());
      if (c.contains("pytorch_error")) {
        const double error = max_abs_diff(got, want), tolerance = precision_tolerance(c, want);
        INFO("max |modtrace - float64| = " << error << ", PyTorch's float32 error " << c["pytorch_error"].get<double>());
        CHECK(error <= tolerance);
        continue;
      }
      for (int64_t i = 0; i < want.numel(); ++i) {
        INFO("element " << i);
        CHECK(close_or_same_special(got.data()[i], want.data()[i]));
      }
    }
  }
}

TEST_CASE("every case runs the same through F::apply, and F:: records the op's attribute schema") {
  const json reference = test::read_reference("op_cases.json");
  for (const auto& c : reference["cases"]) {
    const std::string name = c["name"].get<std::string>();
    INFO(name);
    const Op op = op_from_name(c["op"].get<std::string>());
    Tensors inputs;
    for (const auto& t : c["inputs"]) inputs.push_back(t.is_null() ? Tensor() : test::tensor_from_json(t));
    // batch_norm in training updates its running statistics: each path gets its own copy.
    Tensors for_apply = inputs, for_named = inputs;
    for (auto* set : {&for_apply, &for_named}) {
      for (Tensor& t : *set) t = t.defined() ? t.clone() : t;
    }
    // The generic path: PyTorch's attribute names and types, checked and completed by the schema.
    const Tensors generic = F::apply(op, for_apply, attrs_from_json(c["attrs"]));
    REQUIRE(generic.size() == 1);
    // The named function, traced: the recorded attributes follow the schema, in order.
    TraceSession session;
    Tensors fed;
    for (const Tensor& t : for_named) fed.push_back(t.defined() ? session.input(t) : t);
    const Tensor named = run_case(c["op"].get<std::string>(), fed, c["attrs"]);
    const Trace trace = session.finish();
    CHECK(equal(generic[0], named));
    const Node& node = trace.graph()[trace.op_nodes().back()];
    std::vector<std::string_view> recorded, schema;
    for (const auto& item : node.attrs.items()) recorded.push_back(item.name);
    for (const AttrSpec& spec : op_attributes(op)) {
      if (node.attrs.has(spec.name) || !spec.optional) schema.push_back(spec.name);
      if (const AttrValue* v = node.attrs.find(spec.name)) CHECK(v->index() == static_cast<size_t>(spec.type));
    }
    CHECK(recorded == schema);
  }
}

TEST_CASE("every op in the table has at least one PyTorch reference case") {
  const json reference = test::read_reference("op_cases.json");
  std::set<std::string> covered;
  for (const auto& c : reference["cases"]) covered.insert(c["op"].get<std::string>());
  for (size_t i = 0; i < op_count; ++i) {
    const std::string name(op_name(static_cast<Op>(i)));
    CHECK_MESSAGE(covered.count(name) == 1, "no reference case for op " << name);
  }
}
