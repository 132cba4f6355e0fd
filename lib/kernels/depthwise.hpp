#pragma once
// Internal: depthwise convolutions (one input channel per group) on NCHW
// tensors as they are. Each output plane is a small stencil over one input
// plane, so the kernel works plane by plane: the plane is copied once into
// a zero-padded buffer split by column phase (column x goes to phase
// x % stride_w), after which every kernel tap is a contiguous, branch-free
// multiply-add over an output row that the compiler vectorises. Compiled
// once per instruction set, like the matrix product (gemm.hpp).
//
// oneDNN has depthwise kernels too, but only on channel-blocked or
// channels-last tensors: the two reorders around its call cost more than
// its convolution (MobileNetV2 at batch 8: 23 of 75 ms in reorders), while
// this kernel reads and writes each plane once. MobileNetV2's forward at
// batch 8 went from 81 to 61 ms with it; ConvNeXt-tiny's 7x7 ones are as
// fast as oneDNN's were (86 ms either way).

#include "kernels/convolution.hpp"

namespace modtrace::detail {

// `c` with in_channels == groups (out_channels a multiple of it): output
// channel o reads input channel o / (out_channels / groups).
void depthwise_convolution(const Convolution& c);

namespace isa_baseline {
void depthwise_convolution(const Convolution& c);
}
namespace isa_avx2 {
void depthwise_convolution(const Convolution& c);
}
namespace isa_avx512 {
void depthwise_convolution(const Convolution& c);
}

}  // namespace modtrace::detail
