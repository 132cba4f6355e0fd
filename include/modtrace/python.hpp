#pragma once
// Values printed as Python prints them, for a module's extra_repr() to read
// exactly like PyTorch's: python_repr(0.0) is "0.0", python_repr(1e-5) is
// "1e-05", python_repr(0.1 + 0.2) is "0.30000000000000004", python_repr(true)
// is "True", a Size2 built from one int prints as that int and one built
// from two as a tuple, "(3, 3)".

#include <cstdint>
#include <string>

#include "modtrace/shape.hpp"

namespace modtrace {

// The shortest text that reads back as the same double, in Python's layout.
std::string python_repr(double value);
std::string python_repr(bool value);
// What PyTorch keeps of an int-or-tuple argument: the int when one was given.
std::string python_repr(const Size2& value);
// A tuple: "(4,)", "(2, 3)".
std::string python_tuple(const Shape& values);

}  // namespace modtrace
