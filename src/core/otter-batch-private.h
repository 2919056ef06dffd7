/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-batch-private.h: batch assembly shared by otter-batch.c and the loader */
#pragma once

#include "otter-batch.h"

G_BEGIN_DECLS

typedef gboolean (*OtterBatchStopFunc) (gpointer data);

GThreadPool *otter_batch_new_decode_pool (int                        n_threads);
OtterBatch  *otter_batch_build           (OtterSample *const        *samples,
                                          guint                      n_samples,
                                          const guint               *indices,
                                          guint                      n_indices,
                                          int                        size,
                                          const OtterAugmentParams  *augment,
                                          GRand                     *rand,
                                          GPtrArray                 *failures,
                                          GThreadPool               *pool,
                                          OtterBatchStopFunc         stop,
                                          gpointer                   stop_data,
                                          GError                   **error);

G_END_DECLS
