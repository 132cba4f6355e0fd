#!/usr/bin/env python3
"""repr() of every zoo model as PyTorch 1.13 / torchvision 0.14 print it:
reprs.json, compared byte for byte by tests/test_printing.cpp.

Regenerate with Debian's python3-torch: /usr/bin/python3 tests/reference/make_reprs.py
"""
import json, os, sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_reference import ZOO  # noqa: E402

here = os.path.dirname(os.path.abspath(__file__))
reprs = {name: repr(build()) for name, (build, _) in ZOO.items()}
with open(os.path.join(here, "reprs.json"), "w") as f:
    json.dump({"generator": "tests/reference/make_reprs.py", "torch": torch.__version__, "reprs": reprs}, f, indent=1)
print(len(reprs), "models")
