/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-detections.c: the current model's detections on one image, off the UI thread */

#include "config.h"

#include <glib/gi18n.h>

#include "otter-batch.h"
#include "otter-detections.h"
#include "otter-error.h"

/* The worker machinery, the newest request winning, is the base class's. */
struct _OtterDetections
{
  OtterLatestJob parent_instance;
};

G_DEFINE_FINAL_TYPE (OtterDetections, otter_detections, OTTER_TYPE_LATEST_JOB)

typedef struct
{
  gatomicrefcount       ref_count;
  OtterDetectionsResult pub;
} ResultPrivate;

static ResultPrivate *
result_private (OtterDetectionsResult *result)
{
  return (ResultPrivate *) ((char *) result - G_STRUCT_OFFSET (ResultPrivate, pub));
}

OtterDetectionsResult *
otter_detections_result_ref (OtterDetectionsResult *result)
{
  g_return_val_if_fail (result != NULL, NULL);
  g_atomic_ref_count_inc (&result_private (result)->ref_count);
  return result;
}

void
otter_detections_result_unref (OtterDetectionsResult *result)
{
  g_return_if_fail (result != NULL);
  ResultPrivate *priv = result_private (result);
  if (!g_atomic_ref_count_dec (&priv->ref_count))
    return;
  g_clear_object (&result->sample);
  g_clear_pointer (&result->detections, g_array_unref);
  g_strfreev (result->class_names);
  g_free (priv);
}

guint
otter_detections_result_count_above (const OtterDetectionsResult *result,
                                     double                       threshold)
{
  guint n = 0;

  g_return_val_if_fail (result != NULL, 0);
  for (guint i = 0; i < result->detections->len; i++)
    n += g_array_index (result->detections, OtterDetection, i).score >= threshold;
  return n;
}

OtterDetectionsResult *
otter_detections_compute (OtterDataset  *dataset,
                          OtterModel    *model,
                          guint          index,
                          GCancellable  *cancellable,
                          GError       **error)
{
  g_return_val_if_fail (OTTER_IS_DATASET (dataset), NULL);
  g_return_val_if_fail (OTTER_IS_MODEL (model), NULL);

  if (index >= g_list_model_get_n_items (G_LIST_MODEL (dataset)))
    {
      g_set_error (error, OTTER_ERROR, OTTER_ERROR_INVALID_ARGUMENT,
                   _("The dataset has no image %u"), index);
      return NULL;
    }

  int size = otter_model_get_input_size (model);
  g_autoptr (GPtrArray) failures = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GError) local = NULL;
  g_autoptr (OtterBatch) batch = otter_batch_new_from_samples (dataset, &index, 1, size, NULL, NULL,
                                                               failures, &local);
  if (batch == NULL)
    {
      /* "file: reason" says more than "no image left" */
      if (failures->len > 0)
        g_set_error_literal (error, OTTER_ERROR, OTTER_ERROR_BAD_IMAGE, failures->pdata[0]);
      else
        g_propagate_error (error, g_steal_pointer (&local));
      return NULL;
    }
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  OtterTorchModel *torch = otter_model_lock (model);
  g_autoptr (GArray) found = otter_torch_model_detect (torch, &batch->view, OTTER_DETECTIONS_MIN_SCORE,
                                                       OTTER_DETECTIONS_MAX, error);
  otter_model_unlock (model);
  if (found == NULL)
    return NULL;

  OtterSample *sample = otter_dataset_get_sample (dataset, index);
  const OtterLetterbox *letterbox = &batch->letterboxes[0];
  int width = otter_sample_get_width (sample), height = otter_sample_get_height (sample);
  if (width <= 0 || height <= 0)
    {
      /* an image whose size the dataset did not record: the letterbox
       * placed it, so it knows */
      width = (int) ((size - 2 * letterbox->pad_x) / letterbox->scale + 0.5);
      height = (int) ((size - 2 * letterbox->pad_y) / letterbox->scale + 0.5);
    }

  ResultPrivate *priv = g_new0 (ResultPrivate, 1);
  g_atomic_ref_count_init (&priv->ref_count);
  OtterDetectionsResult *result = &priv->pub;
  result->index = index;
  result->sample = g_object_ref (sample);
  result->image_width = width;
  result->image_height = height;
  result->detections = g_array_sized_new (FALSE, FALSE, sizeof (OtterDetection), found->len);
  result->class_names = g_strdupv ((char **) otter_model_get_class_names (model));
  for (guint k = 0; k < found->len; k++)
    {
      const OtterTorchDetection *d = &g_array_index (found, OtterTorchDetection, k);
      double x1 = d->x1, y1 = d->y1, x2 = d->x2, y2 = d->y2;
      otter_letterbox_to_image (letterbox, &x1, &y1);
      otter_letterbox_to_image (letterbox, &x2, &y2);
      /* a box reaching into the padding ends at the image's edge, as in
       * the evaluation */
      OtterDetection detection = {
        CLAMP (x1, 0, width), CLAMP (y1, 0, height), CLAMP (x2, 0, width), CLAMP (y2, 0, height),
        d->score, d->class_id,
      };
      if (detection.x2 > detection.x1 && detection.y2 > detection.y1)
        g_array_append_val (result->detections, detection);
    }
  return result;
}

/* ---- requests, computed on the worker ------------------------------- */

static gpointer
compute_index (OtterDataset  *dataset,
               OtterModel    *model,
               gconstpointer  index,
               GCancellable  *cancellable,
               GError       **error)
{
  return otter_detections_compute (dataset, model, *(const guint *) index, cancellable, error);
}

void
otter_detections_request (OtterDetections *self,
                          OtterDataset    *dataset,
                          OtterModel      *model,
                          guint            index)
{
  g_return_if_fail (OTTER_IS_DETECTIONS (self));
  g_return_if_fail (OTTER_IS_DATASET (dataset));
  g_return_if_fail (OTTER_IS_MODEL (model));

  /* the old image's boxes do not belong on the new one */
  otter_latest_job_drop_result (OTTER_LATEST_JOB (self));
  otter_latest_job_request (OTTER_LATEST_JOB (self), dataset, model, &index, sizeof index);
}

void
otter_detections_clear (OtterDetections *self)
{
  g_return_if_fail (OTTER_IS_DETECTIONS (self));

  otter_latest_job_cancel (OTTER_LATEST_JOB (self));
  otter_latest_job_drop_result (OTTER_LATEST_JOB (self));
}

gboolean
otter_detections_get_running (OtterDetections *self)
{
  g_return_val_if_fail (OTTER_IS_DETECTIONS (self), FALSE);
  return otter_latest_job_get_running (OTTER_LATEST_JOB (self));
}

OtterDetectionsResult *
otter_detections_get_result (OtterDetections *self)
{
  g_return_val_if_fail (OTTER_IS_DETECTIONS (self), NULL);
  return otter_latest_job_get_result (OTTER_LATEST_JOB (self));
}

const char *
otter_detections_get_error (OtterDetections *self)
{
  g_return_val_if_fail (OTTER_IS_DETECTIONS (self), NULL);
  return otter_latest_job_get_error (OTTER_LATEST_JOB (self));
}

guint
otter_detections_get_serial (OtterDetections *self)
{
  g_return_val_if_fail (OTTER_IS_DETECTIONS (self), 0);
  return otter_latest_job_get_serial (OTTER_LATEST_JOB (self));
}

static void
otter_detections_class_init (OtterDetectionsClass *klass)
{
  OtterLatestJobClass *job_class = OTTER_LATEST_JOB_CLASS (klass);

  job_class->compute = compute_index;
  job_class->free_result = (GDestroyNotify) otter_detections_result_unref;
}

static void
otter_detections_init (OtterDetections *self)
{
}

OtterDetections *
otter_detections_new (void)
{
  return g_object_new (OTTER_TYPE_DETECTIONS, NULL);
}
