#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Times POT's log-domain Sinkhorn on a float32 cost file; prints median ms."""
import sys
import time

import numpy as np
import ot

path, n, reg, iters, reps = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
cost = np.fromfile(path, dtype=np.float32).reshape(n, n).astype(np.float64)
a = np.full(n, 1.0 / n)
b = np.full(n, 1.0 / n)
times = []
for _ in range(reps):
    t0 = time.perf_counter()
    ot.bregman.sinkhorn_log(a, b, cost, reg, numItermax=iters, stopThr=0.0)
    times.append((time.perf_counter() - t0) * 1000.0)
print(f"{np.median(times):.3f}")
