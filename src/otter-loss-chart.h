/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-loss-chart.h: the loss curves of a training run, drawn live */
#pragma once

#include <gtk/gtk.h>

#include "otter-trainer.h"

G_BEGIN_DECLS

typedef enum
{
  OTTER_LOSS_SERIES_L1,      /* clean loss */
  OTTER_LOSS_SERIES_L2,      /* perturbed loss */
  OTTER_LOSS_SERIES_LOSS,    /* target loss */
  OTTER_LOSS_SERIES_D,       /* feature matching distance (right axis) */
  OTTER_LOSS_N_SERIES
} OtterLossSeries;

#define OTTER_TYPE_LOSS_CHART (otter_loss_chart_get_type ())
G_DECLARE_FINAL_TYPE (OtterLossChart, otter_loss_chart, OTTER, LOSS_CHART, GtkWidget)

GtkWidget *otter_loss_chart_new              (void);
void       otter_loss_chart_clear            (OtterLossChart        *self);
void       otter_loss_chart_append_points    (OtterLossChart        *self,
                                              const OtterTrainPoint *points,
                                              guint                  n_points);
guint      otter_loss_chart_get_n_points     (OtterLossChart        *self);
/* τ, drawn as a dashed line; ≤ 0 or NAN hides it. */
void       otter_loss_chart_set_threshold    (OtterLossChart        *self,
                                              double                 threshold);
double     otter_loss_chart_get_threshold    (OtterLossChart        *self);
void       otter_loss_chart_set_log_scale    (OtterLossChart        *self,
                                              gboolean               log_scale);
gboolean   otter_loss_chart_get_log_scale    (OtterLossChart        *self);
void       otter_loss_chart_set_series_visible (OtterLossChart      *self,
                                              OtterLossSeries        series,
                                              gboolean               visible);
gboolean   otter_loss_chart_get_series_visible (OtterLossChart      *self,
                                              OtterLossSeries        series);
/* The series' colour for the current style (light or dark). */
void       otter_loss_chart_get_series_color (OtterLossChart        *self,
                                              OtterLossSeries        series,
                                              GdkRGBA               *color);

/* 0 (raw steps) to 0.99: an exponential moving average over the steps. */
void            otter_loss_chart_set_smoothing     (OtterLossChart *self,
                                                    double          smoothing);
/* How many epoch means the last drawing showed (finished epochs). */
guint           otter_loss_chart_get_n_epoch_means (OtterLossChart *self);

G_END_DECLS
