#!/usr/bin/env python3
"""ONNX files exported by real PyTorch 1.13, and what PyTorch computes on them.

Writes tests/reference/onnx/:
  patterns/<case>.onnx  small models with the patterns the children-only
                        analysis is about (weights inside, by the deterministic
                        rule of make_reference.py), exported with
                        tools/export_onnx.py; <case>.plain.onnx: the same
                        exported with bare torch.onnx.export (no metadata);
                        small_resnet.external.onnx keeps its weights in
                        small_resnet.external.onnx.data
  bad/<case>.onnx       small hand-made files, each broken in one way
  zoo/<model>.onnx      every zoo model, structure only (weights left out:
                        tests fill them by the deterministic rule and compare
                        with <model>.json), opset 13; vit_b_16 and convnext_tiny
                        also at opset 17 (LayerNormalization instead of its
                        decomposition)
and tests/reference/onnx_cases.json: for every pattern, PyTorch's repr,
named_children, state_dict keys, outputs on the deterministic input, and what
nn.Sequential(*children()) gives (outputs, or PyTorch's error).

Usage: /usr/bin/python3 make_onnx_cases.py   (Debian's python3-torch,
python3-torchvision and python3-onnx)
"""
import json
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
sys.path.insert(0, os.path.join(here, "..", "..", "tools"))
from make_reference import ZOO, deterministic_init, uniform  # noqa: E402
from export_onnx import export  # noqa: E402

import numpy as np  # noqa: E402


def deterministic_input(shape, index=0):
    """zoo::make_inputs(deterministic): key "input", then "input.1", …"""
    key = "input" if index == 0 else f"input.{index}"
    n = int(np.prod(shape))
    return torch.from_numpy((2 * uniform(key, n) - 1).astype(np.float32)).reshape(shape)


# ---- the patterns ----

class SimpleBlock(nn.Module):
    def forward(self, x):
        return x * 2


class SeedModel(nn.Module):
    """The classic example: block_1(block_0(x) * 3 + 3)."""
    def __init__(self):
        super().__init__()
        self.block_0 = SimpleBlock()
        self.block_1 = SimpleBlock()

    def forward(self, x):
        return self.block_1(self.block_0(x) * 3 + 3)


class BasicBlock(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.conv1 = nn.Conv2d(c, c, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(c)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(c, c, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(c)

    def forward(self, x):
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + x)  # the skip connection, and relu's second call


class SmallResNet(nn.Module):
    """ResNet's shape: flatten in the root's forward, so the Sequential fails at fc."""
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 3, stride=2, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(8)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        self.layer1 = nn.Sequential(BasicBlock(8), BasicBlock(8))
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(8, 5)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer1(x)
        return self.fc(torch.flatten(self.avgpool(x), 1))


class Inner(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(6, 6)
        self.act = nn.ReLU()

    def forward(self, x):
        return self.act(self.lin(x)) + 1


class SharedAndRepeated(nn.Module):
    """A block called twice, a module registered twice (act2 is block.act),
    an eval-mode Dropout (exports no op), children called out of
    registration order, and a head the forward never calls."""
    def __init__(self):
        super().__init__()
        self.head = nn.Linear(6, 3)
        self.block = Inner()
        self.drop = nn.Dropout(0.25)
        self.act2 = self.block.act
        self.unused = nn.Linear(6, 6)
        self.proj = nn.Linear(6, 6)

    def forward(self, x):
        y = self.block(self.block(x))
        y = self.drop(self.proj(y))
        y = self.act2(y - 0.5)
        return self.head(y)


class TwoTowers(nn.Module):
    """Two inputs, two outputs: the Sequential cannot even be called like the model."""
    def __init__(self):
        super().__init__()
        self.left = nn.Linear(4, 3)
        self.right = nn.Linear(5, 3)

    def forward(self, a, b):
        l, r = self.left(a), self.right(b)
        return l + r, l * r


class TinyViT(nn.Module):
    """ViT's shape: patchify, class token, nn.MultiheadAttention, GELU, LayerNorm."""
    def __init__(self, dim=16, heads=2):
        super().__init__()
        self.conv_proj = nn.Conv2d(3, dim, 4, stride=4)
        self.class_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.ln_1 = nn.LayerNorm(dim)
        self.attention = nn.MultiheadAttention(dim, heads, batch_first=True)
        self.mlp = nn.Sequential(nn.Linear(dim, 32), nn.GELU(), nn.Linear(32, dim))
        self.ln = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, 4)

    def forward(self, x):
        x = self.conv_proj(x)
        n, c, h, w = x.shape
        x = x.reshape(n, c, h * w).permute(0, 2, 1)
        x = torch.cat([self.class_token.expand(n, -1, -1), x], dim=1)
        y = self.ln_1(x)
        y, _ = self.attention(y, y, y, need_weights=False)
        x = x + y
        x = x + self.mlp(x)
        return self.head(self.ln(x)[:, 0])


class SqueezeExcite(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.fc1 = nn.Conv2d(c, 4, 1)
        self.fc2 = nn.Conv2d(4, c, 1)

    def forward(self, x):
        s = F.adaptive_avg_pool2d(x, 1)
        s = F.hardsigmoid(self.fc2(F.relu(self.fc1(s))))
        return x * s


class MobileLike(nn.Module):
    """MobileNet's ops: depthwise conv, ReLU6 (Clip), Hardswish, squeeze-excite, dropout."""
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 8, 3, 2, 1), nn.BatchNorm2d(8), nn.ReLU6(),
            nn.Conv2d(8, 8, 3, 1, 1, groups=8), nn.Hardswish(), SqueezeExcite(8))
        self.classifier = nn.Sequential(nn.Dropout(0.2), nn.Linear(8, 3))

    def forward(self, x):
        x = self.features(x)
        x = F.adaptive_avg_pool2d(x, 1).flatten(1)
        return self.classifier(x)


class DenseLike(nn.Module):
    """DenseNet's shape: concatenation in blocks, F.relu and pooling in the root."""
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(3, 6, 3, padding=1), nn.BatchNorm2d(6))
        self.branch = nn.Conv2d(6, 4, 1)
        self.classifier = nn.Linear(10, 2)

    def forward(self, x):
        f = self.features(x)
        f = torch.cat([f, self.branch(f)], 1)
        f = F.adaptive_avg_pool2d(F.relu(f), (1, 1))
        return self.classifier(torch.flatten(f, 1))


class Resampling(nn.Module):
    """Resize, Pad, pooling variants, Softmax, Split, Slice, Sigmoid, Tanh, ConvTranspose."""
    def __init__(self):
        super().__init__()
        self.up = nn.Upsample(scale_factor=2, mode="nearest")
        self.conv = nn.Conv2d(4, 4, 3)
        self.deconv = nn.ConvTranspose2d(4, 2, 2, stride=2)
        self.pool = nn.MaxPool2d(3, 2, ceil_mode=True)
        self.avg = nn.AvgPool2d(2)

    def forward(self, x):
        x = self.up(x)
        x = F.pad(x, (1, 1, 1, 1), mode="reflect")
        x = self.conv(x)
        a, b = torch.split(x, [2, 2], dim=1)
        x = torch.cat([torch.sigmoid(a), torch.tanh(b)], 1)
        x = F.interpolate(x, size=(9, 9), mode="bilinear", align_corners=False)
        x = self.pool(x)
        x = self.deconv(x)
        x = self.avg(x)[:, :, 1:3]
        return F.softmax(x.flatten(1), dim=-1)


PATTERNS = {
    # name: (model, input shapes, opset)
    "seed": (SeedModel, [[2, 2]], 13),
    "small_resnet": (SmallResNet, [[1, 3, 16, 16]], 13),
    "shared_and_repeated": (SharedAndRepeated, [[2, 6]], 13),
    "two_towers": (TwoTowers, [[2, 4], [2, 5]], 13),
    "tiny_vit": (TinyViT, [[1, 3, 16, 16]], 13),
    "tiny_vit_opset17": (TinyViT, [[1, 3, 16, 16]], 17),
    "mobile_like": (MobileLike, [[1, 3, 12, 12]], 13),
    "dense_like": (DenseLike, [[1, 3, 8, 8]], 13),
    "resampling": (Resampling, [[1, 4, 5, 5]], 13),
}


def values(t):
    return {"shape": list(t.shape), "data": [float(v) for v in t.flatten()]}


def as_list(y):
    return list(y) if isinstance(y, (tuple, list)) else [y]


def pattern_case(name, build, shapes, opset, out_dir):
    torch.manual_seed(0)
    model = deterministic_init(build()).eval()
    inputs = tuple(torch.ones(s) if name == "seed" else deterministic_input(s, i) for i, s in enumerate(shapes))
    path = os.path.join(out_dir, name + ".onnx")
    export(model, inputs, path, opset_version=opset)
    torch.onnx.export(model, inputs, os.path.join(out_dir, name + ".plain.onnx"), opset_version=opset,
                      do_constant_folding=False, training=torch.onnx.TrainingMode.PRESERVE)
    case = {"name": name, "file": f"onnx/patterns/{name}.onnx", "opset": opset,
            "input": "ones" if name == "seed" else "deterministic", "input_shapes": shapes,
            "repr": repr(model), "named_children": [n for n, _ in model.named_children()],
            "state_dict": list(model.state_dict().keys()),
            "parameter_count": sum(p.numel() for p in model.parameters())}
    with torch.no_grad():
        case["outputs"] = [values(y) for y in as_list(model(*inputs))]
        seq = nn.Sequential(*model.children()).eval()
        try:
            case["sequential"] = {"outputs": [values(y) for y in as_list(seq(*inputs))]}
        except Exception as e:  # PyTorch's own verdict on the Sequential
            case["sequential"] = {"error": f"{type(e).__name__}: {str(e).splitlines()[0]}"}
    return case


def external_data_file(out_dir):
    """small_resnet with its weights in a data file beside it, as large exports keep them."""
    import onnx
    m = onnx.load(os.path.join(out_dir, "small_resnet.onnx"))
    onnx.save(m, os.path.join(out_dir, "small_resnet.external.onnx"), save_as_external_data=True,
              all_tensors_to_one_file=True, location="small_resnet.external.onnx.data", size_threshold=0)


def zoo_file(name, opset, out_dir):
    build, shape = ZOO[name]
    torch.manual_seed(0)
    model = build().eval()
    x = torch.ones(shape) if name == "seed_main_model" else deterministic_input(shape)
    suffix = "" if opset == 13 else f"_opset{opset}"
    export(model, x, os.path.join(out_dir, f"{name}{suffix}.onnx"), opset_version=opset, weights=False)


# ---- broken files, for the importer's error paths ----

def bad_files(out_dir):
    """Small hand-made files, each wrong in one way (written with onnx.helper)."""
    import onnx
    from onnx import TensorProto, helper

    def model(nodes, inputs=None, outputs=None, inits=(), opset=13, domain_opsets=(), metadata=None):
        inputs = inputs or [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])]
        outputs = outputs or [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)]
        graph = helper.make_graph(nodes, "bad", inputs, outputs, list(inits))
        imports = [helper.make_opsetid("", opset)] + [helper.make_opsetid(d, v) for d, v in domain_opsets]
        m = helper.make_model(graph, opset_imports=imports, producer_name="make_onnx_cases")
        if metadata is not None:
            helper.set_model_props(m, {"modtrace": metadata})
        return m

    relu = helper.make_node("Relu", ["x"], ["y"], name="/act/Relu")
    weight = helper.make_tensor("w", TensorProto.FLOAT, [4, 4], [0.5] * 16)
    huge = TensorProto(name="w", data_type=TensorProto.FLOAT, dims=[1 << 40, 1 << 40])  # no data at all
    short = TensorProto(name="w", data_type=TensorProto.FLOAT, dims=[4, 4], raw_data=b"\0" * 12)
    files = {
        "opset_18": model([relu], opset=18),
        "opset_6": model([relu], opset=6),
        "missing_initializer": model([helper.make_node("MatMul", ["x", "w"], ["y"], name="/fc/MatMul")]),
        "cycle": model([helper.make_node("Add", ["x", "b"], ["a"], name="/Add"),
                        helper.make_node("Relu", ["a"], ["b"], name="/Relu"),
                        helper.make_node("Identity", ["b"], ["y"], name="/Identity")]),
        "made_twice": model([helper.make_node("Relu", ["x"], ["y"], name="/a/Relu"),
                             helper.make_node("Sigmoid", ["x"], ["y"], name="/b/Sigmoid")]),
        "absurd_shape": model([helper.make_node("MatMul", ["x", "w"], ["y"], name="/fc/MatMul")], inits=[huge]),
        "large_tensor_without_data": model([helper.make_node("MatMul", ["x", "w"], ["y"], name="/fc/MatMul")],
                                           inits=[TensorProto(name="w", data_type=TensorProto.FLOAT, dims=[1 << 31])]),
        "absurd_input": model([relu], inputs=[helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 1 << 62])]),
        "unsupported_op": model([helper.make_node("Det", ["x"], ["y"], name="/head/Det")]),
        "custom_domain": model([helper.make_node("MyOp", ["x"], ["y"], name="/my/MyOp", domain="com.example")],
                               domain_opsets=[("com.example", 1)]),
        "integer_input": model([relu], inputs=[helper.make_tensor_value_info("x", TensorProto.INT64, [1, 4])]),
        "output_never_made": model([relu], outputs=[helper.make_tensor_value_info("z", TensorProto.FLOAT, None)]),
        "raw_data_short": model([helper.make_node("MatMul", ["x", "w"], ["y"], name="/fc/MatMul")],
                                inits=[short]),
        "asymmetric_pads": model([helper.make_node("Conv", ["x", "k"], ["y"], name="/conv/Conv",
                                                   kernel_shape=[3, 3], pads=[0, 0, 1, 1])],
                                 inputs=[helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 1, 4, 4])],
                                 inits=[helper.make_tensor("k", TensorProto.FLOAT, [1, 1, 3, 3], [1.0] * 9)]),
        "bad_metadata_json": model([relu], metadata="{not json"),
        "bad_metadata_calls": model([relu], metadata=json.dumps(
            {"format": 1, "modules": [{"path": "", "type": "M", "children": []}], "calls": [["nowhere", -1]]})),
        "symbolic_input": model([relu], inputs=[helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 4])]),
    }
    def external(location, **entries):
        t = TensorProto(name="w", data_type=TensorProto.FLOAT, dims=[4, 4], data_location=TensorProto.EXTERNAL)
        for key, value in dict(location=location, **entries).items():
            t.external_data.add(key=key, value=str(value))
        return model([helper.make_node("MatMul", ["x", "w"], ["y"], name="/fc/MatMul")], inits=[t])

    files["external_escapes"] = external("../secret.bin")
    files["external_wrong_length"] = external("wrong_length.bin", length=10)
    files["external_past_end"] = external("wrong_length.bin", offset=32)
    with open(os.path.join(out_dir, "wrong_length.bin"), "wb") as f:
        f.write(b"\0" * 64)
    for name, m in files.items():
        with open(os.path.join(out_dir, name + ".onnx"), "wb") as f:
            f.write(m.SerializeToString())
    return len(files)


def main():
    torch.set_num_threads(2)
    patterns_dir = os.path.join(here, "onnx", "patterns")
    zoo_dir = os.path.join(here, "onnx", "zoo")
    os.makedirs(patterns_dir, exist_ok=True)
    os.makedirs(zoo_dir, exist_ok=True)
    bad_dir = os.path.join(here, "onnx", "bad")
    os.makedirs(bad_dir, exist_ok=True)
    bad = bad_files(bad_dir)
    cases = [pattern_case(n, b, s, o, patterns_dir) for n, (b, s, o) in PATTERNS.items()]
    external_data_file(patterns_dir)
    with open(os.path.join(here, "onnx_cases.json"), "w") as f:
        json.dump({"generator": "tests/reference/make_onnx_cases.py", "torch": torch.__version__, "cases": cases}, f)
    for name in ZOO:
        zoo_file(name, 13, zoo_dir)
    for name in ("vit_b_16", "convnext_tiny"):
        zoo_file(name, 17, zoo_dir)
    print(len(cases), "patterns;", len(ZOO) + 2, "zoo files;", bad, "broken files")


if __name__ == "__main__":
    main()
