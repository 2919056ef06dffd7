/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-eval-page-private.h: what the Evaluation page's files share */
#pragma once

#include "otter-confusion-view.h"
#include "otter-eval-page.h"
#include "otter-image-view.h"
#include "otter-pr-chart.h"

G_BEGIN_DECLS

#define OTTER_EVAL_PAGE_MEAN_ROW "mean"

struct _OtterEvalPage
{
  OtterPage         parent_instance;

  OtterEvaluation *running;         /* the run in progress, or NULL */
  GCancellable    *cancellable;
  OtterEvaluation *evaluation;      /* the results shown */
  OtterModel      *compare_model;
  GCancellable    *compare_cancellable;
  GtkStringList   *rows;
  GtkNativeDialog *chooser;

  AdwComboRow     *data_row;
  GtkWidget       *fraction_row;
  GtkWidget       *seed_row;
  GtkSpinButton   *fraction_spin;
  GtkSpinButton   *seed_spin;
  GtkCheckButton  *clean_check;
  GtkCheckButton  *fgsm_check;
  GtkCheckButton  *pgd_check;
  GtkCheckButton  *ot_check;
  GtkCheckButton  *pgd50_check;
  GtkSpinButton   *epsilon_spin;
  GtkSpinButton   *steps_spin;
  AdwActionRow    *compare_row;
  GtkLabel        *summary_label;
  GtkWidget       *export_button;
  GtkWidget       *cancel_button;
  GtkWidget       *run_button;
  GtkProgressBar  *progress_bar;
  GtkStack        *results_stack;
  AdwStatusPage   *empty_status;
  OtterBarChart   *chart;
  GtkColumnView   *table;

  /* the per-attack views (otter-eval-page-results.c) */
  GtkStack        *views_stack;
  GtkWidget       *views_switcher;
  GtkWidget       *attack_box;
  GtkDropDown     *attack_dropdown;
  GtkStringList   *attack_choices;
  OtterPrChart    *pr_chart;
  OtterConfusionView *confusion_view;
  GtkLabel        *confusion_caption;

  /* the largest drops and one image inspected (otter-eval-page-drops.c) */
  GtkStack        *drops_stack;
  AdwStatusPage   *drops_status;
  GtkListView     *drops_list;
  GtkLabel        *inspect_title;
  GtkLabel        *inspect_note;
  GtkSpinner      *inspect_spinner;
  GtkLabel        *clean_label;
  GtkLabel        *attacked_label;
  OtterImageView  *clean_view;
  OtterImageView  *attacked_view;
  GtkStringList   *drop_rows;       /* image indices, in drops order */
  GArray          *drops;           /* OtterImageDrop of the run shown */
  guint            drops_model;
  guint            drops_attack;
  GCancellable    *inspect_cancellable;
  guint            inspect_serial;  /* the latest request; older results are dropped */
  int              inspected;       /* image shown side by side, -1: none */
};

/* otter-eval-page-results.c: the table, the charts and the empty states */
void otter_eval_page_results_init    (OtterEvalPage *self);
void otter_eval_page_show_empty      (OtterEvalPage *self,
                                      const char    *title,
                                      const char    *description,
                                      const char    *icon);
void otter_eval_page_show_idle_state (OtterEvalPage *self);
void otter_eval_page_show_results    (OtterEvalPage *self);
void otter_eval_page_clear_results   (OtterEvalPage *self);

/* otter-eval-page-drops.c: the images an attack hurt most, one side by side */
void otter_eval_page_drops_init      (OtterEvalPage *self);
void otter_eval_page_drops_dispose   (OtterEvalPage *self);
void otter_eval_page_drops_update    (OtterEvalPage *self,
                                      guint          model,
                                      guint          attack);
void otter_eval_page_drops_clear     (OtterEvalPage *self);

G_END_DECLS
