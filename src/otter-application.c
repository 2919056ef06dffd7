/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-application.c: application actions, settings and the first start */

#include "config.h"

#include <glib/gi18n.h>

#include "otter-application.h"
#include "otter-torch.h"
#include "otter-training-page.h"
#include "otter-video-page.h"
#include "otter-window.h"

struct _OtterApplication
{
  AdwApplication parent_instance;
  GSettings     *settings;
  GPtrArray     *kept_runs;             /* OtterTrainer, each holding the application */
};

enum
{
  RUN_ENDED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (OtterApplication, otter_application, ADW_TYPE_APPLICATION)

static OtterWindow *
active_window (OtterApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));
  return OTTER_IS_WINDOW (window) ? OTTER_WINDOW (window) : NULL;
}

/* A newcomer gets the demo data and a fresh tiny model: one button away
 * from watching a run converge. */
static void
dataset_ready_cb (OtterSession     *session,
                  GParamSpec       *pspec,
                  OtterApplication *self)
{
  OtterDataset *dataset = otter_session_get_dataset (session);
  OtterModel *model = otter_session_get_model (session);

  if (dataset == NULL)
    return;
  g_settings_set_string (self->settings, "last-dataset", otter_dataset_get_source (dataset));
  if (model == NULL && otter_dataset_get_n_classes (dataset) > 0)
    {
      int size = otter_dataset_get_format (dataset) == OTTER_DATASET_FORMAT_DEMO ? 96 : 320;
      g_autoptr (GError) error = NULL;
      if (!otter_session_create_model (session, "tiny", size, &error))
        g_warning ("%s", error->message);
    }
}

static void
model_changed_cb (OtterSession     *session,
                  GParamSpec       *pspec,
                  OtterApplication *self)
{
  OtterModel *model = otter_session_get_model (session);
  const char *path = model ? otter_model_get_path (model) : NULL;
  g_settings_set_string (self->settings, "last-model", path ? path : "");
}

static void
otter_application_activate (GApplication *app)
{
  OtterApplication *self = OTTER_APPLICATION (app);
  OtterWindow *window = active_window (self);

  if (window == NULL)
    {
      window = otter_window_new (ADW_APPLICATION (app));
      OtterSession *session = otter_window_get_session (window);
      g_autofree char *last_dataset = g_settings_get_string (self->settings, "last-dataset");
      g_autofree char *last_model = g_settings_get_string (self->settings, "last-model");

      g_signal_connect_object (session, "notify::dataset", G_CALLBACK (dataset_ready_cb), self, 0);
      g_signal_connect_object (session, "notify::model", G_CALLBACK (model_changed_cb), self, 0);
      if (*last_model != '\0' && g_file_test (last_model, G_FILE_TEST_IS_REGULAR))
        otter_session_open_model (session, last_model);
      otter_session_open_dataset (session, *last_dataset ? last_dataset : "demo");
      if (!g_settings_get_boolean (self->settings, "welcome-shown"))
        otter_window_show_welcome (window);
    }
  gtk_window_present (GTK_WINDOW (window));
}

/* By name, as the file manager would: reading the file here would wait on
 * the disk in the UI thread, and the Video page says so if it is not one. */
static gboolean
is_video_file (const char *path)
{
  g_autofree char *type = g_content_type_guess (path, NULL, 0, NULL);
  g_autofree char *mime = type ? g_content_type_get_mime_type (type) : NULL;

  return mime != NULL && g_str_has_prefix (mime, "video/");
}

/* `otter FILE…` and the file manager's Open With: a model file becomes the
 * model, a video plays on the Video page, anything else is opened as a
 * dataset (the last one wins). */
static void
otter_application_open (GApplication  *app,
                        GFile        **files,
                        int            n_files,
                        const char    *hint)
{
  OtterApplication *self = OTTER_APPLICATION (app);

  g_application_activate (app);
  OtterWindow *window = active_window (self);
  if (window == NULL)
    return;
  OtterSession *session = otter_window_get_session (window);
  const char *page = NULL;
  for (int i = 0; i < n_files; i++)
    {
      g_autofree char *path = g_file_get_path (files[i]);
      if (path == NULL)
        {
          g_autofree char *uri = g_file_get_uri (files[i]);
          g_autofree char *message = g_strdup_printf (_("%s is not a local file"), uri);
          otter_window_toast (window, message);
          continue;
        }
      if (g_str_has_suffix (path, ".otter") || g_str_has_suffix (path, ".ckpt"))
        {
          otter_session_open_model (session, path);
          page = page ? page : "model";
        }
      else if (is_video_file (path))
        {
          otter_video_page_open (OTTER_VIDEO_PAGE (otter_window_get_page (window, "video")), path);
          page = "video";
        }
      else
        {
          otter_session_open_dataset (session, path);
          page = "data";
        }
    }
  if (page != NULL)
    otter_window_show_page (window, page);
}

static void
chooser_response_cb (GtkNativeDialog *dialog,
                     int              response,
                     gpointer         user_data)
{
  OtterApplication *self = OTTER_APPLICATION (user_data);
  OtterWindow *window = active_window (self);
  const char *kind = g_object_get_data (G_OBJECT (dialog), "otter-kind");

  if (response == GTK_RESPONSE_ACCEPT && window != NULL)
    {
      g_autoptr (GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = g_file_get_path (file);
      if (path != NULL && g_strcmp0 (kind, "model") == 0)
        otter_session_open_model (otter_window_get_session (window), path);
      else if (path != NULL)
        {
          otter_session_open_dataset (otter_window_get_session (window), path);
          otter_window_show_page (window, "data");
        }
    }
  g_object_unref (dialog);
}

static void
open_chooser (OtterApplication    *self,
              const char          *kind,
              const char          *title,
              GtkFileChooserAction action)
{
  OtterWindow *window = active_window (self);
  GtkFileChooserNative *chooser = gtk_file_chooser_native_new (title, GTK_WINDOW (window), action,
                                                               _("_Open"), _("_Cancel"));
  g_object_set_data_full (G_OBJECT (chooser), "otter-kind", g_strdup (kind), g_free);
  if (g_strcmp0 (kind, "model") == 0)
    {
      GtkFileFilter *filter = gtk_file_filter_new ();
      gtk_file_filter_set_name (filter, _("Otter models and checkpoints"));
      gtk_file_filter_add_pattern (filter, "*.otter");
      gtk_file_filter_add_pattern (filter, "*.ckpt");
      gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
    }
  else if (action == GTK_FILE_CHOOSER_ACTION_OPEN)
    {
      GtkFileFilter *filter = gtk_file_filter_new ();
      gtk_file_filter_set_name (filter, _("COCO JSON, YOLO data.yaml, CSV"));
      gtk_file_filter_add_pattern (filter, "*.json");
      gtk_file_filter_add_pattern (filter, "*.yaml");
      gtk_file_filter_add_pattern (filter, "*.yml");
      gtk_file_filter_add_pattern (filter, "*.csv");
      gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
    }
  g_signal_connect (chooser, "response", G_CALLBACK (chooser_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
open_dataset_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  open_chooser (user_data, "dataset", _("Open a Dataset File"), GTK_FILE_CHOOSER_ACTION_OPEN);
}

static void
open_folder_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  open_chooser (user_data, "dataset", _("Open a Dataset Folder"), GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER);
}

static void
open_demo_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  OtterWindow *window = active_window (user_data);
  if (window != NULL)
    otter_session_open_dataset (otter_window_get_session (window), "demo");
}

static void
open_model_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  open_chooser (user_data, "model", _("Open a Model"), GTK_FILE_CHOOSER_ACTION_OPEN);
}

static void
about_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  OtterApplication *self = user_data;
  const char *developers[] = { "The Otter developers", NULL };
  g_autofree char *debug = g_strdup_printf ("libtorch %s on %s, %d threads\n",
                                            otter_torch_version (), otter_torch_device_name (),
                                            otter_torch_get_threads ());

  adw_show_about_window (GTK_WINDOW (active_window (self)),
                         "application-name", _("Otter"),
                         "application-icon", APPLICATION_ID,
                         "developer-name", _("The Otter developers"),
                         "version", PACKAGE_VERSION,
                         "comments", _("Train object detectors that resist adversarial perturbations, "
                                       "by optimal-transport adversarial training."),
                         "website", "https://github.com/ottertrain/otter",
                         "issue-url", "https://github.com/ottertrain/otter/issues",
                         "developers", developers,
                         "copyright", "© 2026 The Otter developers",
                         "license-type", GTK_LICENSE_GPL_3_0,
                         "debug-info", debug,
                         "translator-credits", _("translator-credits"),
                         NULL);
}

static void
quit_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  /* Each window asks about a running training before it goes. */
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (user_data));
  for (GList *l = windows; l != NULL; l = l->next)
    gtk_window_close (l->data);
}

/* ---- runs that outlive their window ------------------------------------ */

static const char *
run_ended_title (OtterTrainerState state)
{
  switch (state)
    {
    case OTTER_TRAINER_CONVERGED:
      return _("Training Converged");
    case OTTER_TRAINER_NOT_CONVERGED:
      return _("Training Ended without Converging");
    case OTTER_TRAINER_STOPPED:
      return _("Training Stopped");
    case OTTER_TRAINER_FAILED:
      return _("Training Failed");
    default:
      return _("Training Ended");
    }
}

static GNotification *
run_ended_notification (OtterTrainer *trainer,
                        const char   *title,
                        const char   *body)
{
  GNotification *notification = g_notification_new (title);
  const char *run_dir = otter_trainer_get_run_dir (trainer);

  g_notification_set_body (notification, body);
  if (otter_trainer_get_state (trainer) == OTTER_TRAINER_FAILED)
    g_notification_set_priority (notification, G_NOTIFICATION_PRIORITY_HIGH);
  if (run_dir != NULL)
    {
      g_notification_set_default_action_and_target (notification, "app.show-run", "s", run_dir);
      g_notification_add_button_with_target (notification, _("Show Run"), "app.show-run", "s", run_dir);
    }
  return notification;
}

static void
kept_run_finished_cb (OtterTrainer     *trainer,
                      OtterApplication *self)
{
  g_autoptr (OtterTrainer) held = g_object_ref (trainer);
  gboolean notify = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (trainer), "otter-notify"));

  g_signal_handlers_disconnect_by_func (trainer, kept_run_finished_cb, self);
  if (notify)
    {
      const char *title = run_ended_title (otter_trainer_get_state (trainer));
      const char *message = otter_trainer_get_message (trainer);
      const char *body = message != NULL && *message != '\0' ? message : otter_trainer_get_run_dir (trainer);
      g_autoptr (GNotification) notification = run_ended_notification (trainer, title, body ?: "");
      g_autofree char *basename = g_path_get_basename (otter_trainer_get_run_dir (trainer) ?: "run");
      g_autofree char *id = g_strconcat ("run-", basename, NULL);
      g_signal_emit (self, signals[RUN_ENDED], 0, trainer, title, body ?: "");
      /* Without a session bus there is nobody to show it, and GLib's
       * backends would warn. */
      if (g_application_get_dbus_connection (G_APPLICATION (self)) != NULL)
        g_application_send_notification (G_APPLICATION (self), id, notification);
    }
  g_ptr_array_remove (self->kept_runs, trainer);
  g_application_release (G_APPLICATION (self));
}

void
otter_application_keep_run (OtterApplication *self,
                            OtterTrainer     *trainer,
                            gboolean          notify)
{
  g_return_if_fail (OTTER_IS_APPLICATION (self));
  g_return_if_fail (OTTER_IS_TRAINER (trainer));

  if (g_ptr_array_find (self->kept_runs, trainer, NULL))
    return;
  g_object_set_data (G_OBJECT (trainer), "otter-notify", GINT_TO_POINTER (notify));
  g_ptr_array_add (self->kept_runs, g_object_ref (trainer));
  g_application_hold (G_APPLICATION (self));
  g_signal_connect (trainer, "finished", G_CALLBACK (kept_run_finished_cb), self);
  /* It may have ended while the question was asked. */
  if (otter_trainer_state_is_final (otter_trainer_get_state (trainer)))
    kept_run_finished_cb (trainer, self);
}

guint
otter_application_get_n_kept_runs (OtterApplication *self)
{
  g_return_val_if_fail (OTTER_IS_APPLICATION (self), 0);
  return self->kept_runs->len;
}

static void
show_run_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  OtterApplication *self = user_data;
  const char *run_dir = g_variant_get_string (param, NULL);

  g_application_activate (G_APPLICATION (self));
  OtterWindow *window = active_window (self);
  if (window == NULL)
    return;
  otter_window_show_page (window, "training");
  otter_training_page_show_run (OTTER_TRAINING_PAGE (otter_window_get_page (window, "training")), run_dir);
}

static const GActionEntry app_actions[] = {
  { "open-dataset", open_dataset_action },
  { "open-folder", open_folder_action },
  { "open-demo", open_demo_action },
  { "open-model", open_model_action },
  { "about", about_action },
  { "quit", quit_action },
  { "show-run", show_run_action, "s" },
};

static void
otter_application_startup (GApplication *app)
{
  OtterApplication *self = OTTER_APPLICATION (app);
  const char *quit_accels[] = { "<Control>q", NULL };
  const char *open_accels[] = { "<Control>o", NULL };
  const char *folder_accels[] = { "<Control><Shift>o", NULL };
  const char *model_accels[] = { "<Control>m", NULL };

  G_APPLICATION_CLASS (otter_application_parent_class)->startup (app);
  self->settings = g_settings_new (APPLICATION_ID);
  g_action_map_add_action_entries (G_ACTION_MAP (app), app_actions, G_N_ELEMENTS (app_actions), app);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.open-dataset", open_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.open-folder", folder_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.open-model", model_accels);

  /* libtorch leaves one core's worth of headroom for the interface. */
  otter_torch_set_threads (MAX (1, (int) g_get_num_processors () - 1));

  g_autoptr (GtkCssProvider) css = gtk_css_provider_new ();
  gtk_css_provider_load_from_resource (css, "/io/github/ottertrain/Otter/ui/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
}

static void
otter_application_dispose (GObject *object)
{
  g_clear_object (&OTTER_APPLICATION (object)->settings);
  g_clear_pointer (&OTTER_APPLICATION (object)->kept_runs, g_ptr_array_unref);
  G_OBJECT_CLASS (otter_application_parent_class)->dispose (object);
}

static void
otter_application_class_init (OtterApplicationClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = otter_application_dispose;
  G_APPLICATION_CLASS (klass)->activate = otter_application_activate;
  G_APPLICATION_CLASS (klass)->open = otter_application_open;
  G_APPLICATION_CLASS (klass)->startup = otter_application_startup;

  /* A run kept in the background ended and is about to be announced with
   * a notification of this title and body (for watchers such as tests:
   * the desktop may not show it). */
  signals[RUN_ENDED] = g_signal_new ("run-ended", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                     0, NULL, NULL, NULL, G_TYPE_NONE, 3,
                                     OTTER_TYPE_TRAINER, G_TYPE_STRING, G_TYPE_STRING);
}

static void
otter_application_init (OtterApplication *self)
{
  self->kept_runs = g_ptr_array_new_with_free_func (g_object_unref);
}

OtterApplication *
otter_application_new (void)
{
  return g_object_new (OTTER_TYPE_APPLICATION,
                       "application-id", APPLICATION_ID,
                       "flags", G_APPLICATION_HANDLES_OPEN,
                       "resource-base-path", "/io/github/ottertrain/Otter",
                       NULL);
}
