#!/usr/bin/env python3
"""Prints "N passed, N failed" from meson's testlog.json.

A meson test that runs doctest counts its test cases (from doctest's
summary line); any other test counts as one. A doctest run that crashed
before its summary counts as one failure.
"""
import json, re, sys

SUMMARY = re.compile(r"\[doctest\] test cases:\s*(\d+) \|\s*(\d+) passed \|\s*(\d+) failed")

passed = failed = 0
with open(sys.argv[1]) as log:
    for line in log:
        test = json.loads(line)
        ok = test["result"] in ("OK", "EXPECTEDFAIL", "SKIP")
        match = SUMMARY.search(test.get("stdout") or "")
        if match:
            passed += int(match.group(2))
            failed += int(match.group(3))
            if not ok and int(match.group(3)) == 0:
                failed += 1  # the run failed after the summary (e.g. a crash at exit)
        elif ok:
            passed += 1
        else:
            failed += 1
print(f"{passed} passed, {failed} failed")
