// An example modtrace plugin with three models:
//  - residual_mlp: a forward that adds its input back (a skip connection the
//    children-only Sequential loses); a default-constructible class;
//  - two_tower and two_tower_wide: one class, two configurations, made by
//    lambdas; a forward taking two tensors (PyTorch's Sequential takes one,
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
  TwoTower(int64_t query_width, int64_t context_width, int64_t hidden)
      : query_proj(register_module<Linear>("query_proj", query_width, hidden)),
        context_proj(register_module<Linear>("context_proj", context_width, hidden)),
        relu(register_module<ReLU>("relu")),
        head(register_module<Linear>("head", hidden, 2)) {}
  Linear& query_proj;
  Linear& context_proj;
  ReLU& relu;
  Linear& head;

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
  // One class, two configurations: the factories capture what differs.
  for (const int64_t hidden : {16, 64}) {
    const char* name = hidden == 16 ? "two_tower" : "two_tower_wide";
    const int status = plugin::add_factory(
        registrar, name, "head(relu(query_proj(query) + context_proj(context))): two inputs",
        [hidden] { return std::make_unique<TwoTower>(8, 4, hidden); }, {{1, 8}, {1, 4}}, "deterministic");
    if (status != 0) return status;
  }
  return 0;
}
