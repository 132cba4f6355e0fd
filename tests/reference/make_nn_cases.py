#!/usr/bin/env python3
"""torch.nn layers and torchvision.ops blocks as PyTorch 1.13 builds, prints
and runs them: nn_cases.json, read by tests/test_nn_layers.cpp, where the
same layers are built with modtrace's API.

Each case: the layer's repr, its state_dict keys (values set by the
deterministic rule of make_reference.py), the inputs, and the outputs in
eval mode. Indices (Embedding, MaxUnpool2d) travel as float32.

Regenerate with Debian's python3-torch: /usr/bin/python3 tests/reference/make_nn_cases.py
"""
import json, os, sys

import torch
import torch.nn as nn
import torchvision.ops as ops

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_reference import value_for  # noqa: E402

torch.manual_seed(2024)


def data(*shape, lo=-1.0, hi=1.0):
    return torch.rand(shape) * (hi - lo) + lo


def tensor_json(t):
    return {"shape": list(t.shape), "data": [float(v) for v in t.float().flatten()]}


cases = []


def case(name, layer, inputs, call=None):
    recorded = [tensor_json(t) for t in inputs]  # before an inplace layer writes them
    with torch.no_grad():
        for k, t in layer.state_dict().items():
            if t.is_floating_point():
                t.copy_(value_for(k, t))
        layer.eval()
        out = call(layer, *inputs) if call else layer(*inputs)
    outs = list(out) if isinstance(out, tuple) else [out]
    cases.append({"name": name, "repr": repr(layer), "state_dict": list(layer.state_dict().keys()),
                  "inputs": recorded, "outputs": [tensor_json(t) for t in outs]})


case("Conv1d", nn.Conv1d(3, 4, 3), [data(2, 3, 9)])
case("Conv1d stride 2 padding 1 dilation 2 no bias", nn.Conv1d(3, 4, 3, stride=2, padding=1, dilation=2, bias=False),
     [data(1, 3, 11)])
case("ConvTranspose2d stride 2", nn.ConvTranspose2d(3, 2, 3, stride=2), [data(1, 3, 4, 4)])
case("ConvTranspose2d groups, padding, output_padding, no bias",
     nn.ConvTranspose2d(4, 2, (3, 2), stride=2, padding=1, output_padding=1, groups=2, bias=False), [data(1, 4, 3, 3)])
case("Embedding", nn.Embedding(10, 4), [torch.tensor([[1.0, 9.0], [0.0, 3.0]])], lambda m, i: m(i.long()))
case("Embedding with padding_idx", nn.Embedding(10, 4, padding_idx=0), [torch.tensor([0.0, 5.0])],
     lambda m, i: m(i.long()))
case("GroupNorm", nn.GroupNorm(2, 6), [data(2, 6, 3, 3)])
case("GroupNorm without affine", nn.GroupNorm(3, 6, eps=1e-3, affine=False), [data(2, 6, 4)])
case("InstanceNorm2d", nn.InstanceNorm2d(3), [data(2, 3, 4, 4)])
case("InstanceNorm2d affine, tracking statistics (eval: the running ones)",
     nn.InstanceNorm2d(3, affine=True, track_running_stats=True), [data(2, 3, 4, 4)])
case("InstanceNorm2d on an unbatched input", nn.InstanceNorm2d(3), [data(3, 4, 5)])
case("LeakyReLU", nn.LeakyReLU(), [data(2, 5, lo=-3, hi=3)])
case("LeakyReLU slope 0.2 inplace", nn.LeakyReLU(0.2, True), [data(2, 5, lo=-3, hi=3)])
case("PReLU", nn.PReLU(), [data(2, 3, 4, lo=-3, hi=3)])
case("PReLU per channel", nn.PReLU(3, 0.1), [data(2, 3, 4, lo=-3, hi=3)])
case("Mish", nn.Mish(), [data(2, 5, lo=-3, hi=3)])
case("Softplus", nn.Softplus(), [data(2, 5, lo=-3, hi=3)])
case("Softplus beta 2.0 threshold 10", nn.Softplus(2.0, 10), [data(2, 5, lo=-3, hi=3)])
case("Tanh", nn.Tanh(), [data(2, 5, lo=-3, hi=3)])
case("Softmax", nn.Softmax(1), [data(2, 5)])
case("LogSoftmax", nn.LogSoftmax(-1), [data(2, 5)])
case("Dropout2d in eval", nn.Dropout2d(0.2, True), [data(2, 3, 2, 2)])
case("MaxPool1d", nn.MaxPool1d(3), [data(2, 3, 9)])
case("MaxPool1d stride 2 padding 1", nn.MaxPool1d(3, 2, 1), [data(2, 3, 9)])
case("AvgPool1d", nn.AvgPool1d(3), [data(2, 3, 9)])
case("AvgPool1d stride 2 padding 1", nn.AvgPool1d(3, 2, 1), [data(2, 3, 9)])
case("MaxPool2d returning indices", nn.MaxPool2d(2, return_indices=True), [data(1, 2, 4, 4)])
pooled, where = nn.functional.max_pool2d(data(1, 2, 4, 4), 2, return_indices=True)
case("MaxUnpool2d", nn.MaxUnpool2d(2), [pooled, where.float()], lambda m, v, i: m(v, i.long()))
pooled3, where3 = nn.functional.max_pool2d(data(1, 2, 5, 5), 3, 2, 1, return_indices=True)
case("MaxUnpool2d kernel 3 stride 2 padding 1", nn.MaxUnpool2d(3, 2, 1), [pooled3, where3.float()],
     lambda m, v, i: m(v, i.long()))
case("ReflectionPad2d", nn.ReflectionPad2d(1), [data(1, 2, 3, 3)])
case("ReflectionPad2d (1, 2, 2, 0)", nn.ReflectionPad2d((1, 2, 2, 0)), [data(1, 2, 3, 3)])
case("ReflectionPad1d", nn.ReflectionPad1d(2), [data(1, 2, 4)])
case("ReplicationPad2d", nn.ReplicationPad2d(2), [data(1, 1, 2, 3)])
case("ZeroPad2d", nn.ZeroPad2d((1, 0, 2, 0)), [data(1, 1, 2, 2)])
case("ConstantPad2d", nn.ConstantPad2d(1, 0.5), [data(1, 1, 2, 2)])
case("Upsample nearest scale 2", nn.Upsample(scale_factor=2), [data(1, 2, 2, 3)])
case("Upsample bilinear to (4, 5)", nn.Upsample(size=(4, 5), mode="bilinear", align_corners=False), [data(1, 2, 2, 3)])
case("Upsample one size for both", nn.Upsample(size=7), [data(1, 1, 3, 4)])
case("PixelShuffle", nn.PixelShuffle(2), [data(1, 8, 2, 2)])
case("SqueezeExcitation", ops.SqueezeExcitation(8, 2), [data(2, 8, 5, 5)])
case("SqueezeExcitation with SiLU and Hardsigmoid", ops.SqueezeExcitation(6, 3, nn.SiLU, nn.Hardsigmoid),
     [data(1, 6, 3, 3)])
case("FrozenBatchNorm2d", ops.FrozenBatchNorm2d(4), [data(2, 4, 3, 3)])

# Forward hooks: a pre-hook doubles the input, two forward hooks add 1 then
# square; a hook that returns None keeps the output.
hooked = nn.Linear(3, 2)
hooked.register_forward_pre_hook(lambda m, inputs: (inputs[0] * 2,))
hooked.register_forward_hook(lambda m, inputs, output: output + 1)
hooked.register_forward_hook(lambda m, inputs, output: None)
hooked.register_forward_hook(lambda m, inputs, output: output * output)
case("Linear with forward hooks", hooked, [data(4, 3)])

here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "nn_cases.json"), "w") as f:
    json.dump({"generator": "tests/reference/make_nn_cases.py", "torch": torch.__version__, "cases": cases}, f)
print(len(cases), "cases")
