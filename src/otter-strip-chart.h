/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-strip-chart.h: detections per video frame, clean against attacked, over time */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define OTTER_TYPE_STRIP_CHART (otter_strip_chart_get_type ())
G_DECLARE_FINAL_TYPE (OtterStripChart, otter_strip_chart, OTTER, STRIP_CHART, GtkWidget)

GtkWidget *otter_strip_chart_new          (void);
/* The counts on the frame starting at `time` (s); attacked < 0 when the
 * frame was not attacked. A frame seen again replaces its point. */
void       otter_strip_chart_add          (OtterStripChart *self,
                                           double           time,
                                           int              clean,
                                           int              attacked);
void       otter_strip_chart_clear        (OtterStripChart *self);
/* Shows the last `seconds` up to the newest point, or the whole clip
 * (0 to `duration`) when seconds ≤ 0. */
void       otter_strip_chart_set_window   (OtterStripChart *self,
                                           double           seconds);
void       otter_strip_chart_set_duration (OtterStripChart *self,
                                           double           duration);
guint      otter_strip_chart_get_n_points (OtterStripChart *self);
/* The counts at point i, in time order. */
void       otter_strip_chart_get_point    (OtterStripChart *self,
                                           guint            i,
                                           double          *time,
                                           int             *clean,
                                           int             *attacked);

G_END_DECLS
