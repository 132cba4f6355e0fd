#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "modtrace/error.hpp"
#include "modtrace/ops.hpp"
#include "modtrace/shape.hpp"

namespace modtrace {

// AttrType names the alternatives of AttrValue, in the same order.
static_assert(std::is_same_v<std::variant_alternative_t<static_cast<size_t>(AttrType::integer), AttrValue>, int64_t>);
static_assert(std::is_same_v<std::variant_alternative_t<static_cast<size_t>(AttrType::real), AttrValue>, double>);
static_assert(std::is_same_v<std::variant_alternative_t<static_cast<size_t>(AttrType::flag), AttrValue>, bool>);
static_assert(std::is_same_v<std::variant_alternative_t<static_cast<size_t>(AttrType::ints), AttrValue>, IntList>);
static_assert(std::is_same_v<std::variant_alternative_t<static_cast<size_t>(AttrType::text), AttrValue>, std::string>);

std::string_view attr_type_name(AttrType type) {
  switch (type) {
    case AttrType::integer: return "int";
    case AttrType::real: return "float";
    case AttrType::flag: return "bool";
    case AttrType::ints: return "int[]";
    case AttrType::text: return "str";
  }
  return "?";
}

namespace {

bool parse_integer(std::string_view text, int64_t& out) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return !text.empty() && ec == std::errc() && ptr == text.data() + text.size();
}

}  // namespace

AttrValue parse_attr_value(AttrType type, std::string_view text) {
  auto fail = [&]() -> AttrValue {
    throw Error("cannot read '" + std::string(text) + "' as " + std::string(attr_type_name(type)));
  };
  switch (type) {
    case AttrType::integer: {
      int64_t v = 0;
      return parse_integer(text, v) ? AttrValue{v} : fail();
    }
    case AttrType::real: {
      const std::string s(text);
      char* end = nullptr;
      const double v = std::strtod(s.c_str(), &end);
      return !s.empty() && end == s.c_str() + s.size() ? AttrValue{v} : fail();
    }
    case AttrType::flag:
      if (text == "true") return true;
      if (text == "false") return false;
      return fail();
    case AttrType::ints: {
      if (text.size() < 2 || text.front() != '[' || text.back() != ']') return fail();
      IntList values;
      std::string_view rest = text.substr(1, text.size() - 2);
      while (!rest.empty() && rest.find_first_not_of(' ') != std::string_view::npos) {
        const size_t comma = rest.find(',');
        int64_t v = 0;
        if (!parse_integer(rest.substr(0, comma), v)) return fail();
        values.push_back(v);
        if (comma == std::string_view::npos) break;
        rest.remove_prefix(comma + 1);
      }
      return values;
    }
    case AttrType::text: return std::string(text);
  }
  return fail();
}

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
const IntList& Attrs::ints(std::string_view name) const {
  return get<IntList>(find(name), name);
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
    std::string operator()(const IntList& v) const { return to_string(v); }
    std::string operator()(const std::string& v) const { return v; }
  };
  return std::visit(Visitor{}, value);
}

}  // namespace modtrace
