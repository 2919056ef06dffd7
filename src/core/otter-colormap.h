/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-colormap.h: the colour ramps shared by the app's views and the CLI's figures */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * otter_colormap_viridis:
 * @t: a value in [0, 1]; clamped, NaN gives the colour of 0
 * @rgb: (out caller-allocates): the colour
 *
 * A viridis-like ramp: dark violet (0) to yellow (1), luminance rising
 * monotonically, readable by colour-blind users and in print.
 */
void otter_colormap_viridis      (double  t,
                                  guint8  rgb[3]);

/**
 * otter_colormap_class_colour:
 * @class_id: a class index
 * @rgb: (out caller-allocates): the colour
 *
 * A qualitative colour per class (Tableau 10), cycling after ten classes.
 */
void otter_colormap_class_colour (int     class_id,
                                  guint8  rgb[3]);

G_END_DECLS
