/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-batch.c: batches of letterboxed (or augmented) images */
#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include "otter-batch-private.h"
#include "otter-error.h"

/* One image of a batch being built. Slots are filled independently (on
 * the loader's worker threads), then gathered in order. */
typedef struct
{
  OtterSample *const       *samples;
  guint                     n_samples;
  guint                     index;
  int                       size;
  const OtterAugmentParams *augment;     /* NULL: the plain letterbox */
  guint64                   seed;
  float                    *out;         /* 3 × size × size floats */
  gboolean                  ok;
  GArray                   *boxes;       /* of OtterTorchBox */
  OtterAugmentRecord        record;
  char                     *failure;     /* "file: reason" when decoding failed */
  GPtrArray                *tile_failures; /* mosaic partners that failed */
  OtterBatchStopFunc        stop;
  gpointer                  stop_data;
  /* shared by the slots of one batch */
  GMutex                   *mutex;
  GCond                    *done_cond;
  guint                    *remaining;
} Slot;

static void
slot_fill (Slot *slot)
{
  g_autoptr(GError) error = NULL;

  if (slot->stop != NULL && slot->stop (slot->stop_data))
    return;

  if (!otter_augment_render (slot->samples, slot->n_samples, slot->index, slot->size,
                             slot->augment, slot->seed, slot->out, slot->boxes,
                             &slot->record, slot->tile_failures, &error))
    {
      /* otter_image_load_sample() messages already start with the file */
      slot->failure = g_strdup (error->message);
      return;
    }

  slot->ok = TRUE;
}

static void
slot_worker (gpointer data,
             gpointer user_data)
{
  Slot *slot = data;

  slot_fill (slot);

  g_mutex_lock (slot->mutex);
  if (--*slot->remaining == 0)
    g_cond_signal (slot->done_cond);
  g_mutex_unlock (slot->mutex);
}

/**
 * otter_batch_new_decode_pool:
 * @n_threads: how many images to decode at once
 *
 * Returns: (transfer full): a pool for otter_batch_build()
 */
GThreadPool *
otter_batch_new_decode_pool (int n_threads)
{
  return g_thread_pool_new (slot_worker, NULL, MAX (n_threads, 1), FALSE, NULL);
}

static void
slot_clear (Slot *slot)
{
  g_clear_pointer (&slot->boxes, g_array_unref);
  g_clear_pointer (&slot->failure, g_free);
  g_clear_pointer (&slot->tile_failures, g_ptr_array_unref);
}

static void
add_failure (GPtrArray *failures,
             char     **failure)
{
  if (failures != NULL)
    g_ptr_array_add (failures, g_steal_pointer (failure));
  else
    g_clear_pointer (failure, g_free);
}

/* otter_batch_build() with the images' seeds given (NULL: no
 * augmentation). */
static OtterBatch *
build_seeded (OtterSample *const        *samples,
              guint                      n_samples,
              const guint               *indices,
              guint                      n_indices,
              int                        size,
              const OtterAugmentParams  *augment,
              const guint64             *seeds,
              GPtrArray                 *failures,
              GThreadPool               *pool,
              OtterBatchStopFunc         stop,
              gpointer                   stop_data,
              GError                   **error)
{
  gsize plane = (gsize) 3 * size * size;
  g_autoptr(GArray) boxes = g_array_new (FALSE, FALSE, sizeof (OtterTorchBox));
  g_autoptr(OtterBatch) batch = g_new0 (OtterBatch, 1);
  g_autofree Slot *slots = g_new0 (Slot, n_indices);
  const char *first_failure = NULL;
  guint n_failed = 0;
  int n = 0;
  GMutex mutex;
  GCond done_cond;
  guint remaining = n_indices;

  batch->size = size;
  batch->images = g_new (float, plane * n_indices);
  batch->box_start = g_new (int, n_indices + 1);
  batch->letterboxes = g_new (OtterLetterbox, n_indices);
  batch->sample_indices = g_new (guint, n_indices);
  batch->flipped = g_new (gboolean, n_indices);
  batch->augments = g_new (OtterAugmentRecord, n_indices);

  g_mutex_init (&mutex);
  g_cond_init (&done_cond);

  for (guint i = 0; i < n_indices; i++)
    {
      Slot *slot = &slots[i];

      slot->samples = samples;
      slot->n_samples = n_samples;
      slot->index = indices[i];
      slot->size = size;
      slot->augment = seeds != NULL ? augment : NULL;
      slot->seed = seeds != NULL ? seeds[i] : 0;
      slot->out = batch->images + plane * i;
      slot->boxes = g_array_new (FALSE, FALSE, sizeof (OtterTorchBox));
      if (slot->augment != NULL && slot->augment->mosaic > 0)
        slot->tile_failures = g_ptr_array_new_with_free_func (g_free);
      slot->stop = stop;
      slot->stop_data = stop_data;
      slot->mutex = &mutex;
      slot->done_cond = &done_cond;
      slot->remaining = &remaining;
    }

  if (pool != NULL && n_indices > 1)
    {
      for (guint i = 0; i < n_indices; i++)
        g_thread_pool_push (pool, &slots[i], NULL);

      g_mutex_lock (&mutex);
      while (remaining > 0)
        g_cond_wait (&done_cond, &mutex);
      g_mutex_unlock (&mutex);
    }
  else
    {
      for (guint i = 0; i < n_indices; i++)
        slot_fill (&slots[i]);
    }

  g_mutex_clear (&mutex);
  g_cond_clear (&done_cond);

  if (stop != NULL && stop (stop_data))
    {
      for (guint i = 0; i < n_indices; i++)
        slot_clear (&slots[i]);
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Stopped"));
      return NULL;
    }

  for (guint i = 0; i < n_indices; i++)
    {
      Slot *slot = &slots[i];

      if (!slot->ok)
        {
          g_assert (slot->failure != NULL);
          if (first_failure == NULL)
            first_failure = slot->failure;
          n_failed++;
          continue;
        }

      /* Close the gaps left by failed images. */
      if (n != (int) i)
        memcpy (batch->images + plane * n, slot->out, plane * sizeof (float));

      batch->letterboxes[n] = slot->record.tiles[0];
      batch->box_start[n] = boxes->len;
      g_array_append_vals (boxes, slot->boxes->data, slot->boxes->len);
      batch->sample_indices[n] = indices[i];
      batch->flipped[n] = slot->record.flipped;
      batch->augments[n] = slot->record;
      n++;
    }

  if (n == 0)
    g_set_error (error, OTTER_ERROR, OTTER_ERROR_BAD_IMAGE,
                 _("none of the %u images of the batch could be decoded (%s)"),
                 n_failed, first_failure != NULL ? first_failure : "no images");

  for (guint i = 0; i < n_indices; i++)
    {
      Slot *slot = &slots[i];

      if (slot->failure != NULL)
        add_failure (failures, &slot->failure);
      for (guint k = 0; slot->tile_failures != NULL && k < slot->tile_failures->len; k++)
        add_failure (failures, (char **) &slot->tile_failures->pdata[k]);
      slot_clear (slot);
    }

  if (n == 0)
    return NULL;

  batch->n = n;
  batch->box_start[n] = boxes->len;
  if (n < (int) n_indices)
    batch->images = g_renew (float, batch->images, plane * n);
  {
    gboolean no_boxes = boxes->len == 0;

    batch->boxes = (OtterTorchBox *) g_array_free (g_steal_pointer (&boxes), no_boxes);
  }

  batch->view.n = n;
  batch->view.size = size;
  batch->view.images = batch->images;
  batch->view.boxes = batch->boxes;
  batch->view.box_start = batch->box_start;

  return g_steal_pointer (&batch);
}

/**
 * otter_batch_build:
 * @samples: (array length=n_samples): samples indexed like the dataset
 *   (the entries named by @indices are read, and any when a mosaic picks
 *   its partners)
 * @n_samples: the number of samples
 * @indices: (array length=n_indices): the samples of the batch
 * @n_indices: their number, > 0
 * @size: side of the model input
 * @augment: (nullable): see otter_batch_new_from_samples()
 * @rand: (nullable): see otter_batch_new_from_samples()
 * @failures: (nullable) (element-type utf8): see otter_batch_new_from_samples()
 * @pool: (nullable): from otter_batch_new_decode_pool(), to decode the
 *   images in parallel; %NULL decodes them in the calling thread
 * @stop: (nullable): polled before each image; when it returns %TRUE the
 *   batch is abandoned with %G_IO_ERROR_CANCELLED
 * @stop_data: data for @stop
 * @error: return location for an error
 *
 * The body of otter_batch_new_from_samples(), shared with the loader.
 *
 * Returns: (transfer full) (nullable): the batch
 */
OtterBatch *
otter_batch_build (OtterSample *const        *samples,
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
                   GError                   **error)
{
  g_autofree guint64 *seeds = NULL;

  if (rand != NULL && !otter_augment_params_is_identity (augment))
    {
      seeds = g_new (guint64, n_indices);
      /* Drawn here, in order, so that neither the threads nor a failed
       * image change the augmentation of the others. */
      for (guint i = 0; i < n_indices; i++)
        {
          guint64 hi = g_rand_int (rand);

          seeds[i] = hi << 32 | g_rand_int (rand);
        }
    }

  return build_seeded (samples, n_samples, indices, n_indices, size, augment, seeds,
                       failures, pool, stop, stop_data, error);
}

/* Every sample of the dataset, borrowed: mosaic partners may be any. */
static OtterSample **
dataset_samples (OtterDataset *dataset,
                 guint        *n_samples)
{
  OtterSample **samples;

  *n_samples = g_list_model_get_n_items (G_LIST_MODEL (dataset));
  samples = g_new (OtterSample *, MAX (*n_samples, 1));
  for (guint i = 0; i < *n_samples; i++)
    samples[i] = otter_dataset_get_sample (dataset, i);

  return samples;
}

/**
 * otter_batch_new_from_samples:
 * @dataset: the dataset
 * @indices: (array length=n_indices): samples of @dataset to put in the batch
 * @n_indices: number of samples, > 0
 * @size: side of the square model input
 * @augment: (nullable): the augmentation; %NULL for none
 * @rand: (nullable): where the augmentation is drawn from: one seed per
 *   index, in order; %NULL for none
 * @failures: (element-type utf8) (nullable): "file: reason" strings are
 *   appended here for samples that could not be decoded
 * @error: return location for an error
 *
 * Decodes, letterboxes (or augments) and stacks the given samples, with
 * their boxes (crowd boxes left out) mapped to input pixels. Samples that
 * cannot be decoded are left out of the batch.
 *
 * Returns: (transfer full) (nullable): the batch, or %NULL with @error set
 *   when none of the samples could be decoded
 */
OtterBatch *
otter_batch_new_from_samples (OtterDataset             *dataset,
                              const guint              *indices,
                              guint                     n_indices,
                              int                       size,
                              const OtterAugmentParams *augment,
                              GRand                    *rand,
                              GPtrArray                *failures,
                              GError                  **error)
{
  g_autofree OtterSample **samples = NULL;
  guint n_samples;

  g_return_val_if_fail (OTTER_IS_DATASET (dataset), NULL);
  g_return_val_if_fail (indices != NULL && n_indices > 0, NULL);
  g_return_val_if_fail (size > 0, NULL);
  g_return_val_if_fail (augment == NULL || otter_augment_params_is_valid (augment), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  samples = dataset_samples (dataset, &n_samples);
  for (guint i = 0; i < n_indices; i++)
    g_return_val_if_fail (indices[i] < n_samples, NULL);

  return otter_batch_build (samples, n_samples, indices, n_indices, size, augment, rand,
                            failures, NULL, NULL, NULL, error);
}

/**
 * otter_batch_new_augmented_preview:
 * @dataset: the dataset
 * @index: the sample to show
 * @size: side of the square model input
 * @params: (nullable): the augmentation; %NULL for none
 * @seed: the image's draw, as in #OtterAugmentRecord: the loader's image
 *   with that seed comes out the same
 * @error: return location for an error
 *
 * One sample as training sees it, for the Data page: a batch of one image
 * whose record says what was done (mosaic partners are drawn from
 * @dataset with @seed; partners that fail to decode stay grey).
 *
 * Returns: (transfer full) (nullable): the batch, or %NULL with @error set
 *   when the sample cannot be decoded
 */
OtterBatch *
otter_batch_new_augmented_preview (OtterDataset             *dataset,
                                   guint                     index,
                                   int                       size,
                                   const OtterAugmentParams *params,
                                   guint64                   seed,
                                   GError                  **error)
{
  g_autofree OtterSample **samples = NULL;
  guint n_samples;

  g_return_val_if_fail (OTTER_IS_DATASET (dataset), NULL);
  g_return_val_if_fail (size > 0, NULL);
  g_return_val_if_fail (params == NULL || otter_augment_params_is_valid (params), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  samples = dataset_samples (dataset, &n_samples);
  g_return_val_if_fail (index < n_samples, NULL);

  return build_seeded (samples, n_samples, &index, 1, size, params,
                       otter_augment_params_is_identity (params) ? NULL : &seed,
                       NULL, NULL, NULL, NULL, error);
}

/**
 * otter_batch_free:
 * @batch: (nullable): a batch
 *
 * Frees @batch and its arrays.
 */
void
otter_batch_free (OtterBatch *batch)
{
  if (batch == NULL)
    return;

  g_free (batch->images);
  g_free (batch->boxes);
  g_free (batch->box_start);
  g_free (batch->letterboxes);
  g_free (batch->sample_indices);
  g_free (batch->flipped);
  g_free (batch->augments);
  g_free (batch);
}
