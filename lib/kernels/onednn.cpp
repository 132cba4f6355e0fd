// Convolutions through oneDNN (Debian's libdnnl, the library PyTorch's own
// CPU convolutions use), built when meson finds it (option `onednn`).
//
// Tensors stay in modtrace's layout (NCHW, weights OIHW). oneDNN's fastest
// convolutions want blocked layouts (channels in groups of 8 or 16), so the
// primitive is asked for its preferred layouts and the input, weights and
// output are reordered into and out of them around the call, as PyTorch does
// for a plain tensor. Every buffer oneDNN needs (reordered copies, its
// scratchpad) is a modtrace workspace, so the memory budget sees it.
//
// Weights are reordered on every call rather than cached: a cache would have
// to know when a parameter's values change (load_state_dict, a user's
// write through data()), and a stale one would silently give wrong numbers.

#include <oneapi/dnnl/dnnl.hpp>

#include <algorithm>
#include <string>
#include <unordered_map>

#include "core/tensor_internals.hpp"
#include "kernels/convolution.hpp"
#include "modtrace/error.hpp"

namespace modtrace::detail {
namespace {

using dnnl::memory;
using Tag = memory::format_tag;

dnnl::engine& cpu_engine() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

// Memory for `desc` in a modtrace workspace (counted by the memory budget),
// kept alive by `keep` until the call ends.
memory workspace_memory(const memory::desc& desc, Tensor& keep) {
  const auto floats = static_cast<int64_t>((desc.get_size() + sizeof(float) - 1) / sizeof(float));
  keep = TensorInternals::workspace({std::max<int64_t>(floats, 1)});
  return memory(desc, cpu_engine(), keep.data());
}

// The right padding that makes oneDNN's output size equal PyTorch's: PyTorch
// rounds the output size down, so the last window may stop short of the
// padded edge (the right padding is then smaller than the left, or negative).
int64_t right_padding(int64_t in, int64_t out, int64_t kernel, int64_t stride, int64_t dilation, int64_t pad) {
  return (out - 1) * stride + dilation * (kernel - 1) + 1 - in - pad;
}

}  // namespace

bool onednn_limit_isa(std::string_view isa) {
  const dnnl::cpu_isa cap = isa == "baseline" ? dnnl::cpu_isa::sse41
                            : isa == "avx2"   ? dnnl::cpu_isa::avx2
                                              : dnnl::cpu_isa::avx512_core;
  return dnnl::set_max_cpu_isa(cap) == dnnl::status::success;
}

bool onednn_convolution(const Convolution& c) {
  const memory::data_type f32 = memory::data_type::f32;
  const bool grouped = c.groups > 1;
  const memory::dims src_dims{c.batch, c.in_channels, c.height, c.width};
  const memory::dims dst_dims{c.batch, c.out_channels, c.out_h, c.out_w};
  const memory::dims weight_dims =
      grouped ? memory::dims{c.groups, c.out_channels / c.groups, c.in_channels / c.groups, c.kernel_h, c.kernel_w}
              : memory::dims{c.out_channels, c.in_channels, c.kernel_h, c.kernel_w};
  const memory::desc user_src(src_dims, f32, Tag::nchw);
  const memory::desc user_dst(dst_dims, f32, Tag::nchw);
  const memory::desc user_weights(weight_dims, f32, grouped ? Tag::goihw : Tag::oihw);
  const memory::desc bias_desc({c.out_channels}, f32, Tag::a);
  const memory::dims strides{c.stride_h, c.stride_w};
  const memory::dims dilates{c.dilation_h - 1, c.dilation_w - 1};  // oneDNN counts 0 as dense
  const memory::dims pad_left{c.pad_h, c.pad_w};
  const memory::dims pad_right{right_padding(c.height, c.out_h, c.kernel_h, c.stride_h, c.dilation_h, c.pad_h),
                               right_padding(c.width, c.out_w, c.kernel_w, c.stride_w, c.dilation_w, c.pad_w)};

  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  dnnl::convolution_forward::primitive_desc pd;
  try {
    const memory::desc any_src(src_dims, f32, Tag::any), any_dst(dst_dims, f32, Tag::any);
    const memory::desc any_weights(weight_dims, f32, Tag::any);
    const dnnl::convolution_forward::desc desc(
        dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct, any_src, any_weights,
        c.bias != nullptr ? bias_desc : memory::desc(), any_dst, strides, dilates, pad_left, pad_right);
    pd = dnnl::convolution_forward::primitive_desc(desc, attr, cpu_engine());
  } catch (const dnnl::error& e) {
    if (e.status == dnnl_unimplemented) return false;  // a case oneDNN does not cover: modtrace's own kernels
    throw Error(std::string("oneDNN refused a convolution: ") + e.what());
  }

  try {
    dnnl::engine& engine = cpu_engine();
    dnnl::stream stream(engine);
    Tensor src_copy, weights_copy, dst_copy, scratch;
    // oneDNN reads but never writes src, weights and bias: const_cast only to fit its API.
    memory src(user_src, engine, const_cast<float*>(c.input));
    memory weights(user_weights, engine, const_cast<float*>(c.weight));
    memory dst_user(user_dst, engine, c.output);
    memory dst = dst_user;
    if (pd.src_desc() != user_src) {
      memory blocked = workspace_memory(pd.src_desc(), src_copy);
      dnnl::reorder(src, blocked).execute(stream, src, blocked);
      src = blocked;
    }
    if (pd.weights_desc() != user_weights) {
      memory blocked = workspace_memory(pd.weights_desc(), weights_copy);
      dnnl::reorder(weights, blocked).execute(stream, weights, blocked);
      weights = blocked;
    }
    if (pd.dst_desc() != user_dst) dst = workspace_memory(pd.dst_desc(), dst_copy);
    std::unordered_map<int, memory> args{{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, weights}, {DNNL_ARG_DST, dst}};
    if (c.bias != nullptr) args.emplace(DNNL_ARG_BIAS, memory(bias_desc, engine, const_cast<float*>(c.bias)));
    if (pd.scratchpad_desc().get_size() > 0) args.emplace(DNNL_ARG_SCRATCHPAD, workspace_memory(pd.scratchpad_desc(), scratch));
    dnnl::convolution_forward(pd).execute(stream, args);
    if (dst != dst_user) dnnl::reorder(dst, dst_user).execute(stream, dst, dst_user);
    stream.wait();
  } catch (const dnnl::error& e) {
    throw Error(std::string("oneDNN failed in a convolution: ") + e.what());
  }
  return true;
}

}  // namespace modtrace::detail
