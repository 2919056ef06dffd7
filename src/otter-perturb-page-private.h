/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-perturb-page-private.h: what the Perturbation page's files share */
#pragma once

#include "otter-color-bar.h"
#include "otter-image-view.h"
#include "otter-perturb-page.h"
#include "otter-plan-view.h"
#include "otter-preview.h"

G_BEGIN_DECLS

struct _OtterPerturbPage
{
  OtterPage       parent_instance;
  OtterPreview   *preview;
  guint           debounce_id;
  gboolean        dirty;           /* settings or inputs changed since the last request */
  guint64         seed;
  int             pair_i, pair_j;  /* batch space: the images shown */

  GtkStack       *stack;
  GtkSwitch      *random_switch;
  AdwActionRow   *start_row;
  GtkAdjustment  *start_adjustment;
  GtkAdjustment  *count_adjustment;
  GtkAdjustment  *epsilon_adjustment;
  GtkAdjustment  *steps_adjustment;
  GtkAdjustment  *step_size_adjustment;
  GtkAdjustment  *reg_adjustment;
  AdwComboRow    *space_row;
  GtkSpinner     *spinner;
  GtkLabel       *status_label;
  GtkLabel       *d_label;
  GtkLabel       *linf_label;
  GtkLabel       *batch_label;
  GtkLabel       *clean_title;
  GtkLabel       *perturbed_title;
  GtkLabel       *delta_title;
  OtterImageView *clean_view;
  OtterImageView *perturbed_view;
  OtterImageView *delta_view;
  OtterColorBar  *delta_bar;
  OtterColorBar  *overlay_bar;
  GtkToggleButton *signed_toggle;
  GtkToggleButton *plan_log_toggle;
  OtterPlanView  *plan_view;
  GtkLabel       *plan_title;
  GtkLabel       *image_label;
  GtkSpinButton  *image_spin;
  GtkAdjustment  *image_adjustment;
  GtkLabel       *readout_label;
  GtkWidget      *overlay_kind_box;
  GtkWidget      *opacity_box;
  GtkToggleButton *cost_toggle;
  GtkStack       *overlay_stack;
  OtterImageView *overlay_view;
  GtkAdjustment  *opacity_adjustment;
};

/* otter-perturb-page-results.c: showing the preview's result. */
gboolean otter_perturb_page_result_is_spatial  (OtterPreviewResult *result);
void     otter_perturb_page_class_init_results (GtkWidgetClass     *widget_class);
/* Follows the preview's results and the view controls. */
void     otter_perturb_page_init_results       (OtterPerturbPage   *self);

/* otter-perturb-page-export.c: the views as PNG files. */
void     otter_perturb_page_class_init_export  (GtkWidgetClass     *widget_class);

G_END_DECLS
