/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-dataset-outside.c: annotation paths and links that lead outside the
 * dataset's folder are skipped with a reason, in every format, unless the
 * load allows them; a dataset made only of such files is its own error. */

#include "config.h"

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "otter-dataset.h"
#include "otter-error.h"
#include "otter-train-config.h"

/* tmp/secret/x.png is the file no dataset below may read unless allowed. */
static char *tmp_dir;
static char *secret;

static void
write_image (const char *path)
{
  g_autoptr (GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 64, 48);
  g_autofree char *dir = g_path_get_dirname (path);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  gdk_pixbuf_fill (pixbuf, 0x808080ff);
  g_assert_true (gdk_pixbuf_save (pixbuf, path, "png", NULL, NULL));
}

static char *
in_tmp (const char *first,
        ...)
{
  va_list args;
  va_start (args, first);
  GString *path = g_string_new (tmp_dir);
  for (const char *part = first; part != NULL; part = va_arg (args, const char *))
    {
      g_string_append_c (path, G_DIR_SEPARATOR);
      g_string_append (path, part);
    }
  va_end (args);
  return g_string_free (path, FALSE);
}

static void
write_text (const char *path,
            const char *text)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
}

static void
write_voc (const char *path,
           const char *image_element)
{
  g_autofree char *xml = g_strdup_printf (
    "<annotation>%s<size><width>64</width><height>48</height></size>"
    "<object><name>cat</name><bndbox><xmin>1</xmin><ymin>1</ymin><xmax>30</xmax><ymax>30</ymax></bndbox></object>"
    "</annotation>", image_element);
  write_text (path, xml);
}

static OtterDataset *
load (const char           *path,
      OtterDatasetLoadFlags flags)
{
  g_autoptr (GError) error = NULL;
  OtterDataset *dataset = otter_dataset_load_with_flags (path, flags, NULL, &error);
  g_assert_no_error (error);
  return dataset;
}

/* `n_kept` samples, and a skip for every one of the `n_outside`, each
 * naming the secret file and the dataset folder. */
static void
assert_outside (OtterDataset *dataset,
                guint         n_kept,
                guint         n_outside,
                const char   *folder)
{
  const GArray *skipped = otter_dataset_get_skipped (dataset);
  guint n_naming = 0;

  for (guint i = 0; i < skipped->len; i++)
    {
      const char *reason = g_array_index (skipped, OtterSkippedSample, i).reason;
      g_test_message ("skipped: %s", reason);
      if (strstr (reason, secret) != NULL && strstr (reason, "outside the dataset folder") != NULL &&
          g_str_has_suffix (reason, folder))
        n_naming++;
    }
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (dataset)), ==, n_kept);
  g_assert_cmpuint (otter_dataset_get_n_outside_root (dataset), ==, n_outside);
  g_assert_cmpuint (n_naming, ==, n_outside);
}

/* <filename>../../secret/x.png, <path>/abs/secret/x.png and images/c.png
 * linked to it: three skips; allowed, four samples. */
static void
test_voc (void)
{
  g_autofree char *root = in_tmp ("voc", NULL);
  g_autofree char *image = in_tmp ("voc", "images", "a.png", NULL);
  g_autofree char *link = in_tmp ("voc", "images", "c.png", NULL);
  g_autofree char *a = in_tmp ("voc", "annotations", "a.xml", NULL);
  g_autofree char *b = in_tmp ("voc", "annotations", "b.xml", NULL);
  g_autofree char *c = in_tmp ("voc", "annotations", "c.xml", NULL);
  g_autofree char *d = in_tmp ("voc", "annotations", "d.xml", NULL);
  g_autofree char *by_path = g_strdup_printf ("<path>%s</path>", secret);

  write_image (image);
  g_assert_cmpint (symlink (secret, link), ==, 0);
  write_voc (a, "<filename>a.png</filename>");
  write_voc (b, "<filename>../../secret/x.png</filename>");
  write_voc (c, "<filename>c.png</filename>");
  write_voc (d, by_path);

  g_autoptr (OtterDataset) strict = load (root, OTTER_DATASET_LOAD_NONE);
  assert_outside (strict, 1, 3, root);
  g_autoptr (OtterDataset) allowed = load (root, OTTER_DATASET_LOAD_ALLOW_OUTSIDE_ROOT);
  assert_outside (allowed, 4, 0, root);
  g_assert_cmpint (otter_dataset_get_load_flags (allowed), ==, OTTER_DATASET_LOAD_ALLOW_OUTSIDE_ROOT);

  /* A split keeps how its parent was loaded: training reloads nothing. */
  g_autoptr (OtterDataset) train = NULL, val = NULL;
  g_assert_true (otter_dataset_split (allowed, 0.25, 1, &train, &val, NULL));
  g_assert_cmpint (otter_dataset_get_load_flags (train), ==, OTTER_DATASET_LOAD_ALLOW_OUTSIDE_ROOT);
}

/* A COCO file beside its images: its folder is the boundary, so "../"
 * leaves it although the folder above is the message root. */
static void
test_coco (void)
{
  g_autofree char *root = in_tmp ("coco", NULL);
  g_autofree char *json = in_tmp ("coco", "instances.json", NULL);
  g_autofree char *image = in_tmp ("coco", "a.png", NULL);
  g_autofree char *text = g_strdup_printf (
    "{\"images\": [{\"id\": 1, \"file_name\": \"a.png\"}, {\"id\": 2, \"file_name\": \"../secret/x.png\"},"
    " {\"id\": 3, \"file_name\": \"%s\"}],"
    " \"annotations\": [{\"id\": 1, \"image_id\": 1, \"category_id\": 1, \"bbox\": [1, 1, 20, 20]}],"
    " \"categories\": [{\"id\": 1, \"name\": \"cat\"}]}", secret);

  write_image (image);
  write_text (json, text);
  g_autoptr (OtterDataset) strict = load (json, OTTER_DATASET_LOAD_NONE);
  assert_outside (strict, 1, 2, root);
  g_autoptr (OtterDataset) allowed = load (json, OTTER_DATASET_LOAD_ALLOW_OUTSIDE_ROOT);
  assert_outside (allowed, 3, 0, root);
}

/* A CSV in data/ beside images/ (the raccoon layout): the folder above is
 * the boundary, and the skip names the CSV line. */
static void
test_csv (void)
{
  g_autofree char *root = in_tmp ("csv", NULL);
  g_autofree char *csv = in_tmp ("csv", "data", "labels.csv", NULL);
  g_autofree char *image = in_tmp ("csv", "images", "a.png", NULL);
  g_autofree char *text = g_strdup_printf ("filename,width,height,class,xmin,ymin,xmax,ymax\n"
                                           "a.png,64,48,cat,1,1,20,20\n"
                                           "../../secret/x.png,64,48,cat,1,1,20,20\n"
                                           "%s,64,48,cat,1,1,20,20\n", secret);

  write_image (image);
  write_text (csv, text);
  g_autoptr (OtterDataset) strict = load (csv, OTTER_DATASET_LOAD_NONE);
  assert_outside (strict, 1, 2, root);
  const GArray *skipped = otter_dataset_get_skipped (strict);
  g_assert_nonnull (strstr (g_array_index (skipped, OtterSkippedSample, 0).reason, "data/labels.csv line 3"));
  g_autoptr (OtterDataset) allowed = load (csv, OTTER_DATASET_LOAD_ALLOW_OUTSIDE_ROOT);
  assert_outside (allowed, 3, 0, root);
}

/* YOLO: a label file linked outside is skipped like an image; data.yaml's
 * path: pointing outside is an error for the whole load. */
static void
test_yolo (void)
{
  g_autofree char *root = in_tmp ("yolo", NULL);
  g_autofree char *yaml = in_tmp ("yolo", "data.yaml", NULL);
  g_autofree char *a = in_tmp ("yolo", "images", "a.png", NULL);
  g_autofree char *b = in_tmp ("yolo", "images", "b.png", NULL);
  g_autofree char *a_label = in_tmp ("yolo", "labels", "a.txt", NULL);
  g_autofree char *b_label = in_tmp ("yolo", "labels", "b.txt", NULL);
  g_autofree char *secret_label = in_tmp ("secret", "b.txt", NULL);
  g_autoptr (GError) error = NULL;

  write_image (a);
  write_image (b);
  write_text (yaml, "names: [cat]\n");
  write_text (a_label, "0 0.5 0.5 0.2 0.2\n");
  write_text (secret_label, "0 0.5 0.5 0.2 0.2\n");
  g_assert_cmpint (symlink (secret_label, b_label), ==, 0);

  g_autoptr (OtterDataset) strict = load (yaml, OTTER_DATASET_LOAD_NONE);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (strict)), ==, 1);
  g_assert_cmpuint (otter_dataset_get_n_outside_root (strict), ==, 1);
  const char *reason = g_array_index (otter_dataset_get_skipped (strict), OtterSkippedSample, 0).reason;
  g_assert_nonnull (strstr (reason, "labels/b.txt: the label file leads to"));
  g_autoptr (OtterDataset) allowed = load (yaml, OTTER_DATASET_LOAD_ALLOW_OUTSIDE_ROOT);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (allowed)), ==, 2);

  /* A data.yaml elsewhere whose path: leads to another dataset. */
  g_autofree char *elsewhere = in_tmp ("yolo-elsewhere", "data.yaml", NULL);
  write_text (elsewhere, "path: ../yolo\nnames: [cat]\n");
  g_autoptr (OtterDataset) refused = otter_dataset_load (elsewhere, NULL, &error);
  g_assert_null (refused);
  g_assert_error (error, OTTER_ERROR, OTTER_ERROR_OUTSIDE_ROOT);
  g_assert_nonnull (strstr (error->message, "path: ../yolo leads to"));
  g_test_message ("%s", error->message);
  g_autoptr (OtterDataset) followed = load (elsewhere, OTTER_DATASET_LOAD_ALLOW_OUTSIDE_ROOT);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (followed)), ==, 2);
}

/* Every sample outside: OTTER_ERROR_OUTSIDE_ROOT, not "no usable sample". */
static void
test_all_outside (void)
{
  g_autofree char *root = in_tmp ("all-outside", NULL);
  g_autofree char *xml = in_tmp ("all-outside", "annotations", "b.xml", NULL);
  g_autoptr (GError) error = NULL;

  write_voc (xml, "<filename>../../secret/x.png</filename>");
  g_autoptr (OtterDataset) dataset = otter_dataset_load (root, NULL, &error);
  g_assert_null (dataset);
  g_assert_error (error, OTTER_ERROR, OTTER_ERROR_OUTSIDE_ROOT);
  g_assert_nonnull (strstr (error->message, "all 1 lie outside its folder"));
}

/* A folder of images: a link to a file elsewhere is outside it. */
static void
test_folder (void)
{
  g_autofree char *root = in_tmp ("folder", NULL);
  g_autofree char *a = in_tmp ("folder", "a.png", NULL);
  g_autofree char *link = in_tmp ("folder", "b.png", NULL);

  write_image (a);
  g_assert_cmpint (symlink (secret, link), ==, 0);
  g_autoptr (OtterDataset) strict = load (root, OTTER_DATASET_LOAD_NONE);
  assert_outside (strict, 1, 1, root);
}

/* The choice is the run's: config.json keeps it for --resume. */
static void
test_config_round_trip (void)
{
  OtterTrainConfig config, back;
  otter_train_config_init (&config);
  config.allow_outside_root = TRUE;
  g_autoptr (JsonNode) node = otter_train_config_to_json (&config);
  g_autoptr (GError) error = NULL;
  otter_train_config_init (&back);
  g_assert_true (otter_train_config_from_json (&back, node, &error));
  g_assert_no_error (error);
  g_assert_true (back.allow_outside_root);
  otter_train_config_clear (&config);
  otter_train_config_clear (&back);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  tmp_dir = g_dir_make_tmp ("otter-outside-XXXXXX", NULL);
  g_assert_nonnull (tmp_dir);
  secret = in_tmp ("secret", "x.png", NULL);
  write_image (secret);

  g_test_add_func ("/otter/dataset-outside/voc", test_voc);
  g_test_add_func ("/otter/dataset-outside/coco", test_coco);
  g_test_add_func ("/otter/dataset-outside/csv", test_csv);
  g_test_add_func ("/otter/dataset-outside/yolo", test_yolo);
  g_test_add_func ("/otter/dataset-outside/all-outside", test_all_outside);
  g_test_add_func ("/otter/dataset-outside/folder", test_folder);
  g_test_add_func ("/otter/dataset-outside/config-round-trip", test_config_round_trip);

  int status = g_test_run ();
  g_autofree char *command = g_strdup_printf ("rm -rf '%s'", tmp_dir);
  (void) !system (command);
  g_free (secret);
  g_free (tmp_dir);
  return status;
}
