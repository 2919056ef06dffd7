/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-image-view.c: an image with labelled boxes and an optional heat-map overlay */

#include "config.h"

#include <math.h>
#include <string.h>

#include "otter-colormap.h"
#include "otter-draw.h"
#include "otter-image-view.h"

/* Small grids and model inputs are replicated to about this many pixels
 * before GTK scales them, so the (linear) scaling keeps cells crisp. */
#define UPSCALE_TARGET 384

typedef struct
{
  double x1, y1, x2, y2;
  int    class_id;
  char  *label;
  double score;
} Box;

struct _OtterImageView
{
  GtkWidget   parent_instance;

  GdkTexture *texture;
  /* the texture's size in image pixels (it may be stored upscaled) */
  int         image_width;
  int         image_height;

  GArray     *boxes;              /* of Box */

  GdkTexture *heatmap;
  int         heatmap_width;
  int         heatmap_height;
  double      heatmap_opacity;

  /* magnification over the fit, and the image point (fractions of its
   * size) asked to be in the middle */
  double      zoom;
  double      center_x;
  double      center_y;
  gboolean    zoomable;
  double      pointer_x;          /* where Ctrl+scroll zooms, -1 outside */
  double      pointer_y;
  double      drag_center_x;      /* the centre a drag or pinch began at */
  double      drag_center_y;
  double      gesture_zoom;
};

enum
{
  PROP_0,
  PROP_ZOOM,
  PROP_CENTER_X,
  PROP_CENTER_Y,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (OtterImageView, otter_image_view, GTK_TYPE_WIDGET)

static void
box_clear (gpointer data)
{
  Box *box = data;
  g_clear_pointer (&box->label, g_free);
}

static int
upscale_factor (int width,
                int height)
{
  int side = MAX (MAX (width, height), 1);
  return CLAMP (UPSCALE_TARGET / side, 1, 64);
}

static gboolean
get_image_size (OtterImageView *self,
                int            *width,
                int            *height)
{
  *width = self->texture != NULL ? self->image_width : self->heatmap_width;
  *height = self->texture != NULL ? self->image_height : self->heatmap_height;
  return *width > 0 && *height > 0;
}

/* The centre coordinate that keeps a drawn extent `drawn` covering a view
 * extent `view`: an image smaller than the view stays centred. */
static double
clamp_center (double center,
              double drawn,
              double view)
{
  if (drawn <= view)
    return 0.5;
  double margin = view / (2 * drawn);
  return CLAMP (center, margin, 1 - margin);
}

/* Where the image lands in the widget: fitted, centred, aspect kept, then
 * magnified about the centre point. Boxes and the texture share it, so
 * they stay aligned at every zoom. */
static gboolean
get_image_rect (OtterImageView  *self,
                graphene_rect_t *rect)
{
  int iw, ih;

  if (!get_image_size (self, &iw, &ih))
    return FALSE;

  double w = gtk_widget_get_width (GTK_WIDGET (self));
  double h = gtk_widget_get_height (GTK_WIDGET (self));
  if (w <= 0 || h <= 0)
    return FALSE;
  double scale = MIN (w / iw, h / ih);
  double dw = iw * scale, dh = ih * scale;
  if (self->zoom <= 1)
    {
      graphene_rect_init (rect, floor ((w - dw) / 2), floor ((h - dh) / 2), dw, dh);
      return TRUE;
    }
  dw *= self->zoom;
  dh *= self->zoom;
  double cx = clamp_center (self->center_x, dw, w), cy = clamp_center (self->center_y, dh, h);
  graphene_rect_init (rect, floor (w / 2 - cx * dw), floor (h / 2 - cy * dh), dw, dh);
  return TRUE;
}

static void
snapshot_label (OtterImageView *self,
                GtkSnapshot    *snapshot,
                const Box      *box,
                double          x,
                double          y,
                const GdkRGBA  *colour,
                double          max_x)
{
  g_autofree char *text = NULL;

  if (box->label != NULL && box->score >= 0)
    text = g_strdup_printf ("%s %.2f", box->label, box->score);
  else if (box->label != NULL)
    text = g_strdup (box->label);
  else if (box->score >= 0)
    text = g_strdup_printf ("%.2f", box->score);
  if (text == NULL)
    return;

  g_autoptr (PangoLayout) layout = otter_draw_create_layout (GTK_WIDGET (self), text, 0.8, OTTER_DRAW_TEXT_BOLD);

  int tw, th;
  pango_layout_get_pixel_size (layout, &tw, &th);
  const double pad = 3;
  double bw = tw + 2 * pad, bh = th;
  /* above the box where there is room, inside it otherwise */
  double ly = y - bh >= 0 ? y - bh : y;
  double lx = MIN (x, max_x - bw);
  lx = MAX (lx, 0);

  gtk_snapshot_append_color (snapshot, colour, &GRAPHENE_RECT_INIT (lx, ly, bw, bh));

  double lum = 0.2126 * colour->red + 0.7152 * colour->green + 0.0722 * colour->blue;
  GdkRGBA ink = lum > 0.55 ? (GdkRGBA) { 0, 0, 0, 0.87 } : (GdkRGBA) { 1, 1, 1, 1 };
  otter_draw_layout_at (snapshot, layout, lx + pad, ly, &ink);
}

static void
otter_image_view_snapshot (GtkWidget   *widget,
                           GtkSnapshot *snapshot)
{
  OtterImageView *self = OTTER_IMAGE_VIEW (widget);
  graphene_rect_t rect;

  if (!get_image_rect (self, &rect))
    return;

  if (self->texture != NULL)
    gtk_snapshot_append_texture (snapshot, self->texture, &rect);

  if (self->heatmap != NULL && self->heatmap_opacity > 0)
    {
      /* alone (no image under it) the heat map is the picture: opaque */
      gtk_snapshot_push_opacity (snapshot, self->texture != NULL ? self->heatmap_opacity : 1.0);
      gtk_snapshot_append_texture (snapshot, self->heatmap, &rect);
      gtk_snapshot_pop (snapshot);
    }

  if (self->texture == NULL || self->boxes->len == 0)
    return;

  double sx = rect.size.width / self->image_width;
  double sy = rect.size.height / self->image_height;
  for (guint i = 0; i < self->boxes->len; i++)
    {
      const Box *box = &g_array_index (self->boxes, Box, i);
      guint8 rgb[3];
      otter_colormap_class_colour (box->class_id, rgb);
      GdkRGBA colour = { rgb[0] / 255.0, rgb[1] / 255.0, rgb[2] / 255.0, 1 };
      double x1 = rect.origin.x + CLAMP (box->x1, 0, self->image_width) * sx;
      double y1 = rect.origin.y + CLAMP (box->y1, 0, self->image_height) * sy;
      double x2 = rect.origin.x + CLAMP (box->x2, 0, self->image_width) * sx;
      double y2 = rect.origin.y + CLAMP (box->y2, 0, self->image_height) * sy;
      if (x2 - x1 < 1 || y2 - y1 < 1)
        continue;

      otter_draw_box_outline (snapshot, &GRAPHENE_RECT_INIT (x1, y1, x2 - x1, y2 - y1), 2, &colour);
      /* a label stays in sight when the box's corner is scrolled away */
      double right = MIN (rect.origin.x + rect.size.width, gtk_widget_get_width (widget));
      snapshot_label (self, snapshot, box, MAX (x1, 0), MAX (y1, 0), &colour, right);
    }
}

static void
otter_image_view_measure (GtkWidget      *widget,
                          GtkOrientation  orientation,
                          int             for_size,
                          int            *minimum,
                          int            *natural,
                          int            *minimum_baseline,
                          int            *natural_baseline)
{
  OtterImageView *self = OTTER_IMAGE_VIEW (widget);
  int w, h;

  get_image_size (self, &w, &h);
  *minimum = 48;
  if (w <= 0 || h <= 0)
    *natural = 160;
  else if (orientation == GTK_ORIENTATION_HORIZONTAL)
    *natural = for_size > 0 ? MAX (48, for_size * w / h) : MAX (160, MIN (w, 320));
  else
    *natural = for_size > 0 ? MAX (48, for_size * h / w) : MAX (160, MIN (h, 320));
}

static GtkSizeRequestMode
otter_image_view_get_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

static void
otter_image_view_dispose (GObject *object)
{
  OtterImageView *self = OTTER_IMAGE_VIEW (object);

  g_clear_object (&self->texture);
  g_clear_object (&self->heatmap);
  G_OBJECT_CLASS (otter_image_view_parent_class)->dispose (object);
}

static void
otter_image_view_finalize (GObject *object)
{
  OtterImageView *self = OTTER_IMAGE_VIEW (object);

  g_clear_pointer (&self->boxes, g_array_unref);
  G_OBJECT_CLASS (otter_image_view_parent_class)->finalize (object);
}

/* ---- zoom and pan ------------------------------------------------------ */

static void
set_center (OtterImageView *self,
            double          x,
            double          y)
{
  x = CLAMP (x, 0, 1);
  y = CLAMP (y, 0, 1);
  g_object_freeze_notify (G_OBJECT (self));
  if (x != self->center_x)
    {
      self->center_x = x;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CENTER_X]);
    }
  if (y != self->center_y)
    {
      self->center_y = y;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CENTER_Y]);
    }
  g_object_thaw_notify (G_OBJECT (self));
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* The centre as drawn: the one asked for, held inside the image's edges. */
static void
get_effective_center (OtterImageView *self,
                      double         *x,
                      double         *y)
{
  graphene_rect_t rect;
  double w = gtk_widget_get_width (GTK_WIDGET (self)), h = gtk_widget_get_height (GTK_WIDGET (self));

  *x = self->center_x;
  *y = self->center_y;
  if (!get_image_rect (self, &rect) || rect.size.width <= 0 || rect.size.height <= 0)
    return;
  *x = (w / 2 - rect.origin.x) / rect.size.width;
  *y = (h / 2 - rect.origin.y) / rect.size.height;
}

/* Moves the image by (dx, dy) widget pixels from the centre (x0, y0). */
static void
pan_from (OtterImageView *self,
          double          x0,
          double          y0,
          double          dx,
          double          dy)
{
  graphene_rect_t rect;

  if (self->zoom <= 1 || !get_image_rect (self, &rect))
    return;
  double w = gtk_widget_get_width (GTK_WIDGET (self)), h = gtk_widget_get_height (GTK_WIDGET (self));
  set_center (self, clamp_center (x0 - dx / rect.size.width, rect.size.width, w),
              clamp_center (y0 - dy / rect.size.height, rect.size.height, h));
}

static void
motion_cb (GtkEventControllerMotion *motion,
           double                    x,
           double                    y,
           OtterImageView           *self)
{
  self->pointer_x = x;
  self->pointer_y = y;
}

static void
leave_cb (GtkEventControllerMotion *motion,
          OtterImageView           *self)
{
  self->pointer_x = self->pointer_y = -1;
}

static gboolean
scroll_cb (GtkEventControllerScroll *scroll,
           double                    dx,
           double                    dy,
           OtterImageView           *self)
{
  GdkModifierType state = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (scroll));
  double w = gtk_widget_get_width (GTK_WIDGET (self)), h = gtk_widget_get_height (GTK_WIDGET (self));

  if (state & GDK_CONTROL_MASK)
    {
      double x = self->pointer_x >= 0 ? self->pointer_x : w / 2;
      double y = self->pointer_y >= 0 ? self->pointer_y : h / 2;
      otter_image_view_zoom_at (self, self->zoom * pow (1.25, -dy), x, y);
      return TRUE;
    }
  /* a plain scroll pans a zoomed image and scrolls the page otherwise */
  if (self->zoom <= 1)
    return FALSE;
  double cx, cy;
  get_effective_center (self, &cx, &cy);
  pan_from (self, cx, cy, -dx * 40, -dy * 40);
  return TRUE;
}

static void
drag_begin_cb (GtkGestureDrag *drag,
               double          x,
               double          y,
               OtterImageView *self)
{
  if (self->zoom <= 1)
    {
      gtk_gesture_set_state (GTK_GESTURE (drag), GTK_EVENT_SEQUENCE_DENIED);
      return;
    }
  get_effective_center (self, &self->drag_center_x, &self->drag_center_y);
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self), "grabbing");
}

static void
drag_update_cb (GtkGestureDrag *drag,
                double          dx,
                double          dy,
                OtterImageView *self)
{
  pan_from (self, self->drag_center_x, self->drag_center_y, dx, dy);
}

static void
drag_end_cb (GtkGestureDrag *drag,
             double          dx,
             double          dy,
             OtterImageView *self)
{
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self), self->zoom > 1 ? "grab" : NULL);
}

static void
pinch_begin_cb (GtkGesture       *gesture,
                GdkEventSequence *sequence,
                OtterImageView   *self)
{
  self->gesture_zoom = self->zoom;
}

static void
pinch_scale_cb (GtkGestureZoom *gesture,
                double          scale,
                OtterImageView *self)
{
  double x, y;

  if (!gtk_gesture_get_bounding_box_center (GTK_GESTURE (gesture), &x, &y))
    {
      x = gtk_widget_get_width (GTK_WIDGET (self)) / 2.0;
      y = gtk_widget_get_height (GTK_WIDGET (self)) / 2.0;
    }
  otter_image_view_zoom_at (self, self->gesture_zoom * scale, x, y);
}

void
otter_image_view_set_zoom (OtterImageView *self,
                           double          zoom)
{
  g_return_if_fail (OTTER_IS_IMAGE_VIEW (self));

  zoom = CLAMP (zoom, 1.0, OTTER_IMAGE_VIEW_MAX_ZOOM);
  if (zoom == self->zoom)
    return;
  /* The centre is left alone (views bound together may get the zoom
   * before the centre); pans store it held inside the edges, so it is
   * what is on show. The whole image starts from its middle again. */
  self->zoom = zoom;
  if (zoom == 1)
    set_center (self, 0.5, 0.5);
  if (self->zoomable)
    gtk_widget_set_cursor_from_name (GTK_WIDGET (self), zoom > 1 ? "grab" : NULL);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ZOOM]);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

double
otter_image_view_get_zoom (OtterImageView *self)
{
  g_return_val_if_fail (OTTER_IS_IMAGE_VIEW (self), 1);
  return self->zoom;
}

void
otter_image_view_set_center (OtterImageView *self,
                             double          x,
                             double          y)
{
  g_return_if_fail (OTTER_IS_IMAGE_VIEW (self));
  set_center (self, x, y);
}

void
otter_image_view_zoom_at (OtterImageView *self,
                          double          zoom,
                          double          x,
                          double          y)
{
  graphene_rect_t rect;

  g_return_if_fail (OTTER_IS_IMAGE_VIEW (self));

  zoom = CLAMP (zoom, 1.0, OTTER_IMAGE_VIEW_MAX_ZOOM);
  if (!get_image_rect (self, &rect) || zoom == self->zoom)
    {
      otter_image_view_set_zoom (self, zoom);
      return;
    }
  /* the image point under (x, y), which the new zoom keeps there */
  double px = (x - rect.origin.x) / rect.size.width, py = (y - rect.origin.y) / rect.size.height;
  double dw = rect.size.width * zoom / self->zoom, dh = rect.size.height * zoom / self->zoom;
  double w = gtk_widget_get_width (GTK_WIDGET (self)), h = gtk_widget_get_height (GTK_WIDGET (self));

  g_object_freeze_notify (G_OBJECT (self));
  otter_image_view_set_zoom (self, zoom);
  set_center (self, clamp_center (px - (x - w / 2) / dw, dw, w), clamp_center (py - (y - h / 2) / dh, dh, h));
  g_object_thaw_notify (G_OBJECT (self));
}

void
otter_image_view_set_zoomable (OtterImageView *self,
                               gboolean        zoomable)
{
  g_return_if_fail (OTTER_IS_IMAGE_VIEW (self));

  zoomable = !!zoomable;
  if (self->zoomable == zoomable)
    return;
  g_return_if_fail (zoomable);           /* the controllers stay once added */
  self->zoomable = TRUE;

  GtkEventController *motion = gtk_event_controller_motion_new ();
  g_signal_connect (motion, "enter", G_CALLBACK (motion_cb), self);
  g_signal_connect (motion, "motion", G_CALLBACK (motion_cb), self);
  g_signal_connect (motion, "leave", G_CALLBACK (leave_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);

  GtkEventController *scroll = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_BOTH_AXES);
  g_signal_connect (scroll, "scroll", G_CALLBACK (scroll_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), scroll);

  GtkGesture *drag = gtk_gesture_drag_new ();
  g_signal_connect (drag, "drag-begin", G_CALLBACK (drag_begin_cb), self);
  g_signal_connect (drag, "drag-update", G_CALLBACK (drag_update_cb), self);
  g_signal_connect (drag, "drag-end", G_CALLBACK (drag_end_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drag));

  GtkGesture *pinch = gtk_gesture_zoom_new ();
  g_signal_connect (pinch, "begin", G_CALLBACK (pinch_begin_cb), self);
  g_signal_connect (pinch, "scale-changed", G_CALLBACK (pinch_scale_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (pinch));
}

gboolean
otter_image_view_get_image_rect (OtterImageView  *self,
                                 graphene_rect_t *rect)
{
  g_return_val_if_fail (OTTER_IS_IMAGE_VIEW (self), FALSE);
  g_return_val_if_fail (rect != NULL, FALSE);
  return get_image_rect (self, rect);
}

void
otter_image_view_get_image_size (OtterImageView *self,
                                 int            *width,
                                 int            *height)
{
  g_return_if_fail (OTTER_IS_IMAGE_VIEW (self));
  get_image_size (self, width, height);
}

static void
otter_image_view_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  OtterImageView *self = OTTER_IMAGE_VIEW (object);

  switch (prop_id)
    {
    case PROP_ZOOM: g_value_set_double (value, self->zoom); break;
    case PROP_CENTER_X: g_value_set_double (value, self->center_x); break;
    case PROP_CENTER_Y: g_value_set_double (value, self->center_y); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
otter_image_view_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  OtterImageView *self = OTTER_IMAGE_VIEW (object);

  switch (prop_id)
    {
    case PROP_ZOOM: otter_image_view_set_zoom (self, g_value_get_double (value)); break;
    case PROP_CENTER_X: set_center (self, g_value_get_double (value), self->center_y); break;
    case PROP_CENTER_Y: set_center (self, self->center_x, g_value_get_double (value)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
otter_image_view_class_init (OtterImageViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = otter_image_view_dispose;
  object_class->finalize = otter_image_view_finalize;
  object_class->get_property = otter_image_view_get_property;
  object_class->set_property = otter_image_view_set_property;
  widget_class->snapshot = otter_image_view_snapshot;
  widget_class->measure = otter_image_view_measure;
  widget_class->get_request_mode = otter_image_view_get_request_mode;

  properties[PROP_ZOOM] =
    g_param_spec_double ("zoom", NULL, NULL, 1.0, OTTER_IMAGE_VIEW_MAX_ZOOM, 1.0,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_CENTER_X] =
    g_param_spec_double ("center-x", NULL, NULL, 0.0, 1.0, 0.5,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_CENTER_Y] =
    g_param_spec_double ("center-y", NULL, NULL, 0.0, 1.0, 0.5,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "otter-image-view");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
otter_image_view_init (OtterImageView *self)
{
  self->boxes = g_array_new (FALSE, TRUE, sizeof (Box));
  g_array_set_clear_func (self->boxes, box_clear);
  self->heatmap_opacity = 0.6;
  self->zoom = 1;
  self->center_x = self->center_y = 0.5;
  self->pointer_x = self->pointer_y = -1;
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);
}

GtkWidget *
otter_image_view_new (void)
{
  return g_object_new (OTTER_TYPE_IMAGE_VIEW, NULL);
}

void
otter_image_view_set_texture (OtterImageView *self,
                              GdkTexture     *texture)
{
  g_return_if_fail (OTTER_IS_IMAGE_VIEW (self));
  g_return_if_fail (texture == NULL || GDK_IS_TEXTURE (texture));

  int old_w = self->image_width, old_h = self->image_height;
  g_set_object (&self->texture, texture);
  self->image_width = texture ? gdk_texture_get_width (texture) : 0;
  self->image_height = texture ? gdk_texture_get_height (texture) : 0;
  if (old_w != self->image_width || old_h != self->image_height)
    gtk_widget_queue_resize (GTK_WIDGET (self));
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

GdkTexture *
otter_image_view_get_texture (OtterImageView *self)
{
  g_return_val_if_fail (OTTER_IS_IMAGE_VIEW (self), NULL);
  return self->texture;
}

void
otter_image_view_set_chw (OtterImageView *self,
                          const float    *chw,
                          int             size)
{
  const int all[4] = { 0, 0, size, size };
  otter_image_view_set_chw_region (self, chw, size, all);
}

void
otter_image_view_set_chw_region (OtterImageView *self,
                                 const float    *chw,
                                 int             size,
                                 const int       rect[4])
{
  g_return_if_fail (OTTER_IS_IMAGE_VIEW (self));

  if (chw == NULL || size <= 0)
    {
      otter_image_view_set_texture (self, NULL);
      return;
    }

  int x0 = CLAMP (rect[0], 0, size - 1), y0 = CLAMP (rect[1], 0, size - 1);
  int w = CLAMP (rect[2], x0 + 1, size) - x0, h = CLAMP (rect[3], y0 + 1, size) - y0;
  int zoom = upscale_factor (w, h);
  int tw = w * zoom, th = h * zoom;
  gsize plane = (gsize) size * size;
  guint8 *pixels = g_malloc ((gsize) tw * th * 4);
  for (int y = 0; y < th; y++)
    for (int x = 0; x < tw; x++)
      {
        gsize src = (gsize) (y0 + y / zoom) * size + (x0 + x / zoom);
        guint8 *p = pixels + ((gsize) y * tw + x) * 4;
        for (int c = 0; c < 3; c++)
          {
            float v = chw[c * plane + src];
            p[c] = (guint8) lrintf (CLAMP (isfinite (v) ? v : 0.f, 0.f, 1.f) * 255.f);
          }
        p[3] = 255;
      }
  g_autoptr (GdkTexture) texture = otter_draw_texture_new_rgba (pixels, tw, th);
  otter_image_view_set_texture (self, texture);
  /* boxes stay in model-input pixels, not in the upscaled ones */
  self->image_width = w;
  self->image_height = h;
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

void
otter_image_view_set_boxes (OtterImageView     *self,
                            const OtterViewBox *boxes,
                            guint               n_boxes)
{
  g_return_if_fail (OTTER_IS_IMAGE_VIEW (self));
  g_return_if_fail (boxes != NULL || n_boxes == 0);

  g_array_set_size (self->boxes, 0);
  for (guint i = 0; i < n_boxes; i++)
    {
      Box box = {
        boxes[i].x1, boxes[i].y1, boxes[i].x2, boxes[i].y2,
        boxes[i].class_id, g_strdup (boxes[i].label), boxes[i].score,
      };
      g_array_append_val (self->boxes, box);
    }
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

guint
otter_image_view_get_n_boxes (OtterImageView *self)
{
  g_return_val_if_fail (OTTER_IS_IMAGE_VIEW (self), 0);
  return self->boxes->len;
}

void
otter_image_view_get_box (OtterImageView *self,
                          guint           i,
                          OtterViewBox   *box)
{
  g_return_if_fail (OTTER_IS_IMAGE_VIEW (self));
  g_return_if_fail (i < self->boxes->len);
  g_return_if_fail (box != NULL);

  const Box *b = &g_array_index (self->boxes, Box, i);
  *box = (OtterViewBox) { b->x1, b->y1, b->x2, b->y2, b->class_id, b->label, b->score };
}

void
otter_image_view_set_heatmap (OtterImageView *self,
                              const float    *values,
                              int             width,
                              int             height)
{
  g_return_if_fail (OTTER_IS_IMAGE_VIEW (self));

  g_clear_object (&self->heatmap);
  if (values == NULL || width <= 0 || height <= 0)
    {
      self->heatmap_width = self->heatmap_height = 0;
      gtk_widget_queue_draw (GTK_WIDGET (self));
      return;
    }

  /* a colour-mapped copy at the grid's resolution, replicated */
  int zoom = upscale_factor (width, height);
  int tw = width * zoom, th = height * zoom;
  guint8 *pixels = g_malloc ((gsize) tw * th * 4);
  for (int gy = 0; gy < height; gy++)
    for (int gx = 0; gx < width; gx++)
      {
        guint8 rgb[3];
        otter_colormap_viridis (values[(gsize) gy * width + gx], rgb);
        for (int y = gy * zoom; y < (gy + 1) * zoom; y++)
          for (int x = gx * zoom; x < (gx + 1) * zoom; x++)
            {
              guint8 *p = pixels + ((gsize) y * tw + x) * 4;
              p[0] = rgb[0];
              p[1] = rgb[1];
              p[2] = rgb[2];
              p[3] = 255;
            }
      }
  self->heatmap = otter_draw_texture_new_rgba (pixels, tw, th);
  gboolean resize = self->texture == NULL && (self->heatmap_width != width || self->heatmap_height != height);
  self->heatmap_width = width;
  self->heatmap_height = height;
  if (resize)
    gtk_widget_queue_resize (GTK_WIDGET (self));
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
otter_image_view_set_heatmap_opacity (OtterImageView *self,
                                      double          opacity)
{
  g_return_if_fail (OTTER_IS_IMAGE_VIEW (self));

  opacity = CLAMP (opacity, 0.0, 1.0);
  if (opacity == self->heatmap_opacity)
    return;
  self->heatmap_opacity = opacity;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}
