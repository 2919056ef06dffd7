/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-confusion-view.c: a confusion matrix as a heat map with counts */

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "otter-confusion-view.h"
#include "otter-draw.h"

#define PAD      12.0
#define MIN_CELL 34.0
#define GAP      2.0

struct _OtterConfusionView
{
  GtkWidget      parent_instance;

  guint          n;            /* n_classes + 1 rows and columns; 0: empty */
  guint         *counts;
  GStrv          rows;         /* the labels: class names, then "background" */
  GStrv          columns;      /* class names, then "missed" */

  GskRenderNode *cache;        /* until the data or the style changes */
};

G_DEFINE_FINAL_TYPE (OtterConfusionView, otter_confusion_view, GTK_TYPE_WIDGET)

typedef struct
{
  double cell;
  double line;
  double left;                 /* where the matrix starts */
  double top;
  double row_label_w;
  double column_label_h;
} Geometry;

static double
widest (OtterConfusionView *self,
        GStrv               labels)
{
  int best = 0;

  for (guint i = 0; labels != NULL && labels[i] != NULL; i++)
    {
      int w;
      otter_draw_get_text_size (GTK_WIDGET (self), labels[i], 0.9, OTTER_DRAW_TEXT_PLAIN, &w, NULL);
      best = MAX (best, w);
    }
  return best;
}

/* Fixed cells, so the matrix reads the same at any window size and grows
 * into a scrolled window for many classes. */
static void
compute_geometry (OtterConfusionView *self,
                  Geometry           *g)
{
  guint most = 0;
  int line, count_w;

  for (guint i = 0; i < self->n * self->n; i++)
    most = MAX (most, self->counts[i]);
  g_autofree char *text = g_strdup_printf ("%u", most);
  otter_draw_get_text_size (GTK_WIDGET (self), text, 0.9, OTTER_DRAW_TEXT_TABULAR, &count_w, &line);
  g->line = line;
  g->cell = MAX (MIN_CELL, count_w + 12);
  g->row_label_w = widest (self, self->rows);
  g->column_label_h = widest (self, self->columns);
  /* the axis titles, then the labels */
  g->left = PAD + line + 8 + g->row_label_w + 8;
  g->top = PAD + line + 8 + g->column_label_h + 8;
}

static guint
row_total (OtterConfusionView *self,
           guint               row)
{
  guint sum = 0;

  for (guint c = 0; c < self->n; c++)
    sum += self->counts[row * self->n + c];
  return sum;
}

static void
build_cache (OtterConfusionView *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  g_autoptr (GtkSnapshot) snapshot = gtk_snapshot_new ();
  GdkRGBA fg, dim, empty, hit, miss, on_color;
  Geometry g;
  double size;

  compute_geometry (self, &g);
  size = self->n * g.cell;
  otter_draw_get_foreground (widget, &fg);
  dim = fg, dim.alpha *= 0.6;
  empty = fg, empty.alpha *= 0.05;
  /* right answers in the accent, confusions in the error colour: the
   * shade is the share of the row, so a rare class reads as clearly as a
   * common one */
  otter_draw_lookup_color (widget, "accent_bg_color", NULL, &hit);
  otter_draw_lookup_color (widget, "error_bg_color", &(GdkRGBA) { 0.75, 0.11, 0.16, 1 }, &miss);
  otter_draw_lookup_color (widget, "accent_fg_color", &(GdkRGBA) { 1, 1, 1, 1 }, &on_color);

  otter_draw_text (widget, snapshot, _("Predicted"), g.left + size / 2, PAD, 0.5, 0, 1,
                   OTTER_DRAW_TEXT_BOLD, &fg);
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (PAD, g.top + size / 2));
  gtk_snapshot_rotate (snapshot, -90);
  otter_draw_text (widget, snapshot, _("True"), 0, 0, 0.5, 0, 1, OTTER_DRAW_TEXT_BOLD, &fg);
  gtk_snapshot_restore (snapshot);

  for (guint c = 0; c < self->n; c++)
    {
      gtk_snapshot_save (snapshot);
      gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (g.left + (c + 0.5) * g.cell, g.top - 8));
      gtk_snapshot_rotate (snapshot, -90);
      otter_draw_text (widget, snapshot, self->columns[c], 0, 0, 0, 0.5, 0.9, OTTER_DRAW_TEXT_PLAIN,
                       c + 1 == self->n ? &dim : &fg);
      gtk_snapshot_restore (snapshot);
    }

  for (guint r = 0; r < self->n; r++)
    {
      guint total = row_total (self, r);
      double y = g.top + r * g.cell;

      otter_draw_text (widget, snapshot, self->rows[r], g.left - 8, y + g.cell / 2, 1, 0.5, 0.9,
                       OTTER_DRAW_TEXT_PLAIN, r + 1 == self->n ? &dim : &fg);
      for (guint c = 0; c < self->n; c++)
        {
          guint count = self->counts[r * self->n + c];
          double share = total > 0 ? (double) count / total : 0;
          graphene_rect_t rect = GRAPHENE_RECT_INIT (g.left + c * g.cell + GAP / 2, y + GAP / 2,
                                                     g.cell - GAP, g.cell - GAP);
          GskRoundedRect shape;
          GdkRGBA fill = r == c ? hit : miss;
          char text[16];

          gsk_rounded_rect_init_from_rect (&shape, &rect, 4);
          if (r + 1 == self->n && c + 1 == self->n)
            continue;            /* background never goes missing */
          if (count == 0)
            {
              otter_draw_fill_rounded (snapshot, &shape, &empty);
              continue;
            }
          fill.alpha = 0.15 + 0.85 * share;
          otter_draw_fill_rounded (snapshot, &shape, &fill);
          g_snprintf (text, sizeof text, "%u", count);
          otter_draw_text (widget, snapshot, text, rect.origin.x + rect.size.width / 2,
                           rect.origin.y + rect.size.height / 2, 0.5, 0.5, 0.9,
                           OTTER_DRAW_TEXT_TABULAR, fill.alpha > 0.55 ? &on_color : &fg);
        }
    }

  g_clear_pointer (&self->cache, gsk_render_node_unref);
  self->cache = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
}

static void
invalidate (OtterConfusionView *self)
{
  g_clear_pointer (&self->cache, gsk_render_node_unref);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
otter_confusion_view_snapshot (GtkWidget   *widget,
                               GtkSnapshot *snapshot)
{
  OtterConfusionView *self = OTTER_CONFUSION_VIEW (widget);

  if (self->n == 0)
    return;
  if (self->cache == NULL)
    build_cache (self);
  if (self->cache != NULL)
    gtk_snapshot_append_node (snapshot, self->cache);
}

static void
otter_confusion_view_measure (GtkWidget      *widget,
                              GtkOrientation  orientation,
                              int             for_size,
                              int            *minimum,
                              int            *natural,
                              int            *minimum_baseline,
                              int            *natural_baseline)
{
  OtterConfusionView *self = OTTER_CONFUSION_VIEW (widget);
  Geometry g;

  if (self->n == 0)
    {
      *minimum = *natural = 0;
      return;
    }
  compute_geometry (self, &g);
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    *minimum = *natural = (int) ceil (g.left + self->n * g.cell + PAD);
  else
    *minimum = *natural = (int) ceil (g.top + self->n * g.cell + PAD);
}

static void
otter_confusion_view_css_changed (GtkWidget         *widget,
                                  GtkCssStyleChange *change)
{
  GTK_WIDGET_CLASS (otter_confusion_view_parent_class)->css_changed (widget, change);
  invalidate (OTTER_CONFUSION_VIEW (widget));
}

static gboolean
query_tooltip_cb (GtkWidget  *widget,
                  int         x,
                  int         y,
                  gboolean    keyboard,
                  GtkTooltip *tooltip,
                  gpointer    user_data)
{
  OtterConfusionView *self = OTTER_CONFUSION_VIEW (widget);
  g_autofree char *text = NULL;
  Geometry g;
  int r, c;

  if (keyboard || self->n == 0)
    return FALSE;
  compute_geometry (self, &g);
  r = (int) floor ((y - g.top) / g.cell);
  c = (int) floor ((x - g.left) / g.cell);
  if (x < g.left || y < g.top || r >= (int) self->n || c >= (int) self->n ||
      ((guint) r + 1 == self->n && (guint) c + 1 == self->n))
    return FALSE;

  guint count = self->counts[r * self->n + c], total = row_total (self, r);
  if ((guint) r + 1 == self->n)
    /* TRANSLATORS: detections of a class where there was no object */
    text = g_strdup_printf (_("%u detections of %s on no object"), count, self->columns[c]);
  else if ((guint) c + 1 == self->n)
    text = g_strdup_printf (_("%u of %u %s missed"), count, total, self->rows[r]);
  else
    text = g_strdup_printf (_("%u of %u %s detected as %s"), count, total, self->rows[r],
                            self->columns[c]);
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

static void
otter_confusion_view_finalize (GObject *object)
{
  OtterConfusionView *self = OTTER_CONFUSION_VIEW (object);

  g_clear_pointer (&self->counts, g_free);
  g_clear_pointer (&self->rows, g_strfreev);
  g_clear_pointer (&self->columns, g_strfreev);
  g_clear_pointer (&self->cache, gsk_render_node_unref);
  G_OBJECT_CLASS (otter_confusion_view_parent_class)->finalize (object);
}

static void
otter_confusion_view_class_init (OtterConfusionViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = otter_confusion_view_finalize;
  widget_class->snapshot = otter_confusion_view_snapshot;
  widget_class->measure = otter_confusion_view_measure;
  widget_class->css_changed = otter_confusion_view_css_changed;
  gtk_widget_class_set_css_name (widget_class, "confusionview");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
otter_confusion_view_init (OtterConfusionView *self)
{
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  g_signal_connect (self, "query-tooltip", G_CALLBACK (query_tooltip_cb), NULL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Confusion matrix"),
                                  -1);
}

GtkWidget *
otter_confusion_view_new (void)
{
  return g_object_new (OTTER_TYPE_CONFUSION_VIEW, NULL);
}

void
otter_confusion_view_set_confusion (OtterConfusionView   *self,
                                    const OtterConfusion *confusion,
                                    const char *const    *class_names)
{
  g_autoptr (GString) description = g_string_new (NULL);
  g_autoptr (GStrvBuilder) rows = g_strv_builder_new ();
  g_autoptr (GStrvBuilder) columns = g_strv_builder_new ();
  guint n_names;

  g_return_if_fail (OTTER_IS_CONFUSION_VIEW (self));

  g_clear_pointer (&self->counts, g_free);
  g_clear_pointer (&self->rows, g_strfreev);
  g_clear_pointer (&self->columns, g_strfreev);
  self->n = 0;
  if (confusion != NULL)
    {
      n_names = class_names != NULL ? g_strv_length ((char **) class_names) : 0;
      self->n = confusion->n_classes + 1;
      self->counts = g_memdup2 (confusion->counts, sizeof (guint) * self->n * self->n);
      for (guint c = 0; c < confusion->n_classes; c++)
        {
          g_autofree char *name = c < n_names ? g_strdup (class_names[c]) : g_strdup_printf ("%u", c);
          g_strv_builder_add (rows, name);
          g_strv_builder_add (columns, name);
        }
      g_strv_builder_add (rows, C_("confusion row", "background"));
      g_strv_builder_add (columns, C_("confusion column", "missed"));
      self->rows = g_strv_builder_end (rows);
      self->columns = g_strv_builder_end (columns);
      for (guint r = 0; r + 1 < self->n; r++)
        {
          if (r > 0)
            g_string_append (description, "; ");
          g_string_append_printf (description, _("%s: %u of %u detected"), self->rows[r],
                                  self->counts[r * self->n + r], row_total (self, r));
        }
    }
  otter_draw_set_description (GTK_WIDGET (self), description->len > 0 ? description->str : _("No results"));
  gtk_widget_queue_resize (GTK_WIDGET (self));
  invalidate (self);
}

void
otter_confusion_view_clear (OtterConfusionView *self)
{
  otter_confusion_view_set_confusion (self, NULL, NULL);
}

guint
otter_confusion_view_get_n_classes (OtterConfusionView *self)
{
  g_return_val_if_fail (OTTER_IS_CONFUSION_VIEW (self), 0);
  return self->n > 0 ? self->n - 1 : 0;
}

guint
otter_confusion_view_get_count (OtterConfusionView *self,
                                guint               row,
                                guint               column)
{
  g_return_val_if_fail (OTTER_IS_CONFUSION_VIEW (self), 0);
  g_return_val_if_fail (row < self->n && column < self->n, 0);
  return self->counts[row * self->n + column];
}
