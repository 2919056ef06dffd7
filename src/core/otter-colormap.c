/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-colormap.c: the colour ramps shared by the app's views and the CLI's figures */

#include "config.h"

#include <math.h>
#include <string.h>

#include "otter-colormap.h"

/* Matplotlib's viridis at eleven even steps; linear in between is close
 * enough to keep the ramp perceptually ordered. */
static const guint8 viridis[][3] = {
  { 68, 1, 84 }, { 72, 36, 117 }, { 65, 68, 135 }, { 53, 95, 141 },
  { 42, 120, 142 }, { 33, 145, 140 }, { 34, 168, 132 }, { 68, 191, 112 },
  { 122, 209, 81 }, { 189, 223, 38 }, { 253, 231, 37 },
};

/* Tableau 10 */
static const guint8 class_palette[][3] = {
  { 78, 121, 167 }, { 242, 142, 43 }, { 225, 87, 89 }, { 118, 183, 178 },
  { 89, 161, 79 }, { 237, 201, 72 }, { 176, 122, 161 }, { 255, 157, 167 },
  { 156, 117, 95 }, { 186, 176, 172 },
};

void
otter_colormap_viridis (double  t,
                        guint8  rgb[3])
{
  const int last = G_N_ELEMENTS (viridis) - 1;

  if (!(t > 0))                        /* also NaN */
    t = 0;
  if (t > 1)
    t = 1;
  double pos = t * last;
  int i = MIN ((int) pos, last - 1);
  double f = pos - i;
  for (int c = 0; c < 3; c++)
    rgb[c] = (guint8) lround (viridis[i][c] * (1 - f) + viridis[i + 1][c] * f);
}

/* h, s, v in [0, 1] */
static void
hsv_to_rgb (double h, double s, double v, guint8 rgb[3])
{
  double r, g, b;
  int i = (int) floor (h * 6);
  double f = h * 6 - i, p = v * (1 - s), q = v * (1 - f * s), t = v * (1 - (1 - f) * s);
  switch (((i % 6) + 6) % 6)
    {
    case 0: r = v, g = t, b = p; break;
    case 1: r = q, g = v, b = p; break;
    case 2: r = p, g = v, b = t; break;
    case 3: r = p, g = q, b = v; break;
    case 4: r = t, g = p, b = v; break;
    default: r = v, g = p, b = q; break;
    }
  rgb[0] = (guint8) lround (r * 255);
  rgb[1] = (guint8) lround (g * 255);
  rgb[2] = (guint8) lround (b * 255);
}

void
otter_colormap_class_colour (int     class_id,
                             guint8  rgb[3])
{
  guint i = (guint) ABS (class_id);
  if (i < G_N_ELEMENTS (class_palette))
    {
      memcpy (rgb, class_palette[i], 3);
      return;
    }
  /* Past the hand-picked ten (COCO has 80 classes): hues a golden angle
   * apart, in three brightness and saturation bands, so neighbouring ids
   * never look alike and no colour comes round again. */
  guint k = i - G_N_ELEMENTS (class_palette);
  double hue = fmod (0.11 + k * 0.6180339887, 1.0);
  static const double value[] = { 0.85, 0.65, 0.95 };
  static const double saturation[] = { 0.65, 0.75, 0.45 };
  hsv_to_rgb (hue, saturation[k % 3], value[(k / 3) % 3], rgb);
}
