/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-dataset-builder.c: what the format readers share while loading */
#include "config.h"

#include <glib/gi18n-lib.h>

#include <errno.h>
#include <glib/gstdio.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>

#include "otter-dataset-private.h"
#include "otter-error.h"
#include "otter-image.h"

struct _OtterDatasetBuilder
{
  OtterDatasetFormat  format;
  OtterDatasetLoadFlags flags;
  char               *source;
  char               *root;             /* canonical, for relative names */
  char               *boundary;         /* canonical: the dataset's files lie in it */
  char               *real_boundary;    /* links resolved; NULL until needed */
  guint               n_outside_root;   /* skips for lying outside it */
  GPtrArray          *samples;
  GPtrArray          *class_names;      /* of char *, in id order */
  GHashTable         *class_ids;        /* name → id + 1 */
  gboolean            fixed_classes;
  GArray             *skipped;          /* of OtterSkippedSample */
  GHashTable         *probed;           /* image path → int[2], its real width and height */
};

void
otter_skipped_sample_clear (gpointer data)
{
  OtterSkippedSample *skipped = data;

  g_clear_pointer (&skipped->file, g_free);
  g_clear_pointer (&skipped->reason, g_free);
}

OtterDatasetBuilder *
otter_dataset_builder_new (OtterDatasetFormat    format,
                           OtterDatasetLoadFlags flags,
                           const char           *source,
                           const char           *root)
{
  OtterDatasetBuilder *self = g_new0 (OtterDatasetBuilder, 1);

  self->format = format;
  self->flags = flags;
  self->source = g_strdup (source);
  self->root = g_canonicalize_filename (root, NULL);
  self->boundary = g_strdup (self->root);
  self->samples = g_ptr_array_new_with_free_func (g_object_unref);
  self->class_names = g_ptr_array_new_with_free_func (g_free);
  self->class_ids = g_hash_table_new (g_str_hash, g_str_equal);
  self->skipped = g_array_new (FALSE, TRUE, sizeof (OtterSkippedSample));
  g_array_set_clear_func (self->skipped, otter_skipped_sample_clear);
  self->probed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  return self;
}

void
otter_dataset_builder_free (OtterDatasetBuilder *self)
{
  if (self == NULL)
    return;

  g_free (self->source);
  g_free (self->root);
  g_free (self->boundary);
  g_free (self->real_boundary);
  g_clear_pointer (&self->samples, g_ptr_array_unref);
  g_clear_pointer (&self->class_ids, g_hash_table_unref);
  g_clear_pointer (&self->class_names, g_ptr_array_unref);
  g_clear_pointer (&self->skipped, g_array_unref);
  g_clear_pointer (&self->probed, g_hash_table_unref);
  g_free (self);
}

const char *
otter_dataset_builder_relative (OtterDatasetBuilder *self,
                                const char          *path)
{
  gsize len = strlen (self->root);

  if (g_str_has_prefix (path, self->root) && path[len] == G_DIR_SEPARATOR)
    return path + len + 1;

  return path;
}

void
otter_dataset_builder_set_class_names (OtterDatasetBuilder *self,
                                       const char *const   *names)
{
  g_assert (self->class_names->len == 0);

  for (guint i = 0; names[i] != NULL; i++)
    {
      g_ptr_array_add (self->class_names, g_strdup (names[i]));
      /* A repeated name keeps its first id; both ids stay valid. */
      if (!g_hash_table_contains (self->class_ids, names[i]))
        g_hash_table_insert (self->class_ids, self->class_names->pdata[i],
                             GUINT_TO_POINTER (i + 1));
    }
  self->fixed_classes = TRUE;
}

guint
otter_dataset_builder_get_n_classes (OtterDatasetBuilder *self)
{
  return self->class_names->len;
}

int
otter_dataset_builder_lookup_class (OtterDatasetBuilder *self,
                                    const char          *name)
{
  guint id = GPOINTER_TO_UINT (g_hash_table_lookup (self->class_ids, name));
  char *copy;

  if (id > 0)
    return (int) id - 1;
  if (self->fixed_classes)
    return -1;

  copy = g_strdup (name);
  g_ptr_array_add (self->class_names, copy);
  g_hash_table_insert (self->class_ids, copy, GUINT_TO_POINTER (self->class_names->len));

  return (int) self->class_names->len - 1;
}

void
otter_dataset_builder_add_sample (OtterDatasetBuilder *self,
                                  OtterSample         *sample)
{
  g_ptr_array_add (self->samples, g_object_ref (sample));
}

guint
otter_dataset_builder_get_n_samples (OtterDatasetBuilder *self)
{
  return self->samples->len;
}

void
otter_dataset_builder_skip (OtterDatasetBuilder *self,
                            const char          *file,
                            const char          *format,
                            ...)
{
  OtterSkippedSample skipped;
  va_list args;

  va_start (args, format);
  skipped.file = g_strdup (file);
  skipped.reason = g_strdup_vprintf (format, args);
  va_end (args);

  g_debug ("Skipped: %s", skipped.reason);
  g_array_append_val (self->skipped, skipped);
}

gboolean
otter_dataset_path_is_inside (const char  *root,
                              const char  *path,
                              char       **resolved)
{
  g_autofree char *real_root = realpath (root, NULL);
  g_autofree char *real_path = realpath (path, NULL);
  gboolean inside = TRUE;

  if (real_root != NULL && real_path != NULL)
    {
      gsize len = strlen (real_root);

      /* "/" ends in the separator already; every other root does not. */
      inside = g_str_has_prefix (real_path, real_root) &&
               (real_path[len] == G_DIR_SEPARATOR || real_path[len] == '\0' || len == 1);
    }
  if (resolved != NULL)
    *resolved = g_steal_pointer (&real_path);
  return inside;
}

void
otter_dataset_builder_set_boundary (OtterDatasetBuilder *self,
                                    const char          *dir)
{
  g_free (self->boundary);
  g_clear_pointer (&self->real_boundary, g_free);
  self->boundary = g_canonicalize_filename (dir, NULL);
}

char *
otter_dataset_boundary_for_annotations (const char *dir)
{
  g_autofree char *canonical = g_canonicalize_filename (dir, NULL);
  g_autofree char *name = g_path_get_basename (canonical);
  g_autofree char *parent = g_path_get_dirname (canonical);
  g_autofree char *images_beside = g_build_filename (parent, "images", NULL);

  if (g_ascii_strcasecmp (name, "annotations") == 0 || g_file_test (images_beside, G_FILE_TEST_IS_DIR))
    return g_steal_pointer (&parent);
  return g_steal_pointer (&canonical);
}

gboolean
otter_dataset_builder_check_inside (OtterDatasetBuilder *self,
                                    const char          *referrer,
                                    const char          *path,
                                    const char          *what)
{
  g_autofree char *real_path = NULL;
  g_autofree char *shown = NULL;
  g_autofree char *shown_real = NULL;
  g_autofree char *shown_root = NULL;

  if (self->flags & OTTER_DATASET_LOAD_ALLOW_OUTSIDE_ROOT)
    return TRUE;
  if (self->real_boundary == NULL)
    self->real_boundary = realpath (self->boundary, NULL);
  if (self->real_boundary == NULL)
    return TRUE;
  if (otter_dataset_path_is_inside (self->real_boundary, path, &real_path))
    return TRUE;

  shown = g_filename_display_name (otter_dataset_builder_relative (self, path));
  shown_real = g_filename_display_name (real_path);
  shown_root = g_filename_display_name (self->real_boundary);
  self->n_outside_root++;
  /* Through a link, where it leads is what tells the user why. */
  g_autofree char *canonical = g_canonicalize_filename (path, NULL);
  gboolean through_link = g_strcmp0 (canonical, real_path) != 0;
  if (referrer != NULL && through_link)
    otter_dataset_builder_skip (self, path, _("%s: its %s %s leads to %s, outside the dataset folder %s"),
                                referrer, what, shown, shown_real, shown_root);
  else if (referrer != NULL)
    otter_dataset_builder_skip (self, path, _("%s: its %s %s lies outside the dataset folder %s"),
                                referrer, what, shown_real, shown_root);
  else if (through_link)
    otter_dataset_builder_skip (self, path, _("%s: the %s leads to %s, outside the dataset folder %s"),
                                shown, what, shown_real, shown_root);
  else
    otter_dataset_builder_skip (self, path, _("%s: the %s lies outside the dataset folder %s"),
                                shown, what, shown_root);
  return FALSE;
}

gboolean
otter_dataset_builder_probe (OtterDatasetBuilder *self,
                             const char          *referrer,
                             const char          *image_path,
                             int                 *width,
                             int                 *height)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *full_name = NULL;
  g_autofree char *rel_name = NULL;
  const char *problem;
  int w = 0, h = 0;

  if (!otter_dataset_builder_check_inside (self, referrer, image_path, _("image")))
    return FALSE;
  if (otter_image_probe (image_path, &w, &h, &error))
    {
      int *size = g_new (int, 2);
      size[0] = w, size[1] = h;
      g_hash_table_insert (self->probed, g_strdup (image_path), size);
      if (width != NULL)
        *width = w;
      if (height != NULL)
        *height = h;
      return TRUE;
    }

  /* The probe names the file in full; say it relative to the dataset. */
  full_name = g_filename_display_name (image_path);
  rel_name = g_filename_display_name (otter_dataset_builder_relative (self, image_path));
  problem = error->message;
  if (g_str_has_prefix (problem, full_name))
    {
      /* a translation may follow the name with a full-width colon */
      const char *after = problem + strlen (full_name);
      if (*after == ':')
        problem = after + 1;
      else if (g_str_has_prefix (after, "："))
        problem = after + strlen ("：");
    }
  while (*problem == ' ')
    problem++;

  otter_dataset_builder_skip (self, image_path, "%s: %s", rel_name, problem);

  return FALSE;
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return g_utf8_collate (*(const char *const *) a, *(const char *const *) b);
}

/* Discovered classes are sorted so that class ids do not depend on the
 * order the files were read in. */
static void
sort_discovered_classes (OtterDatasetBuilder *self)
{
  g_autofree int *remap = NULL;
  g_autoptr(GPtrArray) sorted = NULL;
  guint n = self->class_names->len;

  sorted = g_ptr_array_copy (self->class_names, NULL, NULL);
  g_ptr_array_sort (sorted, compare_names);

  remap = g_new (int, MAX (n, 1));
  for (guint i = 0; i < n; i++)
    {
      guint old_id = GPOINTER_TO_UINT (g_hash_table_lookup (self->class_ids, sorted->pdata[i])) - 1;

      remap[old_id] = (int) i;
    }

  for (guint s = 0; s < self->samples->len; s++)
    otter_sample_remap_classes (self->samples->pdata[s], remap, n);

  /* The strings move to the sorted order; class_ids is no longer needed. */
  g_hash_table_remove_all (self->class_ids);
  g_ptr_array_set_free_func (self->class_names, NULL);
  g_ptr_array_unref (self->class_names);
  g_ptr_array_set_free_func (sorted, g_free);
  self->class_names = g_steal_pointer (&sorted);
}

/* An annotation may state a size other than the image's (the images were
 * resized after labelling): its boxes were checked against the stated
 * size, so they are scaled to the real one, and the user is told. */
static GPtrArray *
fit_to_images (OtterDatasetBuilder *self)
{
  GPtrArray *notes = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < self->samples->len; i++)
    {
      OtterSample *sample = self->samples->pdata[i];
      const int *size = g_hash_table_lookup (self->probed, otter_sample_get_image_path (sample));
      if (size == NULL)
        continue;
      int width = size[0], height = size[1];
      int stated_width = otter_sample_get_width (sample), stated_height = otter_sample_get_height (sample);
      if (stated_width <= 0 || stated_height <= 0 || (stated_width == width && stated_height == height))
        continue;
      const char *annotation = otter_sample_get_annotation_path (sample);
      g_autofree char *rel = g_filename_display_name (
        otter_dataset_builder_relative (self, annotation ? annotation : otter_sample_get_image_path (sample)));
      g_autofree char *image = g_filename_display_basename (otter_sample_get_image_path (sample));
      char *note = g_strdup_printf (/* Translators: the first %s is the annotation file, the
                                     * second the image; the sizes are in pixels. */
                                    _("%s: says %s is %d × %d, but it is %d × %d; its boxes were scaled to fit"), rel,
                                    image, stated_width, stated_height, width, height);
      g_debug ("%s", note);
      g_ptr_array_add (notes, note);
      otter_sample_rescale (sample, width, height);
    }
  return notes;
}

OtterDataset *
otter_dataset_builder_finish (OtterDatasetBuilder  *self,
                              GError              **error)
{
  char **class_names;

  if (self->samples->len == 0)
    {
      if (self->n_outside_root == self->skipped->len && self->n_outside_root > 0)
        g_set_error (error, OTTER_ERROR, OTTER_ERROR_OUTSIDE_ROOT,
                     _("%s has no usable sample: all %u lie outside its folder; the first: %s"),
                     self->source, self->skipped->len,
                     g_array_index (self->skipped, OtterSkippedSample, 0).reason);
      else if (self->skipped->len > 0)
        g_set_error (error, OTTER_ERROR, OTTER_ERROR_EMPTY_DATASET,
                     _("%s has no usable sample (%u skipped); the first: %s"),
                     self->source, self->skipped->len,
                     g_array_index (self->skipped, OtterSkippedSample, 0).reason);
      else
        g_set_error (error, OTTER_ERROR, OTTER_ERROR_EMPTY_DATASET,
                     _("%s has no samples"), self->source);
      return NULL;
    }

  if (!self->fixed_classes)
    sort_discovered_classes (self);
  g_autoptr (GPtrArray) notes = fit_to_images (self);

  g_ptr_array_add (self->class_names, NULL);
  class_names = (char **) g_ptr_array_free (g_steal_pointer (&self->class_names), FALSE);

  OtterDataset *dataset = otter_dataset_new_from_parts (self->format, self->source,
                                                        g_steal_pointer (&self->samples),
                                                        class_names,
                                                        g_steal_pointer (&self->skipped));
  otter_dataset_set_notes (dataset, g_steal_pointer (&notes));
  otter_dataset_set_load_info (dataset, self->flags, self->n_outside_root);
  return dataset;
}

gboolean
otter_dataset_check_box (OtterBox             *box,
                         int                   width,
                         int                   height,
                         const OtterBoxSource *source,
                         guint                *bad_field,
                         char                **problem)
{
  const double tolerance = 1.0;
  const char *const *names = source->names;
  const double *values = source->values;

  g_assert (width > 0 && height > 0);

  if (!isfinite (box->x1) || !isfinite (box->y1) ||
      !isfinite (box->x2) || !isfinite (box->y2))
    {
      *bad_field = 0;
      *problem = g_strdup (_("box has a coordinate that is not a finite number"));
      return FALSE;
    }
  if (box->x2 <= box->x1)
    {
      *bad_field = 2;
      *problem = g_strdup_printf (_("box has zero or negative width (%s %g, %s %g)"),
                                  names[0], values[0], names[2], values[2]);
      return FALSE;
    }
  if (box->y2 <= box->y1)
    {
      *bad_field = 3;
      *problem = g_strdup_printf (_("box has zero or negative height (%s %g, %s %g)"),
                                  names[1], values[1], names[3], values[3]);
      return FALSE;
    }
  if (box->x1 < -tolerance || box->x1 >= width)
    {
      *bad_field = 0;
      *problem = g_strdup_printf (_("box %s %g is outside the %d px wide image"),
                                  names[0], values[0], width);
      return FALSE;
    }
  if (box->x2 > width + tolerance || box->x2 <= 0)
    {
      *bad_field = 2;
      *problem = g_strdup_printf (_("box %s %g is outside the %d px wide image"),
                                  names[2], values[2], width);
      return FALSE;
    }
  if (box->y1 < -tolerance || box->y1 >= height)
    {
      *bad_field = 1;
      *problem = g_strdup_printf (_("box %s %g is outside the %d px high image"),
                                  names[1], values[1], height);
      return FALSE;
    }
  if (box->y2 > height + tolerance || box->y2 <= 0)
    {
      *bad_field = 3;
      *problem = g_strdup_printf (_("box %s %g is outside the %d px high image"),
                                  names[3], values[3], height);
      return FALSE;
    }

  box->x1 = CLAMP (box->x1, 0, width);
  box->y1 = CLAMP (box->y1, 0, height);
  box->x2 = CLAMP (box->x2, 0, width);
  box->y2 = CLAMP (box->y2, 0, height);

  return TRUE;
}

gboolean
otter_dataset_is_image_name (const char *name)
{
  static const char *const extensions[] = {
    ".jpg", ".jpeg", ".png", ".bmp", ".gif", ".webp", ".tif", ".tiff",
  };
  g_autofree char *lower = g_ascii_strdown (name, -1);

  for (guint i = 0; i < G_N_ELEMENTS (extensions); i++)
    if (g_str_has_suffix (lower, extensions[i]))
      return TRUE;

  return FALSE;
}

typedef struct
{
  char *path;
  char *key;
} SortEntry;

static int
compare_entries (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (((const SortEntry *) a)->key, ((const SortEntry *) b)->key);
}

/* TRUE the first time the folder at `path` is met. A symbolic link back
 * to a folder above it (images/sub -> .) would otherwise be followed until
 * the path grows too long, listing every image dozens of times. */
static gboolean
first_visit (GHashTable *visited,
             const char *path)
{
  GStatBuf st;

  if (g_stat (path, &st) != 0)
    return TRUE;                /* g_dir_open gives the error */

  return g_hash_table_add (visited, g_strdup_printf ("%ju:%ju", (uintmax_t) st.st_dev,
                                                     (uintmax_t) st.st_ino));
}

static gboolean
collect_files (const char  *dir,
               const char  *prefix,
               gboolean     recursive,
               gboolean   (*filter) (const char *name),
               GHashTable  *visited,
               GArray      *entries,
               GError     **error)
{
  g_autoptr(GDir) gdir = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *name;

  if (!first_visit (visited, dir))
    return TRUE;
  gdir = g_dir_open (dir, 0, &local_error);
  if (gdir == NULL)
    {
      g_set_error (error, OTTER_ERROR, OTTER_ERROR_IO, "%s", local_error->message);
      return FALSE;
    }

  while ((name = g_dir_read_name (gdir)) != NULL)
    {
      g_autofree char *full = NULL;
      g_autofree char *rel = NULL;

      if (name[0] == '.')
        continue;

      full = g_build_filename (dir, name, NULL);
      rel = prefix != NULL ? g_build_filename (prefix, name, NULL) : g_strdup (name);

      if (g_file_test (full, G_FILE_TEST_IS_DIR))
        {
          if (recursive && !collect_files (full, rel, TRUE, filter, visited, entries, error))
            return FALSE;
        }
      else if (g_file_test (full, G_FILE_TEST_IS_REGULAR) &&
               (filter == NULL || filter (name)))
        {
          g_autofree char *display = g_filename_display_name (rel);
          SortEntry entry;

          entry.key = g_utf8_collate_key_for_filename (display, -1);
          entry.path = g_steal_pointer (&rel);
          g_array_append_val (entries, entry);
        }
    }

  return TRUE;
}

GPtrArray *
otter_dataset_list_files (const char  *dir,
                          gboolean     recursive,
                          gboolean   (*filter) (const char *name),
                          GError     **error)
{
  g_autoptr(GArray) entries = g_array_new (FALSE, FALSE, sizeof (SortEntry));
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) visited = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  gboolean ok;

  ok = collect_files (dir, NULL, recursive, filter, visited, entries, error);
  g_array_sort (entries, compare_entries);

  for (guint i = 0; i < entries->len; i++)
    {
      SortEntry *entry = &g_array_index (entries, SortEntry, i);

      g_free (entry->key);
      g_ptr_array_add (files, entry->path);
    }

  if (!ok)
    return NULL;

  return g_steal_pointer (&files);
}

char *
otter_dataset_find_file (const char *const *dirs,
                         const char        *name)
{
  if (g_path_is_absolute (name))
    return g_file_test (name, G_FILE_TEST_IS_REGULAR) ? g_canonicalize_filename (name, NULL) : NULL;

  for (guint i = 0; dirs[i] != NULL; i++)
    {
      g_autofree char *path = g_build_filename (dirs[i], name, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
        return g_canonicalize_filename (path, NULL);
    }

  return NULL;
}

gboolean
otter_dataset_parse_double (const char *text,
                            double     *value)
{
  char *end = NULL;
  double v;

  while (g_ascii_isspace (*text))
    text++;
  if (*text == '\0')
    return FALSE;

  errno = 0;
  v = g_ascii_strtod (text, &end);
  if (errno != 0 || end == text || !isfinite (v))
    return FALSE;
  while (g_ascii_isspace (*end))
    end++;
  if (*end != '\0')
    return FALSE;

  *value = v;
  return TRUE;
}

gboolean
otter_dataset_parse_int (const char *text,
                         gint64     *value)
{
  char *end = NULL;
  gint64 v;

  while (g_ascii_isspace (*text))
    text++;
  if (*text == '\0')
    return FALSE;

  errno = 0;
  v = g_ascii_strtoll (text, &end, 10);
  if (errno != 0 || end == text)
    return FALSE;
  while (g_ascii_isspace (*end))
    end++;
  if (*end != '\0')
    return FALSE;

  *value = v;
  return TRUE;
}
