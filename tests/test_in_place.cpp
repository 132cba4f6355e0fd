// In-place ops: `x += y`, `x.relu_()`, F::add_. They write the tensor's own
// storage (views sharing it see the change, as in PyTorch), are recorded
// under PyTorch's names (add_), and are refused where modtrace holds a copy
// where PyTorch would hold a view.

#include "helpers.hpp"

using namespace modtrace;

TEST_CASE("x += y writes x's storage, which its views share, and returns x") {
  Tensor x = Tensor::ones({2, 3});
  const Tensor view = x.reshape({6});  // shares storage, as in PyTorch
  Tensor& result = (x += Tensor::full({3}, 2));
  CHECK(&result == &x);
  CHECK(x.to_vector() == std::vector<float>(6, 3.0f));
  CHECK(view.to_vector() == std::vector<float>(6, 3.0f));
  x *= 2;
  x -= 1;
  x /= Tensor::full({2, 1}, 5);
  CHECK(x.at({1, 2}) == 1.0f);  // (3 * 2 - 1) / 5
}

TEST_CASE("the in-place methods compute what their out-of-place forms do") {
  const Tensor x = Tensor::deterministic({2, 4});
  Tensor a = x.clone();
  CHECK(equal(a.relu_(), F::relu(x)));
  Tensor b = x.clone();
  CHECK(equal(b.sigmoid_(), F::sigmoid(x)));
  Tensor c = x.clone();
  CHECK(equal(c.tanh_(), F::tanh(x)));
  Tensor d = x.clone();
  const Tensor mask = F::gt(x, 0.0);
  CHECK(equal(d.masked_fill_(mask, -1), F::masked_fill(x, mask, -1)));
  Tensor e = x.clone();
  CHECK(equal(F::clamp_(e, -0.5, 0.5), F::clamp(x, -0.5, 0.5)));
}

TEST_CASE("an in-place op is recorded as PyTorch names it, and the tensor is then its result") {
  TraceSession session;
  Tensor x = session.input(Tensor::ones({2}));
  const int line = __LINE__ + 1;
  x += 1;
  x.relu_();
  session.output({x});
  const Trace t = session.finish();
  const auto ops = t.op_nodes();
  REQUIRE(ops.size() == 2);
  CHECK(t.graph()[ops[0]].op_name() == "add_");
  CHECK(source_text(t.graph()[ops[0]].source) == "tests/test_in_place.cpp:" + std::to_string(line));
  CHECK(t.graph()[ops[1]].op_name() == "relu_");
  // The output is the relu_ node: x's recorded value moved along.
  CHECK(boost::source(*boost::in_edges(t.outputs()[0], t.graph()).first, t.graph()) == ops[1]);
}

TEST_CASE("writing in place to a copy standing for a PyTorch view is refused, saying why and what to do") {
  Tensor transposed = Tensor::deterministic({2, 3}).transpose(0, 1);
  CHECK(transposed.copied_view_op() == "transpose");
  CHECK(test::error_of([&] { transposed += 1; }) ==
        "add_: cannot write in place to the result of transpose: PyTorch returns a view there, so the write would "
        "also change the tensor it came from, but modtrace made a copy. Write out of place (x = x + y), or clone() "
        "first if the other tensor must not change (got input [3, 2])");
  // A view of such a copy is one too; a clone is a tensor of its own.
  Tensor flat = transposed.reshape({6});
  CHECK(flat.copied_view_op() == "transpose");
  CHECK_THROWS_AS(flat.relu_(), Error);
  Tensor owned = transposed.clone();
  CHECK(owned.copied_view_op().empty());
  owned += 1;
  // The parts of chunk and the rows of select are such copies as well.
  Tensor part = Tensor::ones({4, 2}).chunk(2)[0];
  CHECK(part.copied_view_op() == "chunk");
  CHECK_THROWS_AS(part.mul_(2), Error);
  Tensor row = Tensor::ones({4, 2}).select(0, 1);
  CHECK(row.copied_view_op() == "select");
}

TEST_CASE("broadcasting in place must keep the written tensor's shape, as in PyTorch") {
  Tensor x = Tensor::ones({3});
  CHECK(test::error_of([&] { x += Tensor::ones({2, 3}); }) ==
        "add_: output with shape [3] doesn't match the broadcast shape [2, 3] (got input [3], other [2, 3])");
  CHECK(x.to_vector() == std::vector<float>(3, 1.0f));  // nothing written
}

TEST_CASE("in-place ops in a shape-only trace record and compute nothing") {
  struct Block : Module {
   protected:
    Tensor forward(const Tensor& input) override {
      Tensor x = input * 2;
      x += input;
      return x.relu_();
    }
  } block;
  const Trace t = trace_module(block, {Tensor::ones({2, 2})}, {.shape_only = true});
  REQUIRE(t.completed());
  std::vector<std::string_view> names;
  for (Vertex v : t.op_nodes()) names.push_back(t.graph()[v].op_name());
  CHECK(names == std::vector<std::string_view>{"mul", "add_", "relu_"});
  test::check_same_graph(t, trace_module(block, {Tensor::ones({2, 2})}));
}
