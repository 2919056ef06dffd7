/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-draw-pixbuf.h: detections drawn into pixbufs with cairo, for files
 * written without a display (the CLI's figures, video exports) */
#pragma once

#include <cairo.h>
#include <gdk-pixbuf/gdk-pixbuf.h>

#include "otter-torch.h"

G_BEGIN_DECLS

/* An RGB24 surface holding a copy of `pixbuf` (its alpha, if any, dropped). */
cairo_surface_t *otter_draw_surface_new_from_pixbuf (GdkPixbuf       *pixbuf);
/* Copies `surface`, of the same size, back into `pixbuf`'s colour channels. */
void             otter_draw_surface_copy_to_pixbuf  (cairo_surface_t *surface,
                                                     GdkPixbuf       *pixbuf);

/* Draws boxes and "label 0.93" tags in place, each box in its class's
 * colour with a halo. Box coordinates are multiplied by `scale` to give
 * pixbuf pixels; class_names may be NULL ("class 3"). */
void             otter_draw_detections              (GdkPixbuf                 *pixbuf,
                                                     const OtterTorchDetection *detections,
                                                     guint                      n_detections,
                                                     double                     scale,
                                                     const char *const         *class_names);

G_END_DECLS
