// Precompiled for every test file (meson's cpp_pch): the headers nearly all
// of them include, parsed once instead of once per file (Boost.Graph,
// nlohmann's json and doctest are most of a test file's compile time, twice
// as much under AddressSanitizer). Each test still includes what it uses.
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "modtrace/modtrace.hpp"
