/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-run.h: a run directory (config.json, metrics.jsonl, checkpoints, model) */
#pragma once

#include <json-glib/json-glib.h>

#include "otter-train-config.h"

G_BEGIN_DECLS

typedef struct _OtterRun OtterRun;

/* One training step as recorded, for charts. NAN where not computed. */
typedef struct
{
  gint64 step;
  int    epoch;
  double l1, l2, loss, d, lr;
} OtterTrainPoint;

/* One finished epoch. */
typedef struct
{
  int    epoch;                  /* 1-based */
  gint64 step;                   /* global step at its end */
  double loss, l1, l2, d;        /* means over the epoch */
  double val_map50;              /* NAN when there is no validation set */
  double seconds;
} OtterEpochPoint;

#define OTTER_RUN_CONFIG     "config.json"
#define OTTER_RUN_METRICS    "metrics.jsonl"
/* A metrics.jsonl is a few hundred bytes a step: a gigabyte is millions of steps. */
#define OTTER_RUN_MAX_METRICS_SIZE ((gsize) 1 << 30)
#define OTTER_RUN_LOCK       ".lock"
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
/* Gives the run in dir a name of the user's (config.json's "name"); the
 * folder keeps its own name, which other files may point into. */
gboolean    otter_run_rename         (const char              *dir,
                                      const char              *name,
                                      GError                 **error);
/* Rewrites the open run's config.json (a resumed run's new world size). */
gboolean    otter_run_update_config  (OtterRun                *run,
                                      const OtterTrainConfig  *config,
                                      GError                 **error);
/* config.json of the run in dir. */
gboolean    otter_run_read_config    (const char              *dir,
                                      OtterTrainConfig        *config,
                                      GError                 **error);

/* ---- the records (otter-run-history.c) ---- */

/* How a run ended: its "end" record. */
typedef struct
{
  char      *status;            /* otter_trainer_state_to_string's nick */
  int        epochs;
  gint64     step;
  double     final_loss;        /* NAN when no epoch finished */
  char      *model_path;        /* NULL when no model was stored */
  char      *message;
  GPtrArray *skipped;           /* reasons, char * */
} OtterRunEnd;

gboolean    otter_run_append_step    (OtterRun                *run,
                                      const OtterTrainPoint   *point,
                                      double                   images_per_second,
                                      double                   seconds,
                                      GError                 **error);
gboolean    otter_run_append_epoch   (OtterRun                *run,
                                      const OtterEpochPoint   *epoch,
                                      double                   seconds,
                                      GError                 **error);
gboolean    otter_run_append_end     (OtterRun                *run,
                                      const OtterRunEnd       *end,
                                      GError                 **error);

typedef struct
{
  GArray     *points;           /* OtterTrainPoint, in order */
  GArray     *epochs;           /* OtterEpochPoint */
  gboolean    ended;            /* an end record was read (into end) */
  OtterRunEnd end;
  guint       n_damaged;        /* lines that are not records, the last one aside */
  gboolean    torn_last_line;   /* what a crash mid-write leaves; not damage */
} OtterRunHistory;

/* The run's records; with max_step ≥ 0 only those up to that step (and no
 * end record), as resuming from a checkpoint needs. */
OtterRunHistory *otter_run_read_history (const char        *dir,
                                         gint64             max_step,
                                         GError           **error);
void             otter_run_history_free (OtterRunHistory   *history);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OtterRun, otter_run_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OtterRunHistory, otter_run_history_free)

G_END_DECLS
