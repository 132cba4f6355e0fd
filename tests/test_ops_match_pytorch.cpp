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

std::vector<int64_t> ints(const json& j) { return j.get<std::vector<int64_t>>(); }
std::optional<double> optional_real(const json& a, const char* key) {
  return a.contains(key) ? std::optional<double>(a[key].get<double>()) : std::nullopt;
}

// The F:: call for one case: the public API, not the dispatcher. Ops with
// one output return {it}.
Tensors run_case(const std::string& op, const Tensors& in, const json& a);

Tensor run_single(const std::string& op, const Tensors& in, const json& a) {
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
  if (op == "abs") return F::abs(in[0]);
  if (op == "sqrt") return F::sqrt(in[0]);
  if (op == "rsqrt") return F::rsqrt(in[0]);
  if (op == "erf") return F::erf(in[0]);
  if (op == "exp") return F::exp(in[0]);
  if (op == "log") return F::log(in[0]);
  if (op == "pow") return F::pow(in[0], a["exponent"].get<double>());
  if (op == "clamp") return F::clamp(in[0], optional_real(a, "min"), optional_real(a, "max"));
  if (op == "where") return F::where(in[0], in[1], in[2]);
  if (op == "masked_fill") return F::masked_fill(in[0], in[1], a["value"].get<double>());
  // In place: the reference ran on a copy, so does this.
  Tensor target = in[0].clone();
  if (op == "add_") return scalar ? F::add_(target, a["other"].get<double>()) : F::add_(target, in[1]);
  if (op == "sub_") return scalar ? F::sub_(target, a["other"].get<double>()) : F::sub_(target, in[1]);
  if (op == "mul_") return scalar ? F::mul_(target, a["other"].get<double>()) : F::mul_(target, in[1]);
  if (op == "div_") return scalar ? F::div_(target, a["other"].get<double>()) : F::div_(target, in[1]);
  if (op == "clamp_") return F::clamp_(target, optional_real(a, "min"), optional_real(a, "max"));
  if (op == "masked_fill_") return F::masked_fill_(target, in[1], a["value"].get<double>());
  if (op == "relu_") return F::relu_(target);
  if (op == "sigmoid_") return F::sigmoid_(target);
  if (op == "tanh_") return F::tanh_(target);
  if (op == "eq") return scalar ? F::eq(in[0], a["other"].get<double>()) : F::eq(in[0], in[1]);
  if (op == "ne") return scalar ? F::ne(in[0], a["other"].get<double>()) : F::ne(in[0], in[1]);
  if (op == "gt") return scalar ? F::gt(in[0], a["other"].get<double>()) : F::gt(in[0], in[1]);
  if (op == "ge") return scalar ? F::ge(in[0], a["other"].get<double>()) : F::ge(in[0], in[1]);
  if (op == "lt") return scalar ? F::lt(in[0], a["other"].get<double>()) : F::lt(in[0], in[1]);
  if (op == "le") return scalar ? F::le(in[0], a["other"].get<double>()) : F::le(in[0], in[1]);
  if (op == "leaky_relu") return F::leaky_relu(in[0], a["negative_slope"].get<double>());
  if (op == "prelu") return F::prelu(in[0], in[1]);
  if (op == "mish") return F::mish(in[0]);
  if (op == "softplus") return F::softplus(in[0], a["beta"].get<double>(), a["threshold"].get<double>());
  if (op == "log_softmax") return F::log_softmax(in[0], a["dim"].get<int64_t>());
  if (op == "bmm") return F::bmm(in[0], in[1]);
  if (op == "baddbmm") return F::baddbmm(in[0], in[1], in[2], a["beta"].get<double>(), a["alpha"].get<double>());
  if (op == "einsum") return F::einsum(a["equation"].get<std::string>(), in);
  if (op == "conv1d") {
    return F::conv1d(in[0], in[1], arg(2), a["stride"][0].get<int64_t>(), a["padding"][0].get<int64_t>(),
                     a["dilation"][0].get<int64_t>(), a["groups"].get<int64_t>());
  }
  if (op == "conv_transpose2d") {
    return F::conv_transpose2d(in[0], in[1], arg(2), pair_of(a["stride"]), pair_of(a["padding"]),
                               pair_of(a["output_padding"]), a["groups"].get<int64_t>(), pair_of(a["dilation"]));
  }
  if (op == "max_unpool2d") {
    return F::max_unpool2d(in[0], in[1], pair_of(a["kernel_size"]), pair_of(a["stride"]), pair_of(a["padding"]),
                           pair_of(a["output_size"]));
  }
  if (op == "max_pool1d") {
    return F::max_pool1d(in[0], a["kernel_size"][0].get<int64_t>(), a["stride"][0].get<int64_t>(),
                         a["padding"][0].get<int64_t>(), a["dilation"][0].get<int64_t>(), a["ceil_mode"].get<bool>());
  }
  if (op == "avg_pool1d") {
    return F::avg_pool1d(in[0], a["kernel_size"][0].get<int64_t>(), a["stride"][0].get<int64_t>(),
                         a["padding"][0].get<int64_t>(), a["ceil_mode"].get<bool>(), a["count_include_pad"].get<bool>());
  }
  if (op == "group_norm") return F::group_norm(in[0], a["num_groups"].get<int64_t>(), arg(1), arg(2), a["eps"].get<double>());
  if (op == "instance_norm") {
    const auto copy = [&](size_t i) { return arg(i).defined() ? arg(i).clone() : Tensor(); };
    return F::instance_norm(in[0], copy(1), copy(2), arg(3), arg(4), a["use_input_stats"].get<bool>(),
                            a["momentum"].get<double>(), a["eps"].get<double>());
  }
  if (op == "stack") return F::stack(in, a["dim"].get<int64_t>());
  if (op == "roll") return F::roll(in[0], ints(a["shifts"]), ints(a["dims"]));
  if (op == "pad") return F::pad(in[0], ints(a["pad"]), a["mode"].get<std::string>(), a["value"].get<double>());
  if (op == "interpolate") {
    return F::interpolate(in[0], a.contains("size") ? ints(a["size"]) : std::vector<int64_t>{},
                          optional_real(a, "scale_factor"), a["mode"].get<std::string>(), a["align_corners"].get<bool>());
  }
  if (op == "pixel_shuffle") return F::pixel_shuffle(in[0], a["upscale_factor"].get<int64_t>());
  if (op == "embedding") return F::embedding(in[0], in[1]);
  if (op == "cumsum") return F::cumsum(in[0], a["dim"].get<int64_t>());
  if (op == "argmax") {
    const auto dim = a.contains("dim") ? std::optional<int64_t>(a["dim"].get<int64_t>()) : std::nullopt;
    return F::argmax(in[0], dim, a["keepdim"].get<bool>());
  }
  if (op == "dropout2d") return F::dropout2d(in[0], a["p"].get<double>(), a["training"].get<bool>());
  FAIL("no F:: mapping for op " << op);
  return {};
}

Tensors run_case(const std::string& op, const Tensors& in, const json& a) {
  if (op == "max_pool2d_with_indices") {
    return F::max_pool2d_with_indices(in[0], pair_of(a["kernel_size"]), pair_of(a["stride"]), pair_of(a["padding"]),
                                      pair_of(a["dilation"]), a["ceil_mode"].get<bool>());
  }
  if (op == "chunk") return F::chunk(in[0], a["chunks"].get<int64_t>(), a["dim"].get<int64_t>());
  if (op == "split") {
    return a.contains("split_size") ? F::split(in[0], a["split_size"].get<int64_t>(), a["dim"].get<int64_t>())
                                    : F::split(in[0], ints(a["split_sizes"]), a["dim"].get<int64_t>());
  }
  if (op == "unbind") return F::unbind(in[0], a["dim"].get<int64_t>());
  if (op == "topk") {
    return F::topk(in[0], a["k"].get<int64_t>(), a["dim"].get<int64_t>(), a["largest"].get<bool>(),
                   a["sorted"].get<bool>());
  }
  if (op == "sort") return F::sort(in[0], a["dim"].get<int64_t>(), a["descending"].get<bool>());
  return {run_single(op, in, a)};
}

// The expected outputs: "output", or "outputs" for ops with several.
Tensors expected_outputs(const json& c) {
  Tensors out;
  if (c.contains("output")) out.push_back(test::tensor_from_json(c["output"]));
  for (const auto& t : c.value("outputs", json::array())) out.push_back(test::tensor_from_json(t));
  return out;
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
    else if (value.is_array()) out.add(name, IntList(value.get<std::vector<int64_t>>()));
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
      const Tensors wanted = expected_outputs(c);
      const Tensors outputs = run_case(c["op"].get<std::string>(), inputs, c["attrs"]);
      REQUIRE(outputs.size() == wanted.size());
      for (size_t k = 0; k < wanted.size(); ++k) {
        INFO("output " << k);
        const Tensor& want = wanted[k];
        const Tensor& got = outputs[k];
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
    // The named function, traced: the recorded attributes follow the schema, in order.
    TraceSession session;
    Tensors fed;
    for (const Tensor& t : for_named) fed.push_back(t.defined() ? session.input(t) : t);
    const Tensors named = run_case(c["op"].get<std::string>(), fed, c["attrs"]);
    const Trace trace = session.finish();
    REQUIRE(generic.size() == named.size());
    for (size_t k = 0; k < named.size(); ++k) CHECK(equal(generic[k], named[k]));
    const Node& node = trace.graph()[trace.op_nodes().back()];
    std::vector<std::string_view> recorded, schema;
    for (const auto& item : node.attrs().items()) recorded.push_back(item.name);
    for (const AttrSpec& spec : op_attributes(op)) {
      if (node.attrs().has(spec.name) || !spec.optional) schema.push_back(spec.name);
      if (const AttrValue* v = node.attrs().find(spec.name)) CHECK(v->index() == static_cast<size_t>(spec.type));
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
