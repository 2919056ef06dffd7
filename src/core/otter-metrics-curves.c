/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-metrics-curves.c: precision–recall curves and per-image scores,
 * read from the matching of otter_map_compute() */
#include "config.h"

#include <math.h>

#include "otter-metrics-private.h"

/**
 * otter_pr_curves_compute:
 * @truths: (array length=n_truths) (nullable): ground-truth boxes
 * @n_truths: number of @truths
 * @predictions: (array length=n_predictions) (nullable): detections
 * @n_predictions: number of @predictions
 * @n_classes: number of classes
 *
 * Each class's precision–recall curve at IoU 0.5 with the matching of
 * ap50 in otter_map_compute(); otter_pr_curve_get_ap() of a curve is that
 * class's ap50.
 *
 * Returns: (transfer full): the curves, free with otter_pr_curves_free()
 */
OtterPrCurves *
otter_pr_curves_compute (const OtterTruth      *truths,
                         guint                  n_truths,
                         const OtterPrediction *predictions,
                         guint                  n_predictions,
                         guint                  n_classes)
{
  OtterPrCurves *curves;

  g_return_val_if_fail (truths != NULL || n_truths == 0, NULL);
  g_return_val_if_fail (predictions != NULL || n_predictions == 0, NULL);

  curves = g_new0 (OtterPrCurves, 1);
  curves->n_classes = n_classes;
  curves->curves = g_new0 (OtterPrCurve, MAX (n_classes, 1));
  otter_map_result_free (otter_metrics_match (truths, n_truths, predictions, n_predictions,
                                      n_classes, 0, curves->curves, NULL));
  return curves;
}

/**
 * otter_pr_curve_get_ap:
 * @curve: a curve of otter_pr_curves_compute()
 *
 * The all-point AP under @curve: the area under its precision envelope
 * (the best precision at this recall or any higher one), summed over the
 * steps in recall from 0. This is how VOC reads a curve, so it equals the
 * class's ap50.
 *
 * Returns: the AP, NAN for a class without truth
 */
double
otter_pr_curve_get_ap (const OtterPrCurve *curve)
{
  g_autofree double *envelope = NULL;
  double ap = 0;

  g_return_val_if_fail (curve != NULL, NAN);
  if (curve->n_truths == 0)
    return NAN;

  envelope = g_new (double, MAX (curve->n_points, 1));
  for (guint i = curve->n_points; i > 0; i--)
    envelope[i - 1] = MAX (curve->precision[i - 1],
                           i < curve->n_points ? envelope[i] : 0);
  /* summed from recall 0 up, in voc_ap()'s order, so the two agree to the
   * last bit */
  for (guint i = 0; i < curve->n_points; i++)
    {
      double previous = i > 0 ? curve->recall[i - 1] : 0;

      if (curve->recall[i] != previous)
        ap += (curve->recall[i] - previous) * envelope[i];
    }

  return ap;
}

/**
 * otter_pr_curves_free:
 * @curves: (nullable) (transfer full): curves of otter_pr_curves_compute()
 */
void
otter_pr_curves_free (OtterPrCurves *curves)
{
  if (curves == NULL)
    return;

  for (guint c = 0; c < curves->n_classes; c++)
    {
      g_free (curves->curves[c].recall);
      g_free (curves->curves[c].precision);
      g_free (curves->curves[c].score);
    }
  g_free (curves->curves);
  g_free (curves);
}

/**
 * otter_image_scores_compute:
 * @truths: (array length=n_truths) (nullable): ground-truth boxes
 * @n_truths: number of @truths
 * @predictions: (array length=n_predictions) (nullable): detections
 * @n_predictions: number of @predictions
 * @n_classes: number of classes
 * @n_images: images are numbered 0 to @n_images - 1
 * @score_threshold: detections below it are left out
 *
 * Per image, how many of its truths the detections at or above
 * @score_threshold found (TP) and how many of those detections found none
 * (FP), matched as ap50 matches them. An attack's damage to an image is
 * the TPs it took away: unlike recall, a count weighs an image with ten
 * objects lost above one with its single object lost, which is the image
 * a user wants to see first.
 *
 * Returns: (transfer full) (array length=n_images): the scores, g_free()
 */
OtterImageScore *
otter_image_scores_compute (const OtterTruth      *truths,
                            guint                  n_truths,
                            const OtterPrediction *predictions,
                            guint                  n_predictions,
                            guint                  n_classes,
                            guint                  n_images,
                            double                 score_threshold)
{
  OtterImageTally tally;

  g_return_val_if_fail (truths != NULL || n_truths == 0, NULL);
  g_return_val_if_fail (predictions != NULL || n_predictions == 0, NULL);

  tally.scores = g_new0 (OtterImageScore, MAX (n_images, 1));
  tally.n_images = n_images;
  tally.threshold = score_threshold;
  for (guint i = 0; i < n_truths; i++)
    if (!truths[i].crowd && truths[i].class_id >= 0 &&
        (guint) truths[i].class_id < n_classes && truths[i].image < n_images)
      tally.scores[truths[i].image].n_truths++;
  otter_map_result_free (otter_metrics_match (truths, n_truths, predictions, n_predictions,
                                      n_classes, 0, NULL, &tally));
  return tally.scores;
}
