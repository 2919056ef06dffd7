/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-training-page.c: the Training page: parameters, the live loss chart, past runs */

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <stdlib.h>

#include "otter-loss-chart.h"
#include "otter-resources.h"
#include "otter-run.h"
#include "otter-run-list.h"
#include "otter-training-page.h"

typedef enum
{
  FIELD_EPOCHS,
  FIELD_THRESHOLD,
  FIELD_BATCH,
  FIELD_LR,
  FIELD_EPSILON,
  FIELD_REG,
  N_FIELDS
} Field;

struct _OtterTrainingPage
{
  AdwBin          parent_instance;
  OtterSession   *session;
  GSettings      *settings;

  OtterTrainer   *trainer;           /* the session's run, followed live */
  gboolean        finish_handled;
  char           *start_error;       /* why the last Start failed */
  char           *viewed_run;        /* a past run shown in the chart */
  GCancellable   *view_cancellable;

  gboolean        invalid[N_FIELDS];

  AdwComboRow    *method_row;
  AdwComboRow    *space_row;
  AdwActionRow   *epochs_row;
  AdwActionRow   *threshold_row;
  AdwActionRow   *batch_row;
  AdwActionRow   *lr_row;
  AdwActionRow   *epsilon_row;
  AdwActionRow   *reg_row;
  GtkEntry       *epochs_entry;
  GtkEntry       *threshold_entry;
  GtkEntry       *batch_entry;
  GtkEntry       *lr_entry;
  GtkEntry       *epsilon_entry;
  GtkEntry       *reg_entry;

  GtkLabel       *status_label;
  GtkLabel       *detail_label;
  GtkProgressBar *progress;
  GtkWidget      *start_button;
  GtkWidget      *pause_button;
  GtkWidget      *resume_button;
  GtkWidget      *stop_button;
  OtterLossChart *chart;
  GtkWidget      *legend_l1;
  GtkWidget      *legend_l2;
  GtkWidget      *legend_loss;
  GtkWidget      *legend_d;
  OtterRunList   *run_list;
};

enum
{
  PROP_0,
  PROP_SESSION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (OtterTrainingPage, otter_training_page, ADW_TYPE_BIN)

static void update_status (OtterTrainingPage *self);

/* ---- form fields -------------------------------------------------------- */

typedef struct
{
  const char *key;
  gboolean    integer;
  double      min, max;        /* accepted range, in the shown unit */
  gboolean    min_open;        /* min itself is refused */
  double      scale;           /* shown = stored × scale */
} FieldSpec;

static const FieldSpec field_specs[N_FIELDS] = {
  [FIELD_EPOCHS] = { "max-epochs", TRUE, 1, 100000, FALSE, 1 },
  [FIELD_THRESHOLD] = { "loss-threshold", FALSE, 0, 1e6, FALSE, 1 },
  [FIELD_BATCH] = { "batch-size", TRUE, 2, 1024, FALSE, 1 },
  [FIELD_LR] = { "learning-rate", FALSE, 0, 1, TRUE, 1 },
  [FIELD_EPSILON] = { "epsilon", FALSE, 0, 255, TRUE, 255 },
  [FIELD_REG] = { "sinkhorn-reg", FALSE, 0, 10, TRUE, 1 },
};

/* Parses a field's text in the user's locale or with a dot. */
static gboolean
field_parse (const FieldSpec *spec,
             const char      *text,
             double          *value)
{
  g_autofree char *copy = g_strstrip (g_strdup (text));
  char *end = NULL;
  double v;

  if (*copy == '\0')
    return FALSE;
  for (char *c = copy; *c; c++)
    if (*c == ',')
      *c = '.';
  if (spec->integer)
    {
      gint64 i;
      if (!g_ascii_string_to_signed (copy, 10, G_MININT64, G_MAXINT64, &i, NULL))
        return FALSE;
      v = i;
    }
  else
    {
      v = g_ascii_strtod (copy, &end);
      if (end == copy || *end != '\0' || !isfinite (v))
        return FALSE;
    }
  if (v < spec->min || v > spec->max || (spec->min_open && v <= spec->min))
    return FALSE;
  *value = v;
  return TRUE;
}

static gboolean
field_get_mapping (GValue   *value,
                   GVariant *variant,
                   gpointer  user_data)
{
  const FieldSpec *spec = user_data;
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (spec->integer)
    g_value_take_string (value, g_strdup_printf ("%d", g_variant_get_int32 (variant)));
  else
    {
      g_ascii_formatd (buf, sizeof buf, "%.6g", g_variant_get_double (variant) * spec->scale);
      g_value_set_string (value, buf);
    }
  return TRUE;
}

/* Invalid text is not written back: the setting keeps its last good value
 * while the row shows the error. */
static GVariant *
field_set_mapping (const GValue       *value,
                   const GVariantType *expected_type,
                   gpointer            user_data)
{
  const FieldSpec *spec = user_data;
  double v;

  if (!field_parse (spec, g_value_get_string (value), &v))
    return NULL;
  if (spec->integer)
    return g_variant_new_int32 ((gint32) v);
  return g_variant_new_double (v / spec->scale);
}

static const char *method_ids[] = { "ot", "standard", "pgd" };
static const char *space_ids[] = { "batch", "spatial" };

static gboolean
choice_get_mapping (GValue   *value,
                    GVariant *variant,
                    gpointer  user_data)
{
  const char **ids = user_data;
  const char *s = g_variant_get_string (variant, NULL);
  for (guint i = 0; ids[i]; i++)
    if (g_str_equal (ids[i], s))
      {
        g_value_set_uint (value, i);
        return TRUE;
      }
  g_value_set_uint (value, 0);
  return TRUE;
}

static GVariant *
choice_set_mapping (const GValue       *value,
                    const GVariantType *expected_type,
                    gpointer            user_data)
{
  const char **ids = user_data;
  guint n = g_strv_length ((char **) ids), i = g_value_get_uint (value);
  return i < n ? g_variant_new_string (ids[i]) : NULL;
}

static GtkEntry *
field_entry (OtterTrainingPage *self,
             Field              field)
{
  GtkEntry *entries[N_FIELDS] = { self->epochs_entry, self->threshold_entry, self->batch_entry,
                                  self->lr_entry, self->epsilon_entry, self->reg_entry };
  return entries[field];
}

static GtkWidget *
field_row (OtterTrainingPage *self,
           Field              field)
{
  AdwActionRow *rows[N_FIELDS] = { self->epochs_row, self->threshold_row, self->batch_row,
                                   self->lr_row, self->epsilon_row, self->reg_row };
  return GTK_WIDGET (rows[field]);
}

static gboolean
form_is_valid (OtterTrainingPage *self)
{
  for (int f = 0; f < N_FIELDS; f++)
    if (self->invalid[f] && gtk_widget_get_sensitive (field_row (self, f)))
      return FALSE;
  return TRUE;
}

static void
validate_field (OtterTrainingPage *self,
                Field              field)
{
  GtkEntry *entry = field_entry (self, field);
  GtkWidget *row = field_row (self, field);
  double v;
  gboolean ok = field_parse (&field_specs[field], gtk_editable_get_text (GTK_EDITABLE (entry)), &v);

  self->invalid[field] = !ok;
  if (ok)
    {
      gtk_widget_remove_css_class (row, "error");
      gtk_widget_remove_css_class (GTK_WIDGET (entry), "error");
      gtk_accessible_reset_state (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_STATE_INVALID);
    }
  else
    {
      gtk_widget_add_css_class (row, "error");
      gtk_widget_add_css_class (GTK_WIDGET (entry), "error");
      gtk_accessible_update_state (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_STATE_INVALID,
                                   GTK_ACCESSIBLE_INVALID_TRUE, -1);
    }
  update_status (self);
}

static void
entry_changed_cb (GtkEditable       *editable,
                  OtterTrainingPage *self)
{
  for (int f = 0; f < N_FIELDS; f++)
    if (GTK_EDITABLE (field_entry (self, f)) == editable)
      validate_field (self, f);
}

static OtterTrainMethod
form_method (OtterTrainingPage *self)
{
  OtterTrainMethod method = OTTER_METHOD_OT;
  g_autofree char *id = g_settings_get_string (self->settings, "method");
  otter_train_method_from_string (id, &method);
  return method;
}

/* The τ row says what 0 stands for with the chosen method. */
static void
update_method_rows (OtterTrainingPage *self)
{
  OtterTrainMethod method = form_method (self);
  OtterTrainConfig config;
  g_autofree char *hint = NULL;

  otter_train_config_init (&config);
  config.train.method = method;
  config.loss_threshold = 0;
  hint = g_strdup_printf (_("Converged at or below this epoch mean loss; 0 means %.2g"),
                          otter_train_config_get_threshold (&config));
  otter_train_config_clear (&config);
  adw_action_row_set_subtitle (self->threshold_row, hint);
  gtk_entry_set_placeholder_text (self->threshold_entry, "0");

  gtk_widget_set_sensitive (GTK_WIDGET (self->space_row), method == OTTER_METHOD_OT);
  gtk_widget_set_sensitive (GTK_WIDGET (self->reg_row), method == OTTER_METHOD_OT);
  gtk_widget_set_sensitive (GTK_WIDGET (self->epsilon_row), method != OTTER_METHOD_STANDARD);
  update_status (self);
}

static void
bind_field (OtterTrainingPage *self,
            Field              field)
{
  GtkEntry *entry = field_entry (self, field);
  g_settings_bind_with_mapping (self->settings, field_specs[field].key, entry, "text",
                                G_SETTINGS_BIND_DEFAULT, field_get_mapping, field_set_mapping,
                                (gpointer) &field_specs[field], NULL);
  g_signal_connect (entry, "changed", G_CALLBACK (entry_changed_cb), self);
  validate_field (self, field);
}

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

static gboolean
run_is_active (OtterTrainer *trainer)
{
  if (trainer == NULL)
    return FALSE;
  OtterTrainerState state = otter_trainer_get_state (trainer);
  return state != OTTER_TRAINER_IDLE && !otter_trainer_state_is_final (state);
}

static void
update_status (OtterTrainingPage *self)
{
  OtterTrainer *trainer = self->trainer;
  OtterTrainerState state = trainer ? otter_trainer_get_state (trainer) : OTTER_TRAINER_IDLE;
  OtterDataset *dataset = self->session ? otter_session_get_dataset (self->session) : NULL;
  gboolean active = run_is_active (trainer);
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

      if (max_epochs > 0 && steps > 0)
        fraction = ((epoch > 0 ? epoch - 1 : 0) + (double) in_epoch / steps) / max_epochs;
      switch (state)
        {
        case OTTER_TRAINER_PREPARING:
          status = g_strdup (_("Preparing data and model…"));
          style = "accent";
          break;
        case OTTER_TRAINER_RUNNING:
        case OTTER_TRAINER_PAUSED:
          {
            g_autofree char *eta = format_duration (otter_trainer_get_eta_seconds (trainer));
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
          status = g_strdup_printf (_("Stopped after %d epochs, not converged"), epoch);
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
                                otter_session_get_title (self->session),
                                g_list_model_get_n_items (G_LIST_MODEL (dataset)));
    }

  if (self->viewed_run != NULL && !active)
    {
      g_autofree char *name = g_path_get_basename (self->viewed_run);
      g_free (detail);
      detail = g_strdup_printf (_("Showing past run %s"), name);
    }

  gtk_label_set_label (self->status_label, status ? status : "");
  gtk_label_set_label (self->detail_label, detail ? detail : "");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->detail_label), detail);
  set_status_style (self, style);
  gtk_progress_bar_set_fraction (self->progress, CLAMP (fraction, 0, 1));
  gtk_widget_set_visible (GTK_WIDGET (self->progress), trainer != NULL && state != OTTER_TRAINER_IDLE);

  gboolean can_start = !active && dataset != NULL && form_is_valid (self) &&
                       self->session != NULL && !otter_session_get_busy (self->session);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "training.start", can_start);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "training.pause", state == OTTER_TRAINER_RUNNING);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "training.resume", state == OTTER_TRAINER_PAUSED);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "training.stop", active);
  gtk_widget_set_visible (self->start_button, !active);
  gtk_widget_set_visible (self->resume_button, state == OTTER_TRAINER_PAUSED);
  gtk_widget_set_visible (self->pause_button, active);
  gtk_widget_set_visible (self->stop_button, active);
}

/* ---- following the session's run ---------------------------------------- */

static void
toast_show_folder_cb (AdwToast          *toast,
                      OtterTrainingPage *self)
{
  const char *dir = g_object_get_data (G_OBJECT (toast), "run-dir");
  g_autoptr (GFile) file = g_file_new_for_path (dir);
  g_autofree char *uri = g_file_get_uri (file);
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  gtk_show_uri (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, uri, GDK_CURRENT_TIME);
}

static void
show_toast (OtterTrainingPage *self,
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
}

static void
trainer_progress_cb (OtterTrainingPage *self)
{
  if (self->viewed_run == NULL)
    fetch_points (self);
  update_status (self);
}

static void
trainer_state_cb (OtterTrainingPage *self)
{
  OtterTrainerState state = otter_trainer_get_state (self->trainer);

  if (self->viewed_run == NULL)
    fetch_points (self);
  update_status (self);
  if (!otter_trainer_state_is_final (state) || self->finish_handled)
    return;
  self->finish_handled = TRUE;

  const char *run_dir = otter_trainer_get_run_dir (self->trainer);
  const char *model_path = otter_trainer_get_model_path (self->trainer);
  if (state == OTTER_TRAINER_CONVERGED)
    {
      g_autofree char *message = g_strdup_printf (_("Converged at epoch %d: the model is stored and loaded"),
                                                  otter_trainer_get_epoch (self->trainer));
      /* Other pages evaluate and attack the trained model from now on. */
      if (model_path != NULL && self->session != NULL)
        otter_session_open_model (self->session, model_path);
      show_toast (self, message, run_dir);
    }
  else if (state == OTTER_TRAINER_FAILED)
    show_toast (self, _("Training failed"), NULL);
  otter_run_list_reload (self->run_list);
}

static void
set_trainer (OtterTrainingPage *self,
             OtterTrainer      *trainer)
{
  if (self->trainer == trainer)
    return;
  if (self->trainer != NULL)
    g_signal_handlers_disconnect_by_data (self->trainer, self);
  g_set_object (&self->trainer, trainer);
  self->finish_handled = FALSE;
  otter_loss_chart_clear (self->chart);
  if (trainer != NULL)
    {
      g_clear_pointer (&self->viewed_run, g_free);
      g_clear_pointer (&self->start_error, g_free);
      g_signal_connect_swapped (trainer, "progress", G_CALLBACK (trainer_progress_cb), self);
      g_signal_connect_swapped (trainer, "notify::state", G_CALLBACK (trainer_state_cb), self);
      fetch_points (self);
      self->finish_handled = otter_trainer_state_is_final (otter_trainer_get_state (trainer));
    }
  update_status (self);
}

static void
session_trainer_cb (OtterTrainingPage *self)
{
  set_trainer (self, otter_session_get_trainer (self->session));
}

/* ---- actions ------------------------------------------------------------ */

static int
default_threads (void)
{
  const char *env = g_getenv ("OTTER_THREADS");
  if (env != NULL && atoi (env) > 0)
    return atoi (env);
  /* Leave a core to the interface. */
  return MAX (1, (int) g_get_num_processors () - 1);
}

static void
start_trainer (OtterTrainingPage *self,
               OtterTrainer      *trainer)
{
  g_autoptr (GError) error = NULL;

  otter_trainer_set_threads (trainer, default_threads ());
  otter_session_set_trainer (self->session, trainer);
  if (!otter_trainer_start (trainer, &error))
    {
      otter_session_set_trainer (self->session, NULL);
      g_free (self->start_error);
      self->start_error = g_strdup (error->message);
      update_status (self);
    }
}

static void
fill_config (OtterTrainingPage *self,
             OtterTrainConfig  *config)
{
  OtterDataset *dataset = otter_session_get_dataset (self->session);
  OtterModel *model = otter_session_get_model (self->session);
  g_autofree char *space = g_settings_get_string (self->settings, "feature-space");

  g_free (config->data);
  config->data = g_strdup (otter_dataset_get_source (dataset));
  if (model != NULL && otter_model_get_path (model) != NULL && *otter_model_get_path (model) != '\0')
    config->init_model = g_strdup (otter_model_get_path (model));
  else if (model != NULL)
    {
      g_free (config->arch);
      config->arch = g_strdup (otter_model_get_arch (model));
      config->input_size = otter_model_get_input_size (model);
    }
  config->max_epochs = g_settings_get_int (self->settings, "max-epochs");
  config->batch_size = g_settings_get_int (self->settings, "batch-size");
  config->loss_threshold = g_settings_get_double (self->settings, "loss-threshold");
  config->train.method = form_method (self);
  config->train.lr = g_settings_get_double (self->settings, "learning-rate");
  config->train.ot.epsilon = g_settings_get_double (self->settings, "epsilon");
  config->train.ot.step_size = config->train.ot.epsilon;
  config->train.ot.reg = g_settings_get_double (self->settings, "sinkhorn-reg");
  config->train.ot.space = g_str_equal (space, "spatial") ? OTTER_FEATURE_SPACE_SPATIAL : OTTER_FEATURE_SPACE_BATCH;
  config->name = g_strdup (otter_train_method_to_string (config->train.method));
}

static void
start_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  OtterTrainingPage *self = OTTER_TRAINING_PAGE (widget);
  OtterTrainConfig config;

  if (self->session == NULL || otter_session_get_dataset (self->session) == NULL || !form_is_valid (self))
    return;
  g_clear_pointer (&self->start_error, g_free);
  g_clear_pointer (&self->viewed_run, g_free);
  otter_train_config_init (&config);
  fill_config (self, &config);
  g_autoptr (OtterTrainer) trainer = otter_trainer_new (&config);
  otter_train_config_clear (&config);
  start_trainer (self, trainer);
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
stop_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  OtterTrainingPage *self = OTTER_TRAINING_PAGE (widget);
  if (self->trainer != NULL)
    otter_trainer_stop (self->trainer);
}

static void
preset_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  OtterTrainingPage *self = OTTER_TRAINING_PAGE (widget);
  const char *preset = g_variant_get_string (parameter, NULL);
  const char *keys[] = { "method", "max-epochs", "loss-threshold", "batch-size", "learning-rate",
                         "epsilon", "feature-space", "sinkhorn-reg" };

  g_settings_delay (self->settings);
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    g_settings_reset (self->settings, keys[i]);
  if (g_str_equal (preset, "quick"))
    g_settings_set_int (self->settings, "max-epochs", 30);
  else if (g_str_equal (preset, "robust"))
    {
      g_settings_set_string (self->settings, "method", "ot");
      g_settings_set_int (self->settings, "max-epochs", 120);
      g_settings_set_double (self->settings, "epsilon", 8.0 / 255.0);
    }
  else if (g_str_equal (preset, "standard"))
    {
      g_settings_set_string (self->settings, "method", "standard");
      g_settings_set_int (self->settings, "max-epochs", 60);
    }
  g_settings_apply (self->settings);
}

static void
reload_runs_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  otter_run_list_reload (OTTER_TRAINING_PAGE (widget)->run_list);
}

/* ---- past runs ---------------------------------------------------------- */

typedef struct
{
  GArray *points;
  double  threshold;
} RunCurves;

static void
run_curves_free (RunCurves *curves)
{
  g_clear_pointer (&curves->points, g_array_unref);
  g_free (curves);
}

static double
member_number (JsonObject *o,
               const char *name)
{
  JsonNode *n = json_object_get_member (o, name);
  return n != NULL && JSON_NODE_HOLDS_VALUE (n) ? json_node_get_double (n) : NAN;
}

static void
read_curves_thread (GTask        *task,
                    gpointer      source,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  const char *dir = task_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonArray) records = otter_run_read_metrics (dir, &error);
  g_autofree char *config_path = g_build_filename (dir, OTTER_RUN_CONFIG, NULL);
  g_autoptr (JsonParser) parser = json_parser_new ();
  RunCurves *curves;

  if (records == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  curves = g_new0 (RunCurves, 1);
  curves->points = g_array_new (FALSE, FALSE, sizeof (OtterTrainPoint));
  for (guint i = 0; i < json_array_get_length (records); i++)
    {
      JsonObject *o = json_array_get_object_element (records, i);
      if (o == NULL || g_strcmp0 (json_object_get_string_member_with_default (o, "kind", ""), "step") != 0)
        continue;
      OtterTrainPoint p = {
        .step = json_object_get_int_member_with_default (o, "step", 0),
        .epoch = json_object_get_int_member_with_default (o, "epoch", 0),
        .l1 = member_number (o, "l1"),
        .l2 = member_number (o, "l2"),
        .loss = member_number (o, "loss"),
        .d = member_number (o, "d"),
        .lr = member_number (o, "lr"),
      };
      g_array_append_val (curves->points, p);
    }
  if (json_parser_load_from_file (parser, config_path, NULL))
    {
      OtterTrainConfig config;
      otter_train_config_init (&config);
      if (otter_train_config_from_json (&config, json_parser_get_root (parser), NULL))
        curves->threshold = otter_train_config_get_threshold (&config);
      otter_train_config_clear (&config);
    }
  g_task_return_pointer (task, curves, (GDestroyNotify) run_curves_free);
}

static void
read_curves_done_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr (OtterTrainingPage) self = user_data;
  g_autoptr (GError) error = NULL;
  RunCurves *curves = g_task_propagate_pointer (G_TASK (result), &error);
  const char *dir = g_task_get_task_data (G_TASK (result));

  /* A newer request, or a run started meanwhile, wins. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || g_strcmp0 (dir, self->viewed_run) != 0 ||
      run_is_active (self->trainer))
    {
      if (curves != NULL)
        run_curves_free (curves);
      return;
    }
  if (curves == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("Could not read the run: %s"), error->message);
      show_toast (self, message, NULL);
      g_clear_pointer (&self->viewed_run, g_free);
      update_status (self);
      return;
    }
  otter_loss_chart_clear (self->chart);
  otter_loss_chart_set_threshold (self->chart, curves->threshold);
  if (curves->points->len > 0)
    otter_loss_chart_append_points (self->chart, (OtterTrainPoint *) curves->points->data, curves->points->len);
  run_curves_free (curves);
  update_status (self);
}

static void
run_activated_cb (OtterTrainingPage *self,
                  const char        *dir)
{
  if (run_is_active (self->trainer))
    {
      show_toast (self, _("The chart follows the current run until it ends"), NULL);
      return;
    }
  g_free (self->viewed_run);
  self->viewed_run = g_strdup (dir);
  if (self->view_cancellable != NULL)
    g_cancellable_cancel (self->view_cancellable);
  g_set_object (&self->view_cancellable, g_cancellable_new ());

  GTask *task = g_task_new (NULL, self->view_cancellable, read_curves_done_cb, g_object_ref (self));
  g_task_set_source_tag (task, run_activated_cb);
  g_task_set_task_data (task, g_strdup (dir), g_free);
  g_task_run_in_thread (task, read_curves_thread);
  g_object_unref (task);
  update_status (self);
}

static void
resume_requested_cb (OtterTrainingPage *self,
                     const char        *dir)
{
  if (run_is_active (self->trainer) || self->session == NULL)
    return;
  g_clear_pointer (&self->start_error, g_free);
  g_clear_pointer (&self->viewed_run, g_free);
  g_autoptr (OtterTrainer) trainer = otter_trainer_new_resume (dir);
  start_trainer (self, trainer);
}

/* ---- legend ------------------------------------------------------------- */

static void
draw_swatch (GtkDrawingArea *area,
             cairo_t        *cr,
             int             width,
             int             height,
             gpointer        user_data)
{
  OtterTrainingPage *self = g_object_get_data (G_OBJECT (area), "page");
  OtterLossSeries series = GPOINTER_TO_INT (user_data);
  GtkWidget *button = gtk_widget_get_parent (GTK_WIDGET (area));
  GdkRGBA color;

  while (button != NULL && !GTK_IS_TOGGLE_BUTTON (button))
    button = gtk_widget_get_parent (button);
  otter_loss_chart_get_series_color (self->chart, series, &color);
  if (button != NULL && !gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (button)))
    color.alpha = 0.3;
  gdk_cairo_set_source_rgba (cr, &color);
  cairo_set_line_width (cr, series == OTTER_LOSS_SERIES_LOSS ? 3 : 2);
  if (series == OTTER_LOSS_SERIES_D)
    {
      double dashes[] = { 3, 2 };
      cairo_set_dash (cr, dashes, 2, 0);
    }
  cairo_move_to (cr, 0, height / 2.0);
  cairo_line_to (cr, width, height / 2.0);
  cairo_stroke (cr);
}

static void
setup_legend_button (OtterTrainingPage *self,
                     GtkWidget         *button,
                     OtterLossSeries    series,
                     const char        *label)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *swatch = gtk_drawing_area_new ();

  gtk_drawing_area_set_content_width (GTK_DRAWING_AREA (swatch), 18);
  gtk_drawing_area_set_content_height (GTK_DRAWING_AREA (swatch), 10);
  gtk_widget_set_valign (swatch, GTK_ALIGN_CENTER);
  g_object_set_data (G_OBJECT (swatch), "page", self);
  gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (swatch), draw_swatch, GINT_TO_POINTER (series), NULL);
  g_signal_connect_swapped (button, "toggled", G_CALLBACK (gtk_widget_queue_draw), swatch);
  g_signal_connect_swapped (self->chart, "notify::css-classes", G_CALLBACK (gtk_widget_queue_draw), swatch);
  gtk_box_append (GTK_BOX (box), swatch);
  gtk_box_append (GTK_BOX (box), gtk_label_new (label));
  gtk_button_set_child (GTK_BUTTON (button), box);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
}

/* ---- GObject ------------------------------------------------------------ */

static void
otter_training_page_dispose (GObject *object)
{
  OtterTrainingPage *self = (OtterTrainingPage *) object;

  if (self->view_cancellable != NULL)
    g_cancellable_cancel (self->view_cancellable);
  g_clear_object (&self->view_cancellable);
  if (self->trainer != NULL)
    g_signal_handlers_disconnect_by_data (self->trainer, self);
  g_clear_object (&self->trainer);
  if (self->session != NULL)
    g_signal_handlers_disconnect_by_data (self->session, self);
  gtk_widget_dispose_template (GTK_WIDGET (self), OTTER_TYPE_TRAINING_PAGE);
  self->status_label = NULL;
  g_clear_object (&self->session);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->start_error, g_free);
  g_clear_pointer (&self->viewed_run, g_free);
  G_OBJECT_CLASS (otter_training_page_parent_class)->dispose (object);
}

static void
otter_training_page_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  OtterTrainingPage *self = (OtterTrainingPage *) object;

  switch (prop_id)
    {
    case PROP_SESSION: g_value_set_object (value, self->session); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
otter_training_page_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  OtterTrainingPage *self = (OtterTrainingPage *) object;

  switch (prop_id)
    {
    case PROP_SESSION: otter_training_page_set_session (self, g_value_get_object (value)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
otter_training_page_class_init (OtterTrainingPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = otter_training_page_dispose;
  object_class->get_property = otter_training_page_get_property;
  object_class->set_property = otter_training_page_set_property;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, OTTER_TYPE_SESSION,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* Keeps the resource bundle linked when the page is used on its own. */
  (void) otter_get_resource ();
  g_type_ensure (OTTER_TYPE_LOSS_CHART);
  g_type_ensure (OTTER_TYPE_RUN_LIST);

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
  gtk_widget_class_bind_template_child (widget_class, OtterTrainingPage, lr_entry);
  gtk_widget_class_bind_template_child (widget_class, OtterTrainingPage, epsilon_entry);
  gtk_widget_class_bind_template_child (widget_class, OtterTrainingPage, reg_entry);
  gtk_widget_class_bind_template_child (widget_class, OtterTrainingPage, status_label);
  gtk_widget_class_bind_template_child (widget_class, OtterTrainingPage, detail_label);
  gtk_widget_class_bind_template_child (widget_class, OtterTrainingPage, progress);
  gtk_widget_class_bind_template_child (widget_class, OtterTrainingPage, start_button);
  gtk_widget_class_bind_template_child (widget_class, OtterTrainingPage, pause_button);
  gtk_widget_class_bind_template_child (widget_class, OtterTrainingPage, resume_button);
  gtk_widget_class_bind_template_child (widget_class, OtterTrainingPage, stop_button);
  gtk_widget_class_bind_template_child (widget_class, OtterTrainingPage, chart);
  gtk_widget_class_bind_template_child (widget_class, OtterTrainingPage, legend_l1);
  gtk_widget_class_bind_template_child (widget_class, OtterTrainingPage, legend_l2);
  gtk_widget_class_bind_template_child (widget_class, OtterTrainingPage, legend_loss);
  gtk_widget_class_bind_template_child (widget_class, OtterTrainingPage, legend_d);
  gtk_widget_class_bind_template_child (widget_class, OtterTrainingPage, run_list);
  gtk_widget_class_bind_template_callback (widget_class, run_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, resume_requested_cb);

  gtk_widget_class_install_action (widget_class, "training.start", NULL, start_action);
  gtk_widget_class_install_action (widget_class, "training.pause", NULL, pause_action);
  gtk_widget_class_install_action (widget_class, "training.resume", NULL, resume_action);
  gtk_widget_class_install_action (widget_class, "training.stop", NULL, stop_action);
  gtk_widget_class_install_action (widget_class, "training.preset", "s", preset_action);
  gtk_widget_class_install_action (widget_class, "training.reload-runs", NULL, reload_runs_action);
}

static void
otter_training_page_init (OtterTrainingPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (APPLICATION_ID);
  g_settings_bind_with_mapping (self->settings, "method", self->method_row, "selected", G_SETTINGS_BIND_DEFAULT,
                                choice_get_mapping, choice_set_mapping, (gpointer) method_ids, NULL);
  g_settings_bind_with_mapping (self->settings, "feature-space", self->space_row, "selected", G_SETTINGS_BIND_DEFAULT,
                                choice_get_mapping, choice_set_mapping, (gpointer) space_ids, NULL);
  g_signal_connect_swapped (self->settings, "changed::method", G_CALLBACK (update_method_rows), self);
  for (int f = 0; f < N_FIELDS; f++)
    bind_field (self, f);

  setup_legend_button (self, self->legend_l1, OTTER_LOSS_SERIES_L1, C_("loss series", "L₁ clean"));
  setup_legend_button (self, self->legend_l2, OTTER_LOSS_SERIES_L2, C_("loss series", "L₂ perturbed"));
  setup_legend_button (self, self->legend_loss, OTTER_LOSS_SERIES_LOSS, C_("loss series", "L target"));
  setup_legend_button (self, self->legend_d, OTTER_LOSS_SERIES_D, C_("loss series", "D distance"));

  update_method_rows (self);
  otter_run_list_reload (self->run_list);
}

OtterSession *
otter_training_page_get_session (OtterTrainingPage *self)
{
  g_return_val_if_fail (OTTER_IS_TRAINING_PAGE (self), NULL);
  return self->session;
}

void
otter_training_page_set_session (OtterTrainingPage *self,
                                 OtterSession      *session)
{
  g_return_if_fail (OTTER_IS_TRAINING_PAGE (self));

  if (self->session == session)
    return;
  if (self->session != NULL)
    g_signal_handlers_disconnect_by_data (self->session, self);
  g_set_object (&self->session, session);
  if (session != NULL)
    {
      g_signal_connect_swapped (session, "notify::trainer", G_CALLBACK (session_trainer_cb), self);
      g_signal_connect_swapped (session, "notify::dataset", G_CALLBACK (update_status), self);
      g_signal_connect_swapped (session, "notify::busy", G_CALLBACK (update_status), self);
      g_signal_connect_swapped (session, "notify::title", G_CALLBACK (update_status), self);
    }
  set_trainer (self, session ? otter_session_get_trainer (session) : NULL);
  update_status (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SESSION]);
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

OtterRunList *
otter_training_page_get_run_list (OtterTrainingPage *self)
{
  g_return_val_if_fail (OTTER_IS_TRAINING_PAGE (self), NULL);
  return self->run_list;
}
