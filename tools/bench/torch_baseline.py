#!/usr/bin/env python3
"""Time PyTorch on this machine, for side-by-side benchmarks.

For each model: eager forward under no_grad (batch 1, 3x224x224 unless the
model is the seed example), and torch.fx.symbolic_trace (graph capture
without computing). Prints one JSON object per model:
  {"model", "threads", "forward_ms_median", "forward_ms_min",
   "fx_trace_ms_median", "fx_nodes"}

Usage: /usr/bin/python3 torch_baseline.py [--threads N] [--runs R] MODEL...
Needs Debian's python3-torch and python3-torchvision (apt-get install).
Run it in the same shell session as the modtrace benchmark it is compared
with, and quote ratios, not absolute times: the machine is shared and noisy.
"""
import argparse, json, os, statistics, sys, time
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tests", "reference"))
import torch, torch.fx
from make_reference import ZOO, deterministic_init, deterministic_input

def median_ms(fn, runs):
    ts = []
    for _ in range(runs):
        t = time.perf_counter(); fn(); ts.append((time.perf_counter() - t) * 1e3)
    return statistics.median(ts), min(ts)

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("models", nargs="+")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    for name in a.models:
        build, shape = ZOO[name]
        model = deterministic_init(build()).eval()
        x = deterministic_input(shape)
        with torch.no_grad():
            for _ in range(3):
                model(x)
            fwd_med, fwd_min = median_ms(lambda: model(x), a.runs)
        try:
            fx_med, _ = median_ms(lambda: torch.fx.symbolic_trace(model), max(3, a.runs // 2))
            nodes = len(torch.fx.symbolic_trace(model).graph.nodes)
        except Exception:
            fx_med, nodes = None, None
        print(json.dumps({"model": name, "threads": torch.get_num_threads(),
                          "forward_ms_median": round(fwd_med, 3), "forward_ms_min": round(fwd_min, 3),
                          "fx_trace_ms_median": None if fx_med is None else round(fx_med, 3),
                          "fx_nodes": nodes}), flush=True)

if __name__ == "__main__":
    main()
