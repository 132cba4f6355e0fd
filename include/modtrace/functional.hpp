#pragma once
// modtrace::F: every op as a free function, named as in PyTorch.
//
// Each function checks shapes (a clear Error naming the op, the shapes and
// what was expected), computes on Eigen (nothing for meta tensors) and, when
// a trace is active on this thread, records a node with the op, its
// attributes, shapes and the source line of the call. It is the only place
// where recording happens; Tensor's operators and every layer call it.
//
//   using namespace modtrace;
//   Tensor y = F::relu(F::conv2d(x, w, b, /*stride=*/2, /*padding=*/3));
//   Tensor z = F::flatten(F::adaptive_avg_pool2d(y, 1), 1);

#include <optional>
#include "modtrace/source_location.hpp"
#include <string>
#include <vector>

#include "modtrace/ops.hpp"
#include "modtrace/tensor.hpp"
#include "modtrace/export.hpp"

MODTRACE_PUBLIC_BEGIN
namespace modtrace::F {

using Where = SourceLocation;

// Any op by its enumerator, with attributes by name: checked against the
// op's schema and completed with its defaults (complete_attributes), then
// run and recorded like the named function. What importers and tools use;
// F::apply(Op::conv2d, {x, w, b}, {{"padding", std::vector<int64_t>{1, 1}}}).
Tensors apply(Op op, const Tensors& inputs, const Attrs& attrs = {}, Where where = Where::current());

// ---- arithmetic (broadcasting as in PyTorch) ----
Tensor add(const Tensor& a, const Tensor& b, Where where = Where::current());
Tensor add(const Tensor& a, double b, Where where = Where::current());
Tensor sub(const Tensor& a, const Tensor& b, Where where = Where::current());
Tensor sub(const Tensor& a, double b, Where where = Where::current());
Tensor rsub(const Tensor& a, double b, Where where = Where::current());  // b - a
Tensor mul(const Tensor& a, const Tensor& b, Where where = Where::current());
Tensor mul(const Tensor& a, double b, Where where = Where::current());
Tensor div(const Tensor& a, const Tensor& b, Where where = Where::current());
Tensor div(const Tensor& a, double b, Where where = Where::current());
Tensor neg(const Tensor& x, Where where = Where::current());
Tensor reciprocal(const Tensor& x, Where where = Where::current());
Tensor abs(const Tensor& x, Where where = Where::current());
Tensor sqrt(const Tensor& x, Where where = Where::current());
Tensor rsqrt(const Tensor& x, Where where = Where::current());
Tensor exp(const Tensor& x, Where where = Where::current());
Tensor log(const Tensor& x, Where where = Where::current());
Tensor erf(const Tensor& x, Where where = Where::current());  // the Gauss error function
// x ** exponent (a scalar exponent, as x.pow(2)).
Tensor pow(const Tensor& x, double exponent, Where where = Where::current());
// At least one bound; NaN stays NaN.
Tensor clamp(const Tensor& x, std::optional<double> min, std::optional<double> max = std::nullopt,
             Where where = Where::current());
// input where condition is nonzero, else other; the three broadcast together.
Tensor where(const Tensor& condition, const Tensor& input, const Tensor& other, Where at = Where::current());
// value where mask is nonzero; the mask broadcasts to x's shape.
Tensor masked_fill(const Tensor& x, const Tensor& mask, double value, Where where = Where::current());

// ---- in place: x is written and returned, recorded as PyTorch's `add_`, … ----
// x must not be the copy modtrace makes where PyTorch returns a view (permute,
// slice, …: Tensor::copied_view_op()), and broadcasting must keep x's shape.
Tensor& add_(Tensor& x, const Tensor& other, Where where = Where::current());
Tensor& add_(Tensor& x, double other, Where where = Where::current());
Tensor& sub_(Tensor& x, const Tensor& other, Where where = Where::current());
Tensor& sub_(Tensor& x, double other, Where where = Where::current());
Tensor& mul_(Tensor& x, const Tensor& other, Where where = Where::current());
Tensor& mul_(Tensor& x, double other, Where where = Where::current());
Tensor& div_(Tensor& x, const Tensor& other, Where where = Where::current());
Tensor& div_(Tensor& x, double other, Where where = Where::current());
Tensor& clamp_(Tensor& x, std::optional<double> min, std::optional<double> max = std::nullopt,
               Where where = Where::current());
Tensor& masked_fill_(Tensor& x, const Tensor& mask, double value, Where where = Where::current());
Tensor& relu_(Tensor& x, Where where = Where::current());
Tensor& sigmoid_(Tensor& x, Where where = Where::current());
Tensor& tanh_(Tensor& x, Where where = Where::current());

// ---- comparisons: 1 where true, 0 where false (float32: modtrace's one dtype) ----
Tensor eq(const Tensor& a, const Tensor& b, Where where = Where::current());
Tensor eq(const Tensor& a, double b, Where where = Where::current());
Tensor ne(const Tensor& a, const Tensor& b, Where where = Where::current());
Tensor ne(const Tensor& a, double b, Where where = Where::current());
Tensor gt(const Tensor& a, const Tensor& b, Where where = Where::current());
Tensor gt(const Tensor& a, double b, Where where = Where::current());
Tensor ge(const Tensor& a, const Tensor& b, Where where = Where::current());
Tensor ge(const Tensor& a, double b, Where where = Where::current());
Tensor lt(const Tensor& a, const Tensor& b, Where where = Where::current());
Tensor lt(const Tensor& a, double b, Where where = Where::current());
Tensor le(const Tensor& a, const Tensor& b, Where where = Where::current());
Tensor le(const Tensor& a, double b, Where where = Where::current());

// ---- activations ----
Tensor relu(const Tensor& x, Where where = Where::current());
Tensor relu6(const Tensor& x, Where where = Where::current());
// approximate: "none" (erf form, PyTorch's default) or "tanh".
Tensor gelu(const Tensor& x, const std::string& approximate = "none", Where where = Where::current());
Tensor silu(const Tensor& x, Where where = Where::current());
Tensor sigmoid(const Tensor& x, Where where = Where::current());
Tensor hardsigmoid(const Tensor& x, Where where = Where::current());
Tensor hardswish(const Tensor& x, Where where = Where::current());
Tensor tanh(const Tensor& x, Where where = Where::current());
Tensor leaky_relu(const Tensor& x, double negative_slope = 0.01, Where where = Where::current());
// One slope per channel (dimension 1), or one for all.
Tensor prelu(const Tensor& x, const Tensor& weight, Where where = Where::current());
Tensor mish(const Tensor& x, Where where = Where::current());
Tensor softplus(const Tensor& x, double beta = 1.0, double threshold = 20.0, Where where = Where::current());
Tensor softmax(const Tensor& x, int64_t dim, Where where = Where::current());
Tensor log_softmax(const Tensor& x, int64_t dim, Where where = Where::current());

// ---- products ----
// torch.matmul: 1-D and N-D operands, batch dimensions broadcast.
Tensor matmul(const Tensor& a, const Tensor& b, Where where = Where::current());
// Batched matrix products: [b, n, m] x [b, m, p]; baddbmm adds beta * input (broadcast).
Tensor bmm(const Tensor& a, const Tensor& b, Where where = Where::current());
Tensor baddbmm(const Tensor& input, const Tensor& batch1, const Tensor& batch2, double beta = 1.0,
               double alpha = 1.0, Where where = Where::current());
// torch.einsum: subscripts a-z and A-Z, "..." for broadcast dimensions, an
// explicit "->output" or the implicit one (the letters used once, sorted).
Tensor einsum(const std::string& equation, const Tensors& operands, Where where = Where::current());
// y = x W^T + b over the last dimension; `bias` may be undefined.
Tensor linear(const Tensor& input, const Tensor& weight, const Tensor& bias = {},
              Where where = Where::current());
// NCHW input, weight [out, in/groups, kh, kw]; `bias` may be undefined.
Tensor conv2d(const Tensor& input, const Tensor& weight, const Tensor& bias = {}, Size2 stride = 1,
              Size2 padding = 0, Size2 dilation = 1, int64_t groups = 1,
              Where where = Where::current());
// NCL input, weight [out, in/groups, k].
Tensor conv1d(const Tensor& input, const Tensor& weight, const Tensor& bias = {}, int64_t stride = 1,
              int64_t padding = 0, int64_t dilation = 1, int64_t groups = 1, Where where = Where::current());
// The gradient of conv2d as a layer: weight [in, out/groups, kh, kw].
Tensor conv_transpose2d(const Tensor& input, const Tensor& weight, const Tensor& bias = {}, Size2 stride = 1,
                        Size2 padding = 0, Size2 output_padding = 0, int64_t groups = 1, Size2 dilation = 1,
                        Where where = Where::current());

// ---- pooling (NCHW or CHW) ----
// stride defaults to kernel_size, as in PyTorch.
Tensor max_pool2d(const Tensor& x, Size2 kernel_size, std::optional<Size2> stride = std::nullopt,
                  Size2 padding = 0, Size2 dilation = 1, bool ceil_mode = false,
                  Where where = Where::current());
Tensor avg_pool2d(const Tensor& x, Size2 kernel_size, std::optional<Size2> stride = std::nullopt,
                  Size2 padding = 0, bool ceil_mode = false, bool count_include_pad = true,
                  Where where = Where::current());
Tensor adaptive_avg_pool2d(const Tensor& x, Size2 output_size, Where where = Where::current());
// max_pool2d with return_indices=True: {values, indices}, each index the
// flat position in its (H, W) plane, as PyTorch's.
Tensors max_pool2d_with_indices(const Tensor& x, Size2 kernel_size, std::optional<Size2> stride = std::nullopt,
                                Size2 padding = 0, Size2 dilation = 1, bool ceil_mode = false,
                                Where where = Where::current());
// Puts each value at its index in an output of spatial size output_size (zeros elsewhere).
Tensor max_unpool2d(const Tensor& x, const Tensor& indices, Size2 kernel_size, std::optional<Size2> stride,
                    Size2 padding, Size2 output_size, Where where = Where::current());
// (N, C, L) or (C, L).
Tensor max_pool1d(const Tensor& x, int64_t kernel_size, std::optional<int64_t> stride = std::nullopt,
                  int64_t padding = 0, int64_t dilation = 1, bool ceil_mode = false, Where where = Where::current());
Tensor avg_pool1d(const Tensor& x, int64_t kernel_size, std::optional<int64_t> stride = std::nullopt,
                  int64_t padding = 0, bool ceil_mode = false, bool count_include_pad = true,
                  Where where = Where::current());

// ---- normalisation ----
// Channel dimension 1. In training mode the batch statistics are used and the
// running statistics updated in place (momentum as in PyTorch).
Tensor batch_norm(const Tensor& x, const Tensor& running_mean, const Tensor& running_var,
                  const Tensor& weight = {}, const Tensor& bias = {}, bool training = false,
                  double momentum = 0.1, double eps = 1e-5, Where where = Where::current());
// Normalises over the trailing dimensions given by normalized_shape.
Tensor layer_norm(const Tensor& x, const Shape& normalized_shape, const Tensor& weight = {},
                  const Tensor& bias = {}, double eps = 1e-5, Where where = Where::current());
// Channels (dimension 1) in num_groups groups, each normalised over its channels and the rest.
Tensor group_norm(const Tensor& x, int64_t num_groups, const Tensor& weight = {}, const Tensor& bias = {},
                  double eps = 1e-5, Where where = Where::current());
// Each (sample, channel) normalised over the rest; with use_input_stats false,
// by the running statistics instead (which, when given and used, are updated).
Tensor instance_norm(const Tensor& x, const Tensor& running_mean = {}, const Tensor& running_var = {},
                     const Tensor& weight = {}, const Tensor& bias = {}, bool use_input_stats = true,
                     double momentum = 0.1, double eps = 1e-5, Where where = Where::current());

// ---- views (share storage) ----
Tensor reshape(const Tensor& x, const Shape& shape, Where where = Where::current());  // one -1 allowed
Tensor view(const Tensor& x, const Shape& shape, Where where = Where::current());
Tensor flatten(const Tensor& x, int64_t start_dim = 0, int64_t end_dim = -1,
               Where where = Where::current());
Tensor squeeze(const Tensor& x, int64_t dim, Where where = Where::current());
Tensor unsqueeze(const Tensor& x, int64_t dim, Where where = Where::current());
// Every modtrace tensor is contiguous, so this returns a view.
Tensor contiguous(const Tensor& x, Where where = Where::current());

// ---- copies ----
Tensor permute(const Tensor& x, const std::vector<int64_t>& dims, Where where = Where::current());
Tensor transpose(const Tensor& x, int64_t dim0, int64_t dim1, Where where = Where::current());
Tensor clone(const Tensor& x, Where where = Where::current());
Tensor cat(const Tensors& tensors, int64_t dim = 0, Where where = Where::current());
// x[start:end:step] along dim (Python slice rules: negative and out-of-range bounds clamp).
Tensor slice(const Tensor& x, int64_t dim, std::optional<int64_t> start = std::nullopt,
             std::optional<int64_t> end = std::nullopt, int64_t step = 1, Where where = Where::current());
// x[..., index, ...] along dim; the dimension is removed.
Tensor select(const Tensor& x, int64_t dim, int64_t index, Where where = Where::current());
Tensor narrow(const Tensor& x, int64_t dim, int64_t start, int64_t length, Where where = Where::current());
// Broadcast to `shape`; -1 keeps a dimension.
Tensor expand(const Tensor& x, const Shape& shape, Where where = Where::current());
// Joins tensors of one shape along a new dimension.
Tensor stack(const Tensors& tensors, int64_t dim = 0, Where where = Where::current());
// `chunks` parts of ceil(size / chunks) along dim (the last may be smaller; fewer when they run out).
Tensors chunk(const Tensor& x, int64_t chunks, int64_t dim = 0, Where where = Where::current());
// Parts of split_size along dim (the last may be smaller), or of the given sizes (summing to the size).
Tensors split(const Tensor& x, int64_t split_size, int64_t dim = 0, Where where = Where::current());
Tensors split(const Tensor& x, const std::vector<int64_t>& split_sizes, int64_t dim = 0,
              Where where = Where::current());
// Every slice along dim, the dimension removed.
Tensors unbind(const Tensor& x, int64_t dim = 0, Where where = Where::current());
// Elements shifted by `shifts` along `dims` (wrapping around); no dims: over the flattened tensor.
Tensor roll(const Tensor& x, const std::vector<int64_t>& shifts, const std::vector<int64_t>& dims = {},
            Where where = Where::current());
// F.pad: `pad` is (left, right) pairs from the last dimension backwards;
// mode "constant" (with value; negative pads crop), "reflect" or "replicate".
Tensor pad(const Tensor& x, const std::vector<int64_t>& pad, const std::string& mode = "constant",
           double value = 0.0, Where where = Where::current());

// ---- resampling ----
// F.interpolate on (N, C, L) or (N, C, H, W): the output size (one per
// spatial dimension) or one scale factor for all of them; mode "nearest"
// (PyTorch's floor rule), "linear" (1-D) or "bilinear" (2-D).
Tensor interpolate(const Tensor& x, const std::vector<int64_t>& size, std::optional<double> scale_factor = std::nullopt,
                   const std::string& mode = "nearest", bool align_corners = false, Where where = Where::current());
// (N, C r^2, H, W) -> (N, C, H r, W r).
Tensor pixel_shuffle(const Tensor& x, int64_t upscale_factor, Where where = Where::current());

// ---- indexing ----
// Rows of `weight` picked by `indices` (float32 holding whole numbers): output indices.shape + [dim].
Tensor embedding(const Tensor& indices, const Tensor& weight, Where where = Where::current());

// ---- reductions (empty dims: over everything) ----
Tensor sum(const Tensor& x, const std::vector<int64_t>& dims = {}, bool keepdim = false,
           Where where = Where::current());
Tensor mean(const Tensor& x, const std::vector<int64_t>& dims = {}, bool keepdim = false,
            Where where = Where::current());
// Running sums along dim (in double).
Tensor cumsum(const Tensor& x, int64_t dim, Where where = Where::current());
// Index of the largest value along dim (the first, on ties), as float32; no dim: in the flattened tensor.
Tensor argmax(const Tensor& x, std::optional<int64_t> dim = std::nullopt, bool keepdim = false,
              Where where = Where::current());
// {values, indices} of the k largest (or smallest) along dim, sorted.
Tensors topk(const Tensor& x, int64_t k, int64_t dim = -1, bool largest = true, bool sorted = true,
             Where where = Where::current());
// {values, indices} sorted along dim; stable (equal values keep their order).
Tensors sort(const Tensor& x, int64_t dim = -1, bool descending = false, Where where = Where::current());

// ---- regularisation ----
// Identity unless training; in training, zeroes with probability p and scales by 1/(1-p).
Tensor dropout(const Tensor& x, double p = 0.5, bool training = false, Where where = Where::current());
// Whole channels (dimension 1 of (N, C, …)) dropped together.
Tensor dropout2d(const Tensor& x, double p = 0.5, bool training = false, Where where = Where::current());
// torchvision.ops.stochastic_depth; mode "row" or "batch".
Tensor stochastic_depth(const Tensor& x, double p, const std::string& mode, bool training,
                        Where where = Where::current());

}  // namespace modtrace::F

namespace modtrace {
// Seeds the generator used by training-mode dropout and default layer init.
void manual_seed(uint64_t seed);
}  // namespace modtrace
MODTRACE_PUBLIC_END
