/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-dataset-demo.c: the generated demo dataset as an OtterDataset */
#include "config.h"

#include "otter-dataset.h"
#include "otter-demo.h"
#include "otter-error.h"

static void
assert_same_boxes (OtterSample  *sample,
                   const GArray *boxes)
{
  g_assert_cmpuint (otter_sample_get_n_boxes (sample), ==, boxes->len);
  for (guint b = 0; b < boxes->len; b++)
    {
      const OtterBox *x = otter_sample_get_box (sample, b);
      const OtterBox *y = &g_array_index (boxes, OtterBox, b);

      g_assert_cmpfloat (x->x1, ==, y->x1);
      g_assert_cmpfloat (x->y1, ==, y->y1);
      g_assert_cmpfloat (x->x2, ==, y->x2);
      g_assert_cmpfloat (x->y2, ==, y->y2);
      g_assert_cmpint (x->class_id, ==, y->class_id);
      g_assert_cmpint (x->crowd, ==, y->crowd);
    }
}

static void
test_default (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OtterDataset) dataset = otter_dataset_load ("demo", NULL, &error);
  guint n_boxes = 0;

  g_assert_no_error (error);
  g_assert_cmpint (otter_dataset_get_format (dataset), ==, OTTER_DATASET_FORMAT_DEMO);
  g_assert_cmpstr (otter_dataset_get_source (dataset), ==, "demo");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (dataset)), ==, OTTER_DEMO_DEFAULT_IMAGES);
  g_assert_cmpstrv (otter_dataset_get_class_names (dataset), otter_demo_class_names ());
  g_assert_cmpuint (otter_dataset_get_skipped (dataset)->len, ==, 0);

  for (guint i = 0; i < OTTER_DEMO_DEFAULT_IMAGES; i++)
    {
      OtterSample *sample = otter_dataset_get_sample (dataset, i);

      g_assert_true (otter_sample_is_generated (sample));
      g_assert_cmpuint (otter_sample_get_generator_seed (sample), ==, OTTER_DEMO_DEFAULT_SEED);
      g_assert_cmpuint (otter_sample_get_generator_index (sample), ==, i);
      g_assert_cmpint (otter_sample_get_width (sample), ==, OTTER_DEMO_IMAGE_SIZE);
      g_assert_cmpint (otter_sample_get_height (sample), ==, OTTER_DEMO_IMAGE_SIZE);
      g_assert_null (otter_sample_get_image_path (sample));
      n_boxes += otter_sample_get_n_boxes (sample);
    }
  g_assert_cmpuint (n_boxes, ==, otter_dataset_get_n_boxes (dataset));
  g_assert_cmpuint (n_boxes, >, 0);
  g_assert_cmpstr (otter_sample_get_display_name (otter_dataset_get_sample (dataset, 12)), ==, "demo #12");
}

/* The boxes listed without rendering are the boxes of the rendered image. */
static void
test_layout_matches_render (void)
{
  g_autoptr(OtterDataset) dataset = otter_dataset_new_demo (3, 24, 64);
  g_autoptr(GArray) boxes = g_array_new (FALSE, FALSE, sizeof (OtterBox));

  for (guint i = 0; i < 24; i++)
    {
      g_autoptr(OtterImage) image = NULL;

      g_array_set_size (boxes, 0);
      image = otter_demo_render (3, i, 64, boxes);
      g_assert_nonnull (image);
      assert_same_boxes (otter_dataset_get_sample (dataset, i), boxes);
    }
}

static void
test_deterministic (void)
{
  g_autoptr(OtterDataset) a = otter_dataset_new_demo (11, 40, 48);
  g_autoptr(OtterDataset) b = otter_dataset_new_demo (11, 40, 48);
  g_autoptr(OtterDataset) c = otter_dataset_new_demo (12, 40, 48);
  g_autoptr(OtterDataset) train = NULL;
  g_autoptr(OtterDataset) val = NULL;
  g_autoptr(GArray) boxes = g_array_new (FALSE, FALSE, sizeof (OtterBox));
  gboolean all_same = TRUE;

  for (guint i = 0; i < 40; i++)
    {
      OtterSample *sa = otter_dataset_get_sample (a, i);
      OtterSample *sc = otter_dataset_get_sample (c, i);

      g_array_set_size (boxes, 0);
      for (guint k = 0; k < otter_sample_get_n_boxes (sa); k++)
        g_array_append_vals (boxes, otter_sample_get_box (sa, k), 1);
      assert_same_boxes (otter_dataset_get_sample (b, i), boxes);

      all_same = all_same && otter_sample_get_n_boxes (sc) == boxes->len &&
                 (boxes->len == 0 || otter_sample_get_box (sc, 0)->x1 == g_array_index (boxes, OtterBox, 0).x1);
    }
  g_assert_false (all_same);

  g_assert_true (otter_dataset_split (a, 0.25, 5, &train, &val, NULL));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (val)), ==, 10);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (train)), ==, 30);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/otter/Dataset/demo/default", test_default);
  g_test_add_func ("/otter/Dataset/demo/layout-matches-render", test_layout_matches_render);
  g_test_add_func ("/otter/Dataset/demo/deterministic", test_deterministic);

  return g_test_run ();
}
