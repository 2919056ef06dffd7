/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-sinkhorn-cpu.h: a float32 Sinkhorn solve on the CPU, on raw memory
 *
 * The kernel-domain iteration of the shim's sinkhorn_plan() for one n × m
 * plan with uniform marginals, written so that an iteration reads the
 * kernel once. It knows nothing of libtorch: the caller lends it a way to
 * run a few pieces of work side by side (at::parallel_for in the shim), or
 * none, and then it runs them one after another. The pieces are the same
 * either way, so the result does not depend on the number of threads.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef void (*OtterSinkhornTask) (void *data, int64_t piece);
/* Runs task(data, 0) … task(data, n_pieces − 1), in any order and on any
 * threads, and returns when all are done. */
typedef void (*OtterSinkhornParallel) (int64_t n_pieces, OtterSinkhornTask task, void *data);

typedef struct
{
  int iterations;
  /* the larger of the row and column L1 marginal errors of the plan written */
  double marginal_error;
} OtterSinkhornCpuResult;

/* Solves the entropic OT plan between uniform marginals for the n × m
 * row-major `cost` at `reg`, until the row marginal error right after a
 * column update is below `tol` or `max_iter` iterations. `f` (n) and `g`
 * (m) hold the starting potentials (zeros for a cold start) and receive
 * the final ones; `plan` (n × m, not overlapping `cost`) receives the
 * plan. `parallel` may be NULL. Returns false only when memory runs out. */
bool otter_sinkhorn_cpu_solve (const float *cost, int64_t n, int64_t m, float reg, int max_iter,
                               double tol, float *f, float *g, float *plan,
                               OtterSinkhornParallel parallel, OtterSinkhornCpuResult *result);

#ifdef __cplusplus
}
#endif
