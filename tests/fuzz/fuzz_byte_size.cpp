// parse_byte_size (--max-memory) on any text. A size it accepts is at least
// one byte, prints, and its decimal form parses back to it.

#include <string>

#include "harness.hpp"
#include "modtrace/memory.hpp"

void fuzz::byte_size(std::string_view bytes) {
  const int64_t size = modtrace::parse_byte_size(bytes);
  if (size < 1) throw InvariantBroken("parse_byte_size accepted " + std::to_string(size));
  if (modtrace::format_bytes(size).empty()) throw InvariantBroken("format_bytes printed nothing");
  if (modtrace::parse_byte_size(std::to_string(size)) != size) {
    throw InvariantBroken("parse_byte_size: " + std::to_string(size) + " reads back otherwise");
  }
}
