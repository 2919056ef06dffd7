/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-metrics-private.h: what the metrics files share */
#pragma once

#include "otter-metrics.h"

G_BEGIN_DECLS

double otter_metrics_box_iou (const OtterPrediction *p,
                              const OtterTruth      *t,
                              gboolean               crowd_as_region);

G_END_DECLS
