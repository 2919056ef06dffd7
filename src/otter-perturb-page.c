/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-perturb-page.c: the Perturbation page: its settings and the attack runs */

#include "config.h"

#include <glib/gi18n.h>

#include "otter-class-banner.h"
#include "otter-perturb-page-private.h"
#include "otter-resources.h"

/* Edits settle for this long before the attack reruns. */
#define RECOMPUTE_DELAY_MS 400

enum
{
  PROP_0,
  PROP_BUSY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (OtterPerturbPage, otter_perturb_page, OTTER_TYPE_PAGE)

/* ---- computing ------------------------------------------------------- */

static void
update_visible_page (OtterPerturbPage *self)
{
  OtterDataset *dataset = otter_page_get_session (OTTER_PAGE (self)) ? otter_session_get_dataset (otter_page_get_session (OTTER_PAGE (self))) : NULL;
  OtterModel *model = otter_page_get_session (OTTER_PAGE (self)) ? otter_session_get_model (otter_page_get_session (OTTER_PAGE (self))) : NULL;

  if (dataset == NULL)
    gtk_stack_set_visible_child_name (self->stack, "no-dataset");
  else if (model == NULL)
    gtk_stack_set_visible_child_name (self->stack, "no-model");
  else
    gtk_stack_set_visible_child_name (self->stack, "content");

  if (dataset != NULL)
    {
      guint n = g_list_model_get_n_items (G_LIST_MODEL (dataset));
      gtk_adjustment_set_upper (self->start_adjustment, n > 0 ? n - 1 : 0);
      gtk_adjustment_set_upper (self->count_adjustment, CLAMP (n, 2, 32));
    }
}

static void
request_now (OtterPerturbPage *self)
{
  OtterDataset *dataset = otter_page_get_session (OTTER_PAGE (self)) ? otter_session_get_dataset (otter_page_get_session (OTTER_PAGE (self))) : NULL;
  OtterModel *model = otter_page_get_session (OTTER_PAGE (self)) ? otter_session_get_model (otter_page_get_session (OTTER_PAGE (self))) : NULL;
  OtterPreviewParams params;

  g_clear_handle_id (&self->debounce_id, g_source_remove);
  if (dataset == NULL || model == NULL)
    return;

  otter_preview_params_init (&params);
  params.random = gtk_switch_get_active (self->random_switch);
  params.start = (guint) gtk_adjustment_get_value (self->start_adjustment);
  params.count = (guint) gtk_adjustment_get_value (self->count_adjustment);
  params.seed = self->seed;
  params.ot.epsilon = (float) (gtk_adjustment_get_value (self->epsilon_adjustment) / 255.0);
  params.ot.steps = (int) gtk_adjustment_get_value (self->steps_adjustment);
  params.ot.step_size = (float) (gtk_adjustment_get_value (self->step_size_adjustment) / 255.0);
  params.ot.reg = (float) gtk_adjustment_get_value (self->reg_adjustment);
  params.ot.space = adw_combo_row_get_selected (self->space_row) == 1
                    ? OTTER_FEATURE_SPACE_SPATIAL : OTTER_FEATURE_SPACE_BATCH;
  self->dirty = FALSE;
  gtk_label_set_label (self->status_label, "");
  otter_preview_request (self->preview, dataset, model, &params);
}

static gboolean
debounce_cb (gpointer data)
{
  OtterPerturbPage *self = data;
  self->debounce_id = 0;
  request_now (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_compute (OtterPerturbPage *self)
{
  self->dirty = TRUE;
  if (!gtk_widget_get_mapped (GTK_WIDGET (self)) || otter_page_get_session (OTTER_PAGE (self)) == NULL ||
      otter_session_get_dataset (otter_page_get_session (OTTER_PAGE (self))) == NULL ||
      otter_session_get_model (otter_page_get_session (OTTER_PAGE (self))) == NULL)
    return;
  g_clear_handle_id (&self->debounce_id, g_source_remove);
  self->debounce_id = g_timeout_add (RECOMPUTE_DELAY_MS, debounce_cb, self);
}

static void
settings_changed_cb (OtterPerturbPage *self)
{
  gtk_widget_set_sensitive (GTK_WIDGET (self->start_row), !gtk_switch_get_active (self->random_switch));
  schedule_compute (self);
}

static void
inputs_changed_cb (OtterPerturbPage *self)
{
  update_visible_page (self);
  otter_preview_cancel (self->preview);
  self->pair_i = self->pair_j = -1;
  /* A cell picked on the old data means nothing on the new. */
  otter_plan_view_set_selection (self->plan_view, -1, -1);
  schedule_compute (self);
}

static void
running_changed_cb (OtterPerturbPage *self)
{
  gboolean running = otter_preview_get_running (self->preview);
  gtk_spinner_set_spinning (self->spinner, running);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), running);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static void
compute_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  otter_perturb_page_compute (OTTER_PERTURB_PAGE (widget));
}

/* ---- GObject --------------------------------------------------------- */

static void
otter_perturb_page_map (GtkWidget *widget)
{
  OtterPerturbPage *self = OTTER_PERTURB_PAGE (widget);

  GTK_WIDGET_CLASS (otter_perturb_page_parent_class)->map (widget);
  if (self->dirty)
    schedule_compute (self);
}

static void
otter_perturb_page_dispose (GObject *object)
{
  OtterPerturbPage *self = (OtterPerturbPage *) object;

  g_clear_handle_id (&self->debounce_id, g_source_remove);
  if (self->preview != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->preview, self);
      otter_preview_cancel (self->preview);
    }
  gtk_widget_dispose_template (GTK_WIDGET (self), OTTER_TYPE_PERTURB_PAGE);
  g_clear_object (&self->preview);
  G_OBJECT_CLASS (otter_perturb_page_parent_class)->dispose (object);
}

static void
otter_perturb_page_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  OtterPerturbPage *self = (OtterPerturbPage *) object;

  switch (prop_id)
    {
    case PROP_BUSY: g_value_set_boolean (value, otter_perturb_page_get_busy (self)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void otter_perturb_page_session_changed (OtterPage *page, OtterSession *old);

static void
otter_perturb_page_class_init (OtterPerturbPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = otter_perturb_page_dispose;
  object_class->get_property = otter_perturb_page_get_property;
  OTTER_PAGE_CLASS (klass)->session_changed = otter_perturb_page_session_changed;
  widget_class->map = otter_perturb_page_map;

  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* keeps the resource bundle in static links such as the display tests */
  (void) otter_get_resource ();

  g_type_ensure (OTTER_TYPE_IMAGE_VIEW);
  g_type_ensure (OTTER_TYPE_PLAN_VIEW);
  g_type_ensure (OTTER_TYPE_CLASS_BANNER);
  g_type_ensure (OTTER_TYPE_COLOR_BAR);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/ottertrain/Otter/ui/otter-perturb-page.ui");
  gtk_widget_class_bind_template_child (widget_class, OtterPerturbPage, stack);
  gtk_widget_class_bind_template_child (widget_class, OtterPerturbPage, random_switch);
  gtk_widget_class_bind_template_child (widget_class, OtterPerturbPage, start_row);
  gtk_widget_class_bind_template_child (widget_class, OtterPerturbPage, start_adjustment);
  gtk_widget_class_bind_template_child (widget_class, OtterPerturbPage, count_adjustment);
  gtk_widget_class_bind_template_child (widget_class, OtterPerturbPage, epsilon_adjustment);
  gtk_widget_class_bind_template_child (widget_class, OtterPerturbPage, steps_adjustment);
  gtk_widget_class_bind_template_child (widget_class, OtterPerturbPage, step_size_adjustment);
  gtk_widget_class_bind_template_child (widget_class, OtterPerturbPage, reg_adjustment);
  gtk_widget_class_bind_template_child (widget_class, OtterPerturbPage, space_row);
  gtk_widget_class_bind_template_child (widget_class, OtterPerturbPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, OtterPerturbPage, status_label);
  gtk_widget_class_bind_template_child (widget_class, OtterPerturbPage, d_label);
  gtk_widget_class_bind_template_child (widget_class, OtterPerturbPage, linf_label);
  gtk_widget_class_bind_template_child (widget_class, OtterPerturbPage, batch_label);
  gtk_widget_class_bind_template_child (widget_class, OtterPerturbPage, clean_title);
  gtk_widget_class_bind_template_child (widget_class, OtterPerturbPage, perturbed_title);
  gtk_widget_class_bind_template_child (widget_class, OtterPerturbPage, delta_title);
  gtk_widget_class_bind_template_child (widget_class, OtterPerturbPage, clean_view);
  gtk_widget_class_bind_template_child (widget_class, OtterPerturbPage, perturbed_view);
  gtk_widget_class_bind_template_child (widget_class, OtterPerturbPage, delta_view);
  gtk_widget_class_bind_template_child (widget_class, OtterPerturbPage, plan_view);
  gtk_widget_class_bind_template_child (widget_class, OtterPerturbPage, plan_title);
  gtk_widget_class_bind_template_child (widget_class, OtterPerturbPage, image_label);
  gtk_widget_class_bind_template_child (widget_class, OtterPerturbPage, image_spin);
  gtk_widget_class_bind_template_child (widget_class, OtterPerturbPage, image_adjustment);
  gtk_widget_class_bind_template_child (widget_class, OtterPerturbPage, readout_label);
  gtk_widget_class_bind_template_child (widget_class, OtterPerturbPage, overlay_kind_box);
  gtk_widget_class_bind_template_child (widget_class, OtterPerturbPage, opacity_box);
  gtk_widget_class_bind_template_child (widget_class, OtterPerturbPage, cost_toggle);
  gtk_widget_class_bind_template_child (widget_class, OtterPerturbPage, signed_toggle);
  gtk_widget_class_bind_template_child (widget_class, OtterPerturbPage, plan_log_toggle);
  gtk_widget_class_bind_template_child (widget_class, OtterPerturbPage, delta_bar);
  gtk_widget_class_bind_template_child (widget_class, OtterPerturbPage, overlay_bar);
  gtk_widget_class_bind_template_child (widget_class, OtterPerturbPage, overlay_stack);
  gtk_widget_class_bind_template_child (widget_class, OtterPerturbPage, overlay_view);
  gtk_widget_class_bind_template_child (widget_class, OtterPerturbPage, opacity_adjustment);
  gtk_widget_class_install_action (widget_class, "perturb.compute", NULL, compute_action);
  otter_perturb_page_class_init_results (widget_class);
  otter_perturb_page_class_init_export (widget_class);
}

static void
otter_perturb_page_init (OtterPerturbPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  GSignalGroup *session_signals = otter_page_get_session_signals (OTTER_PAGE (self));
  g_signal_group_connect_object (session_signals, "notify::dataset", G_CALLBACK (inputs_changed_cb),
                                 self, G_CONNECT_SWAPPED);
  g_signal_group_connect_object (session_signals, "notify::model", G_CALLBACK (inputs_changed_cb),
                                 self, G_CONNECT_SWAPPED);

  self->preview = otter_preview_new ();
  self->seed = 1;
  self->pair_i = self->pair_j = -1;
  self->dirty = TRUE;

  g_signal_connect_swapped (self->preview, "notify::running", G_CALLBACK (running_changed_cb), self);

  GtkAdjustment *settings[] = {
    self->start_adjustment, self->count_adjustment, self->epsilon_adjustment,
    self->steps_adjustment, self->step_size_adjustment, self->reg_adjustment,
  };
  for (guint k = 0; k < G_N_ELEMENTS (settings); k++)
    g_signal_connect_swapped (settings[k], "value-changed", G_CALLBACK (settings_changed_cb), self);
  g_signal_connect_swapped (self->random_switch, "notify::active", G_CALLBACK (settings_changed_cb), self);
  g_signal_connect_swapped (self->space_row, "notify::selected", G_CALLBACK (settings_changed_cb), self);

  otter_perturb_page_init_results (self);

  gtk_widget_set_visible (GTK_WIDGET (self->spinner), FALSE);
  update_visible_page (self);
  gtk_widget_set_visible (GTK_WIDGET (self->image_spin), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->image_label), FALSE);
  gtk_label_set_label (self->clean_title, _("Clean"));
  gtk_label_set_label (self->perturbed_title, _("Perturbed"));
  gtk_label_set_label (self->delta_title, _("Change"));
}

static void
otter_perturb_page_session_changed (OtterPage    *page,
                                    OtterSession *old)
{
  inputs_changed_cb (OTTER_PERTURB_PAGE (page));
}

void
otter_perturb_page_compute (OtterPerturbPage *self)
{
  g_return_if_fail (OTTER_IS_PERTURB_PAGE (self));

  /* asking again for a random batch means new images */
  if (gtk_switch_get_active (self->random_switch))
    self->seed = g_random_int_range (1, G_MAXINT32);
  request_now (self);
}

gboolean
otter_perturb_page_get_busy (OtterPerturbPage *self)
{
  g_return_val_if_fail (OTTER_IS_PERTURB_PAGE (self), FALSE);
  return self->debounce_id != 0 || otter_preview_get_running (self->preview);
}

guint
otter_perturb_page_get_serial (OtterPerturbPage *self)
{
  g_return_val_if_fail (OTTER_IS_PERTURB_PAGE (self), 0);
  return otter_preview_get_serial (self->preview);
}

void
otter_perturb_page_set_batch (OtterPerturbPage *self,
                              guint             start,
                              guint             count)
{
  g_return_if_fail (OTTER_IS_PERTURB_PAGE (self));

  gtk_switch_set_active (self->random_switch, FALSE);
  gtk_adjustment_set_value (self->count_adjustment, count);
  gtk_adjustment_set_value (self->start_adjustment, start);
}

void
otter_perturb_page_set_feature_space (OtterPerturbPage  *self,
                                      OtterFeatureSpace  space)
{
  g_return_if_fail (OTTER_IS_PERTURB_PAGE (self));
  adw_combo_row_set_selected (self->space_row, space == OTTER_FEATURE_SPACE_SPATIAL ? 1 : 0);
}

OtterImageView *
otter_perturb_page_get_change_view (OtterPerturbPage *self)
{
  g_return_val_if_fail (OTTER_IS_PERTURB_PAGE (self), NULL);
  return self->delta_view;
}

OtterPlanView *
otter_perturb_page_get_plan_view (OtterPerturbPage *self)
{
  g_return_val_if_fail (OTTER_IS_PERTURB_PAGE (self), NULL);
  return self->plan_view;
}

void
otter_perturb_page_get_shown_pair (OtterPerturbPage *self,
                                   int              *clean,
                                   int              *perturbed)
{
  g_return_if_fail (OTTER_IS_PERTURB_PAGE (self));

  OtterPreviewResult *result = otter_preview_get_result (self->preview);
  int k = (int) gtk_adjustment_get_value (self->image_adjustment);
  if (clean != NULL)
    *clean = otter_perturb_page_result_is_spatial (result) ? k : self->pair_i;
  if (perturbed != NULL)
    *perturbed = otter_perturb_page_result_is_spatial (result) ? k : self->pair_j;
}
