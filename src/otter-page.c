/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-page.c: what every page of the window shares: the session it shows
 *
 * The window binds each page's "session" to its own in its template; a
 * page reacts in session_changed, which runs before "notify::session".
 * A page connects its session handlers once, on the signal group that
 * follows whichever session it shows, so none stays on an old session.
 */

#include "config.h"

#include "otter-page.h"

typedef struct
{
  OtterSession *session;
  GSignalGroup *session_signals;
} OtterPagePrivate;

enum
{
  PROP_0,
  PROP_SESSION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_TYPE_WITH_PRIVATE (OtterPage, otter_page, ADW_TYPE_BIN)

OtterSession *
otter_page_get_session (OtterPage *self)
{
  g_return_val_if_fail (OTTER_IS_PAGE (self), NULL);
  OtterPagePrivate *priv = otter_page_get_instance_private (self);
  return priv->session;
}

void
otter_page_set_session (OtterPage    *self,
                        OtterSession *session)
{
  g_return_if_fail (OTTER_IS_PAGE (self));
  g_return_if_fail (session == NULL || OTTER_IS_SESSION (session));
  OtterPagePrivate *priv = otter_page_get_instance_private (self);

  if (priv->session == session)
    return;
  g_autoptr (OtterSession) old = g_steal_pointer (&priv->session);
  priv->session = session ? g_object_ref (session) : NULL;
  g_signal_group_set_target (priv->session_signals, session);
  if (OTTER_PAGE_GET_CLASS (self)->session_changed != NULL)
    OTTER_PAGE_GET_CLASS (self)->session_changed (self, old);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SESSION]);
}

static void
otter_page_dispose (GObject *object)
{
  OtterPagePrivate *priv = otter_page_get_instance_private (OTTER_PAGE (object));

  /* The subclass is half gone by now: no session_changed, and none of its
   * handlers may outlive it. */
  if (priv->session_signals != NULL)
    g_signal_group_set_target (priv->session_signals, NULL);
  g_clear_object (&priv->session_signals);
  g_clear_object (&priv->session);
  G_OBJECT_CLASS (otter_page_parent_class)->dispose (object);
}

static void
otter_page_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  if (prop_id == PROP_SESSION)
    g_value_set_object (value, otter_page_get_session (OTTER_PAGE (object)));
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
otter_page_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  if (prop_id == PROP_SESSION)
    otter_page_set_session (OTTER_PAGE (object), g_value_get_object (value));
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
otter_page_class_init (OtterPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = otter_page_dispose;
  object_class->get_property = otter_page_get_property;
  object_class->set_property = otter_page_set_property;
  properties[PROP_SESSION] = g_param_spec_object ("session", NULL, NULL, OTTER_TYPE_SESSION,
                                                  G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
                                                  G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
otter_page_init (OtterPage *self)
{
  OtterPagePrivate *priv = otter_page_get_instance_private (self);
  priv->session_signals = g_signal_group_new (OTTER_TYPE_SESSION);
}

GSignalGroup *
otter_page_get_session_signals (OtterPage *self)
{
  g_return_val_if_fail (OTTER_IS_PAGE (self), NULL);
  OtterPagePrivate *priv = otter_page_get_instance_private (self);
  return priv->session_signals;
}
