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
/* The gdk-pixbuf name of the format the first bytes of a file of
 * file_size bytes announce, among those Otter reads ("jpeg", "png", "gif",
 * "bmp", "tiff", "webp"), or NULL; the probe and the decoder hand nothing
 * else to gdk-pixbuf. */
const char *otter_image_sniff        (const guint8     *head,
                                      gsize             length,
                                      goffset           file_size);
/* Loads the sample's pixels (from disk or the demo generator). */
OtterImage *otter_image_load_sample  (OtterSample      *sample,
                                      GError          **error);
/* The same for an image about to be letterboxed into fit_size (0: no
 * reduction): a JPEG that would be shrunk anyway may be decoded at 1/2,
 * 1/4 or 1/8 size (never below the letterboxed size). full[] receives the
 * whole oriented image's width and height and the reduction r: pixel
 * (x, y) covers [x·r, (x+1)·r) × [y·r, (y+1)·r) of the whole image. */
OtterImage *otter_image_load_sample_to_fit (OtterSample *sample,
                                            int          fit_size,
                                            int          full[3],
                                            GError     **error);

/* How an image was placed in the square model input. The plain letterbox
 * fits and centres it; augmentation may zoom it (scale larger than the
 * fit) and move it, with negative offsets for a crop. */
typedef struct
{
  int    size;                 /* side of the model input */
  double scale;                /* input pixels per image pixel */
  double pad_x, pad_y;         /* offset of the image inside the input */
} OtterLetterbox;

/* The plain letterbox placement of a full_width × full_height image. */
void        otter_letterbox_init_fit (OtterLetterbox   *letterbox,
                                      int               full_width,
                                      int               full_height,
                                      int               size);
/* The input pixels a placed image covers, [x0, x1) × [y0, y1) (not
 * clipped to the input): extent[] = { x0, y0, x1, y1 }. */
void        otter_letterbox_get_extent (const OtterLetterbox *placement,
                                        int               full_width,
                                        int               full_height,
                                        int               extent[4]);

/* Resizes keeping the aspect ratio, centres on a grey (0.5) square, and
 * writes 3 × size × size floats in [0, 1] (channels first). */
void        otter_image_letterbox    (const OtterImage *image,
                                      int               size,
                                      float            *chw_out,
                                      OtterLetterbox   *letterbox);
/* otter_image_letterbox() of a reduced image from
 * otter_image_load_sample_to_fit(): the placement refers to the whole
 * full_width × full_height image. */
void        otter_image_letterbox_reduced (const OtterImage *image,
                                           int               full_width,
                                           int               full_height,
                                           int               reduction,
                                           int               size,
                                           float            *chw_out,
                                           OtterLetterbox   *letterbox);
/* Renders an image (possibly reduced, as otter_image_letterbox_reduced()
 * takes it) at any placement: the visible part of the image, grey (0.5)
 * elsewhere. */
void        otter_image_render_placement (const OtterImage     *image,
                                          int                   full_width,
                                          int                   full_height,
                                          int                   reduction,
                                          const OtterLetterbox *placement,
                                          float                *chw_out);
/* The same, writing only inside clip[] = { x0, y0, x1, y1 } of the input
 * (a mosaic tile); drawn[] (optional) receives the rectangle that got
 * image pixels, empty (x0 == x1) when none did. */
void        otter_image_render_placement_clipped (const OtterImage     *image,
                                                  int                   full_width,
                                                  int                   full_height,
                                                  int                   reduction,
                                                  const OtterLetterbox *placement,
                                                  const int             clip[4],
                                                  float                *chw_out,
                                                  int                   drawn[4]);
void        otter_letterbox_to_input (const OtterLetterbox *letterbox,
                                      double           *x,
                                      double           *y);
void        otter_letterbox_to_image (const OtterLetterbox *letterbox,
                                      double           *x,
                                      double           *y);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OtterImage, otter_image_free)

G_END_DECLS
