/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-eval-page.h: the Evaluation page */
#pragma once

#include <adwaita.h>

#include "otter-session.h"

G_BEGIN_DECLS

#define OTTER_TYPE_EVAL_PAGE (otter_eval_page_get_type ())
G_DECLARE_FINAL_TYPE (OtterEvalPage, otter_eval_page, OTTER, EVAL_PAGE, AdwBin)

OtterSession *otter_eval_page_get_session (OtterEvalPage *self);
void          otter_eval_page_set_session (OtterEvalPage *self,
                                            OtterSession *session);

G_END_DECLS
