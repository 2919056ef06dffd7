/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-preview.c: the Perturbation page's computation, off the UI thread */

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "otter-batch.h"
#include "otter-preview.h"
#include "otter-shuffle.h"

/* The worker machinery, the newest request winning, is the base class's. */
struct _OtterPreview
{
  OtterLatestJob parent_instance;
};

G_DEFINE_FINAL_TYPE (OtterPreview, otter_preview, OTTER_TYPE_LATEST_JOB)

typedef struct
{
  gatomicrefcount     ref_count;
  OtterPreviewResult  pub;
} ResultPrivate;

void
otter_preview_params_init (OtterPreviewParams *params)
{
  g_return_if_fail (params != NULL);

  memset (params, 0, sizeof *params);
  params->start = 0;
  params->count = 8;
  params->seed = 1;
  params->score_threshold = 0.25f;
  otter_torch_ot_params_init (&params->ot);
  /* a readable plan: 12 × 12 cells give a 144 × 144 matrix per image */
  params->ot.spatial_max_side = 12;
}

OtterPreviewResult *
otter_preview_result_ref (OtterPreviewResult *result)
{
  g_return_val_if_fail (result != NULL, NULL);
  ResultPrivate *priv = (ResultPrivate *) ((char *) result - G_STRUCT_OFFSET (ResultPrivate, pub));
  g_atomic_ref_count_inc (&priv->ref_count);
  return result;
}

void
otter_preview_result_unref (OtterPreviewResult *result)
{
  g_return_if_fail (result != NULL);
  ResultPrivate *priv = (ResultPrivate *) ((char *) result - G_STRUCT_OFFSET (ResultPrivate, pub));
  if (!g_atomic_ref_count_dec (&priv->ref_count))
    return;
  g_free (result->sample_indices);
  g_free (result->clean);
  g_free (result->delta);
  g_free (result->signed_delta);
  g_free (result->delta_range);
  g_free (result->content);
  g_clear_pointer (&result->clean_detections, g_array_unref);
  g_clear_pointer (&result->perturbed_detections, g_array_unref);
  g_strfreev (result->class_names);
  g_clear_pointer (&result->ot, otter_torch_ot_result_free);
  g_free (priv);
}

static OtterPreviewResult *
result_new (void)
{
  ResultPrivate *priv = g_new0 (ResultPrivate, 1);
  g_atomic_ref_count_init (&priv->ref_count);
  return &priv->pub;
}

static guint *
choose_samples (guint                     n_samples,
                const OtterPreviewParams *params,
                guint                    *n_out)
{
  guint n = MIN (MAX (params->count, 1), n_samples);
  guint *indices = g_new (guint, n);

  if (params->random)
    {
      /* distinct samples, reproducible per seed */
      g_autoptr (GRand) rand = g_rand_new_with_seed ((guint32) (params->seed ^ (params->seed >> 32)));
      g_autofree guint *all = g_new (guint, n_samples);
      otter_shuffle_indices (all, n_samples, rand);
      memcpy (indices, all, n * sizeof (guint));
    }
  else
    {
      guint start = MIN (params->start, n_samples - n);
      for (guint i = 0; i < n; i++)
        indices[i] = start + i;
    }
  *n_out = n;
  return indices;
}

/* Where the image lies in the model input: the padding around it shows
 * nothing the attack changed on purpose, so the change views leave it out. */
static void
content_rect (const OtterLetterbox *letterbox,
              OtterSample          *sample,
              int                   size,
              int                   rect[4])
{
  int w = otter_sample_get_width (sample), h = otter_sample_get_height (sample);
  int extent[4] = { 0, 0, size, size };
  if (w > 0 && h > 0)
    otter_letterbox_get_extent (letterbox, w, h, extent);
  rect[0] = CLAMP (extent[0], 0, size - 1);
  rect[1] = CLAMP (extent[1], 0, size - 1);
  rect[2] = CLAMP (extent[2], rect[0] + 1, size);
  rect[3] = CLAMP (extent[3], rect[1] + 1, size);
}

static int
compare_floats (gconstpointer a,
                gconstpointer b)
{
  float x = *(const float *) a, y = *(const float *) b;
  return (x > y) - (x < y);
}

/* The 2nd and 98th percentile of a map inside rect: a scale of its own,
 * so a few extreme pixels do not wash the rest out. */
static void
delta_percentiles (const float *map,
                   int          size,
                   const int    rect[4],
                   float        range[2])
{
  gsize n = (gsize) (rect[2] - rect[0]) * (rect[3] - rect[1]), k = 0;
  g_autofree float *values = g_new (float, n);
  for (int y = rect[1]; y < rect[3]; y++)
    for (int x = rect[0]; x < rect[2]; x++)
      values[k++] = map[(gsize) y * size + x];
  qsort (values, n, sizeof (float), compare_floats);
  range[0] = values[(gsize) (0.02 * (n - 1))];
  range[1] = values[(gsize) (0.98 * (n - 1))];
}

OtterPreviewResult *
otter_preview_compute (OtterDataset             *dataset,
                       OtterModel               *model,
                       const OtterPreviewParams *params,
                       GCancellable             *cancellable,
                       GError                  **error)
{
  g_return_val_if_fail (OTTER_IS_DATASET (dataset), NULL);
  g_return_val_if_fail (OTTER_IS_MODEL (model), NULL);
  g_return_val_if_fail (params != NULL, NULL);

  guint n_samples = g_list_model_get_n_items (G_LIST_MODEL (dataset));
  if (n_samples == 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _("The dataset has no images"));
      return NULL;
    }

  guint n_indices;
  g_autofree guint *indices = choose_samples (n_samples, params, &n_indices);
  int size = otter_model_get_input_size (model);
  g_autoptr (OtterBatch) batch = otter_batch_new_from_samples (dataset, indices, n_indices, size,
                                                               NULL, NULL, NULL, error);
  if (batch == NULL)
    return NULL;
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  g_autoptr (OtterTorchOtResult) ot = NULL;
  g_autoptr (GArray) clean_dets = NULL;
  g_autoptr (GArray) pert_dets = NULL;
  OtterTorchModel *torch = otter_model_lock (model);
  ot = otter_torch_ot_attack (torch, &batch->view, &params->ot, params->seed, error);
  if (ot != NULL)
    clean_dets = otter_torch_model_detect (torch, &batch->view, params->score_threshold, 20, error);
  if (clean_dets != NULL)
    {
      OtterTorchBatch perturbed = { batch->n, batch->size, ot->perturbed, NULL, NULL };
      pert_dets = otter_torch_model_detect (torch, &perturbed, params->score_threshold, 20, error);
    }
  otter_model_unlock (model);
  if (pert_dets == NULL)
    return NULL;

  OtterPreviewResult *result = result_new ();
  gsize plane = (gsize) size * size;
  result->n = batch->n;
  result->size = size;
  result->epsilon = params->ot.epsilon;
  result->sample_indices = g_memdup2 (batch->sample_indices, sizeof (guint) * batch->n);
  result->clean = g_memdup2 (batch->images, sizeof (float) * 3 * plane * batch->n);
  result->delta = g_new (float, plane * batch->n);
  result->signed_delta = g_new (float, 3 * plane * batch->n);
  result->delta_range = g_new (float, 2 * batch->n);
  result->content = g_new (int, 4 * batch->n);
  float inv_eps = params->ot.epsilon > 0 ? 1.0f / params->ot.epsilon : 0.f;
  for (int k = 0; k < batch->n; k++)
    {
      for (gsize p = 0; p < plane; p++)
        {
          float m = 0;
          for (int c = 0; c < 3; c++)
            {
              gsize at = ((gsize) k * 3 + c) * plane + p;
              float d = (ot->perturbed[at] - batch->images[at]) * inv_eps;
              m = MAX (m, fabsf (d));
              result->signed_delta[at] = CLAMP (0.5f + 0.5f * d, 0.f, 1.f);
            }
          result->delta[k * plane + p] = MIN (m, 1.0f);
        }
      OtterSample *sample = otter_dataset_get_sample (dataset, batch->sample_indices[k]);
      content_rect (&batch->letterboxes[k], sample, size, result->content + 4 * k);
      delta_percentiles (result->delta + k * plane, size, result->content + 4 * k,
                         result->delta_range + 2 * k);
    }
  result->clean_detections = g_steal_pointer (&clean_dets);
  result->perturbed_detections = g_steal_pointer (&pert_dets);
  result->class_names = g_strdupv ((char **) otter_model_get_class_names (model));
  result->ot = g_steal_pointer (&ot);
  return result;
}

/* ---- requests, computed on the worker ------------------------------- */

void
otter_preview_request (OtterPreview             *self,
                       OtterDataset             *dataset,
                       OtterModel               *model,
                       const OtterPreviewParams *params)
{
  g_return_if_fail (OTTER_IS_PREVIEW (self));
  g_return_if_fail (OTTER_IS_DATASET (dataset));
  g_return_if_fail (OTTER_IS_MODEL (model));
  g_return_if_fail (params != NULL);

  otter_latest_job_request (OTTER_LATEST_JOB (self), dataset, model, params, sizeof *params);
}

void
otter_preview_cancel (OtterPreview *self)
{
  g_return_if_fail (OTTER_IS_PREVIEW (self));
  otter_latest_job_cancel (OTTER_LATEST_JOB (self));
}

gboolean
otter_preview_get_running (OtterPreview *self)
{
  g_return_val_if_fail (OTTER_IS_PREVIEW (self), FALSE);
  return otter_latest_job_get_running (OTTER_LATEST_JOB (self));
}

OtterPreviewResult *
otter_preview_get_result (OtterPreview *self)
{
  g_return_val_if_fail (OTTER_IS_PREVIEW (self), NULL);
  return otter_latest_job_get_result (OTTER_LATEST_JOB (self));
}

const char *
otter_preview_get_error (OtterPreview *self)
{
  g_return_val_if_fail (OTTER_IS_PREVIEW (self), NULL);
  return otter_latest_job_get_error (OTTER_LATEST_JOB (self));
}

guint
otter_preview_get_serial (OtterPreview *self)
{
  g_return_val_if_fail (OTTER_IS_PREVIEW (self), 0);
  return otter_latest_job_get_serial (OTTER_LATEST_JOB (self));
}

static void
otter_preview_class_init (OtterPreviewClass *klass)
{
  OtterLatestJobClass *job_class = OTTER_LATEST_JOB_CLASS (klass);

  /* the parameters arrive as the copy otter_preview_request made */
  job_class->compute = (OtterLatestJobCompute) otter_preview_compute;
  job_class->free_result = (GDestroyNotify) otter_preview_result_unref;
}

static void
otter_preview_init (OtterPreview *self)
{
}

OtterPreview *
otter_preview_new (void)
{
  return g_object_new (OTTER_TYPE_PREVIEW, NULL);
}
