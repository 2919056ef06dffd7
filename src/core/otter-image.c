/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-image.c: decoding images to RGB and letterboxing them for a model */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "otter-untrusted.h"

#include <math.h>
#include <string.h>

#include <gdk-pixbuf/gdk-pixbuf.h>

#include "otter-demo.h"
#include "otter-error.h"
#include "otter-image.h"

/* The loader sees the header in the first chunk; the rest is only fed once
 * the size is known to be acceptable. */
#define HEADER_CHUNK (64 * 1024)

/* Alpha is composited on this grey, the same as the letterbox padding, so
 * transparent areas look like "no content" to the model. */
#define MID_GREY 128

/**
 * otter_image_new:
 * @width: width in pixels, > 0
 * @height: height in pixels, > 0
 *
 * Allocates an RGB image. The pixels are not initialised.
 *
 * Returns: (transfer full): a new image, free it with otter_image_free()
 */
OtterImage *
otter_image_new (int width,
                 int height)
{
  OtterImage *image;

  g_return_val_if_fail (width > 0 && height > 0, NULL);
  g_return_val_if_fail ((gint64) width * height <= OTTER_IMAGE_MAX_PIXELS, NULL);

  image = g_new (OtterImage, 1);
  image->width = width;
  image->height = height;
  image->pixels = g_malloc ((gsize) width * height * 3);

  return image;
}

/**
 * otter_image_free:
 * @image: (nullable): an image
 *
 * Frees @image and its pixels.
 */
void
otter_image_free (OtterImage *image)
{
  if (image == NULL)
    return;

  g_free (image->pixels);
  g_free (image);
}

typedef struct
{
  int      width;               /* from the header, before orientation */
  int      height;
  gboolean too_large;
  int      fit_size;            /* 0, or the letterbox the image is for */
  int      reduction;           /* JPEG decoded at 1 / reduction */
} SizeCheck;

/* The largest JPEG reduction (libjpeg scales by 1/2, 1/4 or 1/8 in the
 * DCT, which makes decoding several times cheaper) that still leaves at
 * least as many pixels as the letterbox will use. The letterbox scale is
 * symmetric in width and height, so EXIF rotations do not change it. */
static int
choose_reduction (int width,
                  int height,
                  int fit_size)
{
  double scale = (double) fit_size / MAX (width, height);
  int need_w = (int) ceil (width * scale);
  int need_h = (int) ceil (height * scale);
  int reduction = 1;

  while (reduction < 8
         && (width + 2 * reduction - 1) / (2 * reduction) >= need_w
         && (height + 2 * reduction - 1) / (2 * reduction) >= need_h)
    reduction *= 2;

  return reduction;
}

static void
size_prepared_cb (GdkPixbufLoader *loader,
                  int              width,
                  int              height,
                  gpointer         user_data)
{
  SizeCheck *check = user_data;

  check->width = width;
  check->height = height;

  /* A zero target size makes the modules give up before they allocate
   * the pixel buffer (gdk_pixbuf_get_file_info() relies on the same). */
  if ((gint64) width * height > OTTER_IMAGE_MAX_PIXELS)
    {
      check->too_large = TRUE;
      gdk_pixbuf_loader_set_size (loader, 0, 0);
      return;
    }

  if (check->fit_size > 0)
    {
      GdkPixbufFormat *format = gdk_pixbuf_loader_get_format (loader);
      g_autofree char *name = format != NULL ? gdk_pixbuf_format_get_name (format) : NULL;

      if (g_strcmp0 (name, "jpeg") != 0)
        return;

      /* Asking for exactly libjpeg's output size (rounded up) makes the
       * module pick that reduction and the loader skip its own rescale. */
      check->reduction = choose_reduction (width, height, check->fit_size);
      if (check->reduction > 1)
        gdk_pixbuf_loader_set_size (loader,
                                    (width + check->reduction - 1) / check->reduction,
                                    (height + check->reduction - 1) / check->reduction);
    }
}

static void
set_decode_error (GError **error,
                  GError  *pixbuf_error)
{
  if (pixbuf_error != NULL
      && g_error_matches (pixbuf_error, GDK_PIXBUF_ERROR, GDK_PIXBUF_ERROR_UNKNOWN_TYPE))
    g_set_error_literal (error, OTTER_ERROR, OTTER_ERROR_BAD_IMAGE,
                         _("not an image in a format Otter can read"));
  else
    g_set_error (error, OTTER_ERROR, OTTER_ERROR_BAD_IMAGE,
                 _("the image is truncated or corrupt (%s)"),
                 pixbuf_error != NULL ? pixbuf_error->message : _("no pixels decoded"));
}

static guint
read_be16 (const guint8 *p)
{
  return (p[0] << 8) | p[1];
}

static guint32
read_be32 (const guint8 *p)
{
  return ((guint32) p[0] << 24) | (p[1] << 16) | (p[2] << 8) | p[3];
}

/* Walks the JPEG segments and entropy-coded data up to the end-of-image
 * marker. Segment lengths are followed, so the EOI of an EXIF thumbnail
 * is not mistaken for the end of the image. */
static gboolean
jpeg_is_complete (const guint8 *data,
                  gsize         length)
{
  gsize pos = 2;

  while (pos + 1 < length)
    {
      guint marker;

      if (data[pos] != 0xFF)
        return FALSE;
      while (pos + 1 < length && data[pos + 1] == 0xFF)
        pos++;                          /* fill bytes */
      if (pos + 1 >= length)
        return FALSE;
      marker = data[pos + 1];
      pos += 2;

      if (marker == 0xD9)
        return TRUE;
      if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7))
        continue;                       /* no length field */
      if (pos + 2 > length || pos + read_be16 (data + pos) > length)
        return FALSE;
      pos += read_be16 (data + pos);

      if (marker != 0xDA)
        continue;

      /* Entropy-coded data ends at the first marker that is neither a
       * stuffed 0xFF00 nor a restart marker. */
      for (;;)
        {
          const guint8 *ff = memchr (data + pos, 0xFF, length - pos);
          guint next;

          if (ff == NULL || (gsize) (ff - data) + 1 >= length)
            return FALSE;
          pos = ff - data;
          next = data[pos + 1];
          if (next == 0x00 || (next >= 0xD0 && next <= 0xD7))
            pos += 2;
          else if (next == 0xFF)
            pos += 1;
          else
            break;
        }
    }

  return FALSE;
}

/* Follows the PNG chunks up to IEND, each of which must fit in the file. */
static gboolean
png_is_complete (const guint8 *data,
                 gsize         length)
{
  gsize pos = 8;

  while (pos + 12 <= length)
    {
      guint32 chunk = read_be32 (data + pos);

      if (chunk > length - pos - 12)
        return FALSE;
      if (memcmp (data + pos + 4, "IEND", 4) == 0)
        return TRUE;
      pos += 12 + chunk;
    }

  return FALSE;
}

/* gdk-pixbuf's JPEG and PNG loaders hand back a partly grey image for a
 * file that ends early and report no error, even from
 * gdk_pixbuf_loader_close(); training on such images would be silently
 * wrong, so the structure of the two common formats is checked here. */
static gboolean
is_complete (const guint8 *data,
             gsize         length)
{
  if (length >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF)
    return jpeg_is_complete (data, length);
  if (length >= 8 && memcmp (data, "\x89PNG\r\n\x1a\n", 8) == 0)
    return png_is_complete (data, length);

  return TRUE;
}

/* Converts any 8-bit pixbuf to tightly packed RGB. */
static OtterImage *
image_from_pixbuf (GdkPixbuf *pixbuf)
{
  int width = gdk_pixbuf_get_width (pixbuf);
  int height = gdk_pixbuf_get_height (pixbuf);
  int channels = gdk_pixbuf_get_n_channels (pixbuf);
  int stride = gdk_pixbuf_get_rowstride (pixbuf);
  const guint8 *src = gdk_pixbuf_read_pixels (pixbuf);
  OtterImage *image = otter_image_new (width, height);

  g_assert (gdk_pixbuf_get_bits_per_sample (pixbuf) == 8);
  g_assert (channels == 3 || channels == 4);

  for (int y = 0; y < height; y++)
    {
      const guint8 *in = src + (gsize) y * stride;
      guint8 *out = image->pixels + (gsize) y * width * 3;

      if (channels == 3)
        {
          memcpy (out, in, (gsize) width * 3);
          continue;
        }

      for (int x = 0; x < width; x++, in += 4, out += 3)
        {
          guint a = in[3];

          for (int c = 0; c < 3; c++)
            out[c] = (in[c] * a + MID_GREY * (255 - a) + 127) / 255;
        }
    }

  return image;
}

/* Decodes `data`; `fit_size` > 0 allows a reduced JPEG decode (see
 * otter_image_load_sample_to_fit()). `full` receives the size of the
 * whole oriented image and the reduction. */
static OtterImage *
decode_bytes (const guint8  *data,
              gsize          length,
              int            fit_size,
              int            full[3],
              GError       **error)
{
  g_autoptr(GdkPixbufLoader) loader = NULL;
  g_autoptr(GError) pixbuf_error = NULL;
  g_autoptr(GdkPixbuf) oriented = NULL;
  SizeCheck check = { 0, 0, FALSE, fit_size, 1 };
  GdkPixbuf *pixbuf;
  const char *orientation, *format;
  gint64 orientation_value = 1;
  gsize head = MIN (length, HEADER_CHUNK);
  gboolean complete, ok;

  if (length == 0)
    {
      g_set_error_literal (error, OTTER_ERROR, OTTER_ERROR_BAD_IMAGE, _("the file is empty"));
      return NULL;
    }

  /* The type comes from the content, not the name, so a PNG named .jpg
   * (common in scraped datasets) still decodes; formats Otter does not
   * read never reach a loader. */
  format = otter_image_sniff (data, length, (goffset) length);
  if (format == NULL)
    {
      g_set_error_literal (error, OTTER_ERROR, OTTER_ERROR_BAD_IMAGE,
                           _("not an image in a format Otter can read"));
      return NULL;
    }
  loader = gdk_pixbuf_loader_new_with_type (format, &pixbuf_error);
  if (loader == NULL)
    {
      set_decode_error (error, pixbuf_error);
      return NULL;
    }
  g_signal_connect (loader, "size-prepared", G_CALLBACK (size_prepared_cb), &check);

  complete = is_complete (data, length);

  /* The rest is fed only to a complete file whose size is acceptable. A
   * small file may only reach the module in close(), since the loader
   * buffers the first bytes to sniff the format; the size check runs
   * there too, and wins over "truncated" for a huge file cut short. */
  ok = gdk_pixbuf_loader_write (loader, data, head, &pixbuf_error);
  if (ok && complete && !check.too_large && length > head)
    ok = gdk_pixbuf_loader_write (loader, data + head, length - head, &pixbuf_error);

  /* close() is where the other modules report data that ends early. */
  if (ok)
    ok = gdk_pixbuf_loader_close (loader, &pixbuf_error);
  else
    gdk_pixbuf_loader_close (loader, NULL);

  if (check.too_large)
    {
      g_set_error (error, OTTER_ERROR, OTTER_ERROR_IMAGE_TOO_LARGE,
                   _("the image is %d × %d pixels, more than the limit of %d megapixels"),
                   check.width, check.height, OTTER_IMAGE_MAX_PIXELS / (1024 * 1024));
      return NULL;
    }
  if (!complete)
    {
      g_set_error_literal (error, OTTER_ERROR, OTTER_ERROR_BAD_IMAGE,
                           _("the image is truncated (the file ends before the end of the image data)"));
      return NULL;
    }

  pixbuf = gdk_pixbuf_loader_get_pixbuf (loader);
  if (!ok || pixbuf == NULL)
    {
      set_decode_error (error, pixbuf_error);
      return NULL;
    }

  /* Only the eight EXIF values mean something; anything else (0, 9,
   * garbage from a broken writer) is treated as "upright". */
  orientation = gdk_pixbuf_get_option (pixbuf, "orientation");
  if (orientation != NULL)
    orientation_value = g_ascii_strtoll (orientation, NULL, 10);
  if (orientation_value >= 2 && orientation_value <= 8)
    oriented = gdk_pixbuf_apply_embedded_orientation (pixbuf);

  if (check.reduction > 1)
    {
      /* 5 to 8 swap the axes */
      gboolean swap = orientation_value >= 5 && orientation_value <= 8;

      full[0] = swap ? check.height : check.width;
      full[1] = swap ? check.width : check.height;
      full[2] = check.reduction;
    }
  else
    {
      GdkPixbuf *shown = oriented != NULL ? oriented : pixbuf;

      full[0] = gdk_pixbuf_get_width (shown);
      full[1] = gdk_pixbuf_get_height (shown);
      full[2] = 1;
    }

  return image_from_pixbuf (oriented != NULL ? oriented : pixbuf);
}

static OtterImage *load_file (const char  *path,
                              int          fit_size,
                              int          full[3],
                              GError     **error);

/**
 * otter_image_load:
 * @path: an image file
 * @error: return location for an error
 *
 * Decodes @path to RGB. The format is found from the content, not the
 * extension. A valid EXIF orientation is applied; grayscale, palette and
 * RGBA images are converted to RGB (alpha composited on mid-grey).
 *
 * Errors start with the file name, then a colon, and use the codes of
 * otter_image_probe(): %OTTER_ERROR_MISSING_IMAGE, %OTTER_ERROR_BAD_IMAGE
 * for empty, truncated or non-image files, %OTTER_ERROR_IMAGE_TOO_LARGE,
 * found from the header before any pixel buffer is allocated.
 *
 * Returns: (transfer full) (nullable): the image, or %NULL with @error set
 */
OtterImage *
otter_image_load (const char  *path,
                  GError     **error)
{
  int full[3];

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return load_file (path, 0, full, error);
}

static OtterImage *
load_file (const char  *path,
           int          fit_size,
           int          full[3],
           GError     **error)
{
  g_autoptr(GMappedFile) mapped = NULL;
  g_autoptr(GError) local_error = NULL;
  OtterImage *image;

  /* Mapping rather than reading: the header check looks at the first
   * chunk only, so an oversized file is refused without reading it all. */
  /* a FIFO would block the open, a device read without end */
  const char *kind = otter_describe_irregular_file (path);
  if (kind != NULL)
    {
      g_autofree char *name = g_filename_display_name (path);
      g_set_error (error, OTTER_ERROR, OTTER_ERROR_BAD_IMAGE, _("%s: %s, not an image file"), name, kind);
      return NULL;
    }
  mapped = g_mapped_file_new (path, FALSE, &local_error);
  if (mapped == NULL)
    {
      g_autofree char *name = g_filename_display_name (path);
      gboolean missing = g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT)
                         || g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOTDIR);

      /* Same codes as otter_image_probe(), which datasets call first. */
      if (missing)
        g_set_error (error, OTTER_ERROR, OTTER_ERROR_MISSING_IMAGE,
                     _("%s: no such image file"), name);
      else
        g_set_error (error, OTTER_ERROR, OTTER_ERROR_BAD_IMAGE,
                     "%s: %s", name, local_error->message);
      return NULL;
    }

  image = decode_bytes ((const guint8 *) g_mapped_file_get_contents (mapped),
                        g_mapped_file_get_length (mapped), fit_size, full, &local_error);
  if (image == NULL)
    {
      g_autofree char *name = g_filename_display_name (path);

      g_propagate_prefixed_error (error, g_steal_pointer (&local_error), "%s: ", name);
    }

  return image;
}

/**
 * otter_image_load_sample:
 * @sample: a sample
 * @error: return location for an error
 *
 * Loads the pixels of @sample: renders generated samples with
 * otter_demo_render(), decodes the others with otter_image_load(). The
 * sample itself is not modified, so this may run in a worker thread.
 *
 * Returns: (transfer full) (nullable): the image, or %NULL with @error set;
 *   the message starts with the file name
 */
OtterImage *
otter_image_load_sample (OtterSample  *sample,
                         GError      **error)
{
  int full[3];

  g_return_val_if_fail (OTTER_IS_SAMPLE (sample), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return otter_image_load_sample_to_fit (sample, 0, full, error);
}

/**
 * otter_image_load_sample_to_fit:
 * @sample: a sample
 * @fit_size: side of the letterbox the image is loaded for, or 0
 * @full: (out caller-allocates) (array fixed-size=3): width and height of
 *   the whole (oriented) image, and the reduction
 * @error: return location for an error
 *
 * Like otter_image_load_sample(), for images about to be letterboxed into
 * @fit_size: a JPEG that would be shrunk at least twofold is decoded at
 * 1/2, 1/4 or 1/8 of its size, which libjpeg does at a fraction of the
 * cost, never below the letterboxed size. Pixel (x, y) of the result then
 * covers pixels [x·r, (x+1)·r) × [y·r, (y+1)·r) of the whole image, r =
 * full[2]. Give the result to otter_image_letterbox_reduced().
 *
 * Returns: (transfer full) (nullable): the image, or %NULL with @error set
 */
OtterImage *
otter_image_load_sample_to_fit (OtterSample  *sample,
                                int           fit_size,
                                int           full[3],
                                GError      **error)
{
  OtterImage *image;

  g_return_val_if_fail (OTTER_IS_SAMPLE (sample), NULL);
  g_return_val_if_fail (fit_size >= 0, NULL);
  g_return_val_if_fail (full != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!otter_sample_is_generated (sample))
    return load_file (otter_sample_get_image_path (sample), fit_size, full, error);

  if (otter_sample_get_width (sample) < 8)
    {
      g_set_error (error, OTTER_ERROR, OTTER_ERROR_INVALID_ARGUMENT,
                   _("%s: generated sample without a usable size"),
                   otter_sample_get_display_name (sample));
      return NULL;
    }

  image = otter_demo_render (otter_sample_get_generator_seed (sample),
                             otter_sample_get_generator_index (sample),
                             otter_sample_get_width (sample), NULL);
  full[0] = image->width;
  full[1] = image->height;
  full[2] = 1;
  return image;
}
