#!/usr/bin/env python3
"""Every JSON document the modtrace tool writes validates against its schema
in docs/schemas/ (docs/json.md): traces, diff, fix and extract reports,
tensors and errors, from models that exercise the optional parts (failures,
several outputs, unused children, dropped ops, shape-only runs).

Usage: check_schemas.py MODTRACE SCHEMA_DIR
Prints one line per document and ends with "N documents valid" or the
first problem of each invalid one (exit status 1)."""

import json
import pathlib
import subprocess
import sys
import tempfile

import warnings

import jsonschema

# Debian 12 has jsonschema 4.10; newer ones deprecate RefResolver, which both have.
warnings.filterwarnings("ignore", category=DeprecationWarning)

tool, schema_dir = sys.argv[1], pathlib.Path(sys.argv[2])
store = {}
for path in schema_dir.glob("*.schema.json"):
    schema = json.loads(path.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)  # the schema itself is well formed
    store[schema["$id"]] = schema


def validator(name):
    schema = store[name + ".schema.json"]
    resolver = jsonschema.RefResolver(base_uri="", referrer=schema, store=store)
    return jsonschema.Draft202012Validator(schema, resolver=resolver)


# (schema, arguments, where the document goes: "stdout" or the file named by {out}, exit statuses allowed)
cases = [
    ("tensor", "run seed_main_model --output-json {out}", "file", {0}),
    ("tensor", "run seed_main_model --input-shape 1x3 --input zeros --output-json {out}", "file", {0}),
    ("trace", "trace seed_main_model -o {out}", "file", {0}),
    ("trace", "trace resnet18 --shape-only -o {out}", "file", {0}),
    ("trace", "trace googlenet --shape-only -o {out}", "file", {0}),
    ("trace", "trace vit_b_16 --shape-only -o {out}", "file", {0}),
    ("diff", "diff seed_main_model --format json", "stdout", {0}),
    ("diff", "diff resnet18 --format json --shape-only", "stdout", {0}),
    ("diff", "diff googlenet --format json --shape-only", "stdout", {0}),
    ("diff", "diff densenet121 --format json --shape-only", "stdout", {0}),
    ("diff", "diff vit_b_16 --format json --shape-only", "stdout", {0}),
    ("diff", "diff resnet18 --at layer1.0 --format json", "stdout", {0}),
    ("fix", "fix seed_main_model --format json", "stdout", {0, 3}),
    ("fix", "fix resnet18 --format json --shape-only", "stdout", {0, 3}),
    ("fix", "fix googlenet --upto inception3a --format json --shape-only", "stdout", {0, 3}),
    ("extract", "extract resnet18 --nodes layer1,flatten --format json --shape-only", "stdout", {0}),
    ("error", "diff no_such_model --format json", "stdout", {2}),
    ("error", "diff resnet18 --input-shape 1x3x8 --format json", "stdout", {1}),
    ("error", "fix resnet18 --input-shape 1x5x32x32 --format json", "stdout", {1}),
]

failures = 0
with tempfile.TemporaryDirectory() as scratch:
    for i, (schema, args, where, statuses) in enumerate(cases):
        out = str(pathlib.Path(scratch) / f"doc{i}.json")
        argv = [tool] + [a.replace("{out}", out) for a in args.split()]
        run = subprocess.run(argv, capture_output=True, text=True)
        label = f"{schema}: modtrace {args}"
        if run.returncode not in statuses:
            print(f"FAIL {label}: exit status {run.returncode}, expected {sorted(statuses)}\n{run.stderr}")
            failures += 1
            continue
        text = run.stdout if where == "stdout" else pathlib.Path(out).read_text()
        try:
            document = json.loads(text)
        except json.JSONDecodeError as e:
            print(f"FAIL {label}: not JSON ({e})")
            failures += 1
            continue
        errors = sorted(validator(schema).iter_errors(document), key=lambda e: list(e.path))
        if errors:
            failures += 1
            print(f"FAIL {label}: {len(errors)} problem(s)")
            for e in errors[:5]:
                print(f"  at {'/'.join(str(p) for p in e.path) or '(root)'}: {e.message[:300]}")
        else:
            print(f"ok   {label}")

print(f"{len(cases) - failures} documents valid, {failures} invalid")
sys.exit(1 if failures else 0)
