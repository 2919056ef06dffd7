/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-data-page.c: the Data page */

#include "config.h"

#include <glib/gi18n.h>

#include "otter-data-page.h"

struct _OtterDataPage
{
  AdwBin        parent_instance;
  OtterSession *session;
};

enum
{
  PROP_0,
  PROP_SESSION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (OtterDataPage, otter_data_page, ADW_TYPE_BIN)

static void
otter_data_page_dispose (GObject *object)
{
  OtterDataPage *self = (OtterDataPage *) object;

  gtk_widget_dispose_template (GTK_WIDGET (self), OTTER_TYPE_DATA_PAGE);
  g_clear_object (&self->session);
  G_OBJECT_CLASS (otter_data_page_parent_class)->dispose (object);
}

static void
otter_data_page_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  OtterDataPage *self = (OtterDataPage *) object;

  switch (prop_id)
    {
    case PROP_SESSION: g_value_set_object (value, self->session); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
otter_data_page_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  OtterDataPage *self = (OtterDataPage *) object;

  switch (prop_id)
    {
    case PROP_SESSION: otter_data_page_set_session (self, g_value_get_object (value)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
otter_data_page_class_init (OtterDataPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = otter_data_page_dispose;
  object_class->get_property = otter_data_page_get_property;
  object_class->set_property = otter_data_page_set_property;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, OTTER_TYPE_SESSION,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/ottertrain/Otter/ui/otter-data-page.ui");
}

static void
otter_data_page_init (OtterDataPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

OtterSession *
otter_data_page_get_session (OtterDataPage *self)
{
  g_return_val_if_fail (OTTER_IS_DATA_PAGE (self), NULL);
  return self->session;
}

void
otter_data_page_set_session (OtterDataPage *self,
                              OtterSession *session)
{
  g_return_if_fail (OTTER_IS_DATA_PAGE (self));
  if (g_set_object (&self->session, session))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SESSION]);
}
