/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-image-letterbox.c: fitting images into the square model input, and back
 *
 * This runs for every image of every training step, so the resize is a
 * plain separable bilinear filter with the horizontal weights computed
 * once per image and each source row resampled once. One renderer serves
 * every placement: the centred letterbox, and the zoomed, moved and
 * cropped ones of augmentation.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "otter-image.h"

/* Bilinear sampling positions along one axis, pixel centres aligned:
 * input pixel first + o samples the source at
 * (first + o + 0.5 - pad) / scale - 0.5. */
static void
axis_weights (int     first,
              int     n_out,
              int     n_src,
              double  pad,
              double  scale,
              int    *i0,
              int    *i1,
              float  *w)
{
  for (int o = 0; o < n_out; o++)
    {
      /* (first + o) + 0.5 - pad is exact, so a letterbox placed at
       * integer offsets samples exactly where the plain resize did */
      double s = (first + o + 0.5 - pad) / scale - 0.5;
      int a;

      s = CLAMP (s, 0.0, n_src - 1.0);
      a = (int) s;
      i0[o] = a;
      i1[o] = MIN (a + 1, n_src - 1);
      w[o] = (float) (s - a);
    }
}

/* Horizontal pass of one source row into interleaved RGB floats in [0, 1]. */
static void
resample_row (const guint8 *row,
              int           n_out,
              const int    *x0,
              const int    *x1,
              const float  *wx,
              const float  *lut,
              float        *out)
{
  for (int o = 0; o < n_out; o++, out += 3)
    {
      const guint8 *a = row + x0[o];
      const guint8 *b = row + x1[o];
      float w = wx[o];

      out[0] = lut[a[0]] + (lut[b[0]] - lut[a[0]]) * w;
      out[1] = lut[a[1]] + (lut[b[1]] - lut[a[1]]) * w;
      out[2] = lut[a[2]] + (lut[b[2]] - lut[a[2]]) * w;
    }
}

/* Fills `clip` with the padding value, except the rectangle `keep`
 * (inside `clip`, possibly empty) that the image is drawn into. */
static void
fill_padding (float     *chw_out,
              int        size,
              const int  clip[4],
              const int  keep[4])
{
  gsize plane = (gsize) size * size;
  gboolean keep_empty = keep[0] >= keep[2] || keep[1] >= keep[3];

  for (int c = 0; c < 3; c++)
    {
      float *p = chw_out + c * plane;

      for (int y = clip[1]; y < clip[3]; y++)
        {
          float *r = p + (gsize) y * size;

          if (keep_empty || y < keep[1] || y >= keep[3])
            {
              for (int x = clip[0]; x < clip[2]; x++)
                r[x] = 0.5f;
              continue;
            }
          for (int x = clip[0]; x < keep[0]; x++)
            r[x] = 0.5f;
          for (int x = keep[2]; x < clip[2]; x++)
            r[x] = 0.5f;
        }
    }
}

/**
 * otter_image_letterbox:
 * @image: the image
 * @size: side of the square model input
 * @chw_out: (out caller-allocates): 3 × @size × @size floats
 * @letterbox: (out) (optional): where the image was placed
 *
 * Resizes @image bilinearly, keeping its aspect ratio, so that it fits in
 * @size × @size, centres it on mid-grey (0.5) and writes the result
 * channels first, values in [0, 1].
 */
void
otter_image_letterbox (const OtterImage *image,
                       int               size,
                       float            *chw_out,
                       OtterLetterbox   *letterbox)
{
  g_return_if_fail (image != NULL);

  otter_image_letterbox_reduced (image, image->width, image->height, 1,
                                 size, chw_out, letterbox);
}

/**
 * otter_image_letterbox_reduced:
 * @image: the image, possibly at a reduced resolution
 * @full_width: width of the whole image
 * @full_height: height of the whole image
 * @reduction: how many pixels of the whole image one pixel of @image
 *   spans in each direction (1 when @image is the whole image)
 * @size: side of the square model input
 * @chw_out: (out caller-allocates): 3 × @size × @size floats
 * @letterbox: (out) (optional): where the whole image was placed
 *
 * otter_image_letterbox() for the result of
 * otter_image_load_sample_to_fit(): the placement, and so the box mapping,
 * refer to the whole image, exactly as if it had been decoded in full.
 */
void
otter_image_letterbox_reduced (const OtterImage *image,
                               int               full_width,
                               int               full_height,
                               int               reduction,
                               int               size,
                               float            *chw_out,
                               OtterLetterbox   *letterbox)
{
  OtterLetterbox placement;

  g_return_if_fail (full_width > 0 && full_height > 0);
  g_return_if_fail (size > 0);

  otter_letterbox_init_fit (&placement, full_width, full_height, size);
  otter_image_render_placement (image, full_width, full_height, reduction, &placement, chw_out);
  if (letterbox != NULL)
    *letterbox = placement;
}

/**
 * otter_letterbox_init_fit:
 * @letterbox: (out): the placement
 * @full_width: width of the whole image
 * @full_height: height of the whole image
 * @size: side of the square model input
 *
 * The placement otter_image_letterbox() uses: the largest scale at which
 * the image fits in @size × @size, centred at whole-pixel offsets.
 */
void
otter_letterbox_init_fit (OtterLetterbox *letterbox,
                          int             full_width,
                          int             full_height,
                          int             size)
{
  int extent[4];

  g_return_if_fail (letterbox != NULL);
  g_return_if_fail (full_width > 0 && full_height > 0 && size > 0);

  letterbox->size = size;
  letterbox->scale = MIN ((double) size / full_width, (double) size / full_height);
  letterbox->pad_x = 0;
  letterbox->pad_y = 0;
  otter_letterbox_get_extent (letterbox, full_width, full_height, extent);
  /* the fitted side rounds to exactly size, the other to at most size */
  letterbox->pad_x = (size - MIN (extent[2], size)) / 2;
  letterbox->pad_y = (size - MIN (extent[3], size)) / 2;
}

/**
 * otter_letterbox_get_extent:
 * @placement: where an image is placed
 * @full_width: width of the whole image
 * @full_height: height of the whole image
 * @extent: (out caller-allocates) (array fixed-size=4): x0, y0, x1, y1
 *
 * The input pixels that show the image, [x0, x1) × [y0, y1): the offsets
 * and the scaled sides rounded to whole pixels (at least one), not
 * clipped to the input. Everything that renders or places images uses
 * this one rule, so they agree on the edges.
 */
void
otter_letterbox_get_extent (const OtterLetterbox *placement,
                            int                   full_width,
                            int                   full_height,
                            int                   extent[4])
{
  g_return_if_fail (placement != NULL && placement->scale > 0);
  g_return_if_fail (extent != NULL);

  extent[0] = (int) floor (placement->pad_x + 0.5);
  extent[1] = (int) floor (placement->pad_y + 0.5);
  extent[2] = extent[0] + MAX ((int) floor (full_width * placement->scale + 0.5), 1);
  extent[3] = extent[1] + MAX ((int) floor (full_height * placement->scale + 0.5), 1);
}

/**
 * otter_image_render_placement:
 * @image: the image, possibly at a reduced resolution
 * @full_width: width of the whole image
 * @full_height: height of the whole image
 * @reduction: see otter_image_letterbox_reduced()
 * @placement: where the whole image goes in the input; the scale may
 *   exceed the fit and the offsets may be negative (a crop)
 * @chw_out: (out caller-allocates): 3 × size × size floats, size =
 *   @placement->size
 *
 * Renders the part of @image that @placement puts inside the input,
 * bilinearly, and mid-grey (0.5) everywhere else.
 */
void
otter_image_render_placement (const OtterImage     *image,
                              int                   full_width,
                              int                   full_height,
                              int                   reduction,
                              const OtterLetterbox *placement,
                              float                *chw_out)
{
  int clip[4];

  g_return_if_fail (placement != NULL && placement->size > 0);

  clip[0] = clip[1] = 0;
  clip[2] = clip[3] = placement->size;
  otter_image_render_placement_clipped (image, full_width, full_height, reduction,
                                        placement, clip, chw_out, NULL);
}

/**
 * otter_image_render_placement_clipped:
 * @image: the image, possibly at a reduced resolution
 * @full_width: width of the whole image
 * @full_height: height of the whole image
 * @reduction: see otter_image_letterbox_reduced()
 * @placement: where the whole image goes in the input
 * @clip: (array fixed-size=4): x0, y0, x1, y1: the only part of the
 *   input written (clipped to the input)
 * @chw_out: (inout caller-allocates): 3 × size × size floats
 * @drawn: (out caller-allocates) (optional) (array fixed-size=4): the
 *   rectangle that received image pixels, x0 == x1 when none did
 *
 * otter_image_render_placement() restricted to @clip, for the tiles of a
 * mosaic: pixels outside it are left as they are.
 */
void
otter_image_render_placement_clipped (const OtterImage     *image,
                                      int                   full_width,
                                      int                   full_height,
                                      int                   reduction,
                                      const OtterLetterbox *placement,
                                      const int             clip[4],
                                      float                *chw_out,
                                      int                   drawn[4])
{
  static float lut[256];
  static gsize lut_ready = 0;
  int size, box[4], vis[4], n_x;
  gsize plane;
  double src_scale;
  g_autofree int *x0 = NULL;
  g_autofree int *x1 = NULL;
  g_autofree float *wx = NULL;
  g_autofree float *rows = NULL;
  float *row_a, *row_b;
  int row_a_src = -1, row_b_src = -1;

  g_return_if_fail (image != NULL && image->width > 0 && image->height > 0);
  g_return_if_fail (full_width > 0 && full_height > 0 && reduction >= 1);
  g_return_if_fail (placement != NULL && placement->size > 0 && placement->scale > 0);
  g_return_if_fail (clip != NULL);
  g_return_if_fail (chw_out != NULL);

  if (g_once_init_enter (&lut_ready))
    {
      for (int i = 0; i < 256; i++)
        lut[i] = i / 255.0f;
      g_once_init_leave (&lut_ready, 1);
    }

  size = placement->size;
  plane = (gsize) size * size;
  for (int i = 0; i < 4; i++)
    box[i] = CLAMP (clip[i], 0, size);
  otter_letterbox_get_extent (placement, full_width, full_height, vis);
  vis[0] = CLAMP (vis[0], box[0], box[2]);
  vis[1] = CLAMP (vis[1], box[1], box[3]);
  vis[2] = CLAMP (vis[2], vis[0], box[2]);
  vis[3] = CLAMP (vis[3], vis[1], box[3]);
  if (vis[0] == vis[2] || vis[1] == vis[3])
    {
      vis[2] = vis[0];
      vis[3] = vis[1];
    }
  if (drawn != NULL)
    memcpy (drawn, vis, sizeof vis);

  /* Only the bands outside the image need the padding value. */
  fill_padding (chw_out, size, box, vis);
  if (vis[0] == vis[2])
    return;

  n_x = vis[2] - vis[0];
  x0 = g_new (int, n_x);
  x1 = g_new (int, n_x);
  wx = g_new (float, n_x);
  /* input pixels per pixel of `image` */
  src_scale = placement->scale * reduction;
  axis_weights (vis[0], n_x, image->width, placement->pad_x, src_scale, x0, x1, wx);
  for (int o = 0; o < n_x; o++)
    {
      x0[o] *= 3;
      x1[o] *= 3;
    }

  /* Two horizontally resampled source rows are kept, so each source row
   * is resampled once however many output rows use it; only the visible
   * columns of a crop are resampled. */
  rows = g_new (float, (gsize) n_x * 3 * 2);
  row_a = rows;
  row_b = rows + (gsize) n_x * 3;

  for (int oy = vis[1]; oy < vis[3]; oy++)
    {
      double s = (oy + 0.5 - placement->pad_y) / src_scale - 0.5;
      int y0, y1;
      float wy;
      gsize out_off = (gsize) oy * size + vis[0];
      float *out_r = chw_out + out_off;
      float *out_g = chw_out + plane + out_off;
      float *out_b = chw_out + 2 * plane + out_off;

      s = CLAMP (s, 0.0, image->height - 1.0);
      y0 = (int) s;
      y1 = MIN (y0 + 1, image->height - 1);
      wy = (float) (s - y0);

      if (row_a_src != y0)
        {
          if (row_b_src == y0)
            {
              float *t = row_a;

              row_a = row_b;
              row_b = t;
              row_a_src = y0;
              row_b_src = -1;
            }
          else
            {
              resample_row (image->pixels + (gsize) y0 * image->width * 3,
                            n_x, x0, x1, wx, lut, row_a);
              row_a_src = y0;
            }
        }
      if (row_b_src != y1 && y1 != y0)
        {
          resample_row (image->pixels + (gsize) y1 * image->width * 3,
                        n_x, x0, x1, wx, lut, row_b);
          row_b_src = y1;
        }

      {
        const float *a = row_a;
        const float *b = y1 != y0 ? row_b : row_a;

        for (int ox = 0; ox < n_x; ox++, a += 3, b += 3)
          {
            out_r[ox] = a[0] + (b[0] - a[0]) * wy;
            out_g[ox] = a[1] + (b[1] - a[1]) * wy;
            out_b[ox] = a[2] + (b[2] - a[2]) * wy;
          }
      }
    }
}

/**
 * otter_letterbox_to_input:
 * @letterbox: a letterbox placement
 * @x: (inout): x in image pixels, replaced by x in input pixels
 * @y: (inout): y in image pixels, replaced by y in input pixels
 *
 * Maps a point (pixel edges, as box corners are) from the original image
 * into the model input.
 */
void
otter_letterbox_to_input (const OtterLetterbox *letterbox,
                          double               *x,
                          double               *y)
{
  g_return_if_fail (letterbox != NULL && letterbox->scale > 0);

  *x = *x * letterbox->scale + letterbox->pad_x;
  *y = *y * letterbox->scale + letterbox->pad_y;
}

/**
 * otter_letterbox_to_image:
 * @letterbox: a letterbox placement
 * @x: (inout): x in input pixels, replaced by x in image pixels
 * @y: (inout): y in input pixels, replaced by y in image pixels
 *
 * The inverse of otter_letterbox_to_input(): maps detections back to the
 * original image. Points in the padding map outside the image.
 */
void
otter_letterbox_to_image (const OtterLetterbox *letterbox,
                          double               *x,
                          double               *y)
{
  g_return_if_fail (letterbox != NULL && letterbox->scale > 0);

  *x = (*x - letterbox->pad_x) / letterbox->scale;
  *y = (*y - letterbox->pad_y) / letterbox->scale;
}
