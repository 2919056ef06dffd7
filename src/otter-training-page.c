/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-training-page.c: the Training page: run control, the live run and the status line */

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <stdlib.h>

#include "otter-class-banner.h"
#include "otter-resources.h"
#include "otter-show-in-folder.h"
#include "otter-training-page-private.h"

/* The form lives in otter-training-form.c, past runs and the legend in
 * otter-training-runs.c; they share otter-training-page-private.h. */

G_DEFINE_FINAL_TYPE (OtterTrainingPage, otter_training_page, OTTER_TYPE_PAGE)

/* ---- status ------------------------------------------------------------- */

static void
set_status_style (OtterTrainingPage *self,
                  const char        *style)
{
  const char *classes[] = { "accent", "success", "warning", "error" };
  for (guint i = 0; i < G_N_ELEMENTS (classes); i++)
    gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), classes[i]);
  if (style != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->status_label), style);
}

static char *
format_duration (double seconds)
{
  if (seconds < 0 || !isfinite (seconds))
    return NULL;
  if (seconds < 60)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "about %d second left", "about %d seconds left",
                                         (int) ceil (seconds)), (int) ceil (seconds));
  if (seconds < 3600)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "about %d minute left", "about %d minutes left",
                                         (int) round (seconds / 60)), (int) round (seconds / 60));
  return g_strdup_printf (_("about %.1f hours left"), seconds / 3600);
}

gboolean
otter_training_page_run_is_active (OtterTrainingPage *self)
{
  OtterTrainer *trainer = self->trainer;

  if (trainer == NULL)
    return FALSE;
  OtterTrainerState state = otter_trainer_get_state (trainer);
  return state != OTTER_TRAINER_IDLE && !otter_trainer_state_is_final (state);
}

/* The outcome of the past run on show, from its own end record. */
static const char *
viewed_run_status (OtterTrainingPage *self,
                   char             **status,
                   char             **detail)
{
  g_autofree char *name = g_path_get_basename (self->viewed_run);
  const OtterRunHistory *h = self->viewed_history;
  const char *style = NULL;
  int epochs = h != NULL ? (int) h->epochs->len : 0;

  if (h == NULL)
    *status = g_strdup (_("Reading the past run…"));
  else if (!h->ended)
    {
      *status = g_strdup_printf (_("Interrupted at epoch %d"), epochs);
      style = "warning";
    }
  else if (g_str_equal (h->end.status, "converged"))
    {
      *status = g_strdup_printf (_("Converged at epoch %d · model stored"), h->end.epochs);
      style = "success";
    }
  else if (g_str_equal (h->end.status, "not-converged"))
    {
      *status = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Stopped after %d epoch, not converged",
                                             "Stopped after %d epochs, not converged", h->end.epochs),
                                 h->end.epochs);
      style = "warning";
    }
  else if (g_str_equal (h->end.status, "stopped"))
    {
      *status = g_strdup_printf (_("Stopped at epoch %d, not converged"), h->end.epochs);
      style = "warning";
    }
  else
    {
      *status = g_strdup (_("Training failed"));
      style = "error";
    }
  if (h != NULL && h->ended && h->end.message != NULL && *h->end.message != '\0')
    /* Translators: the past run's folder name, then how it ended */
    *detail = g_strdup_printf (_("Past run %s · %s"), name, h->end.message);
  else
    *detail = g_strdup_printf (_("Showing past run %s"), name);
  return style;
}

void
otter_training_page_update_status (OtterTrainingPage *self)
{
  OtterTrainer *trainer = self->trainer;
  OtterTrainerState state = trainer ? otter_trainer_get_state (trainer) : OTTER_TRAINER_IDLE;
  OtterDataset *dataset = otter_page_get_session (OTTER_PAGE (self)) ? otter_session_get_dataset (otter_page_get_session (OTTER_PAGE (self))) : NULL;
  gboolean active = otter_training_page_run_is_active (self);
  g_autofree char *status = NULL;
  g_autofree char *detail = NULL;
  const char *style = NULL;
  double fraction = 0;

  if (self->status_label == NULL)
    return;

  if (trainer != NULL && state != OTTER_TRAINER_IDLE)
    {
      int epoch = otter_trainer_get_epoch (trainer), max_epochs = otter_trainer_get_max_epochs (trainer);
      int steps = otter_trainer_get_steps_per_epoch (trainer);
      int in_epoch = otter_trainer_get_step_in_epoch (trainer);
      double loss = otter_trainer_get_epoch_loss (trainer), tau = otter_trainer_get_threshold (trainer);

      fraction = otter_trainer_get_progress (trainer);
      switch (state)
        {
        case OTTER_TRAINER_PREPARING:
          status = g_strdup (_("Preparing data and model…"));
          style = "accent";
          break;
        case OTTER_TRAINER_RUNNING:
        case OTTER_TRAINER_PAUSED:
          {
            /* A paused run is not getting closer to its end. */
            g_autofree char *eta = state == OTTER_TRAINER_PAUSED
              ? NULL : format_duration (otter_trainer_get_eta_seconds (trainer));
            double ips = otter_trainer_get_images_per_second (trainer);
            status = state == OTTER_TRAINER_PAUSED ? g_strdup (_("Paused"))
                                                   : g_strdup_printf (_("Training · epoch %d of %d"), epoch, max_epochs);
            style = state == OTTER_TRAINER_PAUSED ? NULL : "accent";
            /* Translators: step within the epoch, images per second, time left */
            detail = g_strdup_printf (_("Step %d of %d · %.1f images/s%s%s"), in_epoch, steps, ips,
                                      eta ? " · " : "", eta ? eta : "");
          }
          break;
        case OTTER_TRAINER_CONVERGED:
          status = g_strdup_printf (_("Converged at epoch %d · model stored"), epoch);
          detail = g_strdup_printf (_("Epoch loss %.3f ≤ τ %.3f · %s"), loss, tau,
                                    otter_trainer_get_run_dir (trainer));
          style = "success";
          fraction = 1;
          break;
        case OTTER_TRAINER_NOT_CONVERGED:
          status = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Stopped after %d epoch, not converged",
                                                 "Stopped after %d epochs, not converged", epoch),
                                     epoch);
          detail = g_strdup_printf (_("Epoch loss %.3f is still above τ %.3f; raise the epochs or resume the run"),
                                    loss, tau);
          style = "warning";
          break;
        case OTTER_TRAINER_STOPPED:
          status = g_strdup_printf (_("Stopped at epoch %d, not converged"), epoch);
          detail = g_strdup (_("Checkpoints are kept: resume it from Past Runs"));
          style = "warning";
          break;
        case OTTER_TRAINER_FAILED:
          status = g_strdup (_("Training failed"));
          detail = g_strdup (otter_trainer_get_message (trainer));
          style = "error";
          break;
        case OTTER_TRAINER_IDLE:
        default:
          break;
        }
    }
  else if (self->start_error != NULL)
    {
      status = g_strdup (_("Could not start training"));
      detail = g_strdup (self->start_error);
      style = "error";
    }
  else if (dataset == NULL)
    {
      status = g_strdup (_("No dataset"));
      detail = g_strdup (_("Open one on the Data page, or use the demo"));
    }
  else
    {
      status = g_strdup (_("Ready to train"));
      detail = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s · %u image", "%s · %u images",
                                             g_list_model_get_n_items (G_LIST_MODEL (dataset))),
                                otter_session_get_title (otter_page_get_session (OTTER_PAGE (self))),
                                g_list_model_get_n_items (G_LIST_MODEL (dataset)));
    }

  /* A run that cannot keep its checkpoints goes on, but must not look fine. */
  guint n_checkpoint_failures = trainer ? otter_trainer_get_n_checkpoint_failures (trainer) : 0;
  if (n_checkpoint_failures > 0 && state != OTTER_TRAINER_IDLE && state != OTTER_TRAINER_FAILED)
    {
      g_free (detail);
      detail = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u checkpoint could not be written: %s",
                                             "%u checkpoints could not be written: %s", n_checkpoint_failures),
                                n_checkpoint_failures, otter_trainer_get_checkpoint_error (trainer));
      style = "warning";
    }

  if (self->viewed_run != NULL && !active)
    {
      g_clear_pointer (&status, g_free);
      g_clear_pointer (&detail, g_free);
      style = viewed_run_status (self, &status, &detail);
      fraction = 0;
    }

  gtk_label_set_label (self->status_label, status ? status : "");
  gtk_label_set_label (self->detail_label, detail ? detail : "");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->detail_label), detail);
  set_status_style (self, style);
  gtk_progress_bar_set_fraction (self->progress, CLAMP (fraction, 0, 1));
  gtk_widget_set_visible (GTK_WIDGET (self->progress), trainer != NULL && state != OTTER_TRAINER_IDLE);

  gboolean can_start = !active && dataset != NULL && otter_training_page_form_is_valid (self) &&
                       otter_page_get_session (OTTER_PAGE (self)) != NULL && !otter_session_get_busy (otter_page_get_session (OTTER_PAGE (self)));
  gboolean trained = otter_training_page_model_is_trained (self);
  g_autofree char *mismatch = otter_page_get_session (OTTER_PAGE (self)) ? otter_describe_class_mismatch (otter_session_get_model (otter_page_get_session (OTTER_PAGE (self))),
                                                                             dataset) : NULL;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "training.start", can_start);
  /* Going on training needs the model's classes to be the data's (the
   * banner above says so, and offers a new model). */
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "training.continue", can_start && trained && mismatch == NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "training.pause", state == OTTER_TRAINER_RUNNING);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "training.resume", state == OTTER_TRAINER_PAUSED);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "training.stop", active);
  /* The start buttons keep their place during a run (insensitive), so a
   * second click on Stop never lands on Start. */
  gtk_button_set_label (GTK_BUTTON (self->start_button), trained ? _("Train from _Scratch") : _("_Start Training"));
  gtk_widget_set_tooltip_text (self->start_button,
                               trained ? _("A new model of the same kind, from its initial weights; the current model stays as it is")
                                       : NULL);
  if (trained)
    gtk_widget_remove_css_class (self->start_button, "suggested-action");
  else
    gtk_widget_add_css_class (self->start_button, "suggested-action");
  gtk_widget_set_visible (self->continue_button, trained);
  /* A run keeps the settings it started with: editing them would look
   * like it changes the run. */
  for (GtkWidget *group = gtk_widget_get_first_child (self->form_box); group != NULL;
       group = gtk_widget_get_next_sibling (group))
    {
      /* Past runs stay browsable. */
      if (gtk_widget_is_ancestor (GTK_WIDGET (self->run_list), group))
        continue;
      gtk_widget_set_sensitive (group, !active);
      gtk_widget_set_tooltip_text (group, active ? _("These settings apply to the next run") : NULL);
    }
  gtk_widget_set_visible (self->resume_button, state == OTTER_TRAINER_PAUSED);
  gtk_widget_set_visible (self->pause_button, active);
  gtk_widget_set_visible (self->stop_button, active);
}

/* ---- following the session's run ---------------------------------------- */

static void
toast_show_folder_cb (AdwToast          *toast,
                      OtterTrainingPage *self)
{
  otter_show_in_folder (GTK_WIDGET (self), g_object_get_data (G_OBJECT (toast), "run-dir"));
}

void
otter_training_page_show_toast (OtterTrainingPage *self,
                                const char        *message,
                                const char        *run_dir)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);
  if (overlay == NULL)
    return;
  AdwToast *toast = adw_toast_new (message);
  adw_toast_set_timeout (toast, 8);
  if (run_dir != NULL)
    {
      adw_toast_set_button_label (toast, _("Show in Folder"));
      g_object_set_data_full (G_OBJECT (toast), "run-dir", g_strdup (run_dir), g_free);
      g_signal_connect_object (toast, "button-clicked", G_CALLBACK (toast_show_folder_cb), self, 0);
    }
  adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), toast);
}

static void
fetch_points (OtterTrainingPage *self)
{
  g_autoptr (GArray) points = otter_trainer_dup_points (self->trainer, otter_loss_chart_get_n_points (self->chart));
  if (points != NULL && points->len > 0)
    otter_loss_chart_append_points (self->chart, (const OtterTrainPoint *) points->data, points->len);
  otter_loss_chart_set_threshold (self->chart, otter_trainer_get_threshold (self->trainer));
  otter_loss_chart_set_steps_per_epoch (self->chart, otter_trainer_get_steps_per_epoch (self->trainer));
  g_autoptr (GArray) epochs = otter_trainer_dup_epochs (self->trainer);
  if (epochs != NULL)
    otter_loss_chart_set_epochs (self->chart, (const OtterEpochPoint *) epochs->data, epochs->len);
}

static void
trainer_progress_cb (OtterTrainingPage *self)
{
  if (self->viewed_run == NULL)
    fetch_points (self);
  otter_training_page_update_status (self);
}

static void
trainer_state_cb (OtterTrainingPage *self)
{
  OtterTrainerState state = otter_trainer_get_state (self->trainer);

  if (self->viewed_run == NULL)
    fetch_points (self);
  otter_training_page_update_status (self);
  if (!otter_trainer_state_is_final (state))
    {
      /* The run is listed, and kept from renaming or the trash, while it goes on. */
      const char *dir = otter_trainer_get_run_dir (self->trainer);
      if (dir != NULL && state == OTTER_TRAINER_RUNNING && !self->listed_while_running)
        {
          self->listed_while_running = TRUE;
          otter_run_list_set_active_dir (self->run_list, dir);
          otter_run_list_reload (self->run_list);
        }
      return;
    }
  if (self->finish_handled)
    return;
  self->finish_handled = TRUE;
  otter_run_list_set_active_dir (self->run_list, NULL);

  const char *run_dir = otter_trainer_get_run_dir (self->trainer);
  const char *model_path = otter_trainer_get_model_path (self->trainer);
  if (state == OTTER_TRAINER_CONVERGED)
    {
      g_autofree char *message = g_strdup_printf (_("Converged at epoch %d: the model is stored and loaded"),
                                                  otter_trainer_get_epoch (self->trainer));
      /* Other pages evaluate and attack the trained model from now on. */
      if (model_path != NULL && otter_page_get_session (OTTER_PAGE (self)) != NULL)
        otter_session_open_model (otter_page_get_session (OTTER_PAGE (self)), model_path);
      otter_training_page_show_toast (self, message, run_dir);
    }
  else if (state == OTTER_TRAINER_FAILED)
    otter_training_page_show_toast (self, _("Training failed"), NULL);
  otter_run_list_reload (self->run_list);
}

static void
set_trainer (OtterTrainingPage *self,
             OtterTrainer      *trainer)
{
  if (self->trainer == trainer)
    return;
  g_set_object (&self->trainer, trainer);
  g_signal_group_set_target (self->trainer_signals, trainer);
  self->finish_handled = FALSE;
  self->listed_while_running = FALSE;
  otter_loss_chart_clear (self->chart);
  if (trainer != NULL)
    {
      otter_training_page_clear_viewed_run (self);
      g_clear_pointer (&self->start_error, g_free);
      fetch_points (self);
      self->finish_handled = otter_trainer_state_is_final (otter_trainer_get_state (trainer));
    }
  otter_training_page_update_status (self);
}

static void
session_trainer_cb (OtterTrainingPage *self)
{
  set_trainer (self, otter_session_get_trainer (otter_page_get_session (OTTER_PAGE (self))));
}

static void
session_dataset_cb (OtterTrainingPage *self)
{
  /* Why the last Start failed was about the old data. */
  g_clear_pointer (&self->start_error, g_free);
  otter_training_page_update_automatic_fields (self);
  otter_training_page_update_status (self);
}

/* ---- actions ------------------------------------------------------------ */

/* The count OTTER_THREADS fixes, or 0 when it fixes none. */
static int
threads_from_env (void)
{
  const char *env = g_getenv ("OTTER_THREADS");
  return env != NULL ? MAX (0, atoi (env)) : 0;
}

static int
default_threads (void)
{
  int fixed = threads_from_env ();
  /* Leave a core to the interface. */
  return fixed > 0 ? fixed : MAX (1, (int) g_get_num_processors () - 1);
}

void
otter_training_page_start_trainer (OtterTrainingPage *self,
                                   OtterTrainer      *trainer)
{
  g_autoptr (GError) error = NULL;

  /* A run on several processes has its share of the cores already. */
  if (!otter_trainer_is_distributed (trainer))
    {
      otter_trainer_set_threads (trainer, default_threads ());
      /* Unless OTTER_THREADS fixes it, that count is the most a run uses:
       * on a machine the user also works on, fewer threads often go faster. */
      otter_trainer_set_adaptive_threads (trainer, threads_from_env () == 0);
    }
  otter_session_set_trainer (otter_page_get_session (OTTER_PAGE (self)), trainer);
  if (!otter_trainer_start (trainer, &error))
    {
      otter_session_set_trainer (otter_page_get_session (OTTER_PAGE (self)), NULL);
      g_free (self->start_error);
      self->start_error = g_strdup (error->message);
      otter_training_page_update_status (self);
    }
}

static void
start_run (OtterTrainingPage *self,
           gboolean           continue_model)
{
  OtterTrainConfig config;

  if (otter_page_get_session (OTTER_PAGE (self)) == NULL || otter_session_get_dataset (otter_page_get_session (OTTER_PAGE (self))) == NULL ||
      !otter_training_page_form_is_valid (self))
    return;
  g_clear_pointer (&self->start_error, g_free);
  otter_training_page_clear_viewed_run (self);
  otter_train_config_init (&config);
  otter_training_page_fill_config (self, &config, continue_model);
  g_autoptr (OtterTrainer) trainer = otter_trainer_new (&config);
  int world_size = config.world_size;
  otter_train_config_clear (&config);
  g_autoptr (GError) error = NULL;
  if (!otter_training_page_start_workers (self, trainer, world_size, &error))
    {
      g_free (self->start_error);
      self->start_error = g_strdup (error->message);
      otter_training_page_update_status (self);
      return;
    }
  otter_training_page_start_trainer (self, trainer);
}

/* A new model of the current one's kind: a trained model is never
 * replaced without the user asking for it (training.continue). */
static void
start_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  start_run (OTTER_TRAINING_PAGE (widget), FALSE);
}

static void
continue_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  start_run (OTTER_TRAINING_PAGE (widget), TRUE);
}

static void
pause_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  OtterTrainingPage *self = OTTER_TRAINING_PAGE (widget);
  if (self->trainer != NULL)
    otter_trainer_pause (self->trainer);
}

static void
resume_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  OtterTrainingPage *self = OTTER_TRAINING_PAGE (widget);
  if (self->trainer != NULL)
    otter_trainer_resume (self->trainer);
}

static void
toggle_pause_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  OtterTrainingPage *self = OTTER_TRAINING_PAGE (widget);
  if (self->trainer == NULL)
    return;
  if (otter_trainer_get_state (self->trainer) == OTTER_TRAINER_PAUSED)
    otter_trainer_resume (self->trainer);
  else if (otter_trainer_get_state (self->trainer) == OTTER_TRAINER_RUNNING)
    otter_trainer_pause (self->trainer);
}

static void
stop_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  OtterTrainingPage *self = OTTER_TRAINING_PAGE (widget);
  if (self->trainer != NULL)
    otter_trainer_stop (self->trainer);
}

/* ---- GObject ------------------------------------------------------------ */

static void
otter_training_page_dispose (GObject *object)
{
  OtterTrainingPage *self = (OtterTrainingPage *) object;

  if (self->view_cancellable != NULL)
    g_cancellable_cancel (self->view_cancellable);
  g_clear_object (&self->view_cancellable);
  if (self->trainer_signals != NULL)
    g_signal_group_set_target (self->trainer_signals, NULL);
  g_clear_object (&self->trainer_signals);
  g_clear_object (&self->trainer);
  gtk_widget_dispose_template (GTK_WIDGET (self), OTTER_TYPE_TRAINING_PAGE);
  self->status_label = NULL;
  g_clear_object (&self->settings);
  g_clear_pointer (&self->start_error, g_free);
  /* the workers go on with the run, which the session keeps */
  g_clear_pointer (&self->workers, g_ptr_array_unref);
  otter_training_page_clear_viewed_run (self);
  G_OBJECT_CLASS (otter_training_page_parent_class)->dispose (object);
}

static void otter_training_page_session_changed (OtterPage *page, OtterSession *old);

static void
otter_training_page_class_init (OtterTrainingPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = otter_training_page_dispose;
  OTTER_PAGE_CLASS (klass)->session_changed = otter_training_page_session_changed;

  /* Keeps the resource bundle linked when the page is used on its own. */
  (void) otter_get_resource ();
  g_type_ensure (OTTER_TYPE_LOSS_CHART);
  g_type_ensure (OTTER_TYPE_RUN_LIST);

  g_type_ensure (OTTER_TYPE_CLASS_BANNER);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/ottertrain/Otter/ui/otter-training-page.ui");
  gtk_widget_class_bind_template_child (widget_class, OtterTrainingPage, method_row);
  gtk_widget_class_bind_template_child (widget_class, OtterTrainingPage, space_row);
  gtk_widget_class_bind_template_child (widget_class, OtterTrainingPage, epochs_row);
  gtk_widget_class_bind_template_child (widget_class, OtterTrainingPage, threshold_row);
  gtk_widget_class_bind_template_child (widget_class, OtterTrainingPage, batch_row);
  gtk_widget_class_bind_template_child (widget_class, OtterTrainingPage, lr_row);
  gtk_widget_class_bind_template_child (widget_class, OtterTrainingPage, epsilon_row);
  gtk_widget_class_bind_template_child (widget_class, OtterTrainingPage, reg_row);
  gtk_widget_class_bind_template_child (widget_class, OtterTrainingPage, epochs_entry);
  gtk_widget_class_bind_template_child (widget_class, OtterTrainingPage, threshold_entry);
  gtk_widget_class_bind_template_child (widget_class, OtterTrainingPage, batch_entry);
  gtk_widget_class_bind_template_child (widget_class, OtterTrainingPage, processes_row);
  gtk_widget_class_bind_template_child (widget_class, OtterTrainingPage, processes_entry);
  gtk_widget_class_bind_template_child (widget_class, OtterTrainingPage, lr_entry);
  gtk_widget_class_bind_template_child (widget_class, OtterTrainingPage, epsilon_entry);
  gtk_widget_class_bind_template_child (widget_class, OtterTrainingPage, reg_entry);
  gtk_widget_class_bind_template_child (widget_class, OtterTrainingPage, status_label);
  gtk_widget_class_bind_template_child (widget_class, OtterTrainingPage, detail_label);
  gtk_widget_class_bind_template_child (widget_class, OtterTrainingPage, progress);
  gtk_widget_class_bind_template_child (widget_class, OtterTrainingPage, start_button);
  gtk_widget_class_bind_template_child (widget_class, OtterTrainingPage, continue_button);
  gtk_widget_class_bind_template_child (widget_class, OtterTrainingPage, form);
  gtk_widget_class_bind_template_child (widget_class, OtterTrainingPage, form_box);
  gtk_widget_class_bind_template_child (widget_class, OtterTrainingPage, pause_button);
  gtk_widget_class_bind_template_child (widget_class, OtterTrainingPage, resume_button);
  gtk_widget_class_bind_template_child (widget_class, OtterTrainingPage, stop_button);
  gtk_widget_class_bind_template_child (widget_class, OtterTrainingPage, chart);
  gtk_widget_class_bind_template_child (widget_class, OtterTrainingPage, legend_l1);
  gtk_widget_class_bind_template_child (widget_class, OtterTrainingPage, legend_l2);
  gtk_widget_class_bind_template_child (widget_class, OtterTrainingPage, legend_loss);
  gtk_widget_class_bind_template_child (widget_class, OtterTrainingPage, legend_d);
  gtk_widget_class_bind_template_child (widget_class, OtterTrainingPage, compare_legend);
  gtk_widget_class_bind_template_child (widget_class, OtterTrainingPage, run_list);

  gtk_widget_class_install_action (widget_class, "training.start", NULL, start_action);
  gtk_widget_class_install_action (widget_class, "training.continue", NULL, continue_action);
  gtk_widget_class_install_action (widget_class, "training.pause", NULL, pause_action);
  gtk_widget_class_install_action (widget_class, "training.resume", NULL, resume_action);
  gtk_widget_class_install_action (widget_class, "training.stop", NULL, stop_action);
  gtk_widget_class_install_action (widget_class, "training.toggle-pause", NULL, toggle_pause_action);
  otter_training_page_class_init_form (widget_class);
  otter_training_page_class_init_runs (widget_class);
}

static void
otter_training_page_init (OtterTrainingPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  GSignalGroup *session_signals = otter_page_get_session_signals (OTTER_PAGE (self));
  g_signal_group_connect_object (session_signals, "notify::trainer", G_CALLBACK (session_trainer_cb),
                                 self, G_CONNECT_SWAPPED);
  g_signal_group_connect_object (session_signals, "notify::dataset", G_CALLBACK (session_dataset_cb),
                                 self, G_CONNECT_SWAPPED);
  g_signal_group_connect_object (session_signals, "notify::busy", G_CALLBACK (otter_training_page_update_status),
                                 self, G_CONNECT_SWAPPED);
  g_signal_group_connect_object (session_signals, "notify::model", G_CALLBACK (otter_training_page_update_status),
                                 self, G_CONNECT_SWAPPED);
  g_signal_group_connect_object (session_signals, "notify::title", G_CALLBACK (otter_training_page_update_status),
                                 self, G_CONNECT_SWAPPED);
  /* the run on show: whichever the session holds */
  self->trainer_signals = g_signal_group_new (OTTER_TYPE_TRAINER);
  g_signal_group_connect_object (self->trainer_signals, "progress", G_CALLBACK (trainer_progress_cb),
                                 self, G_CONNECT_SWAPPED);
  g_signal_group_connect_object (self->trainer_signals, "notify::state", G_CALLBACK (trainer_state_cb),
                                 self, G_CONNECT_SWAPPED);

  otter_training_page_init_form (self);
  otter_training_page_init_legend (self);

  otter_training_page_update_method_rows (self);
  otter_run_list_reload (self->run_list);
}

static void
otter_training_page_session_changed (OtterPage    *page,
                                     OtterSession *old)
{
  OtterTrainingPage *self = OTTER_TRAINING_PAGE (page);
  OtterSession *session = otter_page_get_session (page);

  set_trainer (self, session ? otter_session_get_trainer (session) : NULL);
  otter_training_page_update_automatic_fields (self);
  otter_training_page_update_status (self);
}

OtterLossChart *
otter_training_page_get_chart (OtterTrainingPage *self)
{
  g_return_val_if_fail (OTTER_IS_TRAINING_PAGE (self), NULL);
  return self->chart;
}

const char *
otter_training_page_get_status_text (OtterTrainingPage *self)
{
  g_return_val_if_fail (OTTER_IS_TRAINING_PAGE (self), NULL);
  return gtk_label_get_label (self->status_label);
}

const char *
otter_training_page_get_detail_text (OtterTrainingPage *self)
{
  g_return_val_if_fail (OTTER_IS_TRAINING_PAGE (self), NULL);
  return gtk_label_get_label (self->detail_label);
}

OtterRunList *
otter_training_page_get_run_list (OtterTrainingPage *self)
{
  g_return_val_if_fail (OTTER_IS_TRAINING_PAGE (self), NULL);
  return self->run_list;
}

GtkWidget *
otter_training_page_get_compare_legend (OtterTrainingPage *self)
{
  g_return_val_if_fail (OTTER_IS_TRAINING_PAGE (self), NULL);
  return GTK_WIDGET (self->compare_legend);
}
