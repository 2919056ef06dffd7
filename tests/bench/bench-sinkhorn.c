/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bench-sinkhorn.c: Otter's log-domain Sinkhorn beside POT's sinkhorn_log
 *
 * Both solve the same cosine-style costs in [0, 2] at reg 0.01 for a fixed
 * number of iterations (tolerance 0, so neither stops early), so the times
 * compare the same work. POT runs in a python3 child on the very same
 * matrices, written to a temporary file.
 */

#include "config.h"

#include <glib/gstdio.h>
#include <stdlib.h>

#include "bench-common.h"
#include "otter-torch.h"

#define ITERATIONS 100
#define REG 0.01f

static double
otter_ms (const float *cost, int n, int reps)
{
  g_autofree float *plan = g_new (float, (gsize) n * n);
  double times[16];
  for (int r = 0; r < reps; r++)
    {
      gint64 t0 = g_get_monotonic_time ();
      g_assert_true (otter_torch_sinkhorn (cost, n, n, REG, ITERATIONS, 0.0f, plan, NULL, NULL, NULL));
      times[r] = (g_get_monotonic_time () - t0) / 1000.0;
    }
  return bench_median (times, reps);
}

static double
pot_ms (const char *script, const char *path, int n, int reps, char **error_text)
{
  g_autofree char *n_text = g_strdup_printf ("%d", n);
  g_autofree char *reps_text = g_strdup_printf ("%d", reps);
  g_autofree char *iters = g_strdup_printf ("%d", ITERATIONS);
  g_autofree char *reg = g_strdup_printf ("%g", REG);
  const char *argv[] = { "/usr/bin/python3", script, path, n_text, reg, iters, reps_text, NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status = 0;
  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, NULL) ||
      !g_spawn_check_wait_status (status, NULL))
    {
      *error_text = g_strdup (err && *err ? g_strstrip (err) : "python3 failed");
      return -1;
    }
  return g_ascii_strtod (out, NULL);
}

int
main (int argc, char *argv[])
{
  const char *threads = g_getenv ("OTTER_THREADS");
  const char *srcdir = g_getenv ("OTTER_BENCH_SRCDIR");
  otter_torch_set_threads (threads ? atoi (threads) : (int) g_get_num_processors ());
  g_autofree char *blas = bench_loaded_blas ();
  g_autofree char *script = g_build_filename (srcdir ? srcdir : ".", "bench-sinkhorn-pot.py", NULL);
  g_autofree char *dir = g_dir_make_tmp ("otter-bench-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "cost.f32", NULL);
  int sizes[] = { 64, 256, 1024 };

  printf ("Sinkhorn, %d iterations at reg %g, median time per solve (ms); %d libtorch threads; BLAS: %s\n",
          ITERATIONS, REG, otter_torch_get_threads (), blas);
  printf ("%6s %14s %22s %8s\n", "N", "Otter (f32)", "POT sinkhorn_log (f64)", "ratio");
  for (guint k = 0; k < G_N_ELEMENTS (sizes); k++)
    {
      int n = sizes[k], reps = n >= 1024 ? 3 : 7;
      g_autofree float *cost = g_new (float, (gsize) n * n);
      g_autoptr (GRand) rand = g_rand_new_with_seed (n);
      for (int i = 0; i < n * n; i++)
        cost[i] = (float) g_rand_double_range (rand, 0.0, 2.0);
      g_assert_true (g_file_set_contents (path, (const char *) cost, (gssize) n * n * sizeof (float), NULL));
      double ours = otter_ms (cost, n, reps);
      g_autofree char *error_text = NULL;
      double theirs = pot_ms (script, path, n, reps, &error_text);
      if (theirs < 0)
        printf ("%6d %14.2f %22s %8s   (POT unavailable: %s)\n", n, ours, "-", "-", error_text);
      else
        printf ("%6d %14.2f %22.2f %7.2f×\n", n, ours, theirs, theirs / ours);
    }
  g_unlink (path);
  g_rmdir (dir);
  return 0;
}
