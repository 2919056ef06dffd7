/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-model-page-private.h: what the Model page's files share */
#pragma once

#include "otter-model-page.h"

G_BEGIN_DECLS

struct _OtterModelPage
{
  OtterPage         parent_instance;
  char            *error_message;
  gboolean         creating;    /* replacing an existing model */
  GCancellable    *create_cancellable;  /* a model being made; NULL when none is */
  GCancellable    *lookup_cancellable;  /* the cache lookup behind the pretrained row */
  GtkNativeDialog *chooser;
  guint            n_exporting;

  GtkStack        *stack;
  AdwStatusPage   *create_status;
  GtkWidget       *form_group;
  AdwComboRow     *arch_row;
  GtkStringList   *arch_model;
  AdwActionRow    *pretrained_row;
  GtkSwitch       *pretrained_switch;
  GtkWidget       *progress_group;
  AdwActionRow    *progress_row;
  GtkSpinner      *progress_spinner;
  GtkProgressBar  *progress_bar;
  GtkWidget       *progress_cancel_button;
  GtkSpinButton   *input_size_spin;
  AdwActionRow    *classes_source_row;
  GtkLabel        *create_error_label;
  GtkWidget       *create_button;
  GtkWidget       *cancel_create_button;
  AdwStatusPage   *error_status;
  GtkLabel        *title_label;
  GtkLabel        *subtitle_label;
  AdwActionRow    *arch_info_row;
  AdwActionRow    *backbone_row;
  AdwActionRow    *params_row;
  AdwActionRow    *input_row;
  AdwActionRow    *path_row;
  GtkFlowBox      *classes_box;
  GtkWidget       *training_group;
  AdwActionRow    *method_row;
  AdwActionRow    *final_row;
  AdwActionRow    *val_row;
  GtkWidget       *history_group;
  GtkGrid         *history_grid;
  GtkLabel        *description_label;
  GtkLabel        *export_label;
};

/* otter-model-page-create.c: the form that makes a new model. */
void otter_model_page_class_init_create (GtkWidgetClass *widget_class);
/* Fills the architecture row and follows its choice. */
void otter_model_page_init_create       (OtterModelPage *self);
/* The form's rows and the page's actions, for the session and what is
 * being made or exported now. */
void otter_model_page_update_create     (OtterModelPage *self);
/* Forgets the model being made (a caller that no longer wants it cancels
 * it first) and hides the progress row. */
void otter_model_page_end_create        (OtterModelPage *self);

/* otter-model-page-export.c: Export for PyTorch. */
void otter_model_page_class_init_export (GtkWidgetClass *widget_class);

G_END_DECLS
