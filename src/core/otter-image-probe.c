/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-image-probe.c: an image's size from its header, without decoding it */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "otter-untrusted.h"

#include <errno.h>
#include <string.h>
#include <glib/gstdio.h>
#include <gdk-pixbuf/gdk-pixbuf.h>

#include "otter-error.h"
#include "otter-image.h"

/* The gdk-pixbuf loader of the format the first bytes announce, or NULL. */
static const char *
signature_format (const guint8 *head,
                  gsize         length)
{
  static const struct { const char *magic; gsize len; const char *format; } signatures[] = {
    { "\xff\xd8\xff", 3, "jpeg" },
    { "\x89PNG\r\n\x1a\n", 8, "png" },
    { "GIF8", 4, "gif" },
    { "BM", 2, "bmp" },
    { "II*\0", 4, "tiff" },                     /* little endian */
    { "MM\0*", 4, "tiff" },                     /* big endian */
  };

  for (guint i = 0; i < G_N_ELEMENTS (signatures); i++)
    if (length >= signatures[i].len &&
        memcmp (head, signatures[i].magic, signatures[i].len) == 0)
      return signatures[i].format;

  if (length >= 12 && memcmp (head, "RIFF", 4) == 0 && memcmp (head + 8, "WEBP", 4) == 0)
    return "webp";
  return NULL;
}

/**
 * otter_image_sniff:
 * @head: the first bytes of a file
 * @length: how many there are
 *
 * Which of the formats Otter reads (JPEG, PNG, GIF, BMP, TIFF, WebP) the
 * first bytes of a file announce. Only these reach gdk-pixbuf, whose
 * other loaders (SVG, ICO, TGA, XPM, …) have no business with datasets.
 * A BMP whose info header has none of the format's sizes, whose pixels
 * would start past the end of the file (@file_size), or whose planes, bits
 * per pixel or palette length no real file has, is refused too: the BMP
 * loader allocates whatever sizes the file claims.
 *
 * Returns: (nullable): the gdk-pixbuf name of the format, or %NULL
 */
const char *
otter_image_sniff (const guint8 *head,
                   gsize         length,
                   goffset       file_size)
{
  const char *format = signature_format (head, length);

  if (g_strcmp0 (format, "bmp") == 0)
    {
      static const guint32 info_sizes[] = { 12, 16, 40, 52, 56, 64, 108, 124 };
      gboolean known_size = FALSE;

      if (length < 18)
        return NULL;
      guint32 offset = (guint32) head[10] | (guint32) head[11] << 8 | (guint32) head[12] << 16 | (guint32) head[13] << 24;
      guint32 size = (guint32) head[14] | (guint32) head[15] << 8 | (guint32) head[16] << 16 | (guint32) head[17] << 24;
      for (guint i = 0; i < G_N_ELEMENTS (info_sizes); i++)
        known_size = known_size || size == info_sizes[i];
      if (!known_size || (goffset) offset >= file_size || offset < 14 + size)
        return NULL;
      /* The loader also trusts the plane count, the bits per pixel and the
       * palette's length (biClrUsed, which it allocates): only values real
       * files have get through. */
      if (size >= 16 && length >= 30)
        {
          guint planes = head[26] | head[27] << 8, bits = head[28] | head[29] << 8;
          if (planes != 1 || !(bits == 1 || bits == 4 || bits == 8 || bits == 16 || bits == 24 || bits == 32))
            return NULL;
        }
      if (size >= 40)
        {
          if (length < 50)
            return NULL;
          guint32 colors = (guint32) head[46] | (guint32) head[47] << 8 | (guint32) head[48] << 16 |
                           (guint32) head[49] << 24;
          if (colors > 256)
            return NULL;
        }
    }

  return format;
}

typedef struct
{
  int      width;
  int      height;
  gboolean prepared;
} HeaderSize;

static void
header_size_prepared_cb (GdkPixbufLoader *loader,
                         int              width,
                         int              height,
                         gpointer         user_data)
{
  HeaderSize *size = user_data;

  size->width = width;
  size->height = height;
  size->prepared = TRUE;
  /* no pixel buffer: the size was all we wanted */
  gdk_pixbuf_loader_set_size (loader, 0, 0);
}

/* What gdk_pixbuf_get_file_info() does, with the loader of `format`,
 * except that a header of zero width or height is an answer rather than
 * a critical from gdk-pixbuf's own callback (a 13-byte GIF does that). */
static gboolean
read_header_size (const char *path,
                  const char *format,
                  int        *width,
                  int        *height)
{
  g_autoptr(GdkPixbufLoader) loader = gdk_pixbuf_loader_new_with_type (format, NULL);
  HeaderSize size = { 0, 0, FALSE };
  guint8 buffer[4096];
  FILE *f;

  if (loader == NULL)
    return FALSE;
  f = g_fopen (path, "rb");
  if (f == NULL)
    return FALSE;
  g_signal_connect (loader, "size-prepared", G_CALLBACK (header_size_prepared_cb), &size);
  while (!size.prepared)
    {
      gsize n = fread (buffer, 1, sizeof buffer, f);

      if (n == 0 || !gdk_pixbuf_loader_write (loader, buffer, n, NULL))
        break;
    }
  fclose (f);
  gdk_pixbuf_loader_close (loader, NULL);

  *width = size.width;
  *height = size.height;
  return size.prepared;
}

/**
 * otter_image_probe:
 * @path: an image file
 * @width: (out) (optional): the width in pixels
 * @height: (out) (optional): the height in pixels
 * @error: return location for a #GError
 *
 * Reads only the header of @path (through a gdk-pixbuf loader) to
 * learn the image size, so a dataset can check every image cheaply at load
 * time. The content is sniffed; the file name extension does not matter.
 *
 * Errors (the message starts with the file name, then a colon):
 * %OTTER_ERROR_MISSING_IMAGE when the file does not exist,
 * %OTTER_ERROR_BAD_IMAGE when it is not a regular file, is empty, is not an
 * image or has a damaged header, %OTTER_ERROR_IMAGE_TOO_LARGE when it has
 * more than %OTTER_IMAGE_MAX_PIXELS pixels. A file damaged after its header
 * passes; decoding reports it.
 *
 * Returns: %TRUE when the header gave a usable size
 */
gboolean
otter_image_probe (const char  *path,
                   int         *width,
                   int         *height,
                   GError     **error)
{
  g_autofree char *name = NULL;
  const char *signature, *sniffed;
  GStatBuf st;
  int w = 0, h = 0;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  name = g_filename_display_name (path);

  if (g_stat (path, &st) != 0)
    {
      int saved_errno = errno;

      if (saved_errno == ENOENT || saved_errno == ENOTDIR)
        g_set_error (error, OTTER_ERROR, OTTER_ERROR_MISSING_IMAGE,
                     _("%s: no such image file"), name);
      else if (saved_errno == ELOOP)
        g_set_error (error, OTTER_ERROR, OTTER_ERROR_BAD_IMAGE,
                     _("%s: %s, not an image file"), name, otter_describe_irregular_file (path));
      else
        g_set_error (error, OTTER_ERROR, OTTER_ERROR_BAD_IMAGE,
                     "%s: %s", name, g_strerror (saved_errno));
      return FALSE;
    }
  if (!S_ISREG (st.st_mode))
    {
      g_set_error (error, OTTER_ERROR, OTTER_ERROR_BAD_IMAGE, _("%s: %s, not an image file"), name,
                   otter_describe_irregular_file (path) ? otter_describe_irregular_file (path) : _("not a regular file"));
      return FALSE;
    }
  if (st.st_size == 0)
    {
      g_set_error (error, OTTER_ERROR, OTTER_ERROR_BAD_IMAGE,
                   _("%s: the file is empty"), name);
      return FALSE;
    }

  {
    guint8 head[64] = { 0 };
    gsize n = 0;
    FILE *f = g_fopen (path, "rb");
    /* st is the file's, from the check above that it is a regular one */

    if (f != NULL)
      {
        n = fread (head, 1, sizeof head, f);
        fclose (f);
      }
    signature = signature_format (head, n);
    sniffed = otter_image_sniff (head, n, (goffset) st.st_size);
  }

  if (sniffed == NULL || !read_header_size (path, sniffed, &w, &h) || w <= 0 || h <= 0)
    {
      if (signature != NULL)
        g_set_error (error, OTTER_ERROR, OTTER_ERROR_BAD_IMAGE,
                     _("%s: the image header is truncated or damaged"), name);
      else
        g_set_error (error, OTTER_ERROR, OTTER_ERROR_BAD_IMAGE,
                     _("%s: not an image Otter can read (JPEG, PNG, …)"), name);
      return FALSE;
    }

  if ((gint64) w * h > OTTER_IMAGE_MAX_PIXELS)
    {
      g_set_error (error, OTTER_ERROR, OTTER_ERROR_IMAGE_TOO_LARGE,
                   _("%s: the image is %d × %d pixels, more than the %d megapixels Otter accepts"),
                   name, w, h, OTTER_IMAGE_MAX_PIXELS / (1024 * 1024));
      return FALSE;
    }

  if (width != NULL)
    *width = w;
  if (height != NULL)
    *height = h;

  return TRUE;
}
