/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-bar-chart.c: grouped bar chart (per attack: one bar per series) */

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "otter-bar-chart.h"
#include "otter-draw.h"

#define PAD          12.0
#define SWATCH       10.0
#define LEGEND_GAP   16.0
#define MAX_BAR_W    44.0
#define TICKS        4

struct _OtterBarChart
{
  GtkWidget  parent_instance;

  GStrv      groups;
  GStrv      series;
  double    *values;           /* n_groups × n_series */
  guint      n_groups;
  guint      n_series;

  int        hover_group;      /* -1: none */
  int        hover_series;
};

G_DEFINE_FINAL_TYPE (OtterBarChart, otter_bar_chart, GTK_TYPE_WIDGET)

/* Colour-blind-safe pairs from the GNOME palette (blue, orange, purple,
 * green): a saturated hue for even series and a light one for odd series,
 * so mAP@0.5 and mAP of the same model read as one family. Both shades
 * hold up on dark and light backgrounds. */
static const char *palette[] = {
  "#3584e4", "#99c1f1",
  "#e66100", "#ffbe6f",
  "#9141ac", "#dc8add",
  "#26a269", "#8ff0a4",
};

typedef struct
{
  graphene_rect_t plot;
  double          group_w;
  double          bar_w;
  double          legend_h;
} Geometry;

static void
series_color (guint series, GdkRGBA *color)
{
  gdk_rgba_parse (color, palette[series % G_N_ELEMENTS (palette)]);
}

static double
text_height (OtterBarChart *self)
{
  int h;
  otter_draw_get_text_size (GTK_WIDGET (self), "0", 1, OTTER_DRAW_TEXT_PLAIN, NULL, &h);
  return h;
}

static void
compute_geometry (OtterBarChart *self, double width, double height, Geometry *g)
{
  double line = text_height (self);
  double axis_w = 0;

  for (int t = 0; t <= TICKS; t++)
    {
      g_autofree char *s = g_strdup_printf ("%.2f", (double) t / TICKS);
      int w;
      otter_draw_get_text_size (GTK_WIDGET (self), s, 1, OTTER_DRAW_TEXT_PLAIN, &w, NULL);
      axis_w = MAX (axis_w, w);
    }
  g->legend_h = line + 8;
  g->plot.origin.x = PAD + axis_w + 8;
  g->plot.origin.y = PAD + g->legend_h + line / 2;
  g->plot.size.width = MAX (1, width - g->plot.origin.x - PAD);
  g->plot.size.height = MAX (1, height - g->plot.origin.y - PAD - line - 6);
  g->group_w = self->n_groups > 0 ? g->plot.size.width / self->n_groups : 0;
  g->bar_w = self->n_series > 0 ? MIN (MAX_BAR_W, g->group_w * 0.7 / self->n_series) : 0;
}

static gboolean
bar_rect (OtterBarChart *self, const Geometry *g, guint group, guint series, graphene_rect_t *rect)
{
  double v = self->values[group * self->n_series + series];
  if (!isfinite (v))
    return FALSE;
  v = CLAMP (v, 0.0, 1.0);
  double x0 = g->plot.origin.x + group * g->group_w + (g->group_w - g->bar_w * self->n_series) / 2;
  double h = v * g->plot.size.height;
  graphene_rect_init (rect, x0 + series * g->bar_w + 2, g->plot.origin.y + g->plot.size.height - h,
                      g->bar_w - 4, MAX (h, 2));
  return TRUE;
}

/* Text centred on y; small text is for numbers, so it gets tabular figures. */
static void
append_text (GtkWidget *widget, GtkSnapshot *snapshot, const char *text,
             double x, double y, double xalign, const GdkRGBA *color, gboolean small)
{
  otter_draw_text (widget, snapshot, text, x, y, xalign, 0.5,
                   small ? 0.85 : 1, small ? OTTER_DRAW_TEXT_TABULAR : OTTER_DRAW_TEXT_PLAIN, color);
}

static void
otter_bar_chart_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  OtterBarChart *self = OTTER_BAR_CHART (widget);
  double width = gtk_widget_get_width (widget);
  double height = gtk_widget_get_height (widget);
  GdkRGBA fg, dim, grid;
  Geometry g;

  if (self->n_groups == 0 || self->n_series == 0)
    return;

  otter_draw_get_foreground (widget, &fg);
  dim = fg;
  dim.alpha *= 0.6;
  grid = fg;
  grid.alpha *= 0.12;
  compute_geometry (self, width, height, &g);

  /* legend */
  double x = g.plot.origin.x;
  double ly = PAD + g.legend_h / 2 - 4;
  for (guint s = 0; s < self->n_series; s++)
    {
      GdkRGBA c;
      series_color (s, &c);
      GskRoundedRect swatch;
      gsk_rounded_rect_init_from_rect (&swatch, &GRAPHENE_RECT_INIT (x, ly - SWATCH / 2, SWATCH, SWATCH), 2);
      otter_draw_fill_rounded (snapshot, &swatch, &c);
      int w;
      otter_draw_get_text_size (widget, self->series[s], 1, OTTER_DRAW_TEXT_PLAIN, &w, NULL);
      append_text (widget, snapshot, self->series[s], x + SWATCH + 6, ly, 0, &fg, FALSE);
      x += SWATCH + 6 + w + LEGEND_GAP;
    }

  /* grid and axis labels */
  for (int t = 0; t <= TICKS; t++)
    {
      double y = round (g.plot.origin.y + g.plot.size.height * (1.0 - (double) t / TICKS));
      g_autofree char *s = g_strdup_printf ("%.2f", (double) t / TICKS);
      gtk_snapshot_append_color (snapshot, t == 0 ? &dim : &grid,
                                 &GRAPHENE_RECT_INIT (g.plot.origin.x, y, g.plot.size.width, 1));
      append_text (widget, snapshot, s, g.plot.origin.x - 8, y, 1.0, &dim, TRUE);
    }

  /* bars, rounded at the top */
  for (guint gi = 0; gi < self->n_groups; gi++)
    {
      for (guint s = 0; s < self->n_series; s++)
        {
          graphene_rect_t r;
          GdkRGBA c;
          if (!bar_rect (self, &g, gi, s, &r))
            continue;
          series_color (s, &c);
          /* a faint track to 1.0 keeps the scale readable for weak models */
          GdkRGBA track = c;
          track.alpha = 0.14;
          graphene_rect_t full = GRAPHENE_RECT_INIT (r.origin.x, g.plot.origin.y, r.size.width, g.plot.size.height);
          GskRoundedRect tr;
          gsk_rounded_rect_init_from_rect (&tr, &full, 3);
          otter_draw_fill_rounded (snapshot, &tr, &track);
          gboolean hovered = (int) gi == self->hover_group && (int) s == self->hover_series;
          if (self->hover_group >= 0 && !hovered)
            c.alpha = 0.55;
          GskRoundedRect rr;
          graphene_size_t round_top = GRAPHENE_SIZE_INIT (3, 3), square = GRAPHENE_SIZE_INIT (0, 0);
          gsk_rounded_rect_init (&rr, &r, &round_top, &round_top, &square, &square);
          otter_draw_fill_rounded (snapshot, &rr, &c);
          if (hovered)
            {
              g_autofree char *v = g_strdup_printf ("%.3f", self->values[gi * self->n_series + s]);
              append_text (widget, snapshot, v, r.origin.x + r.size.width / 2, r.origin.y - 9, 0.5, &fg, TRUE);
            }
        }
      append_text (widget, snapshot, self->groups[gi],
                   g.plot.origin.x + (gi + 0.5) * g.group_w,
                   g.plot.origin.y + g.plot.size.height + 6 + text_height (self) / 2, 0.5, &fg, FALSE);
    }
}

static void
otter_bar_chart_measure (GtkWidget      *widget,
                         GtkOrientation  orientation,
                         int             for_size,
                         int            *minimum,
                         int            *natural,
                         int            *minimum_baseline,
                         int            *natural_baseline)
{
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = 240;
      *natural = 480;
    }
  else
    {
      *minimum = 180;
      *natural = 260;
    }
}

static gboolean
hit_test (OtterBarChart *self, double px, double py, guint *group, guint *series)
{
  Geometry g;
  if (self->n_groups == 0 || self->n_series == 0)
    return FALSE;
  compute_geometry (self, gtk_widget_get_width (GTK_WIDGET (self)),
                    gtk_widget_get_height (GTK_WIDGET (self)), &g);
  for (guint gi = 0; gi < self->n_groups; gi++)
    for (guint s = 0; s < self->n_series; s++)
      {
        graphene_rect_t r;
        if (!bar_rect (self, &g, gi, s, &r))
          continue;
        /* the whole column above a bar counts, so short bars are easy to hit */
        if (px >= r.origin.x && px < r.origin.x + r.size.width &&
            py >= g.plot.origin.y && py <= r.origin.y + r.size.height)
          {
            *group = gi;
            *series = s;
            return TRUE;
          }
      }
  return FALSE;
}

static void
set_hover (OtterBarChart *self, int group, int series)
{
  if (self->hover_group == group && self->hover_series == series)
    return;
  self->hover_group = group;
  self->hover_series = series;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
motion_cb (GtkEventControllerMotion *motion, double x, double y, OtterBarChart *self)
{
  guint gi, s;
  if (hit_test (self, x, y, &gi, &s))
    set_hover (self, gi, s);
  else
    set_hover (self, -1, -1);
}

static void
leave_cb (GtkEventControllerMotion *motion, OtterBarChart *self)
{
  set_hover (self, -1, -1);
}

static gboolean
query_tooltip_cb (GtkWidget  *widget,
                  int         x,
                  int         y,
                  gboolean    keyboard,
                  GtkTooltip *tooltip,
                  gpointer    user_data)
{
  OtterBarChart *self = OTTER_BAR_CHART (widget);
  guint gi, s;
  if (keyboard || !hit_test (self, x, y, &gi, &s))
    return FALSE;
  g_autofree char *text = g_strdup_printf ("%s · %s: %.3f", self->groups[gi], self->series[s],
                                           self->values[gi * self->n_series + s]);
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

static void
update_accessible (OtterBarChart *self)
{
  g_autoptr (GString) s = g_string_new (NULL);
  if (self->n_groups == 0)
    g_string_append (s, _("No results"));
  for (guint gi = 0; gi < self->n_groups; gi++)
    {
      if (gi > 0)
        g_string_append (s, "; ");
      g_string_append_printf (s, "%s:", self->groups[gi]);
      for (guint si = 0; si < self->n_series; si++)
        g_string_append_printf (s, " %s %.3f%s", self->series[si],
                                self->values[gi * self->n_series + si],
                                si + 1 < self->n_series ? "," : "");
    }
  otter_draw_set_description (GTK_WIDGET (self), s->str);
}

static void
otter_bar_chart_finalize (GObject *object)
{
  OtterBarChart *self = OTTER_BAR_CHART (object);
  g_clear_pointer (&self->groups, g_strfreev);
  g_clear_pointer (&self->series, g_strfreev);
  g_clear_pointer (&self->values, g_free);
  G_OBJECT_CLASS (otter_bar_chart_parent_class)->finalize (object);
}

static void
otter_bar_chart_class_init (OtterBarChartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = otter_bar_chart_finalize;
  widget_class->snapshot = otter_bar_chart_snapshot;
  widget_class->measure = otter_bar_chart_measure;
  gtk_widget_class_set_css_name (widget_class, "barchart");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
otter_bar_chart_init (OtterBarChart *self)
{
  GtkEventController *motion = gtk_event_controller_motion_new ();

  self->hover_group = self->hover_series = -1;
  g_signal_connect (motion, "motion", G_CALLBACK (motion_cb), self);
  g_signal_connect (motion, "leave", G_CALLBACK (leave_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  g_signal_connect (self, "query-tooltip", G_CALLBACK (query_tooltip_cb), NULL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Mean average precision per attack"),
                                  -1);
  update_accessible (self);
}

GtkWidget *
otter_bar_chart_new (void)
{
  return g_object_new (OTTER_TYPE_BAR_CHART, NULL);
}

void
otter_bar_chart_set_data (OtterBarChart      *self,
                          const char *const  *group_labels,
                          const char *const  *series_labels,
                          const double       *values)
{
  g_return_if_fail (OTTER_IS_BAR_CHART (self));

  g_clear_pointer (&self->groups, g_strfreev);
  g_clear_pointer (&self->series, g_strfreev);
  g_clear_pointer (&self->values, g_free);
  self->n_groups = self->n_series = 0;
  self->hover_group = self->hover_series = -1;
  if (group_labels != NULL && series_labels != NULL && values != NULL)
    {
      self->groups = g_strdupv ((char **) group_labels);
      self->series = g_strdupv ((char **) series_labels);
      self->n_groups = g_strv_length (self->groups);
      self->n_series = g_strv_length (self->series);
      self->values = g_memdup2 (values, sizeof (double) * self->n_groups * self->n_series);
    }
  update_accessible (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
otter_bar_chart_clear (OtterBarChart *self)
{
  otter_bar_chart_set_data (self, NULL, NULL, NULL);
}

guint
otter_bar_chart_get_n_groups (OtterBarChart *self)
{
  g_return_val_if_fail (OTTER_IS_BAR_CHART (self), 0);
  return self->n_groups;
}

guint
otter_bar_chart_get_n_series (OtterBarChart *self)
{
  g_return_val_if_fail (OTTER_IS_BAR_CHART (self), 0);
  return self->n_series;
}

double
otter_bar_chart_get_value (OtterBarChart *self,
                           guint          group,
                           guint          series)
{
  g_return_val_if_fail (OTTER_IS_BAR_CHART (self), NAN);
  if (group >= self->n_groups || series >= self->n_series)
    return NAN;
  return self->values[group * self->n_series + series];
}
