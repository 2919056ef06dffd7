/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-cli-launch.h: starting the local workers of otter-cli train --nproc */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Runs `otter-cli train train_args… --distributed` as ranks 0…nproc−1 on
 * this machine and waits for them; returns the exit status of the run
 * (rank 0's, or a failure when any worker failed). Without a thread
 * count of the user's, each worker gets its share of the cores. */
int otter_cli_launch_local_workers (int                nproc,
                                    const char *const *train_args,
                                    gboolean           threads_given,
                                    double             timeout_seconds);

G_END_DECLS
