// ONNX Runtime's side of tools/bench/run.sh: one exported zoo model's
// forward, timed, with this process's peak memory. ONNX Runtime is a
// benchmark peer only (npm's onnxruntime-node, CPU), never a dependency.
//
//   ORT_DIR=build/bench-ort node ort_forward.mjs [--threads N] [--runs R] [--batch B] MODEL FILE.onnx
//
// Prints one JSON object like torch_forward.py's.
import { createRequire } from "module";
import path from "path";

const args = process.argv.slice(2);
const opt = { threads: 2, runs: 10, batch: 1 };
const positional = [];
for (let i = 0; i < args.length; ++i) {
  if (args[i].startsWith("--")) opt[args[i].slice(2)] = Number(args[++i]);
  else positional.push(args[i]);
}
const [model, file] = positional;
if (!model || !file) {
  console.error("usage: node ort_forward.mjs [--threads N] [--runs R] [--batch B] MODEL FILE.onnx");
  process.exit(2);
}
const require = createRequire(path.resolve(process.env.ORT_DIR || "build/bench-ort", "package.json"));
const ort = require("onnxruntime-node");
const peakRssMiB = () => process.resourceUsage().maxRSS / 1024;

const baseRss = process.memoryUsage().rss / 2 ** 20;
const session = await ort.InferenceSession.create(file, {
  intraOpNumThreads: opt.threads,
  interOpNumThreads: 1,
  executionProviders: ["cpu"],
  graphOptimizationLevel: "all",
});
const modelRss = peakRssMiB();
const input = session.inputNames[0];
const dims = [opt.batch, 3, 224, 224];
const data = new Float32Array(dims.reduce((a, b) => a * b, 1));
// The same deterministic-looking values are not needed for timing: a fixed pattern.
for (let i = 0; i < data.length; ++i) data[i] = ((i * 2654435761) % 2000) / 1000 - 1;
const feeds = { [input]: new ort.Tensor("float32", data, dims) };
for (let i = 0; i < 2; ++i) await session.run(feeds);
const times = [];
for (let i = 0; i < opt.runs; ++i) {
  const start = process.hrtime.bigint();
  await session.run(feeds);
  times.push(Number(process.hrtime.bigint() - start) / 1e6);
}
times.sort((a, b) => a - b);
const round = (v, d) => Math.round(v * 10 ** d) / 10 ** d;
console.log(JSON.stringify({
  engine: "onnxruntime", model, batch: opt.batch, threads: opt.threads,
  forward_ms_median: round(times[Math.floor(times.length / 2)], 3),
  base_rss_mib: round(baseRss, 1), model_rss_mib: round(modelRss, 1), peak_rss_mib: round(peakRssMiB(), 1),
}));
