// modtrace: the command-line front end. A thin layer over the library: it
// parses arguments (CLI11), calls the library, prints or writes results.
//
// Exit status: 0 success, 1 runtime error (one line on stderr), 2 bad usage.

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <charconv>
#include <fstream>
#include <iostream>

#include "modtrace/modtrace.hpp"

namespace {

using namespace modtrace;

// "1x3x224x224" -> {1, 3, 224, 224}.
Shape parse_shape(const std::string& text) {
  Shape shape;
  size_t begin = 0;
  while (true) {
    const size_t end = text.find('x', begin);
    const std::string part = text.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
    int64_t value = 0;
    const auto [ptr, ec] = std::from_chars(part.data(), part.data() + part.size(), value);
    if (part.empty() || ec != std::errc() || ptr != part.data() + part.size() || value <= 0) {
      throw Error("invalid --input-shape '" + text + "': expected positive integers joined by 'x', e.g. 1x3x224x224");
    }
    shape.push_back(value);
    if (end == std::string::npos) break;
    begin = end + 1;
  }
  return shape;
}

struct RunOptions {
  std::string model;
  std::string input = "";
  std::string input_shape;
  std::string output_json;
  bool children = false;
};

void write_json(const Tensor& y, const std::string& path) {
  nlohmann::json j;
  j["shape"] = y.shape();
  j["data"] = y.is_meta() ? std::vector<float>{} : y.to_vector();
  std::ofstream out(path);
  if (!out) throw Error("cannot open '" + path + "' for writing");
  out << j.dump() << "\n";
  if (!out) throw Error("cannot write '" + path + "'");
}

int run_model(const RunOptions& o) {
  const zoo::ModelInfo& info = zoo::info(o.model);
  std::shared_ptr<Module> model = zoo::create(o.model);
  const Shape shape = o.input_shape.empty() ? info.input_shape : parse_shape(o.input_shape);
  const zoo::InputKind kind = o.input.empty() ? info.input : zoo::parse_input_kind(o.input);
  const Tensor x = zoo::make_input(kind, shape);
  if (o.children) model = std::make_shared<Sequential>(model->children());
  const Tensor y = (*model)(x);
  std::cout << y << "\n";
  if (!o.output_json.empty()) write_json(y, o.output_json);
  return 0;
}

int list_models() {
  for (const auto& m : zoo::models()) {
    std::cout << m.name << "\t" << to_string(m.input_shape) << "\t" << m.description << "\n";
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"modtrace: trace PyTorch-style models and show what nn.Sequential(*model.children()) loses"};
  app.require_subcommand(1);
  int status = 0;

  auto* models = app.add_subcommand("models", "List the zoo's models with their default input shapes");

  RunOptions run;
  auto* run_cmd = app.add_subcommand("run", "Run a model and print its output like PyTorch");
  run_cmd->add_option("model", run.model, "Zoo model name (see `modtrace models`)")->required();
  run_cmd->add_option("--input", run.input, "Input values: ones, zeros or deterministic (default: the model's)")
      ->check(CLI::IsMember({"ones", "zeros", "deterministic"}));
  run_cmd->add_option("--input-shape", run.input_shape, "Input shape such as 1x3x224x224 (default: the model's)");
  run_cmd->add_option("--output-json", run.output_json, "Also write {\"shape\": [...], \"data\": [...]} here");
  run_cmd->add_flag("--children", run.children,
                    "Run nn.Sequential(*model.children()) instead of the model itself");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }

  try {
    if (*models) status = list_models();
    if (*run_cmd) status = run_model(run);
  } catch (const std::exception& e) {
    std::cerr << "modtrace: error: " << e.what() << "\n";
    return 1;
  }
  return status;
}
