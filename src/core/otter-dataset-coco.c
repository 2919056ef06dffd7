/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-dataset-coco.c: COCO JSON (object detection "instances" files) */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <inttypes.h>

#include "otter-untrusted.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <json-glib/json-glib.h>

#include "otter-dataset-private.h"
#include "otter-error.h"

/* COCO boxes are [x, y, width, height] in pixel edges, so they become
 * (x, y, x + width, y + height) unchanged. Category ids, which need not be
 * contiguous (COCO's own go 1 to 90), become class ids 0 … n-1 in ascending
 * id order. Crowd annotations (iscrowd 1) keep their box, marked crowd. */

/* In the image id table: an image that was skipped (missing, unreadable). */
#define DROPPED_IMAGE G_MAXUINT

typedef struct
{
  gint64       id;
  char        *file_name;
  OtterSample *sample;          /* NULL when the image was skipped */
  char        *problem;         /* the first bad annotation, if any */
} CocoImage;

static void
coco_image_clear (gpointer data)
{
  CocoImage *image = data;

  g_clear_pointer (&image->file_name, g_free);
  g_clear_object (&image->sample);
  g_clear_pointer (&image->problem, g_free);
}

typedef struct
{
  gint64      id;
  const char *name;
} CocoCategory;

static int
compare_categories (gconstpointer a,
                    gconstpointer b)
{
  gint64 x = ((const CocoCategory *) a)->id, y = ((const CocoCategory *) b)->id;

  return (x > y) - (x < y);
}

static gboolean
get_number (JsonObject *object,
            const char *member,
            double     *value)
{
  JsonNode *node = json_object_get_member (object, member);
  GType type;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  type = json_node_get_value_type (node);
  if (type != G_TYPE_INT64 && type != G_TYPE_DOUBLE)
    return FALSE;
  *value = json_node_get_double (node);

  return isfinite (*value);
}

static gboolean
get_id (JsonObject *object,
        const char *member,
        gint64     *id)
{
  double value;

  if (!get_number (object, member, &value) || value != floor (value) ||
      fabs (value) > (double) G_MAXINT64 / 2)
    return FALSE;
  *id = (gint64) value;

  return TRUE;
}

static JsonArray *
get_array (JsonObject  *root,
           const char  *member,
           gboolean     required,
           const char  *rel,
           GError     **error)
{
  JsonNode *node = json_object_get_member (root, member);

  if (node == NULL && !required)
    return NULL;
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    {
      g_set_error (error, OTTER_ERROR, OTTER_ERROR_PARSE,
                   _("%s: \"%s\" is missing or is not an array; is this a COCO detection file?"),
                   rel, member);
      return NULL;
    }

  return json_node_get_array (node);
}

/* Category id → class id, in ascending id order. */
static GHashTable *
read_categories (OtterDatasetBuilder  *builder,
                 JsonArray            *categories,
                 const char           *rel,
                 GError              **error)
{
  g_autoptr(GHashTable) ids = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_autoptr(GArray) list = g_array_new (FALSE, FALSE, sizeof (CocoCategory));
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  guint n = categories != NULL ? json_array_get_length (categories) : 0;

  for (guint i = 0; i < n; i++)
    {
      JsonNode *node = json_array_get_element (categories, i);
      JsonObject *object = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      CocoCategory category;

      if (object == NULL || !get_id (object, "id", &category.id) ||
          (category.name = otter_json_get_string (object, "name", NULL)) == NULL)
        {
          g_set_error (error, OTTER_ERROR, OTTER_ERROR_PARSE,
                       _("%s: categories[%u] needs an integer \"id\" and a \"name\""), rel, i);
          return NULL;
        }
      g_array_append_val (list, category);
    }
  g_array_sort (list, compare_categories);

  for (guint i = 0; i < list->len; i++)
    {
      CocoCategory *category = &g_array_index (list, CocoCategory, i);

      if (i > 0 && category->id == g_array_index (list, CocoCategory, i - 1).id)
        {
          g_set_error (error, OTTER_ERROR, OTTER_ERROR_PARSE,
                       _("%s: category id %" PRId64 " appears twice"), rel, category->id);
          return NULL;
        }
      g_hash_table_insert (ids, g_memdup2 (&category->id, sizeof (gint64)), GUINT_TO_POINTER (i));
      g_ptr_array_add (names, (gpointer) category->name);
    }
  g_ptr_array_add (names, NULL);
  otter_dataset_builder_set_class_names (builder, (const char *const *) names->pdata);

  return g_steal_pointer (&ids);
}

/* Where an image's file_name is looked for, relative to the JSON's folder:
 * there, ../images, ../images/<split> (the part of "instances_<split>.json"
 * after the last underscore), an images/ folder beside the JSON, and "..". */
static char **
image_dirs (const char *json_path)
{
  g_autofree char *dir = g_path_get_dirname (json_path);
  g_autofree char *base = g_path_get_basename (json_path);
  GPtrArray *dirs = g_ptr_array_new ();
  const char *split;

  *strrchr (base, '.') = '\0';
  split = strrchr (base, '_');
  split = split != NULL ? split + 1 : base;

  g_ptr_array_add (dirs, g_strdup (dir));
  g_ptr_array_add (dirs, g_build_filename (dir, "..", "images", NULL));
  g_ptr_array_add (dirs, g_build_filename (dir, "..", "images", split, NULL));
  g_ptr_array_add (dirs, g_build_filename (dir, "images", NULL));
  g_ptr_array_add (dirs, g_build_filename (dir, "..", NULL));
  g_ptr_array_add (dirs, NULL);

  return (char **) g_ptr_array_free (dirs, FALSE);
}

static void
read_images (OtterDatasetBuilder *builder,
             JsonArray           *images,
             const char          *json_path,
             const char          *rel,
             GArray              *entries,
             GHashTable          *by_id,
             GCancellable        *cancellable)
{
  g_auto(GStrv) dirs = image_dirs (json_path);
  guint n = json_array_get_length (images);

  for (guint i = 0; i < n && !g_cancellable_is_cancelled (cancellable); i++)
    {
      JsonNode *node = json_array_get_element (images, i);
      JsonObject *object = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      g_autofree char *image_path = NULL;
      const char *file_name;
      CocoImage entry = { 0 };
      double w = 0, h = 0;
      int width, height;

      if (object == NULL || !get_id (object, "id", &entry.id) ||
          (file_name = otter_json_get_string (object, "file_name", NULL)) == NULL)
        {
          otter_dataset_builder_skip (builder, json_path,
                                      _("%s: images[%u] needs an integer \"id\" and a \"file_name\""),
                                      rel, i);
          continue;
        }
      if (g_hash_table_contains (by_id, &entry.id))
        {
          otter_dataset_builder_skip (builder, json_path, _("%s: images[%u] (%s): id %" PRId64
                                      " is used by another image"), rel, i, file_name, entry.id);
          continue;
        }

      g_autofree char *referrer = g_strdup_printf ("%s images[%u]", rel, i);

      image_path = otter_dataset_find_file ((const char *const *) dirs, file_name);
      if (image_path == NULL)
        otter_dataset_builder_skip (builder, json_path,
                                    _("%s: image %s (id %" PRId64 ") not found beside the "
                                      "JSON, in ../images or in images/"), rel, file_name, entry.id);
      if (image_path == NULL || !otter_dataset_builder_probe (builder, referrer, image_path, &width, &height))
        {
          /* Known, so that its annotations are dropped without a word. */
          g_hash_table_insert (by_id, g_memdup2 (&entry.id, sizeof (gint64)),
                               GUINT_TO_POINTER (DROPPED_IMAGE));
          continue;
        }
      /* The boxes refer to the size the file gives, when it gives one. */
      if (get_number (object, "width", &w) && get_number (object, "height", &h) &&
          w >= 1 && h >= 1 && w <= G_MAXINT && h <= G_MAXINT)
        {
          width = (int) w;
          height = (int) h;
        }

      entry.file_name = g_strdup (file_name);
      entry.sample = otter_sample_new (image_path, json_path, width, height);
      g_array_append_val (entries, entry);
      g_hash_table_insert (by_id, g_memdup2 (&entry.id, sizeof (gint64)),
                           GUINT_TO_POINTER (entries->len));
    }
}

static void
read_annotation (OtterDatasetBuilder *builder,
                 JsonObject          *object,
                 guint                index,
                 const char          *json_path,
                 const char          *rel,
                 GArray              *entries,
                 GHashTable          *by_id,
                 GHashTable          *categories)
{
  OtterBoxSource source = { { "x", "y", "x + width", "y + height" } };
  g_autofree char *what = NULL;
  JsonArray *bbox = NULL;
  JsonNode *crowd_node;
  CocoImage *image;
  OtterBox box = { 0 };
  gint64 id = -1, image_id, category_id;
  double bbox_values[4];
  guint bad_field, position;
  gpointer class_id;

  if (object != NULL && get_id (object, "id", &id))
    what = g_strdup_printf (_("annotation id %" PRId64), id);
  else
    what = g_strdup_printf ("annotations[%u]", index);

  if (object == NULL || !get_id (object, "image_id", &image_id))
    {
      otter_dataset_builder_skip (builder, json_path, _("%s: %s has no integer \"image_id\""), rel, what);
      return;
    }
  position = GPOINTER_TO_UINT (g_hash_table_lookup (by_id, &image_id));
  if (position == 0)
    {
      otter_dataset_builder_skip (builder, json_path,
                                  _("%s: %s refers to image_id %" PRId64 ", which is not in \"images\""),
                                  rel, what, image_id);
      return;
    }
  if (position == DROPPED_IMAGE)
    return;
  image = &g_array_index (entries, CocoImage, position - 1);
  if (image->problem != NULL)
    return;

  if (!get_id (object, "category_id", &category_id))
    {
      image->problem = g_strdup_printf (_("%s (image %s): no integer \"category_id\""),
                                        what, image->file_name);
      return;
    }
  if (!g_hash_table_lookup_extended (categories, &category_id, NULL, &class_id))
    {
      image->problem = g_strdup_printf (_("%s (image %s): unknown class: category_id %" PRId64
                                        " is not in \"categories\""),
                                        what, image->file_name, category_id);
      return;
    }

  if (json_object_has_member (object, "bbox") &&
      JSON_NODE_HOLDS_ARRAY (json_object_get_member (object, "bbox")))
    bbox = json_object_get_array_member (object, "bbox");
  for (guint i = 0; bbox != NULL && i < 4 && json_array_get_length (bbox) == 4; i++)
    {
      JsonNode *value = json_array_get_element (bbox, i);

      if (!JSON_NODE_HOLDS_VALUE (value) ||
          (json_node_get_value_type (value) != G_TYPE_INT64 &&
           json_node_get_value_type (value) != G_TYPE_DOUBLE))
        bbox = NULL;
      else
        bbox_values[i] = json_node_get_double (value);
    }
  if (bbox == NULL || json_array_get_length (bbox) != 4)
    {
      image->problem = g_strdup_printf (_("%s (image %s): \"bbox\" is not [x, y, width, height]"),
                                        what, image->file_name);
      return;
    }

  source.values[0] = box.x1 = bbox_values[0];
  source.values[1] = box.y1 = bbox_values[1];
  source.values[2] = box.x2 = bbox_values[0] + bbox_values[2];
  source.values[3] = box.y2 = bbox_values[1] + bbox_values[3];
  if (!otter_dataset_check_box (&box, otter_sample_get_width (image->sample),
                                otter_sample_get_height (image->sample),
                                &source, &bad_field, &image->problem))
    {
      g_autofree char *problem = g_steal_pointer (&image->problem);

      image->problem = g_strdup_printf (_("%s (image %s): %s"), what, image->file_name, problem);
      return;
    }

  crowd_node = json_object_get_member (object, "iscrowd");
  box.crowd = crowd_node != NULL && JSON_NODE_HOLDS_VALUE (crowd_node) &&
              (json_node_get_value_type (crowd_node) == G_TYPE_BOOLEAN
               ? json_node_get_boolean (crowd_node)
               : json_node_get_int (crowd_node) != 0);
  box.class_id = (int) GPOINTER_TO_UINT (class_id);
  otter_sample_add_box (image->sample, &box);
}

static gboolean
load_json (const char  *path,
           const char  *rel,
           JsonParser  *parser,
           GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *base = g_path_get_basename (path);
  const char *message;
  int line, column, consumed = 0;

  /* json-glib recurses once a nesting level: too deep a file would
   * overflow the stack, so the depth is checked on the raw bytes first */
  const char *kind = otter_describe_irregular_file (path);
  if (kind != NULL)
    {
      g_set_error (error, OTTER_ERROR, OTTER_ERROR_IO, _("%s is %s, not a COCO file"), rel, kind);
      return FALSE;
    }
  g_autoptr (GMappedFile) mapped = g_mapped_file_new (path, FALSE, &local_error);
  if (mapped == NULL)
    {
      g_set_error (error, OTTER_ERROR, OTTER_ERROR_IO, "%s: %s", rel, local_error->message);
      return FALSE;
    }
  if (!otter_json_check_depth (g_mapped_file_get_contents (mapped), (gssize) g_mapped_file_get_length (mapped),
                               OTTER_JSON_MAX_DEPTH, &local_error))
    {
      g_set_error (error, OTTER_ERROR, OTTER_ERROR_PARSE, _("%s: malformed JSON: %s"), rel, local_error->message);
      return FALSE;
    }
  g_clear_pointer (&mapped, g_mapped_file_unref);
  if (json_parser_load_from_mapped_file (parser, path, &local_error))
    {
      if (json_parser_get_root (parser) != NULL)
        return TRUE;
      g_set_error (error, OTTER_ERROR, OTTER_ERROR_PARSE, _("%s: the file is empty"), rel);
      return FALSE;
    }

  if (local_error->domain != JSON_PARSER_ERROR)
    {
      g_set_error (error, OTTER_ERROR, OTTER_ERROR_IO, "%s: %s", rel, local_error->message);
      return FALSE;
    }

  /* json-glib says "path/file.json:3:14: Parse error: …"; say it our way. */
  message = local_error->message;
  if (g_str_has_prefix (message, path) && message[strlen (path)] == ':')
    message += strlen (path) + 1;
  else if (g_str_has_prefix (message, base) && message[strlen (base)] == ':')
    message += strlen (base) + 1;
  if (message != local_error->message &&
      sscanf (message, "%d:%d: %n", &line, &column, &consumed) == 2 && consumed > 0)
    g_set_error (error, OTTER_ERROR, OTTER_ERROR_PARSE, _("%s line %d, column %d: malformed JSON: %s"),
                 rel, line, column, message + consumed);
  else
    g_set_error (error, OTTER_ERROR, OTTER_ERROR_PARSE, _("%s: malformed JSON: %s"),
                 rel, local_error->message);

  return FALSE;
}

/* Loads a COCO detection JSON file. Malformed JSON or a file without the
 * COCO arrays is an error; a bad image or annotation skips its image. */
OtterDataset *
otter_dataset_load_coco (const char    *path,
                         OtterDatasetLoadFlags flags,
                         GCancellable  *cancellable,
                         GError       **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(OtterDatasetBuilder) builder = NULL;
  g_autoptr(GHashTable) categories = NULL;
  g_autoptr(GHashTable) by_id = NULL;
  g_autoptr(GArray) entries = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *json_path = g_canonicalize_filename (path, NULL);
  g_autofree char *dir = g_path_get_dirname (json_path);
  g_autofree char *root_dir = g_path_get_dirname (dir);
  g_autofree char *rel = NULL;
  JsonArray *images, *annotations, *category_list = NULL;
  JsonObject *root;
  guint n_annotations;

  /* Messages name files relative to the folder above the JSON's. */
  builder = otter_dataset_builder_new (OTTER_DATASET_FORMAT_COCO, flags, path, root_dir);
  g_autofree char *boundary = otter_dataset_boundary_for_annotations (dir);
  otter_dataset_builder_set_boundary (builder, boundary);
  rel = g_filename_display_name (otter_dataset_builder_relative (builder, json_path));

  if (!load_json (json_path, rel, parser, error))
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_set_error (error, OTTER_ERROR, OTTER_ERROR_PARSE,
                   _("%s: the top level is not an object; is this a COCO detection file?"), rel);
      return NULL;
    }
  root = json_node_get_object (json_parser_get_root (parser));

  if ((images = get_array (root, "images", TRUE, rel, error)) == NULL)
    return NULL;
  annotations = get_array (root, "annotations", FALSE, rel, &local_error);
  if (local_error == NULL)
    category_list = get_array (root, "categories", FALSE, rel, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  n_annotations = annotations != NULL ? json_array_get_length (annotations) : 0;
  if (n_annotations > 0 && category_list == NULL)
    {
      get_array (root, "categories", TRUE, rel, error);
      return NULL;
    }

  categories = read_categories (builder, category_list, rel, error);
  if (categories == NULL)
    return NULL;

  entries = g_array_new (FALSE, TRUE, sizeof (CocoImage));
  g_array_set_clear_func (entries, coco_image_clear);
  /* image id → position in entries + 1 (NULL: no such id) or DROPPED_IMAGE */
  by_id = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  read_images (builder, images, json_path, rel, entries, by_id, cancellable);
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  for (guint i = 0; i < n_annotations; i++)
    {
      JsonNode *node = json_array_get_element (annotations, i);

      read_annotation (builder, JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL,
                       i, json_path, rel, entries, by_id, categories);
    }

  for (guint i = 0; i < entries->len; i++)
    {
      CocoImage *image = &g_array_index (entries, CocoImage, i);

      if (image->problem != NULL)
        otter_dataset_builder_skip (builder, json_path, "%s: %s", rel, image->problem);
      else
        otter_dataset_builder_add_sample (builder, image->sample);
    }

  return otter_dataset_builder_finish (builder, error);
}
