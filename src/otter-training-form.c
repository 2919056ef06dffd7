/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-training-form.c: the Training page's settings: GSettings bindings, validation, presets */

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "otter-training-page-private.h"
#include "otter-weights.h"

/* ---- the fields --------------------------------------------------------- */

typedef struct
{
  const char *key;
  gboolean    integer;
  double      min, max;        /* accepted range, in the shown unit */
  gboolean    min_open;        /* min itself is refused */
  double      scale;           /* shown = stored × scale */
  gboolean    automatic;       /* 0 stored means "the default for this run", shown as that value */
} FieldSpec;

static const FieldSpec field_specs[N_FIELDS] = {
  [FIELD_EPOCHS] = { "max-epochs", TRUE, 1, 100000, FALSE, 1 },
  [FIELD_THRESHOLD] = { "loss-threshold", FALSE, 0, 1e6, TRUE, 1, TRUE },
  [FIELD_BATCH] = { "batch-size", TRUE, 2, 1024, FALSE, 1 },
  [FIELD_LR] = { "learning-rate", FALSE, 0, 1, TRUE, 1, TRUE },
  [FIELD_EPSILON] = { "epsilon", FALSE, 0, 255, TRUE, 255 },
  [FIELD_REG] = { "sinkhorn-reg", FALSE, 0, 10, TRUE, 1 },
  [FIELD_PROCESSES] = { "processes", TRUE, 1, 64, FALSE, 1 },
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

/* What a binding's mappings need: the field, and for automatic ones the
 * page whose method and data decide the default. */
typedef struct
{
  OtterTrainingPage *page;
  Field              field;
} FieldBinding;

static OtterTrainMethod form_method (OtterTrainingPage *self);

/* The value an automatic field stands for with the form's method and the
 * session's data, as the run will resolve it. */
static double
field_default (OtterTrainingPage *self,
               Field              field)
{
  OtterDataset *dataset = otter_page_get_session (OTTER_PAGE (self)) ? otter_session_get_dataset (otter_page_get_session (OTTER_PAGE (self))) : NULL;
  OtterTrainConfig config;
  double v;

  otter_train_config_init (&config);
  config.train.method = form_method (self);
  config.data = g_strdup (dataset ? otter_dataset_get_source (dataset) : "demo");
  v = field == FIELD_THRESHOLD ? otter_train_config_get_threshold (&config) : otter_train_config_get_lr (&config);
  otter_train_config_clear (&config);
  return v;
}

static char *
field_format (const FieldSpec *spec,
              double           stored)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  if (spec->integer)
    return g_strdup_printf ("%d", (int) stored);
  g_ascii_formatd (buf, sizeof buf, "%.6g", stored * spec->scale);
  return g_strdup (buf);
}

static gboolean
field_get_mapping (GValue   *value,
                   GVariant *variant,
                   gpointer  user_data)
{
  const FieldBinding *binding = user_data;
  const FieldSpec *spec = &field_specs[binding->field];
  double stored = spec->integer ? g_variant_get_int32 (variant) : g_variant_get_double (variant);

  if (spec->automatic && stored == 0)
    stored = field_default (binding->page, binding->field);
  g_value_take_string (value, field_format (spec, stored));
  return TRUE;
}

/* Invalid text is not written back: the setting keeps its last good value
 * while the row shows the error. The default's own value stays automatic,
 * so it follows the method and the data. */
static GVariant *
field_set_mapping (const GValue       *value,
                   const GVariantType *expected_type,
                   gpointer            user_data)
{
  const FieldBinding *binding = user_data;
  const FieldSpec *spec = &field_specs[binding->field];
  double v;

  if (!field_parse (spec, g_value_get_string (value), &v))
    return NULL;
  if (spec->integer)
    return g_variant_new_int32 ((gint32) v);
  if (spec->automatic)
    {
      g_autofree char *shown_default = field_format (spec, field_default (binding->page, binding->field));
      g_autofree char *shown = field_format (spec, v / spec->scale);
      if (g_str_equal (shown, shown_default))
        return g_variant_new_double (0);
    }
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
                                  self->lr_entry, self->epsilon_entry, self->reg_entry,
                                  self->processes_entry };
  return entries[field];
}

static GtkWidget *
field_row (OtterTrainingPage *self,
           Field              field)
{
  AdwActionRow *rows[N_FIELDS] = { self->epochs_row, self->threshold_row, self->batch_row,
                                   self->lr_row, self->epsilon_row, self->reg_row,
                                   self->processes_row };
  return GTK_WIDGET (rows[field]);
}

gboolean
otter_training_page_form_is_valid (OtterTrainingPage *self)
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
  otter_training_page_update_status (self);
}

static void
entry_changed_cb (GtkEditable       *editable,
                  OtterTrainingPage *self)
{
  for (int f = 0; f < N_FIELDS; f++)
    if (GTK_EDITABLE (field_entry (self, f)) == editable)
      validate_field (self, f);
}

/* ---- the method and its rows -------------------------------------------- */

static OtterTrainMethod
form_method (OtterTrainingPage *self)
{
  OtterTrainMethod method = OTTER_METHOD_OT;
  g_autofree char *id = g_settings_get_string (self->settings, "method");
  otter_train_method_from_string (id, &method);
  return method;
}

/* Rows the chosen method does not use are insensitive; τ's default
 * follows the method. */
void
otter_training_page_update_method_rows (OtterTrainingPage *self)
{
  OtterTrainMethod method = form_method (self);

  otter_training_page_update_automatic_fields (self);

  gtk_widget_set_sensitive (GTK_WIDGET (self->space_row), method == OTTER_METHOD_OT);
  gtk_widget_set_sensitive (GTK_WIDGET (self->reg_row), method == OTTER_METHOD_OT);
  gtk_widget_set_sensitive (GTK_WIDGET (self->epsilon_row), method != OTTER_METHOD_STANDARD);
  otter_training_page_update_status (self);
}

static void
reset_clicked_cb (GtkButton         *button,
                  OtterTrainingPage *self)
{
  const FieldSpec *spec = g_object_get_data (G_OBJECT (button), "otter-field-spec");
  g_settings_reset (self->settings, spec->key);
}

/* An automatic field shows its default as a value, and a reset button
 * once it holds another. */
static void
update_automatic_field (OtterTrainingPage *self,
                        Field              field)
{
  const FieldSpec *spec = &field_specs[field];
  GtkWidget *reset = g_object_get_data (G_OBJECT (field_row (self, field)), "otter-reset");
  double stored = g_settings_get_double (self->settings, spec->key);

  if (stored == 0)
    {
      g_autofree char *text = field_format (spec, field_default (self, field));
      if (g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (field_entry (self, field))), text) != 0)
        gtk_editable_set_text (GTK_EDITABLE (field_entry (self, field)), text);
    }
  gtk_widget_set_visible (reset, stored != 0);
}

void
otter_training_page_update_automatic_fields (OtterTrainingPage *self)
{
  for (int f = 0; f < N_FIELDS; f++)
    if (field_specs[f].automatic)
      update_automatic_field (self, f);
}

static void
bind_field (OtterTrainingPage *self,
            Field              field)
{
  GtkEntry *entry = field_entry (self, field);
  FieldBinding *binding = g_new (FieldBinding, 1);
  binding->page = self;
  binding->field = field;
  g_settings_bind_with_mapping (self->settings, field_specs[field].key, entry, "text",
                                G_SETTINGS_BIND_DEFAULT, field_get_mapping, field_set_mapping,
                                binding, g_free);
  g_signal_connect (entry, "changed", G_CALLBACK (entry_changed_cb), self);
  if (field_specs[field].automatic)
    {
      GtkWidget *reset = gtk_button_new_from_icon_name ("edit-undo-symbolic");
      gtk_widget_add_css_class (reset, "flat");
      gtk_widget_set_valign (reset, GTK_ALIGN_CENTER);
      gtk_widget_set_tooltip_text (reset, _("Back to the default for this method and data"));
      gtk_accessible_update_property (GTK_ACCESSIBLE (reset), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Reset"), -1);
      g_object_set_data (G_OBJECT (reset), "otter-field-spec", (gpointer) &field_specs[field]);
      g_signal_connect (reset, "clicked", G_CALLBACK (reset_clicked_cb), self);
      adw_action_row_add_suffix (ADW_ACTION_ROW (field_row (self, field)), reset);
      g_object_set_data (G_OBJECT (field_row (self, field)), "otter-reset", reset);
      g_autofree char *signal = g_strconcat ("changed::", field_specs[field].key, NULL);
      g_signal_connect_swapped (self->settings, signal, G_CALLBACK (otter_training_page_update_automatic_fields), self);
      update_automatic_field (self, field);
    }
  validate_field (self, field);
}

/* ---- the run's configuration and presets -------------------------------- */

gboolean
otter_training_page_model_is_trained (OtterTrainingPage *self)
{
  OtterModel *model = otter_page_get_session (OTTER_PAGE (self)) ? otter_session_get_model (otter_page_get_session (OTTER_PAGE (self))) : NULL;
  const char *path = model ? otter_model_get_path (model) : NULL;
  return path != NULL && *path != '\0';
}

void
otter_training_page_fill_config (OtterTrainingPage *self,
                                 OtterTrainConfig  *config,
                                 gboolean           continue_model)
{
  OtterDataset *dataset = otter_session_get_dataset (otter_page_get_session (OTTER_PAGE (self)));
  OtterModel *model = otter_session_get_model (otter_page_get_session (OTTER_PAGE (self)));
  g_autofree char *space = g_settings_get_string (self->settings, "feature-space");

  g_free (config->data);
  config->data = g_strdup (otter_dataset_get_source (dataset));
  /* The run reloads the data as the Data page shows it. */
  config->allow_outside_root = (otter_dataset_get_load_flags (dataset) & OTTER_DATASET_LOAD_ALLOW_OUTSIDE_ROOT) != 0;
  if (continue_model && otter_training_page_model_is_trained (self))
    config->init_model = g_strdup (otter_model_get_path (model));
  else if (model != NULL)
    {
      g_free (config->arch);
      config->arch = g_strdup (otter_model_get_arch (model));
      config->input_size = otter_model_get_input_size (model);
      /* the run builds its own copy of the model, so it needs the file
       * the backbone started from, as `otter-cli train --pretrained` */
      const char *weights = otter_model_get_backbone_weights (model);
      /* A model read from a file may name weights that are gone. */
      if (weights != NULL && !g_file_test (weights, G_FILE_TEST_IS_REGULAR))
        weights = NULL;
      g_free (config->backbone_weights);
      config->backbone_weights = g_strdup (weights);
      config->pretrained = FALSE;
      const char *imagenet = otter_torch_arch_imagenet_name (config->arch);
      if (weights != NULL && imagenet != NULL)
        {
          g_autoptr (OtterWeightsSource) source = otter_weights_resolve (imagenet, NULL);
          g_autofree char *base = g_path_get_basename (weights);
          config->pretrained = source != NULL && g_str_equal (base, source->file);
        }
    }
  config->max_epochs = g_settings_get_int (self->settings, "max-epochs");
  config->batch_size = g_settings_get_int (self->settings, "batch-size");
  config->world_size = g_settings_get_int (self->settings, "processes");
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

void
otter_training_page_class_init_form (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "training.preset", "s", preset_action);
}

void
otter_training_page_init_form (OtterTrainingPage *self)
{
  self->settings = g_settings_new (APPLICATION_ID);
  g_settings_bind_with_mapping (self->settings, "method", self->method_row, "selected", G_SETTINGS_BIND_DEFAULT,
                                choice_get_mapping, choice_set_mapping, (gpointer) method_ids, NULL);
  g_settings_bind_with_mapping (self->settings, "feature-space", self->space_row, "selected", G_SETTINGS_BIND_DEFAULT,
                                choice_get_mapping, choice_set_mapping, (gpointer) space_ids, NULL);
  g_signal_connect_swapped (self->settings, "changed::method",
                            G_CALLBACK (otter_training_page_update_method_rows), self);
  for (int f = 0; f < N_FIELDS; f++)
    bind_field (self, f);
}
