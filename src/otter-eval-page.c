/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-eval-page.c: the Evaluation page */

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "otter-eval-page-private.h"


enum
{
  PROP_0,
  PROP_RUNNING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (OtterEvalPage, otter_eval_page, OTTER_TYPE_PAGE)

static void
update_actions (OtterEvalPage *self)
{
  gboolean running = self->running != NULL;
  gboolean ready = otter_page_get_session (OTTER_PAGE (self)) != NULL &&
                   otter_session_get_dataset (otter_page_get_session (OTTER_PAGE (self))) != NULL &&
                   otter_session_get_model (otter_page_get_session (OTTER_PAGE (self))) != NULL;
  gboolean any = gtk_check_button_get_active (self->clean_check) ||
                 gtk_check_button_get_active (self->fgsm_check) ||
                 gtk_check_button_get_active (self->pgd_check) ||
                 gtk_check_button_get_active (self->ot_check) ||
                 gtk_check_button_get_active (self->pgd50_check);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "eval.run", ready && any && !running);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "eval.cancel", running);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "eval.export", self->evaluation != NULL && !running);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "eval.clear-compare", self->compare_model != NULL && !running);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "eval.choose-compare", !running);
  gtk_widget_set_sensitive (self->export_button, self->evaluation != NULL && !running);
  gtk_widget_set_visible (self->cancel_button, running);
  gtk_widget_set_visible (GTK_WIDGET (self->progress_bar), running);

  gboolean split = adw_combo_row_get_selected (self->data_row) == 0;
  gtk_widget_set_sensitive (self->fraction_row, split);
  gtk_widget_set_sensitive (self->seed_row, split);
}

/* ---- running ---------------------------------------------------------- */

static void
progress_cb (OtterEvaluation *ev, GParamSpec *pspec, OtterEvalPage *self)
{
  if (ev != self->running)
    return;
  gtk_progress_bar_set_fraction (self->progress_bar, otter_evaluation_get_fraction (ev));
  gtk_label_set_label (self->summary_label, otter_evaluation_get_stage (ev));
}

static void
set_running (OtterEvalPage *self, OtterEvaluation *ev)
{
  if (self->running != NULL)
    g_signal_handlers_disconnect_by_data (self->running, self);
  g_set_object (&self->running, ev);
  update_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
}

static void
run_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  OtterEvaluation *ev = OTTER_EVALUATION (source);
  GWeakRef *ref = user_data;
  g_autoptr (OtterEvalPage) self = g_weak_ref_get (ref);
  g_autoptr (GError) error = NULL;
  gboolean ok = otter_evaluation_run_finish (ev, result, &error);

  g_weak_ref_clear (ref);
  g_free (ref);
  /* a page that went away, or a run superseded by a newer one */
  if (self == NULL || self->running != ev)
    return;
  set_running (self, NULL);
  if (ok)
    {
      g_set_object (&self->evaluation, ev);
      update_actions (self);
      otter_eval_page_show_results (self);
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      if (self->evaluation != NULL)
        otter_eval_page_show_results (self);
      else
        otter_eval_page_show_idle_state (self);
    }
  else
    {
      otter_eval_page_show_empty (self, _("Evaluation Failed"), error->message, "dialog-error-symbolic");
      gtk_label_set_label (self->summary_label, "");
    }
}

static void
add_attack (OtterEvaluation *ev, OtterEvalPage *self, OtterAttackKind kind)
{
  OtterTorchAttackParams params;
  otter_torch_attack_params_init (&params, kind);
  params.epsilon = gtk_spin_button_get_value (self->epsilon_spin) / 255.0;
  /* PGD-50 keeps its 50 steps and 5 restarts: that is what makes it the
   * check on a gain the 10-step attack reports */
  if (kind != OTTER_ATTACK_PGD50)
    params.steps = gtk_spin_button_get_value_as_int (self->steps_spin);
  /* the OT attack takes one ascent step of the whole budget */
  params.ot.epsilon = params.ot.step_size = params.epsilon;
  otter_evaluation_add_attack (ev, &params);
}

static char *
model_label (OtterModel *model)
{
  const char *path = otter_model_get_path (model);
  if (path == NULL)
    return otter_model_dup_label (model);
  g_autofree char *base = g_path_get_basename (path);
  char *dot = strrchr (base, '.');
  if (dot != NULL && dot != base)
    *dot = '\0';
  return g_steal_pointer (&base);
}

void
otter_eval_page_run (OtterEvalPage *self)
{
  g_return_if_fail (OTTER_IS_EVAL_PAGE (self));

  OtterDataset *dataset = otter_page_get_session (OTTER_PAGE (self)) ? otter_session_get_dataset (otter_page_get_session (OTTER_PAGE (self))) : NULL;
  OtterModel *model = otter_page_get_session (OTTER_PAGE (self)) ? otter_session_get_model (otter_page_get_session (OTTER_PAGE (self))) : NULL;
  if (dataset == NULL || model == NULL || self->running != NULL)
    return;

  gboolean split = adw_combo_row_get_selected (self->data_row) == 0;
  double fraction = split ? gtk_spin_button_get_value (self->fraction_spin) : 0;
  guint64 seed = (guint64) gtk_spin_button_get_value_as_int (self->seed_spin);
  g_autoptr (OtterEvaluation) ev = otter_evaluation_new (dataset, fraction, seed);

  g_autofree char *label = model_label (model);
  otter_evaluation_add_model (ev, model, label);
  if (self->compare_model != NULL)
    {
      g_autofree char *other = model_label (self->compare_model);
      if (g_str_equal (other, label))
        {
          g_free (other);
          other = g_strdup_printf (_("%s (second)"), label);
        }
      otter_evaluation_add_model (ev, self->compare_model, other);
    }
  if (gtk_check_button_get_active (self->clean_check))
    add_attack (ev, self, OTTER_ATTACK_NONE);
  if (gtk_check_button_get_active (self->fgsm_check))
    add_attack (ev, self, OTTER_ATTACK_FGSM);
  if (gtk_check_button_get_active (self->pgd_check))
    add_attack (ev, self, OTTER_ATTACK_PGD);
  if (gtk_check_button_get_active (self->ot_check))
    add_attack (ev, self, OTTER_ATTACK_OT);
  if (gtk_check_button_get_active (self->pgd50_check))
    add_attack (ev, self, OTTER_ATTACK_PGD50);
  if (otter_evaluation_get_n_attacks (ev) == 0)
    return;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  g_signal_connect (ev, "notify::fraction", G_CALLBACK (progress_cb), self);
  g_signal_connect (ev, "notify::stage", G_CALLBACK (progress_cb), self);
  gtk_progress_bar_set_fraction (self->progress_bar, 0);
  gtk_label_set_label (self->summary_label, _("Starting…"));
  set_running (self, ev);

  GWeakRef *ref = g_new0 (GWeakRef, 1);
  g_weak_ref_init (ref, self);
  otter_evaluation_run_async (ev, self->cancellable, run_done_cb, ref);
}

static void
run_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  otter_eval_page_run (OTTER_EVAL_PAGE (widget));
}

static void
cancel_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  OtterEvalPage *self = OTTER_EVAL_PAGE (widget);
  g_cancellable_cancel (self->cancellable);
  gtk_label_set_label (self->summary_label, _("Cancelling…"));
}

/* ---- the second model ------------------------------------------------- */

static void
update_compare_row (OtterEvalPage *self, const char *message, gboolean is_error)
{
  if (message != NULL)
    adw_action_row_set_subtitle (self->compare_row, message);
  else if (self->compare_model != NULL)
    {
      g_autofree char *label = model_label (self->compare_model);
      g_autofree char *arch = otter_model_dup_label (self->compare_model);
      g_autofree char *text = g_strdup_printf ("%s (%s)", label, arch);
      adw_action_row_set_subtitle (self->compare_row, text);
    }
  else
    adw_action_row_set_subtitle (self->compare_row, _("None"));
  if (is_error)
    gtk_widget_add_css_class (GTK_WIDGET (self->compare_row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->compare_row), "error");
  update_actions (self);
}

static void
compare_loaded_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GWeakRef *ref = user_data;
  g_autoptr (OtterEvalPage) self = g_weak_ref_get (ref);
  g_autoptr (GError) error = NULL;
  g_autoptr (OtterModel) model = otter_model_load_finish (result, &error);

  g_weak_ref_clear (ref);
  g_free (ref);
  if (self == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (model == NULL)
    {
      update_compare_row (self, error->message, TRUE);
      return;
    }
  g_set_object (&self->compare_model, model);
  update_compare_row (self, NULL, FALSE);
}

/* Loads the model to compare with on a worker thread. */
void
otter_eval_page_load_compare (OtterEvalPage *self,
                              const char    *path)
{
  g_return_if_fail (OTTER_IS_EVAL_PAGE (self));
  g_return_if_fail (path != NULL);

  g_cancellable_cancel (self->compare_cancellable);
  g_clear_object (&self->compare_cancellable);
  self->compare_cancellable = g_cancellable_new ();
  g_clear_object (&self->compare_model);
  update_compare_row (self, _("Loading…"), FALSE);

  GWeakRef *ref = g_new0 (GWeakRef, 1);
  g_weak_ref_init (ref, self);
  otter_model_load_async (path, self->compare_cancellable, compare_loaded_cb, ref);
}

static void
compare_chooser_response_cb (GtkNativeDialog *dialog, int response, OtterEvalPage *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = g_file_get_path (file);
      if (path != NULL)
        otter_eval_page_load_compare (self, path);
    }
  g_clear_object (&self->chooser);
}

static GtkNativeDialog *
new_chooser (OtterEvalPage *self, const char *title, GtkFileChooserAction action, const char *accept)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkFileChooserNative *chooser =
    gtk_file_chooser_native_new (title, GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                 action, accept, _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_clear_object (&self->chooser);
  self->chooser = GTK_NATIVE_DIALOG (chooser);
  return self->chooser;
}

static void
choose_compare_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  OtterEvalPage *self = OTTER_EVAL_PAGE (widget);
  GtkNativeDialog *chooser = new_chooser (self, _("Choose a Model to Compare"),
                                          GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"));
  g_autoptr (GtkFileFilter) filter = gtk_file_filter_new ();
  gtk_file_filter_set_name (filter, _("Otter Models"));
  gtk_file_filter_add_pattern (filter, "*.otter");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  g_signal_connect (chooser, "response", G_CALLBACK (compare_chooser_response_cb), self);
  gtk_native_dialog_show (chooser);
}

static void
clear_compare_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  OtterEvalPage *self = OTTER_EVAL_PAGE (widget);
  g_cancellable_cancel (self->compare_cancellable);
  g_clear_object (&self->compare_model);
  update_compare_row (self, NULL, FALSE);
}

/* ---- export ----------------------------------------------------------- */

static void
export_written_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;
  if (!g_file_replace_contents_finish (G_FILE (source), result, NULL, &error))
    g_warning ("Could not export the results: %s", error->message);
}

static void
export_response_cb (GtkNativeDialog *dialog, int response, OtterEvalPage *self)
{
  if (response == GTK_RESPONSE_ACCEPT && self->evaluation != NULL)
    {
      g_autoptr (GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      gboolean json = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (dialog), "otter-json"));
      char *text = json ? otter_evaluation_to_json (self->evaluation)
                        : otter_evaluation_to_csv (self->evaluation);
      g_autoptr (GBytes) bytes = g_bytes_new_take (text, strlen (text));
      g_file_replace_contents_bytes_async (file, bytes, NULL, FALSE, G_FILE_CREATE_REPLACE_DESTINATION,
                                           NULL, export_written_cb, NULL);
    }
  g_clear_object (&self->chooser);
}

static void
export_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  OtterEvalPage *self = OTTER_EVAL_PAGE (widget);
  gboolean json = g_str_equal (g_variant_get_string (param, NULL), "json");
  GtkNativeDialog *chooser = new_chooser (self, _("Export Results"), GTK_FILE_CHOOSER_ACTION_SAVE,
                                          _("_Export"));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), json ? "evaluation.json" : "evaluation.csv");
  g_object_set_data (G_OBJECT (chooser), "otter-json", GINT_TO_POINTER (json));
  g_signal_connect (chooser, "response", G_CALLBACK (export_response_cb), self);
  gtk_native_dialog_show (chooser);
}

/* ---- session ---------------------------------------------------------- */

static void
session_changed_cb (OtterEvalPage *self)
{
  /* results of another model or dataset would be misleading */
  g_cancellable_cancel (self->cancellable);
  set_running (self, NULL);
  otter_eval_page_clear_results (self);
  update_actions (self);
}

static void
otter_eval_page_dispose (GObject *object)
{
  OtterEvalPage *self = (OtterEvalPage *) object;

  g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->compare_cancellable);
  if (self->running != NULL)
    g_signal_handlers_disconnect_by_data (self->running, self);
  otter_eval_page_drops_dispose (self);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (self->chooser);
  g_clear_object (&self->chooser);
  gtk_widget_dispose_template (GTK_WIDGET (self), OTTER_TYPE_EVAL_PAGE);
  g_clear_object (&self->running);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->evaluation);
  g_clear_object (&self->compare_model);
  g_clear_object (&self->compare_cancellable);
  g_clear_object (&self->rows);
  G_OBJECT_CLASS (otter_eval_page_parent_class)->dispose (object);
}

static void
otter_eval_page_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  OtterEvalPage *self = (OtterEvalPage *) object;

  switch (prop_id)
    {
    case PROP_RUNNING: g_value_set_boolean (value, self->running != NULL); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void otter_eval_page_session_changed (OtterPage *page, OtterSession *old);

static void
otter_eval_page_class_init (OtterEvalPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = otter_eval_page_dispose;
  object_class->get_property = otter_eval_page_get_property;
  OTTER_PAGE_CLASS (klass)->session_changed = otter_eval_page_session_changed;

  properties[PROP_RUNNING] =
    g_param_spec_boolean ("running", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (OTTER_TYPE_BAR_CHART);
  g_type_ensure (OTTER_TYPE_PR_CHART);
  g_type_ensure (OTTER_TYPE_CONFUSION_VIEW);
  g_type_ensure (OTTER_TYPE_IMAGE_VIEW);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/ottertrain/Otter/ui/otter-eval-page.ui");
  gtk_widget_class_bind_template_child (widget_class, OtterEvalPage, data_row);
  gtk_widget_class_bind_template_child (widget_class, OtterEvalPage, fraction_row);
  gtk_widget_class_bind_template_child (widget_class, OtterEvalPage, seed_row);
  gtk_widget_class_bind_template_child (widget_class, OtterEvalPage, fraction_spin);
  gtk_widget_class_bind_template_child (widget_class, OtterEvalPage, seed_spin);
  gtk_widget_class_bind_template_child (widget_class, OtterEvalPage, clean_check);
  gtk_widget_class_bind_template_child (widget_class, OtterEvalPage, fgsm_check);
  gtk_widget_class_bind_template_child (widget_class, OtterEvalPage, pgd_check);
  gtk_widget_class_bind_template_child (widget_class, OtterEvalPage, ot_check);
  gtk_widget_class_bind_template_child (widget_class, OtterEvalPage, pgd50_check);
  gtk_widget_class_bind_template_child (widget_class, OtterEvalPage, epsilon_spin);
  gtk_widget_class_bind_template_child (widget_class, OtterEvalPage, steps_spin);
  gtk_widget_class_bind_template_child (widget_class, OtterEvalPage, compare_row);
  gtk_widget_class_bind_template_child (widget_class, OtterEvalPage, summary_label);
  gtk_widget_class_bind_template_child (widget_class, OtterEvalPage, export_button);
  gtk_widget_class_bind_template_child (widget_class, OtterEvalPage, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, OtterEvalPage, run_button);
  gtk_widget_class_bind_template_child (widget_class, OtterEvalPage, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, OtterEvalPage, results_stack);
  gtk_widget_class_bind_template_child (widget_class, OtterEvalPage, empty_status);
  gtk_widget_class_bind_template_child (widget_class, OtterEvalPage, chart);
  gtk_widget_class_bind_template_child (widget_class, OtterEvalPage, table);
  gtk_widget_class_bind_template_child (widget_class, OtterEvalPage, views_stack);
  gtk_widget_class_bind_template_child (widget_class, OtterEvalPage, views_switcher);
  gtk_widget_class_bind_template_child (widget_class, OtterEvalPage, attack_box);
  gtk_widget_class_bind_template_child (widget_class, OtterEvalPage, attack_dropdown);
  gtk_widget_class_bind_template_child (widget_class, OtterEvalPage, attack_choices);
  gtk_widget_class_bind_template_child (widget_class, OtterEvalPage, pr_chart);
  gtk_widget_class_bind_template_child (widget_class, OtterEvalPage, confusion_view);
  gtk_widget_class_bind_template_child (widget_class, OtterEvalPage, confusion_caption);
  gtk_widget_class_bind_template_child (widget_class, OtterEvalPage, drops_stack);
  gtk_widget_class_bind_template_child (widget_class, OtterEvalPage, drops_status);
  gtk_widget_class_bind_template_child (widget_class, OtterEvalPage, drops_list);
  gtk_widget_class_bind_template_child (widget_class, OtterEvalPage, inspect_title);
  gtk_widget_class_bind_template_child (widget_class, OtterEvalPage, inspect_note);
  gtk_widget_class_bind_template_child (widget_class, OtterEvalPage, inspect_spinner);
  gtk_widget_class_bind_template_child (widget_class, OtterEvalPage, clean_label);
  gtk_widget_class_bind_template_child (widget_class, OtterEvalPage, attacked_label);
  gtk_widget_class_bind_template_child (widget_class, OtterEvalPage, clean_view);
  gtk_widget_class_bind_template_child (widget_class, OtterEvalPage, attacked_view);

  gtk_widget_class_install_action (widget_class, "eval.run", NULL, run_action);
  gtk_widget_class_install_action (widget_class, "eval.cancel", NULL, cancel_action);
  gtk_widget_class_install_action (widget_class, "eval.choose-compare", NULL, choose_compare_action);
  gtk_widget_class_install_action (widget_class, "eval.clear-compare", NULL, clear_compare_action);
  gtk_widget_class_install_action (widget_class, "eval.export", "s", export_action);
}

static void
otter_eval_page_init (OtterEvalPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  GSignalGroup *session_signals = otter_page_get_session_signals (OTTER_PAGE (self));
  g_signal_group_connect_object (session_signals, "notify::model", G_CALLBACK (session_changed_cb), self,
                                 G_CONNECT_SWAPPED);
  g_signal_group_connect_object (session_signals, "notify::dataset", G_CALLBACK (session_changed_cb), self,
                                 G_CONNECT_SWAPPED);

  otter_eval_page_results_init (self);
  otter_eval_page_drops_init (self);

  g_signal_connect_swapped (self->clean_check, "notify::active", G_CALLBACK (update_actions), self);
  g_signal_connect_swapped (self->fgsm_check, "notify::active", G_CALLBACK (update_actions), self);
  g_signal_connect_swapped (self->pgd_check, "notify::active", G_CALLBACK (update_actions), self);
  g_signal_connect_swapped (self->ot_check, "notify::active", G_CALLBACK (update_actions), self);
  g_signal_connect_swapped (self->pgd50_check, "notify::active", G_CALLBACK (update_actions), self);
  g_signal_connect_swapped (self->data_row, "notify::selected", G_CALLBACK (update_actions), self);
  update_actions (self);
  otter_eval_page_show_idle_state (self);
}

static void
otter_eval_page_session_changed (OtterPage    *page,
                                 OtterSession *old)
{
  session_changed_cb (OTTER_EVAL_PAGE (page));
}

void
otter_eval_page_set_attack_enabled (OtterEvalPage   *self,
                                    OtterAttackKind  kind,
                                    gboolean         enabled)
{
  g_return_if_fail (OTTER_IS_EVAL_PAGE (self));
  GtkCheckButton *checks[] = {
    [OTTER_ATTACK_NONE] = self->clean_check,
    [OTTER_ATTACK_FGSM] = self->fgsm_check,
    [OTTER_ATTACK_PGD] = self->pgd_check,
    [OTTER_ATTACK_OT] = self->ot_check,
    [OTTER_ATTACK_PGD50] = self->pgd50_check,
  };
  g_return_if_fail ((guint) kind < G_N_ELEMENTS (checks) && checks[kind] != NULL);
  gtk_check_button_set_active (checks[kind], enabled);
}

gboolean
otter_eval_page_get_running (OtterEvalPage *self)
{
  g_return_val_if_fail (OTTER_IS_EVAL_PAGE (self), FALSE);
  return self->running != NULL;
}

OtterEvaluation *
otter_eval_page_get_evaluation (OtterEvalPage *self)
{
  g_return_val_if_fail (OTTER_IS_EVAL_PAGE (self), NULL);
  return self->evaluation;
}

GListModel *
otter_eval_page_get_rows (OtterEvalPage *self)
{
  g_return_val_if_fail (OTTER_IS_EVAL_PAGE (self), NULL);
  return G_LIST_MODEL (self->rows);
}

OtterBarChart *
otter_eval_page_get_chart (OtterEvalPage *self)
{
  g_return_val_if_fail (OTTER_IS_EVAL_PAGE (self), NULL);
  return self->chart;
}

OtterModel *
otter_eval_page_get_compare_model (OtterEvalPage *self)
{
  g_return_val_if_fail (OTTER_IS_EVAL_PAGE (self), NULL);
  return self->compare_model;
}

OtterPrChart *
otter_eval_page_get_pr_chart (OtterEvalPage *self)
{
  g_return_val_if_fail (OTTER_IS_EVAL_PAGE (self), NULL);
  return self->pr_chart;
}

OtterConfusionView *
otter_eval_page_get_confusion_view (OtterEvalPage *self)
{
  g_return_val_if_fail (OTTER_IS_EVAL_PAGE (self), NULL);
  return self->confusion_view;
}

void
otter_eval_page_show_view (OtterEvalPage *self,
                           const char    *view)
{
  g_return_if_fail (OTTER_IS_EVAL_PAGE (self));
  g_return_if_fail (view != NULL);
  gtk_stack_set_visible_child_name (self->views_stack, view);
}

void
otter_eval_page_select_run (OtterEvalPage *self,
                            guint          model,
                            guint          attack)
{
  g_return_if_fail (OTTER_IS_EVAL_PAGE (self));
  g_return_if_fail (self->evaluation != NULL);
  g_return_if_fail (attack < otter_evaluation_get_n_attacks (self->evaluation));
  gtk_drop_down_set_selected (self->attack_dropdown,
                              model * otter_evaluation_get_n_attacks (self->evaluation) + attack);
}
