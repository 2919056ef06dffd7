/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-metrics.h: detection mAP, VOC all-point @0.5 and COCO @[.5:.95];
 * precision–recall curves, per-image scores and the confusion matrix */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  guint    image;
  int      class_id;
  double   x1, y1, x2, y2;     /* pixels, x2/y2 exclusive */
  gboolean crowd;              /* ignored region: matches are neither TP nor FP */
} OtterTruth;

typedef struct
{
  guint    image;
  int      class_id;
  double   x1, y1, x2, y2;
  double   score;
} OtterPrediction;

typedef struct
{
  guint    n_classes;
  /* Per class; NAN for a class without (non-crowd) ground truth, which is
   * left out of the means. */
  double  *ap50;               /* VOC all-point interpolated AP at IoU 0.5 */
  double  *ap;                 /* COCO AP averaged over IoU .50:.05:.95 (101-point) */
  guint   *n_truths;
  double   map50;              /* mean of ap50 over classes with ground truth */
  double   map;                /* mean of ap */
} OtterMapResult;

OtterMapResult *otter_map_compute     (const OtterTruth      *truths,
                                       guint                  n_truths,
                                       const OtterPrediction *predictions,
                                       guint                  n_predictions,
                                       guint                  n_classes,
                                       guint                  max_per_image);
void            otter_map_result_free (OtterMapResult        *result);

/* One class's precision–recall curve at IoU 0.5: one point per detection
 * that counts (TP or FP; a match on a crowd region is neither), by
 * descending score. Precision is the raw tp / (tp + fp), not its envelope. */
typedef struct
{
  guint    n_points;
  double  *recall;
  double  *precision;
  double  *score;              /* the detection's score at each point */
  guint    n_truths;           /* non-crowd truths of the class */
} OtterPrCurve;

typedef struct
{
  guint         n_classes;
  OtterPrCurve *curves;        /* n_classes */
} OtterPrCurves;

OtterPrCurves  *otter_pr_curves_compute (const OtterTruth      *truths,
                                         guint                  n_truths,
                                         const OtterPrediction *predictions,
                                         guint                  n_predictions,
                                         guint                  n_classes);
void            otter_pr_curves_free    (OtterPrCurves         *curves);
double          otter_pr_curve_get_ap   (const OtterPrCurve    *curve);

/* What one image's detections at a score threshold achieve, with the
 * matching of ap50. */
typedef struct
{
  guint    n_truths;           /* non-crowd truths of known classes */
  guint    tp;                 /* truths found */
  guint    fp;                 /* detections that found none */
} OtterImageScore;

OtterImageScore *otter_image_scores_compute (const OtterTruth      *truths,
                                             guint                  n_truths,
                                             const OtterPrediction *predictions,
                                             guint                  n_predictions,
                                             guint                  n_classes,
                                             guint                  n_images,
                                             double                 score_threshold);

/* Which class a detection took each truth for, at IoU 0.5 and a score
 * threshold. counts is (n_classes + 1)² row-major: row r is the true class,
 * the last row "background" (detections on no truth); column c is the
 * predicted class, the last column "missed" (truths nothing found). */
typedef struct
{
  guint    n_classes;
  double   score_threshold;
  guint   *counts;
} OtterConfusion;

#define OTTER_CONFUSION_AT(cm, row, col) ((cm)->counts[(row) * ((cm)->n_classes + 1) + (col)])

OtterConfusion *otter_confusion_compute (const OtterTruth      *truths,
                                         guint                  n_truths,
                                         const OtterPrediction *predictions,
                                         guint                  n_predictions,
                                         guint                  n_classes,
                                         double                 score_threshold);
void            otter_confusion_free    (OtterConfusion        *confusion);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OtterMapResult, otter_map_result_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OtterPrCurves, otter_pr_curves_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OtterConfusion, otter_confusion_free)

G_END_DECLS
