#include <cstdio>
#include <string>

#include "modtrace/error.hpp"
#include "modtrace/ops.hpp"
#include "modtrace/shape.hpp"

namespace modtrace {

const AttrValue* Attrs::find(std::string_view name) const {
  for (const auto& a : items_) {
    if (a.name == name) return &a.value;
  }
  return nullptr;
}

namespace {
template <class T>
const T& get(const AttrValue* v, std::string_view name) {
  // Attributes are written by modtrace's own F:: functions; a miss is a bug here, not user input.
  if (v == nullptr) throw Error("internal error: op attribute '" + std::string(name) + "' missing");
  const T* p = std::get_if<T>(v);
  if (p == nullptr) throw Error("internal error: op attribute '" + std::string(name) + "' has another type");
  return *p;
}
}  // namespace

int64_t Attrs::integer(std::string_view name) const { return get<int64_t>(find(name), name); }
double Attrs::real(std::string_view name) const { return get<double>(find(name), name); }
bool Attrs::flag(std::string_view name) const { return get<bool>(find(name), name); }
const std::vector<int64_t>& Attrs::ints(std::string_view name) const {
  return get<std::vector<int64_t>>(find(name), name);
}
const std::string& Attrs::text(std::string_view name) const { return get<std::string>(find(name), name); }

std::string to_string(const Attrs& attrs) {
  std::string s;
  for (const auto& a : attrs.items()) s += (s.empty() ? "" : ", ") + std::string(a.name) + "=" + to_string(a.value);
  return s;
}

std::string to_string(const AttrValue& value) {
  struct Visitor {
    std::string operator()(int64_t v) const { return std::to_string(v); }
    std::string operator()(double v) const {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.6g", v);  // shortest readable form: 3, 0.5, 1e-05
      return buf;
    }
    std::string operator()(bool v) const { return v ? "true" : "false"; }
    std::string operator()(const std::vector<int64_t>& v) const { return to_string(Shape(v)); }
    std::string operator()(const std::string& v) const { return v; }
  };
  return std::visit(Visitor{}, value);
}

}  // namespace modtrace
