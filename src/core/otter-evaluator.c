/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-evaluator.c */

#include "config.h"

#include "otter-batch.h"
#include "otter-error.h"
#include "otter-evaluator.h"

gboolean
otter_evaluate_check_classes (OtterTorchModel *model,
                              OtterDataset    *dataset,
                              GError         **error)
{
  const char *const *model_names = otter_torch_model_get_class_names (model);
  const char *const *data_names = otter_dataset_get_class_names (dataset);
  guint n_model = g_strv_length ((char **) model_names);
  guint n_data = otter_dataset_get_n_classes (dataset);

  /* A plain image folder has no classes: any model may run on it. */
  if (n_data == 0)
    return TRUE;
  for (guint i = 0; i < MAX (n_model, n_data); i++)
    if (i >= n_model || i >= n_data || g_strcmp0 (model_names[i], data_names[i]) != 0)
      {
        g_set_error (error, OTTER_ERROR, OTTER_ERROR_INVALID_ARGUMENT,
                     "the model knows %u classes (%s%s) but the dataset %s has %u (%s%s); class %u differs",
                     n_model, n_model ? model_names[0] : "", n_model > 1 ? ", …" : "",
                     otter_dataset_get_source (dataset), n_data, n_data ? data_names[0] : "",
                     n_data > 1 ? ", …" : "", i);
        return FALSE;
      }
  return TRUE;
}

static void
add_truths (GArray *truths, OtterSample *sample, guint image)
{
  for (guint k = 0; k < otter_sample_get_n_boxes (sample); k++)
    {
      const OtterBox *b = otter_sample_get_box (sample, k);
      OtterTruth t = { image, b->class_id, b->x1, b->y1, b->x2, b->y2, b->crowd };
      g_array_append_val (truths, t);
    }
}

OtterMapResult *
otter_evaluate (OtterTorchModel              *model,
                OtterDataset                 *dataset,
                const OtterTorchAttackParams *attack,
                int                           batch_size,
                guint64                       seed,
                GCancellable                 *cancellable,
                OtterEvalProgressFunc         progress,
                gpointer                      user_data,
                GPtrArray                    *failures,
                GError                      **error)
{
  g_return_val_if_fail (model != NULL, NULL);
  g_return_val_if_fail (OTTER_IS_DATASET (dataset), NULL);

  if (!otter_evaluate_check_classes (model, dataset, error))
    return NULL;

  guint n = g_list_model_get_n_items (G_LIST_MODEL (dataset));
  int size = otter_torch_model_get_input_size (model);
  g_autoptr (GArray) truths = g_array_new (FALSE, FALSE, sizeof (OtterTruth));
  g_autoptr (GArray) predictions = g_array_new (FALSE, FALSE, sizeof (OtterPrediction));
  gboolean attacked = attack != NULL && attack->kind != OTTER_ATTACK_NONE;
  batch_size = CLAMP (batch_size, 1, 256);

  for (guint start = 0; start < n; start += batch_size)
    {
      guint count = MIN ((guint) batch_size, n - start);
      g_autofree guint *indices = g_new (guint, count);
      g_autoptr (GError) local = NULL;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;
      for (guint i = 0; i < count; i++)
        indices[i] = start + i;
      g_autoptr (OtterBatch) batch = otter_batch_new_from_samples (dataset, indices, count, size,
                                                                  NULL, NULL, failures, &local);
      if (batch == NULL)
        continue;                             /* every image of it failed; listed */

      g_autofree float *adv = NULL;
      OtterTorchBatch view = batch->view;
      if (attacked)
        {
          adv = g_new (float, (gsize) batch->n * 3 * size * size);
          if (!otter_torch_attack (model, &batch->view, attack, seed + start, adv, error))
            return NULL;
          view.images = adv;
        }
      g_autoptr (GArray) dets = otter_torch_model_detect (model, &view, OTTER_EVAL_SCORE_THRESHOLD,
                                                          OTTER_EVAL_MAX_DETECTIONS, error);
      if (dets == NULL)
        return NULL;

      for (int b = 0; b < batch->n; b++)
        {
          OtterSample *sample = otter_dataset_get_sample (dataset, batch->sample_indices[b]);
          add_truths (truths, sample, batch->sample_indices[b]);
        }
      for (guint k = 0; k < dets->len; k++)
        {
          const OtterTorchDetection *d = &g_array_index (dets, OtterTorchDetection, k);
          const OtterLetterbox *lb = &batch->letterboxes[d->image];
          double x1 = d->x1, y1 = d->y1, x2 = d->x2, y2 = d->y2;
          if (batch->flipped[d->image])
            {
              double t = size - x2;
              x2 = size - x1;
              x1 = t;
            }
          otter_letterbox_to_image (lb, &x1, &y1);
          otter_letterbox_to_image (lb, &x2, &y2);
          /* A box that reaches into the letterbox padding ends at the
           * image's edge, as the truths do (otter-cli detect clips the
           * same way). */
          OtterSample *sample = otter_dataset_get_sample (dataset, batch->sample_indices[d->image]);
          int w = otter_sample_get_width (sample), h = otter_sample_get_height (sample);
          if (w > 0 && h > 0)
            {
              x1 = CLAMP (x1, 0, w);
              x2 = CLAMP (x2, 0, w);
              y1 = CLAMP (y1, 0, h);
              y2 = CLAMP (y2, 0, h);
            }
          OtterPrediction p = { batch->sample_indices[d->image], d->class_id, x1, y1, x2, y2, d->score };
          g_array_append_val (predictions, p);
        }
      if (progress != NULL)
        progress (start + count, n, user_data);
    }

  guint n_classes = MAX (otter_dataset_get_n_classes (dataset),
                         (guint) otter_torch_model_get_n_classes (model));
  return otter_map_compute ((OtterTruth *) truths->data, truths->len,
                            (OtterPrediction *) predictions->data, predictions->len,
                            n_classes, OTTER_EVAL_MAX_DETECTIONS);
}
