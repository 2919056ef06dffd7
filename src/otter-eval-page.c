/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-eval-page.c: the Evaluation page */

#include "config.h"

#include <glib/gi18n.h>

#include "otter-eval-page.h"

struct _OtterEvalPage
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

G_DEFINE_FINAL_TYPE (OtterEvalPage, otter_eval_page, ADW_TYPE_BIN)

static void
otter_eval_page_dispose (GObject *object)
{
  OtterEvalPage *self = (OtterEvalPage *) object;

  gtk_widget_dispose_template (GTK_WIDGET (self), OTTER_TYPE_EVAL_PAGE);
  g_clear_object (&self->session);
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
    case PROP_SESSION: g_value_set_object (value, self->session); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
otter_eval_page_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  OtterEvalPage *self = (OtterEvalPage *) object;

  switch (prop_id)
    {
    case PROP_SESSION: otter_eval_page_set_session (self, g_value_get_object (value)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
otter_eval_page_class_init (OtterEvalPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = otter_eval_page_dispose;
  object_class->get_property = otter_eval_page_get_property;
  object_class->set_property = otter_eval_page_set_property;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, OTTER_TYPE_SESSION,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/ottertrain/Otter/ui/otter-eval-page.ui");
}

static void
otter_eval_page_init (OtterEvalPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

OtterSession *
otter_eval_page_get_session (OtterEvalPage *self)
{
  g_return_val_if_fail (OTTER_IS_EVAL_PAGE (self), NULL);
  return self->session;
}

void
otter_eval_page_set_session (OtterEvalPage *self,
                              OtterSession *session)
{
  g_return_if_fail (OTTER_IS_EVAL_PAGE (self));
  if (g_set_object (&self->session, session))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SESSION]);
}
