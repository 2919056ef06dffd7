/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-cli-render.c: the PNG figures of otter-cli detect and perturb */

#include "config.h"

#include <cairo.h>
#include <math.h>
#include <string.h>

#include "otter-cli-render.h"
#include "otter-colormap.h"

void
otter_cli_colormap (double  t,
                    guint8  rgb[3])
{
  otter_colormap_viridis (t, rgb);
}

void
otter_cli_class_colour (int     class_id,
                        guint8  rgb[3])
{
  otter_colormap_class_colour (class_id, rgb);
}

static double
luminance (const guint8 rgb[3])
{
  return (0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2]) / 255.0;
}

static guint8
to_byte (float v)
{
  if (!(v > 0))
    return 0;
  if (v >= 1)
    return 255;
  return (guint8) lrintf (v * 255.0f);
}

static GdkPixbuf *
pixbuf_new_rgb (int width,
                int height)
{
  GdkPixbuf *pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, width, height);
  g_assert (pixbuf != NULL);
  return pixbuf;
}

GdkPixbuf *
otter_cli_pixbuf_new_from_chw (const float *chw,
                               int          size,
                               int          zoom)
{
  g_return_val_if_fail (chw != NULL && size > 0 && zoom > 0, NULL);

  GdkPixbuf *pixbuf = pixbuf_new_rgb (size * zoom, size * zoom);
  guint8 *pixels = gdk_pixbuf_get_pixels (pixbuf);
  int stride = gdk_pixbuf_get_rowstride (pixbuf);
  gsize plane = (gsize) size * size;

  for (int y = 0; y < size * zoom; y++)
    for (int x = 0; x < size * zoom; x++)
      {
        gsize i = (gsize) (y / zoom) * size + x / zoom;
        guint8 *p = pixels + (gsize) y * stride + x * 3;
        for (int c = 0; c < 3; c++)
          p[c] = to_byte (chw[c * plane + i]);
      }
  return pixbuf;
}

GdkPixbuf *
otter_cli_pixbuf_new_from_image (const OtterImage *image)
{
  g_return_val_if_fail (image != NULL && image->width > 0 && image->height > 0, NULL);

  GdkPixbuf *pixbuf = pixbuf_new_rgb (image->width, image->height);
  guint8 *pixels = gdk_pixbuf_get_pixels (pixbuf);
  int stride = gdk_pixbuf_get_rowstride (pixbuf);
  for (int y = 0; y < image->height; y++)
    memcpy (pixels + (gsize) y * stride, image->pixels + (gsize) y * image->width * 3,
            (gsize) image->width * 3);
  return pixbuf;
}

GdkPixbuf *
otter_cli_heatmap_new (const float *values,
                       int          width,
                       int          height,
                       float        vmax,
                       int          zoom)
{
  g_return_val_if_fail (values != NULL && width > 0 && height > 0 && zoom > 0, NULL);

  if (!(vmax > 0))
    vmax = 1;
  GdkPixbuf *pixbuf = pixbuf_new_rgb (width * zoom, height * zoom);
  guint8 *pixels = gdk_pixbuf_get_pixels (pixbuf);
  int stride = gdk_pixbuf_get_rowstride (pixbuf);
  for (int y = 0; y < height * zoom; y++)
    for (int x = 0; x < width * zoom; x++)
      otter_cli_colormap (values[(gsize) (y / zoom) * width + x / zoom] / vmax,
                          pixels + (gsize) y * stride + x * 3);
  return pixbuf;
}

GdkPixbuf *
otter_cli_cells_overlay_new (GdkPixbuf   *base,
                             const float *cells,
                             int          rows,
                             int          cols,
                             float        vmax,
                             double       alpha)
{
  g_return_val_if_fail (GDK_IS_PIXBUF (base) && cells != NULL && rows > 0 && cols > 0, NULL);

  int width = gdk_pixbuf_get_width (base), height = gdk_pixbuf_get_height (base);
  int n_channels = gdk_pixbuf_get_n_channels (base);
  int base_stride = gdk_pixbuf_get_rowstride (base);
  const guint8 *src = gdk_pixbuf_read_pixels (base);
  GdkPixbuf *pixbuf = pixbuf_new_rgb (width, height);
  guint8 *pixels = gdk_pixbuf_get_pixels (pixbuf);
  int stride = gdk_pixbuf_get_rowstride (pixbuf);

  if (!(vmax > 0))
    vmax = 1;
  alpha = CLAMP (alpha, 0, 1);
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        /* Cells tile the whole input evenly. */
        int r = MIN ((gint64) y * rows / height, rows - 1);
        int c = MIN ((gint64) x * cols / width, cols - 1);
        guint8 heat[3];
        otter_cli_colormap (cells[r * cols + c] / vmax, heat);
        const guint8 *s = src + (gsize) y * base_stride + x * n_channels;
        /* A dimmed grey base keeps the scene readable without
         * competing with the colour map. */
        double grey = 0.6 * luminance (s) * 255.0;
        guint8 *p = pixels + (gsize) y * stride + x * 3;
        for (int k = 0; k < 3; k++)
          p[k] = (guint8) lround ((1 - alpha) * grey + alpha * heat[k]);
      }
  return pixbuf;
}

/* ---- cairo bridge ------------------------------------------------------ */

static GdkPixbuf *
pixbuf_new_from_surface (cairo_surface_t *surface)
{
  GdkPixbuf *pixbuf = pixbuf_new_rgb (cairo_image_surface_get_width (surface),
                                      cairo_image_surface_get_height (surface));
  otter_draw_surface_copy_to_pixbuf (surface, pixbuf);
  return pixbuf;
}

static void
set_source_rgb8 (cairo_t      *cr,
                 const guint8  rgb[3],
                 double        alpha)
{
  cairo_set_source_rgba (cr, rgb[0] / 255.0, rgb[1] / 255.0, rgb[2] / 255.0, alpha);
}

static void
set_font (cairo_t *cr,
          double   size,
          gboolean bold)
{
  cairo_select_font_face (cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL,
                          bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size (cr, size);
}

/* Draws text with its reference point placed by (ax, ay) in [0, 1]:
 * 0 = left / top, 0.5 = centre, 1 = right / bottom of the ink. */
static void
show_text_at (cairo_t    *cr,
              const char *text,
              double      x,
              double      y,
              double      ax,
              double      ay)
{
  cairo_text_extents_t ext;
  cairo_text_extents (cr, text, &ext);
  cairo_move_to (cr, x - ext.x_bearing - ax * ext.width, y - ext.y_bearing - ay * ext.height);
  cairo_show_text (cr, text);
}

/* ---- matrices ---------------------------------------------------------- */

static int
tick_every (int n)
{
  static const int steps[] = { 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000 };
  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    if (n / steps[i] <= 12)
      return steps[i];
  return n;
}

GdkPixbuf *
otter_cli_matrix_new (const float          *values,
                      int                   rows,
                      int                   cols,
                      const char           *title,
                      const char           *row_name,
                      const char           *col_name,
                      OtterCliMatrixLayout *layout)
{
  g_return_val_if_fail (values != NULL && rows > 0 && cols > 0, NULL);

  /* 512 px for the matrix, never less than 1 px a cell nor more than
   * 64: small matrices get cells of at least 8 px. */
  int cell = CLAMP (512 / MAX (rows, cols), 1, 64);
  int mw = cols * cell, mh = rows * cell;
  int left = 72, top = 72, right = 96, bottom = 24;
  int bar_w = 18, bar_gap = 20;
  int width = MAX (left + mw + bar_gap + bar_w + right, 360);
  int height = top + MAX (mh, 160) + bottom;
  float vmax = 0;
  gsize n = (gsize) rows * cols;

  for (gsize i = 0; i < n; i++)
    if (isfinite (values[i]) && values[i] > vmax)
      vmax = values[i];
  if (!(vmax > 0))
    vmax = 1;

  /* Wide enough for the title too. */
  if (title != NULL)
    {
      cairo_surface_t *scratch = cairo_image_surface_create (CAIRO_FORMAT_RGB24, 1, 1);
      cairo_t *measure = cairo_create (scratch);
      cairo_text_extents_t ext;
      set_font (measure, 14, TRUE);
      cairo_text_extents (measure, title, &ext);
      width = MAX (width, (int) ceil (ext.x_advance) + 20);
      cairo_destroy (measure);
      cairo_surface_destroy (scratch);
    }

  g_autoptr (GdkPixbuf) heat = otter_cli_heatmap_new (values, cols, rows, vmax, cell);
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, width, height);
  cairo_t *cr = cairo_create (surface);

  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);

  /* The matrix itself, pixel-exact. */
  {
    cairo_surface_t *m = otter_draw_surface_new_from_pixbuf (heat);
    cairo_set_source_surface (cr, m, left, top);
    cairo_pattern_set_filter (cairo_get_source (cr), CAIRO_FILTER_NEAREST);
    cairo_rectangle (cr, left, top, mw, mh);
    cairo_fill (cr);
    cairo_surface_destroy (m);
  }
  cairo_set_source_rgb (cr, 0.2, 0.2, 0.2);
  cairo_set_line_width (cr, 1);
  cairo_rectangle (cr, left - 0.5, top - 0.5, mw + 1, mh + 1);
  cairo_stroke (cr);

  /* Values in the cells when they fit. */
  if (cell >= 40)
    {
      set_font (cr, cell / 5.0, FALSE);
      for (int r = 0; r < rows; r++)
        for (int c = 0; c < cols; c++)
          {
            float v = values[r * cols + c];
            guint8 rgb[3];
            char text[32];
            otter_cli_colormap (v / vmax, rgb);
            if (luminance (rgb) > 0.5)
              cairo_set_source_rgb (cr, 0, 0, 0);
            else
              cairo_set_source_rgb (cr, 1, 1, 1);
            g_snprintf (text, sizeof text, "%.3g", v);
            show_text_at (cr, text, left + (c + 0.5) * cell, top + (r + 0.5) * cell, 0.5, 0.5);
          }
    }

  /* Index ticks */
  cairo_set_source_rgb (cr, 0.15, 0.15, 0.15);
  set_font (cr, 11, FALSE);
  for (int r = 0, every = tick_every (rows); r < rows; r += every)
    {
      char text[16];
      g_snprintf (text, sizeof text, "%d", r);
      show_text_at (cr, text, left - 6, top + (r + 0.5) * cell, 1, 0.5);
    }
  for (int c = 0, every = tick_every (cols); c < cols; c += every)
    {
      char text[16];
      g_snprintf (text, sizeof text, "%d", c);
      show_text_at (cr, text, left + (c + 0.5) * cell, top - 6, 0.5, 1);
    }

  /* Axis names: columns above, rows turned along the left edge. */
  set_font (cr, 12, TRUE);
  if (col_name != NULL)
    show_text_at (cr, col_name, left + mw / 2.0, top - 22, 0.5, 1);
  if (row_name != NULL)
    {
      cairo_save (cr);
      cairo_translate (cr, left - 34, top + mh / 2.0);
      cairo_rotate (cr, -G_PI / 2);
      show_text_at (cr, row_name, 0, 0, 0.5, 1);
      cairo_restore (cr);
    }
  if (title != NULL)
    {
      set_font (cr, 14, TRUE);
      show_text_at (cr, title, 10, 10, 0, 0);
    }

  /* Colour bar with three ticks. */
  {
    int bx = left + mw + bar_gap, bh = MAX (mh, 160);
    for (int y = 0; y < bh; y++)
      {
        guint8 rgb[3];
        otter_cli_colormap (1.0 - (double) y / (bh - 1), rgb);
        set_source_rgb8 (cr, rgb, 1);
        cairo_rectangle (cr, bx, top + y, bar_w, 1);
        cairo_fill (cr);
      }
    cairo_set_source_rgb (cr, 0.2, 0.2, 0.2);
    cairo_rectangle (cr, bx - 0.5, top - 0.5, bar_w + 1, bh + 1);
    cairo_stroke (cr);
    set_font (cr, 11, FALSE);
    for (int k = 0; k <= 2; k++)
      {
        char text[32];
        double y = top + bh - 1 - k * (bh - 1) / 2.0;
        g_snprintf (text, sizeof text, "%.3g", vmax * k / 2.0);
        cairo_move_to (cr, bx + bar_w, y + 0.5);
        cairo_line_to (cr, bx + bar_w + 4, y + 0.5);
        cairo_stroke (cr);
        show_text_at (cr, text, bx + bar_w + 7, y, 0, 0.5);
      }
  }

  cairo_destroy (cr);
  GdkPixbuf *pixbuf = pixbuf_new_from_surface (surface);
  cairo_surface_destroy (surface);
  if (layout != NULL)
    {
      layout->x = left;
      layout->y = top;
      layout->cell = cell;
    }
  return pixbuf;
}

/* ---- files ------------------------------------------------------------- */

gboolean
otter_cli_save_png (GdkPixbuf   *pixbuf,
                    const char  *path,
                    GError     **error)
{
  g_autofree char *data = NULL;
  gsize len = 0;

  g_return_val_if_fail (GDK_IS_PIXBUF (pixbuf), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (!gdk_pixbuf_save_to_buffer (pixbuf, &data, &len, "png", error, NULL))
    return FALSE;
  /* g_file_set_contents() writes "path.XXXXXX" in the same folder and
   * renames it over path. */
  return g_file_set_contents (path, data, (gssize) len, error);
}
