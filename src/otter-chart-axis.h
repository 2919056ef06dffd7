/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-chart-axis.h: value scales and tick marks for the drawn charts */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A value axis mapped onto a pixel range. For a log axis lo and hi are
 * log10 of the values at its ends. */
typedef struct
{
  double   lo, hi;
  gboolean log;
} OtterChartScale;

/* A round step (1, 2 or 5 × 10ᵏ) giving about target_ticks steps over range. */
double   otter_chart_nice_step    (double                 range,
                                   int                    target_ticks);
/* Linear from 0 to a round value above max (1 when max ≤ 0). */
void     otter_chart_scale_zero_to (OtterChartScale       *scale,
                                    double                 max,
                                    int                    target_ticks);
/* Log, fitted to [min, max] (both > 0) with a little room at each end
 * rather than widened to whole decades. */
void     otter_chart_scale_log_fit (OtterChartScale       *scale,
                                    double                 min,
                                    double                 max);
/* y of v in a pixel range of `height` from `top` (bigger values higher);
 * NAN for v ≤ 0 on a log axis. */
double   otter_chart_scale_map    (const OtterChartScale *scale,
                                   double                 v,
                                   double                 top,
                                   double                 height);
/* Tick values inside the scale, as doubles: round steps on a linear axis;
 * on a log axis 1, 2 and 5 × 10ᵏ when they fit, decades when the range
 * is wide. */
GArray  *otter_chart_scale_ticks  (const OtterChartScale *scale,
                                   int                    target_ticks);
/* A tick label with as many decimals as the step between ticks needs. */
void     otter_chart_format_tick  (char                  *buf,
                                   gsize                  len,
                                   double                 v,
                                   double                 step);
/* A log tick's label: "0.02", "5", "2e-05" for the very small. */
void     otter_chart_format_log_tick (char               *buf,
                                      gsize               len,
                                      double              v);

G_END_DECLS
