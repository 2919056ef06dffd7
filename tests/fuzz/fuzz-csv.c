/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-csv.c: a CSV annotation file, beside two valid images
 *
 * The input is data/labels.csv of a folder whose images/ holds good.png
 * (64 × 48) and other.png (32 × 32).
 */
#include "config.h"

#include "fuzz-common.h"
#include "fuzz-dataset.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *dir = NULL;
  g_autofree char *csv = NULL;
  g_autoptr(OtterDataset) dataset = NULL;
  g_autoptr(GError) error = NULL;

  otter_fuzz_init ();
  dir = otter_fuzz_make_dir ();
  otter_fuzz_write_png (dir, "images/good.png", FALSE);
  otter_fuzz_write_png (dir, "images/other.png", TRUE);
  otter_fuzz_write (dir, "data/labels.csv", data, size);

  csv = g_build_filename (dir, "data", "labels.csv", NULL);
  dataset = otter_dataset_load (csv, NULL, &error);
  g_assert ((dataset != NULL) != (error != NULL));
  if (dataset != NULL)
    otter_fuzz_check_dataset (dataset);

  otter_fuzz_remove_dir (dir);
  return 0;
}
