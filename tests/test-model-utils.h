/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-model-utils.h: helpers shared by the model-file test binaries */
#pragma once

#include <glib/gstdio.h>

/* Replaces `from` by `to` in a model file's JSON header (all occurrences
 * when all is set, else exactly one), fixing the header length and the
 * SHA-256, as a file written with another header would look. Returns how
 * many were replaced. */
G_GNUC_UNUSED static guint
model_file_rewrite_header (const char *path,
                           const char *from,
                           const char *to,
                           gboolean    all)
{
  char *data = NULL;
  gsize len = 0;
  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  guint32 header_len = GUINT32_FROM_LE (*(guint32 *) (data + 12));
  g_autoptr (GString) header = g_string_new_len (data + 16, header_len);
  guint n = g_string_replace (header, from, to, all ? 0 : 1);
  g_autoptr (GByteArray) out = g_byte_array_new ();
  guint32 new_len = GUINT32_TO_LE ((guint32) header->len);
  g_byte_array_append (out, (guint8 *) data, 12);
  g_byte_array_append (out, (guint8 *) &new_len, 4);
  g_byte_array_append (out, (guint8 *) header->str, header->len);
  g_byte_array_append (out, (guint8 *) data + 16 + header_len, len - 16 - header_len - 32);
  g_autoptr (GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_checksum_update (sum, out->data, out->len);
  guint8 digest[32];
  gsize digest_len = sizeof digest;
  g_checksum_get_digest (sum, digest, &digest_len);
  g_byte_array_append (out, digest, digest_len);
  g_assert_true (g_file_set_contents (path, (char *) out->data, out->len, NULL));
  g_free (data);
  return n;
}

/* Removes a temporary folder and the files in it. */
G_GNUC_UNUSED static void
remove_temp_dir (const char *dir)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (dir);
}
