/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-yolo.c: a YOLO data.yaml and its label files
 *
 * The input is cut at each line "#8<\n" (a YAML comment, so seeds stay
 * valid YAML): data.yaml, then labels/good.txt, then labels/other.txt,
 * beside images/good.png (64 × 48) and images/other.png (32 × 32).
 * Without a cut, good.txt gets one box of class 0.
 */
#include "config.h"

#include "fuzz-common.h"
#include "fuzz-dataset.h"

#define SEPARATOR "#8<\n"

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static const char default_label[] = "0 0.5 0.5 0.25 0.25\n";
  g_autofree char *dir = NULL;
  g_autofree char *yaml = NULL;
  g_autoptr(OtterDataset) dataset = NULL;
  g_autoptr(GError) error = NULL;
  const uint8_t *parts[3];
  gsize lengths[3];
  guint n_parts;

  otter_fuzz_init ();
  n_parts = otter_fuzz_split (data, size, SEPARATOR, parts, lengths, G_N_ELEMENTS (parts));

  dir = otter_fuzz_make_dir ();
  otter_fuzz_write_png (dir, "images/good.png", FALSE);
  otter_fuzz_write_png (dir, "images/other.png", TRUE);
  otter_fuzz_write (dir, "data.yaml", parts[0], lengths[0]);
  if (n_parts > 1)
    otter_fuzz_write (dir, "labels/good.txt", parts[1], lengths[1]);
  else
    otter_fuzz_write (dir, "labels/good.txt", default_label, sizeof default_label - 1);
  if (n_parts > 2)
    otter_fuzz_write (dir, "labels/other.txt", parts[2], lengths[2]);

  yaml = g_build_filename (dir, "data.yaml", NULL);
  dataset = otter_dataset_load (yaml, NULL, &error);
  g_assert ((dataset != NULL) != (error != NULL));
  if (dataset != NULL)
    otter_fuzz_check_dataset (dataset);

  otter_fuzz_remove_dir (dir);
  return 0;
}
