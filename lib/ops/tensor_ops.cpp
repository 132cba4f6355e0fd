// Tensor's operators and op methods: each is one F:: call, so `x * 3` and
// `x.permute(…)` check, compute and record exactly like F::mul and F::permute.
// (The Tensor type itself, its storage and factories, is lib/core/tensor.cpp.)

#include "modtrace/functional.hpp"
#include "modtrace/tensor.hpp"

namespace modtrace {

Tensor Tensor::reshape(Shape shape, SourceLocation where) const { return F::reshape(*this, shape, where); }
Tensor Tensor::view(Shape shape, SourceLocation where) const { return F::view(*this, shape, where); }
Tensor Tensor::flatten(int64_t s, int64_t e, SourceLocation where) const {
  return F::flatten(*this, s, e, where);
}
Tensor Tensor::permute(std::vector<int64_t> dims, SourceLocation where) const {
  return F::permute(*this, dims, where);
}
Tensor Tensor::transpose(int64_t d0, int64_t d1, SourceLocation where) const {
  return F::transpose(*this, d0, d1, where);
}
Tensor Tensor::contiguous(SourceLocation where) const { return F::contiguous(*this, where); }
Tensor Tensor::clone(SourceLocation where) const { return F::clone(*this, where); }
Tensor Tensor::expand(Shape shape, SourceLocation where) const { return F::expand(*this, shape, where); }
Tensor Tensor::select(int64_t dim, int64_t index, SourceLocation where) const {
  return F::select(*this, dim, index, where);
}
Tensor Tensor::narrow(int64_t dim, int64_t start, int64_t length, SourceLocation where) const {
  return F::narrow(*this, dim, start, length, where);
}
Tensor Tensor::unsqueeze(int64_t dim, SourceLocation where) const { return F::unsqueeze(*this, dim, where); }
Tensor Tensor::squeeze(int64_t dim, SourceLocation where) const { return F::squeeze(*this, dim, where); }
Tensor Tensor::sum(std::vector<int64_t> dims, bool keepdim, SourceLocation where) const {
  return F::sum(*this, dims, keepdim, where);
}
Tensor Tensor::mean(std::vector<int64_t> dims, bool keepdim, SourceLocation where) const {
  return F::mean(*this, dims, keepdim, where);
}

std::vector<Tensor> Tensor::chunk(int64_t chunks, int64_t dim, SourceLocation where) const {
  return F::chunk(*this, chunks, dim, where);
}
std::vector<Tensor> Tensor::split(int64_t split_size, int64_t dim, SourceLocation where) const {
  return F::split(*this, split_size, dim, where);
}
std::vector<Tensor> Tensor::unbind(int64_t dim, SourceLocation where) const { return F::unbind(*this, dim, where); }

Tensor& Tensor::add_(const Tensor& other, SourceLocation where) { return F::add_(*this, other, where); }
Tensor& Tensor::add_(double other, SourceLocation where) { return F::add_(*this, other, where); }
Tensor& Tensor::sub_(const Tensor& other, SourceLocation where) { return F::sub_(*this, other, where); }
Tensor& Tensor::sub_(double other, SourceLocation where) { return F::sub_(*this, other, where); }
Tensor& Tensor::mul_(const Tensor& other, SourceLocation where) { return F::mul_(*this, other, where); }
Tensor& Tensor::mul_(double other, SourceLocation where) { return F::mul_(*this, other, where); }
Tensor& Tensor::div_(const Tensor& other, SourceLocation where) { return F::div_(*this, other, where); }
Tensor& Tensor::div_(double other, SourceLocation where) { return F::div_(*this, other, where); }
Tensor& Tensor::relu_(SourceLocation where) { return F::relu_(*this, where); }
Tensor& Tensor::sigmoid_(SourceLocation where) { return F::sigmoid_(*this, where); }
Tensor& Tensor::tanh_(SourceLocation where) { return F::tanh_(*this, where); }
Tensor& Tensor::masked_fill_(const Tensor& mask, double value, SourceLocation where) {
  return F::masked_fill_(*this, mask, value, where);
}
Tensor& Tensor::operator+=(Located<const Tensor&> other) { return F::add_(*this, other.value, other.where); }
Tensor& Tensor::operator-=(Located<const Tensor&> other) { return F::sub_(*this, other.value, other.where); }
Tensor& Tensor::operator*=(Located<const Tensor&> other) { return F::mul_(*this, other.value, other.where); }
Tensor& Tensor::operator/=(Located<const Tensor&> other) { return F::div_(*this, other.value, other.where); }
Tensor& Tensor::operator+=(Located<double> other) { return F::add_(*this, other.value, other.where); }
Tensor& Tensor::operator-=(Located<double> other) { return F::sub_(*this, other.value, other.where); }
Tensor& Tensor::operator*=(Located<double> other) { return F::mul_(*this, other.value, other.where); }
Tensor& Tensor::operator/=(Located<double> other) { return F::div_(*this, other.value, other.where); }

Tensor operator+(const Tensor& a, Located<const Tensor&> b) { return F::add(a, b.value, b.where); }
Tensor operator-(const Tensor& a, Located<const Tensor&> b) { return F::sub(a, b.value, b.where); }
Tensor operator*(const Tensor& a, Located<const Tensor&> b) { return F::mul(a, b.value, b.where); }
Tensor operator/(const Tensor& a, Located<const Tensor&> b) { return F::div(a, b.value, b.where); }
Tensor operator+(const Tensor& a, Located<double> b) { return F::add(a, b.value, b.where); }
Tensor operator-(const Tensor& a, Located<double> b) { return F::sub(a, b.value, b.where); }
Tensor operator*(const Tensor& a, Located<double> b) { return F::mul(a, b.value, b.where); }
Tensor operator/(const Tensor& a, Located<double> b) { return F::div(a, b.value, b.where); }
Tensor operator+(Located<double> a, const Tensor& b) { return F::add(b, a.value, a.where); }
Tensor operator-(Located<double> a, const Tensor& b) { return F::rsub(b, a.value, a.where); }
Tensor operator*(Located<double> a, const Tensor& b) { return F::mul(b, a.value, a.where); }
Tensor operator/(Located<double> a, const Tensor& b) {
  return F::mul(F::reciprocal(b, a.where), a.value, a.where);
}
Tensor operator-(const Tensor& a) { return F::neg(a); }

}  // namespace modtrace
