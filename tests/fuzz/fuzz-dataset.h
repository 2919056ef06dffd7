/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-dataset.h: what every loaded dataset must satisfy, whatever its files */
#pragma once

#include "fuzz-common.h"
#include "otter-dataset.h"

/* Boxes lie inside their image (edges clamped), have a size and a class
 * of the dataset; the class counts add up; a split keeps every sample. */
static inline void
otter_fuzz_check_dataset (OtterDataset *dataset)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (dataset));
  guint n_classes = otter_dataset_get_n_classes (dataset);
  const guint *counts = otter_dataset_get_class_counts (dataset);
  const char *const *names = otter_dataset_get_class_names (dataset);
  g_autoptr(OtterDataset) train = NULL;
  g_autoptr(OtterDataset) val = NULL;
  guint64 n_counted = 0;

  g_assert_cmpuint (n, >, 0);
  g_assert_cmpuint (g_strv_length ((char **) names), ==, n_classes);
  for (guint c = 0; c < n_classes; c++)
    n_counted += counts[c];
  g_assert_cmpuint (n_counted, <=, otter_dataset_get_n_boxes (dataset));

  for (guint i = 0; i < n; i++)
    {
      OtterSample *sample = otter_dataset_get_sample (dataset, i);
      int width = otter_sample_get_width (sample);
      int height = otter_sample_get_height (sample);

      g_assert_cmpint (width, >, 0);
      g_assert_cmpint (height, >, 0);
      for (guint b = 0; b < otter_sample_get_n_boxes (sample); b++)
        {
          const OtterBox *box = otter_sample_get_box (sample, b);

          g_assert_cmpint (box->class_id, >=, 0);
          g_assert_cmpint (box->class_id, <, (int) n_classes);
          g_assert_cmpfloat (box->x1, >=, 0);
          g_assert_cmpfloat (box->y1, >=, 0);
          g_assert_cmpfloat (box->x1, <, box->x2);
          g_assert_cmpfloat (box->y1, <, box->y2);
          g_assert_cmpfloat (box->x2, <=, width);
          g_assert_cmpfloat (box->y2, <=, height);
        }
    }

  if (n >= 2)
    {
      g_assert_true (otter_dataset_split (dataset, 0.5, 1, &train, &val, NULL));
      g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (train)) +
                        g_list_model_get_n_items (G_LIST_MODEL (val)), ==, n);
    }
}

/* The input as the file `annotation` (relative) of a fresh folder whose
 * images/ holds good.png (64 × 48) and other.png (32 × 32); loads `load`
 * (relative, "" for the folder itself), checks what loads, removes it all. */
static inline void
otter_fuzz_load_beside_images (const char    *annotation,
                               const char    *load,
                               const uint8_t *data,
                               size_t         size)
{
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autoptr(OtterDataset) dataset = NULL;
  g_autoptr(GError) error = NULL;

  otter_fuzz_init ();
  dir = otter_fuzz_make_dir ();
  otter_fuzz_write_png (dir, "images/good.png", FALSE);
  otter_fuzz_write_png (dir, "images/other.png", TRUE);
  otter_fuzz_write (dir, annotation, data, size);

  path = g_build_filename (dir, load, NULL);
  dataset = otter_dataset_load (path, NULL, &error);
  g_assert ((dataset != NULL) != (error != NULL));
  if (dataset != NULL)
    otter_fuzz_check_dataset (dataset);

  otter_fuzz_remove_dir (dir);
}
