/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-common.c: temporary dataset folders and a strict log writer */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz-common.h"

static const guint8 png_good[] = {
  0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d,
  0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00, 0x40, 0x00, 0x00, 0x00, 0x30,
  0x08, 0x00, 0x00, 0x00, 0x00, 0x84, 0x20, 0x23, 0xc3, 0x00, 0x00, 0x00,
  0x25, 0x49, 0x44, 0x41, 0x54, 0x78, 0xda, 0xed, 0xcc, 0x41, 0x11, 0x00,
  0x00, 0x0c, 0x02, 0x20, 0xa3, 0x1b, 0xdd, 0x10, 0xfb, 0xed, 0x20, 0x00,
  0xe9, 0x51, 0x04, 0x02, 0x81, 0x40, 0x20, 0x10, 0x08, 0x04, 0x02, 0xc1,
  0xd7, 0x60, 0x30, 0xbe, 0x00, 0x5b, 0x62, 0x15, 0xe6, 0x35, 0x00, 0x00,
  0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
};

static const guint8 png_other[] = {
  0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d,
  0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00, 0x20, 0x00, 0x00, 0x00, 0x20,
  0x08, 0x00, 0x00, 0x00, 0x00, 0x56, 0x11, 0x25, 0x28, 0x00, 0x00, 0x00,
  0x16, 0x49, 0x44, 0x41, 0x54, 0x78, 0xda, 0x63, 0x68, 0x20, 0x00, 0x18,
  0x46, 0x15, 0x8c, 0x2a, 0x18, 0x55, 0x30, 0x52, 0x15, 0x00, 0x00, 0x42,
  0x00, 0x00, 0x1f, 0x37, 0x97, 0x36, 0x00, 0x00, 0x00, 0x00, 0x00, 0x49,
  0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
};

static gboolean verbose;

static GLogWriterOutput
fuzz_log_writer (GLogLevelFlags   level,
                 const GLogField *fields,
                 gsize            n_fields,
                 gpointer         user_data)
{
  gboolean fatal = (level & (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_ERROR | G_LOG_FLAG_FATAL)) != 0;

  if (fatal || verbose)
    g_log_writer_standard_streams (level, fields, n_fields, user_data);
  if (fatal)
    abort ();

  return G_LOG_WRITER_HANDLED;
}

void
otter_fuzz_init (void)
{
  static gsize initialised = 0;

  if (g_once_init_enter (&initialised))
    {
      verbose = g_getenv ("OTTER_FUZZ_VERBOSE") != NULL;
      g_log_set_writer_func (fuzz_log_writer, NULL, NULL);
      g_once_init_leave (&initialised, 1);
    }
}

char *
otter_fuzz_make_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("otter-fuzz-XXXXXX", &error);

  if (dir == NULL)
    {
      fprintf (stderr, "fuzz: no temporary folder: %s\n", error->message);
      abort ();
    }

  return dir;
}

void
otter_fuzz_remove_dir (const char *dir)
{
  GDir *d = g_dir_open (dir, 0, NULL);
  const char *name;

  if (d != NULL)
    {
      while ((name = g_dir_read_name (d)) != NULL)
        {
          g_autofree char *path = g_build_filename (dir, name, NULL);

          /* never follows a link out of the folder */
          if (g_file_test (path, G_FILE_TEST_IS_DIR) && !g_file_test (path, G_FILE_TEST_IS_SYMLINK))
            otter_fuzz_remove_dir (path);
          else
            g_unlink (path);
        }
      g_dir_close (d);
    }
  g_rmdir (dir);
}

void
otter_fuzz_write (const char *dir,
                  const char *relative,
                  const void *data,
                  gsize       size)
{
  g_autofree char *path = g_build_filename (dir, relative, NULL);
  g_autofree char *parent = g_path_get_dirname (path);
  g_autoptr(GError) error = NULL;

  if (g_mkdir_with_parents (parent, 0700) != 0 ||
      !g_file_set_contents (path, size > 0 ? data : "", size, &error))
    {
      fprintf (stderr, "fuzz: cannot write %s: %s\n", path,
               error != NULL ? error->message : g_strerror (errno));
      abort ();
    }
}

void
otter_fuzz_write_png (const char *dir,
                      const char *relative,
                      gboolean    other)
{
  if (other)
    otter_fuzz_write (dir, relative, png_other, sizeof png_other);
  else
    otter_fuzz_write (dir, relative, png_good, sizeof png_good);
}

static const uint8_t *
find_bytes (const uint8_t *data,
            gsize          size,
            const char    *needle,
            gsize          needle_len)
{
  for (gsize i = 0; i + needle_len <= size; i++)
    if (data[i] == (uint8_t) needle[0] && memcmp (data + i, needle, needle_len) == 0)
      return data + i;

  return NULL;
}

guint
otter_fuzz_split (const uint8_t  *data,
                  size_t          size,
                  const char     *separator,
                  const uint8_t **parts,
                  gsize          *lengths,
                  guint           max_parts)
{
  gsize sep_len = strlen (separator);
  guint n = 0;

  g_assert (max_parts > 0 && sep_len > 0);

  while (n + 1 < max_parts)
    {
      const uint8_t *hit = find_bytes (data, size, separator, sep_len);

      if (hit == NULL)
        break;
      parts[n] = data;
      lengths[n] = hit - data;
      n++;
      size -= (hit - data) + sep_len;
      data = hit + sep_len;
    }
  parts[n] = data;
  lengths[n] = size;

  return n + 1;
}
