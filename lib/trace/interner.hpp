#pragma once
// Internal: while a trace records, finds a stored value equal to a new one
// so that each distinct shape, attribute set or text is stored once. The
// index holds handles (a pointer to the stored value) and looks them up by
// value, without making a copy to search with.

#include <functional>
#include <string_view>
#include <unordered_set>

#include "modtrace/ops.hpp"
#include "modtrace/shape.hpp"

namespace modtrace::detail {

struct ShapeHash {
  size_t operator()(const Shape& shape) const noexcept {
    size_t h = shape.size();
    for (const int64_t d : shape) h = h * 1000003u ^ std::hash<int64_t>{}(d);
    return h;
  }
};

// Attributes are the same when every name and value is, doubles compared
// bit for bit: -0.0 must stay -0.0, and a NaN equals itself.
struct AttrsHash {
  size_t operator()(const Attrs& attrs) const noexcept;
};
struct AttrsEqual {
  bool operator()(const Attrs& a, const Attrs& b) const noexcept;
};

// Handle: what a node keeps (const Shape*, const char*); Value: what it
// denotes; ValueOf maps one to the other.
template <class Handle, class Value, class ValueOf, class Hash = std::hash<Value>, class Equal = std::equal_to<Value>>
class Interner {
 public:
  // The handle of a stored value equal to `value`, or of the one `store(value)` stores.
  template <class Store>
  Handle intern(const Value& value, Store&& store) {
    if (const auto it = index_.find(value); it != index_.end()) return *it;
    const Handle handle = store(value);
    index_.insert(handle);
    return handle;
  }

 private:
  static decltype(auto) value_of(const Value& value) { return value; }
  static decltype(auto) value_of(Handle handle) { return ValueOf{}(handle); }
  struct HashBoth {
    using is_transparent = void;
    size_t operator()(const Value& value) const noexcept { return Hash{}(value); }
    size_t operator()(Handle handle) const noexcept { return Hash{}(ValueOf{}(handle)); }
  };
  struct EqualBoth {
    using is_transparent = void;
    template <class A, class B>
    bool operator()(const A& a, const B& b) const noexcept {
      return Equal{}(value_of(a), value_of(b));
    }
  };
  std::unordered_set<Handle, HashBoth, EqualBoth> index_;
};

}  // namespace modtrace::detail
