#!/usr/bin/env python3
"""What PyTorch 1.13's nn.Sequential(*model.children()) really does, on small
models that exercise each rule of the children-only analysis:
sequential_cases.json, read by tests/test_sequential_semantics.cpp, where the
same models are written in C++.

For each model: its module tree as PyTorch reports it (named_children,
_modules, named_modules, named_parameters, state_dict keys, repr), its
outputs, the Sequential's outputs or the exception it raises, and the verdict
a plain value comparison gives (fails / different / equal).

Weights and inputs follow the deterministic rule of make_reference.py
(state_dict keys; modules kept in a plain list use "helpers.<i>." keys).

Regenerate with Debian's python3-torch: /usr/bin/python3 tests/reference/make_sequential_cases.py
"""
import json, os, sys

import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_reference import uniform, value_for  # noqa: E402


def det_input(shape, key):
    n = 1
    for d in shape:
        n *= d
    return torch.from_numpy((2 * uniform(key, n) - 1).astype("float32")).reshape(shape)


def init_tensors(named, prefix=""):
    for k, t in named:
        if t.is_floating_point():
            with torch.no_grad():
                t.copy_(value_for(prefix + k, t))


# ---- the models ----

class Split(nn.Module):
    """Returns a tuple: (x * 2, x * 3)."""
    def forward(self, x):
        return x * 2, x * 3


class Add2(nn.Module):
    """Takes two tensors."""
    def forward(self, a, b):
        return a + b


class Concat(nn.Module):
    """Takes a tensor or a tuple of tensors (like torchvision's _DenseLayer)."""
    def forward(self, x):
        if isinstance(x, torch.Tensor):
            x = [x]
        return torch.cat(x, 1)


class SharedModule(nn.Module):
    """One Linear registered under two names."""
    def __init__(self):
        super().__init__()
        lin = nn.Linear(4, 4)
        self.enc = lin
        self.relu = nn.ReLU()
        self.dec = lin

    def forward(self, x):
        return self.dec(self.relu(self.enc(x)))


class SharedInsideSequential(nn.Module):
    """A Sequential holding the same Linear twice: it runs it twice."""
    def __init__(self):
        super().__init__()
        lin = nn.Linear(4, 4)
        self.body = nn.Sequential(lin, nn.ReLU(), lin)

    def forward(self, x):
        return self.body(x)


class TwoOutputs(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Linear(4, 4)
        self.b = nn.Linear(4, 4)

    def forward(self, x):
        y = self.a(x)
        return y, self.b(y)


class TupleIntoTwoInputs(nn.Module):
    def __init__(self):
        super().__init__()
        self.split = Split()
        self.add = Add2()

    def forward(self, x):
        return self.add(*self.split(x))


class TupleIntoLayer(nn.Module):
    def __init__(self):
        super().__init__()
        self.split = Split()
        self.relu = nn.ReLU()

    def forward(self, x):
        a, b = self.split(x)
        return self.relu(a)


class TupleAsOneArgument(nn.Module):
    def __init__(self):
        super().__init__()
        self.split = Split()
        self.cat = Concat()

    def forward(self, x):
        return self.cat(self.split(x))


class TupleLast(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(4, 4)
        self.split = Split()

    def forward(self, x):
        return self.split(self.lin(x))


class TwoInputs(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Linear(4, 4)
        self.b = nn.Linear(4, 4)

    def forward(self, x, y):
        return self.b(self.a(x) + y)


class PartlyUsed(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Linear(4, 4), nn.ReLU(), nn.Linear(4, 4))
        self.head = nn.Linear(4, 2)

    def forward(self, x):
        return self.head(self.features[0](x))


class Unregistered(nn.Module):
    """Modules in a plain list are no children (torchview's fixtures do this)."""
    def __init__(self):
        super().__init__()
        self.helpers = [nn.Linear(4, 4) for _ in range(3)]
        self.relu = nn.ReLU()

    def forward(self, x):
        for h in self.helpers:
            x = h(x)
        return self.relu(x)


class SkipReadsChildTwice(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Linear(4, 4)
        self.b = nn.Linear(4, 4)

    def forward(self, x):
        y = self.a(x)
        return self.b(y) + y


class LoopOverOneChild(nn.Module):
    def __init__(self):
        super().__init__()
        self.block = nn.Linear(4, 4)

    def forward(self, x):
        for _ in range(3):
            x = self.block(x)
        return x


class BranchOnShape(nn.Module):
    def __init__(self):
        super().__init__()
        self.wide = nn.Linear(4, 4)
        self.narrow = nn.Linear(4, 4)

    def forward(self, x):
        return self.wide(x) if x.shape[-1] >= 4 else self.narrow(x)


class WithModuleList(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Linear(4, 4)
        self.blocks = nn.ModuleList([nn.Linear(4, 4), nn.ReLU()])

    def forward(self, x):
        x = self.stem(x)
        for b in self.blocks:
            x = b(x)
        return x


class WithModuleDict(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Linear(4, 4)
        self.heads = nn.ModuleDict({"a": nn.Linear(4, 2), "b": nn.Linear(4, 2)})

    def forward(self, x):
        return self.heads["b"](self.stem(x))


class IdempotentTwice(nn.Module):
    """relu(relu(x)): the Sequential calls relu once and the values still agree."""
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(4, 4)
        self.relu = nn.ReLU()

    def forward(self, x):
        return self.relu(self.relu(self.lin(x)))


class OnlyChildren(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(4, 4)
        self.relu = nn.ReLU()
        self.out = nn.Linear(4, 2)

    def forward(self, x):
        return self.out(self.relu(self.lin(x)))


class FailsItself(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(3, 2)

    def forward(self, x):
        return self.lin(x)


CASES = [
    # name, class, input shapes
    ("shared_module", SharedModule, [[2, 4]]),
    ("shared_inside_sequential", SharedInsideSequential, [[2, 4]]),
    ("two_outputs", TwoOutputs, [[2, 4]]),
    ("tuple_into_two_inputs", TupleIntoTwoInputs, [[2, 4]]),
    ("tuple_into_layer", TupleIntoLayer, [[2, 4]]),
    ("tuple_as_one_argument", TupleAsOneArgument, [[2, 4]]),
    ("tuple_last", TupleLast, [[2, 4]]),
    ("two_inputs", TwoInputs, [[2, 4], [2, 4]]),
    ("partly_used", PartlyUsed, [[2, 4]]),
    ("unregistered", Unregistered, [[2, 4]]),
    ("skip_reads_child_twice", SkipReadsChildTwice, [[2, 4]]),
    ("loop_over_one_child", LoopOverOneChild, [[2, 4]]),
    ("branch_on_shape", BranchOnShape, [[2, 4]]),
    ("module_list", WithModuleList, [[2, 4]]),
    ("module_dict", WithModuleDict, [[2, 4]]),
    ("idempotent_twice", IdempotentTwice, [[2, 4]]),
    ("only_children", OnlyChildren, [[2, 4]]),
    ("fails_itself", FailsItself, [[2, 4]]),
]


def tensor_json(t):
    return {"shape": list(t.shape), "data": [float(v) for v in t.flatten()]}


def outputs_of(y):
    """A forward's result as a list of tensors: one tensor, or a tuple's items."""
    return [y] if isinstance(y, torch.Tensor) else list(y)


def error_json(e):
    return {"type": type(e).__name__, "message": str(e).splitlines()[0]}


def run_case(name, cls, shapes):
    torch.manual_seed(0)
    model = cls().eval()
    init_tensors(model.state_dict().items())
    for i, h in enumerate(getattr(model, "helpers", [])):
        init_tensors(h.state_dict().items(), f"helpers.{i}.")
    inputs = [det_input(s, "input" if i == 0 else f"input.{i}") for i, s in enumerate(shapes)]
    rec = {
        "name": name,
        "inputs": [tensor_json(x) for x in inputs],
        "named_children": [n for n, _ in model.named_children()],
        "registered_children": list(model._modules.keys()),
        "named_modules": [n for n, _ in model.named_modules()],
        "named_parameters": [n for n, _ in model.named_parameters()],
        "state_dict": list(model.state_dict().keys()),
        "repr": repr(model),
    }
    with torch.no_grad():
        try:
            original = outputs_of(model(*inputs))
            rec["model"] = {"ok": True, "outputs": [tensor_json(t) for t in original]}
        except Exception as e:  # the model itself fails: nothing to compare
            rec["model"] = {"ok": False, "error": error_json(e)}
            return rec
        seq = nn.Sequential(*model.children()).eval()
        rec["sequential_length"] = len(seq)
        try:
            result = outputs_of(seq(*inputs))
            rec["sequential"] = {"ok": True, "outputs": [tensor_json(t) for t in result]}
        except Exception as e:
            rec["sequential"] = {"ok": False, "error": error_json(e)}
            rec["values"] = "fails"
            return rec
    same = len(result) == len(original) and all(
        a.shape == b.shape and torch.equal(a, b) for a, b in zip(original, result))
    rec["values"] = "equal" if same else "different"
    return rec


if __name__ == "__main__":
    torch.set_num_threads(1)
    records = [run_case(*c) for c in CASES]
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "sequential_cases.json"), "w") as f:
        json.dump({"generator": "tests/reference/make_sequential_cases.py", "torch": torch.__version__,
                   "cases": records}, f, indent=1)
    for r in records:
        s = r.get("sequential", {})
        print(f"{r['name']:26} {r.get('values', 'model fails'):10}",
              s.get("error", {}).get("message", "") if not s.get("ok", True) else "")
