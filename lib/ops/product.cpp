// matmul (torch.matmul semantics), bmm, baddbmm and linear, as GEMMs
// (kernels/gemm.hpp, built per instruction set); einsum as a direct contraction summed in double.

#include <algorithm>
#include <map>
#include <string>

#include "core/parallel.hpp"
#include "kernels/gemm.hpp"
#include "ops/strided.hpp"
#include "modtrace/functional.hpp"
#include "ops/op_call.hpp"

namespace modtrace::detail {
namespace {

constexpr AttrSpec kBaddbmm[] = {{"beta", AttrType::real, "1"}, {"alpha", AttrType::real, "1"}};
constexpr AttrSpec kEinsum[] = {{"equation", AttrType::text}};
constexpr InputNames kBaddbmmInputs{"input", "batch1", "batch2"};
constexpr InputNames kOperands{"operands"};

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
    gemm({.m = p.n, .n = p.m, .k = p.k, .a = pa + ia * p.n * p.k, .b = pb + ib * p.k * p.m, .c = po + i * p.n * p.m});
  }
}

// bmm and the product inside baddbmm: operands `first` and `first + 1`.
Shape batched_product_shape(const OpCall& call, size_t first) {
  const Shape& a = call.input(first).shape();
  const Shape& b = call.input(first + 1).shape();
  const std::string an = std::string(op_info(call.op).input_names[first]);
  const std::string bn = std::string(op_info(call.op).input_names[first + 1]);
  if (a.size() != 3 || b.size() != 3) call.fail(an + " and " + bn + " must be 3-D [batch, n, m] and [batch, m, p]");
  if (a[0] != b[0]) call.fail("batch sizes differ: " + std::to_string(a[0]) + " and " + std::to_string(b[0]));
  if (a[2] != b[1]) {
    call.fail(an + "'s last dimension is " + std::to_string(a[2]) + " but " + bn + "'s second is " +
              std::to_string(b[1]) + " (expected equal)");
  }
  return {a[0], a[1], b[2]};
}

void batched_product(const Tensor& a, const Tensor& b, float* out) {
  const int64_t batch = a.shape()[0], n = a.shape()[1], k = a.shape()[2], m = b.shape()[2];
  for (int64_t i = 0; i < batch; ++i) {
    gemm({.m = n, .n = m, .k = k, .a = a.data() + i * n * k, .b = b.data() + i * k * m, .c = out + i * n * m});
  }
}

Shape shape_bmm(const OpCall& call) { return batched_product_shape(call, 0); }

void run_bmm(const OpCall& call, Tensor& out) { batched_product(call.input(0), call.input(1), out.data()); }

Shape shape_baddbmm(const OpCall& call) {
  const Shape out = batched_product_shape(call, 1);
  if (broadcast_shapes(call.input(0).shape(), out, "baddbmm") != out) {
    call.fail("input must broadcast to the product's shape " + to_string(out));
  }
  return out;
}

// beta * input + alpha * (batch1 @ batch2); with beta 0 the input is not read (NaN stays out), as in PyTorch.
void run_baddbmm(const OpCall& call, Tensor& out) {
  batched_product(call.input(1), call.input(2), out.data());
  const auto beta = static_cast<float>(call.attr<kBaddbmm, "beta">());
  const auto alpha = static_cast<float>(call.attr<kBaddbmm, "alpha">());
  const Shape& shape = out.shape();
  const Strides in = broadcast_strides(call.input(0).shape(), shape);
  const float* x = call.input(0).data();
  float* o = out.data();
  for_each_run<2>(shape, {contiguous_strides(shape), in},
                  [&](std::array<int64_t, 2> at, std::array<int64_t, 2> step, int64_t len) {
                    for (int64_t j = 0; j < len; ++j) {
                      float& v = o[at[0] + j * step[0]];
                      v = (beta == 0.0f ? 0.0f : beta * x[at[1] + j * step[1]]) + alpha * v;
                    }
                  });
}

// ---- einsum ----

// The equation, resolved against the operands' shapes: one label per
// dimension ("..." becomes labels of its own), each label's size, and the
// output's labels.
struct EinsumPlan {
  std::vector<std::vector<int>> operand_labels;  // per operand, per dimension
  std::vector<int> output_labels;
  std::vector<int64_t> size;                     // per label
  int labels = 0;
};

EinsumPlan plan_einsum(const OpCall& call) {
  std::string eq;
  for (char c : call.attr<kEinsum, "equation">()) {
    if (c != ' ') eq += c;
  }
  const size_t arrow = eq.find("->");
  std::vector<std::string> terms;
  const std::string lhs = eq.substr(0, arrow);
  for (size_t start = 0;;) {
    const size_t comma = lhs.find(',', start);
    terms.push_back(lhs.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (terms.size() != call.input_count()) {
    call.fail("the equation has " + std::to_string(terms.size()) + " operands, but " +
              std::to_string(call.input_count()) + (call.input_count() == 1 ? " was" : " were") + " given");
  }
  // Letters are labels 0-51 (A-Z, then a-z: the implicit output's order); "..." dimensions come after.
  auto letter = [&](char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return 26 + (c - 'a');
    call.fail(std::string("invalid subscript '") + c + "': only letters a-z, A-Z and '...' are allowed");
  };
  EinsumPlan p;
  int64_t ellipsis_rank = -1;
  std::vector<int> counts(52, 0);
  for (size_t i = 0; i < terms.size(); ++i) {
    const std::string& t = terms[i];
    const size_t dots = t.find("...");
    const int64_t letters = static_cast<int64_t>(t.size()) - (dots == std::string::npos ? 0 : 3);
    const int64_t rank = call.input(i).dim();
    const int64_t own_ellipsis = dots == std::string::npos ? 0 : rank - letters;
    if ((dots == std::string::npos && letters != rank) || own_ellipsis < 0) {
      call.fail("operand " + std::to_string(i) + " has " + std::to_string(rank) + " dimensions but subscripts '" +
                t + "'");
    }
    ellipsis_rank = std::max(ellipsis_rank, own_ellipsis);
    std::vector<int> labels;
    for (size_t k = 0; k < t.size();) {
      if (t.compare(k, 3, "...") == 0) {
        // Right-aligned broadcast dimensions: labels 52 + (position from the end).
        for (int64_t e = own_ellipsis; e > 0; --e) labels.push_back(-static_cast<int>(e));
        k += 3;
      } else {
        labels.push_back(letter(t[k]));
        ++counts[labels.back()];
        ++k;
      }
    }
    p.operand_labels.push_back(std::move(labels));
  }
  ellipsis_rank = std::max<int64_t>(ellipsis_rank, 0);
  // "..." labels: 52 .. 52 + rank - 1, the last dimension highest.
  for (auto& labels : p.operand_labels) {
    for (int& l : labels) {
      if (l < 0) l = 52 + static_cast<int>(ellipsis_rank) + l;
    }
  }
  p.labels = 52 + static_cast<int>(ellipsis_rank);
  if (arrow == std::string::npos) {
    for (int64_t e = 0; e < ellipsis_rank; ++e) p.output_labels.push_back(52 + static_cast<int>(e));
    for (int l = 0; l < 52; ++l) {
      if (counts[l] == 1) p.output_labels.push_back(l);
    }
  } else {
    const std::string out = eq.substr(arrow + 2);
    for (size_t k = 0; k < out.size();) {
      if (out.compare(k, 3, "...") == 0) {
        for (int64_t e = 0; e < ellipsis_rank; ++e) p.output_labels.push_back(52 + static_cast<int>(e));
        k += 3;
        continue;
      }
      const int l = letter(out[k++]);
      if (counts[l] == 0) call.fail(std::string("output subscript '") + out[k - 1] + "' appears in no operand");
      if (std::count(p.output_labels.begin(), p.output_labels.end(), l) > 0) {
        call.fail(std::string("output subscript '") + out[k - 1] + "' appears more than once");
      }
      p.output_labels.push_back(l);
    }
  }
  // Sizes: equal wherever a label appears, or 1 (broadcast).
  p.size.assign(static_cast<size_t>(p.labels), 1);
  for (size_t i = 0; i < p.operand_labels.size(); ++i) {
    for (size_t d = 0; d < p.operand_labels[i].size(); ++d) {
      const int l = p.operand_labels[i][d];
      const int64_t s = call.input(i).shape()[d];
      if (s == 1) continue;
      if (p.size[l] != 1 && p.size[l] != s) {
        call.fail("subscript sizes disagree: operand " + std::to_string(i) + " dimension " + std::to_string(d) +
                  " has size " + std::to_string(s) + ", elsewhere " + std::to_string(p.size[l]));
      }
      p.size[l] = s;
    }
  }
  return p;
}

Shape shape_einsum(const OpCall& call) {
  const EinsumPlan p = plan_einsum(call);
  Shape out;
  for (int l : p.output_labels) out.push_back(p.size[l]);
  return out;
}

// Every output element sums, over the labels not in the output, the product
// of the operands' elements.
void run_einsum(const OpCall& call, Tensor& out) {
  const EinsumPlan p = plan_einsum(call);
  std::vector<int> summed;
  for (int l = 0; l < p.labels; ++l) {
    const bool used = std::any_of(p.operand_labels.begin(), p.operand_labels.end(),
                                  [&](const std::vector<int>& ls) { return std::count(ls.begin(), ls.end(), l) > 0; });
    if (used && std::count(p.output_labels.begin(), p.output_labels.end(), l) == 0) summed.push_back(l);
  }
  // Each operand's element stride per label (0 where absent or broadcast; a repeated label adds up: the diagonal).
  const size_t n = call.input_count();
  std::vector<std::vector<int64_t>> stride(n, std::vector<int64_t>(static_cast<size_t>(p.labels), 0));
  for (size_t i = 0; i < n; ++i) {
    const Strides own = contiguous_strides(call.input(i).shape());
    for (size_t d = 0; d < p.operand_labels[i].size(); ++d) {
      if (call.input(i).shape()[d] != 1) stride[i][p.operand_labels[i][d]] += own[d];
    }
  }
  int64_t inner = 1;
  for (int l : summed) inner *= p.size[l];
  const int64_t outputs = out.numel();
  float* o = out.data();
  parallel_for(outputs, outputs * inner * static_cast<int64_t>(n), [&](int64_t index) {
    std::vector<int64_t> base(n, 0);
    for (int64_t rest = index, k = static_cast<int64_t>(p.output_labels.size()) - 1; k >= 0; --k) {
      const int l = p.output_labels[k];
      const int64_t coordinate = rest % p.size[l];
      rest /= p.size[l];
      for (size_t i = 0; i < n; ++i) base[i] += coordinate * stride[i][l];
    }
    double total = 0.0;
    for (int64_t s = 0; s < inner; ++s) {
      double product = 1.0;
      for (size_t i = 0; i < n; ++i) {
        int64_t offset = base[i];
        for (int64_t rest = s, k = static_cast<int64_t>(summed.size()) - 1; k >= 0; --k) {
          const int l = summed[k];
          offset += (rest % p.size[l]) * stride[i][l];
          rest /= p.size[l];
        }
        product *= call.input(i).data()[offset];
      }
      total += product;
    }
    o[index] = static_cast<float>(total);
  });
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
  // x [rows, in] times W^T, W being [out, in]; the bias added to every row.
  gemm({.m = rows, .n = out_features, .k = in_features, .a = x.data(), .b = w.data(), .transpose_b = true,
        .c = out.data(), .column_bias = call.has_input(2) ? call.input(2).data() : nullptr});
}

using C = OpCategory;

}  // namespace

std::span<const OpInfo> product_ops() {
  static constexpr OpInfo rows[] = {
      {Op::matmul, "matmul", C::product, kBinary, 2, 2, kNoAttributes, shape_matmul, run_matmul},
      {Op::bmm, "bmm", C::product, kBinary, 2, 2, kNoAttributes, shape_bmm, run_bmm},
      {Op::baddbmm, "baddbmm", C::product, kBaddbmmInputs, 3, 3, kBaddbmm, shape_baddbmm, run_baddbmm},
      {Op::einsum, "einsum", C::product, kOperands, 1, kVariadic, kEinsum, shape_einsum, run_einsum},
      {Op::linear, "linear", C::product, kWeighted, 2, 3, kNoAttributes, shape_linear, run_linear},
  };
  return rows;
}

}  // namespace modtrace::detail

namespace modtrace::F {

Tensor matmul(const Tensor& a, const Tensor& b, Where where) { return detail::dispatch_binary(Op::matmul, a, b, where); }
Tensor bmm(const Tensor& a, const Tensor& b, Where where) { return detail::dispatch_binary(Op::bmm, a, b, where); }

Tensor baddbmm(const Tensor& input, const Tensor& batch1, const Tensor& batch2, double beta, double alpha,
               Where where) {
  const std::array<const Tensor*, 3> in{&input, &batch1, &batch2};
  return detail::dispatch(Op::baddbmm, in, detail::pack<detail::kBaddbmm>(beta, alpha), where);
}

Tensor einsum(const std::string& equation, const Tensors& operands, Where where) {
  std::vector<const Tensor*> in;
  for (const Tensor& t : operands) in.push_back(&t);
  return detail::dispatch(Op::einsum, in, detail::pack<detail::kEinsum>(equation), where);
}

Tensor linear(const Tensor& input, const Tensor& weight, const Tensor& bias, Where where) {
  const std::array<const Tensor*, 3> in{&input, &weight, &bias};
  return detail::dispatch(Op::linear, in, {}, where);
}

}  // namespace modtrace::F
