/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bench-train.c: training step time of standard vs ot vs pgd on the same batch
 *
 * The ratio ot/standard is the price of robustness (aim: ≤ 3.5×). Also
 * reports the peak resident memory of a batch-16 training run.
 *
 * tiny's steps are also timed in plain PyTorch: bench-train-twin.py, run
 * in a python3 child on the very same batch and thread count, writes out
 * the same network, loss and standard and ot steps (aim: Otter ≤ 0.9× the
 * twin). Before timing it, the twin loads a fresh model's exported weights
 * and checks its loss, one standard step and one ot step against Otter's
 * on that batch.
 */

#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "bench-common.h"
#include "otter-batch.h"
#include "otter-dataset.h"
#include "otter-export.h"

/* Median step times of standard, ot and pgd on one batch. Each method
 * runs a block of steps after one untimed step (a method's first step
 * after another's meets another pattern of buffers), and the blocks come
 * round twice, so a load that comes and goes on this shared machine
 * weighs on all three. */
typedef struct
{
  double ms[3];
} StepTimes;

static void
step_times (OtterTorchModel *model, OtterBatch *batch, int reps, StepTimes *out)
{
  static const OtterTrainMethod methods[3] = { OTTER_METHOD_STANDARD, OTTER_METHOD_OT, OTTER_METHOD_PGD };
  enum { ROUNDS = 2 };
  OtterTorchTrainer *trainers[3];
  double times[3][2 * 16];
  int n_times[3] = { 0, 0, 0 };
  OtterTorchStepResult r;
  g_assert_true (reps <= 16);
  for (int m = 0; m < 3; m++)
    {
      OtterTorchTrainParams params;
      otter_torch_train_params_init (&params);
      params.method = methods[m];
      trainers[m] = otter_torch_trainer_new (model, &params, NULL);
    }
  guint64 seed = 0;
  for (int round = 0; round < ROUNDS; round++)
    for (int m = 0; m < 3; m++)
      {
        g_assert_true (otter_torch_trainer_step (trainers[m], &batch->view, seed++, &r, NULL));
        for (int i = 0; i < (reps + 1) / 2; i++)
          {
            gint64 t0 = g_get_monotonic_time ();
            g_assert_true (otter_torch_trainer_step (trainers[m], &batch->view, seed++, &r, NULL));
            times[m][n_times[m]++] = (g_get_monotonic_time () - t0) / 1000.0;
          }
      }
  for (int m = 0; m < 3; m++)
    {
      out->ms[m] = bench_median (times[m], n_times[m]);
      otter_torch_trainer_free (trainers[m]);
    }
}

/* ---- the PyTorch twin -------------------------------------------------- */

/* The batch as bench-train-twin.py reads it: images.f32 and boxes.json. */
static gboolean
twin_write_batch (const char *dir, OtterBatch *batch, const char *const *classes, GError **error)
{
  g_autofree char *images = g_build_filename (dir, "images.f32", NULL);
  g_autofree char *boxes = g_build_filename (dir, "boxes.json", NULL);
  gsize bytes = (gsize) batch->n * 3 * batch->size * batch->size * sizeof (float);
  if (!g_file_set_contents (images, (const char *) batch->images, (gssize) bytes, error))
    return FALSE;
  g_autoptr (GString) text = g_string_new (NULL);
  g_string_append_printf (text, "{\"n\": %d, \"size\": %d, \"classes\": [", batch->n, batch->size);
  for (int i = 0; classes[i] != NULL; i++)
    g_string_append_printf (text, "%s\"%s\"", i ? ", " : "", classes[i]);
  g_string_append (text, "], \"boxes\": [");
  for (int b = 0; b < batch->n; b++)
    for (int k = batch->box_start[b]; k < batch->box_start[b + 1]; k++)
      {
        const OtterTorchBox *box = &batch->boxes[k];
        char x1[G_ASCII_DTOSTR_BUF_SIZE], y1[G_ASCII_DTOSTR_BUF_SIZE];
        char x2[G_ASCII_DTOSTR_BUF_SIZE], y2[G_ASCII_DTOSTR_BUF_SIZE];
        g_string_append_printf (text, "%s[%d, %s, %s, %s, %s, %d]", k ? ", " : "", b,
                                g_ascii_dtostr (x1, sizeof x1, box->x1), g_ascii_dtostr (y1, sizeof y1, box->y1),
                                g_ascii_dtostr (x2, sizeof x2, box->x2), g_ascii_dtostr (y2, sizeof y2, box->y2),
                                box->class_id);
      }
  g_string_append (text, "]}\n");
  return g_file_set_contents (boxes, text->str, (gssize) text->len, error);
}

#define TWIN_OT_SEED 5

/* What the twin checks itself against: a fresh model's weights (model.pth),
 * its loss on the batch, one standard step (otter.json, after.pth) and one
 * ot step (otter.json). */
static gboolean
twin_write_check (const char *dir, const char *arch, OtterBatch *batch, const char *const *classes,
                  GError **error)
{
  g_autoptr (OtterTorchModel) model = otter_torch_model_new (arch, classes, batch->size, 1, error);
  if (model == NULL)
    return FALSE;
  g_autofree char *before = g_build_filename (dir, "model.pth", NULL);
  g_autofree char *after = g_build_filename (dir, "after.pth", NULL);
  g_autofree char *numbers = g_build_filename (dir, "otter.json", NULL);
  OtterTorchLoss loss;
  if (!otter_export_write (model, before, error) ||
      !otter_torch_model_loss (model, &batch->view, &loss, error))
    return FALSE;
  OtterTorchTrainParams params;
  otter_torch_train_params_init (&params);
  params.method = OTTER_METHOD_STANDARD;
  g_autoptr (OtterTorchTrainer) trainer = otter_torch_trainer_new (model, &params, error);
  OtterTorchStepResult r;
  if (trainer == NULL || !otter_torch_trainer_step (trainer, &batch->view, 0, &r, error) ||
      !otter_export_write (model, after, error))
    return FALSE;
  /* and one ot step of the same start, whose random start the twin draws
   * from the same seed */
  g_autoptr (OtterTorchModel) again = otter_torch_model_new (arch, classes, batch->size, 1, error);
  if (again == NULL)
    return FALSE;
  params.method = OTTER_METHOD_OT;
  g_autoptr (OtterTorchTrainer) ot_trainer = otter_torch_trainer_new (again, &params, error);
  OtterTorchStepResult ot;
  if (ot_trainer == NULL || !otter_torch_trainer_step (ot_trainer, &batch->view, TWIN_OT_SEED, &ot, error))
    return FALSE;
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "n_params");
  json_builder_add_int_value (b, otter_torch_model_get_n_params (model));
  json_builder_set_member_name (b, "eval");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "total");
  json_builder_add_double_value (b, loss.total);
  json_builder_set_member_name (b, "focal");
  json_builder_add_double_value (b, loss.focal);
  json_builder_set_member_name (b, "size");
  json_builder_add_double_value (b, loss.size);
  json_builder_set_member_name (b, "offset");
  json_builder_add_double_value (b, loss.offset);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "step");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "step");
  json_builder_add_int_value (b, 0);
  json_builder_set_member_name (b, "l1");
  json_builder_add_double_value (b, r.l1);
  json_builder_set_member_name (b, "grad_norm");
  json_builder_add_double_value (b, r.grad_norm);
  json_builder_set_member_name (b, "lr");
  json_builder_add_double_value (b, r.lr);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "ot_step");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "seed");
  json_builder_add_int_value (b, TWIN_OT_SEED);
  json_builder_set_member_name (b, "l1");
  json_builder_add_double_value (b, ot.l1);
  json_builder_set_member_name (b, "l2");
  json_builder_add_double_value (b, ot.l2);
  json_builder_set_member_name (b, "d");
  json_builder_add_double_value (b, ot.d);
  json_builder_set_member_name (b, "grad_norm");
  json_builder_add_double_value (b, ot.grad_norm);
  json_builder_end_object (b);
  json_builder_end_object (b);
  g_autoptr (JsonNode) root = json_builder_get_root (b);
  g_autofree char *json = json_to_string (root, TRUE);
  return g_file_set_contents (numbers, json, -1, error);
}

/* Runs the twin with these options; its standard output, or NULL with what
 * went wrong in *why (*skipped when PyTorch is missing: exit status 77). */
static char *
twin_run (const char *script, const char *const *options, gboolean *skipped, char **why)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_ptr_array_add (argv, (gpointer) "/usr/bin/python3");
  g_ptr_array_add (argv, (gpointer) script);
  for (int i = 0; options[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) options[i]);
  g_ptr_array_add (argv, NULL);
  char *out = NULL;
  g_autofree char *err = NULL;
  int status = 0;
  g_autoptr (GError) error = NULL;
  *skipped = FALSE;
  if (!g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, &error))
    {
      *why = g_strdup (error->message);
      return NULL;
    }
  if (!g_spawn_check_wait_status (status, NULL))
    {
      *skipped = WIFEXITED (status) && WEXITSTATUS (status) == 77;
      /* the last line says most: a Python traceback ends with the error */
      g_strstrip (err);
      const char *last = strrchr (err, '\n');
      *why = g_strdup (*err ? (last ? last + 1 : err) : "python3 failed");
      if (out != NULL && *g_strstrip (out))
        {
          char *both = g_strdup_printf ("%s %s", out, *why);
          g_free (*why);
          *why = both;
        }
      g_free (out);
      return NULL;
    }
  return out;
}

static void
twin_remove_files (const char *dir)
{
  static const char *const files[] = { "images.f32", "boxes.json", "model.pth", "model.json",
                                       "after.pth", "after.json", "otter.json", NULL };
  for (int i = 0; files[i] != NULL; i++)
    {
      g_autofree char *path = g_build_filename (dir, files[i], NULL);
      g_unlink (path);
    }
  g_rmdir (dir);
}

static void
bench_twin (const char *arch, OtterBatch *batch, const char *const *classes, int reps,
            double standard, double ot)
{
  const char *srcdir = g_getenv ("OTTER_BENCH_SRCDIR");
  g_autofree char *script = g_build_filename (srcdir ? srcdir : ".", "bench-train-twin.py", NULL);
  g_autofree char *dir = g_dir_make_tmp ("otter-bench-twin-XXXXXX", NULL);
  g_autofree char *threads = g_strdup_printf ("%d", otter_torch_get_threads ());
  g_autofree char *reps_text = g_strdup_printf ("%d", reps);
  g_autoptr (GError) error = NULL;
  gboolean skipped = FALSE;

  if (dir == NULL || !twin_write_batch (dir, batch, classes, &error))
    {
      printf ("PyTorch twin skipped: could not write the batch: %s\n", error ? error->message : "no folder");
      if (dir != NULL)
        twin_remove_files (dir);
      return;
    }
  if (twin_write_check (dir, arch, batch, classes, &error))
    {
      const char *options[] = { "--check", dir, "--threads", threads, NULL };
      g_autofree char *why = NULL;
      g_autofree char *out = twin_run (script, options, &skipped, &why);
      if (skipped)
        {
          printf ("PyTorch twin skipped: %s\n", why);
          twin_remove_files (dir);
          return;
        }
      printf ("%s\n", out ? g_strstrip (out) : why);
    }
  else
    printf ("twin check skipped: %s\n", error->message);

  const char *options[] = { "--data", dir, "--threads", threads, "--reps", reps_text, NULL };
  g_autofree char *why = NULL;
  g_autofree char *out = twin_run (script, options, &skipped, &why);
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonObject *o = NULL;
  if (out != NULL && json_parser_load_from_data (parser, out, -1, NULL) &&
      JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    o = json_node_get_object (json_parser_get_root (parser));
  if (o == NULL || !json_object_has_member (o, "standard_ms") || !json_object_has_member (o, "ot_ms"))
    printf ("PyTorch twin %s: %s\n", skipped ? "skipped" : "failed", why ? why : out);
  else
    {
      double twin_standard = json_object_get_double_member (o, "standard_ms");
      double twin_ot = json_object_get_double_member (o, "ot_ms");
      printf ("PyTorch twin (torch %s, %" G_GINT64_FORMAT " threads): standard %.1f ms, ot %.1f ms; "
              "Otter/twin standard %.2f×, ot %.2f× (aim ≤ 0.9×)\n",
              json_object_get_string_member_with_default (o, "torch", "?"),
              json_object_get_int_member_with_default (o, "threads", 0),
              twin_standard, twin_ot, standard / twin_standard, ot / twin_ot);
    }
  twin_remove_files (dir);
}

static void
bench_dataset (const char *label, const char *arch, const char *path, int size, int batch_size, int reps,
               gboolean twin)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (OtterDataset) dataset = otter_dataset_load (path, NULL, &error);
  if (dataset == NULL)
    {
      printf ("%-28s skipped: %s\n", label, error->message);
      return;
    }
  guint indices[64];
  for (int i = 0; i < batch_size; i++)
    indices[i] = i;
  g_autoptr (OtterBatch) batch = otter_batch_new_from_samples (dataset, indices, batch_size, size,
                                                              NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_autoptr (OtterTorchModel) model = otter_torch_model_new (arch, otter_dataset_get_class_names (dataset),
                                                             size, 1, &error);
  g_assert_no_error (error);

  StepTimes t;
  step_times (model, batch, reps, &t);
  double standard = t.ms[0], ot = t.ms[1];
  printf ("%-40s standard %8.1f ms (%5.1f img/s)   ot %8.1f ms (%5.1f img/s, %.2f×)   pgd-3 %8.1f ms (%.2f×)\n",
          label, standard, batch_size * 1000.0 / standard, ot, batch_size * 1000.0 / ot, ot / standard,
          t.ms[2], t.ms[2] / standard);
  if (twin)
    bench_twin (arch, batch, otter_dataset_get_class_names (dataset), reps, standard, ot);
}

int
main (int argc, char *argv[])
{
  const char *shared = g_getenv ("OTTER_SHARED_DATASETS");
  const char *threads = g_getenv ("OTTER_THREADS");
  otter_torch_set_threads (threads ? atoi (threads) : (int) g_get_num_processors ());
  g_autofree char *blas = bench_loaded_blas ();

  printf ("Training step, median of repeated steps on one batch (each method's block of steps twice, in turn), %d libtorch threads\n",
          otter_torch_get_threads ());
  printf ("libtorch %s on %s; BLAS: %s\n\n", otter_torch_version (), otter_torch_device_name (), blas);
  bench_dataset ("tiny, demo 96 px, batch 16", "tiny", "demo", 96, 16, 7, TRUE);
  if (shared != NULL)
    {
      /* Every architecture on the same photos, so the price of each
       * backbone reads off beside tiny's. */
      g_autofree char *raccoon = g_build_filename (shared, "raccoon", NULL);
      /* OTTER_BENCH_ARCHS=tiny,small times only those. */
      const char *only = g_getenv ("OTTER_BENCH_ARCHS");
      g_auto (GStrv) archs = only != NULL ? g_strsplit (only, ",", -1) : NULL;
      for (const char *const *arch = otter_torch_model_archs (); *arch != NULL; arch++)
        {
          if (archs != NULL && !g_strv_contains ((const char *const *) archs, *arch))
            continue;
          g_autofree char *label = g_strdup_printf ("%s, raccoon 320 px, batch 16", *arch);
          bench_dataset (label, *arch, raccoon, 320, 16, 5, FALSE);
        }
    }
  /* Peak memory of a real run: one epoch of otter-cli train at batch 16. */
  const char *cli = g_getenv ("OTTER_CLI");
  if (cli != NULL)
    {
      g_autofree char *dir = g_dir_make_tmp ("otter-bench-XXXXXX", NULL);
      g_autofree char *run = g_build_filename (dir, "run", NULL);
      g_autofree char *raccoon = shared ? g_build_filename (shared, "raccoon", NULL) : NULL;
      const char *data = raccoon && g_file_test (raccoon, G_FILE_TEST_IS_DIR) ? raccoon : "demo";
      const char *cli_argv[] = { cli, "train", "--data", data, "--epochs", "1", "--batch-size", "16",
                             "--run-dir", run, NULL };
      int status = 0;
      g_autoptr (GError) error = NULL;
      if (g_spawn_sync (NULL, (char **) cli_argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                        NULL, NULL, NULL, NULL, &status, &error))
        {
          struct rusage usage;
          getrusage (RUSAGE_CHILDREN, &usage);
          printf ("\npeak RSS of `otter-cli train --data %s --batch-size 16` (one epoch, ot): %.0f MiB\n",
                  data == raccoon ? "raccoon" : "demo", usage.ru_maxrss / 1024.0);
        }
      else
        printf ("\npeak RSS: could not run %s: %s\n", cli, error->message);
      bench_remove_tree (dir);
    }
  return 0;
}
