/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-loss-chart-draw.c: the loss chart's layout, curves and read-out */

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "otter-draw.h"
#include "otter-loss-chart-private.h"

#define MARGIN_LEFT   56
#define MARGIN_RIGHT  16
#define MARGIN_D_AXIS 44
#define MARGIN_TOP    24
#define MARGIN_BOTTOM 40
#define MAP_GAP       26     /* between the loss plot and the mAP strip: room for its label */

/* Okabe–Ito hues: told apart with every common colour-vision deficiency.
 * The dark variants are lighter so that they keep their contrast on a
 * dark background. */
static const char *series_colors_light[] = { "#0072b2", "#d55e00", "#a23e7f", "#009e73" };
static const char *series_colors_dark[] = { "#56b4e9", "#e69f00", "#dd88bb", "#3cc8a0" };
/* Compared runs: the hues the series leave, then a neutral grey. */
static const char *overlay_colors_light[] = { "#b07a00", "#3a8fc7", "#c2569a", "#7f7f7f" };
static const char *overlay_colors_dark[] = { "#f0c050", "#8ccdf0", "#eeaad0", "#b0b0b0" };

G_STATIC_ASSERT (G_N_ELEMENTS (overlay_colors_light) == OTTER_LOSS_CHART_MAX_OVERLAYS);

double
otter_loss_chart_point_value (const OtterTrainPoint *p,
                              OtterLossSeries        series)
{
  switch (series)
    {
    case OTTER_LOSS_SERIES_L1: return p->l1;
    case OTTER_LOSS_SERIES_L2: return p->l2;
    case OTTER_LOSS_SERIES_LOSS: return p->loss;
    case OTTER_LOSS_SERIES_D: return p->d;
    case OTTER_LOSS_N_SERIES:
    default: return NAN;
    }
}

const char *
otter_loss_chart_series_name (OtterLossSeries series)
{
  switch (series)
    {
    case OTTER_LOSS_SERIES_L1: return C_("loss series", "L₁ clean");
    case OTTER_LOSS_SERIES_L2: return C_("loss series", "L₂ perturbed");
    case OTTER_LOSS_SERIES_LOSS: return C_("loss series", "L target");
    case OTTER_LOSS_SERIES_D: return C_("loss series", "D distance");
    case OTTER_LOSS_N_SERIES:
    default: return "";
    }
}

void
otter_loss_chart_get_series_color (OtterLossChart  *self,
                                   OtterLossSeries  series,
                                   GdkRGBA         *color)
{
  g_return_if_fail (OTTER_IS_LOSS_CHART (self));
  g_return_if_fail (series < OTTER_LOSS_N_SERIES);
  gdk_rgba_parse (color, otter_draw_is_dark (GTK_WIDGET (self)) ? series_colors_dark[series] : series_colors_light[series]);
}

void
otter_loss_chart_overlay_color (OtterLossChart *self,
                                guint           color_slot,
                                GdkRGBA        *color)
{
  g_assert (color_slot < OTTER_LOSS_CHART_MAX_OVERLAYS);
  gdk_rgba_parse (color, otter_draw_is_dark (GTK_WIDGET (self)) ? overlay_colors_dark[color_slot]
                                                                 : overlay_colors_light[color_slot]);
}

/* ---- layout ------------------------------------------------------------- */

static gboolean
has_epoch_record (OtterLossChart *self,
                  int             epoch)
{
  for (guint i = 0; i < self->epochs->len; i++)
    if (g_array_index (self->epochs, OtterEpochPoint, i).epoch == epoch)
      return TRUE;
  return FALSE;
}

/* Each step's place on the epoch axis: epoch e spans (e − 1, e], its
 * steps spread evenly. An unfinished epoch is spread over the steps an
 * epoch takes, when known, so the curve does not stretch as it grows. */
static void
place_points (OtterLossChart *self)
{
  guint n = self->points->len;
  self->point_x = g_renew (double, self->point_x, MAX (n, 1));
  gint64 start = n > 0 ? g_array_index (self->points, OtterTrainPoint, 0).step - 1 : 0;

  for (guint i = 0; i < n;)
    {
      int epoch = g_array_index (self->points, OtterTrainPoint, i).epoch;
      guint j = i;
      while (j < n && g_array_index (self->points, OtterTrainPoint, j).epoch == epoch)
        j++;
      gint64 last = g_array_index (self->points, OtterTrainPoint, j - 1).step;
      double length = last - start;
      gboolean finished = j < n || has_epoch_record (self, epoch);
      if (!finished && self->steps_per_epoch > length)
        length = self->steps_per_epoch;
      length = MAX (length, 1);
      for (guint k = i; k < j; k++)
        self->point_x[k] = (epoch - 1) + (g_array_index (self->points, OtterTrainPoint, k).step - start) / length;
      start = last;
      i = j;
    }
}

static gboolean
any_map (OtterLossChart *self,
         GArray         *epochs)
{
  for (guint i = 0; i < epochs->len; i++)
    if (isfinite (g_array_index (epochs, OtterEpochPoint, i).val_map50))
      return TRUE;
  return FALSE;
}

static gboolean
has_map (OtterLossChart *self)
{
  if (any_map (self, self->epochs))
    return TRUE;
  for (guint k = 0; k < self->overlays->len; k++)
    if (any_map (self, ((OtterLossOverlay *) g_ptr_array_index (self->overlays, k))->epochs))
      return TRUE;
  return FALSE;
}

static gboolean
has_distance (OtterLossChart *self)
{
  if (!self->visible[OTTER_LOSS_SERIES_D])
    return FALSE;
  for (guint i = 0; i < self->points->len; i++)
    if (isfinite (g_array_index (self->points, OtterTrainPoint, i).d))
      return TRUE;
  return FALSE;
}

static void
include (double *lo, double *hi, double v, gboolean log)
{
  if (!isfinite (v) || (log && !(v > 0)))
    return;
  *lo = MIN (*lo, v);
  *hi = MAX (*hi, v);
}

static void
compute_scales (OtterLossChart *self)
{
  double lo = INFINITY, hi = -INFINITY, d_hi = 0, map_hi = 0;
  gboolean log = self->log_scale;

  for (guint i = 0; i < self->points->len; i++)
    {
      const OtterTrainPoint *p = &g_array_index (self->points, OtterTrainPoint, i);
      for (int k = 0; k < OTTER_LOSS_SERIES_D; k++)
        if (self->visible[k])
          include (&lo, &hi, otter_loss_chart_point_value (p, k), log);
      if (isfinite (p->d))
        d_hi = MAX (d_hi, p->d);
    }
  for (guint i = 0; i < self->epochs->len; i++)
    {
      double m = g_array_index (self->epochs, OtterEpochPoint, i).val_map50;
      if (isfinite (m))
        map_hi = MAX (map_hi, m);
    }
  for (guint k = 0; k < self->overlays->len; k++)
    {
      GArray *epochs = ((OtterLossOverlay *) g_ptr_array_index (self->overlays, k))->epochs;
      for (guint i = 0; i < epochs->len; i++)
        {
          const OtterEpochPoint *e = &g_array_index (epochs, OtterEpochPoint, i);
          include (&lo, &hi, e->loss, log);
          if (isfinite (e->val_map50))
            map_hi = MAX (map_hi, e->val_map50);
        }
    }
  if (self->threshold > 0)
    include (&lo, &hi, self->threshold, log);

  if (log)
    otter_chart_scale_log_fit (&self->loss_scale, lo, hi);
  else
    otter_chart_scale_zero_to (&self->loss_scale, hi, 5);
  otter_chart_scale_zero_to (&self->distance_scale, d_hi, 4);
  /* mAP lives in [0, 1]: the strip is fitted from 0, never past 1 */
  otter_chart_scale_zero_to (&self->map_scale, map_hi, 2);
  self->map_scale.hi = MIN (self->map_scale.hi, 1);
}

static void
layout (OtterLossChart *self,
        int             width,
        int             height)
{
  gboolean show_d = has_distance (self);
  double plot_w = MAX (1, width - MARGIN_LEFT - (show_d ? MARGIN_D_AXIS : MARGIN_RIGHT));
  double total_h = MAX (1, height - MARGIN_TOP - MARGIN_BOTTOM);

  place_points (self);
  compute_scales (self);

  self->x_min = self->points->len > 0 ? g_array_index (self->points, OtterTrainPoint, 0).epoch - 1 : 0;
  self->x_max = self->points->len > 0 ? self->point_x[self->points->len - 1] : 0;
  if (self->overlays->len > 0)
    self->x_min = 0;
  if (self->epochs->len > 0)
    self->x_max = MAX (self->x_max, g_array_index (self->epochs, OtterEpochPoint, self->epochs->len - 1).epoch);
  for (guint k = 0; k < self->overlays->len; k++)
    {
      GArray *epochs = ((OtterLossOverlay *) g_ptr_array_index (self->overlays, k))->epochs;
      if (epochs->len > 0)
        self->x_max = MAX (self->x_max, g_array_index (epochs, OtterEpochPoint, epochs->len - 1).epoch);
    }
  if (self->x_max <= self->x_min)
    self->x_max = self->x_min + 1;

  /* Validation mAP gets a strip of its own under the losses, sharing the
   * epoch axis: a second scale on the same plot would read as a loss. */
  if (has_map (self) && total_h >= 180)
    {
      double strip = CLAMP (round (total_h * 0.26), 56, 140);
      self->plot = GRAPHENE_RECT_INIT (MARGIN_LEFT, MARGIN_TOP, plot_w, total_h - strip - MAP_GAP);
      self->map_plot = GRAPHENE_RECT_INIT (MARGIN_LEFT, MARGIN_TOP + total_h - strip, plot_w, strip);
    }
  else
    {
      self->plot = GRAPHENE_RECT_INIT (MARGIN_LEFT, MARGIN_TOP, plot_w, total_h);
      self->map_plot = GRAPHENE_RECT_INIT (MARGIN_LEFT, MARGIN_TOP + total_h, plot_w, 0);
    }
}

double
otter_loss_chart_epoch_to_x (OtterLossChart *self,
                             double          epoch)
{
  return self->plot.origin.x + self->plot.size.width * (epoch - self->x_min) / (self->x_max - self->x_min);
}

/* ---- drawing ------------------------------------------------------------ */

/* Axis labels: small, with tabular figures so the ticks line up. */
static void
draw_text (OtterLossChart *self, GtkSnapshot *snapshot, const char *text,
           double x, double y, double ax, double ay, const GdkRGBA *color)
{
  otter_draw_text (GTK_WIDGET (self), snapshot, text, x, y, ax, ay,
                   PANGO_SCALE_SMALL, OTTER_DRAW_TEXT_TABULAR, color);
}

static void
append_rect (GtkSnapshot   *snapshot,
             const GdkRGBA *color,
             double         x,
             double         y,
             double         w,
             double         h)
{
  gtk_snapshot_append_color (snapshot, color, &GRAPHENE_RECT_INIT (x, y, w, h));
}

/* A value axis: grid lines across `r` and tick labels at its left, or at
 * its right in the axis' own colour when `grid` is NULL. */
static void
draw_value_axis (OtterLossChart        *self,
                 GtkSnapshot           *snapshot,
                 const graphene_rect_t *r,
                 const OtterChartScale *scale,
                 int                    target_ticks,
                 const GdkRGBA         *grid,
                 const GdkRGBA         *label_color)
{
  g_autoptr (GArray) ticks = otter_chart_scale_ticks (scale, target_ticks);
  double step = otter_chart_nice_step (scale->hi - scale->lo, target_ticks);
  char buf[32];

  for (guint i = 0; i < ticks->len; i++)
    {
      double v = g_array_index (ticks, double, i);
      double y = otter_chart_scale_map (scale, v, r->origin.y, r->size.height);
      if (scale->log)
        otter_chart_format_log_tick (buf, sizeof buf, v);
      else
        otter_chart_format_tick (buf, sizeof buf, v, step);
      if (grid != NULL)
        {
          append_rect (snapshot, grid, r->origin.x, round (y), r->size.width, 1);
          draw_text (self, snapshot, buf, r->origin.x - 8, y, 1, 0.5, label_color);
        }
      else
        draw_text (self, snapshot, buf, r->origin.x + r->size.width + 6, y, 0, 0.5, label_color);
    }
}

/* The epochs along the bottom: a tick at each, labelled as room allows,
 * and a faint line through both plots while they are few. */
static void
draw_epoch_axis (OtterLossChart *self,
                 GtkSnapshot    *snapshot,
                 int             height,
                 const GdkRGBA  *grid,
                 const GdkRGBA  *faint)
{
  const graphene_rect_t *r = &self->plot;
  double bottom = self->map_plot.size.height > 0 ? self->map_plot.origin.y + self->map_plot.size.height
                                                 : r->origin.y + r->size.height;
  double px_per_epoch = r->size.width / (self->x_max - self->x_min);
  int first = (int) ceil (self->x_min - 1e-9), last = (int) floor (self->x_max + 1e-9);
  /* label every 1, 2, 5, 10, … epochs, at least 36 px apart */
  int every = (int) otter_chart_nice_step (36 / MAX (px_per_epoch, 1e-3), 1);
  every = MAX (every, 1);
  gboolean lines = last - first < r->size.width / 4;
  char buf[16];

  for (int e = first; e <= last; e++)
    {
      double x = round (otter_loss_chart_epoch_to_x (self, e));
      if (lines)
        {
          append_rect (snapshot, grid, x, r->origin.y, 1, r->size.height);
          if (self->map_plot.size.height > 0)
            append_rect (snapshot, grid, x, self->map_plot.origin.y, 1, self->map_plot.size.height);
        }
      if (px_per_epoch >= 3 || e % every == 0)
        append_rect (snapshot, faint, x, bottom, 1, 4);
      if (e % every == 0)
        {
          g_snprintf (buf, sizeof buf, "%d", e);
          draw_text (self, snapshot, buf, x, bottom + 6, 0.5, 0, faint);
        }
    }
  draw_text (self, snapshot, _("Epoch"), r->origin.x + r->size.width / 2, height - 2, 0.5, 1, faint);
  append_rect (snapshot, faint, r->origin.x, r->origin.y + r->size.height, r->size.width, 1);
  if (self->map_plot.size.height > 0)
    append_rect (snapshot, faint, r->origin.x, bottom, r->size.width, 1);
}

/* The series smoothed by an exponential moving average of weight w,
 * divided by 1 − w^t so its start is not pulled towards zero. */
static double *
smooth_series (OtterLossChart  *self,
               OtterLossSeries  series)
{
  guint n = self->points->len;
  double *out = g_new (double, n);
  double w = self->smoothing, acc = 0, weight = 0;
  for (guint i = 0; i < n; i++)
    {
      double v = otter_loss_chart_point_value (&g_array_index (self->points, OtterTrainPoint, i), series);
      if (!isfinite (v))
        {
          out[i] = NAN;
          continue;
        }
      acc = w * acc + (1 - w) * v;
      weight = w * weight + (1 - w);
      out[i] = acc / weight;
    }
  return out;
}

/* One series as a cairo path. Dense runs are reduced to the min and max of
 * each pixel column, which looks the same and keeps long runs cheap. */
static void
trace_series (OtterLossChart        *self,
              cairo_t               *cr,
              OtterLossSeries        series,
              const OtterChartScale *scale,
              const double          *values)
{
  const graphene_rect_t *r = &self->plot;
  gboolean pen_down = FALSE;
  guint n = self->points->len;
  gboolean decimate = n > 2 * r->size.width;
  int column = G_MININT;
  double col_min = 0, col_max = 0, col_x = 0;
  gboolean col_valid = FALSE;

  for (guint i = 0; i <= n; i++)
    {
      const OtterTrainPoint *p = i < n ? &g_array_index (self->points, OtterTrainPoint, i) : NULL;
      double x = p ? otter_loss_chart_epoch_to_x (self, self->point_x[i]) : 0;
      double v = p ? (values ? values[i] : otter_loss_chart_point_value (p, series)) : NAN;
      double y = p ? otter_chart_scale_map (scale, v, r->origin.y, r->size.height) : NAN;

      if (decimate)
        {
          int c = p ? (int) floor (x) : G_MAXINT;
          if (c != column && col_valid)
            {
              if (pen_down)
                cairo_line_to (cr, col_x, col_min);
              else
                cairo_move_to (cr, col_x, col_min);
              if (col_max != col_min)
                cairo_line_to (cr, col_x, col_max);
              pen_down = TRUE;
              col_valid = FALSE;
            }
          if (p == NULL)
            break;
          column = c;
          if (!isfinite (y))
            {
              pen_down = FALSE;
              continue;
            }
          if (!col_valid)
            col_min = col_max = y, col_x = x, col_valid = TRUE;
          col_min = MIN (col_min, y);
          col_max = MAX (col_max, y);
          continue;
        }

      if (p == NULL)
        break;
      if (!isfinite (y))
        {
          pen_down = FALSE;
          continue;
        }
      if (pen_down)
        cairo_line_to (cr, x, y);
      else
        cairo_move_to (cr, x, y);
      pen_down = TRUE;
    }
}

/* A line through points with a dot on each, over a halo of the background
 * so it stands out of whatever runs beneath. */
static void
draw_dotted_line (OtterLossChart *self,
                  GtkSnapshot    *snapshot,
                  GArray         *points,
                  const GdkRGBA  *color,
                  double          line_width,
                  int             width,
                  int             height)
{
  GdkRGBA halo;
  otter_draw_lookup_color (GTK_WIDGET (self), "view_bg_color", NULL, &halo);
  cairo_t *cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  for (int pass = 0; pass < 2; pass++)
    {
      gdk_cairo_set_source_rgba (cr, pass == 0 ? &halo : color);
      cairo_set_line_width (cr, pass == 0 ? line_width + 3 : line_width);
      for (guint k = 0; k < points->len; k++)
        {
          const graphene_point_t *q = &g_array_index (points, graphene_point_t, k);
          if (k == 0)
            cairo_move_to (cr, q->x, q->y);
          else
            cairo_line_to (cr, q->x, q->y);
        }
      if (points->len > 1)
        cairo_stroke (cr);
      else
        cairo_new_path (cr);
      for (guint k = 0; k < points->len; k++)
        {
          const graphene_point_t *q = &g_array_index (points, graphene_point_t, k);
          cairo_arc (cr, q->x, q->y, line_width + (pass == 0 ? 2 : 0.5), 0, 2 * G_PI);
          cairo_fill (cr);
        }
    }
  cairo_destroy (cr);
}

/* The target loss's mean over each finished epoch (what τ is compared
 * with), drawn over the raw steps with a dot at each epoch's end. */
static void
draw_epoch_means (OtterLossChart *self,
                  GtkSnapshot    *snapshot,
                  int             width,
                  int             height)
{
  const graphene_rect_t *r = &self->plot;
  guint n = self->points->len;
  if (!self->visible[OTTER_LOSS_SERIES_LOSS] || n == 0)
    return;

  g_autoptr (GArray) means = g_array_new (FALSE, FALSE, sizeof (graphene_point_t));
  double sum = 0;
  int count = 0;
  for (guint i = 0; i < n; i++)
    {
      const OtterTrainPoint *p = &g_array_index (self->points, OtterTrainPoint, i);
      if (isfinite (p->loss))
        sum += p->loss, count++;
      gboolean last_of_epoch = i + 1 == n ? has_epoch_record (self, p->epoch)
        : g_array_index (self->points, OtterTrainPoint, i + 1).epoch != p->epoch;
      if (last_of_epoch && count > 0)
        {
          double y = otter_chart_scale_map (&self->loss_scale, sum / count, r->origin.y, r->size.height);
          if (isfinite (y))
            g_array_append_val (means, GRAPHENE_POINT_INIT (otter_loss_chart_epoch_to_x (self, p->epoch), y));
          sum = 0, count = 0;
        }
    }
  self->n_epoch_means = means->len;
  if (means->len == 0)
    return;

  GdkRGBA c;
  otter_loss_chart_get_series_color (self, OTTER_LOSS_SERIES_LOSS, &c);
  draw_dotted_line (self, snapshot, means, &c, 3, width, height);
}

/* Epoch records as points on one scale: their mean L or validation mAP. */
static GArray *
epoch_points (OtterLossChart        *self,
              GArray                *epochs,
              gboolean               map,
              const graphene_rect_t *r,
              const OtterChartScale *scale)
{
  GArray *out = g_array_new (FALSE, FALSE, sizeof (graphene_point_t));
  for (guint i = 0; i < epochs->len; i++)
    {
      const OtterEpochPoint *e = &g_array_index (epochs, OtterEpochPoint, i);
      double y = otter_chart_scale_map (scale, map ? e->val_map50 : e->loss, r->origin.y, r->size.height);
      if (isfinite (y))
        g_array_append_val (out, GRAPHENE_POINT_INIT (otter_loss_chart_epoch_to_x (self, e->epoch), y));
    }
  return out;
}

static void
draw_overlays (OtterLossChart *self,
               GtkSnapshot    *snapshot,
               gboolean        map,
               int             width,
               int             height)
{
  const graphene_rect_t *r = map ? &self->map_plot : &self->plot;
  for (guint k = 0; k < self->overlays->len; k++)
    {
      OtterLossOverlay *o = g_ptr_array_index (self->overlays, k);
      g_autoptr (GArray) pts = epoch_points (self, o->epochs, map, r, map ? &self->map_scale : &self->loss_scale);
      GdkRGBA c;
      otter_loss_chart_overlay_color (self, o->color_slot, &c);
      draw_dotted_line (self, snapshot, pts, &c, 2, width, height);
    }
}

static void
draw_map_strip (OtterLossChart *self,
                GtkSnapshot    *snapshot,
                int             width,
                int             height,
                const GdkRGBA  *fg,
                const GdkRGBA  *grid,
                const GdkRGBA  *faint)
{
  const graphene_rect_t *m = &self->map_plot;
  if (m->size.height <= 0)
    return;
  draw_text (self, snapshot, _("Validation mAP@0.5"), 4, m->origin.y - 6, 0, 1, faint);
  draw_value_axis (self, snapshot, m, &self->map_scale, 2, grid, faint);
  draw_overlays (self, snapshot, TRUE, width, height);
  g_autoptr (GArray) pts = epoch_points (self, self->epochs, TRUE, m, &self->map_scale);
  draw_dotted_line (self, snapshot, pts, fg, 2, width, height);
}

static void
draw_threshold_line (OtterLossChart *self,
                     GtkSnapshot    *snapshot,
                     const GdkRGBA  *tau)
{
  const graphene_rect_t *r = &self->plot;
  double y = otter_chart_scale_map (&self->loss_scale, self->threshold, r->origin.y, r->size.height);
  if (!isfinite (y))
    return;
  double dash = 6;
  for (double x = r->origin.x; x < r->origin.x + r->size.width; x += 2 * dash)
    append_rect (snapshot, tau, x, round (y) - 1, MIN (dash, r->origin.x + r->size.width - x), 2);
}

/* τ's value, on a backing of the view's colour, so no curve runs through it. */
static void
draw_threshold_label (OtterLossChart *self,
                      GtkSnapshot    *snapshot,
                      const GdkRGBA  *tau)
{
  const graphene_rect_t *r = &self->plot;
  double y = otter_chart_scale_map (&self->loss_scale, self->threshold, r->origin.y, r->size.height);
  GdkRGBA back;
  int tw, th;
  char buf[32];

  if (!isfinite (y))
    return;
  otter_draw_lookup_color (GTK_WIDGET (self), "view_bg_color", NULL, &back);
  g_snprintf (buf, sizeof buf, "τ = %.3g", self->threshold);
  otter_draw_get_text_size (GTK_WIDGET (self), buf, 0.8, OTTER_DRAW_TEXT_TABULAR, &tw, &th);
  double lx = r->origin.x + r->size.width - 4, ly = y - 3;
  append_rect (snapshot, &back, lx - tw - 3, ly - th - 1, tw + 6, th + 2);
  draw_text (self, snapshot, buf, lx, ly, 1, 1, tau);
}

/* The raw steps of each shown series; the target loss last and widest,
 * so it reads as the main one. */
static void
draw_steps (OtterLossChart *self,
            GtkSnapshot    *snapshot,
            int             width,
            int             height)
{
  static const OtterLossSeries order[] = { OTTER_LOSS_SERIES_D, OTTER_LOSS_SERIES_L1,
                                           OTTER_LOSS_SERIES_L2, OTTER_LOSS_SERIES_LOSS };
  const graphene_rect_t *r = &self->plot;
  cairo_t *cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));

  cairo_rectangle (cr, r->origin.x, r->origin.y - 2, r->size.width, r->size.height + 4);
  cairo_clip (cr);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);
  for (guint k = 0; k < G_N_ELEMENTS (order); k++)
    {
      OtterLossSeries s = order[k];
      GdkRGBA c;
      if (!self->visible[s])
        continue;
      otter_loss_chart_get_series_color (self, s, &c);
      /* the raw target loss steps sit under its epoch means */
      if (s == OTTER_LOSS_SERIES_LOSS)
        c.alpha *= 0.6;
      gdk_cairo_set_source_rgba (cr, &c);
      cairo_set_line_width (cr, s == OTTER_LOSS_SERIES_LOSS ? 2 : 1.5);
      if (s == OTTER_LOSS_SERIES_D)
        {
          double dashes[] = { 4, 3 };
          cairo_set_dash (cr, dashes, 2, 0);
        }
      else
        cairo_set_dash (cr, NULL, 0, 0);
      const OtterChartScale *scale = s == OTTER_LOSS_SERIES_D ? &self->distance_scale : &self->loss_scale;
      if (self->smoothing > 0)
        {
          /* the raw steps faint underneath, the smoothed curve on top */
          GdkRGBA faint_c = c;
          faint_c.alpha *= 0.3;
          gdk_cairo_set_source_rgba (cr, &faint_c);
          trace_series (self, cr, s, scale, NULL);
          cairo_stroke (cr);
          g_autofree double *smoothed = smooth_series (self, s);
          gdk_cairo_set_source_rgba (cr, &c);
          trace_series (self, cr, s, scale, smoothed);
        }
      else
        trace_series (self, cr, s, scale, NULL);
      cairo_stroke (cr);
    }
  cairo_destroy (cr);
}

GskRenderNode *
otter_loss_chart_build_cache (OtterLossChart *self,
                              int             width,
                              int             height)
{
  g_autoptr (GtkSnapshot) snapshot = gtk_snapshot_new ();
  GdkRGBA fg, grid, faint, tau;

  layout (self, width, height);
  const graphene_rect_t *r = &self->plot;
  gboolean empty = self->points->len == 0 && self->overlays->len == 0;

  otter_draw_lookup_color (GTK_WIDGET (self), "window_fg_color", NULL, &fg);
  grid = fg, grid.alpha = 0.10;
  faint = fg, faint.alpha = 0.55;
  otter_draw_lookup_color (GTK_WIDGET (self), "warning_color", NULL, &tau);
  self->n_epoch_means = 0;

  if (empty)
    {
      /* no scale to show yet, and no line through the message */
      append_rect (snapshot, &faint, r->origin.x, r->origin.y + r->size.height, r->size.width, 1);
      otter_draw_text (GTK_WIDGET (self), snapshot, _("The loss curves appear here once a run starts"),
                       r->origin.x + r->size.width / 2, r->origin.y + r->size.height / 2, 0.5, 0.5,
                       1, OTTER_DRAW_TEXT_PLAIN, &faint);
      return gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
    }

  /* axis titles start at the left edge: the tick labels' column is narrower */
  draw_text (self, snapshot, self->loss_scale.log ? _("Loss (log)") : _("Loss"),
             4, r->origin.y - 6, 0, 1, &faint);
  draw_value_axis (self, snapshot, r, &self->loss_scale, 5, &grid, &faint);
  if (has_distance (self))
    {
      GdkRGBA dc;
      otter_loss_chart_get_series_color (self, OTTER_LOSS_SERIES_D, &dc);
      draw_text (self, snapshot, "D", r->origin.x + r->size.width + 6, r->origin.y - 6, 0, 1, &dc);
      draw_value_axis (self, snapshot, r, &self->distance_scale, 4, NULL, &dc);
    }
  draw_epoch_axis (self, snapshot, height, &grid, &faint);

  if (self->threshold > 0)
    draw_threshold_line (self, snapshot, &tau);
  draw_overlays (self, snapshot, FALSE, width, height);
  if (self->points->len > 0)
    {
      draw_steps (self, snapshot, width, height);
      draw_epoch_means (self, snapshot, width, height);
    }
  if (self->threshold > 0)
    draw_threshold_label (self, snapshot, &tau);
  draw_map_strip (self, snapshot, width, height, &fg, &grid, &faint);

  return gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
}

/* ---- read-out ----------------------------------------------------------- */

static const OtterEpochPoint *
find_epoch (GArray *epochs,
            int     epoch)
{
  for (guint i = 0; i < epochs->len; i++)
    if (g_array_index (epochs, OtterEpochPoint, i).epoch == epoch)
      return &g_array_index (epochs, OtterEpochPoint, i);
  return NULL;
}

static void
draw_dot (GtkSnapshot   *snapshot,
          double         x,
          double         y,
          const GdkRGBA *color)
{
  GskRoundedRect dot;
  if (!isfinite (y))
    return;
  gsk_rounded_rect_init_from_rect (&dot, &GRAPHENE_RECT_INIT (x - 4, y - 4, 8, 8), 4);
  otter_draw_fill_rounded (snapshot, &dot, color);
}

void
otter_loss_chart_draw_hover (OtterLossChart *self,
                             GtkSnapshot    *snapshot,
                             int             width)
{
  const OtterTrainPoint *p = &g_array_index (self->points, OtterTrainPoint, self->hover);
  const graphene_rect_t *r = &self->plot;
  GString *text = g_string_new (NULL);
  GdkRGBA fg, bg, border, line;
  double x = otter_loss_chart_epoch_to_x (self, self->point_x[self->hover]);

  otter_draw_lookup_color (GTK_WIDGET (self), "window_fg_color", NULL, &fg);
  otter_draw_lookup_color (GTK_WIDGET (self), "popover_bg_color", NULL, &bg);
  border = fg, border.alpha = 0.15;
  line = fg, line.alpha = 0.35;
  double bottom = self->map_plot.size.height > 0 ? self->map_plot.origin.y + self->map_plot.size.height
                                                 : r->origin.y + r->size.height;
  append_rect (snapshot, &line, round (x), r->origin.y, 1, bottom - r->origin.y);

  g_string_append_printf (text, _("Step %lld · epoch %d"), (long long) p->step, p->epoch);
  for (int k = 0; k < OTTER_LOSS_N_SERIES; k++)
    {
      double v = otter_loss_chart_point_value (p, k);
      GdkRGBA c;
      if (!self->visible[k] || !isfinite (v))
        continue;
      g_string_append_printf (text, "\n%s  %.4f", otter_loss_chart_series_name (k), v);
      otter_loss_chart_get_series_color (self, k, &c);
      draw_dot (snapshot, x, otter_chart_scale_map (k == OTTER_LOSS_SERIES_D ? &self->distance_scale : &self->loss_scale,
                                                    v, r->origin.y, r->size.height), &c);
    }
  const OtterEpochPoint *e = find_epoch (self->epochs, p->epoch);
  if (e != NULL && isfinite (e->val_map50))
    g_string_append_printf (text, _("\nValidation mAP@0.5 after epoch %d  %.3f"), p->epoch, e->val_map50);
  for (guint k = 0; k < self->overlays->len; k++)
    {
      OtterLossOverlay *o = g_ptr_array_index (self->overlays, k);
      const OtterEpochPoint *oe = find_epoch (o->epochs, p->epoch);
      if (oe == NULL)
        continue;
      g_string_append_printf (text, "\n%s  L %.4f", o->title, oe->loss);
      if (isfinite (oe->val_map50))
        g_string_append_printf (text, _(" · mAP %.3f"), oe->val_map50);
    }

  g_autoptr (PangoLayout) layout = otter_draw_create_layout (GTK_WIDGET (self), text->str,
                                                             PANGO_SCALE_SMALL, OTTER_DRAW_TEXT_TABULAR);
  g_string_free (text, TRUE);
  int w, h;
  pango_layout_get_pixel_size (layout, &w, &h);
  double bx = x + 12, by = r->origin.y + 8;
  if (bx + w + 20 > width)
    bx = x - 12 - w - 16;
  GskRoundedRect box;
  gsk_rounded_rect_init_from_rect (&box, &GRAPHENE_RECT_INIT (round (bx), by, w + 16, h + 12), 8);
  otter_draw_fill_rounded (snapshot, &box, &bg);
  otter_draw_border (snapshot, &box, 1, &border);
  otter_draw_layout_at (snapshot, layout, round (bx) + 8, by + 6, &fg);
}
