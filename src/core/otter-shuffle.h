/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-shuffle.h: the one way Otter orders samples at random */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Fills order[0..n) with 0 … n − 1 in a random order (Fisher–Yates, from
 * the back), drawn from `rand`: the same GRand state gives the same order,
 * which the dataset split, the epochs' order and random preview batches
 * rely on. */
void otter_shuffle_indices (guint *order,
                            guint  n,
                            GRand *rand);

G_END_DECLS
