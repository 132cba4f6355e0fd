// A plugin that registers models the loader must refuse: for the error-path test.

#include <modtrace/plugin.hpp>

namespace {
void* make_nothing() { return nullptr; }
void* make_nothing_with(void*) { return nullptr; }
}  // namespace

extern "C" int modtrace_plugin_init(modtrace_registrar* r) {
  const int64_t shape[] = {1, 4};
  const int64_t zero[] = {0, 4};
  r->add_model(r, "", "no name", shape, 2, "ones", make_nothing);
  r->add_model(r, "zero_sized", "a zero input size", zero, 2, "ones", make_nothing);
  r->add_model(r, "odd_input", "an input kind that does not exist", shape, 2, "random", make_nothing);
  r->add_model(r, "seed_main_model", "a name the zoo has", shape, 2, "ones", make_nothing);
  const int64_t* shapes[] = {shape};
  const size_t ranks[] = {2};
  r->add_model_factory(r, "no_inputs", "no input shape at all", 0, shapes, ranks, "ones", make_nothing_with, nullptr);
  r->add_model_factory(r, "null_shapes", "shapes missing", 1, nullptr, ranks, "ones", make_nothing_with, nullptr);
  r->add_model_factory(r, "no_factory", "no create function", 1, shapes, ranks, "ones", nullptr, nullptr);
  return 0;
}
