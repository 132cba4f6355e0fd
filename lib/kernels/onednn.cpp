// Convolutions and the matrix product through oneDNN (Debian's libdnnl, the
// library PyTorch's own CPU convolutions use), built when meson finds it
// (option `onednn`).
//
// Tensors stay in modtrace's layout (NCHW, weights OIHW). oneDNN's fastest
// convolutions want blocked layouts (channels in groups of 8 or 16), so the
// primitive is asked for its preferred layouts and the input, weights and
// output are reordered into and out of them around the call, as PyTorch does
// for a plain tensor. Every buffer oneDNN needs (reordered copies, its
// scratchpad) is a modtrace workspace, so the memory budget sees it.
//
// A weight's copy in oneDNN's layout is kept between calls (reordering
// ResNet-18's weights took 7.7 of its 30 ms), as long as the weight's
// storage lives and is not opened for writing: the cache checks the
// storage's version (TensorInternals::storage_stamp), which every write
// access bumps, and drops a copy when its weight's storage is freed.

#include <oneapi/dnnl/dnnl.hpp>

#include <algorithm>
#include <new>
#include <string>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "core/tensor_internals.hpp"
#include "kernels/convolution.hpp"
#include "kernels/gemm.hpp"
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

// Weights in oneDNN's layouts, by the storage and address of the original.
struct CachedWeights {
  const void* storage;
  uint64_t version;
  memory::desc layout;
  Tensor copy;  // a workspace: the memory budget counts it while it is kept
};
struct WeightCache {
  std::mutex mutex;
  std::unordered_multimap<const float*, CachedWeights> entries;
};
// Never destroyed: a weight freed during static destruction still finds it.
WeightCache& weight_cache() {
  static auto* cache = new WeightCache;
  return *cache;
}

void forget_storage(const void* storage) {
  std::vector<Tensor> dropped;  // freed after the lock is let go
  WeightCache& cache = weight_cache();
  const std::lock_guard lock(cache.mutex);
  for (auto it = cache.entries.begin(); it != cache.entries.end();) {
    if (it->second.storage == storage) {
      dropped.push_back(std::move(it->second.copy));
      it = cache.entries.erase(it);
    } else {
      ++it;
    }
  }
}

// The cached copy of `weights` in `layout` when its storage has not been
// written since, else an undefined tensor.
Tensor cached_weights(const Tensor& weights, const float* data, const memory::desc& layout) {
  const auto stamp = TensorInternals::storage_stamp(weights);
  if (stamp.id == nullptr) return {};
  WeightCache& cache = weight_cache();
  const std::lock_guard lock(cache.mutex);
  const auto [first, last] = cache.entries.equal_range(data);
  for (auto it = first; it != last; ++it) {
    const CachedWeights& entry = it->second;
    if (entry.storage == stamp.id && entry.version == stamp.version && entry.layout == layout) return entry.copy;
  }
  return {};
}

// Keeps `copy` as the layout's copy of `weights`, as of `version` (read
// before the reorder: a write meanwhile makes the copy stale, not wrong).
void keep_weights(const Tensor& weights, const float* data, uint64_t version, const memory::desc& layout,
                  Tensor copy) {
  const auto stamp = TensorInternals::storage_stamp(weights);
  if (stamp.id == nullptr) return;
  Tensor replaced;  // freed after the lock is let go
  WeightCache& cache = weight_cache();
  const std::lock_guard lock(cache.mutex);
  TensorInternals::call_when_freed(weights, &forget_storage);
  const auto [first, last] = cache.entries.equal_range(data);
  for (auto it = first; it != last; ++it) {
    if (it->second.storage == stamp.id && it->second.layout == layout) {
      replaced = std::move(it->second.copy);
      it->second.version = version;
      it->second.copy = std::move(copy);
      return;
    }
  }
  cache.entries.emplace(data, CachedWeights{stamp.id, version, layout, std::move(copy)});
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
  // A 1x1 convolution over NCHW is one matrix product per image: oneDNN's
  // GEMM-based one on the tensors as they are beats its blocked kernel plus
  // the reorders around it (1.15-2.2x on ResNet-50's, DenseNet's and
  // MobileNetV2's shapes). Other convolutions are faster blocked, reorders
  // included (3x3: up to 2.7x). Depthwise ones never come here: their
  // reorders cost more than oneDNN saves (kernels/depthwise.hpp).
  const bool pointwise = c.kernel_h == 1 && c.kernel_w == 1 && c.stride_h == 1 && c.stride_w == 1 && c.pad_h == 0 &&
                         c.pad_w == 0 && !grouped;
  const memory::desc any_src(src_dims, f32, Tag::any), any_dst(dst_dims, f32, Tag::any);
  const memory::desc any_weights(weight_dims, f32, Tag::any);
  const auto primitive = [&](const memory::desc& src, const memory::desc& dst) {
    const dnnl::convolution_forward::desc desc(dnnl::prop_kind::forward_inference,
                                               dnnl::algorithm::convolution_direct, src, any_weights,
                                               c.bias != nullptr ? bias_desc : memory::desc(), dst, strides, dilates,
                                               pad_left, pad_right);
    return dnnl::convolution_forward::primitive_desc(desc, attr, cpu_engine());
  };
  dnnl::convolution_forward::primitive_desc pd;
  try {
    try {
      pd = pointwise ? primitive(user_src, user_dst) : primitive(any_src, any_dst);
    } catch (const dnnl::error& e) {
      if (e.status != dnnl_unimplemented || !pointwise) throw;
      pd = primitive(any_src, any_dst);
    }
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
    bool reordered_weights = false;
    uint64_t weights_version = 0;
    if (pd.weights_desc() != user_weights) {
      if (c.weight_tensor != nullptr) weights_copy = cached_weights(*c.weight_tensor, c.weight, pd.weights_desc());
      if (weights_copy.defined()) {
        weights = memory(pd.weights_desc(), engine, weights_copy.data());
      } else {
        if (c.weight_tensor != nullptr) weights_version = TensorInternals::storage_stamp(*c.weight_tensor).version;
        memory blocked = workspace_memory(pd.weights_desc(), weights_copy);
        dnnl::reorder(weights, blocked).execute(stream, weights, blocked);
        weights = blocked;
        reordered_weights = true;
      }
    }
    if (pd.dst_desc() != user_dst) dst = workspace_memory(pd.dst_desc(), dst_copy);
    std::unordered_map<int, memory> args{{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, weights}, {DNNL_ARG_DST, dst}};
    if (c.bias != nullptr) args.emplace(DNNL_ARG_BIAS, memory(bias_desc, engine, const_cast<float*>(c.bias)));
    if (pd.scratchpad_desc().get_size() > 0) args.emplace(DNNL_ARG_SCRATCHPAD, workspace_memory(pd.scratchpad_desc(), scratch));
    dnnl::convolution_forward(pd).execute(stream, args);
    if (dst != dst_user) dnnl::reorder(dst, dst_user).execute(stream, dst, dst_user);
    stream.wait();
    // Kept only once the convolution ran: a refused allocation leaves nothing behind.
    if (reordered_weights && c.weight_tensor != nullptr) {
      keep_weights(*c.weight_tensor, c.weight, weights_version, pd.weights_desc(), std::move(weights_copy));
    }
  } catch (const dnnl::error& e) {
    if (e.status == dnnl_out_of_memory) throw std::bad_alloc();  // the op names it like any refused allocation
    throw Error(std::string("oneDNN failed in a convolution: ") + e.what());
  }
  return true;
}

namespace {

// The product as a oneDNN matmul primitive, operands in place (a transposed
// operand is a strided view, not a copy), the bias its own broadcast input.
// On ViT's shapes it reaches about 200 GFLOP/s where dnnl_sgemm with a
// transposed B (a linear layer) gets 120-175 and Eigen 150-180. False when
// oneDNN has no implementation for the case.
bool matmul_primitive(const Gemm& g) {
  const memory::data_type f32 = memory::data_type::f32;
  const memory::desc a_desc({g.m, g.k}, f32, g.transpose_a ? Tag::ba : Tag::ab);
  const memory::desc b_desc({g.k, g.n}, f32, g.transpose_b ? Tag::ba : Tag::ab);
  const memory::desc c_desc({g.m, g.n}, f32, Tag::ab);
  const float* bias = g.column_bias != nullptr ? g.column_bias : g.row_bias;
  const memory::desc bias_desc = g.column_bias != nullptr ? memory::desc({1, g.n}, f32, Tag::ab)
                                 : g.row_bias != nullptr  ? memory::desc({g.m, 1}, f32, Tag::ab)
                                                          : memory::desc();
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  dnnl::matmul::primitive_desc pd;
  try {
    pd = dnnl::matmul::primitive_desc(dnnl::matmul::desc(a_desc, b_desc, bias_desc, c_desc), attr, cpu_engine());
  } catch (const dnnl::error& e) {
    if (e.status == dnnl_unimplemented) return false;
    throw Error(std::string("oneDNN refused a matrix product: ") + e.what());
  }
  try {
    dnnl::engine& engine = cpu_engine();
    dnnl::stream stream(engine);
    Tensor scratch;
    std::unordered_map<int, memory> args{{DNNL_ARG_SRC, memory(a_desc, engine, const_cast<float*>(g.a))},
                                         {DNNL_ARG_WEIGHTS, memory(b_desc, engine, const_cast<float*>(g.b))},
                                         {DNNL_ARG_DST, memory(c_desc, engine, g.c)}};
    if (bias != nullptr) args.emplace(DNNL_ARG_BIAS, memory(bias_desc, engine, const_cast<float*>(bias)));
    if (pd.scratchpad_desc().get_size() > 0) args.emplace(DNNL_ARG_SCRATCHPAD, workspace_memory(pd.scratchpad_desc(), scratch));
    dnnl::matmul(pd).execute(stream, args);
    stream.wait();
  } catch (const dnnl::error& e) {
    if (e.status == dnnl_out_of_memory) throw std::bad_alloc();
    throw Error(std::string("oneDNN failed in a matrix product: ") + e.what());
  }
  return true;
}

}  // namespace

// A product over an empty inner dimension is only its bias; both biases at
// once (no caller does that) or a case the matmul primitive lacks go
// through dnnl_sgemm (row-major like Gemm), the bias put into C first and
// kept by beta = 1.
void onednn_gemm(const Gemm& g) {
  const bool both_biases = g.row_bias != nullptr && g.column_bias != nullptr;
  if (g.k > 0 && !both_biases && matmul_primitive(g)) return;
  float beta = 0.0f;
  if (g.row_bias != nullptr || g.column_bias != nullptr) {
    for (int64_t i = 0; i < g.m; ++i) {
      float* row = g.c + i * g.n;
      const float r = g.row_bias != nullptr ? g.row_bias[i] : 0.0f;
      for (int64_t j = 0; j < g.n; ++j) row[j] = r + (g.column_bias != nullptr ? g.column_bias[j] : 0.0f);
    }
    beta = 1.0f;
  } else if (g.k == 0) {
    std::fill_n(g.c, g.m * g.n, 0.0f);
  }
  if (g.k == 0) return;  // nothing to add (and oneDNN wants leading dimensions >= 1)
  const int64_t lda = g.transpose_a ? g.m : g.k;
  const int64_t ldb = g.transpose_b ? g.k : g.n;
  const dnnl_status_t status = dnnl_sgemm(g.transpose_a ? 'T' : 'N', g.transpose_b ? 'T' : 'N', g.m, g.n, g.k, 1.0f,
                                          g.a, lda, g.b, ldb, beta, g.c, g.n);
  if (status == dnnl_out_of_memory) throw std::bad_alloc();
  if (status != dnnl_success) {
    throw Error("oneDNN's sgemm failed (status " + std::to_string(static_cast<int>(status)) + ") on " +
                std::to_string(g.m) + "x" + std::to_string(g.k) + " by " + std::to_string(g.k) + "x" +
                std::to_string(g.n));
  }
}

}  // namespace modtrace::detail
