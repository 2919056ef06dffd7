/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-video-page-private.h: what the Video page's files share */
#pragma once

#include "otter-image-view.h"
#include "otter-strip-chart.h"
#include "otter-video-page.h"

G_BEGIN_DECLS

struct _OtterVideoPage
{
  OtterPage             parent_instance;

  GtkStack             *stack;
  AdwStatusPage        *error_page;
  GtkSpinner           *loading_spinner;
  GtkWidget            *empty_camera_button;
  GtkWidget            *camera_button;
  AdwActionRow         *camera_row;
  GtkAdjustment        *threshold_adjustment;
  GtkAdjustment        *epsilon_adjustment;
  GtkAdjustment        *steps_adjustment;
  GtkAdjustment        *position_adjustment;
  AdwComboRow          *window_row;
  AdwComboRow          *kind_row;
  AdwComboRow          *space_row;
  GtkSwitch            *attack_switch;
  GtkLabel             *model_label;
  GtkLabel             *fps_label;
  GtkLabel             *clean_title;
  GtkLabel             *attacked_title;
  GtkLabel             *position_label;
  OtterImageView       *clean_view;
  OtterImageView       *attacked_view;
  GtkButton            *play_button;
  OtterStripChart      *chart;

  OtterVideoPlayer     *player;
  char                 *camera;       /* "camera:N" for the first device found, or NULL */
  GtkFileChooserNative *chooser;

  /* exporting (otter-video-page-export.c) */
  GtkAdjustment        *every_adjustment;
  GtkAdjustment        *start_adjustment;
  GtkAdjustment        *end_adjustment;
  GtkSwitch            *labels_switch;
  AdwActionRow         *keep_audio_row;
  GtkSwitch            *keep_audio_switch;
  AdwActionRow         *export_row;
  GtkProgressBar       *export_progress;
  GtkWidget            *export_cancel_button;
  GtkFileChooserNative *export_chooser;
  struct _OtterVideoExportJob *export_job; /* the one running, or NULL */
  char                 *export_message; /* how the last one ended */
};

/* The attack the settings describe; FALSE when the attack is off. */
gboolean otter_video_page_get_attack         (OtterVideoPage         *self,
                                              OtterTorchAttackParams *attack);
/* Export Comparison and Extract Frames: their actions and template parts. */
void     otter_video_page_class_init_export  (GtkWidgetClass         *widget_class);
void     otter_video_page_init_export        (OtterVideoPage         *self);
void     otter_video_page_dispose_export     (OtterVideoPage         *self);
/* Enables the export actions for what is open now. */
void     otter_video_page_update_export      (OtterVideoPage         *self);

G_END_DECLS
