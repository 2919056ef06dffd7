/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-loss-chart.c: the loss curves of a training run, drawn live */

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "otter-draw.h"
#include "otter-loss-chart.h"

#define MARGIN_LEFT   56
#define MARGIN_RIGHT  16
#define MARGIN_D_AXIS 44
#define MARGIN_TOP    24
#define MARGIN_BOTTOM 40

struct _OtterLossChart
{
  GtkWidget      parent_instance;

  GArray        *points;          /* OtterTrainPoint, ordered by step */
  double         threshold;
  gboolean       log_scale;
  double         smoothing;       /* TensorBoard-style EMA weight, 0 (off) to 0.99 */
  gboolean       visible[OTTER_LOSS_N_SERIES];

  /* Grid, labels and curves as one node, rebuilt only when the data, the
   * size or the style change: hovering just draws the read-out on top. */
  GskRenderNode *cache;
  int            cache_width, cache_height;
  guint          n_epoch_means;   /* drawn in the cache, for tests */

  /* Geometry of the last layout, for hit testing. */
  graphene_rect_t plot;
  double         x_min, x_max;

  int            hover;           /* index into points, or -1 */
};

enum
{
  PROP_0,
  PROP_N_POINTS,
  PROP_THRESHOLD,
  PROP_LOG_SCALE,
  PROP_SMOOTHING,
  PROP_SHOW_L1,
  PROP_SHOW_L2,
  PROP_SHOW_LOSS,
  PROP_SHOW_D,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (OtterLossChart, otter_loss_chart, GTK_TYPE_WIDGET)

/* Okabe–Ito hues: told apart with every common colour-vision deficiency.
 * The dark variants are lighter so that they keep their contrast on a
 * dark background. */
static const char *series_colors_light[] = { "#0072b2", "#d55e00", "#a23e7f", "#009e73" };
static const char *series_colors_dark[] = { "#56b4e9", "#e69f00", "#dd88bb", "#3cc8a0" };

static double
point_value (const OtterTrainPoint *p,
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

static const char *
series_name (OtterLossSeries series)
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

static void
invalidate (OtterLossChart *self)
{
  g_clear_pointer (&self->cache, gsk_render_node_unref);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* ---- scales ------------------------------------------------------------- */

static double
nice_step (double range,
           int    target_ticks)
{
  double raw = range / MAX (target_ticks, 1);
  double mag = pow (10, floor (log10 (raw)));
  double f = raw / mag;
  return (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * mag;
}

typedef struct
{
  double lo, hi;                 /* data units (log10 when log) */
  gboolean log;
} Scale;

static double
scale_map (const Scale *s, double v, double top, double height)
{
  double t;
  if (s->log)
    {
      if (!(v > 0))
        return NAN;
      v = log10 (v);
    }
  t = (v - s->lo) / (s->hi - s->lo);
  return top + height * (1 - t);
}

static void
compute_loss_scale (OtterLossChart *self,
                    Scale          *s)
{
  double lo = INFINITY, hi = -INFINITY;

  for (guint i = 0; i < self->points->len; i++)
    {
      const OtterTrainPoint *p = &g_array_index (self->points, OtterTrainPoint, i);
      for (int k = 0; k < OTTER_LOSS_SERIES_D; k++)
        {
          double v = point_value (p, k);
          if (!self->visible[k] || !isfinite (v) || (self->log_scale && !(v > 0)))
            continue;
          lo = MIN (lo, v);
          hi = MAX (hi, v);
        }
    }
  if (self->threshold > 0)
    {
      lo = MIN (lo, self->threshold);
      hi = MAX (hi, self->threshold);
    }
  s->log = self->log_scale;
  if (s->log)
    {
      if (!isfinite (lo))
        lo = 0.1, hi = 10;
      s->lo = floor (log10 (lo));
      s->hi = ceil (log10 (hi));
      if (s->hi - s->lo < 1)
        s->hi = s->lo + 1;
    }
  else
    {
      if (!isfinite (hi) || hi <= 0)
        hi = 1;
      double step = nice_step (hi, 5);
      s->lo = 0;
      s->hi = ceil (hi * 1.05 / step) * step;
    }
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
compute_distance_scale (OtterLossChart *self,
                        Scale          *s)
{
  double hi = 0;
  for (guint i = 0; i < self->points->len; i++)
    {
      double d = g_array_index (self->points, OtterTrainPoint, i).d;
      if (isfinite (d))
        hi = MAX (hi, d);
    }
  if (hi <= 0)
    hi = 1;
  double step = nice_step (hi, 4);
  s->log = FALSE;
  s->lo = 0;
  s->hi = ceil (hi * 1.05 / step) * step;
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

static double
step_to_x (OtterLossChart *self,
           double          step)
{
  return self->plot.origin.x + self->plot.size.width * (step - self->x_min) / (self->x_max - self->x_min);
}

static void
format_tick (char *buf, gsize len, double v, double step)
{
  if (fabs (v) < step * 1e-6)
    v = 0;
  int decimals = step >= 1 ? 0 : (int) ceil (-log10 (step) - 1e-9);
  g_snprintf (buf, len, "%.*f", CLAMP (decimals, 0, 6), v);
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
      double v = point_value (&g_array_index (self->points, OtterTrainPoint, i), series);
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
trace_series (OtterLossChart  *self,
              cairo_t         *cr,
              OtterLossSeries  series,
              const Scale     *scale,
              const double    *values)
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
      double x = p ? step_to_x (self, p->step) : 0;
      double v = p ? (values ? values[i] : point_value (p, series)) : NAN;
      double y = p ? scale_map (scale, v, r->origin.y, r->size.height) : NAN;

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

/* The target loss's mean over each finished epoch (what τ is compared
 * with), drawn over the raw steps as a line with a dot at each epoch's end. */
static void
trace_epoch_means (OtterLossChart *self,
                   GtkSnapshot    *snapshot,
                   const Scale    *scale,
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
      gboolean last_of_epoch = i + 1 == n ? FALSE
        : g_array_index (self->points, OtterTrainPoint, i + 1).epoch != p->epoch;
      if (last_of_epoch && count > 0)
        {
          double y = scale_map (scale, sum / count, r->origin.y, r->size.height);
          if (isfinite (y))
            g_array_append_val (means, GRAPHENE_POINT_INIT (step_to_x (self, p->step), y));
          sum = 0, count = 0;
        }
    }
  self->n_epoch_means = means->len;
  if (means->len == 0)
    return;

  GdkRGBA c, halo;
  otter_loss_chart_get_series_color (self, OTTER_LOSS_SERIES_LOSS, &c);
  otter_draw_lookup_color (GTK_WIDGET (self), "view_bg_color", NULL, &halo);
  cairo_t *cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  for (int pass = 0; pass < 2; pass++)
    {
      /* a halo of the background first, so the means stand out of the steps */
      gdk_cairo_set_source_rgba (cr, pass == 0 ? &halo : &c);
      cairo_set_line_width (cr, pass == 0 ? 6 : 3);
      for (guint k = 0; k < means->len; k++)
        {
          const graphene_point_t *q = &g_array_index (means, graphene_point_t, k);
          if (k == 0)
            cairo_move_to (cr, q->x, q->y);
          else
            cairo_line_to (cr, q->x, q->y);
        }
      if (means->len > 1)
        cairo_stroke (cr);
      else
        cairo_new_path (cr);
      for (guint k = 0; k < means->len; k++)
        {
          const graphene_point_t *q = &g_array_index (means, graphene_point_t, k);
          cairo_arc (cr, q->x, q->y, pass == 0 ? 5 : 3.5, 0, 2 * G_PI);
          cairo_fill (cr);
        }
    }
  cairo_destroy (cr);
}

static void
build_cache (OtterLossChart *self,
             int             width,
             int             height)
{
  g_autoptr (GtkSnapshot) snapshot = gtk_snapshot_new ();
  gboolean show_d = has_distance (self);
  GdkRGBA fg, grid, faint, tau;
  Scale ls, ds;
  char buf[64];

  otter_draw_lookup_color (GTK_WIDGET (self), "window_fg_color", NULL, &fg);
  grid = fg, grid.alpha = 0.10;
  faint = fg, faint.alpha = 0.55;
  otter_draw_lookup_color (GTK_WIDGET (self), "warning_color", NULL, &tau);

  self->plot = GRAPHENE_RECT_INIT (MARGIN_LEFT, MARGIN_TOP,
                                   MAX (1, width - MARGIN_LEFT - (show_d ? MARGIN_D_AXIS : MARGIN_RIGHT)),
                                   MAX (1, height - MARGIN_TOP - MARGIN_BOTTOM));
  const graphene_rect_t *r = &self->plot;

  compute_loss_scale (self, &ls);
  compute_distance_scale (self, &ds);

  if (self->points->len > 0)
    {
      self->x_min = g_array_index (self->points, OtterTrainPoint, 0).step;
      self->x_max = g_array_index (self->points, OtterTrainPoint, self->points->len - 1).step;
    }
  else
    self->x_min = 0, self->x_max = 1;
  if (self->x_max <= self->x_min)
    self->x_max = self->x_min + 1;

  /* Horizontal grid and left axis labels; an empty chart has no scale to
   * show, and no line through its message. */
  gboolean empty = self->points->len == 0;
  if (!empty)
    draw_text (self, snapshot, _("Loss"), r->origin.x - 8, r->origin.y - 6, 1, 1, &faint);
  if (empty)
    ;
  else if (ls.log)
    {
      for (double e = ls.lo; e <= ls.hi + 1e-9; e += 1)
        {
          double y = scale_map (&ls, pow (10, e), r->origin.y, r->size.height);
          append_rect (snapshot, &grid, r->origin.x, round (y), r->size.width, 1);
          g_snprintf (buf, sizeof buf, "%g", pow (10, e));
          draw_text (self, snapshot, buf, r->origin.x - 8, y, 1, 0.5, &faint);
        }
    }
  else
    {
      double step = nice_step (ls.hi - ls.lo, 5);
      for (double v = ls.lo; v <= ls.hi + step * 1e-6; v += step)
        {
          double y = scale_map (&ls, v, r->origin.y, r->size.height);
          append_rect (snapshot, &grid, r->origin.x, round (y), r->size.width, 1);
          format_tick (buf, sizeof buf, v, step);
          draw_text (self, snapshot, buf, r->origin.x - 8, y, 1, 0.5, &faint);
        }
    }

  /* Right axis for D, in its own colour. */
  if (show_d && !empty)
    {
      GdkRGBA dc;
      double step = nice_step (ds.hi - ds.lo, 4);
      otter_loss_chart_get_series_color (self, OTTER_LOSS_SERIES_D, &dc);
      draw_text (self, snapshot, "D", r->origin.x + r->size.width + 6, r->origin.y - 6, 0, 1, &dc);
      for (double v = ds.lo; v <= ds.hi + step * 1e-6; v += step)
        {
          double y = scale_map (&ds, v, r->origin.y, r->size.height);
          format_tick (buf, sizeof buf, v, step);
          draw_text (self, snapshot, buf, r->origin.x + r->size.width + 6, y, 0, 0.5, &dc);
        }
    }

  /* Epoch boundaries as vertical ticks, labelled where there is room. */
  {
    double last_label_x = -INFINITY;
    int prev_epoch = -1;
    guint n_epochs = 0;
    for (guint i = 0; i < self->points->len; i++)
      {
        const OtterTrainPoint *p = &g_array_index (self->points, OtterTrainPoint, i);
        if (p->epoch != prev_epoch)
          n_epochs++, prev_epoch = p->epoch;
      }
    prev_epoch = -1;
    for (guint i = 0; i < self->points->len; i++)
      {
        const OtterTrainPoint *p = &g_array_index (self->points, OtterTrainPoint, i);
        if (p->epoch == prev_epoch)
          continue;
        prev_epoch = p->epoch;
        double x = round (step_to_x (self, p->step));
        if (n_epochs < r->size.width / 4)
          append_rect (snapshot, &grid, x, r->origin.y, 1, r->size.height);
        append_rect (snapshot, &faint, x, r->origin.y + r->size.height, 1, 4);
        if (x - last_label_x >= 36)
          {
            /* the start of epoch e is e − 1 epochs done: the axis counts from 0 */
            g_snprintf (buf, sizeof buf, "%d", p->epoch - 1);
            draw_text (self, snapshot, buf, x, r->origin.y + r->size.height + 6, 0.5, 0, &faint);
            last_label_x = x;
          }
      }
    draw_text (self, snapshot, _("Epoch"), r->origin.x + r->size.width / 2,
               height - 2, 0.5, 1, &faint);
  }

  /* Axis base line. */
  append_rect (snapshot, &faint, r->origin.x, r->origin.y + r->size.height, r->size.width, 1);

  if (self->points->len == 0)
    {
      otter_draw_text (GTK_WIDGET (self), snapshot, _("The loss curves appear here once a run starts"),
                       r->origin.x + r->size.width / 2, r->origin.y + r->size.height / 2, 0.5, 0.5,
                       1, OTTER_DRAW_TEXT_PLAIN, &faint);
    }

  /* Threshold τ, dashed, with its value. */
  if (self->threshold > 0)
    {
      double y = scale_map (&ls, self->threshold, r->origin.y, r->size.height);
      if (isfinite (y))
        {
          double dash = 6;
          for (double x = r->origin.x; x < r->origin.x + r->size.width; x += 2 * dash)
            append_rect (snapshot, &tau, x, round (y) - 1,
                         MIN (dash, r->origin.x + r->size.width - x), 2);
        }
    }

  /* The curves: target loss last and widest, so it reads as the main one. */
  if (self->points->len > 0)
    {
      static const OtterLossSeries order[] = { OTTER_LOSS_SERIES_D, OTTER_LOSS_SERIES_L1,
                                               OTTER_LOSS_SERIES_L2, OTTER_LOSS_SERIES_LOSS };
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
          const Scale *scale = s == OTTER_LOSS_SERIES_D ? &ds : &ls;
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
      trace_epoch_means (self, snapshot, &ls, width, height);
    }

  /* τ's value last, on a backing of the view's colour, so no curve runs
   * through it. */
  if (self->threshold > 0)
    {
      double y = scale_map (&ls, self->threshold, r->origin.y, r->size.height);
      if (isfinite (y))
        {
          GdkRGBA back;
          int tw, th;
          otter_draw_lookup_color (GTK_WIDGET (self), "view_bg_color", NULL, &back);
          g_snprintf (buf, sizeof buf, "τ = %.3g", self->threshold);
          otter_draw_get_text_size (GTK_WIDGET (self), buf, 0.8, OTTER_DRAW_TEXT_TABULAR, &tw, &th);
          double lx = r->origin.x + r->size.width - 4, ly = y - 3;
          append_rect (snapshot, &back, lx - tw - 3, ly - th - 1, tw + 6, th + 2);
          draw_text (self, snapshot, buf, lx, ly, 1, 1, &tau);
        }
    }

  g_clear_pointer (&self->cache, gsk_render_node_unref);
  self->cache = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  self->cache_width = width;
  self->cache_height = height;
}

static void
snapshot_hover (OtterLossChart *self,
                GtkSnapshot    *snapshot,
                int             width)
{
  const OtterTrainPoint *p = &g_array_index (self->points, OtterTrainPoint, self->hover);
  const graphene_rect_t *r = &self->plot;
  GString *text = g_string_new (NULL);
  GdkRGBA fg, bg, border;
  Scale ls, ds;
  double x = step_to_x (self, p->step);

  compute_loss_scale (self, &ls);
  compute_distance_scale (self, &ds);
  otter_draw_lookup_color (GTK_WIDGET (self), "window_fg_color", NULL, &fg);
  otter_draw_lookup_color (GTK_WIDGET (self), "popover_bg_color", NULL, &bg);
  border = fg, border.alpha = 0.15;

  GdkRGBA line = fg;
  line.alpha = 0.35;
  append_rect (snapshot, &line, round (x), r->origin.y, 1, r->size.height);

  g_string_append_printf (text, _("Step %" G_GINT64_FORMAT " · epoch %d"), p->step, p->epoch);
  for (int k = 0; k < OTTER_LOSS_N_SERIES; k++)
    {
      double v = point_value (p, k);
      GdkRGBA c;
      if (!self->visible[k] || !isfinite (v))
        continue;
      g_string_append_printf (text, "\n%s  %.4f", series_name (k), v);
      double y = scale_map (k == OTTER_LOSS_SERIES_D ? &ds : &ls, v, r->origin.y, r->size.height);
      if (!isfinite (y))
        continue;
      otter_loss_chart_get_series_color (self, k, &c);
      GskRoundedRect dot;
      gsk_rounded_rect_init_from_rect (&dot, &GRAPHENE_RECT_INIT (x - 4, y - 4, 8, 8), 4);
      otter_draw_fill_rounded (snapshot, &dot, &c);
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

static void
otter_loss_chart_snapshot (GtkWidget   *widget,
                           GtkSnapshot *snapshot)
{
  OtterLossChart *self = OTTER_LOSS_CHART (widget);
  int width = gtk_widget_get_width (widget), height = gtk_widget_get_height (widget);

  if (width <= 0 || height <= 0)
    return;
  if (self->cache == NULL || self->cache_width != width || self->cache_height != height)
    build_cache (self, width, height);
  gtk_snapshot_append_node (snapshot, self->cache);
  if (self->hover >= 0 && (guint) self->hover < self->points->len)
    snapshot_hover (self, snapshot, width);
}

static void
otter_loss_chart_measure (GtkWidget      *widget,
                          GtkOrientation  orientation,
                          int             for_size,
                          int            *minimum,
                          int            *natural,
                          int            *minimum_baseline,
                          int            *natural_baseline)
{
  *minimum = orientation == GTK_ORIENTATION_HORIZONTAL ? 240 : 180;
  *natural = orientation == GTK_ORIENTATION_HORIZONTAL ? 560 : 360;
}

static void
otter_loss_chart_css_changed (GtkWidget         *widget,
                              GtkCssStyleChange *change)
{
  GTK_WIDGET_CLASS (otter_loss_chart_parent_class)->css_changed (widget, change);
  invalidate (OTTER_LOSS_CHART (widget));
}

/* ---- hover -------------------------------------------------------------- */

static void
set_hover (OtterLossChart *self,
           int             hover)
{
  if (self->hover == hover)
    return;
  self->hover = hover;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
motion_cb (GtkEventControllerMotion *controller,
           double                    x,
           double                    y,
           OtterLossChart           *self)
{
  guint n = self->points->len;
  if (n == 0 || self->cache == NULL || x < self->plot.origin.x - 8 ||
      x > self->plot.origin.x + self->plot.size.width + 8)
    {
      set_hover (self, -1);
      return;
    }
  double step = self->x_min + (x - self->plot.origin.x) / self->plot.size.width * (self->x_max - self->x_min);
  guint lo = 0, hi = n - 1;
  while (lo < hi)
    {
      guint mid = (lo + hi) / 2;
      if (g_array_index (self->points, OtterTrainPoint, mid).step < step)
        lo = mid + 1;
      else
        hi = mid;
    }
  if (lo > 0 && fabs (g_array_index (self->points, OtterTrainPoint, lo - 1).step - step) <
      fabs (g_array_index (self->points, OtterTrainPoint, lo).step - step))
    lo--;
  set_hover (self, lo);
}

static void
leave_cb (GtkEventControllerMotion *controller,
          OtterLossChart           *self)
{
  set_hover (self, -1);
}

/* ---- accessibility ------------------------------------------------------ */

static void
update_description (OtterLossChart *self)
{
  g_autofree char *text = NULL;
  if (self->points->len == 0)
    text = g_strdup (_("No training steps yet"));
  else
    {
      const OtterTrainPoint *p = &g_array_index (self->points, OtterTrainPoint, self->points->len - 1);
      text = g_strdup_printf (_("%u steps up to epoch %d; last target loss %.3f, threshold %.3f"),
                              self->points->len, p->epoch, p->loss, self->threshold);
    }
  otter_draw_set_description (GTK_WIDGET (self), text);
}

/* ---- GObject ------------------------------------------------------------ */

static void
otter_loss_chart_finalize (GObject *object)
{
  OtterLossChart *self = OTTER_LOSS_CHART (object);
  g_clear_pointer (&self->points, g_array_unref);
  g_clear_pointer (&self->cache, gsk_render_node_unref);
  G_OBJECT_CLASS (otter_loss_chart_parent_class)->finalize (object);
}

static void
otter_loss_chart_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  OtterLossChart *self = OTTER_LOSS_CHART (object);

  switch (prop_id)
    {
    case PROP_N_POINTS: g_value_set_uint (value, self->points->len); break;
    case PROP_THRESHOLD: g_value_set_double (value, self->threshold); break;
    case PROP_LOG_SCALE: g_value_set_boolean (value, self->log_scale); break;
    case PROP_SMOOTHING: g_value_set_double (value, self->smoothing); break;
    case PROP_SHOW_L1:
    case PROP_SHOW_L2:
    case PROP_SHOW_LOSS:
    case PROP_SHOW_D:
      g_value_set_boolean (value, self->visible[prop_id - PROP_SHOW_L1]);
      break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
otter_loss_chart_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  OtterLossChart *self = OTTER_LOSS_CHART (object);

  switch (prop_id)
    {
    case PROP_THRESHOLD: otter_loss_chart_set_threshold (self, g_value_get_double (value)); break;
    case PROP_LOG_SCALE: otter_loss_chart_set_log_scale (self, g_value_get_boolean (value)); break;
    case PROP_SMOOTHING: otter_loss_chart_set_smoothing (self, g_value_get_double (value)); break;
    case PROP_SHOW_L1:
    case PROP_SHOW_L2:
    case PROP_SHOW_LOSS:
    case PROP_SHOW_D:
      otter_loss_chart_set_series_visible (self, prop_id - PROP_SHOW_L1, g_value_get_boolean (value));
      break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
otter_loss_chart_class_init (OtterLossChartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = otter_loss_chart_finalize;
  object_class->get_property = otter_loss_chart_get_property;
  object_class->set_property = otter_loss_chart_set_property;
  widget_class->snapshot = otter_loss_chart_snapshot;
  widget_class->measure = otter_loss_chart_measure;
  widget_class->css_changed = otter_loss_chart_css_changed;

  properties[PROP_N_POINTS] = g_param_spec_uint ("n-points", NULL, NULL, 0, G_MAXUINT, 0,
                                                 G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_THRESHOLD] = g_param_spec_double ("threshold", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0, rw);
  properties[PROP_LOG_SCALE] = g_param_spec_boolean ("log-scale", NULL, NULL, FALSE, rw);
  /* The weight of an exponential moving average over the steps, debiased
   * at the start as TensorBoard does; 0 draws the raw steps only. */
  properties[PROP_SMOOTHING] = g_param_spec_double ("smoothing", NULL, NULL, 0, 0.99, 0, rw);
  properties[PROP_SHOW_L1] = g_param_spec_boolean ("show-l1", NULL, NULL, TRUE, rw);
  properties[PROP_SHOW_L2] = g_param_spec_boolean ("show-l2", NULL, NULL, TRUE, rw);
  properties[PROP_SHOW_LOSS] = g_param_spec_boolean ("show-loss", NULL, NULL, TRUE, rw);
  properties[PROP_SHOW_D] = g_param_spec_boolean ("show-d", NULL, NULL, TRUE, rw);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "losschart");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
otter_loss_chart_init (OtterLossChart *self)
{
  GtkEventController *motion = gtk_event_controller_motion_new ();

  self->points = g_array_new (FALSE, FALSE, sizeof (OtterTrainPoint));
  self->hover = -1;
  for (int k = 0; k < OTTER_LOSS_N_SERIES; k++)
    self->visible[k] = TRUE;

  g_signal_connect (motion, "motion", G_CALLBACK (motion_cb), self);
  g_signal_connect (motion, "leave", G_CALLBACK (leave_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Loss chart"), -1);
  update_description (self);
}

GtkWidget *
otter_loss_chart_new (void)
{
  return g_object_new (OTTER_TYPE_LOSS_CHART, NULL);
}

void
otter_loss_chart_clear (OtterLossChart *self)
{
  g_return_if_fail (OTTER_IS_LOSS_CHART (self));
  if (self->points->len == 0)
    return;
  g_array_set_size (self->points, 0);
  self->hover = -1;
  invalidate (self);
  update_description (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_POINTS]);
}

void
otter_loss_chart_append_points (OtterLossChart        *self,
                                const OtterTrainPoint *points,
                                guint                  n_points)
{
  g_return_if_fail (OTTER_IS_LOSS_CHART (self));
  g_return_if_fail (points != NULL || n_points == 0);
  if (n_points == 0)
    return;
  g_array_append_vals (self->points, points, n_points);
  invalidate (self);
  update_description (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_POINTS]);
}

guint
otter_loss_chart_get_n_points (OtterLossChart *self)
{
  g_return_val_if_fail (OTTER_IS_LOSS_CHART (self), 0);
  return self->points->len;
}

void
otter_loss_chart_set_threshold (OtterLossChart *self,
                                double          threshold)
{
  g_return_if_fail (OTTER_IS_LOSS_CHART (self));
  if (!isfinite (threshold))
    threshold = 0;
  if (self->threshold == threshold)
    return;
  self->threshold = threshold;
  invalidate (self);
  update_description (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_THRESHOLD]);
}

double
otter_loss_chart_get_threshold (OtterLossChart *self)
{
  g_return_val_if_fail (OTTER_IS_LOSS_CHART (self), 0);
  return self->threshold;
}

void
otter_loss_chart_set_log_scale (OtterLossChart *self,
                                gboolean        log_scale)
{
  g_return_if_fail (OTTER_IS_LOSS_CHART (self));
  log_scale = !!log_scale;
  if (self->log_scale == log_scale)
    return;
  self->log_scale = log_scale;
  invalidate (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOG_SCALE]);
}

gboolean
otter_loss_chart_get_log_scale (OtterLossChart *self)
{
  g_return_val_if_fail (OTTER_IS_LOSS_CHART (self), FALSE);
  return self->log_scale;
}

void
otter_loss_chart_set_series_visible (OtterLossChart  *self,
                                     OtterLossSeries  series,
                                     gboolean         visible)
{
  g_return_if_fail (OTTER_IS_LOSS_CHART (self));
  g_return_if_fail (series < OTTER_LOSS_N_SERIES);
  visible = !!visible;
  if (self->visible[series] == visible)
    return;
  self->visible[series] = visible;
  invalidate (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHOW_L1 + series]);
}

gboolean
otter_loss_chart_get_series_visible (OtterLossChart  *self,
                                     OtterLossSeries  series)
{
  g_return_val_if_fail (OTTER_IS_LOSS_CHART (self), FALSE);
  g_return_val_if_fail (series < OTTER_LOSS_N_SERIES, FALSE);
  return self->visible[series];
}

guint
otter_loss_chart_get_n_epoch_means (OtterLossChart *self)
{
  g_return_val_if_fail (OTTER_IS_LOSS_CHART (self), 0);
  return self->n_epoch_means;
}

void
otter_loss_chart_set_smoothing (OtterLossChart *self,
                                double          smoothing)
{
  g_return_if_fail (OTTER_IS_LOSS_CHART (self));
  smoothing = CLAMP (smoothing, 0, 0.99);
  if (self->smoothing == smoothing)
    return;
  self->smoothing = smoothing;
  invalidate (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SMOOTHING]);
}
