/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-image-letterbox.c: fitting images into the square model input, and back
 *
 * This runs for every image of every training step, so the resize is a
 * plain separable bilinear filter with the horizontal weights computed
 * once per image and each source row resampled once.
 */
#include "config.h"

#include <math.h>

#include "otter-image.h"

/* Bilinear sampling positions along one axis, pixel centres aligned:
 * output pixel o samples the source at (o + 0.5) / scale - 0.5. */
static void
axis_weights (int     n_out,
              int     n_src,
              double  scale,
              int    *i0,
              int    *i1,
              float  *w)
{
  for (int o = 0; o < n_out; o++)
    {
      double s = (o + 0.5) / scale - 0.5;
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
  static float lut[256];
  static gsize lut_ready = 0;
  gsize plane = (gsize) size * size;
  double scale, src_scale;
  int new_w, new_h, pad_x, pad_y;
  g_autofree int *x0 = NULL;
  g_autofree int *x1 = NULL;
  g_autofree float *wx = NULL;
  g_autofree float *rows = NULL;
  float *row_a, *row_b;
  int row_a_src = -1, row_b_src = -1;

  g_return_if_fail (image != NULL && image->width > 0 && image->height > 0);
  g_return_if_fail (full_width > 0 && full_height > 0 && reduction >= 1);
  g_return_if_fail (size > 0);
  g_return_if_fail (chw_out != NULL);

  if (g_once_init_enter (&lut_ready))
    {
      for (int i = 0; i < 256; i++)
        lut[i] = i / 255.0f;
      g_once_init_leave (&lut_ready, 1);
    }

  scale = MIN ((double) size / full_width, (double) size / full_height);
  new_w = CLAMP ((int) floor (full_width * scale + 0.5), 1, size);
  new_h = CLAMP ((int) floor (full_height * scale + 0.5), 1, size);
  pad_x = (size - new_w) / 2;
  pad_y = (size - new_h) / 2;

  if (letterbox != NULL)
    {
      letterbox->size = size;
      letterbox->scale = scale;
      letterbox->pad_x = pad_x;
      letterbox->pad_y = pad_y;
    }

  /* Only the bands outside the image need the padding value. */
  for (int c = 0; c < 3; c++)
    {
      float *p = chw_out + c * plane;

      for (int y = 0; y < size; y++)
        {
          float *r = p + (gsize) y * size;

          if (y < pad_y || y >= pad_y + new_h)
            {
              for (int x = 0; x < size; x++)
                r[x] = 0.5f;
              continue;
            }
          for (int x = 0; x < pad_x; x++)
            r[x] = 0.5f;
          for (int x = pad_x + new_w; x < size; x++)
            r[x] = 0.5f;
        }
    }

  x0 = g_new (int, new_w);
  x1 = g_new (int, new_w);
  wx = g_new (float, new_w);
  /* input pixels per pixel of `image` */
  src_scale = scale * reduction;
  axis_weights (new_w, image->width, src_scale, x0, x1, wx);
  for (int o = 0; o < new_w; o++)
    {
      x0[o] *= 3;
      x1[o] *= 3;
    }

  /* Two horizontally resampled source rows are kept, so each source row
   * is resampled once however many output rows use it. */
  rows = g_new (float, (gsize) new_w * 3 * 2);
  row_a = rows;
  row_b = rows + (gsize) new_w * 3;

  for (int oy = 0; oy < new_h; oy++)
    {
      double s = (oy + 0.5) / src_scale - 0.5;
      int y0, y1;
      float wy;
      gsize out_off = (gsize) (oy + pad_y) * size + pad_x;
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
                            new_w, x0, x1, wx, lut, row_a);
              row_a_src = y0;
            }
        }
      if (row_b_src != y1 && y1 != y0)
        {
          resample_row (image->pixels + (gsize) y1 * image->width * 3,
                        new_w, x0, x1, wx, lut, row_b);
          row_b_src = y1;
        }

      {
        const float *a = row_a;
        const float *b = y1 != y0 ? row_b : row_a;

        for (int ox = 0; ox < new_w; ox++, a += 3, b += 3)
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
