#include "modtrace/error.hpp"

#include <string_view>

namespace modtrace {

Error::Error(std::string message) : message_(std::move(message)), full_(message_) {}

void Error::set_module_context(std::string path, std::string type, std::string called_at) {
  module_path_ = std::move(path);
  module_type_ = std::move(type);
  called_at_ = std::move(called_at);
  has_context_ = true;
  const std::string site = called_at_.empty() ? "" : ", called at " + called_at_;
  full_ = module_path_.empty() ? "in the root module (" + module_type_ + ")" + site + ": " + message_
                               : "in module '" + module_path_ + "' (" + module_type_ + ")" + site + ": " + message_;
}

void Error::set_source(std::string source) {
  if (source_.empty()) source_ = std::move(source);
}

std::string source_text(const SourceLocation& where) {
  if (where.line() == 0 || where.file_name() == nullptr || *where.file_name() == '\0') return "";
  // modtrace's own files arrive as "lib/zoo/seed.cpp" (meson.build maps the
  // build folder's view of the source root away). Code built elsewhere (a
  // plugin, a consumer) may still name its files relative to its build
  // folder ("../src/model.cpp"): drop the leading ./ and ../.
  std::string_view file = where.file_name();
  while (file.starts_with("../") || file.starts_with("./")) file.remove_prefix(file.find('/') + 1);
  return std::string(file) + ":" + std::to_string(where.line());
}

}  // namespace modtrace
