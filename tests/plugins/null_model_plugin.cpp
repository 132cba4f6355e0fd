// A plugin whose models misbehave at run time: one factory returns null, one
// model throws something that is not a std::exception. Both must end as one
// line on stderr and exit status 1.

#include <modtrace/modtrace.hpp>

namespace {

void* make_nothing() { return nullptr; }

struct ThrowsInt : modtrace::Module {
 protected:
  modtrace::Tensor forward(const modtrace::Tensor&) override { throw 42; }
};

}  // namespace

extern "C" int modtrace_plugin_init(modtrace_registrar* r) {
  const int64_t shape[] = {1, 4};
  if (r->add_model(r, "null_model", "create returns null", shape, 2, "ones", make_nothing) != 0) return 1;
  return modtrace::plugin::add<ThrowsInt>(r, "throws_int", "forward throws an int", {1, 4}, "ones");
}
