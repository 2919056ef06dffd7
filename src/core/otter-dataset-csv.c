/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-dataset-csv.c: one box per line, filename,width,height,class,xmin,ymin,xmax,ymax */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "otter-untrusted.h"

#include <string.h>

#include "otter-dataset-private.h"
#include "otter-error.h"

/* The header is the one written by the TensorFlow object detection tools
 * (xml_to_csv.py) and Roboflow's "TensorFlow CSV" export. Their corners
 * are used as pixel edges: (xmin, ymin, xmax, ymax) unchanged. The lines
 * of one image need not be next to each other; an image with a bad line is
 * skipped as a whole. */

#define CSV_HEADER "filename,width,height,class,xmin,ymin,xmax,ymax"

typedef enum
{
  CSV_IMAGE_OK,
  CSV_IMAGE_BAD,                /* skipped with `problem` */
  CSV_IMAGE_DROPPED,            /* skipped already (its image failed the probe) */
} CsvImageState;

typedef struct
{
  CsvImageState  state;
  OtterSample   *sample;
  char          *problem;
} CsvImage;

static void
csv_image_clear (gpointer data)
{
  CsvImage *image = data;

  g_clear_object (&image->sample);
  g_clear_pointer (&image->problem, g_free);
}

/* Splits a CSV line; fields may be quoted, with "" for a quote inside. */
static GPtrArray *
split_fields (const char *line)
{
  GPtrArray *fields = g_ptr_array_new_with_free_func (g_free);
  GString *field = g_string_new (NULL);
  gboolean quoted = FALSE;

  for (const char *p = line; ; p++)
    {
      if (quoted)
        {
          if (*p == '"' && p[1] == '"')
            g_string_append_c (field, *p++);
          else if (*p == '"')
            quoted = FALSE;
          else if (*p != '\0')
            g_string_append_c (field, *p);
        }
      else if (*p == '"')
        quoted = TRUE;
      else if (*p != ',' && *p != '\0')
        g_string_append_c (field, *p);

      if (*p == '\0' || (*p == ',' && !quoted))
        {
          g_ptr_array_add (fields, g_strstrip (g_string_free (field, FALSE)));
          if (*p == '\0')
            break;
          field = g_string_new (NULL);
        }
    }

  return fields;
}

static gboolean
check_header (const char  *line,
              const char  *rel,
              GError     **error)
{
  g_autoptr(GPtrArray) fields = NULL;
  g_autoptr(GString) joined = g_string_new (NULL);

  if (g_str_has_prefix (line, "\xef\xbb\xbf"))
    line += 3;                  /* a UTF-8 byte order mark */
  fields = split_fields (line);
  for (guint i = 0; i < fields->len; i++)
    g_string_append_printf (joined, "%s%s", i > 0 ? "," : "", (char *) fields->pdata[i]);

  if (g_ascii_strcasecmp (joined->str, CSV_HEADER) == 0)
    return TRUE;

  g_set_error (error, OTTER_ERROR, OTTER_ERROR_PARSE,
               _("%s line 1: expected the header \"%s\", found \"%.80s\""),
               rel, CSV_HEADER, line);
  return FALSE;
}

static gboolean
parse_size (const char *text,
            int        *value)
{
  gint64 v;

  if (!otter_dataset_parse_int (text, &v) || v < 1 || v > G_MAXINT)
    return FALSE;
  *value = (int) v;

  return TRUE;
}

/* The image of a line's first occurrence of `filename`. */
static void
start_image (OtterDatasetBuilder *builder,
             CsvImage            *image,
             const char          *csv_path,
             const char *const   *dirs,
             const char          *filename,
             int                  width,
             int                  height,
             guint                line)
{
  g_autofree char *image_path = otter_dataset_find_file (dirs, filename);

  if (image_path == NULL)
    {
      image->state = CSV_IMAGE_BAD;
      image->problem = g_strdup_printf (_("line %u: image %s not found beside the CSV, "
                                          "in images/ or in ../images"), line, filename);
      return;
    }
  g_autofree char *csv_rel = g_filename_display_name (otter_dataset_builder_relative (builder, csv_path));
  g_autofree char *referrer = g_strdup_printf ("%s line %u", csv_rel, line);

  if (!otter_dataset_builder_probe (builder, referrer, image_path, NULL, NULL))
    {
      image->state = CSV_IMAGE_DROPPED;
      return;
    }
  image->sample = otter_sample_new (image_path, csv_path, width, height);
}

/* Reads one line's box into its image; a problem marks the image bad. */
static void
read_box (OtterDatasetBuilder *builder,
          CsvImage            *image,
          GPtrArray           *fields,
          guint                line)
{
  static const char *const names[] = { "xmin", "ymin", "xmax", "ymax" };
  OtterBoxSource source = { { "xmin", "ymin", "xmax", "ymax" } };
  g_autofree char *problem = NULL;
  const char *class_name = fields->pdata[3];
  OtterBox box = { 0 };
  guint bad_field;

  if (*class_name == '\0')
    {
      image->state = CSV_IMAGE_BAD;
      image->problem = g_strdup_printf (_("line %u: the class is empty"), line);
      return;
    }
  for (guint i = 0; i < 4; i++)
    if (!otter_dataset_parse_double (fields->pdata[4 + i], &source.values[i]))
      {
        image->state = CSV_IMAGE_BAD;
        image->problem = g_strdup_printf (_("line %u: %s \"%s\" is not a number"),
                                          line, names[i], (char *) fields->pdata[4 + i]);
        return;
      }

  box.x1 = source.values[0];
  box.y1 = source.values[1];
  box.x2 = source.values[2];
  box.y2 = source.values[3];
  if (!otter_dataset_check_box (&box, otter_sample_get_width (image->sample),
                                otter_sample_get_height (image->sample),
                                &source, &bad_field, &problem))
    {
      image->state = CSV_IMAGE_BAD;
      image->problem = g_strdup_printf (_("line %u: %s"), line, problem);
      return;
    }

  box.class_id = otter_dataset_builder_lookup_class (builder, class_name);
  otter_sample_add_box (image->sample, &box);
}

/* Loads a CSV file with the header above. A wrong header is an error for
 * the load; a bad line skips its image. */
OtterDataset *
otter_dataset_load_csv (const char    *path,
                        OtterDatasetLoadFlags flags,
                        GCancellable  *cancellable,
                        GError       **error)
{
  g_autoptr(OtterDatasetBuilder) builder = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GHashTable) by_name = NULL;
  g_autoptr(GArray) images = NULL;
  g_autofree char *csv_path = g_canonicalize_filename (path, NULL);
  g_autofree char *dir = g_path_get_dirname (csv_path);
  g_autofree char *root = g_path_get_dirname (dir);
  g_autofree char *images_inside = g_build_filename (dir, "images", NULL);
  g_autofree char *images_beside = g_build_filename (dir, "..", "images", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *rel = NULL;
  g_auto(GStrv) lines = NULL;
  const char *dirs[] = { dir, images_inside, images_beside, NULL };

  /* Messages name files relative to the folder above the CSV's. */
  builder = otter_dataset_builder_new (OTTER_DATASET_FORMAT_CSV, flags, path, root);
  g_autofree char *boundary = otter_dataset_boundary_for_annotations (dir);
  otter_dataset_builder_set_boundary (builder, boundary);
  rel = g_filename_display_name (otter_dataset_builder_relative (builder, csv_path));

  if (!otter_read_untrusted_file (csv_path, OTTER_DATASET_MAX_TEXT_SIZE, &contents, NULL, &local_error))
    {
      g_set_error (error, OTTER_ERROR, OTTER_ERROR_IO, "%s: %s", rel, local_error->message);
      return NULL;
    }
  if (contents[0] == '\0')
    {
      g_set_error (error, OTTER_ERROR, OTTER_ERROR_PARSE, _("%s: the file is empty"), rel);
      return NULL;
    }
  g_strdelimit (contents, "\r", ' ');
  lines = g_strsplit (contents, "\n", -1);
  if (!check_header (lines[0], rel, error))
    return NULL;

  images = g_array_new (FALSE, TRUE, sizeof (CsvImage));
  g_array_set_clear_func (images, csv_image_clear);
  /* file name → position in images + 1 */
  by_name = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint l = 1; lines[l] != NULL; l++)
    {
      g_autoptr(GPtrArray) fields = NULL;
      const char *filename;
      CsvImage *image;
      guint position;
      int width, height;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;
      if (*g_strstrip (lines[l]) == '\0')
        continue;

      fields = split_fields (lines[l]);
      filename = fields->pdata[0];
      if (*filename == '\0')
        {
          otter_dataset_builder_skip (builder, csv_path, _("%s line %u: the filename is empty"),
                                      rel, l + 1);
          continue;
        }

      position = GPOINTER_TO_UINT (g_hash_table_lookup (by_name, filename));
      if (position == 0)
        {
          g_array_set_size (images, images->len + 1);
          position = images->len;
          g_hash_table_insert (by_name, g_strdup (filename), GUINT_TO_POINTER (position));
        }
      image = &g_array_index (images, CsvImage, position - 1);
      if (image->state != CSV_IMAGE_OK)
        continue;

      if (fields->len != 8)
        {
          image->state = CSV_IMAGE_BAD;
          image->problem = g_strdup_printf ("line %u: expected 8 fields (" CSV_HEADER "), found %u",
                                            l + 1, fields->len);
          continue;
        }
      if (!parse_size (fields->pdata[1], &width) || !parse_size (fields->pdata[2], &height))
        {
          image->state = CSV_IMAGE_BAD;
          image->problem = g_strdup_printf (_("line %u: the image size %s × %s is not two positive "
                                              "whole numbers"), l + 1, (char *) fields->pdata[1],
                                            (char *) fields->pdata[2]);
          continue;
        }

      if (image->sample == NULL)
        start_image (builder, image, csv_path, dirs, filename, width, height, l + 1);
      else if (otter_sample_get_width (image->sample) != width ||
               otter_sample_get_height (image->sample) != height)
        {
          image->state = CSV_IMAGE_BAD;
          image->problem = g_strdup_printf (_("line %u: the size %d × %d differs from the %d × %d "
                                              "given for %s before"), l + 1, width, height,
                                            otter_sample_get_width (image->sample),
                                            otter_sample_get_height (image->sample), filename);
        }

      if (image->state == CSV_IMAGE_OK)
        read_box (builder, image, fields, l + 1);
    }

  for (guint i = 0; i < images->len; i++)
    {
      CsvImage *image = &g_array_index (images, CsvImage, i);

      if (image->state == CSV_IMAGE_OK)
        otter_dataset_builder_add_sample (builder, image->sample);
      else if (image->state == CSV_IMAGE_BAD)
        otter_dataset_builder_skip (builder, csv_path, "%s %s", rel, image->problem);
    }

  return otter_dataset_builder_finish (builder, error);
}
