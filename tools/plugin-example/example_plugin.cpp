// An example modtrace plugin with two models:
//  - residual_mlp: a forward that adds its input back (a skip connection the
//    children-only Sequential loses);
//  - two_tower: a forward taking two tensors (PyTorch's Sequential takes one,
//    so nn.Sequential(*children()) raises before any child runs).
//
// Build it like any shared library linked with modtrace (see meson.build
// here), then:  modtrace --plugin ./libexample_plugin.so diff residual_mlp

#include <modtrace/modtrace.hpp>

namespace {

using namespace modtrace;

class ResidualMLP : public Module {
 public:
  Linear& fc1 = register_module<Linear>("fc1", 8, 16);
  ReLU& relu = register_module<ReLU>("relu");
  Linear& fc2 = register_module<Linear>("fc2", 16, 8);

 protected:
  Tensor forward(const Tensor& x) override { return x + fc2(relu(fc1(x))); }
};

// forward(query, context): head(relu(query_proj(query) + context_proj(context)))
class TwoTower : public Module {
 public:
  Linear& query_proj = register_module<Linear>("query_proj", 8, 16);
  Linear& context_proj = register_module<Linear>("context_proj", 4, 16);
  ReLU& relu = register_module<ReLU>("relu");
  Linear& head = register_module<Linear>("head", 16, 2);

  std::span<const std::string_view> forward_signature() const override {
    static constexpr std::string_view names[] = {"query", "context"};
    return names;
  }

 protected:
  Tensors forward_many(const Tensors& inputs) override {
    // Named steps, so the calls run in the order written (see docs/modules.md).
    const Tensor query = query_proj(inputs[0]);
    const Tensor context = context_proj(inputs[1]);
    return {head(relu(query + context))};
  }
};

}  // namespace

extern "C" int modtrace_plugin_init(modtrace_registrar* registrar) {
  if (plugin::add<ResidualMLP>(registrar, "residual_mlp", "x + fc2(relu(fc1(x))): a skip connection in forward",
                               {1, 8}, "deterministic") != 0) {
    return 1;
  }
  return plugin::add_with_inputs<TwoTower>(registrar, "two_tower",
                                           "head(relu(query_proj(query) + context_proj(context))): two inputs",
                                           {{1, 8}, {1, 4}}, "deterministic");
}
