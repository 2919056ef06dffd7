/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-augment.h: training-time augmentation of one image (placement, colour, flip, mosaic) */
#pragma once

#include <glib.h>

#include "otter-image.h"
#include "otter-sample.h"

G_BEGIN_DECLS

typedef struct
{
  gboolean flip;                  /* mirror left-right with probability 1/2 */
  double   scale_min, scale_max;  /* random zoom relative to the letterbox fit (photos:
                                   * 0.5–1.5; 1, 1 = off) */
  gboolean translate;             /* random placement: with zoom > 1 a random crop, with
                                   * zoom < 1 a random position on the grey canvas */
  double   hsv_h, hsv_s, hsv_v;   /* colour jitter as in YOLOv5: hue shift uniform in ±h
                                   * (fraction of the colour circle), saturation × U[1−s,
                                   * 1+s], value × U[1−v, 1+v]; 0 = off */
  double   mosaic;                /* probability that an image is replaced by a 2×2 mosaic
                                   * of it and three other random images; 0 = off */
  double   min_visible;           /* a box cropped to less than this fraction of its area
                                   * is dropped (e.g. 0.25) */
  double   min_side;              /* a box narrower or shorter than this many input pixels
                                   * after the transform is dropped (e.g. 2) */
} OtterAugmentParams;

void     otter_augment_params_init_none     (OtterAugmentParams       *p);
void     otter_augment_params_init_flip     (OtterAugmentParams       *p);
void     otter_augment_params_init_photos   (OtterAugmentParams       *p);
gboolean otter_augment_params_is_identity   (const OtterAugmentParams *p);
gboolean otter_augment_params_is_valid      (const OtterAugmentParams *p);

#define OTTER_AUGMENT_MAX_TILES 4

/* What augmentation did to one image of a batch. Placements and tile
 * rectangles are in input pixels before the mirror; tiles[0] is the
 * image's own placement (the batch's letterbox). */
typedef struct
{
  guint64        seed;                         /* the image's draw; 0 when not augmented */
  gboolean       flipped;                      /* mirrored left-right, as the last step */
  double         hue;                          /* hue shift, fraction of the colour circle */
  double         saturation;                   /* saturation gain */
  double         value;                        /* value gain */
  guint          n_tiles;                      /* 1, or 4 for a mosaic */
  guint          tile_indices[OTTER_AUGMENT_MAX_TILES];  /* sample indices */
  OtterLetterbox tiles[OTTER_AUGMENT_MAX_TILES];         /* where each whole image went
                                                          * (zeroed when tile_failed) */
  int            tile_rects[OTTER_AUGMENT_MAX_TILES][4]; /* x0, y0, x1, y1 each tile fills */
  gboolean       tile_failed[OTTER_AUGMENT_MAX_TILES];   /* left grey: it did not decode */
} OtterAugmentRecord;

/* Decodes and renders image `index` of `samples` (n_samples of them,
 * mosaic partners are drawn among all) as `params` and `seed` say, with
 * its boxes (OtterTorchBox) appended to `boxes`. NULL or identity params
 * give the plain letterbox. */
gboolean otter_augment_render (OtterSample *const       *samples,
                               guint                     n_samples,
                               guint                     index,
                               int                       size,
                               const OtterAugmentParams *params,
                               guint64                   seed,
                               float                    *chw_out,
                               GArray                   *boxes,
                               OtterAugmentRecord       *record,
                               GPtrArray                *failures,
                               GError                  **error);

G_END_DECLS
