/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-bar-chart.h: grouped bar chart (per attack: one bar per series) */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define OTTER_TYPE_BAR_CHART (otter_bar_chart_get_type ())
G_DECLARE_FINAL_TYPE (OtterBarChart, otter_bar_chart, OTTER, BAR_CHART, GtkWidget)

GtkWidget *otter_bar_chart_new          (void);
/* Replaces the data: `values` holds n_groups × n_series numbers in [0, 1],
 * group-major; NAN draws no bar. NULL labels clear the chart. */
void       otter_bar_chart_set_data     (OtterBarChart      *self,
                                         const char *const  *group_labels,
                                         const char *const  *series_labels,
                                         const double       *values);
void       otter_bar_chart_clear        (OtterBarChart      *self);
guint      otter_bar_chart_get_n_groups (OtterBarChart      *self);
guint      otter_bar_chart_get_n_series (OtterBarChart      *self);
/* The value of a bar, or NAN */
double     otter_bar_chart_get_value    (OtterBarChart      *self,
                                         guint               group,
                                         guint               series);

G_END_DECLS
