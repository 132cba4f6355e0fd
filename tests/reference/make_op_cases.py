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
    with torch.no_grad():
        out = fn(*inputs)
    cases.append({"name": name, "op": op,
                  "inputs": [None if t is None else tensor_json(t) for t in inputs],
                  "attrs": attrs, "output": tensor_json(out)})

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
s = data([2, 3, 4], -4, 4)
for d in (0, 1, -1):
    case(f"softmax over dim {d}", "softmax", [s], {"dim": d}, lambda x, d=d: F.softmax(x, dim=d))

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

# ---- reductions ----
r = data([2, 3, 4, 5])
case("sum over everything", "sum", [r], {"dim": [], "keepdim": False}, lambda x: x.sum())
case("sum over dim 1", "sum", [r], {"dim": [1], "keepdim": False}, lambda x: x.sum(1))
case("sum over dims (0, 2) keeping them", "sum", [r], {"dim": [0, 2], "keepdim": True}, lambda x: x.sum((0, 2), keepdim=True))
case("mean over the spatial dims", "mean", [r], {"dim": [2, 3], "keepdim": False}, lambda x: x.mean((2, 3)))
case("mean over dim -1 keeping it", "mean", [r], {"dim": [-1], "keepdim": True}, lambda x: x.mean(-1, keepdim=True))
case("mean over everything", "mean", [r], {"dim": [], "keepdim": False}, lambda x: x.mean())

# ---- regularisation in eval mode ----
case("dropout in eval mode is the identity", "dropout", [v], {"p": 0.5, "training": False}, lambda x: F.dropout(x, 0.5, False))
case("stochastic_depth in eval mode is the identity", "stochastic_depth", [v], {"p": 0.2, "mode": "row", "training": False},
     lambda x: torchvision.ops.stochastic_depth(x, 0.2, "row", False))

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
with open(os.path.join(here, "op_cases.json"), "w") as f:
    json.dump({"generator": "tests/reference/make_op_cases.py", "torch": torch.__version__, "cases": cases}, f, allow_nan=False)
print(len(cases), "cases,", len({c["op"] for c in cases}), "ops")
