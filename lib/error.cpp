#include "modtrace/error.hpp"

namespace modtrace {

Error::Error(std::string message) : message_(std::move(message)), full_(message_) {}

void Error::set_module_context(std::string path, std::string type) {
  module_path_ = std::move(path);
  module_type_ = std::move(type);
  has_context_ = true;
  full_ = module_path_.empty()
              ? "in the root module (" + module_type_ + "): " + message_
              : "in module '" + module_path_ + "' (" + module_type_ + "): " + message_;
}

}  // namespace modtrace
