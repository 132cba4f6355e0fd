#include "modtrace/zoo/seed.hpp"

namespace modtrace::zoo {

Tensor SimpleBlock::functional_stuff(const Tensor& x) { return x * 2; }

Tensor SimpleBlock::forward(const Tensor& x) { return functional_stuff(x); }

Tensor MainModel::functional_stuff(const Tensor& x) {
  Tensor y = block_0(x);
  return y * 3;
}

Tensor MainModel::forward(const Tensor& x) {
  Tensor y = functional_stuff(x);
  y = y + 3;
  return block_1(y);
}

}  // namespace modtrace::zoo
