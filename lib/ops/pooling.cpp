// max_pool2d, avg_pool2d (PyTorch's output-size and divisor rules, including
// ceil_mode), adaptive_avg_pool2d. Inputs are (N, C, H, W) or (C, H, W).

#include <cmath>
#include <limits>
#include <string>

#include "modtrace/functional.hpp"
#include "ops/op_call.hpp"
#include "ops/map.hpp"

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
constexpr AttrSpec kAdaptivePool2d[] = {{"output_size", AttrType::ints}};

struct Planes {
  int64_t count = 0;  // N * C
  int64_t height = 0, width = 0;
};

Planes planes_of(const OpCall& call) {
  const Tensor& x = call.input(0);
  if (x.dim() != 3 && x.dim() != 4) call.fail("expected a 3-D (C, H, W) or 4-D (N, C, H, W) input");
  const Shape& s = x.shape();
  Planes p{1, s[s.size() - 2], s[s.size() - 1]};
  for (size_t d = 0; d + 2 < s.size(); ++d) p.count *= s[d];
  if (p.height == 0 || p.width == 0) call.fail("expected non-empty spatial dimensions");
  return p;
}

Shape with_spatial(const Shape& in, int64_t h, int64_t w) {
  Shape out = in;
  out[out.size() - 2] = h;
  out[out.size() - 1] = w;
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

// The window of max_pool2d (Schema kMaxPool2d, with dilation) or avg_pool2d (kAvgPool2d).
template <const auto& Schema>
Window window_of(const OpCall& call, const Planes& p) {
  const auto& k = call.attr<Schema, "kernel_size">();
  const auto& s = call.attr<Schema, "stride">();
  const auto& pad = call.attr<Schema, "padding">();
  Window w{k[0], k[1], s[0], s[1], pad[0], pad[1], 1, 1, call.attr<Schema, "ceil_mode">()};
  if constexpr (&Schema == &kMaxPool2d) {
    const auto& d = call.attr<Schema, "dilation">();
    w.dh = d[0], w.dw = d[1];
  }
  auto text = [](int64_t a, int64_t b) { return std::to_string(a) + "x" + std::to_string(b); };
  if (w.kh < 1 || w.kw < 1) call.fail("kernel_size must be positive, got " + text(w.kh, w.kw));
  if (w.sh < 1 || w.sw < 1) call.fail("stride must be positive, got " + text(w.sh, w.sw));
  if (w.dh < 1 || w.dw < 1) call.fail("dilation must be positive, got " + text(w.dh, w.dw));
  if (w.ph < 0 || w.pw < 0 || w.ph > w.kh / 2 || w.pw > w.kw / 2) {
    call.fail("padding " + text(w.ph, w.pw) + " must be non-negative and at most half the kernel size " +
              text(w.kh, w.kw));
  }
  w.out_h = pooled_size(p.height, w.kh, w.ph, w.sh, w.dh, w.ceil_mode);
  w.out_w = pooled_size(p.width, w.kw, w.pw, w.sw, w.dw, w.ceil_mode);
  if (w.out_h < 1 || w.out_w < 1) {
    call.fail("input " + text(p.height, p.width) + " is too small for kernel " + text(w.kh, w.kw) +
              ": output would be " + text(w.out_h, w.out_w));
  }
  return w;
}

Shape shape_max_pool2d(const OpCall& call) {
  const Planes p = planes_of(call);
  const Window w = window_of<kMaxPool2d>(call, p);
  return with_spatial(call.input(0).shape(), w.out_h, w.out_w);
}

void run_max_pool2d(const OpCall& call, Tensor& out) {
  const Planes p = planes_of(call);
  const Window w = window_of<kMaxPool2d>(call, p);
  const float* in = call.input(0).data();
  float* o = out.data();
  parallel_for(p.count, p.count * p.height * p.width, [&](int64_t plane) {
    const float* src = in + plane * p.height * p.width;
    float* dst = o + plane * w.out_h * w.out_w;
    for (int64_t oy = 0; oy < w.out_h; ++oy) {
      for (int64_t ox = 0; ox < w.out_w; ++ox) {
        float best = -std::numeric_limits<float>::infinity();
        for (int64_t ky = 0; ky < w.kh; ++ky) {
          const int64_t iy = oy * w.sh - w.ph + ky * w.dh;
          if (iy < 0 || iy >= p.height) continue;
          for (int64_t kx = 0; kx < w.kw; ++kx) {
            const int64_t ix = ox * w.sw - w.pw + kx * w.dw;
            if (ix < 0 || ix >= p.width) continue;
            const float v = src[iy * p.width + ix];
            if (v > best || std::isnan(v)) best = v;  // NaN wins, as in PyTorch
          }
        }
        dst[oy * w.out_w + ox] = best;
      }
    }
  });
}

Shape shape_avg_pool2d(const OpCall& call) {
  const Planes p = planes_of(call);
  const Window w = window_of<kAvgPool2d>(call, p);
  return with_spatial(call.input(0).shape(), w.out_h, w.out_w);
}

void run_avg_pool2d(const OpCall& call, Tensor& out) {
  const Planes p = planes_of(call);
  const Window w = window_of<kAvgPool2d>(call, p);
  const bool count_include_pad = call.attr<kAvgPool2d, "count_include_pad">();
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
  planes_of(call);
  const auto& size = call.attr<kAdaptivePool2d, "output_size">();
  if (size[0] < 1 || size[1] < 1) {
    call.fail("output_size must be positive, got " + std::to_string(size[0]) + "x" + std::to_string(size[1]));
  }
  return with_spatial(call.input(0).shape(), size[0], size[1]);
}

void run_adaptive_avg_pool2d(const OpCall& call, Tensor& out) {
  const Planes p = planes_of(call);
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

using C = OpCategory;

}  // namespace

std::span<const OpInfo> pooling_ops() {
  static constexpr OpInfo rows[] = {
      {Op::max_pool2d, "max_pool2d", C::pooling, kUnary, 1, 1, kMaxPool2d, shape_max_pool2d, run_max_pool2d},
      {Op::avg_pool2d, "avg_pool2d", C::pooling, kUnary, 1, 1, kAvgPool2d, shape_avg_pool2d, run_avg_pool2d},
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

Tensor max_pool2d(const Tensor& x, Size2 kernel_size, std::optional<Size2> stride, Size2 padding, Size2 dilation,
                  bool ceil_mode, Where where) {
  return dispatch_unary(Op::max_pool2d, x, where,
                        pack<detail::kMaxPool2d>(pair(kernel_size), pair(stride.value_or(kernel_size)), pair(padding),
                                                 pair(dilation), ceil_mode));
}

Tensor avg_pool2d(const Tensor& x, Size2 kernel_size, std::optional<Size2> stride, Size2 padding, bool ceil_mode,
                  bool count_include_pad, Where where) {
  return dispatch_unary(Op::avg_pool2d, x, where,
                        pack<detail::kAvgPool2d>(pair(kernel_size), pair(stride.value_or(kernel_size)), pair(padding),
                                                 ceil_mode, count_include_pad));
}

Tensor adaptive_avg_pool2d(const Tensor& x, Size2 output_size, Where where) {
  return dispatch_unary(Op::adaptive_avg_pool2d, x, where, pack<detail::kAdaptivePool2d>(pair(output_size)));
}

}  // namespace modtrace::F
