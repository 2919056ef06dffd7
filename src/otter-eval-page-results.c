/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-eval-page-results.c: the Evaluation page's results: the table, the
 * mAP chart, and per attack the PR curves and the confusion matrix */

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "otter-eval-page-private.h"

void
otter_eval_page_show_empty (OtterEvalPage *self,
                            const char    *title,
                            const char    *description,
                            const char    *icon)
                            {
                            adw_status_page_set_title (self->empty_status, title);
  adw_status_page_set_description (self->empty_status, description);
  adw_status_page_set_icon_name (self->empty_status, icon);
  gtk_stack_set_visible_child_name (self->results_stack, "empty");
}

void
otter_eval_page_show_idle_state (OtterEvalPage *self)
{
  OtterDataset *dataset = otter_page_get_session (OTTER_PAGE (self)) ? otter_session_get_dataset (otter_page_get_session (OTTER_PAGE (self))) : NULL;
  OtterModel *model = otter_page_get_session (OTTER_PAGE (self)) ? otter_session_get_model (otter_page_get_session (OTTER_PAGE (self))) : NULL;

  if (dataset == NULL)
    otter_eval_page_show_empty (self, _("No Dataset"), _("Open a dataset or use the demo to evaluate on"),
                                "folder-pictures-symbolic");
  else if (model == NULL)
    otter_eval_page_show_empty (self, _("No Model"), _("Create or open a model on the Model page"),
                                "application-x-addon-symbolic");
  else
    otter_eval_page_show_empty (self, _("No Results Yet"),
                                _("Choose the images and attacks, then evaluate the model for its clean and robust mAP"),
                                "view-list-bullet-symbolic");
  gtk_label_set_label (self->summary_label, "");
}

/* ---- the table -------------------------------------------------------- */

typedef struct
{
  OtterEvalPage *page;        /* owns the column view */
  int            model;       /* -1: the class column */
  guint          attack;
  gboolean       ap50;
} ColumnInfo;

static void
cell_setup_cb (GtkSignalListItemFactory *factory, GtkListItem *item, ColumnInfo *info)
{
  GtkWidget *label = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (label), info->model < 0 ? 0 : 1);
  gtk_widget_set_margin_start (label, 6);
  gtk_widget_set_margin_end (label, 6);
  if (info->model >= 0)
    gtk_widget_add_css_class (label, "numeric");
  gtk_list_item_set_child (item, label);
}

static void
cell_bind_cb (GtkSignalListItemFactory *factory, GtkListItem *item, ColumnInfo *info)
{
  GtkLabel *label = GTK_LABEL (gtk_list_item_get_child (item));
  const char *key = gtk_string_object_get_string (gtk_list_item_get_item (item));
  OtterEvaluation *ev = info->page->evaluation;
  gboolean mean = g_str_equal (key, OTTER_EVAL_PAGE_MEAN_ROW);
  guint c = mean ? 0 : (guint) g_ascii_strtoull (key, NULL, 10);

  /* the mean row in bold, at the table's own size */
  if (mean)
    {
      PangoAttrList *attrs = pango_attr_list_new ();
      pango_attr_list_insert (attrs, pango_attr_weight_new (PANGO_WEIGHT_BOLD));
      gtk_label_set_attributes (label, attrs);
      pango_attr_list_unref (attrs);
    }
  else
    gtk_label_set_attributes (label, NULL);
  if (ev == NULL)
    {
      gtk_label_set_label (label, "");
      return;
    }
  if (info->model < 0)
    {
      const char *const *names = otter_evaluation_get_class_names (ev);
      gtk_label_set_label (label, mean ? _("Mean") : names[c]);
      return;
    }
  const OtterMapResult *r = otter_evaluation_get_result (ev, info->model, info->attack);
  double v = NAN;
  if (r != NULL)
    v = mean ? (info->ap50 ? r->map50 : r->map)
             : (c < r->n_classes ? (info->ap50 ? r->ap50[c] : r->ap[c]) : NAN);
  if (isfinite (v))
    {
      g_autofree char *text = g_strdup_printf ("%.3f", v);
      gtk_label_set_label (label, text);
    }
  else
    gtk_label_set_label (label, "—");
}

static void
add_column (OtterEvalPage *self, const char *title, int model, guint attack, gboolean ap50)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  ColumnInfo *info = g_new0 (ColumnInfo, 1);
  info->page = self;
  info->model = model;
  info->attack = attack;
  info->ap50 = ap50;
  g_signal_connect (factory, "setup", G_CALLBACK (cell_setup_cb), info);
  g_signal_connect_data (factory, "bind", G_CALLBACK (cell_bind_cb), info,
                         (GClosureNotify) (void (*) (void)) g_free, 0);
  GtkColumnViewColumn *column = gtk_column_view_column_new (title, factory);
  gtk_column_view_column_set_expand (column, model < 0);
  gtk_column_view_column_set_resizable (column, TRUE);
  gtk_column_view_append_column (self->table, column);
  g_object_unref (column);
}

static void
clear_columns (OtterEvalPage *self)
{
  GListModel *columns = gtk_column_view_get_columns (self->table);
  while (g_list_model_get_n_items (columns) > 0)
    {
      g_autoptr (GtkColumnViewColumn) column = g_list_model_get_item (columns, 0);
      gtk_column_view_remove_column (self->table, column);
    }
}

/* ---- the per-attack views --------------------------------------------- */

/* The dropdown lists every run, model-major, so position m × n_attacks + a
 * is model m under attack a. */
static gboolean
selected_run (OtterEvalPage *self,
              guint         *model,
              guint         *attack)
{
  guint n_attacks, position = gtk_drop_down_get_selected (self->attack_dropdown);

  if (self->evaluation == NULL || position == GTK_INVALID_LIST_POSITION)
    return FALSE;
  n_attacks = otter_evaluation_get_n_attacks (self->evaluation);
  *model = position / n_attacks;
  *attack = position % n_attacks;
  return *model < otter_evaluation_get_n_models (self->evaluation);
}

static void
update_run_views (OtterEvalPage *self)
{
  OtterEvaluation *ev = self->evaluation;
  guint model, attack;

  if (!selected_run (self, &model, &attack))
    {
      otter_pr_chart_clear (self->pr_chart);
      otter_confusion_view_clear (self->confusion_view);
      otter_eval_page_drops_clear (self);
      return;
    }
  const char *const *names = otter_evaluation_get_class_names (ev);
  g_autofree char *label = otter_evaluation_dup_attack_label (ev, attack);
  g_autofree char *caption =
    g_strdup_printf (_("%s: what each object was detected as, counting detections scored %.2f or more "
                       "that overlap it by IoU 0.5. Rows are the true class, with detections on no "
                       "object as background; columns the class detected, with objects nothing found as missed."),
                     label, OTTER_EVALUATION_CONFIDENT);

  otter_pr_chart_set_curves (self->pr_chart, otter_evaluation_get_pr_curves (ev, model, attack), names);
  otter_confusion_view_set_confusion (self->confusion_view,
                                      otter_evaluation_get_confusion (ev, model, attack), names);
  gtk_label_set_label (self->confusion_caption, caption);
  otter_eval_page_drops_update (self, model, attack);
}

static void
fill_attack_choices (OtterEvalPage *self)
{
  OtterEvaluation *ev = self->evaluation;
  guint n_models = otter_evaluation_get_n_models (ev);
  guint n_attacks = otter_evaluation_get_n_attacks (ev);
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  int clean = otter_evaluation_find_clean (ev);
  guint first = 0;

  for (guint m = 0; m < n_models; m++)
    for (guint a = 0; a < n_attacks; a++)
      {
        g_autofree char *attack = otter_evaluation_dup_attack_label (ev, a);
        g_autofree char *label = n_models > 1 ? g_strdup_printf ("%s · %s", otter_evaluation_get_model_label (ev, m), attack)
                                              : g_strdup (attack);
        g_strv_builder_add (builder, label);
      }
  g_auto (GStrv) labels = g_strv_builder_end (builder);
  gtk_string_list_splice (self->attack_choices, 0,
                          g_list_model_get_n_items (G_LIST_MODEL (self->attack_choices)),
                          (const char *const *) labels);
  /* an attack rather than the clean run, which the drops compare against */
  if (clean == 0 && n_attacks > 1)
    first = 1;
  gtk_drop_down_set_selected (self->attack_dropdown, first);
  update_run_views (self);
}

static void
view_changed_cb (OtterEvalPage *self)
{
  const char *view = gtk_stack_get_visible_child_name (self->views_stack);

  /* the summary shows every attack at once */
  gtk_widget_set_visible (self->attack_box, g_strcmp0 (view, "summary") != 0);
}

void
otter_eval_page_results_init (OtterEvalPage *self)
{
  self->rows = gtk_string_list_new (NULL);
  g_autoptr (GtkNoSelection) selection = gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->rows)));
  gtk_column_view_set_model (self->table, GTK_SELECTION_MODEL (selection));

  /* Buttons as wide as their titles, not all as wide as the widest: the
   * switcher then fits the page at 800 px. */
  GtkLayoutManager *layout = gtk_widget_get_layout_manager (self->views_switcher);
  if (GTK_IS_BOX_LAYOUT (layout))
    gtk_box_layout_set_homogeneous (GTK_BOX_LAYOUT (layout), FALSE);

  g_signal_connect_swapped (self->attack_dropdown, "notify::selected", G_CALLBACK (update_run_views), self);
  g_signal_connect_swapped (self->views_stack, "notify::visible-child", G_CALLBACK (view_changed_cb), self);
  view_changed_cb (self);
}

void
otter_eval_page_show_results (OtterEvalPage *self)
{
  OtterEvaluation *ev = self->evaluation;
  guint n_models = otter_evaluation_get_n_models (ev);
  guint n_attacks = otter_evaluation_get_n_attacks (ev);
  const char *const *names = otter_evaluation_get_class_names (ev);

  /* Detach the rows while the columns change, so no cell binds twice. */
  gtk_string_list_splice (self->rows, 0, g_list_model_get_n_items (G_LIST_MODEL (self->rows)), NULL);
  clear_columns (self);
  add_column (self, _("Class"), -1, 0, FALSE);
  for (guint m = 0; m < n_models; m++)
    for (guint a = 0; a < n_attacks; a++)
      {
        g_autofree char *attack = otter_evaluation_dup_attack_label (ev, a);
        for (int k = 0; k < 2; k++)
          {
            g_autofree char *title = NULL;
            const char *metric = k == 0 ? _("AP50") : _("AP");
            if (n_models > 1)
              title = g_strdup_printf ("%s · %s %s", otter_evaluation_get_model_label (ev, m), attack, metric);
            else
              title = g_strdup_printf ("%s %s", attack, metric);
            add_column (self, title, m, a, k == 0);
          }
      }
  g_autoptr (GPtrArray) keys = g_ptr_array_new_with_free_func (g_free);
  for (guint c = 0; names[c] != NULL; c++)
    g_ptr_array_add (keys, g_strdup_printf ("%u", c));
  g_ptr_array_add (keys, g_strdup (OTTER_EVAL_PAGE_MEAN_ROW));
  g_ptr_array_add (keys, NULL);
  gtk_string_list_splice (self->rows, 0, 0, (const char *const *) keys->pdata);

  /* chart: one group per attack, mAP@0.5 and mAP for each model */
  g_autoptr (GStrvBuilder) groups = g_strv_builder_new ();
  g_autoptr (GStrvBuilder) series = g_strv_builder_new ();
  g_autofree double *values = g_new (double, n_attacks * n_models * 2);
  for (guint a = 0; a < n_attacks; a++)
    {
      g_autofree char *attack = otter_evaluation_dup_attack_label (ev, a);
      g_strv_builder_add (groups, attack);
      for (guint m = 0; m < n_models; m++)
        {
          const OtterMapResult *r = otter_evaluation_get_result (ev, m, a);
          values[(a * n_models + m) * 2] = r->map50;
          values[(a * n_models + m) * 2 + 1] = r->map;
        }
    }
  for (guint m = 0; m < n_models; m++)
    {
      const char *label = otter_evaluation_get_model_label (ev, m);
      g_autofree char *s50 = n_models > 1 ? g_strdup_printf ("%s mAP@0.5", label) : g_strdup ("mAP@0.5");
      g_autofree char *s = n_models > 1 ? g_strdup_printf ("%s mAP", label) : g_strdup ("mAP");
      g_strv_builder_add (series, s50);
      g_strv_builder_add (series, s);
    }
  g_auto (GStrv) group_labels = g_strv_builder_end (groups);
  g_auto (GStrv) series_labels = g_strv_builder_end (series);
  otter_bar_chart_set_data (self->chart, (const char *const *) group_labels,
                            (const char *const *) series_labels, values);

  guint n_images = otter_evaluation_get_n_images (ev);
  g_autofree char *images = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u image", "%u images", n_images),
                                             n_images);
  g_autofree char *summary = NULL;
  if (adw_combo_row_get_selected (self->data_row) == 0)
    summary = g_strdup_printf (_("%s · validation split %.2f, seed %u · ε %d/255"), images,
                               gtk_spin_button_get_value (self->fraction_spin),
                               (guint) gtk_spin_button_get_value_as_int (self->seed_spin),
                               gtk_spin_button_get_value_as_int (self->epsilon_spin));
  else
    summary = g_strdup_printf (_("%s · whole dataset · ε %d/255"), images,
                               gtk_spin_button_get_value_as_int (self->epsilon_spin));
  gtk_label_set_label (self->summary_label, summary);
  fill_attack_choices (self);
  gtk_stack_set_visible_child_name (self->results_stack, "results");
}

void
otter_eval_page_clear_results (OtterEvalPage *self)
{
  g_clear_object (&self->evaluation);
  gtk_string_list_splice (self->rows, 0, g_list_model_get_n_items (G_LIST_MODEL (self->rows)), NULL);
  otter_bar_chart_clear (self->chart);
  otter_pr_chart_clear (self->pr_chart);
  otter_confusion_view_clear (self->confusion_view);
  otter_eval_page_drops_clear (self);
  gtk_string_list_splice (self->attack_choices, 0,
                          g_list_model_get_n_items (G_LIST_MODEL (self->attack_choices)), NULL);
  otter_eval_page_show_idle_state (self);
}

