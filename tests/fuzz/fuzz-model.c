/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-model.c: an .otter model file through otter_torch_model_load()
 *
 * The file's SHA-256 is checked before anything else is read, so the
 * harness appends the right one: mutations reach the header parser
 * instead of all stopping at the checksum. An input starting with the
 * magic "OTTERMDL" is the file up to its digest. Any other input is cut
 * at the first line "#8<\n" into the JSON header and the tensor data,
 * and the harness writes the magic, the version and the header length
 * in front of them.
 */
#include "config.h"

#include <string.h>

#include "fuzz-common.h"
#include "otter-torch.h"

#define SEPARATOR "#8<\n"
#define MAGIC "OTTERMDL"

static void
append_u32 (GByteArray *out,
            guint32     value)
{
  guint32 le = GUINT32_TO_LE (value);

  g_byte_array_append (out, (const guint8 *) &le, sizeof le);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static gboolean threads_set;
  g_autoptr(GByteArray) file = g_byte_array_new ();
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  OtterTorchModel *model;
  guint8 digest[32];
  gsize digest_len = sizeof digest;

  otter_fuzz_init ();
  if (!threads_set)
    {
      otter_torch_set_threads (1);
      threads_set = TRUE;
    }

  if (size >= strlen (MAGIC) && memcmp (data, MAGIC, strlen (MAGIC)) == 0)
    g_byte_array_append (file, data, size);
  else
    {
      const uint8_t *parts[2];
      gsize lengths[2];
      guint n_parts = otter_fuzz_split (data, size, SEPARATOR, parts, lengths, G_N_ELEMENTS (parts));

      g_byte_array_append (file, (const guint8 *) MAGIC, strlen (MAGIC));
      append_u32 (file, 1);
      append_u32 (file, (guint32) lengths[0]);
      g_byte_array_append (file, parts[0], lengths[0]);
      if (n_parts > 1)
        g_byte_array_append (file, parts[1], lengths[1]);
    }
  g_checksum_update (sum, file->data, file->len);
  g_checksum_get_digest (sum, digest, &digest_len);
  g_byte_array_append (file, digest, digest_len);

  dir = otter_fuzz_make_dir ();
  otter_fuzz_write (dir, "model.otter", file->data, file->len);
  path = g_build_filename (dir, "model.otter", NULL);

  model = otter_torch_model_load (path, &error);
  g_assert ((model != NULL) != (error != NULL));
  if (model != NULL)
    {
      g_autofree char *description = otter_torch_model_dup_description_json (model);

      g_assert_nonnull (description);
      g_assert_cmpint (otter_torch_model_get_n_classes (model), >, 0);
      otter_torch_model_free (model);
    }

  otter_fuzz_remove_dir (dir);
  return 0;
}
