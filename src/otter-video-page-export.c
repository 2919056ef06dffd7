/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-video-page-export.c: the Video page's Export Comparison and Extract
 * Frames: the choosers, the export on a worker thread with its progress row,
 * and the toast that tells how it went */

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "otter-video-export.h"
#include "otter-show-in-folder.h"
#include "otter-video-page-private.h"

/* One export: the worker's copy of its input, and its progress handed to
 * the main thread through one pending idle at a time. Shared by the
 * worker, the idle and the page (g_rc_box). */
typedef struct _OtterVideoExportJob
{
  GWeakRef                page;
  GCancellable           *cancellable;
  char                   *location;
  char                   *path;        /* the video or the folder */
  gboolean                extract;
  OtterModel             *model;
  OtterVideoExportOptions options;
  OtterVideoExportStats   stats;       /* the worker's, read after it returns */

  GMutex                  lock;        /* guards the fields below */
  guint64                 n_done, n_total;
  gboolean                idle_pending;
} ExportJob;

static void
export_job_clear (ExportJob *job)
{
  g_weak_ref_clear (&job->page);
  g_clear_object (&job->cancellable);
  g_free (job->location);
  g_free (job->path);
  g_clear_object (&job->model);
  g_mutex_clear (&job->lock);
}

static void
export_job_release (gpointer job)
{
  g_rc_box_release_full (job, (GDestroyNotify) export_job_clear);
}

/* ---- what the page shows --------------------------------------------------- */

static void
show_progress (OtterVideoPage *self,
               guint64         n_done,
               guint64         n_total)
{
  g_autofree char *text = NULL;

  if (n_total > 0)
    {
      text = g_strdup_printf (_("%llu / %llu frames"), (unsigned long long) n_done,
                              (unsigned long long) n_total);
      gtk_progress_bar_set_fraction (self->export_progress, MIN ((double) n_done / n_total, 1.0));
    }
  else
    {
      text = g_strdup_printf (_("%llu frames"), (unsigned long long) n_done);
      gtk_progress_bar_pulse (self->export_progress);
    }
  adw_action_row_set_subtitle (self->export_row, text);
}

static void
show_folder_cb (AdwToast *toast,
                gpointer  user_data)
{
  otter_show_in_folder (GTK_WIDGET (user_data), g_object_get_data (G_OBJECT (toast), "folder"));
}

static void
open_dataset_cb (AdwToast *toast,
                 gpointer  user_data)
{
  const char *folder = g_object_get_data (G_OBJECT (toast), "folder");

  gtk_widget_activate_action (GTK_WIDGET (user_data), "video.open-dataset", "s", folder);
}

/* A toast where the window has an overlay, else the progress row keeps
 * the message. */
static void
show_done (OtterVideoPage *self,
           const char     *message,
           const char     *folder,
           gboolean        as_dataset)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);

  if (overlay == NULL)
    return;
  gtk_widget_set_visible (GTK_WIDGET (self->export_row), FALSE);
  AdwToast *toast = adw_toast_new (message);
  adw_toast_set_timeout (toast, 8);
  if (folder != NULL)
    {
      adw_toast_set_button_label (toast, as_dataset ? _("Open as Dataset") : _("Show in Folder"));
      g_object_set_data_full (G_OBJECT (toast), "folder", g_strdup (folder), g_free);
      g_signal_connect_object (toast, "button-clicked", G_CALLBACK (as_dataset ? open_dataset_cb : show_folder_cb),
                               self, 0);
    }
  adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), toast);
}

/* ---- the worker ------------------------------------------------------------- */

static gboolean
progress_idle_cb (gpointer data)
{
  ExportJob *job = data;
  g_autoptr (OtterVideoPage) self = g_weak_ref_get (&job->page);

  g_mutex_lock (&job->lock);
  guint64 n_done = job->n_done, n_total = job->n_total;
  job->idle_pending = FALSE;
  g_mutex_unlock (&job->lock);

  /* a finished or superseded job's last idle comes too late to show */
  if (self != NULL && self->export_job == job)
    show_progress (self, n_done, n_total);
  return G_SOURCE_REMOVE;
}

static void
export_progress_cb (const OtterVideoExportStats *stats,
                    const OtterVideoFrame       *frame,
                    gpointer                     data)
{
  ExportJob *job = data;

  g_mutex_lock (&job->lock);
  job->n_done = stats->n_read;
  job->n_total = stats->n_expected;
  gboolean schedule = !job->idle_pending;
  job->idle_pending = TRUE;
  g_mutex_unlock (&job->lock);
  if (schedule)
    g_idle_add_full (G_PRIORITY_LOW, progress_idle_cb, g_rc_box_acquire (job), export_job_release);
}

static void
export_thread (GTask        *task,
               gpointer      source,
               gpointer      data,
               GCancellable *cancellable)
{
  ExportJob *job = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (OtterVideoSource) video = otter_video_source_new (job->location, OTTER_VIDEO_READ_ALL, &error);

  if (video == NULL || !otter_video_source_open (video, cancellable, &error) ||
      !otter_video_export (video, &job->options, export_progress_cb, job, cancellable, &job->stats, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
export_done_cb (GObject      *unused,
                GAsyncResult *result,
                gpointer      data)
{
  ExportJob *job = data;
  g_autoptr (OtterVideoPage) self = g_weak_ref_get (&job->page);
  g_autoptr (GError) error = NULL;
  gboolean ok = g_task_propagate_boolean (G_TASK (result), &error);

  if (self != NULL && self->export_job == job)
    {
      g_autofree char *display = g_filename_display_name (job->path);
      g_autofree char *message = NULL;
      const char *folder = NULL;

      self->export_job = NULL;
      if (ok && job->extract)
        {
          message = g_strdup_printf (ngettext ("Saved %llu frame in %s",
                                               "Saved %llu frames in %s", job->stats.n_saved),
                                     (unsigned long long) job->stats.n_saved, display);
          folder = job->path;
        }
      else if (ok)
        {
          message = job->stats.with_audio
            ? g_strdup_printf (ngettext ("Exported %llu frame with its sound to %s",
                                         "Exported %llu frames with their sound to %s",
                                         job->stats.n_written),
                               (unsigned long long) job->stats.n_written, display)
            : g_strdup_printf (ngettext ("Exported %llu frame to %s",
                                         "Exported %llu frames to %s", job->stats.n_written),
                               (unsigned long long) job->stats.n_written, display);
        }
      else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        message = job->extract
          ? g_strdup_printf (_("Extraction cancelled; the %llu frames saved stay in %s"),
                             (unsigned long long) job->stats.n_saved, display)
          : g_strdup_printf (_("Export cancelled; %s was not written"), display);
      else
        message = g_strdup (error->message);

      g_free (self->export_message);
      self->export_message = g_strdup (message);
      gtk_widget_set_visible (self->export_cancel_button, FALSE);
      gtk_widget_set_visible (GTK_WIDGET (self->export_progress), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->export_row), ok ? _("Done") : _("Not Exported"));
      adw_action_row_set_subtitle (self->export_row, message);
      if (ok)
        {
          /* The exported file is shown selected in its folder. */
          show_done (self, message, job->extract ? folder : job->path, job->extract);
        }
      otter_video_page_update_export (self);
    }
  export_job_release (job);
}

/* Starts an export of what is open to `path`: the comparison video, or
 * with `extract` the frames into that folder. */
static void
start_export (OtterVideoPage *self,
              const char     *path,
              gboolean        extract)
{
  const OtterVideoInfo *info = otter_video_player_get_info (self->player);
  const char *location = otter_video_page_get_location (self);
  OtterSession *session = otter_page_get_session (OTTER_PAGE (self));
  OtterModel *model = session ? otter_session_get_model (session) : NULL;

  if (self->export_job != NULL || info == NULL || info->live || location == NULL)
    return;

  ExportJob *job = g_rc_box_new0 (ExportJob);
  g_weak_ref_init (&job->page, self);
  g_mutex_init (&job->lock);
  job->cancellable = g_cancellable_new ();
  job->location = g_strdup (location);
  job->path = g_strdup (path);
  job->extract = extract;
  job->model = model ? g_object_ref (model) : NULL;
  otter_video_export_options_init (&job->options);
  job->options.score_threshold = (float) gtk_adjustment_get_value (self->threshold_adjustment);
  if (extract)
    {
      job->options.frames_dir = job->path;
      job->options.every = (guint) gtk_adjustment_get_value (self->every_adjustment);
      job->options.start = gtk_adjustment_get_value (self->start_adjustment);
      job->options.end = gtk_adjustment_get_value (self->end_adjustment);
      job->options.labels = job->model != NULL && gtk_switch_get_active (self->labels_switch);
      /* frames need the model only for their labels */
      job->options.model = job->options.labels ? job->model : NULL;
    }
  else
    {
      job->options.compare_path = job->path;
      job->options.keep_audio = info->has_audio && gtk_switch_get_active (self->keep_audio_switch);
      job->options.model = job->model;
      if (!otter_video_page_get_attack (self, &job->options.attack))
        otter_torch_attack_params_init (&job->options.attack, OTTER_ATTACK_NONE);
    }

  self->export_job = job;
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->export_row),
                                 extract ? _("Extracting Frames") : _("Exporting Comparison"));
  gtk_progress_bar_set_fraction (self->export_progress, 0);
  gtk_widget_set_visible (GTK_WIDGET (self->export_progress), TRUE);
  gtk_widget_set_visible (self->export_cancel_button, TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->export_row), TRUE);
  show_progress (self, 0, 0);
  otter_video_page_update_export (self);

  /* no source object: the last reference to the task may go on the worker */
  g_autoptr (GTask) task = g_task_new (NULL, job->cancellable, export_done_cb, g_rc_box_acquire (job));
  g_task_set_task_data (task, g_rc_box_acquire (job), export_job_release);
  g_task_run_in_thread (task, export_thread);
  export_job_release (job);
}

/* ---- actions ------------------------------------------------------------------ */

static void
export_response_cb (OtterVideoPage       *self,
                    int                   response,
                    GtkFileChooserNative *chooser)
{
  gboolean extract = gtk_file_chooser_get_action (GTK_FILE_CHOOSER (chooser)) == GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autofree char *path = file ? g_file_get_path (file) : NULL;
      /* a name typed without a suffix the writer knows gets the default format's */
      g_autofree char *lower = path ? g_ascii_strdown (path, -1) : NULL;
      if (path != NULL && !extract && !g_str_has_suffix (lower, ".webm") && !g_str_has_suffix (lower, ".mkv") &&
          !g_str_has_suffix (lower, ".avi") && !g_str_has_suffix (lower, ".mp4"))
        {
          char *named = g_strconcat (path, ".webm", NULL);
          g_free (path);
          path = named;
        }
      if (path != NULL)
        start_export (self, path, extract);
    }
  g_clear_object (&self->export_chooser);
}

static void
choose (OtterVideoPage *self,
        gboolean        extract)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  const char *location = otter_video_page_get_location (self);

  if (self->export_chooser != NULL || location == NULL)
    return;
  self->export_chooser =
    gtk_file_chooser_native_new (extract ? _("Extract Frames to a Folder") : _("Export Comparison"),
                                 GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                 extract ? GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER : GTK_FILE_CHOOSER_ACTION_SAVE,
                                 extract ? _("_Extract") : _("_Export"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->export_chooser), TRUE);
  if (!extract)
    {
      /* the formats otter_video_writer_new() knows by their suffix */
      static const char *const patterns[] = { "*.webm", "*.mkv", "*.avi", "*.mp4" };
      g_autoptr (GtkFileFilter) filter = gtk_file_filter_new ();
      gtk_file_filter_set_name (filter, _("WebM, Matroska, AVI or MP4 Video"));
      for (guint k = 0; k < G_N_ELEMENTS (patterns); k++)
        gtk_file_filter_add_pattern (filter, patterns[k]);
      gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->export_chooser), filter);

      g_autofree char *base = g_path_get_basename (location);
      char *dot = strrchr (base, '.');
      if (dot != NULL && dot != base)
        *dot = '\0';
      g_autofree char *name = g_strconcat (base, "-compare.webm", NULL);
      gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->export_chooser), name);
    }
  g_signal_connect_swapped (self->export_chooser, "response", G_CALLBACK (export_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->export_chooser));
}

static void
export_comparison_action (GtkWidget  *widget,
                          const char *action,
                          GVariant   *parameter)
{
  choose (OTTER_VIDEO_PAGE (widget), g_str_equal (action, "video.extract-frames"));
}

/* The same without the chooser: scripts and tests name the path. */
static void
export_to_action (GtkWidget  *widget,
                  const char *action,
                  GVariant   *parameter)
{
  start_export (OTTER_VIDEO_PAGE (widget), g_variant_get_string (parameter, NULL),
                g_str_equal (action, "video.extract-frames-to"));
}

static void
cancel_export_action (GtkWidget  *widget,
                      const char *action,
                      GVariant   *parameter)
{
  OtterVideoPage *self = OTTER_VIDEO_PAGE (widget);
  ExportJob *job = self->export_job;

  if (job != NULL)
    g_cancellable_cancel (job->cancellable);
}

static void
open_dataset_action (GtkWidget  *widget,
                     const char *action,
                     GVariant   *parameter)
{
  OtterSession *session = otter_page_get_session (OTTER_PAGE (widget));

  if (session != NULL)
    otter_session_open_dataset (session, g_variant_get_string (parameter, NULL));
}

void
otter_video_page_update_export (OtterVideoPage *self)
{
  const OtterVideoInfo *info = self->player ? otter_video_player_get_info (self->player) : NULL;
  OtterSession *session = otter_page_get_session (OTTER_PAGE (self));
  gboolean can = info != NULL && !info->live && self->export_job == NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "video.export-comparison", can);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "video.export-comparison-to", can);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "video.extract-frames", can);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "video.extract-frames-to", can);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "video.cancel-export", self->export_job != NULL);
  /* labels are the model's detections: no model, no labels */
  gtk_widget_set_sensitive (GTK_WIDGET (self->labels_switch), session && otter_session_get_model (session));
  gboolean sound = info != NULL && info->has_audio;
  gtk_widget_set_sensitive (GTK_WIDGET (self->keep_audio_row), sound);
  adw_action_row_set_subtitle (self->keep_audio_row,
                               info == NULL ? "" : sound ? _("Into the exported video, cut to its frames")
                                                         : _("This video has no sound"));
}

gboolean
otter_video_page_get_exporting (OtterVideoPage *self)
{
  g_return_val_if_fail (OTTER_IS_VIDEO_PAGE (self), FALSE);
  return self->export_job != NULL;
}

const char *
otter_video_page_get_export_message (OtterVideoPage *self)
{
  g_return_val_if_fail (OTTER_IS_VIDEO_PAGE (self), NULL);
  return self->export_message;
}

void
otter_video_page_dispose_export (OtterVideoPage *self)
{
  ExportJob *job = self->export_job;

  /* the worker stops at its next frame and removes the video's temporary file */
  if (job != NULL)
    g_cancellable_cancel (job->cancellable);
  self->export_job = NULL;
  if (self->export_chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->export_chooser));
  g_clear_object (&self->export_chooser);
  g_clear_pointer (&self->export_message, g_free);
}

void
otter_video_page_class_init_export (GtkWidgetClass *widget_class)
{
  gtk_widget_class_bind_template_child (widget_class, OtterVideoPage, every_adjustment);
  gtk_widget_class_bind_template_child (widget_class, OtterVideoPage, start_adjustment);
  gtk_widget_class_bind_template_child (widget_class, OtterVideoPage, end_adjustment);
  gtk_widget_class_bind_template_child (widget_class, OtterVideoPage, labels_switch);
  gtk_widget_class_bind_template_child (widget_class, OtterVideoPage, keep_audio_row);
  gtk_widget_class_bind_template_child (widget_class, OtterVideoPage, keep_audio_switch);
  gtk_widget_class_bind_template_child (widget_class, OtterVideoPage, export_row);
  gtk_widget_class_bind_template_child (widget_class, OtterVideoPage, export_progress);
  gtk_widget_class_bind_template_child (widget_class, OtterVideoPage, export_cancel_button);

  gtk_widget_class_install_action (widget_class, "video.export-comparison", NULL, export_comparison_action);
  gtk_widget_class_install_action (widget_class, "video.extract-frames", NULL, export_comparison_action);
  gtk_widget_class_install_action (widget_class, "video.export-comparison-to", "s", export_to_action);
  gtk_widget_class_install_action (widget_class, "video.extract-frames-to", "s", export_to_action);
  gtk_widget_class_install_action (widget_class, "video.cancel-export", NULL, cancel_export_action);
  gtk_widget_class_install_action (widget_class, "video.open-dataset", "s", open_dataset_action);
}

void
otter_video_page_init_export (OtterVideoPage *self)
{
  otter_video_page_update_export (self);
}
