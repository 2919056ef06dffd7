/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bench-sinkhorn.c: Otter's Sinkhorn beside POT's, to the same marginal error
 *
 * Every solver stops at the same L1 marginal error (1e-4) on the same
 * cosine-style costs in [0, 2] at reg 0.01, and each one's reached error
 * is printed, so the times compare the same result. POT runs in python3
 * children on the very same matrices: its torch backend in float32 (its
 * log-domain solver, the one that works in float32 at this reg) and numpy
 * in float64, each with Otter's thread count. The last row is the attack's
 * spatial case: 16 plans of 1024 × 1024 feature cells.
 */

#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <stdlib.h>

#include "bench-common.h"
#include "otter-torch.h"

#define REG 0.01f
#define TOL 1e-4f

typedef struct
{
  double ms;
  double l1;
  int    iterations;
} Solve;

static Solve
otter_solve (const float *cost, int plans, int n, int reps)
{
  g_autofree float *plan = g_new (float, (gsize) plans * n * n);
  double times[16];
  Solve s = { 0 };
  for (int r = 0; r < reps; r++)
    {
      float err = 0;
      gint64 t0 = g_get_monotonic_time ();
      g_assert_true (otter_torch_sinkhorn_plans (cost, plans, n, n, REG, 100000, TOL, plan, &s.iterations,
                                                 &err, NULL));
      times[r] = (g_get_monotonic_time () - t0) / 1000.0;
      s.l1 = MAX (s.l1, err);
    }
  s.ms = bench_median (times, reps);
  return s;
}

/* POT on `backend`; FALSE with the reason when it could not run. */
static gboolean
pot_solve (const char *script, const char *path, int plans, int n, int reps, const char *backend,
           Solve *out, char **why)
{
  g_autofree char *plans_text = g_strdup_printf ("%d", plans), *n_text = g_strdup_printf ("%d", n);
  g_autofree char *reg = g_strdup_printf ("%g", REG), *tol = g_strdup_printf ("%g", TOL);
  g_autofree char *reps_text = g_strdup_printf ("%d", reps);
  g_autofree char *threads = g_strdup_printf ("%d", otter_torch_get_threads ());
  const char *argv[] = { "/usr/bin/python3", script, path, plans_text, n_text, reg, tol, reps_text, threads,
                         backend, NULL };
  g_autofree char *stdout_text = NULL, *stderr_text = NULL;
  int status = 0;
  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &stdout_text, &stderr_text,
                     &status, NULL) ||
      !g_spawn_check_wait_status (status, NULL))
    {
      *why = g_strdup (stderr_text && *stderr_text ? g_strstrip (stderr_text) : "python3 failed");
      return FALSE;
    }
  g_autoptr (JsonNode) node = json_from_string (stdout_text, NULL);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      *why = g_strdup ("no result from POT");
      return FALSE;
    }
  JsonObject *o = json_node_get_object (node);
  out->ms = json_object_get_double_member_with_default (o, "ms", NAN);
  out->l1 = json_object_get_double_member_with_default (o, "l1", NAN);
  return TRUE;
}

static void
print_peer (const char *script, const char *path, int plans, int n, int reps, const char *backend,
            const Solve *ours)
{
  Solve theirs = { 0 };
  g_autofree char *why = NULL;
  if (pot_solve (script, path, plans, n, reps, backend, &theirs, &why))
    printf ("  %-18s %10.2f ms  L1 %.1e   Otter %6.2f× faster\n", backend[0] == 't' ? "POT torch f32" : "POT numpy f64",
            theirs.ms, theirs.l1, theirs.ms / ours->ms);
  else
    printf ("  %-18s unavailable: %s\n", backend, why);
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
  static const int cases[][2] = { { 1, 64 }, { 1, 256 }, { 1, 1024 }, { 16, 1024 } };

  printf ("Sinkhorn at reg %g to an L1 marginal error of %g, median time per solve; %d threads; BLAS: %s\n",
          REG, TOL, otter_torch_get_threads (), blas);
  for (guint k = 0; k < G_N_ELEMENTS (cases); k++)
    {
      int plans = cases[k][0], n = cases[k][1], reps = plans * n >= 1024 ? 3 : 7;
      gsize count = (gsize) plans * n * n;
      g_autofree float *cost = g_new (float, count);
      g_autoptr (GRand) rand = g_rand_new_with_seed (plans * n);
      for (gsize i = 0; i < count; i++)
        cost[i] = (float) g_rand_double_range (rand, 0.0, 2.0);
      g_assert_true (g_file_set_contents (path, (const char *) cost, (gssize) (count * sizeof (float)), NULL));
      Solve ours = otter_solve (cost, plans, n, reps);
      printf ("%d plan%s of %d × %d: Otter f32 %.2f ms (%d iterations, L1 %.1e)\n", plans, plans == 1 ? "" : "s",
              n, n, ours.ms, ours.iterations, ours.l1);
      print_peer (script, path, plans, n, plans > 1 ? 1 : reps, "torch", &ours);
      print_peer (script, path, plans, n, plans > 1 ? 1 : reps, "numpy", &ours);
    }
  g_unlink (path);
  g_rmdir (dir);
  return 0;
}
