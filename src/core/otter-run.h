/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-run.h: a run directory (config.json, metrics.jsonl, checkpoints, model) */
#pragma once

#include <json-glib/json-glib.h>

#include "otter-train-config.h"

G_BEGIN_DECLS

typedef struct _OtterRun OtterRun;

#define OTTER_RUN_CONFIG     "config.json"
#define OTTER_RUN_METRICS    "metrics.jsonl"
#define OTTER_RUN_LAST       "checkpoints/last.ckpt"
#define OTTER_RUN_BEST       "checkpoints/best.ckpt"
#define OTTER_RUN_MODEL      "model.otter"

/* $XDG_DATA_HOME/otter/runs */
char       *otter_run_default_root   (void);
/* Creates `dir` (or a new <timestamp>-<name> folder under the default root
 * when dir is NULL) and writes config.json. A folder that already holds a
 * run is refused: resume it instead. */
OtterRun   *otter_run_create         (const char              *dir,
                                      const OtterTrainConfig  *config,
                                      GError                 **error);
/* Opens an existing run to resume it; fills `config` from its config.json. */
OtterRun   *otter_run_open           (const char              *dir,
                                      OtterTrainConfig        *config,
                                      GError                 **error);
void        otter_run_free           (OtterRun                *run);
const char *otter_run_get_dir        (OtterRun                *run);
char       *otter_run_dup_path       (OtterRun                *run,
                                      const char              *relative);
/* Appends one JSON object as a line and flushes it, so a crash loses at
 * most the line being written. */
gboolean    otter_run_append         (OtterRun                *run,
                                      JsonNode                *record,
                                      GError                 **error);
/* Keeps only the records whose "step" is ≤ max_step (and drops "end"
 * records), rewriting the file atomically: used when resuming from a
 * checkpoint older than the last lines written. */
gboolean    otter_run_truncate       (OtterRun                *run,
                                      gint64                   max_step,
                                      GError                 **error);
/* All complete records of a run's metrics.jsonl (a torn last line is
 * skipped), as a JsonArray of objects. */
JsonArray  *otter_run_read_metrics   (const char              *dir,
                                      GError                 **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OtterRun, otter_run_free)

G_END_DECLS
