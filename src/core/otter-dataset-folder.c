/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-dataset-folder.c: a plain folder of images, without boxes */
#include "config.h"

#include "otter-dataset-private.h"
#include "otter-error.h"

/* Loads the images directly in `path` (by extension, then checked by
 * header) as samples without boxes and without classes: for looking at
 * perturbations and running detection, not for training. */
OtterDataset *
otter_dataset_load_folder (const char    *path,
                           OtterDatasetLoadFlags flags,
                           GCancellable  *cancellable,
                           GError       **error)
{
  g_autoptr(OtterDatasetBuilder) builder = NULL;
  g_autoptr(GPtrArray) files = NULL;
  g_autofree char *dir = g_canonicalize_filename (path, NULL);
  g_autofree char *root = g_path_get_dirname (dir);
  const char *const no_classes[] = { NULL };

  files = otter_dataset_list_files (dir, FALSE, otter_dataset_is_image_name, error);
  if (files == NULL)
    return NULL;

  /* Messages name files relative to the folder above. */
  builder = otter_dataset_builder_new (OTTER_DATASET_FORMAT_FOLDER, flags, path, root);
  otter_dataset_builder_set_boundary (builder, dir);
  otter_dataset_builder_set_class_names (builder, no_classes);

  for (guint i = 0; i < files->len; i++)
    {
      g_autofree char *image_path = g_build_filename (dir, files->pdata[i], NULL);
      g_autoptr(OtterSample) sample = NULL;
      int width, height;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;
      if (!otter_dataset_builder_probe (builder, NULL, image_path, &width, &height))
        continue;

      sample = otter_sample_new (image_path, NULL, width, height);
      otter_dataset_builder_add_sample (builder, sample);
    }

  return otter_dataset_builder_finish (builder, error);
}
