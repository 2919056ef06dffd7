/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-cli-render.h: the PNG figures of otter-cli detect and perturb */
#pragma once

#include <gdk-pixbuf/gdk-pixbuf.h>

#include "otter-draw-pixbuf.h"
#include "otter-image.h"
#include "otter-torch.h"

G_BEGIN_DECLS

/* A viridis-like ramp: dark violet (0) to yellow (1), luminance rising
 * monotonically. t is clamped; NaN gives the colour of 0. */
void       otter_cli_colormap          (double               t,
                                        guint8               rgb[3]);
/* A qualitative colour per class, cycling after ten classes. */
void       otter_cli_class_colour      (int                  class_id,
                                        guint8               rgb[3]);

/* A 3 × size × size image in [0, 1] as an RGB pixbuf, each pixel
 * repeated zoom × zoom times (nearest neighbour keeps the pixels honest). */
GdkPixbuf *otter_cli_pixbuf_new_from_chw   (const float      *chw,
                                            int               size,
                                            int               zoom);
GdkPixbuf *otter_cli_pixbuf_new_from_image (const OtterImage *image);
/* width × height values (row-major) through the colour map, 0..vmax,
 * zoomed like otter_cli_pixbuf_new_from_chw(). */
GdkPixbuf *otter_cli_heatmap_new       (const float         *values,
                                        int                  width,
                                        int                  height,
                                        float                vmax,
                                        int                  zoom);
/* rows × cols cell values (0..vmax) stretched over `base` and blended
 * with a dimmed grey copy of it, so the hot cells stand out. */
GdkPixbuf *otter_cli_cells_overlay_new (GdkPixbuf           *base,
                                        const float         *cells,
                                        int                  rows,
                                        int                  cols,
                                        float                vmax,
                                        double               alpha);

/* Where otter_cli_matrix_new() put the matrix. */
typedef struct
{
  int x, y;                      /* top-left corner of cell (0, 0) */
  int cell;                      /* side of one cell in pixels */
} OtterCliMatrixLayout;

/* A rows × cols matrix (row-major) as a heat map from 0 to its maximum,
 * cells at least 8 px when the matrix is small, with a title, axis
 * names, index ticks and a colour bar. */
GdkPixbuf *otter_cli_matrix_new        (const float         *values,
                                        int                  rows,
                                        int                  cols,
                                        const char          *title,
                                        const char          *row_name,
                                        const char          *col_name,
                                        OtterCliMatrixLayout *layout);

/* Writes a PNG to a temporary file next to `path` and renames it, so
 * `path` is never half-written. */
gboolean   otter_cli_save_png          (GdkPixbuf           *pixbuf,
                                        const char          *path,
                                        GError             **error);

G_END_DECLS
