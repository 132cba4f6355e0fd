// conv2d: a GEMM per image and group over an im2col buffer (1x1 stride-1
// convolutions read the input directly); depthwise convolutions, where a
// GEMM would be a dot product per channel, run as a direct loop.

#include <string>
#include <vector>

#include "ops/eigen.hpp"
#include "modtrace/functional.hpp"
#include "ops/op_call.hpp"
#include "ops/map.hpp"

namespace modtrace::detail {
namespace {

constexpr AttrSpec kConv2d[] = {{"stride", AttrType::ints, "[1, 1]"},
                                {"padding", AttrType::ints, "[0, 0]"},
                                {"dilation", AttrType::ints, "[1, 1]"},
                                {"groups", AttrType::integer, "1"}};

struct ConvGeometry {
  int64_t batch = 1, in_channels = 0, height = 0, width = 0;
  int64_t out_channels = 0, kernel_h = 0, kernel_w = 0;
  int64_t stride_h = 1, stride_w = 1, pad_h = 0, pad_w = 0, dilation_h = 1, dilation_w = 1;
  int64_t groups = 1, out_h = 0, out_w = 0;
  bool batched = true;
};

std::string pair_text(int64_t h, int64_t w) { return std::to_string(h) + "x" + std::to_string(w); }

ConvGeometry geometry(const OpCall& call) {
  const Tensor& x = call.input(0);
  const Tensor& w = call.input(1);
  ConvGeometry g;
  if (x.dim() != 3 && x.dim() != 4) call.fail("expected a 3-D (C, H, W) or 4-D (N, C, H, W) input");
  if (w.dim() != 4) call.fail("weight must be 4-D [out_channels, in_channels / groups, kH, kW]");
  g.batched = x.dim() == 4;
  const size_t o = g.batched ? 1 : 0;
  g.batch = g.batched ? x.shape()[0] : 1;
  g.in_channels = x.shape()[o];
  g.height = x.shape()[o + 1];
  g.width = x.shape()[o + 2];
  g.out_channels = w.shape()[0];
  g.kernel_h = w.shape()[2];
  g.kernel_w = w.shape()[3];
  const auto& stride = call.attr<kConv2d, "stride">();
  const auto& padding = call.attr<kConv2d, "padding">();
  const auto& dilation = call.attr<kConv2d, "dilation">();
  g.stride_h = stride[0], g.stride_w = stride[1];
  g.pad_h = padding[0], g.pad_w = padding[1];
  g.dilation_h = dilation[0], g.dilation_w = dilation[1];
  g.groups = call.attr<kConv2d, "groups">();
  if (g.stride_h < 1 || g.stride_w < 1) call.fail("stride must be positive, got " + pair_text(g.stride_h, g.stride_w));
  if (g.pad_h < 0 || g.pad_w < 0) call.fail("padding must be non-negative, got " + pair_text(g.pad_h, g.pad_w));
  if (g.dilation_h < 1 || g.dilation_w < 1) {
    call.fail("dilation must be positive, got " + pair_text(g.dilation_h, g.dilation_w));
  }
  if (g.groups < 1) call.fail("groups must be positive, got " + std::to_string(g.groups));
  if (g.in_channels % g.groups != 0 || g.out_channels % g.groups != 0) {
    call.fail("groups " + std::to_string(g.groups) + " must divide in_channels " + std::to_string(g.in_channels) +
              " and out_channels " + std::to_string(g.out_channels));
  }
  if (w.shape()[1] * g.groups != g.in_channels) {
    call.fail("input has " + std::to_string(g.in_channels) + " channels, expected " +
              std::to_string(w.shape()[1] * g.groups) + " = weight's in_channels/groups " +
              std::to_string(w.shape()[1]) + " x groups " + std::to_string(g.groups));
  }
  if (call.has_input(2) && call.input(2).shape() != Shape{g.out_channels}) {
    call.fail("bias must have shape [" + std::to_string(g.out_channels) + "] = [out_channels]");
  }
  const int64_t span_h = g.dilation_h * (g.kernel_h - 1) + 1;
  const int64_t span_w = g.dilation_w * (g.kernel_w - 1) + 1;
  const int64_t padded_h = g.height + 2 * g.pad_h;
  const int64_t padded_w = g.width + 2 * g.pad_w;
  if (padded_h < span_h || padded_w < span_w) {
    call.fail("padded input " + pair_text(padded_h, padded_w) + " is smaller than the (dilated) kernel " +
              pair_text(span_h, span_w));
  }
  g.out_h = (padded_h - span_h) / g.stride_h + 1;
  g.out_w = (padded_w - span_w) / g.stride_w + 1;
  return g;
}

// Column matrix [C * kh * kw, out_h * out_w] for one image's group of C channels.
void im2col(const float* image, int64_t channels, const ConvGeometry& g, float* columns) {
  const int64_t plane = g.out_h * g.out_w;
  const int64_t rows = channels * g.kernel_h * g.kernel_w;
  parallel_for(rows, rows * plane, [&](int64_t row) {
    const int64_t kx = row % g.kernel_w;
    const int64_t ky = (row / g.kernel_w) % g.kernel_h;
    const int64_t c = row / (g.kernel_w * g.kernel_h);
    const float* src = image + c * g.height * g.width;
    float* dst = columns + row * plane;
    for (int64_t oy = 0; oy < g.out_h; ++oy) {
      const int64_t iy = oy * g.stride_h - g.pad_h + ky * g.dilation_h;
      float* line = dst + oy * g.out_w;
      if (iy < 0 || iy >= g.height) {
        std::fill_n(line, g.out_w, 0.0f);
        continue;
      }
      const float* src_row = src + iy * g.width;
      for (int64_t ox = 0; ox < g.out_w; ++ox) {
        const int64_t ix = ox * g.stride_w - g.pad_w + kx * g.dilation_w;
        line[ox] = (ix >= 0 && ix < g.width) ? src_row[ix] : 0.0f;
      }
    }
  });
}

// One input channel per group: each output plane is a small stencil over one input plane.
void depthwise(const float* input, const float* weight, const float* bias, const ConvGeometry& g, float* output) {
  const int64_t multiplier = g.out_channels / g.groups;
  const int64_t planes = g.batch * g.out_channels;
  parallel_for(planes, planes * g.out_h * g.out_w * g.kernel_h * g.kernel_w, [&](int64_t p) {
    const int64_t n = p / g.out_channels;
    const int64_t oc = p % g.out_channels;
    const float* src = input + (n * g.in_channels + oc / multiplier) * g.height * g.width;
    const float* k = weight + oc * g.kernel_h * g.kernel_w;
    float* dst = output + p * g.out_h * g.out_w;
    const float b = bias ? bias[oc] : 0.0f;
    for (int64_t oy = 0; oy < g.out_h; ++oy) {
      for (int64_t ox = 0; ox < g.out_w; ++ox) {
        float acc = 0.0f;
        for (int64_t ky = 0; ky < g.kernel_h; ++ky) {
          const int64_t iy = oy * g.stride_h - g.pad_h + ky * g.dilation_h;
          if (iy < 0 || iy >= g.height) continue;
          for (int64_t kx = 0; kx < g.kernel_w; ++kx) {
            const int64_t ix = ox * g.stride_w - g.pad_w + kx * g.dilation_w;
            if (ix >= 0 && ix < g.width) acc += src[iy * g.width + ix] * k[ky * g.kernel_w + kx];
          }
        }
        dst[oy * g.out_w + ox] = acc + b;
      }
    }
  });
}

Shape shape_conv2d(const OpCall& call) {
  const ConvGeometry g = geometry(call);
  if (g.batched) return {g.batch, g.out_channels, g.out_h, g.out_w};
  return {g.out_channels, g.out_h, g.out_w};
}

void run_conv2d(const OpCall& call, Tensor& out) {
  const ConvGeometry g = geometry(call);
  const float* input = call.input(0).data();
  const float* weight = call.input(1).data();
  const float* bias = call.has_input(2) ? call.input(2).data() : nullptr;
  float* output = out.data();
  if (g.in_channels == g.groups && g.groups > 1) {
    depthwise(input, weight, bias, g, output);
    return;
  }
  const int64_t group_in = g.in_channels / g.groups;
  const int64_t group_out = g.out_channels / g.groups;
  const int64_t patch = group_in * g.kernel_h * g.kernel_w;
  const int64_t plane = g.out_h * g.out_w;
  const bool pointwise = g.kernel_h == 1 && g.kernel_w == 1 && g.stride_h == 1 && g.stride_w == 1 &&
                         g.pad_h == 0 && g.pad_w == 0;
  std::vector<float> columns(pointwise ? 0 : static_cast<size_t>(patch * plane));
  for (int64_t n = 0; n < g.batch; ++n) {
    for (int64_t group = 0; group < g.groups; ++group) {
      const float* image = input + (n * g.in_channels + group * group_in) * g.height * g.width;
      if (!pointwise) im2col(image, group_in, g, columns.data());
      ConstMatrixMap cols(pointwise ? image : columns.data(), patch, plane);
      ConstMatrixMap kernel(weight + group * group_out * patch, group_out, patch);
      MatrixMap result(output + (n * g.out_channels + group * group_out) * plane, group_out, plane);
      result.noalias() = kernel * cols;
      if (bias) result.colwise() += Eigen::Map<const Eigen::VectorXf>(bias + group * group_out, group_out);
    }
  }
}

}  // namespace

std::span<const OpInfo> conv_ops() {
  static constexpr OpInfo rows[] = {
      {Op::conv2d, "conv2d", OpCategory::product, kWeighted, 2, 3, kConv2d, shape_conv2d, run_conv2d},
  };
  return rows;
}

}  // namespace modtrace::detail

namespace modtrace::F {

Tensor conv2d(const Tensor& input, const Tensor& weight, const Tensor& bias, Size2 stride, Size2 padding,
              Size2 dilation, int64_t groups, Where where) {
  const std::array<const Tensor*, 3> in{&input, &weight, &bias};
  return detail::dispatch(Op::conv2d, in,
                          detail::pack<detail::kConv2d>(detail::pair(stride), detail::pair(padding),
                                                        detail::pair(dilation), groups),
                          where);
}

}  // namespace modtrace::F
