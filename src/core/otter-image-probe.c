/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-image-probe.c: an image's size from its header, without decoding it */
#include "config.h"

#include "otter-untrusted.h"

#include <errno.h>
#include <string.h>
#include <glib/gstdio.h>
#include <gdk-pixbuf/gdk-pixbuf.h>

#include "otter-error.h"
#include "otter-image.h"

/* Whether the first bytes carry the signature of an image format, so a file
 * whose header cannot be read is called damaged rather than "not an image". */
static gboolean
has_image_signature (const char *path)
{
  static const struct { const char *magic; gsize len; } signatures[] = {
    { "\xff\xd8\xff", 3 },                      /* JPEG */
    { "\x89PNG\r\n\x1a\n", 8 },                 /* PNG */
    { "GIF8", 4 },
    { "BM", 2 },
    { "II*\0", 4 },                             /* TIFF, little endian */
    { "MM\0*", 4 },                             /* TIFF, big endian */
  };
  guint8 head[12] = { 0 };
  gsize n;
  FILE *f;

  f = g_fopen (path, "rb");
  if (f == NULL)
    return FALSE;
  n = fread (head, 1, sizeof head, f);
  fclose (f);

  for (guint i = 0; i < G_N_ELEMENTS (signatures); i++)
    if (n >= signatures[i].len &&
        memcmp (head, signatures[i].magic, signatures[i].len) == 0)
      return TRUE;

  return n >= 12 && memcmp (head, "RIFF", 4) == 0 && memcmp (head + 8, "WEBP", 4) == 0;
}

/**
 * otter_image_probe:
 * @path: an image file
 * @width: (out) (optional): the width in pixels
 * @height: (out) (optional): the height in pixels
 * @error: return location for a #GError
 *
 * Reads only the header of @path (through gdk_pixbuf_get_file_info()) to
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
  GdkPixbufFormat *format;
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
                     "%s: no such image file", name);
      else if (saved_errno == ELOOP)
        g_set_error (error, OTTER_ERROR, OTTER_ERROR_BAD_IMAGE,
                     "%s: %s, not an image file", name, otter_describe_irregular_file (path));
      else
        g_set_error (error, OTTER_ERROR, OTTER_ERROR_BAD_IMAGE,
                     "%s: %s", name, g_strerror (saved_errno));
      return FALSE;
    }
  if (!S_ISREG (st.st_mode))
    {
      g_set_error (error, OTTER_ERROR, OTTER_ERROR_BAD_IMAGE, "%s: %s, not an image file", name,
                   otter_describe_irregular_file (path) ? otter_describe_irregular_file (path) : "not a regular file");
      return FALSE;
    }
  if (st.st_size == 0)
    {
      g_set_error (error, OTTER_ERROR, OTTER_ERROR_BAD_IMAGE,
                   "%s: the file is empty", name);
      return FALSE;
    }

  format = gdk_pixbuf_get_file_info (path, &w, &h);
  if (format == NULL || w <= 0 || h <= 0)
    {
      if (has_image_signature (path))
        g_set_error (error, OTTER_ERROR, OTTER_ERROR_BAD_IMAGE,
                     "%s: the image header is truncated or damaged", name);
      else
        g_set_error (error, OTTER_ERROR, OTTER_ERROR_BAD_IMAGE,
                     "%s: not an image Otter can read (JPEG, PNG, …)", name);
      return FALSE;
    }

  if ((gint64) w * h > OTTER_IMAGE_MAX_PIXELS)
    {
      g_set_error (error, OTTER_ERROR, OTTER_ERROR_IMAGE_TOO_LARGE,
                   "%s: the image is %d × %d pixels, more than the %d megapixels Otter accepts",
                   name, w, h, OTTER_IMAGE_MAX_PIXELS / (1024 * 1024));
      return FALSE;
    }

  if (width != NULL)
    *width = w;
  if (height != NULL)
    *height = h;

  return TRUE;
}
