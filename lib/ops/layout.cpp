// Ops that change how elements are arranged. Views (reshape, view, flatten,
// squeeze, unsqueeze, contiguous) only compute a shape: dispatch aliases the
// storage. Copies (permute, transpose, clone, cat, slice, select, narrow,
// expand) move elements into new contiguous storage.

#include <algorithm>
#include <cstring>
#include <string>

#include "ops/families.hpp"
#include "ops/strided.hpp"

namespace modtrace::detail {
namespace {

// Elements before / after dimension `dim`.
int64_t outer_size(const Shape& s, int64_t dim) {
  int64_t n = 1;
  for (int64_t d = 0; d < dim; ++d) n *= s[d];
  return n;
}
int64_t inner_size(const Shape& s, int64_t dim) {
  int64_t n = 1;
  for (size_t d = static_cast<size_t>(dim) + 1; d < s.size(); ++d) n *= s[d];
  return n;
}

int64_t dim_attr(const OpCall& call, const char* name, int64_t rank) {
  return wrap_dim(call.attrs.integer(name), rank, op_info(call.op).name.data());
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
  const auto& dims = call.attrs.ints("dims");
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
  std::swap(dims[dim_attr(call, "dim0", rank)], dims[dim_attr(call, "dim1", rank)]);
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
  const int64_t dim = dim_attr(call, "dim", x.dim());
  const int64_t size = x.shape()[dim];
  const int64_t step = call.attrs.integer("step");
  if (step < 1) call.fail("slice step must be positive, got " + std::to_string(step));
  // Python slice semantics: negative bounds count from the end, then clamp.
  auto clamp = [size](int64_t v) { return std::clamp<int64_t>(v < 0 ? v + size : v, 0, size); };
  const int64_t start = call.attrs.has("start") ? clamp(call.attrs.integer("start")) : 0;
  const int64_t end = call.attrs.has("end") ? clamp(call.attrs.integer("end")) : size;
  const int64_t count = end > start ? (end - start + step - 1) / step : 0;
  return {dim, start, count, step};
}

}  // namespace

Shape shape_reshape(const OpCall& call) {
  const Tensor& x = call.input(0);
  const auto& requested = call.attrs.ints("shape");
  Shape out(requested.begin(), requested.end());
  int64_t inferred = -1;
  int64_t known = 1;
  for (size_t i = 0; i < out.size(); ++i) {
    if (out[i] == -1) {
      if (inferred >= 0) call.fail("only one dimension can be inferred, shape " + to_string(out) + " has two -1");
      inferred = static_cast<int64_t>(i);
    } else if (out[i] < 0) {
      call.fail("invalid shape " + to_string(out) + ": dimensions must be >= 0 or -1");
    } else {
      known *= out[i];
    }
  }
  const std::string problem = "shape " + to_string(out) + " is invalid for input of size " + std::to_string(x.numel());
  if (inferred >= 0) {
    if (known == 0 || x.numel() % known != 0) call.fail(problem);
    out[inferred] = x.numel() / known;
  } else if (known != x.numel()) {
    call.fail(problem);
  }
  return out;
}

Shape shape_flatten(const OpCall& call) {
  const Shape& s = call.input(0).shape();
  if (s.empty()) return {1};
  const auto rank = static_cast<int64_t>(s.size());
  const int64_t start = dim_attr(call, "start_dim", rank);
  const int64_t end = dim_attr(call, "end_dim", rank);
  if (start > end) {
    call.fail("start_dim " + std::to_string(call.attrs.integer("start_dim")) + " comes after end_dim " +
              std::to_string(call.attrs.integer("end_dim")));
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
  const int64_t dim = dim_attr(call, "dim", static_cast<int64_t>(s.size()));
  if (s[dim] == 1) s.erase(s.begin() + dim);  // like PyTorch, a no-op when the size is not 1
  return s;
}

Shape shape_unsqueeze(const OpCall& call) {
  Shape s = call.input(0).shape();
  const int64_t dim = wrap_dim(call.attrs.integer("dim"), static_cast<int64_t>(s.size()) + 1, "unsqueeze");
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
  const int64_t dim = dim_attr(call, "dim", first.dim());
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
  const int64_t dim = dim_attr(call, "dim", out.dim());
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
  const int64_t dim = dim_attr(call, "dim", x.dim());
  const int64_t index = call.attrs.integer("index");
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
  const int64_t dim = dim_attr(call, "dim", x.dim());
  int64_t index = call.attrs.integer("index");
  if (index < 0) index += x.shape()[dim];
  copy_strided_rows(x, dim, index, 1, 1, out);
}

Shape shape_narrow(const OpCall& call) {
  const Tensor& x = call.input(0);
  if (x.dim() == 0) call.fail("narrow() cannot be applied to a 0-d tensor");
  const int64_t dim = dim_attr(call, "dim", x.dim());
  const int64_t size = x.shape()[dim];
  int64_t start = call.attrs.integer("start");
  const int64_t length = call.attrs.integer("length");
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
  const int64_t dim = dim_attr(call, "dim", x.dim());
  int64_t start = call.attrs.integer("start");
  if (start < 0) start += x.shape()[dim];
  copy_strided_rows(x, dim, start, out.shape()[dim], 1, out);
}

Shape shape_expand(const OpCall& call) {
  const Shape& s = call.input(0).shape();
  const auto& target = call.attrs.ints("size");
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

}  // namespace modtrace::detail
