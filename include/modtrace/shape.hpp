#pragma once
// Shapes and the small helpers every op's shape rule uses.

#include <boost/container/small_vector.hpp>

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>
#include "modtrace/export.hpp"

MODTRACE_PUBLIC_BEGIN
namespace modtrace {

// A short list of integers, up to five held inline: a tensor's sizes
// (NCHW and one more) and list attributes (stride, padding, dims), so that
// making, copying and recording a tensor or an op's attributes allocates
// nothing for them (a std::vector's heap block was one of the four
// allocations an op made). It is Boost.Container's small_vector (the whole
// vector interface), converting to and from std::vector<int64_t>.
class IntList : public boost::container::small_vector<int64_t, 5> {
  using Base = boost::container::small_vector<int64_t, 5>;

 public:
  using Base::Base;
  IntList() = default;
  IntList(std::initializer_list<int64_t> values) : Base(values) {}
  IntList(const std::vector<int64_t>& values) : Base(values.begin(), values.end()) {}  // NOLINT: implicit by design
  operator std::vector<int64_t>() const { return {begin(), end()}; }                  // NOLINT: implicit by design
  IntList(const IntList&) = default;
  IntList& operator=(const IntList&) = default;
  // GCC 12 warns, wrongly, that moving the inline elements may read past
  // them (-Wstringop-overread on a size it cannot bound); the warning is
  // silenced where the move is inlined from, here.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wstringop-overread"
#endif
  IntList(IntList&& other) noexcept : Base(std::move(static_cast<Base&>(other))) {}
  IntList& operator=(IntList&& other) noexcept {
    Base::operator=(std::move(static_cast<Base&>(other)));
    return *this;
  }
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

  friend bool operator==(const IntList& a, const IntList& b) {
    return static_cast<const Base&>(a) == static_cast<const Base&>(b);
  }
  friend bool operator<(const IntList& a, const IntList& b) {
    return static_cast<const Base&>(a) < static_cast<const Base&>(b);
  }
  friend bool operator==(const IntList& a, const std::vector<int64_t>& b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end());
  }
};

// A tensor's sizes.
using Shape = IntList;

// The most dimensions a tensor may have: 64, PyTorch's limit ("only tensors
// with up to 64 dims are supported"). Every tensor is made through one
// place that checks it (Error), so no kernel, printer or shape rule meets more.
inline constexpr size_t kMaxDims = 64;
// Throws Error when `shape` has more than kMaxDims dimensions.
void check_dims(const Shape& shape);

// "[1, 3, 224, 224]"; "[]" for a scalar.
std::string to_string(const Shape& shape);
// Several shapes joined: "[1, 4], [3, 4]".
std::string to_string(const std::vector<Shape>& shapes);

// "1x3x224x224" -> {1, 3, 224, 224}: positive sizes joined by 'x', at most
// kMaxDims of them. Throws Error "invalid <what> '<text>': ..." otherwise
// (`what` names where the text came from, e.g. "--input-shape").
Shape parse_shape(std::string_view text, std::string_view what = "shape");

// Number of elements; throws Error if a dimension is negative or the product
// overflows (checked before anything is allocated).
int64_t numel_of(const Shape& shape);

// Maps a possibly negative dimension index into [0, rank); throws Error naming
// `what` (an op name) when it is out of range.
int64_t wrap_dim(int64_t dim, int64_t rank, const char* what);

// NumPy/PyTorch broadcasting of two shapes; throws Error naming `what` when
// they are incompatible.
Shape broadcast_shapes(const Shape& a, const Shape& b, const char* what);

// Row-major strides in elements.
std::vector<int64_t> contiguous_strides(const Shape& shape);

// A pair of spatial sizes (height, width), built from one number or two,
// as PyTorch accepts `kernel_size=3` or `kernel_size=(1, 7)`.
struct Size2 {
  int64_t h = 0;
  int64_t w = 0;
  bool single = false;  // built from one int: PyTorch keeps and prints it as that int
  Size2() = default;
  Size2(int64_t both) : h(both), w(both), single(true) {}  // NOLINT: implicit like PyTorch's int-or-tuple
  Size2(int64_t height, int64_t width) : h(height), w(width) {}
  bool operator==(const Size2& other) const { return h == other.h && w == other.w; }
};

// "(3, 3)" as PyTorch prints tuples.
std::string to_string(const Size2& s);

}  // namespace modtrace
MODTRACE_PUBLIC_END
