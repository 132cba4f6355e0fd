#pragma once
// Internal: attribute schemas that the compiler checks. Each op's schema is
// a constexpr array of AttrSpec next to its kernel; F:: functions pack their
// arguments with pack<Schema>(…) and kernels read them with
// call.attr<Schema, "name">(), so a misspelt name, a missing argument or a
// value of the wrong type does not compile.
//
//   constexpr AttrSpec kSoftmax[] = {{"dim", AttrType::integer}};
//   Attrs a = pack<kSoftmax>(dim);                      // F::softmax
//   int64_t d = call.attr<kSoftmax, "dim">();          // the kernel

#include <algorithm>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "modtrace/error.hpp"
#include "modtrace/ops.hpp"

namespace modtrace::detail {

// A string literal as a template argument.
template <size_t N>
struct Name {
  char text[N]{};
  consteval Name(const char (&s)[N]) { std::copy_n(s, N, text); }  // NOLINT: implicit by design
  constexpr std::string_view view() const { return {text, N - 1}; }
};

// The C++ type each AttrType is stored as.
template <AttrType T> struct AttrCpp;
template <> struct AttrCpp<AttrType::integer> { using type = int64_t; };
template <> struct AttrCpp<AttrType::real> { using type = double; };
template <> struct AttrCpp<AttrType::flag> { using type = bool; };
template <> struct AttrCpp<AttrType::ints> { using type = IntList; };
template <> struct AttrCpp<AttrType::text> { using type = std::string; };

// Position of `name` in a schema; not a constant expression (a compile error) when absent.
template <const auto& Schema, Name N>
consteval size_t attr_index() {
  for (size_t i = 0; i < std::size(Schema); ++i) {
    if (Schema[i].name == N.view()) return i;
  }
  throw "attribute not in this op's schema";
}

template <const auto& Schema, Name N>
using AttrTypeOf = typename AttrCpp<Schema[attr_index<Schema, N>()].type>::type;

// Reads attribute N; nullptr when an optional one is absent. A required one
// is always there: pack() put it in.
template <const auto& Schema, Name N>
const AttrTypeOf<Schema, N>* find_attr(const Attrs& attrs) {
  // pack() stores the schema's own name: its address is found before any
  // text is compared (attributes made elsewhere are found by name).
  const std::string_view name = Schema[attr_index<Schema, N>()].name;
  const AttrValue* v = nullptr;
  for (const Attr& a : attrs.items()) {
    if (a.name.data() == name.data()) {
      v = &a.value;
      break;
    }
  }
  if (v == nullptr) v = attrs.find(N.view());
  if (v == nullptr) {
    if (Schema[attr_index<Schema, N>()].optional) return nullptr;
    throw Error("internal error: op attribute '" + std::string(N.view()) + "' missing");
  }
  return &std::get<AttrTypeOf<Schema, N>>(*v);
}

template <const auto& Schema, Name N>
const AttrTypeOf<Schema, N>& read_attr(const Attrs& attrs) {
  static_assert(!Schema[attr_index<Schema, N>()].optional, "an optional attribute is read with find_attr");
  return *find_attr<Schema, N>(attrs);
}

namespace pack_detail {
template <class T> struct is_optional : std::false_type {};
template <class T> struct is_optional<std::optional<T>> : std::true_type {};

// Whether a C++ value of type A may stand for an attribute of type `type`:
// no double where an integer belongs, no number for a bool or the reverse.
template <class A>
constexpr bool fits(AttrType type) {
  constexpr bool is_bool = std::is_same_v<A, bool>;
  switch (type) {
    case AttrType::integer: return std::is_integral_v<A> && !is_bool;
    case AttrType::real: return std::is_arithmetic_v<A> && !is_bool;
    case AttrType::flag: return is_bool;
    case AttrType::ints: return std::is_convertible_v<A, std::vector<int64_t>> || std::is_same_v<A, IntList>;
    case AttrType::text: return std::is_convertible_v<A, std::string>;
  }
  return false;
}

// The stored form of an argument: a std::vector of ints becomes an IntList.
template <class T, class Arg>
T stored_as(Arg&& value) {
  if constexpr (std::is_same_v<T, IntList> && !std::is_same_v<std::remove_cvref_t<Arg>, IntList>) {
    const std::vector<int64_t>& list = value;
    return T(list.begin(), list.end());
  } else {
    return T(std::forward<Arg>(value));
  }
}

template <const auto& Schema, size_t I, class Arg>
void add(Attrs& attrs, Arg&& value) {
  using T = typename AttrCpp<Schema[I].type>::type;
  using A = std::remove_cvref_t<Arg>;
  if constexpr (is_optional<A>::value) {
    static_assert(Schema[I].optional, "only an optional attribute takes std::optional");
    static_assert(fits<typename A::value_type>(Schema[I].type), "attribute value of the wrong type");
    if (value) attrs.add(Schema[I].name, stored_as<T>(*value));
  } else {
    static_assert(fits<A>(Schema[I].type), "attribute value of the wrong type");
    attrs.add(Schema[I].name, stored_as<T>(std::forward<Arg>(value)));
  }
}

template <const auto& Schema, class... Args, size_t... I>
Attrs pack(std::index_sequence<I...>, Args&&... values) {
  Attrs attrs;
  attrs.reserve(sizeof...(I));
  (add<Schema, I>(attrs, std::forward<Args>(values)), ...);
  return attrs;
}
}  // namespace pack_detail

// The attributes of one call, one argument per schema entry, in order.
template <const auto& Schema, class... Args>
Attrs pack(Args&&... values) {
  static_assert(sizeof...(Args) == std::size(Schema), "one value per attribute of the schema");
  return pack_detail::pack<Schema>(std::index_sequence_for<Args...>{}, std::forward<Args>(values)...);
}

// An op with no attributes.
inline constexpr std::span<const AttrSpec> kNoAttributes{};

}  // namespace modtrace::detail
