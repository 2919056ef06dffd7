/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-batch.c: batches of letterboxed images, and a thread that prepares them ahead */
#include "config.h"

#include <string.h>

#include "otter-batch-private.h"
#include "otter-error.h"

static void
flip_horizontally (float *chw,
                   int    size)
{
  for (int row = 0; row < 3 * size; row++)
    {
      float *r = chw + (gsize) row * size;

      for (int a = 0, b = size - 1; a < b; a++, b--)
        {
          float t = r[a];

          r[a] = r[b];
          r[b] = t;
        }
    }
}

static void
append_boxes (OtterSample          *sample,
              const OtterLetterbox *letterbox,
              gboolean              flipped,
              GArray               *boxes)
{
  int size = letterbox->size;
  guint n = otter_sample_get_n_boxes (sample);

  for (guint i = 0; i < n; i++)
    {
      const OtterBox *box = otter_sample_get_box (sample, i);
      double x1 = box->x1, y1 = box->y1, x2 = box->x2, y2 = box->y2;
      OtterTorchBox out;

      /* Crowd regions are not objects to find; training on them teaches
       * the detector to put one box around a whole crowd. */
      if (box->crowd)
        continue;

      otter_letterbox_to_input (letterbox, &x1, &y1);
      otter_letterbox_to_input (letterbox, &x2, &y2);
      if (flipped)
        {
          double t = size - x2;

          x2 = size - x1;
          x1 = t;
        }

      out.x1 = CLAMP (x1, 0, size);
      out.y1 = CLAMP (y1, 0, size);
      out.x2 = CLAMP (x2, 0, size);
      out.y2 = CLAMP (y2, 0, size);
      out.class_id = box->class_id;
      if (out.x2 > out.x1 && out.y2 > out.y1)
        g_array_append_val (boxes, out);
    }
}

/* One image of a batch being built. Slots are filled independently (on
 * the loader's worker threads), then gathered in order. */
typedef struct
{
  OtterSample        *sample;
  int                 size;
  float              *out;          /* 3 × size × size floats */
  gboolean            flip;
  gboolean            ok;
  OtterLetterbox      letterbox;
  char               *failure;      /* "file: reason" when decoding failed */
  OtterBatchStopFunc  stop;
  gpointer            stop_data;
  /* shared by the slots of one batch */
  GMutex             *mutex;
  GCond              *done_cond;
  guint              *remaining;
} Slot;

static void
slot_fill (Slot *slot)
{
  g_autoptr(OtterImage) image = NULL;
  g_autoptr(GError) error = NULL;
  int full[3];

  if (slot->stop != NULL && slot->stop (slot->stop_data))
    return;

  image = otter_image_load_sample_to_fit (slot->sample, slot->size, full, &error);
  if (image == NULL)
    {
      /* otter_image_load_sample() messages already start with the file */
      slot->failure = g_strdup (error->message);
      return;
    }

  otter_image_letterbox_reduced (image, full[0], full[1], full[2], slot->size,
                                 slot->out, &slot->letterbox);
  if (slot->flip)
    flip_horizontally (slot->out, slot->size);
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

/**
 * otter_batch_build:
 * @samples: (array): samples indexed like the dataset (only the entries
 *   named by @indices are read)
 * @indices: (array length=n_indices): the samples of the batch
 * @n_indices: their number, > 0
 * @size: side of the model input
 * @flip_rand: (nullable): see otter_batch_new_from_samples()
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
otter_batch_build (OtterSample        **samples,
                   const guint         *indices,
                   guint                n_indices,
                   int                  size,
                   GRand               *flip_rand,
                   GPtrArray           *failures,
                   GThreadPool         *pool,
                   OtterBatchStopFunc   stop,
                   gpointer             stop_data,
                   GError             **error)
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

  g_mutex_init (&mutex);
  g_cond_init (&done_cond);

  for (guint i = 0; i < n_indices; i++)
    {
      Slot *slot = &slots[i];

      slot->sample = samples[indices[i]];
      slot->size = size;
      slot->out = batch->images + plane * i;
      /* Drawn here, in order, so that neither the threads nor a failed
       * image change the flips of the others. */
      slot->flip = flip_rand != NULL && g_rand_boolean (flip_rand);
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
        g_free (slots[i].failure);
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "Stopped");
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

      batch->letterboxes[n] = slot->letterbox;
      batch->box_start[n] = boxes->len;
      append_boxes (slot->sample, &slot->letterbox, slot->flip, boxes);
      batch->sample_indices[n] = indices[i];
      batch->flipped[n] = slot->flip;
      n++;
    }

  if (n == 0)
    g_set_error (error, OTTER_ERROR, OTTER_ERROR_BAD_IMAGE,
                 "none of the %u images of the batch could be decoded (%s)",
                 n_failed, first_failure != NULL ? first_failure : "no images");

  for (guint i = 0; i < n_indices; i++)
    if (slots[i].failure != NULL)
      {
        if (failures != NULL)
          g_ptr_array_add (failures, g_steal_pointer (&slots[i].failure));
        else
          g_free (slots[i].failure);
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
 * otter_batch_new_from_samples:
 * @dataset: the dataset
 * @indices: (array length=n_indices): samples of @dataset to put in the batch
 * @n_indices: number of samples, > 0
 * @size: side of the square model input
 * @flip_rand: (nullable): when given, each image is mirrored left-right
 *   when g_rand_boolean() says so (one draw per index, in order)
 * @failures: (element-type utf8) (nullable): "file: reason" strings are
 *   appended here for samples that could not be decoded
 * @error: return location for an error
 *
 * Decodes, letterboxes and stacks the given samples, with their boxes
 * (crowd boxes left out) mapped to input pixels. Samples that cannot be
 * decoded are left out of the batch.
 *
 * Returns: (transfer full) (nullable): the batch, or %NULL with @error set
 *   when none of the samples could be decoded
 */
OtterBatch *
otter_batch_new_from_samples (OtterDataset  *dataset,
                              const guint   *indices,
                              guint          n_indices,
                              int            size,
                              GRand         *flip_rand,
                              GPtrArray     *failures,
                              GError       **error)
{
  g_autofree OtterSample **samples = NULL;
  guint n_samples;

  g_return_val_if_fail (OTTER_IS_DATASET (dataset), NULL);
  g_return_val_if_fail (indices != NULL && n_indices > 0, NULL);
  g_return_val_if_fail (size > 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  n_samples = g_list_model_get_n_items (G_LIST_MODEL (dataset));
  for (guint i = 0; i < n_indices; i++)
    g_return_val_if_fail (indices[i] < n_samples, NULL);

  /* Only the entries named by `indices` are filled in. */
  samples = g_new0 (OtterSample *, n_samples);
  for (guint i = 0; i < n_indices; i++)
    samples[indices[i]] = otter_dataset_get_sample (dataset, indices[i]);

  return otter_batch_build (samples, indices, n_indices, size, flip_rand, failures,
                            NULL, NULL, NULL, error);
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
  g_free (batch);
}
