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
  otter_fuzz_load_beside_images ("data/labels.csv", "data/labels.csv", data, size);
  return 0;
}
