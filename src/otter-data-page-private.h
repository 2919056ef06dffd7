/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-data-page-private.h: what the Data page's files share */
#pragma once

#include "otter-data-page.h"
#include "otter-detections.h"
#include "otter-image-pair.h"
#include "otter-image-view.h"
#include "otter-thumbnail-cache.h"

G_BEGIN_DECLS

struct _OtterDataPage
{
  OtterPage            parent_instance;

  OtterDataset       *dataset;
  GtkFilterListModel *filter_model;
  GtkCustomFilter    *filter;
  int                 filter_class;
  guint               detail_position;
  gboolean            rebuilding_classes;

  GtkStack           *stack;
  GtkSpinner         *loading_spinner;
  GtkRevealer        *skipped_revealer;
  GtkLabel           *skipped_label;
  GtkButton          *outside_button;     /* reads the files outside the folder, after asking */
  GtkListBox         *class_list;
  GtkStack           *view_stack;
  GtkLabel           *title_label;
  GtkLabel           *summary_label;
  GtkSpinner         *busy_spinner;
  GtkGridView        *grid;
  GtkLabel           *detail_title;
  GtkLabel           *detail_subtitle;
  AdwBin             *detail_bin;
  OtterImageView     *detail_view;
  OtterSample        *detail_sample;
  OtterThumbnailRequest *detail_request;
  char               *detail_info;        /* the subtitle of the plain image */
  OtterImagePair     *detail_pair;
  GtkLabel           *truth_caption;
  GtkButton          *zoom_button;

  /* the current model's detections beside the ground truth */
  GtkWidget          *model_pane;
  AdwBin             *model_bin;
  OtterImageView     *model_view;
  GtkLabel           *model_caption;
  GtkSpinner         *model_spinner;
  GtkLabel           *model_status;
  GtkLabel           *class_warning;
  GtkScale           *threshold_scale;
  GtkAdjustment      *threshold_adjustment;
  OtterDetections    *detections;
  guint               busy_notice_id;     /* until "Detecting…" shows */
  double              score_threshold;

  /* the sample as training sees it */
  gboolean            show_augmented;
  guint64             augment_seed;       /* the draw asked for */
  guint64             augmented_seed;     /* the draw on screen, 0 for the plain image */
  GCancellable       *augment_cancellable;
};

/* The page's properties; their pspecs live in otter-data-page.c. */
typedef enum
{
  PROP_0,
  PROP_SHOW_AUGMENTED,
  PROP_AUGMENTED_SEED,
  PROP_SCORE_THRESHOLD,
  N_PROPS
} PageProp;

/* otter-data-page.c: the page, the grid and its class filter. */
void otter_data_page_notify              (OtterDataPage     *self,
                                          PageProp           prop);

/* otter-data-page-detail.c: one sample at full size, plain or augmented. */
void otter_data_page_class_init_detail   (GtkWidgetClass    *widget_class);
/* Makes the image view and sets the detail actions' first state. */
void otter_data_page_init_detail         (OtterDataPage     *self);
/* Cancels the decodes in flight and drops the sample shown. */
void otter_data_page_dispose_detail      (OtterDataPage     *self);
/* Shows sample (NULL: nothing) in the detail view, plain or augmented. */
void otter_data_page_set_detail_sample   (OtterDataPage     *self,
                                          OtterSample       *sample);
void otter_data_page_set_show_augmented  (OtterDataPage     *self,
                                          gboolean           show);
/* Draws the augmented sample again, as a run started now would see it
 * (the model's input size may have changed); nothing when it is not shown. */
void otter_data_page_update_augmented    (OtterDataPage     *self);
/* Index of the detail sample in the dataset (the grid may be filtered). */
gboolean otter_data_page_get_detail_index (OtterDataPage    *self,
                                          guint             *index);

/* otter-data-page-predictions.c: the model's detections on the detail
 * sample, beside its ground truth. */
void otter_data_page_class_init_predictions (GtkWidgetClass *widget_class);
void otter_data_page_init_predictions    (OtterDataPage     *self);
void otter_data_page_dispose_predictions (OtterDataPage     *self);
/* Runs the model on the detail sample again (a new sample, model or
 * dataset), or clears the pane when there is nothing to run. */
void otter_data_page_request_predictions (OtterDataPage     *self);
/* The image the model pane shows, as the ground truth pane got it. */
void otter_data_page_set_predictions_texture (OtterDataPage *self,
                                          GdkTexture        *texture);
void otter_data_page_set_score_threshold (OtterDataPage     *self,
                                          double             threshold);

G_END_DECLS
