/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-trainer-private.h: what the trainer object and its thread share */
#pragma once

#include <math.h>

#include "otter-distributed.h"
#include "otter-error.h"
#include "otter-trainer.h"

G_BEGIN_DECLS

/* Everything a watcher sees, copied whole between threads. */
typedef struct
{
  OtterTrainerState state;
  int    epoch, max_epochs;
  gint64 step;
  int    step_in_epoch, steps_per_epoch;
  double loss, l1, l2, d, lr;
  double epoch_loss, threshold;
  double images_per_second, eta_seconds;
  int    world_size;            /* processes of a distributed run, else 1 */
  double exchange_seconds;      /* its mean gradient exchange per step */
  double val_map50;
  guint  n_skipped;
  guint  n_outside_root;        /* of the skipped: files outside the dataset's folder */
  guint  n_checkpoint_failures; /* checkpoints that could not be written */
  char  *checkpoint_error;      /* why the last of them was not */
  GQuark error_domain;          /* of the failure, when FAILED */
  int    error_code;
  char  *message;
  char  *run_dir;
  char  *model_path;
} OtterTrainerSnapshot;

/* Reference-counted so that a pending delivery or a finishing thread never
 * touches freed memory. Fields below the mutex are guarded by it. */
typedef struct
{
  GWeakRef owner;
  GMutex   mutex;
  GCond    cond;
  gboolean pause_requested;
  gboolean stop_requested;
  gboolean delivery_pending;
  OtterTrainerSnapshot snap;
  GArray  *new_points;          /* OtterTrainPoint not yet delivered */
  GArray  *new_epochs;          /* OtterEpochPoint not yet delivered */
  GPtrArray *skipped;           /* all skip reasons so far */
  GPtrArray *notes;             /* what loading the data adjusted */
} OtterTrainerShared;

/* The worker's own copy of its input. */
typedef struct
{
  OtterTrainerShared *shared;
  GCancellable       *cancellable;
  OtterTrainConfig    config;
  char               *resume_dir;
  char               *run_dir;
  int                 n_threads;
  gboolean            adaptive_threads;
  OtterDistributedParams *distributed;  /* NULL: one process */
} OtterTrainJob;

struct _OtterTrainer
{
  GObject parent_instance;

  OtterTrainConfig    config;
  char               *resume_dir;
  char               *run_dir;
  int                 n_threads;
  gboolean            adaptive_threads;
  OtterDistributedParams *distributed;
  GThread            *thread;
  GCancellable       *cancellable;
  OtterTrainerShared *shared;

  /* main-thread view */
  OtterTrainerSnapshot view;
  GArray             *points;
  GArray             *epochs;
  GPtrArray          *skipped;
  gboolean            finished_emitted;
};

OtterTrainerShared *otter_trainer_shared_ref            (OtterTrainerShared *shared);
void                otter_trainer_shared_unref          (OtterTrainerShared *shared);
void                otter_trainer_shared_publish_locked (OtterTrainerShared *shared);
gpointer            otter_trainer_run_thread            (gpointer            data);

G_END_DECLS
