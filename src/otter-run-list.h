/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-run-list.h: past training runs, newest first */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define OTTER_TYPE_RUN_LIST (otter_run_list_get_type ())
G_DECLARE_FINAL_TYPE (OtterRunList, otter_run_list, OTTER, RUN_LIST, AdwBin)

GtkWidget  *otter_run_list_new     (void);
/* Rescans the runs folder on a worker thread. */
void        otter_run_list_reload  (OtterRunList *self);
guint       otter_run_list_get_n_runs (OtterRunList *self);
/* NULL: otter_run_default_root (). */
void        otter_run_list_set_root (OtterRunList *self,
                                     const char   *root);

G_END_DECLS
