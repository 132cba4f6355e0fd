// The torchinfo-style summary: every zoo model at depths 1, 3 and 20, row by
// row and in its totals, against torchinfo 1.8's own output on torchvision's
// models (tests/reference/summary_torchinfo.json, make_summary_cases.py).

#include "helpers.hpp"

using namespace modtrace;

namespace {

// 1234567 -> "1,234,567", as Python's f"{n:,}".
std::string thousands(int64_t n) {
  const std::string digits = std::to_string(n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

// A row's cells as torchinfo prints them.
std::string params_text(const SummaryRow& row) {
  if (row.recursive) return "(recursive)";
  return row.parameters ? thousands(*row.parameters) : "--";
}
std::string macs_text(const SummaryRow& row) { return row.mult_adds ? thousands(*row.mult_adds) : "--"; }

std::string megabytes(int64_t bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f", static_cast<double>(bytes) / 1e6);
  return text;
}

Shape shape_of(const nlohmann::json& j) { return j.get<std::vector<int64_t>>(); }

}  // namespace

TEST_CASE("summaries of the zoo match torchinfo's, row by row and in the totals") {
  const nlohmann::json reference = test::read_reference("summary_torchinfo.json");
  REQUIRE(reference["cases"].size() == 30);
  for (const auto& [name, c] : reference["cases"].items()) {
    INFO(name);
    const std::string model_name = c["model"];
    const auto model = zoo::create(model_name);
    Tensors inputs;
    for (const Shape& shape : zoo::info(model_name).input_shapes) inputs.push_back(Tensor::meta(shape));
    const Trace t = trace_module(*model, inputs, {.shape_only = true});
    const ModelSummary s = summarize(t, {.depth = c["depth"].get<int>()});

    REQUIRE(s.rows.size() == c["rows"].size());
    for (size_t i = 0; i < s.rows.size(); ++i) {
      const SummaryRow& got = s.rows[i];
      const nlohmann::json& want = c["rows"][i];
      INFO("row " << i << ": " << (got.path.empty() ? "(root)" : got.path));
      CHECK(got.depth == want["depth"].get<int>());
      CHECK(got.type == want["type"].get<std::string>());
      if (want["input"].empty()) {
        // torchinfo's hooks see positional arguments only: a module called
        // with keywords alone (ViT's self_attention(query=x, key=x, value=x))
        // has no input shape there. modtrace has no keyword arguments and
        // shows the query's.
        CHECK(got.type == "MultiheadAttention");
        CHECK(got.input_shape == got.output_shape);
      } else {
        CHECK(got.input_shape == shape_of(want["input"]));
      }
      CHECK(got.output_shape == shape_of(want["output"]));
      CHECK(params_text(got) == want["params"].get<std::string>());
      CHECK(macs_text(got) == want["mult_adds"].get<std::string>());
    }
    CHECK(s.total_parameters == c["total_params"].get<int64_t>());
    CHECK(s.trainable_parameters == c["trainable_params"].get<int64_t>());
    CHECK(s.total_mult_adds == c["total_mult_adds"].get<int64_t>());
    CHECK(megabytes(s.input_bytes) == c["input_mb"].get<std::string>());
    CHECK(megabytes(s.forward_backward_bytes) == c["forward_backward_mb"].get<std::string>());
    CHECK(megabytes(s.parameter_bytes) == c["params_mb"].get<std::string>());
    CHECK(megabytes(s.estimated_total_bytes()) == c["total_mb"].get<std::string>());
  }
}

TEST_CASE("a module called twice is counted once, its second row says (recursive)") {
  struct Twice : Module {
    Linear& lin = register_module<Linear>("lin", 4, 4);

   protected:
    Tensor forward(const Tensor& x) override { return lin(F::relu(lin(x))); }
  } model;
  const Trace t = trace_module(model, {Tensor::meta({2, 4})}, {.shape_only = true});
  const ModelSummary s = summarize(t);
  REQUIRE(s.rows.size() == 3);
  CHECK(params_text(s.rows[1]) == "20");
  CHECK(params_text(s.rows[2]) == "(recursive)");
  CHECK(s.total_parameters == 20);
  // Both calls do the work: 2 x (2 x 20) mult-adds, and both outputs count for the backward pass.
  CHECK(s.total_mult_adds == 80);
  CHECK(s.forward_backward_bytes == 2 * 2 * (2 * 4 * 4));
  CHECK(s.functional_ops == std::vector<std::string>{"relu"});
}
