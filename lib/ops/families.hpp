#pragma once
// Internal: the shape rules and kernels the op table points at, one group per
// source file in lib/ops/. Naming: shape_<rule> computes the output shape,
// run_<op> computes the values.

#include "ops/op_call.hpp"

namespace modtrace::detail {

// arithmetic.cpp
Shape shape_elementwise(const OpCall& call);  // broadcast of two inputs, or a tensor and a scalar
void run_add(const OpCall& call, Tensor& out);
void run_sub(const OpCall& call, Tensor& out);
void run_rsub(const OpCall& call, Tensor& out);
void run_mul(const OpCall& call, Tensor& out);
void run_div(const OpCall& call, Tensor& out);
void run_neg(const OpCall& call, Tensor& out);
void run_reciprocal(const OpCall& call, Tensor& out);

// activation.cpp
Shape shape_same(const OpCall& call);  // output shape = input shape
void run_relu(const OpCall& call, Tensor& out);
void run_relu6(const OpCall& call, Tensor& out);
void run_gelu(const OpCall& call, Tensor& out);
void run_silu(const OpCall& call, Tensor& out);
void run_sigmoid(const OpCall& call, Tensor& out);
void run_hardsigmoid(const OpCall& call, Tensor& out);
void run_hardswish(const OpCall& call, Tensor& out);
void run_tanh(const OpCall& call, Tensor& out);
Shape shape_softmax(const OpCall& call);
void run_softmax(const OpCall& call, Tensor& out);

// product.cpp
Shape shape_matmul(const OpCall& call);
void run_matmul(const OpCall& call, Tensor& out);
Shape shape_linear(const OpCall& call);
void run_linear(const OpCall& call, Tensor& out);

// conv.cpp
Shape shape_conv2d(const OpCall& call);
void run_conv2d(const OpCall& call, Tensor& out);

// pooling.cpp
Shape shape_max_pool2d(const OpCall& call);
void run_max_pool2d(const OpCall& call, Tensor& out);
Shape shape_avg_pool2d(const OpCall& call);
void run_avg_pool2d(const OpCall& call, Tensor& out);
Shape shape_adaptive_avg_pool2d(const OpCall& call);
void run_adaptive_avg_pool2d(const OpCall& call, Tensor& out);

// normalization.cpp
Shape shape_batch_norm(const OpCall& call);
void run_batch_norm(const OpCall& call, Tensor& out);
Shape shape_layer_norm(const OpCall& call);
void run_layer_norm(const OpCall& call, Tensor& out);

// layout.cpp: views and copies that move elements
Shape shape_reshape(const OpCall& call);
Shape shape_flatten(const OpCall& call);
Shape shape_squeeze(const OpCall& call);
Shape shape_unsqueeze(const OpCall& call);
Shape shape_permute(const OpCall& call);
void run_permute(const OpCall& call, Tensor& out);
Shape shape_transpose(const OpCall& call);
void run_transpose(const OpCall& call, Tensor& out);
void run_clone(const OpCall& call, Tensor& out);
Shape shape_cat(const OpCall& call);
void run_cat(const OpCall& call, Tensor& out);
Shape shape_slice(const OpCall& call);
void run_slice(const OpCall& call, Tensor& out);
Shape shape_select(const OpCall& call);
void run_select(const OpCall& call, Tensor& out);
Shape shape_narrow(const OpCall& call);
void run_narrow(const OpCall& call, Tensor& out);
Shape shape_expand(const OpCall& call);
void run_expand(const OpCall& call, Tensor& out);

// reduction.cpp
Shape shape_reduce(const OpCall& call);
void run_sum(const OpCall& call, Tensor& out);
void run_mean(const OpCall& call, Tensor& out);

// regularization.cpp
Shape shape_dropout(const OpCall& call);
void run_dropout(const OpCall& call, Tensor& out);
Shape shape_stochastic_depth(const OpCall& call);
void run_stochastic_depth(const OpCall& call, Tensor& out);

}  // namespace modtrace::detail
