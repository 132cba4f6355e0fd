#pragma once
// modtrace::SourceLocation: std::source_location where the standard library
// provides it (GCC), and otherwise (clang 14 with libstdc++ 12, which lacks
// the compiler builtin it needs) a stand-in built on __builtin_FILE/LINE/
// FUNCTION with the same interface. Either way, a defaulted
// `SourceLocation where = SourceLocation::current()` parameter captures the
// caller's file and line.

#include <version>

#if defined(__cpp_lib_source_location)
#include <source_location>
#endif

#include "modtrace/export.hpp"

MODTRACE_PUBLIC_BEGIN
namespace modtrace {

#if defined(__cpp_lib_source_location)
using SourceLocation = std::source_location;
#else
class SourceLocation {
 public:
  static constexpr SourceLocation current(const char* file = __builtin_FILE(), int line = __builtin_LINE(),
                                          const char* function = __builtin_FUNCTION()) noexcept {
    SourceLocation l;
    l.file_ = file;
    l.line_ = static_cast<unsigned>(line);
    l.function_ = function;
    return l;
  }
  constexpr SourceLocation() noexcept = default;
  constexpr const char* file_name() const noexcept { return file_; }
  constexpr const char* function_name() const noexcept { return function_; }
  constexpr unsigned line() const noexcept { return line_; }
  constexpr unsigned column() const noexcept { return 0; }

 private:
  const char* file_ = "";
  const char* function_ = "";
  unsigned line_ = 0;
};
#endif

}  // namespace modtrace
MODTRACE_PUBLIC_END
