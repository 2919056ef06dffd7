/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-perturb-page.h: the Perturbation page */
#pragma once

#include <adwaita.h>

#include "otter-session.h"

G_BEGIN_DECLS

#define OTTER_TYPE_PERTURB_PAGE (otter_perturb_page_get_type ())
G_DECLARE_FINAL_TYPE (OtterPerturbPage, otter_perturb_page, OTTER, PERTURB_PAGE, AdwBin)

OtterSession *otter_perturb_page_get_session (OtterPerturbPage *self);
void          otter_perturb_page_set_session (OtterPerturbPage *self,
                                            OtterSession *session);

G_END_DECLS
