/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-class-banner.c: says when the model's classes are not the dataset's
 *
 * Shown on every page whose work needs the two to agree, as soon as the
 * dataset or the model changes, rather than as an error after Start. Its
 * button builds a model of the same kind for the dataset's classes.
 */

#include "config.h"

#include <glib/gi18n.h>

#include "otter-class-banner.h"

struct _OtterClassBanner
{
  AdwBin        parent_instance;
  OtterSession *session;
  GSignalGroup *session_signals;   /* follows session */
  GtkRevealer  *revealer;
  GtkLabel     *label;
  GtkButton    *button;
  char         *text;
  GCancellable *cancellable;
};

enum
{
  PROP_0,
  PROP_SESSION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (OtterClassBanner, otter_class_banner, ADW_TYPE_BIN)

char *
otter_describe_class_mismatch (OtterModel   *model,
                               OtterDataset *dataset)
{
  if (model == NULL || dataset == NULL || otter_dataset_get_n_classes (dataset) == 0)
    return NULL;

  guint n_model = otter_model_get_n_classes (model);
  guint n_data = otter_dataset_get_n_classes (dataset);
  const char *const *model_names = otter_model_get_class_names (model);
  const char *const *data_names = otter_dataset_get_class_names (dataset);

  if (n_model != n_data)
    {
      /* Translators: the first part of “The model knows 3 classes, this dataset has 80” */
      g_autofree char *knows = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "The model knows %u class",
                                                             "The model knows %u classes", n_model), n_model);
      g_autofree char *has = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "this dataset has %u",
                                                           "this dataset has %u", n_data), n_data);
      /* Translators: the two halves above */
      return g_strdup_printf (_("%s, %s"), knows, has);
    }
  for (guint i = 0; i < n_model; i++)
    if (g_strcmp0 (model_names[i], data_names[i]) != 0)
      /* Translators: class number, the model's name for it, the dataset's */
      return g_strdup_printf (_("The model’s class %u is “%s”, this dataset’s is “%s”"),
                              i + 1, model_names[i], data_names[i]);
  return NULL;
}

static void
update (OtterClassBanner *self)
{
  OtterModel *model = self->session ? otter_session_get_model (self->session) : NULL;
  OtterDataset *dataset = self->session ? otter_session_get_dataset (self->session) : NULL;

  g_free (self->text);
  self->text = otter_describe_class_mismatch (model, dataset);
  if (self->text != NULL)
    gtk_label_set_label (self->label, self->text);
  gtk_revealer_set_reveal_child (self->revealer, self->text != NULL);
  gtk_widget_set_sensitive (GTK_WIDGET (self->button),
                            self->session != NULL && !otter_session_get_busy (self->session));
}

static void
model_created_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr (OtterClassBanner) self = user_data;
  g_autoptr (GError) error = NULL;

  if (!otter_session_create_model_finish (OTTER_SESSION (source), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autofree char *message = g_strdup_printf (_("Could not create the model: %s"), error->message);
      gtk_label_set_label (self->label, message);
    }
  gtk_widget_set_sensitive (GTK_WIDGET (self->button), TRUE);
}

/* A model of the current one's kind (architecture, input size) for the
 * dataset's classes; the current model's file is left as it is. */
static void
create_clicked_cb (OtterClassBanner *self)
{
  OtterModel *model = self->session ? otter_session_get_model (self->session) : NULL;
  if (model == NULL)
    return;
  gtk_widget_set_sensitive (GTK_WIDGET (self->button), FALSE);
  g_cancellable_cancel (self->cancellable);
  g_set_object (&self->cancellable, g_cancellable_new ());
  otter_session_create_model_async (self->session, otter_model_get_arch (model),
                                    otter_model_get_input_size (model), NULL, self->cancellable,
                                    model_created_cb, g_object_ref (self));
}

void
otter_class_banner_set_session (OtterClassBanner *self,
                                OtterSession     *session)
{
  g_return_if_fail (OTTER_IS_CLASS_BANNER (self));
  if (self->session == session)
    return;
  g_set_object (&self->session, session);
  g_signal_group_set_target (self->session_signals, session);
  update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SESSION]);
}

OtterSession *
otter_class_banner_get_session (OtterClassBanner *self)
{
  g_return_val_if_fail (OTTER_IS_CLASS_BANNER (self), NULL);
  return self->session;
}

const char *
otter_class_banner_get_text (OtterClassBanner *self)
{
  g_return_val_if_fail (OTTER_IS_CLASS_BANNER (self), NULL);
  return self->text;
}

static void
otter_class_banner_dispose (GObject *object)
{
  OtterClassBanner *self = OTTER_CLASS_BANNER (object);
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  otter_class_banner_set_session (self, NULL);
  g_clear_object (&self->session_signals);
  g_clear_pointer (&self->text, g_free);
  G_OBJECT_CLASS (otter_class_banner_parent_class)->dispose (object);
}

static void
otter_class_banner_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  if (prop_id == PROP_SESSION)
    g_value_set_object (value, OTTER_CLASS_BANNER (object)->session);
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
otter_class_banner_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  if (prop_id == PROP_SESSION)
    otter_class_banner_set_session (OTTER_CLASS_BANNER (object), g_value_get_object (value));
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
otter_class_banner_class_init (OtterClassBannerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = otter_class_banner_dispose;
  object_class->get_property = otter_class_banner_get_property;
  object_class->set_property = otter_class_banner_set_property;
  properties[PROP_SESSION] = g_param_spec_object ("session", NULL, NULL, OTTER_TYPE_SESSION,
                                                  G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
                                                  G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
otter_class_banner_init (OtterClassBanner *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *icon = gtk_image_new_from_icon_name ("dialog-warning-symbolic");
  GtkWidget *label = gtk_label_new (NULL);
  GtkWidget *button = gtk_button_new_with_mnemonic (_("_Create a Model for This Dataset"));

  gtk_widget_add_css_class (box, "class-banner");
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "suggested-action");
  gtk_widget_set_tooltip_text (button, _("A new model of the current one’s architecture and input size, "
                                         "for this dataset’s classes; the current model’s file stays as it is"));
  gtk_box_append (GTK_BOX (box), icon);
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), button);
  g_signal_connect_swapped (button, "clicked", G_CALLBACK (create_clicked_cb), self);

  self->revealer = GTK_REVEALER (gtk_revealer_new ());
  gtk_revealer_set_child (self->revealer, box);
  adw_bin_set_child (ADW_BIN (self), GTK_WIDGET (self->revealer));
  self->label = GTK_LABEL (label);
  self->button = GTK_BUTTON (button);

  self->session_signals = g_signal_group_new (OTTER_TYPE_SESSION);
  g_signal_group_connect_object (self->session_signals, "notify::model", G_CALLBACK (update), self, G_CONNECT_SWAPPED);
  g_signal_group_connect_object (self->session_signals, "notify::dataset", G_CALLBACK (update), self, G_CONNECT_SWAPPED);
  g_signal_group_connect_object (self->session_signals, "notify::busy", G_CALLBACK (update), self, G_CONNECT_SWAPPED);
}
