/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-perturb-page.h: the Perturbation page */
#pragma once

#include <adwaita.h>

#include "otter-image-view.h"
#include "otter-plan-view.h"
#include "otter-page.h"

G_BEGIN_DECLS

#define OTTER_TYPE_PERTURB_PAGE (otter_perturb_page_get_type ())
G_DECLARE_FINAL_TYPE (OtterPerturbPage, otter_perturb_page, OTTER, PERTURB_PAGE, OtterPage)


/* What the Compute button does: runs the attack now, off the UI thread. */
void           otter_perturb_page_compute       (OtterPerturbPage  *self);
gboolean       otter_perturb_page_get_busy      (OtterPerturbPage  *self);
/* Bumped each time a result (or an error) is shown. */
guint          otter_perturb_page_get_serial    (OtterPerturbPage  *self);

/* The side panel's settings, for scripts and tests (each recomputes,
 * debounced, like editing the field). */
void           otter_perturb_page_set_batch     (OtterPerturbPage  *self,
                                                 guint              start,
                                                 guint              count);
void           otter_perturb_page_set_feature_space (OtterPerturbPage *self,
                                                     OtterFeatureSpace space);

OtterPlanView *otter_perturb_page_get_plan_view (OtterPerturbPage  *self);
OtterImageView *otter_perturb_page_get_change_view (OtterPerturbPage *self);
/* The images shown in the clean and perturbed panes (batch indices). */
void           otter_perturb_page_get_shown_pair (OtterPerturbPage *self,
                                                  int              *clean,
                                                  int              *perturbed);

G_END_DECLS
