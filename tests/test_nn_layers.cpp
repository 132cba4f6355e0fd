// torch.nn layers and torchvision.ops blocks, built with modtrace's API: each
// prints, keys its state and computes as PyTorch 1.13 did
// (tests/reference/make_nn_cases.py -> nn_cases.json).

#include <functional>
#include <map>

#include "helpers.hpp"

using namespace modtrace;
using nlohmann::json;

namespace {

using Builder = std::function<std::shared_ptr<Module>()>;

const std::map<std::string, Builder>& builders() {
  static const std::map<std::string, Builder> all = {
      {"Conv1d", [] { return make<Conv1d>(3, 4, 3); }},
      {"Conv1d stride 2 padding 1 dilation 2 no bias",
       [] { return make<Conv1d>(3, 4, 3, Conv1dOptions{.stride = 2, .padding = 1, .dilation = 2, .bias = false}); }},
      {"ConvTranspose2d stride 2", [] { return make<ConvTranspose2d>(3, 2, 3, ConvTranspose2dOptions{.stride = 2}); }},
      {"ConvTranspose2d groups, padding, output_padding, no bias",
       [] {
         return make<ConvTranspose2d>(4, 2, Size2{3, 2},
                                      ConvTranspose2dOptions{.stride = 2, .padding = 1, .output_padding = 1,
                                                             .groups = 2, .bias = false});
       }},
      {"Embedding", [] { return make<Embedding>(10, 4); }},
      {"Embedding with padding_idx", [] { return make<Embedding>(10, 4, 0); }},
      {"GroupNorm", [] { return make<GroupNorm>(2, 6); }},
      {"GroupNorm without affine", [] { return make<GroupNorm>(3, 6, 1e-3, false); }},
      {"InstanceNorm2d", [] { return make<InstanceNorm2d>(3); }},
      {"InstanceNorm2d affine, tracking statistics (eval: the running ones)",
       [] { return make<InstanceNorm2d>(3, InstanceNormOptions{.affine = true, .track_running_stats = true}); }},
      {"InstanceNorm2d on an unbatched input", [] { return make<InstanceNorm2d>(3); }},
      {"LeakyReLU", [] { return make<LeakyReLU>(); }},
      {"LeakyReLU slope 0.2 inplace", [] { return make<LeakyReLU>(0.2, true); }},
      {"PReLU", [] { return make<PReLU>(); }},
      {"PReLU per channel", [] { return make<PReLU>(3, 0.1); }},
      {"Mish", [] { return make<Mish>(); }},
      {"Softplus", [] { return make<Softplus>(); }},
      {"Softplus beta 2.0 threshold 10", [] { return make<Softplus>(2.0, 10); }},
      {"Tanh", [] { return make<Tanh>(); }},
      {"Softmax", [] { return make<Softmax>(1); }},
      {"LogSoftmax", [] { return make<LogSoftmax>(-1); }},
      {"Dropout2d in eval", [] { return make<Dropout2d>(0.2, true); }},
      {"MaxPool1d", [] { return make<MaxPool1d>(3); }},
      {"MaxPool1d stride 2 padding 1", [] { return make<MaxPool1d>(3, MaxPool1dOptions{.stride = 2, .padding = 1}); }},
      {"AvgPool1d", [] { return make<AvgPool1d>(3); }},
      {"AvgPool1d stride 2 padding 1", [] { return make<AvgPool1d>(3, AvgPool1dOptions{.stride = 2, .padding = 1}); }},
      {"MaxPool2d returning indices", [] { return make<MaxPool2d>(2, MaxPool2dOptions{.return_indices = true}); }},
      {"MaxUnpool2d", [] { return make<MaxUnpool2d>(2); }},
      {"MaxUnpool2d kernel 3 stride 2 padding 1", [] { return make<MaxUnpool2d>(3, 2, 1); }},
      {"ReflectionPad2d", [] { return make<ReflectionPad2d>(1); }},
      {"ReflectionPad2d (1, 2, 2, 0)", [] { return make<ReflectionPad2d>(std::vector<int64_t>{1, 2, 2, 0}); }},
      {"ReflectionPad1d", [] { return make<ReflectionPad1d>(2); }},
      {"ReplicationPad2d", [] { return make<ReplicationPad2d>(2); }},
      {"ZeroPad2d", [] { return make<ZeroPad2d>(std::vector<int64_t>{1, 0, 2, 0}); }},
      {"ConstantPad2d", [] { return make<ConstantPad2d>(1, 0.5); }},
      {"Upsample nearest scale 2", [] { return make<Upsample>(UpsampleOptions{.scale_factor = 2.0}); }},
      {"Upsample bilinear to (4, 5)", [] { return make<Upsample>(UpsampleOptions{.size = {4, 5}, .mode = "bilinear"}); }},
      {"Upsample one size for both", [] { return make<Upsample>(UpsampleOptions{.size = {7}}); }},
      {"PixelShuffle", [] { return make<PixelShuffle>(2); }},
      {"SqueezeExcitation", [] { return make<SqueezeExcitation>(8, 2); }},
      {"SqueezeExcitation with SiLU and Hardsigmoid",
       [] { return make<SqueezeExcitation>(6, 3, make<SiLU>(), make<Hardsigmoid>()); }},
      {"FrozenBatchNorm2d", [] { return make<FrozenBatchNorm2d>(4); }},
      {"Linear with forward hooks",
       [] {
         auto m = make<Linear>(3, 2);
         m->register_forward_pre_hook([](Module&, const Tensors& in) { return Tensors{in[0] * 2}; });
         m->register_forward_hook([](Module&, const Tensors&, const Tensors& out) { return Tensors{out[0] + 1}; });
         m->register_forward_hook([](Module&, const Tensors&, const Tensors&) { return std::optional<Tensors>(); });
         m->register_forward_hook(
             [](Module&, const Tensors&, const Tensors& out) { return Tensors{out[0] * out[0]}; });
         return m;
       }},
  };
  return all;
}

std::vector<std::string> keys_of(const NamedTensors& state) {
  std::vector<std::string> out;
  for (const auto& [key, t] : state) out.push_back(key);
  return out;
}

}  // namespace

TEST_CASE("each layer prints, keys its state and computes as PyTorch's") {
  const json reference = test::read_reference("nn_cases.json");
  REQUIRE(reference["cases"].size() == builders().size());
  for (const json& c : reference["cases"]) {
    const std::string name = c["name"];
    INFO(name);
    REQUIRE(builders().count(name) == 1);
    const auto layer = builders().at(name)();
    init::deterministic(*layer);
    layer->eval();
    CHECK(layer->repr() == c["repr"].get<std::string>());
    CHECK(keys_of(layer->state_dict()) == c["state_dict"].get<std::vector<std::string>>());
    Tensors inputs;
    for (const json& t : c["inputs"]) inputs.push_back(test::tensor_from_json(t));
    const Tensors outputs = layer->call(inputs);
    REQUIRE(outputs.size() == c["outputs"].size());
    for (size_t i = 0; i < outputs.size(); ++i) {
      const Tensor want = test::tensor_from_json(c["outputs"][i]);
      REQUIRE(outputs[i].shape() == want.shape());
      CHECK(max_abs_diff(outputs[i], want) <= 1e-5 * std::max(1.0, max_abs_diff(want, Tensor::zeros(want.shape()))));
    }
  }
}

TEST_CASE("SqueezeExcitation's multiply is the block's own code; its children are module-owned") {
  SqueezeExcitation se(4, 2);
  const Trace t = trace_module(se, {Tensor::deterministic({1, 4, 3, 3})});
  std::vector<std::string> own;
  for (Vertex v : t.op_nodes()) {
    if (t.ownership(v).functional()) own.emplace_back(t.graph()[v].op_name());
  }
  CHECK(own == std::vector<std::string>{"mul"});
  const ChildrenReport r = compare_children(se, {Tensor::deterministic({1, 4, 3, 3})});
  CHECK(r.verdict == Verdict::different);  // the Sequential returns the scale, not input * scale
}

TEST_CASE("FrozenBatchNorm2d records torchvision's ops and matches an eval-mode BatchNorm2d") {
  FrozenBatchNorm2d frozen(3);
  BatchNorm2d bn(3);
  init::deterministic(frozen);
  init::deterministic(bn);
  bn.eval();
  const Tensor x = Tensor::deterministic({2, 3, 4, 4});
  CHECK(max_abs_diff(frozen(x), bn(x)) < 1e-5);
  const Trace t = trace_module(frozen, {x});
  std::vector<std::string> ops;
  for (Vertex v : t.op_nodes()) ops.emplace_back(t.graph()[v].op_name());
  CHECK(ops == std::vector<std::string>{"reshape", "reshape", "reshape", "reshape", "add", "rsqrt", "mul", "mul",
                                        "sub", "mul", "add"});
  CHECK(keys_of(frozen.named_buffers()) == std::vector<std::string>{"weight", "bias", "running_mean", "running_var"});
  CHECK(frozen.parameters().empty());
}

TEST_CASE("layer options that cannot work are errors at construction") {
  CHECK(test::error_of([] { GroupNorm(4, 6); }) == "GroupNorm: num_channels 6 must be divisible by num_groups 4");
  CHECK(test::error_of([] { Conv1d(3, 4, 3, Conv1dOptions{.groups = 2}); }) ==
        "Conv1d: in_channels 3 and out_channels 4 must be divisible by groups 2");
  CHECK(test::error_of([] { ConvTranspose2d(3, 2, 0); }) == "ConvTranspose2d: kernel_size must be positive, got 0");
  CHECK(test::error_of([] { Embedding(10, 4, 10); }) == "Embedding: padding_idx 10 must be within num_embeddings 10");
  CHECK(test::error_of([] { ReflectionPad2d(std::vector<int64_t>{1, 2, 3}); }) ==
        "ReflectionPad2d: padding must be one int or 4 values, got [1, 2, 3]");
  CHECK(test::error_of([] { Upsample(UpsampleOptions{}); }) == "Upsample: give either size or scale_factor");
  CHECK(test::error_of([] { Upsample(UpsampleOptions{.scale_factor = 2.0, .mode = "bicubic"}); }) ==
        "Upsample: mode must be nearest, linear or bilinear, got 'bicubic'");
  CHECK(test::error_of([] { PReLU(0); }) == "PReLU: num_parameters must be positive, got 0");
}

TEST_CASE("Embedding starts from N(0, 1) draws, its padding row zero") {
  manual_seed(7);
  Embedding e(1000, 8, 3);
  double total = 0, squares = 0;
  for (float v : e.weight.values()) total += v, squares += static_cast<double>(v) * v;
  const double n = static_cast<double>(e.weight.numel());
  CHECK(std::abs(total / n) < 0.05);
  CHECK(std::abs(squares / n - 1.0) < 0.05);
  for (int64_t j = 0; j < 8; ++j) CHECK(e.weight.at({3, j}) == 0.0f);
}
