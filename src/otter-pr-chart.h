/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-pr-chart.h: precision–recall curves, one per class */
#pragma once

#include <gtk/gtk.h>

#include "otter-metrics.h"

G_BEGIN_DECLS

#define OTTER_TYPE_PR_CHART (otter_pr_chart_get_type ())
G_DECLARE_FINAL_TYPE (OtterPrChart, otter_pr_chart, OTTER, PR_CHART, GtkWidget)

GtkWidget  *otter_pr_chart_new            (void);
/* Copies the curves; one per class, named by class_names. */
void        otter_pr_chart_set_curves     (OtterPrChart        *self,
                                           const OtterPrCurves *curves,
                                           const char *const   *class_names);
void        otter_pr_chart_clear          (OtterPrChart        *self);
guint       otter_pr_chart_get_n_curves   (OtterPrChart        *self);
/* The AP in the curve's legend entry, NAN for a class without truth */
double      otter_pr_chart_get_ap         (OtterPrChart        *self,
                                           guint                curve);
const char *otter_pr_chart_get_label      (OtterPrChart        *self,
                                           guint                curve);

G_END_DECLS
