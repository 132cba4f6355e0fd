#pragma once
// Tensor: float32, any rank, row-major contiguous storage shared between views.
//
//   Tensor x = Tensor::ones({2, 2});
//   Tensor y = (x * 2) * 3 + 3;          // operators call modtrace::F, so they are traced
//   std::cout << y;                      // tensor([[9., 9.],
//                                        //         [9., 9.]])
//
// Every tensor is contiguous: reshape/view/flatten share storage with their
// source, ops that reorder elements (permute, transpose, expand, slicing
// across rows) produce new storage. A *meta* tensor carries a shape and no
// storage; ops on meta tensors check shapes and record, but compute nothing
// (shape-only tracing).

#include <cstdint>
#include <initializer_list>
#include <iosfwd>
#include <memory>
#include "modtrace/source_location.hpp"
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "modtrace/error.hpp"
#include "modtrace/shape.hpp"
#include "modtrace/export.hpp"

MODTRACE_PUBLIC_BEGIN
namespace modtrace {

namespace detail {
// Which recorded value of which trace produced a tensor (see trace.hpp).
// A tag from another trace is ignored, so tensors outlive traces safely.
struct TraceTag {
  uint64_t trace = 0;   // 0: not produced under any trace
  uint32_t value = 0;   // the node
  uint32_t output = 0;  // which of the node's outputs (chunk, topk have several)
};
struct TensorInternals;
struct Storage;  // what a storage's views share (core/tensor.cpp)
}  // namespace detail

// An operand that remembers where in the user's source it was written, so
// that `x * 3` records the line of the expression (operators cannot take a
// defaulted source_location parameter, but a converting constructor can).
template <class T>
struct Located {
  T value;
  SourceLocation where;
  Located(T v, SourceLocation w = SourceLocation::current())  // NOLINT: implicit by design
      : value(v), where(w) {}
};

class Tensor {
 public:
  // An undefined tensor (like an absent bias); most operations reject it.
  Tensor() = default;
  // A tensor holding `values` in row-major order; their count must match `shape`.
  Tensor(Shape shape, std::vector<float> values);

  // Factories. `empty` leaves the values uninitialised.
  static Tensor empty(Shape shape);
  static Tensor zeros(Shape shape);
  static Tensor ones(Shape shape);
  static Tensor full(Shape shape, float value);
  static Tensor scalar(float value);  // rank 0
  static Tensor arange(int64_t n);    // [0, 1, …, n-1], rank 1
  // The reference input rule: 2u - 1 with u drawn from key (see init.hpp).
  static Tensor deterministic(Shape shape, std::string_view key = "input");
  // Shape only, no storage.
  static Tensor meta(Shape shape);

  bool defined() const noexcept { return defined_; }
  bool is_meta() const noexcept { return defined_ && !data_; }

  const Shape& shape() const noexcept { return shape_; }
  int64_t dim() const noexcept { return static_cast<int64_t>(shape_.size()); }
  int64_t size(int64_t dim) const;  // negative dims count from the end
  int64_t numel() const noexcept { return numel_; }

  // Raw storage (row-major). Throws Error for undefined and meta tensors.
  // The non-const form marks the storage as written (kernels that keep a
  // converted copy of a weight, oneDNN's layouts, convert it again): write
  // through the pointer before the next forward, or call data() again
  // after writing.
  float* data();
  const float* data() const;
  std::span<const float> values() const { return {data(), static_cast<size_t>(numel_)}; }
  std::vector<float> to_vector() const;

  // Element access by full index; negative indices count from the end.
  float& at(std::initializer_list<int64_t> index);
  float at(std::initializer_list<int64_t> index) const;
  // The single value of a one-element tensor.
  float item() const;

  // True when both tensors view the same allocation.
  bool shares_storage_with(const Tensor& other) const noexcept;
  // True when both are the same tensor value, as Python's `is` on tensors:
  // the same elements of the same storage with the same shape, or, for meta
  // tensors, the same value of the same trace.
  bool is_same(const Tensor& other) const noexcept;
  // Copies `source`'s values into this tensor's storage (same shape required);
  // every view of this storage sees the new values. Not recorded by traces.
  void copy_(const Tensor& source);
  // A new tensor with the same shape sharing this storage (used by view ops).
  Tensor alias(Shape shape) const;
  // The op (permute, slice, chunk, …) whose result this is when PyTorch
  // would have returned a view of its input but modtrace made a copy, "" for
  // other tensors. Such a tensor cannot be written in place: in PyTorch the
  // write would reach the input too.
  std::string_view copied_view_op() const noexcept;

  // PyTorch-style text, e.g. "tensor([[18., 18.],\n        [18., 18.]])".
  std::string str() const;

  // Method forms of common functional ops (each records like F::).
  Tensor reshape(Shape shape, SourceLocation where = SourceLocation::current()) const;
  Tensor view(Shape shape, SourceLocation where = SourceLocation::current()) const;
  Tensor flatten(int64_t start_dim = 0, int64_t end_dim = -1,
                 SourceLocation where = SourceLocation::current()) const;
  Tensor permute(std::vector<int64_t> dims,
                 SourceLocation where = SourceLocation::current()) const;
  Tensor transpose(int64_t dim0, int64_t dim1,
                   SourceLocation where = SourceLocation::current()) const;
  Tensor contiguous(SourceLocation where = SourceLocation::current()) const;
  Tensor clone(SourceLocation where = SourceLocation::current()) const;
  Tensor expand(Shape shape, SourceLocation where = SourceLocation::current()) const;
  Tensor select(int64_t dim, int64_t index,
                SourceLocation where = SourceLocation::current()) const;
  Tensor narrow(int64_t dim, int64_t start, int64_t length,
                SourceLocation where = SourceLocation::current()) const;
  Tensor unsqueeze(int64_t dim, SourceLocation where = SourceLocation::current()) const;
  Tensor squeeze(int64_t dim, SourceLocation where = SourceLocation::current()) const;
  Tensor sum(std::vector<int64_t> dims = {}, bool keepdim = false,
             SourceLocation where = SourceLocation::current()) const;
  Tensor mean(std::vector<int64_t> dims = {}, bool keepdim = false,
              SourceLocation where = SourceLocation::current()) const;
  std::vector<Tensor> chunk(int64_t chunks, int64_t dim = 0, SourceLocation where = SourceLocation::current()) const;
  std::vector<Tensor> split(int64_t split_size, int64_t dim = 0,
                            SourceLocation where = SourceLocation::current()) const;
  std::vector<Tensor> unbind(int64_t dim = 0, SourceLocation where = SourceLocation::current()) const;

  // In place, as PyTorch's methods: this tensor's storage is written (every
  // view sharing it sees the change) and it becomes the recorded result.
  // Refused on a copy standing for a PyTorch view (copied_view_op()).
  Tensor& add_(const Tensor& other, SourceLocation where = SourceLocation::current());
  Tensor& add_(double other, SourceLocation where = SourceLocation::current());
  Tensor& sub_(const Tensor& other, SourceLocation where = SourceLocation::current());
  Tensor& sub_(double other, SourceLocation where = SourceLocation::current());
  Tensor& mul_(const Tensor& other, SourceLocation where = SourceLocation::current());
  Tensor& mul_(double other, SourceLocation where = SourceLocation::current());
  Tensor& div_(const Tensor& other, SourceLocation where = SourceLocation::current());
  Tensor& div_(double other, SourceLocation where = SourceLocation::current());
  Tensor& relu_(SourceLocation where = SourceLocation::current());
  Tensor& sigmoid_(SourceLocation where = SourceLocation::current());
  Tensor& tanh_(SourceLocation where = SourceLocation::current());
  Tensor& masked_fill_(const Tensor& mask, double value, SourceLocation where = SourceLocation::current());
  // x += y is x.add_(y), recorded as add_ with the line of the expression.
  Tensor& operator+=(Located<const Tensor&> other);
  Tensor& operator-=(Located<const Tensor&> other);
  Tensor& operator*=(Located<const Tensor&> other);
  Tensor& operator/=(Located<const Tensor&> other);
  Tensor& operator+=(Located<double> other);
  Tensor& operator-=(Located<double> other);
  Tensor& operator*=(Located<double> other);
  Tensor& operator/=(Located<double> other);

  // For the tracer: which recorded value this tensor is.
  const detail::TraceTag& trace_tag() const noexcept { return tag_; }
  void set_trace_tag(detail::TraceTag tag) noexcept { tag_ = tag; }

 private:
  friend struct detail::TensorInternals;
  static Tensor with_storage(Shape shape, std::shared_ptr<float> data, detail::Storage* storage);
  int64_t flat_index(std::initializer_list<int64_t> index) const;

  std::shared_ptr<float> data_;  // points at the first element; owns the storage
  detail::Storage* storage_ = nullptr;  // its header, in data_'s control block (null for a meta tensor)
  Shape shape_;
  int64_t numel_ = 0;
  bool defined_ = false;
  const char* copied_view_op_ = nullptr;  // a string literal, see copied_view_op()
  detail::TraceTag tag_;
};

using Tensors = std::vector<Tensor>;

Tensor operator+(const Tensor& a, Located<const Tensor&> b);
Tensor operator-(const Tensor& a, Located<const Tensor&> b);
Tensor operator*(const Tensor& a, Located<const Tensor&> b);
Tensor operator/(const Tensor& a, Located<const Tensor&> b);
Tensor operator+(const Tensor& a, Located<double> b);
Tensor operator-(const Tensor& a, Located<double> b);
Tensor operator*(const Tensor& a, Located<double> b);
Tensor operator/(const Tensor& a, Located<double> b);
Tensor operator+(Located<double> a, const Tensor& b);
Tensor operator-(Located<double> a, const Tensor& b);  // rsub, as PyTorch records it
Tensor operator*(Located<double> a, const Tensor& b);
Tensor operator/(Located<double> a, const Tensor& b);  // reciprocal then mul, as PyTorch does
Tensor operator-(const Tensor& a);

// Comparisons (not recorded). Shapes must be equal for true.
bool equal(const Tensor& a, const Tensor& b);
bool allclose(const Tensor& a, const Tensor& b, double rtol = 1e-5, double atol = 1e-8);
// Largest |a - b|; shapes must match (Error otherwise). NaN anywhere gives NaN.
double max_abs_diff(const Tensor& a, const Tensor& b);

std::ostream& operator<<(std::ostream& out, const Tensor& t);

// Options for Tensor::str(), as torch.set_printoptions.
struct PrintOptions {
  int precision = 4;
  int64_t threshold = 1000;
  int64_t edgeitems = 3;
  int64_t linewidth = 80;
};
std::string to_string(const Tensor& t, const PrintOptions& options);

}  // namespace modtrace
MODTRACE_PUBLIC_END
