#pragma once
// The model zoo: models by name, with the input each is meant to run on.
//
//   auto model = modtrace::zoo::create("seed_main_model");
//   Tensors y = model->call(modtrace::zoo::default_inputs("seed_main_model"));

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "modtrace/module.hpp"
#include "modtrace/zoo/convnext.hpp"
#include "modtrace/zoo/densenet.hpp"
#include "modtrace/zoo/googlenet.hpp"
#include "modtrace/zoo/mobilenet.hpp"
#include "modtrace/zoo/resnet.hpp"
#include "modtrace/zoo/seed.hpp"
#include "modtrace/zoo/squeezenet.hpp"
#include "modtrace/zoo/vgg.hpp"
#include "modtrace/zoo/vit.hpp"
#include "modtrace/export.hpp"

MODTRACE_PUBLIC_BEGIN
namespace modtrace::zoo {

enum class InputKind { ones, zeros, deterministic };

struct ModelInfo {
  std::string name;         // torchvision's builder name, or seed_main_model
  std::string description;  // one line
  std::vector<Shape> input_shapes;  // one per input of forward: what the reference runs it on
  InputKind input = InputKind::deterministic;
};

// Every model: the built-in ones in a stable order, then registered ones.
std::vector<ModelInfo> models();
std::vector<std::string> names();
// Throws Error listing the known names when `name` is not one of them.
ModelInfo info(std::string_view name);
bool contains(std::string_view name);
// Adds a model (plugins do, through load_plugin); Error if the name is taken or empty.
void register_model(ModelInfo info, std::function<std::shared_ptr<Module>()> build);
// A new model in eval mode.
std::shared_ptr<Module> create(std::string_view name);
// The model's reference inputs (ones for the seed example, the
// deterministic rule otherwise), one per shape in input_shapes.
Tensors default_inputs(std::string_view name);
// The same for a model with one input; Error if it takes several.
Tensor default_input(std::string_view name);

// One input of the kind; the i-th input of a model uses key "input" for
// i = 0 and "input.<i>" after (the reference data's rule).
Tensor make_input(InputKind kind, const Shape& shape, size_t index = 0);
Tensors make_inputs(InputKind kind, const std::vector<Shape>& shapes);
// "ones" | "zeros" | "deterministic"; Error otherwise.
InputKind parse_input_kind(std::string_view text);

}  // namespace modtrace::zoo
MODTRACE_PUBLIC_END
