// Resampling: interpolate (nearest, linear, bilinear, with PyTorch's source
// index rules) and pixel_shuffle.

#include <algorithm>
#include <cmath>
#include <string>

#include "modtrace/functional.hpp"
#include "ops/map.hpp"
#include "ops/op_call.hpp"

namespace modtrace::detail {
namespace {

// size or scale_factor (one of the two); align_corners only for the linear modes.
constexpr AttrSpec kInterpolate[] = {{"size", AttrType::ints, "", true},
                                     {"scale_factor", AttrType::real, "", true},
                                     {"mode", AttrType::text, "nearest"},
                                     {"align_corners", AttrType::flag, "false"}};
constexpr AttrSpec kPixelShuffle[] = {{"upscale_factor", AttrType::integer}};

struct Resize {
  int64_t spatial;                 // 1 or 2
  int64_t in_h, in_w, out_h, out_w;
  std::string mode;
  bool align_corners;
  const double* scale;             // the given scale factor, if any
};

Resize plan_resize(const OpCall& call) {
  const Tensor& x = call.input(0);
  Resize r{};
  r.mode = call.attr<kInterpolate, "mode">();
  r.align_corners = call.attr<kInterpolate, "align_corners">();
  r.scale = call.optional_attr<kInterpolate, "scale_factor">();
  const IntList* size = call.optional_attr<kInterpolate, "size">();
  if (x.dim() != 3 && x.dim() != 4) call.fail("expected a 3-D (N, C, L) or 4-D (N, C, H, W) input");
  r.spatial = x.dim() - 2;
  if (r.mode != "nearest" && r.mode != "linear" && r.mode != "bilinear") {
    call.fail("mode must be nearest, linear or bilinear, got '" + r.mode + "'");
  }
  if ((r.mode == "linear" && r.spatial != 1) || (r.mode == "bilinear" && r.spatial != 2)) {
    call.fail(r.mode + " interpolation expects a " + (r.mode == "linear" ? "3" : "4") + "-D input");
  }
  if (r.align_corners && r.mode == "nearest") call.fail("align_corners only applies to the linear modes");
  if ((size == nullptr) == (r.scale == nullptr)) call.fail("give either size or scale_factor");
  r.in_h = r.spatial == 2 ? x.shape()[2] : 1;
  r.in_w = x.shape().back();
  if (size != nullptr) {
    if (static_cast<int64_t>(size->size()) != r.spatial) {
      call.fail("size " + to_string(Shape(*size)) + " must have one value per spatial dimension (" +
                std::to_string(r.spatial) + ")");
    }
    r.out_h = r.spatial == 2 ? (*size)[0] : 1;
    r.out_w = size->back();
  } else {
    if (!(*r.scale > 0.0)) call.fail("scale_factor must be positive");
    r.out_h = r.spatial == 2 ? static_cast<int64_t>(std::floor(static_cast<double>(r.in_h) * *r.scale)) : 1;
    r.out_w = static_cast<int64_t>(std::floor(static_cast<double>(r.in_w) * *r.scale));
  }
  if (r.out_h < 1 || r.out_w < 1) call.fail("the output size must be positive");
  return r;
}

Shape shape_interpolate(const OpCall& call) {
  const Resize r = plan_resize(call);
  Shape out = call.input(0).shape();
  out.back() = r.out_w;
  if (r.spatial == 2) out[2] = r.out_h;
  return out;
}

// aten's compute_scales_value, in float as aten computes it: 1 / scale_factor
// when one was given, else in / out.
float step(int64_t in, int64_t out, const double* scale) {
  return scale ? static_cast<float>(1.0 / *scale) : static_cast<float>(in) / static_cast<float>(out);
}

// Source position of output index i for the linear modes (aten's
// area_pixel_compute_scale and area_pixel_compute_source_index, in float).
float linear_source(int64_t i, int64_t in, int64_t out, const Resize& r) {
  if (r.align_corners) {
    const float scale = out > 1 ? static_cast<float>(in - 1) / static_cast<float>(out - 1) : 0.0f;
    return scale * static_cast<float>(i);
  }
  const float s = step(in, out, r.scale) * (static_cast<float>(i) + 0.5f) - 0.5f;
  return s < 0.0f ? 0.0f : s;
}

struct Tap {
  int64_t lo, hi;
  float weight_hi;  // weight of `hi`; `lo` gets 1 - weight_hi
};

std::vector<Tap> taps(int64_t in, int64_t out, const Resize& r) {
  std::vector<Tap> t;
  for (int64_t i = 0; i < out; ++i) {
    if (r.mode == "nearest") {
      // aten's nearest_idx: the same or twice the size are exact, else floor(i * scale) in float.
      int64_t src = out == in ? i : out == 2 * in ? i / 2
                                                   : static_cast<int64_t>(std::floor(static_cast<float>(i) * step(in, out, r.scale)));
      src = std::min(src, in - 1);
      t.push_back({src, src, 0.0f});
      continue;
    }
    const float s = linear_source(i, in, out, r);
    const auto lo = std::min(static_cast<int64_t>(s), in - 1);
    t.push_back({lo, std::min(lo + 1, in - 1), std::clamp(s - static_cast<float>(lo), 0.0f, 1.0f)});
  }
  return t;
}

void run_interpolate(const OpCall& call, Tensor& out) {
  const Resize r = plan_resize(call);
  const std::vector<Tap> ty = taps(r.in_h, r.out_h, r), tx = taps(r.in_w, r.out_w, r);
  const int64_t planes = call.input(0).numel() / (r.in_h * r.in_w);
  const float* in = call.input(0).data();
  float* o = out.data();
  parallel_for(planes, out.numel(), [&](int64_t p) {
    const float* src = in + p * r.in_h * r.in_w;
    float* dst = o + p * r.out_h * r.out_w;
    for (int64_t y = 0; y < r.out_h; ++y) {
      const Tap& a = ty[y];
      for (int64_t x = 0; x < r.out_w; ++x) {
        const Tap& b = tx[x];
        const float top = src[a.lo * r.in_w + b.lo] * (1.0f - b.weight_hi) + src[a.lo * r.in_w + b.hi] * b.weight_hi;
        const float bottom =
            src[a.hi * r.in_w + b.lo] * (1.0f - b.weight_hi) + src[a.hi * r.in_w + b.hi] * b.weight_hi;
        dst[y * r.out_w + x] = top * (1.0f - a.weight_hi) + bottom * a.weight_hi;
      }
    }
  });
}

Shape shape_pixel_shuffle(const OpCall& call) {
  const Tensor& x = call.input(0);
  const int64_t r = call.attr<kPixelShuffle, "upscale_factor">();
  if (x.dim() < 3) call.fail("expected an input of at least 3 dimensions (…, C, H, W)");
  if (r < 1) call.fail("upscale_factor must be positive, got " + std::to_string(r));
  const int64_t c = x.shape()[x.dim() - 3];
  if (r > std::max<int64_t>(c, 1)) {  // checked first: r * r could overflow
    call.fail("upscale_factor " + std::to_string(r) + " squared exceeds the channel dimension " + std::to_string(c));
  }
  if (c % (r * r) != 0) {
    call.fail("the channel dimension " + std::to_string(c) + " must be divisible by upscale_factor squared " +
              std::to_string(r * r));
  }
  Shape out = x.shape();
  out[out.size() - 3] = c / (r * r);
  out[out.size() - 2] *= r;
  out[out.size() - 1] *= r;
  return out;
}

// out[c][h r + i][w r + j] = in[c r^2 + i r + j][h][w].
void run_pixel_shuffle(const OpCall& call, Tensor& out) {
  const Tensor& x = call.input(0);
  const int64_t r = call.attr<kPixelShuffle, "upscale_factor">();
  const Shape& s = out.shape();
  const int64_t c = s[s.size() - 3], oh = s[s.size() - 2], ow = s[s.size() - 1];
  const int64_t h = oh / r, w = ow / r;
  const int64_t images = c == 0 ? 0 : out.numel() / (c * oh * ow);
  const float* src = x.data();
  float* dst = out.data();
  for (int64_t n = 0; n < images; ++n) {
    for (int64_t ch = 0; ch < c; ++ch) {
      for (int64_t y = 0; y < oh; ++y) {
        for (int64_t xo = 0; xo < ow; ++xo) {
          const int64_t in_c = ch * r * r + (y % r) * r + (xo % r);
          dst[((n * c + ch) * oh + y) * ow + xo] = src[((n * c * r * r + in_c) * h + y / r) * w + xo / r];
        }
      }
    }
  }
}

using C = OpCategory;

}  // namespace

std::span<const OpInfo> resampling_ops() {
  static constexpr OpInfo rows[] = {
      {Op::interpolate, "interpolate", C::resampling, kUnary, 1, 1, kInterpolate, shape_interpolate, run_interpolate},
      {Op::pixel_shuffle, "pixel_shuffle", C::resampling, kUnary, 1, 1, kPixelShuffle, shape_pixel_shuffle,
       run_pixel_shuffle},
  };
  return rows;
}

}  // namespace modtrace::detail

namespace modtrace::F {

Tensor interpolate(const Tensor& x, const std::vector<int64_t>& size, std::optional<double> scale_factor,
                   const std::string& mode, bool align_corners, Where where) {
  std::optional<std::vector<int64_t>> given_size;
  if (!size.empty()) given_size = size;
  return detail::dispatch_unary(Op::interpolate, x, where,
                                detail::pack<detail::kInterpolate>(given_size, scale_factor, mode, align_corners));
}

Tensor pixel_shuffle(const Tensor& x, int64_t upscale_factor, Where where) {
  return detail::dispatch_unary(Op::pixel_shuffle, x, where, detail::pack<detail::kPixelShuffle>(upscale_factor));
}

}  // namespace modtrace::F
