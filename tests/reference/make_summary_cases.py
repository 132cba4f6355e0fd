#!/usr/bin/env python3
"""torchinfo's summary of every zoo model at depths 1, 3 and 20 (all):
summary_torchinfo.json, compared by tests/test_summary.cpp.

torchinfo is not in Debian: this runs it from a source checkout (pure
Python, on Debian's python3-torch), torchinfo 1.8.0 at
https://github.com/TylerYep/torchinfo (tag v1.8.0):

    /usr/bin/python3 tests/reference/make_summary_cases.py PATH/TO/torchinfo-1.8.0
"""
import json, os, sys

sys.path.insert(0, sys.argv[1])
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch  # noqa: E402
import torchinfo  # noqa: E402
from torchinfo.formatting import FormattingOptions  # noqa: E402
from make_reference import ZOO  # noqa: E402

here = os.path.dirname(os.path.abspath(__file__))
DEPTHS = [1, 3, 20]

cases = {}
for name, (build, shape) in ZOO.items():
    torch.manual_seed(0)
    model = build().eval()
    for depth in DEPTHS:
        stats = torchinfo.summary(model, input_size=tuple(shape), depth=depth, verbose=0,
                                  col_names=("input_size", "output_size", "num_params", "mult_adds"))
        rows = []
        for layer in stats.summary_list:
            if layer.depth > depth:
                continue
            reached = layer.depth == depth
            rows.append({"depth": layer.depth, "type": layer.class_name,
                         "input": layer.input_size, "output": layer.output_size,
                         "params": layer.num_params_to_str(reached), "mult_adds": layer.macs_to_str(reached)})
        cases[f"{name} depth {depth}"] = {
            "model": name, "depth": depth, "rows": rows,
            "total_params": stats.total_params, "trainable_params": stats.trainable_params,
            "total_mult_adds": stats.total_mult_adds,
            "input_mb": f"{stats.to_megabytes(stats.total_input):0.2f}",
            "forward_backward_mb": f"{stats.to_megabytes(stats.total_output_bytes):0.2f}",
            "params_mb": f"{stats.to_megabytes(stats.total_param_bytes):0.2f}",
            "total_mb": f"{stats.to_megabytes(stats.total_input + stats.total_output_bytes + stats.total_param_bytes):0.2f}",
        }
        print(name, depth, len(rows), "rows", file=sys.stderr)

with open(os.path.join(here, "summary_torchinfo.json"), "w") as f:
    json.dump({"generator": "tests/reference/make_summary_cases.py", "torch": torch.__version__,
               "torchinfo": torchinfo.__version__, "cases": cases}, f, indent=1)
