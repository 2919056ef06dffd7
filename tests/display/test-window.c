/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-window.c: the main window with a real display */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "display-utils.h"
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

  const char *pages[] = { "data", "model", "perturb", "training", "eval" };
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

static AdwMessageDialog *
find_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();
  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr (GObject) w = g_list_model_get_item (toplevels, i);
      if (ADW_IS_MESSAGE_DIALOG (w) && gtk_widget_get_visible (GTK_WIDGET (w)))
        return ADW_MESSAGE_DIALOG (w);
    }
  return NULL;
}

static gboolean
has_dialog (gpointer data)
{
  return find_dialog () != NULL;
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
  g_signal_emit_by_name (find_dialog (), "response", "stop");
  g_assert_true (display_wait_until (trainer_final, trainer, 120));
  g_assert_cmpint (otter_trainer_get_state (trainer), ==, OTTER_TRAINER_STOPPED);
  display_spin (0.3);
  g_assert_null (window);                          /* and then it closed */
}

int
main (int argc, char *argv[])
{
  app = display_test_init (&argc, &argv);
  g_test_add_func ("/otter/Window/builds", test_window_builds);
  g_test_add_func ("/otter/Window/damaged-model", test_damaged_model);
  g_test_add_func ("/otter/Window/close-during-training", test_close_during_training);
  return g_test_run ();
}
