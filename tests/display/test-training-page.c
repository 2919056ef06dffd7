/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-training-page.c: the Training page runs a real (small) training */

#include "config.h"

#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

#include "display-utils.h"
#include "otter-run.h"
#include "otter-training-page.h"

static AdwApplication *app;
static char *data_home;

static gboolean
has_dataset (gpointer data)
{
  return otter_session_get_dataset (data) != NULL;
}

static gboolean
has_dataset_and_model (gpointer data)
{
  return otter_session_get_dataset (data) != NULL && otter_session_get_model (data) != NULL;
}

static gboolean
trainer_is_final (gpointer data)
{
  OtterTrainer *trainer = otter_session_get_trainer (data);
  return trainer != NULL && otter_trainer_state_is_final (otter_trainer_get_state (trainer));
}

typedef struct
{
  OtterSession *session;
  const char   *path;
} ModelWait;

static gboolean
session_has_model_path (gpointer data)
{
  ModelWait *wait = data;
  OtterModel *model = otter_session_get_model (wait->session);
  return model != NULL && g_strcmp0 (otter_model_get_path (model), wait->path) == 0;
}

static gboolean
run_list_filled (gpointer data)
{
  return otter_run_list_get_n_runs (data) > 0;
}

static gboolean
run_list_has_two (gpointer data)
{
  return otter_run_list_get_n_runs (data) >= 2;
}

static gboolean
chart_has_overlay (gpointer data)
{
  return otter_loss_chart_get_n_overlays (data) == 1;
}

static gboolean
has_message_dialog (gpointer data)
{
  return display_find_dialog () != NULL;
}

static gboolean
last_run_named (gpointer data)
{
  OtterRunList *runs = data;
  guint n = otter_run_list_get_n_runs (runs);
  const char *title = n > 0 ? otter_run_list_get_title (runs, n - 1) : NULL;
  return title != NULL && g_str_has_prefix (title, "first try · ");
}

typedef struct
{
  OtterRunList *runs;
  guint         n;
} RunCount;

static gboolean
run_count_is (gpointer data)
{
  RunCount *c = data;
  return otter_run_list_get_n_runs (c->runs) == c->n;
}

static OtterTrainingPage *
new_page_on_demo (GtkWindow **window_out)
{
  OtterSession *session = otter_session_new ();
  GtkWidget *window = gtk_window_new ();
  OtterTrainingPage *page = g_object_new (OTTER_TYPE_TRAINING_PAGE, "session", session, NULL);
  g_autoptr (GError) error = NULL;

  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (page));
  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 720);
  gtk_window_present (GTK_WINDOW (window));
  otter_session_open_dataset (session, "demo:48");
  g_assert_true (display_wait_until (has_dataset, session, 60));
  g_assert_true (otter_session_create_model (session, "tiny", 96, &error));
  g_assert_no_error (error);
  g_assert_true (display_wait_until (has_dataset_and_model, session, 10));
  g_object_unref (session);   /* the page holds it */
  display_spin (0.3);
  *window_out = GTK_WINDOW (window);
  return page;
}

/* Start from the page with a threshold every epoch meets: the run converges
 * after its first epoch, the chart draws the curves, the status says so and
 * the stored model becomes the session's model. */
static void
test_training_page_converges (void)
{
  g_autoptr (GSettings) settings = g_settings_new (APPLICATION_ID);
  GtkWindow *window;
  OtterTrainingPage *page = new_page_on_demo (&window);
  OtterSession *session = otter_page_get_session (OTTER_PAGE (page));
  OtterLossChart *chart = otter_training_page_get_chart (page);

  g_settings_set_int (settings, "max-epochs", 3);
  g_settings_set_double (settings, "loss-threshold", 1000);
  g_settings_set_int (settings, "batch-size", 16);
  display_spin (0.2);

  g_autoptr (GdkTexture) empty = display_render_widget (GTK_WIDGET (chart));
  g_assert_cmpuint (otter_loss_chart_get_n_points (chart), ==, 0);
  /* no grid or scale yet: the plot's left part is blank from top to bottom */
  g_assert_cmpfloat (display_texture_variety (empty, 60, 30, 60, gdk_texture_get_height (empty) - 80), <, 0.001);
  int chart_width = gtk_widget_get_width (GTK_WIDGET (chart));
  int form_width = gtk_widget_get_width (gtk_widget_get_parent (GTK_WIDGET (otter_training_page_get_run_list (page))));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "training.start", NULL));
  g_assert_nonnull (otter_session_get_trainer (session));

  g_assert_true (display_wait_until (trainer_is_final, session, 300));
  display_spin (0.5);
  /* the status and the run list changed their text: no pane moved */
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (chart)), ==, chart_width);
  g_assert_cmpint (gtk_widget_get_width (gtk_widget_get_parent (GTK_WIDGET (otter_training_page_get_run_list (page)))),
                   ==, form_width);

  OtterTrainer *trainer = otter_session_get_trainer (session);
  g_test_message ("final state %s: %s", otter_trainer_state_to_string (otter_trainer_get_state (trainer)),
                  otter_trainer_get_message (trainer));
  g_assert_cmpint (otter_trainer_get_state (trainer), ==, OTTER_TRAINER_CONVERGED);
  g_assert_cmpint (otter_trainer_get_max_epochs (trainer), ==, 3);
  g_assert_cmpfloat (otter_trainer_get_threshold (trainer), ==, 1000);
  g_assert_cmpuint (otter_loss_chart_get_n_points (chart), >, 0);
  g_assert_cmpfloat (otter_loss_chart_get_threshold (chart), ==, 1000);
  g_test_message ("status: %s", otter_training_page_get_status_text (page));
  g_assert_true (g_str_has_prefix (otter_training_page_get_status_text (page), "Converged"));

  /* The run went to the isolated data dir, not the user's. */
  g_assert_true (g_str_has_prefix (otter_trainer_get_run_dir (trainer), data_home));

  g_autoptr (GdkTexture) drawn = display_render_widget (GTK_WIDGET (chart));
  int w = gdk_texture_get_width (drawn), h = gdk_texture_get_height (drawn);
  g_assert_cmpfloat (display_texture_variety (drawn, 0, 0, w, h), >, 0.01);
  if (g_getenv ("OTTER_TEST_SCREENSHOT") != NULL)
    display_save_widget_png (GTK_WIDGET (window), g_getenv ("OTTER_TEST_SCREENSHOT"));

  /* The same chart without its points, at the same size, is the reference
   * for "nothing drawn". */
  guint n_points = otter_loss_chart_get_n_points (chart);
  otter_loss_chart_clear (chart);
  display_spin (0.1);
  g_autoptr (GdkTexture) cleared = display_render_widget (GTK_WIDGET (chart));
  g_assert_cmpint (gdk_texture_get_width (cleared), ==, w);
  g_assert_cmpint (gdk_texture_get_height (cleared), ==, h);
  double difference = display_texture_difference (cleared, drawn);
  g_test_message ("%u points; chart difference from the empty one: %.3f", n_points, difference);
  g_assert_cmpfloat (difference, >, 0.05);
  g_assert_cmpfloat (display_texture_variety (empty, 0, 0, gdk_texture_get_width (empty),
                                              gdk_texture_get_height (empty)), >, 0);

  g_autofree char *model_path = g_strdup (otter_trainer_get_model_path (trainer));
  ModelWait wait = { session, model_path };
  g_assert_nonnull (wait.path);
  g_assert_true (display_wait_until (session_has_model_path, &wait, 60));

  /* The finished run shows up under Past Runs. */
  g_assert_true (display_wait_until (run_list_filled, otter_training_page_get_run_list (page), 10));

  /* A trained model is never replaced silently: two clear actions. */
  display_spin (0.3);
  GtkWidget *start = display_find_actionable (GTK_WIDGET (page), "training.start");
  GtkWidget *go_on = display_find_actionable (GTK_WIDGET (page), "training.continue");
  GtkWidget *stop = display_find_actionable (GTK_WIDGET (page), "training.stop");
  g_assert_true (gtk_widget_get_visible (go_on));
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (start)), ==, "Train from _Scratch");
  graphene_rect_t start_before, start_during, stop_during;
  g_assert_true (gtk_widget_compute_bounds (start, GTK_WIDGET (page), &start_before));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "training.start", NULL));
  OtterTrainer *scratch = otter_session_get_trainer (session);
  g_assert_null (otter_trainer_get_config (scratch)->init_model);
  display_spin (0.3);
  /* Start keeps its place during the run, clear of Stop. */
  g_assert_true (gtk_widget_compute_bounds (start, GTK_WIDGET (page), &start_during));
  g_assert_true (gtk_widget_compute_bounds (stop, GTK_WIDGET (page), &stop_during));
  g_assert_cmpfloat (start_during.origin.x, ==, start_before.origin.x);
  g_assert_false (graphene_rect_intersection (&start_during, &stop_during, NULL));
  g_assert_false (gtk_widget_is_sensitive (start));
  /* the run going on is listed, and cannot be trashed under its own feet */
  OtterRunList *runs = otter_training_page_get_run_list (page);
  g_assert_true (display_wait_until (run_list_has_two, runs, 60));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (runs), "runs.trash", "s",
                                             otter_trainer_get_run_dir (scratch)));
  display_spin (0.5);
  g_assert_true (g_file_test (otter_trainer_get_run_dir (scratch), G_FILE_TEST_IS_DIR));
  /* the settings are the next run's, not editable as if they were this one's */
  GtkWidget *epochs = display_find_widget (GTK_WIDGET (page), GTK_TYPE_ENTRY);
  g_assert_false (gtk_widget_is_sensitive (epochs));
  /* while past runs stay browsable */
  g_assert_true (gtk_widget_is_sensitive (GTK_WIDGET (runs)));
  otter_trainer_stop (scratch);
  g_assert_true (display_wait_until (trainer_is_final, session, 300));

  g_assert_true (gtk_widget_is_sensitive (epochs));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "training.continue", NULL));
  OtterTrainer *continued = otter_session_get_trainer (session);
  g_assert_cmpstr (otter_trainer_get_config (continued)->init_model, ==, model_path);
  otter_trainer_stop (continued);
  g_assert_true (display_wait_until (trainer_is_final, session, 300));

  /* Past runs can be named and moved to the trash. */
  g_autofree char *first_dir = g_strdup (otter_run_list_get_dir (runs, otter_run_list_get_n_runs (runs) - 1));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (runs), "runs.rename", "s", first_dir));
  g_assert_true (display_wait_until (has_message_dialog, NULL, 10));
  AdwMessageDialog *dialog = display_find_dialog ();
  gtk_editable_set_text (GTK_EDITABLE (adw_message_dialog_get_extra_child (dialog)), "first try");
  g_signal_emit_by_name (dialog, "response", "rename");
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_assert_true (display_wait_until (last_run_named, runs, 30));
  guint before = otter_run_list_get_n_runs (runs);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (runs), "runs.trash", "s", first_dir));
  RunCount count = { runs, before - 1 };
  g_assert_true (display_wait_until (run_count_is, &count, 30));
  g_assert_false (g_file_test (first_dir, G_FILE_TEST_EXISTS));
  g_autofree char *base = g_path_get_basename (first_dir);
  g_autofree char *trashed = g_build_filename (data_home, "Trash", "files", base, NULL);
  g_assert_true (g_file_test (trashed, G_FILE_TEST_IS_DIR));

  /* A past run can be drawn under the current one to compare, listed in
   * its own legend until it is taken off again. */
  GtkCheckButton *compare = otter_run_list_get_compare_check (runs, 0);
  g_autofree char *compared_dir = g_strdup (otter_run_list_get_dir (runs, 0));
  g_assert_nonnull (compare);
  gtk_check_button_set_active (compare, TRUE);
  g_assert_true (display_wait_until (chart_has_overlay, chart, 30));
  GtkWidget *compare_legend = otter_training_page_get_compare_legend (page);
  g_assert_nonnull (compare_legend);
  g_assert_true (gtk_widget_get_visible (compare_legend));
  GtkWidget *remove = display_find_widget (compare_legend, GTK_TYPE_BUTTON);
  g_assert_nonnull (remove);
  g_signal_emit_by_name (remove, "clicked");
  g_assert_cmpuint (otter_loss_chart_get_n_overlays (chart), ==, 0);
  g_assert_false (otter_run_list_is_compared (runs, compared_dir));
  g_assert_false (gtk_check_button_get_active (otter_run_list_get_compare_check (runs, 0)));
  g_assert_false (gtk_widget_get_visible (compare_legend));

  gtk_window_destroy (window);
}


static GtkWidget *
row_reset_button (GtkWidget *entry)
{
  GtkWidget *row = gtk_widget_get_ancestor (entry, ADW_TYPE_ACTION_ROW);
  return g_object_get_data (G_OBJECT (row), "otter-reset");
}

/* τ and the learning rate show the values a run would use, follow the
 * method and the data while left alone, and reset to them. */
static void
test_automatic_defaults (void)
{
  g_autoptr (GSettings) settings = g_settings_new (APPLICATION_ID);
  GtkWindow *window;
  g_settings_reset (settings, "loss-threshold");
  g_settings_reset (settings, "learning-rate");
  g_settings_set_string (settings, "method", "ot");
  OtterTrainingPage *page = new_page_on_demo (&window);

  GtkWidget *threshold, *lr;
  /* the rows' entries, by their row titles */
  GtkWidget *rows[] = { display_find_row (GTK_WIDGET (page), "Threshold τ"),
                        display_find_row (GTK_WIDGET (page), "Learning Rate") };
  g_assert_nonnull (rows[0]);
  g_assert_nonnull (rows[1]);
  threshold = display_find_widget (rows[0], GTK_TYPE_ENTRY);
  lr = display_find_widget (rows[1], GTK_TYPE_ENTRY);

  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (threshold)), ==, "1.2");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (lr)), ==, "0.002");   /* the demo's */
  g_assert_false (gtk_widget_get_visible (row_reset_button (threshold)));
  g_assert_cmpfloat (g_settings_get_double (settings, "loss-threshold"), ==, 0);

  /* left alone, τ follows the method */
  g_settings_set_string (settings, "method", "standard");
  display_spin (0.1);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (threshold)), ==, "0.6");
  g_assert_cmpfloat (g_settings_get_double (settings, "loss-threshold"), ==, 0);

  /* a value of one's own shows the reset, which goes back to the default */
  gtk_editable_set_text (GTK_EDITABLE (threshold), "0.25");
  display_spin (0.1);
  g_assert_cmpfloat (g_settings_get_double (settings, "loss-threshold"), ==, 0.25);
  g_assert_true (gtk_widget_get_visible (row_reset_button (threshold)));
  g_signal_emit_by_name (row_reset_button (threshold), "clicked");
  display_spin (0.1);
  g_assert_cmpfloat (g_settings_get_double (settings, "loss-threshold"), ==, 0);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (threshold)), ==, "0.6");
  g_assert_false (gtk_widget_get_visible (row_reset_button (threshold)));

  /* 0 is no longer a way to say "default" */
  gtk_editable_set_text (GTK_EDITABLE (lr), "0");
  display_spin (0.1);
  g_assert_true (gtk_widget_has_css_class (lr, "error"));
  g_settings_reset (settings, "method");
  gtk_window_destroy (window);
}

/* The chart draws each finished epoch's mean of L over its raw steps, and
 * the axis counts epochs from 0. */
static void
test_chart_epoch_means (void)
{
  GtkWidget *window = gtk_window_new ();
  OtterLossChart *chart = OTTER_LOSS_CHART (otter_loss_chart_new ());
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (chart));
  gtk_window_set_default_size (GTK_WINDOW (window), 700, 400);
  gtk_window_present (GTK_WINDOW (window));

  /* three epochs of ten steps, the third one under way */
  OtterTrainPoint points[25];
  for (int i = 0; i < 25; i++)
    points[i] = (OtterTrainPoint) { i + 1, i / 10 + 1, 1.0, 1.0, 3.0 - 0.05 * i + (i % 2) * 0.4, 0.1, 1e-3 };
  otter_loss_chart_set_threshold (chart, 1.2);
  otter_loss_chart_append_points (chart, points, G_N_ELEMENTS (points));
  display_spin (0.3);
  g_autoptr (GdkTexture) drawn = display_render_widget (GTK_WIDGET (chart));
  g_assert_cmpuint (otter_loss_chart_get_n_epoch_means (chart), ==, 2);

  /* smoothing draws an average over the zig-zag steps */
  g_object_set (chart, "smoothing", 0.9, NULL);
  display_spin (0.2);
  g_autoptr (GdkTexture) smoothed = display_render_widget (GTK_WIDGET (chart));
  g_test_message ("smoothing changes the drawing by %.2f", display_texture_difference (drawn, smoothed));
  g_assert_cmpfloat (display_texture_difference (drawn, smoothed), >, 0.2);
  g_assert_true (display_save_widget_png (GTK_WIDGET (chart), "/tmp/loss-chart-means.png"));
  gtk_window_destroy (GTK_WINDOW (window));
}

/* Validation mAP gets a strip and an axis of its own, the log scale is
 * fitted to the losses rather than widened to whole decades, and compared
 * runs widen the epoch axis to their length. */
static void
test_chart_map_strip_and_log_fit (void)
{
  GtkWidget *window = gtk_window_new ();
  OtterLossChart *chart = OTTER_LOSS_CHART (otter_loss_chart_new ());
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (chart));
  gtk_window_set_default_size (GTK_WINDOW (window), 700, 420);
  gtk_window_present (GTK_WINDOW (window));

  OtterTrainPoint points[30];
  OtterEpochPoint epochs[3];
  for (int i = 0; i < 30; i++)
    points[i] = (OtterTrainPoint) { i + 1, i / 10 + 1, 0.8, 0.9, 2.0 - 0.04 * i, NAN, 1e-3 };
  for (int e = 0; e < 3; e++)
    epochs[e] = (OtterEpochPoint) { e + 1, 10 * (e + 1), 1.5 - 0.3 * e, 0.8, 0.9, NAN, 0.2 + 0.2 * e, 5 };
  otter_loss_chart_append_points (chart, points, G_N_ELEMENTS (points));
  display_spin (0.2);
  g_autoptr (GdkTexture) without = display_render_widget (GTK_WIDGET (chart));
  g_assert_false (otter_loss_chart_get_map_strip_visible (chart));

  otter_loss_chart_set_epochs (chart, epochs, G_N_ELEMENTS (epochs));
  display_spin (0.2);
  g_autoptr (GdkTexture) with_map = display_render_widget (GTK_WIDGET (chart));
  g_assert_true (otter_loss_chart_get_map_strip_visible (chart));
  g_assert_cmpfloat (display_texture_difference (without, with_map), >, 0.02);
  /* the last epoch's mean is drawn once its record is in */
  g_assert_cmpuint (otter_loss_chart_get_n_epoch_means (chart), ==, 3);

  /* losses between 0.84 and 2: a log axis around them, not 0.1 to 10 */
  double lo, hi;
  otter_loss_chart_set_log_scale (chart, TRUE);
  display_spin (0.2);
  g_autoptr (GdkTexture) log_drawn = display_render_widget (GTK_WIDGET (chart));
  otter_loss_chart_get_loss_range (chart, &lo, &hi);
  g_test_message ("log axis from %.3f to %.3f", lo, hi);
  g_assert_cmpfloat (lo, >, 0.6);
  g_assert_cmpfloat (lo, <, 0.84);
  g_assert_cmpfloat (hi, >, 2.0);
  g_assert_cmpfloat (hi, <, 2.6);

  /* a longer run compared beside it */
  OtterEpochPoint other[6];
  for (int e = 0; e < 6; e++)
    other[e] = (OtterEpochPoint) { e + 1, 8 * (e + 1), 1.8 - 0.2 * e, 0.8, 0.9, NAN, 0.1 + 0.1 * e, 4 };
  g_assert_true (otter_loss_chart_add_overlay (chart, "/runs/other", "other", other, G_N_ELEMENTS (other)));
  display_spin (0.2);
  g_autoptr (GdkTexture) compared = display_render_widget (GTK_WIDGET (chart));
  g_assert_cmpfloat (display_texture_difference (log_drawn, compared), >, 0.02);
  otter_loss_chart_get_loss_range (chart, &lo, &hi);
  g_assert_cmpfloat (lo, <, 0.8);   /* the other run's 0.8 is inside */
  for (int k = 0; k < OTTER_LOSS_CHART_MAX_OVERLAYS - 1; k++)
    {
      g_autofree char *key = g_strdup_printf ("/runs/%d", k);
      g_assert_true (otter_loss_chart_add_overlay (chart, key, key, other, 2));
    }
  g_assert_false (otter_loss_chart_add_overlay (chart, "/runs/one-too-many", "x", other, 2));
  GdkRGBA a, b;
  g_assert_true (otter_loss_chart_get_overlay_color (chart, "/runs/other", &a));
  g_assert_true (otter_loss_chart_get_overlay_color (chart, "/runs/0", &b));
  g_assert_false (gdk_rgba_equal (&a, &b));
  /* a freed colour goes to the next run, and the others keep theirs */
  otter_loss_chart_remove_overlay (chart, "/runs/other");
  g_assert_true (otter_loss_chart_add_overlay (chart, "/runs/new", "new", other, 2));
  g_assert_true (otter_loss_chart_get_overlay_color (chart, "/runs/new", &b));
  g_assert_true (gdk_rgba_equal (&a, &b));
  display_spin (0.2);
  g_assert_true (display_save_widget_png (GTK_WIDGET (chart), "/tmp/loss-chart-compare.png"));
  gtk_window_destroy (GTK_WINDOW (window));
}

/* A run whose checkpoints cannot be written (a folder stands where each
 * goes) ends as it would, but the page's detail line warns about them. */
static void
test_checkpoint_failures_shown (void)
{
  GtkWindow *window;
  OtterTrainingPage *page = new_page_on_demo (&window);
  OtterSession *session = otter_page_get_session (OTTER_PAGE (page));
  g_autofree char *dir = g_dir_make_tmp ("otter-display-XXXXXX", NULL);
  const char *blocked[] = { OTTER_RUN_LAST, OTTER_RUN_BEST };
  for (guint i = 0; i < G_N_ELEMENTS (blocked); i++)
    {
      g_autofree char *inside = g_build_filename (dir, blocked[i], "occupied", NULL);
      g_autofree char *parent = g_path_get_dirname (inside);
      g_assert_cmpint (g_mkdir_with_parents (parent, 0755), ==, 0);
      g_assert_true (g_file_set_contents (inside, "", 0, NULL));
    }
  OtterTrainConfig config;
  otter_train_config_init (&config);
  g_free (config.data);
  config.data = g_strdup ("demo:20");
  config.max_epochs = 1;
  config.loss_threshold = 1e-6;
  config.train.method = OTTER_METHOD_STANDARD;
  g_autoptr (OtterTrainer) trainer = otter_trainer_new (&config);
  otter_train_config_clear (&config);
  otter_trainer_set_run_dir (trainer, dir);
  otter_session_set_trainer (session, trainer);
  /* each failure is also a warning in the log, from the training thread */
  GLogLevelFlags fatal = g_log_set_always_fatal (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL);
  g_autoptr (GError) error = NULL;
  g_assert_true (otter_trainer_start (trainer, &error));
  g_assert_true (display_wait_until (trainer_is_final, session, 300));
  g_log_set_always_fatal (fatal);
  display_spin (0.3);
  g_test_message ("%s / %s", otter_training_page_get_status_text (page), otter_training_page_get_detail_text (page));
  g_assert_true (g_str_has_prefix (otter_training_page_get_status_text (page), "Stopped after 1 epoch"));
  g_assert_nonnull (strstr (otter_training_page_get_detail_text (page), "checkpoints could not be written"));
  gtk_window_destroy (window);
  g_autofree char *command = g_strdup_printf ("rm -rf '%s'", dir);
  g_assert_cmpint (system (command), ==, 0);
}

/* Two processes from the page: the page's run is rank 0 of two, an
 * otter-cli worker the other; the run converges like one of a single
 * process, records its world size and lists it. */
static void
test_two_processes (void)
{
  g_autoptr (GSettings) settings = g_settings_new (APPLICATION_ID);
  g_autofree char *cli = g_test_build_filename (G_TEST_BUILT, "..", "..", "src", "cli", "otter-cli", NULL);
  g_setenv ("OTTER_CLI", cli, TRUE);
  GtkWindow *window;
  OtterTrainingPage *page = new_page_on_demo (&window);
  OtterSession *session = otter_page_get_session (OTTER_PAGE (page));

  g_settings_set_int (settings, "max-epochs", 2);
  g_settings_set_double (settings, "loss-threshold", 1000);
  g_settings_set_int (settings, "batch-size", 16);
  g_settings_set_int (settings, "processes", 2);
  display_spin (0.2);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "training.start", NULL));
  OtterTrainer *trainer = otter_session_get_trainer (session);
  g_assert_nonnull (trainer);
  g_assert_true (otter_trainer_is_distributed (trainer));
  g_assert_true (display_wait_until (trainer_is_final, session, 300));
  g_test_message ("final state %s: %s", otter_trainer_state_to_string (otter_trainer_get_state (trainer)),
                  otter_trainer_get_message (trainer));
  g_assert_cmpint (otter_trainer_get_state (trainer), ==, OTTER_TRAINER_CONVERGED);
  g_assert_cmpint (otter_trainer_get_world_size (trainer), ==, 2);
  OtterTrainConfig config;
  otter_train_config_init (&config);
  g_assert_true (otter_run_read_config (otter_trainer_get_run_dir (trainer), &config, NULL));
  g_assert_cmpint (config.world_size, ==, 2);
  otter_train_config_clear (&config);
  OtterRunList *runs = otter_training_page_get_run_list (page);
  g_assert_true (display_wait_until (run_list_filled, runs, 30));
  display_spin (0.5);
  if (g_getenv ("OTTER_TEST_SCREENSHOT") != NULL)
    display_save_widget_png (GTK_WIDGET (window), g_getenv ("OTTER_TEST_SCREENSHOT"));

  /* a batch that does not split says so, and starts nothing */
  g_settings_set_int (settings, "batch-size", 5);
  display_spin (0.2);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "training.start", NULL));
  OtterTrainer *odd = otter_session_get_trainer (session);
  g_assert_true (display_wait_until (trainer_is_final, session, 120));
  g_test_message ("odd batch: %s", otter_trainer_get_message (odd));
  g_assert_cmpint (otter_trainer_get_state (odd), ==, OTTER_TRAINER_FAILED);
  g_assert_nonnull (strstr (otter_trainer_get_message (odd), "multiple of 2"));

  g_settings_reset (settings, "processes");
  g_settings_reset (settings, "batch-size");
  g_settings_reset (settings, "max-epochs");
  g_settings_reset (settings, "loss-threshold");
  gtk_window_destroy (window);
}

int
main (int argc, char *argv[])
{
  /* Runs go under the user data dir: keep them out of the real one. */
  data_home = g_dir_make_tmp ("otter-training-page-XXXXXX", NULL);
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);

  app = display_test_init (&argc, &argv);
  g_test_add_func ("/otter/TrainingPage/converges", test_training_page_converges);
  g_test_add_func ("/otter/TrainingPage/automatic-defaults", test_automatic_defaults);
  g_test_add_func ("/otter/TrainingPage/two-processes", test_two_processes);
  g_test_add_func ("/otter/TrainingPage/checkpoint-failures-shown", test_checkpoint_failures_shown);
  g_test_add_func ("/otter/TrainingPage/chart-epoch-means", test_chart_epoch_means);
  g_test_add_func ("/otter/TrainingPage/chart-map-strip-and-log-fit", test_chart_map_strip_and_log_fit);
  return g_test_run ();
}
