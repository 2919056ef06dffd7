/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-confusion-view.h: a confusion matrix as a heat map with counts */
#pragma once

#include <gtk/gtk.h>

#include "otter-metrics.h"

G_BEGIN_DECLS

#define OTTER_TYPE_CONFUSION_VIEW (otter_confusion_view_get_type ())
G_DECLARE_FINAL_TYPE (OtterConfusionView, otter_confusion_view, OTTER, CONFUSION_VIEW, GtkWidget)

GtkWidget *otter_confusion_view_new           (void);
/* Copies the matrix; its classes are named by class_names. */
void       otter_confusion_view_set_confusion (OtterConfusionView   *self,
                                               const OtterConfusion *confusion,
                                               const char *const    *class_names);
void       otter_confusion_view_clear         (OtterConfusionView   *self);
/* As drawn: n_classes + 1 rows and columns, the last ones background and
 * missed. */
guint      otter_confusion_view_get_n_classes (OtterConfusionView   *self);
guint      otter_confusion_view_get_count     (OtterConfusionView   *self,
                                               guint                 row,
                                               guint                 column);

G_END_DECLS
