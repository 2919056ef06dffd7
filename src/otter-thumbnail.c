/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-thumbnail.c: a sample's image with its ground-truth boxes, decoded off the main thread */

#include "config.h"

#include <glib/gi18n.h>

#include "otter-colormap.h"
#include "otter-draw.h"
#include "otter-thumbnail-cache.h"
#include "otter-thumbnail.h"

/* The longest side decoded for a detail view. */
#define DETAIL_DECODE_SIZE 2048

struct _OtterThumbnail
{
  GtkWidget              parent_instance;

  OtterSample           *sample;
  int                    size;
  char                 **class_names;

  GdkTexture            *texture;
  int                    full_width, full_height;
  gboolean               sharp;       /* texture is the final one, not a preview */
  gboolean               failed;
  OtterThumbnailRequest *request;
};

enum
{
  PROP_0,
  PROP_SAMPLE,
  PROP_SIZE,
  PROP_LOADED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (OtterThumbnail, otter_thumbnail, GTK_TYPE_WIDGET)

/* The same qualitative palette as OtterImageView and the charts, so a
 * class keeps its colour on every page. */
void
otter_class_color (GtkWidget *widget,
                   int        class_id,
                   GdkRGBA   *color)
{
  guint8 rgb[3];

  otter_colormap_class_colour (class_id, rgb);
  *color = (GdkRGBA) { rgb[0] / 255.f, rgb[1] / 255.f, rgb[2] / 255.f, 1.f };
}

static int
decode_size (OtterThumbnail *self)
{
  int scale = gtk_widget_get_scale_factor (GTK_WIDGET (self));
  return self->size > 0 ? self->size * scale : DETAIL_DECODE_SIZE;
}

static void
cancel_request (OtterThumbnail *self)
{
  if (self->request != NULL)
    otter_thumbnail_request_cancel (g_steal_pointer (&self->request));
}

static void
set_loaded (OtterThumbnail *self,
            GdkTexture     *texture,
            int             full_width,
            int             full_height,
            gboolean        sharp)
{
  gboolean was_loaded = self->texture != NULL;

  g_set_object (&self->texture, texture);
  self->full_width = full_width;
  self->full_height = full_height;
  self->sharp = sharp;
  if (self->size == 0)
    gtk_widget_queue_resize (GTK_WIDGET (self));
  gtk_widget_queue_draw (GTK_WIDGET (self));
  if (was_loaded != (texture != NULL))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADED]);
}

static void
ready_cb (GdkTexture   *texture,
          int           full_width,
          int           full_height,
          const GError *error,
          gpointer      user_data)
{
  OtterThumbnail *self = user_data;

  self->request = NULL;
  if (texture == NULL)
    {
      self->failed = TRUE;
      gtk_widget_set_tooltip_text (GTK_WIDGET (self), error ? error->message : NULL);
      gtk_widget_queue_draw (GTK_WIDGET (self));
      return;
    }
  set_loaded (self, texture, full_width, full_height, TRUE);
}

static void
ensure_loading (OtterThumbnail *self)
{
  OtterThumbnailCache *cache = otter_thumbnail_cache_get_default ();
  int size = decode_size (self);
  int full_width = 0, full_height = 0;
  GdkTexture *texture;

  if (self->sample == NULL || self->sharp || self->failed || self->request != NULL)
    return;

  /* any cached size is a fine preview while a detail view decodes */
  texture = otter_thumbnail_cache_lookup (cache, self->sample, self->size > 0 ? size : 1,
                                          &full_width, &full_height);
  if (texture != NULL)
    {
      set_loaded (self, texture, full_width, full_height, self->size > 0);
      if (self->size > 0)
        return;
    }
  if (!gtk_widget_get_mapped (GTK_WIDGET (self)))
    return;
  self->request = otter_thumbnail_cache_request (cache, self->sample, size, self->size == 0,
                                                 self->size > 0, ready_cb, self);
}

static void
update_accessible (OtterThumbnail *self)
{
  g_autofree char *label = NULL;

  if (self->sample != NULL)
    {
      guint n = otter_sample_get_n_boxes (self->sample);
      label = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s, %u box", "%s, %u boxes", n),
                               otter_sample_get_display_name (self->sample), n);
    }
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  label ? label : _("No image"), -1);
}

static void
otter_thumbnail_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (otter_thumbnail_parent_class)->map (widget);
  ensure_loading (OTTER_THUMBNAIL (widget));
}

static void
otter_thumbnail_unmap (GtkWidget *widget)
{
  cancel_request (OTTER_THUMBNAIL (widget));
  GTK_WIDGET_CLASS (otter_thumbnail_parent_class)->unmap (widget);
}

static void
otter_thumbnail_measure (GtkWidget      *widget,
                         GtkOrientation  orientation,
                         int             for_size,
                         int            *minimum,
                         int            *natural,
                         int            *minimum_baseline,
                         int            *natural_baseline)
{
  OtterThumbnail *self = OTTER_THUMBNAIL (widget);

  if (self->size > 0)
    *minimum = *natural = self->size;
  else
    {
      *minimum = 96;
      *natural = 480;
    }
}

static void
fit_rect (OtterThumbnail  *self,
          int              width,
          int              height,
          graphene_rect_t *rect)
{
  double iw = self->full_width > 0 ? self->full_width : gdk_texture_get_width (self->texture);
  double ih = self->full_height > 0 ? self->full_height : gdk_texture_get_height (self->texture);
  double scale = MIN (width / iw, height / ih);

  /* a detail view never blows a small image up past 4× */
  if (self->size == 0)
    scale = MIN (scale, 4.0);
  graphene_rect_init (rect, (width - iw * scale) / 2, (height - ih * scale) / 2, iw * scale, ih * scale);
}

static void
snapshot_label (OtterThumbnail  *self,
                GtkSnapshot     *snapshot,
                const char      *text,
                const GdkRGBA   *color,
                graphene_rect_t *box,
                graphene_rect_t *image)
{
  PangoLayout *layout = otter_draw_create_layout (GTK_WIDGET (self), text, 1, OTTER_DRAW_TEXT_PLAIN);
  PangoRectangle ink, logical;
  GdkRGBA ink_color;
  double luma = 0.299 * color->red + 0.587 * color->green + 0.114 * color->blue;

  pango_layout_get_pixel_extents (layout, &ink, &logical);
  float w = logical.width + 8, h = logical.height + 2;
  float x = box->origin.x - 1;
  float y = box->origin.y - h;
  if (y < image->origin.y)
    y = box->origin.y;   /* no room above: tuck it inside the box */
  x = MIN (x, image->origin.x + image->size.width - w);

  gdk_rgba_parse (&ink_color, luma > 0.55 ? "rgba(0,0,0,0.87)" : "#ffffff");
  gtk_snapshot_append_color (snapshot, color, &GRAPHENE_RECT_INIT (x, y, w, h));
  otter_draw_layout_at (snapshot, layout, x + 4, y + 1, &ink_color);
  g_object_unref (layout);
}

static void
otter_thumbnail_snapshot (GtkWidget   *widget,
                          GtkSnapshot *snapshot)
{
  OtterThumbnail *self = OTTER_THUMBNAIL (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  float radius = self->size > 0 ? 8 : 0;
  GskRoundedRect frame;
  GdkRGBA fg, shade;

  otter_draw_get_foreground (widget, &fg);

  gsk_rounded_rect_init_from_rect (&frame, &GRAPHENE_RECT_INIT (0, 0, width, height), radius);
  gtk_snapshot_push_rounded_clip (snapshot, &frame);

  if (self->size > 0)
    {
      /* the backdrop doubles as the placeholder while decoding */
      shade = fg;
      shade.alpha = self->texture ? 0.06 : 0.10;
      gtk_snapshot_append_color (snapshot, &shade, &frame.bounds);
    }

  if (self->texture != NULL)
    {
      graphene_rect_t image;
      double scale;

      fit_rect (self, width, height, &image);
      gtk_snapshot_append_texture (snapshot, self->texture, &image);
      scale = image.size.width / (self->full_width > 0 ? self->full_width : gdk_texture_get_width (self->texture));

      float line = self->size > 0 ? 1.5f : 2.0f;
      guint n = self->sample ? otter_sample_get_n_boxes (self->sample) : 0;
      guint n_names = self->class_names ? g_strv_length (self->class_names) : 0;
      for (guint i = 0; i < n; i++)
        {
          const OtterBox *box = otter_sample_get_box (self->sample, i);
          GdkRGBA color, fill;
          graphene_rect_t rect = GRAPHENE_RECT_INIT (image.origin.x + box->x1 * scale,
                                                     image.origin.y + box->y1 * scale,
                                                     (box->x2 - box->x1) * scale,
                                                     (box->y2 - box->y1) * scale);
          otter_class_color (widget, box->class_id, &color);
          fill = color;
          fill.alpha = 0.14;
          gtk_snapshot_append_color (snapshot, &fill, &rect);
          otter_draw_box_outline (snapshot, &rect, line, &color);
          if (self->class_names != NULL && box->class_id >= 0 && (guint) box->class_id < n_names)
            snapshot_label (self, snapshot, self->class_names[box->class_id], &color, &rect, &image);
        }
    }
  else if (self->failed)
    {
      GtkIconTheme *theme = gtk_icon_theme_get_for_display (gtk_widget_get_display (widget));
      g_autoptr (GtkIconPaintable) icon =
        gtk_icon_theme_lookup_icon (theme, "image-missing-symbolic", NULL, 32,
                                    gtk_widget_get_scale_factor (widget), GTK_TEXT_DIR_NONE, 0);
      GdkRGBA dim = fg;
      dim.alpha = 0.5;
      gtk_snapshot_save (snapshot);
      gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT ((width - 32) / 2.f, (height - 32) / 2.f));
      gtk_symbolic_paintable_snapshot_symbolic (GTK_SYMBOLIC_PAINTABLE (icon), snapshot, 32, 32, &dim, 1);
      gtk_snapshot_restore (snapshot);
    }

  gtk_snapshot_pop (snapshot);
}

static void
otter_thumbnail_dispose (GObject *object)
{
  OtterThumbnail *self = OTTER_THUMBNAIL (object);

  cancel_request (self);
  g_clear_object (&self->sample);
  g_clear_object (&self->texture);
  G_OBJECT_CLASS (otter_thumbnail_parent_class)->dispose (object);
}

static void
otter_thumbnail_finalize (GObject *object)
{
  OtterThumbnail *self = OTTER_THUMBNAIL (object);

  g_strfreev (self->class_names);
  G_OBJECT_CLASS (otter_thumbnail_parent_class)->finalize (object);
}

static void
otter_thumbnail_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  OtterThumbnail *self = OTTER_THUMBNAIL (object);

  switch (prop_id)
    {
    case PROP_SAMPLE: g_value_set_object (value, self->sample); break;
    case PROP_SIZE: g_value_set_int (value, self->size); break;
    case PROP_LOADED: g_value_set_boolean (value, self->texture != NULL); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
otter_thumbnail_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  OtterThumbnail *self = OTTER_THUMBNAIL (object);

  switch (prop_id)
    {
    case PROP_SAMPLE: otter_thumbnail_set_sample (self, g_value_get_object (value)); break;
    case PROP_SIZE: otter_thumbnail_set_size (self, g_value_get_int (value)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
otter_thumbnail_class_init (OtterThumbnailClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = otter_thumbnail_dispose;
  object_class->finalize = otter_thumbnail_finalize;
  object_class->get_property = otter_thumbnail_get_property;
  object_class->set_property = otter_thumbnail_set_property;
  widget_class->map = otter_thumbnail_map;
  widget_class->unmap = otter_thumbnail_unmap;
  widget_class->measure = otter_thumbnail_measure;
  widget_class->snapshot = otter_thumbnail_snapshot;

  properties[PROP_SAMPLE] =
    g_param_spec_object ("sample", NULL, NULL, OTTER_TYPE_SAMPLE,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_SIZE] =
    g_param_spec_int ("size", NULL, NULL, 0, 1024, OTTER_THUMBNAIL_DEFAULT_SIZE,
                      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_LOADED] =
    g_param_spec_boolean ("loaded", NULL, NULL, FALSE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "thumbnail");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
otter_thumbnail_init (OtterThumbnail *self)
{
  self->size = OTTER_THUMBNAIL_DEFAULT_SIZE;
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);
  update_accessible (self);
}

GtkWidget *
otter_thumbnail_new (void)
{
  return g_object_new (OTTER_TYPE_THUMBNAIL, NULL);
}

OtterSample *
otter_thumbnail_get_sample (OtterThumbnail *self)
{
  g_return_val_if_fail (OTTER_IS_THUMBNAIL (self), NULL);
  return self->sample;
}

void
otter_thumbnail_set_sample (OtterThumbnail *self,
                            OtterSample    *sample)
{
  g_return_if_fail (OTTER_IS_THUMBNAIL (self));
  g_return_if_fail (sample == NULL || OTTER_IS_SAMPLE (sample));

  if (self->sample == sample)
    return;
  /* a recycled grid item: whatever was on its way is stale now */
  cancel_request (self);
  g_set_object (&self->sample, sample);
  /* Only a failed image has a tooltip. Setting one, even to nothing,
   * makes GTK query the pointer, a round trip to the X server: done for
   * every recycled grid item, it took a third of a fast scroll. */
  if (self->failed)
    gtk_widget_set_tooltip_text (GTK_WIDGET (self), NULL);
  self->failed = FALSE;
  set_loaded (self, NULL, 0, 0, FALSE);
  update_accessible (self);
  ensure_loading (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SAMPLE]);
}

int
otter_thumbnail_get_size (OtterThumbnail *self)
{
  g_return_val_if_fail (OTTER_IS_THUMBNAIL (self), 0);
  return self->size;
}

void
otter_thumbnail_set_size (OtterThumbnail *self,
                          int             size)
{
  g_return_if_fail (OTTER_IS_THUMBNAIL (self));

  if (self->size == size)
    return;
  self->size = size;
  cancel_request (self);
  self->sharp = FALSE;
  gtk_widget_queue_resize (GTK_WIDGET (self));
  ensure_loading (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SIZE]);
}

void
otter_thumbnail_set_class_names (OtterThumbnail    *self,
                                 const char *const *class_names)
{
  g_return_if_fail (OTTER_IS_THUMBNAIL (self));

  g_strfreev (self->class_names);
  self->class_names = g_strdupv ((char **) class_names);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

gboolean
otter_thumbnail_get_loaded (OtterThumbnail *self)
{
  g_return_val_if_fail (OTTER_IS_THUMBNAIL (self), FALSE);
  return self->texture != NULL;
}
