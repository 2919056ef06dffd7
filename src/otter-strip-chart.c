/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-strip-chart.c: detections per video frame, clean against attacked, over time */

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "otter-chart-axis.h"
#include "otter-draw.h"
#include "otter-strip-chart.h"

#define MARGIN_LEFT   32.0
#define MARGIN_RIGHT  10.0
#define MARGIN_TOP    20.0
#define MARGIN_BOTTOM 18.0
#define SWATCH        10.0
#define TICKS         2

typedef struct
{
  double time;
  int    clean;
  int    attacked;
} Point;

struct _OtterStripChart
{
  GtkWidget  parent_instance;

  GArray    *points;           /* Point, by time */
  double     window;           /* s; ≤ 0: the whole clip */
  double     duration;
  double     newest;           /* the time of the point added last */
};

G_DEFINE_FINAL_TYPE (OtterStripChart, otter_strip_chart, GTK_TYPE_WIDGET)

/* The Okabe–Ito blue and orange the loss chart uses, lighter on dark. */
static void
series_color (GtkWidget *widget,
              guint      series,
              GdkRGBA   *color)
{
  static const char *light[] = { "#0072b2", "#d55e00" };
  static const char *dark[] = { "#56b4e9", "#e69f00" };
  gdk_rgba_parse (color, otter_draw_is_dark (widget) ? dark[series] : light[series]);
}

static void
visible_range (OtterStripChart *self,
               double          *t0,
               double          *t1)
{
  double last = self->points->len > 0 ? self->newest : 0;

  if (self->window > 0)
    {
      /* the newest point, not the latest in time: after a seek back the
       * window follows the frame shown */
      *t1 = MAX (last, self->window);
      *t0 = *t1 - self->window;
    }
  else
    {
      *t0 = 0;
      *t1 = MAX (self->duration, last);
    }
  if (*t1 <= *t0)
    *t1 = *t0 + 1;
}

static void
draw_series (OtterStripChart       *self,
             cairo_t               *cr,
             const graphene_rect_t *plot,
             const OtterChartScale *scale,
             double                 t0,
             double                 t1,
             gboolean               attacked)
{
  gboolean drawing = FALSE;

  for (guint i = 0; i < self->points->len; i++)
    {
      const Point *p = &g_array_index (self->points, Point, i);
      int v = attacked ? p->attacked : p->clean;
      if (p->time < t0 || p->time > t1 || v < 0)
        {
          drawing = FALSE;
          continue;
        }
      double x = plot->origin.x + (p->time - t0) / (t1 - t0) * plot->size.width;
      double y = otter_chart_scale_map (scale, v, plot->origin.y, plot->size.height);
      if (drawing)
        cairo_line_to (cr, x, y);
      else
        cairo_move_to (cr, x, y);
      drawing = TRUE;
    }
  cairo_stroke (cr);

  /* a single frame, or the one just after a gap, still shows as a dot */
  for (guint i = 0; i < self->points->len; i++)
    {
      const Point *p = &g_array_index (self->points, Point, i);
      int v = attacked ? p->attacked : p->clean;
      if (p->time < t0 || p->time > t1 || v < 0)
        continue;
      double x = plot->origin.x + (p->time - t0) / (t1 - t0) * plot->size.width;
      double y = otter_chart_scale_map (scale, v, plot->origin.y, plot->size.height);
      cairo_arc (cr, x, y, 1.5, 0, 2 * G_PI);
      cairo_fill (cr);
    }
}

static void
otter_strip_chart_snapshot (GtkWidget   *widget,
                            GtkSnapshot *snapshot)
{
  OtterStripChart *self = OTTER_STRIP_CHART (widget);
  double width = gtk_widget_get_width (widget);
  double height = gtk_widget_get_height (widget);
  GdkRGBA fg, dim, grid, colors[2];
  graphene_rect_t plot = GRAPHENE_RECT_INIT (MARGIN_LEFT, MARGIN_TOP, width - MARGIN_LEFT - MARGIN_RIGHT,
                                             height - MARGIN_TOP - MARGIN_BOTTOM);

  if (plot.size.width < 10 || plot.size.height < 10)
    return;
  otter_draw_get_foreground (widget, &fg);
  dim = fg;
  dim.alpha *= 0.6;
  grid = fg;
  grid.alpha *= 0.12;
  series_color (widget, 0, &colors[0]);
  series_color (widget, 1, &colors[1]);

  /* legend, top right */
  const char *names[] = { C_("video chart", "Clean"), C_("video chart", "Attacked") };
  double x = width - MARGIN_RIGHT;
  for (int s = 1; s >= 0; s--)
    {
      int w;
      otter_draw_get_text_size (widget, names[s], 0.85, OTTER_DRAW_TEXT_PLAIN, &w, NULL);
      x -= w;
      otter_draw_text (widget, snapshot, names[s], x, MARGIN_TOP / 2, 0, 0.5, 0.85, OTTER_DRAW_TEXT_PLAIN, &fg);
      x -= SWATCH + 4;
      GskRoundedRect swatch;
      gsk_rounded_rect_init_from_rect (&swatch, &GRAPHENE_RECT_INIT (x, MARGIN_TOP / 2 - SWATCH / 2, SWATCH, SWATCH), 2);
      otter_draw_fill_rounded (snapshot, &swatch, &colors[s]);
      x -= 12;
    }
  otter_draw_text (widget, snapshot, C_("video chart", "Detections per frame"), MARGIN_LEFT, MARGIN_TOP / 2,
                   0, 0.5, 0.85, OTTER_DRAW_TEXT_PLAIN, &dim);

  int max = 1;
  for (guint i = 0; i < self->points->len; i++)
    {
      const Point *p = &g_array_index (self->points, Point, i);
      max = MAX (max, MAX (p->clean, p->attacked));
    }
  OtterChartScale scale;
  otter_chart_scale_zero_to (&scale, max, TICKS);
  g_autoptr (GArray) ticks = otter_chart_scale_ticks (&scale, TICKS);
  for (guint t = 0; t < ticks->len; t++)
    {
      double v = g_array_index (ticks, double, t);
      double y = round (otter_chart_scale_map (&scale, v, plot.origin.y, plot.size.height));
      char label[16];
      g_snprintf (label, sizeof label, "%.0f", v);
      gtk_snapshot_append_color (snapshot, v == 0 ? &dim : &grid,
                                 &GRAPHENE_RECT_INIT (plot.origin.x, y, plot.size.width, 1));
      otter_draw_text (widget, snapshot, label, plot.origin.x - 6, y, 1, 0.5, 0.85, OTTER_DRAW_TEXT_TABULAR, &dim);
    }

  double t0, t1;
  visible_range (self, &t0, &t1);
  char label[32];
  g_snprintf (label, sizeof label, "%.1f s", t0);
  otter_draw_text (widget, snapshot, label, plot.origin.x, height - MARGIN_BOTTOM / 2, 0, 0.5, 0.85,
                   OTTER_DRAW_TEXT_TABULAR, &dim);
  g_snprintf (label, sizeof label, "%.1f s", t1);
  otter_draw_text (widget, snapshot, label, plot.origin.x + plot.size.width, height - MARGIN_BOTTOM / 2, 1, 0.5,
                   0.85, OTTER_DRAW_TEXT_TABULAR, &dim);

  cairo_t *cr = gtk_snapshot_append_cairo (snapshot, &plot);
  cairo_set_line_width (cr, 1.5);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  for (int s = 0; s < 2; s++)
    {
      gdk_cairo_set_source_rgba (cr, &colors[s]);
      draw_series (self, cr, &plot, &scale, t0, t1, s == 1);
    }
  cairo_destroy (cr);
}

static void
otter_strip_chart_measure (GtkWidget      *widget,
                           GtkOrientation  orientation,
                           int             for_size,
                           int            *minimum,
                           int            *natural,
                           int            *minimum_baseline,
                           int            *natural_baseline)
{
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    *minimum = 200, *natural = 480;
  else
    *minimum = 72, *natural = 96;
}

static void
otter_strip_chart_finalize (GObject *object)
{
  OtterStripChart *self = OTTER_STRIP_CHART (object);

  g_array_unref (self->points);
  G_OBJECT_CLASS (otter_strip_chart_parent_class)->finalize (object);
}

static void
otter_strip_chart_class_init (OtterStripChartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = otter_strip_chart_finalize;
  widget_class->snapshot = otter_strip_chart_snapshot;
  widget_class->measure = otter_strip_chart_measure;
  gtk_widget_class_set_css_name (widget_class, "stripchart");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
otter_strip_chart_init (OtterStripChart *self)
{
  self->points = g_array_new (FALSE, FALSE, sizeof (Point));
  self->window = 10;
  otter_draw_set_description (GTK_WIDGET (self), _("Detections per frame, clean and attacked"));
}

GtkWidget *
otter_strip_chart_new (void)
{
  return g_object_new (OTTER_TYPE_STRIP_CHART, NULL);
}

void
otter_strip_chart_add (OtterStripChart *self,
                       double           time,
                       int              clean,
                       int              attacked)
{
  g_return_if_fail (OTTER_IS_STRIP_CHART (self));

  Point point = { time, clean, attacked };
  self->newest = time;
  guint at = self->points->len;
  /* frames mostly come in order: search from the end */
  while (at > 0 && g_array_index (self->points, Point, at - 1).time > time)
    at--;
  if (at > 0 && fabs (g_array_index (self->points, Point, at - 1).time - time) < 1e-6)
    g_array_index (self->points, Point, at - 1) = point;
  else
    g_array_insert_val (self->points, at, point);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
otter_strip_chart_clear (OtterStripChart *self)
{
  g_return_if_fail (OTTER_IS_STRIP_CHART (self));

  g_array_set_size (self->points, 0);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
otter_strip_chart_set_window (OtterStripChart *self,
                              double           seconds)
{
  g_return_if_fail (OTTER_IS_STRIP_CHART (self));

  self->window = seconds;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
otter_strip_chart_set_duration (OtterStripChart *self,
                                double           duration)
{
  g_return_if_fail (OTTER_IS_STRIP_CHART (self));

  self->duration = duration;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

guint
otter_strip_chart_get_n_points (OtterStripChart *self)
{
  g_return_val_if_fail (OTTER_IS_STRIP_CHART (self), 0);
  return self->points->len;
}

void
otter_strip_chart_get_point (OtterStripChart *self,
                             guint            i,
                             double          *time,
                             int             *clean,
                             int             *attacked)
{
  g_return_if_fail (OTTER_IS_STRIP_CHART (self));
  g_return_if_fail (i < self->points->len);

  const Point *p = &g_array_index (self->points, Point, i);
  if (time)
    *time = p->time;
  if (clean)
    *clean = p->clean;
  if (attacked)
    *attacked = p->attacked;
}
