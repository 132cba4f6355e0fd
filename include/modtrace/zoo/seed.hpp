#pragma once
// The seed example: a model whose own forward does work outside its children.
//
//   class SimpleBlock(nn.Module):            class MainModel(nn.Module):
//       def functional_stuff(self, x):           def functional_stuff(self, x):
//           return x * 2                             x = self.block_0(x)
//       def forward(self, x):                        return x * 3
//           return self.functional_stuff(x)      def forward(self, x):
//                                                    x = self.functional_stuff(x)
//                                                    x = x + 3
//                                                    return self.block_1(x)
//
// On ones(2, 2): MainModel gives 18 everywhere ((1*2*3 + 3) * 2), while
// Sequential(block_0, block_1) gives 4 (1*2*2): the `* 3` and `+ 3` in the
// root's own code are lost.

#include "modtrace/module.hpp"
#include "modtrace/export.hpp"

MODTRACE_PUBLIC_BEGIN
namespace modtrace::zoo {

class SimpleBlock : public Module {
 public:
  Tensor functional_stuff(const Tensor& x);

 protected:
  Tensor forward(const Tensor& x) override;
};

class MainModel : public Module {
 public:
  SimpleBlock& block_0 = register_module("block_0", std::make_shared<SimpleBlock>());
  SimpleBlock& block_1 = register_module("block_1", std::make_shared<SimpleBlock>());

  Tensor functional_stuff(const Tensor& x);

 protected:
  Tensor forward(const Tensor& x) override;
};

}  // namespace modtrace::zoo
MODTRACE_PUBLIC_END
