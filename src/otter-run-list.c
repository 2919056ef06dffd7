/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-run-list.c: past training runs, newest first */

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "otter-run.h"
#include "otter-run-list.h"

#define MAX_RUNS 30

/* ---- one run, as read from its folder ----------------------------------- */

#define OTTER_TYPE_RUN_INFO (otter_run_info_get_type ())
G_DECLARE_FINAL_TYPE (OtterRunInfo, otter_run_info, OTTER, RUN_INFO, GObject)

struct _OtterRunInfo
{
  GObject    parent_instance;
  char      *dir;
  char      *method;
  char      *name;       /* the user's name for it, NULL when never named */
  char      *data;
  char      *status;     /* the end record's status, NULL when it has none */
  char      *problem;    /* why its history could not be read in full */
  double     final_loss;
  double     val_map50;  /* the last epoch's, NAN without validation */
  double     seconds;    /* training time, summed over epochs */
  int        epochs;
  int        world_size; /* processes that trained it */
  GDateTime *date;
};

G_DEFINE_FINAL_TYPE (OtterRunInfo, otter_run_info, G_TYPE_OBJECT)

static void
otter_run_info_finalize (GObject *object)
{
  OtterRunInfo *self = OTTER_RUN_INFO (object);
  g_free (self->dir);
  g_free (self->method);
  g_free (self->name);
  g_free (self->data);
  g_free (self->status);
  g_free (self->problem);
  g_clear_pointer (&self->date, g_date_time_unref);
  G_OBJECT_CLASS (otter_run_info_parent_class)->finalize (object);
}

static void
otter_run_info_class_init (OtterRunInfoClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = otter_run_info_finalize;
}

static void
otter_run_info_init (OtterRunInfo *self)
{
  self->final_loss = NAN;
  self->val_map50 = NAN;
}

/* A run can be resumed when it never ended (crash, closed app) or ended
 * without converging. */
static gboolean
run_info_is_resumable (OtterRunInfo *info)
{
  return info->status == NULL || g_strcmp0 (info->status, "stopped") == 0 ||
         g_strcmp0 (info->status, "not-converged") == 0;
}

static OtterRunInfo *
run_info_read (const char *dir)
{
  g_autofree char *config_path = g_build_filename (dir, OTTER_RUN_CONFIG, NULL);
  g_autoptr (OtterRunInfo) info = NULL;
  g_autoptr (GFile) file = NULL;
  g_autoptr (GFileInfo) finfo = NULL;
  OtterTrainConfig config;

  otter_train_config_init (&config);
  if (!otter_run_read_config (dir, &config, NULL))
    {
      otter_train_config_clear (&config);
      return NULL;                              /* not a run folder */
    }
  info = g_object_new (OTTER_TYPE_RUN_INFO, NULL);
  info->dir = g_strdup (dir);
  info->method = g_strdup (otter_train_method_to_string (config.train.method));
  /* Runs are named after their method until the user names them. */
  if (config.name != NULL && g_strcmp0 (config.name, info->method) != 0)
    info->name = g_strdup (config.name);
  info->data = config.data ? g_path_get_basename (config.data) : NULL;
  info->world_size = config.world_size;
  otter_train_config_clear (&config);

  file = g_file_new_for_path (config_path);
  finfo = g_file_query_info (file, G_FILE_ATTRIBUTE_TIME_MODIFIED, G_FILE_QUERY_INFO_NONE, NULL, NULL);
  if (finfo != NULL)
    info->date = g_file_info_get_modification_date_time (finfo);

  g_autoptr (GError) error = NULL;
  g_autoptr (OtterRunHistory) history = otter_run_read_history (dir, -1, &error);
  if (history == NULL)
    {
      info->problem = g_strdup (error->message);
      return g_steal_pointer (&info);
    }
  if (history->n_damaged > 0)
    info->problem = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u damaged line in its history",
                                                  "%u damaged lines in its history", history->n_damaged),
                                     history->n_damaged);
  for (guint i = 0; i < history->epochs->len; i++)
    {
      const OtterEpochPoint *e = &g_array_index (history->epochs, OtterEpochPoint, i);
      if (isfinite (e->seconds))
        info->seconds += e->seconds;
      if (isfinite (e->val_map50))
        info->val_map50 = e->val_map50;
      info->final_loss = e->loss;
      info->epochs = e->epoch;
    }
  if (history->ended)
    {
      info->status = g_strdup (history->end.status);
      info->epochs = history->end.epochs;
      info->final_loss = history->end.final_loss;
    }
  return g_steal_pointer (&info);
}

static int
compare_dir_desc (gconstpointer a,
                  gconstpointer b)
{
  return -g_strcmp0 (*(const char **) a, *(const char **) b);
}

static void
scan_thread (GTask        *task,
             gpointer      source,
             gpointer      task_data,
             GCancellable *cancellable)
{
  const char *root = task_data;
  g_autoptr (GDir) dir = g_dir_open (root, 0, NULL);
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) infos = g_ptr_array_new_with_free_func (g_object_unref);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_build_filename (root, name, NULL));
  /* Folder names start with a timestamp: sorting them sorts by date. */
  g_ptr_array_sort (names, compare_dir_desc);
  for (guint i = 0; i < names->len && infos->len < MAX_RUNS; i++)
    {
      if (g_cancellable_is_cancelled (cancellable))
        break;
      OtterRunInfo *info = run_info_read (names->pdata[i]);
      if (info != NULL)
        g_ptr_array_add (infos, info);
    }
  g_task_return_pointer (task, g_steal_pointer (&infos), (GDestroyNotify) g_ptr_array_unref);
}

/* ---- the list ----------------------------------------------------------- */

struct _OtterRunList
{
  AdwBin        parent_instance;
  GListStore   *runs;
  GtkListBox   *list;
  GCancellable *cancellable;
  char         *root;
  char         *active_dir;   /* the run going on now: not to be renamed or trashed */
  GHashTable   *compared;     /* run folders drawn on the chart to compare */
};

enum
{
  RUN_ACTIVATED,
  RESUME_REQUESTED,
  PROBLEM,
  COMPARE_TOGGLED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (OtterRunList, otter_run_list, ADW_TYPE_BIN)

static const char *
status_text (OtterRunInfo *info,
             const char  **style)
{
  if (info->status == NULL)
    return *style = "dim-label", _("Interrupted");
  if (g_str_equal (info->status, "converged"))
    return *style = "success", _("Converged");
  if (g_str_equal (info->status, "not-converged"))
    return *style = "warning", _("Not converged");
  if (g_str_equal (info->status, "stopped"))
    return *style = "warning", _("Stopped");
  if (g_str_equal (info->status, "failed"))
    return *style = "error", _("Failed");
  return *style = "dim-label", info->status;
}

static const char *
method_text (const char *method)
{
  if (g_strcmp0 (method, "ot") == 0)
    return _("OT");
  if (g_strcmp0 (method, "standard") == 0)
    return _("Standard");
  if (g_strcmp0 (method, "pgd") == 0)
    return _("PGD");
  return method;
}

static void
resume_clicked_cb (GtkButton    *button,
                   OtterRunList *self)
{
  const char *dir = g_object_get_data (G_OBJECT (button), "run-dir");
  g_signal_emit (self, signals[RESUME_REQUESTED], 0, dir);
}

/* When the run started, in the user's language (month names and their
 * order differ: "Dec  2, 12:53", "12月2日 12:53"). */
static char *
start_time_text (OtterRunInfo *info)
{
  if (info->date == NULL)
    return g_strdup ("");
  /* Translators: a run's start time in g_date_time_format() syntax
   * (%b month name, %e day, %-m month number, %-d day without padding). */
  /* xgettext:no-c-format */
  return g_date_time_format (info->date, _("%b %e, %H:%M"));
}

/* The label a compared run goes by in the chart's legend. */
static char *
short_title (OtterRunInfo *info)
{
  g_autofree char *date = start_time_text (info);
  if (info->name != NULL)
    return g_strdup (info->name);
  return g_strdup_printf ("%s · %s", g_strstrip (date), method_text (info->method));
}

static void
compare_toggled_cb (GtkCheckButton *check,
                    OtterRunList   *self)
{
  const char *dir = g_object_get_data (G_OBJECT (check), "run-dir");
  const char *title = g_object_get_data (G_OBJECT (check), "run-title");
  gboolean active = gtk_check_button_get_active (check);

  /* set from otter_run_list_set_compared: the caller knows already */
  if (active == g_hash_table_contains (self->compared, dir))
    return;
  if (active)
    g_hash_table_add (self->compared, g_strdup (dir));
  else
    g_hash_table_remove (self->compared, dir);
  g_signal_emit (self, signals[COMPARE_TOGGLED], 0, dir, title, active);
}

static GtkWidget *
create_row (gpointer item,
            gpointer user_data)
{
  OtterRunList *self = user_data;
  OtterRunInfo *info = item;
  const char *style = NULL;
  gboolean active = g_strcmp0 (info->dir, self->active_dir) == 0;
  const char *status = active ? (style = "accent", _("Running")) : status_text (info, &style);
  g_autofree char *date = start_time_text (info);
  g_autofree char *title = info->name != NULL
    ? g_strdup_printf ("%s · %s · %s", info->name, g_strstrip (date), method_text (info->method))
    : g_strdup_printf ("%s · %s", g_strstrip (date), method_text (info->method));
  g_autofree char *subtitle = NULL;

  GString *line = g_string_new (info->data ? info->data : "");
  if (info->epochs > 0)
    g_string_append_printf (line, g_dngettext (GETTEXT_PACKAGE, " · %d epoch", " · %d epochs", info->epochs),
                            info->epochs);
  if (isfinite (info->final_loss))
    g_string_append_printf (line, _(" · loss %.3f"), info->final_loss);
  if (isfinite (info->val_map50))
    g_string_append_printf (line, _(" · mAP@0.5 %.3f"), info->val_map50);
  if (info->seconds >= 60)
    g_string_append_printf (line, _(" · %.0f min"), info->seconds / 60);
  else if (info->seconds > 0)
    g_string_append_printf (line, _(" · %.0f s"), info->seconds);
  if (info->world_size > 1)
    g_string_append_printf (line, g_dngettext (GETTEXT_PACKAGE, " · %d process", " · %d processes",
                                               info->world_size), info->world_size);
  if (info->problem != NULL)
    g_string_append_printf (line, " · %s", info->problem);
  subtitle = g_string_free (line, FALSE);

  GtkWidget *row = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  gtk_widget_set_tooltip_text (row, _("Show this run’s curves"));
  g_object_set_data_full (G_OBJECT (row), "run-dir", g_strdup (info->dir), g_free);

  /* A finished run can be drawn under the current curves to compare. */
  if (!active)
    {
      GtkWidget *check = gtk_check_button_new ();
      gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
      gtk_widget_set_tooltip_text (check, _("Compare this run on the chart"));
      gtk_accessible_update_property (GTK_ACCESSIBLE (check), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Compare on chart"), -1);
      gtk_check_button_set_active (GTK_CHECK_BUTTON (check), g_hash_table_contains (self->compared, info->dir));
      g_object_set_data_full (G_OBJECT (check), "run-dir", g_strdup (info->dir), g_free);
      g_object_set_data_full (G_OBJECT (check), "run-title", short_title (info), g_free);
      g_object_set_data (G_OBJECT (row), "compare-check", check);
      g_signal_connect_object (check, "toggled", G_CALLBACK (compare_toggled_cb), self, 0);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
    }

  GtkWidget *label = gtk_label_new (status);
  gtk_widget_add_css_class (label, "caption-heading");
  gtk_widget_add_css_class (label, style);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), label);

  GMenu *menu = g_menu_new ();
  g_autoptr (GMenuItem) rename = g_menu_item_new (_("_Rename…"), NULL);
  g_menu_item_set_action_and_target_value (rename, "runs.rename", g_variant_new_string (info->dir));
  g_menu_append_item (menu, rename);
  g_autoptr (GMenuItem) trash = g_menu_item_new (_("_Move to Trash"), NULL);
  g_menu_item_set_action_and_target_value (trash, "runs.trash", g_variant_new_string (info->dir));
  g_menu_append_item (menu, trash);
  GtkWidget *more = gtk_menu_button_new ();
  gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (more), "view-more-symbolic");
  gtk_menu_button_set_menu_model (GTK_MENU_BUTTON (more), G_MENU_MODEL (menu));
  g_object_unref (menu);
  gtk_widget_set_valign (more, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (more, "flat");
  gtk_widget_set_tooltip_text (more, _("Rename or remove this run"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (more), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Run actions"), -1);

  if (run_info_is_resumable (info) && !active)
    {
      GtkWidget *button = gtk_button_new_from_icon_name ("media-playback-start-symbolic");
      gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (button, "flat");
      gtk_widget_set_tooltip_text (button, _("Resume this run from its last checkpoint"));
      gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Resume"), -1);
      g_object_set_data_full (G_OBJECT (button), "run-dir", g_strdup (info->dir), g_free);
      g_signal_connect_object (button, "clicked", G_CALLBACK (resume_clicked_cb), self, 0);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
    }
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), more);
  return row;
}

static void
row_activated_cb (GtkListBox    *list,
                  GtkListBoxRow *row,
                  OtterRunList  *self)
{
  const char *dir = g_object_get_data (G_OBJECT (row), "run-dir");
  if (dir != NULL)
    g_signal_emit (self, signals[RUN_ACTIVATED], 0, dir);
}

static void
scan_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr (GPtrArray) infos = g_task_propagate_pointer (G_TASK (result), NULL);
  OtterRunList *self = user_data;

  /* A cancelled (superseded or disposed) scan leaves the list alone. */
  if (infos == NULL || g_task_had_error (G_TASK (result)) ||
      g_cancellable_is_cancelled (g_task_get_cancellable (G_TASK (result))))
    return;
  g_list_store_splice (self->runs, 0, g_list_model_get_n_items (G_LIST_MODEL (self->runs)),
                       infos->pdata, infos->len);

  /* A compared run that went (to the trash, or out of the list) leaves the chart. */
  g_autoptr (GPtrArray) gone = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter iter;
  gpointer dir;
  g_hash_table_iter_init (&iter, self->compared);
  while (g_hash_table_iter_next (&iter, &dir, NULL))
    {
      gboolean listed = FALSE;
      for (guint i = 0; i < infos->len && !listed; i++)
        listed = g_strcmp0 (((OtterRunInfo *) g_ptr_array_index (infos, i))->dir, dir) == 0;
      if (!listed)
        g_ptr_array_add (gone, g_strdup (dir));
    }
  for (guint i = 0; i < gone->len; i++)
    {
      g_hash_table_remove (self->compared, g_ptr_array_index (gone, i));
      g_signal_emit (self, signals[COMPARE_TOGGLED], 0, g_ptr_array_index (gone, i), "", FALSE);
    }
}

/* ---- renaming and removing -------------------------------------------- */

static gboolean
refuse_if_active (OtterRunList *self,
                  const char   *dir)
{
  if (g_strcmp0 (dir, self->active_dir) != 0)
    return FALSE;
  g_signal_emit (self, signals[PROBLEM], 0, _("This run is still going; stop it first"));
  return TRUE;
}

static void
trash_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr (OtterRunList) self = user_data;
  g_autoptr (GError) error = NULL;

  if (!g_file_trash_finish (G_FILE (source), result, &error))
    {
      /* Nothing is deleted for good when there is no trash to move to. */
      g_autofree char *message = g_strdup_printf (_("Could not move the run to the trash: %s"), error->message);
      g_signal_emit (self, signals[PROBLEM], 0, message);
    }
  otter_run_list_reload (self);
}

static void
trash_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  OtterRunList *self = OTTER_RUN_LIST (widget);
  const char *dir = g_variant_get_string (parameter, NULL);

  if (refuse_if_active (self, dir))
    return;
  g_autoptr (GFile) file = g_file_new_for_path (dir);
  g_file_trash_async (file, G_PRIORITY_DEFAULT, NULL, trash_done_cb, g_object_ref (self));
}

static void
rename_response_cb (AdwMessageDialog *dialog,
                    const char       *response,
                    OtterRunList     *self)
{
  const char *dir = g_object_get_data (G_OBJECT (dialog), "otter-run-dir");
  GtkEditable *entry = GTK_EDITABLE (adw_message_dialog_get_extra_child (dialog));
  g_autoptr (GError) error = NULL;

  if (g_strcmp0 (response, "rename") != 0)
    return;
  if (!otter_run_rename (dir, gtk_editable_get_text (entry), &error))
    {
      g_autofree char *message = g_strdup_printf (_("Could not rename the run: %s"), error->message);
      g_signal_emit (self, signals[PROBLEM], 0, message);
    }
  otter_run_list_reload (self);
}

static void
rename_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  OtterRunList *self = OTTER_RUN_LIST (widget);
  const char *dir = g_variant_get_string (parameter, NULL);

  if (refuse_if_active (self, dir))
    return;
  GtkWidget *entry = gtk_entry_new ();
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  gtk_entry_set_placeholder_text (GTK_ENTRY (entry), _("Name"));
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->runs)); i++)
    {
      g_autoptr (OtterRunInfo) info = g_list_model_get_item (G_LIST_MODEL (self->runs), i);
      if (g_strcmp0 (info->dir, dir) == 0 && info->name != NULL)
        gtk_editable_set_text (GTK_EDITABLE (entry), info->name);
    }
  GtkRoot *root = gtk_widget_get_root (widget);
  AdwMessageDialog *dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                                                         _("Rename Run"), NULL));
  adw_message_dialog_set_extra_child (dialog, entry);
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "rename", _("_Rename"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "rename", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "rename");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "otter-run-dir", g_strdup (dir), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (rename_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
otter_run_list_dispose (GObject *object)
{
  OtterRunList *self = OTTER_RUN_LIST (object);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->runs);
  g_clear_pointer (&self->root, g_free);
  g_clear_pointer (&self->active_dir, g_free);
  g_clear_pointer (&self->compared, g_hash_table_unref);
  G_OBJECT_CLASS (otter_run_list_parent_class)->dispose (object);
}

static void
otter_run_list_class_init (OtterRunListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = otter_run_list_dispose;

  /* A row was clicked: show the run in `dir`. */
  signals[RUN_ACTIVATED] = g_signal_new ("run-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  /* The resume button of an interrupted run was clicked. */
  signals[RESUME_REQUESTED] = g_signal_new ("resume-requested", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                            0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  /* Renaming or removing a run did not work; the sentence says why. */
  signals[PROBLEM] = g_signal_new ("problem", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  /* A run's compare check was switched: (dir, its short title, on). */
  signals[COMPARE_TOGGLED] = g_signal_new ("compare-toggled", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                           0, NULL, NULL, NULL, G_TYPE_NONE, 3,
                                           G_TYPE_STRING, G_TYPE_STRING, G_TYPE_BOOLEAN);

  gtk_widget_class_install_action (GTK_WIDGET_CLASS (klass), "runs.rename", "s", rename_action);
  gtk_widget_class_install_action (GTK_WIDGET_CLASS (klass), "runs.trash", "s", trash_action);
}

static void
otter_run_list_init (OtterRunList *self)
{
  GtkWidget *placeholder = gtk_label_new (_("No runs yet"));

  self->runs = g_list_store_new (OTTER_TYPE_RUN_INFO);
  self->compared = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (self->list, GTK_SELECTION_NONE);
  gtk_widget_add_css_class (GTK_WIDGET (self->list), "boxed-list");
  gtk_widget_add_css_class (placeholder, "dim-label");
  gtk_widget_set_margin_top (placeholder, 12);
  gtk_widget_set_margin_bottom (placeholder, 12);
  gtk_list_box_set_placeholder (self->list, placeholder);
  gtk_list_box_bind_model (self->list, G_LIST_MODEL (self->runs), create_row, self, NULL);
  g_signal_connect (self->list, "row-activated", G_CALLBACK (row_activated_cb), self);
  adw_bin_set_child (ADW_BIN (self), GTK_WIDGET (self->list));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->list), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Past runs"), -1);
}

GtkWidget *
otter_run_list_new (void)
{
  return g_object_new (OTTER_TYPE_RUN_LIST, NULL);
}

void
otter_run_list_set_root (OtterRunList *self,
                         const char   *root)
{
  g_return_if_fail (OTTER_IS_RUN_LIST (self));
  g_free (self->root);
  self->root = g_strdup (root);
}

void
otter_run_list_reload (OtterRunList *self)
{
  g_return_if_fail (OTTER_IS_RUN_LIST (self));

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_set_object (&self->cancellable, g_cancellable_new ());

  g_autoptr (GTask) task = g_task_new (NULL, self->cancellable, scan_done_cb, self);
  g_task_set_source_tag (task, otter_run_list_reload);
  g_task_set_task_data (task, self->root ? g_strdup (self->root) : otter_run_default_root (), g_free);
  g_task_run_in_thread (task, scan_thread);
}

guint
otter_run_list_get_n_runs (OtterRunList *self)
{
  g_return_val_if_fail (OTTER_IS_RUN_LIST (self), 0);
  return g_list_model_get_n_items (G_LIST_MODEL (self->runs));
}

void
otter_run_list_set_active_dir (OtterRunList *self,
                               const char   *dir)
{
  g_return_if_fail (OTTER_IS_RUN_LIST (self));
  g_free (self->active_dir);
  self->active_dir = g_strdup (dir);
}

const char *
otter_run_list_get_title (OtterRunList *self,
                          guint         index)
{
  g_return_val_if_fail (OTTER_IS_RUN_LIST (self), NULL);
  GtkListBoxRow *row = gtk_list_box_get_row_at_index (self->list, (int) index);
  return row ? adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)) : NULL;
}

const char *
otter_run_list_get_dir (OtterRunList *self,
                        guint         index)
{
  g_return_val_if_fail (OTTER_IS_RUN_LIST (self), NULL);
  g_autoptr (OtterRunInfo) info = g_list_model_get_item (G_LIST_MODEL (self->runs), index);
  /* the list holds its own reference: the string outlives ours */
  return info ? info->dir : NULL;
}

void
otter_run_list_set_compared (OtterRunList *self,
                             const char   *dir,
                             gboolean      compared)
{
  g_return_if_fail (OTTER_IS_RUN_LIST (self));
  g_return_if_fail (dir != NULL);
  if (compared)
    g_hash_table_add (self->compared, g_strdup (dir));
  else
    g_hash_table_remove (self->compared, dir);
  for (int i = 0;; i++)
    {
      GtkListBoxRow *row = gtk_list_box_get_row_at_index (self->list, i);
      if (row == NULL)
        break;
      GtkCheckButton *check = g_object_get_data (G_OBJECT (row), "compare-check");
      if (check != NULL && g_strcmp0 (g_object_get_data (G_OBJECT (check), "run-dir"), dir) == 0)
        gtk_check_button_set_active (check, compared);
    }
}

GtkCheckButton *
otter_run_list_get_compare_check (OtterRunList *self,
                                  guint         index)
{
  g_return_val_if_fail (OTTER_IS_RUN_LIST (self), NULL);
  GtkListBoxRow *row = gtk_list_box_get_row_at_index (self->list, (int) index);
  return row ? g_object_get_data (G_OBJECT (row), "compare-check") : NULL;
}

gboolean
otter_run_list_is_compared (OtterRunList *self,
                            const char   *dir)
{
  g_return_val_if_fail (OTTER_IS_RUN_LIST (self), FALSE);
  return dir != NULL && g_hash_table_contains (self->compared, dir);
}
