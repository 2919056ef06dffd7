#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The entropic OT plan of a float32 cost file by POT's log-domain Sinkhorn
in float64, solved to 1e-10, written as float32: the reference Otter's
solver is checked against.

usage: sinkhorn_reference.py COST N M REG OUT
"""
import sys

import numpy as np
import ot

path, n, m, reg, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
cost = np.fromfile(path, dtype=np.float32).reshape(n, m).astype(np.float64)
plan = ot.bregman.sinkhorn_log(np.full(n, 1.0 / n), np.full(m, 1.0 / m), cost, reg,
                               numItermax=100000, stopThr=1e-10)
plan.astype(np.float32).tofile(out)
