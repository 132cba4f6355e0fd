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
Tensor softmax(const Tensor& x, int64_t dim, Where where = Where::current());

// ---- products ----
// torch.matmul: 1-D and N-D operands, batch dimensions broadcast.
Tensor matmul(const Tensor& a, const Tensor& b, Where where = Where::current());
// y = x W^T + b over the last dimension; `bias` may be undefined.
Tensor linear(const Tensor& input, const Tensor& weight, const Tensor& bias = {},
              Where where = Where::current());
// NCHW input, weight [out, in/groups, kh, kw]; `bias` may be undefined.
Tensor conv2d(const Tensor& input, const Tensor& weight, const Tensor& bias = {}, Size2 stride = 1,
              Size2 padding = 0, Size2 dilation = 1, int64_t groups = 1,
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

// ---- normalisation ----
// Channel dimension 1. In training mode the batch statistics are used and the
// running statistics updated in place (momentum as in PyTorch).
Tensor batch_norm(const Tensor& x, const Tensor& running_mean, const Tensor& running_var,
                  const Tensor& weight = {}, const Tensor& bias = {}, bool training = false,
                  double momentum = 0.1, double eps = 1e-5, Where where = Where::current());
// Normalises over the trailing dimensions given by normalized_shape.
Tensor layer_norm(const Tensor& x, const Shape& normalized_shape, const Tensor& weight = {},
                  const Tensor& bias = {}, double eps = 1e-5, Where where = Where::current());

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

// ---- reductions (empty dims: over everything) ----
Tensor sum(const Tensor& x, const std::vector<int64_t>& dims = {}, bool keepdim = false,
           Where where = Where::current());
Tensor mean(const Tensor& x, const std::vector<int64_t>& dims = {}, bool keepdim = false,
            Where where = Where::current());

// ---- regularisation ----
// Identity unless training; in training, zeroes with probability p and scales by 1/(1-p).
Tensor dropout(const Tensor& x, double p = 0.5, bool training = false, Where where = Where::current());
// torchvision.ops.stochastic_depth; mode "row" or "batch".
Tensor stochastic_depth(const Tensor& x, double p, const std::string& mode, bool training,
                        Where where = Where::current());

}  // namespace modtrace::F

namespace modtrace {
// Seeds the generator used by training-mode dropout and default layer init.
void manual_seed(uint64_t seed);
}  // namespace modtrace
