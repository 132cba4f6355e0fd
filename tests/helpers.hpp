#pragma once
// Shared by the tests: reading reference JSON and comparing tensors.

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <string>

#include "modtrace/modtrace.hpp"

namespace test {

inline nlohmann::json read_reference(const std::string& name) {
  const std::string path = std::string(MODTRACE_TEST_DATA_DIR) + "/" + name;
  std::ifstream in(path);
  REQUIRE_MESSAGE(in.good(), "cannot open " << path);
  return nlohmann::json::parse(in);
}

// {"shape": [...], "data": [...]}; non-finite values are the strings "inf", "-inf", "nan".
inline modtrace::Tensor tensor_from_json(const nlohmann::json& j) {
  std::vector<float> values;
  for (const auto& v : j.at("data")) {
    if (v.is_number()) {
      values.push_back(v.get<float>());
    } else {
      const std::string s = v.get<std::string>();
      values.push_back(s == "nan" ? NAN : (s == "inf" ? INFINITY : -INFINITY));
    }
  }
  return modtrace::Tensor(j.at("shape").get<modtrace::Shape>(), std::move(values));
}

// The message of the modtrace::Error `fn` throws ("" if it throws nothing).
template <class Fn>
std::string error_of(Fn&& fn) {
  try {
    fn();
  } catch (const modtrace::Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace test
