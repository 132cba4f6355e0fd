#pragma once
// Internal: the few ways the analysis words lists, numbers and shapes, shared
// by the reasons (verdict.cpp), the dataflow breaks and the text report.

#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "modtrace/shape.hpp"

namespace modtrace::detail {

// "a, b, c"; `none` when there is nothing.
inline std::string comma_list(const std::vector<std::string>& items, const std::string& none = "") {
  if (items.empty()) return none;
  std::string s;
  for (const auto& i : items) s += (s.empty() ? "" : ", ") + i;
  return s;
}

// Six significant digits: "14", "0.7803".
inline std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

inline std::string optional_shape(const std::optional<Shape>& shape) { return shape ? to_string(*shape) : "(none)"; }

// "1 tensor", "2 tensors".
inline std::string tensors(size_t n) { return std::to_string(n) + (n == 1 ? " tensor" : " tensors"); }

}  // namespace modtrace::detail
