// Ops that change how elements are arranged. Views (reshape, view, flatten,
// squeeze, unsqueeze, contiguous) only compute a shape: dispatch aliases the
// storage. Copies (permute, transpose, clone, cat, slice, select, narrow,
// expand) move elements into new contiguous storage; those PyTorch returns
// as views are marked Writes::copy_of_view, so writing them in place fails.

#include <algorithm>
#include <cstring>
#include <limits>
#include <string>

#include "modtrace/functional.hpp"
#include "ops/op_call.hpp"
#include "ops/strided.hpp"

namespace modtrace::detail {
namespace {

constexpr AttrSpec kShape[] = {{"shape", AttrType::ints}};
constexpr AttrSpec kFlatten[] = {{"start_dim", AttrType::integer, "0"}, {"end_dim", AttrType::integer, "-1"}};
constexpr AttrSpec kDim[] = {{"dim", AttrType::integer}};
constexpr AttrSpec kCat[] = {{"dim", AttrType::integer, "0"}};
constexpr AttrSpec kPermute[] = {{"dims", AttrType::ints}};
constexpr AttrSpec kTranspose[] = {{"dim0", AttrType::integer}, {"dim1", AttrType::integer}};
// Absent bounds stay absent in the record, as in x[:, 1:].
constexpr AttrSpec kSlice[] = {{"dim", AttrType::integer, "0"},
                               {"start", AttrType::integer, "", true},
                               {"end", AttrType::integer, "", true},
                               {"step", AttrType::integer, "1"}};
constexpr AttrSpec kSelect[] = {{"dim", AttrType::integer}, {"index", AttrType::integer}};
constexpr AttrSpec kNarrow[] = {{"dim", AttrType::integer}, {"start", AttrType::integer}, {"length", AttrType::integer}};
constexpr AttrSpec kExpand[] = {{"size", AttrType::ints}};


// A dimension attribute, wrapped into [0, rank).
template <const auto& Schema, Name N>
int64_t dim_attr(const OpCall& call, int64_t rank) {
  return wrap_dim(call.attr<Schema, N>(), rank, op_info(call.op).name.data());
}

// Copies rows [start, start + count*step) of dimension `dim` (every `step`-th) into `out`.
void copy_strided_rows(const Tensor& x, int64_t dim, int64_t start, int64_t count, int64_t step, Tensor& out) {
  const Shape& s = x.shape();
  const int64_t outer = outer_size(s, dim);
  const int64_t inner = inner_size(s, dim);
  const int64_t size = s[dim];
  const float* src = x.data();
  float* dst = out.data();
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t j = 0; j < count; ++j) {
      std::memcpy(dst + (o * count + j) * inner, src + (o * size + start + j * step) * inner,
                  static_cast<size_t>(inner) * sizeof(float));
    }
  }
}

void permute_copy(const Tensor& x, const std::vector<int64_t>& dims, Tensor& out) {
  const Strides in_strides = contiguous_strides(x.shape());
  Strides read(dims.size());
  for (size_t i = 0; i < dims.size(); ++i) read[i] = in_strides[dims[i]];
  const float* src = x.data();
  float* dst = out.data();
  for_each_run<2>(out.shape(), {contiguous_strides(out.shape()), read},
                  [&](std::array<int64_t, 2> at, std::array<int64_t, 2> step, int64_t len) {
                    for (int64_t j = 0; j < len; ++j) dst[at[0] + j * step[0]] = src[at[1] + j * step[1]];
                  });
}

std::vector<int64_t> permutation(const OpCall& call) {
  const auto& dims = call.attr<kPermute, "dims">();
  const int64_t rank = call.input(0).dim();
  if (static_cast<int64_t>(dims.size()) != rank) {
    call.fail("dims " + to_string(Shape(dims)) + " has " + std::to_string(dims.size()) +
              " entries, expected one per dimension (" + std::to_string(rank) + ")");
  }
  std::vector<int64_t> wrapped(dims.size());
  std::vector<bool> seen(dims.size(), false);
  for (size_t i = 0; i < dims.size(); ++i) {
    wrapped[i] = wrap_dim(dims[i], rank, "permute");
    if (seen[wrapped[i]]) call.fail("dims " + to_string(Shape(dims)) + " repeat dimension " + std::to_string(dims[i]));
    seen[wrapped[i]] = true;
  }
  return wrapped;
}

std::vector<int64_t> transposition(const OpCall& call) {
  const int64_t rank = call.input(0).dim();
  std::vector<int64_t> dims(static_cast<size_t>(rank));
  for (int64_t i = 0; i < rank; ++i) dims[i] = i;
  if (rank == 0) return dims;
  std::swap(dims[dim_attr<kTranspose, "dim0">(call, rank)], dims[dim_attr<kTranspose, "dim1">(call, rank)]);
  return dims;
}

// The shape with dimension i taken from dims[i].
Shape permuted(const Shape& shape, const std::vector<int64_t>& dims) {
  Shape out(dims.size());
  for (size_t i = 0; i < dims.size(); ++i) out[i] = shape[dims[i]];
  return out;
}

struct SliceBounds {
  int64_t dim, start, count, step;
};

SliceBounds slice_bounds(const OpCall& call) {
  const Tensor& x = call.input(0);
  if (x.dim() == 0) call.fail("cannot slice a 0-d tensor");
  const int64_t dim = dim_attr<kSlice, "dim">(call, x.dim());
  const int64_t size = x.shape()[dim];
  const int64_t step = call.attr<kSlice, "step">();
  if (step < 1) call.fail("slice step must be positive, got " + std::to_string(step));
  // Python slice semantics: negative bounds count from the end, then clamp.
  auto clamp = [size](int64_t v) { return std::clamp<int64_t>(v < 0 ? v + size : v, 0, size); };
  const int64_t* given_start = call.optional_attr<kSlice, "start">();
  const int64_t* given_end = call.optional_attr<kSlice, "end">();
  const int64_t start = given_start ? clamp(*given_start) : 0;
  const int64_t end = given_end ? clamp(*given_end) : size;
  const int64_t count = end > start ? (end - start + step - 1) / step : 0;
  return {dim, start, count, step};
}

Shape shape_reshape(const OpCall& call) {
  const Tensor& x = call.input(0);
  const auto& requested = call.attr<kShape, "shape">();
  Shape out(requested.begin(), requested.end());
  int64_t inferred = -1;
  int64_t known = 1;
  for (size_t i = 0; i < out.size(); ++i) {
    if (out[i] == -1) {
      if (inferred >= 0) call.fail("only one dimension can be inferred, shape " + to_string(out) + " has two -1");
      inferred = static_cast<int64_t>(i);
    } else if (out[i] < 0) {
      call.fail("invalid shape " + to_string(out) + ": dimensions must be >= 0 or -1");
    } else if (out[i] != 0 && known > std::numeric_limits<int64_t>::max() / out[i]) {
      call.fail("invalid shape " + to_string(out) + ": too many elements");
    } else {
      known *= out[i];
    }
  }
  // The message is built only when needed: views and reshapes run often.
  auto invalid = [&] {
    call.fail("shape " + to_string(out) + " is invalid for input of size " + std::to_string(x.numel()));
  };
  if (inferred >= 0) {
    if (known == 0 || x.numel() % known != 0) invalid();
    out[inferred] = x.numel() / known;
  } else if (known != x.numel()) {
    invalid();
  }
  return out;
}

Shape shape_flatten(const OpCall& call) {
  const Shape& s = call.input(0).shape();
  if (s.empty()) return {1};
  const auto rank = static_cast<int64_t>(s.size());
  const int64_t start = dim_attr<kFlatten, "start_dim">(call, rank);
  const int64_t end = dim_attr<kFlatten, "end_dim">(call, rank);
  if (start > end) {
    call.fail("start_dim " + std::to_string(call.attr<kFlatten, "start_dim">()) + " comes after end_dim " +
              std::to_string(call.attr<kFlatten, "end_dim">()));
  }
  Shape out(s.begin(), s.begin() + start);
  int64_t merged = 1;
  for (int64_t d = start; d <= end; ++d) merged *= s[d];
  out.push_back(merged);
  out.insert(out.end(), s.begin() + end + 1, s.end());
  return out;
}

Shape shape_squeeze(const OpCall& call) {
  Shape s = call.input(0).shape();
  if (s.empty()) return s;
  const int64_t dim = dim_attr<kDim, "dim">(call, static_cast<int64_t>(s.size()));
  if (s[dim] == 1) s.erase(s.begin() + dim);  // like PyTorch, a no-op when the size is not 1
  return s;
}

Shape shape_unsqueeze(const OpCall& call) {
  Shape s = call.input(0).shape();
  const int64_t dim = wrap_dim(call.attr<kDim, "dim">(), static_cast<int64_t>(s.size()) + 1, "unsqueeze");
  s.insert(s.begin() + dim, 1);
  return s;
}

Shape shape_permute(const OpCall& call) { return permuted(call.input(0).shape(), permutation(call)); }

void run_permute(const OpCall& call, Tensor& out) { permute_copy(call.input(0), permutation(call), out); }

Shape shape_transpose(const OpCall& call) { return permuted(call.input(0).shape(), transposition(call)); }

void run_transpose(const OpCall& call, Tensor& out) { permute_copy(call.input(0), transposition(call), out); }

void run_clone(const OpCall& call, Tensor& out) { out.copy_(call.input(0)); }

Shape shape_cat(const OpCall& call) {
  const Tensor& first = call.input(0);
  if (first.dim() == 0) call.fail("zero-dimensional tensors cannot be concatenated");
  const int64_t dim = dim_attr<kCat, "dim">(call, first.dim());
  Shape out = first.shape();
  out[dim] = 0;
  for (size_t i = 0; i < call.input_count(); ++i) {
    const Shape& s = call.input(i).shape();
    bool same = s.size() == out.size();
    for (size_t d = 0; same && d < s.size(); ++d) same = static_cast<int64_t>(d) == dim || s[d] == out[d];
    if (!same) {
      std::string expected = "[";
      for (size_t d = 0; d < out.size(); ++d) {
        expected += (d ? ", " : "") + (static_cast<int64_t>(d) == dim ? std::string("*") : std::to_string(out[d]));
      }
      call.fail("tensors[" + std::to_string(i) + "] has shape " + to_string(s) + ", expected " + expected +
                "] (sizes must match except in dimension " + std::to_string(dim) + ")");
    }
    out[dim] += s[dim];
  }
  return out;
}

void run_cat(const OpCall& call, Tensor& out) {
  const int64_t dim = dim_attr<kCat, "dim">(call, out.dim());
  const int64_t outer = outer_size(out.shape(), dim);
  const int64_t inner = inner_size(out.shape(), dim);
  float* dst = out.data();
  for (int64_t o = 0; o < outer; ++o) {
    for (size_t i = 0; i < call.input_count(); ++i) {
      const Tensor& t = call.input(i);
      const int64_t chunk = t.shape()[dim] * inner;
      if (chunk == 0) continue;
      std::memcpy(dst, t.data() + o * chunk, static_cast<size_t>(chunk) * sizeof(float));
      dst += chunk;
    }
  }
}

Shape shape_slice(const OpCall& call) {
  const SliceBounds b = slice_bounds(call);
  Shape out = call.input(0).shape();
  out[b.dim] = b.count;
  return out;
}

void run_slice(const OpCall& call, Tensor& out) {
  const SliceBounds b = slice_bounds(call);
  copy_strided_rows(call.input(0), b.dim, b.start, b.count, b.step, out);
}

Shape shape_select(const OpCall& call) {
  const Tensor& x = call.input(0);
  if (x.dim() == 0) call.fail("select() cannot be applied to a 0-d tensor");
  const int64_t dim = dim_attr<kSelect, "dim">(call, x.dim());
  const int64_t index = call.attr<kSelect, "index">();
  const int64_t size = x.shape()[dim];
  if (index < -size || index >= size) {
    call.fail("index " + std::to_string(index) + " out of range for dimension " + std::to_string(dim) + " of size " +
              std::to_string(size) + " (expected in [" + std::to_string(-size) + ", " + std::to_string(size - 1) + "])");
  }
  Shape out = x.shape();
  out.erase(out.begin() + dim);
  return out;
}

void run_select(const OpCall& call, Tensor& out) {
  const Tensor& x = call.input(0);
  const int64_t dim = dim_attr<kSelect, "dim">(call, x.dim());
  int64_t index = call.attr<kSelect, "index">();
  if (index < 0) index += x.shape()[dim];
  copy_strided_rows(x, dim, index, 1, 1, out);
}

Shape shape_narrow(const OpCall& call) {
  const Tensor& x = call.input(0);
  if (x.dim() == 0) call.fail("narrow() cannot be applied to a 0-d tensor");
  const int64_t dim = dim_attr<kNarrow, "dim">(call, x.dim());
  const int64_t size = x.shape()[dim];
  int64_t start = call.attr<kNarrow, "start">();
  const int64_t length = call.attr<kNarrow, "length">();
  if (start < -size || start > size) {
    call.fail("start " + std::to_string(start) + " out of range for dimension " + std::to_string(dim) +
              " of size " + std::to_string(size));
  }
  if (start < 0) start += size;
  if (length < 0 || start + length > size) {
    call.fail("start " + std::to_string(start) + " + length " + std::to_string(length) + " exceeds dimension " +
              std::to_string(dim) + " of size " + std::to_string(size));
  }
  Shape out = x.shape();
  out[dim] = length;
  return out;
}

void run_narrow(const OpCall& call, Tensor& out) {
  const Tensor& x = call.input(0);
  const int64_t dim = dim_attr<kNarrow, "dim">(call, x.dim());
  int64_t start = call.attr<kNarrow, "start">();
  if (start < 0) start += x.shape()[dim];
  copy_strided_rows(x, dim, start, out.shape()[dim], 1, out);
}

Shape shape_expand(const OpCall& call) {
  const Shape& s = call.input(0).shape();
  const auto& target = call.attr<kExpand, "size">();
  if (target.size() < s.size()) {
    call.fail("the number of sizes given (" + std::to_string(target.size()) +
              ") must be at least the number of dimensions of the tensor (" + std::to_string(s.size()) + ")");
  }
  Shape out(target.begin(), target.end());
  const size_t offset = target.size() - s.size();
  for (size_t d = 0; d < out.size(); ++d) {
    if (d < offset) {
      if (out[d] < 0) call.fail("size " + std::to_string(out[d]) + " is not allowed for new leading dimension " + std::to_string(d));
      continue;
    }
    const int64_t own = s[d - offset];
    if (out[d] == -1) out[d] = own;
    if (own != 1 && out[d] != own) {
      call.fail("the expanded size (" + std::to_string(out[d]) + ") must match the existing size (" +
                std::to_string(own) + ") at non-singleton dimension " + std::to_string(d) + "; target sizes " +
                to_string(Shape(target)));
    }
    if (out[d] < 0) call.fail("invalid target size " + to_string(Shape(target)));
  }
  return out;
}

void run_expand(const OpCall& call, Tensor& out) {
  const Tensor& x = call.input(0);
  const float* src = x.data();
  float* dst = out.data();
  for_each_run<2>(out.shape(), {contiguous_strides(out.shape()), broadcast_strides(x.shape(), out.shape())},
                  [&](std::array<int64_t, 2> at, std::array<int64_t, 2> step, int64_t len) {
                    for (int64_t j = 0; j < len; ++j) dst[at[0] + j * step[0]] = src[at[1] + j * step[1]];
                  });
}

using C = OpCategory;

}  // namespace

std::span<const OpInfo> layout_ops() {
  static constexpr OpInfo rows[] = {
      {Op::reshape, "reshape", C::view, kUnary, 1, 1, kShape, shape_reshape, nullptr},
      {Op::view, "view", C::view, kUnary, 1, 1, kShape, shape_reshape, nullptr},
      {Op::flatten, "flatten", C::view, kUnary, 1, 1, kFlatten, shape_flatten, nullptr},
      {Op::squeeze, "squeeze", C::view, kUnary, 1, 1, kDim, shape_squeeze, nullptr},
      {Op::unsqueeze, "unsqueeze", C::view, kUnary, 1, 1, kDim, shape_unsqueeze, nullptr},
      {Op::contiguous, "contiguous", C::view, kUnary, 1, 1, kNoAttributes, shape_same, nullptr},
      {Op::permute, "permute", C::copy, kUnary, 1, 1, kPermute, shape_permute, run_permute,
       Writes::copy_of_view},
      {Op::transpose, "transpose", C::copy, kUnary, 1, 1, kTranspose, shape_transpose, run_transpose,
       Writes::copy_of_view},
      {Op::clone, "clone", C::copy, kUnary, 1, 1, kNoAttributes, shape_same, run_clone},
      {Op::cat, "cat", C::copy, kTensors, 1, kVariadic, kCat, shape_cat, run_cat},
      {Op::slice, "slice", C::copy, kUnary, 1, 1, kSlice, shape_slice, run_slice,
       Writes::copy_of_view},
      {Op::select, "select", C::copy, kUnary, 1, 1, kSelect, shape_select, run_select,
       Writes::copy_of_view},
      {Op::narrow, "narrow", C::copy, kUnary, 1, 1, kNarrow, shape_narrow, run_narrow,
       Writes::copy_of_view},
      {Op::expand, "expand", C::copy, kUnary, 1, 1, kExpand, shape_expand, run_expand,
       Writes::copy_of_view},
  };
  return rows;
}

}  // namespace modtrace::detail

namespace modtrace::F {

using detail::dispatch_unary;
using detail::pack;

Tensor reshape(const Tensor& x, const Shape& shape, Where where) {
  return dispatch_unary(Op::reshape, x, where, pack<detail::kShape>(shape));
}
Tensor view(const Tensor& x, const Shape& shape, Where where) {
  return dispatch_unary(Op::view, x, where, pack<detail::kShape>(shape));
}
Tensor flatten(const Tensor& x, int64_t start_dim, int64_t end_dim, Where where) {
  return dispatch_unary(Op::flatten, x, where, pack<detail::kFlatten>(start_dim, end_dim));
}
Tensor squeeze(const Tensor& x, int64_t dim, Where where) {
  return dispatch_unary(Op::squeeze, x, where, pack<detail::kDim>(dim));
}
Tensor unsqueeze(const Tensor& x, int64_t dim, Where where) {
  return dispatch_unary(Op::unsqueeze, x, where, pack<detail::kDim>(dim));
}
Tensor contiguous(const Tensor& x, Where where) { return dispatch_unary(Op::contiguous, x, where); }

Tensor permute(const Tensor& x, const std::vector<int64_t>& dims, Where where) {
  return dispatch_unary(Op::permute, x, where, pack<detail::kPermute>(dims));
}
Tensor transpose(const Tensor& x, int64_t dim0, int64_t dim1, Where where) {
  return dispatch_unary(Op::transpose, x, where, pack<detail::kTranspose>(dim0, dim1));
}
Tensor clone(const Tensor& x, Where where) { return dispatch_unary(Op::clone, x, where); }

Tensor cat(const Tensors& tensors, int64_t dim, Where where) {
  std::vector<const Tensor*> in;
  in.reserve(tensors.size());
  for (const Tensor& t : tensors) in.push_back(&t);
  return detail::dispatch(Op::cat, in, pack<detail::kCat>(dim), where);
}

Tensor slice(const Tensor& x, int64_t dim, std::optional<int64_t> start, std::optional<int64_t> end, int64_t step,
             Where where) {
  return dispatch_unary(Op::slice, x, where, pack<detail::kSlice>(dim, start, end, step));
}
Tensor select(const Tensor& x, int64_t dim, int64_t index, Where where) {
  return dispatch_unary(Op::select, x, where, pack<detail::kSelect>(dim, index));
}
Tensor narrow(const Tensor& x, int64_t dim, int64_t start, int64_t length, Where where) {
  return dispatch_unary(Op::narrow, x, where, pack<detail::kNarrow>(dim, start, length));
}
Tensor expand(const Tensor& x, const Shape& shape, Where where) {
  return dispatch_unary(Op::expand, x, where, pack<detail::kExpand>(shape));
}

}  // namespace modtrace::F
