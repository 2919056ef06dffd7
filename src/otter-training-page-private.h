/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-training-page-private.h: what the Training page's files share */
#pragma once

#include "otter-run.h"
#include "otter-train-config.h"
#include "otter-training-page.h"

G_BEGIN_DECLS

/* The form's text rows; indexes invalid[] and the field table in otter-training-form.c. */
typedef enum
{
  FIELD_EPOCHS,
  FIELD_THRESHOLD,
  FIELD_BATCH,
  FIELD_LR,
  FIELD_EPSILON,
  FIELD_REG,
  FIELD_PROCESSES,
  N_FIELDS
} Field;

struct _OtterTrainingPage
{
  OtterPage       parent_instance;
  GSettings      *settings;

  OtterTrainer   *trainer;           /* the session's run, followed live */
  GSignalGroup   *trainer_signals;   /* its handlers, moved to each new trainer */
  gboolean        finish_handled;
  gboolean        listed_while_running;
  char           *start_error;       /* why the last Start failed */
  char           *viewed_run;        /* a past run shown in the chart */
  OtterRunHistory *viewed_history;   /* its records, once read */
  double          viewed_threshold;
  GCancellable   *view_cancellable;

  gboolean        invalid[N_FIELDS];

  GtkWidget      *form;              /* the settings and past runs beside the chart */
  GtkWidget      *form_box;          /* its groups: settings for the next run, past runs */
  AdwComboRow    *method_row;
  AdwComboRow    *space_row;
  AdwActionRow   *epochs_row;
  AdwActionRow   *threshold_row;
  AdwActionRow   *batch_row;
  AdwActionRow   *lr_row;
  AdwActionRow   *epsilon_row;
  AdwActionRow   *reg_row;
  AdwActionRow   *processes_row;
  GtkEntry       *epochs_entry;
  GtkEntry       *threshold_entry;
  GtkEntry       *batch_entry;
  GtkEntry       *lr_entry;
  GtkEntry       *epsilon_entry;
  GtkEntry       *reg_entry;
  GtkEntry       *processes_entry;
  GPtrArray      *workers;           /* GSubprocess: ranks 1… of a run on several processes */

  GtkLabel       *status_label;
  GtkLabel       *detail_label;
  GtkProgressBar *progress;
  GtkWidget      *start_button;
  GtkWidget      *continue_button;
  GtkWidget      *pause_button;
  GtkWidget      *resume_button;
  GtkWidget      *stop_button;
  OtterLossChart *chart;
  GtkWidget      *legend_l1;
  GtkWidget      *legend_l2;
  GtkWidget      *legend_loss;
  GtkWidget      *legend_d;
  GtkFlowBox     *compare_legend;    /* the runs drawn under the curves to compare */
  OtterRunList   *run_list;
};


/* otter-training-page.c: run control and the status line. */
void     otter_training_page_update_status      (OtterTrainingPage *self);
/* Back to the live run (or none): the past run on show is dropped. */
void     otter_training_page_clear_viewed_run   (OtterTrainingPage *self);
/* TRUE while the followed run is preparing, running or paused. */
gboolean otter_training_page_run_is_active      (OtterTrainingPage *self);
/* A toast on the window's overlay; with run_dir it offers to show the folder. */
void     otter_training_page_show_toast         (OtterTrainingPage *self,
                                                 const char        *message,
                                                 const char        *run_dir);

/* otter-training-form.c: the settings form. */
void     otter_training_page_class_init_form    (GtkWidgetClass    *widget_class);
/* Creates the settings and binds the form's rows to them. */
void     otter_training_page_init_form          (OtterTrainingPage *self);
void     otter_training_page_update_method_rows (OtterTrainingPage *self);
/* τ and the learning rate show the values the next run would use when
 * left automatic; called when the method or the data change. */
void     otter_training_page_update_automatic_fields (OtterTrainingPage *self);
/* FALSE while a row the chosen method uses holds text that does not parse. */
gboolean otter_training_page_form_is_valid      (OtterTrainingPage *self);
/* TRUE when the session's model is a stored one (trained or opened), which
 * a run can go on training instead of starting a new model. */
gboolean otter_training_page_model_is_trained   (OtterTrainingPage *self);
/* Fills a run's configuration from the session and the settings: a new
 * model of the session model's kind, or with continue_model that model's
 * own weights. */
void     otter_training_page_fill_config        (OtterTrainingPage *self,
                                                 OtterTrainConfig  *config,
                                                 gboolean           continue_model);

/* otter-training-workers.c: a run on several local processes. */
/* With `world_size` > 1 makes the trainer rank 0 and starts the other
 * ranks as otter-cli workers that take its settings; FALSE with an error
 * when they cannot be started (the trainer is left as it was). */
gboolean otter_training_page_start_workers      (OtterTrainingPage *self,
                                                 OtterTrainer      *trainer,
                                                 int                world_size,
                                                 GError           **error);

/* otter-training-runs.c: the chart's legend and past runs. */
void     otter_training_page_class_init_runs    (GtkWidgetClass    *widget_class);
void     otter_training_page_init_legend        (OtterTrainingPage *self);

G_END_DECLS
