/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-dataset.c: loading datasets in every format, skips, split, subset */
#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <sys/stat.h>
#include <unistd.h>

#include "otter-dataset-private.h"
#include "otter-image.h"
#include "test-dataset-utils.h"

/* Removes a temporary folder without following its symbolic links, which
 * may lead back into it or out of it. */
static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      GStatBuf st;

      if (g_lstat (child, &st) == 0 && S_ISDIR (st.st_mode))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

static void
write_file (const char *dir,
            const char *name,
            const char *contents,
            gssize      length)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *parent = g_path_get_dirname (path);

  g_assert_cmpint (g_mkdir_with_parents (parent, 0755), ==, 0);
  g_assert_true (g_file_set_contents (path, contents, length, NULL));
}

/* A YOLO dataset in a new temporary folder: `yaml` as data.yaml (the
 * classes cat and dog when NULL) and, for each stem, images/<stem>.png (a
 * copy of the 64 × 48 good.png) labelled by labels/<stem>.txt with one dog. */
static char *
make_yolo_dir (const char        *yaml,
               const char *const *stems)
{
  g_autofree char *good = fixture ("yolo/images/good.png");
  g_autofree char *png = NULL;
  char *dir = g_dir_make_tmp ("otter-test-dataset-XXXXXX", NULL);
  gsize png_size;

  g_assert_nonnull (dir);
  g_assert_true (g_file_get_contents (good, &png, &png_size, NULL));
  write_file (dir, "data.yaml", yaml != NULL ? yaml : "names: [cat, dog]\n", -1);
  for (guint i = 0; stems[i] != NULL; i++)
    {
      g_autofree char *image = g_strconcat ("images/", stems[i], ".png", NULL);
      g_autofree char *label = g_strconcat ("labels/", stems[i], ".txt", NULL);

      write_file (dir, image, png, png_size);
      write_file (dir, label, "1 0.5 0.5 0.25 0.5\n", -1);
    }

  return dir;
}

static void
make_symlink (const char *target,
              const char *dir,
              const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);

  g_assert_cmpint (symlink (target, path), ==, 0);
}

static void
test_voc_broken (void)
{
  g_autofree char *path = fixture ("voc");
  g_autoptr(OtterDataset) dataset = load_ok (path);
  OtterSample *sample;

  g_assert_cmpuint (n_samples (dataset), ==, 3);
  g_assert_cmpuint (otter_dataset_get_skipped (dataset)->len, ==, 11);
  /* discovered classes are sorted */
  g_assert_cmpstrv (otter_dataset_get_class_names (dataset), ((const char *[]) { "cat", "dog", NULL }));

  sample = otter_dataset_get_sample (dataset, 0);
  g_assert_true (g_str_has_suffix (otter_sample_get_annotation_path (sample), "clamp.xml"));
  assert_box (otter_sample_get_box (sample, 0), 0, 0, 64, 48, 0);
  sample = otter_dataset_get_sample (dataset, 1);
  g_assert_true (g_str_has_suffix (otter_sample_get_annotation_path (sample), "good.xml"));
  assert_box (otter_sample_get_box (sample, 0), 10, 10, 30, 40, 1);
  g_assert_false (otter_sample_get_box (sample, 0)->crowd);
  g_assert_true (otter_sample_get_box (sample, 1)->crowd);     /* difficult */
  sample = otter_dataset_get_sample (dataset, 2);
  g_assert_true (g_str_has_suffix (otter_sample_get_annotation_path (sample), "no-size.xml"));
  g_assert_cmpint (otter_sample_get_width (sample), ==, 64);   /* from the header */
  g_assert_cmpint (otter_sample_get_height (sample), ==, 48);

  assert_skipped (dataset, "malformed.xml", "annotations/malformed.xml line 5: malformed XML");
  assert_skipped (dataset, "outside.xml", "annotations/outside.xml line 15: box xmax 80 is outside the 64 px wide image");
  assert_skipped (dataset, "zero.xml", "annotations/zero.xml line 15: box has zero or negative width");
  assert_skipped (dataset, "negative.xml", "annotations/negative.xml line 16: box has zero or negative height");
  assert_skipped (dataset, "no-name.xml", "annotations/no-name.xml line 9: <object> has no <name>");
  assert_skipped (dataset, "not-a-number.xml", "annotations/not-a-number.xml line 15: <xmax> \"abc\" is not a number");
  assert_skipped (dataset, "missing-image.xml", "annotations/missing-image.xml: image nothere.png not found");
  assert_skipped (dataset, "images/empty.png", "images/empty.png: the file is empty");
  assert_skipped (dataset, "images/text.jpg", "images/text.jpg: not an image");
  assert_skipped (dataset, "images/truncated.jpg", "images/truncated.jpg: the image header is truncated");
  assert_skipped (dataset, "images/huge.png", "images/huge.png: the image is 20000 × 20000 pixels");

  g_clear_pointer (&path, g_free);
  path = fixture ("voc-unusable");
  assert_load_error (path, OTTER_ERROR_EMPTY_DATASET, "annotations/malformed.xml line 4: malformed XML");
}

static void
test_coco_broken (void)
{
  g_autofree char *path = fixture ("coco/annotations/instances_fixture.json");
  g_autoptr(OtterDataset) dataset = load_ok (path);
  OtterSample *sample;

  /* categories [7 dog, 3 cat] → classes in id order */
  g_assert_cmpstrv (otter_dataset_get_class_names (dataset), ((const char *[]) { "cat", "dog", NULL }));
  g_assert_cmpuint (n_samples (dataset), ==, 2);
  g_assert_cmpuint (otter_dataset_get_n_boxes (dataset), ==, 2);
  g_assert_cmpuint (otter_dataset_get_class_counts (dataset)[0], ==, 1);
  g_assert_cmpuint (otter_dataset_get_class_counts (dataset)[1], ==, 1);

  sample = otter_dataset_get_sample (dataset, 0);
  g_assert_cmpstr (otter_sample_get_display_name (sample), ==, "good.png");
  assert_box (otter_sample_get_box (sample, 0), 10, 10, 30, 40, 0);
  g_assert_false (otter_sample_get_box (sample, 0)->crowd);
  assert_box (otter_sample_get_box (sample, 1), 0, 0, 64, 48, 1);
  g_assert_true (otter_sample_get_box (sample, 1)->crowd);
  /* an image without annotations stays, without boxes */
  sample = otter_dataset_get_sample (dataset, 1);
  g_assert_cmpstr (otter_sample_get_display_name (sample), ==, "other.png");
  g_assert_cmpuint (otter_sample_get_n_boxes (sample), ==, 0);

  g_assert_cmpuint (otter_dataset_get_skipped (dataset)->len, ==, 5);
  assert_skipped (dataset, "instances_fixture.json", "annotations/instances_fixture.json: image nothere.png (id 3) not found");
  assert_skipped (dataset, "instances_fixture.json", "annotation id 12 refers to image_id 42, which is not in \"images\"");
  assert_skipped (dataset, "instances_fixture.json", "annotation id 13 (image good.png): box x + width 80 is outside the 64 px wide image");
  assert_skipped (dataset, "instances_fixture.json", "annotation id 14 (image good.png): box has zero or negative width");
  assert_skipped (dataset, "instances_fixture.json", "annotation id 15 (image good.png): unknown class: category_id 99");

  g_clear_pointer (&path, g_free);
  path = fixture ("coco/annotations/malformed.json");
  assert_load_error (path, OTTER_ERROR_PARSE, "annotations/malformed.json line 3, column 38: malformed JSON");
  g_clear_pointer (&path, g_free);
  path = fixture ("coco/annotations/not-coco.json");
  assert_load_error (path, OTTER_ERROR_PARSE, "annotations/not-coco.json: the top level is not an object");
}

static void
test_yolo_broken (void)
{
  g_autofree char *path = fixture ("yolo");
  g_autoptr(OtterDataset) dataset = load_ok (path);
  OtterSample *sample;

  g_assert_cmpstrv (otter_dataset_get_class_names (dataset), ((const char *[]) { "cat", "dog", NULL }));
  g_assert_cmpuint (n_samples (dataset), ==, 3);

  /* normalised cx cy w h × the 64 × 48 image from its header */
  sample = find_sample (dataset, "good.png");
  g_assert_cmpint (otter_sample_get_width (sample), ==, 64);
  assert_box (otter_sample_get_box (sample, 0), 24, 12, 40, 36, 0);
  assert_box (otter_sample_get_box (sample, 1), 12.8, 9.6, 19.2, 14.4, 1);
  /* 1.02 wide: 0.64 px out on each side, clamped */
  assert_box (otter_sample_get_box (find_sample (dataset, "clamp.png"), 0), 0, 0, 64, 48, 0);
  sample = find_sample (dataset, "no-label.png");
  g_assert_cmpuint (otter_sample_get_n_boxes (sample), ==, 0);
  g_assert_null (otter_sample_get_annotation_path (sample));

  g_assert_cmpuint (otter_dataset_get_skipped (dataset)->len, ==, 6);
  assert_skipped (dataset, "labels/bad-line.txt", "labels/bad-line.txt line 2: expected 5 values");
  assert_skipped (dataset, "labels/not-a-number.txt", "labels/not-a-number.txt line 1: h \"abc\" is not a number");
  assert_skipped (dataset, "labels/unknown-class.txt", "labels/unknown-class.txt line 3: unknown class 5");
  assert_skipped (dataset, "labels/outside.txt", "labels/outside.txt line 1: box right edge 73.6 is outside the 64 px wide image");
  assert_skipped (dataset, "labels/zero.txt", "labels/zero.txt line 1: box has zero or negative width");
  assert_skipped (dataset, "labels/orphan.txt", "labels/orphan.txt: no image orphan.* in images/");
}

static void
test_yolo_names (void)
{
  g_autofree char *mapping = fixture ("yolo-mapping");
  g_autofree char *classes = fixture ("yolo-classes");
  g_autoptr(OtterDataset) a = load_ok (mapping);
  g_autoptr(OtterDataset) b = load_ok (classes);
  OtterSample *sample = otter_dataset_get_sample (a, 0);

  g_assert_cmpstrv (otter_dataset_get_class_names (a),
                    ((const char *[]) { "traffic light", "fire # hydrant", "it's", NULL }));
  g_assert_true (g_str_has_suffix (otter_sample_get_image_path (sample), "images/train/a.png"));
  g_assert_true (g_str_has_suffix (otter_sample_get_annotation_path (sample), "labels/train/a.txt"));
  g_assert_cmpint (otter_sample_get_box (sample, 0)->class_id, ==, 2);
  g_assert_cmpstrv (otter_dataset_get_class_names (b), ((const char *[]) { "cat", "dog", "bird", NULL }));
  g_assert_cmpuint (otter_dataset_get_class_counts (b)[2], ==, 1);
}

static void
test_yolo_bad_yaml (void)
{
  static const struct { const char *file, *message; } cases[] = {
    { "unclosed.yaml", "unclosed.yaml line 5: did not find expected ',' or ']' (while parsing a flow sequence on line 3)" },
    { "unclosed-quote.yaml", "unclosed-quote.yaml line 2: found unexpected end of stream (while scanning a quoted scalar on line 1)" },
    { "bad-index.yaml", "bad-index.yaml line 3: the class index \"one\" is not a whole number" },
    { "tab.yaml", "tab.yaml line 2: YAML does not allow tabs" },
    { "twice.yaml", "twice.yaml line 3: class 0 is named twice" },
    { "gap.yaml", "gap.yaml line 1: names has no name for class 1" },
    { "nc-mismatch.yaml", "nc-mismatch.yaml line 1: nc is 3 but names has 2 entries" },
    { "no-colon.yaml", "no-colon.yaml line 3: could not find expected ':' (while scanning a simple key on line 2)" },
    { "no-names.yaml", "no-names.yaml: no class names" },
    { "billion-laughs.yaml", "billion-laughs.yaml line 10: names is the alias *i; aliases are not followed" },
    { "alias-entry.yaml", "alias-entry.yaml line 2: a class name is the alias *pet" },
    { "deep.yaml", "deep.yaml line 1: nested more than 64 levels deep" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *name = g_build_filename ("yolo-yaml", cases[i].file, NULL);
      g_autofree char *path = fixture (name);

      assert_load_error (path, OTTER_ERROR_PARSE, cases[i].message);
    }
}

/* otter_dataset_read_data_yaml on `yaml`; NULL with `error` set on failure. */
static char **
read_yaml (const char  *yaml,
           gssize       length,
           char       **path_key,
           GError     **error)
{
  g_autofree char *dir = g_dir_make_tmp ("otter-test-yaml-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "data.yaml", NULL);
  char **names;

  g_assert_true (g_file_set_contents (path, yaml, length, NULL));
  names = otter_dataset_read_data_yaml (path, "data.yaml", path_key, error);
  remove_tree (dir);

  return names;
}

static void
test_yolo_yaml_forms (void)
{
  static const char *const forms[] = {
    "names:\n- cat\n- dog\n",                      /* at the key's column */
    "names:\n  - cat\n  - 'dog'  # quoted\n",
    "names: {0: cat, 1: dog}\n",
    "names: {1: dog, 0: cat}\n",
    "names:\n  1: dog\n  0: \"cat\"\n",
    /* other keys are passed over whatever they hold */
    "download: {a: [1, {b: 2}]}\nscript: |\n  names: [not, read]\nextra:\n  - x: &x 1\n    y: [*x]\n"
    "? [complex, key]\n: value\nnames: [cat, dog]\nnc: 2\n",
    "%YAML 1.1\n---\nnames: [cat, dog]\n...\n",
  };
  static const struct { const char *yaml, *message; } bad[] = {
    { "names: [cat]\nnc: 1\nnames: [dog]\n", "data.yaml line 3: names is given a second time (first on line 1)" },
    { "names: [cat, [dog]]\n", "data.yaml line 1: a class name must be text, not a list or a mapping" },
    { "names:\n  0: {name: cat}\n", "data.yaml line 2: a class name must be text" },
    { "names: cat\n", "data.yaml line 1: names must be a list" },
    { "- cat\n- dog\n", "data.yaml line 1: expected \"key: value\" lines" },
    { "names: [cat]\nnc: two\n", "data.yaml line 2: nc \"two\" is not a positive whole number" },
    { "names: [cat]\n\xff\n", "data.yaml line 2: invalid leading UTF-8 octet" },
  };
  g_autoptr(GError) error = NULL;
  g_autofree char *path_key = NULL;
  g_auto(GStrv) names = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (forms); i++)
    {
      g_auto(GStrv) read = read_yaml (forms[i], -1, NULL, &error);

      g_assert_no_error (error);
      g_assert_cmpstrv (read, ((const char *[]) { "cat", "dog", NULL }));
    }

  names = read_yaml ("path: ../data  # root\nnames: [cat]\n", -1, &path_key, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (path_key, ==, "../data");

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_assert_null (read_yaml (bad[i].yaml, -1, NULL, &error));
      g_assert_error (error, OTTER_ERROR, OTTER_ERROR_PARSE);
      if (strstr (error->message, bad[i].message) == NULL)
        g_error ("\"%s\" is not in the error \"%s\"", bad[i].message, error->message);
      g_clear_error (&error);
    }
}

/* A BOM (as Windows editors write) hid the first key from the old reader. */
static void
test_yolo_yaml_bom (void)
{
  static const char *const stems[] = { "a", NULL };
  g_autofree char *dir = make_yolo_dir ("\xEF\xBB\xBFnames: [cat, dog]\n", stems);
  g_autoptr(OtterDataset) dataset = load_ok (dir);

  g_assert_cmpstrv (otter_dataset_get_class_names (dataset), ((const char *[]) { "cat", "dog", NULL }));
  g_assert_cmpuint (otter_dataset_get_class_counts (dataset)[1], ==, 1);
  remove_tree (dir);
}

static void
test_yolo_yaml_limits (void)
{
  g_autofree char *laughs = fixture ("yolo-yaml/billion-laughs.yaml");
  g_autofree char *text = NULL;
  g_autofree char *ignored = NULL;
  g_autoptr(GString) many = g_string_new ("nodes: [");
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) names = NULL;
  gint64 start;

  /* the same aliases under a key that is not read cost nothing */
  g_assert_true (g_file_get_contents (laughs, &text, NULL, NULL));
  *strstr (text, "names: *i") = '\0';
  ignored = g_strconcat (text, "names: [cat, dog]\n", NULL);
  start = g_get_monotonic_time ();
  names = read_yaml (ignored, -1, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstrv (names, ((const char *[]) { "cat", "dog", NULL }));
  g_assert_cmpint (g_get_monotonic_time () - start, <, G_USEC_PER_SEC);

  for (guint i = 0; i < (1u << 20); i++)
    g_string_append (many, "a,");
  g_string_append (many, "]\nnames: [cat]\n");
  g_assert_null (read_yaml (many->str, many->len, NULL, &error));
  g_assert_error (error, OTTER_ERROR, OTTER_ERROR_PARSE);
  g_assert_nonnull (strstr (error->message, "data.yaml line 1: more than 1048576 YAML nodes"));
}

/* The audit's case: images/sub -> . listed the 2 images 33 times each. */
static void
test_yolo_symlink_cycle (void)
{
  static const char *const stems[] = { "a", "b", NULL };
  g_autofree char *dir = make_yolo_dir (NULL, stems);
  g_autofree char *images = g_build_filename (dir, "images", NULL);
  g_autofree char *labels = g_build_filename (dir, "labels", NULL);
  g_autofree char *other = g_dir_make_tmp ("otter-test-dataset-XXXXXX", NULL);
  g_autofree char *good = fixture ("yolo/images/good.png");
  g_autofree char *png = NULL;
  g_autoptr(OtterDataset) dataset = NULL;
  gsize png_size;

  make_symlink (".", images, "sub");
  make_symlink (".", labels, "sub");
  /* a link to a folder not otherwise listed is followed, but it leads
   * outside the dataset: its image is read only when that is allowed */
  g_assert_true (g_file_get_contents (good, &png, &png_size, NULL));
  write_file (other, "c.png", png, png_size);
  make_symlink (other, images, "more");

  dataset = load_ok (dir);
  g_assert_cmpuint (n_samples (dataset), ==, 2);
  g_assert_cmpuint (otter_dataset_get_n_outside_root (dataset), ==, 1);
  assert_skipped (dataset, "images/more/c.png", "the image leads to");
  g_clear_object (&dataset);

  dataset = otter_dataset_load_with_flags (dir, OTTER_DATASET_LOAD_ALLOW_OUTSIDE_ROOT, NULL, NULL);
  g_assert_nonnull (dataset);
  g_assert_cmpuint (n_samples (dataset), ==, 3);
  g_assert_cmpuint (otter_dataset_get_skipped (dataset)->len, ==, 0);
  g_assert_cmpuint (otter_sample_get_n_boxes (find_sample (dataset, "a.png")), ==, 1);
  g_assert_cmpuint (otter_sample_get_n_boxes (find_sample (dataset, "b.png")), ==, 1);
  g_assert_true (g_str_has_suffix (otter_sample_get_image_path (otter_dataset_get_sample (dataset, 2)),
                                   "images/more/c.png"));
  remove_tree (dir);
  remove_tree (other);
}

/* A label that is not a file used to be left out of the listing without
 * a word, and its image trained as if it showed nothing. */
static void
test_yolo_label_not_a_file (void)
{
  static const char *const stems[] = { "a", "folder", "dangling", "fifo", NULL };
  g_autofree char *dir = make_yolo_dir (NULL, stems);
  g_autofree char *labels = g_build_filename (dir, "labels", NULL);
  g_autofree char *folder = g_build_filename (labels, "folder.txt", NULL);
  g_autofree char *dangling = g_build_filename (labels, "dangling.txt", NULL);
  g_autofree char *fifo = g_build_filename (labels, "fifo.txt", NULL);
  g_autoptr(OtterDataset) dataset = NULL;

  g_assert_cmpint (g_unlink (folder), ==, 0);
  g_assert_cmpint (g_mkdir (folder, 0755), ==, 0);
  g_assert_cmpint (g_unlink (dangling), ==, 0);
  make_symlink ("missing.txt", labels, "dangling.txt");
  g_assert_cmpint (g_unlink (fifo), ==, 0);
  g_assert_cmpint (mkfifo (fifo, 0644), ==, 0);

  dataset = load_ok (dir);
  g_assert_cmpuint (n_samples (dataset), ==, 1);
  g_assert_nonnull (find_sample (dataset, "a.png"));
  g_assert_cmpuint (otter_dataset_get_skipped (dataset)->len, ==, 3);
  assert_skipped (dataset, "labels/folder.txt", "labels/folder.txt: a folder, not a label file");
  assert_skipped (dataset, "labels/dangling.txt", "labels/dangling.txt: a dangling symbolic link, not a label file");
  assert_skipped (dataset, "labels/fifo.txt", "labels/fifo.txt: a FIFO (named pipe), not a label file");
  remove_tree (dir);
}

static void
test_csv_broken (void)
{
  g_autofree char *path = fixture ("csv/data/labels.csv");
  g_autoptr(OtterDataset) dataset = load_ok (path);
  OtterSample *sample;

  g_assert_cmpuint (n_samples (dataset), ==, 2);
  g_assert_cmpstrv (otter_dataset_get_class_names (dataset), ((const char *[]) { "cat", "dog", NULL }));
  /* the lines of good.png are not next to each other */
  sample = find_sample (dataset, "good.png");
  g_assert_cmpuint (otter_sample_get_n_boxes (sample), ==, 2);
  assert_box (otter_sample_get_box (sample, 0), 10, 10, 30, 40, 0);
  assert_box (otter_sample_get_box (sample, 1), 0, 0, 64, 48, 1);
  assert_box (otter_sample_get_box (find_sample (dataset, "clamp.png"), 0), 0, 0, 64, 48, 0);

  g_assert_cmpuint (otter_dataset_get_skipped (dataset)->len, ==, 6);
  assert_skipped (dataset, "labels.csv", "data/labels.csv line 3: box xmax 80 is outside the 64 px wide image");
  assert_skipped (dataset, "labels.csv", "data/labels.csv line 4: box has zero or negative width (xmin 10, xmax 10)");
  assert_skipped (dataset, "labels.csv", "data/labels.csv line 5: box has zero or negative height");
  assert_skipped (dataset, "labels.csv", "data/labels.csv line 6: ymin \"abc\" is not a number");
  assert_skipped (dataset, "labels.csv", "data/labels.csv line 7: expected 8 fields");
  assert_skipped (dataset, "labels.csv", "data/labels.csv line 8: image missing.png not found");

  g_clear_pointer (&path, g_free);
  path = fixture ("csv/data/bad-header.csv");
  assert_load_error (path, OTTER_ERROR_PARSE, "data/bad-header.csv line 1: expected the header");
}

static void
test_folder_and_probe (void)
{
  static const struct { const char *file; int code; const char *message; } bad[] = {
    { "empty.png", OTTER_ERROR_BAD_IMAGE, "empty.png: the file is empty" },
    { "text.jpg", OTTER_ERROR_BAD_IMAGE, "text.jpg: not an image" },
    { "truncated.jpg", OTTER_ERROR_BAD_IMAGE, "truncated.jpg: the image header is truncated" },
    { "huge.png", OTTER_ERROR_IMAGE_TOO_LARGE, "huge.png: the image is 20000 × 20000 pixels" },
    { "nothere.png", OTTER_ERROR_MISSING_IMAGE, "nothere.png: no such image file" },
  };
  g_autofree char *path = fixture ("folder");
  g_autofree char *good = fixture ("folder/good.png");
  g_autoptr(OtterDataset) dataset = load_ok (path);
  int width = 0, height = 0;

  g_assert_cmpint (otter_dataset_get_format (dataset), ==, OTTER_DATASET_FORMAT_FOLDER);
  g_assert_cmpuint (n_samples (dataset), ==, 2);
  g_assert_cmpuint (otter_dataset_get_n_classes (dataset), ==, 0);
  g_assert_cmpuint (otter_dataset_get_n_boxes (dataset), ==, 0);
  g_assert_cmpuint (otter_dataset_get_skipped (dataset)->len, ==, 4);

  g_assert_true (otter_image_probe (good, &width, &height, NULL));
  g_assert_cmpint (width, ==, 64);
  g_assert_cmpint (height, ==, 48);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *name = g_build_filename ("folder", bad[i].file, NULL);
      g_autofree char *file = fixture (name);
      g_autoptr(GError) error = NULL;

      g_assert_false (otter_image_probe (file, &width, &height, &error));
      g_assert_error (error, OTTER_ERROR, bad[i].code);
      g_assert_nonnull (strstr (error->message, bad[i].message));
      if (bad[i].code != OTTER_ERROR_MISSING_IMAGE)
        assert_skipped (dataset, bad[i].file, bad[i].message);
    }
}

static void
test_load_errors (void)
{
  g_autofree char *missing = fixture ("no-such-dataset");
  g_autofree char *unknown = fixture ("unknown");
  g_autofree char *text = fixture ("unknown/README.txt");
  g_autofree char *voc = fixture ("voc");
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(OtterDataset) dataset = NULL;

  assert_load_error (missing, OTTER_ERROR_NOT_FOUND, "no-such-dataset: no such file or folder");
  assert_load_error (unknown, OTTER_ERROR_UNKNOWN_FORMAT, "expected Pascal VOC .xml files");
  assert_load_error (text, OTTER_ERROR_UNKNOWN_FORMAT, "README.txt is not a dataset Otter knows: expected");

  g_cancellable_cancel (cancellable);
  dataset = otter_dataset_load (voc, cancellable, &error);
  g_assert_null (dataset);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

/* The yolo-classes fixture's sample (3 classes) and `n - 1` made up, with
 * one box each: made-up sample k has class (k + 1) % 3. */
static OtterDataset *
make_dataset (guint n)
{
  g_autofree char *path = fixture ("yolo-classes");
  OtterDataset *dataset = load_ok (path);

  for (guint i = 2; i <= n; i++)
    {
      g_autofree char *name = g_strdup_printf ("made-up-%u.png", i);
      g_autoptr(OtterSample) sample = otter_sample_new (name, NULL, 100, 100);
      OtterBox box = { 1, 2, 30, 40, (int) (i % 3), FALSE };

      otter_sample_add_box (sample, &box);
      otter_dataset_append_sample (dataset, sample);
    }

  return dataset;
}

static void
test_split (void)
{
  g_autoptr(OtterDataset) dataset = make_dataset (100);
  g_autoptr(OtterDataset) train = NULL;
  g_autoptr(OtterDataset) val = NULL;
  g_autoptr(OtterDataset) train2 = NULL;
  g_autoptr(OtterDataset) val2 = NULL;
  g_autoptr(OtterDataset) train3 = NULL;
  g_autoptr(OtterDataset) val3 = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new (NULL, NULL);
  g_autoptr(GError) error = NULL;
  gboolean same = TRUE;

  g_assert_true (otter_dataset_split (dataset, 0.2, 42, &train, &val, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_samples (val), ==, 20);
  g_assert_cmpuint (n_samples (train), ==, 80);
  g_assert_cmpuint (otter_dataset_get_n_boxes (train) + otter_dataset_get_n_boxes (val), ==,
                    otter_dataset_get_n_boxes (dataset));

  /* disjoint and covering */
  for (guint i = 0; i < n_samples (train); i++)
    g_hash_table_add (seen, otter_dataset_get_sample (train, i));
  for (guint i = 0; i < n_samples (val); i++)
    {
      g_assert_false (g_hash_table_contains (seen, otter_dataset_get_sample (val, i)));
      g_hash_table_add (seen, otter_dataset_get_sample (val, i));
    }
  g_assert_cmpuint (g_hash_table_size (seen), ==, 100);

  /* the same seed gives the same split, another seed another one */
  g_assert_true (otter_dataset_split (dataset, 0.2, 42, &train2, &val2, NULL));
  g_assert_true (otter_dataset_split (dataset, 0.2, 43, &train3, &val3, NULL));
  for (guint i = 0; i < 20; i++)
    {
      g_assert_true (otter_dataset_get_sample (val, i) == otter_dataset_get_sample (val2, i));
      same = same && otter_dataset_get_sample (val, i) == otter_dataset_get_sample (val3, i);
    }
  g_assert_false (same);

  /* rounding and edge cases */
  g_clear_object (&train);
  g_clear_object (&val);
  g_assert_true (otter_dataset_split (dataset, 0.0, 1, &train, &val, NULL));
  g_assert_cmpuint (n_samples (val), ==, 0);
  g_clear_object (&train);
  g_clear_object (&val);
  g_assert_true (otter_dataset_split (dataset, 0.001, 1, &train, &val, NULL));
  g_assert_cmpuint (n_samples (val), ==, 1);
  g_clear_object (&train);
  g_clear_object (&val);
  g_assert_true (otter_dataset_split (dataset, 0.999, 1, &train, &val, NULL));
  g_assert_cmpuint (n_samples (train), ==, 1);

  g_assert_false (otter_dataset_split (dataset, 1.0, 1, &train2, &val2, &error));
  g_assert_error (error, OTTER_ERROR, OTTER_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (otter_dataset_split (dataset, NAN, 1, &train2, &val2, &error));
  g_assert_error (error, OTTER_ERROR, OTTER_ERROR_INVALID_ARGUMENT);
}

static void
test_subset (void)
{
  g_autoptr(OtterDataset) dataset = make_dataset (10);
  g_autoptr(OtterDataset) subset = NULL;
  g_autoptr(OtterDataset) empty = NULL;
  const guint indices[] = { 7, 2, 9 };

  subset = otter_dataset_new_subset (dataset, indices, G_N_ELEMENTS (indices));
  g_assert_cmpuint (n_samples (subset), ==, 3);
  for (guint i = 0; i < G_N_ELEMENTS (indices); i++)
    g_assert_true (otter_dataset_get_sample (subset, i) == otter_dataset_get_sample (dataset, indices[i]));
  g_assert_cmpstrv (otter_dataset_get_class_names (subset), otter_dataset_get_class_names (dataset));
  g_assert_cmpint (otter_dataset_get_format (subset), ==, otter_dataset_get_format (dataset));
  /* made-up samples 7, 2, 9 have classes 2, 0, 1 */
  g_assert_cmpuint (otter_dataset_get_n_boxes (subset), ==, 3);
  g_assert_cmpuint (otter_dataset_get_class_counts (subset)[0], ==, 1);
  g_assert_cmpuint (otter_dataset_get_class_counts (subset)[1], ==, 1);
  g_assert_cmpuint (otter_dataset_get_class_counts (subset)[2], ==, 1);
  g_assert_cmpuint (otter_dataset_get_skipped (subset)->len, ==, 0);

  empty = otter_dataset_new_subset (dataset, NULL, 0);
  g_assert_cmpuint (n_samples (empty), ==, 0);
  g_assert_cmpuint (otter_dataset_get_n_boxes (empty), ==, 0);
}

typedef struct
{
  guint position, removed, added, n_calls;
  guint n_notify;
} Changes;

static void
items_changed_cb (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  Changes    *changes)
{
  changes->position = position;
  changes->removed = removed;
  changes->added = added;
  changes->n_calls++;
  /* the model is already updated when the signal comes */
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, position + added);
}

static void
notify_cb (GObject    *object,
           GParamSpec *pspec,
           Changes    *changes)
{
  changes->n_notify++;
}

static void
test_list_model (void)
{
  g_autofree char *path = fixture ("folder");
  g_autoptr(OtterDataset) dataset = load_ok (path);
  g_autoptr(OtterSample) sample = otter_sample_new ("/nowhere/x.png", NULL, 10, 10);
  g_autoptr(OtterSample) item = NULL;
  Changes changes = { 0 };
  guint n_items = 0;

  g_assert_true (g_list_model_get_item_type (G_LIST_MODEL (dataset)) == OTTER_TYPE_SAMPLE);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (dataset)), ==, 2);
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (dataset), 2));
  item = g_list_model_get_item (G_LIST_MODEL (dataset), 1);
  g_assert_true (item == otter_dataset_get_sample (dataset, 1));
  g_assert_cmpint (G_OBJECT (item)->ref_count, ==, 2);

  g_signal_connect (dataset, "items-changed", G_CALLBACK (items_changed_cb), &changes);
  g_signal_connect (dataset, "notify::n-items", G_CALLBACK (notify_cb), &changes);
  otter_dataset_append_sample (dataset, sample);
  g_assert_cmpuint (changes.n_calls, ==, 1);
  g_assert_cmpuint (changes.position, ==, 2);
  g_assert_cmpuint (changes.removed, ==, 0);
  g_assert_cmpuint (changes.added, ==, 1);
  g_assert_cmpuint (changes.n_notify, ==, 1);
  g_object_get (dataset, "n-items", &n_items, NULL);
  g_assert_cmpuint (n_items, ==, 3);
  g_assert_true (otter_dataset_get_sample (dataset, 2) == sample);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/otter/Dataset/voc/broken", test_voc_broken);
  g_test_add_func ("/otter/Dataset/coco/broken", test_coco_broken);
  g_test_add_func ("/otter/Dataset/yolo/broken", test_yolo_broken);
  g_test_add_func ("/otter/Dataset/yolo/names", test_yolo_names);
  g_test_add_func ("/otter/Dataset/yolo/bad-yaml", test_yolo_bad_yaml);
  g_test_add_func ("/otter/Dataset/yolo/yaml-forms", test_yolo_yaml_forms);
  g_test_add_func ("/otter/Dataset/yolo/yaml-bom", test_yolo_yaml_bom);
  g_test_add_func ("/otter/Dataset/yolo/yaml-limits", test_yolo_yaml_limits);
  g_test_add_func ("/otter/Dataset/yolo/symlink-cycle", test_yolo_symlink_cycle);
  g_test_add_func ("/otter/Dataset/yolo/label-not-a-file", test_yolo_label_not_a_file);
  g_test_add_func ("/otter/Dataset/csv/broken", test_csv_broken);
  g_test_add_func ("/otter/Dataset/folder-and-probe", test_folder_and_probe);
  g_test_add_func ("/otter/Dataset/load-errors", test_load_errors);
  g_test_add_func ("/otter/Dataset/split", test_split);
  g_test_add_func ("/otter/Dataset/subset", test_subset);
  g_test_add_func ("/otter/Dataset/list-model", test_list_model);

  return g_test_run ();
}
