/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-eval-page.h: the Evaluation page */
#pragma once

#include <adwaita.h>

#include "otter-bar-chart.h"
#include "otter-confusion-view.h"
#include "otter-evaluation.h"
#include "otter-image-view.h"
#include "otter-page.h"
#include "otter-pr-chart.h"

G_BEGIN_DECLS

#define OTTER_TYPE_EVAL_PAGE (otter_eval_page_get_type ())
G_DECLARE_FINAL_TYPE (OtterEvalPage, otter_eval_page, OTTER, EVAL_PAGE, OtterPage)

void             otter_eval_page_set_attack_enabled (OtterEvalPage   *self,
                                                     OtterAttackKind  kind,
                                                     gboolean         enabled);
/* Starts an evaluation with the page's settings (the eval.run action). */
void             otter_eval_page_run                (OtterEvalPage   *self);
gboolean         otter_eval_page_get_running        (OtterEvalPage   *self);
/* The finished evaluation shown, or NULL */
OtterEvaluation *otter_eval_page_get_evaluation     (OtterEvalPage   *self);
/* Rows of the results table: one per class, then the mean */
GListModel      *otter_eval_page_get_rows           (OtterEvalPage   *self);
OtterBarChart   *otter_eval_page_get_chart          (OtterEvalPage   *self);
/* A second model, loaded on a worker thread and scored on the same images */
void             otter_eval_page_load_compare       (OtterEvalPage   *self,
                                                     const char      *path);
OtterModel      *otter_eval_page_get_compare_model  (OtterEvalPage   *self);

/* The views beside the summary: "summary", "pr", "confusion", "drops" */
void             otter_eval_page_show_view          (OtterEvalPage   *self,
                                                     const char      *view);
/* The run the per-attack views show */
void             otter_eval_page_select_run         (OtterEvalPage   *self,
                                                     guint            model,
                                                     guint            attack);
OtterPrChart    *otter_eval_page_get_pr_chart       (OtterEvalPage   *self);
OtterConfusionView *otter_eval_page_get_confusion_view (OtterEvalPage *self);
/* The images of the run shown, largest drop first (OtterImageDrop) */
GArray          *otter_eval_page_get_drops          (OtterEvalPage   *self);
/* Shows the drop at `position` side by side, recomputed on a worker */
void             otter_eval_page_select_drop        (OtterEvalPage   *self,
                                                     guint            position);
/* The image shown side by side once its worker returned, or -1 */
int              otter_eval_page_get_inspected      (OtterEvalPage   *self);
gboolean         otter_eval_page_get_inspecting     (OtterEvalPage   *self);
OtterImageView  *otter_eval_page_get_clean_view     (OtterEvalPage   *self);
OtterImageView  *otter_eval_page_get_attacked_view  (OtterEvalPage   *self);

G_END_DECLS
