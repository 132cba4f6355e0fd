// matmul (torch.matmul semantics) and linear, as Eigen GEMMs on row-major maps.

#include <string>

#include "ops/eigen.hpp"
#include "modtrace/functional.hpp"
#include "ops/op_call.hpp"

namespace modtrace::detail {
namespace {

// torch.matmul promotes 1-D operands to matrices and drops the added
// dimension afterwards; batch dimensions broadcast.
struct MatmulPlan {
  Shape a_batch, b_batch, batch;
  int64_t n = 0, k = 0, m = 0;
  Shape out;
};

MatmulPlan plan_matmul(const OpCall& call) {
  const Shape& a = call.input(0).shape();
  const Shape& b = call.input(1).shape();
  if (a.empty() || b.empty()) call.fail("both arguments must be at least 1-D");
  MatmulPlan p;
  const bool a_vector = a.size() == 1;
  const bool b_vector = b.size() == 1;
  p.n = a_vector ? 1 : a[a.size() - 2];
  p.k = a.back();
  const int64_t kb = b_vector ? b[0] : b[b.size() - 2];
  p.m = b_vector ? 1 : b.back();
  if (p.k != kb) {
    call.fail("cannot multiply: input's last dimension is " + std::to_string(p.k) + " but other's " +
              (b_vector ? std::string("length") : std::string("second-to-last dimension")) + " is " +
              std::to_string(kb) + " (expected equal)");
  }
  if (!a_vector) p.a_batch.assign(a.begin(), a.end() - 2);
  if (!b_vector) p.b_batch.assign(b.begin(), b.end() - 2);
  p.batch = broadcast_shapes(p.a_batch, p.b_batch, "matmul");
  p.out = p.batch;
  if (!a_vector) p.out.push_back(p.n);
  if (!b_vector) p.out.push_back(p.m);
  return p;
}

// Index of the matrix of `batch_shape` that broadcast index `i` of `target` reads.
int64_t broadcast_matrix_index(int64_t i, const Shape& target, const Shape& own) {
  int64_t index = 0, scale = 1;
  for (size_t d = target.size(); d-- > 0;) {
    const int64_t coordinate = i % target[d];
    i /= target[d];
    const size_t offset = target.size() - own.size();
    if (d >= offset) {
      const int64_t size = own[d - offset];
      if (size != 1) index += coordinate * scale;
      scale *= size;
    }
  }
  return index;
}

Shape shape_matmul(const OpCall& call) { return plan_matmul(call).out; }

void run_matmul(const OpCall& call, Tensor& out) {
  const MatmulPlan p = plan_matmul(call);
  const float* pa = call.input(0).data();
  const float* pb = call.input(1).data();
  float* po = out.data();
  const int64_t batches = numel_of(p.batch);
  for (int64_t i = 0; i < batches; ++i) {
    const int64_t ia = broadcast_matrix_index(i, p.batch, p.a_batch);
    const int64_t ib = broadcast_matrix_index(i, p.batch, p.b_batch);
    ConstMatrixMap a(pa + ia * p.n * p.k, p.n, p.k);
    ConstMatrixMap b(pb + ib * p.k * p.m, p.k, p.m);
    MatrixMap o(po + i * p.n * p.m, p.n, p.m);
    o.noalias() = a * b;
  }
}

Shape shape_linear(const OpCall& call) {
  const Tensor& x = call.input(0);
  const Tensor& w = call.input(1);
  if (w.dim() != 2) call.fail("weight must be 2-D [out_features, in_features]");
  if (x.dim() == 0) call.fail("input must be at least 1-D");
  const int64_t in_features = w.shape()[1];
  if (x.shape().back() != in_features) {
    call.fail("input's last dimension is " + std::to_string(x.shape().back()) + ", expected " +
              std::to_string(in_features) + " = in_features of the weight");
  }
  if (call.has_input(2) && call.input(2).shape() != Shape{w.shape()[0]}) {
    call.fail("bias must have shape [" + std::to_string(w.shape()[0]) + "] = [out_features]");
  }
  Shape out = x.shape();
  out.back() = w.shape()[0];
  return out;
}

void run_linear(const OpCall& call, Tensor& out) {
  const Tensor& x = call.input(0);
  const Tensor& w = call.input(1);
  const int64_t in_features = w.shape()[1];
  const int64_t out_features = w.shape()[0];
  const int64_t rows = in_features == 0 ? out.numel() / std::max<int64_t>(out_features, 1) : x.numel() / in_features;
  ConstMatrixMap input(x.data(), rows, in_features);
  ConstMatrixMap weight(w.data(), out_features, in_features);
  MatrixMap result(out.data(), rows, out_features);
  result.noalias() = input * weight.transpose();
  if (call.has_input(2)) {
    Eigen::Map<const Eigen::RowVectorXf> bias(call.input(2).data(), out_features);
    result.rowwise() += bias;
  }
}

using C = OpCategory;

}  // namespace

std::span<const OpInfo> product_ops() {
  static constexpr OpInfo rows[] = {
      {Op::matmul, "matmul", C::product, kBinary, 2, 2, kNoAttributes, shape_matmul, run_matmul},
      {Op::linear, "linear", C::product, kWeighted, 2, 3, kNoAttributes, shape_linear, run_linear},
  };
  return rows;
}

}  // namespace modtrace::detail

namespace modtrace::F {

Tensor matmul(const Tensor& a, const Tensor& b, Where where) { return detail::dispatch_binary(Op::matmul, a, b, where); }

Tensor linear(const Tensor& input, const Tensor& weight, const Tensor& bias, Where where) {
  const std::array<const Tensor*, 3> in{&input, &weight, &bias};
  return detail::dispatch(Op::linear, in, {}, where);
}

}  // namespace modtrace::F
