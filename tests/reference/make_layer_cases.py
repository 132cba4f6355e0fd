#!/usr/bin/env python3
"""PyTorch-computed cases for library layers whose forward is more than one
op: layer_cases.json. Each case gives the layer's constructor arguments, its
state_dict and inputs, and PyTorch 1.13's outputs. tests/test_attention.cpp
reads it.

Regenerate with Debian's python3-torch: /usr/bin/python3 tests/reference/make_layer_cases.py
"""
import json, os
import torch

torch.manual_seed(4321)

def tensor_json(t):
    return {"shape": list(t.shape), "data": [float(v) for v in t.flatten()]}

cases = []

def mha_case(name, embed_dim, num_heads, batch_first, need_weights, q, k, v):
    m = torch.nn.MultiheadAttention(embed_dim, num_heads, batch_first=batch_first).eval()
    with torch.no_grad():
        for p in m.parameters():
            p.copy_(torch.rand_like(p) * 2 - 1)
        out, weights = m(q, k, v, need_weights=need_weights)
    case = {"name": name, "layer": "MultiheadAttention",
            "args": {"embed_dim": embed_dim, "num_heads": num_heads, "batch_first": batch_first,
                     "need_weights": need_weights},
            "state_dict": {k2: tensor_json(t) for k2, t in m.state_dict().items()},
            "inputs": [tensor_json(q), tensor_json(k), tensor_json(v)],
            "outputs": [tensor_json(out)] + ([tensor_json(weights)] if need_weights else [])}
    cases.append(case)

x = torch.rand(2, 5, 8) * 2 - 1
mha_case("self-attention, batch first, no weights (ViT's use)", 8, 2, True, False, x, x, x)
mha_case("cross-attention, sequence first, averaged weights", 6, 3, False, True,
         torch.rand(3, 2, 6) * 2 - 1, torch.rand(4, 2, 6) * 2 - 1, torch.rand(4, 2, 6) * 2 - 1)

here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "layer_cases.json"), "w") as f:
    json.dump({"generator": "tests/reference/make_layer_cases.py", "torch": torch.__version__, "cases": cases}, f)
print(len(cases), "cases")
