#pragma once
// Internal: a 2-D convolution handed to a kernel library (oneDNN, when this
// build has it and it is the chosen library: modtrace/cpu.hpp). ops/conv.cpp
// has checked every size; the library only computes.

#include <cstdint>
#include <string_view>

namespace modtrace {
class Tensor;
}

namespace modtrace::detail {

// Input [batch, in_channels, height, width], weight [out_channels,
// in_channels / groups, kernel_h, kernel_w], optional bias [out_channels],
// output [batch, out_channels, out_h, out_w]; all contiguous, row-major.
// Dilation as PyTorch counts it (1 = dense).
struct Convolution {
  int64_t batch = 1, in_channels = 0, height = 0, width = 0;
  int64_t out_channels = 0, kernel_h = 0, kernel_w = 0;
  int64_t stride_h = 1, stride_w = 1, pad_h = 0, pad_w = 0, dilation_h = 1, dilation_w = 1;
  int64_t groups = 1, out_h = 0, out_w = 0;
  const float* input = nullptr;
  const float* weight = nullptr;
  const float* bias = nullptr;
  float* output = nullptr;
  // The tensor `weight` points into, when the library may keep a converted
  // copy of it between calls (kept until the tensor's storage is written or
  // freed); null: convert every time.
  const Tensor* weight_tensor = nullptr;
};

// Runs `c` in the chosen kernel library and returns true, or returns false
// when modtrace's own kernels are chosen (or the library has no
// implementation for this case): the caller then runs its own.
bool library_convolution(const Convolution& c);

#ifdef MODTRACE_ONEDNN
struct Gemm;
bool onednn_convolution(const Convolution& c);
void onednn_gemm(const Gemm& g);
// Caps oneDNN's instruction set before its first use (dnnl::set_max_cpu_isa);
// false when it already ran and keeps what it had.
bool onednn_limit_isa(std::string_view isa);
#endif

}  // namespace modtrace::detail
