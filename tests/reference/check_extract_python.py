#!/usr/bin/env python3
"""Runs the PyTorch code `modtrace extract` printed (tests/golden/extract/*.py)
against the real torchvision 0.14 models with the reference weights, and
records in extract_checked.json, per file: its FNV-1a 64 hash (so the C++
tests know the file they compare with is the one PyTorch ran) and, per name,
whether the extracted value equals the full forward's value where
extract_cases.json says the forward shows it (a module call's output or first
argument, or the model's output).

It also asks torchvision's create_feature_extractor (torch.fx) for the same
names and records whether fx could trace the model, accepted the names and
gave the same values: that is what `modtrace extract` may promise about fx.

Usage: /usr/bin/python3 check_extract_python.py   (Debian's python3-torch and
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
from check_fix_python import fnv1a64  # noqa: E402

GOLDEN = os.path.join(here, "..", "golden", "extract")


def forward_values(model, x, where):
    """The values the full forward shows at each reference place (hooks)."""
    seen, hooks, calls = {}, [], {}

    def watch(name, ref):
        module = model.get_submodule(ref.get("output_of") or ref.get("input_of"))
        wanted = ref.get("call", 0)

        def hook(m, inputs, output=None):
            key = (id(m), "output_of" in ref, name)
            count = calls.get(key, 0)
            calls[key] = count + 1
            if count == wanted:
                # A copy: a later step may change the tensor in place (ReLU(inplace=True), `+=`).
                seen[name] = (output if "output_of" in ref else inputs[0]).clone()
            return None

        if "output_of" in ref:
            hooks.append(module.register_forward_hook(lambda m, i, o: hook(m, i, o)))
        else:
            hooks.append(module.register_forward_pre_hook(lambda m, i: hook(m, i)))

    for name, ref in where.items():
        if "model_output" not in ref:
            watch(name, ref)
    out = model(x)
    for h in hooks:
        h.remove()
    for name, ref in where.items():
        if "model_output" in ref:
            seen[name] = out
    return seen


def main():
    torch.set_num_threads(2)
    cases = json.load(open(os.path.join(here, "extract_cases.json")))["models"]
    results = {}
    for path in sorted(glob.glob(os.path.join(GOLDEN, "*.py"))):
        stem = os.path.splitext(os.path.basename(path))[0]
        where = cases[stem]
        build, shape = ZOO[stem]
        torch.manual_seed(0)
        model = deterministic_init(build()).eval()
        x = torch.ones(shape) if stem == "seed_main_model" else deterministic_input(shape)
        with open(path, "rb") as f:
            data = f.read()
        namespace = {"model": model}
        exec(compile(data.decode(), stem + ".py", "exec"), namespace)
        with torch.no_grad():
            want = forward_values(model, x, where)
            got = namespace["features"](x)
            result = {"fnv1a64": fnv1a64(data), "names": {}}
            for name in where:
                same = got[name].shape == want[name].shape and torch.equal(got[name], want[name])
                result["names"][name] = {"equal": bool(same)}
            try:
                from torchvision.models.feature_extraction import create_feature_extractor
                fx = create_feature_extractor(model, return_nodes=list(where))(x)
                result["fx"] = {"traced": True,
                                "equal": {n: bool(torch.equal(fx[n], want[n])) for n in where}}
            except Exception as e:  # fx cannot trace the model, or names a value differently
                result["fx"] = {"traced": False, "error": f"{type(e).__name__}: {str(e).splitlines()[0][:200]}"}
        results[stem + ".py"] = result
        print(stem, json.dumps(result))
    with open(os.path.join(here, "extract_checked.json"), "w") as f:
        json.dump({"generator": "tests/reference/check_extract_python.py", "torch": torch.__version__,
                   "files": results}, f, indent=1)


if __name__ == "__main__":
    main()
