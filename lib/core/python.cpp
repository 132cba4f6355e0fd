#include "modtrace/python.hpp"

#include <charconv>
#include <cmath>
#include <cstdlib>

namespace modtrace {

// Python's float.__repr__: the shortest round-trip digits; positional
// notation with at least one decimal when the exponent is in [-4, 16),
// otherwise d.ddde±XX with at least two exponent digits.
std::string python_repr(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  char buf[64];
  const auto result = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::scientific);
  const std::string text(buf, result.ptr);  // "-1.2345e-05": shortest round-trip digits
  const size_t e = text.find('e');
  std::string mantissa = text.substr(0, e);
  const int exponent = std::atoi(text.c_str() + e + 1);
  const bool negative = mantissa[0] == '-';
  if (negative) mantissa.erase(0, 1);
  std::string digits;
  for (char c : mantissa) {
    if (c != '.') digits += c;
  }
  std::string out;
  if (exponent >= -4 && exponent < 16) {
    if (exponent < 0) {
      out = "0." + std::string(static_cast<size_t>(-exponent - 1), '0') + digits;
    } else if (static_cast<int>(digits.size()) <= exponent + 1) {
      out = digits + std::string(static_cast<size_t>(exponent + 1) - digits.size(), '0') + ".0";
    } else {
      out = digits.substr(0, static_cast<size_t>(exponent) + 1) + "." + digits.substr(static_cast<size_t>(exponent) + 1);
    }
  } else {
    out = digits.substr(0, 1) + (digits.size() > 1 ? "." + digits.substr(1) : "");
    const int magnitude = std::abs(exponent);
    out += std::string("e") + (exponent < 0 ? "-" : "+") + (magnitude < 10 ? "0" : "") + std::to_string(magnitude);
  }
  return (negative ? "-" : "") + out;
}

std::string python_repr(bool value) { return value ? "True" : "False"; }

std::string python_repr(const PyNumber& value) {
  return value.integer ? std::to_string(static_cast<int64_t>(value.value)) : python_repr(value.value);
}

std::string python_repr(const Size2& value) { return value.single ? std::to_string(value.h) : to_string(value); }

std::string python_tuple(const Shape& values) {
  std::string s = "(";
  for (size_t i = 0; i < values.size(); ++i) s += (i ? ", " : "") + std::to_string(values[i]);
  return s + (values.size() == 1 ? ",)" : ")");
}

}  // namespace modtrace
