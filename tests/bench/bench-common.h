/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bench-common.h: small helpers the benchmarks share */
#pragma once

#include <glib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* Which BLAS the process actually mapped: libtorch's matrix products go
 * through it, and the reference BLAS is many times slower than OpenBLAS. */
static inline char *
bench_loaded_blas (void)
{
  g_autofree char *maps = NULL;
  if (!g_file_get_contents ("/proc/self/maps", &maps, NULL, NULL))
    return g_strdup ("unknown");
  g_auto (GStrv) lines = g_strsplit (maps, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *path = strchr (lines[i], '/');
      if (path != NULL && (strstr (path, "blas") != NULL || strstr (path, "mkl") != NULL))
        {
          g_autofree char *resolved = realpath (path, NULL);
          return g_strdup (resolved ? resolved : path);
        }
    }
  return g_strdup ("none mapped");
}

static inline double
bench_median (double *values, int n)
{
  for (int i = 1; i < n; i++)
    for (int j = i; j > 0 && values[j - 1] > values[j]; j--)
      {
        double t = values[j];
        values[j] = values[j - 1];
        values[j - 1] = t;
      }
  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

static inline int
bench_compare_double (gconstpointer a,
                      gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

/* The p-quantile (0–1) of an array of doubles, which it sorts; NaN when empty. */
static inline double
bench_percentile (GArray *values,
                  double  p)
{
  if (values->len == 0)
    return NAN;
  g_array_sort (values, bench_compare_double);
  guint i = (guint) MIN (values->len - 1, floor (p * (values->len - 1) + 0.5));
  return g_array_index (values, double, i);
}

/* The machine's stolen and total CPU time so far, in clock ticks
 * (/proc/stat's first line): on a virtual machine, the time its host ran
 * something else on its CPUs, which no program inside can avoid. */
static inline void
bench_machine_steal (guint64 *steal, guint64 *total)
{
  g_autofree char *text = NULL;
  unsigned long long v[8] = { 0 };
  *steal = *total = 0;
  if (!g_file_get_contents ("/proc/stat", &text, NULL, NULL) ||
      sscanf (text, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
              &v[6], &v[7]) != 8)
    return;
  for (int i = 0; i < 8; i++)
    *total += v[i];
  *steal = v[7];
}

/* Removes a scratch folder a benchmark made, with what is in it. */
static inline void
bench_remove_tree (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);
  if (dir != NULL)
    {
      const char *name;
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
            bench_remove_tree (child);
          else
            g_unlink (child);
        }
      g_dir_close (dir);
    }
  g_rmdir (path);
}
