/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-color-bar.c: the scale of a colour-mapped picture, with its end labels */

#include "config.h"

#include "otter-color-bar.h"
#include "otter-colormap.h"
#include "otter-draw.h"

#define BAR_HEIGHT 10
#define STEPS      64

struct _OtterColorBar
{
  GtkWidget         parent_instance;
  OtterColorBarKind kind;
  char             *low, *middle, *high;
  char             *text;
};

G_DEFINE_FINAL_TYPE (OtterColorBar, otter_color_bar, GTK_TYPE_WIDGET)

static void
color_at (OtterColorBarKind kind, double t, GdkRGBA *c)
{
  if (kind == OTTER_COLOR_BAR_VIRIDIS)
    {
      guint8 rgb[3];
      otter_colormap_viridis (t, rgb);
      *c = (GdkRGBA) { rgb[0] / 255.f, rgb[1] / 255.f, rgb[2] / 255.f, 1 };
    }
  else
    *c = (GdkRGBA) { t, t, t, 1 };
}

static void
otter_color_bar_measure (GtkWidget *widget, GtkOrientation orientation, int for_size,
                         int *minimum, int *natural, int *minimum_baseline, int *natural_baseline)
{
  int w, h;
  otter_draw_get_text_size (widget, "0.00", 0.8, OTTER_DRAW_TEXT_TABULAR, &w, &h);
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    *minimum = *natural = 120;
  else
    *minimum = *natural = BAR_HEIGHT + 2 + h;
}

static void
otter_color_bar_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  OtterColorBar *self = OTTER_COLOR_BAR (widget);
  int width = gtk_widget_get_width (widget);
  GdkRGBA fg;

  otter_draw_get_foreground (widget, &fg);
  for (int i = 0; i < STEPS; i++)
    {
      GdkRGBA c;
      color_at (self->kind, (i + 0.5) / STEPS, &c);
      double x0 = (double) width * i / STEPS, x1 = (double) width * (i + 1) / STEPS;
      gtk_snapshot_append_color (snapshot, &c, &GRAPHENE_RECT_INIT (x0, 0, x1 - x0 + 0.5, BAR_HEIGHT));
    }
  GdkRGBA edge = fg;
  edge.alpha = 0.3;
  GskRoundedRect frame;
  gsk_rounded_rect_init_from_rect (&frame, &GRAPHENE_RECT_INIT (0, 0, width, BAR_HEIGHT), 0);
  otter_draw_border (snapshot, &frame, 1, &edge);
  if (self->low != NULL)
    otter_draw_text (widget, snapshot, self->low, 0, BAR_HEIGHT + 2, 0, 0, 0.8, OTTER_DRAW_TEXT_TABULAR, &fg);
  if (self->middle != NULL)
    otter_draw_text (widget, snapshot, self->middle, width / 2.0, BAR_HEIGHT + 2, 0.5, 0, 0.8,
                     OTTER_DRAW_TEXT_TABULAR, &fg);
  if (self->high != NULL)
    otter_draw_text (widget, snapshot, self->high, width, BAR_HEIGHT + 2, 1, 0, 0.8, OTTER_DRAW_TEXT_TABULAR, &fg);
}

void
otter_color_bar_set (OtterColorBar     *self,
                     OtterColorBarKind  kind,
                     const char        *low,
                     const char        *middle,
                     const char        *high)
{
  g_return_if_fail (OTTER_IS_COLOR_BAR (self));
  self->kind = kind;
  g_free (self->low);
  g_free (self->middle);
  g_free (self->high);
  g_free (self->text);
  self->low = g_strdup (low);
  self->middle = g_strdup (middle);
  self->high = g_strdup (high);
  self->text = g_strdup_printf ("%s … %s", low ? low : "", high ? high : "");
  otter_draw_set_description (GTK_WIDGET (self), self->text);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

const char *
otter_color_bar_get_text (OtterColorBar *self)
{
  g_return_val_if_fail (OTTER_IS_COLOR_BAR (self), NULL);
  return self->text;
}

static void
otter_color_bar_finalize (GObject *object)
{
  OtterColorBar *self = OTTER_COLOR_BAR (object);
  g_free (self->low);
  g_free (self->middle);
  g_free (self->high);
  g_free (self->text);
  G_OBJECT_CLASS (otter_color_bar_parent_class)->finalize (object);
}

static void
otter_color_bar_class_init (OtterColorBarClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = otter_color_bar_finalize;
  GTK_WIDGET_CLASS (klass)->measure = otter_color_bar_measure;
  GTK_WIDGET_CLASS (klass)->snapshot = otter_color_bar_snapshot;
  gtk_widget_class_set_accessible_role (GTK_WIDGET_CLASS (klass), GTK_ACCESSIBLE_ROLE_IMG);
}

static void
otter_color_bar_init (OtterColorBar *self)
{
  self->kind = OTTER_COLOR_BAR_VIRIDIS;
}

GtkWidget *
otter_color_bar_new (void)
{
  return g_object_new (OTTER_TYPE_COLOR_BAR, NULL);
}
