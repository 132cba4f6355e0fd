#!/usr/bin/env python3
"""The table of tools/bench/run.sh: reads its JSON lines (one per engine,
model and batch, and the sgemm line) and prints markdown: forward time of
modtrace, PyTorch and ONNX Runtime, modtrace's ratio to each (issue 13's
targets: at most 0.7x PyTorch's time, at most 2x ONNX Runtime's), and each
engine's peak resident memory.

  python3 forward_table.py build/bench-forward/results.jsonl
"""
import json
import sys

ENGINES = ("modtrace", "pytorch", "onnxruntime")


def cell(value, digits=1):
    return "" if value is None else f"{value:.{digits}f}"


def rss_cell(j):
    """Peak resident MiB, and in parentheses the runtime's own before the model."""
    if not j or j.get("peak_rss_mib") is None:
        return "-"
    base = j.get("base_rss_mib")
    return f"{j['peak_rss_mib']:.0f}" + ("" if base is None else f" ({base:.0f})")


def ratio(a, b, target):
    if a is None or b is None or b == 0:
        return ""
    r = a / b
    return f"{r:.2f}x {'ok' if r <= target else 'over'}"


def main(path):
    rows = {}
    sgemm = None
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line.startswith("{"):
                continue
            j = json.loads(line)
            if "sgemm" in j:
                sgemm = j
                continue
            rows.setdefault((j["model"], j["batch"]), {})[j["engine"]] = j
    if sgemm:
        print(f"sgemm {sgemm['sgemm']}x{sgemm['sgemm']} in this binary (F::matmul): {sgemm['gflops']} GFLOP/s "
              f"({sgemm['ms_median']} ms, OMP_NUM_THREADS={sgemm['threads']}, kernels {sgemm.get('kernels', '?')}, "
              f"instruction set {sgemm.get('isa', '?')})\n")
    print("| model | batch | modtrace ms | PyTorch ms | ONNX Runtime ms | modtrace / PyTorch (<= 0.7) "
          "| modtrace / ONNX Runtime (<= 2) | peak RSS MiB (runtime alone): modtrace / PyTorch / ONNX Runtime |")
    print("|---|---|---|---|---|---|---|---|")
    for (model, batch), by_engine in rows.items():
        ms = {e: by_engine.get(e, {}).get("forward_ms_median") for e in ENGINES}
        rss = " / ".join(rss_cell(by_engine.get(e)) for e in ENGINES)
        print(f"| {model} | {batch} | {cell(ms['modtrace'])} | {cell(ms['pytorch'])} | {cell(ms['onnxruntime'])} "
              f"| {ratio(ms['modtrace'], ms['pytorch'], 0.7)} | {ratio(ms['modtrace'], ms['onnxruntime'], 2.0)} | {rss} |")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: forward_table.py RESULTS.jsonl")
    main(sys.argv[1])
