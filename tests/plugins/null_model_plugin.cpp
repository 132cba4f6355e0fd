// A plugin whose models misbehave at run time: one factory returns null, one
// model throws something that is not a std::exception (both must end as one
// line on stderr and exit status 1), one names a child with a terminal
// escape sequence and bytes that are not UTF-8 (shown escaped, never sent),
// and one names a child with HTML and Graphviz markup (shown as text, never
// run, in pictures and the HTML view).

#include <modtrace/modtrace.hpp>

namespace {

void* make_nothing() { return nullptr; }

struct ThrowsInt : modtrace::Module {
 protected:
  modtrace::Tensor forward(const modtrace::Tensor&) override { throw 42; }
};

// A child named "ESC[2J" (clear the screen) with an invalid UTF-8 byte.
struct EscapeNames : modtrace::Module {
  modtrace::ReLU& child = register_module<modtrace::ReLU>("\x1b[2Jwipe\xff");

 protected:
  modtrace::Tensor forward(const modtrace::Tensor& x) override { return child(x) * 2; }
};

// A child named with an HTML element that would run script, Graphviz's \N
// (the node's name) and an entity.
struct MarkupNames : modtrace::Module {
  modtrace::ReLU& child = register_module<modtrace::ReLU>("<img src=x onerror=\"markupRan=1\">\\N &amp;");

 protected:
  modtrace::Tensor forward(const modtrace::Tensor& x) override { return child(x) * 2; }
};

}  // namespace

extern "C" int modtrace_plugin_init(modtrace_registrar* r) {
  const int64_t shape[] = {1, 4};
  if (r->add_model(r, "null_model", "create returns null", shape, 2, "ones", make_nothing) != 0) return 1;
  if (modtrace::plugin::add<ThrowsInt>(r, "throws_int", "forward throws an int", {1, 4}, "ones") != 0) return 1;
  if (modtrace::plugin::add<EscapeNames>(r, "escape_names", "a child named with an escape sequence", {1, 4}, "ones") != 0) {
    return 1;
  }
  return modtrace::plugin::add<MarkupNames>(r, "markup_names", "a child named with HTML and Graphviz markup", {1, 4},
                                            "ones");
}
