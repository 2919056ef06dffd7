#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Prints 'N passed, N failed' over the TAP subtests of a meson test log.

A test binary that crashed or timed out before printing its plan counts as
one failure, so a broken binary can never look green.
"""
import json
import re
import sys

passed = failed = skipped = 0
with open(sys.argv[1], encoding="utf-8") as log:
    for line in log:
        entry = json.loads(line)
        out = entry.get("stdout") or ""
        ok = len(re.findall(r"^ok \d+(?! # SKIP)", out, re.M))
        skip = len(re.findall(r"^ok \d+ # SKIP", out, re.M))
        bad = len(re.findall(r"^not ok \d+", out, re.M))
        if entry.get("result") not in ("OK", "SKIP", "EXPECTEDFAIL") and bad == 0:
            bad = 1
        elif entry.get("result") == "OK" and ok + skip + bad == 0:
            ok = 1              # a plain (non-TAP) check such as a validator
        passed += ok
        failed += bad
        skipped += skip
print(f"{passed} passed, {failed} failed, {skipped} skipped")
