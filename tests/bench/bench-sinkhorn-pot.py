#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""POT's Sinkhorn on the float32 cost file the benchmark wrote, to the same
L1 marginal error as Otter; prints JSON: median ms per set of plans, the
largest L1 marginal error reached, POT's version.

usage: bench-sinkhorn-pot.py COST PLANS N REG TOL REPS THREADS BACKEND
BACKEND: numpy (float64, POT's plain Sinkhorn, which float64 keeps finite
at reg 0.01) or torch (float32, POT's log-domain Sinkhorn: the plain one
underflows in float32 at reg 0.01).
"""
import json
import sys
import time

import numpy as np

path, plans, n, reg, tol, reps, threads, backend = sys.argv[1:9]
plans, n, reps, threads = int(plans), int(n), int(reps), int(threads)
reg, tol = float(reg), float(tol)

import ot  # noqa: E402  (after the arguments: a usage error needs no POT)

costs = np.fromfile(path, dtype=np.float32).reshape(plans, n, n)
if backend == "torch":
    import torch
    torch.set_num_threads(threads)
    costs = [torch.from_numpy(c.copy()) for c in costs]
    marginal = torch.full((n,), 1.0 / n, dtype=torch.float32)
    method = "sinkhorn_log"

    def as_numpy(plan):
        return plan.double().numpy()
else:
    costs = [c.astype(np.float64) for c in costs]
    marginal = np.full(n, 1.0 / n)
    method = "sinkhorn"

    def as_numpy(plan):
        return plan

# POT stops on the L2 norm of the column error, checked every 10
# iterations; L1 ≤ √n · L2, so this threshold reaches tol in L1.
stop = tol / np.sqrt(n)
times, worst = [], 0.0
for _ in range(reps):
    t0 = time.perf_counter()
    solved = [ot.sinkhorn(marginal, marginal, c, reg, method=method, numItermax=100000, stopThr=stop)
              for c in costs]
    times.append((time.perf_counter() - t0) * 1000.0)
    for plan in solved:
        p = as_numpy(plan)
        worst = max(worst, np.abs(p.sum(1) - 1.0 / n).sum(), np.abs(p.sum(0) - 1.0 / n).sum())
print(json.dumps({"ms": float(np.median(times)), "l1": float(worst), "pot": ot.__version__}))
