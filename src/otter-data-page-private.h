/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-data-page-private.h: what the Data page's files share */
#pragma once

#include "otter-data-page.h"
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

G_END_DECLS
