#!/usr/bin/env python3
"""Prints one line 'N passed, M failed' over every test case that meson ran.

Reads meson's testlog.json: Catch2 binaries report 'All tests passed (A assertions in N test
cases)' or 'test cases: N | P passed | F failed'; Python unittest suites report 'Ran N tests'
and 'FAILED (failures=a, errors=b)'. A suite that crashed or timed out before reporting counts
as one failure, so a broken binary can never look like zero tests.
"""
import json
import re
import sys


def count(entry):
    out = (entry.get("stdout") or "") + "\n" + (entry.get("stderr") or "")
    ok = entry.get("result") == "OK"
    m = re.search(r"All tests passed \(\d+ assertions? in (\d+) test cases?\)", out)
    if m:
        return int(m.group(1)), 0 if ok else 1
    m = re.search(r"test cases:\s*(\d+)\s*\|\s*(\d+) passed\s*\|\s*(\d+) failed", out)
    if m:
        return int(m.group(2)), max(int(m.group(3)), 0 if ok else 1)
    m = re.search(r"test cases:\s*(\d+)\s*\|\s*(\d+) failed", out)
    if m:
        return 0, int(m.group(2))
    m = re.search(r"^Ran (\d+) tests? in", out, re.M)
    if m:
        total = int(m.group(1))
        f = re.search(r"^FAILED \((.*)\)", out, re.M)
        failed = 0
        skipped = 0
        if f:
            for part in f.group(1).split(","):
                k, _, v = part.strip().partition("=")
                if k in ("failures", "errors"):
                    failed += int(v)
                if k == "skipped":
                    skipped += int(v)
        s = re.search(r"^OK \(skipped=(\d+)\)", out, re.M)
        if s:
            skipped = int(s.group(1))
        if not ok and failed == 0:
            failed = 1
        return total - failed - skipped, failed
    return (1, 0) if ok else (0, 1)


def main():
    passed = failed = 0
    with open(sys.argv[1]) as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            p, fl = count(json.loads(line))
            passed += p
            failed += fl
    print(f"{passed} passed, {failed} failed")


if __name__ == "__main__":
    main()
