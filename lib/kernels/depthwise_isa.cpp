// One instruction set's build of the depthwise convolution (depthwise.hpp).
// lib/meson.build compiles this file once per set, next to gemm_isa.cpp.

#ifndef MODTRACE_ISA_NAMESPACE
#error "depthwise_isa.cpp is compiled through lib/meson.build, once per instruction set"
#endif

#include <algorithm>
#include <cstring>
#include <memory>

#include "core/parallel.hpp"
#include "kernels/depthwise.hpp"

namespace modtrace::detail::MODTRACE_ISA_NAMESPACE {

namespace {

// Eight floats, loaded and stored unaligned; the compiler maps it onto the
// set's registers (two SSE registers in the baseline build, one AVX register).
using Floats = float __attribute__((vector_size(32), aligned(4)));
constexpr int64_t kLanes = 8;

// The zero-padded input plane, split by phase so that every tap reads a
// contiguous run: padded row y and column x (input row y - pad_h, column
// x - pad_w, zero outside) go to grid (y % stride_h, x % stride_w) at row
// y / stride_h, column x / stride_w. Each grid is `grid_rows` x `width`.
//
// Output (oy, ox) of tap (ky, kx) then reads grid ((ky * dilation_h) %
// stride_h, (kx * dilation_w) % stride_w) at (oy + (ky * dilation_h) /
// stride_h, ox + (kx * dilation_w) / stride_w): at tap_offset + oy * width
// + ox. So a plane is computed as one flat run of out_h * width outputs
// (each row's last width - out_w are spare, and read past their row), and
// the valid out_w of each row are copied out after.
struct Layout {
  int64_t rows, columns;          // of the padded plane the outputs read
  int64_t grid_rows, width;       // of each phase's grid
  int64_t flat;                   // outputs computed per plane: out_h * width, whole vectors
  int64_t size;                   // floats in the buffer, with slack for the spare outputs' reads

  explicit Layout(const Convolution& c)
      : rows((c.out_h - 1) * c.stride_h + (c.kernel_h - 1) * c.dilation_h + 1),
        columns((c.out_w - 1) * c.stride_w + (c.kernel_w - 1) * c.dilation_w + 1),
        grid_rows((rows + c.stride_h - 1) / c.stride_h),
        width((columns + c.stride_w - 1) / c.stride_w),
        flat((c.out_h * width + kLanes - 1) / kLanes * kLanes),
        size(c.stride_h * c.stride_w * grid_rows * width + width + kLanes) {}

  int64_t offset(const Convolution& c, int64_t row_phase, int64_t column_phase, int64_t row) const {
    return ((row_phase * c.stride_w + column_phase) * grid_rows + row) * width;
  }

  // Copies input plane `src` (height x width) into `buffer`, which starts
  // as zeros: every plane writes the same places (the input's), so the
  // padding, the slack and a grid's rows past the plane stay zero.
  void fill(const Convolution& c, const float* src, float* buffer) const {
    const int64_t phases = c.stride_w;
    for (int64_t y = std::max<int64_t>(c.pad_h, 0); y < std::min(rows, c.height + c.pad_h); ++y) {
      const float* in_row = src + (y - c.pad_h) * c.width;
      for (int64_t r = 0; r < phases; ++r) {
        float* out = buffer + offset(c, y % c.stride_h, r, y / c.stride_h);
        // Column j of phase r is input column r + j * phases - pad_w: inside for j in [first, end).
        const int64_t first = std::clamp<int64_t>((c.pad_w - r + phases - 1) / phases, 0, width);
        const int64_t end = std::clamp<int64_t>((c.width + c.pad_w - r + phases - 1) / phases, first, width);
        const float* in = in_row + r - c.pad_w;
        if (phases == 1) {
          std::memcpy(out + first, in + first, sizeof(float) * (end - first));
        } else if (phases == 2) {
          for (int64_t j = first; j < end; ++j) out[j] = in[2 * j];
        } else {
          for (int64_t j = first; j < end; ++j) out[j] = in[j * phases];
        }
      }
    }
  }
};

// One output plane: bias plus each tap's weight times the shifted grid,
// taps in PyTorch's order (row by row), in registers: four vectors at a
// time, so that four chains of multiply-adds overlap (one alone waits on
// each multiply-add's latency), then one at a time.
void plane(const Convolution& c, const Layout& layout, const int64_t* tap_offsets, const float* buffer,
           float* flat, const float* weights, float bias, float* out) {
  const int64_t taps = c.kernel_h * c.kernel_w;
  int64_t q = 0;
  for (; q + 4 * kLanes <= layout.flat; q += 4 * kLanes) {
    Floats a0 = Floats{} + bias, a1 = a0, a2 = a0, a3 = a0;
    for (int64_t t = 0; t < taps; ++t) {
      const float w = weights[t];
      const float* src = buffer + tap_offsets[t] + q;
      a0 += w * *reinterpret_cast<const Floats*>(src);
      a1 += w * *reinterpret_cast<const Floats*>(src + kLanes);
      a2 += w * *reinterpret_cast<const Floats*>(src + 2 * kLanes);
      a3 += w * *reinterpret_cast<const Floats*>(src + 3 * kLanes);
    }
    *reinterpret_cast<Floats*>(flat + q) = a0;
    *reinterpret_cast<Floats*>(flat + q + kLanes) = a1;
    *reinterpret_cast<Floats*>(flat + q + 2 * kLanes) = a2;
    *reinterpret_cast<Floats*>(flat + q + 3 * kLanes) = a3;
  }
  for (; q < layout.flat; q += kLanes) {
    Floats acc = Floats{} + bias;
    for (int64_t t = 0; t < taps; ++t) acc += weights[t] * *reinterpret_cast<const Floats*>(buffer + tap_offsets[t] + q);
    *reinterpret_cast<Floats*>(flat + q) = acc;
  }
  for (int64_t oy = 0; oy < c.out_h; ++oy) std::memcpy(out + oy * c.out_w, flat + oy * layout.width, sizeof(float) * c.out_w);
}

}  // namespace

void depthwise_convolution(const Convolution& c) {
  const int64_t planes = c.batch * c.out_channels;
  if (planes == 0 || c.out_h == 0 || c.out_w == 0) return;
  const int64_t multiplier = c.out_channels / c.groups;
  const Layout layout(c);
  const int64_t taps = c.kernel_h * c.kernel_w;
  const std::unique_ptr<int64_t[]> tap_offsets(new int64_t[taps]);
  for (int64_t ky = 0; ky < c.kernel_h; ++ky) {
    for (int64_t kx = 0; kx < c.kernel_w; ++kx) {
      const int64_t down = ky * c.dilation_h, right = kx * c.dilation_w;
      tap_offsets[ky * c.kernel_w + kx] =
          layout.offset(c, down % c.stride_h, right % c.stride_w, down / c.stride_h) + right / c.stride_w;
    }
  }
  // Planes in a few chunks per thread, each chunk with buffers of its own.
  const int64_t chunk = std::max<int64_t>(1, planes / 32);
  const int64_t chunks = (planes + chunk - 1) / chunk;
  const int64_t work = planes * c.out_h * c.out_w * taps;
  parallel_for(chunks, work, [&](int64_t index) {
    const std::unique_ptr<float[]> buffer(new float[layout.size + layout.flat]());
    float* flat = buffer.get() + layout.size;
    const float* filled = nullptr;  // the input plane in the buffer (a channel multiplier reuses it)
    const int64_t last = std::min(planes, (index + 1) * chunk);
    for (int64_t p = index * chunk; p < last; ++p) {
      const int64_t n = p / c.out_channels;
      const int64_t o = p % c.out_channels;
      const float* src = c.input + (n * c.in_channels + o / multiplier) * c.height * c.width;
      if (src != filled) layout.fill(c, src, buffer.get());
      filled = src;
      plane(c, layout, tap_offsets.get(), buffer.get(), flat, c.weight + o * taps,
            c.bias != nullptr ? c.bias[o] : 0.0f, c.output + p * c.out_h * c.out_w);
    }
  });
}

}  // namespace modtrace::detail::MODTRACE_ISA_NAMESPACE
