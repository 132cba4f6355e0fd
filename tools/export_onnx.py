#!/usr/bin/env python3
"""Export a PyTorch model to ONNX for modtrace, with what ONNX cannot say.

torch.onnx.export names every node by the module scope that ran it, which is
enough for modtrace to rebuild the module tree and its calls. It cannot say
in which order children were registered (what nn.Sequential(*children())
follows), the modules' types, the children the forward never called (an
auxiliary head), or the modules that ran no op (an eval-mode Dropout). This
script exports the model the way modtrace reads best and stores that
knowledge in the file's metadata (key "modtrace"):

    python3 tools/export_onnx.py torchvision.models:resnet18 --input-shape 1,3,224,224 -o resnet18.onnx
    modtrace diff resnet18.onnx

or from Python, on a model you have built:

    from export_onnx import export
    export(model, torch.randn(1, 3, 224, 224), "model.onnx")

It needs only torch (and onnx to write the metadata); it is run with the
user's own PyTorch and is not part of modtrace's build or tests' dependencies.
"""

import argparse
import importlib
import inspect
import json
import os
import sys

import torch

METADATA_KEY = "modtrace"
FORMAT = 1


def _signature(module):
    """forward's positional parameters without defaults (a '*name' for *args)."""
    try:
        params = inspect.signature(module.forward).parameters.values()
    except (TypeError, ValueError):
        return []
    names = []
    for p in params:
        if p.kind == p.VAR_POSITIONAL:
            names.append("*" + p.name)
        elif p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.default is p.empty:
            names.append(p.name)
    return names


class _PassesOn(torch.autograd.Function):
    """What a call that returns its input unchanged exports: an ONNX Identity
    node in the module's scope. Such calls (an eval-mode Dropout, an
    Identity, torchvision's StochasticDepth) otherwise leave nothing in the
    file, and modtrace could not tell where in the forward they ran."""

    @staticmethod
    def forward(ctx, x):
        return x.clone()

    @staticmethod
    def symbolic(g, x):
        return g.op("Identity", x)


def _leaf_extra_repr(module):
    """extra_repr(), or for a leaf that overrides __repr__ (torchvision's
    StochasticDepth) what that repr prints inside the parentheses."""
    text, name = repr(module), type(module).__name__
    if not module._modules and "\n" not in text and text.startswith(name + "(") and text.endswith(")"):
        return text[len(name) + 1:-1]
    return module.extra_repr()


def describe_modules(model):
    """Every module once, pre-order, with its registrations in order."""
    first_path = {}
    for path, m in model.named_modules():
        first_path.setdefault(id(m), path)
    modules = []
    for path, m in model.named_modules():
        modules.append({
            "path": path,
            "type": type(m).__name__,
            "extra_repr": _leaf_extra_repr(m),
            "children": [[name, first_path[id(c)]] for name, c in m._modules.items() if c is not None],
            "parameters": [[n, list(p.shape)] for n, p in m._parameters.items() if p is not None],
            "buffers": [[n, list(b.shape)] for n, b in m._buffers.items()
                        if b is not None and n not in m._non_persistent_buffers_set],
            "signature": _signature(m),
            "training": m.training,
        })
    return modules, first_path


def record_calls(model, args, first_path):
    """Every module call in order, as [module path, index of the calling
    call]; and the modules some call of which returned its input itself."""
    calls, open_calls, handles, passing = [], [], [], set()

    def before(module, _inputs):
        calls.append([first_path[id(module)], open_calls[-1] if open_calls else -1])
        open_calls.append(len(calls) - 1)

    def after(module, inputs, outputs):
        open_calls.pop()
        if inputs and outputs is inputs[0]:
            passing.add(module)

    for m in model.modules():
        handles.append(m.register_forward_pre_hook(before))
        handles.append(m.register_forward_hook(after))
    try:
        with torch.no_grad():
            model(*args)
    finally:
        for h in handles:
            h.remove()
    return calls, passing


def export(model, args, path, opset_version=13, input_names=None, output_names=None, weights=True):
    """Exports `model` (in eval mode) on `args` to `path` with modtrace's metadata.

    opset_version: 13 to 17. weights=False writes the structure only: the
    weights go to an external data file that is then deleted, and modtrace
    imports the model shape-only (modtrace --allow-missing-weights)."""
    import onnx  # only needed here, so `--help` works without it

    if isinstance(args, torch.Tensor):
        args = (args,)
    model = model.eval()
    modules, first_path = describe_modules(model)
    calls, passing = record_calls(model, args, first_path)
    # Inside forward, not in a hook: hooks run after the module's scope closed.
    for m in passing:
        def forward(*a, _original=m.forward, **k):
            out = _original(*a, **k)
            return _PassesOn.apply(out) if isinstance(out, torch.Tensor) else out
        m.forward = forward
    try:
        # Constant folding off keeps state_dict keys as initializer names;
        # PRESERVE keeps BatchNormalization nodes (eval mode folds them into Conv).
        torch.onnx.export(model, args, path, opset_version=opset_version, do_constant_folding=False,
                          training=torch.onnx.TrainingMode.PRESERVE, input_names=input_names,
                          output_names=output_names)
    finally:
        for m in passing:
            del m.forward
    proto = onnx.load(path)
    entry = proto.metadata_props.add()
    entry.key = METADATA_KEY
    entry.value = json.dumps({"format": FORMAT, "torch": torch.__version__, "modules": modules, "calls": calls},
                             separators=(",", ":"))
    if weights:
        onnx.save(proto, path)
        return path
    data_file = os.path.basename(path) + ".weights"
    onnx.save(proto, path, save_as_external_data=True, all_tensors_to_one_file=True, location=data_file,
              size_threshold=0)
    data_path = os.path.join(os.path.dirname(os.path.abspath(path)), data_file)
    if os.path.exists(data_path):  # a model without weights writes none
        os.remove(data_path)
    return path


def _load(spec):
    """'package.module:factory' or 'file.py:factory' -> factory()."""
    module_name, _, factory = spec.partition(":")
    if not factory:
        sys.exit(f"export_onnx: give the model as module:factory (torchvision.models:resnet18), not {spec!r}")
    if module_name.endswith(".py"):
        spec_ = importlib.util.spec_from_file_location("user_model", module_name)
        module = importlib.util.module_from_spec(spec_)
        spec_.loader.exec_module(module)
    else:
        module = importlib.import_module(module_name)
    return getattr(module, factory)()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("model", help="module:factory that returns the model, e.g. torchvision.models:resnet18")
    parser.add_argument("--input-shape", action="append", required=True,
                        help="shape of one input, e.g. 1,3,224,224 (repeat for several inputs)")
    parser.add_argument("-o", "--output", required=True, help="the .onnx file to write")
    parser.add_argument("--opset", type=int, default=13, choices=range(13, 18), metavar="13..17")
    parser.add_argument("--no-weights", action="store_true", help="write the structure only (shape-only import)")
    parser.add_argument("--seed", type=int, default=0, help="seed for the example inputs")
    a = parser.parse_args()
    torch.manual_seed(a.seed)
    model = _load(a.model)
    inputs = tuple(torch.randn([int(d) for d in s.split(",")]) for s in a.input_shape)
    export(model, inputs, a.output, opset_version=a.opset, weights=not a.no_weights)
    print(f"wrote {a.output}")


if __name__ == "__main__":
    main()
