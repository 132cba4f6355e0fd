#include "modtrace/error.hpp"

#include <algorithm>
#include <string_view>
#include <utility>

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

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::vector<std::string> nearest_names(std::string_view name, const std::vector<std::string>& candidates, size_t count) {
  std::vector<std::pair<size_t, const std::string*>> ranked;
  ranked.reserve(candidates.size());
  for (const std::string& c : candidates) ranked.emplace_back(edit_distance(name, c), &c);
  std::stable_sort(ranked.begin(), ranked.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
  std::vector<std::string> out;
  for (size_t i = 0; i < ranked.size() && i < count; ++i) out.push_back(*ranked[i].second);
  return out;
}

}  // namespace modtrace
