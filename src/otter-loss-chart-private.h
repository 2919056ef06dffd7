/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-loss-chart-private.h: what the loss chart's drawing shares with its object */
#pragma once

#include "otter-chart-axis.h"
#include "otter-loss-chart.h"

G_BEGIN_DECLS

/* Another run's epochs, drawn under the current one to compare. */
typedef struct
{
  char   *key;                    /* the caller's name for it (a run folder) */
  char   *title;
  GArray *epochs;                 /* OtterEpochPoint */
  guint   color_slot;
} OtterLossOverlay;

struct _OtterLossChart
{
  GtkWidget      parent_instance;

  GArray        *points;          /* OtterTrainPoint, ordered by step */
  GArray        *epochs;          /* OtterEpochPoint of the current run */
  GPtrArray     *overlays;        /* OtterLossOverlay */
  int            steps_per_epoch; /* to place the steps of an unfinished epoch; 0: unknown */
  double         threshold;
  gboolean       log_scale;
  double         smoothing;       /* TensorBoard-style EMA weight, 0 (off) to 0.99 */
  gboolean       visible[OTTER_LOSS_N_SERIES];

  /* Grid, labels and curves as one node, rebuilt only when the data, the
   * size or the style change: hovering just draws the read-out on top. */
  GskRenderNode *cache;
  int            cache_width, cache_height;
  guint          n_epoch_means;   /* drawn in the cache, for tests */

  /* Layout of the last drawing, for hit testing and the read-out. */
  double        *point_x;         /* each point's place on the epoch axis */
  graphene_rect_t plot;           /* the loss plot */
  graphene_rect_t map_plot;       /* the validation mAP strip; empty when none */
  double         x_min, x_max;    /* in epochs */
  OtterChartScale loss_scale, distance_scale, map_scale;

  int            hover;           /* index into points, or -1 */
};

/* otter-loss-chart-draw.c */
double  otter_loss_chart_point_value   (const OtterTrainPoint *point,
                                        OtterLossSeries        series);
const char *otter_loss_chart_series_name (OtterLossSeries       series);
void    otter_loss_chart_overlay_color (OtterLossChart        *self,
                                        guint                  color_slot,
                                        GdkRGBA               *color);
/* Lays the chart out for width × height and draws its cached part. */
GskRenderNode *otter_loss_chart_build_cache (OtterLossChart   *self,
                                             int               width,
                                             int               height);
void    otter_loss_chart_draw_hover    (OtterLossChart        *self,
                                        GtkSnapshot           *snapshot,
                                        int                    width);
double  otter_loss_chart_epoch_to_x    (OtterLossChart        *self,
                                        double                 epoch);

G_END_DECLS
