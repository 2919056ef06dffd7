/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-dataset-utils.h: helpers shared by the dataset test binaries */
#pragma once

#include <string.h>

#include "otter-dataset.h"
#include "otter-error.h"

G_GNUC_UNUSED static char *
fixture (const char *path)
{
  return g_test_build_filename (G_TEST_DIST, "fixtures", "datasets", path, NULL);
}

G_GNUC_UNUSED static OtterDataset *
load_ok (const char *path)
{
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();
  OtterDataset *dataset = otter_dataset_load (path, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (dataset);
  g_test_message ("%s loaded in %.1f ms", path, (g_get_monotonic_time () - start) / 1000.0);

  return dataset;
}

G_GNUC_UNUSED static guint
n_samples (OtterDataset *dataset)
{
  return g_list_model_get_n_items (G_LIST_MODEL (dataset));
}

G_GNUC_UNUSED static OtterSample *
find_sample (OtterDataset *dataset,
             const char   *display_name)
{
  for (guint i = 0; i < n_samples (dataset); i++)
    if (g_strcmp0 (otter_sample_get_display_name (otter_dataset_get_sample (dataset, i)), display_name) == 0)
      return otter_dataset_get_sample (dataset, i);

  return NULL;
}

/* A skip whose file ends with `file` and whose reason contains `reason`. */
G_GNUC_UNUSED static void
assert_skipped (OtterDataset *dataset,
                const char   *file,
                const char   *reason)
{
  const GArray *skipped = otter_dataset_get_skipped (dataset);

  for (guint i = 0; i < skipped->len; i++)
    {
      const OtterSkippedSample *s = &g_array_index (skipped, OtterSkippedSample, i);

      if (g_str_has_suffix (s->file, file) && strstr (s->reason, reason) != NULL)
        {
          g_assert_null (strchr (s->reason, '\n'));
          return;
        }
    }

  for (guint i = 0; i < skipped->len; i++)
    g_test_message ("skipped: %s (%s)", g_array_index (skipped, OtterSkippedSample, i).reason,
                    g_array_index (skipped, OtterSkippedSample, i).file);
  g_error ("no skip of %s with the reason \"%s\"", file, reason);
}

G_GNUC_UNUSED static void
assert_box (const OtterBox *box,
            double          x1,
            double          y1,
            double          x2,
            double          y2,
            int             class_id)
{
  g_assert_cmpfloat_with_epsilon (box->x1, x1, 1e-6);
  g_assert_cmpfloat_with_epsilon (box->y1, y1, 1e-6);
  g_assert_cmpfloat_with_epsilon (box->x2, x2, 1e-6);
  g_assert_cmpfloat_with_epsilon (box->y2, y2, 1e-6);
  g_assert_cmpint (box->class_id, ==, class_id);
}

G_GNUC_UNUSED static void
assert_load_error (const char *path,
                   int         code,
                   const char *message_part)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OtterDataset) dataset = otter_dataset_load (path, NULL, &error);

  g_assert_null (dataset);
  g_assert_error (error, OTTER_ERROR, code);
  if (strstr (error->message, message_part) == NULL)
    g_error ("\"%s\" is not in the error \"%s\"", message_part, error->message);
}
