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

/* The run going on now, which is not renamed or trashed (NULL: none). */
void        otter_run_list_set_active_dir (OtterRunList *self,
                                           const char   *dir);
/* Checks or unchecks a run's compare box without emitting
 * "compare-toggled" (the caller made the change). */
void        otter_run_list_set_compared (OtterRunList *self,
                                         const char   *dir,
                                         gboolean      compared);
gboolean    otter_run_list_is_compared  (OtterRunList *self,
                                         const char   *dir);
/* For tests: a row's compare check (NULL for the running run). */
GtkCheckButton *otter_run_list_get_compare_check (OtterRunList *self,
                                                  guint         index);
/* For tests: a row's title and run folder. */
const char *otter_run_list_get_title (OtterRunList *self,
                                      guint         index);
const char *otter_run_list_get_dir   (OtterRunList *self,
                                      guint         index);

G_END_DECLS
