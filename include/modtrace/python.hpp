#pragma once
// Values printed as Python prints them, for a module's extra_repr() to read
// exactly like PyTorch's: python_repr(0.0) is "0.0", python_repr(1e-5) is
// "1e-05", python_repr(0.1 + 0.2) is "0.30000000000000004", python_repr(true)
// is "True", a Size2 built from one int prints as that int and one built
// from two as a tuple, "(3, 3)".

#include <cstdint>
#include <string>

#include "modtrace/shape.hpp"
#include "modtrace/export.hpp"

MODTRACE_PUBLIC_BEGIN
namespace modtrace {

// A number that remembers whether it was given as an int or a float, for
// arguments PyTorch prints as given: Softplus(beta=1) prints "beta=1",
// Softplus(beta=2.0) "beta=2.0".
struct PyNumber {
  double value;
  bool integer;
  PyNumber(int v) : value(v), integer(true) {}  // NOLINT: implicit by design
  PyNumber(int64_t v) : value(static_cast<double>(v)), integer(true) {}  // NOLINT
  PyNumber(double v) : value(v), integer(false) {}  // NOLINT
};
std::string python_repr(const PyNumber& value);

// The shortest text that reads back as the same double, in Python's layout.
std::string python_repr(double value);
std::string python_repr(bool value);
// What PyTorch keeps of an int-or-tuple argument: the int when one was given.
std::string python_repr(const Size2& value);
// A tuple: "(4,)", "(2, 3)".
std::string python_tuple(const Shape& values);

}  // namespace modtrace
MODTRACE_PUBLIC_END
