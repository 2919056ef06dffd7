/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-shuffle.c: the one way Otter orders samples at random */

#include "config.h"

#include "otter-shuffle.h"

void
otter_shuffle_indices (guint *order,
                       guint  n,
                       GRand *rand)
{
  g_return_if_fail (order != NULL || n == 0);
  g_return_if_fail (rand != NULL);

  for (guint i = 0; i < n; i++)
    order[i] = i;
  for (guint i = n; i > 1; i--)
    {
      guint j = (guint) g_rand_int_range (rand, 0, (gint32) i);
      guint t = order[i - 1];
      order[i - 1] = order[j];
      order[j] = t;
    }
}
