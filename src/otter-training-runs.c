/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-training-runs.c: the Training page's chart side: past runs and the legend */

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "otter-run.h"
#include "otter-training-page-private.h"

/* ---- past runs ---------------------------------------------------------- */

typedef struct
{
  OtterRunHistory *history;
  double           threshold;
} RunCurves;

static void
run_curves_free (RunCurves *curves)
{
  g_clear_pointer (&curves->history, otter_run_history_free);
  g_free (curves);
}

static void
read_curves_thread (GTask        *task,
                    gpointer      source,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  const char *dir = task_data;
  g_autoptr (GError) error = NULL;
  OtterRunHistory *history = otter_run_read_history (dir, -1, &error);
  OtterTrainConfig config;

  if (history == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  RunCurves *curves = g_new0 (RunCurves, 1);
  curves->history = history;
  curves->threshold = NAN;
  otter_train_config_init (&config);
  if (otter_run_read_config (dir, &config, NULL))
    curves->threshold = otter_train_config_get_threshold (&config);
  otter_train_config_clear (&config);
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
      otter_training_page_run_is_active (self))
    {
      if (curves != NULL)
        run_curves_free (curves);
      return;
    }
  if (curves == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("Could not read the run: %s"), error->message);
      otter_training_page_show_toast (self, message, NULL);
      otter_training_page_clear_viewed_run (self);
      otter_training_page_update_status (self);
      return;
    }
  OtterRunHistory *history = curves->history;
  if (history->n_damaged > 0)
    {
      g_autofree char *message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                               "%u damaged line of the run’s history was left out",
                                                               "%u damaged lines of the run’s history were left out",
                                                               history->n_damaged),
                                                  history->n_damaged);
      otter_training_page_show_toast (self, message, dir);
    }
  otter_loss_chart_clear (self->chart);
  otter_loss_chart_set_threshold (self->chart, isfinite (curves->threshold) ? curves->threshold : 0);
  if (history->points->len > 0)
    otter_loss_chart_append_points (self->chart, (OtterTrainPoint *) history->points->data, history->points->len);
  otter_loss_chart_set_epochs (self->chart, (OtterEpochPoint *) history->epochs->data, history->epochs->len);
  g_clear_pointer (&self->viewed_history, otter_run_history_free);
  self->viewed_history = g_steal_pointer (&curves->history);
  self->viewed_threshold = curves->threshold;
  run_curves_free (curves);
  otter_training_page_update_status (self);
}

static void
run_activated_cb (OtterTrainingPage *self,
                  const char        *dir)
{
  if (otter_training_page_run_is_active (self))
    {
      otter_training_page_show_toast (self, _("The chart follows the current run until it ends"), NULL);
      return;
    }
  g_free (self->viewed_run);
  self->viewed_run = g_strdup (dir);
  g_clear_pointer (&self->viewed_history, otter_run_history_free);
  if (self->view_cancellable != NULL)
    g_cancellable_cancel (self->view_cancellable);
  g_set_object (&self->view_cancellable, g_cancellable_new ());

  GTask *task = g_task_new (NULL, self->view_cancellable, read_curves_done_cb, g_object_ref (self));
  g_task_set_source_tag (task, run_activated_cb);
  g_task_set_task_data (task, g_strdup (dir), g_free);
  g_task_run_in_thread (task, read_curves_thread);
  g_object_unref (task);
  otter_training_page_update_status (self);
}

void
otter_training_page_clear_viewed_run (OtterTrainingPage *self)
{
  g_clear_pointer (&self->viewed_run, g_free);
  g_clear_pointer (&self->viewed_history, otter_run_history_free);
}

void
otter_training_page_show_run (OtterTrainingPage *self,
                              const char        *run_dir)
{
  g_return_if_fail (OTTER_IS_TRAINING_PAGE (self));
  g_return_if_fail (run_dir != NULL);
  run_activated_cb (self, run_dir);
}

const char *
otter_training_page_get_viewed_run (OtterTrainingPage *self)
{
  g_return_val_if_fail (OTTER_IS_TRAINING_PAGE (self), NULL);
  return self->viewed_run;
}

static void
run_list_problem_cb (OtterTrainingPage *self,
                     const char        *message)
{
  otter_training_page_show_toast (self, message, NULL);
}

static void
resume_requested_cb (OtterTrainingPage *self,
                     const char        *dir)
{
  if (otter_training_page_run_is_active (self) || otter_page_get_session (OTTER_PAGE (self)) == NULL)
    return;
  g_clear_pointer (&self->start_error, g_free);
  otter_training_page_clear_viewed_run (self);
  g_autoptr (OtterTrainer) trainer = otter_trainer_new_resume (dir);
  otter_training_page_start_trainer (self, trainer);
}

static void
reload_runs_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  otter_run_list_reload (OTTER_TRAINING_PAGE (widget)->run_list);
}

/* ---- runs compared on the chart ----------------------------------------- */

typedef struct
{
  char *dir;
  char *title;
} CompareRequest;

static void
compare_request_free (CompareRequest *request)
{
  g_free (request->dir);
  g_free (request->title);
  g_free (request);
}

static void
read_epochs_thread (GTask        *task,
                    gpointer      source,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  CompareRequest *request = task_data;
  GError *error = NULL;
  OtterRunHistory *history = otter_run_read_history (request->dir, -1, &error);
  if (history == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, history, (GDestroyNotify) otter_run_history_free);
}

static void
draw_compare_swatch (GtkDrawingArea *area,
                     cairo_t        *cr,
                     int             width,
                     int             height,
                     gpointer        user_data)
{
  OtterTrainingPage *self = user_data;
  GdkRGBA color;
  if (!otter_loss_chart_get_overlay_color (self->chart, g_object_get_data (G_OBJECT (area), "run-dir"), &color))
    return;
  gdk_cairo_set_source_rgba (cr, &color);
  cairo_set_line_width (cr, 2);
  cairo_move_to (cr, 0, height / 2.0);
  cairo_line_to (cr, width, height / 2.0);
  cairo_stroke (cr);
  cairo_arc (cr, width / 2.0, height / 2.0, 2.5, 0, 2 * G_PI);
  cairo_fill (cr);
}

static GtkWidget *find_compare_legend_item (OtterTrainingPage *self,
                                            const char        *dir);

static void
stop_comparing (OtterTrainingPage *self,
                const char        *dir)
{
  otter_loss_chart_remove_overlay (self->chart, dir);
  otter_run_list_set_compared (self->run_list, dir, FALSE);
  GtkWidget *item = find_compare_legend_item (self, dir);
  if (item != NULL)
    gtk_flow_box_remove (self->compare_legend, item);
  gtk_widget_set_visible (GTK_WIDGET (self->compare_legend), otter_loss_chart_get_n_overlays (self->chart) > 0);
}

static void
compare_remove_clicked_cb (GtkButton         *button,
                           OtterTrainingPage *self)
{
  g_autofree char *dir = g_strdup (g_object_get_data (G_OBJECT (button), "run-dir"));
  stop_comparing (self, dir);
}

static void
add_compare_legend_item (OtterTrainingPage *self,
                         const char        *dir,
                         const char        *title)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *swatch = gtk_drawing_area_new ();
  GtkWidget *label = gtk_label_new (title);
  GtkWidget *remove = gtk_button_new_from_icon_name ("window-close-symbolic");

  gtk_drawing_area_set_content_width (GTK_DRAWING_AREA (swatch), 18);
  gtk_drawing_area_set_content_height (GTK_DRAWING_AREA (swatch), 10);
  gtk_widget_set_valign (swatch, GTK_ALIGN_CENTER);
  g_object_set_data_full (G_OBJECT (swatch), "run-dir", g_strdup (dir), g_free);
  gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (swatch), draw_compare_swatch, self, NULL);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 22);
  gtk_widget_set_tooltip_text (label, title);
  gtk_widget_add_css_class (remove, "flat");
  gtk_widget_add_css_class (remove, "circular");
  gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (remove, _("Stop comparing this run"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (remove), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Stop comparing"), -1);
  g_object_set_data_full (G_OBJECT (remove), "run-dir", g_strdup (dir), g_free);
  g_signal_connect_object (remove, "clicked", G_CALLBACK (compare_remove_clicked_cb), self, 0);
  gtk_box_append (GTK_BOX (box), swatch);
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), remove);
  g_object_set_data_full (G_OBJECT (box), "run-dir", g_strdup (dir), g_free);
  gtk_flow_box_append (self->compare_legend, box);
}

static GtkWidget *
find_compare_legend_item (OtterTrainingPage *self,
                          const char        *dir)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->compare_legend));
       child != NULL; child = gtk_widget_get_next_sibling (child))
    if (g_strcmp0 (g_object_get_data (G_OBJECT (gtk_flow_box_child_get_child (GTK_FLOW_BOX_CHILD (child))),
                                      "run-dir"), dir) == 0)
      return child;
  return NULL;
}

static void
read_epochs_done_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr (OtterTrainingPage) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (OtterRunHistory) history = g_task_propagate_pointer (G_TASK (result), &error);
  CompareRequest *request = g_task_get_task_data (G_TASK (result));

  /* unchecked while it was read, or the page went */
  if (self->run_list == NULL || !otter_run_list_is_compared (self->run_list, request->dir))
    return;
  if (history == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("Could not read the run: %s"), error->message);
      otter_training_page_show_toast (self, message, NULL);
      otter_run_list_set_compared (self->run_list, request->dir, FALSE);
      return;
    }
  if (!otter_loss_chart_add_overlay (self->chart, request->dir, request->title,
                                     (OtterEpochPoint *) history->epochs->data, history->epochs->len))
    {
      otter_training_page_show_toast (self, _("Up to four runs can be compared at once"), NULL);
      otter_run_list_set_compared (self->run_list, request->dir, FALSE);
      return;
    }
  if (find_compare_legend_item (self, request->dir) == NULL)
    add_compare_legend_item (self, request->dir, request->title);
  gtk_widget_set_visible (GTK_WIDGET (self->compare_legend), TRUE);
}

static void
compare_toggled_cb (OtterTrainingPage *self,
                    const char        *dir,
                    const char        *title,
                    gboolean           active)
{
  if (!active)
    {
      stop_comparing (self, dir);
      return;
    }
  if (otter_loss_chart_get_n_overlays (self->chart) >= OTTER_LOSS_CHART_MAX_OVERLAYS)
    {
      otter_training_page_show_toast (self, _("Up to four runs can be compared at once"), NULL);
      otter_run_list_set_compared (self->run_list, dir, FALSE);
      return;
    }
  CompareRequest *request = g_new0 (CompareRequest, 1);
  request->dir = g_strdup (dir);
  request->title = g_strdup (title);
  g_autoptr (GTask) task = g_task_new (NULL, NULL, read_epochs_done_cb, g_object_ref (self));
  g_task_set_source_tag (task, compare_toggled_cb);
  g_task_set_task_data (task, request, (GDestroyNotify) compare_request_free);
  g_task_run_in_thread (task, read_epochs_thread);
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

/* ---- setup -------------------------------------------------------------- */

void
otter_training_page_class_init_runs (GtkWidgetClass *widget_class)
{
  /* The template names these callbacks, so they keep their names. */
  gtk_widget_class_bind_template_callback (widget_class, run_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, resume_requested_cb);
  gtk_widget_class_bind_template_callback (widget_class, run_list_problem_cb);
  gtk_widget_class_bind_template_callback (widget_class, compare_toggled_cb);
  gtk_widget_class_install_action (widget_class, "training.reload-runs", NULL, reload_runs_action);
}

void
otter_training_page_init_legend (OtterTrainingPage *self)
{
  setup_legend_button (self, self->legend_l1, OTTER_LOSS_SERIES_L1, C_("loss series", "L₁ clean"));
  setup_legend_button (self, self->legend_l2, OTTER_LOSS_SERIES_L2, C_("loss series", "L₂ perturbed"));
  setup_legend_button (self, self->legend_loss, OTTER_LOSS_SERIES_LOSS, C_("loss series", "L target"));
  setup_legend_button (self, self->legend_d, OTTER_LOSS_SERIES_D, C_("loss series", "D distance"));
}
