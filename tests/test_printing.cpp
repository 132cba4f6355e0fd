// Printing matches PyTorch 1.13's repr (torch/_tensor_str.py); every expected
// string below is what PyTorch printed for the same tensor.

#include <cmath>
#include <limits>
#include <sstream>

#include "helpers.hpp"

using namespace modtrace;

TEST_CASE("integers print with a trailing point") {
  CHECK(Tensor::full({2, 2}, 18.0f).str() ==
        "tensor([[18., 18.],\n"
        "        [18., 18.]])");
}

TEST_CASE("mixed magnitudes below 1000x print fixed with four decimals") {
  CHECK(Tensor({3}, {1.5f, -2.25f, 1000.0f}).str() ==
        "tensor([   1.5000,   -2.2500, 1000.0000])");
}

TEST_CASE("tiny values switch to scientific notation") {
  CHECK(Tensor({2}, {1e-5f, 1.0f}).str() ==
        "tensor([1.0000e-05, 1.0000e+00])");
}

TEST_CASE("a range over 1000x switches to scientific notation") {
  CHECK(Tensor({2}, {1.0f, 2e8f}).str() ==
        "tensor([1.0000e+00, 2.0000e+08])");
}

TEST_CASE("large non-integers use scientific notation too") {
  CHECK(Tensor({2}, {123456.5f, 0.5f}).str() ==
        "tensor([1.2346e+05, 5.0000e-01])");
}

TEST_CASE("zeros print as integers") {
  CHECK(Tensor::zeros({2}).str() ==
        "tensor([0., 0.])");
}

TEST_CASE("a scalar prints without brackets") {
  CHECK(Tensor::scalar(3.25f).str() ==
        "tensor(3.2500)");
}

TEST_CASE("an empty 2-D tensor shows its size") {
  CHECK(Tensor::zeros({0, 3}).str() ==
        "tensor([], size=(0, 3))");
}

TEST_CASE("an empty vector prints as []") {
  CHECK(Tensor::zeros({0}).str() ==
        "tensor([])");
}

TEST_CASE("nan and inf in integer mode") {
  CHECK(Tensor({3}, {NAN, 1.0f, INFINITY}).str() ==
        "tensor([nan, 1., inf])");
}

TEST_CASE("nan is padded to the column width") {
  CHECK(Tensor({2}, {NAN, 1.5f}).str() ==
        "tensor([   nan, 1.5000])");
}

TEST_CASE("negative zero keeps its sign") {
  CHECK(Tensor({2}, {-0.0f, 2.0f}).str() ==
        "tensor([-0., 2.])");
}

TEST_CASE("rows wrap at 80 columns") {
  CHECK(F::add(Tensor::arange(30), 1.0).str() ==
        "tensor([ 1.,  2.,  3.,  4.,  5.,  6.,  7.,  8.,  9., 10., 11., 12., 13., 14.,\n"
        "        15., 16., 17., 18., 19., 20., 21., 22., 23., 24., 25., 26., 27., 28.,\n"
        "        29., 30.])");
}

TEST_CASE("a 3-D tensor nests brackets with aligned indentation") {
  CHECK(Tensor({1, 2, 2}, {1, 2, 3, 4}).str() ==
        "tensor([[[1., 2.],\n"
        "         [3., 4.]]])");
}

TEST_CASE("many dimensions nest as PyTorch nests them, up to the 64 a tensor may have") {
  // PyTorch 1.13: repr(torch.arange(8.).reshape((2,) + (1,) * 5 + (2, 2)))
  CHECK(Tensor({2, 1, 1, 1, 1, 1, 2, 2}, {0, 1, 2, 3, 4, 5, 6, 7}).str() ==
        "tensor([[[[[[[[0., 1.],\n"
        "              [2., 3.]]]]]]],\n\n\n\n\n\n\n"
        "        [[[[[[[4., 5.],\n"
        "              [6., 7.]]]]]]]])");
  // repr(torch.ones((1,) * 64)): 64 brackets each side.
  CHECK(Tensor::ones(Shape(64, 1)).str() == "tensor(" + std::string(64, '[') + "1." + std::string(64, ']') + ")");
}

TEST_CASE("long rows wrap with the continuation indented") {
  CHECK(F::div(Tensor::arange(30).reshape({2, 15}), 7.0).str() ==
        "tensor([[0.0000, 0.1429, 0.2857, 0.4286, 0.5714, 0.7143, 0.8571, 1.0000, 1.1429,\n"
        "         1.2857, 1.4286, 1.5714, 1.7143, 1.8571, 2.0000],\n"
        "        [2.1429, 2.2857, 2.4286, 2.5714, 2.7143, 2.8571, 3.0000, 3.1429, 3.2857,\n"
        "         3.4286, 3.5714, 3.7143, 3.8571, 4.0000, 4.1429]])");
}

TEST_CASE("more than 1000 elements are summarised with edge items") {
  CHECK(F::div(Tensor::arange(3000).reshape({3, 10, 100}), 1000.0).str() ==
        "tensor([[[0.0000e+00, 1.0000e-03, 2.0000e-03,  ..., 9.7000e-02,\n"
        "          9.8000e-02, 9.9000e-02],\n"
        "         [1.0000e-01, 1.0100e-01, 1.0200e-01,  ..., 1.9700e-01,\n"
        "          1.9800e-01, 1.9900e-01],\n"
        "         [2.0000e-01, 2.0100e-01, 2.0200e-01,  ..., 2.9700e-01,\n"
        "          2.9800e-01, 2.9900e-01],\n"
        "         ...,\n"
        "         [7.0000e-01, 7.0100e-01, 7.0200e-01,  ..., 7.9700e-01,\n"
        "          7.9800e-01, 7.9900e-01],\n"
        "         [8.0000e-01, 8.0100e-01, 8.0200e-01,  ..., 8.9700e-01,\n"
        "          8.9800e-01, 8.9900e-01],\n"
        "         [9.0000e-01, 9.0100e-01, 9.0200e-01,  ..., 9.9700e-01,\n"
        "          9.9800e-01, 9.9900e-01]],\n"
        "\n"
        "        [[1.0000e+00, 1.0010e+00, 1.0020e+00,  ..., 1.0970e+00,\n"
        "          1.0980e+00, 1.0990e+00],\n"
        "         [1.1000e+00, 1.1010e+00, 1.1020e+00,  ..., 1.1970e+00,\n"
        "          1.1980e+00, 1.1990e+00],\n"
        "         [1.2000e+00, 1.2010e+00, 1.2020e+00,  ..., 1.2970e+00,\n"
        "          1.2980e+00, 1.2990e+00],\n"
        "         ...,\n"
        "         [1.7000e+00, 1.7010e+00, 1.7020e+00,  ..., 1.7970e+00,\n"
        "          1.7980e+00, 1.7990e+00],\n"
        "         [1.8000e+00, 1.8010e+00, 1.8020e+00,  ..., 1.8970e+00,\n"
        "          1.8980e+00, 1.8990e+00],\n"
        "         [1.9000e+00, 1.9010e+00, 1.9020e+00,  ..., 1.9970e+00,\n"
        "          1.9980e+00, 1.9990e+00]],\n"
        "\n"
        "        [[2.0000e+00, 2.0010e+00, 2.0020e+00,  ..., 2.0970e+00,\n"
        "          2.0980e+00, 2.0990e+00],\n"
        "         [2.1000e+00, 2.1010e+00, 2.1020e+00,  ..., 2.1970e+00,\n"
        "          2.1980e+00, 2.1990e+00],\n"
        "         [2.2000e+00, 2.2010e+00, 2.2020e+00,  ..., 2.2970e+00,\n"
        "          2.2980e+00, 2.2990e+00],\n"
        "         ...,\n"
        "         [2.7000e+00, 2.7010e+00, 2.7020e+00,  ..., 2.7970e+00,\n"
        "          2.7980e+00, 2.7990e+00],\n"
        "         [2.8000e+00, 2.8010e+00, 2.8020e+00,  ..., 2.8970e+00,\n"
        "          2.8980e+00, 2.8990e+00],\n"
        "         [2.9000e+00, 2.9010e+00, 2.9020e+00,  ..., 2.9970e+00,\n"
        "          2.9980e+00, 2.9990e+00]]])");
}

TEST_CASE("a meta tensor prints its size and device, as PyTorch does") {
  CHECK(Tensor::meta({2, 3}).str() == "tensor(..., device='meta', size=(2, 3))");
}

TEST_CASE("operator<< prints the same text as str()") {
  std::ostringstream out;
  out << Tensor::ones({2});
  CHECK(out.str() == "tensor([1., 1.])");
}

TEST_CASE("print options change precision, threshold and edge items") {
  PrintOptions options;
  options.precision = 2;
  options.threshold = 5;
  options.edgeitems = 2;
  CHECK(to_string(F::div(Tensor::arange(10), 3.0), options) == "tensor([0.00, 0.33,  ..., 2.67, 3.00])");
}

TEST_CASE("every zoo model prints exactly as PyTorch prints it") {
  const nlohmann::json reference = test::read_reference("reprs.json");
  for (const auto& [name, text] : reference["reprs"].items()) {
    INFO(name);
    CHECK(zoo::create(name)->repr() == text.get<std::string>());
  }
}

TEST_CASE("floats print as Python's repr: the shortest text that reads back the same") {
  CHECK(python_repr(0.0) == "0.0");
  CHECK(python_repr(1.0) == "1.0");
  CHECK(python_repr(0.1) == "0.1");
  CHECK(python_repr(1e-5) == "1e-05");
  CHECK(python_repr(1.5e-5) == "1.5e-05");
  CHECK(python_repr(0.0001) == "0.0001");
  CHECK(python_repr(0.1 + 0.2) == "0.30000000000000004");
  CHECK(python_repr(1.0 - 0.9997) == "0.00029999999999996696");  // torchvision's 1 - 0.9997 momentum
  CHECK(python_repr(1e16) == "1e+16");
  CHECK(python_repr(123456789012345.0) == "123456789012345.0");
  CHECK(python_repr(-2.5) == "-2.5");
  CHECK(python_repr(-0.0) == "-0.0");
  CHECK(python_repr(1.0 / 170) == "0.0058823529411764705");
  CHECK(python_repr(std::numeric_limits<double>::infinity()) == "inf");
  CHECK(python_repr(true) == "True");
}

TEST_CASE("an int-or-tuple argument prints as it was given") {
  CHECK(python_repr(Size2(3)) == "3");
  CHECK(python_repr(Size2(3, 3)) == "(3, 3)");
  CHECK(AdaptiveAvgPool2d(1).repr() == "AdaptiveAvgPool2d(output_size=1)");
  CHECK(AdaptiveAvgPool2d({1, 1}).repr() == "AdaptiveAvgPool2d(output_size=(1, 1))");
  CHECK(MaxPool2d({2, 2}).repr() ==
        "MaxPool2d(kernel_size=(2, 2), stride=(2, 2), padding=0, dilation=1, ceil_mode=False)");
  CHECK(python_tuple({4}) == "(4,)");
}
