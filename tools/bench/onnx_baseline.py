#!/usr/bin/env python3
"""onnx's own Python reading of the same files: onnx.load (weights included)
then onnx.shape_inference.infer_shapes, median of N runs, one JSON line per
file. The peer of modtrace-bench-onnx's import + shape-only trace."""
import argparse
import json
import statistics
import time

import onnx


def median_ms(runs, fn):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000.0)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("files", nargs="+")
    a = parser.parse_args()
    for f in a.files:
        load = median_ms(a.runs, lambda: onnx.load(f))
        model = onnx.load(f)
        infer = median_ms(a.runs, lambda: onnx.shape_inference.infer_shapes(model))
        both = median_ms(a.runs, lambda: onnx.shape_inference.infer_shapes(onnx.load(f)))
        print(json.dumps({"file": f, "impl": f"onnx {onnx.__version__}", "runs": a.runs,
                          "load_ms_median": round(load, 2), "shape_inference_ms_median": round(infer, 2),
                          "load_and_infer_ms_median": round(both, 2), "nodes": len(model.graph.node)}))


if __name__ == "__main__":
    main()
