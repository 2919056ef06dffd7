/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-dataset-real.c: the shared real datasets (raccoon, coco128) in each of their formats */
#include "config.h"

#include <math.h>

#include "test-dataset-utils.h"

/* A folder of the shared real datasets, or NULL (and the test skipped). */
static char *
shared_dataset (const char *path)
{
  const char *root = g_getenv ("OTTER_SHARED_DATASETS");
  g_autofree char *full = NULL;

  if (root == NULL)
    {
      g_test_skip ("OTTER_SHARED_DATASETS is not set; the real datasets are not available");
      return NULL;
    }
  full = g_build_filename (root, path, NULL);
  if (!g_file_test (full, G_FILE_TEST_EXISTS))
    {
      g_autofree char *message = g_strdup_printf ("%s is absent (the shared datasets live beside the project)",
                                                  full);
      g_test_skip (message);
      return NULL;
    }

  return g_steal_pointer (&full);
}

/* Boxes of each class, crowd boxes left out. */
static guint *
count_non_crowd (OtterDataset *dataset)
{
  guint *counts = g_new0 (guint, otter_dataset_get_n_classes (dataset));

  for (guint i = 0; i < n_samples (dataset); i++)
    {
      OtterSample *sample = otter_dataset_get_sample (dataset, i);

      for (guint b = 0; b < otter_sample_get_n_boxes (sample); b++)
        if (!otter_sample_get_box (sample, b)->crowd)
          counts[otter_sample_get_box (sample, b)->class_id]++;
    }

  return counts;
}

static void
test_raccoon_voc (void)
{
  g_autofree char *path = shared_dataset ("raccoon");
  g_autoptr(OtterDataset) dataset = NULL;
  OtterSample *sample;

  if (path == NULL)
    return;
  dataset = load_ok (path);

  g_assert_cmpint (otter_dataset_get_format (dataset), ==, OTTER_DATASET_FORMAT_VOC);
  g_assert_cmpuint (n_samples (dataset), ==, 200);
  g_assert_cmpuint (otter_dataset_get_n_boxes (dataset), ==, 217);
  g_assert_cmpuint (otter_dataset_get_n_classes (dataset), ==, 1);
  g_assert_cmpstr (otter_dataset_get_class_names (dataset)[0], ==, "raccoon");
  g_assert_cmpuint (otter_dataset_get_class_counts (dataset)[0], ==, 217);
  g_assert_cmpuint (otter_dataset_get_skipped (dataset)->len, ==, 0);

  /* VOC's 1-based xmin 81 ymin 88 xmax 522 ymax 408 */
  sample = find_sample (dataset, "raccoon-1.jpg");
  g_assert_nonnull (sample);
  g_assert_cmpint (otter_sample_get_width (sample), ==, 650);
  g_assert_cmpint (otter_sample_get_height (sample), ==, 417);
  g_assert_cmpuint (otter_sample_get_n_boxes (sample), ==, 1);
  assert_box (otter_sample_get_box (sample, 0), 80, 87, 522, 408, 0);
  g_assert_true (g_str_has_suffix (otter_sample_get_annotation_path (sample), "annotations/raccoon-1.xml"));
  g_assert_true (g_file_test (otter_sample_get_image_path (sample), G_FILE_TEST_IS_REGULAR));

  /* Natural order: raccoon-2 comes before raccoon-10 */
  g_assert_cmpstr (otter_sample_get_display_name (otter_dataset_get_sample (dataset, 1)), ==, "raccoon-2.jpg");
}

static void
test_raccoon_csv (void)
{
  g_autofree char *dir = shared_dataset ("raccoon");
  g_autoptr(OtterDataset) all = NULL;
  g_autoptr(OtterDataset) train = NULL;
  g_autoptr(OtterDataset) test = NULL;
  g_autoptr(OtterDataset) voc = NULL;
  g_autoptr(GHashTable) train_names = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *all_path = NULL;
  g_autofree char *train_path = NULL;
  g_autofree char *test_path = NULL;

  if (dir == NULL)
    return;
  all_path = g_build_filename (dir, "data", "raccoon_labels.csv", NULL);
  train_path = g_build_filename (dir, "data", "train_labels.csv", NULL);
  test_path = g_build_filename (dir, "data", "test_labels.csv", NULL);
  all = load_ok (all_path);
  train = load_ok (train_path);
  test = load_ok (test_path);
  voc = load_ok (dir);

  g_assert_cmpint (otter_dataset_get_format (all), ==, OTTER_DATASET_FORMAT_CSV);
  g_assert_cmpuint (n_samples (all), ==, 200);
  g_assert_cmpuint (otter_dataset_get_n_boxes (all), ==, 217);
  g_assert_cmpuint (n_samples (train), ==, 160);
  g_assert_cmpuint (otter_dataset_get_n_boxes (train), ==, 173);
  g_assert_cmpuint (n_samples (test), ==, 40);
  g_assert_cmpuint (otter_dataset_get_n_boxes (test), ==, 44);
  g_assert_cmpuint (otter_dataset_get_skipped (all)->len, ==, 0);
  g_assert_cmpstr (otter_dataset_get_class_names (train)[0], ==, "raccoon");

  /* The published split is disjoint. */
  for (guint i = 0; i < n_samples (train); i++)
    g_hash_table_add (train_names, (char *) otter_sample_get_display_name (otter_dataset_get_sample (train, i)));
  for (guint i = 0; i < n_samples (test); i++)
    g_assert_false (g_hash_table_contains (train_names,
                                           otter_sample_get_display_name (otter_dataset_get_sample (test, i))));

  /* CSV corners are taken as they are; VOC's lose 1 at the top left. */
  for (guint i = 0; i < n_samples (all); i++)
    {
      OtterSample *a = otter_dataset_get_sample (all, i);
      OtterSample *b = find_sample (voc, otter_sample_get_display_name (a));

      g_assert_nonnull (b);
      g_assert_cmpuint (otter_sample_get_n_boxes (a), ==, otter_sample_get_n_boxes (b));
      g_assert_cmpint (otter_sample_get_width (a), ==, otter_sample_get_width (b));
      for (guint k = 0; k < otter_sample_get_n_boxes (a); k++)
        {
          const OtterBox *ba = otter_sample_get_box (a, k), *bb = otter_sample_get_box (b, k);

          g_assert_cmpfloat (ba->x1 - bb->x1, ==, 1);
          g_assert_cmpfloat (ba->y1 - bb->y1, ==, 1);
          g_assert_cmpfloat (ba->x2, ==, bb->x2);
          g_assert_cmpfloat (ba->y2, ==, bb->y2);
        }
    }
}

static void
test_coco128 (void)
{
  g_autofree char *dir = shared_dataset ("coco128");
  g_autoptr(OtterDataset) yolo = NULL;
  g_autoptr(OtterDataset) folder = NULL;
  g_autoptr(OtterDataset) coco = NULL;
  g_autofree char *yaml = NULL;
  g_autofree char *json = NULL;
  g_autofree guint *coco_counts = NULL;
  guint n_crowd = 0, n_without_boxes = 0;

  if (dir == NULL)
    return;
  yaml = g_build_filename (dir, "data.yaml", NULL);
  json = g_build_filename (dir, "annotations", "instances_coco128.json", NULL);
  yolo = load_ok (yaml);
  folder = load_ok (dir);
  coco = load_ok (json);

  /* YOLO: 128 images (2 without labels), 2 label files without an image */
  g_assert_cmpint (otter_dataset_get_format (yolo), ==, OTTER_DATASET_FORMAT_YOLO);
  g_assert_cmpuint (n_samples (yolo), ==, 128);
  g_assert_cmpuint (otter_dataset_get_n_boxes (yolo), ==, 929);
  g_assert_cmpuint (otter_dataset_get_n_classes (yolo), ==, 80);
  g_assert_cmpstr (otter_dataset_get_class_names (yolo)[0], ==, "person");
  g_assert_cmpstr (otter_dataset_get_class_names (yolo)[79], ==, "toothbrush");
  g_assert_cmpuint (otter_dataset_get_skipped (yolo)->len, ==, 2);
  assert_skipped (yolo, "labels/000000000656.txt", "labels/000000000656.txt: no image");
  assert_skipped (yolo, "labels/000000000659.txt", "labels/000000000659.txt: no image");
  g_assert_cmpuint (otter_sample_get_n_boxes (find_sample (yolo, "000000000250.jpg")), ==, 0);
  g_assert_null (otter_sample_get_annotation_path (find_sample (yolo, "000000000508.jpg")));
  g_assert_cmpuint (n_samples (folder), ==, 128);
  g_assert_cmpuint (otter_dataset_get_n_boxes (folder), ==, 929);

  /* COCO JSON: the same images, 939 boxes of which 10 crowd */
  g_assert_cmpint (otter_dataset_get_format (coco), ==, OTTER_DATASET_FORMAT_COCO);
  g_assert_cmpuint (n_samples (coco), ==, 128);
  g_assert_cmpuint (otter_dataset_get_n_boxes (coco), ==, 939);
  g_assert_cmpuint (otter_dataset_get_skipped (coco)->len, ==, 0);
  g_assert_cmpstrv (otter_dataset_get_class_names (coco), otter_dataset_get_class_names (yolo));
  for (guint i = 0; i < n_samples (coco); i++)
    {
      OtterSample *sample = otter_dataset_get_sample (coco, i);

      n_without_boxes += otter_sample_get_n_boxes (sample) == 0;
      for (guint b = 0; b < otter_sample_get_n_boxes (sample); b++)
        n_crowd += otter_sample_get_box (sample, b)->crowd;
    }
  g_assert_cmpuint (n_crowd, ==, 10);
  g_assert_cmpuint (n_without_boxes, ==, 2);

  /* Category ids 1…90 map to the same classes as YOLO's 0…79, and the
   * non-crowd boxes are the YOLO boxes, to a fraction of a pixel. */
  coco_counts = count_non_crowd (coco);
  for (guint c = 0; c < 80; c++)
    g_assert_cmpuint (coco_counts[c], ==, otter_dataset_get_class_counts (yolo)[c]);
  for (guint i = 0; i < n_samples (yolo); i++)
    {
      OtterSample *a = otter_dataset_get_sample (yolo, i);
      OtterSample *b = find_sample (coco, otter_sample_get_display_name (a));

      for (guint k = 0; k < otter_sample_get_n_boxes (a); k++)
        {
          const OtterBox *ba = otter_sample_get_box (a, k);
          gboolean found = FALSE;

          for (guint m = 0; m < otter_sample_get_n_boxes (b) && !found; m++)
            {
              const OtterBox *bb = otter_sample_get_box (b, m);

              found = bb->class_id == ba->class_id && fabs (bb->x1 - ba->x1) < 0.01 &&
                      fabs (bb->y1 - ba->y1) < 0.01 && fabs (bb->x2 - ba->x2) < 0.01 &&
                      fabs (bb->y2 - ba->y2) < 0.01;
            }
          g_assert_true (found);
        }
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/otter/Dataset/real/raccoon-voc", test_raccoon_voc);
  g_test_add_func ("/otter/Dataset/real/raccoon-csv", test_raccoon_csv);
  g_test_add_func ("/otter/Dataset/real/coco128", test_coco128);

  return g_test_run ();
}
