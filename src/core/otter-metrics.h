/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-metrics.h: detection mAP, VOC all-point @0.5 and COCO @[.5:.95] */
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

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OtterMapResult, otter_map_result_free)

G_END_DECLS
