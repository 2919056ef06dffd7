/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-image-view.c: an image with labelled boxes and an optional heat-map overlay */

#include "config.h"

#include <math.h>
#include <string.h>

#include "otter-colormap.h"
#include "otter-draw.h"
#include "otter-image-view-private.h"

/* Small grids and model inputs are replicated to about this many pixels
 * before GTK scales them, so the (linear) scaling keeps cells crisp. */
#define UPSCALE_TARGET 384

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

gboolean
otter_image_view_lookup_size (OtterImageView *self,
                              int            *width,
                              int            *height)
{
  *width = self->texture != NULL ? self->image_width : self->heatmap_width;
  *height = self->texture != NULL ? self->image_height : self->heatmap_height;
  return *width > 0 && *height > 0;
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

  if (!otter_image_view_compute_rect (self, &rect))
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

  otter_image_view_lookup_size (self, &w, &h);
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

void
otter_image_view_notify (OtterImageView *self,
                         ImageViewProp   prop)
{
  g_assert (prop > PROP_0 && prop < N_PROPS);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
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
    case PROP_CENTER_X: otter_image_view_store_center (self, g_value_get_double (value), self->center_y); break;
    case PROP_CENTER_Y: otter_image_view_store_center (self, self->center_x, g_value_get_double (value)); break;
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
