#pragma once
// What the shared library exports. It is built with hidden visibility
// (lib/meson.build: gnu_symbol_visibility 'inlineshidden'), so that what it
// uses inside — nlohmann json, Eigen, oneDNN's C++ wrappers, protobuf,
// Boost.Graph's algorithms, its own internals — stays its own, and the
// dynamic symbol table holds the API alone. Every public header marks its
// declarations (the whole of its namespaces, after its #includes) as the
// API:
//
//   #include "modtrace/export.hpp"
//   MODTRACE_PUBLIC_BEGIN
//   namespace modtrace { ... }
//   MODTRACE_PUBLIC_END
//
// One region per header rather than a macro on each class and function:
// everything a public header declares is API by definition, and a region
// cannot forget a declaration the way a per-declaration macro can
// (tests/check_exports.sh checks what the library exports).

#if defined(__GNUC__) || defined(__clang__)
#define MODTRACE_PUBLIC_BEGIN _Pragma("GCC visibility push(default)")
#define MODTRACE_PUBLIC_END _Pragma("GCC visibility pop")
#else
#define MODTRACE_PUBLIC_BEGIN
#define MODTRACE_PUBLIC_END
#endif
