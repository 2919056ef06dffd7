/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-cli-perturb.c: otter-cli perturb */

#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <math.h>
#include <stdio.h>

#include "otter-batch.h"
#include "otter-cli-common.h"
#include "otter-cli-render.h"

/* Detections drawn on the clean and perturbed images. */
#define PERTURB_SCORE_THRESHOLD 0.3f
#define PERTURB_MAX_DETECTIONS  100

typedef struct
{
  char      *name;                /* file name inside the output folder */
  GdkPixbuf *pixbuf;
} Figure;

static void
figure_clear (gpointer data)
{
  Figure *figure = data;
  g_clear_pointer (&figure->name, g_free);
  g_clear_object (&figure->pixbuf);
}

static void
add_figure (GArray     *figures,
            char       *name,
            GdkPixbuf  *pixbuf)
{
  Figure figure = { name, pixbuf };
  g_array_append_val (figures, figure);
}

static int
compare_by_image (gconstpointer a,
                  gconstpointer b)
{
  const OtterTorchDetection *da = a, *db = b;
  return (da->image > db->image) - (da->image < db->image);
}

/* Sorts the detections by image (a stable sort keeps them best first
 * within each) and returns start offsets per image (n + 1 entries). */
static guint *
group_by_image (GArray *dets,
                int     n)
{
  guint *start = g_new0 (guint, n + 1);
  g_array_sort (dets, compare_by_image);
  for (guint k = 0; k < dets->len; k++)
    {
      int image = g_array_index (dets, OtterTorchDetection, k).image;
      g_assert (image >= 0 && image < n);
      start[image + 1]++;
    }
  for (int i = 0; i < n; i++)
    start[i + 1] += start[i];
  return start;
}

static GdkPixbuf *
render_input (const float         *chw,
              int                  size,
              int                  zoom,
              GArray              *dets,
              const guint         *start,
              int                  i,
              const char *const   *names)
{
  GdkPixbuf *pixbuf = otter_cli_pixbuf_new_from_chw (chw, size, zoom);
  guint n = start[i + 1] - start[i];
  if (n > 0)
    otter_draw_detections (pixbuf, &g_array_index (dets, OtterTorchDetection, start[i]),
                               n, zoom, names);
  return pixbuf;
}

int
otter_cli_perturb (int argc, char **argv)
{
  g_autofree char *model_path = NULL, *data = NULL, *epsilon_text = NULL, *space_text = NULL;
  g_autofree char *out = NULL;
  int count = 8, index = 0, steps = 1, seed = 1, threads = OTTER_CLI_UNSET_INT, zoom = 0;
  double reg = OTTER_CLI_UNSET_DOUBLE;
  gboolean allow_outside_root = FALSE;
  gboolean json = FALSE;
  int exit_code = OTTER_CLI_EXIT_OK;

  GOptionEntry entries[] = {
    { "model", 'M', 0, G_OPTION_ARG_FILENAME, &model_path, N_("Model file"), "FILE" },
    { "data", 'd', 0, G_OPTION_ARG_FILENAME, &data, N_("Dataset to take the images from (a path, or “demo”)"), "PATH" },
    OTTER_CLI_ALLOW_OUTSIDE_ROOT_ENTRY (allow_outside_root),
    { "count", 'n', 0, G_OPTION_ARG_INT, &count, N_("Number of images [8]"), "N" },
    { "index", 'i', 0, G_OPTION_ARG_INT, &index, N_("Index of the first image in the dataset [0]"), "I" },
    { "epsilon", 0, 0, G_OPTION_ARG_STRING, &epsilon_text, N_("L∞ budget ε, e.g. 8/255 [8/255]"), "EPS" },
    { "steps", 'k', 0, G_OPTION_ARG_INT, &steps, N_("Ascent steps K [1]"), "K" },
    { "feature-space", 0, 0, G_OPTION_ARG_STRING, &space_text, N_("batch (default: one vector per image) or spatial (feature-map cells)"), "SPACE" },
    { "sinkhorn-reg", 0, 0, G_OPTION_ARG_DOUBLE, &reg, N_("Sinkhorn regularisation [0.01]"), "R" },
    { "seed", 0, 0, G_OPTION_ARG_INT, &seed, N_("Seed of the random start [1]"), "S" },
    { "zoom", 0, 0, G_OPTION_ARG_INT, &zoom, N_("Screen pixels per input pixel in the image figures [auto: 384 px ÷ input size, at least 1]"), "N" },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out, N_("Folder for the figures and result.json (created if needed)"), "DIR" },
    { "threads", 'j', 0, G_OPTION_ARG_INT, &threads, N_("libtorch threads [all cores]"), "N" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print result.json on stdout"), NULL },
    { NULL }
  };
  g_autoptr (GOptionContext) context = g_option_context_new (N_("- show what the OT attack does to a few images"));
  g_option_context_set_summary (context, N_(
    "Runs the OT attack (random start in the ε ball, then K signed-gradient steps\n"
    "on the feature matching distance D) on N images and writes, for each image i,\n"
    "clean-i.png and perturbed-i.png with the model's detections, diff-i.png\n"
    "(|δ|/ε, largest over the channels) and, in the spatial space, cells-i.png (the\n"
    "cost each feature cell transports); plan.png and cost.png show the transport\n"
    "plan T and the cost matrix C; result.json has the numbers."));
  g_option_context_add_main_entries (context, entries, NULL);
  if (!otter_cli_parse_flags_only (context, &argc, &argv, &exit_code))
    return exit_code;
  if (model_path == NULL || data == NULL || out == NULL)
    return otter_cli_usage_fail (_("perturb needs --model FILE, --data PATH and --out DIR"));

  OtterTorchOtParams params;
  otter_torch_ot_params_init (&params);
  if (epsilon_text != NULL
      && (!otter_cli_parse_epsilon (epsilon_text, &params.epsilon) || !(params.epsilon > 0)))
    return otter_cli_usage_fail (_("--epsilon “%s” is not a budget in (0, 1] (e.g. 8/255)"), epsilon_text);
  params.step_size = params.epsilon;
  if (space_text == NULL || g_strcmp0 (space_text, "batch") == 0)
    params.space = OTTER_FEATURE_SPACE_BATCH;
  else if (g_strcmp0 (space_text, "spatial") == 0)
    params.space = OTTER_FEATURE_SPACE_SPATIAL;
  else
    return otter_cli_usage_fail (_("unknown feature space “%s” (expected batch or spatial)"), space_text);
  if (steps < 1 || steps > 1000)
    return otter_cli_usage_fail (_("--steps must be between 1 and 1000"));
  params.steps = steps;
  if (!otter_cli_check_double ("sinkhorn-reg", reg, 1e-4, FALSE, 100, &exit_code))
    return exit_code;
  if (reg != OTTER_CLI_UNSET_DOUBLE)
    params.reg = (float) reg;
  if (count < 1 || count > 256)
    return otter_cli_usage_fail (_("--count must be between 1 and 256"));
  if (count < 2 && params.space == OTTER_FEATURE_SPACE_BATCH)
    return otter_cli_usage_fail (_("the batch feature space matches images with each other: "
                           "use --count 2 or more, or --feature-space spatial"));
  if (index < 0)
    return otter_cli_usage_fail (_("--index must not be negative"));
  if (zoom < 0 || zoom > 32)
    return otter_cli_usage_fail (_("--zoom must be between 1 and 32 (0: automatic)"));
  if (g_file_test (out, G_FILE_TEST_EXISTS) && !g_file_test (out, G_FILE_TEST_IS_DIR))
    {
      g_autofree char *display = g_filename_display_name (out);
      return otter_cli_usage_fail (_("--out %s exists and is not a folder"), display);
    }

  if (!otter_cli_setup_threads (threads, &exit_code))
    return exit_code;
  g_autoptr (GError) error = NULL;
  g_autoptr (OtterTorchModel) model = otter_torch_model_load (model_path, &error);
  if (model == NULL)
    return otter_cli_fail ("%s", error->message);
  g_autoptr (OtterDataset) dataset = otter_cli_load_dataset (data, allow_outside_root, &error);
  if (dataset == NULL)
    return otter_cli_fail ("%s", error->message);
  guint n_items = g_list_model_get_n_items (G_LIST_MODEL (dataset));
  if ((guint) index >= n_items || (guint) count > n_items - (guint) index)
    return otter_cli_fail (ngettext ("--index %d --count %d runs past the end of %s (%u image)",
                                     "--index %d --count %d runs past the end of %s (%u images)", n_items),
                           index, count, data, n_items);

  int size = otter_torch_model_get_input_size (model);
  const char *const *names = otter_torch_model_get_class_names (model);
  g_autofree guint *indices = g_new (guint, count);
  for (int i = 0; i < count; i++)
    indices[i] = (guint) (index + i);
  g_autoptr (GPtrArray) failures = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (OtterBatch) batch = otter_batch_new_from_samples (dataset, indices, count, size, NULL,
                                                               NULL, failures, &error);
  for (guint i = 0; i < failures->len; i++)
    fprintf (stderr, _("otter-cli: skipped %s\n"), (char *) failures->pdata[i]);
  if (batch == NULL)
    return otter_cli_fail ("%s", error->message);
  int n = batch->n;

  g_autoptr (OtterTorchOtResult) result = otter_torch_ot_attack (model, &batch->view, &params,
                                                                  (guint64) seed, &error);
  if (result == NULL)
    return otter_cli_fail ("%s", error->message);

  OtterTorchBatch adv_view = { .n = n, .size = size, .images = result->perturbed };
  g_autoptr (GArray) dets_clean = otter_torch_model_detect (model, &batch->view, PERTURB_SCORE_THRESHOLD,
                                                            PERTURB_MAX_DETECTIONS, &error);
  if (dets_clean == NULL)
    return otter_cli_fail ("%s", error->message);
  g_autoptr (GArray) dets_adv = otter_torch_model_detect (model, &adv_view, PERTURB_SCORE_THRESHOLD,
                                                          PERTURB_MAX_DETECTIONS, &error);
  if (dets_adv == NULL)
    return otter_cli_fail ("%s", error->message);
  g_autofree guint *start_clean = group_by_image (dets_clean, n);
  g_autofree guint *start_adv = group_by_image (dets_adv, n);

  /* Render everything first: bad input or a failed attack leaves no files. */
  if (zoom == 0)
    zoom = MAX (1, 384 / size);
  gsize plane = (gsize) size * size;
  gboolean spatial = result->space == OTTER_FEATURE_SPACE_SPATIAL;
  float cell_max = 0;
  if (spatial)
    for (gsize k = 0; k < (gsize) n * result->map_h * result->map_w; k++)
      if (isfinite (result->cell_cost[k]))
        cell_max = MAX (cell_max, result->cell_cost[k]);

  g_autoptr (GArray) figures = g_array_new (FALSE, TRUE, sizeof (Figure));
  g_array_set_clear_func (figures, figure_clear);
  g_autofree float *diff = g_new (float, plane);
  g_autoptr (JsonBuilder) samples = json_builder_new ();
  json_builder_begin_array (samples);
  for (int i = 0; i < n; i++)
    {
      const float *clean = batch->images + (gsize) i * 3 * plane;
      const float *adv = result->perturbed + (gsize) i * 3 * plane;
      g_autofree char *clean_name = g_strdup_printf ("clean-%d.png", i);
      g_autofree char *adv_name = g_strdup_printf ("perturbed-%d.png", i);
      g_autofree char *diff_name = g_strdup_printf ("diff-%d.png", i);
      g_autofree char *cells_name = spatial ? g_strdup_printf ("cells-%d.png", i) : NULL;

      add_figure (figures, g_strdup (clean_name),
                  render_input (clean, size, zoom, dets_clean, start_clean, i, names));
      add_figure (figures, g_strdup (adv_name),
                  render_input (adv, size, zoom, dets_adv, start_adv, i, names));
      for (gsize p = 0; p < plane; p++)
        {
          float m = 0;
          for (int c = 0; c < 3; c++)
            m = MAX (m, fabsf (adv[c * plane + p] - clean[c * plane + p]));
          diff[p] = m / params.epsilon;
        }
      add_figure (figures, g_strdup (diff_name), otter_cli_heatmap_new (diff, size, size, 1.0f, zoom));
      if (spatial)
        {
          gsize cells = (gsize) result->map_h * result->map_w;
          g_autoptr (GdkPixbuf) plain = otter_cli_pixbuf_new_from_chw (clean, size, zoom);
          add_figure (figures, g_strdup (cells_name),
                      otter_cli_cells_overlay_new (plain, result->cell_cost + i * cells,
                                                   result->map_h, result->map_w, cell_max, 0.6));
        }

      OtterSample *sample = otter_dataset_get_sample (dataset, batch->sample_indices[i]);
      json_builder_begin_object (samples);
      json_builder_set_member_name (samples, "index");
      json_builder_add_int_value (samples, batch->sample_indices[i]);
      json_builder_set_member_name (samples, "name");
      json_builder_add_string_value (samples, otter_sample_get_display_name (sample));
      json_builder_set_member_name (samples, "clean");
      json_builder_add_string_value (samples, clean_name);
      json_builder_set_member_name (samples, "perturbed");
      json_builder_add_string_value (samples, adv_name);
      json_builder_set_member_name (samples, "diff");
      json_builder_add_string_value (samples, diff_name);
      if (spatial)
        {
          json_builder_set_member_name (samples, "cells");
          json_builder_add_string_value (samples, cells_name);
        }
      json_builder_set_member_name (samples, "detections_clean");
      json_builder_add_int_value (samples, start_clean[i + 1] - start_clean[i]);
      json_builder_set_member_name (samples, "detections_perturbed");
      json_builder_add_int_value (samples, start_adv[i + 1] - start_adv[i]);
      json_builder_end_object (samples);
    }
  json_builder_end_array (samples);
  guint n_image_figures = figures->len;

  /* Batch space has one plan; spatial space one per image, of which the
   * first is shown. */
  int side = result->plan_side;
  g_autofree char *plan_title = NULL, *cost_title = NULL;
  if (spatial)
    {
      plan_title = g_strdup_printf ("Transport plan T of image 0 (%d×%d cells), D = %.4g",
                                    result->map_h, result->map_w, result->d_final);
      cost_title = g_strdup_printf ("Cost C = max(0, 1 − cos(f, f′)) of image 0 (%d×%d cells)",
                                    result->map_h, result->map_w);
    }
  else
    {
      plan_title = g_strdup_printf ("Transport plan T over %d images, D = %.4g", side, result->d_final);
      cost_title = g_strdup ("Cost C = max(0, 1 − cos(f, f′))");
    }
  const char *row_name = spatial ? "clean cell" : "clean image";
  const char *col_name = spatial ? "perturbed cell" : "perturbed image";
  add_figure (figures, g_strdup ("plan.png"),
              otter_cli_matrix_new (result->plan, side, side, plan_title, row_name, col_name, NULL));
  add_figure (figures, g_strdup ("cost.png"),
              otter_cli_matrix_new (result->cost, side, side, cost_title, row_name, col_name, NULL));

  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) samples_node = json_builder_get_root (samples);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "d_before");
  json_builder_add_double_value (b, result->d_start);
  json_builder_set_member_name (b, "d_after");
  json_builder_add_double_value (b, result->d_final);
  json_builder_set_member_name (b, "linf");
  json_builder_add_double_value (b, result->linf);
  json_builder_set_member_name (b, "epsilon");
  json_builder_add_double_value (b, params.epsilon);
  json_builder_set_member_name (b, "steps");
  json_builder_add_int_value (b, params.steps);
  json_builder_set_member_name (b, "sinkhorn_reg");
  json_builder_add_double_value (b, params.reg);
  json_builder_set_member_name (b, "seed");
  json_builder_add_int_value (b, seed);
  json_builder_set_member_name (b, "feature_space");
  json_builder_add_string_value (b, spatial ? "spatial" : "batch");
  json_builder_set_member_name (b, "model");
  json_builder_add_string_value (b, model_path);
  json_builder_set_member_name (b, "data");
  json_builder_add_string_value (b, data);
  json_builder_set_member_name (b, "out");
  json_builder_add_string_value (b, out);
  json_builder_set_member_name (b, "zoom");
  json_builder_add_int_value (b, zoom);
  json_builder_set_member_name (b, "images");
  json_builder_begin_array (b);
  for (guint k = 0; k < n_image_figures; k++)
    json_builder_add_string_value (b, g_array_index (figures, Figure, k).name);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "samples");
  json_builder_add_value (b, g_steal_pointer (&samples_node));
  json_builder_set_member_name (b, "plan");
  json_builder_add_string_value (b, "plan.png");
  json_builder_set_member_name (b, "cost");
  json_builder_add_string_value (b, "cost.png");
  json_builder_set_member_name (b, "score_threshold");
  json_builder_add_double_value (b, PERTURB_SCORE_THRESHOLD);
  json_builder_set_member_name (b, "detections_clean");
  json_builder_add_int_value (b, dets_clean->len);
  json_builder_set_member_name (b, "detections_perturbed");
  json_builder_add_int_value (b, dets_adv->len);
  json_builder_set_member_name (b, "skipped");
  json_builder_add_int_value (b, failures->len);
  json_builder_end_object (b);
  g_autoptr (JsonNode) root = json_builder_get_root (b);

  if (g_mkdir_with_parents (out, 0777) != 0)
    {
      int saved = errno;
      g_autofree char *display = g_filename_display_name (out);
      return otter_cli_fail (_("cannot create %s: %s"), display, g_strerror (saved));
    }
  for (guint k = 0; k < figures->len; k++)
    {
      const Figure *figure = &g_array_index (figures, Figure, k);
      g_autofree char *path = g_build_filename (out, figure->name, NULL);
      if (!otter_cli_save_png (figure->pixbuf, path, &error))
        return otter_cli_fail ("%s", error->message);
    }
  g_autofree char *text = otter_cli_json_to_string (root);
  g_autofree char *text_nl = g_strconcat (text, "\n", NULL);
  g_autofree char *json_path = g_build_filename (out, "result.json", NULL);
  /* Temporary file and rename, like the PNGs. */
  if (!g_file_set_contents (json_path, text_nl, -1, &error))
    return otter_cli_fail ("%s", error->message);

  if (json)
    {
      otter_cli_print_json (root);
      return OTTER_CLI_EXIT_OK;
    }
  g_autofree char *steps_text = g_strdup_printf (ngettext ("%d step", "%d steps", params.steps), params.steps);
  if (spatial)
    printf (ngettext ("OT attack on %d image of %s from index %d (spatial space, ε %.4g = %.3g/255, %s)\n",
                      "OT attack on %d images of %s from index %d (spatial space, ε %.4g = %.3g/255, %s)\n", n),
            n, data, index, params.epsilon, params.epsilon * 255, steps_text);
  else
    printf (ngettext ("OT attack on %d image of %s from index %d (batch space, ε %.4g = %.3g/255, %s)\n",
                      "OT attack on %d images of %s from index %d (batch space, ε %.4g = %.3g/255, %s)\n", n),
            n, data, index, params.epsilon, params.epsilon * 255, steps_text);
  printf ("D %.4g → %.4g, ‖δ‖∞ %.4g\n", result->d_start, result->d_final, result->linf);
  printf (_("detections (score ≥ %.2g): %u clean → %u perturbed\n"), PERTURB_SCORE_THRESHOLD,
          dets_clean->len, dets_adv->len);
  /* Translators: the first %s is empty or ", cells-i.png"; the file names stay as they are */
  printf (_("wrote clean-i.png, perturbed-i.png, diff-i.png%s (i = 0…%d), plan.png, cost.png\n"
            "and result.json to %s\n"), spatial ? ", cells-i.png" : "", n - 1, out);
  return OTTER_CLI_EXIT_OK;
}
