// parse_shape (--input-shape) on any text. A shape it accepts has 1 to 64
// positive sizes, and its canonical text ("2x3x4") parses back to it.

#include <string>

#include "harness.hpp"
#include "modtrace/shape.hpp"

void fuzz::shape(std::string_view bytes) {
  const modtrace::Shape shape = modtrace::parse_shape(bytes, "--input-shape");
  if (shape.empty() || shape.size() > modtrace::kMaxDims) {
    throw InvariantBroken("parse_shape accepted " + std::to_string(shape.size()) + " dimensions");
  }
  std::string canonical;
  for (const int64_t d : shape) {
    if (d <= 0) throw InvariantBroken("parse_shape accepted the size " + std::to_string(d));
    canonical += (canonical.empty() ? "" : "x") + std::to_string(d);
  }
  if (modtrace::parse_shape(canonical) != shape) throw InvariantBroken("parse_shape: '" + canonical + "' reads back otherwise");
}
