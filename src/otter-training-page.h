/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-training-page.h: the Training page */
#pragma once

#include <adwaita.h>

#include "otter-loss-chart.h"
#include "otter-run-list.h"
#include "otter-page.h"

G_BEGIN_DECLS

#define OTTER_TYPE_TRAINING_PAGE (otter_training_page_get_type ())
G_DECLARE_FINAL_TYPE (OtterTrainingPage, otter_training_page, OTTER, TRAINING_PAGE, OtterPage)

/* Hands the trainer to the session and starts it; a failure shows in the
 * status line. */
void          otter_training_page_start_trainer   (OtterTrainingPage *self,
                                                   OtterTrainer      *trainer);
/* Shows a past run's curves (read on a worker thread); ignored with a
 * toast while a run is going on. */
void          otter_training_page_show_run        (OtterTrainingPage *self,
                                                   const char        *run_dir);
const char   *otter_training_page_get_viewed_run  (OtterTrainingPage *self);
/* For tests: the chart, the status line and the list of past runs. */
OtterLossChart *otter_training_page_get_chart       (OtterTrainingPage *self);
const char     *otter_training_page_get_status_text (OtterTrainingPage *self);
const char     *otter_training_page_get_detail_text (OtterTrainingPage *self);
OtterRunList   *otter_training_page_get_run_list    (OtterTrainingPage *self);
/* For tests: the legend of the runs compared on the chart. */
GtkWidget      *otter_training_page_get_compare_legend (OtterTrainingPage *self);

G_END_DECLS
