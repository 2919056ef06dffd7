/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-dataset-demo.c: the generated demo dataset as an OtterDataset */
#include "config.h"

#include "otter-dataset-private.h"
#include "otter-demo.h"

/**
 * otter_dataset_new_demo:
 * @seed: the seed of the demo set
 * @n_images: the number of images, at least 1
 * @image_size: the side of the square images, in pixels (at least 8)
 *
 * Makes the generated demo dataset: sample i is image i of the demo set
 * @seed. Only the box layout is computed here (otter_demo_layout()); the
 * pixels are rendered when a sample is loaded.
 *
 * Returns: (transfer full): the dataset, whose source is "demo"
 */
OtterDataset *
otter_dataset_new_demo (guint64 seed,
                        guint   n_images,
                        int     image_size)
{
  g_autoptr(GArray) boxes = g_array_new (FALSE, FALSE, sizeof (OtterBox));
  GPtrArray *samples;

  g_return_val_if_fail (n_images > 0, NULL);
  g_return_val_if_fail (image_size >= 8, NULL);

  samples = g_ptr_array_new_full (n_images, g_object_unref);
  for (guint i = 0; i < n_images; i++)
    {
      OtterSample *sample = otter_sample_new_generated (seed, i, image_size);

      g_array_set_size (boxes, 0);
      otter_demo_layout (seed, i, image_size, boxes);
      for (guint b = 0; b < boxes->len; b++)
        otter_sample_add_box (sample, &g_array_index (boxes, OtterBox, b));

      g_ptr_array_add (samples, sample);
    }

  return otter_dataset_new_from_parts (OTTER_DATASET_FORMAT_DEMO, "demo", samples,
                                       g_strdupv ((char **) otter_demo_class_names ()),
                                       g_array_new (FALSE, TRUE, sizeof (OtterSkippedSample)));
}
