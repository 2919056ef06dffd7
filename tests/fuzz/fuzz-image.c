/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-image.c: the image probe, the decoder and the letterbox
 *
 * The first byte picks the letterbox side the image is decoded for (a
 * JPEG may then be decoded reduced); the rest is the image file. An
 * image that probes is decoded, and the decoded one is letterboxed.
 */
#include "config.h"

#include "fuzz-common.h"
#include "otter-image.h"
#include "otter-sample.h"

/* Decoding cost grows with the size the header claims; the probe's own
 * limit is tested elsewhere, so larger images are only probed. */
#define MAX_DECODED_PIXELS (1 << 22)

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static const int fit_sizes[] = { 0, 32, 64, 96, 128, 320, 640, 17 };
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(OtterSample) sample = NULL;
  g_autoptr(OtterImage) image = NULL;
  int width = 0, height = 0, fit_size;
  int full[3] = { 0, 0, 0 };

  if (size < 1)
    return 0;
  otter_fuzz_init ();
  fit_size = fit_sizes[data[0] % G_N_ELEMENTS (fit_sizes)];

  dir = otter_fuzz_make_dir ();
  otter_fuzz_write (dir, "image", data + 1, size - 1);
  path = g_build_filename (dir, "image", NULL);

  if (!otter_image_probe (path, &width, &height, &error))
    {
      g_assert_nonnull (error);
      goto out;
    }
  g_assert_cmpint (width, >, 0);
  g_assert_cmpint (height, >, 0);
  if ((gint64) width * height > MAX_DECODED_PIXELS)
    goto out;

  sample = otter_sample_new (path, NULL, width, height);
  image = otter_image_load_sample_to_fit (sample, fit_size, full, &error);
  if (image == NULL)
    {
      g_assert_nonnull (error);
      goto out;
    }
  g_assert_cmpint (image->width, >, 0);
  g_assert_cmpint (image->height, >, 0);
  g_assert_cmpint (full[2], >=, 1);
  g_assert_cmpint (image->width, <=, full[0]);
  g_assert_cmpint (image->height, <=, full[1]);

  {
    const int side = 32;
    g_autofree float *chw = g_new (float, 3 * side * side);
    OtterLetterbox letterbox;

    otter_image_letterbox_reduced (image, full[0], full[1], full[2], side, chw, &letterbox);
    for (int i = 0; i < 3 * side * side; i++)
      g_assert_true (chw[i] >= 0.0f && chw[i] <= 1.0f);
  }

out:
  otter_fuzz_remove_dir (dir);
  return 0;
}
