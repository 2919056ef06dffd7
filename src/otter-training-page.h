/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-training-page.h: the Training page */
#pragma once

#include <adwaita.h>

#include "otter-loss-chart.h"
#include "otter-run-list.h"
#include "otter-session.h"

G_BEGIN_DECLS

#define OTTER_TYPE_TRAINING_PAGE (otter_training_page_get_type ())
G_DECLARE_FINAL_TYPE (OtterTrainingPage, otter_training_page, OTTER, TRAINING_PAGE, AdwBin)

OtterSession *otter_training_page_get_session (OtterTrainingPage *self);
void          otter_training_page_set_session (OtterTrainingPage *self,
                                            OtterSession *session);
/* For tests: the chart, the status line and the list of past runs. */
OtterLossChart *otter_training_page_get_chart       (OtterTrainingPage *self);
const char     *otter_training_page_get_status_text (OtterTrainingPage *self);
OtterRunList   *otter_training_page_get_run_list    (OtterTrainingPage *self);

G_END_DECLS
