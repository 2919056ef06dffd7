/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-page.h: what every page of the window shares: the session it shows */
#pragma once

#include <adwaita.h>

#include "otter-session.h"

G_BEGIN_DECLS

#define OTTER_TYPE_PAGE (otter_page_get_type ())
G_DECLARE_DERIVABLE_TYPE (OtterPage, otter_page, OTTER, PAGE, AdwBin)

struct _OtterPageClass
{
  AdwBinClass parent_class;

  /* The page now shows `otter_page_get_session (self)` instead of `old`
   * (either may be NULL): move signal handlers and start over. */
  void (*session_changed) (OtterPage    *self,
                           OtterSession *old);
};

OtterSession *otter_page_get_session (OtterPage    *self);
void          otter_page_set_session (OtterPage    *self,
                                      OtterSession *session);
/* Follows the page's session: connect to it once (in init) with
 * g_signal_group_connect_object and the handlers move with the session. */
GSignalGroup *otter_page_get_session_signals (OtterPage *self);

G_END_DECLS
