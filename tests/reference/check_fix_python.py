#!/usr/bin/env python3
"""Runs the PyTorch code `modtrace fix` printed (tests/golden/fix/*.py) against
the real torchvision 0.14 models with the reference weights, and records what
it gave in fix_checked.json: for each file its FNV-1a 64 hash (so the C++ tests
know the file they compare with is the one PyTorch ran) and whether its
module's output equals the model's (`fixed`), or the child's output in the
full forward (`head`, for a truncation).

Usage: /usr/bin/python3 check_fix_python.py   (Debian's python3-torch and
python3-torchvision; regenerate the golden files first if modtrace changed)
"""
import glob
import json
import os
import sys

import torch

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
from make_reference import ZOO, deterministic_init, deterministic_input  # noqa: E402

GOLDEN = os.path.join(here, "..", "golden", "fix")


def fnv1a64(data):
    h = 0xCBF29CE484222325
    for b in data:
        h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return f"{h:016x}"


# file stem -> (zoo model, sub-module path or "", child the head stops after or "")
TRUNCATIONS = {
    "resnet18_upto_layer3": ("resnet18", "", "layer3"),
    "vit_b_16_upto_encoder": ("vit_b_16", "", "encoder"),
    "densenet121_denseblock1_upto_denselayer2": ("densenet121", "features.denseblock1", "denselayer2"),
}


def run_case(stem, code):
    model_name, at, upto = TRUNCATIONS.get(stem, (stem, "", ""))
    build, shape = ZOO[model_name]
    torch.manual_seed(0)
    model = deterministic_init(build()).eval()
    x = torch.ones(shape) if model_name == "seed_main_model" else deterministic_input(shape)
    namespace = {"model": model}
    exec(compile(code, stem + ".py", "exec"), namespace)
    with torch.no_grad():
        if not upto:
            want, got = model(x), namespace["fixed"](x)
        else:
            module = model.get_submodule(at) if at else model
            seen = {}
            # Hooks that return None: a returned value would replace the module's output.
            hooks = [module.register_forward_hook(lambda m, i, o: None if "input" in seen else seen.update(input=i))]
            hooks.append(module.get_submodule(upto).register_forward_hook(
                lambda m, i, o: None if "out" in seen else seen.update(out=o)))
            model(x)
            for h in hooks:
                h.remove()
            inputs = seen["input"]
            got = namespace["head"](*inputs)
            if isinstance(got, dict):
                got = got[upto]
            want = seen["out"]
    return {"equal": bool(got.shape == want.shape and torch.equal(got, want)),
            "max_abs_diff": float((got - want).abs().max()) if got.shape == want.shape else None}


def main():
    torch.set_num_threads(2)
    results = {}
    for path in sorted(glob.glob(os.path.join(GOLDEN, "*.py"))):
        stem = os.path.splitext(os.path.basename(path))[0]
        with open(path, "rb") as f:
            data = f.read()
        result = run_case(stem, data.decode())
        result["fnv1a64"] = fnv1a64(data)
        results[stem + ".py"] = result
        print(stem, result)
    with open(os.path.join(here, "fix_checked.json"), "w") as f:
        json.dump({"generator": "tests/reference/check_fix_python.py", "torch": torch.__version__, "files": results}, f,
                  indent=1)


if __name__ == "__main__":
    main()
