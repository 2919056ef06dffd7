/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-dataset-yolo.c: YOLO txt labels beside an images/ folder */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <inttypes.h>

#include "otter-untrusted.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

#include "otter-dataset-private.h"
#include "otter-error.h"

/* Layout: <root>/labels/<sub>/<stem>.txt labels <root>/images/<sub>/<stem>.<ext>,
 * one "class cx cy w h" line per box, normalised to the image size; the
 * box becomes ((cx - w/2)·W, (cy - h/2)·H, (cx + w/2)·W, (cy + h/2)·H) with
 * W × H read from the image header. Class names come from data.yaml
 * (`names:` as a list or as an index mapping) or classes.txt. */

static char **
read_classes_txt (const char  *path,
                  const char  *rel,
                  GError     **error)
{
  g_autofree char *contents = NULL;
  g_autoptr(GError) local_error = NULL;
  g_auto(GStrv) lines = NULL;
  GPtrArray *names;

  if (!otter_read_untrusted_file (path, OTTER_DATASET_MAX_TEXT_SIZE, &contents, NULL, &local_error))
    {
      g_set_error (error, OTTER_ERROR, OTTER_ERROR_IO, "%s: %s", rel, local_error->message);
      return NULL;
    }
  lines = g_strsplit (contents, "\n", -1);
  names = g_ptr_array_new ();
  for (guint i = 0; lines[i] != NULL; i++)
    if (*g_strstrip (lines[i]) != '\0')
      g_ptr_array_add (names, g_strdup (lines[i]));
  g_ptr_array_add (names, NULL);

  if (names->len == 1)
    {
      g_ptr_array_unref (names);
      g_set_error (error, OTTER_ERROR, OTTER_ERROR_PARSE, _("%s: no class names in it"), rel);
      return NULL;
    }

  return (char **) g_ptr_array_free (names, FALSE);
}

/* Reads one label file into `sample`; FALSE (sample skipped) at a bad line. */
static gboolean
read_label_file (OtterDatasetBuilder *builder,
                 const char          *label_path,
                 OtterSample         *sample)
{
  static const char *const fields[] = { "cx", "cy", "w", "h" };
  g_autofree char *rel = g_filename_display_name (otter_dataset_builder_relative (builder, label_path));
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  int width = otter_sample_get_width (sample);
  int height = otter_sample_get_height (sample);
  guint n_classes = otter_dataset_builder_get_n_classes (builder);

  if (!otter_read_untrusted_file (label_path, OTTER_DATASET_MAX_TEXT_SIZE, &contents, NULL, &error))
    {
      otter_dataset_builder_skip (builder, label_path, "%s: %s", rel, error->message);
      return FALSE;
    }
  lines = g_strsplit (contents, "\n", -1);

  for (guint l = 0; lines[l] != NULL; l++)
    {
      OtterBoxSource source = { { _("left edge"), _("top edge"), _("right edge"), _("bottom edge") } };
      g_auto(GStrv) tokens = g_strsplit_set (g_strstrip (lines[l]), " \t", -1);
      g_autofree char *problem = NULL;
      const char *token[5];
      double v[4];
      OtterBox box = { 0 };
      gint64 class_id;
      guint n = 0, bad_field;

      for (guint t = 0; tokens[t] != NULL; t++)
        if (*tokens[t] != '\0' && n++ < 5)
          token[n - 1] = tokens[t];
      if (n == 0)
        continue;
      if (n != 5)
        {
          otter_dataset_builder_skip (builder, label_path,
                                      _("%s line %u: expected 5 values (class cx cy w h), found %u"),
                                      rel, l + 1, n);
          return FALSE;
        }
      if (!otter_dataset_parse_int (token[0], &class_id))
        {
          otter_dataset_builder_skip (builder, label_path,
                                      _("%s line %u: class \"%s\" is not a whole number"),
                                      rel, l + 1, token[0]);
          return FALSE;
        }
      if (class_id < 0 || class_id >= n_classes)
        {
          otter_dataset_builder_skip (builder, label_path,
                                      _("%s line %u: unknown class %" PRId64
                                      " (the class names give %u: 0 to %u)"),
                                      rel, l + 1, class_id, n_classes, n_classes - 1);
          return FALSE;
        }
      for (guint i = 0; i < 4; i++)
        if (!otter_dataset_parse_double (token[i + 1], &v[i]))
          {
            otter_dataset_builder_skip (builder, label_path, _("%s line %u: %s \"%s\" is not a number"),
                                        rel, l + 1, fields[i], token[i + 1]);
            return FALSE;
          }
      if (v[2] <= 0 || v[3] <= 0)
        {
          otter_dataset_builder_skip (builder, label_path,
                                      _("%s line %u: box has zero or negative %s (%s %g)"),
                                      rel, l + 1, v[2] <= 0 ? "width" : "height",
                                      v[2] <= 0 ? "w" : "h", v[2] <= 0 ? v[2] : v[3]);
          return FALSE;
        }

      source.values[0] = box.x1 = (v[0] - v[2] / 2) * width;
      source.values[1] = box.y1 = (v[1] - v[3] / 2) * height;
      source.values[2] = box.x2 = (v[0] + v[2] / 2) * width;
      source.values[3] = box.y2 = (v[1] + v[3] / 2) * height;
      if (!otter_dataset_check_box (&box, width, height, &source, &bad_field, &problem))
        {
          otter_dataset_builder_skip (builder, label_path, _("%s line %u: %s"), rel, l + 1, problem);
          return FALSE;
        }
      box.class_id = (int) class_id;
      otter_sample_add_box (sample, &box);
    }

  return TRUE;
}

/* What stands at `path` when something does but it is no regular file;
 * NULL when it is a file or nothing is there. Such a label is left out of
 * the listing, so its image would otherwise train with no boxes. */
static const char *
describe_non_file (const char *path)
{
  GStatBuf st;

  if (g_lstat (path, &st) != 0)
    return NULL;
  if (S_ISLNK (st.st_mode) && g_stat (path, &st) != 0)
    return _("a dangling symbolic link");

  return otter_describe_irregular_file (path);
}

static gboolean
is_label_name (const char *name)
{
  return g_str_has_suffix (name, ".txt") && strcmp (name, "classes.txt") != 0;
}

static char *
strip_extension (const char *rel_path)
{
  char *stem = g_strdup (rel_path);
  char *dot = strrchr (stem, '.');

  if (dot != NULL && strchr (dot, G_DIR_SEPARATOR) == NULL)
    *dot = '\0';

  return stem;
}

/* Reads the class names: from the YAML file when `yaml` is set, else from
 * data.yaml or classes.txt in `root` (or in its labels/ folder). */
static char **
find_class_names (const char  *yaml,
                  const char  *root,
                  const char  *labels,
                  char       **path_key,
                  GError     **error)
{
  g_autofree char *data_yaml = g_build_filename (root, "data.yaml", NULL);
  g_autofree char *classes = g_build_filename (root, "classes.txt", NULL);
  g_autofree char *labels_classes = g_build_filename (labels, "classes.txt", NULL);
  g_autofree char *display = g_filename_display_name (root);

  if (yaml != NULL)
    {
      g_autofree char *base = g_filename_display_basename (yaml);

      return otter_dataset_read_data_yaml (yaml, base, path_key, error);
    }
  if (g_file_test (data_yaml, G_FILE_TEST_IS_REGULAR))
    return otter_dataset_read_data_yaml (data_yaml, "data.yaml", path_key, error);
  if (g_file_test (classes, G_FILE_TEST_IS_REGULAR))
    return read_classes_txt (classes, "classes.txt", error);
  if (g_file_test (labels_classes, G_FILE_TEST_IS_REGULAR))
    return read_classes_txt (labels_classes, "labels/classes.txt", error);

  g_set_error (error, OTTER_ERROR, OTTER_ERROR_NOT_FOUND,
               _("%s: no data.yaml or classes.txt giving the class names of the YOLO labels"),
               display);
  return NULL;
}

/* Loads a YOLO dataset from its data.yaml or its folder. */
OtterDataset *
otter_dataset_load_yolo (const char    *path,
                         OtterDatasetLoadFlags flags,
                         GCancellable  *cancellable,
                         GError       **error)
{
  g_autoptr(OtterDatasetBuilder) builder = NULL;
  g_autoptr(GPtrArray) label_files = NULL;
  g_autoptr(GPtrArray) image_files = NULL;
  g_autoptr(GHashTable) labels_by_stem = NULL;
  g_autofree char *yaml = NULL;
  g_autofree char *root = NULL;
  g_autofree char *labels = NULL;
  g_autofree char *images = NULL;
  g_autofree char *path_key = NULL;
  g_auto(GStrv) class_names = NULL;

  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    root = g_canonicalize_filename (path, NULL);
  else
    {
      yaml = g_canonicalize_filename (path, NULL);
      root = g_path_get_dirname (yaml);
    }
  labels = g_build_filename (root, "labels", NULL);

  class_names = find_class_names (yaml, root, labels, &path_key, error);
  if (class_names == NULL)
    return NULL;

  /* data.yaml's "path" may point at the dataset root; tools resolve it
   * differently, so it is only used when the YAML's folder has no labels/. */
  if (path_key != NULL && !g_file_test (labels, G_FILE_TEST_IS_DIR))
    {
      g_autofree char *other = g_canonicalize_filename (path_key, root);
      g_autofree char *other_labels = g_build_filename (other, "labels", NULL);

      g_autofree char *resolved = NULL;

      if (!(flags & OTTER_DATASET_LOAD_ALLOW_OUTSIDE_ROOT) && g_file_test (other_labels, G_FILE_TEST_IS_DIR) &&
          !otter_dataset_path_is_inside (root, other, &resolved))
        {
          g_autofree char *display = g_filename_display_name (path);
          g_autofree char *shown = g_filename_display_name (resolved);
          g_autofree char *shown_root = g_filename_display_name (root);

          g_set_error (error, OTTER_ERROR, OTTER_ERROR_OUTSIDE_ROOT,
                       _("%s: its path: %s leads to %s, outside the dataset folder %s"),
                       display, path_key, shown, shown_root);
          return NULL;
        }
      if (g_file_test (other_labels, G_FILE_TEST_IS_DIR))
        {
          g_free (root);
          root = g_steal_pointer (&other);
          g_free (labels);
          labels = g_steal_pointer (&other_labels);
        }
    }
  images = g_build_filename (root, "images", NULL);

  builder = otter_dataset_builder_new (OTTER_DATASET_FORMAT_YOLO, flags, path, root);
  otter_dataset_builder_set_class_names (builder, (const char *const *) class_names);

  if (!g_file_test (labels, G_FILE_TEST_IS_DIR))
    {
      g_autofree char *display = g_filename_display_name (root);

      g_set_error (error, OTTER_ERROR, OTTER_ERROR_NOT_FOUND,
                   _("%s: no labels/ folder with the YOLO .txt labels"), display);
      return NULL;
    }
  label_files = otter_dataset_list_files (labels, TRUE, is_label_name, error);
  if (label_files == NULL)
    return NULL;
  image_files = otter_dataset_list_files (images, TRUE, otter_dataset_is_image_name, NULL);
  if (image_files == NULL)
    image_files = g_ptr_array_new_with_free_func (g_free);

  labels_by_stem = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < label_files->len; i++)
    g_hash_table_insert (labels_by_stem, strip_extension (label_files->pdata[i]), label_files->pdata[i]);

  /* Images in order, with their labels; images without one have no boxes. */
  for (guint i = 0; i < image_files->len; i++)
    {
      g_autofree char *image_path = g_build_filename (images, image_files->pdata[i], NULL);
      g_autofree char *stem = strip_extension (image_files->pdata[i]);
      g_autofree char *label_path = NULL;
      g_autoptr(OtterSample) sample = NULL;
      const char *label = g_hash_table_lookup (labels_by_stem, stem);
      int width, height;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;

      /* Claimed, so that a second image with the same stem goes unlabelled
       * and what is left at the end are labels without an image. */
      if (label != NULL)
        {
          label_path = g_build_filename (labels, label, NULL);
          g_hash_table_remove (labels_by_stem, stem);
        }
      else
        {
          g_autofree char *txt = g_strconcat (stem, ".txt", NULL);
          g_autofree char *unlisted = g_build_filename (labels, txt, NULL);
          const char *kind = describe_non_file (unlisted);

          if (kind != NULL)
            {
              g_autofree char *rel = g_filename_display_name (otter_dataset_builder_relative (builder, unlisted));

              otter_dataset_builder_skip (builder, unlisted, _("%s: %s, not a label file"), rel, kind);
              continue;
            }
        }

      if (!otter_dataset_builder_probe (builder, NULL, image_path, &width, &height))
        continue;
      if (label_path != NULL && !otter_dataset_builder_check_inside (builder, NULL, label_path, _("label file")))
        continue;
      sample = otter_sample_new (image_path, label_path, width, height);
      if (label_path != NULL && !read_label_file (builder, label_path, sample))
        continue;

      otter_dataset_builder_add_sample (builder, sample);
    }

  for (guint i = 0; i < label_files->len; i++)
    {
      g_autofree char *stem = strip_extension (label_files->pdata[i]);
      g_autofree char *label_path = NULL;
      g_autofree char *rel = NULL;

      if (!g_hash_table_contains (labels_by_stem, stem))
        continue;
      label_path = g_build_filename (labels, label_files->pdata[i], NULL);
      rel = g_filename_display_name (otter_dataset_builder_relative (builder, label_path));
      otter_dataset_builder_skip (builder, label_path, _("%s: no image %s.* in images/"), rel, stem);
    }

  return otter_dataset_builder_finish (builder, error);
}
