/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-plan-view.h: a transport plan as a matrix, with a colour bar and a read-out */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define OTTER_TYPE_PLAN_VIEW (otter_plan_view_get_type ())
G_DECLARE_FINAL_TYPE (OtterPlanView, otter_plan_view, OTTER, PLAN_VIEW, GtkWidget)

GtkWidget  *otter_plan_view_new           (void);
/* side × side plan T and cost C (row-major, rows clean, columns
 * perturbed), copied; NULL clears. `unit` names what an index counts
 * ("image", "cell"). Keeps the selection when the side is unchanged. */
void        otter_plan_view_set_data      (OtterPlanView *self,
                                           const float   *plan,
                                           const float   *cost,
                                           int            side,
                                           const char    *unit);
int         otter_plan_view_get_side      (OtterPlanView *self);
/* > 0: the indexes are the cells of a feature map this many cells wide,
 * row-major; ticks then mark its rows and the read-out gives (row, column).
 * 0: plain indexes (images). */
void        otter_plan_view_set_grid_width (OtterPlanView *self,
                                            int            grid_width);
/* Colours on a log scale of the masses present (up to six decades), where
 * a sharp plan's small masses would otherwise all look like zero. */
void        otter_plan_view_set_log_scale (OtterPlanView *self,
                                           gboolean       log_scale);
/* The selected pair (i clean, j perturbed); -1 for none. Setting it
 * emits no "pair-activated". */
void        otter_plan_view_set_selection (OtterPlanView *self,
                                           int            i,
                                           int            j);
gboolean    otter_plan_view_get_selection (OtterPlanView *self,
                                           int           *i,
                                           int           *j);
/* The cell under a point in widget coordinates, and a cell's centre. */
gboolean    otter_plan_view_pick          (OtterPlanView *self,
                                           double         x,
                                           double         y,
                                           int           *i,
                                           int           *j);
gboolean    otter_plan_view_get_cell_centre (OtterPlanView *self,
                                             int            i,
                                             int            j,
                                             double        *x,
                                             double        *y);
/* "Clean image 2 → perturbed image 5 · cost 0.412 · mass 0.0118" for the
 * hovered cell, else the selected one; NULL when neither. */
const char *otter_plan_view_get_readout   (OtterPlanView *self);
/* The matrix with its axes and colour bar, on the style's background. */
GdkTexture *otter_plan_view_render        (OtterPlanView *self);

G_END_DECLS
