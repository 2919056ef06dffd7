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

void
otter_colormap_class_colour (int     class_id,
                             guint8  rgb[3])
{
  guint i = (guint) ABS (class_id) % G_N_ELEMENTS (class_palette);
  memcpy (rgb, class_palette[i], 3);
}
