/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-pr-chart.c: precision–recall curves, one per class */

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "otter-draw.h"
#include "otter-pr-chart.h"

#define PAD        12.0
#define TICKS      4
#define SWATCH_W   18.0
#define LEGEND_GAP 16.0

typedef struct
{
  char   *name;
  char   *label;               /* "name  AP 0.512", as the legend shows it */
  double  ap;
  guint   n_points;
  double *recall;
  double *envelope;            /* the best precision at this recall or beyond */
  double *precision;
} Curve;

struct _OtterPrChart
{
  GtkWidget      parent_instance;

  GArray        *curves;       /* Curve */
  int            hover;        /* legend entry under the pointer, -1: none */

  /* Axes and curves change only with the data, the size or the style. */
  GskRenderNode *cache;
  int            cache_width, cache_height;
};

G_DEFINE_FINAL_TYPE (OtterPrChart, otter_pr_chart, GTK_TYPE_WIDGET)

/* Okabe–Ito hues, told apart with every common colour-vision deficiency;
 * the dark variants are lighter to keep their contrast on a dark
 * background. Past seven classes the hues repeat with another dash. */
static const char *colors_light[] = { "#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#8a7a00" };
static const char *colors_dark[] = { "#56b4e9", "#e69f00", "#3cc8a0", "#dd88bb", "#f0e442", "#ff8f5a", "#9fd4f5" };

typedef struct
{
  graphene_rect_t plot;
  double          line;        /* text height */
  double          legend_x;
  double          legend_w;
} Geometry;

static void
curve_clear (gpointer data)
{
  Curve *c = data;

  g_free (c->name);
  g_free (c->label);
  g_free (c->recall);
  g_free (c->envelope);
  g_free (c->precision);
}

static void
curve_color (OtterPrChart *self,
             guint         k,
             GdkRGBA      *color)
{
  const char **colors = otter_draw_is_dark (GTK_WIDGET (self)) ? colors_dark : colors_light;

  gdk_rgba_parse (color, colors[k % G_N_ELEMENTS (colors_light)]);
}

static void
curve_dash (cairo_t *cr,
            guint    k)
{
  static const double dashed[] = { 6, 3 };
  static const double dotted[] = { 1.5, 3 };

  switch (k / G_N_ELEMENTS (colors_light) % 3)
    {
    case 1: cairo_set_dash (cr, dashed, 2, 0); break;
    case 2: cairo_set_dash (cr, dotted, 2, 0); break;
    default: cairo_set_dash (cr, NULL, 0, 0); break;
    }
}

static double
legend_width (OtterPrChart *self)
{
  int widest = 0;

  for (guint k = 0; k < self->curves->len; k++)
    {
      int w;
      otter_draw_get_text_size (GTK_WIDGET (self), g_array_index (self->curves, Curve, k).label,
                                1, OTTER_DRAW_TEXT_TABULAR, &w, NULL);
      widest = MAX (widest, w);
    }
  return SWATCH_W + 8 + widest;
}

static void
compute_geometry (OtterPrChart *self,
                  double        width,
                  double        height,
                  Geometry     *g)
{
  int tick_w, line;

  otter_draw_get_text_size (GTK_WIDGET (self), "0.00", 0.85, OTTER_DRAW_TEXT_TABULAR, &tick_w, &line);
  g->line = line;
  g->legend_w = legend_width (self);
  /* the y title, turned on its side, then the tick labels */
  g->plot.origin.x = PAD + line + 6 + tick_w + 6;
  g->plot.origin.y = PAD + line / 2.0;
  g->legend_x = width - PAD - g->legend_w;
  g->plot.size.width = MAX (1, g->legend_x - LEGEND_GAP - g->plot.origin.x);
  g->plot.size.height = MAX (1, height - g->plot.origin.y - PAD - 2 * line - 10);
}

static double
to_x (const Geometry *g,
      double          recall)
{
  return g->plot.origin.x + CLAMP (recall, 0, 1) * g->plot.size.width;
}

static double
to_y (const Geometry *g,
      double          precision)
{
  return g->plot.origin.y + (1 - CLAMP (precision, 0, 1)) * g->plot.size.height;
}

/* The envelope as steps (what the AP is the area under) over the raw
 * precision, drawn faint: the saw teeth show where false positives came. */
static void
draw_curve (OtterPrChart   *self,
            cairo_t        *cr,
            const Geometry *g,
            guint           k,
            gboolean        faded)
{
  const Curve *c = &g_array_index (self->curves, Curve, k);
  GdkRGBA color;

  if (c->n_points == 0 || isnan (c->ap))
    return;
  curve_color (self, k, &color);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);

  cairo_set_dash (cr, NULL, 0, 0);
  cairo_set_line_width (cr, 1);
  gdk_cairo_set_source_rgba (cr, &(GdkRGBA) { color.red, color.green, color.blue, faded ? 0.1 : 0.3 });
  cairo_move_to (cr, to_x (g, c->recall[0]), to_y (g, c->precision[0]));
  for (guint i = 1; i < c->n_points; i++)
    cairo_line_to (cr, to_x (g, c->recall[i]), to_y (g, c->precision[i]));
  cairo_stroke (cr);

  curve_dash (cr, k);
  cairo_set_line_width (cr, faded ? 1.5 : 2.25);
  if (faded)
    color.alpha = 0.3;
  gdk_cairo_set_source_rgba (cr, &color);
  cairo_move_to (cr, to_x (g, 0), to_y (g, c->envelope[0]));
  for (guint i = 0; i < c->n_points; i++)
    {
      cairo_line_to (cr, to_x (g, c->recall[i]), to_y (g, c->envelope[i]));
      if (i + 1 < c->n_points)
        cairo_line_to (cr, to_x (g, c->recall[i]), to_y (g, c->envelope[i + 1]));
    }
  cairo_stroke (cr);
}

static void
build_cache (OtterPrChart *self,
             int           width,
             int           height)
{
  GtkWidget *widget = GTK_WIDGET (self);
  g_autoptr (GtkSnapshot) snapshot = gtk_snapshot_new ();
  GdkRGBA fg, dim, grid;
  Geometry g;
  char buf[16];

  otter_draw_get_foreground (widget, &fg);
  dim = fg, dim.alpha *= 0.6;
  grid = fg, grid.alpha *= 0.12;
  compute_geometry (self, width, height, &g);

  for (int t = 0; t <= TICKS; t++)
    {
      double v = (double) t / TICKS;
      double x = round (to_x (&g, v)), y = round (to_y (&g, v));

      g_snprintf (buf, sizeof buf, "%.2f", v);
      gtk_snapshot_append_color (snapshot, t == 0 ? &dim : &grid,
                                 &GRAPHENE_RECT_INIT (g.plot.origin.x, y, g.plot.size.width, 1));
      gtk_snapshot_append_color (snapshot, t == 0 ? &dim : &grid,
                                 &GRAPHENE_RECT_INIT (x, g.plot.origin.y, 1, g.plot.size.height));
      otter_draw_text (widget, snapshot, buf, g.plot.origin.x - 6, y, 1, 0.5, 0.85,
                       OTTER_DRAW_TEXT_TABULAR, &dim);
      otter_draw_text (widget, snapshot, buf, x, g.plot.origin.y + g.plot.size.height + 4,
                       0.5, 0, 0.85, OTTER_DRAW_TEXT_TABULAR, &dim);
    }
  otter_draw_text (widget, snapshot, _("Recall"), g.plot.origin.x + g.plot.size.width / 2,
                   g.plot.origin.y + g.plot.size.height + 6 + g.line, 0.5, 0, 1,
                   OTTER_DRAW_TEXT_PLAIN, &fg);
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (PAD, g.plot.origin.y + g.plot.size.height / 2));
  gtk_snapshot_rotate (snapshot, -90);
  otter_draw_text (widget, snapshot, _("Precision"), 0, 0, 0.5, 0, 1, OTTER_DRAW_TEXT_PLAIN, &fg);
  gtk_snapshot_restore (snapshot);

  /* the curves, the hovered one last so it lies on top */
  cairo_t *cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  for (guint k = 0; k < self->curves->len; k++)
    if ((int) k != self->hover)
      draw_curve (self, cr, &g, k, self->hover >= 0);
  if (self->hover >= 0)
    draw_curve (self, cr, &g, self->hover, FALSE);

  /* the legend: a swatch in the curve's dash, the class and its AP */
  for (guint k = 0; k < self->curves->len; k++)
    {
      const Curve *c = &g_array_index (self->curves, Curve, k);
      double y = g.plot.origin.y + k * (g.line + 4) + g.line / 2;
      GdkRGBA color;

      curve_color (self, k, &color);
      cairo_set_line_width (cr, 2.25);
      curve_dash (cr, k);
      gdk_cairo_set_source_rgba (cr, &color);
      cairo_move_to (cr, g.legend_x, round (y) + 0.5);
      cairo_line_to (cr, g.legend_x + SWATCH_W, round (y) + 0.5);
      cairo_stroke (cr);
      otter_draw_text (widget, snapshot, c->label, g.legend_x + SWATCH_W + 8, y, 0, 0.5, 1,
                       OTTER_DRAW_TEXT_TABULAR,
                       isnan (c->ap) || (self->hover >= 0 && (int) k != self->hover) ? &dim : &fg);
    }
  cairo_destroy (cr);

  g_clear_pointer (&self->cache, gsk_render_node_unref);
  self->cache = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  self->cache_width = width;
  self->cache_height = height;
}

static void
invalidate (OtterPrChart *self)
{
  g_clear_pointer (&self->cache, gsk_render_node_unref);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
otter_pr_chart_snapshot (GtkWidget   *widget,
                         GtkSnapshot *snapshot)
{
  OtterPrChart *self = OTTER_PR_CHART (widget);
  int width = gtk_widget_get_width (widget), height = gtk_widget_get_height (widget);

  if (width <= 0 || height <= 0 || self->curves->len == 0)
    return;
  if (self->cache == NULL || self->cache_width != width || self->cache_height != height)
    build_cache (self, width, height);
  if (self->cache != NULL)
    gtk_snapshot_append_node (snapshot, self->cache);
}

static void
otter_pr_chart_measure (GtkWidget      *widget,
                        GtkOrientation  orientation,
                        int             for_size,
                        int            *minimum,
                        int            *natural,
                        int            *minimum_baseline,
                        int            *natural_baseline)
{
  OtterPrChart *self = OTTER_PR_CHART (widget);
  int line;

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      double legend = legend_width (self);
      *minimum = (int) ceil (200 + legend + LEGEND_GAP + 2 * PAD);
      *natural = (int) ceil (420 + legend + LEGEND_GAP + 2 * PAD);
    }
  else
    {
      /* tall enough for the whole legend, so many classes scroll */
      otter_draw_get_text_size (widget, "0", 1, OTTER_DRAW_TEXT_PLAIN, NULL, &line);
      double legend = self->curves->len * (line + 4.0) + 2 * PAD;
      *minimum = (int) ceil (MAX (220, legend));
      *natural = (int) ceil (MAX (360, legend));
    }
}

static void
otter_pr_chart_css_changed (GtkWidget         *widget,
                            GtkCssStyleChange *change)
{
  GTK_WIDGET_CLASS (otter_pr_chart_parent_class)->css_changed (widget, change);
  invalidate (OTTER_PR_CHART (widget));
}

/* Pointing at a legend entry brings its curve forward. */
static void
motion_cb (GtkEventControllerMotion *motion,
           double                    x,
           double                    y,
           OtterPrChart             *self)
{
  Geometry g;
  int hover = -1;

  compute_geometry (self, gtk_widget_get_width (GTK_WIDGET (self)),
                    gtk_widget_get_height (GTK_WIDGET (self)), &g);
  if (x >= g.legend_x && y >= g.plot.origin.y)
    {
      int k = (int) ((y - g.plot.origin.y) / (g.line + 4));
      if (k < (int) self->curves->len)
        hover = k;
    }
  if (hover != self->hover)
    {
      self->hover = hover;
      invalidate (self);
    }
}

static void
leave_cb (GtkEventControllerMotion *motion,
          OtterPrChart             *self)
{
  if (self->hover >= 0)
    {
      self->hover = -1;
      invalidate (self);
    }
}

static void
otter_pr_chart_finalize (GObject *object)
{
  OtterPrChart *self = OTTER_PR_CHART (object);

  g_clear_pointer (&self->curves, g_array_unref);
  g_clear_pointer (&self->cache, gsk_render_node_unref);
  G_OBJECT_CLASS (otter_pr_chart_parent_class)->finalize (object);
}

static void
otter_pr_chart_class_init (OtterPrChartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = otter_pr_chart_finalize;
  widget_class->snapshot = otter_pr_chart_snapshot;
  widget_class->measure = otter_pr_chart_measure;
  widget_class->css_changed = otter_pr_chart_css_changed;
  gtk_widget_class_set_css_name (widget_class, "prchart");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
otter_pr_chart_init (OtterPrChart *self)
{
  GtkEventController *motion = gtk_event_controller_motion_new ();

  self->curves = g_array_new (FALSE, TRUE, sizeof (Curve));
  g_array_set_clear_func (self->curves, curve_clear);
  self->hover = -1;
  g_signal_connect (motion, "motion", G_CALLBACK (motion_cb), self);
  g_signal_connect (motion, "leave", G_CALLBACK (leave_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Precision–recall curve per class"),
                                  -1);
}

GtkWidget *
otter_pr_chart_new (void)
{
  return g_object_new (OTTER_TYPE_PR_CHART, NULL);
}

void
otter_pr_chart_set_curves (OtterPrChart        *self,
                           const OtterPrCurves *curves,
                           const char *const   *class_names)
{
  g_autoptr (GString) description = g_string_new (NULL);
  guint n_names;

  g_return_if_fail (OTTER_IS_PR_CHART (self));

  g_array_set_size (self->curves, 0);
  self->hover = -1;
  n_names = class_names != NULL ? g_strv_length ((char **) class_names) : 0;
  for (guint k = 0; curves != NULL && k < curves->n_classes; k++)
    {
      const OtterPrCurve *src = &curves->curves[k];
      Curve c = { 0 };

      c.name = k < n_names ? g_strdup (class_names[k]) : g_strdup_printf ("%u", k);
      c.ap = otter_pr_curve_get_ap (src);
      c.n_points = src->n_points;
      c.recall = g_memdup2 (src->recall, sizeof (double) * MAX (src->n_points, 1));
      c.precision = g_memdup2 (src->precision, sizeof (double) * MAX (src->n_points, 1));
      c.envelope = g_new (double, MAX (src->n_points, 1));
      for (guint i = src->n_points; i > 0; i--)
        c.envelope[i - 1] = MAX (src->precision[i - 1], i < src->n_points ? c.envelope[i] : 0);
      if (isnan (c.ap))
        /* TRANSLATORS: a class that has no object among the images evaluated */
        c.label = g_strdup_printf (_("%s  no objects"), c.name);
      else
        c.label = g_strdup_printf (_("%s  AP %.3f"), c.name, c.ap);
      g_string_append_printf (description, "%s%s", k > 0 ? "; " : "", c.label);
      g_array_append_val (self->curves, c);
    }
  otter_draw_set_description (GTK_WIDGET (self), description->len > 0 ? description->str : _("No results"));
  gtk_widget_queue_resize (GTK_WIDGET (self));
  invalidate (self);
}

void
otter_pr_chart_clear (OtterPrChart *self)
{
  otter_pr_chart_set_curves (self, NULL, NULL);
}

guint
otter_pr_chart_get_n_curves (OtterPrChart *self)
{
  g_return_val_if_fail (OTTER_IS_PR_CHART (self), 0);
  return self->curves->len;
}

double
otter_pr_chart_get_ap (OtterPrChart *self,
                       guint         curve)
{
  g_return_val_if_fail (OTTER_IS_PR_CHART (self), NAN);
  g_return_val_if_fail (curve < self->curves->len, NAN);
  return g_array_index (self->curves, Curve, curve).ap;
}

const char *
otter_pr_chart_get_label (OtterPrChart *self,
                          guint         curve)
{
  g_return_val_if_fail (OTTER_IS_PR_CHART (self), NULL);
  g_return_val_if_fail (curve < self->curves->len, NULL);
  return g_array_index (self->curves, Curve, curve).label;
}
