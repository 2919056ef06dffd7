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

G_END_DECLS
