#!/usr/bin/env python3
"""PyTorch's side of tools/bench/run.sh: one zoo model's eager forward under
no_grad (torchvision's model, modtrace's deterministic weights), timed, with
this process's peak memory; or the same model exported to ONNX for ONNX
Runtime. One model per process, so the peak memory is that model's.

  /usr/bin/python3 torch_forward.py [--threads N] [--runs R] [--batch B] MODEL
  /usr/bin/python3 torch_forward.py --batch B --export-onnx FILE MODEL

Prints one JSON object: {"engine", "model", "batch", "threads",
"forward_ms_median", "base_rss_mib" (the runtime alone, before the model),
"model_rss_mib" (peak once built), "peak_rss_mib"}. Needs Debian's
python3-torch and python3-torchvision; never needed to build or test.
"""
import argparse, json, os, resource, sys, time
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tests", "reference"))
import torch
from make_reference import ZOO, deterministic_init, deterministic_input


def rss_now_mib():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGESIZE") / 2**20


def peak_rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--batch", type=int, default=1)
    ap.add_argument("--export-onnx", metavar="FILE")
    ap.add_argument("model")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    base_rss = rss_now_mib()
    build, shape = ZOO[a.model]
    if len(shape) == 4:
        shape = [a.batch] + shape[1:]
    model = deterministic_init(build()).eval()
    x = deterministic_input(shape)
    if a.export_onnx:
        # Every op as the model runs it: no constant folding, as in modtrace.
        torch.onnx.export(model, x, a.export_onnx, do_constant_folding=False, opset_version=14,
                          input_names=["input"], output_names=["output"])
        return
    model_rss = peak_rss_mib()
    times = []
    with torch.no_grad():
        for _ in range(2):
            model(x)
        for _ in range(a.runs):
            start = time.perf_counter()
            model(x)
            times.append((time.perf_counter() - start) * 1e3)
    print(json.dumps({"engine": "pytorch", "model": a.model, "batch": a.batch, "threads": torch.get_num_threads(),
                      "forward_ms_median": round(sorted(times)[len(times) // 2], 3),
                      "base_rss_mib": round(base_rss, 1), "model_rss_mib": round(model_rss, 1), "peak_rss_mib": round(peak_rss_mib(), 1)}), flush=True)


if __name__ == "__main__":
    main()
