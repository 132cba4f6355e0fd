// Pooling: max_pool2d (and with indices), avg_pool2d, their 1-D forms on
// (N, C, L), adaptive_avg_pool2d, max_unpool2d. PyTorch's output-size and
// divisor rules, ceil_mode included. 2-D inputs are (N, C, H, W) or
// (C, H, W); a 1-D pool is a 2-D one of height 1, recorded under its name.

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "modtrace/functional.hpp"
#include "ops/map.hpp"
#include "ops/op_call.hpp"

namespace modtrace::detail {
namespace {

// stride is always given: F:: resolves PyTorch's default (the kernel size).
constexpr AttrSpec kMaxPool2d[] = {{"kernel_size", AttrType::ints},
                                   {"stride", AttrType::ints},
                                   {"padding", AttrType::ints, "[0, 0]"},
                                   {"dilation", AttrType::ints, "[1, 1]"},
                                   {"ceil_mode", AttrType::flag, "false"}};
constexpr AttrSpec kAvgPool2d[] = {{"kernel_size", AttrType::ints},
                                   {"stride", AttrType::ints},
                                   {"padding", AttrType::ints, "[0, 0]"},
                                   {"ceil_mode", AttrType::flag, "false"},
                                   {"count_include_pad", AttrType::flag, "true"}};
constexpr AttrSpec kMaxPool1d[] = {{"kernel_size", AttrType::ints},
                                   {"stride", AttrType::ints},
                                   {"padding", AttrType::ints, "[0]"},
                                   {"dilation", AttrType::ints, "[1]"},
                                   {"ceil_mode", AttrType::flag, "false"}};
constexpr AttrSpec kAvgPool1d[] = {{"kernel_size", AttrType::ints},
                                   {"stride", AttrType::ints},
                                   {"padding", AttrType::ints, "[0]"},
                                   {"ceil_mode", AttrType::flag, "false"},
                                   {"count_include_pad", AttrType::flag, "true"}};
constexpr AttrSpec kAdaptivePool2d[] = {{"output_size", AttrType::ints}};
// output_size is always given: F:: resolves PyTorch's default from the window.
constexpr AttrSpec kMaxUnpool2d[] = {{"kernel_size", AttrType::ints},
                                     {"stride", AttrType::ints},
                                     {"padding", AttrType::ints, "[0, 0]"},
                                     {"output_size", AttrType::ints}};
constexpr InputNames kUnpoolInputs{"input", "indices"};

template <const auto& Schema>
constexpr bool is_1d() {
  return &Schema == &kMaxPool1d || &Schema == &kAvgPool1d;
}
template <const auto& Schema>
constexpr bool is_max() {
  return &Schema == &kMaxPool2d || &Schema == &kMaxPool1d;
}

struct Planes {
  int64_t count = 0;  // N * C
  int64_t height = 0, width = 0;
};

Planes planes_of(const OpCall& call, bool one_d) {
  const Tensor& x = call.input(0);
  if (one_d && x.dim() != 2 && x.dim() != 3) call.fail("expected a 2-D (C, L) or 3-D (N, C, L) input");
  if (!one_d && x.dim() != 3 && x.dim() != 4) call.fail("expected a 3-D (C, H, W) or 4-D (N, C, H, W) input");
  const Shape& s = x.shape();
  const size_t spatial = one_d ? 1 : 2;
  Planes p{1, one_d ? 1 : s[s.size() - 2], s.back()};
  for (size_t d = 0; d + spatial < s.size(); ++d) p.count *= s[d];
  if (p.height == 0 || p.width == 0) call.fail("expected non-empty spatial dimensions");
  return p;
}

Shape with_spatial(const Shape& in, bool one_d, int64_t h, int64_t w) {
  Shape out = in;
  out.back() = w;
  if (!one_d) out[out.size() - 2] = h;
  return out;
}

// PyTorch's pooling_output_shape (aten/src/ATen/native/Pool.h).
int64_t pooled_size(int64_t in, int64_t kernel, int64_t pad, int64_t stride, int64_t dilation, bool ceil_mode) {
  const int64_t numerator = in + 2 * pad - dilation * (kernel - 1) - 1 + (ceil_mode ? stride - 1 : 0);
  int64_t out = (numerator >= 0 ? numerator / stride : -((-numerator + stride - 1) / stride)) + 1;
  // With ceil_mode the last window must start inside the input or its left padding.
  if (ceil_mode && (out - 1) * stride >= in + pad) --out;
  return out;
}

struct Window {
  int64_t kh, kw, sh, sw, ph, pw, dh = 1, dw = 1;
  bool ceil_mode;
  int64_t out_h = 0, out_w = 0;
};

std::string size_text(bool one_d, int64_t a, int64_t b) {
  return one_d ? std::to_string(b) : std::to_string(a) + "x" + std::to_string(b);
}

// One attribute's (h, w): a 1-D pool's single value is the width, height 1 (or 0 for padding).
template <const auto& Schema, Name N>
std::pair<int64_t, int64_t> hw(const OpCall& call, int64_t height_value) {
  const auto& v = call.attr<Schema, N>();
  const size_t want = is_1d<Schema>() ? 1 : 2;
  if (v.size() != want) {
    call.fail(std::string(N.view()) + " must have " + std::to_string(want) + (want == 1 ? " value" : " values") +
              ", got " + to_string(Shape(v)));
  }
  return want == 1 ? std::pair{height_value, v[0]} : std::pair{v[0], v[1]};
}

template <const auto& Schema>
Window window_of(const OpCall& call, const Planes& p) {
  constexpr bool one_d = is_1d<Schema>();
  const auto [kh, kw] = hw<Schema, "kernel_size">(call, 1);
  const auto [sh, sw] = hw<Schema, "stride">(call, 1);
  const auto [ph, pw] = hw<Schema, "padding">(call, 0);
  Window w{kh, kw, sh, sw, ph, pw, 1, 1, call.attr<Schema, "ceil_mode">()};
  if constexpr (is_max<Schema>()) {
    std::tie(w.dh, w.dw) = hw<Schema, "dilation">(call, 1);
  }
  if (w.kh < 1 || w.kw < 1) call.fail("kernel_size must be positive, got " + size_text(one_d, w.kh, w.kw));
  if (w.sh < 1 || w.sw < 1) call.fail("stride must be positive, got " + size_text(one_d, w.sh, w.sw));
  if (w.dh < 1 || w.dw < 1) call.fail("dilation must be positive, got " + size_text(one_d, w.dh, w.dw));
  if (w.ph < 0 || w.pw < 0 || w.ph > w.kh / 2 || w.pw > w.kw / 2) {
    call.fail("padding " + size_text(one_d, w.ph, w.pw) + " must be non-negative and at most half the kernel size " +
              size_text(one_d, w.kh, w.kw));
  }
  w.out_h = pooled_size(p.height, w.kh, w.ph, w.sh, w.dh, w.ceil_mode);
  w.out_w = pooled_size(p.width, w.kw, w.pw, w.sw, w.dw, w.ceil_mode);
  if (w.out_h < 1 || w.out_w < 1) {
    call.fail("input " + size_text(one_d, p.height, p.width) + " is too small for kernel " +
              size_text(one_d, w.kh, w.kw) + ": output would be " + size_text(one_d, w.out_h, w.out_w));
  }
  return w;
}

template <const auto& Schema>
Shape shape_pool(const OpCall& call) {
  const Planes p = planes_of(call, is_1d<Schema>());
  const Window w = window_of<Schema>(call, p);
  return with_spatial(call.input(0).shape(), is_1d<Schema>(), w.out_h, w.out_w);
}

// The largest value in each window and its flat position in the plane
// (the first on ties; a NaN wins, the last one), as aten's loop. `indices` may be null.
template <const auto& Schema>
void max_pool(const OpCall& call, float* values, float* indices) {
  const Planes p = planes_of(call, is_1d<Schema>());
  const Window w = window_of<Schema>(call, p);
  const float* in = call.input(0).data();
  parallel_for(p.count, p.count * p.height * p.width, [&](int64_t plane) {
    const float* src = in + plane * p.height * p.width;
    const int64_t base = plane * w.out_h * w.out_w;
    for (int64_t oy = 0; oy < w.out_h; ++oy) {
      for (int64_t ox = 0; ox < w.out_w; ++ox) {
        float best = -std::numeric_limits<float>::infinity();
        int64_t at = -1;
        for (int64_t ky = 0; ky < w.kh; ++ky) {
          const int64_t iy = oy * w.sh - w.ph + ky * w.dh;
          if (iy < 0 || iy >= p.height) continue;
          for (int64_t kx = 0; kx < w.kw; ++kx) {
            const int64_t ix = ox * w.sw - w.pw + kx * w.dw;
            if (ix < 0 || ix >= p.width) continue;
            const float v = src[iy * p.width + ix];
            if (at < 0 || v > best || std::isnan(v)) {  // aten's rule, NaN included
              best = v;
              at = iy * p.width + ix;
            }
          }
        }
        values[base + oy * w.out_w + ox] = best;
        if (indices) indices[base + oy * w.out_w + ox] = static_cast<float>(at);
      }
    }
  });
}

// The same values without indices, in two passes per output row: the
// largest of the window's input rows, element by element (contiguous: the
// compiler vectorises it), then of that row's window columns. A maximum
// that lets a NaN win is the same whatever the order, so this equals the
// loop above, without its bounds checks and positions (ResNet-18's one
// max-pool took 12 % of its forward in that loop; this is 6x faster).
inline float max_or_nan(float best, float v) {
  const float larger = v > best ? v : best;
  return v != v ? v : larger;
}

template <const auto& Schema>
void max_pool_values(const OpCall& call, float* values) {
  const Planes p = planes_of(call, is_1d<Schema>());
  const Window w = window_of<Schema>(call, p);
  const float* in = call.input(0).data();
  const int64_t width = p.width, out_w = w.out_w, sw = w.sw;
  parallel_for(p.count, p.count * p.height * p.width, [&](int64_t plane) {
    std::vector<float> column_max(static_cast<size_t>(width));
    float* __restrict columns = column_max.data();
    const float* src = in + plane * p.height * width;
    for (int64_t oy = 0; oy < w.out_h; ++oy) {
      std::fill_n(columns, width, -std::numeric_limits<float>::infinity());
      for (int64_t ky = 0; ky < w.kh; ++ky) {
        const int64_t iy = oy * w.sh - w.ph + ky * w.dh;
        if (iy < 0 || iy >= p.height) continue;
        const float* __restrict line = src + iy * width;
        for (int64_t x = 0; x < width; ++x) columns[x] = max_or_nan(columns[x], line[x]);
      }
      float* __restrict row = values + (plane * w.out_h + oy) * out_w;
      std::fill_n(row, out_w, -std::numeric_limits<float>::infinity());
      for (int64_t kx = 0; kx < w.kw; ++kx) {
        // Outputs ox whose column ox * stride + offset lies in [0, width).
        const int64_t offset = kx * w.dw - w.pw;
        const int64_t first = offset >= 0 ? 0 : (-offset + sw - 1) / sw;
        const int64_t end = offset >= width ? 0 : std::min(out_w, (width - 1 - offset) / sw + 1);
        for (int64_t ox = first; ox < end; ++ox) row[ox] = max_or_nan(row[ox], columns[ox * sw + offset]);
      }
    }
  });
}

template <const auto& Schema>
void run_max_pool(const OpCall& call, Tensor& out) {
  max_pool_values<Schema>(call, out.data());
}

std::vector<Shape> shapes_max_pool2d_with_indices(const OpCall& call) {
  const Shape s = shape_pool<kMaxPool2d>(call);
  return {s, s};
}

void run_max_pool2d_with_indices(const OpCall& call, std::span<Tensor> outs) {
  max_pool<kMaxPool2d>(call, outs[0].data(), outs[1].data());
}

template <const auto& Schema>
void run_avg_pool(const OpCall& call, Tensor& out) {
  const Planes p = planes_of(call, is_1d<Schema>());
  const Window w = window_of<Schema>(call, p);
  const bool count_include_pad = call.attr<Schema, "count_include_pad">();
  const float* in = call.input(0).data();
  float* o = out.data();
  parallel_for(p.count, p.count * p.height * p.width, [&](int64_t plane) {
    const float* src = in + plane * p.height * p.width;
    float* dst = o + plane * w.out_h * w.out_w;
    for (int64_t oy = 0; oy < w.out_h; ++oy) {
      for (int64_t ox = 0; ox < w.out_w; ++ox) {
        // As aten's avg_pool2d: the divisor counts padding but not the ceil_mode overhang.
        int64_t y0 = oy * w.sh - w.ph, x0 = ox * w.sw - w.pw;
        int64_t y1 = std::min(y0 + w.kh, p.height + w.ph), x1 = std::min(x0 + w.kw, p.width + w.pw);
        const int64_t padded_count = (y1 - y0) * (x1 - x0);
        y0 = std::max<int64_t>(y0, 0), x0 = std::max<int64_t>(x0, 0);
        y1 = std::min(y1, p.height), x1 = std::min(x1, p.width);
        if (y0 >= y1 || x0 >= x1) {
          dst[oy * w.out_w + ox] = 0.0f;
          continue;
        }
        // Summed in double: a large window of nearly equal values loses digits in float.
        double total = 0.0;
        for (int64_t iy = y0; iy < y1; ++iy) {
          for (int64_t ix = x0; ix < x1; ++ix) total += src[iy * p.width + ix];
        }
        const int64_t divisor = count_include_pad ? padded_count : (y1 - y0) * (x1 - x0);
        dst[oy * w.out_w + ox] = static_cast<float>(total / static_cast<double>(divisor));
      }
    }
  });
}

Shape shape_adaptive_avg_pool2d(const OpCall& call) {
  planes_of(call, false);
  const auto& size = call.attr<kAdaptivePool2d, "output_size">();
  if (size.size() != 2 || size[0] < 1 || size[1] < 1) {
    call.fail("output_size must be two positive sizes, got " + to_string(Shape(size)));
  }
  return with_spatial(call.input(0).shape(), false, size[0], size[1]);
}

void run_adaptive_avg_pool2d(const OpCall& call, Tensor& out) {
  const Planes p = planes_of(call, false);
  const auto& size = call.attr<kAdaptivePool2d, "output_size">();
  const int64_t oh = size[0], ow = size[1];
  const float* in = call.input(0).data();
  float* o = out.data();
  parallel_for(p.count, p.count * p.height * p.width, [&](int64_t plane) {
    const float* src = in + plane * p.height * p.width;
    float* dst = o + plane * oh * ow;
    for (int64_t oy = 0; oy < oh; ++oy) {
      // Window [floor(i*H/oh), ceil((i+1)*H/oh)), as aten's start_index/end_index.
      const int64_t y0 = oy * p.height / oh;
      const int64_t y1 = ((oy + 1) * p.height + oh - 1) / oh;
      for (int64_t ox = 0; ox < ow; ++ox) {
        const int64_t x0 = ox * p.width / ow;
        const int64_t x1 = ((ox + 1) * p.width + ow - 1) / ow;
        double total = 0.0;  // in double, as avg_pool2d
        for (int64_t iy = y0; iy < y1; ++iy) {
          for (int64_t ix = x0; ix < x1; ++ix) total += src[iy * p.width + ix];
        }
        dst[oy * ow + ox] = static_cast<float>(total / static_cast<double>((y1 - y0) * (x1 - x0)));
      }
    }
  });
}

// max_unpool2d: each value goes to its index in a zeroed plane of output_size.
Shape shape_max_unpool2d(const OpCall& call) {
  planes_of(call, false);
  if (call.input(1).shape() != call.input(0).shape()) {
    call.fail("indices must have the input's shape " + to_string(call.input(0).shape()));
  }
  const auto& size = call.attr<kMaxUnpool2d, "output_size">();
  if (size.size() != 2 || size[0] < 1 || size[1] < 1) {
    call.fail("output_size must be two positive sizes, got " + to_string(Shape(size)));
  }
  return with_spatial(call.input(0).shape(), false, size[0], size[1]);
}

void run_max_unpool2d(const OpCall& call, Tensor& out) {
  const Planes p = planes_of(call, false);
  const auto& size = call.attr<kMaxUnpool2d, "output_size">();
  const int64_t out_plane = size[0] * size[1];
  const float* values = call.input(0).data();
  const float* indices = call.input(1).data();
  float* o = out.data();
  std::fill_n(o, out.numel(), 0.0f);
  for (int64_t plane = 0; plane < p.count; ++plane) {
    for (int64_t i = 0; i < p.height * p.width; ++i) {
      const float index = indices[plane * p.height * p.width + i];
      const auto at = static_cast<int64_t>(index);
      if (index != static_cast<float>(at) || at < 0 || at >= out_plane) {
        call.fail("found an invalid max index: " + to_string(AttrValue{static_cast<double>(index)}) +
                  " (output planes are " + std::to_string(size[0]) + "x" + std::to_string(size[1]) + ")");
      }
      o[plane * out_plane + at] = values[plane * p.height * p.width + i];
    }
  }
}

using C = OpCategory;

}  // namespace

std::span<const OpInfo> pooling_ops() {
  static constexpr OpInfo rows[] = {
      {Op::max_pool1d, "max_pool1d", C::pooling, kUnary, 1, 1, kMaxPool1d, shape_pool<kMaxPool1d>,
       run_max_pool<kMaxPool1d>},
      {Op::avg_pool1d, "avg_pool1d", C::pooling, kUnary, 1, 1, kAvgPool1d, shape_pool<kAvgPool1d>,
       run_avg_pool<kAvgPool1d>},
      {Op::max_pool2d, "max_pool2d", C::pooling, kUnary, 1, 1, kMaxPool2d, shape_pool<kMaxPool2d>,
       run_max_pool<kMaxPool2d>},
      {Op::max_pool2d_with_indices, "max_pool2d_with_indices", C::pooling, kUnary, 1, 1, kMaxPool2d, nullptr,
       nullptr, Writes::new_tensor, shapes_max_pool2d_with_indices, run_max_pool2d_with_indices},
      {Op::max_unpool2d, "max_unpool2d", C::pooling, kUnpoolInputs, 2, 2, kMaxUnpool2d, shape_max_unpool2d,
       run_max_unpool2d},
      {Op::avg_pool2d, "avg_pool2d", C::pooling, kUnary, 1, 1, kAvgPool2d, shape_pool<kAvgPool2d>,
       run_avg_pool<kAvgPool2d>},
      {Op::adaptive_avg_pool2d, "adaptive_avg_pool2d", C::pooling, kUnary, 1, 1, kAdaptivePool2d,
       shape_adaptive_avg_pool2d, run_adaptive_avg_pool2d},
  };
  return rows;
}

}  // namespace modtrace::detail

namespace modtrace::F {

using detail::dispatch_unary;
using detail::pack;
using detail::pair;
using Ints = std::vector<int64_t>;

Tensor max_pool2d(const Tensor& x, Size2 kernel_size, std::optional<Size2> stride, Size2 padding, Size2 dilation,
                  bool ceil_mode, Where where) {
  return dispatch_unary(Op::max_pool2d, x, where,
                        pack<detail::kMaxPool2d>(pair(kernel_size), pair(stride.value_or(kernel_size)), pair(padding),
                                                 pair(dilation), ceil_mode));
}

Tensors max_pool2d_with_indices(const Tensor& x, Size2 kernel_size, std::optional<Size2> stride, Size2 padding,
                                Size2 dilation, bool ceil_mode, Where where) {
  const std::array<const Tensor*, 1> in{&x};
  return detail::dispatch_many(Op::max_pool2d_with_indices, in,
                               pack<detail::kMaxPool2d>(pair(kernel_size), pair(stride.value_or(kernel_size)),
                                                        pair(padding), pair(dilation), ceil_mode),
                               where);
}

Tensor max_unpool2d(const Tensor& x, const Tensor& indices, Size2 kernel_size, std::optional<Size2> stride,
                    Size2 padding, Size2 output_size, Where where) {
  return detail::dispatch_binary(
      Op::max_unpool2d, x, indices, where,
      pack<detail::kMaxUnpool2d>(pair(kernel_size), pair(stride.value_or(kernel_size)), pair(padding),
                                 pair(output_size)));
}

Tensor avg_pool2d(const Tensor& x, Size2 kernel_size, std::optional<Size2> stride, Size2 padding, bool ceil_mode,
                  bool count_include_pad, Where where) {
  return dispatch_unary(Op::avg_pool2d, x, where,
                        pack<detail::kAvgPool2d>(pair(kernel_size), pair(stride.value_or(kernel_size)), pair(padding),
                                                 ceil_mode, count_include_pad));
}

Tensor max_pool1d(const Tensor& x, int64_t kernel_size, std::optional<int64_t> stride, int64_t padding,
                  int64_t dilation, bool ceil_mode, Where where) {
  return dispatch_unary(Op::max_pool1d, x, where,
                        pack<detail::kMaxPool1d>(Ints{kernel_size}, Ints{stride.value_or(kernel_size)},
                                                 Ints{padding}, Ints{dilation}, ceil_mode));
}

Tensor avg_pool1d(const Tensor& x, int64_t kernel_size, std::optional<int64_t> stride, int64_t padding,
                  bool ceil_mode, bool count_include_pad, Where where) {
  return dispatch_unary(Op::avg_pool1d, x, where,
                        pack<detail::kAvgPool1d>(Ints{kernel_size}, Ints{stride.value_or(kernel_size)},
                                                 Ints{padding}, ceil_mode, count_include_pad));
}

Tensor adaptive_avg_pool2d(const Tensor& x, Size2 output_size, Where where) {
  return dispatch_unary(Op::adaptive_avg_pool2d, x, where, pack<detail::kAdaptivePool2d>(pair(output_size)));
}

}  // namespace modtrace::F
