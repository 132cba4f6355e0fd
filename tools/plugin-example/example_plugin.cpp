// An example modtrace plugin: a residual MLP whose forward adds its input
// back (a skip connection the children-only Sequential loses).
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

}  // namespace

extern "C" int modtrace_plugin_init(modtrace_registrar* registrar) {
  return plugin::add<ResidualMLP>(registrar, "residual_mlp", "x + fc2(relu(fc1(x))): a skip connection in forward",
                                  {1, 8}, "deterministic");
}
