/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-draw-pixbuf.c: detections drawn into pixbufs with cairo */

#include "config.h"

#include "otter-colormap.h"
#include "otter-draw-pixbuf.h"

static double
luminance (const guint8 rgb[3])
{
  return (0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2]) / 255.0;
}

static void
set_source_rgb8 (cairo_t      *cr,
                 const guint8  rgb[3],
                 double        alpha)
{
  cairo_set_source_rgba (cr, rgb[0] / 255.0, rgb[1] / 255.0, rgb[2] / 255.0, alpha);
}

/* ---- cairo bridge ------------------------------------------------------ */

cairo_surface_t *
otter_draw_surface_new_from_pixbuf (GdkPixbuf *pixbuf)
{
  int width = gdk_pixbuf_get_width (pixbuf), height = gdk_pixbuf_get_height (pixbuf);
  int n_channels = gdk_pixbuf_get_n_channels (pixbuf);
  int src_stride = gdk_pixbuf_get_rowstride (pixbuf);
  const guint8 *src = gdk_pixbuf_read_pixels (pixbuf);
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, width, height);
  guint8 *dst = cairo_image_surface_get_data (surface);
  int dst_stride = cairo_image_surface_get_stride (surface);

  cairo_surface_flush (surface);
  for (int y = 0; y < height; y++)
    {
      guint32 *row = (guint32 *) (gpointer) (dst + (gsize) y * dst_stride);
      for (int x = 0; x < width; x++)
        {
          const guint8 *s = src + (gsize) y * src_stride + x * n_channels;
          row[x] = ((guint32) s[0] << 16) | ((guint32) s[1] << 8) | s[2];
        }
    }
  cairo_surface_mark_dirty (surface);
  return surface;
}

void
otter_draw_surface_copy_to_pixbuf (cairo_surface_t *surface,
                                   GdkPixbuf       *pixbuf)
{
  int width = gdk_pixbuf_get_width (pixbuf), height = gdk_pixbuf_get_height (pixbuf);
  int n_channels = gdk_pixbuf_get_n_channels (pixbuf);
  int dst_stride = gdk_pixbuf_get_rowstride (pixbuf);
  guint8 *dst = gdk_pixbuf_get_pixels (pixbuf);
  int src_stride = cairo_image_surface_get_stride (surface);
  const guint8 *src;

  cairo_surface_flush (surface);
  src = cairo_image_surface_get_data (surface);
  for (int y = 0; y < height; y++)
    {
      const guint32 *row = (const guint32 *) (gconstpointer) (src + (gsize) y * src_stride);
      for (int x = 0; x < width; x++)
        {
          guint8 *d = dst + (gsize) y * dst_stride + x * n_channels;
          d[0] = (row[x] >> 16) & 0xff;
          d[1] = (row[x] >> 8) & 0xff;
          d[2] = row[x] & 0xff;
        }
    }
}

/* ---- detections -------------------------------------------------------- */

typedef struct
{
  double x, y, w, h;
} Rect;

static gboolean
rects_overlap (const Rect *a,
               const Rect *b)
{
  return a->x < b->x + b->w && b->x < a->x + a->w && a->y < b->y + b->h && b->y < a->y + a->h;
}

/* The halo goes to the other end of the lightness scale from the colour:
 * a dark colour on a dark background still shows by its light halo, a
 * light one on a light background by its dark halo. */
static void
set_halo_source (cairo_t      *cr,
                 const guint8  colour[3])
{
  if (luminance (colour) > 0.5)
    cairo_set_source_rgba (cr, 0, 0, 0, 0.8);
  else
    cairo_set_source_rgba (cr, 1, 1, 1, 0.8);
}

void
otter_draw_detections (GdkPixbuf                 *pixbuf,
                       const OtterTorchDetection *detections,
                       guint                      n_detections,
                       double                     scale,
                       const char *const         *class_names)
{
  g_return_if_fail (GDK_IS_PIXBUF (pixbuf));
  g_return_if_fail (detections != NULL || n_detections == 0);

  if (n_detections == 0)
    return;

  int width = gdk_pixbuf_get_width (pixbuf), height = gdk_pixbuf_get_height (pixbuf);
  int side = MIN (width, height);
  double line = CLAMP (side / 200.0, 1.5, 6.0);
  double font = CLAMP (side / 32.0, 10.0, 36.0);
  guint n_names = class_names ? g_strv_length ((char **) class_names) : 0;
  g_autofree Rect *boxes = g_new (Rect, n_detections);
  g_autofree Rect *tags = g_new (Rect, n_detections);
  g_autoptr (GPtrArray) labels = g_ptr_array_new_with_free_func (g_free);
  cairo_surface_t *surface = otter_draw_surface_new_from_pixbuf (pixbuf);
  cairo_t *cr = cairo_create (surface);
  cairo_font_extents_t fext;
  double pad = font * 0.25;

  cairo_select_font_face (cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
  cairo_set_font_size (cr, font);
  cairo_font_extents (cr, &fext);

  /* Place the tags best first, so the best detections get the spot right
   * above their box; a tag that would cover an earlier one moves down. */
  for (guint k = 0; k < n_detections; k++)
    {
      const OtterTorchDetection *d = &detections[k];
      double x1 = CLAMP (d->x1 * scale, 0, width), y1 = CLAMP (d->y1 * scale, 0, height);
      double x2 = CLAMP (d->x2 * scale, 0, width), y2 = CLAMP (d->y2 * scale, 0, height);
      char *label;
      cairo_text_extents_t ext;

      boxes[k] = (Rect) { x1, y1, x2 - x1, y2 - y1 };
      if (d->class_id >= 0 && (guint) d->class_id < n_names)
        label = g_strdup_printf ("%s %.2f", class_names[d->class_id], d->score);
      else
        label = g_strdup_printf ("class %d %.2f", d->class_id, d->score);
      g_ptr_array_add (labels, label);

      cairo_text_extents (cr, label, &ext);
      Rect tag = { 0, 0, ext.x_advance + 2 * pad, fext.ascent + fext.descent + 2 * pad };
      tag.x = CLAMP (x1, 0, MAX (width - tag.w, 0));
      /* Above the box when there is room, else just inside its top. */
      tag.y = y1 - tag.h >= 0 ? y1 - tag.h : MIN (y1, MAX (height - tag.h, 0));
      for (int tries = 0; tries < 8; tries++)
        {
          gboolean clash = FALSE;
          for (guint j = 0; j < k && !clash; j++)
            clash = rects_overlap (&tag, &tags[j]);
          if (!clash || tag.y + 2 * tag.h > height)
            break;
          tag.y += tag.h;
        }
      tags[k] = tag;
    }

  /* Boxes, then tags, each from the lowest score up. */
  for (guint k = n_detections; k-- > 0;)
    {
      guint8 colour[3];
      const Rect *r = &boxes[k];

      otter_colormap_class_colour (detections[k].class_id, colour);
      cairo_rectangle (cr, r->x + line / 2, r->y + line / 2, MAX (r->w - line, 0), MAX (r->h - line, 0));
      cairo_set_line_width (cr, line + 2);
      set_halo_source (cr, colour);
      cairo_stroke_preserve (cr);
      cairo_set_line_width (cr, line);
      set_source_rgb8 (cr, colour, 1);
      cairo_stroke (cr);
    }
  for (guint k = n_detections; k-- > 0;)
    {
      guint8 colour[3];
      const Rect *t = &tags[k];

      otter_colormap_class_colour (detections[k].class_id, colour);
      cairo_rectangle (cr, t->x, t->y, t->w, t->h);
      set_source_rgb8 (cr, colour, 1);
      cairo_fill_preserve (cr);
      cairo_set_line_width (cr, 1);
      set_halo_source (cr, colour);
      cairo_stroke (cr);
      /* Text in black or white, whichever contrasts with the tag. */
      if (luminance (colour) > 0.5)
        cairo_set_source_rgb (cr, 0, 0, 0);
      else
        cairo_set_source_rgb (cr, 1, 1, 1);
      cairo_move_to (cr, t->x + pad, t->y + pad + fext.ascent);
      cairo_show_text (cr, labels->pdata[k]);
    }

  cairo_destroy (cr);
  otter_draw_surface_copy_to_pixbuf (surface, pixbuf);
  cairo_surface_destroy (surface);
}

