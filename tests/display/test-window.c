/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-window.c: the main window with a real display */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "display-utils.h"
#include "otter-application.h"
#include "otter-class-banner.h"
#include "otter-run.h"
#include "otter-training-page.h"
#include "otter-window.h"

static AdwApplication *app;

static gboolean
has_dataset_and_model (gpointer data)
{
  OtterSession *session = data;
  return otter_session_get_dataset (session) != NULL && otter_session_get_model (session) != NULL;
}

static OtterWindow *
new_window_on_demo (void)
{
  OtterWindow *window = otter_window_new (app);
  OtterSession *session = otter_window_get_session (window);
  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 720);
  gtk_window_present (GTK_WINDOW (window));
  otter_session_open_dataset (session, "demo");
  /* The window creates no model on its own; the application does on first
   * start. Mirror that once the data is there. */
  g_assert_true (display_wait_until ((gpointer) otter_session_get_dataset, session, 60));
  g_autoptr (GError) error = NULL;
  g_assert_true (otter_session_create_model (session, "tiny", 96, &error));
  g_assert_no_error (error);
  g_assert_true (display_wait_until (has_dataset_and_model, session, 10));
  display_spin (0.3);
  return window;
}

static void
test_window_builds (void)
{
  OtterWindow *window = new_window_on_demo ();
  OtterSession *session = otter_window_get_session (window);
  g_assert_cmpstr (otter_session_get_title (session), ==, "demo · tiny-96");

  const char *pages[] = { "data", "model", "perturb", "training", "eval", "video" };
  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    {
      otter_window_show_page (window, pages[i]);
      display_spin (0.2);
      g_autoptr (GdkTexture) texture = display_render_widget (GTK_WIDGET (window));
      /* a real page is drawn, not an empty window */
      g_assert_cmpfloat (display_texture_variety (texture, 0, 0, gdk_texture_get_width (texture),
                                                  gdk_texture_get_height (texture)), >, 0.01);
    }
  gtk_window_destroy (GTK_WINDOW (window));
}

typedef struct
{
  char *message;
} ErrorData;

static void
on_error (OtterSession *session, const char *message, ErrorData *data)
{
  g_free (data->message);
  data->message = g_strdup (message);
}

static gboolean
got_error (gpointer data)
{
  return ((ErrorData *) data)->message != NULL;
}

/* A damaged model file is reported in the window; the current model stays. */
static void
test_damaged_model (void)
{
  OtterWindow *window = new_window_on_demo ();
  OtterSession *session = otter_window_get_session (window);
  OtterModel *before = otter_session_get_model (session);
  g_autofree char *dir = g_dir_make_tmp ("otter-display-XXXXXX", NULL);
  g_autofree char *bad = g_build_filename (dir, "damaged.otter", NULL);
  g_assert_true (g_file_set_contents (bad, "OTTERMDL\x01\x00\x00\x00garbage", 20, NULL));

  ErrorData data = { NULL };
  g_signal_connect (session, "error", G_CALLBACK (on_error), &data);
  otter_session_open_model (session, bad);
  g_assert_true (display_wait_until (got_error, &data, 30));
  g_test_message ("error shown: %s", data.message);
  g_assert_nonnull (strstr (data.message, "damaged.otter"));
  g_assert_true (otter_session_get_model (session) == before);
  display_spin (0.2);
  g_free (data.message);
  g_unlink (bad);
  g_rmdir (dir);
  gtk_window_destroy (GTK_WINDOW (window));
}

static gboolean
trainer_running (gpointer data)
{
  return otter_trainer_get_state (data) == OTTER_TRAINER_RUNNING;
}

static gboolean
trainer_final (gpointer data)
{
  return otter_trainer_state_is_final (otter_trainer_get_state (data));
}

static gboolean
has_dialog (gpointer data)
{
  return display_find_dialog () != NULL;
}

typedef struct
{
  char *path;
  char *message;
} OutsideData;

static void
on_outside_root (OtterSession *session, const char *path, const char *message, OutsideData *data)
{
  data->path = g_strdup (path);
  data->message = g_strdup (message);
}

static gboolean
got_outside_root (gpointer data)
{
  return ((OutsideData *) data)->message != NULL;
}

static gboolean
dataset_has_one (gpointer data)
{
  OtterDataset *dataset = otter_session_get_dataset (data);
  return dataset != NULL && g_list_model_get_n_items (G_LIST_MODEL (dataset)) == 1 &&
         otter_dataset_get_load_flags (dataset) == OTTER_DATASET_LOAD_ALLOW_OUTSIDE_ROOT;
}

/* A dataset whose only image lies outside its folder: not a plain error
 * but an offer, through the window's action, to read it after asking. */
static void
test_outside_root (void)
{
  OtterWindow *window = new_window_on_demo ();
  OtterSession *session = otter_window_get_session (window);
  g_autofree char *dir = g_dir_make_tmp ("otter-display-XXXXXX", NULL);
  g_autofree char *image = g_build_filename (dir, "elsewhere.png", NULL);
  g_autofree char *root = g_build_filename (dir, "ds", NULL);
  g_autofree char *annotations = g_build_filename (root, "annotations", NULL);
  g_autofree char *xml_path = g_build_filename (annotations, "a.xml", NULL);
  g_autofree char *xml = g_strdup_printf ("<annotation><path>%s</path><object><name>cat</name><bndbox>"
                                          "<xmin>1</xmin><ymin>1</ymin><xmax>20</xmax><ymax>20</ymax>"
                                          "</bndbox></object></annotation>", image);
  g_autoptr (GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 64, 48);
  gdk_pixbuf_fill (pixbuf, 0x808080ff);
  g_assert_true (gdk_pixbuf_save (pixbuf, image, "png", NULL, NULL));
  g_assert_cmpint (g_mkdir_with_parents (annotations, 0755), ==, 0);
  g_assert_true (g_file_set_contents (xml_path, xml, -1, NULL));

  OutsideData outside = { NULL };
  ErrorData error = { NULL };
  g_signal_connect (session, "outside-root", G_CALLBACK (on_outside_root), &outside);
  g_signal_connect (session, "error", G_CALLBACK (on_error), &error);
  otter_session_open_dataset (session, root);
  g_assert_true (display_wait_until (got_outside_root, &outside, 30));
  g_test_message ("outside-root: %s", outside.message);
  g_assert_cmpstr (outside.path, ==, root);
  g_assert_nonnull (strstr (outside.message, "annotations/a.xml: its image"));
  g_assert_null (error.message);
  display_spin (0.5);
  if (g_getenv ("OTTER_WINDOW_OUTSIDE_SCREENSHOT"))
    display_save_widget_png (GTK_WIDGET (window), g_getenv ("OTTER_WINDOW_OUTSIDE_SCREENSHOT"));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.read-outside-root", "s", root));
  g_assert_true (display_wait_until (has_dialog, NULL, 10));
  AdwMessageDialog *dialog = display_find_dialog ();
  adw_message_dialog_response (dialog, "read");
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_assert_true (display_wait_until (dataset_has_one, session, 30));

  g_signal_handlers_disconnect_by_data (session, &outside);
  g_signal_handlers_disconnect_by_data (session, &error);
  g_free (outside.path);
  g_free (outside.message);
  g_autofree char *command = g_strdup_printf ("rm -rf '%s'", dir);
  g_assert_cmpint (system (command), ==, 0);
  gtk_window_destroy (GTK_WINDOW (window));
}

/* Closing the window during a run asks first; "Stop Training" stops it. */
static void
test_close_during_training (void)
{
  OtterWindow *window = new_window_on_demo ();
  OtterSession *session = otter_window_get_session (window);
  g_autofree char *dir = g_dir_make_tmp ("otter-display-XXXXXX", NULL);
  OtterTrainConfig config;
  otter_train_config_init (&config);
  config.max_epochs = 50;
  config.loss_threshold = 1e-6;
  g_autoptr (OtterTrainer) trainer = otter_trainer_new (&config);
  otter_train_config_clear (&config);
  otter_trainer_set_run_dir (trainer, dir);
  otter_session_set_trainer (session, trainer);
  g_assert_true (otter_trainer_start (trainer, NULL));
  g_assert_true (display_wait_until (trainer_running, trainer, 120));

  g_object_add_weak_pointer (G_OBJECT (window), (gpointer *) &window);
  gtk_window_close (GTK_WINDOW (window));
  g_assert_true (display_wait_until (has_dialog, NULL, 10));
  g_assert_nonnull (window);                       /* still open, asking */
  g_signal_emit_by_name (display_find_dialog (), "response", "stop");
  g_assert_true (display_wait_until (trainer_final, trainer, 120));
  g_assert_cmpint (otter_trainer_get_state (trainer), ==, OTTER_TRAINER_STOPPED);
  display_spin (0.3);
  g_assert_null (window);                          /* and then it closed */
}


/* ---- training shortcuts, from any page ---------------------------------- */

/* Fires the window's shortcut for `accel` as a key press would. */
static gboolean
press_shortcut (GtkWidget  *window,
                const char *accel)
{
  g_autoptr (GListModel) controllers = gtk_widget_observe_controllers (window);
  guint key;
  GdkModifierType mods;
  g_assert_true (gtk_accelerator_parse (accel, &key, &mods));
  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr (GObject) controller = g_list_model_get_item (controllers, i);
      if (!GTK_IS_SHORTCUT_CONTROLLER (controller))
        continue;
      for (guint k = 0; k < g_list_model_get_n_items (G_LIST_MODEL (controller)); k++)
        {
          g_autoptr (GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), k);
          GtkShortcutTrigger *trigger = gtk_shortcut_get_trigger (shortcut);
          if (GTK_IS_KEYVAL_TRIGGER (trigger) && gtk_keyval_trigger_get_keyval (GTK_KEYVAL_TRIGGER (trigger)) == key &&
              gtk_keyval_trigger_get_modifiers (GTK_KEYVAL_TRIGGER (trigger)) == mods)
            return gtk_shortcut_action_activate (gtk_shortcut_get_action (shortcut), 0, window,
                                                 gtk_shortcut_get_arguments (shortcut));
        }
    }
  return FALSE;
}

static gboolean
trainer_paused (gpointer data)
{
  return otter_trainer_get_state (data) == OTTER_TRAINER_PAUSED;
}

static void
test_training_shortcuts (void)
{
  OtterWindow *window = new_window_on_demo ();
  OtterSession *session = otter_window_get_session (window);
  g_autoptr (GSettings) settings = g_settings_new (APPLICATION_ID);
  g_settings_set_int (settings, "max-epochs", 50);
  g_settings_set_double (settings, "loss-threshold", 1e-6);
  otter_window_show_page (window, "data");
  display_spin (0.2);

  g_assert_true (press_shortcut (GTK_WIDGET (window), "<Control>Return"));
  OtterTrainer *trainer = otter_session_get_trainer (session);
  g_assert_nonnull (trainer);
  g_assert_true (display_wait_until (trainer_running, trainer, 120));

  g_assert_true (press_shortcut (GTK_WIDGET (window), "<Control>p"));
  g_assert_true (display_wait_until (trainer_paused, trainer, 120));
  display_spin (0.3);
  OtterTrainingPage *page = OTTER_TRAINING_PAGE (otter_window_get_page (window, "training"));
  const char *status = otter_training_page_get_status_text (page);
  g_assert_cmpstr (status, ==, "Paused");
  g_assert_null (strstr (otter_training_page_get_detail_text (page), "left"));

  g_assert_true (press_shortcut (GTK_WIDGET (window), "<Control>p"));
  g_assert_true (display_wait_until (trainer_running, trainer, 120));
  g_assert_true (press_shortcut (GTK_WIDGET (window), "<Control>period"));
  g_assert_true (display_wait_until (trainer_final, trainer, 120));
  g_assert_cmpint (otter_trainer_get_state (trainer), ==, OTTER_TRAINER_STOPPED);
  g_settings_reset (settings, "max-epochs");
  g_settings_reset (settings, "loss-threshold");
  gtk_window_destroy (GTK_WINDOW (window));
}

/* ---- Keep Running, to the end ------------------------------------------- */

/* The whole path as a user takes it, in a child process that runs the
 * application's own main loop: a run started from the Training page,
 * nobody but the application holding it; the window closed with Keep
 * Running; the run must reach its end, be announced, and
 * g_application_run must then return (the process exits). */
typedef struct
{
  OtterApplication *app;
  const char       *run_dir;
  int               phase;
  OtterWindow      *window;
  gboolean          announced;
  OtterTrainerState ended_state;
  char             *title;
} KeepRun;

static void
on_run_ended (OtterApplication *application,
              OtterTrainer     *trainer,
              const char       *title,
              const char       *body,
              KeepRun          *k)
{
  k->announced = TRUE;
  k->ended_state = otter_trainer_get_state (trainer);
  k->title = g_strdup (title);
  g_assert_cmpstr (otter_trainer_get_run_dir (trainer), ==, k->run_dir);
  g_assert_nonnull (body);
}

static gboolean
keep_run_step (gpointer data)
{
  KeepRun *k = data;
  GtkWindow *active = gtk_application_get_active_window (GTK_APPLICATION (k->app));

  switch (k->phase)
    {
    case 0:                                     /* the window is up on the demo */
      {
        if (!OTTER_IS_WINDOW (active))
          return G_SOURCE_CONTINUE;
        OtterSession *session = otter_window_get_session (OTTER_WINDOW (active));
        if (otter_session_get_dataset (session) == NULL || otter_session_get_model (session) == NULL)
          return G_SOURCE_CONTINUE;
        k->window = OTTER_WINDOW (active);
        g_object_add_weak_pointer (G_OBJECT (k->window), (gpointer *) &k->window);
        OtterTrainConfig config;
        otter_train_config_init (&config);
        config.max_epochs = 1;
        config.loss_threshold = 1e-6;
        OtterTrainer *trainer = otter_trainer_new (&config);
        otter_train_config_clear (&config);
        otter_trainer_set_run_dir (trainer, k->run_dir);
        otter_training_page_start_trainer (OTTER_TRAINING_PAGE (otter_window_get_page (k->window, "training")),
                                           trainer);
        g_object_unref (trainer);               /* the window's, from now on */
        k->phase = 1;
        return G_SOURCE_CONTINUE;
      }
    case 1:                                     /* running: close the window */
      {
        OtterTrainer *trainer = otter_session_get_trainer (otter_window_get_session (k->window));
        if (otter_trainer_get_state (trainer) != OTTER_TRAINER_RUNNING)
          return G_SOURCE_CONTINUE;
        gtk_window_close (GTK_WINDOW (k->window));
        k->phase = 2;
        return G_SOURCE_CONTINUE;
      }
    case 2:                                     /* the question: Keep Running */
      if (display_find_dialog () == NULL)
        return G_SOURCE_CONTINUE;
      g_signal_emit_by_name (display_find_dialog (), "response", "background");
      k->phase = 3;
      return G_SOURCE_REMOVE;
    default:
      return G_SOURCE_REMOVE;
    }
}

static gboolean
keep_run_timed_out (gpointer data)
{
  g_printerr ("Keep Running: no end after 600 s (phase %d)\n", ((KeepRun *) data)->phase);
  exit (1);
}

static void
keep_running_child (const char *run_dir)
{
  KeepRun k = { .app = OTTER_APPLICATION (app), .run_dir = run_dir };

  g_signal_connect (app, "run-ended", G_CALLBACK (on_run_ended), &k);
  g_timeout_add (50, keep_run_step, &k);
  g_timeout_add_seconds (600, keep_run_timed_out, &k);
  int status = g_application_run (G_APPLICATION (app), 0, NULL);

  g_assert_cmpint (status, ==, 0);
  g_assert_cmpint (k.phase, ==, 3);
  g_assert_null (k.window);                      /* closed at once, not at the end */
  g_assert_true (k.announced);
  g_assert_true (otter_trainer_state_is_final (k.ended_state));
  g_assert_cmpint (k.ended_state, !=, OTTER_TRAINER_STOPPED);   /* it was kept, not stopped */
  g_assert_cmpint (k.ended_state, !=, OTTER_TRAINER_FAILED);
  g_assert_cmpuint (otter_application_get_n_kept_runs (k.app), ==, 0);

  g_autoptr (GError) error = NULL;
  g_autoptr (JsonArray) records = otter_run_read_metrics (run_dir, &error);
  g_assert_no_error (error);
  JsonObject *last = json_array_get_object_element (records, json_array_get_length (records) - 1);
  g_assert_cmpstr (json_object_get_string_member (last, "kind"), ==, "end");
  g_print ("announced: %s\n", k.title);
  g_free (k.title);
}

static char *kept_run_dir;

static void
test_keep_running (void)
{
  if (g_test_subprocess ())
    {
      keep_running_child (g_getenv ("OTTER_TEST_RUN_DIR"));
      return;
    }
  g_autofree char *parent = g_dir_make_tmp ("otter-display-XXXXXX", NULL);
  kept_run_dir = g_build_filename (parent, "kept", NULL);
  g_setenv ("OTTER_TEST_RUN_DIR", kept_run_dir, TRUE);
  g_test_trap_subprocess (NULL, 900 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stdout ("*announced: Training *");
}

/* The notification's action opens a window on that run, with its own
 * outcome in the status rather than whatever the window last showed. */
static void
test_show_run_action (void)
{
  if (kept_run_dir == NULL || !g_file_test (kept_run_dir, G_FILE_TEST_IS_DIR))
    {
      g_test_skip ("needs the run of /otter/Window/keep-running");
      return;
    }
  g_action_group_activate_action (G_ACTION_GROUP (app), "show-run", g_variant_new_string (kept_run_dir));
  GtkWindow *active = gtk_application_get_active_window (GTK_APPLICATION (app));
  g_assert_true (OTTER_IS_WINDOW (active));
  OtterTrainingPage *page = OTTER_TRAINING_PAGE (otter_window_get_page (OTTER_WINDOW (active), "training"));
  g_assert_cmpstr (otter_training_page_get_viewed_run (page), ==, kept_run_dir);
  display_spin (1.0);
  const char *status = otter_training_page_get_status_text (page);
  g_test_message ("status: %s", status);
  g_assert_null (strstr (status, "failed"));
  g_assert_nonnull (strstr (status, "epoch"));
  gtk_window_destroy (active);
}

/* ---- the class-mismatch banner ------------------------------------------ */

static gboolean
dataset_is (gpointer data)
{
  OtterSession *session = data;
  OtterDataset *dataset = otter_session_get_dataset (session);
  return dataset != NULL && otter_dataset_get_n_classes (dataset) == 80;
}

static gboolean
model_fits_dataset (gpointer data)
{
  OtterSession *session = data;
  OtterModel *model = otter_session_get_model (session);
  return model != NULL && otter_model_get_n_classes (model) == 80 && !otter_session_get_busy (session);
}

/* Opening data with other classes is said at once, on every page whose work
 * needs them to agree, and the banner's button makes a fitting model. */
static void
test_class_mismatch_banner (void)
{
  const char *shared = g_getenv ("OTTER_SHARED_DATASETS");
  g_autofree char *coco = shared ? g_build_filename (shared, "coco128", "data.yaml", NULL) : NULL;
  if (coco == NULL || !g_file_test (coco, G_FILE_TEST_IS_REGULAR))
    {
      g_test_skip ("the shared coco128 set is not there");
      return;
    }
  OtterWindow *window = new_window_on_demo ();
  OtterSession *session = otter_window_get_session (window);
  const char *pages[] = { "model", "perturb", "training" };

  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    {
      GtkWidget *banner = display_find_widget (otter_window_get_page (window, pages[i]), OTTER_TYPE_CLASS_BANNER);
      g_assert_nonnull (banner);
      g_assert_null (otter_class_banner_get_text (OTTER_CLASS_BANNER (banner)));
    }
  otter_session_open_dataset (session, coco);
  g_assert_true (display_wait_until (dataset_is, session, 120));
  display_spin (0.5);
  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    {
      otter_window_show_page (window, pages[i]);
      display_spin (0.3);
      GtkWidget *banner = display_find_widget (otter_window_get_page (window, pages[i]), OTTER_TYPE_CLASS_BANNER);
      g_assert_cmpstr (otter_class_banner_get_text (OTTER_CLASS_BANNER (banner)), ==,
                       "The model knows 3 classes, this dataset has 80");
      g_assert_true (gtk_widget_get_mapped (banner));
      g_assert_true (gtk_revealer_get_reveal_child (GTK_REVEALER (display_find_widget (banner, GTK_TYPE_REVEALER))));
    }
  /* Continuing the 3-class model on this data is not offered. */
  GtkWidget *training = otter_window_get_page (window, "training");
  g_assert_false (gtk_widget_activate_action (training, "training.continue", NULL) &&
                  otter_session_get_trainer (session) != NULL);

  GtkWidget *banner = display_find_widget (training, OTTER_TYPE_CLASS_BANNER);
  GtkWidget *button = display_find_widget (banner, GTK_TYPE_BUTTON);
  g_signal_emit_by_name (button, "clicked");
  g_assert_true (display_wait_until (model_fits_dataset, session, 120));
  display_spin (0.5);
  g_assert_null (otter_class_banner_get_text (OTTER_CLASS_BANNER (banner)));
  g_assert_cmpstr (otter_model_get_arch (otter_session_get_model (session)), ==, "tiny");
  gtk_window_destroy (GTK_WINDOW (window));
}

static gboolean
opened_both (gpointer data)
{
  OtterSession *session = data;
  OtterModel *model = otter_session_get_model (session);
  OtterDataset *dataset = otter_session_get_dataset (session);
  return model != NULL && otter_model_get_path (model) != NULL &&
         g_str_has_suffix (otter_model_get_path (model), "last.ckpt") &&
         dataset != NULL && g_str_has_suffix (otter_dataset_get_source (dataset), "test_labels.csv");
}

/* `otter FILE…`: a model file and a dataset given to the application. */
static void
test_open_files (void)
{
  const char *shared = g_getenv ("OTTER_SHARED_DATASETS");
  g_autofree char *csv = shared ? g_build_filename (shared, "raccoon", "data", "test_labels.csv", NULL) : NULL;
  g_autofree char *ckpt = kept_run_dir ? g_build_filename (kept_run_dir, "checkpoints", "last.ckpt", NULL) : NULL;
  if (csv == NULL || !g_file_test (csv, G_FILE_TEST_IS_REGULAR) || ckpt == NULL ||
      !g_file_test (ckpt, G_FILE_TEST_IS_REGULAR))
    {
      g_test_skip ("needs the shared raccoon set and the run of /otter/Window/keep-running");
      return;
    }
  GFile *files[] = { g_file_new_for_path (ckpt), g_file_new_for_path (csv) };
  g_application_open (G_APPLICATION (app), files, G_N_ELEMENTS (files), "");
  GtkWindow *active = gtk_application_get_active_window (GTK_APPLICATION (app));
  g_assert_true (OTTER_IS_WINDOW (active));
  OtterSession *session = otter_window_get_session (OTTER_WINDOW (active));
  g_assert_true (display_wait_until (opened_both, session, 120));
  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    g_object_unref (files[i]);
  gtk_window_destroy (active);
}

/* The first start explains the three steps; choosing a page ends it. */
static void
test_welcome (void)
{
  g_autoptr (GSettings) settings = g_settings_new (APPLICATION_ID);
  g_settings_reset (settings, "welcome-shown");
  OtterWindow *window = new_window_on_demo ();
  otter_window_show_welcome (window);
  display_spin (0.3);
  GtkWidget *welcome = otter_window_get_page (window, "welcome");
  g_assert_true (gtk_widget_get_mapped (welcome));
  g_assert_nonnull (strstr (adw_status_page_get_description (ADW_STATUS_PAGE (welcome)), "Evaluate"));
  if (g_getenv ("OTTER_SCREENSHOT_DIR") != NULL)
    {
      g_autofree char *png = g_build_filename (g_getenv ("OTTER_SCREENSHOT_DIR"), "welcome.png", NULL);
      display_save_widget_png (GTK_WIDGET (window), png);
    }
  GtkWidget *demo = display_find_actionable (welcome, "win.show-page");
  g_signal_emit_by_name (demo, "clicked");
  display_spin (0.3);
  g_assert_false (gtk_widget_get_mapped (welcome));
  g_assert_true (gtk_widget_get_mapped (otter_window_get_page (window, "data")));
  g_assert_true (g_settings_get_boolean (settings, "welcome-shown"));
  gtk_window_destroy (GTK_WINDOW (window));
}

/* Every page fits a 800×600 window beside the sidebar: nothing forces the
 * window wider or taller, nothing is clipped, and the sidebar stays. */
static void
test_small_window (void)
{
  OtterWindow *window = new_window_on_demo ();
  const char *pages[] = { "data", "model", "perturb", "training", "eval", "video" };
  gtk_window_set_default_size (GTK_WINDOW (window), 800, 600);
  display_spin (0.5);

  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    {
      otter_window_show_page (window, pages[i]);
      display_spin (0.5);
      GtkWidget *page = otter_window_get_page (window, pages[i]);
      int min_w, min_h;
      gtk_widget_measure (page, GTK_ORIENTATION_HORIZONTAL, -1, &min_w, NULL, NULL, NULL);
      gtk_widget_measure (page, GTK_ORIENTATION_VERTICAL, gtk_widget_get_width (page), &min_h, NULL, NULL, NULL);
      g_test_message ("%s: minimum %d × %d, given %d × %d; window %d × %d", pages[i], min_w, min_h,
                      gtk_widget_get_width (page), gtk_widget_get_height (page),
                      gtk_widget_get_width (GTK_WIDGET (window)), gtk_widget_get_height (GTK_WIDGET (window)));
      if (g_getenv ("OTTER_SCREENSHOT_DIR") != NULL)
        {
          g_autofree char *name = g_strdup_printf ("small-%s.png", pages[i]);
          g_autofree char *png = g_build_filename (g_getenv ("OTTER_SCREENSHOT_DIR"), name, NULL);
          display_save_widget_png (GTK_WIDGET (window), png);
        }
      g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (window)), <=, 800);
      g_assert_cmpint (gtk_widget_get_height (GTK_WIDGET (window)), <=, 600);
      g_assert_cmpint (min_w, <=, gtk_widget_get_width (page));
      g_assert_cmpint (min_h, <=, gtk_widget_get_height (page));
      g_assert_false (adw_leaflet_get_folded (ADW_LEAFLET (display_find_widget (GTK_WIDGET (window), ADW_TYPE_LEAFLET))));
    }

  /* At the default size the settings sit beside the results. */
  gtk_window_set_default_size (GTK_WINDOW (window), 1120, 760);
  const char *with_settings[] = { "perturb", "training", "eval" };
  for (guint i = 0; i < G_N_ELEMENTS (with_settings); i++)
    {
      otter_window_show_page (window, with_settings[i]);
      display_spin (0.5);
      GtkWidget *flap = display_find_widget (otter_window_get_page (window, with_settings[i]), ADW_TYPE_FLAP);
      g_assert_nonnull (flap);
      int fmin, fnat, cmin, cnat;
      gtk_widget_measure (adw_flap_get_flap (ADW_FLAP (flap)), GTK_ORIENTATION_HORIZONTAL, -1, &fmin, &fnat, NULL, NULL);
      gtk_widget_measure (adw_flap_get_content (ADW_FLAP (flap)), GTK_ORIENTATION_HORIZONTAL, -1, &cmin, &cnat, NULL, NULL);
      g_test_message ("flap %d/%d content %d/%d", fmin, fnat, cmin, cnat);
      g_test_message ("%s at %d px: %s", with_settings[i], gtk_widget_get_width (flap),
                      adw_flap_get_folded (ADW_FLAP (flap)) ? "folded" : "side by side");
      g_assert_false (adw_flap_get_folded (ADW_FLAP (flap)));
      if (g_getenv ("OTTER_SCREENSHOT_DIR") != NULL)
        {
          g_autofree char *name = g_strdup_printf ("default-%s.png", with_settings[i]);
          g_autofree char *png = g_build_filename (g_getenv ("OTTER_SCREENSHOT_DIR"), name, NULL);
          display_save_widget_png (GTK_WIDGET (window), png);
        }
    }
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int argc, char *argv[])
{
  app = display_test_init (&argc, &argv);
  g_test_add_func ("/otter/Window/builds", test_window_builds);
  g_test_add_func ("/otter/Window/damaged-model", test_damaged_model);
  g_test_add_func ("/otter/Window/outside-root", test_outside_root);
  g_test_add_func ("/otter/Window/welcome", test_welcome);
  g_test_add_func ("/otter/Window/small-window", test_small_window);
  g_test_add_func ("/otter/Window/close-during-training", test_close_during_training);
  g_test_add_func ("/otter/Window/class-mismatch-banner", test_class_mismatch_banner);
  g_test_add_func ("/otter/Window/training-shortcuts", test_training_shortcuts);
  g_test_add_func ("/otter/Window/keep-running", test_keep_running);
  g_test_add_func ("/otter/Window/show-run-action", test_show_run_action);
  g_test_add_func ("/otter/Window/open-files", test_open_files);
  return g_test_run ();
}
