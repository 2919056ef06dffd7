/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-loss-chart.c: the loss curves of a training run, drawn live */

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "otter-draw.h"
#include "otter-loss-chart-private.h"

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

static void
invalidate (OtterLossChart *self)
{
  g_clear_pointer (&self->cache, gsk_render_node_unref);
  gtk_widget_queue_draw (GTK_WIDGET (self));
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
    {
      g_clear_pointer (&self->cache, gsk_render_node_unref);
      self->cache = otter_loss_chart_build_cache (self, width, height);
      self->cache_width = width;
      self->cache_height = height;
    }
  if (self->cache != NULL)
    gtk_snapshot_append_node (snapshot, self->cache);
  if (self->hover >= 0 && (guint) self->hover < self->points->len)
    otter_loss_chart_draw_hover (self, snapshot, width);
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
  /* the nearest step on the epoch axis */
  double epoch = self->x_min + (x - self->plot.origin.x) / self->plot.size.width * (self->x_max - self->x_min);
  guint lo = 0, hi = n - 1;
  while (lo < hi)
    {
      guint mid = (lo + hi) / 2;
      if (self->point_x[mid] < epoch)
        lo = mid + 1;
      else
        hi = mid;
    }
  if (lo > 0 && fabs (self->point_x[lo - 1] - epoch) < fabs (self->point_x[lo] - epoch))
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
      const OtterEpochPoint *e = self->epochs->len > 0
        ? &g_array_index (self->epochs, OtterEpochPoint, self->epochs->len - 1) : NULL;
      if (e != NULL && isfinite (e->val_map50))
        {
          g_autofree char *map = g_strdup_printf (_("; validation mAP@0.5 %.3f after epoch %d"),
                                                  e->val_map50, e->epoch);
          g_autofree char *joined = g_strconcat (text, map, NULL);
          g_free (text);
          text = g_steal_pointer (&joined);
        }
    }
  otter_draw_set_description (GTK_WIDGET (self), text);
}

static void
overlay_free (OtterLossOverlay *overlay)
{
  g_free (overlay->key);
  g_free (overlay->title);
  g_array_unref (overlay->epochs);
  g_free (overlay);
}

/* ---- GObject ------------------------------------------------------------ */

static void
otter_loss_chart_finalize (GObject *object)
{
  OtterLossChart *self = OTTER_LOSS_CHART (object);
  g_clear_pointer (&self->points, g_array_unref);
  g_clear_pointer (&self->epochs, g_array_unref);
  g_clear_pointer (&self->overlays, g_ptr_array_unref);
  g_clear_pointer (&self->point_x, g_free);
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
  self->epochs = g_array_new (FALSE, FALSE, sizeof (OtterEpochPoint));
  self->overlays = g_ptr_array_new_with_free_func ((GDestroyNotify) overlay_free);
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
  if (self->points->len == 0 && self->epochs->len == 0)
    return;
  g_array_set_size (self->points, 0);
  g_array_set_size (self->epochs, 0);
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

void
otter_loss_chart_set_epochs (OtterLossChart        *self,
                             const OtterEpochPoint *epochs,
                             guint                  n_epochs)
{
  g_return_if_fail (OTTER_IS_LOSS_CHART (self));
  g_return_if_fail (epochs != NULL || n_epochs == 0);
  if (n_epochs == self->epochs->len &&
      (n_epochs == 0 || memcmp (epochs, self->epochs->data, n_epochs * sizeof *epochs) == 0))
    return;
  g_array_set_size (self->epochs, 0);
  g_array_append_vals (self->epochs, epochs, n_epochs);
  invalidate (self);
  update_description (self);
}

void
otter_loss_chart_set_steps_per_epoch (OtterLossChart *self,
                                      int             steps_per_epoch)
{
  g_return_if_fail (OTTER_IS_LOSS_CHART (self));
  steps_per_epoch = MAX (steps_per_epoch, 0);
  if (self->steps_per_epoch == steps_per_epoch)
    return;
  self->steps_per_epoch = steps_per_epoch;
  invalidate (self);
}

static int
find_overlay (OtterLossChart *self,
              const char     *key)
{
  for (guint k = 0; k < self->overlays->len; k++)
    if (g_strcmp0 (((OtterLossOverlay *) g_ptr_array_index (self->overlays, k))->key, key) == 0)
      return k;
  return -1;
}

gboolean
otter_loss_chart_add_overlay (OtterLossChart        *self,
                              const char            *key,
                              const char            *title,
                              const OtterEpochPoint *epochs,
                              guint                  n_epochs)
{
  g_return_val_if_fail (OTTER_IS_LOSS_CHART (self), FALSE);
  g_return_val_if_fail (key != NULL && title != NULL, FALSE);
  g_return_val_if_fail (epochs != NULL || n_epochs == 0, FALSE);

  int index = find_overlay (self, key);
  if (index < 0 && self->overlays->len >= OTTER_LOSS_CHART_MAX_OVERLAYS)
    return FALSE;
  OtterLossOverlay *o;
  if (index >= 0)
    o = g_ptr_array_index (self->overlays, index);
  else
    {
      /* the first colour no other overlay has, so a run keeps its colour
       * while others come and go */
      gboolean taken[OTTER_LOSS_CHART_MAX_OVERLAYS] = { FALSE };
      for (guint k = 0; k < self->overlays->len; k++)
        taken[((OtterLossOverlay *) g_ptr_array_index (self->overlays, k))->color_slot] = TRUE;
      o = g_new0 (OtterLossOverlay, 1);
      o->key = g_strdup (key);
      o->epochs = g_array_new (FALSE, FALSE, sizeof (OtterEpochPoint));
      while (taken[o->color_slot])
        o->color_slot++;
      g_ptr_array_add (self->overlays, o);
    }
  g_free (o->title);
  o->title = g_strdup (title);
  g_array_set_size (o->epochs, 0);
  g_array_append_vals (o->epochs, epochs, n_epochs);
  invalidate (self);
  return TRUE;
}

void
otter_loss_chart_remove_overlay (OtterLossChart *self,
                                 const char     *key)
{
  g_return_if_fail (OTTER_IS_LOSS_CHART (self));
  int index = find_overlay (self, key);
  if (index < 0)
    return;
  g_ptr_array_remove_index (self->overlays, index);
  invalidate (self);
}

gboolean
otter_loss_chart_has_overlay (OtterLossChart *self,
                              const char     *key)
{
  g_return_val_if_fail (OTTER_IS_LOSS_CHART (self), FALSE);
  return find_overlay (self, key) >= 0;
}

guint
otter_loss_chart_get_n_overlays (OtterLossChart *self)
{
  g_return_val_if_fail (OTTER_IS_LOSS_CHART (self), 0);
  return self->overlays->len;
}

gboolean
otter_loss_chart_get_overlay_color (OtterLossChart *self,
                                    const char     *key,
                                    GdkRGBA        *color)
{
  g_return_val_if_fail (OTTER_IS_LOSS_CHART (self), FALSE);
  int index = find_overlay (self, key);
  if (index < 0)
    return FALSE;
  otter_loss_chart_overlay_color (self, ((OtterLossOverlay *) g_ptr_array_index (self->overlays, index))->color_slot,
                                  color);
  return TRUE;
}

gboolean
otter_loss_chart_get_map_strip_visible (OtterLossChart *self)
{
  g_return_val_if_fail (OTTER_IS_LOSS_CHART (self), FALSE);
  return self->cache != NULL && self->map_plot.size.height > 0;
}

void
otter_loss_chart_get_loss_range (OtterLossChart *self,
                                 double         *lo,
                                 double         *hi)
{
  g_return_if_fail (OTTER_IS_LOSS_CHART (self));
  gboolean log = self->loss_scale.log;
  if (lo)
    *lo = log ? pow (10, self->loss_scale.lo) : self->loss_scale.lo;
  if (hi)
    *hi = log ? pow (10, self->loss_scale.hi) : self->loss_scale.hi;
}
