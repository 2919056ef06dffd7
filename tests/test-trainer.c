/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-trainer.c: OtterTrainer, the convergence judgement and run folders */

#include "config.h"

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include "otter-error.h"
#include "otter-run.h"
#include "otter-trainer.h"

static char *
make_tmp_dir (void)
{
  g_autoptr (GError) error = NULL;
  char *dir = g_dir_make_tmp ("otter-trainer-XXXXXX", &error);
  g_assert_no_error (error);
  return dir;
}

static void
quick_config (OtterTrainConfig *config, const char *data, int epochs, double threshold)
{
  otter_train_config_init (config);
  g_free (config->data);
  config->data = g_strdup (data);
  config->max_epochs = epochs;
  config->loss_threshold = threshold;
  config->batch_size = 16;
  config->train.method = OTTER_METHOD_OT;
}

static OtterTrainer *
run_to_end (const OtterTrainConfig *config, const char *run_dir)
{
  g_autoptr (GError) error = NULL;
  OtterTrainer *trainer = otter_trainer_new (config);
  otter_trainer_set_run_dir (trainer, run_dir);
  g_assert_true (otter_trainer_start (trainer, &error));
  g_assert_no_error (error);
  otter_trainer_wait (trainer);
  return trainer;
}

/* The run in `dir` trained 2 epochs; its config now allows a third. */
static void
raise_max_epochs (const char *dir)
{
  g_autofree char *cfg_path = g_build_filename (dir, OTTER_RUN_CONFIG, NULL);
  g_autofree char *cfg = NULL;
  g_assert_true (g_file_get_contents (cfg_path, &cfg, NULL, NULL));
  g_autoptr (GString) edited = g_string_new (cfg);
  g_assert_cmpuint (g_string_replace (edited, "\"max_epochs\" : 2", "\"max_epochs\" : 3", 1), ==, 1);
  g_assert_true (g_file_set_contents (cfg_path, edited->str, -1, NULL));
}

static guint
count_records (const char *dir, const char *kind)
{
  g_autoptr (JsonArray) records = otter_run_read_metrics (dir, NULL);
  guint n = 0;
  for (guint i = 0; records && i < json_array_get_length (records); i++)
    if (g_strcmp0 (json_object_get_string_member_with_default (json_array_get_object_element (records, i),
                                                               "kind", ""), kind) == 0)
      n++;
  return n;
}

/* A threshold the first epoch reaches: converged, model stored, files in place. */
static void
test_converged (void)
{
  g_autofree char *dir = make_tmp_dir ();
  OtterTrainConfig config;
  quick_config (&config, "demo:48", 5, 1000.0);
  g_autoptr (OtterTrainer) trainer = run_to_end (&config, dir);
  otter_train_config_clear (&config);

  g_assert_cmpint (otter_trainer_get_state (trainer), ==, OTTER_TRAINER_CONVERGED);
  g_assert_cmpint (otter_trainer_get_epoch (trainer), ==, 1);
  g_autofree char *model = g_build_filename (dir, OTTER_RUN_MODEL, NULL);
  g_assert_cmpstr (otter_trainer_get_model_path (trainer), ==, model);
  g_assert_true (g_file_test (model, G_FILE_TEST_IS_REGULAR));
  g_autoptr (GError) error = NULL;
  g_autoptr (OtterTorchModel) loaded = otter_torch_model_load (model, &error);
  g_assert_no_error (error);
  g_assert_nonnull (g_strstr_len (otter_torch_model_get_metadata (loaded), -1, "\"history\""));

  g_autofree char *cfg = g_build_filename (dir, OTTER_RUN_CONFIG, NULL);
  g_autofree char *last = g_build_filename (dir, OTTER_RUN_LAST, NULL);
  g_assert_true (g_file_test (cfg, G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_file_test (last, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpuint (count_records (dir, "epoch"), ==, 1);
  g_assert_cmpuint (count_records (dir, "step"), ==, (guint) otter_trainer_get_step (trainer));
  g_assert_cmpuint (count_records (dir, "end"), ==, 1);

  g_autoptr (GArray) points = otter_trainer_dup_points (trainer, 0);
  g_assert_cmpuint (points->len, ==, (guint) otter_trainer_get_step (trainer));
  for (guint i = 0; i < points->len; i++)
    {
      OtterTrainPoint *p = &g_array_index (points, OtterTrainPoint, i);
      g_assert_true (isfinite (p->l1) && isfinite (p->l2) && isfinite (p->d));
      g_assert_cmpfloat (fabs (p->loss - (p->l1 + p->l2)), <, 1e-3 * p->loss);
    }
}

/* Above τ after the last epoch: "not converged", never success, no model. */
static void
test_not_converged (void)
{
  g_autofree char *dir = make_tmp_dir ();
  OtterTrainConfig config;
  quick_config (&config, "demo:40", 2, 1e-6);
  config.train.method = OTTER_METHOD_STANDARD;
  g_autoptr (OtterTrainer) trainer = run_to_end (&config, dir);
  otter_train_config_clear (&config);

  g_assert_cmpint (otter_trainer_get_state (trainer), ==, OTTER_TRAINER_NOT_CONVERGED);
  g_assert_null (otter_trainer_get_model_path (trainer));
  g_autofree char *model = g_build_filename (dir, OTTER_RUN_MODEL, NULL);
  g_assert_false (g_file_test (model, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (count_records (dir, "epoch"), ==, 2);
  g_autoptr (GArray) epochs = otter_trainer_dup_epochs (trainer);
  g_assert_cmpuint (epochs->len, ==, 2);
  /* standard training has no perturbed loss */
  g_assert_true (isnan (g_array_index (epochs, OtterEpochPoint, 0).l2));
}

/* Checkpoints that cannot be written (here a folder stands where each
 * goes, so the rename onto it fails, even for root): the run goes on to
 * its end, and its last word and the trainer say how many failed and why. */
static void
test_checkpoint_failures_reported (void)
{
  g_autofree char *dir = make_tmp_dir ();
  const char *names[] = { OTTER_RUN_LAST, OTTER_RUN_BEST };
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *blocker = g_build_filename (dir, names[i], "occupied", NULL);
      g_autofree char *parent = g_path_get_dirname (blocker);
      g_assert_cmpint (g_mkdir_with_parents (parent, 0755), ==, 0);
      g_assert_true (g_file_set_contents (blocker, "", 0, NULL));
    }
  OtterTrainConfig config;
  quick_config (&config, "demo:20", 2, 1e-6);
  config.train.method = OTTER_METHOD_STANDARD;
  /* Each failure is also a warning in the log, from the training thread. */
  GLogLevelFlags fatal = g_log_set_always_fatal (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL);
  g_autoptr (OtterTrainer) trainer = run_to_end (&config, dir);
  g_log_set_always_fatal (fatal);
  otter_train_config_clear (&config);

  g_assert_cmpint (otter_trainer_get_state (trainer), ==, OTTER_TRAINER_NOT_CONVERGED);
  g_assert_cmpuint (otter_trainer_get_n_checkpoint_failures (trainer), >=, 2);
  g_assert_nonnull (strstr (otter_trainer_get_checkpoint_error (trainer), "checkpoints/"));
  g_test_message ("%s", otter_trainer_get_message (trainer));
  g_assert_nonnull (strstr (otter_trainer_get_message (trainer), "could not be written (last: checkpoints/"));
  g_assert_cmpuint (count_records (dir, "epoch"), ==, 2);
  g_autofree char *command = g_strdup_printf ("rm -rf '%s'", dir);
  g_assert_cmpint (system (command), ==, 0);
}

/* A YOLO dataset of `n` noise images at `root`, one box each; image
 * `cut` (or none with -1) loses the second half of its bytes, so its
 * header reads but its pixels do not. */
static void
write_yolo (const char *root, guint n, int cut)
{
  g_autofree char *images = g_build_filename (root, "images", NULL);
  g_autofree char *labels = g_build_filename (root, "labels", NULL);
  g_assert_cmpint (g_mkdir_with_parents (images, 0755), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (labels, 0755), ==, 0);
  g_autofree char *yaml = g_build_filename (root, "data.yaml", NULL);
  g_assert_true (g_file_set_contents (yaml, "names: [thing]\n", -1, NULL));
  GRand *rand = g_rand_new_with_seed (n);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 64, 64);
      guint8 *pixels = gdk_pixbuf_get_pixels (pixbuf);
      for (int k = 0; k < gdk_pixbuf_get_rowstride (pixbuf) * 64; k++)
        pixels[k] = (guint8) g_rand_int_range (rand, 0, 256);
      g_autofree char *name = g_strdup_printf ("img%u.png", i);
      g_autofree char *path = g_build_filename (images, name, NULL);
      g_assert_true (gdk_pixbuf_save (pixbuf, path, "png", NULL, NULL));
      if ((int) i == cut)
        {
          g_autofree char *bytes = NULL;
          gsize len;
          g_assert_true (g_file_get_contents (path, &bytes, &len, NULL));
          g_assert_true (g_file_set_contents (path, bytes, (gssize) len / 2, NULL));
        }
      g_autofree char *label_name = g_strdup_printf ("img%u.txt", i);
      g_autofree char *label = g_build_filename (labels, label_name, NULL);
      g_assert_true (g_file_set_contents (label, "0 0.5 0.5 0.4 0.4\n", -1, NULL));
    }
  g_rand_free (rand);
}

/* A validation image that will not decode is listed with the skipped
 * samples (once, though every epoch meets it), not silently left out of
 * the validation mAP. */
static void
test_validation_failures_listed (void)
{
  g_autofree char *dir = make_tmp_dir ();
  g_autofree char *train = g_build_filename (dir, "train", NULL);
  g_autofree char *val = g_build_filename (dir, "val", NULL);
  g_autofree char *run = g_build_filename (dir, "run", NULL);
  write_yolo (train, 8, -1);
  write_yolo (val, 3, 1);
  OtterTrainConfig config;
  quick_config (&config, train, 2, 1e-6);
  config.val_data = g_strdup (val);
  config.input_size = 64;
  config.batch_size = 4;
  config.train.method = OTTER_METHOD_STANDARD;
  g_autoptr (OtterTrainer) trainer = run_to_end (&config, run);
  otter_train_config_clear (&config);

  g_assert_cmpint (otter_trainer_get_epoch (trainer), ==, 2);
  g_autoptr (GPtrArray) skipped = otter_trainer_dup_skipped (trainer);
  for (guint i = 0; i < skipped->len; i++)
    g_test_message ("skipped: %s", (const char *) skipped->pdata[i]);
  g_assert_cmpuint (otter_trainer_get_n_skipped (trainer), ==, 1);
  g_assert_nonnull (strstr (skipped->pdata[0], "img1.png"));
}

/* One process at a time trains a run: a second open is refused with the
 * owner's pid; what a killed writer left behind is cleared on open. */
static void
test_run_lock_and_temporaries (void)
{
  g_autofree char *dir = make_tmp_dir ();
  g_autofree char *run_dir = g_build_filename (dir, "run", NULL);
  g_autoptr (GError) error = NULL;
  OtterTrainConfig config;
  quick_config (&config, "demo:40", 1, 1.0);
  OtterRun *run = otter_run_create (run_dir, &config, &error);
  g_assert_no_error (error);

  OtterTrainConfig again;
  otter_train_config_init (&again);
  g_assert_null (otter_run_open (run_dir, &again, &error));
  g_assert_error (error, OTTER_ERROR, OTTER_ERROR_RUN);
  g_test_message ("%s", error->message);
  g_autofree char *pid = g_strdup_printf ("process %d", (int) getpid ());
  g_assert_nonnull (strstr (error->message, pid));
  g_clear_error (&error);
  otter_run_free (run);

  const char *stale[] = { "checkpoints/last.ckpt.Ab12Cd", "model.otter.XyZ123", "config.json.q1w2e3" };
  for (guint i = 0; i < G_N_ELEMENTS (stale); i++)
    {
      g_autofree char *path = g_build_filename (run_dir, stale[i], NULL);
      g_assert_true (g_file_set_contents (path, "half", -1, NULL));
    }
  g_autofree char *notes = g_build_filename (run_dir, "notes.txt", NULL);
  g_assert_true (g_file_set_contents (notes, "mine", -1, NULL));
  /* the lock went with the first run */
  run = otter_run_open (run_dir, &again, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (stale); i++)
    {
      g_autofree char *path = g_build_filename (run_dir, stale[i], NULL);
      g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
    }
  g_assert_true (g_file_test (notes, G_FILE_TEST_EXISTS));
  otter_run_free (run);
  otter_train_config_clear (&again);
  otter_train_config_clear (&config);
}

/* A truncated last.ckpt sends --resume back to best.ckpt, not to a halt. */
static void
test_resume_falls_back_to_best (void)
{
  g_autofree char *dir = make_tmp_dir ();
  OtterTrainConfig config;
  quick_config (&config, "demo:40", 2, 1e-6);
  config.train.method = OTTER_METHOD_STANDARD;
  g_autoptr (OtterTrainer) first = run_to_end (&config, dir);
  otter_train_config_clear (&config);
  g_autofree char *best = g_build_filename (dir, OTTER_RUN_BEST, NULL);
  g_assert_true (g_file_test (best, G_FILE_TEST_IS_REGULAR));

  g_autofree char *last = g_build_filename (dir, OTTER_RUN_LAST, NULL);
  g_autofree char *bytes = NULL;
  gsize len;
  g_assert_true (g_file_get_contents (last, &bytes, &len, NULL));
  g_assert_true (g_file_set_contents (last, bytes, (gssize) len / 2, NULL));
  raise_max_epochs (dir);

  g_autoptr (OtterTrainer) resumed = otter_trainer_new_resume (dir);
  g_autoptr (GError) error = NULL;
  g_assert_true (otter_trainer_start (resumed, &error));
  g_assert_no_error (error);
  otter_trainer_wait (resumed);
  g_assert_cmpint (otter_trainer_get_state (resumed), ==, OTTER_TRAINER_NOT_CONVERGED);
  g_assert_cmpint (otter_trainer_get_epoch (resumed), ==, 3);
}

/* Out-of-range and non-finite values are refused before a run starts,
 * naming what is wrong; none of them reaches config.json. */
static void
test_config_refuses_out_of_range (void)
{
  OtterTrainConfig config;
  g_autoptr (GError) error = NULL;
  guint n = 0;

#define REFUSED(statement, text)                                  \
  do {                                                            \
    quick_config (&config, "demo:40", 1, 1.0);                    \
    statement;                                                    \
    g_assert_false (otter_train_config_validate (&config, &error)); \
    g_assert_error (error, OTTER_ERROR, OTTER_ERROR_INVALID_ARGUMENT); \
    g_test_message ("%s: %s", #statement, error->message);        \
    g_assert_nonnull (strstr (error->message, text));             \
    g_clear_error (&error);                                       \
    otter_train_config_clear (&config);                           \
    n++;                                                          \
  } while (0)

  REFUSED (config.train.ot.reg = NAN, "Sinkhorn regularisation");
  REFUSED (config.train.ot.reg = -1, "Sinkhorn regularisation");
  REFUSED (config.train.ot.steps = -3, "ascent steps");
  REFUSED (config.train.ot.tol = INFINITY, "tolerance");
  REFUSED (config.train.grad_clip = INFINITY, "gradient clipping");
  REFUSED (config.train.momentum = NAN, "momentum");
  REFUSED (config.val_fraction = NAN, "validation fraction");
  REFUSED (config.loss_threshold = NAN, "loss threshold");
#undef REFUSED
  g_assert_cmpuint (n, ==, 8);

  /* a value that is not a number is written as null, which stays JSON */
  quick_config (&config, "demo:40", 1, 1.0);
  config.train.ot.reg = NAN;
  g_autoptr (JsonNode) node = otter_train_config_to_json (&config);
  g_autofree char *text = json_to_string (node, FALSE);
  g_assert_null (strstr (text, "nan"));
  g_autoptr (JsonNode) parsed = json_from_string (text, &error);
  g_assert_no_error (error);
  otter_train_config_clear (&config);
}

/* A damaged config.json: a member of the wrong type is refused by name,
 * never read as its default (data: 5 once trained on the demo). */
static void
test_config_member_types (void)
{
  static const struct { const char *json, *expect; } cases[] = {
    { "{\"data\": 5}", "“data” is a whole number, not a string" },
    { "{\"max_epochs\": \"x\"}", "“max_epochs” is a string, not a whole number" },
    { "{\"max_epochs\": 2.5}", "“max_epochs” is a number, not a whole number" },
    { "{\"augment\": {\"flip\": \"yes\"}}", "“augment.flip” is a string" },
    { "{\"val_data\": [1]}", "“val_data” is a list, not a string" },
    { "{\"allow_outside_root\": 1}", "“allow_outside_root” is a whole number, not true or false" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      OtterTrainConfig config;
      g_autoptr (GError) error = NULL;
      g_autoptr (JsonNode) node = json_from_string (cases[i].json, NULL);
      otter_train_config_init (&config);
      g_assert_false (otter_train_config_from_json (&config, node, &error));
      g_test_message ("%s", error->message);
      g_assert_error (error, OTTER_ERROR, OTTER_ERROR_PARSE);
      g_assert_nonnull (strstr (error->message, cases[i].expect));
      otter_train_config_clear (&config);
    }
  /* what older runs wrote still reads: a boolean augment, a whole number
   * for a number, an unknown member */
  OtterTrainConfig config;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = json_from_string ("{\"augment\": false, \"lr\": 1, \"future\": []}", NULL);
  otter_train_config_init (&config);
  g_assert_true (otter_train_config_from_json (&config, node, &error));
  g_assert_no_error (error);
  g_assert_false (config.augment);
  g_assert_cmpfloat (config.train.lr, ==, 1);
  otter_train_config_clear (&config);
}

static void
test_failed_bad_input (void)
{
  g_autofree char *dir = make_tmp_dir ();
  g_autofree char *missing = g_build_filename (dir, "no-such-dataset", NULL);
  g_autofree char *run = g_build_filename (dir, "run", NULL);
  OtterTrainConfig config;
  quick_config (&config, missing, 2, 1.0);
  g_autoptr (OtterTrainer) trainer = run_to_end (&config, run);
  otter_train_config_clear (&config);
  g_assert_cmpint (otter_trainer_get_state (trainer), ==, OTTER_TRAINER_FAILED);
  g_assert_nonnull (g_strstr_len (otter_trainer_get_message (trainer), -1, "no-such-dataset"));

  /* absurd parameters are refused before a thread starts */
  g_autoptr (GError) error = NULL;
  quick_config (&config, "demo", 0, 1.0);
  g_autoptr (OtterTrainer) bad = otter_trainer_new (&config);
  otter_train_config_clear (&config);
  g_assert_false (otter_trainer_start (bad, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (g_strstr_len (error->message, -1, "epochs"));
}

typedef struct
{
  OtterTrainer *trainer;
  GMainLoop *loop;
  gboolean saw_paused;
  gboolean resumed;
} StopData;

static void
on_state (OtterTrainer *trainer, GParamSpec *pspec, StopData *data)
{
  OtterTrainerState state = otter_trainer_get_state (trainer);
  if (state == OTTER_TRAINER_RUNNING && !data->saw_paused)
    otter_trainer_pause (trainer);
  else if (state == OTTER_TRAINER_PAUSED)
    {
      data->saw_paused = TRUE;
      otter_trainer_resume (trainer);
      data->resumed = TRUE;
    }
  else if (state == OTTER_TRAINER_RUNNING && data->resumed)
    otter_trainer_stop (trainer);
}

static void
on_finished (OtterTrainer *trainer, StopData *data)
{
  g_main_loop_quit (data->loop);
}

/* Pause, resume and stop through the main loop, as the GUI drives it. */
static void
test_pause_resume_stop (void)
{
  g_autofree char *dir = make_tmp_dir ();
  OtterTrainConfig config;
  quick_config (&config, "demo:600", 50, 1e-6);
  g_autoptr (OtterTrainer) trainer = otter_trainer_new (&config);
  otter_train_config_clear (&config);
  otter_trainer_set_run_dir (trainer, dir);
  StopData data = { trainer, g_main_loop_new (NULL, FALSE), FALSE, FALSE };
  g_signal_connect (trainer, "notify::state", G_CALLBACK (on_state), &data);
  g_signal_connect (trainer, "finished", G_CALLBACK (on_finished), &data);
  g_assert_true (otter_trainer_start (trainer, NULL));
  g_main_loop_run (data.loop);
  g_main_loop_unref (data.loop);
  otter_trainer_wait (trainer);
  g_assert_true (data.saw_paused);
  g_assert_cmpint (otter_trainer_get_state (trainer), ==, OTTER_TRAINER_STOPPED);
  g_assert_cmpint (otter_trainer_get_epoch (trainer), <, 50);
  g_assert_cmpuint (count_records (dir, "end"), ==, 1);
}

/* Resuming continues from the checkpoint with the history intact: steps
 * written after the checkpoint (an interrupted epoch) are dropped and
 * trained again, never duplicated. */
static void
test_resume (void)
{
  g_autofree char *dir = make_tmp_dir ();
  OtterTrainConfig config;
  quick_config (&config, "demo:40", 2, 1e-6);
  g_autoptr (OtterTrainer) first = run_to_end (&config, dir);
  otter_train_config_clear (&config);
  g_assert_cmpint (otter_trainer_get_state (first), ==, OTTER_TRAINER_NOT_CONVERGED);
  gint64 steps = otter_trainer_get_step (first);

  /* Pretend the process died mid-way through a third epoch: raise the
   * epoch limit and add stray step lines plus a torn line. */
  raise_max_epochs (dir);
  g_autofree char *metrics = g_build_filename (dir, OTTER_RUN_METRICS, NULL);
  FILE *f = g_fopen (metrics, "a");
  fprintf (f, "{\"kind\":\"step\",\"step\":%" G_GINT64_FORMAT ",\"epoch\":3,\"loss\":1}\n{\"kind\":\"st", steps + 1);
  fclose (f);

  g_autoptr (OtterTrainer) resumed = otter_trainer_new_resume (dir);
  g_autoptr (GError) error = NULL;
  g_assert_true (otter_trainer_start (resumed, &error));
  g_assert_no_error (error);
  otter_trainer_wait (resumed);
  g_assert_cmpint (otter_trainer_get_state (resumed), ==, OTTER_TRAINER_NOT_CONVERGED);
  g_assert_cmpint (otter_trainer_get_step (resumed), ==, steps + steps / 2);

  g_autoptr (GArray) epochs = otter_trainer_dup_epochs (resumed);
  g_assert_cmpuint (epochs->len, ==, 3);
  g_autoptr (GArray) points = otter_trainer_dup_points (resumed, 0);
  g_assert_cmpuint (points->len, ==, (guint) (steps + steps / 2));
  for (guint i = 0; i < points->len; i++)
    g_assert_cmpint (g_array_index (points, OtterTrainPoint, i).step, ==, i + 1);
  g_assert_cmpuint (count_records (dir, "step"), ==, points->len);
  g_assert_cmpuint (count_records (dir, "epoch"), ==, 3);
}

static void
test_run_dir_refuses_existing (void)
{
  g_autofree char *dir = make_tmp_dir ();
  OtterTrainConfig config;
  g_autoptr (GError) error = NULL;
  quick_config (&config, "demo", 1, 1.0);
  g_autoptr (OtterRun) run = otter_run_create (dir, &config, &error);
  g_assert_no_error (error);
  g_autoptr (OtterRun) again = otter_run_create (dir, &config, &error);
  g_assert_null (again);
  g_assert_error (error, OTTER_ERROR, OTTER_ERROR_RUN);
  otter_train_config_clear (&config);
}

static void
test_config_round_trip (void)
{
  OtterTrainConfig a, b;
  g_autoptr (GError) error = NULL;
  quick_config (&a, "some/where", 7, 0.5);
  a.train.method = OTTER_METHOD_PGD;
  a.train.ot.space = OTTER_FEATURE_SPACE_SPATIAL;
  a.train.ot.epsilon = 4.0f / 255;
  g_autoptr (JsonNode) node = otter_train_config_to_json (&a);
  otter_train_config_init (&b);
  g_assert_true (otter_train_config_from_json (&b, node, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (b.data, ==, "some/where");
  g_assert_cmpint (b.max_epochs, ==, 7);
  g_assert_cmpfloat (b.loss_threshold, ==, 0.5);
  g_assert_cmpint (b.train.method, ==, OTTER_METHOD_PGD);
  g_assert_cmpint (b.train.ot.space, ==, OTTER_FEATURE_SPACE_SPATIAL);
  g_assert_cmpfloat (fabs (b.train.ot.epsilon - 4.0f / 255), <, 1e-7);
  otter_train_config_clear (&a);
  otter_train_config_clear (&b);
}


/* The run's own reader: every record kind, damage in the middle counted
 * (and reported by the app), a torn last line not (a crash leaves one). */
static void
test_history_reader (void)
{
  g_autofree char *dir = make_tmp_dir ();
  OtterTrainConfig config;
  quick_config (&config, "demo:48", 2, 1e-9);
  g_autoptr (OtterTrainer) trainer = run_to_end (&config, dir);
  otter_train_config_clear (&config);
  g_assert_cmpint (otter_trainer_get_state (trainer), ==, OTTER_TRAINER_NOT_CONVERGED);

  g_autoptr (GError) error = NULL;
  g_autoptr (OtterRunHistory) clean = otter_run_read_history (dir, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (clean->epochs->len, ==, 2);
  g_assert_cmpuint (clean->points->len, ==, count_records (dir, "step"));
  g_assert_true (clean->ended);
  g_assert_cmpstr (clean->end.status, ==, "not-converged");
  g_assert_cmpint (clean->end.epochs, ==, 2);
  g_assert_cmpuint (clean->n_damaged, ==, 0);
  g_assert_false (clean->torn_last_line);

  /* Up to the first epoch's last step: that epoch only, no end. */
  gint64 first_end = g_array_index (clean->epochs, OtterEpochPoint, 0).step;
  g_autoptr (OtterRunHistory) head = otter_run_read_history (dir, first_end, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (head->epochs->len, ==, 1);
  g_assert_false (head->ended);

  /* A line broken in the middle, and a torn last line. */
  g_autofree char *path = g_build_filename (dir, OTTER_RUN_METRICS, NULL);
  g_autofree char *text = NULL;
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  g_autofree char *damaged = g_strdup_printf ("{\"kind\": \"step\", \"st\n%s{\"kind\": \"ep", text);
  g_assert_true (g_file_set_contents (path, damaged, -1, NULL));
  g_autoptr (OtterRunHistory) h = otter_run_read_history (dir, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (h->n_damaged, ==, 1);
  g_assert_true (h->torn_last_line);
  g_assert_cmpuint (h->epochs->len, ==, 2);
  g_assert_true (h->ended);

  g_autoptr (OtterRunHistory) missing = otter_run_read_history ("/nonexistent/run", -1, &error);
  g_assert_null (missing);
  g_assert_nonnull (error);
}

int
main (int argc, char *argv[])
{
  const char *threads = g_getenv ("OTTER_THREADS");
  g_test_init (&argc, &argv, NULL);
  otter_torch_set_threads (threads ? atoi (threads) : 2);
  /* Runs land in the test's own data dir, never the user's. */
  g_autofree char *home = make_tmp_dir ();
  g_setenv ("XDG_DATA_HOME", home, TRUE);

  g_test_add_func ("/otter/Trainer/converged", test_converged);
  g_test_add_func ("/otter/Trainer/not-converged", test_not_converged);
  g_test_add_func ("/otter/Trainer/checkpoint-failures-reported", test_checkpoint_failures_reported);
  g_test_add_func ("/otter/Trainer/validation-failures-listed", test_validation_failures_listed);
  g_test_add_func ("/otter/Trainer/run-lock-and-temporaries", test_run_lock_and_temporaries);
  g_test_add_func ("/otter/Trainer/config-refuses-out-of-range", test_config_refuses_out_of_range);
  g_test_add_func ("/otter/Trainer/resume-falls-back-to-best", test_resume_falls_back_to_best);
  g_test_add_func ("/otter/Trainer/config-member-types", test_config_member_types);
  g_test_add_func ("/otter/Trainer/failed-bad-input", test_failed_bad_input);
  g_test_add_func ("/otter/Trainer/pause-resume-stop", test_pause_resume_stop);
  g_test_add_func ("/otter/Trainer/resume", test_resume);
  g_test_add_func ("/otter/Trainer/run-dir-refuses-existing", test_run_dir_refuses_existing);
  g_test_add_func ("/otter/Trainer/config-round-trip", test_config_round_trip);
  g_test_add_func ("/otter/Trainer/history-reader", test_history_reader);
  return g_test_run ();
}
