/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-plan-view.c: a transport plan as a matrix, with a colour bar and a read-out */

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "otter-colormap.h"
#include "otter-draw.h"
#include "otter-plan-view.h"

/* Gutters around the matrix, in pixels: axis titles and ticks left and
 * below, the colour bar and its labels on the right. */
#define GUTTER_LEFT   44
#define GUTTER_BOTTOM 40
#define GUTTER_TOP    8
#define BAR_GAP       16
#define BAR_WIDTH     14
#define BAR_LABELS    64

struct _OtterPlanView
{
  GtkWidget   parent_instance;

  float      *plan;
  float      *cost;
  int         side;
  float       plan_max;
  float       plan_min;         /* smallest mass the log scale shows */
  gboolean    log_scale;
  char       *unit;
  int         grid_width;       /* > 0: indexes are feature-map cells, row-major, this many per row */

  GdkTexture *matrix_texture;   /* cached until the data changes */
  GdkTexture *bar_texture;

  int         hover_i, hover_j;
  int         sel_i, sel_j;
  char       *readout;
};

enum
{
  PROP_0,
  PROP_READOUT,
  N_PROPS
};

enum
{
  PAIR_ACTIVATED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (OtterPlanView, otter_plan_view, GTK_TYPE_WIDGET)

typedef struct
{
  double x, y;      /* top-left of the matrix */
  double m;         /* its side in pixels */
  double cell;
} Layout;

static gboolean
get_layout (OtterPlanView *self,
            double         width,
            double         height,
            Layout        *layout)
{
  if (self->side <= 0)
    return FALSE;
  double m = MIN (width - GUTTER_LEFT - BAR_GAP - BAR_WIDTH - BAR_LABELS,
                  height - GUTTER_TOP - GUTTER_BOTTOM);
  if (m < 16)
    return FALSE;
  /* whole pixels per cell where the cells are big, so the grid is even */
  if (m / self->side >= 4)
    m = floor (m / self->side) * self->side;
  double total = GUTTER_LEFT + m + BAR_GAP + BAR_WIDTH + BAR_LABELS;
  layout->x = floor ((width - total) / 2) + GUTTER_LEFT;
  layout->y = GUTTER_TOP + floor ((height - GUTTER_TOP - GUTTER_BOTTOM - m) / 2);
  layout->m = m;
  layout->cell = m / self->side;
  return TRUE;
}

/* Where a mass falls on the colour map: linear from 0 to the largest, or
 * on the log scale from the smallest shown to the largest. */
static double
colour_position (OtterPlanView *self,
                 float          mass)
{
  if (!(self->plan_max > 0))
    return 0;
  if (!self->log_scale || !(self->plan_min < self->plan_max))
    return mass / self->plan_max;
  if (!(mass > self->plan_min))
    return 0;
  return log (mass / self->plan_min) / log (self->plan_max / self->plan_min);
}

static void
ensure_textures (OtterPlanView *self)
{
  if (self->bar_texture == NULL)
    {
      const int h = 256, w = 4;
      guint8 *pixels = g_malloc (w * h * 4);
      for (int y = 0; y < h; y++)
        {
          guint8 rgb[3];
          otter_colormap_viridis (1.0 - (double) y / (h - 1), rgb);
          for (int x = 0; x < w; x++)
            {
              guint8 *p = pixels + (y * w + x) * 4;
              p[0] = rgb[0], p[1] = rgb[1], p[2] = rgb[2], p[3] = 255;
            }
        }
      self->bar_texture = otter_draw_texture_new_rgba (pixels, w, h);
    }

  if (self->matrix_texture == NULL && self->side > 0)
    {
      /* cells replicated so GTK's linear scaling keeps their edges */
      int n = self->side;
      int zoom = CLAMP (512 / n, 1, 64);
      int t = n * zoom;
      guint8 *pixels = g_malloc ((gsize) t * t * 4);
      for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
          {
            guint8 rgb[3];
            otter_colormap_viridis (colour_position (self, self->plan[i * n + j]), rgb);
            for (int y = i * zoom; y < (i + 1) * zoom; y++)
              for (int x = j * zoom; x < (j + 1) * zoom; x++)
                {
                  guint8 *p = pixels + ((gsize) y * t + x) * 4;
                  p[0] = rgb[0], p[1] = rgb[1], p[2] = rgb[2], p[3] = 255;
                }
          }
      self->matrix_texture = otter_draw_texture_new_rgba (pixels, t, t);
    }
}

static int
tick_every (int n,
            double cell)
{
  static const int steps[] = { 1, 2, 4, 5, 8, 10, 16, 20, 25, 32, 50, 64, 100, 128, 200, 256 };
  for (guint k = 0; k < G_N_ELEMENTS (steps); k++)
    if (steps[k] * cell >= 22)
      return steps[k];
  return MAX (n / 4, 1);
}

static void
outline_cell (GtkSnapshot   *snapshot,
              const Layout  *l,
              int            i,
              int            j,
              const GdkRGBA *colour,
              float          width)
{
  double pad = width;
  GskRoundedRect rect;
  gsk_rounded_rect_init_from_rect (&rect, &GRAPHENE_RECT_INIT (l->x + j * l->cell - pad,
                                                               l->y + i * l->cell - pad,
                                                               l->cell + 2 * pad,
                                                               l->cell + 2 * pad), 1);
  otter_draw_border (snapshot, &rect, width, colour);
}

static void
snapshot_at_size (OtterPlanView *self,
                  GtkSnapshot   *snapshot,
                  double         width,
                  double         height)
{
  GtkWidget *widget = GTK_WIDGET (self);
  GdkRGBA fg, accent, dim;
  Layout l;

  otter_draw_get_foreground (widget, &fg);
  otter_draw_lookup_color (widget, "accent_color", &fg, &accent);
  dim = fg;
  dim.alpha *= 0.65f;

  if (!get_layout (self, width, height, &l))
    return;
  ensure_textures (self);

  gtk_snapshot_append_texture (snapshot, self->matrix_texture,
                               &GRAPHENE_RECT_INIT (l.x, l.y, l.m, l.m));

  /* Ticks: every few indexes; for feature-map cells at the start of a
   * map row, labelled by the row, with faint lines between the rows,
   * since a cell's plain index (say 137) tells a reader nothing. */
  int unit_cells = self->grid_width > 0 ? self->grid_width : 1;
  int every = unit_cells * tick_every (self->side / unit_cells, l.cell * unit_cells);
  if (self->grid_width > 0 && self->grid_width * l.cell >= 4)
    {
      GdkRGBA line = fg;
      line.alpha *= 0.18f;
      for (int k = self->grid_width; k < self->side; k += self->grid_width)
        {
          double at = round (k * l.cell);
          gtk_snapshot_append_color (snapshot, &line, &GRAPHENE_RECT_INIT (l.x, l.y + at, l.m, 1));
          gtk_snapshot_append_color (snapshot, &line, &GRAPHENE_RECT_INIT (l.x + at, l.y, 1, l.m));
        }
    }
  for (int k = 0; k < self->side; k += every)
    {
      char text[16];
      g_snprintf (text, sizeof text, "%d", k / unit_cells);
      /* a row's label sits at its first cell's centre, or the row's middle */
      double c = self->grid_width > 0 ? (k + unit_cells / 2.0) * l.cell : (k + 0.5) * l.cell;
      otter_draw_text (widget, snapshot, text, l.x - 4, l.y + c, 1, 0.5, 0.8, OTTER_DRAW_TEXT_TABULAR, &dim);
      otter_draw_text (widget, snapshot, text, l.x + c, l.y + l.m + 2, 0.5, 0, 0.8, OTTER_DRAW_TEXT_TABULAR, &dim);
    }

  /* axis titles */
  g_autofree char *rows = self->grid_width > 0 ? g_strdup_printf (_("Clean %s, by map row"), self->unit)
                                                : g_strdup_printf (_("Clean %s"), self->unit);
  g_autofree char *cols = self->grid_width > 0 ? g_strdup_printf (_("Perturbed %s, by map row"), self->unit)
                                                : g_strdup_printf (_("Perturbed %s"), self->unit);
  otter_draw_text (widget, snapshot, cols, l.x + l.m / 2, l.y + l.m + 20, 0.5, 0, 0.85, OTTER_DRAW_TEXT_PLAIN, &fg);
  {
    g_autoptr (PangoLayout) layout = otter_draw_create_layout (widget, rows, 0.85, OTTER_DRAW_TEXT_PLAIN);
    int w, h;
    pango_layout_get_pixel_size (layout, &w, &h);
    gtk_snapshot_save (snapshot);
    gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (l.x - GUTTER_LEFT + 2, l.y + l.m / 2 + w / 2.0));
    gtk_snapshot_rotate (snapshot, -90);
    gtk_snapshot_append_layout (snapshot, layout, &fg);
    gtk_snapshot_restore (snapshot);
  }

  /* colour bar with its scale */
  double bx = l.x + l.m + BAR_GAP;
  gtk_snapshot_append_texture (snapshot, self->bar_texture,
                               &GRAPHENE_RECT_INIT (bx, l.y, BAR_WIDTH, l.m));
  char text[32];
  g_snprintf (text, sizeof text, "%.3g", self->plan_max);
  otter_draw_text (widget, snapshot, text, bx + BAR_WIDTH + 4, l.y, 0, 0, 0.75, OTTER_DRAW_TEXT_PLAIN, &dim);
  gboolean log_bar = self->log_scale && self->plan_min < self->plan_max;
  g_snprintf (text, sizeof text, "%.3g", log_bar ? sqrt ((double) self->plan_min * self->plan_max) : self->plan_max / 2);
  otter_draw_text (widget, snapshot, text, bx + BAR_WIDTH + 4, l.y + l.m / 2, 0, 0.5, 0.75,
                   OTTER_DRAW_TEXT_PLAIN, &dim);
  if (log_bar)
    g_snprintf (text, sizeof text, "%.3g", self->plan_min);
  else
    g_strlcpy (text, "0", sizeof text);
  otter_draw_text (widget, snapshot, text, bx + BAR_WIDTH + 4, l.y + l.m, 0, 1, 0.75, OTTER_DRAW_TEXT_PLAIN, &dim);
  /* TRANSLATORS: the colour bar's legend: T_ij is the mass moved from i to j */
  otter_draw_text (widget, snapshot, _("mass T"), bx + BAR_WIDTH + 4, l.y + l.m + 20, 0, 0, 0.85,
                   OTTER_DRAW_TEXT_PLAIN, &fg);

  if (self->sel_i >= 0 && self->sel_j >= 0)
    outline_cell (snapshot, &l, self->sel_i, self->sel_j, &accent, 2);
  if (self->hover_i >= 0 && self->hover_j >= 0)
    outline_cell (snapshot, &l, self->hover_i, self->hover_j, &fg, 1.5);
}

static void
otter_plan_view_snapshot (GtkWidget   *widget,
                          GtkSnapshot *snapshot)
{
  snapshot_at_size (OTTER_PLAN_VIEW (widget), snapshot,
                    gtk_widget_get_width (widget), gtk_widget_get_height (widget));
}

static void
otter_plan_view_measure (GtkWidget      *widget,
                         GtkOrientation  orientation,
                         int             for_size,
                         int            *minimum,
                         int            *natural,
                         int            *minimum_baseline,
                         int            *natural_baseline)
{
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = GUTTER_LEFT + 120 + BAR_GAP + BAR_WIDTH + BAR_LABELS;
      *natural = GUTTER_LEFT + 320 + BAR_GAP + BAR_WIDTH + BAR_LABELS;
    }
  else
    {
      *minimum = GUTTER_TOP + 120 + GUTTER_BOTTOM;
      *natural = GUTTER_TOP + 320 + GUTTER_BOTTOM;
    }
}

/* An index as a reader knows it: an image's number, or a feature-map
 * cell's (row, column). */
static char *
index_name (OtterPlanView *self,
            int            k)
{
  if (self->grid_width > 0)
    return g_strdup_printf ("(%d, %d)", k / self->grid_width, k % self->grid_width);
  return g_strdup_printf ("%d", k);
}

static void
update_readout (OtterPlanView *self)
{
  int i = self->hover_i, j = self->hover_j;
  g_autofree char *text = NULL;

  if (i < 0 || j < 0)
    i = self->sel_i, j = self->sel_j;
  if (self->side > 0 && i >= 0 && j >= 0)
    {
      gsize at = (gsize) i * self->side + j;
      g_autofree char *from = index_name (self, i), *to = index_name (self, j);
      /* TRANSLATORS: a transport-plan cell: "Clean image 2 → perturbed image 5 · cost C 0.412 · mass T 0.0118" */
      text = g_strdup_printf (_("Clean %s %s → perturbed %s %s · cost C %.3f · mass T %.3g"),
                              self->unit, from, self->unit, to, self->cost[at], self->plan[at]);
    }
  if (g_strcmp0 (text, self->readout) != 0)
    {
      g_free (self->readout);
      self->readout = g_steal_pointer (&text);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_READOUT]);
    }
}

static void
set_hover (OtterPlanView *self,
           int            i,
           int            j)
{
  if (i == self->hover_i && j == self->hover_j)
    return;
  self->hover_i = i;
  self->hover_j = j;
  update_readout (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
motion_cb (GtkEventControllerMotion *motion,
           double                    x,
           double                    y,
           OtterPlanView            *self)
{
  int i, j;
  if (otter_plan_view_pick (self, x, y, &i, &j))
    set_hover (self, i, j);
  else
    set_hover (self, -1, -1);
}

static void
leave_cb (GtkEventControllerMotion *motion,
          OtterPlanView            *self)
{
  set_hover (self, -1, -1);
}

static void
activate_pair (OtterPlanView *self,
               int            i,
               int            j)
{
  otter_plan_view_set_selection (self, i, j);
  g_signal_emit (self, signals[PAIR_ACTIVATED], 0, i, j);
}

static void
released_cb (GtkGestureClick *gesture,
             int              n_press,
             double           x,
             double           y,
             OtterPlanView   *self)
{
  int i, j;
  if (otter_plan_view_pick (self, x, y, &i, &j))
    {
      gtk_widget_grab_focus (GTK_WIDGET (self));
      activate_pair (self, i, j);
    }
}

static gboolean
key_pressed_cb (GtkEventControllerKey *key,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                OtterPlanView         *self)
{
  int di = 0, dj = 0;

  switch (keyval)
    {
    case GDK_KEY_Up: case GDK_KEY_KP_Up: di = -1; break;
    case GDK_KEY_Down: case GDK_KEY_KP_Down: di = 1; break;
    case GDK_KEY_Left: case GDK_KEY_KP_Left: dj = -1; break;
    case GDK_KEY_Right: case GDK_KEY_KP_Right: dj = 1; break;
    default: return GDK_EVENT_PROPAGATE;
    }
  if (self->side <= 0)
    return GDK_EVENT_PROPAGATE;
  int i = CLAMP (MAX (self->sel_i, 0) + di, 0, self->side - 1);
  int j = CLAMP (MAX (self->sel_j, 0) + dj, 0, self->side - 1);
  activate_pair (self, i, j);
  return GDK_EVENT_STOP;
}

static gboolean
otter_plan_view_query_tooltip (GtkWidget  *widget,
                               int         x,
                               int         y,
                               gboolean    keyboard,
                               GtkTooltip *tooltip)
{
  OtterPlanView *self = OTTER_PLAN_VIEW (widget);
  int i, j;

  if (keyboard || !otter_plan_view_pick (self, x, y, &i, &j))
    return FALSE;
  gsize at = (gsize) i * self->side + j;
  g_autofree char *from = index_name (self, i), *to = index_name (self, j);
  g_autofree char *text =
    g_strdup_printf (_("<b>(%d, %d)</b>  clean %s %s → perturbed %s %s\nCost C<sub>ij</sub> = %.4f\nMass T<sub>ij</sub> = %.4g (%.0f%% of row %d)"),
                     i, j, self->unit, from, self->unit, to, self->cost[at], self->plan[at],
                     100.0 * self->plan[at] * self->side, i);
  gtk_tooltip_set_markup (tooltip, text);
  return TRUE;
}

static void
otter_plan_view_dispose (GObject *object)
{
  OtterPlanView *self = OTTER_PLAN_VIEW (object);

  g_clear_object (&self->matrix_texture);
  g_clear_object (&self->bar_texture);
  G_OBJECT_CLASS (otter_plan_view_parent_class)->dispose (object);
}

static void
otter_plan_view_finalize (GObject *object)
{
  OtterPlanView *self = OTTER_PLAN_VIEW (object);

  g_free (self->plan);
  g_free (self->cost);
  g_free (self->unit);
  g_free (self->readout);
  G_OBJECT_CLASS (otter_plan_view_parent_class)->finalize (object);
}

static void
otter_plan_view_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  OtterPlanView *self = OTTER_PLAN_VIEW (object);

  switch (prop_id)
    {
    case PROP_READOUT: g_value_set_string (value, self->readout); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
otter_plan_view_class_init (OtterPlanViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = otter_plan_view_dispose;
  object_class->finalize = otter_plan_view_finalize;
  object_class->get_property = otter_plan_view_get_property;
  widget_class->snapshot = otter_plan_view_snapshot;
  widget_class->measure = otter_plan_view_measure;
  widget_class->query_tooltip = otter_plan_view_query_tooltip;

  properties[PROP_READOUT] =
    g_param_spec_string ("readout", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * OtterPlanView::pair-activated:
   * @i: the clean index (row)
   * @j: the perturbed index (column)
   *
   * A cell was clicked, or chosen with the arrow keys.
   */
  signals[PAIR_ACTIVATED] =
    g_signal_new ("pair-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_INT, G_TYPE_INT);

  gtk_widget_class_set_css_name (widget_class, "otter-plan-view");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
otter_plan_view_init (OtterPlanView *self)
{
  self->hover_i = self->hover_j = -1;
  self->sel_i = self->sel_j = -1;
  self->unit = g_strdup (_("image"));

  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);

  GtkEventController *motion = gtk_event_controller_motion_new ();
  g_signal_connect (motion, "motion", G_CALLBACK (motion_cb), self);
  g_signal_connect (motion, "leave", G_CALLBACK (leave_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);

  GtkGesture *click = gtk_gesture_click_new ();
  g_signal_connect (click, "released", G_CALLBACK (released_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));

  GtkEventController *key = gtk_event_controller_key_new ();
  g_signal_connect (key, "key-pressed", G_CALLBACK (key_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), key);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Transport plan"),
                                  -1);
}

GtkWidget *
otter_plan_view_new (void)
{
  return g_object_new (OTTER_TYPE_PLAN_VIEW, NULL);
}

void
otter_plan_view_set_data (OtterPlanView *self,
                          const float   *plan,
                          const float   *cost,
                          int            side,
                          const char    *unit)
{
  g_return_if_fail (OTTER_IS_PLAN_VIEW (self));

  gboolean same_side = side == self->side;
  g_clear_pointer (&self->plan, g_free);
  g_clear_pointer (&self->cost, g_free);
  g_clear_object (&self->matrix_texture);
  self->side = 0;
  self->plan_max = 0;
  if (unit != NULL)
    {
      g_free (self->unit);
      self->unit = g_strdup (unit);
    }

  if (plan != NULL && cost != NULL && side > 0)
    {
      gsize n = (gsize) side * side;
      self->plan = g_memdup2 (plan, n * sizeof (float));
      self->cost = g_memdup2 (cost, n * sizeof (float));
      self->side = side;
      for (gsize k = 0; k < n; k++)
        if (isfinite (plan[k]))
          self->plan_max = MAX (self->plan_max, plan[k]);
      /* The log scale spans the masses present, at most six decades: an
       * entropic plan has no exact zeros, only vanishing masses. */
      self->plan_min = self->plan_max;
      for (gsize k = 0; k < n; k++)
        if (isfinite (plan[k]) && plan[k] > self->plan_max * 1e-6f)
          self->plan_min = MIN (self->plan_min, plan[k]);
    }
  if (!same_side || self->side == 0)
    self->sel_i = self->sel_j = -1;
  self->hover_i = self->hover_j = -1;

  g_autofree char *name = g_strdup_printf (_("Transport plan, %d by %d %ss; rows clean, columns perturbed"),
                                           self->side, self->side, self->unit);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
  update_readout (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

int
otter_plan_view_get_side (OtterPlanView *self)
{
  g_return_val_if_fail (OTTER_IS_PLAN_VIEW (self), 0);
  return self->side;
}

void
otter_plan_view_set_selection (OtterPlanView *self,
                               int            i,
                               int            j)
{
  g_return_if_fail (OTTER_IS_PLAN_VIEW (self));

  if (i < 0 || j < 0 || i >= self->side || j >= self->side)
    i = j = -1;
  if (i == self->sel_i && j == self->sel_j)
    return;
  self->sel_i = i;
  self->sel_j = j;
  update_readout (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

gboolean
otter_plan_view_get_selection (OtterPlanView *self,
                               int           *i,
                               int           *j)
{
  g_return_val_if_fail (OTTER_IS_PLAN_VIEW (self), FALSE);
  if (i != NULL)
    *i = self->sel_i;
  if (j != NULL)
    *j = self->sel_j;
  return self->sel_i >= 0;
}

gboolean
otter_plan_view_pick (OtterPlanView *self,
                      double         x,
                      double         y,
                      int           *i,
                      int           *j)
{
  Layout l;

  g_return_val_if_fail (OTTER_IS_PLAN_VIEW (self), FALSE);
  if (!get_layout (self, gtk_widget_get_width (GTK_WIDGET (self)),
                   gtk_widget_get_height (GTK_WIDGET (self)), &l))
    return FALSE;
  if (x < l.x || y < l.y || x >= l.x + l.m || y >= l.y + l.m)
    return FALSE;
  int ci = MIN ((int) ((y - l.y) / l.cell), self->side - 1);
  int cj = MIN ((int) ((x - l.x) / l.cell), self->side - 1);
  if (i != NULL)
    *i = ci;
  if (j != NULL)
    *j = cj;
  return TRUE;
}

gboolean
otter_plan_view_get_cell_centre (OtterPlanView *self,
                                 int            i,
                                 int            j,
                                 double        *x,
                                 double        *y)
{
  Layout l;

  g_return_val_if_fail (OTTER_IS_PLAN_VIEW (self), FALSE);
  if (i < 0 || j < 0 || i >= self->side || j >= self->side)
    return FALSE;
  if (!get_layout (self, gtk_widget_get_width (GTK_WIDGET (self)),
                   gtk_widget_get_height (GTK_WIDGET (self)), &l))
    return FALSE;
  *x = l.x + (j + 0.5) * l.cell;
  *y = l.y + (i + 0.5) * l.cell;
  return TRUE;
}

const char *
otter_plan_view_get_readout (OtterPlanView *self)
{
  g_return_val_if_fail (OTTER_IS_PLAN_VIEW (self), NULL);
  return self->readout;
}

GdkTexture *
otter_plan_view_render (OtterPlanView *self)
{
  g_return_val_if_fail (OTTER_IS_PLAN_VIEW (self), NULL);

  GtkNative *native = gtk_widget_get_native (GTK_WIDGET (self));
  int width = MAX (gtk_widget_get_width (GTK_WIDGET (self)), 1);
  int height = MAX (gtk_widget_get_height (GTK_WIDGET (self)), 1);
  if (native == NULL || gtk_native_get_renderer (native) == NULL)
    return NULL;

  /* white where the theme has no view colour, as for a printed figure */
  const GdkRGBA white = { 1, 1, 1, 1 };
  GdkRGBA bg;
  otter_draw_lookup_color (GTK_WIDGET (self), "view_bg_color", &white, &bg);

  GtkSnapshot *snapshot = gtk_snapshot_new ();
  gtk_snapshot_append_color (snapshot, &bg, &GRAPHENE_RECT_INIT (0, 0, width, height));
  /* the export shows the data, not the pointer's position */
  int hi = self->hover_i, hj = self->hover_j;
  self->hover_i = self->hover_j = -1;
  snapshot_at_size (self, snapshot, width, height);
  self->hover_i = hi, self->hover_j = hj;
  g_autoptr (GskRenderNode) node = gtk_snapshot_free_to_node (snapshot);
  if (node == NULL)
    return NULL;
  return gsk_renderer_render_texture (gtk_native_get_renderer (native), node,
                                      &GRAPHENE_RECT_INIT (0, 0, width, height));
}

void
otter_plan_view_set_log_scale (OtterPlanView *self,
                               gboolean       log_scale)
{
  g_return_if_fail (OTTER_IS_PLAN_VIEW (self));
  if (self->log_scale == !!log_scale)
    return;
  self->log_scale = !!log_scale;
  g_clear_object (&self->matrix_texture);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
otter_plan_view_set_grid_width (OtterPlanView *self,
                                int            grid_width)
{
  g_return_if_fail (OTTER_IS_PLAN_VIEW (self));
  grid_width = MAX (grid_width, 0);
  if (self->grid_width == grid_width)
    return;
  self->grid_width = grid_width;
  update_readout (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}
