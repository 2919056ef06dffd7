/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-trainer.h: a training run on its own thread, observed through properties */
#pragma once

#include <gio/gio.h>

#include "otter-core-enums.h"
#include "otter-distributed.h"
#include "otter-run.h"
#include "otter-train-config.h"

G_BEGIN_DECLS

typedef enum
{
  OTTER_TRAINER_IDLE,
  OTTER_TRAINER_PREPARING,       /* loading data, building the model */
  OTTER_TRAINER_RUNNING,
  OTTER_TRAINER_PAUSED,
  OTTER_TRAINER_CONVERGED,       /* epoch mean loss ≤ τ: model stored */
  OTTER_TRAINER_NOT_CONVERGED,   /* reached the maximum epochs above τ */
  OTTER_TRAINER_STOPPED,         /* stopped by the user before converging */
  OTTER_TRAINER_FAILED,          /* bad input, non-finite loss, disk error */
} OtterTrainerState;

/* "converged", "not-converged", "failed", "stopped", "running", ... */
const char  *otter_trainer_state_to_string  (OtterTrainerState state);
gboolean     otter_trainer_state_is_final   (OtterTrainerState state);

#define OTTER_TYPE_TRAINER (otter_trainer_get_type ())
G_DECLARE_FINAL_TYPE (OtterTrainer, otter_trainer, OTTER, TRAINER, GObject)

OtterTrainer      *otter_trainer_new             (const OtterTrainConfig *config);
/* A trainer that continues the run in `run_dir` from its last checkpoint,
 * with its metrics history. */
OtterTrainer      *otter_trainer_new_resume      (const char             *run_dir);

/* Explicit run folder instead of a new one under the data dir. */
void               otter_trainer_set_run_dir     (OtterTrainer           *self,
                                                  const char             *run_dir);
/* libtorch intra-op threads for this run (0: leave as is). */
void               otter_trainer_set_threads     (OtterTrainer           *self,
                                                  int                     n_threads);
/* TRUE: that count (or libtorch's own, when 0) is the most the run uses,
 * and the thread governor picks the count step by step from the steps'
 * times, so a core taken by another program does not stall every step
 * (otter-thread-governor.h). FALSE, the default: the count stays fixed. */
void               otter_trainer_set_adaptive_threads (OtterTrainer      *self,
                                                       gboolean           adaptive);

/* Makes this run one worker of a data-parallel run (copied; NULL: one
 * process). Every worker trains its part of each batch of
 * config.batch_size images; rank 0 alone writes the run folder. */
void               otter_trainer_set_distributed (OtterTrainer           *self,
                                                  const OtterDistributedParams *params);
gboolean           otter_trainer_is_distributed  (OtterTrainer           *self);
/* The worker's rank, 0 unless distributed. */
int                otter_trainer_get_rank        (OtterTrainer           *self);

gboolean           otter_trainer_start           (OtterTrainer           *self,
                                                  GError                **error);
void               otter_trainer_pause           (OtterTrainer           *self);
void               otter_trainer_resume          (OtterTrainer           *self);
void               otter_trainer_stop            (OtterTrainer           *self);
/* Blocks until the training thread has finished (for the CLI and tests). */
void               otter_trainer_wait            (OtterTrainer           *self);

OtterTrainerState  otter_trainer_get_state       (OtterTrainer           *self);
/* How far the run is through its epoch budget, 0–1 (1 once converged). */
double             otter_trainer_get_progress    (OtterTrainer           *self);
const OtterTrainConfig *otter_trainer_get_config (OtterTrainer           *self);
int                otter_trainer_get_epoch       (OtterTrainer           *self);
int                otter_trainer_get_max_epochs  (OtterTrainer           *self);
gint64             otter_trainer_get_step        (OtterTrainer           *self);
int                otter_trainer_get_step_in_epoch (OtterTrainer         *self);
int                otter_trainer_get_steps_per_epoch (OtterTrainer       *self);
double             otter_trainer_get_loss        (OtterTrainer           *self);
double             otter_trainer_get_l1          (OtterTrainer           *self);
double             otter_trainer_get_l2          (OtterTrainer           *self);
double             otter_trainer_get_distance    (OtterTrainer           *self);
double             otter_trainer_get_lr          (OtterTrainer           *self);
double             otter_trainer_get_epoch_loss  (OtterTrainer           *self);
double             otter_trainer_get_threshold   (OtterTrainer           *self);
double             otter_trainer_get_images_per_second (OtterTrainer     *self);
double             otter_trainer_get_eta_seconds (OtterTrainer           *self);
/* Processes of the run (1 unless distributed), and the mean time per step
 * they spent exchanging gradients (0 for one process). */
int                otter_trainer_get_world_size  (OtterTrainer           *self);
double             otter_trainer_get_exchange_seconds (OtterTrainer      *self);
double             otter_trainer_get_val_map50   (OtterTrainer           *self);
const char        *otter_trainer_get_message     (OtterTrainer           *self);
const char        *otter_trainer_get_run_dir     (OtterTrainer           *self);
const char        *otter_trainer_get_model_path  (OtterTrainer           *self);
guint              otter_trainer_get_n_skipped   (OtterTrainer           *self);
/* Of those, the files outside the dataset's folder (see
 * OtterTrainConfig.allow_outside_root). */
guint              otter_trainer_get_n_outside_root (OtterTrainer        *self);
/* Checkpoints that could not be written (a full disk, say): the run goes
 * on, but cannot be resumed from past the last one that was; and why the
 * last of them failed, or NULL. */
guint              otter_trainer_get_n_checkpoint_failures (OtterTrainer  *self);
const char        *otter_trainer_get_checkpoint_error (OtterTrainer       *self);
/* Whether the run failed with this error (an OTTER_ERROR_OUTSIDE_ROOT
 * dataset, say, which a flag would let through). */
gboolean           otter_trainer_failed_with     (OtterTrainer           *self,
                                                  GQuark                  domain,
                                                  int                     code);
/* Strings "file: reason" for samples skipped at load or decode time. */
GPtrArray         *otter_trainer_dup_skipped     (OtterTrainer           *self);
/* Strings "file: what" for annotations the data's loading adjusted (boxes
 * scaled to the image's real size). */
GPtrArray         *otter_trainer_dup_notes       (OtterTrainer           *self);

/* Copies of the history delivered so far (main thread view). */
GArray            *otter_trainer_dup_points      (OtterTrainer           *self,
                                                  guint                   from);
GArray            *otter_trainer_dup_epochs      (OtterTrainer           *self);

G_END_DECLS
