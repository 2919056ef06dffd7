/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-evaluator.c */

#include "config.h"

#include <glib/gi18n-lib.h>

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
                     _("the model knows %u classes (%s%s) but the dataset %s has %u (%s%s); class %u differs"),
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

/* The attacked images of a batch (NULL when clean) and the detections on
 * them. The attack's seed is the evaluation's plus the batch's first index:
 * its random start depends on the whole batch, so one image is reproduced
 * by attacking its whole batch again. */
static GArray *
attack_and_detect (OtterTorchModel              *model,
                   OtterBatch                   *batch,
                   const OtterTorchAttackParams *attack,
                   guint64                       seed,
                   float                       **adv_out,
                   GError                      **error)
{
  int size = otter_torch_model_get_input_size (model);
  g_autofree float *adv = NULL;
  OtterTorchBatch view = batch->view;
  GArray *dets;

  if (attack != NULL && attack->kind != OTTER_ATTACK_NONE)
    {
      adv = g_new (float, (gsize) batch->n * 3 * size * size);
      if (!otter_torch_attack (model, &batch->view, attack, seed, adv, error))
        return NULL;
      view.images = adv;
    }
  dets = otter_torch_model_detect (model, &view, OTTER_EVAL_SCORE_THRESHOLD,
                                   OTTER_EVAL_MAX_DETECTIONS, error);
  if (adv_out != NULL)
    *adv_out = g_steal_pointer (&adv);
  return dets;
}

/* A detection of the batch in its image's pixels. */
static OtterPrediction
detection_to_image (OtterDataset              *dataset,
                    const OtterBatch          *batch,
                    int                        size,
                    const OtterTorchDetection *d)
{
  const OtterLetterbox *lb = &batch->letterboxes[d->image];
  OtterSample *sample = otter_dataset_get_sample (dataset, batch->sample_indices[d->image]);
  int w = otter_sample_get_width (sample), h = otter_sample_get_height (sample);
  double x1 = d->x1, y1 = d->y1, x2 = d->x2, y2 = d->y2;

  if (batch->flipped[d->image])
    {
      double t = size - x2;
      x2 = size - x1;
      x1 = t;
    }
  otter_letterbox_to_image (lb, &x1, &y1);
  otter_letterbox_to_image (lb, &x2, &y2);
  /* A box that reaches into the letterbox padding ends at the image's
   * edge, as the truths do (otter-cli detect clips the same way). */
  if (w > 0 && h > 0)
    {
      x1 = CLAMP (x1, 0, w);
      x2 = CLAMP (x2, 0, w);
      y1 = CLAMP (y1, 0, h);
      y2 = CLAMP (y2, 0, h);
    }
  return (OtterPrediction) { batch->sample_indices[d->image], d->class_id, x1, y1, x2, y2, d->score };
}

guint
otter_evaluate_get_n_classes (OtterTorchModel *model,
                              OtterDataset    *dataset)
{
  return MAX (otter_dataset_get_n_classes (dataset),
              (guint) otter_torch_model_get_n_classes (model));
}

gboolean
otter_evaluate_detections (OtterTorchModel              *model,
                           OtterDataset                 *dataset,
                           const OtterTorchAttackParams *attack,
                           int                           batch_size,
                           guint64                       seed,
                           GCancellable                 *cancellable,
                           OtterEvalProgressFunc         progress,
                           gpointer                      user_data,
                           GPtrArray                    *failures,
                           GArray                      **truths_out,
                           GArray                      **predictions_out,
                           GError                      **error)
{
  g_return_val_if_fail (model != NULL, FALSE);
  g_return_val_if_fail (OTTER_IS_DATASET (dataset), FALSE);
  g_return_val_if_fail (truths_out != NULL && predictions_out != NULL, FALSE);

  if (!otter_evaluate_check_classes (model, dataset, error))
    return FALSE;

  guint n = g_list_model_get_n_items (G_LIST_MODEL (dataset));
  int size = otter_torch_model_get_input_size (model);
  g_autoptr (GArray) truths = g_array_new (FALSE, FALSE, sizeof (OtterTruth));
  g_autoptr (GArray) predictions = g_array_new (FALSE, FALSE, sizeof (OtterPrediction));
  batch_size = CLAMP (batch_size, 1, 256);

  for (guint start = 0; start < n; start += batch_size)
    {
      guint count = MIN ((guint) batch_size, n - start);
      g_autofree guint *indices = g_new (guint, count);
      g_autoptr (GError) local = NULL;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      for (guint i = 0; i < count; i++)
        indices[i] = start + i;
      g_autoptr (OtterBatch) batch = otter_batch_new_from_samples (dataset, indices, count, size,
                                                                  NULL, NULL, failures, &local);
      if (batch == NULL)
        continue;                             /* every image of it failed; listed */

      g_autoptr (GArray) dets = attack_and_detect (model, batch, attack, seed + start, NULL, error);
      if (dets == NULL)
        return FALSE;

      for (int b = 0; b < batch->n; b++)
        {
          OtterSample *sample = otter_dataset_get_sample (dataset, batch->sample_indices[b]);
          add_truths (truths, sample, batch->sample_indices[b]);
        }
      for (guint k = 0; k < dets->len; k++)
        {
          OtterPrediction p = detection_to_image (dataset, batch, size,
                                                  &g_array_index (dets, OtterTorchDetection, k));
          g_array_append_val (predictions, p);
        }
      if (progress != NULL)
        progress (start + count, n, user_data);
    }

  *truths_out = g_steal_pointer (&truths);
  *predictions_out = g_steal_pointer (&predictions);
  return TRUE;
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
  g_autoptr (GArray) truths = NULL;
  g_autoptr (GArray) predictions = NULL;

  g_return_val_if_fail (model != NULL, NULL);
  g_return_val_if_fail (OTTER_IS_DATASET (dataset), NULL);

  if (!otter_evaluate_detections (model, dataset, attack, batch_size, seed, cancellable,
                                  progress, user_data, failures, &truths, &predictions, error))
    return NULL;
  return otter_map_compute ((OtterTruth *) truths->data, truths->len,
                            (OtterPrediction *) predictions->data, predictions->len,
                            otter_evaluate_get_n_classes (model, dataset),
                            OTTER_EVAL_MAX_DETECTIONS);
}

static void
append_image_detections (GArray     *out,
                         GArray     *dets,
                         int         b,
                         const int   content[4])
{
  for (guint k = 0; k < dets->len; k++)
    {
      const OtterTorchDetection *d = &g_array_index (dets, OtterTorchDetection, k);
      OtterPrediction p = { 0, d->class_id, d->x1 - content[0], d->y1 - content[1],
                            d->x2 - content[0], d->y2 - content[1], d->score };

      if (d->image == b)
        g_array_append_val (out, p);
    }
}

OtterEvalImage *
otter_evaluate_image (OtterTorchModel              *model,
                      OtterDataset                 *dataset,
                      const OtterTorchAttackParams *attack,
                      int                           batch_size,
                      guint64                       seed,
                      guint                         image,
                      double                        score_threshold,
                      GCancellable                 *cancellable,
                      GError                      **error)
{
  g_return_val_if_fail (model != NULL, NULL);
  g_return_val_if_fail (OTTER_IS_DATASET (dataset), NULL);
  g_return_val_if_fail (attack != NULL, NULL);

  guint n = g_list_model_get_n_items (G_LIST_MODEL (dataset));
  int size = otter_torch_model_get_input_size (model);
  int b = -1;

  if (image >= n)
    {
      g_set_error (error, OTTER_ERROR, OTTER_ERROR_INVALID_ARGUMENT,
                   _("image %u is outside the %u evaluated"), image, n);
      return NULL;
    }
  batch_size = CLAMP (batch_size, 1, 256);

  /* the batch otter_evaluate_detections() scored this image in */
  guint start = image / batch_size * batch_size;
  guint count = MIN ((guint) batch_size, n - start);
  g_autofree guint *indices = g_new (guint, count);
  for (guint i = 0; i < count; i++)
    indices[i] = start + i;
  g_autoptr (OtterBatch) batch = otter_batch_new_from_samples (dataset, indices, count, size,
                                                              NULL, NULL, NULL, error);
  if (batch == NULL)
    return NULL;
  for (int i = 0; i < batch->n; i++)
    if (batch->sample_indices[i] == image)
      b = i;
  if (b < 0)
    {
      g_set_error (error, OTTER_ERROR, OTTER_ERROR_INVALID_ARGUMENT,
                   _("image %u could not be decoded"), image);
      return NULL;
    }
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  g_autoptr (GArray) clean = attack_and_detect (model, batch, NULL, 0, NULL, error);
  if (clean == NULL)
    return NULL;
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  g_autofree float *adv = NULL;
  g_autoptr (GArray) attacked = attack_and_detect (model, batch, attack, seed + start, &adv, error);
  if (attacked == NULL)
    return NULL;

  OtterSample *sample = otter_dataset_get_sample (dataset, image);
  gsize plane = (gsize) 3 * size * size;
  OtterEvalImage *out = g_new0 (OtterEvalImage, 1);
  out->image = image;
  out->size = size;
  otter_letterbox_get_extent (&batch->letterboxes[b], otter_sample_get_width (sample),
                              otter_sample_get_height (sample), out->content);
  out->content[0] = CLAMP (out->content[0], 0, size);
  out->content[1] = CLAMP (out->content[1], 0, size);
  out->content[2] = CLAMP (out->content[2], out->content[0], size);
  out->content[3] = CLAMP (out->content[3], out->content[1], size);
  out->clean = g_memdup2 (batch->view.images + b * plane, plane * sizeof (float));
  out->attacked = adv != NULL ? g_memdup2 (adv + b * plane, plane * sizeof (float))
                              : g_memdup2 (out->clean, plane * sizeof (float));
  out->clean_detections = g_array_new (FALSE, FALSE, sizeof (OtterPrediction));
  out->attacked_detections = g_array_new (FALSE, FALSE, sizeof (OtterPrediction));
  append_image_detections (out->clean_detections, clean, b, out->content);
  append_image_detections (out->attacked_detections, attacked, b, out->content);
  for (guint k = 0; k < out->clean_detections->len; k++)
    g_array_index (out->clean_detections, OtterPrediction, k).image = image;
  for (guint k = 0; k < out->attacked_detections->len; k++)
    g_array_index (out->attacked_detections, OtterPrediction, k).image = image;

  /* scored as the evaluation scored them, so a caller can tell whether the
   * recomputation reproduced it */
  g_autoptr (GArray) truths = g_array_new (FALSE, FALSE, sizeof (OtterTruth));
  add_truths (truths, sample, 0);
  guint n_classes = otter_evaluate_get_n_classes (model, dataset);
  for (int k = 0; k < 2; k++)
    {
      GArray *dets = k == 0 ? clean : attacked;
      g_autoptr (GArray) preds = g_array_new (FALSE, FALSE, sizeof (OtterPrediction));
      for (guint j = 0; j < dets->len; j++)
        {
          const OtterTorchDetection *d = &g_array_index (dets, OtterTorchDetection, j);
          OtterPrediction p;
          if (d->image != b)
            continue;
          p = detection_to_image (dataset, batch, size, d);
          p.image = 0;
          g_array_append_val (preds, p);
        }
      g_autofree OtterImageScore *score =
        otter_image_scores_compute ((OtterTruth *) (gpointer) truths->data, truths->len,
                                    (OtterPrediction *) (gpointer) preds->data, preds->len,
                                    n_classes, 1, score_threshold);
      if (k == 0)
        out->clean_score = score[0];
      else
        out->attacked_score = score[0];
    }
  return out;
}

void
otter_eval_image_free (OtterEvalImage *image)
{
  if (image == NULL)
    return;
  g_free (image->clean);
  g_free (image->attacked);
  g_clear_pointer (&image->clean_detections, g_array_unref);
  g_clear_pointer (&image->attacked_detections, g_array_unref);
  g_free (image);
}
