/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-image.h: decoding images to RGB and letterboxing them for a model */
#pragma once

#include <glib.h>

#include "otter-sample.h"

G_BEGIN_DECLS

/* Decoded images larger than this are refused before decoding. */
#define OTTER_IMAGE_MAX_PIXELS (64 * 1024 * 1024)

typedef struct
{
  int     width;
  int     height;
  guint8 *pixels;              /* RGB, 3 bytes per pixel, rowstride = width × 3 */
} OtterImage;

OtterImage *otter_image_new          (int               width,
                                      int               height);
void        otter_image_free         (OtterImage       *image);
/* Sniffs the content (not the extension), applies a valid EXIF
 * orientation, converts grayscale, palette and RGBA to RGB. */
OtterImage *otter_image_load         (const char       *path,
                                      GError          **error);
/* Reads only the header: the size, or an error for files that are empty,
 * not images or too large. */
gboolean    otter_image_probe        (const char       *path,
                                      int              *width,
                                      int              *height,
                                      GError          **error);
/* Loads the sample's pixels (from disk or the demo generator). */
OtterImage *otter_image_load_sample  (OtterSample      *sample,
                                      GError          **error);

/* How an image was placed in the square model input. */
typedef struct
{
  int    size;                 /* side of the model input */
  double scale;                /* input pixels per image pixel */
  double pad_x, pad_y;         /* offset of the image inside the input */
} OtterLetterbox;

/* Resizes keeping the aspect ratio, centres on a grey (0.5) square, and
 * writes 3 × size × size floats in [0, 1] (channels first). */
void        otter_image_letterbox    (const OtterImage *image,
                                      int               size,
                                      float            *chw_out,
                                      OtterLetterbox   *letterbox);
void        otter_letterbox_to_input (const OtterLetterbox *letterbox,
                                      double           *x,
                                      double           *y);
void        otter_letterbox_to_image (const OtterLetterbox *letterbox,
                                      double           *x,
                                      double           *y);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OtterImage, otter_image_free)

G_END_DECLS
