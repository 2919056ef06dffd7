/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-metrics-private.h: what the metrics files share */
#pragma once

#include "otter-metrics.h"

G_BEGIN_DECLS

double otter_metrics_box_iou (const OtterPrediction *p,
                              const OtterTruth      *t,
                              gboolean               crowd_as_region);

/* Per-image TP and FP counts at a threshold, filled during the matching */
typedef struct
{
  OtterImageScore *scores;     /* n_images, n_truths already set */
  guint            n_images;
  double           threshold;
} OtterImageTally;

/* otter_map_compute(), also filling each class's curve (@curves: one per
 * class, or NULL) and @tally (or NULL) from the same matches. */
OtterMapResult *otter_metrics_match (const OtterTruth      *truths,
                                     guint                  n_truths,
                                     const OtterPrediction *predictions,
                                     guint                  n_predictions,
                                     guint                  n_classes,
                                     guint                  max_per_image,
                                     OtterPrCurve          *curves,
                                     OtterImageTally       *tally);

G_END_DECLS
