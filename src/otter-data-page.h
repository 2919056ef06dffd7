/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-data-page.h: the Data page */
#pragma once

#include <adwaita.h>

#include "otter-page.h"

G_BEGIN_DECLS

#define OTTER_TYPE_DATA_PAGE (otter_data_page_get_type ())
G_DECLARE_FINAL_TYPE (OtterDataPage, otter_data_page, OTTER, DATA_PAGE, OtterPage)

/* The samples the grid shows (after the class filter). */
GListModel   *otter_data_page_get_visible_samples (OtterDataPage *self);
/* Shows only samples with a box of class_id; -1 shows all. */
void          otter_data_page_set_class_filter (OtterDataPage *self,
                                                int            class_id);
int           otter_data_page_get_class_filter (OtterDataPage *self);
/* Opens the detail view of the position-th visible sample. */
void          otter_data_page_show_detail      (OtterDataPage *self,
                                                guint          position);
/* The score the model pane's detections reach at least ("score-threshold"). */
double        otter_data_page_get_score_threshold (OtterDataPage *self);
/* Whether the "samples skipped" bar is shown. */
gboolean      otter_data_page_get_skipped_revealed (OtterDataPage *self);

G_END_DECLS
