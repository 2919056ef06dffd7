/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bench-allreduce.c: the gradient exchange of a two-process run on the
 * loopback, Otter's c10d group against PyTorch's torch.distributed (Gloo)
 * moving the same number of doubles. The sizes are tiny's parameter count
 * (243 975), 1 M and 10 M values. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

#include "otter-distributed.h"
#include "otter-torch.h"

#include "bench-common.h"

static const int sizes[] = { 243975, 1000000, 10000000 };

static int
reps_for (int n)
{
  return n >= 10000000 ? 10 : 40;
}

/* One rank: joins, then times each size; rank 0 prints "n ms" lines. */
static int
run_rank (int port, int rank)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (OtterTorchGroup) group = otter_torch_group_new ("127.0.0.1", port, rank, 2, 120, &error);
  if (group == NULL)
    {
      fprintf (stderr, "rank %d: %s\n", rank, error->message);
      return 1;
    }
  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    {
      int n = sizes[s], reps = reps_for (n);
      g_autofree double *values = g_new (double, n);
      double times[40];
      for (int r = -2; r < reps; r++)   /* two warm-up exchanges */
        {
          for (int i = 0; i < n; i++)
            values[i] = rank + i * 1e-6;
          gint64 t0 = g_get_monotonic_time ();
          if (!otter_torch_group_sum (group, values, n, &error))
            {
              fprintf (stderr, "rank %d: %s\n", rank, error->message);
              return 1;
            }
          if (r >= 0)
            times[r] = (g_get_monotonic_time () - t0) / 1000.0;
        }
      if (fabs (values[n - 1] - (1 + 2 * (n - 1) * 1e-6)) > 1e-9)
        {
          fprintf (stderr, "rank %d: wrong sum %g\n", rank, values[n - 1]);
          return 1;
        }
      if (rank == 0)
        printf ("%d %.3f\n", n, bench_median (times, reps));
    }
  return 0;
}

/* Both ranks of `argv` (Otter's own or the Python peer); rank 0's lines in *out. */
static gboolean
run_pair (const char *const *argv_rank0, const char *const *argv_rank1, char **out, char **why)
{
  GPid pids[2];
  int out_fd = -1;
  g_autoptr (GError) error = NULL;
  if (!g_spawn_async_with_pipes (NULL, (char **) argv_rank1, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL,
                                 &pids[1], NULL, NULL, NULL, &error) ||
      !g_spawn_async_with_pipes (NULL, (char **) argv_rank0, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL,
                                 &pids[0], NULL, &out_fd, NULL, &error))
    {
      *why = g_strdup (error->message);
      return FALSE;
    }
  g_autoptr (GIOChannel) channel = g_io_channel_unix_new (out_fd);
  g_io_channel_set_close_on_unref (channel, TRUE);
  gsize length = 0;
  g_io_channel_read_to_end (channel, out, &length, NULL);
  gboolean ok = TRUE;
  for (int r = 0; r < 2; r++)
    {
      int status = 0;
      waitpid (pids[r], &status, 0);
      g_spawn_close_pid (pids[r]);
      ok = ok && g_spawn_check_wait_status (status, NULL);
    }
  if (!ok)
    *why = g_strdup ("a rank failed (its message is above)");
  return ok;
}

static double
ms_for (const char *lines, int n)
{
  g_auto (GStrv) rows = g_strsplit (lines ? lines : "", "\n", -1);
  for (guint i = 0; rows[i] != NULL; i++)
    {
      int size = 0;
      double ms = 0;
      if (sscanf (rows[i], "%d %lf", &size, &ms) == 2 && size == n)
        return ms;
    }
  return NAN;
}

int
main (int argc, char **argv)
{
  if (argc == 4 && g_str_equal (argv[1], "--rank"))
    return run_rank (atoi (argv[2]), atoi (argv[3]));

  if (!otter_torch_group_available ())
    {
      printf ("bench-allreduce: libtorch has no c10d Gloo backend here; nothing to measure\n");
      return 0;
    }
  g_autoptr (GError) error = NULL;
  int port = otter_distributed_pick_local_port (&error);
  g_assert_no_error (error);
  g_autofree char *port_text = g_strdup_printf ("%d", port);
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
  const char *ours0[] = { self, "--rank", port_text, "0", NULL };
  const char *ours1[] = { self, "--rank", port_text, "1", NULL };
  g_autofree char *ours = NULL, *why = NULL;
  if (!run_pair (ours0, ours1, &ours, &why))
    g_error ("Otter's ranks: %s", why);

  int peer_port = otter_distributed_pick_local_port (&error);
  g_assert_no_error (error);
  g_autofree char *peer_port_text = g_strdup_printf ("%d", peer_port);
  const char *srcdir = g_getenv ("OTTER_BENCH_SRCDIR");
  g_autofree char *script = g_build_filename (srcdir ? srcdir : ".", "bench-allreduce-peer.py", NULL);
  const char *peer0[] = { "/usr/bin/python3", script, peer_port_text, "0", NULL };
  const char *peer1[] = { "/usr/bin/python3", script, peer_port_text, "1", NULL };
  g_autofree char *theirs = NULL, *peer_why = NULL;
  gboolean have_peer = run_pair (peer0, peer1, &theirs, &peer_why);

  printf ("Sum of doubles over 2 processes on 127.0.0.1 (median of %d; %d for 10 M)\n", reps_for (1),
          reps_for (10000000));
  printf ("%12s %10s %10s %22s %8s\n", "values", "Otter ms", "GB/s", "torch.distributed ms", "ratio");
  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    {
      int n = sizes[s];
      double a = ms_for (ours, n), b = have_peer ? ms_for (theirs, n) : NAN;
      printf ("%12d %10.2f %10.2f %22.2f %7.2f×\n", n, a, n * 8.0 / (a / 1000.0) / 1e9, b, b / a);
    }
  if (!have_peer)
    printf ("torch.distributed peer did not run: %s\n", peer_why);
  printf ("(ratio > 1: Otter's exchange is faster)\n");
  return 0;
}
