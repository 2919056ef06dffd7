/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-batch.h: batches of letterboxed images, and a thread that prepares them ahead */
#pragma once

#include <gio/gio.h>

#include "otter-augment.h"
#include "otter-dataset.h"
#include "otter-image.h"
#include "otter-torch.h"

G_BEGIN_DECLS

typedef struct
{
  int             n;
  int             size;
  float          *images;          /* n × 3 × size × size */
  OtterTorchBox  *boxes;           /* input pixels, crowd boxes left out */
  int            *box_start;       /* n + 1 offsets */
  OtterLetterbox *letterboxes;     /* n, where each sample's image went (before the
                                    * mirror; in a mosaic, its own tile) */
  guint          *sample_indices;  /* n, indices in the dataset */
  gboolean       *flipped;         /* n, mirrored left-right by augmentation; with
                                    * letterboxes, maps detections back to the image */
  OtterAugmentRecord *augments;    /* n, everything augmentation did */
  OtterTorchBatch view;            /* points at the arrays above */
} OtterBatch;

/* Decodes and letterboxes the given samples, augmented when both augment
 * and rand are given (one seed per index drawn from rand, in order).
 * Samples whose image cannot be decoded are left out and described in
 * `failures` (strings "file: reason", may be NULL); the batch is NULL with
 * an error only if none is left. */
OtterBatch *otter_batch_new_from_samples (OtterDataset             *dataset,
                                          const guint              *indices,
                                          guint                     n_indices,
                                          int                       size,
                                          const OtterAugmentParams *augment,
                                          GRand                    *rand,
                                          GPtrArray                *failures,
                                          GError                  **error);
/* One sample as the loader augments it when its draw is `seed` (the
 * seed in OtterAugmentRecord): a batch of one image. */
OtterBatch *otter_batch_new_augmented_preview (OtterDataset             *dataset,
                                               guint                     index,
                                               int                       size,
                                               const OtterAugmentParams *params,
                                               guint64                   seed,
                                               GError                  **error);
void        otter_batch_free             (OtterBatch               *batch);

typedef struct _OtterBatchLoader OtterBatchLoader;

/* Batches an epoch of n_samples makes: the last, partial one included,
 * except when training (drop_single) would leave it a single image, which
 * batch norm cannot normalise over. The one rule for the loader and the
 * schedule. */
guint             otter_batches_per_epoch       (guint                     n_samples,
                                                 int                       batch_size,
                                                 gboolean                  drop_single);

/* Steps of an epoch whose batches n_shards processes share: the rule
 * above for one, whole batches only for more, so that every process takes
 * as many steps. */
guint             otter_batches_per_epoch_sharded (guint                   n_samples,
                                                   int                     batch_size,
                                                   guint                   n_shards);

/* A loader thread keeps up to `prefetch` batches ready. The order of an
 * epoch is a deterministic shuffle of (seed, epoch) when shuffle is set;
 * augment (NULL: none; copied) is drawn from (seed, epoch) too, so the
 * batches do not depend on threads or timing. A final batch of a single
 * image is dropped when training (batch norm needs two). */
OtterBatchLoader *otter_batch_loader_new        (OtterDataset             *dataset,
                                                 int                       input_size,
                                                 int                       batch_size,
                                                 gboolean                  shuffle,
                                                 const OtterAugmentParams *augment,
                                                 guint64                   seed,
                                                 int                       prefetch);
void              otter_batch_loader_free       (OtterBatchLoader *loader);
/* Before the first epoch: deliver only this process's part of every batch
 * (distributed training). */
void              otter_batch_loader_set_shard  (OtterBatchLoader *loader,
                                                 guint             rank,
                                                 guint             n_shards);
guint             otter_batch_loader_get_n_batches (OtterBatchLoader *loader);
/* Starts preparing the batches of `epoch` (0-based). */
void              otter_batch_loader_start_epoch (OtterBatchLoader *loader,
                                                  guint             epoch);
/* The next batch of the current epoch; NULL without an error when the
 * epoch is over, NULL with an error when cancelled or nothing decodes. */
OtterBatch       *otter_batch_loader_next       (OtterBatchLoader *loader,
                                                 GCancellable     *cancellable,
                                                 GError          **error);
/* Strings "file: reason" for images that failed to decode so far (a copy). */
GPtrArray        *otter_batch_loader_dup_failures (OtterBatchLoader *loader);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OtterBatch, otter_batch_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OtterBatchLoader, otter_batch_loader_free)

G_END_DECLS
