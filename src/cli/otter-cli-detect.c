/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-cli-detect.c: otter-cli detect */

#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "otter-cli-common.h"
#include "otter-cli-render.h"

/* Decoded images kept for --annotate before a batch is flushed early. */
#define KEEP_PIXELS_MAX (64 * 1024 * 1024)

typedef struct
{
  char           *file;
  OtterImage     *image;          /* kept only for --annotate */
  int             width, height;
  OtterLetterbox  letterbox;
} DetectItem;

typedef struct
{
  OtterTorchModel  *model;
  const char *const *names;
  int               size;
  float             score_threshold;
  int               max_detections;
  const char       *annotate_dir;
  gboolean          json;
  JsonBuilder      *images;       /* the "images" array */
  JsonBuilder      *errors;       /* the "errors" array */
  GHashTable       *used_names;   /* annotation files written so far */
  guint             n_failed;

  /* the pending batch */
  GArray           *items;        /* DetectItem */
  float            *pixels;       /* batch_size × 3 × size × size */
  int               batch_size;
  gsize             kept_pixels;
} DetectCli;

static void
detect_item_clear (gpointer data)
{
  DetectItem *item = data;
  g_clear_pointer (&item->file, g_free);
  g_clear_pointer (&item->image, otter_image_free);
}

static void
report_failure (DetectCli  *cli,
                const char *file,
                const char *message)
{
  /* The core's messages already start with the file name. */
  g_autofree char *display = g_filename_display_name (file);
  if (g_str_has_prefix (message, display))
    otter_cli_fail ("%s", message);
  else
    otter_cli_fail ("%s: %s", display, message);
  cli->n_failed++;
  json_builder_begin_object (cli->errors);
  json_builder_set_member_name (cli->errors, "file");
  json_builder_add_string_value (cli->errors, display);
  json_builder_set_member_name (cli->errors, "message");
  json_builder_add_string_value (cli->errors, message);
  json_builder_end_object (cli->errors);
}

/* DIR/<basename>.png, with -2, -3, … when two inputs share a base name. */
static char *
annotation_path (DetectCli  *cli,
                 const char *file)
{
  g_autofree char *base = g_path_get_basename (file);
  char *dot = strrchr (base, '.');
  if (dot != NULL && dot != base)
    *dot = '\0';
  char *path = g_strdup_printf ("%s/%s.png", cli->annotate_dir, base);
  for (int k = 2; g_hash_table_contains (cli->used_names, path); k++)
    {
      g_free (path);
      path = g_strdup_printf ("%s/%s-%d.png", cli->annotate_dir, base, k);
    }
  g_hash_table_add (cli->used_names, g_strdup (path));
  return path;
}

static void
add_round (JsonBuilder *b,
           double       v,
           double       unit)
{
  json_builder_add_double_value (b, round (v / unit) * unit);
}

static void
emit_item (DetectCli                 *cli,
           DetectItem                *item,
           const OtterTorchDetection *dets,
           guint                      n_dets)
{
  g_autofree OtterTorchDetection *mapped = g_new (OtterTorchDetection, MAX (n_dets, 1));
  g_autofree char *display = g_filename_display_name (item->file);
  guint n_names = g_strv_length ((char **) cli->names);

  /* Back from model input pixels to image pixels, clipped to the image. */
  for (guint k = 0; k < n_dets; k++)
    {
      double x1 = dets[k].x1, y1 = dets[k].y1, x2 = dets[k].x2, y2 = dets[k].y2;
      otter_letterbox_to_image (&item->letterbox, &x1, &y1);
      otter_letterbox_to_image (&item->letterbox, &x2, &y2);
      mapped[k] = dets[k];
      mapped[k].x1 = (float) CLAMP (x1, 0, item->width);
      mapped[k].y1 = (float) CLAMP (y1, 0, item->height);
      mapped[k].x2 = (float) CLAMP (x2, 0, item->width);
      mapped[k].y2 = (float) CLAMP (y2, 0, item->height);
    }

  if (cli->json)
    {
      JsonBuilder *b = cli->images;
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "file");
      json_builder_add_string_value (b, display);
      json_builder_set_member_name (b, "width");
      json_builder_add_int_value (b, item->width);
      json_builder_set_member_name (b, "height");
      json_builder_add_int_value (b, item->height);
      json_builder_set_member_name (b, "detections");
      json_builder_begin_array (b);
      for (guint k = 0; k < n_dets; k++)
        {
          const OtterTorchDetection *d = &mapped[k];
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "label");
          if (d->class_id >= 0 && (guint) d->class_id < n_names)
            json_builder_add_string_value (b, cli->names[d->class_id]);
          else
            json_builder_add_null_value (b);
          json_builder_set_member_name (b, "class_id");
          json_builder_add_int_value (b, d->class_id);
          json_builder_set_member_name (b, "score");
          add_round (b, d->score, 1e-4);
          json_builder_set_member_name (b, "box");
          json_builder_begin_array (b);
          add_round (b, d->x1, 0.01);
          add_round (b, d->y1, 0.01);
          add_round (b, d->x2, 0.01);
          add_round (b, d->y2, 0.01);
          json_builder_end_array (b);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
    }
  else
    {
      printf (ngettext ("%s (%d×%d): %u detection\n", "%s (%d×%d): %u detections\n", n_dets),
              display, item->width, item->height, n_dets);
      for (guint k = 0; k < n_dets; k++)
        {
          const OtterTorchDetection *d = &mapped[k];
          g_autofree char *label = d->class_id >= 0 && (guint) d->class_id < n_names
            ? g_strdup (cli->names[d->class_id]) : g_strdup_printf (_("class %d"), d->class_id);
          printf ("  %-16s %.3f  %7.1f %7.1f %7.1f %7.1f\n", label, d->score,
                  d->x1, d->y1, d->x2, d->y2);
        }
    }

  if (cli->annotate_dir != NULL)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (GdkPixbuf) pixbuf = otter_cli_pixbuf_new_from_image (item->image);
      g_autofree char *path = annotation_path (cli, item->file);
      otter_draw_detections (pixbuf, mapped, n_dets, 1.0, cli->names);
      if (!otter_cli_save_png (pixbuf, path, &error))
        {
          otter_cli_fail ("%s", error->message);
          cli->n_failed++;
          path[0] = '\0';
        }
      if (cli->json)
        {
          json_builder_set_member_name (cli->images, "annotated");
          if (path[0] != '\0')
            json_builder_add_string_value (cli->images, path);
          else
            json_builder_add_null_value (cli->images);
        }
    }
  if (cli->json)
    json_builder_end_object (cli->images);
}

static int
compare_by_image (gconstpointer a,
                  gconstpointer b)
{
  const OtterTorchDetection *da = a, *db = b;
  return (da->image > db->image) - (da->image < db->image);
}

/* Runs the pending images through the model and prints them in order. */
static gboolean
flush_batch (DetectCli *cli,
             GError   **error)
{
  if (cli->items->len == 0)
    return TRUE;

  OtterTorchBatch batch = {
    .n = (int) cli->items->len,
    .size = cli->size,
    .images = cli->pixels,
  };
  g_autoptr (GArray) dets = otter_torch_model_detect (cli->model, &batch, cli->score_threshold,
                                                      cli->max_detections, error);
  if (dets == NULL)
    return FALSE;

  /* By image, keeping each image's best-first order (a stable sort). */
  g_array_sort (dets, compare_by_image);
  guint start = 0;
  for (guint i = 0; i < cli->items->len; i++)
    {
      guint end = start;
      while (end < dets->len && g_array_index (dets, OtterTorchDetection, end).image == (int) i)
        end++;
      emit_item (cli, &g_array_index (cli->items, DetectItem, i),
                 end > start ? &g_array_index (dets, OtterTorchDetection, start) : NULL,
                 end - start);
      start = end;
    }
  g_array_set_size (cli->items, 0);
  cli->kept_pixels = 0;
  fflush (stdout);
  return TRUE;
}

int
otter_cli_detect (int argc, char **argv)
{
  g_autofree char *model_path = NULL, *annotate = NULL;
  g_auto (GStrv) files = NULL;
  double score_threshold = 0.3;
  int max_detections = 100, threads = OTTER_CLI_UNSET_INT, batch_size = 8;
  gboolean json = FALSE;
  int exit_code = OTTER_CLI_EXIT_OK;

  GOptionEntry entries[] = {
    { "model", 'M', 0, G_OPTION_ARG_FILENAME, &model_path, N_("Model file"), "FILE" },
    { "score-threshold", 's', 0, G_OPTION_ARG_DOUBLE, &score_threshold, N_("Lowest score reported [0.3]"), "S" },
    { "max-detections", 'n', 0, G_OPTION_ARG_INT, &max_detections, N_("At most this many boxes per image [100]"), "N" },
    { "annotate", 'o', 0, G_OPTION_ARG_FILENAME, &annotate, N_("Write DIR/<name>.png with the boxes drawn"), "DIR" },
    { "batch-size", 'b', 0, G_OPTION_ARG_INT, &batch_size, N_("Images per batch [8]"), "N" },
    { "threads", 'j', 0, G_OPTION_ARG_INT, &threads, N_("libtorch threads [all cores]"), "N" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print the detections as JSON on stdout"), NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &files, NULL, "IMAGE…" },
    { NULL }
  };
  g_autoptr (GOptionContext) context = g_option_context_new (N_("- detect objects in images"));
  g_option_context_set_summary (context, N_(
    "Decodes each image (any format gdk-pixbuf reads, turned by its EXIF\n"
    "orientation), letterboxes it to the model's input size and prints the\n"
    "boxes in image pixels: label, score, x1 y1 x2 y2. An image that cannot\n"
    "be read is reported and skipped; the exit status is then 1."));
  g_option_context_add_main_entries (context, entries, NULL);
  if (!otter_cli_parse (context, &argc, &argv, &exit_code))
    return exit_code;
  if (model_path == NULL || files == NULL || files[0] == NULL)
    return otter_cli_usage_fail (_("detect needs --model FILE and at least one IMAGE"));
  if (!(score_threshold >= 0 && score_threshold <= 1))
    return otter_cli_usage_fail (_("--score-threshold must be between 0 and 1"));
  if (max_detections < 1 || max_detections > 10000)
    return otter_cli_usage_fail (_("--max-detections must be between 1 and 10000"));
  if (batch_size < 1 || batch_size > 256)
    return otter_cli_usage_fail (_("--batch-size must be between 1 and 256"));

  if (!otter_cli_setup_threads (threads, &exit_code))
    return exit_code;
  g_autoptr (GError) error = NULL;
  g_autoptr (OtterTorchModel) model = otter_torch_model_load (model_path, &error);
  if (model == NULL)
    return otter_cli_fail ("%s", error->message);
  if (annotate != NULL && g_mkdir_with_parents (annotate, 0777) != 0)
    {
      int saved = errno;
      g_autofree char *display = g_filename_display_name (annotate);
      return otter_cli_fail (_("cannot create %s: %s"), display, g_strerror (saved));
    }

  int size = otter_torch_model_get_input_size (model);
  g_autoptr (JsonBuilder) images = json_builder_new ();
  g_autoptr (JsonBuilder) errors = json_builder_new ();
  g_autoptr (GArray) items = g_array_new (FALSE, TRUE, sizeof (DetectItem));
  g_autoptr (GHashTable) used_names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree float *pixels = g_new (float, (gsize) batch_size * 3 * size * size);
  g_array_set_clear_func (items, detect_item_clear);
  DetectCli cli = {
    .model = model,
    .names = otter_torch_model_get_class_names (model),
    .size = size,
    .score_threshold = (float) score_threshold,
    .max_detections = max_detections,
    .annotate_dir = annotate,
    .json = json,
    .images = images,
    .errors = errors,
    .used_names = used_names,
    .items = items,
    .pixels = pixels,
    .batch_size = batch_size,
  };

  json_builder_begin_array (images);
  json_builder_begin_array (errors);
  for (guint f = 0; files[f] != NULL; f++)
    {
      g_autoptr (GError) local_error = NULL;
      g_autoptr (OtterImage) image = otter_image_load (files[f], &local_error);
      if (image == NULL)
        {
          report_failure (&cli, files[f], local_error->message);
          continue;
        }

      DetectItem item = { .file = g_strdup (files[f]), .width = image->width, .height = image->height };
      otter_image_letterbox (image, size, pixels + (gsize) items->len * 3 * size * size, &item.letterbox);
      if (annotate != NULL)
        {
          cli.kept_pixels += (gsize) image->width * image->height;
          item.image = g_steal_pointer (&image);
        }
      g_array_append_val (items, item);

      if ((int) items->len == batch_size || cli.kept_pixels >= KEEP_PIXELS_MAX)
        if (!flush_batch (&cli, &error))
          return otter_cli_fail ("%s", error->message);
    }
  if (!flush_batch (&cli, &error))
    return otter_cli_fail ("%s", error->message);
  json_builder_end_array (images);
  json_builder_end_array (errors);

  if (json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();
      g_autoptr (JsonNode) images_node = json_builder_get_root (images);
      g_autoptr (JsonNode) errors_node = json_builder_get_root (errors);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "model");
      json_builder_add_string_value (b, model_path);
      json_builder_set_member_name (b, "score_threshold");
      json_builder_add_double_value (b, score_threshold);
      json_builder_set_member_name (b, "images");
      json_builder_add_value (b, g_steal_pointer (&images_node));
      json_builder_set_member_name (b, "errors");
      json_builder_add_value (b, g_steal_pointer (&errors_node));
      json_builder_end_object (b);
      g_autoptr (JsonNode) root = json_builder_get_root (b);
      otter_cli_print_json (root);
    }
  return cli.n_failed > 0 ? OTTER_CLI_EXIT_FAILED : OTTER_CLI_EXIT_OK;
}
