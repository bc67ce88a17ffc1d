#!/usr/bin/env python3
"""Counts individual results: every TAP subtest of every suite in each
meson test log, plus one result per fuzz target. Prints the counts per
log and ends with the line CI reads: "N passed, N failed"."""
import json
import pathlib
import re
import sys

results = pathlib.Path(sys.argv[1])
passed = failed = 0

for log in sorted(results.glob("*.json")):
    p = f = 0
    for line in log.read_text().splitlines():
        test = json.loads(line)
        ok = test["result"] in ("OK", "EXPECTEDFAIL", "SKIP")
        out = test.get("stdout") or ""
        subtests = re.findall(r"^(ok|not ok) \d+", out, re.M)
        if subtests:
            p += sum(1 for s in subtests if s == "ok")
            f += sum(1 for s in subtests if s == "not ok")
            # A suite that crashed after its last "ok" still failed.
            if not ok and not any(s == "not ok" for s in subtests):
                f += 1
        elif ok:
            p += 1
        else:
            f += 1
        if not ok:
            print(f"  FAILED: {log.stem}: {test['name']} ({test['result']})")
    print(f"{log.stem}: {p} passed, {f} failed")
    passed += p
    failed += f

for result in sorted(results.glob("*.result")):
    if result.read_text().strip() == "ok":
        passed += 1
    else:
        failed += 1
        print(f"  FAILED: {result.stem}")

print(f"{passed} passed, {failed} failed")
