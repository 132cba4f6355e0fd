#include "modtrace/shape.hpp"

#include <charconv>
#include <limits>

#include "modtrace/error.hpp"

namespace modtrace {

Shape parse_shape(std::string_view text, std::string_view what) {
  Shape shape;
  size_t begin = 0;
  while (true) {
    const size_t end = text.find('x', begin);
    const std::string_view part = text.substr(begin, end == std::string_view::npos ? std::string_view::npos : end - begin);
    int64_t value = 0;
    const auto [ptr, ec] = std::from_chars(part.data(), part.data() + part.size(), value);
    if (part.empty() || ec != std::errc() || ptr != part.data() + part.size() || value <= 0) {
      throw Error("invalid " + std::string(what) + " '" + std::string(text) +
                  "': expected positive integers joined by 'x', e.g. 1x3x224x224");
    }
    shape.push_back(value);
    if (shape.size() > kMaxDims) {
      throw Error("invalid " + std::string(what) + ": more than " + std::to_string(kMaxDims) +
                  " dimensions (a tensor may have at most " + std::to_string(kMaxDims) + ", as in PyTorch)");
    }
    if (end == std::string_view::npos) break;
    begin = end + 1;
  }
  return shape;
}

std::string to_string(const Shape& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ", ";
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

std::string to_string(const std::vector<Shape>& shapes) {
  std::string s;
  for (const auto& shape : shapes) s += (s.empty() ? "" : ", ") + to_string(shape);
  return s;
}

std::string to_string(const Size2& s) {
  return "(" + std::to_string(s.h) + ", " + std::to_string(s.w) + ")";
}

void check_dims(const Shape& shape) {
  if (shape.size() <= kMaxDims) return;
  throw Error("a tensor may have at most " + std::to_string(kMaxDims) + " dimensions, as in PyTorch; this one would have " +
              std::to_string(shape.size()));
}

int64_t numel_of(const Shape& shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0) throw Error("invalid shape " + to_string(shape) + ": dimensions must be >= 0");
    // An overflow check without a division: this runs for every op.
    if (__builtin_mul_overflow(n, d, &n)) throw Error("invalid shape " + to_string(shape) + ": too many elements");
  }
  return n;
}

int64_t wrap_dim(int64_t dim, int64_t rank, const char* what) {
  const int64_t bound = rank == 0 ? 1 : rank;  // a scalar accepts dim 0 and -1, as in PyTorch
  if (dim < -bound || dim >= bound) {
    throw Error(std::string(what) + ": dimension " + std::to_string(dim) + " out of range for a " +
                std::to_string(rank) + "-d tensor (expected in [" + std::to_string(-bound) + ", " +
                std::to_string(bound - 1) + "])");
  }
  return dim < 0 ? dim + bound : dim;
}

Shape broadcast_shapes(const Shape& a, const Shape& b, const char* what) {
  const size_t rank = std::max(a.size(), b.size());
  Shape out(rank);
  for (size_t i = 0; i < rank; ++i) {
    const int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    const int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da != db && da != 1 && db != 1) {
      throw Error(std::string(what) + ": shapes " + to_string(a) + " and " + to_string(b) +
                  " cannot be broadcast: dimension " + std::to_string(i) + " is " +
                  std::to_string(da) + " vs " + std::to_string(db) +
                  " (expected equal sizes or one of them 1)");
    }
    out[i] = da == 1 ? db : da;
  }
  return out;
}

std::vector<int64_t> contiguous_strides(const Shape& shape) {
  std::vector<int64_t> strides(shape.size(), 1);
  for (size_t i = shape.size(); i-- > 1;) strides[i - 1] = strides[i] * shape[i];
  return strides;
}

}  // namespace modtrace
