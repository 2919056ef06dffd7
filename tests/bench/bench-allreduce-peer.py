# SPDX-License-Identifier: GPL-3.0-or-later
# bench-allreduce-peer.py PORT RANK: the peer of bench-allreduce, one of
# two ranks summing doubles with torch.distributed on Gloo; rank 0 prints
# "n median-ms" for each size, as bench-allreduce's own ranks do.
import statistics
import sys
import time

import torch
import torch.distributed as dist

SIZES = (243975, 1000000, 10000000)


def main():
    port, rank = int(sys.argv[1]), int(sys.argv[2])
    torch.set_num_threads(1)
    dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}", rank=rank, world_size=2)
    for n in SIZES:
        reps = 10 if n >= 10000000 else 40
        times = []
        base = torch.arange(n, dtype=torch.float64) * 1e-6
        for r in range(-2, reps):
            values = base + rank
            # A copy inside the timing, as Otter's sum copies its input into a tensor.
            t0 = time.perf_counter()
            summed = values.clone()
            dist.all_reduce(summed)
            if r >= 0:
                times.append((time.perf_counter() - t0) * 1000)
        if rank == 0:
            print(n, "%.3f" % statistics.median(times), flush=True)
    dist.destroy_process_group()


main()
