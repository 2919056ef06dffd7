/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-image-view-zoom.c: zoom and pan of the image view: where the
 * image lands in the widget, Ctrl+scroll and pinch, dragging */

#include "config.h"

#include <math.h>

#include "otter-image-view-private.h"

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
gboolean
otter_image_view_compute_rect (OtterImageView  *self,
                               graphene_rect_t *rect)
{
  int iw, ih;

  if (!otter_image_view_lookup_size (self, &iw, &ih))
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

void
otter_image_view_store_center (OtterImageView *self,
                               double          x,
                               double          y)
{
  x = CLAMP (x, 0, 1);
  y = CLAMP (y, 0, 1);
  g_object_freeze_notify (G_OBJECT (self));
  if (x != self->center_x)
    {
      self->center_x = x;
      otter_image_view_notify (self, PROP_CENTER_X);
    }
  if (y != self->center_y)
    {
      self->center_y = y;
      otter_image_view_notify (self, PROP_CENTER_Y);
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
  if (!otter_image_view_compute_rect (self, &rect) || rect.size.width <= 0 || rect.size.height <= 0)
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

  if (self->zoom <= 1 || !otter_image_view_compute_rect (self, &rect))
    return;
  double w = gtk_widget_get_width (GTK_WIDGET (self)), h = gtk_widget_get_height (GTK_WIDGET (self));
  otter_image_view_store_center (self, clamp_center (x0 - dx / rect.size.width, rect.size.width, w),
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
    otter_image_view_store_center (self, 0.5, 0.5);
  if (self->zoomable)
    gtk_widget_set_cursor_from_name (GTK_WIDGET (self), zoom > 1 ? "grab" : NULL);
  otter_image_view_notify (self, PROP_ZOOM);
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
  otter_image_view_store_center (self, x, y);
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
  if (!otter_image_view_compute_rect (self, &rect) || zoom == self->zoom)
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
  otter_image_view_store_center (self, clamp_center (px - (x - w / 2) / dw, dw, w), clamp_center (py - (y - h / 2) / dh, dh, h));
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
  return otter_image_view_compute_rect (self, rect);
}

void
otter_image_view_get_image_size (OtterImageView *self,
                                 int            *width,
                                 int            *height)
{
  g_return_if_fail (OTTER_IS_IMAGE_VIEW (self));
  otter_image_view_lookup_size (self, width, height);
}
