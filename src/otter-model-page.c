/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-model-page.c: the Model page: its states (create, error, model) and
 * the overview of the current model */

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "otter-class-banner.h"
#include "otter-model-page-private.h"
#include "otter-untrusted.h"
#include "otter-weights.h"

/* The form for a new model lives in otter-model-page-create.c, Export for
 * PyTorch in otter-model-page-export.c; they share otter-model-page-private.h. */

/* Epochs listed in the history table; older ones are summarised. */
#define HISTORY_ROWS 12

G_DEFINE_FINAL_TYPE (OtterModelPage, otter_model_page, OTTER_TYPE_PAGE)

/* ---- the current model -------------------------------------------------- */

/* "ImageNet (resnet18-f37072fd.pth)" when the backbone started from
 * torchvision's file for its architecture. */
static char *
describe_backbone_init (OtterModel *model)
{
  const char *file = otter_model_get_backbone_init (model, NULL);
  const char *imagenet = otter_torch_arch_imagenet_name (otter_model_get_arch (model));

  if (file == NULL)
    return g_strdup (_("Random"));
  if (imagenet != NULL)
    {
      g_autoptr (OtterWeightsSource) source = otter_weights_resolve (imagenet, NULL);
      if (source != NULL && g_str_equal (source->file, file))
        return g_strdup_printf (_("ImageNet (%s)"), file);
    }
  return g_strdup (file);
}

/* "1 234 567" with the locale's thousands separator */
static char *
format_count (gint64 n)
{
  return g_strdup_printf ("%'" G_GINT64_FORMAT, n);
}

static char *
format_params (gint64 n)
{
  g_autofree char *exact = format_count (n);
  if (n >= 1000000)
    /* Translators: parameter count, exact then rounded to millions */
    return g_strdup_printf (_("%s (%.1f M)"), exact, n / 1e6);
  if (n >= 1000)
    return g_strdup_printf (_("%s (%.0f k)"), exact, n / 1e3);
  return g_steal_pointer (&exact);
}

/* A value label at the end of a row, like a property list. */
static void
row_set_value (AdwActionRow *row, const char *value)
{
  GtkLabel *label = g_object_get_data (G_OBJECT (row), "otter-value");
  if (label == NULL)
    {
      label = GTK_LABEL (gtk_label_new (NULL));
      gtk_label_set_selectable (label, TRUE);
      gtk_label_set_ellipsize (label, PANGO_ELLIPSIZE_MIDDLE);
      gtk_label_set_xalign (label, 1);
      gtk_widget_add_css_class (GTK_WIDGET (label), "dim-label");
      gtk_widget_add_css_class (GTK_WIDGET (label), "numeric");
      adw_action_row_add_suffix (row, GTK_WIDGET (label));
      g_object_set_data (G_OBJECT (row), "otter-value", label);
    }
  gtk_label_set_label (label, value);
  gtk_widget_set_tooltip_text (GTK_WIDGET (label), value);
}

static void
clear_container (GtkWidget *box)
{
  GtkWidget *child;
  while ((child = gtk_widget_get_first_child (box)) != NULL)
    {
      if (GTK_IS_FLOW_BOX (box))
        gtk_flow_box_remove (GTK_FLOW_BOX (box), child);
      else
        gtk_grid_remove (GTK_GRID (box), child);
    }
}

static GtkWidget *
cell (const char *text, gboolean heading, float xalign)
{
  GtkWidget *label = gtk_label_new (text);
  gtk_label_set_xalign (GTK_LABEL (label), xalign);
  gtk_widget_add_css_class (label, heading ? "heading" : "numeric");
  return label;
}

static char *
format_number (JsonObject *o, const char *name, int digits)
{
  JsonNode *n = o ? json_object_get_member (o, name) : NULL;
  if (n == NULL || JSON_NODE_HOLDS_NULL (n) || !JSON_NODE_HOLDS_VALUE (n))
    return g_strdup ("—");
  return g_strdup_printf ("%.*f", digits, json_node_get_double (n));
}

static void
update_history (OtterModelPage *self, OtterModel *model)
{
  const char *metadata = otter_model_get_metadata (model);
  g_autoptr (JsonNode) root = NULL;
  JsonObject *meta = NULL;
  JsonObject *config = NULL;
  JsonArray *history = NULL;

  clear_container (GTK_WIDGET (self->history_grid));
  if (metadata != NULL)
    root = json_from_string (metadata, NULL);
  if (root != NULL && JSON_NODE_HOLDS_OBJECT (root))
    {
      meta = json_node_get_object (root);
      if (json_object_has_member (meta, "config") &&
          JSON_NODE_HOLDS_OBJECT (json_object_get_member (meta, "config")))
        config = json_object_get_object_member (meta, "config");
      if (json_object_has_member (meta, "history") &&
          JSON_NODE_HOLDS_ARRAY (json_object_get_member (meta, "history")))
        history = json_object_get_array_member (meta, "history");
    }

  guint n_epochs = history ? json_array_get_length (history) : 0;
  gtk_widget_set_visible (self->training_group, TRUE);
  if (meta == NULL)
    {
      row_set_value (self->method_row, _("Untrained"));
      row_set_value (self->final_row, "—");
      row_set_value (self->val_row, "—");
    }
  else
    {
      const char *method = config ? otter_json_get_string (config, "method", NULL) : NULL;
      g_autofree char *method_text = NULL;
      if (method != NULL && config != NULL && g_str_equal (method, "ot"))
        method_text = g_strdup_printf (_("Optimal transport, ε %.4f, %u epochs"),
                                       otter_json_get_number (config, "epsilon", 0), n_epochs);
      else if (method != NULL && config != NULL && g_str_equal (method, "pgd"))
        method_text = g_strdup_printf (_("PGD adversarial, ε %.4f, %u epochs"),
                                       otter_json_get_number (config, "epsilon", 0), n_epochs);
      else if (method != NULL)
        method_text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s, %u epoch", "%s, %u epochs", n_epochs),
                                       method, n_epochs);
      else
        method_text = g_strdup (_("Unknown"));
      g_autofree char *final_loss = format_number (meta, "final_loss", 4);
      g_autofree char *val = format_number (meta, "val_map50", 3);
      row_set_value (self->method_row, method_text);
      row_set_value (self->final_row, final_loss);
      row_set_value (self->val_row, val);
    }

  gtk_widget_set_visible (self->history_group, n_epochs > 0);
  if (n_epochs == 0)
    return;
  gtk_grid_attach (self->history_grid, cell (_("Epoch"), TRUE, 0), 0, 0, 1, 1);
  gtk_grid_attach (self->history_grid, cell (_("Loss"), TRUE, 1), 1, 0, 1, 1);
  gtk_grid_attach (self->history_grid, cell (_("Val mAP@0.5"), TRUE, 1), 2, 0, 1, 1);
  int row = 1;
  guint first = n_epochs > HISTORY_ROWS ? n_epochs - HISTORY_ROWS : 0;
  if (first > 0)
    {
      g_autofree char *text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u earlier epoch not shown",
                                                            "%u earlier epochs not shown", first), first);
      GtkWidget *label = cell (text, FALSE, 0);
      gtk_widget_add_css_class (label, "dim-label");
      gtk_grid_attach (self->history_grid, label, 0, row++, 3, 1);
    }
  for (guint i = first; i < n_epochs; i++)
    {
      JsonNode *node = json_array_get_element (history, i);
      JsonObject *e = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      if (e == NULL)
        continue;
      g_autofree char *epoch = g_strdup_printf ("%" G_GINT64_FORMAT,
                                                otter_json_get_int (e, "epoch", i + 1));
      g_autofree char *loss = format_number (e, "loss", 4);
      g_autofree char *map = format_number (e, "val_map50", 3);
      gtk_grid_attach (self->history_grid, cell (epoch, FALSE, 0), 0, row, 1, 1);
      gtk_grid_attach (self->history_grid, cell (loss, FALSE, 1), 1, row, 1, 1);
      gtk_grid_attach (self->history_grid, cell (map, FALSE, 1), 2, row, 1, 1);
      row++;
    }
}

static void
update_model (OtterModelPage *self)
{
  OtterModel *model = otter_page_get_session (OTTER_PAGE (self)) ? otter_session_get_model (otter_page_get_session (OTTER_PAGE (self))) : NULL;

  if (model == NULL)
    return;

  const char *arch = otter_model_get_arch (model);
  g_autofree char *label = otter_model_dup_label (model);
  g_autofree char *params = format_params (otter_model_get_n_params (model));
  g_autofree char *input = g_strdup_printf (_("%d × %d px"), otter_model_get_input_size (model),
                                            otter_model_get_input_size (model));
  guint n_classes = otter_model_get_n_classes (model);
  const char *path = otter_model_get_path (model);
  g_autofree char *basename = path ? g_path_get_basename (path) : NULL;
  g_autofree char *subtitle = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                            "%s · %u class · %s parameters",
                                                            "%s · %u classes · %s parameters", n_classes),
                                               basename ? basename : _("Not saved"), n_classes, params);

  gtk_label_set_label (self->title_label, label);
  gtk_label_set_label (self->subtitle_label, subtitle);
  g_autofree char *backbone = describe_backbone_init (model);
  row_set_value (self->arch_info_row, arch);
  row_set_value (self->backbone_row, backbone);
  row_set_value (self->params_row, params);
  row_set_value (self->input_row, input);
  row_set_value (self->path_row, path ? path : _("Not saved yet"));

  clear_container (GTK_WIDGET (self->classes_box));
  const char *const *names = otter_model_get_class_names (model);
  for (guint i = 0; names != NULL && names[i] != NULL; i++)
    {
      GtkWidget *chip = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
      GtkWidget *name = gtk_label_new (names[i]);
      gtk_widget_set_margin_top (name, 4);
      gtk_widget_set_margin_bottom (name, 4);
      gtk_widget_set_margin_start (name, 12);
      gtk_widget_set_margin_end (name, 12);
      gtk_box_append (GTK_BOX (chip), name);
      gtk_widget_add_css_class (chip, "card");
      gtk_widget_set_halign (chip, GTK_ALIGN_START);
      gtk_flow_box_append (self->classes_box, chip);
    }

  const char *description = otter_model_get_description (model);
  gtk_label_set_label (self->description_label, description ? description : "");
  update_history (self, model);
}

/* ---- the page's states -------------------------------------------------- */

static void
update_page (OtterModelPage *self)
{
  gboolean has_model = otter_page_get_session (OTTER_PAGE (self)) && otter_session_get_model (otter_page_get_session (OTTER_PAGE (self))) != NULL;
  const char *page;

  otter_model_page_update_create (self);
  if (self->error_message != NULL)
    page = "error";
  else if (has_model && !self->creating)
    page = "model";
  else
    page = "create";
  gtk_stack_set_visible_child_name (self->stack, page);
}

static void
model_changed_cb (OtterModelPage *self)
{
  g_clear_pointer (&self->error_message, g_free);
  self->creating = FALSE;
  gtk_widget_set_visible (GTK_WIDGET (self->export_label), FALSE);
  update_model (self);
  update_page (self);
}

static void
session_error_cb (OtterModelPage *self, const char *message)
{
  g_free (self->error_message);
  self->error_message = g_strdup (message);
  adw_status_page_set_description (self->error_status, message);
  update_page (self);
}

static void
new_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  OtterModelPage *self = OTTER_MODEL_PAGE (widget);
  self->creating = TRUE;
  update_page (self);
}

static void
cancel_new_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  OtterModelPage *self = OTTER_MODEL_PAGE (widget);
  self->creating = FALSE;
  /* back to the current model: a replacement still on its way is unwanted */
  g_cancellable_cancel (self->create_cancellable);
  otter_model_page_end_create (self);
  gtk_widget_set_visible (GTK_WIDGET (self->create_error_label), FALSE);
  update_page (self);
}

static void
dismiss_error_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  OtterModelPage *self = OTTER_MODEL_PAGE (widget);
  g_clear_pointer (&self->error_message, g_free);
  update_page (self);
}

static void
otter_model_page_dispose (GObject *object)
{
  OtterModelPage *self = (OtterModelPage *) object;

  /* Its handlers on the session go with OtterPage's signal group. */
  g_cancellable_cancel (self->create_cancellable);
  g_clear_object (&self->create_cancellable);
  g_cancellable_cancel (self->lookup_cancellable);
  g_clear_object (&self->lookup_cancellable);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (self->chooser);
  g_clear_object (&self->chooser);
  self->stack = NULL;
  gtk_widget_dispose_template (GTK_WIDGET (self), OTTER_TYPE_MODEL_PAGE);
  G_OBJECT_CLASS (otter_model_page_parent_class)->dispose (object);
}

static void
otter_model_page_finalize (GObject *object)
{
  OtterModelPage *self = (OtterModelPage *) object;

  g_free (self->error_message);
  G_OBJECT_CLASS (otter_model_page_parent_class)->finalize (object);
}

static void otter_model_page_session_changed (OtterPage *page, OtterSession *old);

static void
otter_model_page_class_init (OtterModelPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = otter_model_page_dispose;
  object_class->finalize = otter_model_page_finalize;
  OTTER_PAGE_CLASS (klass)->session_changed = otter_model_page_session_changed;

  g_type_ensure (OTTER_TYPE_CLASS_BANNER);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/ottertrain/Otter/ui/otter-model-page.ui");
  gtk_widget_class_bind_template_child (widget_class, OtterModelPage, stack);
  gtk_widget_class_bind_template_child (widget_class, OtterModelPage, create_status);
  gtk_widget_class_bind_template_child (widget_class, OtterModelPage, form_group);
  gtk_widget_class_bind_template_child (widget_class, OtterModelPage, arch_row);
  gtk_widget_class_bind_template_child (widget_class, OtterModelPage, arch_model);
  gtk_widget_class_bind_template_child (widget_class, OtterModelPage, pretrained_row);
  gtk_widget_class_bind_template_child (widget_class, OtterModelPage, pretrained_switch);
  gtk_widget_class_bind_template_child (widget_class, OtterModelPage, progress_group);
  gtk_widget_class_bind_template_child (widget_class, OtterModelPage, progress_row);
  gtk_widget_class_bind_template_child (widget_class, OtterModelPage, progress_spinner);
  gtk_widget_class_bind_template_child (widget_class, OtterModelPage, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, OtterModelPage, progress_cancel_button);
  gtk_widget_class_bind_template_child (widget_class, OtterModelPage, input_size_spin);
  gtk_widget_class_bind_template_child (widget_class, OtterModelPage, classes_source_row);
  gtk_widget_class_bind_template_child (widget_class, OtterModelPage, create_error_label);
  gtk_widget_class_bind_template_child (widget_class, OtterModelPage, create_button);
  gtk_widget_class_bind_template_child (widget_class, OtterModelPage, cancel_create_button);
  gtk_widget_class_bind_template_child (widget_class, OtterModelPage, error_status);
  gtk_widget_class_bind_template_child (widget_class, OtterModelPage, title_label);
  gtk_widget_class_bind_template_child (widget_class, OtterModelPage, subtitle_label);
  gtk_widget_class_bind_template_child (widget_class, OtterModelPage, arch_info_row);
  gtk_widget_class_bind_template_child (widget_class, OtterModelPage, backbone_row);
  gtk_widget_class_bind_template_child (widget_class, OtterModelPage, params_row);
  gtk_widget_class_bind_template_child (widget_class, OtterModelPage, input_row);
  gtk_widget_class_bind_template_child (widget_class, OtterModelPage, path_row);
  gtk_widget_class_bind_template_child (widget_class, OtterModelPage, classes_box);
  gtk_widget_class_bind_template_child (widget_class, OtterModelPage, training_group);
  gtk_widget_class_bind_template_child (widget_class, OtterModelPage, method_row);
  gtk_widget_class_bind_template_child (widget_class, OtterModelPage, final_row);
  gtk_widget_class_bind_template_child (widget_class, OtterModelPage, val_row);
  gtk_widget_class_bind_template_child (widget_class, OtterModelPage, history_group);
  gtk_widget_class_bind_template_child (widget_class, OtterModelPage, history_grid);
  gtk_widget_class_bind_template_child (widget_class, OtterModelPage, description_label);
  gtk_widget_class_bind_template_child (widget_class, OtterModelPage, export_label);

  otter_model_page_class_init_create (widget_class);
  otter_model_page_class_init_export (widget_class);
  gtk_widget_class_install_action (widget_class, "model.new", NULL, new_action);
  gtk_widget_class_install_action (widget_class, "model.cancel-new", NULL, cancel_new_action);
  gtk_widget_class_install_action (widget_class, "model.dismiss-error", NULL, dismiss_error_action);
}

static void
otter_model_page_init (OtterModelPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  /* AdwBin owns its child: binding it would unparent it twice on dispose */

  GSignalGroup *session_signals = otter_page_get_session_signals (OTTER_PAGE (self));
  g_signal_group_connect_object (session_signals, "notify::model", G_CALLBACK (model_changed_cb), self,
                                 G_CONNECT_SWAPPED);
  g_signal_group_connect_object (session_signals, "notify::dataset", G_CALLBACK (update_page), self,
                                 G_CONNECT_SWAPPED);
  g_signal_group_connect_object (session_signals, "model-error", G_CALLBACK (session_error_cb), self,
                                 G_CONNECT_SWAPPED);

  otter_model_page_init_create (self);
  update_page (self);
}

static void
otter_model_page_session_changed (OtterPage    *page,
                                  OtterSession *old)
{
  OtterModelPage *self = OTTER_MODEL_PAGE (page);

  /* a model for the old session's dataset */
  g_cancellable_cancel (self->create_cancellable);
  g_clear_object (&self->create_cancellable);
  g_clear_pointer (&self->error_message, g_free);
  self->creating = FALSE;
  update_model (self);
  if (self->stack != NULL)
    update_page (self);
}

/* The message shown in the error state, or NULL. */
const char *
otter_model_page_get_error (OtterModelPage *self)
{
  g_return_val_if_fail (OTTER_IS_MODEL_PAGE (self), NULL);
  return self->error_message;
}

/* The name of the visible state: "create", "error" or "model". */
const char *
otter_model_page_get_state (OtterModelPage *self)
{
  g_return_val_if_fail (OTTER_IS_MODEL_PAGE (self), NULL);
  return gtk_stack_get_visible_child_name (self->stack);
}
