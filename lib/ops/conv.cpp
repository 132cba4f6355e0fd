// Convolutions: conv2d and conv1d (a GEMM per image and group over an
// im2col buffer; 1x1 stride-1 convolutions read the input directly) unless
// the chosen kernel library (oneDNN) runs them; depthwise convolutions,
// where a GEMM would be a dot product per channel, always in their own
// kernel (kernels/depthwise.hpp);
// and conv_transpose2d (a GEMM then col2im). conv1d
// is conv2d on a height of 1, recorded under its own name.

#include <algorithm>
#include <array>
#include <string>
#include <vector>

#include "modtrace/functional.hpp"
#include "core/tensor_internals.hpp"
#include "kernels/convolution.hpp"
#include "kernels/depthwise.hpp"
#include "kernels/gemm.hpp"
#include "ops/map.hpp"
#include "ops/op_call.hpp"

namespace modtrace::detail {
namespace {

constexpr AttrSpec kConv2d[] = {{"stride", AttrType::ints, "[1, 1]"},
                                {"padding", AttrType::ints, "[0, 0]"},
                                {"dilation", AttrType::ints, "[1, 1]"},
                                {"groups", AttrType::integer, "1"}};
constexpr AttrSpec kConv1d[] = {{"stride", AttrType::ints, "[1]"},
                                {"padding", AttrType::ints, "[0]"},
                                {"dilation", AttrType::ints, "[1]"},
                                {"groups", AttrType::integer, "1"}};
// F.conv_transpose2d's argument order.
constexpr AttrSpec kConvTranspose2d[] = {{"stride", AttrType::ints, "[1, 1]"},
                                         {"padding", AttrType::ints, "[0, 0]"},
                                         {"output_padding", AttrType::ints, "[0, 0]"},
                                         {"groups", AttrType::integer, "1"},
                                         {"dilation", AttrType::ints, "[1, 1]"}};

// Every convolution as 2-D: conv1d has height 1 and a kernel of height 1.
// The sizes a kernel library needs (kernels/convolution.hpp), and what
// only the shape rules use.
struct ConvGeometry : Convolution {
  int64_t out_pad_h = 0, out_pad_w = 0;  // conv_transpose2d
  bool batched = true;
};

std::string pair_text(int64_t h, int64_t w) { return std::to_string(h) + "x" + std::to_string(w); }

// The attributes' [h, w] pairs, or for conv1d a one-element list (height 1).
template <const auto& Schema, Name N>
std::array<int64_t, 2> spatial(const OpCall& call, bool one_d, int64_t height_value) {
  const auto& v = call.attr<Schema, N>();
  const size_t want = one_d ? 1 : 2;
  if (v.size() != want) {
    call.fail(std::string(N.view()) + " must have " + std::to_string(want) + (want == 1 ? " value" : " values") +
              ", got " + to_string(Shape(v)));
  }
  return one_d ? std::array<int64_t, 2>{height_value, v[0]} : std::array<int64_t, 2>{v[0], v[1]};
}

// Input and weight shapes: (N, C, [H,] W) or unbatched, weight [O, C/groups, [kH,] kW]
// (for a transposed convolution [C, O/groups, kH, kW]).
void read_shapes(const OpCall& call, bool one_d, bool transposed, ConvGeometry& g) {
  const Tensor& x = call.input(0);
  const Tensor& w = call.input(1);
  const int64_t rank = one_d ? 3 : 4;
  if (x.dim() != rank && x.dim() != rank - 1) {
    call.fail(one_d ? "expected a 2-D (C, L) or 3-D (N, C, L) input" : "expected a 3-D (C, H, W) or 4-D (N, C, H, W) input");
  }
  if (w.dim() != rank) {
    call.fail(transposed ? "weight must be 4-D [in_channels, out_channels / groups, kH, kW]"
              : one_d    ? "weight must be 3-D [out_channels, in_channels / groups, kL]"
                         : "weight must be 4-D [out_channels, in_channels / groups, kH, kW]");
  }
  g.batched = x.dim() == rank;
  const size_t o = g.batched ? 1 : 0;
  g.batch = g.batched ? x.shape()[0] : 1;
  g.in_channels = x.shape()[o];
  g.height = one_d ? 1 : x.shape()[o + 1];
  g.width = x.shape().back();
  g.kernel_h = one_d ? 1 : w.shape()[2];
  g.kernel_w = w.shape().back();
}

void check_common(const OpCall& call, ConvGeometry& g) {
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
  if (call.has_input(2) && call.input(2).shape() != Shape{g.out_channels}) {
    call.fail("bias must have shape [" + std::to_string(g.out_channels) + "] = [out_channels]");
  }
}

// conv2d (Schema kConv2d) or conv1d (kConv1d).
template <const auto& Schema>
ConvGeometry geometry(const OpCall& call) {
  constexpr bool one_d = &Schema == &kConv1d;
  const Tensor& w = call.input(1);
  ConvGeometry g;
  read_shapes(call, one_d, false, g);
  g.out_channels = w.shape()[0];
  const auto stride = spatial<Schema, "stride">(call, one_d, 1);
  g.stride_h = stride[0], g.stride_w = stride[1];
  const auto pad = spatial<Schema, "padding">(call, one_d, 0);
  const auto dil = spatial<Schema, "dilation">(call, one_d, 1);
  g.pad_h = pad[0], g.pad_w = pad[1];
  g.dilation_h = dil[0], g.dilation_w = dil[1];
  g.groups = call.attr<Schema, "groups">();
  check_common(call, g);
  if (w.shape()[1] * g.groups != g.in_channels) {
    call.fail("input has " + std::to_string(g.in_channels) + " channels, expected " +
              std::to_string(w.shape()[1] * g.groups) + " = weight's in_channels/groups " +
              std::to_string(w.shape()[1]) + " x groups " + std::to_string(g.groups));
  }
  const int64_t span_h = g.dilation_h * (g.kernel_h - 1) + 1;
  const int64_t span_w = g.dilation_w * (g.kernel_w - 1) + 1;
  const int64_t padded_h = g.height + 2 * g.pad_h;
  const int64_t padded_w = g.width + 2 * g.pad_w;
  if (padded_h < span_h || padded_w < span_w) {
    call.fail(one_d ? "padded input length " + std::to_string(padded_w) + " is shorter than the (dilated) kernel " +
                          std::to_string(span_w)
                    : "padded input " + pair_text(padded_h, padded_w) + " is smaller than the (dilated) kernel " +
                          pair_text(span_h, span_w));
  }
  g.out_h = (padded_h - span_h) / g.stride_h + 1;
  g.out_w = (padded_w - span_w) / g.stride_w + 1;
  return g;
}

ConvGeometry transposed_geometry(const OpCall& call) {
  const Tensor& w = call.input(1);
  ConvGeometry g;
  read_shapes(call, false, true, g);
  g.groups = call.attr<kConvTranspose2d, "groups">();
  g.out_channels = w.shape()[1] * std::max<int64_t>(g.groups, 1);
  const auto& stride = call.attr<kConvTranspose2d, "stride">();
  const auto& padding = call.attr<kConvTranspose2d, "padding">();
  const auto& out_pad = call.attr<kConvTranspose2d, "output_padding">();
  const auto& dilation = call.attr<kConvTranspose2d, "dilation">();
  for (const auto* v : {&stride, &padding, &out_pad, &dilation}) {
    if (v->size() != 2) call.fail("stride, padding, output_padding and dilation take 2 values each");
  }
  g.stride_h = stride[0], g.stride_w = stride[1];
  g.pad_h = padding[0], g.pad_w = padding[1];
  g.out_pad_h = out_pad[0], g.out_pad_w = out_pad[1];
  g.dilation_h = dilation[0], g.dilation_w = dilation[1];
  check_common(call, g);
  if (w.shape()[0] != g.in_channels) {
    call.fail("input has " + std::to_string(g.in_channels) + " channels, expected " + std::to_string(w.shape()[0]) +
              " = weight's in_channels (its first dimension)");
  }
  const bool out_pad_ok = (g.out_pad_h < g.stride_h || g.out_pad_h < g.dilation_h) &&
                          (g.out_pad_w < g.stride_w || g.out_pad_w < g.dilation_w) && g.out_pad_h >= 0 &&
                          g.out_pad_w >= 0;
  if (!out_pad_ok) {
    call.fail("output_padding " + pair_text(g.out_pad_h, g.out_pad_w) +
              " must be smaller than either stride or dilation, in each dimension");
  }
  g.out_h = (g.height - 1) * g.stride_h - 2 * g.pad_h + g.dilation_h * (g.kernel_h - 1) + g.out_pad_h + 1;
  g.out_w = (g.width - 1) * g.stride_w - 2 * g.pad_w + g.dilation_w * (g.kernel_w - 1) + g.out_pad_w + 1;
  if (g.out_h < 1 || g.out_w < 1) call.fail("output size " + pair_text(g.out_h, g.out_w) + " would not be positive");
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

void convolve(const OpCall& call, const ConvGeometry& g, Tensor& out) {
  const float* input = call.input(0).data();
  const float* weight = call.input(1).data();
  const float* bias = call.has_input(2) ? call.input(2).data() : nullptr;
  float* output = out.data();
  Convolution problem = g;
  problem.input = input, problem.weight = weight, problem.bias = bias, problem.output = output;
  problem.weight_tensor = &call.input(1);
  // Depthwise convolutions run in modtrace's own kernel in every library:
  // oneDNN's needs reorders that cost more than the convolution (depthwise.hpp).
  if (g.in_channels == g.groups && g.groups > 1) {
    depthwise_convolution(problem);
    return;
  }
  if (library_convolution(problem)) return;
  const int64_t group_in = g.in_channels / g.groups;
  const int64_t group_out = g.out_channels / g.groups;
  const int64_t patch = group_in * g.kernel_h * g.kernel_w;
  const int64_t plane = g.out_h * g.out_w;
  const bool pointwise = g.kernel_h == 1 && g.kernel_w == 1 && g.stride_h == 1 && g.stride_w == 1 &&
                         g.pad_h == 0 && g.pad_w == 0;
  Tensor columns = pointwise ? Tensor() : TensorInternals::workspace({patch, plane});
  for (int64_t n = 0; n < g.batch; ++n) {
    for (int64_t group = 0; group < g.groups; ++group) {
      const float* image = input + (n * g.in_channels + group * group_in) * g.height * g.width;
      if (!pointwise) im2col(image, group_in, g, columns.data());
      // [group_out, patch] x [patch, plane], each output channel's bias added to its row.
      gemm({.m = group_out, .n = plane, .k = patch,
            .a = weight + group * group_out * patch,
            .b = pointwise ? image : columns.data(),
            .c = output + (n * g.out_channels + group * group_out) * plane,
            .row_bias = bias ? bias + group * group_out : nullptr});
    }
  }
}

Shape shape_conv2d(const OpCall& call) {
  const ConvGeometry g = geometry<kConv2d>(call);
  if (g.batched) return {g.batch, g.out_channels, g.out_h, g.out_w};
  return {g.out_channels, g.out_h, g.out_w};
}

void run_conv2d(const OpCall& call, Tensor& out) { convolve(call, geometry<kConv2d>(call), out); }

Shape shape_conv1d(const OpCall& call) {
  const ConvGeometry g = geometry<kConv1d>(call);
  if (g.batched) return {g.batch, g.out_channels, g.out_w};
  return {g.out_channels, g.out_w};
}

void run_conv1d(const OpCall& call, Tensor& out) { convolve(call, geometry<kConv1d>(call), out); }

Shape shape_conv_transpose2d(const OpCall& call) {
  const ConvGeometry g = transposed_geometry(call);
  if (g.batched) return {g.batch, g.out_channels, g.out_h, g.out_w};
  return {g.out_channels, g.out_h, g.out_w};
}

// Per image and group: columns = W^T X ([out/g * kh * kw, H * W]), then each
// column entry is added where its kernel tap lands in the output (col2im).
void run_conv_transpose2d(const OpCall& call, Tensor& out) {
  const ConvGeometry g = transposed_geometry(call);
  const float* input = call.input(0).data();
  const float* weight = call.input(1).data();
  const float* bias = call.has_input(2) ? call.input(2).data() : nullptr;
  float* output = out.data();
  const int64_t group_in = g.in_channels / g.groups;
  const int64_t group_out = g.out_channels / g.groups;
  const int64_t taps = g.kernel_h * g.kernel_w;
  const int64_t in_plane = g.height * g.width;
  const int64_t out_plane = g.out_h * g.out_w;
  Tensor columns = TensorInternals::workspace({group_out * taps, in_plane});
  for (int64_t n = 0; n < g.batch; ++n) {
    for (int64_t group = 0; group < g.groups; ++group) {
      // W^T [group_out * taps, group_in] x X [group_in, in_plane].
      gemm({.m = group_out * taps, .n = in_plane, .k = group_in,
            .a = weight + group * group_in * group_out * taps, .transpose_a = true,
            .b = input + (n * g.in_channels + group * group_in) * in_plane,
            .c = columns.data()});
      float* dst = output + (n * g.out_channels + group * group_out) * out_plane;
      parallel_for(group_out, group_out * taps * in_plane, [&](int64_t c) {
        float* plane = dst + c * out_plane;
        std::fill_n(plane, out_plane, bias ? bias[group * group_out + c] : 0.0f);
        for (int64_t ky = 0; ky < g.kernel_h; ++ky) {
          for (int64_t kx = 0; kx < g.kernel_w; ++kx) {
            const float* src = columns.data() + ((c * g.kernel_h + ky) * g.kernel_w + kx) * in_plane;
            for (int64_t iy = 0; iy < g.height; ++iy) {
              const int64_t oy = iy * g.stride_h - g.pad_h + ky * g.dilation_h;
              if (oy < 0 || oy >= g.out_h) continue;
              for (int64_t ix = 0; ix < g.width; ++ix) {
                const int64_t ox = ix * g.stride_w - g.pad_w + kx * g.dilation_w;
                if (ox >= 0 && ox < g.out_w) plane[oy * g.out_w + ox] += src[iy * g.width + ix];
              }
            }
          }
        }
      });
    }
  }
}

using C = OpCategory;

}  // namespace

std::span<const OpInfo> conv_ops() {
  static constexpr OpInfo rows[] = {
      {Op::conv1d, "conv1d", C::product, kWeighted, 2, 3, kConv1d, shape_conv1d, run_conv1d},
      {Op::conv2d, "conv2d", C::product, kWeighted, 2, 3, kConv2d, shape_conv2d, run_conv2d},
      {Op::conv_transpose2d, "conv_transpose2d", C::product, kWeighted, 2, 3, kConvTranspose2d,
       shape_conv_transpose2d, run_conv_transpose2d},
  };
  return rows;
}

}  // namespace modtrace::detail

namespace modtrace::F {

using detail::pack;
using detail::pair;

Tensor conv2d(const Tensor& input, const Tensor& weight, const Tensor& bias, Size2 stride, Size2 padding,
              Size2 dilation, int64_t groups, Where where) {
  const std::array<const Tensor*, 3> in{&input, &weight, &bias};
  return detail::dispatch(Op::conv2d, in,
                          pack<detail::kConv2d>(pair(stride), pair(padding), pair(dilation), groups), where);
}

Tensor conv1d(const Tensor& input, const Tensor& weight, const Tensor& bias, int64_t stride, int64_t padding,
              int64_t dilation, int64_t groups, Where where) {
  const std::array<const Tensor*, 3> in{&input, &weight, &bias};
  using Ints = std::vector<int64_t>;
  return detail::dispatch(Op::conv1d, in,
                          pack<detail::kConv1d>(Ints{stride}, Ints{padding}, Ints{dilation}, groups), where);
}

Tensor conv_transpose2d(const Tensor& input, const Tensor& weight, const Tensor& bias, Size2 stride, Size2 padding,
                        Size2 output_padding, int64_t groups, Size2 dilation, Where where) {
  const std::array<const Tensor*, 3> in{&input, &weight, &bias};
  return detail::dispatch(
      Op::conv_transpose2d, in,
      pack<detail::kConvTranspose2d>(pair(stride), pair(padding), pair(output_padding), groups, pair(dilation)),
      where);
}

}  // namespace modtrace::F
