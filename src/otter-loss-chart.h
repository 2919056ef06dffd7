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

/* Runs that can be compared on one chart at once. */
#define OTTER_LOSS_CHART_MAX_OVERLAYS 4

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

/* The run's finished epochs (their validation mAP@0.5 gets a strip of
 * its own under the losses), replacing those set before. */
void       otter_loss_chart_set_epochs       (OtterLossChart        *self,
                                              const OtterEpochPoint *epochs,
                                              guint                  n_epochs);
/* How many steps an epoch takes, to place an unfinished epoch's steps on
 * the epoch axis; 0 when unknown. */
void       otter_loss_chart_set_steps_per_epoch (OtterLossChart     *self,
                                              int                    steps_per_epoch);

/* Another run's epoch means of L (and its validation mAP) drawn under the
 * current run, to compare; `key` names it (a run folder). At most four:
 * FALSE when the chart is full. Adding a key again replaces its data. */
gboolean   otter_loss_chart_add_overlay      (OtterLossChart        *self,
                                              const char            *key,
                                              const char            *title,
                                              const OtterEpochPoint *epochs,
                                              guint                  n_epochs);
void       otter_loss_chart_remove_overlay   (OtterLossChart        *self,
                                              const char            *key);
gboolean   otter_loss_chart_has_overlay      (OtterLossChart        *self,
                                              const char            *key);
guint      otter_loss_chart_get_n_overlays   (OtterLossChart        *self);
gboolean   otter_loss_chart_get_overlay_color (OtterLossChart       *self,
                                              const char            *key,
                                              GdkRGBA               *color);

/* For tests: whether the last drawing had a validation strip, and the
 * loss axis' range. */
gboolean   otter_loss_chart_get_map_strip_visible (OtterLossChart   *self);
void       otter_loss_chart_get_loss_range   (OtterLossChart        *self,
                                              double                *lo,
                                              double                *hi);

/* 0 (raw steps) to 0.99: an exponential moving average over the steps. */
void            otter_loss_chart_set_smoothing     (OtterLossChart *self,
                                                    double          smoothing);
/* How many epoch means the last drawing showed (finished epochs). */
guint           otter_loss_chart_get_n_epoch_means (OtterLossChart *self);

G_END_DECLS
