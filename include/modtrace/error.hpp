#pragma once
// modtrace::Error: the one exception type the library throws for bad input.
//
// Its message says what went wrong, where and what was expected. When the
// error escapes a module call, the innermost module's path and type, and the
// line that called it, are attached once (see Module::call), so a user reads
//   in module 'layer1.0.conv1' (Conv2d), called at lib/zoo/resnet.cpp:21:
//   conv2d: input [1, 4, 8, 8] has 4 channels, expected 64 = weight
//   [64, 64, 3, 3] in_channels x groups 1
// instead of a bare shape complaint.

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "modtrace/source_location.hpp"
#include "modtrace/export.hpp"

MODTRACE_PUBLIC_BEGIN
namespace modtrace {

class Error : public std::exception {
 public:
  explicit Error(std::string message);

  const char* what() const noexcept override { return full_.c_str(); }

  // The message without the module context.
  const std::string& message() const noexcept { return message_; }

  bool has_module_context() const noexcept { return has_context_; }
  // Dotted path relative to the outermost module called ("" for that module itself).
  const std::string& module_path() const noexcept { return module_path_; }
  const std::string& module_type() const noexcept { return module_type_; }
  // "file:line" of the code that called that module (for a Sequential's
  // member, the line that called the Sequential); "" for the outermost module.
  const std::string& called_at() const noexcept { return called_at_; }
  // "file:line" of the op that raised it, "" when no op did.
  const std::string& source() const noexcept { return source_; }

  // Attaches where the error happened; called once, by the innermost module call.
  void set_module_context(std::string path, std::string type, std::string called_at = {});
  // Attaches the op's line; the first (innermost) one stays.
  void set_source(std::string source);

 private:
  std::string message_;
  std::string module_path_;
  std::string module_type_;
  std::string called_at_;
  std::string source_;
  bool has_context_ = false;
  std::string full_;
};

// "lib/zoo/seed.cpp:12" for modtrace's own code wherever it was built (other
// code: its path with leading ./ and ../ dropped), or "" when unknown.
std::string source_text(const SourceLocation& where);

// For "did you mean" in messages: how many letters to change, insert or
// delete to turn `a` into `b`; and the `count` candidates nearest to `name`
// by that distance, nearest first (ties in the candidates' order).
size_t edit_distance(std::string_view a, std::string_view b);
std::vector<std::string> nearest_names(std::string_view name, const std::vector<std::string>& candidates, size_t count);

}  // namespace modtrace
MODTRACE_PUBLIC_END
