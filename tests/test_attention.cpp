// MultiheadAttention: PyTorch's parameter layout and values (reference/
// layer_cases.json), its ops as PyTorch records them, and its errors.

#include "helpers.hpp"

using namespace modtrace;

TEST_CASE("MultiheadAttention gives PyTorch's outputs for self- and cross-attention") {
  const nlohmann::json reference = test::read_reference("layer_cases.json");
  for (const auto& c : reference["cases"]) {
    SUBCASE(c["name"].get<std::string>().c_str()) {
      const auto& a = c["args"];
      MultiheadAttention attention(a["embed_dim"].get<int64_t>(), a["num_heads"].get<int64_t>(),
                                   {.batch_first = a["batch_first"].get<bool>(),
                                    .need_weights = a["need_weights"].get<bool>()});
      NamedTensors state;
      for (const auto& [key, t] : c["state_dict"].items()) state.emplace_back(key, test::tensor_from_json(t));
      attention.load_state_dict(state);
      attention.eval();
      Tensors inputs;
      for (const auto& t : c["inputs"]) inputs.push_back(test::tensor_from_json(t));
      const Tensors outputs = attention.call(inputs);
      REQUIRE(outputs.size() == c["outputs"].size());
      for (size_t i = 0; i < outputs.size(); ++i) {
        const Tensor want = test::tensor_from_json(c["outputs"][i]);
        REQUIRE(outputs[i].shape() == want.shape());
        CHECK(max_abs_diff(outputs[i], want) < 1e-5);
      }
    }
  }
}

TEST_CASE("MultiheadAttention has PyTorch's parameters, and out_proj is read but never called") {
  MultiheadAttention attention(8, 2);
  std::vector<std::string> keys;
  for (const auto& [k, t] : attention.state_dict()) keys.push_back(k + " " + to_string(t.shape()));
  CHECK(keys == std::vector<std::string>{"in_proj_weight [24, 8]", "in_proj_bias [24]", "out_proj.weight [8, 8]",
                                         "out_proj.bias [8]"});
  CHECK(attention.out_proj.type_name() == "NonDynamicallyQuantizableLinear");
  const Tensor x = Tensor::deterministic({3, 1, 8});
  const Trace t = trace_module(attention, {x, x, x});
  CHECK(t.calls_of("out_proj").empty());
  std::vector<std::string> ops;
  for (Vertex v : t.op_nodes()) ops.emplace_back(t.graph()[v].op_name());
  CHECK(std::count(ops.begin(), ops.end(), "linear") == 2);  // packed input projection, output projection
  CHECK(std::count(ops.begin(), ops.end(), "softmax") == 1);
  CHECK(std::count(ops.begin(), ops.end(), "matmul") == 2);
}

TEST_CASE("self-attention is recognised in shape-only traces too, giving the same graph") {
  MultiheadAttention attention(8, 2, {.batch_first = true, .need_weights = false});
  const Tensor x = Tensor::deterministic({2, 5, 8});
  const auto ops = [&](bool shape_only) {
    struct Call : Module {
      MultiheadAttention& attention;
      explicit Call(MultiheadAttention& a) : attention(a) {}

     protected:
      Tensor forward(const Tensor& t) override { return attention.call({t, t, t})[0]; }
    } call(attention);
    const Trace t = trace_module(call, {x}, {.shape_only = shape_only});
    std::vector<std::string> names;
    for (Vertex v : t.op_nodes()) names.emplace_back(t.graph()[v].op_name());
    return names;
  };
  const std::vector<std::string> shape_only = ops(true);
  CHECK(shape_only == ops(false));
  CHECK(std::count(shape_only.begin(), shape_only.end(), "linear") == 2);
}

TEST_CASE("is_same tells the same tensor from an equal copy") {
  const Tensor a = Tensor::ones({2, 3});
  const Tensor b = a;
  CHECK(a.is_same(b));
  CHECK_FALSE(a.is_same(a.clone()));
  CHECK_FALSE(a.is_same(a.reshape({3, 2})));
  CHECK_FALSE(Tensor::meta({2}).is_same(Tensor::meta({2})));  // untraced meta tensors have no identity
}

TEST_CASE("MultiheadAttention checks its configuration and inputs") {
  CHECK(test::error_of([] { MultiheadAttention(10, 3); }) ==
        "MultiheadAttention: embed_dim 10 must be divisible by num_heads 3");
  MultiheadAttention attention(8, 2, {.batch_first = true});
  const Tensor x = Tensor::ones({2, 5, 8});
  CHECK(test::error_of([&] { attention(x); }) ==
        "in the root module (MultiheadAttention): MultiheadAttention.forward() missing 2 required positional "
        "arguments: 'key' and 'value'");
  CHECK(test::error_of([&] { attention.call({x, x, Tensor::ones({2, 5, 6})}); }) ==
        "in the root module (MultiheadAttention): MultiheadAttention: value must be 3-D with last dimension "
        "embed_dim 8 (batch, sequence, embed), got [2, 5, 6]");
  CHECK(test::error_of([&] { attention.call({x, Tensor::ones({3, 4, 8}), Tensor::ones({3, 4, 8})}); })
            .find("query, key and value must share the batch size") != std::string::npos);
}
