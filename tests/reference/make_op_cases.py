#!/usr/bin/env python3
"""PyTorch-computed cases for every modtrace op: op_cases.json.

Each case gives the op (modtrace's name, PyTorch's), its input tensors
(shape and row-major data), its attributes, and the output PyTorch 1.13
computed. tests/test_ops_match_pytorch.cpp runs every case through
modtrace::F and compares.

Not needed to build or test modtrace: the JSON is committed. Regenerate with
Debian's python3-torch:  /usr/bin/python3 tests/reference/make_op_cases.py
"""
import json, math, os, sys
import numpy as np
import torch
import torch.nn.functional as F
import torchvision.ops

torch.manual_seed(1234)
cases = []

def data(shape, lo=-1.0, hi=1.0):
    return (torch.rand(shape) * (hi - lo) + lo).float()

def number_json(v):
    # JSON has no infinities or NaN: they travel as strings. Finite values are
    # written with the fewest digits that read back as the same float32.
    v = float(v)
    if not math.isfinite(v):
        return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf")
    return float(np.format_float_positional(np.float32(v), unique=True, trim="-")) if abs(v) < 1e16 else v

def tensor_json(t):
    return {"shape": list(t.shape), "data": [number_json(v) for v in t.flatten()]}

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_reference import uniform  # noqa: E402

def near(shape, key, base, spread):
    """base + spread * (2u - 1) by the reference rule, in float64 then float32:
    large, nearly constant inputs, where float32 accumulation loses digits.
    The case stores the rule, not the values; the C++ test rebuilds them."""
    n = int(np.prod(shape))
    t = torch.from_numpy((base + spread * (2 * uniform(key, n) - 1)).astype(np.float32)).reshape(shape)
    t.rule = {"shape": list(shape), "near": {"key": key, "base": base, "spread": spread}}
    return t

def case(name, op, inputs, attrs, fn):
    """fn's result: one tensor ("output"), or a tuple for ops with several
    outputs ("outputs"). Booleans and integer indices become float32, as
    modtrace gives them."""
    with torch.no_grad():
        out = fn(*inputs)
    record = {"name": name, "op": op, "inputs": [None if t is None else tensor_json(t) for t in inputs], "attrs": attrs}
    if isinstance(out, (tuple, list)):
        record["outputs"] = [tensor_json(t.float()) for t in out]
    else:
        record["output"] = tensor_json(out.float())
    cases.append(record)

def precision_case(name, op, inputs, attrs, fn):
    """A reduction on large, nearly constant inputs. The expected output is
    the float64 result rounded to float32; `pytorch_error` is how far
    PyTorch's own float32 result is from it. modtrace must be as accurate."""
    with torch.no_grad():
        out32 = fn(*inputs)
        truth = fn(*[t.double() for t in inputs])
    error = float((out32.double() - truth).abs().max())
    cases.append({"name": name, "op": op, "inputs": [t.rule for t in inputs], "attrs": attrs,
                  "output": tensor_json(truth.float()), "pytorch_error": error})

# ---- arithmetic ----
a, b = data([2, 3, 4]), data([3, 1])
case("add broadcasts [2,3,4] with [3,1]", "add", [a, b], {}, torch.add)
case("add with same shapes", "add", [a, data([2, 3, 4])], {}, torch.add)
case("add a rank-0 tensor to a vector", "add", [data([]), data([5])], {}, torch.add)
case("add a scalar", "add", [a], {"other": 3.0}, lambda x: x + 3)
case("sub broadcasts [1,4] from [2,3,4]", "sub", [a, data([1, 4])], {}, torch.sub)
case("sub a scalar", "sub", [a], {"other": 0.5}, lambda x: x - 0.5)
case("rsub: scalar minus tensor", "rsub", [a], {"other": 3.0}, lambda x: 3 - x)
case("mul broadcasts [2,1,4] with [3,1]", "mul", [data([2, 1, 4]), data([3, 1])], {}, torch.mul)
case("mul by a scalar", "mul", [a], {"other": -2.5}, lambda x: x * -2.5)
case("div broadcasts", "div", [a, data([4], 0.5, 2.0)], {}, torch.div)
case("div by a scalar", "div", [a], {"other": 3.0}, lambda x: x / 3)
case("div by zero gives infinities", "div", [torch.tensor([1.0, -1.0, 2.0]), torch.tensor([0.0, 0.0, 4.0])], {}, torch.div)
case("neg", "neg", [a], {}, torch.neg)
case("reciprocal", "reciprocal", [data([7], 0.25, 4.0)], {}, torch.reciprocal)

case("abs", "abs", [data([2, 5], -3, 3)], {}, torch.abs)
pos = data([2, 5], 0.1, 4.0)
case("sqrt", "sqrt", [pos], {}, torch.sqrt)
case("rsqrt", "rsqrt", [pos], {}, torch.rsqrt)
case("exp", "exp", [data([2, 5], -4, 4)], {}, torch.exp)
case("log", "log", [pos], {}, torch.log)
case("pow 2", "pow", [a], {"exponent": 2.0}, lambda x: x.pow(2))
case("pow 0.5", "pow", [pos], {"exponent": 0.5}, lambda x: x.pow(0.5))
case("pow -1.5", "pow", [pos], {"exponent": -1.5}, lambda x: x.pow(-1.5))
case("clamp to [-0.5, 0.25]", "clamp", [a], {"min": -0.5, "max": 0.25}, lambda x: torch.clamp(x, -0.5, 0.25))
case("clamp with only a max", "clamp", [a], {"max": 0.1}, lambda x: torch.clamp(x, max=0.1))
case("clamp with min above max gives max", "clamp", [a], {"min": 0.5, "max": 0.2}, lambda x: torch.clamp(x, 0.5, 0.2))
cond = (torch.rand([2, 3, 1]) > 0.5).float()
case("where broadcasts condition, input and other", "where", [cond, a, data([4])], {},
     lambda c, x, y: torch.where(c != 0, x, y))
mask = (torch.rand([3, 1]) > 0.5).float()
case("masked_fill with a broadcast mask", "masked_fill", [a, mask], {"value": -7.5},
     lambda x, m: x.masked_fill(m != 0, -7.5))
for name, fn in [("eq", torch.eq), ("ne", torch.ne), ("gt", torch.gt), ("ge", torch.ge), ("lt", torch.lt), ("le", torch.le)]:
    ints_a = torch.randint(-2, 3, [2, 3, 4]).float()
    ints_b = torch.randint(-2, 3, [3, 1]).float()
    case(f"{name} broadcasts", name, [ints_a, ints_b], {}, fn)
    case(f"{name} with a scalar", name, [ints_a], {"other": 1.0}, lambda x, fn=fn: fn(x, 1.0))
case("eq: NaN equals nothing", "eq", [torch.tensor([float("nan"), 1.0])], {"other": 1.0}, lambda x: torch.eq(x, 1.0))

# ---- in place: the first input is written (the reference works on a copy) ----
case("add_ broadcasts into the first input", "add_", [a, b], {}, lambda x, y: x.clone().add_(y))
case("add_ a scalar", "add_", [a], {"other": 2.0}, lambda x: x.clone().add_(2.0))
case("sub_ a tensor", "sub_", [a, data([4])], {}, lambda x, y: x.clone().sub_(y))
case("mul_ by a scalar", "mul_", [a], {"other": -3.0}, lambda x: x.clone().mul_(-3.0))
case("div_ by a tensor", "div_", [a, data([3, 1], 0.5, 2.0)], {}, lambda x, y: x.clone().div_(y))
case("clamp_", "clamp_", [a], {"min": -0.2, "max": 0.3}, lambda x: x.clone().clamp_(-0.2, 0.3))
case("masked_fill_", "masked_fill_", [a, mask], {"value": 9.0}, lambda x, m: x.clone().masked_fill_(m != 0, 9.0))

# ---- activations: a grid through the interesting points ----
grid = torch.tensor([-8.0, -6.0, -3.5, -3.0, -2.0, -1.0, -0.5, -0.0, 0.0, 0.25, 0.5, 1.0, 2.0, 3.0, 3.5, 6.0, 6.5, 8.0])
case("relu", "relu", [grid], {}, F.relu)
case("relu6 clamps to [0, 6]", "relu6", [grid], {}, F.relu6)
case("gelu, erf form", "gelu", [grid], {"approximate": "none"}, F.gelu)
case("gelu, tanh approximation", "gelu", [grid], {"approximate": "tanh"}, lambda x: F.gelu(x, approximate="tanh"))
case("silu", "silu", [grid], {}, F.silu)
case("sigmoid", "sigmoid", [grid], {}, torch.sigmoid)
case("hardsigmoid", "hardsigmoid", [grid], {}, F.hardsigmoid)
case("hardswish", "hardswish", [grid], {}, F.hardswish)
case("tanh", "tanh", [grid], {}, torch.tanh)
case("relu_", "relu_", [grid], {}, lambda x: x.clone().relu_())
case("sigmoid_", "sigmoid_", [grid], {}, lambda x: x.clone().sigmoid_())
case("tanh_", "tanh_", [grid], {}, lambda x: x.clone().tanh_())
case("leaky_relu, default slope", "leaky_relu", [grid], {"negative_slope": 0.01}, F.leaky_relu)
case("leaky_relu, slope 0.2", "leaky_relu", [grid], {"negative_slope": 0.2}, lambda x: F.leaky_relu(x, 0.2))
case("mish", "mish", [grid], {}, F.mish)
case("softplus", "softplus", [grid * 4], {"beta": 1.0, "threshold": 20.0}, F.softplus)
case("softplus, beta 2 threshold 5", "softplus", [grid], {"beta": 2.0, "threshold": 5.0}, lambda x: F.softplus(x, 2, 5))
case("prelu, one slope per channel", "prelu", [data([2, 3, 4]), data([3], 0.0, 0.5)], {}, F.prelu)
case("prelu, one slope", "prelu", [data([2, 3, 4]), torch.tensor([0.25])], {}, F.prelu)
s = data([2, 3, 4], -4, 4)
for d in (0, 1, -1):
    case(f"softmax over dim {d}", "softmax", [s], {"dim": d}, lambda x, d=d: F.softmax(x, dim=d))
for d in (0, -1):
    case(f"log_softmax over dim {d}", "log_softmax", [s], {"dim": d}, lambda x, d=d: F.log_softmax(x, dim=d))

# ---- products ----
case("matmul vector . vector", "matmul", [data([4]), data([4])], {}, torch.matmul)
case("matmul vector x matrix", "matmul", [data([3]), data([3, 5])], {}, torch.matmul)
case("matmul matrix x vector", "matmul", [data([2, 3]), data([3])], {}, torch.matmul)
case("matmul matrix x matrix", "matmul", [data([2, 3]), data([3, 4])], {}, torch.matmul)
case("matmul batched x matrix", "matmul", [data([2, 3, 4]), data([4, 5])], {}, torch.matmul)
case("matmul broadcasts batch dimensions", "matmul", [data([2, 1, 3, 4]), data([5, 4, 2])], {}, torch.matmul)
case("matmul batched x vector", "matmul", [data([2, 3, 4]), data([4])], {}, torch.matmul)
case("linear with bias", "linear", [data([3, 4]), data([5, 4]), data([5])], {}, F.linear)
case("linear without bias", "linear", [data([3, 4]), data([5, 4]), None], {}, lambda x, w, b: F.linear(x, w))
case("linear on a 3-D input", "linear", [data([2, 3, 4]), data([5, 4]), data([5])], {}, F.linear)
case("linear on a vector", "linear", [data([4]), data([2, 4]), data([2])], {}, F.linear)
case("bmm", "bmm", [data([2, 3, 4]), data([2, 4, 5])], {}, torch.bmm)
case("baddbmm with beta and alpha", "baddbmm", [data([3, 1]), data([2, 3, 4]), data([2, 4, 5])], {"beta": 0.5, "alpha": 2.0},
     lambda i, b1, b2: torch.baddbmm(i, b1, b2, beta=0.5, alpha=2.0))
case("baddbmm with beta 0 ignores the input", "baddbmm", [torch.full([2, 3, 5], float("nan")), data([2, 3, 4]), data([2, 4, 5])],
     {"beta": 0.0, "alpha": 1.0}, lambda i, b1, b2: torch.baddbmm(i, b1, b2, beta=0.0))
for eq_, shapes in [("bij,bjk->bik", [[2, 3, 4], [2, 4, 5]]), ("bhqd,bhkd->bhqk", [[1, 2, 3, 4], [1, 2, 5, 4]]),
                    ("ij->ji", [[3, 4]]), ("ii->i", [[3, 3]]), ("i,i->", [[5], [5]]), ("i,j->ij", [[3], [4]]),
                    ("ij,jk", [[2, 3], [3, 4]]), ("...ij,...jk->...ik", [[2, 2, 3], [3, 4]]), ("bn,anm,bm->ba", [[2, 3], [4, 3, 5], [2, 5]]),
                    ("ijk->", [[2, 3, 4]]), ("b i d, b j d -> b i j", [[2, 3, 4], [2, 5, 4]])]:
    case(f"einsum {eq_}", "einsum", [data(sh) for sh in shapes], {"equation": eq_}, lambda *t, e=eq_: torch.einsum(e, *t))

def conv(name, x, w, b, stride=1, padding=0, dilation=1, groups=1):
    pair = lambda v: list(v) if isinstance(v, tuple) else [v, v]
    case(name, "conv2d", [x, w, b],
         {"stride": pair(stride), "padding": pair(padding), "dilation": pair(dilation), "groups": groups},
         lambda x, w, b: F.conv2d(x, w, b, stride, padding, dilation, groups))

conv("conv2d 3x3, no padding", data([1, 2, 5, 5]), data([3, 2, 3, 3]), data([3]))
conv("conv2d stride 2, padding 1, batch 2", data([2, 3, 7, 7]), data([4, 3, 3, 3]), data([4]), stride=2, padding=1)
conv("conv2d dilation 2", data([1, 2, 7, 7]), data([2, 2, 3, 3]), data([2]), padding=2, dilation=2)
conv("conv2d groups 2", data([1, 4, 5, 5]), data([6, 2, 3, 3]), data([6]), padding=1, groups=2)
conv("conv2d depthwise", data([1, 3, 6, 6]), data([3, 1, 3, 3]), data([3]), stride=2, padding=1, groups=3)
conv("conv2d depthwise with channel multiplier 2", data([1, 2, 5, 5]), data([4, 1, 3, 3]), data([4]), padding=1, groups=2)
conv("conv2d 1x1", data([2, 3, 4, 4]), data([5, 3, 1, 1]), data([5]))
conv("conv2d 1x1 stride 2", data([1, 3, 5, 5]), data([2, 3, 1, 1]), data([2]), stride=2)
conv("conv2d without bias", data([1, 2, 4, 4]), data([3, 2, 3, 3]), None, padding=1)
conv("conv2d unbatched (C, H, W) input", data([2, 5, 5]), data([3, 2, 3, 3]), data([3]), padding=1)
conv("conv2d 1x3 kernel, padding (0, 1), stride (2, 1)", data([1, 2, 5, 6]), data([3, 2, 1, 3]), data([3]), stride=(2, 1), padding=(0, 1))
conv("conv2d 7x7 stride 2 padding 3", data([1, 3, 16, 16]), data([4, 3, 7, 7]), data([4]), stride=2, padding=3)

def conv1(name, x, w, b, stride=1, padding=0, dilation=1, groups=1):
    case(name, "conv1d", [x, w, b], {"stride": [stride], "padding": [padding], "dilation": [dilation], "groups": groups},
         lambda x, w, b: F.conv1d(x, w, b, stride, padding, dilation, groups))

conv1("conv1d kernel 3 padding 1", data([2, 3, 10]), data([4, 3, 3]), data([4]), padding=1)
conv1("conv1d stride 2 dilation 2", data([1, 2, 11]), data([3, 2, 3]), data([3]), stride=2, dilation=2)
conv1("conv1d groups 2 without bias", data([1, 4, 8]), data([6, 2, 3]), None, groups=2)
conv1("conv1d unbatched (C, L)", data([3, 7]), data([2, 3, 2]), data([2]))
conv1("conv1d depthwise", data([1, 3, 9]), data([3, 1, 3]), data([3]), padding=1, groups=3)

def convt(name, x, w, b, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    pair = lambda v: list(v) if isinstance(v, tuple) else [v, v]
    case(name, "conv_transpose2d", [x, w, b],
         {"stride": pair(stride), "padding": pair(padding), "output_padding": pair(output_padding), "groups": groups,
          "dilation": pair(dilation)},
         lambda x, w, b: F.conv_transpose2d(x, w, b, stride, padding, output_padding, groups, dilation))

convt("conv_transpose2d stride 2", data([1, 3, 4, 4]), data([3, 2, 3, 3]), data([2]), stride=2)
convt("conv_transpose2d stride 2 padding 1 output_padding 1", data([2, 2, 5, 5]), data([2, 3, 3, 3]), data([3]),
      stride=2, padding=1, output_padding=1)
convt("conv_transpose2d groups 2 dilation 2 without bias", data([1, 4, 3, 3]), data([4, 1, 2, 2]), None, groups=2, dilation=2)
convt("conv_transpose2d 1x1 on an unbatched input", data([3, 4, 5]), data([3, 2, 1, 1]), data([2]))
convt("conv_transpose2d stride (2, 1), kernel 4x2", data([1, 2, 3, 4]), data([2, 2, 4, 2]), data([2]), stride=(2, 1), padding=(1, 0))

# ---- pooling ----
def pool_attrs(k, s, p, **kw):
    pair = lambda v: list(v) if isinstance(v, tuple) else [v, v]
    return dict({"kernel_size": pair(k), "stride": pair(s if s is not None else k), "padding": pair(p)}, **kw)

x = data([1, 2, 7, 7])
case("max_pool2d 3x3 stride 2 padding 1", "max_pool2d", [x], pool_attrs(3, 2, 1, dilation=[1, 1], ceil_mode=False),
     lambda x: F.max_pool2d(x, 3, 2, 1))
case("max_pool2d ceil_mode", "max_pool2d", [data([1, 2, 8, 8])], pool_attrs(3, 2, 0, dilation=[1, 1], ceil_mode=True),
     lambda x: F.max_pool2d(x, 3, 2, 0, ceil_mode=True))
case("max_pool2d ceil_mode drops a window that would start in the padding", "max_pool2d", [data([1, 1, 5, 5])],
     pool_attrs(2, 2, 1, dilation=[1, 1], ceil_mode=True), lambda x: F.max_pool2d(x, 2, 2, 1, ceil_mode=True))
case("max_pool2d dilation 2", "max_pool2d", [x], pool_attrs(2, 1, 0, dilation=[2, 2], ceil_mode=False),
     lambda x: F.max_pool2d(x, 2, 1, 0, dilation=2))
case("max_pool2d default stride", "max_pool2d", [data([2, 3, 6, 6])], pool_attrs(2, None, 0, dilation=[1, 1], ceil_mode=False),
     lambda x: F.max_pool2d(x, 2))
case("max_pool2d non-square kernel on a 3-D input", "max_pool2d", [data([2, 6, 5])], pool_attrs((3, 1), (2, 1), 0, dilation=[1, 1], ceil_mode=False),
     lambda x: F.max_pool2d(x, (3, 1), (2, 1)))
case("avg_pool2d 3x3 stride 2 padding 1 counting padding", "avg_pool2d", [x], pool_attrs(3, 2, 1, ceil_mode=False, count_include_pad=True),
     lambda x: F.avg_pool2d(x, 3, 2, 1))
case("avg_pool2d not counting padding", "avg_pool2d", [x], pool_attrs(3, 2, 1, ceil_mode=False, count_include_pad=False),
     lambda x: F.avg_pool2d(x, 3, 2, 1, count_include_pad=False))
case("avg_pool2d ceil_mode with padding", "avg_pool2d", [data([1, 2, 6, 6])], pool_attrs(3, 2, 1, ceil_mode=True, count_include_pad=True),
     lambda x: F.avg_pool2d(x, 3, 2, 1, ceil_mode=True))
case("avg_pool2d 2x2", "avg_pool2d", [data([1, 3, 4, 6])], pool_attrs(2, None, 0, ceil_mode=False, count_include_pad=True),
     lambda x: F.avg_pool2d(x, 2))
pooled = F.max_pool2d(data([1, 2, 6, 6]), 2, return_indices=True)
case("max_pool2d_with_indices 3x3 stride 2 padding 1", "max_pool2d_with_indices", [x],
     pool_attrs(3, 2, 1, dilation=[1, 1], ceil_mode=False), lambda x: F.max_pool2d(x, 3, 2, 1, return_indices=True))
case("max_pool2d_with_indices on ties picks the first", "max_pool2d_with_indices", [torch.ones([1, 1, 4, 4])],
     pool_attrs(2, 2, 0, dilation=[1, 1], ceil_mode=False), lambda x: F.max_pool2d(x, 2, return_indices=True))
case("max_unpool2d puts values back at their indices", "max_unpool2d", [pooled[0], pooled[1].float()],
     {"kernel_size": [2, 2], "stride": [2, 2], "padding": [0, 0], "output_size": [6, 6]},
     lambda v, i: F.max_unpool2d(v, i.long(), 2))
case("max_unpool2d to a larger output size", "max_unpool2d", [pooled[0], pooled[1].float()],
     {"kernel_size": [2, 2], "stride": [2, 2], "padding": [0, 0], "output_size": [7, 7]},
     lambda v, i: F.max_unpool2d(v, i.long(), 2, output_size=[7, 7]))
x1 = data([2, 3, 11])
case("max_pool1d kernel 3 stride 2 padding 1", "max_pool1d", [x1], {"kernel_size": [3], "stride": [2], "padding": [1], "dilation": [1], "ceil_mode": False},
     lambda x: F.max_pool1d(x, 3, 2, 1))
case("max_pool1d ceil_mode and dilation 2", "max_pool1d", [x1], {"kernel_size": [2], "stride": [2], "padding": [0], "dilation": [2], "ceil_mode": True},
     lambda x: F.max_pool1d(x, 2, 2, 0, dilation=2, ceil_mode=True))
case("avg_pool1d kernel 4 on an unbatched input", "avg_pool1d", [data([3, 9])], {"kernel_size": [4], "stride": [4], "padding": [0], "ceil_mode": False, "count_include_pad": True},
     lambda x: F.avg_pool1d(x, 4))
case("avg_pool1d padding not counted", "avg_pool1d", [x1], {"kernel_size": [3], "stride": [2], "padding": [1], "ceil_mode": True, "count_include_pad": False},
     lambda x: F.avg_pool1d(x, 3, 2, 1, ceil_mode=True, count_include_pad=False))
for (h, w), out in [((7, 7), (1, 1)), ((7, 7), (3, 3)), ((5, 7), (2, 3)), ((3, 3), (4, 4)), ((6, 6), (6, 6))]:
    case(f"adaptive_avg_pool2d {h}x{w} to {out[0]}x{out[1]}", "adaptive_avg_pool2d", [data([1, 2, h, w])],
         {"output_size": list(out)}, lambda x, out=out: F.adaptive_avg_pool2d(x, out))

# ---- normalisation ----
xb = data([2, 3, 4, 4], -2, 2)
rm, rv, wt, bs = data([3]), data([3], 0.5, 1.5), data([3], 0.75, 1.25), data([3])
case("batch_norm in eval mode", "batch_norm", [xb, rm, rv, wt, bs], {"training": False, "momentum": 0.1, "eps": 1e-5},
     lambda x, m, v, w, b: F.batch_norm(x, m.clone(), v.clone(), w, b, False, 0.1, 1e-5))
case("batch_norm in eval mode without affine", "batch_norm", [xb, rm, rv, None, None], {"training": False, "momentum": 0.1, "eps": 1e-3},
     lambda x, m, v, w, b: F.batch_norm(x, m.clone(), v.clone(), None, None, False, 0.1, 1e-3))
case("batch_norm in training mode uses batch statistics", "batch_norm", [xb, rm, rv, wt, bs], {"training": True, "momentum": 0.1, "eps": 1e-5},
     lambda x, m, v, w, b: F.batch_norm(x, m.clone(), v.clone(), w, b, True, 0.1, 1e-5))
case("batch_norm on (N, C) input", "batch_norm", [data([4, 3]), rm, rv, wt, bs], {"training": False, "momentum": 0.1, "eps": 1e-5},
     lambda x, m, v, w, b: F.batch_norm(x, m.clone(), v.clone(), w, b, False, 0.1, 1e-5))
xl = data([2, 3, 8], -3, 3)
case("layer_norm over the last dimension", "layer_norm", [xl, data([8], 0.5, 1.5), data([8])], {"normalized_shape": [8], "eps": 1e-5},
     lambda x, w, b: F.layer_norm(x, [8], w, b, 1e-5))
case("layer_norm over the last two dimensions", "layer_norm", [xl, data([3, 8], 0.5, 1.5), data([3, 8])], {"normalized_shape": [3, 8], "eps": 1e-6},
     lambda x, w, b: F.layer_norm(x, [3, 8], w, b, 1e-6))
case("layer_norm without affine", "layer_norm", [xl, None, None], {"normalized_shape": [8], "eps": 1e-5},
     lambda x, w, b: F.layer_norm(x, [8], None, None, 1e-5))
xg = data([2, 6, 3, 4], -2, 2)
case("group_norm 3 groups with affine", "group_norm", [xg, data([6], 0.5, 1.5), data([6])], {"num_groups": 3, "eps": 1e-5},
     lambda x, w, b: F.group_norm(x, 3, w, b, 1e-5))
case("group_norm 1 group without affine on (N, C)", "group_norm", [data([3, 4]), None, None], {"num_groups": 1, "eps": 1e-5},
     lambda x, w, b: F.group_norm(x, 1, None, None, 1e-5))
case("instance_norm with affine", "instance_norm", [xg, None, None, data([6], 0.5, 1.5), data([6])],
     {"use_input_stats": True, "momentum": 0.1, "eps": 1e-5}, lambda x, m, v, w, b: F.instance_norm(x, None, None, w, b))
case("instance_norm by running statistics", "instance_norm", [xg, data([6]), data([6], 0.5, 1.5), None, None],
     {"use_input_stats": False, "momentum": 0.1, "eps": 1e-5},
     lambda x, m, v, w, b: F.instance_norm(x, m.clone(), v.clone(), None, None, use_input_stats=False))
precision_case("group_norm over 2 groups of 32x32 values near 100", "group_norm", [near([2, 4, 32, 32], "gn", 100.0, 0.1)],
               {"num_groups": 2, "eps": 1e-5}, lambda x: F.group_norm(x, 2, None, None, 1e-5))
precision_case("instance_norm over 64x64 values near 100", "instance_norm", [near([1, 2, 64, 64], "in", 100.0, 0.1)],
               {"use_input_stats": True, "momentum": 0.1, "eps": 1e-5}, lambda x: F.instance_norm(x))

# ---- views and copies ----
v = data([2, 3, 4])
case("reshape infers -1", "reshape", [v], {"shape": [4, -1]}, lambda x: x.reshape(4, -1))
case("view", "view", [v], {"shape": [6, 4]}, lambda x: x.view(6, 4))
case("flatten from dim 1", "flatten", [v], {"start_dim": 1, "end_dim": -1}, lambda x: torch.flatten(x, 1))
case("flatten dims 0 to 1", "flatten", [v], {"start_dim": 0, "end_dim": 1}, lambda x: torch.flatten(x, 0, 1))
case("squeeze a size-1 dim", "squeeze", [data([2, 1, 3])], {"dim": 1}, lambda x: x.squeeze(1))
case("squeeze leaves other sizes alone", "squeeze", [data([2, 1, 3])], {"dim": 0}, lambda x: x.squeeze(0))
case("unsqueeze at the end", "unsqueeze", [v], {"dim": -1}, lambda x: x.unsqueeze(-1))
case("contiguous", "contiguous", [v], {}, lambda x: x.contiguous())
case("permute (2, 0, 1)", "permute", [v], {"dims": [2, 0, 1]}, lambda x: x.permute(2, 0, 1))
case("permute (0, 2, 1) of a 4-D tensor", "permute", [data([2, 3, 4, 5])], {"dims": [0, 2, 1, 3]}, lambda x: x.permute(0, 2, 1, 3))
case("transpose dims 1 and 2", "transpose", [v], {"dim0": 1, "dim1": 2}, lambda x: x.transpose(1, 2))
case("transpose dims 0 and -1", "transpose", [v], {"dim0": 0, "dim1": -1}, lambda x: x.transpose(0, -1))
case("clone", "clone", [v], {}, lambda x: x.clone())
case("cat along dim 0", "cat", [data([1, 3]), data([2, 3])], {"dim": 0}, lambda *t: torch.cat(t, 0))
case("cat three tensors along dim 1", "cat", [data([2, 1, 2]), data([2, 3, 2]), data([2, 2, 2])], {"dim": 1}, lambda *t: torch.cat(t, 1))
case("cat along the last dim", "cat", [data([2, 2]), data([2, 3])], {"dim": -1}, lambda *t: torch.cat(t, -1))
case("slice with step 2", "slice", [data([2, 7])], {"dim": 1, "start": 1, "end": 6, "step": 2}, lambda x: x[:, 1:6:2])
case("slice with a negative start and an end past the size", "slice", [data([5, 2])], {"dim": 0, "start": -3, "end": 100, "step": 1}, lambda x: x[-3:100])
case("slice with only an end", "slice", [data([2, 3, 4])], {"dim": 2, "end": 2, "step": 1}, lambda x: x[:, :, :2])
case("select index 0 of dim 1 (x[:, 0])", "select", [data([2, 5, 3])], {"dim": 1, "index": 0}, lambda x: x[:, 0])
case("select a negative index", "select", [data([4, 3])], {"dim": 0, "index": -1}, lambda x: x[-1])
case("narrow", "narrow", [data([3, 6])], {"dim": 1, "start": 2, "length": 3}, lambda x: x.narrow(1, 2, 3))
case("expand [3,1] to [2,3,4]", "expand", [data([3, 1])], {"size": [2, 3, 4]}, lambda x: x.expand(2, 3, 4))
case("expand with -1 (the class-token idiom)", "expand", [data([1, 1, 4])], {"size": [3, -1, -1]}, lambda x: x.expand(3, -1, -1))
case("stack along a new dim 1", "stack", [data([2, 3]), data([2, 3]), data([2, 3])], {"dim": 1}, lambda *t: torch.stack(t, 1))
case("stack along the last new dim", "stack", [data([2, 3]), data([2, 3])], {"dim": -1}, lambda *t: torch.stack(t, -1))
case("chunk into 2 along dim 1 (ShuffleNet)", "chunk", [data([1, 6, 2, 2])], {"chunks": 2, "dim": 1}, lambda x: x.chunk(2, dim=1))
case("chunk 7 into 3: sizes 3, 3, 1", "chunk", [data([7, 2])], {"chunks": 3, "dim": 0}, lambda x: x.chunk(3))
case("chunk 5 into 4: fewer parts, sizes 2, 2, 1", "chunk", [data([2, 5])], {"chunks": 4, "dim": -1}, lambda x: x.chunk(4, -1))
case("split by size 2", "split", [data([5, 3])], {"split_size": 2, "dim": 0}, lambda x: x.split(2))
case("split by sizes (1, 3, 2) along dim 1", "split", [data([2, 6])], {"split_sizes": [1, 3, 2], "dim": 1}, lambda x: x.split([1, 3, 2], 1))
case("unbind dim 1", "unbind", [data([2, 3, 4])], {"dim": 1}, lambda x: x.unbind(1))
case("roll along two dims", "roll", [data([3, 4])], {"shifts": [1, -2], "dims": [0, 1]}, lambda x: torch.roll(x, (1, -2), (0, 1)))
case("roll the flattened tensor", "roll", [data([2, 3])], {"shifts": [2], "dims": []}, lambda x: torch.roll(x, 2))
case("pad constant, last two dims", "pad", [data([1, 2, 3, 3])], {"pad": [1, 2, 0, 1], "mode": "constant", "value": 0.5},
     lambda x: F.pad(x, [1, 2, 0, 1], value=0.5))
case("pad constant with a negative pad crops", "pad", [data([2, 5])], {"pad": [-1, 2], "mode": "constant", "value": 0.0},
     lambda x: F.pad(x, [-1, 2]))
case("pad reflect (ReflectionPad2d)", "pad", [data([1, 2, 4, 4])], {"pad": [2, 1, 3, 0], "mode": "reflect", "value": 0.0},
     lambda x: F.pad(x, [2, 1, 3, 0], mode="reflect"))
case("pad reflect 1-D", "pad", [data([2, 3, 5])], {"pad": [3, 4], "mode": "reflect", "value": 0.0}, lambda x: F.pad(x, [3, 4], mode="reflect"))
case("pad replicate", "pad", [data([1, 1, 3, 4])], {"pad": [2, 2, 1, 3], "mode": "replicate", "value": 0.0},
     lambda x: F.pad(x, [2, 2, 1, 3], mode="replicate"))

# ---- resampling ----
xi = data([1, 2, 3, 4])
case("interpolate nearest to size 5x7", "interpolate", [xi], {"size": [5, 7], "mode": "nearest", "align_corners": False},
     lambda x: F.interpolate(x, size=(5, 7), mode="nearest"))
case("interpolate nearest, scale 2 (Upsample)", "interpolate", [xi], {"scale_factor": 2.0, "mode": "nearest", "align_corners": False},
     lambda x: F.interpolate(x, scale_factor=2, mode="nearest"))
case("interpolate nearest, scale 1.5", "interpolate", [xi], {"scale_factor": 1.5, "mode": "nearest", "align_corners": False},
     lambda x: F.interpolate(x, scale_factor=1.5, mode="nearest"))
case("interpolate nearest downsampling to 2x3", "interpolate", [data([1, 1, 5, 7])], {"size": [2, 3], "mode": "nearest", "align_corners": False},
     lambda x: F.interpolate(x, size=(2, 3)))
case("interpolate bilinear to 6x5", "interpolate", [xi], {"size": [6, 5], "mode": "bilinear", "align_corners": False},
     lambda x: F.interpolate(x, size=(6, 5), mode="bilinear", align_corners=False))
case("interpolate bilinear align_corners", "interpolate", [xi], {"size": [6, 5], "mode": "bilinear", "align_corners": True},
     lambda x: F.interpolate(x, size=(6, 5), mode="bilinear", align_corners=True))
case("interpolate bilinear scale 2", "interpolate", [xi], {"scale_factor": 2.0, "mode": "bilinear", "align_corners": False},
     lambda x: F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=False))
case("interpolate linear 1-D to 9", "interpolate", [data([2, 3, 5])], {"size": [9], "mode": "linear", "align_corners": False},
     lambda x: F.interpolate(x, size=9, mode="linear", align_corners=False))
case("interpolate nearest 1-D, scale 3", "interpolate", [data([1, 2, 4])], {"scale_factor": 3.0, "mode": "nearest", "align_corners": False},
     lambda x: F.interpolate(x, scale_factor=3))
case("pixel_shuffle by 2", "pixel_shuffle", [data([2, 8, 2, 3])], {"upscale_factor": 2}, lambda x: F.pixel_shuffle(x, 2))

# ---- indexing ----
emb = data([10, 4])
idx = torch.tensor([[0.0, 3.0, 9.0], [9.0, 1.0, 0.0]])
case("embedding picks rows", "embedding", [idx, emb], {}, lambda i, w: F.embedding(i.long(), w))

# ---- reductions ----
r = data([2, 3, 4, 5])
case("sum over everything", "sum", [r], {"dim": [], "keepdim": False}, lambda x: x.sum())
case("sum over dim 1", "sum", [r], {"dim": [1], "keepdim": False}, lambda x: x.sum(1))
case("sum over dims (0, 2) keeping them", "sum", [r], {"dim": [0, 2], "keepdim": True}, lambda x: x.sum((0, 2), keepdim=True))
case("mean over the spatial dims", "mean", [r], {"dim": [2, 3], "keepdim": False}, lambda x: x.mean((2, 3)))
case("mean over dim -1 keeping it", "mean", [r], {"dim": [-1], "keepdim": True}, lambda x: x.mean(-1, keepdim=True))
case("mean over everything", "mean", [r], {"dim": [], "keepdim": False}, lambda x: x.mean())
case("cumsum over dim 1", "cumsum", [r], {"dim": 1}, lambda x: torch.cumsum(x, 1))
case("cumsum over the last dim", "cumsum", [r], {"dim": -1}, lambda x: torch.cumsum(x, -1))
case("argmax over dim 1", "argmax", [r], {"dim": 1, "keepdim": False}, lambda x: torch.argmax(x, 1))
case("argmax keeping the dim", "argmax", [r], {"dim": -1, "keepdim": True}, lambda x: torch.argmax(x, -1, keepdim=True))
case("argmax of everything", "argmax", [r], {"keepdim": False}, lambda x: torch.argmax(x))
case("argmax on ties picks the first", "argmax", [torch.tensor([[1.0, 3.0, 3.0], [2.0, 2.0, 1.0]])], {"dim": 1, "keepdim": False},
     lambda x: torch.argmax(x, 1))
case("topk 3 largest along the last dim", "topk", [r], {"k": 3, "dim": -1, "largest": True, "sorted": True}, lambda x: torch.topk(x, 3))
case("topk 2 smallest along dim 1", "topk", [r], {"k": 2, "dim": 1, "largest": False, "sorted": True},
     lambda x: torch.topk(x, 2, dim=1, largest=False))
case("sort along the last dim", "sort", [r], {"dim": -1, "descending": False}, lambda x: torch.sort(x))
case("sort descending along dim 0", "sort", [r], {"dim": 0, "descending": True}, lambda x: torch.sort(x, 0, descending=True))
precision_case("cumsum of 20000 values near 10", "cumsum", [near([20000], "cumsum", 10.0, 1e-2)], {"dim": 0},
               lambda x: torch.cumsum(x, 0))
precision_case("log_softmax over 8192 nearly equal values", "log_softmax", [near([1, 8192], "lsm", 5.0, 1e-3)], {"dim": 1},
               lambda x: F.log_softmax(x, 1))

# ---- regularisation in eval mode ----
case("dropout in eval mode is the identity", "dropout", [v], {"p": 0.5, "training": False}, lambda x: F.dropout(x, 0.5, False))
case("stochastic_depth in eval mode is the identity", "stochastic_depth", [v], {"p": 0.2, "mode": "row", "training": False},
     lambda x: torchvision.ops.stochastic_depth(x, 0.2, "row", False))
case("dropout2d in eval mode is the identity", "dropout2d", [data([2, 3, 2, 2])], {"p": 0.5, "training": False},
     lambda x: F.dropout2d(x, 0.5, False))

# ---- precision: reductions over many nearly equal values ----
precision_case("adaptive_avg_pool2d 112x112 to 1x1 (squeeze-excitation)", "adaptive_avg_pool2d",
               [near([1, 4, 112, 112], "se", 1.0, 1e-3)], {"output_size": [1, 1]},
               lambda x: F.adaptive_avg_pool2d(x, 1))
precision_case("adaptive_avg_pool2d 56x56 to 7x7", "adaptive_avg_pool2d", [near([1, 2, 56, 56], "pool7", 100.0, 0.01)],
               {"output_size": [7, 7]}, lambda x: F.adaptive_avg_pool2d(x, 7))
precision_case("avg_pool2d 14x14 windows", "avg_pool2d", [near([1, 2, 56, 56], "avg", 1000.0, 0.1)],
               pool_attrs(14, 14, 0, ceil_mode=False, count_include_pad=True), lambda x: F.avg_pool2d(x, 14))
precision_case("mean over 112x112", "mean", [near([1, 4, 112, 112], "mean", 1.0, 1e-3)], {"dim": [2, 3], "keepdim": False},
               lambda x: x.mean((2, 3)))
precision_case("sum of 200000 values", "sum", [near([200000], "sum", 10.0, 1e-2)], {"dim": [], "keepdim": False},
               lambda x: x.sum())
precision_case("softmax over 8192 nearly equal values", "softmax", [near([1, 8192], "softmax", 5.0, 1e-3)], {"dim": 1},
               lambda x: F.softmax(x, 1))
precision_case("layer_norm over 4096 values near 1000", "layer_norm", [near([1, 4096], "ln", 1000.0, 0.05)],
               {"normalized_shape": [4096], "eps": 1e-5}, lambda x: F.layer_norm(x, [4096], None, None, 1e-5))
bn_stats = [near([2], "bn_mean", 0.0, 0.1), near([2], "bn_var", 1.0, 0.5)]
precision_case("batch_norm in training over 32x16x16 values near 50", "batch_norm",
               [near([32, 2, 16, 16], "bn", 50.0, 0.5)] + bn_stats, {"training": True, "momentum": 0.1, "eps": 1e-5},
               lambda x, m, v: F.batch_norm(x, m.clone(), v.clone(), None, None, True, 0.1, 1e-5))

here = os.path.dirname(os.path.abspath(__file__))
# ---- added later: appended so the data of earlier cases stays as it was ----
case("erf", "erf", [data([2, 5], -3, 3)], {}, torch.erf)

with open(os.path.join(here, "op_cases.json"), "w") as f:
    json.dump({"generator": "tests/reference/make_op_cases.py", "torch": torch.__version__, "cases": cases}, f, allow_nan=False)
print(len(cases), "cases,", len({c["op"] for c in cases}), "ops")
