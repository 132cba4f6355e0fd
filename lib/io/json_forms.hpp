#pragma once
// Internal: what every JSON document shares: its schema version and the one
// encoding of an op's attributes (an object, name to value), so a trace's
// nodes and a report's dropped ops read alike.

#include <nlohmann/json.hpp>

#include <string>
#include <variant>

#include "modtrace/io.hpp"
#include "modtrace/ops.hpp"

namespace modtrace::detail {

// {"other": 3.0}, {"stride": [2, 2], "groups": 1}: each value as its JSON
// type (NaN and infinities, which JSON lacks, as null).
inline nlohmann::ordered_json attributes_json(const Attrs& attrs) {
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  for (const Attr& a : attrs.items()) {
    out[std::string(a.name)] = std::visit([](const auto& v) { return nlohmann::ordered_json(v); }, a.value);
  }
  return out;
}

}  // namespace modtrace::detail
