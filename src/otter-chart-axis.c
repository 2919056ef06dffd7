/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-chart-axis.c: value scales and tick marks for the drawn charts */

#include "config.h"

#include <math.h>

#include "otter-chart-axis.h"

double
otter_chart_nice_step (double range,
                       int    target_ticks)
{
  if (!(range > 0) || !isfinite (range))
    return 1;
  double raw = range / MAX (target_ticks, 1);
  double mag = pow (10, floor (log10 (raw)));
  double f = raw / mag;
  return (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * mag;
}

void
otter_chart_scale_zero_to (OtterChartScale *scale,
                           double           max,
                           int              target_ticks)
{
  g_return_if_fail (scale != NULL);
  if (!isfinite (max) || max <= 0)
    max = 1;
  double step = otter_chart_nice_step (max, target_ticks);
  scale->log = FALSE;
  scale->lo = 0;
  /* 5 % of headroom so the highest point does not sit on the frame */
  scale->hi = ceil (max * 1.05 / step) * step;
}

void
otter_chart_scale_log_fit (OtterChartScale *scale,
                           double           min,
                           double           max)
{
  g_return_if_fail (scale != NULL);
  if (!(min > 0) || !isfinite (min) || !(max >= min) || !isfinite (max))
    min = 0.1, max = 10;
  double lo = log10 (min), hi = log10 (max);
  /* A loss that barely moves still gets a readable span: at least a
   * quarter of a decade, centred on the data. */
  double span = MAX (hi - lo, 0.25);
  double mid = (lo + hi) / 2;
  lo = MIN (lo, mid - span / 2);
  hi = MAX (hi, mid + span / 2);
  double pad = 0.05 * (hi - lo);
  scale->log = TRUE;
  scale->lo = lo - pad;
  scale->hi = hi + pad;
}

double
otter_chart_scale_map (const OtterChartScale *scale,
                       double                 v,
                       double                 top,
                       double                 height)
{
  if (scale->log)
    {
      if (!(v > 0))
        return NAN;
      v = log10 (v);
    }
  double t = (v - scale->lo) / (scale->hi - scale->lo);
  return top + height * (1 - t);
}

static void
append_log_ticks (GArray                *ticks,
                  const OtterChartScale *scale,
                  const double          *mantissas,
                  guint                  n_mantissas)
{
  for (int k = (int) floor (scale->lo); k <= (int) ceil (scale->hi); k++)
    for (guint m = 0; m < n_mantissas; m++)
      {
        double v = mantissas[m] * pow (10, k);
        double e = log10 (v);
        if (e >= scale->lo - 1e-9 && e <= scale->hi + 1e-9)
          g_array_append_val (ticks, v);
      }
}

GArray *
otter_chart_scale_ticks (const OtterChartScale *scale,
                         int                    target_ticks)
{
  GArray *ticks = g_array_new (FALSE, FALSE, sizeof (double));

  g_return_val_if_fail (scale != NULL, ticks);
  if (!scale->log)
    {
      double step = otter_chart_nice_step (scale->hi - scale->lo, target_ticks);
      double first = ceil (scale->lo / step - 1e-9) * step;
      for (double v = first; v <= scale->hi + step * 1e-6; v += step)
        {
          double t = fabs (v) < step * 1e-6 ? 0 : v;
          g_array_append_val (ticks, t);
        }
      return ticks;
    }

  /* From coarse to fine, the first set that gives enough ticks without
   * crowding the axis. */
  static const double decades[] = { 1 };
  static const double thirds[] = { 1, 2, 5 };
  static const double all[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
  append_log_ticks (ticks, scale, decades, G_N_ELEMENTS (decades));
  if ((int) ticks->len * 3 <= target_ticks + 1)
    {
      g_array_set_size (ticks, 0);
      append_log_ticks (ticks, scale, thirds, G_N_ELEMENTS (thirds));
      if ((int) ticks->len < 3)
        {
          g_array_set_size (ticks, 0);
          append_log_ticks (ticks, scale, all, G_N_ELEMENTS (all));
        }
    }
  return ticks;
}

void
otter_chart_format_tick (char   *buf,
                         gsize   len,
                         double  v,
                         double  step)
{
  if (fabs (v) < step * 1e-6)
    v = 0;
  int decimals = step >= 1 ? 0 : (int) ceil (-log10 (step) - 1e-9);
  g_snprintf (buf, len, "%.*f", CLAMP (decimals, 0, 6), v);
}

void
otter_chart_format_log_tick (char   *buf,
                             gsize   len,
                             double  v)
{
  g_snprintf (buf, len, "%.3g", v);
}
