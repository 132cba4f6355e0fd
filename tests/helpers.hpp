#pragma once
// Shared by the tests: reading reference JSON and comparing tensors.

#include <algorithm>
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <string>

#include "modtrace/modtrace.hpp"

namespace test {

// The largest magnitude in a tensor: the scale for a relative tolerance.
inline double max_abs(const modtrace::Tensor& a) {
  double most = 0.0;
  for (const float v : a.to_vector()) most = std::max(most, std::abs(static_cast<double>(v)));
  return most;
}

template <class Json = nlohmann::json>
Json read_reference(const std::string& name) {
  const std::string path = std::string(MODTRACE_TEST_DATA_DIR) + "/" + name;
  std::ifstream in(path);
  REQUIRE_MESSAGE(in.good(), "cannot open " << path);
  return Json::parse(in);
}

// {"shape": [...], "data": [...]}; non-finite values are the strings "inf", "-inf", "nan".
// Or {"shape": [...], "near": {"key", "base", "spread"}}: base + spread * (2u - 1)
// by the reference rule, computed in double and rounded to float (make_op_cases.py's near()).
inline modtrace::Tensor tensor_from_json(const nlohmann::json& j) {
  if (j.contains("near")) {
    const auto& rule = j.at("near");
    const double base = rule.at("base").get<double>(), spread = rule.at("spread").get<double>();
    modtrace::Tensor t = modtrace::Tensor::deterministic(j.at("shape").get<modtrace::Shape>(),
                                                         rule.at("key").get<std::string>());
    float* p = t.data();
    for (int64_t i = 0; i < t.numel(); ++i) p[i] = static_cast<float>(base + spread * static_cast<double>(p[i]));
    return t;
  }
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

// Checks that two traces have the same graph: node by node the same kind,
// op, name, attributes, shapes and module call, and the same edges.
inline void check_same_graph(const modtrace::Trace& a, const modtrace::Trace& b) {
  using namespace modtrace;
  const Graph& ga = a.graph();
  const Graph& gb = b.graph();
  REQUIRE(boost::num_vertices(ga) == boost::num_vertices(gb));
  REQUIRE(boost::num_edges(ga) == boost::num_edges(gb));
  for (Vertex v = 0; v < boost::num_vertices(ga); ++v) {
    INFO("node " << v << " (" << ga[v].op_name() << ga[v].name() << ")");
    CHECK(ga[v].kind == gb[v].kind);
    CHECK(ga[v].op_name() == gb[v].op_name());
    CHECK(ga[v].name() == gb[v].name());
    CHECK(ga[v].shape() == gb[v].shape());
    CHECK(a.input_shapes(v) == b.input_shapes(v));
    CHECK(ga[v].call == gb[v].call);
    REQUIRE(ga[v].attrs().items().size() == gb[v].attrs().items().size());
    for (size_t i = 0; i < ga[v].attrs().items().size(); ++i) {
      CHECK(to_string(ga[v].attrs().items()[i].value) == to_string(gb[v].attrs().items()[i].value));
    }
    std::vector<Vertex> ta, tb;
    for (auto e : boost::make_iterator_range(boost::out_edges(v, ga))) ta.push_back(boost::target(e, ga));
    for (auto e : boost::make_iterator_range(boost::out_edges(v, gb))) tb.push_back(boost::target(e, gb));
    CHECK(ta == tb);
  }
  REQUIRE(a.calls().size() == b.calls().size());
  for (size_t i = 0; i < a.calls().size(); ++i) {
    CHECK(a.calls()[i].path() == b.calls()[i].path());
    CHECK(std::ranges::equal(a.calls()[i].inputs(), b.calls()[i].inputs()));
    CHECK(std::ranges::equal(a.calls()[i].outputs(), b.calls()[i].outputs()));
  }
}

}  // namespace test
